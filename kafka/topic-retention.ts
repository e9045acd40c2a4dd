import kafkajs, { type Admin, type Kafka } from "kafkajs";

import type { Logger } from "../common/log.js";
import { withAdmin } from "./with-admin.js";

// Not a named export Node finds in kafkajs's CommonJS (its exports list stops being readable before it).
const { ConfigResourceTypes } = kafkajs;

/** How long our topics keep records unless KAFKA_RETENTION_HOURS says otherwise: the broker's own default, a week. */
export const DEFAULT_RETENTION_HOURS = 168;
export const DEFAULT_RETENTION_MS = DEFAULT_RETENTION_HOURS * 3_600_000;
/**
 * A topic's log is deleted a segment at a time, once the segment's newest record is past the retention: a segment
 * rolled daily keeps no record more than a day beyond it, where the broker's default roll (7 days) let a quiet topic
 * keep a line for twice the retention.
 */
const LONGEST_SEGMENT_MS = 86_400_000;
/** The broker's `log.retention.check.interval.ms` when it does not say: Kafka's default. */
const DEFAULT_CHECK_INTERVAL_MS = 300_000;

/** The settings our topics are created with (kafka-client.ts ensureTopics). */
export function retentionConfig(retentionMs: number): { name: string; value: string }[] {
  return [
    { name: "retention.ms", value: String(retentionMs) },
    { name: "segment.ms", value: String(Math.min(retentionMs, LONGEST_SEGMENT_MS)) },
  ];
}

/**
 * The longest a record written now stays in `topics`, as the broker holds them set (whoever set them): a segment's
 * time, then the retention, then the broker's next check. Null when a topic keeps records for good (retention.ms -1):
 * what a player's erasure request answers about Kafka's copies, which it cannot delete.
 */
export async function longestKeptMs(kafka: Kafka, topics: readonly string[]): Promise<number | null> {
  return withAdmin(kafka, async (admin) => {
    const { brokers } = await admin.describeCluster();
    const { resources } = await admin
      .describeConfigs({
        includeSynonyms: false,
        resources: [
          ...topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ["retention.ms", "segment.ms"] })),
          { type: ConfigResourceTypes.BROKER, name: String(brokers[0]!.nodeId), configNames: ["log.retention.check.interval.ms"] },
        ],
      })
      .catch((error: Error) => {
        throw new Error(`the settings of ${topics.join(", ")} not read: ${error.message}`, { cause: error });
      });
    const valueOf = (resource: (typeof resources)[number], name: string) =>
      Number(resource.configEntries.find((entry) => entry.configName === name)?.configValue);
    const checkMs = valueOf(resources.at(-1)!, "log.retention.check.interval.ms") || DEFAULT_CHECK_INTERVAL_MS;
    let longest = 0;
    for (const topic of resources.slice(0, -1)) {
      const retentionMs = valueOf(topic, "retention.ms");
      if (retentionMs < 0) return null;
      longest = Math.max(longest, valueOf(topic, "segment.ms") + retentionMs);
    }
    return longest + checkMs;
  });
}

/**
 * Logs a warning for each of `topics` (which exist) whose `retention.ms` is not `retentionMs`: KAFKA_RETENTION_HOURS
 * changed after the topics were created, or another process or an operator set them otherwise. Players' words stay
 * as the topic says, so the operator is told, with the command that sets it; a failed read is only logged.
 */
export async function warnOfOtherRetention(admin: Admin, topics: readonly string[], retentionMs: number, log: Logger): Promise<void> {
  try {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ["retention.ms"] })),
    });
    for (const { resourceName: topic, configEntries } of resources) {
      const kept = Number(configEntries.find((entry) => entry.configName === "retention.ms")?.configValue);
      if (!Number.isFinite(kept) || kept === retentionMs) continue;
      const config = retentionConfig(retentionMs).map(({ name, value }) => `${name}=${value}`).join(",");
      log.warn("a topic keeps records another time than KAFKA_RETENTION_HOURS: topics that exist keep their settings", {
        topic,
        keptHours: kept < 0 ? "forever" : kept / 3_600_000,
        retentionHours: retentionMs / 3_600_000,
        change: `kafka-configs.sh --bootstrap-server <broker> --alter --entity-type topics --entity-name ${topic} --add-config ${config}`,
      });
    }
  } catch (error) {
    log.debug("the topics' retention was not read", { topics, error });
  }
}
