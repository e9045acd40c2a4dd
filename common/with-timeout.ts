/** What `withTimeout` rejects with when the work has not settled in time. */
export class TimedOut extends Error {
  override name = "TimedOut";
}

/** `work`, or a rejection after `ms` if it has not settled by then (its own later failure is ignored). */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`no answer in ${ms} ms`)), ms);
  });
  work.catch(() => {}); // lost the race: its failure is already reported as the timeout
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
