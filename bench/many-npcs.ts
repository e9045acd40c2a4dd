/**
 * npm run bench:many-npcs: what NPCs cost as a world grows (up to MAX_NPCS, server/world-files/world-file.ts). At each
 * count, NPCs that share one knowledge file: the world file's start check (`loadWorldFile`, the default moderator); the
 * worker's cast (`NpcCast.load`, the shipped model): time, heap grown and knowledge indexes built (1: shared); 16
 * questions at once through the cast's queue (the brain's path), one to each of 16 NPCs against all 16 to one, rounds
 * in turns: whether questions to different NPCs batch (every other NPC speaks shorter: `writeWorld`); and `npm start`'s server in its own process with players
 * moving among the NPCs (some walking routes): its CPU ms a second and event-loop delay, from its /metrics.
 * Table + bench/results/many-npcs.json (+ PNG by bench/plot.py). Runs with --expose-gc for the heap (package.json).
 *
 *   npm run bench:many-npcs -- [--npcs 1,16,50,100] [--knowledge-lines 1000] [--players 30] [--walkers 1] [--seconds 8]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import "../common/node-websocket.js"; // before the SDK (test/helpers/world.ts)
import { ServerLoad } from "../loadtest/server-load.js";
import { DEFAULT_WORD_LIST, Moderator } from "../moderation/moderator.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import type { NpcEngine } from "../npc/engine.js";
import { NpcCast } from "../npc/npc-cast.js";
import { DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import { loadWorldFile, type WorldFile } from "../server/world-files/world-file.js";
import { sleep } from "../test/helpers/world.js";
import { freePort, startService } from "../tools/processes.js";
import { MB, percentile, printTable, round } from "../tools/stats.js";
import { machineInfo } from "./machine.js";
import { resultsFile } from "./results-file.js";
import { joinPlayers, keepWalking, walkerOf } from "./walking-players.js";

const { values, number } = commandArgs("npm run bench:many-npcs", {
  options: {
    npcs: { type: "string", default: "1,16,50,100" },
    "knowledge-lines": { type: "string", default: "1000" },
    checks: { type: "string", default: "5" },
    questions: { type: "string", default: "16" },
    rounds: { type: "string", default: "5" },
    players: { type: "string", default: "30" },
    walkers: { type: "string", default: "1" },
    seconds: { type: "string", default: "8" },
    out: { type: "string", default: resultsFile("many-npcs.json") },
  },
});
const npcCounts = values.npcs!.split(",").map(Number);
const knowledgeLines = number("knowledge-lines", { min: 1, integer: true });
const checks = number("checks", { min: 1, integer: true });
const questionCount = number("questions", { min: 1, integer: true });
const rounds = number("rounds", { min: 1, integer: true });
const players = number("players", { min: 1, integer: true });
const walkerCount = number("walkers", { min: 0, integer: true });
const seconds = number("seconds", { min: 0.5 });

const moderator = Moderator.fromFile(DEFAULT_WORD_LIST);
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean).slice(0, questionCount);
const gc = (globalThis as { gc?: () => void }).gc;
const heapMB = () => (gc!(), process.memoryUsage().heapUsed / MB);
const folder = mkdtempSync(join(tmpdir(), "kobot-many-npcs-"));

/** Distinct names, none a look-alike of another (the start check refuses those): two or three syllables by index. */
const SYLLABLES = [..."가나다라마바사아자차카타파하거너더러머버서어저처커터퍼허고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후"];
const npcName = (i: number) => SYLLABLES[i % SYLLABLES.length]! + SYLLABLES[(i * 7 + 3) % SYLLABLES.length]! + SYLLABLES[Math.floor(i / SYLLABLES.length)]!;

/** One knowledge file of `lines` price questions, which every NPC knows. */
function writeKnowledge(lines: number): string {
  const path = join(folder, "shop.jsonl");
  const pairs = Array.from({ length: lines }, (_, i) => JSON.stringify({ q: [`${i}번 물건은 얼마야?`, `${i}번 가격 알려줘`], a: `${i}번 물건은 ${i * 10 + 5}골드야.` }));
  writeFileSync(path, pairs.join("\n") + "\n");
  return path;
}

/**
 * `count` NPCs on a grid 10 units apart over the village, greeting and idling, every other one speaking shorter (as the
 * village's baker: at most 24 tokens, the model's default 32); the first `walking` walk a short route.
 */
function writeWorld(count: number, walking: number, knowledge: string): string {
  const npcs = Array.from({ length: count }, (_, i) => {
    const [x, z] = [-45 + (i % 10) * 10, -45 + Math.floor(i / 10) * 10];
    return {
      id: `npc-${i}`, name: npcName(i), position: { x, y: 0, z }, talkRadius: 6,
      greetings: ["{name} 님, 안녕!"], idleLines: ["좋은 날이네."], idleEverySeconds: 5, knowledge, scriptedAbove: 0.8,
      ...(i % 2 === 1 ? { generation: { maxNewTokens: 24 } } : {}),
      ...(i < walking ? { route: { points: [{ x: x + 4, z: z + 4 }], speed: 1.5, pauseSeconds: 0 } } : {}),
    };
  });
  const path = join(folder, `world-${count}.json`);
  writeFileSync(path, JSON.stringify({ npcs }));
  return path;
}

/** The start check as `npm start` runs it: median ms of `checks` runs. */
function startCheck(path: string): { world: WorldFile; ms: number } {
  const times: number[] = [];
  let world: WorldFile | undefined;
  for (let run = 0; run < checks; run++) {
    const started = performance.now();
    world = loadWorldFile(path, DEFAULT_MODEL_DIR, DEFAULT_WORLD_SETTINGS.bounds, moderator);
    times.push(performance.now() - started);
  }
  return { world: world!, ms: percentile(times, 50) };
}

/** The sizes of the batches `engine` answers, taken since the last call. */
function watchBatches(engine: NpcEngine): () => number[] {
  const sizes: number[] = [];
  const answerChecked = engine.answerChecked.bind(engine);
  engine.answerChecked = (texts, ...rest) => {
    sizes.push(texts.length);
    return answerChecked(texts, ...rest);
  };
  return () => sizes.splice(0);
}

/** The questions asked at once, the i-th to `npcIds[i]`, as the worker asks its brains (worker.ts): ms until all are answered. */
async function askAtOnce(cast: NpcCast, npcIds: string[]): Promise<number> {
  const started = performance.now();
  await Promise.all(npcIds.map((npcId, i) => {
    const brain = cast.brainFor(npcId);
    return brain.queue.ask(brain.hear(questions[i]!), { ...brain.options, heard: true });
  }));
  return performance.now() - started;
}

/** The cast of the world's NPCs, and its batching: the same questions one to each NPC, and all to the first. */
async function castAndBatching(world: WorldFile) {
  const heapBefore = gc ? heapMB() : Number.NaN;
  const started = performance.now();
  const cast = await NpcCast.load(world.brains);
  const castMs = performance.now() - started;
  const castHeapMB = gc ? heapMB() - heapBefore : Number.NaN;
  const ids = world.brains.map((brain) => brain.npcId);
  const indexes = new Set(ids.map((id) => cast.brainFor(id).options.knowledge)).size;

  const batches = watchBatches(cast.engines[0]!);
  // Spread over as many NPCs as there are, up to one a question.
  const modes = { spread: questions.map((_, i) => ids[i % ids.length]!), oneNpc: questions.map(() => ids[0]!) };
  await askAtOnce(cast, modes.spread); // warm-up
  await askAtOnce(cast, modes.oneNpc);
  batches();
  const runs = { spread: [] as { ms: number; batches: number[] }[], oneNpc: [] as { ms: number; batches: number[] }[] };
  for (let turn = 0; turn < rounds; turn++) {
    // In turns, so neither mode always runs on the box as the other left it.
    const order = turn % 2 === 0 ? (["spread", "oneNpc"] as const) : (["oneNpc", "spread"] as const);
    for (const mode of order) runs[mode].push({ ms: await askAtOnce(cast, modes[mode]), batches: batches() });
  }
  await cast.dispose();
  const shapes = (list: { batches: number[] }[]) => [...new Set(list.map((run) => run.batches.join("+")))].join(" / ");
  return {
    castMs: round(castMs),
    ...(gc ? { castHeapMB: round(castHeapMB) } : {}),
    knowledgeIndexes: indexes,
    npcsAsked: new Set(modes.spread).size,
    spreadMs: round(percentile(runs.spread.map((run) => run.ms), 50)),
    spreadBatches: shapes(runs.spread),
    oneNpcMs: round(percentile(runs.oneNpc.map((run) => run.ms), 50)),
    oneNpcBatches: shapes(runs.oneNpc),
    spreadOverOneNpc: round(percentile(runs.spread.map((run, i) => run.ms / runs.oneNpc[i]!.ms), 50), 2),
  };
}

/** `npm start`'s server on the world file, `players` moving among its NPCs: its CPU and event loop over `seconds`. */
async function roomLoad(count: number, path: string) {
  const port = await freePort();
  const server = await startService(`bench-many-npcs-${count}`, "server/main.ts", { PORT: String(port), HOST: "127.0.0.1", WORLD_FILE: path, MAX_CLIENTS: String(players) }, "world server listening");
  try {
    const url = `ws://127.0.0.1:${port}`;
    const joined = await joinPlayers(url, players, "손님");
    const stopWalking = keepWalking(joined.map(walkerOf));
    await sleep(2000); // spread out from the spawn point
    const load = await ServerLoad.start(url);
    await sleep(seconds * 1000);
    const measured = await load?.end();
    stopWalking();
    await Promise.allSettled(joined.map((player) => player.room.leave()));
    return {
      // All its threads, the embedded NPC worker's too: idle here, as no one asks (bench:idle: under 1% of a core).
      serverCpuMsPerS: round((measured?.cpuMs ?? Number.NaN) / seconds),
      serverLoopP99Ms: round(measured?.loopDelayP99Ms ?? Number.NaN),
    };
  } finally {
    await server.stop();
  }
}

const rows: Record<string, string | number>[] = [];
try {
  const knowledge = writeKnowledge(knowledgeLines);
  // Cold, once: the first load of a process reads the model's files and compiles the code the later ones run.
  await NpcCast.load(startCheck(writeWorld(1, 0, knowledge)).world.brains).then((cast) => cast.dispose());
  for (const count of npcCounts) {
    const walking = Math.min(walkerCount, count);
    const path = writeWorld(count, walking, knowledge);
    const { world, ms } = startCheck(path);
    rows.push({ npcs: count, startCheckMs: round(ms), ...(await castAndBatching(world)), walking, ...(await roomLoad(count, path)) });
    console.log(`${count} NPCs measured`);
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
printTable(rows);
writeFileSync(values.out!, JSON.stringify({
  benchmark: "many-npcs", date: new Date().toISOString(), machine: machineInfo(),
  knowledgeLines, speakers: "every other one speaking shorter (maxNewTokens 24, the others 32)", checks, questions: questions.length, rounds, players, seconds, rows,
}, null, 2) + "\n");
console.log(`\nwrote ${values.out}`);
process.exit(0);
