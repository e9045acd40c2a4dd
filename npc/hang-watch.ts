import { Worker } from "node:worker_threads";

/** Marks a batch as it starts; the function returned marks its end. */
export interface HangWatch {
  started(): () => void;
}

/**
 * A Kafka worker's watch on its brain: a batch unanswered for `afterMs` (a native call that never returns) ends the
 * process with SIGKILL, to be started again (compose: restart unless-stopped); its uncommitted questions go to another
 * worker. The watch runs on a thread of its own: onnxruntime's run blocks the main thread, where a timer would fire
 * only once the call had returned, and never for one that does not. The line it leaves is written to stderr directly,
 * since a blocked main thread never passes on a thread's output.
 */
export function watchHangsOffThread(afterMs: number, fields: Record<string, unknown> = {}): HangWatch & { stop(): Promise<number> } {
  // The start of the oldest batch in flight (ms of the monotonic clock both threads read); 0 when none. Timed by the wall
  // clock, a step of it (ntpd setting a drifted clock, a VM resumed) killed a worker answering in 1 s, or hid a hang.
  const oldest = new BigInt64Array(new SharedArrayBuffer(8));
  const inFlight = new Set<{ at: number }>();
  const mark = () => {
    let first = 0;
    for (const { at } of inFlight) if (first === 0 || at < first) first = at;
    Atomics.store(oldest, 0, BigInt(first));
  };
  const thread = new Worker(WATCH, { eval: true, workerData: { oldest, afterMs, fields } });
  thread.unref();
  return {
    started() {
      const batch = { at: monotonicMs() };
      inFlight.add(batch);
      mark();
      return () => {
        inFlight.delete(batch);
        mark();
      };
    },
    stop: () => thread.terminate(),
  };
}

/** Milliseconds of the system's monotonic clock: the same in every thread (performance.now() starts with each). */
const monotonicMs = () => Math.max(1, Number(process.hrtime.bigint() / 1_000_000n));

// Plain JavaScript, so the thread needs no TypeScript loader.
const WATCH = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { oldest, afterMs, fields } = workerData;
const monotonicMs = () => Number(process.hrtime.bigint() / 1000000n);
setInterval(() => {
  const since = Number(Atomics.load(oldest, 0));
  if (since === 0 || monotonicMs() - since < afterMs) return;
  const msg = "the NPC brain hangs: a batch unanswered; ending the worker to be started again";
  writeSync(2, JSON.stringify({ time: new Date().toISOString(), level: "error", msg, ...fields, waitedMs: monotonicMs() - since }) + "\\n");
  process.kill(process.pid, "SIGKILL");
}, Math.min(1000, Math.max(50, afterMs / 10)));
`;
