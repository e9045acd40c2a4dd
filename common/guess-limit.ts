/** Wrong secrets an address may send in a minute before it waits a minute (a guessing loop made 1,099 a second). */
export const GUESSES = 5;
export const GUESS_WAIT_MS = 60_000;
/** Addresses remembered at most: failures from a botnet cannot grow the map without bound. */
export const ADDRESSES_KEPT = 10_000;

/** What one try of a secret from an address comes to. `shutOut`: this wrong one began the address's wait. */
export type Guess = { right: true } | { right: false; shutOut: boolean } | { right: false; waitS: number };

/**
 * Wrong bearer tokens counted per client address (BACKEND_TOKEN, METRICS_TOKEN): GUESSES in a minute, then a minute
 * in which wrong ones are not compared at all. The caller compares the token first: the right one always passes and
 * clears its address's count, so neither stale calls while a token is rotated nor a stranger behind the same NAT can
 * make its owner wait. `since`: the first wrong try counted, or when the wait began.
 */
export function guessLimit(now = () => performance.now()): (address: string, right: boolean) => Guess {
  const failures = new Map<string, { count: number; since: number }>();
  return (address, right) => {
    if (right) {
      failures.delete(address);
      return { right };
    }
    let failed = failures.get(address);
    if (failed && now() - failed.since >= GUESS_WAIT_MS) failed = undefined; // an old count (or wait) is over
    if (failed && failed.count >= GUESSES) return { right, waitS: Math.ceil((failed.since + GUESS_WAIT_MS - now()) / 1000) };
    if (failures.size >= ADDRESSES_KEPT && !failures.has(address)) failures.clear();
    const count = (failed?.count ?? 0) + 1;
    const shutOut = count >= GUESSES;
    failures.set(address, { count, since: shutOut || !failed ? now() : failed.since });
    return { right, shutOut };
  };
}
