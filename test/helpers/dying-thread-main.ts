/**
 * The embedded NPC worker's thread (npc/worker/worker-thread-main.ts) that exits, as one killed by a fault in native
 * code would, whenever a list of questions it is asked holds one that says "죽어".
 */
import { parentPort } from "node:worker_threads";

parentPort!.on("message", (message: { type: string; questions?: { text: string }[] }) => {
  if (message.questions?.some((question) => question.text === "죽어")) process.exit(3);
});
await import("../../npc/worker/worker-thread-main.js");
