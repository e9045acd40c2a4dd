/**
 * npm run bench:model-ab -- --before <model folder> [--after npc/model]: two exports of a model (its graphs
 * rewritten, a new quantisation, another export of the same weights) side by side in one run, on the everyday
 * questions: answers/s one at a time and batched (the micro-batching queue, up to 16), the models taking turns
 * round by round, each speedup the median of the rounds' after/before ratios (this box's speed drifts by more
 * than most changes between runs). And whether they answer alike: the texts that differ, of the everyday
 * questions and Chatbot_data's first `--chatbot` (what a change of the graphs must not do to judged answers).
 * Table + bench/results/model-ab.json.
 *
 *   git archive <commit> npc/model | tar -x -C /tmp/before    # an earlier commit's model
 *   npm run bench:model-ab -- --before /tmp/before/npc/model
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { AnswerQueue } from "../npc/worker/answer-queue.js";
import { NpcEngine } from "../npc/engine.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { CHATBOT_DATA, readChatbotData } from "./chatbot-data.js";
import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:model-ab", {
  options: {
    before: { type: "string" },
    after: { type: "string", default: DEFAULT_MODEL_DIR },
    rounds: { type: "string", default: "8" },
    chatbot: { type: "string", default: "2000" },
    data: { type: "string", default: CHATBOT_DATA },
    out: { type: "string", default: resultsFile("model-ab.json") },
  },
});
if (!values.before) throw new Error("give --before <model folder> (e.g. an earlier commit's npc/model: see the header)");
const rounds = number("rounds");
const everyday = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);
// Twice over: 96 questions make 6 full batches of 16.
const timed = [...everyday, ...everyday];

const models = { before: values.before, after: values.after! };
const engines = { before: await NpcEngine.load(models.before), after: await NpcEngine.load(models.after) };
for (const engine of Object.values(engines)) await engine.warmUp(16);

type Side = keyof typeof engines;
type Mode = "oneAtATime" | "batched";
const rates: Record<Side, Record<Mode, number[]>> = { before: { oneAtATime: [], batched: [] }, after: { oneAtATime: [], batched: [] } };
const perSecond = async (answerAll: () => Promise<unknown>) => {
  const started = performance.now();
  await answerAll();
  return timed.length / ((performance.now() - started) / 1000);
};
for (let r = 0; r < rounds; r++) {
  // Each round in the other order, so neither side always runs on a warmer (or cooler) machine.
  const order: Side[] = r % 2 === 0 ? ["before", "after"] : ["after", "before"];
  for (const side of order) {
    const engine = engines[side];
    const queue = new AnswerQueue(engine, { maxBatch: 16 });
    rates[side].oneAtATime.push(await perSecond(async () => { for (const question of timed) await engine.answer(question); }));
    rates[side].batched.push(await perSecond(() => Promise.all(timed.map((question) => queue.ask(question)))));
  }
}

/** The texts that differ between the two, questions answered in batches of 16 (as the worker answers them). */
async function differences(questions: string[]) {
  const answered = async (engine: NpcEngine) => {
    const texts: string[] = [];
    for (let at = 0; at < questions.length; at += 16) texts.push(...(await engine.answerBatch(questions.slice(at, at + 16))).map((a) => a.text));
    return texts;
  };
  const [before, after] = [await answered(engines.before), await answered(engines.after)];
  return questions.flatMap((question, i) => (before[i] === after[i] ? [] : [{ question, before: before[i]!, after: after[i]! }]));
}
const chatbot = existsSync(values.data!)
  ? readChatbotData(values.data!).slice(0, number("chatbot")).map(({ q }) => q)
  : [];
const differ = { everyday: await differences(everyday), chatbot: await differences(chatbot) };
await Promise.all(Object.values(engines).map((engine) => engine.dispose()));

const speedup = (mode: Mode) => round(percentile(rates.after[mode].map((rate, i) => rate / rates.before[mode][i]!), 50), 2);
const rows = (["oneAtATime", "batched"] as const).map((mode) => ({
  mode: mode === "batched" ? "batched (up to 16)" : "one at a time",
  beforeAnswersPerSecond: round(percentile(rates.before[mode], 50)),
  afterAnswersPerSecond: round(percentile(rates.after[mode], 50)),
  afterOverBefore: speedup(mode),
  roundRatios: rates.after[mode].map((rate, i) => round(rate / rates.before[mode][i]!, 2)).join(" "),
}));
printTable(rows);
console.log(
  `\nanswers that differ: ${differ.everyday.length} of ${everyday.length} everyday questions, ` +
    `${differ.chatbot.length} of ${chatbot.length} Chatbot_data questions`,
);
for (const { question, before, after } of differ.everyday) console.log(`  ${question} | ${before} → ${after}`);
writeFileSync(
  values.out!,
  JSON.stringify({
    benchmark: "model-ab", date: new Date().toISOString(), machine: machineInfo(), rounds, models,
    modelNames: { before: engines.before.modelName, after: engines.after.modelName }, rows,
    questions: { everyday: everyday.length, chatbot: chatbot.length }, differ,
  }, null, 2) + "\n",
);
console.log(`wrote ${values.out}`);
