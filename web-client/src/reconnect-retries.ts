import type { Room } from "@colyseus/sdk";

type Reconnection = Room["reconnection"];

/**
 * How many of the SDK's retries fit in `ms` (the time the room keeps a dropped player's place): its default 15 went on
 * for ~56 s, all at the address of a server that had crashed, before the page gave up and joined another.
 */
export function retriesWithin(ms: number, reconnection: Reconnection): number {
  let waited = 0;
  let retries = 0;
  for (; retries < 100; retries++) {
    const { minDelay, maxDelay, backoff, delay } = reconnection;
    waited += Math.min(maxDelay, Math.max(minDelay, backoff(retries + 1, delay)));
    if (waited > ms) break;
  }
  return Math.max(1, retries);
}
