import type { GroupDescription, Kafka } from "kafkajs";

import { withAdmin } from "./with-admin.js";

/**
 * How many consumers are in a group now (0: none runs). Throws when the broker does not answer: one retry of the
 * request, though connecting still takes the client's tries (8.8 s with nothing listening), so a health check bounds
 * its wait itself (npc-readiness.ts: 3 s).
 */
export async function groupMembers(kafka: Kafka, group: string): Promise<number> {
  return (await describeGroup(kafka, group))?.members.length ?? 0;
}

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
