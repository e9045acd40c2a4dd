/**
 * npm run bench:npc: load time, time to first token, tokens/s, answer latency for 1 and 16 concurrent
 * questions (one by one, batched, micro-batching queue; with the int8 graphs, also one question and the batch
 * all in fp32), RSS, and a bare onnxruntime-node greedy loop over the full fp32 graph in the same run. Prints a
 * table and writes bench/results/npc.json.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { AnswerQueue } from "../npc/worker/answer-queue.js";
import { NpcEngine } from "../npc/engine.js";
import { DEFAULT_MODEL_DIR, type ModelDtype } from "../npc/engine/model-folder.js";
import { BareGreedy } from "./bare-greedy.js";
import { machineInfo } from "./machine.js";
import { MB, mean, percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:npc", {
  options: {
    model: { type: "string", default: DEFAULT_MODEL_DIR },
    dtype: { type: "string" }, // default: the engine's (q8 where the model has its int8 graphs)
    rounds: { type: "string", default: "3" },
    // Batches are few per round (40 questions make 2 of 16) and cheap: at 3 rounds a batch row moved ±10–15%
    // between runs, as much as what int8 gains there; 10 rounds take ~10 s more.
    "batch-rounds": { type: "string", default: "10" },
    out: { type: "string", default: resultsFile("npc.json") },
  },
});
const rounds = number("rounds");
const batchRounds = number("batch-rounds");
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);
const mb = (bytes: number) => round(bytes / MB, 0);
const greedy = { doSample: false, repetitionPenalty: 1 }; // what the bare loop can do too

const loadStarted = performance.now();
const engine = await NpcEngine.load(values.model!, values.dtype ? { dtype: values.dtype as ModelDtype } : {});
const loadMs = performance.now() - loadStarted;
const rssAfterLoad = process.memoryUsage().rss;
// With the int8 graphs, the same model all in fp32: what int8 gains, and the bare loop's reference.
const fp32 = engine.modelName.endsWith(":q8") ? await NpcEngine.load(values.model!, { dtype: "fp32" }) : undefined;
const config = JSON.parse(readFileSync(join(values.model!, "config.json"), "utf8"));
const generation = JSON.parse(readFileSync(join(values.model!, "generation_config.json"), "utf8"));
const bareStarted = performance.now();
// The full graph in fp32, the engine's reference whatever its dtype.
const bare = await BareGreedy.load(join(values.model!, "onnx", "model.onnx"), config, generation.eos_token_id);
const bareLoadMs = performance.now() - bareStarted;

for (const question of questions.slice(0, 4)) {
  await engine.answer(question); // warm-up: first runs allocate
  await fp32?.answer(question);
  await bare.generate(engine.promptIds(question), 32);
}

interface Single {
  ms: number;
  firstTokenMs: number;
  tokens: number;
  chars: number;
}

async function singleQuestions(settings: object, answering = engine): Promise<Single[]> {
  const results: Single[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const question of questions) {
      const started = performance.now();
      let first = 0;
      const answer = await answering.answer(question, {
        settings,
        onToken: () => (first ||= performance.now() - started),
      });
      results.push({ ms: answer.ms, firstTokenMs: first || answer.ms, tokens: answer.tokens, chars: answer.text.length });
    }
  }
  return results;
}

async function bareQuestions(): Promise<{ results: Single[]; agree: number }> {
  const results: Single[] = [];
  let agree = 0;
  for (let round = 0; round < rounds; round++) {
    for (const question of questions) {
      const started = performance.now();
      const { ids, firstTokenMs } = await bare.generate(engine.promptIds(question), 32);
      results.push({ ms: performance.now() - started, firstTokenMs, tokens: ids.length, chars: 0 });
      if (round === 0) {
        const answer = await (fp32 ?? engine).answer(question, { settings: greedy });
        if (answer.text === engine.decode(ids).replace(/\s+/g, " ").trim()) agree++;
      }
    }
  }
  return { results, agree };
}

// The same model decoding through the full graph every step in fp32, as models exported without the step graph do.
const throughPresent = engine.decodesInPlace ? await NpcEngine.load(values.model!, { dtype: "fp32", inPlaceCache: false }) : undefined;

/** 16 questions at once: answered one after another, as one batch (cache in place and not), and through the queue. */
async function concurrent(size: number) {
  const serial: number[] = [];
  const batched: number[] = [];
  const batchedPresent: number[] = [];
  const batchedFp32: number[] = [];
  const queued: number[] = [];
  // Each group's wall time per way of answering, in the order they ran: a group's ratios compare runs a second apart.
  const walls = { serial: [] as number[], batch: [] as number[], present: [] as number[], fp32: [] as number[], queue: [] as number[] };
  let answered = 0;
  for (let round = 0; round < batchRounds; round++) {
    for (let start = 0; start + size <= questions.length; start += size) {
      const group = questions.slice(start, start + size);
      let started = performance.now();
      for (const question of group) {
        await engine.answer(question);
        serial.push(performance.now() - started); // the i-th waits for the i-1 before it
      }
      walls.serial.push(performance.now() - started);

      started = performance.now();
      const answers = await engine.answerBatch(group);
      walls.batch.push(performance.now() - started);
      batched.push(...answers.map((a) => a.ms));

      if (fp32) {
        started = performance.now();
        const same = await fp32.answerBatch(group);
        walls.fp32.push(performance.now() - started);
        batchedFp32.push(...same.map((a) => a.ms));
      }

      if (throughPresent) {
        started = performance.now();
        const same = await throughPresent.answerBatch(group);
        walls.present.push(performance.now() - started);
        batchedPresent.push(...same.map((a) => a.ms));
      }

      const queue = new AnswerQueue(engine);
      started = performance.now();
      const fromQueue = await Promise.all(group.map((q) => queue.ask(q)));
      walls.queue.push(performance.now() - started);
      queued.push(...fromQueue.map((a) => a.ms));
      answered += size;
    }
  }
  return { serial, batched, batchedPresent, batchedFp32, queued, walls, answered };
}

const shipped = await singleQuestions({});
const greedyRuns = await singleQuestions(greedy);
const greedyFp32 = fp32 ? await singleQuestions(greedy, fp32) : undefined;
const choosing = await singleQuestions({ candidates: 8 });
const baseline = await bareQuestions();
const sixteen = await concurrent(16);
const rssPeak = process.resourceUsage().maxRSS * 1024;

const tokensPerSecond = (runs: Single[]) => (1000 * runs.reduce((s, r) => s + r.tokens, 0)) / runs.reduce((s, r) => s + r.ms, 0);
const msPerToken = (runs: Single[]) => runs.reduce((s, r) => s + r.ms, 0) / Math.max(1, runs.reduce((s, r) => s + r.tokens + 1, 0));
const latencyRow = (name: string, runs: Single[]) => ({
  case: name,
  "p50 ms": round(percentile(runs.map((r) => r.ms), 50)),
  "p95 ms": round(percentile(runs.map((r) => r.ms), 95)),
  "first token p50 ms": round(percentile(runs.map((r) => r.firstTokenMs), 50)),
  "tokens/s": round(tokensPerSecond(runs), 0),
  "mean tokens": round(mean(runs.map((r) => r.tokens))),
  "mean chars": runs[0]!.chars ? round(mean(runs.map((r) => r.chars))) : "-",
});
const sum = (values: number[]) => values.reduce((total, v) => total + v, 0);
/**
 * How many times faster `fast` was than `slow`: the median of the groups' ratios, each of two runs a second apart,
 * so a slow spell of this shared machine (the ratio of the totals moved 1.14–1.30 between runs) counts once.
 */
const speedup = (slow: number[], fast: number[]) => round(percentile(slow.map((ms, i) => ms / fast[i]!), 50), 2);
const concurrentRow = (name: string, latencies: number[], walls: number[]) => ({
  case: name,
  "p50 ms": round(percentile(latencies, 50)),
  "p95 ms": round(percentile(latencies, 95)),
  "first token p50 ms": "-",
  "tokens/s": "-",
  "mean tokens": "-",
  "mean chars": `${round((1000 * sixteen.answered) / sum(walls), 1)} answers/s`,
});

const rows = [
  latencyRow(`1 question, shipped decoding (${generation.do_sample ? "sampling" : "greedy"}, rep ${generation.repetition_penalty ?? 1})`, shipped),
  latencyRow(`1 question, greedy, engine${fp32 ? ", int8" : ""}`, greedyRuns),
  ...(greedyFp32 ? [latencyRow("1 question, greedy, engine, fp32", greedyFp32)] : []),
  latencyRow("1 question, choose among 8 sampled", choosing),
  latencyRow("1 question, greedy, bare onnxruntime loop", baseline.results),
  concurrentRow("16 at once, one by one", sixteen.serial, sixteen.walls.serial),
  concurrentRow(`16 at once, one batch${fp32 ? ", int8" : ""}${throughPresent ? ", cache in place" : ""}`, sixteen.batched, sixteen.walls.batch),
  ...(fp32 ? [concurrentRow("16 at once, one batch, fp32, cache in place", sixteen.batchedFp32, sixteen.walls.fp32)] : []),
  ...(throughPresent ? [concurrentRow("16 at once, one batch, fp32, cache through the full graph", sixteen.batchedPresent, sixteen.walls.present)] : []),
  concurrentRow("16 at once, AnswerQueue", sixteen.queued, sixteen.walls.queue),
];
const summary = {
  loadMs: round(loadMs, 0),
  bareLoadMs: round(bareLoadMs, 0),
  engineOverPerToken: round(msPerToken(greedyRuns) / msPerToken(baseline.results), 2),
  choosingCostX: round(mean(choosing.map((r) => r.ms)) / mean(shipped.map((r) => r.ms)), 2),
  retrievalK: engine.retrieval.k,
  bareAgreesWithEngine: `${baseline.agree}/${questions.length} identical answers${fp32 ? " (the engine in fp32)" : ""}`,
  batchSpeedup16: speedup(sixteen.walls.serial, sixteen.walls.batch),
  queueSpeedup16: speedup(sixteen.walls.serial, sixteen.walls.queue),
  int8Speedup1: greedyFp32 ? round(mean(greedyFp32.map((r) => r.ms)) / mean(greedyRuns.map((r) => r.ms)), 2) : "-",
  int8Speedup16: fp32 ? speedup(sixteen.walls.fp32, sixteen.walls.batch) : "-",
  inPlaceSpeedup16: throughPresent ? speedup(sixteen.walls.present, fp32 ? sixteen.walls.fp32 : sixteen.walls.batch) : "-",
  rssAfterLoadMB: mb(rssAfterLoad),
  rssPeakMB: mb(rssPeak),
};

console.log(`\nNPC engine, ${engine.modelName}, ${questions.length} questions × ${rounds} rounds (batches: ${batchRounds})\n`);
printTable(rows);
console.log();
printTable(Object.entries(summary).map(([measure, value]) => ({ measure, value })));

const machine = machineInfo();
writeFileSync(
  values.out!,
  JSON.stringify({ benchmark: "npc", date: new Date().toISOString(), machine, model: engine.modelName, rounds, batchRounds, rows, summary }, null, 2) + "\n",
);
console.log(`\nwrote ${values.out}`);
await bare.dispose();
await engine.dispose();
await fp32?.dispose();
await throughPresent?.dispose();
