import assert from "node:assert/strict";
import { AssignerProtocol, type GroupDescription, type Kafka } from "kafkajs";

import { unloadedByMembers, unloadedIn } from "../kafka/unloaded-folders.js";

/** A member as the coordinator lists it: its metadata, or an empty buffer while the group rebalances. */
const member = (userData?: string) => ({
  memberId: "m",
  clientId: "c",
  clientHost: "/127.0.0.1",
  memberAssignment: Buffer.alloc(0),
  memberMetadata: userData === undefined ? Buffer.alloc(0) : AssignerProtocol.MemberMetadata.encode({ version: 1, topics: ["q"], userData: Buffer.from(userData) }),
});
const group = (state: GroupDescription["state"], members: ReturnType<typeof member>[]): GroupDescription => ({ groupId: "g", state, members, protocol: "RoundRobinAssigner", protocolType: "consumer" });

/** The folders a worker's group members could not load (the real broker's side: test/integration/kafka.unloaded-folders.test.ts). */
describe("Model folders a worker's group could not load", () => {
  it("reads each member's folders from a stable group; a member that does not say may have loaded every one", () => {
    const described = group("Stable", [member(JSON.stringify({ unloaded: ["/models/broken"] })), member(""), member("{\"unloaded\": [3]}")]);
    assert.deepEqual(unloadedIn(described), [["/models/broken"], undefined, undefined]);
    assert.deepEqual(unloadedIn(group("Empty", [])), []);
    assert.deepEqual(unloadedIn(undefined), []);
  });

  it("cannot tell while the group rebalances (members listed without metadata), rather than read them as unsaid", () => {
    assert.equal(unloadedIn(group("PreparingRebalance", [member(), member()])), undefined);
    assert.equal(unloadedIn(group("CompletingRebalance", [member(), member()])), undefined);
  });

  it("answers that it cannot tell when the group still rebalances at the end of its wait (a fleet of one image exited 1)", async () => {
    let asked = 0;
    // The coordinator's answers only: what to conclude from them is the logic under test.
    const kafka = {
      admin: () => ({
        connect: async () => {},
        disconnect: async () => {},
        describeGroups: async () => (asked++, { groups: [group("PreparingRebalance", [member(), member()])] }),
      }),
    } as unknown as Kafka;
    assert.equal(await unloadedByMembers(kafka, "g", 600), undefined);
    assert.ok(asked >= 2, `asked again while it rebalanced (${asked} times)`);
  });
});
