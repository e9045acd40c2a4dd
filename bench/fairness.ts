/**
 * npm run bench:fairness: 50 players ask one NPC at once (real clients; `npm start`'s server, with its
 * in-process NPC worker and the shipped model, in its own process as in production, so the players'
 * patch decoding is not charged to it). Per player: the wait from sending the question to seeing the
 * answer in its state; per run: answers/s. With batching (NPC_MAX_BATCH=16, or --batch: the brain answers up to 16
 * questions in one batch) and without (1), and batched with answers cut to their first token (what batching could
 * show here if decoding steps after the prefill were free). The machine's speed drifts between runs (the ratio moved
 * 1.78–2.17 run to run when each mode ran once), so the modes take turns: each round runs every mode in its own
 * server, one warm-up burst (all players ask, all answers come) and then the measured ones, and the batching speedup
 * is the median of the rounds' ratios, each of two modes measured seconds apart. answers/s is a mode's median burst.
 * Last, what 3× one at a time would leave for the batched decoding steps, against the least those steps cost
 * (step-cost.ts). Table + bench/results/fairness.json (+ PNG by bench/plot.py).
 *
 *   npm run bench:fairness -- [--players 50] [--rounds 3] [--bursts 2] [--batch 16]
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import "../common/node-websocket.js"; // before the SDK (test/helpers/world.ts)
import { answerTime } from "../loadtest/answer-time.js";
import { AnswerQueue } from "../npc/worker/answer-queue.js";
import { NpcEngine } from "../npc/engine.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { DEFAULT_NPC, DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import { ServerLoad } from "../loadtest/server-load.js";
import { freePort, startService } from "../tools/processes.js";
import { joinWorld, type TestPlayer } from "../test/helpers/world.js";
import { machineInfo } from "./machine.js";
import { measureStepCost } from "./step-cost.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { number } = commandArgs("npm run bench:fairness", {
  options: {
    players: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
    bursts: { type: "string", default: "2" },
    batch: { type: "string", default: "16" },
  },
});
const players = number("players");
const rounds = number("rounds");
/** Measured bursts per mode and round, after one warm-up burst. */
const bursts = number("bursts");
const maxBatch = number("batch");
/** The model every mode's server loads (MODEL_DIR, as theirs read it), and the brain alone and the step cost too. */
const MODEL = process.env.MODEL_DIR ?? DEFAULT_MODEL_DIR;
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);

/**
 * The default NPC in a world file of its own whose answers stop after their first token: the prefill and
 * everything around it (rooms, patches, clients) with no decoding steps after it.
 */
function oneTokenWorld(): string {
  const { id, name, x, y, z, talkRadius } = DEFAULT_NPC;
  const path = join(mkdtempSync(join(tmpdir(), "bench-fairness-")), "one-token.json");
  const world = {
    hearing: DEFAULT_WORLD_SETTINGS.hearing,
    models: { default: resolve(MODEL) }, // the other modes' model
    npcs: [{ id, name, position: { x, y, z }, talkRadius, generation: { maxNewTokens: 1 } }],
  };
  writeFileSync(path, JSON.stringify(world));
  return path;
}

interface Mode {
  batch: number;
  oneToken?: boolean;
}

/** One mode's server for one round: joined players, a warm-up burst, then `bursts` measured ones. */
async function session({ batch, oneToken = false }: Mode) {
  const port = await freePort();
  const server = await startService(`bench-fairness-batch${batch}`, "server/main.ts", {
    PORT: String(port), HOST: "127.0.0.1", WORLD_FILE: oneToken ? oneTokenWorld() : "off",
    NPC_MAX_BATCH: String(batch), MAX_CLIENTS: String(players), NPC_TIMEOUT_MS: "120000",
    // Enough chat history that no question scrolls out of the state before its answer comes.
    CHAT_HISTORY: "1000",
  }, "world server listening");
  try {
    const url = `ws://127.0.0.1:${port}`;
    const first = await joinWorld(url, { name: "p0" });
    const joined: TestPlayer[] = [first];
    for (let i = 1; i < players; i++) joined.push(await joinWorld(url, { name: `p${i}` }, first.room.roomId));
    const burst = async (n: number) => {
      const started = performance.now();
      const waits = await Promise.all(
        joined.map(async (player, i) => {
          const text = `@kobot ${questions[(n * players + i) % questions.length]}`;
          const answer = answerTime(player.room, text, 120_000);
          player.room.send("chat", { text });
          const result = await answer;
          if (!result) throw new Error(`p${i} got no answer to "${text}" in 120 s`);
          if (result.refused) throw new Error(`the NPC turned p${i}'s "${text}" away (${result.refused}): its queue is too short for this bench`);
          // A fallback line is no answer (a model that did not load answers every question at once with one).
          if (result.fallback) throw new Error(`p${i}'s "${text}" got a fallback line, not an answer: see the server's log (is the model loaded?)`);
          return result.ms;
        }),
      );
      return { waits, answersPerSecond: players / ((performance.now() - started) / 1000) };
    };
    await burst(bursts); // the server's first answers run cold code; every round's warm-up asks the same questions
    const load = await ServerLoad.start(url);
    const clientsCpu = process.cpuUsage();
    const windowStarted = performance.now();
    const burstResults = [];
    for (let n = 0; n < bursts; n++) burstResults.push(await burst(n));
    const { user, system } = process.cpuUsage(clientsCpu);
    const windowMs = performance.now() - windowStarted;
    const cpu = await load?.end();
    return { burstResults, windowMs, serverCpuMs: cpu?.cpuMs ?? Number.NaN, clientsCpuMs: (user + system) / 1000, loopP99Ms: cpu?.loopDelayP99Ms ?? Number.NaN, loopMaxMs: cpu?.loopDelayMaxMs ?? Number.NaN };
  } finally {
    await server.stop();
  }
}

type Session = Awaited<ReturnType<typeof session>>;

/** A mode's row over all its rounds. */
function modeRow({ batch, oneToken = false }: Mode, sessions: Session[]) {
  const burstResults = sessions.flatMap((s) => s.burstResults);
  const waits = burstResults.flatMap((b) => b.waits);
  const rates = burstResults.map((b) => b.answersPerSecond);
  const sum = (pick: (s: Session) => number) => sessions.reduce((total, s) => total + pick(s), 0);
  const cpu = cpuAccount(players * burstResults.length, sum((s) => s.windowMs), sum((s) => s.serverCpuMs), sum((s) => s.clientsCpuMs));
  return {
    mode: `${batch > 1 ? `batched (up to ${batch})` : "one at a time"}${oneToken ? ", answers cut to 1 token" : ""}`,
    players,
    bursts: burstResults.length,
    medianMs: round(percentile(waits, 50)),
    p95Ms: round(percentile(waits, 95)),
    maxMs: round(Math.max(...waits)),
    // Within a burst: how much longer the last player waited than the middle one.
    maxOverMedian: round(Math.max(...burstResults.map((b) => Math.max(...b.waits) / percentile(b.waits, 50))), 2),
    answersPerSecond: round(percentile(rates, 50), 2),
    answersPerSecondRange: `${round(Math.min(...rates), 1)}–${round(Math.max(...rates), 1)}`,
    answersPerSecondByBurst: rates.map((rate) => round(rate, 1)),
    // The rooms' thread while the brain works (it runs on its own thread): patches are not held up.
    serverLoopP99Ms: round(Math.max(...sessions.map((s) => s.loopP99Ms))),
    serverLoopMaxMs: round(Math.max(...sessions.map((s) => s.loopMaxMs))),
    ...cpu,
    waitsMs: waits.map((w) => round(w)),
  };
}

/** A session's answers/s: its median burst's. */
const sessionRate = (s: Session) => percentile(s.burstResults.map((b) => b.answersPerSecond), 50);

/**
 * Where the CPU went while the bursts ran: the server process (rooms, and the brain on its own thread) and this
 * one (the 50 clients decoding every patch), per answer; how many of the machine's cores were busy on average;
 * and the answers/s the same CPU per answer would give with every core busy all the time: what no scheduling,
 * only less work per answer, can go past on this machine.
 */
function cpuAccount(answers: number, windowMs: number, serverCpuMs: number, clientsCpuMs: number) {
  const cores = availableParallelism();
  const totalMs = serverCpuMs + clientsCpuMs;
  return {
    serverCpuMsPerAnswer: round(serverCpuMs / answers, 2),
    clientsCpuMsPerAnswer: round(clientsCpuMs / answers, 2),
    coresBusy: round(totalMs / windowMs, 2),
    answersPerSecondAllCoresBusy: round((answers * 1000) / (totalMs / cores), 1),
  };
}

/**
 * The brain alone in this process, no rooms and no clients, on the same bursts' questions: all asked at once
 * through the micro-batching queue, and one after another. Its ratio bounds what batching can show end to end.
 * And the same batches cut to their prefill (the prompts read, the first token chosen: `maxNewTokens` 1), already
 * a matrix product for one prompt, so batching shrinks it little: the answers/s batching would give if every later
 * decoding step cost nothing, over full answers one at a time, bounds the ratio from above.
 */
async function brainAlone() {
  const engine = await NpcEngine.load(MODEL);
  await engine.warmUp(maxBatch);
  const queue = new AnswerQueue(engine, { maxBatch });
  const prefillOnly = { settings: { maxNewTokens: 1 } };
  const rates = { batched: [] as number[], oneAtATime: [] as number[], batchedPrefillOnly: [] as number[] };
  const stepsAfterPrefill: number[] = [];
  const stepsPerBatch: number[] = []; // a batch steps until its longest answer ends
  const rate = async (answerAll: () => Promise<unknown>) => {
    const started = performance.now();
    await answerAll();
    return players / ((performance.now() - started) / 1000);
  };
  for (let burst = 0; burst < rounds * bursts; burst++) {
    const asked = Array.from({ length: players }, (_, i) => questions[(burst * players + i) % questions.length]!);
    rates.batched.push(await rate(async () => {
      const answers = await Promise.all(asked.map((question) => queue.ask(question)));
      // An answer of n tokens took n steps after its prefill: the prefill chose its first token, a step each other and its `</s>`.
      for (const answer of answers) stepsAfterPrefill.push(answer.tokens);
      // The queue batches questions in the order asked, maxBatch at a time.
      for (let at = 0; at < answers.length; at += maxBatch) stepsPerBatch.push(Math.max(...answers.slice(at, at + maxBatch).map((a) => a.tokens)));
    }));
    rates.oneAtATime.push(await rate(async () => { for (const question of asked) await engine.answer(question); }));
    rates.batchedPrefillOnly.push(await rate(() => Promise.all(asked.map((question) => queue.ask(question, prefillOnly)))));
  }
  await engine.dispose();
  const [batched, oneAtATime, batchedPrefillOnly] = [rates.batched, rates.oneAtATime, rates.batchedPrefillOnly].map((r) => round(percentile(r, 50), 2)) as [number, number, number];
  return {
    batchedAnswersPerSecond: batched,
    oneAtATimeAnswersPerSecond: oneAtATime,
    // Each burst's modes ran back to back: the median of its ratios.
    batchingSpeedup: round(percentile(rates.batched.map((rate, i) => rate / rates.oneAtATime[i]!), 50), 2),
    batchedPrefillOnlyPerSecond: batchedPrefillOnly,
    batchingSpeedupIfStepsWereFree: round(percentile(rates.batchedPrefillOnly.map((rate, i) => rate / rates.oneAtATime[i]!), 50), 2),
    decodingStepsPerAnswer: round(stepsAfterPrefill.reduce((sum, n) => sum + n, 0) / stepsAfterPrefill.length, 2),
    decodingStepsPerBatch: round(stepsPerBatch.reduce((sum, n) => sum + n, 0) / stepsPerBatch.length, 2),
    batchesPerAnswer: round(stepsPerBatch.length / stepsAfterPrefill.length, 3),
  };
}

// The third: batched answers cut to their first token, what batching could show end to end here if every
// decoding step after the prefill cost nothing (over full answers one at a time).
const modes: Mode[] = [{ batch: maxBatch }, { batch: 1 }, { batch: maxBatch, oneToken: true }];
const sessions: Session[][] = modes.map(() => []);
for (let r = 0; r < rounds; r++) {
  for (const [m, mode] of modes.entries()) sessions[m]!.push(await session(mode));
}
const rows = modes.map((mode, m) => modeRow(mode, sessions[m]!));
printTable(rows.map(({ waitsMs: _w, answersPerSecondByBurst: _b, ...r }) => r));
/** Per round, a mode's answers/s over one at a time's in the same round. */
const roundRatios = (m: number) => sessions[m]!.map((s, r) => sessionRate(s) / sessionRate(sessions[1]![r]!));
const ratioRange = (ratios: number[]) => `${round(Math.min(...ratios), 2)}–${round(Math.max(...ratios), 2)}`;
const speedup = round(percentile(roundRatios(0), 50), 2);
console.log(`\nbatching answers ${speedup}× as many questions per second as one at a time (median of ${rounds} rounds: ${ratioRange(roundRatios(0))})`);
// A ceiling for the ratio on this machine: batched bursts at the CPU they took, with no core ever idle.
const ceiling = round(rows[0]!.answersPerSecondAllCoresBusy / rows[1]!.answersPerSecond, 2);
console.log(
  `batched, ${rows[0]!.coresBusy} of ${availableParallelism()} cores were busy on average (server ${rows[0]!.serverCpuMsPerAnswer}, ` +
    `clients ${rows[0]!.clientsCpuMsPerAnswer} CPU ms an answer); with every core busy all the time that CPU gives ` +
    `${rows[0]!.answersPerSecondAllCoresBusy} answers/s, ${ceiling}× one at a time`,
);
const endToEndIfStepsWereFree = round(percentile(roundRatios(2), 50), 2);
console.log(
  `batched answers cut to their first token: ${rows[2]!.answersPerSecond} answers/s, ${endToEndIfStepsWereFree}× full answers one ` +
    `at a time (${ratioRange(roundRatios(2))}; what batching could show end to end if every later decoding step were free)`,
);
const brain = await brainAlone();
console.log(
  `the brain alone on the same questions: ${brain.batchedAnswersPerSecond} answers/s batched, ` +
    `${brain.oneAtATimeAnswersPerSecond} one at a time: ${brain.batchingSpeedup}× (what batching can give at most end to end)`,
);
console.log(
  `the same batches cut to their prefill: ${brain.batchedPrefillOnlyPerSecond} prompts/s; if every later decoding step were free, ` +
    `batching would give the brain at most ${brain.batchingSpeedupIfStepsWereFree}× one at a time`,
);
// What 3× end to end leaves for the batched decoding steps, an answer: 3× one at a time's answers/s, over the
// batched answers cut to their first token (all the rest). Against it, what those steps cost at the least: each
// row's own work, and each step's fixed cost (a 1-row step less one row's work) shared by its batch.
const budgetMsFor3x = round(1000 / (3 * rows[1]!.answersPerSecond) - 1000 / rows[2]!.answersPerSecond, 2);
const stepCost = await measureStepCost(MODEL);
const rowsWorkMs = stepCost.rowStepMs * brain.decodingStepsPerAnswer;
const fixedMs = (stepCost.oneRowStepMs - stepCost.rowStepMs) * brain.decodingStepsPerBatch * brain.batchesPerAnswer;
const decodingFloor = {
  ...stepCost,
  stepsPerAnswer: brain.decodingStepsPerAnswer,
  stepsPerBatch: brain.decodingStepsPerBatch,
  rowsWorkMsPerAnswer: round(rowsWorkMs, 2),
  fixedCostMsPerAnswer: round(fixedMs, 2),
  floorMsPerAnswer: round(rowsWorkMs + fixedMs, 2),
  budgetMsPerAnswerFor3x: budgetMsFor3x,
};
console.log(
  `3× one at a time end to end leaves ${budgetMsFor3x} ms an answer for all its batched decoding steps; they cost at least ` +
    `${decodingFloor.floorMsPerAnswer} ms: the rows' own work ${decodingFloor.rowsWorkMsPerAnswer} ms (${stepCost.rowStepMs} ms a row a step, ` +
    `16 → 32 rows: ${stepCost.rows16StepMs} → ${stepCost.rows32StepMs} ms, × ${brain.decodingStepsPerAnswer} steps) and the steps' fixed cost ` +
    `${decodingFloor.fixedCostMsPerAnswer} ms (1 row: ${stepCost.oneRowStepMs} ms, ${brain.decodingStepsPerBatch} steps a batch)`,
);
writeFileSync(
  resultsFile("fairness.json"),
  JSON.stringify({ benchmark: "fairness", date: new Date().toISOString(), machine: machineInfo(), rounds, rows, batchingSpeedup: speedup, batchingSpeedupByRound: roundRatios(0).map((r) => round(r, 2)), batchingSpeedupAllCoresBusy: ceiling, batchingSpeedupIfStepsWereFree: endToEndIfStepsWereFree, brainAlone: brain, decodingFloor }, null, 2) + "\n",
);
process.exit(0);
