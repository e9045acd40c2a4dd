import type { Logger } from "../common/log.js";

/**
 * The same signal again within this is the same one delivered twice: tsx's relay sends it again when its child's word
 * that it got it comes after 30 ms, and one Ctrl-C cut a worker's stop short (2 of 5 tries), its batch uncommitted.
 */
const SAME_SIGNAL_MS = 1000;
/** How often a process started by `npm run` looks whether npm's shell is still its parent. */
const PARENT_LOOK_MS = 1000;

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits; another signal exits at once. Started by `npm run`, the process
 * stops as on SIGTERM when npm's shell goes: npm passes a SIGTERM (a supervisor's, `timeout`'s, `kill`'s) to its
 * `sh -c` only, which dies without passing it on, and the server, worker or indexer went on serving, orphaned.
 */
export function onTerminate(log: Logger, stop: () => Promise<void>): void {
  let stopping: { why: string; at: number } | undefined;
  const handle = (why: NodeJS.Signals | "npm gone") => {
    if (stopping) {
      if (why === stopping.why && performance.now() - stopping.at < SAME_SIGNAL_MS) return;
      log.warn("second signal: exiting now", { signal: why });
      process.exit(1);
    }
    stopping = { why, at: performance.now() };
    log.info("stopping", { signal: why });
    stop().then(
      () => {
        log.info("stopped", { signal: why });
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
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && !stopping && handle("npm gone"), PARENT_LOOK_MS).unref();
  }
}
