import type { Logger } from "./log.js";

export interface UntilReachableOptions {
  /** Whether a failure is the service's being away, to try again; others end the tries (default: every failure). */
  retries?: (error: unknown) => boolean;
  /** Checked before each try: once true, the tries end with a StoppedTrying error (the process shuts down). */
  stopped?: () => boolean;
  /** Called once, after the first try failed: a caller that can serve meanwhile goes on (tries carry on). */
  onFirstFailure?: (error: unknown) => void;
}

/** `untilReachable`'s tries were ended by its caller (shutdown) before the service answered. */
export class StoppedTrying extends Error {
  override name = "StoppedTrying";
}

/**
 * Runs `step` until it succeeds, backing off up to 5 s: processes may start before the services they use (Kubernetes
 * has no start order; a broker restarts) and wait for them instead of exiting. Logs the first failure, then one a minute.
 */
export async function untilReachable(service: string, step: () => Promise<void>, log: Logger, options: UntilReachableOptions = {}): Promise<void> {
  let loggedAt = -Infinity;
  for (let attempt = 0; ; attempt++) {
    if (options.stopped?.()) throw new StoppedTrying(`stopped waiting for ${service}`);
    try {
      return await step();
    } catch (error) {
      if (options.retries && !options.retries(error)) throw error;
      if (performance.now() - loggedAt >= 60_000) {
        log.warn(`${service} not reachable yet; retrying`, { error: String(error), tries: attempt + 1 });
        loggedAt = performance.now();
      }
      if (attempt === 0) options.onFirstFailure?.(error);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
    }
  }
}

/**
 * `untilReachable` for a caller that can serve without the service meanwhile (a game server's rooms without Kafka):
 * `firstTry` settles after the first try, whether it succeeded or failed (the tries go on); `reached` once one
 * succeeds, or with the error that ended the tries.
 */
export function firstTryThenInBackground(
  service: string,
  step: () => Promise<void>,
  log: Logger,
  options: Omit<UntilReachableOptions, "onFirstFailure"> = {},
): { firstTry: Promise<void>; reached: Promise<void> } {
  let firstFailed!: () => void;
  const failed = new Promise<void>((resolve) => (firstFailed = resolve));
  const reached = untilReachable(service, step, log, { ...options, onFirstFailure: () => firstFailed() });
  reached.catch(() => {}); // its caller handles it; unhandled here it would end the process
  return { firstTry: Promise.race([reached, failed]), reached };
}
