import assert from "node:assert/strict";
import { type Client, matchMaker } from "@colyseus/core";
import { CloseCode, Protocol } from "@colyseus/sdk";
import WebSocket from "ws";

import { type FreezingProxy, startFreezingProxy } from "./helpers/freezing-proxy.js";
import { joinThroughProxy, joinWorld, near, positionOf, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

/** The room's own client of `player` (its socket on the server's side). */
const serverSide = (player: TestPlayer): Client => matchMaker.getLocalRoomById(player.room.roomId)!.clients.getById(player.room.sessionId)!;
/** ws's readyState of a socket on the server's side: 1 open, 3 closed. */
const readyState = (socket: Client["ref"]) => (socket as unknown as { readyState: number }).readyState;

/**
 * Resumes of a session whose old connection the server still holds as connected (a network that died without a close:
 * the server's pings notice it only up to DROP_NOTICED_SECONDS later).
 */
describe("A resume of a session the server still holds as connected", () => {
  let world: TestWorld;
  let proxy: FreezingProxy;

  before(async () => {
    world = await startTestWorld();
    proxy = await startFreezingProxy(world.server.port);
  });
  after(async () => {
    await proxy.close();
    await world.stop();
  });

  it("takes the place at once with the session's token: its old socket is taken for dropped, not waited on", async () => {
    const a = await joinThroughProxy(proxy, world.url, "얼음");
    const b = await joinWorld(world.url, { name: "지켜봄" }, a.room.roomId);
    const { x, z } = positionOf(a);
    await walkTo(a, x + 3, z);
    await waitFor("b to see a's walk", () => near(stateOf(b).players[a.room.sessionId]!.x, x + 3));
    const old = serverSide(a).ref;
    // The server's pings never notice this socket's silence here: only the resume itself can free the place.
    Object.defineProperty(old, "pingCount", { get: () => 0, set: () => {} });

    proxy.freeze();
    a.room.reconnection.minUptime = 0;
    a.room.reconnection.minDelay = a.room.reconnection.maxDelay = 100;
    let back = false;
    a.room.onReconnect(() => void (back = true));
    // As the clients do once they hear nothing for SILENCE_NOTICED_SECONDS: the SDK resumes on a new socket.
    a.room.connection.close(CloseCode.MAY_TRY_RECONNECT, "silent");
    // Without the takeover the server waits for its pings, which never come: a place not back in 10 s never would be.
    await waitFor("a back in its place", () => back, 10_000);

    const room = matchMaker.getLocalRoomById(a.room.roomId)!;
    assert.notEqual(serverSide(a).ref, old, "on its new socket");
    await waitFor("the old socket closed", () => readyState(old) === 3);
    await waitFor("a no longer away", () => stateOf(b).players[a.room.sessionId]?.anim === "idle");
    assert.ok(near(stateOf(b).players[a.room.sessionId]!.x, x + 3), "where it stood");
    assert.equal(stateOf(b).players[a.room.sessionId]!.name, "얼음");
    assert.equal(room.clients.length, 2, "counted once");
    assert.equal(Object.keys(stateOf(b).players).length, 2, "one avatar of a");
    assert.equal((await matchMaker.query({ roomId: room.roomId }))[0]!.clients, 2, "the listing counts it once");
    a.room.send("chat", { text: "녹았어" });
    await waitFor("a's line through its new socket", () => stateOf(b).chat.some((line) => line.from === a.room.sessionId && line.text === "녹았어"));
    assert.deepEqual([a.errors, b.errors], [[], []]);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });

  it("keeps the place of a client that closed its socket and resumed at once, its close still under way on the server", async () => {
    const a = await joinWorld(world.url, { name: "성급함" });
    const b = await joinWorld(world.url, { name: "지켜봄" }, a.room.roomId);
    a.room.reconnection.minUptime = 0;
    a.room.reconnection.minDelay = a.room.reconnection.maxDelay = 0;
    let back = false;
    a.room.onReconnect(() => void (back = true));
    // The resume comes while the old socket closes: taken over then, it was taken for one closed for a bad frame.
    a.room.connection.close(CloseCode.MAY_TRY_RECONNECT);
    await waitFor("a back in its place", () => back);
    await waitFor("a no longer away", () => stateOf(b).players[a.room.sessionId]?.anim === "idle");
    a.room.send("chat", { text: "돌아왔어" });
    await waitFor("a's line", () => stateOf(b).chat.some((line) => line.from === a.room.sessionId && line.text === "돌아왔어"));
    assert.equal(Object.keys(stateOf(b).players).length, 2);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });

  it("refuses a resume with a token not the session's, and its connected player stays as they were", async () => {
    const a = await joinWorld(world.url, { name: "그대로" });
    const b = await joinWorld(world.url, { name: "옆사람" }, a.room.roomId);
    const [aSocket, bSocket] = [serverSide(a).ref, serverSide(b).ref];
    const token = a.room.reconnectionToken.split(":")[1]!;
    /** A resume as the SDK's own (a socket straight to the room): what the server first sent on it, and its close. */
    const resume = (sessionId: string, reconnectionToken: string) =>
      new Promise<[number | undefined, number]>((resolve, reject) => {
        const url = `${world.url}/${matchMaker.processId}/${a.room.roomId}?sessionId=${sessionId}&reconnectionToken=${reconnectionToken}&skipHandshake=1`;
        let first: number | undefined;
        const socket = new WebSocket(url).on("error", reject);
        socket.once("message", (data: Buffer) => {
          first = data[0];
          if (first === Protocol.JOIN_ROOM) socket.close(); // let in: the test fails below, not by its timeout
        });
        socket.on("close", (code) => resolve([first, code]));
      });
    const forged = token.replace(/^./, (c) => (c === "A" ? "B" : "A")); // one character off
    const refused = [Protocol.ERROR, CloseCode.FAILED_TO_RECONNECT];
    assert.deepEqual(await resume(a.room.sessionId, forged), refused);
    assert.deepEqual(await resume(a.room.sessionId, ""), [Protocol.ERROR, CloseCode.WITH_ERROR], "no token: a join with no seat");
    assert.deepEqual(await resume(b.room.sessionId, token), refused, "a's own token, for another session");
    assert.equal(serverSide(a).ref, aSocket, "a on its own socket");
    assert.equal(serverSide(b).ref, bSocket, "b on its own socket");
    assert.deepEqual([readyState(aSocket), readyState(bSocket)], [1, 1]);
    assert.equal(stateOf(b).players[a.room.sessionId]?.anim, "idle", "a not marked away");
    a.room.send("chat", { text: "아직 여기 있어" });
    await waitFor("a's line", () => stateOf(b).chat.some((line) => line.from === a.room.sessionId && line.text === "아직 여기 있어"));
    b.room.send("chat", { text: "나도" });
    await waitFor("b's line", () => stateOf(a).chat.some((line) => line.from === b.room.sessionId && line.text === "나도"));
    assert.ok(a.room.connection.isOpen && b.room.connection.isOpen);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });
});
