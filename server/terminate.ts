import type { Logger } from "../common/log.js";

/** Runs `stop` once on SIGTERM or SIGINT, then exits; a second signal exits at once. */
export function onTerminate(log: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("stopping", { signal });
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error("stop failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
