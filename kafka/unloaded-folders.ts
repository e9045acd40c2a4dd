import { AssignerProtocol, type GroupDescription, type Kafka, type PartitionAssigner, PartitionAssigners } from "kafkajs";

import { describeSettled, metadataOf, REBALANCE_WAIT_MS, settled, strings } from "./group-members.js";

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
 * version, another client): it may have loaded every one. A group rebalancing (workers of a fleet starting together)
 * lists its members without their metadata: it is asked again until it is stable, up to `waitMs`; one still
 * rebalancing then answers undefined (cannot tell). Read as members that do not say, every worker of one image read
 * as one that may have loaded the folder, and exited.
 */
export async function unloadedByMembers(kafka: Kafka, group: string, waitMs = REBALANCE_WAIT_MS): Promise<Array<string[] | undefined> | undefined> {
  return unloadedIn(await describeSettled(kafka, group, waitMs));
}

/** The folders each member of a described group could not load (see unloadedByMembers); undefined while it rebalances. */
export function unloadedIn(described: GroupDescription | undefined): Array<string[] | undefined> | undefined {
  if (described && !settled(described)) return undefined;
  return (described?.members ?? []).map((member) => {
    try {
      const said: unknown = JSON.parse(metadataOf(member)?.userData?.toString() ?? "");
      return strings((said as { unloaded?: unknown } | null)?.unloaded);
    } catch {
      return undefined; // user data not ours (another client's): it may have loaded every folder
    }
  });
}
