import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@colyseus/sdk";

import type { WorldState } from "../rooms/world-state.js";

import { saveWorld } from "./helpers/save-world.js";
import { joinWorld, recordingChatLog, signedIn, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

const SECRET = "a secret the game's login and this server share";
const BACKEND_TOKEN = "the-game-backend-calls-the-world-server-with-this";
const ADMIN = { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64"), "content-type": "application/json" };
const SMITH = {
  id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10,
  events: { boss_down: ["용이 쓰러졌다네! 오늘은 내가 쏘지."], quest_done: ["{name}, 수고했네! 검을 벼려 주지."] },
};
const HERMIT = { id: "hermit", name: "은둔자", position: { x: 40, y: 0, z: 40 }, talkRadius: 5 };
const WORLD = { hearing: { mode: "proximity", radius: 8 }, npcs: [SMITH, HERMIT] };


describe("game events the backend fires at NPCs (POST /api/events)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let file: string;
  let http: string;
  const chatLog = recordingChatLog();
  const fire = (body: unknown, headers: Record<string, string> = ADMIN) => fetch(`${http}/api/events`, { method: "POST", headers, body: JSON.stringify(body) });
  const joinAs = async (account: string, name: string, roomId?: string): Promise<TestPlayer> =>
    joinWorld(world.url, {}, roomId, await signedIn(SECRET, account, name));
  /** A player alone in a room of their own. */
  const inNewRoom = async (account: string, name: string): Promise<TestPlayer> => {
    const client = new Client(world.url, { headers: await signedIn(SECRET, account, name) });
    const room = await client.create<WorldState>("world", {});
    await waitFor("the first state", () => room.state?.players !== undefined);
    return { room, errors: [] };
  };
  const linesOf = (player: TestPlayer, npc: string) => stateOf(player).chat.filter((l) => l.kind === "npc" && l.from === npc).map((l) => l.text);

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-events-")), "world.json");
    saveWorld(file, WORLD);
    world = await startTestWorld({ WORLD_FILE: file, AUTH_SECRET: SECRET, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", BACKEND_TOKEN }, { chatLog, world: { maxSpeed: 40 } }); // players walk far fast
    http = world.url.replace("ws://", "http://");
  });
  after(() => world.stop());

  it("has the NPC say its line for the event to the players near it, logged as an unasked event line", async () => {
    const near = await joinAs("acct-a", "에이");
    const far = await joinAs("acct-b", "비비", near.room.roomId);
    await walkTo(far, 30, 30);
    const response = await fire({ npc: "hans", event: "boss_down" });
    assert.equal(response.status, 202);
    await waitFor("the line near hans", () => linesOf(near, "hans").includes("용이 쓰러졌다네! 오늘은 내가 쏘지."));
    await sleep(200);
    assert.deepEqual(linesOf(far, "hans"), [], "beyond the hearing radius, nobody named");
    const said = stateOf(near).chat.find((l) => l.text.startsWith("용이"))!;
    await waitFor("the line logged", () => chatLog.records.some((r) => r.id === said.id));
    const { unasked, event } = chatLog.records.find((r) => r.id === said.id)!;
    assert.deepEqual([unasked, event], ["event", "boss_down"]);
    await Promise.all([near.room.leave(), far.room.leave()]);
  });

  it("names the player it is about, by account or session, who hears it wherever they stand, with the NPC turned to them; only where they play", async () => {
    const near = await joinAs("acct-c", "씨씨");
    const far = await joinAs("acct-d", "디디", near.room.roomId);
    const elsewhere = await inNewRoom("acct-e", "이이");
    await walkTo(far, 20, 4);
    assert.equal((await fire({ npc: "hans", event: "quest_done", account: "acct-d" })).status, 202);
    await waitFor("the far player named", () => linesOf(far, "hans").includes("디디, 수고했네! 검을 벼려 주지."));
    const hans = stateOf(far).npcs.hans!;
    assert.ok(Math.abs(hans.rotY - 90) < 1, `hans turned east to the player at (20, 4): ${hans.rotY}`);

    // By session id, and only in the room named: the same player in another room's id hears nothing.
    assert.equal((await fire({ npc: "hans", event: "quest_done", player: near.room.sessionId, room: "another-room" })).status, 202);
    assert.equal((await fire({ npc: "hans", event: "quest_done", player: near.room.sessionId, room: near.room.roomId })).status, 202);
    await waitFor("the near player named", () => linesOf(near, "hans").includes("씨씨, 수고했네! 검을 벼려 주지."));
    await sleep(200);
    assert.equal(linesOf(near, "hans").filter((t) => t.startsWith("씨씨")).length, 1, "the event for another room was not said here");
    assert.ok(!linesOf(elsewhere, "hans").some((t) => t.includes("수고했네")), "a room without the player hears none");
    await Promise.all([near, far, elsewhere].map((p) => p.room.leave()));
  });

  it("refuses, with a 400 that says what is wrong, an unknown NPC or event, a line needing a name with none given; and callers without BACKEND_TOKEN or an admin's login", async () => {
    const details = async (body: unknown) => {
      const response = await fire(body);
      assert.equal(response.status, 400);
      return ((await response.json()) as { details: string }).details;
    };
    assert.match(await details({ npc: "nobody", event: "boss_down" }), /no NPC "nobody" in this world \(hans, hermit\)/);
    assert.match(await details({ npc: "hans", event: "dragon_dance" }), /hans has no lines for the event "dragon_dance" \(its events: boss_down, quest_done\)/);
    // Every object's own names are no event (they passed, and threw in every room that heard them).
    for (const event of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      assert.match(await details({ npc: "hans", event, player: "p" }), new RegExp(`hans has no lines for the event "${event}"`), event);
    }
    assert.match(await details({ npc: "hans", event: "quest_done" }), /says \{name\}: name the player/);
    assert.match(await details({ npc: "hans", event: "quest_done", player: "p", account: "a" }), /not both/);
    assert.match(await details({ npc: "hans" }), /event/);
    assert.equal((await fire({ npc: "hans", event: "boss_down" }, { "content-type": "application/json" })).status, 401);
    // The backend's own token, with no moderator's login; a wrong one is refused.
    assert.equal((await fire({ npc: "hermit", event: "boss_down" }, { authorization: `Bearer ${BACKEND_TOKEN}` })).status, 400, "let in, and told what is wrong");
    // A right call sent with no Content-Type (Python's requests.post(url, data=…), Java's HttpClient) is let in; a body that
    // is not JSON, or none, is told so.
    const bearer = { authorization: `Bearer ${BACKEND_TOKEN}` };
    const raw = (body: string | undefined) => fetch(`${http}/api/events`, { method: "POST", headers: bearer, ...(body === undefined ? {} : { body: new Blob([body]) }) });
    assert.equal((await raw(JSON.stringify({ npc: "hans", event: "boss_down" }))).status, 202, "no Content-Type");
    const notJson = await raw("{npc: hans");
    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { details: string }).details, /^the body is not JSON: /);
    assert.deepEqual(await (await raw(undefined)).json(), { error: "bad event", details: "no body: send the request as a JSON object" });
    // A route the API does not have says so in JSON, not Express's HTML page.
    const nowhere = await fetch(`${http}/api/event`, { method: "POST", headers: bearer });
    assert.deepEqual([nowhere.status, await nowhere.json()], [404, { error: "no such route: POST /api/event" }]);
    const wrong = await fire({ npc: "hans", event: "boss_down" }, { authorization: "Bearer not-the-backend-token-at-all-but-long-enough" });
    assert.deepEqual([wrong.status, await wrong.json()], [401, { error: "the game backend's token does not match BACKEND_TOKEN" }]);
  });

  it("takes the events an edit of the world file gives, without a restart", async () => {
    const player = await joinAs("acct-g", "지지");
    assert.equal((await fire({ npc: "hermit", event: "storm" })).status, 400);
    saveWorld(file, { ...WORLD, npcs: [{ ...SMITH, position: { x: 0, y: 0, z: 2 } }, { ...HERMIT, events: { storm: ["폭풍이 오는군."] } }] });
    await waitFor("the edit taken", () => stateOf(player).npcs.hans?.z === 2);
    assert.equal((await fire({ npc: "hermit", event: "storm", player: player.room.sessionId })).status, 202);
    await waitFor("the hermit's new line, to the player named though far", () => linesOf(player, "hermit").includes("폭풍이 오는군."));
    await player.room.leave();
  });
});

describe("wrong BACKEND_TOKEN bearers (POST /api/events)", function () {
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld({ BACKEND_TOKEN, TRUST_PROXY: "1" });
  });
  after(() => world.stop());

  it("counts them per address as wrong admin logins are: 5, then 429 for a minute to wrong ones; the right token always passes", async () => {
    const http = world.url.replace("ws://", "http://");
    const fire = (token: string, address: string) =>
      fetch(`${http}/api/events`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-forwarded-for": address }, body: "{}" });
    for (let i = 0; i < 5; i++) assert.equal((await fire(`guess-${i}`, "203.0.113.9")).status, 401, `guess ${i}`);
    const waiting = await fire("guess-5", "203.0.113.9");
    assert.equal(waiting.status, 429, "the guessing address waits");
    assert.ok(Number(waiting.headers.get("retry-after")) > 0);
    assert.match(((await waiting.json()) as { error: string }).error, /too many wrong backend tokens/);
    // The backend behind the same address (a NAT, an untrusted proxy) is not locked out by a stranger's guesses.
    assert.equal((await fire(BACKEND_TOKEN, "203.0.113.9")).status, 400, "the right token gets past the check (to the body's 400)");
    assert.equal((await fire(BACKEND_TOKEN, "198.51.100.4")).status, 400, "another address with the token too");
  });

  it("clears an address's wrong tries on its right token: stale calls while BACKEND_TOKEN is rotated make nobody wait", async () => {
    const http = world.url.replace("ws://", "http://");
    const fire = (token: string) =>
      fetch(`${http}/api/events`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-forwarded-for": "192.0.2.7" }, body: "{}" });
    for (let i = 0; i < 4; i++) assert.equal((await fire("the-token-before-rotation")).status, 401, `stale call ${i}`);
    assert.equal((await fire(BACKEND_TOKEN)).status, 400);
    assert.equal((await fire("the-token-before-rotation")).status, 401, "one more stale call is the first of a new count");
    assert.equal((await fire(BACKEND_TOKEN)).status, 400);
  });
});
