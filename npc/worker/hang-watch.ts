import { Worker } from "node:worker_threads";

/** Marks a batch as it starts; the function returned marks its end. */
export interface HangWatch {
  started(): () => void;
}

/** What a watch waits for: a batch, or (before any) the models' load and warm-up, which may take longer. */
export type Watched = "batch" | "load";
const UNFINISHED: Record<Watched, string> = {
  batch: "a batch unanswered",
  load: "its models' load and warm-up unfinished",
};

/**
 * A Kafka worker's watch on its brain: a batch unanswered for `afterMs` (a native call that never returns) ends the
 * process with SIGKILL, to be started again (compose: restart unless-stopped); its uncommitted questions go to another
 * worker. So does a load and warm-up of the models unfinished in `loadWithinMs` (`loading`): a worker whose warm-up
 * hung sat there for good, its start never ending. The watch runs on a thread of its own: onnxruntime's run blocks the
 * main thread, where a timer would fire only once the call had returned, and never for one that does not. The line
 * it leaves is written to stderr directly, since a blocked main thread never passes on a thread's output.
 */
export function watchHangsOffThread(
  afterMs: number,
  fields: Record<string, unknown> = {},
  loadWithinMs = afterMs,
): HangWatch & { loading(): () => void; stop(): Promise<number> } {
  // The nearest deadline of what is in flight (ms of the monotonic clock both threads read; 0 when none), when it
  // started, and which of UNFINISHED it is. Timed by the wall clock, a step of it (ntpd setting a drifted clock, a VM
  // resumed) killed a worker answering in 1 s, or hid a hang.
  const nearest = new BigInt64Array(new SharedArrayBuffer(24));
  const inFlight = new Set<{ at: number; due: number; what: number }>();
  const mark = () => {
    let first: { at: number; due: number; what: number } | undefined;
    for (const waited of inFlight) if (first === undefined || waited.due < first.due) first = waited;
    Atomics.store(nearest, 1, BigInt(first?.at ?? 0));
    Atomics.store(nearest, 2, BigInt(first?.what ?? 0));
    Atomics.store(nearest, 0, BigInt(first?.due ?? 0));
  };
  const kinds = Object.keys(UNFINISHED) as Watched[];
  const thread = new Worker(WATCH, { eval: true, workerData: { nearest, unfinished: kinds.map((kind) => UNFINISHED[kind]), fields } });
  thread.unref();
  const waitFor = (what: Watched, withinMs: number) => {
    const at = monotonicMs();
    const waited = { at, due: at + withinMs, what: kinds.indexOf(what) };
    inFlight.add(waited);
    mark();
    return () => {
      inFlight.delete(waited);
      mark();
    };
  };
  return {
    started: () => waitFor("batch", afterMs),
    loading: () => waitFor("load", loadWithinMs),
    stop: () => thread.terminate(),
  };
}

/** Milliseconds of the system's monotonic clock: the same in every thread (performance.now() starts with each). */
const monotonicMs = () => Math.max(1, Number(process.hrtime.bigint() / 1_000_000n));

// Plain JavaScript, so the thread needs no TypeScript loader.
const WATCH = `
const { workerData } = require("node:worker_threads");
const { writeSync } = require("node:fs");
const { nearest, unfinished, fields } = workerData;
const monotonicMs = () => Number(process.hrtime.bigint() / 1000000n);
setInterval(() => {
  const due = Number(Atomics.load(nearest, 0));
  if (due === 0 || monotonicMs() < due) return;
  const msg = "the NPC brain hangs: " + unfinished[Number(Atomics.load(nearest, 2))] + "; ending the worker to be started again";
  writeSync(2, JSON.stringify({ time: new Date().toISOString(), level: "error", msg, ...fields, waitedMs: monotonicMs() - Number(Atomics.load(nearest, 1)) }) + "\\n");
  process.kill(process.pid, "SIGKILL");
}, 50);
`;
