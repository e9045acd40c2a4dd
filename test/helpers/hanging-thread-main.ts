/**
 * The embedded NPC worker's thread (npc/worker/worker-thread-main.ts) whose event loop stops, as one stuck in inference
 * would, on a batch with a question that says "멈춰" (for 10 minutes; ending the thread ends it sooner), or "굳어":
 * 25 s in a native call, which ending the thread cannot cut short, as in onnxruntime's run.
 */
import { execFileSync } from "node:child_process";
import { BroadcastChannel, parentPort } from "node:worker_threads";

/** Told the word as the thread is about to hang (server.embedded-worker.test.ts listens): its metrics are asked of a thread that hangs, not one that will. */
const HANGING_CHANNEL = "hanging-thread-main";
const hanging = new BroadcastChannel(HANGING_CHANNEL);
hanging.unref();

parentPort!.on("message", (message: { type: string; questions?: { text: string }[] }) => {
  const word = message.questions?.find((question) => question.text === "멈춰" || question.text === "굳어")?.text;
  if (word) hanging.postMessage(word);
  if (message.questions?.some((question) => question.text === "멈춰")) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600_000);
  if (message.questions?.some((question) => question.text === "굳어")) execFileSync("sleep", ["25"]);
});
await import("../../npc/worker/worker-thread-main.js");
