/**
 * A process with an off-thread hang watch (npc/worker/hang-watch.ts) of 500 ms whose main thread blocks in a native call,
 * as in onnxruntime's run: `hang` blocks 20 s inside a batch (then says so on stdout); `answers` gives three short batches, then blocks 1.5 s
 * with none in flight, and exits 0; `load` blocks 20 s in its models' load and warm-up (allowed 1 s), and
 * `loaded` loads in 0.7 s (longer than a batch may take) and exits 0.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

import { watchHangsOffThread } from "../../npc/worker/hang-watch.js";

/** Under libfaketime (FAKETIME_TIMESTAMP_FILE): the wall clock steps by CLOCK_STEP ("+60s") as the first batch starts. */
const stepTheClock = () => {
  if (process.env.CLOCK_STEP) writeFileSync(process.env.FAKETIME_TIMESTAMP_FILE!, process.env.CLOCK_STEP);
};

const watch = watchHangsOffThread(500, { service: "hang-watch-child" }, 1_000);
if (process.argv[2] === "load" || process.argv[2] === "loaded") {
  const loaded = watch.loading();
  execFileSync("sleep", [process.argv[2] === "load" ? "20" : "0.7"]);
  loaded();
  await watch.stop();
  console.log("done");
} else if (process.argv[2] === "hang") {
  watch.started();
  stepTheClock();
  execFileSync("sleep", ["20"]);
  console.log("the call returned"); // a watch that ended the process in time never lets this be said
} else {
  for (let i = 0; i < 3; i++) {
    const ended = watch.started();
    if (i === 0) stepTheClock();
    execFileSync("sleep", ["0.2"]);
    ended();
  }
  execFileSync("sleep", ["1.5"]);
  await watch.stop();
  console.log("done");
}
