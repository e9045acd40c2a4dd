import type { Kafka } from "kafkajs";

/**
 * How many consumers are in a group now (0: none runs). Throws when the broker does not answer; one
 * retry, not the client's eight, so a health check says "broker down" in a second or two.
 */
export async function groupMembers(kafka: Kafka, group: string): Promise<number> {
  const admin = kafka.admin({ retry: { retries: 1 } });
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([group]);
    return groups[0]?.members.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}
