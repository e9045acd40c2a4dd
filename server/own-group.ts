import type { Kafka } from "kafkajs";

import { otherTopicsRead } from "../kafka/group-members.js";
import { ConfigError } from "./config.js";

/**
 * Ends an NPC worker's or chat indexer's start while members of its consumer group read another topic: another
 * deployment's, whose group is named the same (only its topics were renamed). Joined, the round-robin assigner hands
 * each side partitions of the other's topic, which it drops: 8 of 12 questions went unanswered while /health said ok.
 * `variable` names the setting to change; `topic` is the one this process reads.
 */
export async function ensureGroupOwn(kafka: Kafka, variable: "KAFKA_WORKER_GROUP" | "KAFKA_INDEXER_GROUP", group: string, topic: string): Promise<void> {
  const others = await otherTopicsRead(kafka, group, topic);
  if (others.length === 0) return;
  throw new ConfigError(
    `${variable}=${group}: members of this consumer group read ${others.join(", ")}, not ${topic}: another deployment's, in a group named the same. ` +
      "Give each deployment its own group: joined, each would drop the other's messages.",
  );
}
