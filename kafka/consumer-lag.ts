import type { Kafka } from "kafkajs";

import { withAdmin } from "./with-admin.js";

export interface GroupTopic {
  group: string;
  topic: string;
}

/**
 * How far consumer groups are behind: per group and topic, the sum over partitions of the end
 * offset minus the group's committed offset (a partition the group never committed counts whole).
 */
export async function consumerLag(kafka: Kafka, watched: GroupTopic[]): Promise<Array<GroupTopic & { lag: number }>> {
  return withAdmin(kafka, async (admin) => {
    const results = [];
    for (const { group, topic } of watched) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const byPartition = new Map(committed?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      let lag = 0;
      for (const end of ends) {
        const done = byPartition.get(end.partition) ?? -1;
        lag += Number(end.offset) - (done < 0 ? Number(end.low) : done);
      }
      results.push({ group, topic, lag });
    }
    return results;
  });
}
