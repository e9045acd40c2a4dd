/**
 * Lets the same message through at most once per `everyMs`: a service that stays down is retried every few hundred
 * ms, and each failed try would otherwise be a log line. Returns how many were held back since the last one let
 * through, or undefined to hold this one back.
 */
export function logThrottle(everyMs: number, keys = 1000): (key: string) => number | undefined {
  const seen = new Map<string, { at: number; held: number }>();
  return (key) => {
    const now = performance.now();
    const last = seen.get(key);
    if (last && now - last.at < everyMs) {
      last.held++;
      return undefined;
    }
    if (seen.size >= keys) seen.clear(); // messages that name ids are each new: the map stays bounded
    seen.set(key, { at: now, held: 0 });
    return last?.held ?? 0;
  };
}

/** The fields a let-through line carries: how many like it were held back, when any were. */
export function repeatsField(held: number): { repeatsSinceLastLogged?: number } {
  return held ? { repeatsSinceLastLogged: held } : {};
}
