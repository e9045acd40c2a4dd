import assert from "node:assert/strict";

import type { Kafka } from "kafkajs";

import { longestKeptMs, retentionConfig } from "../kafka/topic-retention.js";

/**
 * A fake admin answering describeConfigs with fixed settings (the topics', then the broker's): a unit test of what
 * longestKeptMs makes of them. What a real broker holds is tested in test/integration/kafka.topic-retention.test.ts.
 */
function brokerWith(topics: Array<Record<string, string>>, checkIntervalMs: string): Kafka {
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    describeCluster: async () => ({ brokers: [{ nodeId: 1 }] }),
    describeConfigs: async () => ({
      resources: [...topics, { "log.retention.check.interval.ms": checkIntervalMs }].map((entries) => ({
        configEntries: Object.entries(entries).map(([configName, configValue]) => ({ configName, configValue })),
      })),
    }),
  };
  return { admin: () => admin } as unknown as Kafka;
}

describe("Kafka topics' retention", () => {
  it("rolls a topic's segments daily, sooner for a retention shorter than a day", () => {
    assert.deepEqual(retentionConfig(3_600_000), [{ name: "retention.ms", value: "3600000" }, { name: "segment.ms", value: "3600000" }]);
    assert.deepEqual(retentionConfig(30 * 86_400_000), [{ name: "retention.ms", value: "2592000000" }, { name: "segment.ms", value: "86400000" }]);
  });

  const hourly = { "retention.ms": "3600000", "segment.ms": "3600000" };
  const daily = { "retention.ms": "7200000", "segment.ms": "86400000" };

  it("keeps a record at most the longest segment + retention of the topics, plus the broker's retention check", async () => {
    assert.equal(await longestKeptMs(brokerWith([hourly, daily], "60000"), ["a", "b"]), 86_400_000 + 7_200_000 + 60_000);
  });

  it("counts Kafka's default check, 5 minutes, where the broker does not say", async () => {
    assert.equal(await longestKeptMs(brokerWith([hourly], ""), ["a"]), 3_600_000 + 3_600_000 + 300_000);
  });

  it("says null when one topic keeps its records for good (retention.ms -1)", async () => {
    assert.equal(await longestKeptMs(brokerWith([hourly, { "retention.ms": "-1", "segment.ms": "1" }], "1"), ["a", "b"]), null);
  });
});
