import { AssignerProtocol, type Kafka, type PartitionAssigner, PartitionAssigners } from "kafkajs";

import { withAdmin } from "./with-admin.js";

/**
 * Kafka's round-robin assigner, whose member metadata also says which model folders this worker could not load
 * (JSON in its `userData`): a worker starting without a folder asks the group whether another one loaded it.
 * The protocol keeps its name, so workers of an older version share the group with these.
 */
export function assignerSaying(unloaded: readonly string[]): PartitionAssigner {
  const userData = Buffer.from(JSON.stringify({ unloaded }));
  return (config) => {
    const roundRobin = PartitionAssigners.roundRobin(config);
    return {
      ...roundRobin,
      protocol: ({ topics }) => ({ name: roundRobin.name, metadata: AssignerProtocol.MemberMetadata.encode({ version: roundRobin.version, topics, userData }) }),
    };
  };
}

/**
 * Per member of `group` now, the model folders it could not load; undefined for a member that does not say (an older
 * version, another client): it may have loaded every one.
 */
export async function unloadedByMembers(kafka: Kafka, group: string): Promise<Array<string[] | undefined>> {
  const { groups } = await withAdmin(kafka, (admin) => admin.describeGroups([group]), { retry: { retries: 1 } });
  return (groups[0]?.members ?? []).map(({ memberMetadata }) => {
    try {
      const said: unknown = JSON.parse(AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData.toString() ?? "");
      const unloaded = (said as { unloaded?: unknown } | null)?.unloaded;
      return Array.isArray(unloaded) && unloaded.every((dir) => typeof dir === "string") ? unloaded : undefined;
    } catch {
      return undefined;
    }
  });
}
