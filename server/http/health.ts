import { matchMaker } from "@colyseus/core";
import type { RedisPresence } from "@colyseus/redis-presence";
import type { Application } from "express";

import { withTimeout } from "../../common/with-timeout.js";
import type { QuestionChannel } from "../../kafka/npc-transport.js";
import type { AnswerRouter } from "../../rooms/npc/answer-router.js";
import type { ServerConfig } from "../config.js";
import type { NpcCheck, NpcReadiness } from "../npc-readiness.js";

/**
 * `GET /health`: 200 when players can join (Redis, where used, answers) and get NPC answers; 503 (`degraded`, with
 * `npc` and `redis` saying why) when they cannot, and (`stopping`) while a shutdown lets rooms finish.
 */
export interface Health {
  /** `stopping`: the server is shutting down; it takes no new joins (a readiness probe sends players elsewhere). */
  status: "ok" | "degraded" | "stopping";
  serverId: string;
  transport: QuestionChannel["kind"];
  npc: NpcReadiness;
  /** With REDIS_URL: whether Redis answers (rooms and matchmaking are shared through it; down, joins fail); else null. */
  redis: "up" | "down" | null;
  /** Brains that can answer: NPC workers in the group with Kafka, 1 or 0 embedded; null when unknown. */
  npcWorkers: number | null;
  /** In the embedded default: whether the in-process brain loaded; with Kafka the workers hold it. */
  modelLoaded: boolean | null;
  rooms: number;
  questionsWaiting: number;
}

export interface HealthSources {
  config: ServerConfig;
  channel: QuestionChannel;
  answers: AnswerRouter;
  /** Whether the brain can answer; absent: assumed ready. */
  npcCheck?: () => NpcCheck | Promise<NpcCheck>;
  /** With REDIS_URL: the presence whose answer says whether players can join. */
  presence?: RedisPresence;
  /** Whether a shutdown has begun (matchmaking refuses joins until rooms finish their answers). */
  stopping: () => boolean;
}

/** This process's health, asked anew each time (the readiness answer). */
export function healthCheck({ config, channel, answers, npcCheck, presence, stopping }: HealthSources): () => Promise<Health> {
  return async () => {
    const [{ npc, workers }, redis] = await Promise.all([
      Promise.resolve(npcCheck?.() ?? { npc: "ready" as const, workers: null }),
      presence ? redisAnswers(presence) : null,
    ]);
    return {
      status: stopping() ? "stopping" : npc === "ready" && redis !== "down" ? "ok" : "degraded",
      redis,
      serverId: config.serverId,
      transport: channel.kind,
      npc,
      npcWorkers: workers,
      modelLoaded: channel.kind === "in-process" ? npc !== "model_missing" && npc !== "model_unreadable" : null,
      rooms: matchMaker.stats.local.roomCount,
      questionsWaiting: answers.waiting,
    };
  };
}

/** `GET /health` (readiness, see `Health`) and `GET /health/live` (liveness). */
export function healthRoutes(app: Application, health: () => Promise<Health>, serverId: string): void {
  app.get("/health", async (_req, res) => {
    const body = await health();
    res.status(body.status === "ok" ? 200 : 503).json(body);
  });
  // For a liveness probe: the process serves (rooms run even while the NPCs cannot answer).
  app.get("/health/live", (_req, res) => {
    res.json({ status: "alive", serverId });
  });
}

/** Redis answers a read within 2 s (a client with Redis down retries each command for seconds before it fails). */
export const redisAnswers = (presence: RedisPresence): Promise<"up" | "down"> =>
  withTimeout(presence.exists("kobot:health"), 2000).then(
    () => "up",
    () => "down",
  );
