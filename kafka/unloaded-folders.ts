import { AssignerProtocol, type GroupDescription, type Kafka, type PartitionAssigner, PartitionAssigners } from "kafkajs";

import { describeGroup } from "./group-members.js";

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

/** How long a group that is rebalancing is waited for: its members' metadata is read only once it is stable. */
const REBALANCE_WAIT_MS = 15_000;

/**
 * Per member of `group` now, the model folders it could not load; undefined for a member that does not say (an older
 * version, another client): it may have loaded every one. A group rebalancing (workers of a fleet starting together)
 * lists its members without their metadata: it is asked again until it is stable, up to `waitMs`; one still
 * rebalancing then answers undefined (cannot tell). Read as members that do not say, every worker of one image read
 * as one that may have loaded the folder, and exited.
 */
export async function unloadedByMembers(kafka: Kafka, group: string, waitMs = REBALANCE_WAIT_MS): Promise<Array<string[] | undefined> | undefined> {
  const deadline = performance.now() + waitMs;
  let described = await describeGroup(kafka, group);
  while (described && !settled(described) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    described = await describeGroup(kafka, group);
  }
  return unloadedIn(described);
}

/** The folders each member of a described group could not load (see unloadedByMembers); undefined while it rebalances. */
export function unloadedIn(described: GroupDescription | undefined): Array<string[] | undefined> | undefined {
  if (described && !settled(described)) return undefined;
  return (described?.members ?? []).map(({ memberMetadata }) => {
    try {
      const said: unknown = JSON.parse(AssignerProtocol.MemberMetadata.decode(memberMetadata)?.userData.toString() ?? "");
      const unloaded = (said as { unloaded?: unknown } | null)?.unloaded;
      return Array.isArray(unloaded) && unloaded.every((dir) => typeof dir === "string") ? unloaded : undefined;
    } catch {
      return undefined;
    }
  });
}

/** Whether the group's members are listed with their metadata: Kafka leaves it out while the group rebalances. */
const settled = ({ state }: GroupDescription) => ["Stable", "Empty", "Dead"].includes(state);
