/**
 * A process with an off-thread hang watch (npc/hang-watch.ts) of 500 ms whose main thread blocks in a native call,
 * as in onnxruntime's run: `hang` blocks 20 s inside a batch; `answers` gives three short batches, then blocks 1.5 s
 * with none in flight, and exits 0.
 */
import { execFileSync } from "node:child_process";

import { watchHangsOffThread } from "../../npc/hang-watch.js";

const watch = watchHangsOffThread(500, { service: "hang-watch-child" });
if (process.argv[2] === "hang") {
  watch.started();
  execFileSync("sleep", ["20"]);
} else {
  for (let i = 0; i < 3; i++) {
    const ended = watch.started();
    execFileSync("sleep", ["0.2"]);
    ended();
  }
  execFileSync("sleep", ["1.5"]);
  await watch.stop();
  console.log("done");
}
