import type { Kafka } from "kafkajs";

import type { Logger } from "../common/log.js";
import { TimedOut, withTimeout } from "../common/with-timeout.js";
import { membersReading } from "../kafka/group-members.js";

/** Whether a question asked now can be answered by the brain, and if not, why. */
export type NpcReadiness =
  | "ready"
  /** Embedded: a file of the model folder is not there; the NPCs say at once that they cannot answer. */
  | "model_missing"
  /** Embedded: the model's files are there but did not load (one cut short or corrupt, a warm-up that failed); as above. */
  | "model_unreadable"
  /** Embedded: some NPCs' models did not load (the log names them); those NPCs say at once that they cannot answer. */
  | "some_models_missing"
  /** Embedded: the worker thread died or hung and another is starting (for good, if the model went); questions time out. */
  | "worker_restarting"
  /** Kafka: no worker is in the worker group; questions wait and time out. */
  | "no_worker"
  /** Kafka: the broker did not answer; questions cannot even be sent. */
  | "broker_down";

export interface NpcCheck {
  npc: NpcReadiness;
  /** Brains that can answer: workers in the group (Kafka), 1 or 0 embedded; null when unknown. */
  workers: number | null;
}

/** How the embedded default's model came out of its start. */
export type EmbeddedModel = "loaded" | "missing" | "unreadable";

export const embeddedNpcCheck = (model: EmbeddedModel, answering: boolean, modelsUnloaded = 0): NpcCheck =>
  model !== "loaded" ? { npc: `model_${model}`, workers: 0 }
  : !answering ? { npc: "worker_restarting", workers: 0 }
  : modelsUnloaded > 0 ? { npc: "some_models_missing", workers: 1 }
  : { npc: "ready", workers: 1 };

const FRESH_MS = 2000;
const TIMEOUT_MS = 3000;

/**
 * With Kafka: whether the broker answers and any worker that reads `questionTopic` is in the worker group (a member
 * reading another deployment's topic only, its group named the same, answers none of these). A result is reused for
 * 2 s (health checks and scrapes from several places cost the broker one look), and a broker that does not answer in
 * 3 s is down.
 */
export function kafkaNpcCheck(kafka: Kafka, workerGroup: string, questionTopic: string, log: Logger): () => Promise<NpcCheck> {
  let last: { at: number; check: Promise<NpcCheck> } | undefined;
  return () => {
    if (last && performance.now() - last.at < FRESH_MS) return last.check;
    const check = withTimeout(membersReading(kafka, workerGroup, questionTopic), TIMEOUT_MS).then(
      (workers): NpcCheck => ({ npc: workers > 0 ? "ready" : "no_worker", workers }),
      (error: unknown): NpcCheck => {
        log.debug("broker did not answer the health check", { error });
        return { npc: "broker_down", workers: null };
      },
    );
    last = { at: performance.now(), check };
    return check;
  };
}

/** How long /health waits for a fresh verdict before it serves the last one. */
const AT_ONCE_MS = 50;

/**
 * For /health: `check`'s verdict if it comes within `waitMs`, else the last one while the look goes on in the
 * background (the next call gets it). With the broker away each look waits out its 3 s timeout, and every health
 * probe was held 2–3 s. Only a first call, with no verdict yet, waits for its look.
 */
export function servedAtOnce(check: () => Promise<NpcCheck>, waitMs = AT_ONCE_MS): () => Promise<NpcCheck> {
  let last: { verdict: NpcCheck; asked: number } | undefined;
  let asked = 0;
  return async () => {
    const mine = ++asked;
    // A slow look that ends after a later one says what was true before it: kept only if no later look has spoken.
    const look = check().then((verdict) => {
      if (!last || last.asked < mine) last = { verdict, asked: mine };
      return verdict;
    });
    if (!last) return look;
    const known = last.verdict;
    return withTimeout(look, waitMs).catch((error: unknown) => {
      if (error instanceof TimedOut) return known;
      throw error;
    });
  };
}
