import { AssignerProtocol, type GroupDescription, type Kafka } from "kafkajs";

import { withAdmin } from "./with-admin.js";

/**
 * How many consumers are in a group now (0: none runs). Throws when the broker does not answer: one retry of the
 * request, though connecting still takes the client's tries (8.8 s with nothing listening), so a health check bounds
 * its wait itself (npc-readiness.ts: 3 s).
 */
export async function groupMembers(kafka: Kafka, group: string): Promise<number> {
  return (await describeGroup(kafka, group))?.members.length ?? 0;
}

/**
 * How many consumers of `group` read `topic` now. A member whose metadata lists other topics alone is another
 * deployment's (its group named the same): it is handed some of `topic`'s partitions and drops them, so it answers none.
 * One listed without metadata (the group rebalancing) may read it, and counts.
 */
export async function membersReading(kafka: Kafka, group: string, topic: string): Promise<number> {
  const members = (await describeGroup(kafka, group))?.members ?? [];
  return members.filter((member) => topicsOf(member)?.includes(topic) ?? true).length;
}

/** The topics a member subscribed to, from its metadata; undefined when it has none (the group rebalancing) or another kind. */
export function topicsOf(member: GroupMember): string[] | undefined {
  return strings((metadataOf(member) as { topics?: unknown } | undefined)?.topics);
}

/** A member of a described group. */
export type GroupMember = GroupDescription["members"][number];

/** What a member's metadata says (its topics, its assigner's user data); undefined when it has none or another kind. */
export function metadataOf({ memberMetadata }: GroupMember): { topics?: unknown; userData?: Buffer } | undefined {
  try {
    return AssignerProtocol.MemberMetadata.decode(memberMetadata) ?? undefined;
  } catch {
    return undefined;
  }
}

/** `value` if it is a list of strings, as a member's metadata should hold; else undefined. */
export const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;

/**
 * The topics other than `topic` that members of `group` read now: another deployment's consumers in a group named the
 * same (KAFKA_WORKER_GROUP, KAFKA_INDEXER_GROUP), whom the round-robin assigner hands partitions of both topics, each
 * side dropping the other's. A group rebalancing is waited for up to `waitMs` (its members' metadata is left out
 * meanwhile); one still rebalancing then says none.
 */
export async function otherTopicsRead(kafka: Kafka, group: string, topic: string, waitMs = REBALANCE_WAIT_MS): Promise<string[]> {
  const members = (await describeSettled(kafka, group, waitMs))?.members ?? [];
  return [...new Set(members.flatMap((member) => topicsOf(member) ?? []))].filter((read) => read !== topic).sort();
}

/** How long a group that is rebalancing is waited for: its members' metadata is read only once it is stable. */
export const REBALANCE_WAIT_MS = 15_000;

/** The group described once it is settled (see `settled`), asked again every 0.5 s up to `waitMs`; then as it is. */
export async function describeSettled(kafka: Kafka, group: string, waitMs = REBALANCE_WAIT_MS): Promise<GroupDescription | undefined> {
  const deadline = performance.now() + waitMs;
  let described = await describeGroup(kafka, group);
  while (described && !settled(described) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    described = await describeGroup(kafka, group);
  }
  return described;
}

/** Whether the group's members are listed with their metadata: Kafka leaves it out while the group rebalances. */
export const settled = ({ state }: GroupDescription) => ["Stable", "Empty", "Dead"].includes(state);

/** The group as its coordinator describes it now (state, members and their metadata), with one retry of the request. */
export async function describeGroup(kafka: Kafka, group: string): Promise<GroupDescription | undefined> {
  const { groups } = await withAdmin(kafka, (admin) => admin.describeGroups([group]), { retry: { retries: 1 } });
  return groups[0];
}

/**
 * Waits up to `ms` for a consumer group to have no members (a crashed process's member stays until its session
 * ends); resolves with how many are left. A broker that is still starting (no group coordinator yet: "not the
 * correct coordinator", "coordinator not available") is asked again until then: servers started with a fresh
 * broker, as `docker compose up` does, exited on it.
 */
export async function membersAfter(kafka: Kafka, group: string, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  for (;;) {
    let members: number | undefined;
    try {
      members = await groupMembers(kafka, group);
    } catch (error) {
      if (performance.now() >= deadline) throw error;
    }
    if (members === 0 || (members !== undefined && performance.now() >= deadline)) return members;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
