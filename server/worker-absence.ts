import type { NpcCheck } from "./npc-readiness.js";

/** How often the worker group is looked at while questions come (the check keeps a result 2 s itself). */
const LOOK_EVERY_MS = 2000;

export interface WorkerAbsence {
  /** The check, for /health: each result it gets is watched too. */
  check(): Promise<NpcCheck>;
  /**
   * Whether no worker has been in the group for longer than a question's whole wait: a question asked now could only
   * time out, so it is refused at once. Never waits: it answers from what was seen last and looks again in the background.
   */
  long(): boolean;
}

/**
 * With Kafka: watches the worker group through `check` (kafkaNpcCheck) for how long it has been empty. A worker that
 * restarts (compose: exit, restart, load the model, join) leaves it empty for seconds: questions then wait for it as
 * before, and are refused only once it has stayed empty past `graceMs` (NPC_TIMEOUT_MS), where each one waited out the
 * timeout to hear the fallback. A broker that does not answer says nothing of the workers (the channel refuses then).
 * `lookEveryMs`: how often it looks (LOOK_EVERY_MS; tests wait less).
 */
export function watchWorkerAbsence(check: () => Promise<NpcCheck>, graceMs: number, lookEveryMs = LOOK_EVERY_MS): WorkerAbsence {
  let emptySince: number | undefined;
  let lookedAt = -Infinity;
  let again: NodeJS.Timeout | undefined;
  const watched = async (): Promise<NpcCheck> => {
    lookedAt = performance.now();
    const result = await check();
    if (result.workers === 0) emptySince ??= performance.now();
    else if (result.workers !== null) emptySince = undefined;
    // While the group is empty it is looked at on its own too: the first question after a quiet spell was judged on
    // the look before it, and refused no_worker although a worker had been back for minutes.
    if (emptySince !== undefined && again === undefined) {
      again = setTimeout(() => {
        again = undefined;
        void watched();
      }, lookEveryMs).unref();
    }
    return result;
  };
  return {
    check: watched,
    long() {
      const now = performance.now();
      if (now - lookedAt >= lookEveryMs) void watched();
      return emptySince !== undefined && now - emptySince > graceMs;
    },
  };
}
