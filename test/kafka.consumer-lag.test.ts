import assert from "node:assert/strict";

import type { Kafka } from "kafkajs";

import { consumerLag } from "../kafka/consumer-lag.js";

/**
 * A fake admin answering with fixed offsets: a unit test of the sum consumerLag makes of them (a real broker's
 * lag is in the integration tests).
 */
const brokerWith = (admin: Record<string, unknown>) => ({ admin: () => ({ connect: async () => {}, disconnect: async () => {}, ...admin }) }) as unknown as Kafka;

describe("Consumer lag", () => {
  it("sums end − committed over partitions, a partition never committed counting from its low offset", async () => {
    const broker = brokerWith({
      fetchTopicOffsets: async () => [
        { partition: 0, offset: "10", low: "4", high: "10" },
        { partition: 1, offset: "7", low: "2", high: "7" },
        { partition: 2, offset: "9", low: "3", high: "9" },
      ],
      // Partition 0 committed at 6; partition 1 never (-1), and partition 2 not named at all: both from their low offset.
      fetchOffsets: async () => [{ topic: "t", partitions: [{ partition: 0, offset: "6" }, { partition: 1, offset: "-1" }] }],
    });
    assert.deepEqual(await consumerLag(broker, [{ group: "g", topic: "t" }]), [{ group: "g", topic: "t", lag: (10 - 6) + (7 - 2) + (9 - 3) }]);
  });
});
