import assert from "node:assert/strict";
import { type Client, ClientState } from "@colyseus/core";
import WebSocket from "ws";

import { JOIN_ACK_MS, SlowReaders, UNREAD_BYTES_MAX } from "../rooms/players/slow-readers.js";
import { largestFullState } from "../rooms/state-buffer.js";
import { sleep, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

const client = (sessionId: string, state: ClientState, bufferedAmount = 0) => ({ sessionId, state, ref: { bufferedAmount } }) as unknown as Client;

describe("Clients that read nothing the room sends them (rooms/players/slow-readers.ts)", () => {
  it("names a client with more than UNREAD_BYTES_MAX unread, and one whose join stays unacknowledged past JOIN_ACK_MS", () => {
    const readers = new SlowReaders();
    for (const id of ["reads", "full", "acked", "never"]) readers.joined(id, 0);
    const clients = [client("reads", ClientState.JOINED, 1000), client("full", ClientState.JOINED, UNREAD_BYTES_MAX + 1), client("acked", ClientState.JOINED), client("never", ClientState.JOINING)];
    assert.deepEqual([...readers.overdue(clients, JOIN_ACK_MS - 1)].map(({ client }) => client.sessionId), ["full"]);
    assert.deepEqual([...readers.overdue(clients, JOIN_ACK_MS + 1)].map(({ client, why }) => [client.sessionId, why]), [
      ["full", "1024 KiB sent to it unread"],
      ["never", "its join unacknowledged for 10 s"],
    ]);
  });

  it("lets a client hold the room's full state unread on top, as a joining player on a slow link does", () => {
    const big = largestFullState({ chatHistory: 1000, maxClients: 1000 });
    assert.ok(big > UNREAD_BYTES_MAX, "a full state over 1 MiB: every such join was put out");
    const readers = new SlowReaders(big);
    const joining = [client("slow", ClientState.JOINED, big + UNREAD_BYTES_MAX - 1), client("stalled", ClientState.JOINED, big + UNREAD_BYTES_MAX + 1)];
    assert.deepEqual([...readers.overdue(joining)].map(({ client }) => client.sessionId), ["stalled"]);
  });

  it("times a client that joins again after acknowledging (a reconnection) from when it is seen joining again", () => {
    const readers = new SlowReaders();
    readers.joined("back", 0);
    assert.deepEqual([...readers.overdue([client("back", ClientState.JOINED)], 1)], []);
    const returned = [client("back", ClientState.JOINING)];
    assert.deepEqual([...readers.overdue(returned, 100_000)], [], "its clock starts");
    assert.deepEqual([...readers.overdue(returned, 100_000 + JOIN_ACK_MS - 1)], []);
    assert.deepEqual([...readers.overdue(returned, 100_000 + JOIN_ACK_MS + 1)].map(({ client }) => client.sessionId), ["back"]);
  });

  describe("in a room", function () {
    this.timeout(30_000);
    let world: TestWorld;
    before(async () => (world = await startTestWorld()));
    after(() => world.stop());

    // Colyseus kept every message for it until it did, without end: 0.6 MB a second for one that drew errors.
    it("puts out, with no place kept, a client that never acknowledges its join; the room's players stay", async () => {
      const player = await world.join("남는이");
      const http = world.url.replace("ws:", "http:");
      const seat = (await (await fetch(`${http}/matchmake/joinById/${player.room.roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"유령"}' })).json()) as { sessionId: string; roomId: string; processId: string };
      const ghost = new WebSocket(`${world.url}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`);
      const closed = new Promise<number>((resolve) => ghost.once("close", resolve));
      await waitFor("the ghost in the room", () => Object.values(stateOf(player).players).some((p) => p.name === "유령"));
      const started = performance.now();
      await closed;
      assert.ok(performance.now() - started >= JOIN_ACK_MS - 1000, "not before its time");
      await waitFor("the ghost gone from the room", () => !Object.values(stateOf(player).players).some((p) => p.name === "유령"), 3000);
      await sleep(200);
      assert.equal(player.room.connection.isOpen, true);
      await player.room.leave();
    });

    it("puts out a client that comes back by its reconnection token and never acknowledges", async () => {
      const player = await world.join("남는이");
      const http = world.url.replace("ws:", "http:");
      const post = async (path: string, body: unknown) =>
        (await (await fetch(`${http}/matchmake/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as { sessionId: string; roomId: string; processId: string };
      const seat = await post(`joinById/${player.room.roomId}`, { name: "유령" });
      const first = new WebSocket(`${world.url}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`);
      // The JOIN_ROOM message: its code, then the reconnection token's length and bytes.
      const token = await new Promise<string>((resolve) => first.once("message", (data: Buffer) => resolve(data.subarray(2, 2 + data[1]!).toString())));
      first.send(Uint8Array.from([10])); // acknowledged
      await waitFor("the ghost in the room", () => Object.values(stateOf(player).players).some((p) => p.name === "유령"));
      first.terminate(); // dropped: its place is kept for a reconnection
      await waitFor("the ghost away", () => Object.values(stateOf(player).players).some((p) => p.name === "유령" && p.anim === "away"));
      const again = await post(`reconnect/${seat.roomId}`, { reconnectionToken: token });
      const second = new WebSocket(`${world.url}/${seat.processId}/${seat.roomId}?sessionId=${again.sessionId}&reconnectionToken=${token}`);
      const closed = new Promise<number>((resolve) => second.once("close", resolve));
      await new Promise((resolve) => second.once("open", resolve));
      const started = performance.now();
      await closed;
      assert.ok(performance.now() - started >= JOIN_ACK_MS - 1000, "not before its time");
      await waitFor("the ghost gone from the room", () => !Object.values(stateOf(player).players).some((p) => p.name === "유령"), 3000);
      await player.room.leave();
    });
  });
});
