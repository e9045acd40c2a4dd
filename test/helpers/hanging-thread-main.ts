/**
 * The embedded NPC worker's thread (npc/worker-thread-main.ts) whose event loop stops, as one stuck in inference
 * would, on a batch with a question that says "멈춰" (for 10 minutes; ending the thread ends it sooner), or "굳어":
 * 25 s in a native call, which ending the thread cannot cut short, as in onnxruntime's run.
 */
import { execFileSync } from "node:child_process";
import { parentPort } from "node:worker_threads";

parentPort!.on("message", (message: { type: string; questions?: { text: string }[] }) => {
  if (message.questions?.some((question) => question.text === "멈춰")) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
  if (message.questions?.some((question) => question.text === "굳어")) execFileSync("sleep", ["25"]);
});
await import("../../npc/worker-thread-main.js");
