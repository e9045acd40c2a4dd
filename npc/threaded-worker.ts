import { Worker } from "node:worker_threads";

import type { MetricObjectWithValues, MetricValue } from "prom-client";

import type { Logger } from "../common/log.js";
import { addMetricsSource } from "../common/metrics.js";
import type { AnswerMessage, QuestionMessage } from "../kafka/contract.js";
import type { WorkerChannel } from "../kafka/npc-transport.js";
import type { NpcBrainSpec } from "./npc-cast.js";
import { NpcError } from "./errors.js";

export interface WorkerThreadOptions {
  brains: NpcBrainSpec[];
  dtype: "fp32" | "q8";
  maxBatch: number;
  maxQuestionAgeMs: number;
  serverId: string;
}

type FromThread =
  | { type: "ready"; models: string[] }
  | { type: "failed"; code: string; message: string }
  | { type: "answers"; id: number; answers: AnswerMessage[] }
  | { type: "metrics"; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };

/**
 * The embedded default's NPC worker on a thread of its own (npc/worker-thread-main.ts), seen from the
 * server's thread: it takes the in-process channel's questions and answers them there, so inference
 * never stalls the rooms. Its metrics are added to the server's /metrics.
 */
export class ThreadedNpcWorker {
  private readonly waiting = new Map<number, (reply: FromThread) => void>();
  private nextId = 0;
  private exited: Error | undefined;
  private readonly removeMetrics: () => void;

  private constructor(
    private readonly thread: Worker,
    private readonly channel: WorkerChannel,
    readonly models: string[],
  ) {
    this.removeMetrics = addMetricsSource(() => this.metrics());
    thread.on("message", (reply: FromThread) => {
      if ("id" in reply) {
        this.waiting.get(reply.id)?.(reply);
        this.waiting.delete(reply.id);
      }
    });
  }

  /** Loads the cast on a new thread; rejects with the thread's NpcError (a missing model names its file). */
  static async start(options: WorkerThreadOptions, channel: WorkerChannel, log: Logger): Promise<ThreadedNpcWorker> {
    const thread = new Worker(new URL("./worker-thread-main.ts", import.meta.url), { workerData: options });
    const first = await new Promise<FromThread>((resolve, reject) => {
      thread.once("message", resolve);
      thread.once("error", reject);
    });
    if (first.type !== "ready") {
      await thread.terminate();
      throw first.type === "failed" ? new NpcError(first.code, first.message) : new Error(`unexpected ${first.type} from the NPC worker thread`);
    }
    const worker = new ThreadedNpcWorker(thread, channel, first.models);
    thread.on("error", (error) => log.error("NPC worker thread failed", { error }));
    thread.once("exit", (code) => worker.fail(new Error(`the NPC worker thread exited (${code})`)));
    await channel.start((questions) => worker.answerAll(questions));
    return worker;
  }

  /** Rejects only when the thread is gone: the bus then keeps the questions, and rooms say fallback lines. */
  async answerAll(questions: QuestionMessage[]): Promise<AnswerMessage[]> {
    const reply = await this.ask({ type: "questions", questions });
    return reply.type === "answers" ? reply.answers : [];
  }

  /** The thread's metrics (answers by outcome, model tokens/s), shown in the server's /metrics; none once it is gone. */
  async metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    const reply = await this.ask({ type: "metrics" }).catch(() => undefined);
    return reply?.type === "metrics" ? reply.metrics : [];
  }

  async stop(): Promise<void> {
    this.removeMetrics();
    await this.channel.stop();
    await this.thread.terminate();
  }

  private ask(message: { type: "questions"; questions: QuestionMessage[] } | { type: "metrics" }): Promise<FromThread> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => (reply.type === "failed" ? reject(new Error(reply.message)) : resolve(reply)));
      this.thread.postMessage({ ...message, id });
    });
  }

  private fail(error: Error): void {
    this.exited = error;
    for (const waiter of this.waiting.values()) waiter({ type: "failed", code: "worker_error", message: error.message });
    this.waiting.clear();
  }
}
