import assert from "node:assert/strict";
import { EventEmitter } from "node:events";

import { type Client, type ClientArray, CloseCode } from "@colyseus/core";

import { createLogger } from "../common/log.js";
import { PlayerConnections } from "../rooms/players/player-connections.js";
import { TokenBucket } from "../rooms/players/token-bucket.js";
import { KICKED_CLOSE } from "../rooms/world-protocol.js";

/** A ws socket as the room sees one: open, and an emitter of its `error` and `close`. */
const openSocket = () => Object.assign(new EventEmitter(), { readyState: 1 });

/** A player's client on `socket`, with the codes it was made to leave with. */
function player(sessionId: string, socket = openSocket()) {
  const leaves: number[] = [];
  const client = { sessionId, ref: socket, leave: (code: number) => void leaves.push(code), send: () => {} } as unknown as Client;
  return { client, leaves };
}

/** A room's players' connections, its warnings and the player's allowance of messages (none left with `flooded`). */
function connectionsOf({ flooded = false } = {}) {
  const warned: string[] = [];
  const log = createLogger({}, "debug", (line) => {
    const { level, msg } = JSON.parse(line) as { level: string; msg: string };
    if (level === "warn" || level === "info") warned.push(msg);
  });
  const messages = new TokenBucket(flooded ? 0 : 1000, 1);
  const connections = new PlayerConnections({
    clients: [] as unknown as ClientArray,
    log,
    fullState: 0,
    maxMessagesPerSecond: 1000,
    messagesOf: () => messages,
    accountOf: () => undefined,
  });
  return { connections, warned };
}

describe("Players' connections (rooms/players/player-connections.ts)", () => {
  it("lets an error on the socket a player resumed from pass the player by: kicked and dropped after as anyone", () => {
    /** p1 joined, resumed on a new socket, and then its old socket erred. */
    const resumedThenOldErred = () => {
      const { connections, warned } = connectionsOf();
      const old = openSocket();
      const { client: before } = player("p1", old);
      connections.joined(before);
      // Colyseus's resume: a new client on a new socket, and the old client's ref moved onto it.
      const { client: resumed, leaves } = player("p1");
      (before as { ref: Client["ref"] }).ref = resumed.ref;
      connections.resumed(resumed, connections.back(resumed, () => true));
      old.emit("error", new Error("Invalid WebSocket frame: RSV1 must be clear"));
      return { connections, warned, resumed, leaves };
    };
    const kicked = resumedThenOldErred();
    kicked.connections.putOut(kicked.resumed, KICKED_CLOSE, "kicked");
    assert.deepEqual(kicked.leaves, [KICKED_CLOSE], "a moderator's kick reaches the resumed player");
    assert.deepEqual(kicked.warned, ["player put out by a moderator"]);
    const dropped = resumedThenOldErred();
    assert.equal(dropped.connections.keepsSeat(dropped.resumed, 1006, undefined), true, "a later drop keeps the resumed player's seat");
  });

  it("still puts out a player whose own socket errs: no seat kept", () => {
    const { connections } = connectionsOf();
    const socket = openSocket();
    const { client } = player("p1", socket);
    connections.joined(client);
    socket.emit("error", new Error("Invalid WebSocket frame: RSV1 must be clear"));
    assert.equal(connections.keepsSeat(client, 1006, undefined), false);
  });

  it("closes a flooder once, however many of its messages come before the close: one leave, one warning, none handled", () => {
    const { connections, warned } = connectionsOf({ flooded: true });
    const { client, leaves } = player("p1");
    connections.joined(client);
    assert.equal(connections.withinMessageRate(client), false);
    assert.doesNotThrow(() => assert.equal(connections.withinMessageRate(client), false));
    connections.putOut(client, KICKED_CLOSE, "kicked"); // a kick while it closes is that same close
    assert.deepEqual(leaves, [CloseCode.WITH_ERROR]);
    assert.deepEqual(warned, ["client disconnected for flooding"]);
    assert.equal(connections.keepsSeat(client, CloseCode.WITH_ERROR, undefined), false, "gone for good: no seat kept");
  });
});
