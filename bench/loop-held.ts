/**
 * `run` timed, with the longest gap between this process's 1 ms timers meanwhile: how long the event loop (every room of
 * a game server) was held by it.
 */
export async function withLoopHeld<T>(run: () => Promise<T>): Promise<{ ms: number; loopHeldMs: number; result: T }> {
  let last = performance.now();
  let held = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    held = Math.max(held, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5)); // the timer's first tick after a block sees it
  clearInterval(timer);
  return { ms, loopHeldMs: Math.max(0, held - 1), result };
}
