import kafkajs, { type Kafka } from "kafkajs";

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
  const admin = kafka.admin();
  await admin.connect();
  try {
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
  } finally {
    await admin.disconnect();
  }
}
