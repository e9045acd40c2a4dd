import assert from "node:assert/strict";
import type { Kafka } from "kafkajs";

import { membersAfter } from "../kafka/group-members.js";

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
