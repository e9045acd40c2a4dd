/**
 * The embedded NPC worker's thread (started by ThreadedNpcWorker). onnxruntime-node runs inference
 * synchronously on the calling thread: on the rooms' thread, every prefill would hold up every
 * room's patches. Here it holds up only this thread.
 *
 * parent → {questions, id} | {metrics, id} | {knowledge, id, file, pairs} | {settings, id, brains} · thread →
 * {ready, models} | {failed, code, message, missing} | {answered, id, answers} (ahead of the list) | {answers, id} | {metrics, id,
 * metrics} | {knowledge | settings, id, npcs}.
 */
import { parentPort, workerData } from "node:worker_threads";

import { createLogger } from "../../common/log.js";
import { register } from "../../common/metrics.js";
import { AnswerSends } from "../../kafka/answer-sends.js";
import type { AnswerQuestions, WorkerChannel } from "../../kafka/npc-transport.js";
import { ModelFileMissing, NpcError } from "../errors.js";
import { NpcCast } from "../npc-cast.js";
import type { ToThread, WorkerThreadOptions } from "./threaded-worker.js";
import { NpcWorker } from "./worker.js";

type FromParent = ToThread & { id: number };

const port = parentPort!;
const options = workerData as WorkerThreadOptions;
const log = createLogger({ service: "npc-worker", serverId: options.serverId }, options.logLevel);

let answer: AnswerQuestions | undefined;
const channel: WorkerChannel = {
  kind: "in-process",
  start: async (answerQuestions) => void (answer = answerQuestions),
  stop: async () => void (answer = undefined),
};

try {
  const cast = await NpcCast.load(options.brains, { ...(options.dtype ? { dtype: options.dtype } : {}), maxBatch: options.maxBatch, alsoModels: options.alsoModels });
  const worker = new NpcWorker(cast, channel, log, { maxQuestionAgeMs: options.maxQuestionAgeMs, maxBatch: options.maxBatch });
  await worker.start();
  port.on("message", (message: FromParent) => void reply(message, cast));
  port.postMessage({ type: "ready", models: worker.models, unloaded: [...cast.unloaded.keys()] });
} catch (error) {
  const known = error instanceof NpcError;
  if (!known) log.error("NPC worker thread failed to start", { error });
  const missing = error instanceof ModelFileMissing ? { missing: error.path } : {};
  port.postMessage({ type: "failed", code: known ? error.code : "worker_error", message: (error as Error).message, ...missing });
}

async function reply(message: FromParent, cast: NpcCast): Promise<void> {
  if (message.type === "metrics") {
    port.postMessage({ type: "metrics", id: message.id, metrics: await register.getMetricsAsJSON() });
  } else if (message.type === "knowledge") {
    port.postMessage({ type: "knowledge", id: message.id, npcs: cast.replaceKnowledge(message.file, message.pairs) });
  } else if (message.type === "settings") {
    port.postMessage({ type: "settings", id: message.id, npcs: cast.replaceSettings(message.brains) });
  } else if (answer) {
    // Each brain batch's answers go as it ends (`answered`), then the whole list. NpcWorker.answerAll never rejects:
    // every question gets an answer or an `error` answer.
    const sends = new AnswerSends(async (answers) => port.postMessage({ type: "answered", id: message.id, answers }));
    const now = performance.now();
    const questions = message.questions.map(({ leftMs, ...question }) => (leftMs === undefined ? question : { ...question, dueAt: now + leftMs }));
    const answers = await answer(questions, sends.ready);
    await sends.settle([]);
    port.postMessage({ type: "answers", id: message.id, answers });
  }
}
