import assert from "node:assert/strict";
import { Client } from "@colyseus/sdk";

import { KICKED_CLOSE } from "../rooms/world-protocol.js";
import type { WorldState } from "../rooms/world-state.js";
import { joinWorld, signedIn, sleep, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

describe("moderators' kicks (POST /api/kicks): a player out of their room now, signed in or not", function () {
  let world: TestWorld;
  let http: string;
  const admin = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64"), "content-type": "application/json" };
  const kick = (body: unknown, headers: Record<string, string> = admin) => fetch(`${http}/api/kicks`, { method: "POST", headers, body: JSON.stringify(body) });

  before(async () => {
    world = await startTestWorld({ ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" });
    http = world.url.replace("ws://", "http://");
  });
  after(() => world.stop());

  it("puts the player out with KICKED_CLOSE, keeps no place for them, leaves the others, and lets them join again", async () => {
    const rowdy = await world.join("소란꾼");
    const calm = await world.joinBeside(rowdy, "조용한");
    let leftWith: number | undefined;
    rowdy.room.onLeave((code: number) => (leftWith = code));
    const response = await kick({ player: rowdy.room.sessionId, reason: "도배" });
    assert.equal(response.status, 202, await response.clone().text());
    await waitFor("the player put out", () => leftWith);
    assert.equal(leftWith, KICKED_CLOSE);
    await waitFor("the avatar gone at once, not kept 20 s for a reconnection", () => stateOf(calm).players[rowdy.room.sessionId] === undefined);
    assert.ok(calm.room.connection.isOpen, "the others stay");
    const back = await world.joinBeside(calm, "소란꾼");
    await waitFor("back in the room", () => stateOf(calm).players[back.room.sessionId]);
    const metrics = await (await fetch(`${http}/metrics`)).text();
    assert.ok(Number(/^kobot_sanctions_total\{sanction="kick"\} (\d+)$/m.exec(metrics)?.[1]) >= 1, "kicks counted");
  });

  it("puts out a player kicked while dropped as soon as they take their place back (which skips the join)", async () => {
    const host = await world.join("주인");
    const client = new Client(world.url);
    const away = await client.joinById<WorldState>(host.room.roomId, { name: "자리비움" });
    await waitFor("the first state", () => away.state?.players !== undefined);
    // The socket dies without a leave: the room keeps the place 20 s for a reconnection.
    (away.connection as unknown as { transport: { ws: { close(code: number): void } } }).transport.ws.close(4999);
    await waitFor("the avatar away", () => stateOf(host).players[away.sessionId]?.anim === "away");
    assert.equal((await kick({ player: away.sessionId })).status, 202);
    await assert.rejects(client.reconnect<WorldState>(away.reconnectionToken), (error: { code?: number; message: string }) => {
      assert.equal(error.code, KICKED_CLOSE, error.message);
      return true;
    });
    await waitFor("the avatar gone", () => stateOf(host).players[away.sessionId] === undefined);
  });

  it("puts out the player's live socket after they took their seat over on a second one, whose first is closed", async () => {
    const host = await world.join("주인2");
    const first = await new Client(world.url).joinById<WorldState>(host.room.roomId, { name: "두소켓" });
    await waitFor("the first state", () => first.state?.players !== undefined);
    // The same player's second connection, with their token: it takes the seat over from the first, still open.
    const second = await new Client(world.url).reconnect<WorldState>(first.reconnectionToken);
    // The first socket was left open, deaf: an error on it (a frame too big) then made every kick and ban pass the
    // player by, and 30 takeovers held 32 sockets.
    await waitFor("the first socket closed by the server", () => !first.connection.isOpen, 3000);
    let leftWith: number | undefined;
    second.onLeave((code: number) => (leftWith = code));
    assert.equal((await kick({ player: second.sessionId })).status, 202);
    await waitFor("the live socket put out", () => leftWith);
    assert.equal(leftWith, KICKED_CLOSE);
    await host.room.leave();
  });

  it("is for admins only, and says what is wrong with a bad kick", async () => {
    assert.equal((await kick({ player: "x" }, { "content-type": "application/json" })).status, 401);
    for (const body of [{}, { player: "x", account: "y" }, { name: "x" }]) {
      const bad = await kick(body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.match(((await bad.json()) as { details: string }).details, /player|account|name/);
    }
  });
});

describe("moderators' kicks of a signed-in player's account (POST /api/kicks {account})", function () {
  const SECRET = "a secret the game's login and this server share";
  let world: TestWorld;
  const admin = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64"), "content-type": "application/json" };

  before(async () => {
    world = await startTestWorld({ ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", AUTH_SECRET: SECRET });
  });
  after(() => world.stop());

  it("puts out every session of the account, one that joined again since a report included, and no one else", async () => {
    const first = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-rowdy", "소란꾼"));
    const reportedSession = first.room.sessionId;
    await first.room.leave(); // left and joined again: the report's session is gone
    const again = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "acc-rowdy", "소란꾼"));
    const calm = await joinWorld(world.url, {}, again.room.roomId, await signedIn(SECRET, "acc-calm", "조용한"));
    let leftWith: number | undefined;
    again.room.onLeave((code: number) => (leftWith = code));
    const http = world.url.replace("ws://", "http://");
    const stale = await fetch(`${http}/api/kicks`, { method: "POST", headers: admin, body: JSON.stringify({ player: reportedSession }) });
    assert.equal(stale.status, 202);
    await sleep(300);
    assert.equal(leftWith, undefined, "the report's session reaches nobody");
    const byAccount = await fetch(`${http}/api/kicks`, { method: "POST", headers: admin, body: JSON.stringify({ account: "acc-rowdy", reason: "도배" }) });
    assert.equal(byAccount.status, 202);
    assert.deepEqual(await byAccount.json(), { account: "acc-rowdy" });
    await waitFor("the account's player put out", () => leftWith);
    assert.equal(leftWith, KICKED_CLOSE);
    assert.ok(calm.room.connection.isOpen, "the others stay");
    await calm.room.leave();
  });
});
