import assert from "node:assert/strict";
import { EventEmitter } from "node:events";

import { type Client, ClientState } from "@colyseus/core";

import { UnconfirmedMessages } from "../rooms/players/unconfirmed-messages.js";

/** A player's socket as far as pings go: what it was pinged with, and its pongs, answered when the test says. */
function playerSocket(state: number = ClientState.JOINED) {
  const socket = Object.assign(new EventEmitter(), { pinged: [] as string[], ping: (data: Buffer) => void socket.pinged.push(data.toString()) });
  const client = { sessionId: "a", state, ref: socket } as unknown as Client & { state: number };
  const pong = (id: string) => socket.emit("pong", Buffer.from(id));
  return { socket, client, pong };
}

describe("messages a player's socket has not confirmed taking", () => {
  it("are confirmed by the pong to the ping sent after them, and only by it or a later one", () => {
    const messages = new UnconfirmedMessages();
    const { socket, client, pong } = playerSocket();
    messages.sentTo(client, "error", { code: "one" });
    messages.sentTo(client, "npc_action", { lineId: "l1" }, true); // queued to follow the next patch
    assert.deepEqual(socket.pinged, ["1"], "no ping for the queued one yet");
    pong("0"); // Colyseus's own pings carry nothing
    pong("1");
    messages.afterPatch(); // the patch and the action after it went out: its ping follows
    assert.deepEqual(socket.pinged, ["1", "2"]);
    messages.sentTo(client, "error", { code: "three" });
    assert.deepEqual(messages.unconfirmed("a"), [["npc_action", { lineId: "l1" }], ["error", { code: "three" }]], "pongs to pings 2 and 3 never came");
  });

  it("do not take a pong to a ping sent before a queued message as its confirmation", () => {
    const messages = new UnconfirmedMessages();
    const { socket, client, pong } = playerSocket();
    messages.sentTo(client, "npc_action", { lineId: "l1" }, true);
    messages.sentTo(client, "error", { code: "now" }); // written now, before the action
    pong(socket.pinged.at(-1)!);
    assert.deepEqual(messages.unconfirmed("a"), [["npc_action", { lineId: "l1" }]]);
  });

  for (const [state, how] of [[ClientState.JOINING, "a joining client"], [ClientState.RECONNECTING, "a client taking its place back (onReconnect)"]] as const) {
    it(`wait for ${how} to acknowledge the join before pinging: its messages are held until then`, () => {
      const messages = new UnconfirmedMessages();
      const { socket, client, pong } = playerSocket(state);
      messages.sentTo(client, "error", { code: "held" });
      messages.afterPatch();
      assert.deepEqual(socket.pinged, [], "not joined yet");
      client.state = ClientState.JOINED;
      messages.afterPatch();
      pong(socket.pinged.at(-1)!);
      assert.deepEqual(messages.unconfirmed("a"), []);
    });
  }

  it("keep 50 at most, the newest, and nothing for a player who left", () => {
    const messages = new UnconfirmedMessages();
    const { client } = playerSocket();
    for (let i = 0; i < 60; i++) messages.sentTo(client, "error", { i });
    const kept = messages.unconfirmed("a");
    assert.equal(kept.length, 50);
    assert.deepEqual(kept[0], ["error", { i: 10 }]);
    messages.sentTo(client, "error", { i: 60 });
    messages.left("a");
    assert.deepEqual(messages.unconfirmed("a"), []);
  });
  it("keep copies of state lines said to the player until the ping after the next patch is answered", () => {
    const messages = new UnconfirmedMessages();
    const { socket, client, pong } = playerSocket();
    messages.saidTo(client, "l1", "private_line", { id: "l1" });
    assert.deepEqual(socket.pinged, [], "the line goes with the next patch: no ping before it");
    messages.afterPatch();
    messages.saidTo(client, "l2", "private_line", { id: "l2" });
    pong(socket.pinged.at(-1)!);
    assert.deepEqual(messages.unconfirmed("a"), [["private_line", { id: "l2" }, "l2"]], "l1's patch confirmed; l2's not sent yet");
  });

  it("count copies apart from messages: 30 copies at most, the newest, and they push out no message", () => {
    const messages = new UnconfirmedMessages();
    const { client } = playerSocket();
    messages.sentTo(client, "error", { i: 0 });
    for (let i = 0; i < 40; i++) messages.saidTo(client, `l${i}`, "private_line", { i });
    const kept = messages.unconfirmed("a");
    assert.deepEqual(kept[0], ["error", { i: 0 }]);
    assert.equal(kept.length, 31);
    assert.deepEqual(kept[1], ["private_line", { i: 10 }, "l10"]);
  });
});
