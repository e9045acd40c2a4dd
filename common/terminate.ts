import type { Logger } from "./log.js";

/**
 * A signal within this of the first is the same stop asked twice: tsx's relay sends one again when its child's word
 * that it got it comes after 30 ms, and one Ctrl-C cut a worker's stop short (2 of 5 tries), its batch uncommitted; a
 * Ctrl-C reaches a whole process group, and a parent in it (the load test) stops its server with a SIGTERM after it.
 */
const SAME_STOP_MS = 1000;
/** How often a process started by `npm run` looks whether npm's shell is still its parent. */
const PARENT_LOOK_MS = 1000;

/**
 * Started by `npm run`, the process stops as on SIGTERM when npm's shell goes: npm passes a SIGTERM (a supervisor's,
 * `timeout`'s, `kill`'s) to its `sh -c` only, which dies without passing it on, and the server, worker or indexer went
 * on serving, orphaned. Watched from the start (this module is imported before anything starts): one orphaned while it
 * waited for Redis or Kafka went on to serve once they came. Before onTerminate, SIGTERM ends it at once.
 */
let npmGone = false;
if (process.env.npm_lifecycle_event) {
  const npmShell = process.ppid;
  const look = setInterval(() => {
    if (process.ppid === npmShell) return;
    clearInterval(look);
    npmGone = true;
    process.kill(process.pid, "SIGTERM");
  }, PARENT_LOOK_MS);
  look.unref();
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits; a signal a second or more after the first exits at once. */
export function onTerminate(log: Logger, stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (performance.now() - stoppingSince < SAME_STOP_MS) return;
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stoppingSince = performance.now();
    const why = npmGone ? { why: "npm's shell is gone" } : {};
    log.info("stopping", { signal, ...why });
    stop().then(
      () => {
        log.info("stopped", { signal });
        process.exit(0);
      },
      (error: unknown) => {
        log.error("stop failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
