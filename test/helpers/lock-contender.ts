/**
 * A server starting on a file another left locked, as a process of its own (two in the test's process would share its
 * pid, and each deem the other's guard stale): it holds the file and says whether it got it, then stays, holding it,
 * until killed. `paused`: it stops at each step of a takeover until its parent sends a message, to force an order
 * between two of them; `at once`: it starts at its parent's first message, to start many together.
 */
import { holdFile, takeoverSteps } from "../../server/stores/file-lock.js";

const [path, mode] = process.argv.slice(2);
const parentSays = () => new Promise((resolve) => process.once("message", resolve));
if (mode === "paused") {
  takeoverSteps.reached = async (step) => {
    process.send!({ step });
    await parentSays();
  };
} else {
  process.send!({ ready: true });
  await parentSays();
}
try {
  await holdFile(path!);
  process.send!({ held: true });
} catch (error) {
  process.send!({ refused: (error as Error).message });
}
setInterval(() => undefined, 60_000);
