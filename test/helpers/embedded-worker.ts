import type { Worker } from "node:worker_threads";

import { type AnswerMessage, CONTRACT_VERSION } from "../../kafka/contract.js";
import { InProcessBus } from "../../kafka/in-process-transport.js";
import type { ThreadedNpcWorker } from "../../npc/worker/threaded-worker.js";
import type { ServerConfig } from "../../server/config.js";
import { startEmbeddedWorker } from "../../server/embedded.js";
import { quiet, waitFor } from "./world.js";

export interface AskedWorker {
  worker: ThreadedNpcWorker;
  /** Asks an NPC through the bus, as a room would, and waits for its answer. */
  ask(npcId: string, text: string): Promise<AnswerMessage>;
  /** Ends the worker's thread as a crash would: it is replaced. */
  crash(): Promise<void>;
}

/** The embedded worker on its thread (server/embedded.ts), with a server's end of the bus to ask it through. */
export async function startAskedWorker(config: ServerConfig): Promise<AskedWorker> {
  const bus = new InProcessBus(config.model.maxBatch);
  const answers: AnswerMessage[] = [];
  const server = bus.serverChannel(config.serverId);
  await server.start((answer) => answers.push(answer));
  const { worker } = await startEmbeddedWorker(config, bus, quiet);
  if (!worker) throw new Error("the embedded worker did not load its model");
  let asked = 0;
  return {
    worker,
    async ask(npcId, text) {
      const questionId = `q${asked++}`;
      await server.sendQuestion({ v: CONTRACT_VERSION, questionId, roomId: "r1", npcId, playerId: "p1", playerName: "민수", text, ts: Date.now() });
      return waitFor("an answer", () => answers.find((a) => a.questionId === questionId), 30_000);
    },
    async crash() {
      await (worker as unknown as { thread: Worker | undefined }).thread!.terminate();
    },
  };
}
