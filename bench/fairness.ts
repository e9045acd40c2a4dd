/**
 * npm run bench:fairness: 50 players ask one NPC at once (real clients; `npm start`'s server, with its
 * in-process NPC worker and the shipped model, in its own process as in production, so the players'
 * patch decoding is not charged to it). Per player: the wait from sending the question to seeing the
 * answer in its state; per run: answers/s. With batching (NPC_MAX_BATCH=16, or --batch: the brain answers up to 16
 * questions in one batch) and without (1), and batched with answers cut to their first token (what batching could
 * show here if decoding steps after the prefill were free). Each mode's server takes several bursts (all players ask, all
 * answers come, then the next): answers/s is the median burst's, so one noisy half-second does not decide it.
 * Last, what 3× one at a time would leave for the batched decoding steps, against the least those steps cost
 * (step-cost.ts). Table + bench/results/fairness.json (+ PNG by bench/plot.py).
 *
 *   npm run bench:fairness -- [--players 50] [--bursts 3] [--batch 16]
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

import { answerTime } from "../loadtest/bots.js";
import { AnswerQueue } from "../npc/answer-queue.js";
import { NpcEngine } from "../npc/engine.js";
import { DEFAULT_MODEL_DIR } from "../npc/model-folder.js";
import { DEFAULT_NPC, DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import { ServerLoad } from "../loadtest/server-load.js";
import { freePort, startService } from "../test/helpers/processes.js";
import { joinWorld, type TestPlayer } from "../test/helpers/world.js";
import { machineInfo } from "./machine.js";
import { measureStepCost } from "./step-cost.js";
import { percentile, printTable, round } from "./stats.js";

const { values } = parseArgs({
  options: { players: { type: "string", default: "50" }, bursts: { type: "string", default: "3" }, batch: { type: "string", default: "16" } },
});
const players = Number(values.players);
const bursts = Number(values.bursts);
const maxBatch = Number(values.batch);
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
    models: { default: resolve(DEFAULT_MODEL_DIR) },
    npcs: [{ id, name, position: { x, y, z }, talkRadius, generation: { maxNewTokens: 1 } }],
  };
  writeFileSync(path, JSON.stringify(world));
  return path;
}

async function run(batch: number, { oneToken = false } = {}) {
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
    const load = await ServerLoad.start(url);
    const clientsCpu = process.cpuUsage();
    const windowStarted = performance.now();
    const burstResults = [];
    for (let burst = 0; burst < bursts; burst++) {
      const started = performance.now();
      const waits = await Promise.all(
        joined.map(async (player, i) => {
          const text = `@kobot ${questions[(burst * players + i) % questions.length]}`;
          const answer = answerTime(player.room, text, 120_000);
          player.room.send("chat", { text });
          const result = await answer;
          if (!result) throw new Error(`p${i} got no answer to "${text}" in 120 s`);
          return result.ms;
        }),
      );
      burstResults.push({ waits, answersPerSecond: players / ((performance.now() - started) / 1000) });
    }
    const { user, system } = process.cpuUsage(clientsCpu);
    const windowMs = performance.now() - windowStarted;
    const server = await load?.end();
    const cpu = cpuAccount(players * bursts, windowMs, server?.cpuMs ?? Number.NaN, (user + system) / 1000);
    const waits = burstResults.flatMap((b) => b.waits);
    const rates = burstResults.map((b) => b.answersPerSecond);
    return {
      mode: `${batch > 1 ? `batched (up to ${batch})` : "one at a time"}${oneToken ? ", answers cut to 1 token" : ""}`,
      players,
      bursts,
      medianMs: round(percentile(waits, 50)),
      p95Ms: round(percentile(waits, 95)),
      maxMs: round(Math.max(...waits)),
      // Within a burst: how much longer the last player waited than the middle one.
      maxOverMedian: round(Math.max(...burstResults.map((b) => Math.max(...b.waits) / percentile(b.waits, 50))), 2),
      answersPerSecond: round(percentile(rates, 50), 2),
      answersPerSecondRange: `${round(Math.min(...rates), 1)}–${round(Math.max(...rates), 1)}`,
      answersPerSecondByBurst: rates.map((rate) => round(rate, 1)),
      // The rooms' thread while the brain works (it runs on its own thread): patches are not held up.
      serverLoopP99Ms: round(server?.loopDelayP99Ms ?? Number.NaN),
      serverLoopMaxMs: round(server?.loopDelayMaxMs ?? Number.NaN),
      ...cpu,
      waitsMs: waits.map((w) => round(w)),
    };
  } finally {
    await server.stop();
  }
}

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
  const engine = await NpcEngine.load(DEFAULT_MODEL_DIR);
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
  for (let burst = 0; burst < bursts; burst++) {
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
    batchingSpeedup: round(batched / oneAtATime, 2),
    batchedPrefillOnlyPerSecond: batchedPrefillOnly,
    batchingSpeedupIfStepsWereFree: round(batchedPrefillOnly / oneAtATime, 2),
    decodingStepsPerAnswer: round(stepsAfterPrefill.reduce((sum, n) => sum + n, 0) / stepsAfterPrefill.length, 2),
    decodingStepsPerBatch: round(stepsPerBatch.reduce((sum, n) => sum + n, 0) / stepsPerBatch.length, 2),
    batchesPerAnswer: round(stepsPerBatch.length / stepsAfterPrefill.length, 3),
  };
}

// The third: batched answers cut to their first token, what batching could show end to end here if every
// decoding step after the prefill cost nothing (over full answers one at a time).
const rows = [await run(maxBatch), await run(1), await run(maxBatch, { oneToken: true })];
printTable(rows.map(({ waitsMs: _w, answersPerSecondByBurst: _b, ...r }) => r));
const speedup = round(rows[0]!.answersPerSecond / rows[1]!.answersPerSecond, 2);
console.log(`\nbatching answers ${speedup}× as many questions per second as one at a time`);
// A ceiling for the ratio on this machine: batched bursts at the CPU they took, with no core ever idle.
const ceiling = round(rows[0]!.answersPerSecondAllCoresBusy / rows[1]!.answersPerSecond, 2);
console.log(
  `batched, ${rows[0]!.coresBusy} of ${availableParallelism()} cores were busy on average (server ${rows[0]!.serverCpuMsPerAnswer}, ` +
    `clients ${rows[0]!.clientsCpuMsPerAnswer} CPU ms an answer); with every core busy all the time that CPU gives ` +
    `${rows[0]!.answersPerSecondAllCoresBusy} answers/s, ${ceiling}× one at a time`,
);
const endToEndIfStepsWereFree = round(rows[2]!.answersPerSecond / rows[1]!.answersPerSecond, 2);
console.log(
  `batched answers cut to their first token: ${rows[2]!.answersPerSecond} answers/s, ${endToEndIfStepsWereFree}× full answers one ` +
    `at a time (what batching could show end to end if every later decoding step were free)`,
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
const stepCost = await measureStepCost(DEFAULT_MODEL_DIR);
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
  join(import.meta.dirname, "results", "fairness.json"),
  JSON.stringify({ benchmark: "fairness", date: new Date().toISOString(), machine: machineInfo(), rows, batchingSpeedup: speedup, batchingSpeedupAllCoresBusy: ceiling, batchingSpeedupIfStepsWereFree: endToEndIfStepsWereFree, brainAlone: brain, decodingFloor }, null, 2) + "\n",
);
process.exit(0);
