import assert from "node:assert/strict";
import { AssignerProtocol, type Kafka } from "kafkajs";

import { membersAfter, membersReading, otherTopicsRead } from "../kafka/group-members.js";

/** A broker's admin API as membersAfter sees it: each describeGroups call answers with the next outcome. */
function brokerAnswering(outcomes: Array<number | Error>): Kafka & { calls: number } {
  const broker = {
    calls: 0,
    admin: () => ({
      connect: async () => {},
      disconnect: async () => {},
      describeGroups: async () => {
        const outcome = outcomes[Math.min(broker.calls++, outcomes.length - 1)]!;
        if (outcome instanceof Error) throw outcome;
        return { groups: [{ members: Array.from({ length: outcome }) }] };
      },
    }),
  };
  return broker as unknown as Kafka & { calls: number };
}

describe("Kafka group members at start", () => {
  const notYet = new Error("This is not the correct coordinator for this group");

  it("asks a broker that has no group coordinator yet again, until it answers", async () => {
    const broker = brokerAnswering([notYet, notYet, 0]);
    assert.equal(await membersAfter(broker, "g", 5000), 0);
    assert.equal(broker.calls, 3);
  });

  it("waits for members to leave, and says how many are left at the deadline", async () => {
    assert.equal(await membersAfter(brokerAnswering([1, 0]), "g", 5000), 0);
    assert.equal(await membersAfter(brokerAnswering([2]), "g", 600), 2);
  });

  it("gives the broker's error once the deadline has passed", async () => {
    await assert.rejects(membersAfter(brokerAnswering([notYet]), "g", 600), /not the correct coordinator/);
  });
});

/**
 * A fake admin describing a stable group of members subscribed to `topics` each (none: no metadata, as while the group
 * rebalances): a unit test of what group-members.ts reads from a description (real groups: test/integration).
 */
function groupOf(...subscriptions: Array<string[] | undefined>): Kafka {
  const members = subscriptions.map((topics, i) => ({
    memberId: `m${i}`,
    clientId: "c",
    clientHost: "/h",
    memberAssignment: Buffer.alloc(0),
    memberMetadata: topics === undefined ? Buffer.alloc(0) : AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
  }));
  const admin = { connect: async () => {}, disconnect: async () => {}, describeGroups: async () => ({ groups: [{ groupId: "g", state: "Stable", members }] }) };
  return { admin: () => admin } as unknown as Kafka;
}

describe("Kafka group members by topic", () => {
  it("counts the members reading the topic and those without metadata (rebalancing), not another deployment's", async () => {
    assert.equal(await membersReading(groupOf(["q"], ["other"], undefined), "g", "q"), 2);
  });

  it("names the other topics the group's members read, each once, sorted, and not the group's own", async () => {
    assert.deepEqual(await otherTopicsRead(groupOf(["q", "z"], ["b"], ["q"]), "g", "q", 0), ["b", "z"]);
  });
});
