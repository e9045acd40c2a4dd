/**
 * A Kafka NPC worker (npc/worker/worker-main.ts) whose brain ends the process, as a fault in native code would, whenever
 * a batch it runs holds a question that says "죽어"; it answers the others.
 */
import { NpcEngine } from "../../npc/engine.js";

const answerChecked = NpcEngine.prototype.answerChecked;
NpcEngine.prototype.answerChecked = function (this: NpcEngine, ...args: Parameters<typeof answerChecked>) {
  if (args[0].some((question) => question === "죽어")) process.exit(3);
  return answerChecked.apply(this, args);
};
await import("../../npc/worker/worker-main.js");
