/**
 * npm run bench:soak: does the server's memory stay flat while players come and go for minutes? `npm start`'s server
 * (rooms and the embedded NPC worker, the village world) in its own process; `--players` visitors at a time, each a new
 * player: joins (matchmaking), asks the NPC by the gate and waits for the answer, walks to another NPC (greeted there),
 * says hello, leaves after `--stay` seconds, and the next one comes. After a warm-up and again at the end, once every visitor has left, the server
 * writes a heap snapshot (after a full GC): what grew between the two, per visit and by kind, and whether any room
 * outlived its players. /metrics is read every 2 s for the heap and RSS curves. Table + bench/results/soak.json.
 *
 *   npm run bench:soak -- [--minutes 5] [--players 100] [--stay 8] [--warmup 30] [--signed-in]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { answerTime } from "../loadtest/bots.js";
import { freePort, startService } from "../test/helpers/processes.js";
import { joinWorld, signedIn, sleep, type TestPlayer, walkTo } from "../test/helpers/world.js";
import { grownKinds, heapKinds, type HeapKind, totalBytes } from "./heap-snapshot.js";
import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "./stats.js";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    players: { type: "string", default: "100" },
    stay: { type: "string", default: "8" },
    warmup: { type: "string", default: "30" },
    /** Each visitor signs in as a new account (the server gets AUTH_SECRET): the NPCs remember every one they greet. */
    "signed-in": { type: "boolean", default: false },
    out: { type: "string", default: join(import.meta.dirname, "results", "soak.json") },
  },
});
const players = Number(values.players);
const stayMs = Number(values.stay) * 1000;
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);
const MB = 2 ** 20;
const secret = values["signed-in"] ? "soak-secret-of-at-least-32-characters!" : undefined;

const snapshots = mkdtempSync(join(tmpdir(), "kobot-soak-"));
const port = await freePort();
const url = `ws://127.0.0.1:${port}`;
const server = await startService("bench-soak", "server/main.ts", { PORT: String(port), HOST: "127.0.0.1", ...(secret ? { AUTH_SECRET: secret } : {}) }, "world server listening", [
  "--heapsnapshot-signal=SIGUSR2",
  `--diagnostic-dir=${snapshots}`,
]);

/** What the visitors saw, over one phase. */
class Tally {
  visits = 0;
  answers: number[] = [];
  unanswered = 0;
  errors: Record<string, number> = {};
  count(code: string) {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }
}

let visitorNumber = 0;

/** One player's visit: join, ask the NPC by the gate and wait for its answer, walk to another NPC, say hello, stay, leave. */
async function visit(tally: Tally): Promise<void> {
  const n = visitorNumber++;
  let player: TestPlayer;
  try {
    const name = `손님${n}`;
    player = await joinWorld(url, { name }, undefined, secret ? await signedIn(secret, `soak-${n}`, name) : undefined);
  } catch (error) {
    return tally.count(`join_failed: ${(error as Error).message.slice(0, 60)}`);
  }
  const started = performance.now();
  const { room } = player;
  room.onMessage("error", (error: { code: string }) => tally.count(error.code));
  try {
    const text = `@kobot ${questions[n % questions.length]}`;
    const answer = answerTime(room, text);
    room.send("chat", { text });
    const result = await answer;
    if (result) tally.answers.push(result.ms);
    else tally.unanswered++;
    // Then on to another NPC, which greets them (and, signed in, remembers them), and hello to the room.
    const others = [...room.state.npcs].filter(([id]) => id !== "kobot");
    const [, npc] = others[n % others.length]!;
    await walkTo(player, npc.x + 2, npc.z + 2).catch(() => tally.count("walk_failed"));
    room.send("chat", { text: "안녕하세요" });
    await sleep(Math.max(0, stayMs - (performance.now() - started)));
  } finally {
    await room.leave().catch(() => {});
    tally.visits++;
  }
}

/** `players` visitors at a time for `seconds`, each replaced as it leaves; resolves once the last has left. */
async function churn(seconds: number): Promise<Tally> {
  const tally = new Tally();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: players }, async (_, i) => {
      await sleep((i * stayMs) / players); // arrivals spread over one stay, as players come and go in a live game
      while (performance.now() < until) await visit(tally);
    }),
  );
  return tally;
}

const memory: Array<{ s: number; heapUsedMB: number; rssMB: number; rooms: number; clients: number; phase: string }> = [];
const startedAt = performance.now();
let phase = "warm-up";
async function sampleMemory(): Promise<(typeof memory)[number]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1]);
  const sample = {
    s: round((performance.now() - startedAt) / 1000),
    heapUsedMB: round(value("nodejs_heap_size_used_bytes") / MB),
    rssMB: round(value("process_resident_memory_bytes") / MB),
    rooms: value("kobot_rooms"),
    clients: value("kobot_clients"),
    phase,
  };
  memory.push(sample);
  return sample;
}
const sampler = setInterval(() => void sampleMemory().catch(() => {}), 2000);

/**
 * Once the last visitors' rooms have closed: the rooms and clients left (none, if every leave was seen), and a heap
 * snapshot (the server's signal handler runs a full GC first) summed by kind.
 */
async function snapshot(): Promise<{ kinds: Map<string, HeapKind>; rooms: number; clients: number }> {
  await sleep(3000);
  const { rooms, clients } = await sampleMemory();
  const before = new Set(readdirSync(snapshots));
  server.process.kill("SIGUSR2");
  for (;;) {
    await sleep(500);
    const file = readdirSync(snapshots).find((name) => !before.has(name) && name.endsWith(".heapsnapshot"));
    // Written on the server's main thread: once /metrics answers again, the file is whole.
    if (file && statSync(join(snapshots, file)).size > 0 && (await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.ok, () => false))) {
      return { kinds: await heapKinds(join(snapshots, file)), rooms, clients };
    }
  }
}

try {
  console.log(`warm-up: ${values.warmup} s of ${players} visitors at a time…`);
  const warmup = await churn(Number(values.warmup));
  const afterWarmup = await snapshot();
  phase = "soak";
  console.log(`soak: ${values.minutes} min…`);
  const soakStart = performance.now();
  const soak = await churn(Number(values.minutes) * 60);
  const soakSeconds = (performance.now() - soakStart) / 1000;
  phase = "after";
  const atEnd = await snapshot();
  clearInterval(sampler);

  const grown = totalBytes(atEnd.kinds) - totalBytes(afterWarmup.kinds);
  const rows = [
    { phase: "warm-up", seconds: Number(values.warmup), visits: warmup.visits, answers: warmup.answers.length, unanswered: warmup.unanswered, answerP50Ms: round(percentile(warmup.answers, 50)), answerP95Ms: round(percentile(warmup.answers, 95)), heapAfterMB: round(totalBytes(afterWarmup.kinds) / MB), roomsLeft: afterWarmup.rooms, clientsLeft: afterWarmup.clients },
    { phase: "soak", seconds: round(soakSeconds), visits: soak.visits, answers: soak.answers.length, unanswered: soak.unanswered, answerP50Ms: round(percentile(soak.answers, 50)), answerP95Ms: round(percentile(soak.answers, 95)), heapAfterMB: round(totalBytes(atEnd.kinds) / MB), roomsLeft: atEnd.rooms, clientsLeft: atEnd.clients },
  ];
  printTable(rows);
  const top = grownKinds(afterWarmup.kinds, atEnd.kinds, 12).map((k) => ({ kind: k.kind, count: k.count, kB: round(k.bytes / 1024) }));
  console.log(`\nheap after a full GC grew ${round(grown / MB, 2)} MB over ${soak.visits} visits: ${round(grown / soak.visits)} bytes a visit. Grew most:`);
  printTable(top);
  const rss = memory.filter((m) => m.phase === "soak").map((m) => m.rssMB);
  console.log(`\nRSS during the soak: ${Math.min(...rss)}–${Math.max(...rss)} MB; errors: ${JSON.stringify({ ...warmup.errors, ...soak.errors })}`);
  writeFileSync(values.out!, JSON.stringify({
    benchmark: "soak", date: new Date().toISOString(), machine: machineInfo(),
    players, staySeconds: stayMs / 1000, signedIn: secret !== undefined, rows, heapGrownMB: round(grown / MB, 2), bytesPerVisit: round(grown / soak.visits),
    grewMost: top, errors: { warmup: warmup.errors, soak: soak.errors }, memory,
  }, null, 2) + "\n");
} finally {
  clearInterval(sampler);
  await server.stop();
  rmSync(snapshots, { recursive: true, force: true }); // two of ~40 MB each
}
process.exit(0);
