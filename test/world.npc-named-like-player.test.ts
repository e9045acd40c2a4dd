import { Client } from "@colyseus/sdk";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createLogger } from "../common/log.js";
import type { QuestionMessage } from "../kafka/contract.js";
import type { WorldState } from "../rooms/world-state.js";
import { saveWorld } from "./helpers/save-world.js";
import { scriptedAnswer, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

const HANS = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10 };
const MINA = { id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10 };
const SUJI = { id: "suji", name: "수지", position: { x: 4, y: 0, z: 0 }, talkRadius: 10 };

/**
 * Names are checked against the world's NPCs as matchmaking seats a player (HTTP 400). An NPC added by an edit of the
 * world file, named like a player, comes seconds before their join reaches the room, or after they sat down.
 */
describe("an NPC added under a player's name", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let file: string;
  const logged: Array<{ level: string; msg: string; name?: string; npcId?: string }> = [];

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-named-")), "world.json");
    saveWorld(file, { npcs: [HANS] });
    const log = createLogger({}, "info", (line) => logged.push(JSON.parse(line) as (typeof logged)[number]));
    world = await startTestWorld({ WORLD_FILE: file }, { log });
    await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => questions.map((q) => scriptedAnswer(q, `${q.npcId}: ${q.text}`)));
  });
  after(() => world.stop());

  it("refuses, as matchmaking would have, a join seated before the edit that reaches the room after it", async () => {
    const host = await world.join("주인");
    const http = world.url.replace("ws:", "http:");
    // Matchmaking's answer (a seat), before the edit: the name was no NPC's then.
    const seat = await (await fetch(`${http}/matchmake/joinById/${host.room.roomId}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"name":"미나"}' })).json();
    saveWorld(file, { npcs: [HANS, MINA] });
    await waitFor("mina in the room", () => stateOf(host).npcs.mina);
    await assert.rejects(new Client(world.url).consumeSeatReservation<WorldState>(seat), (error: { code?: number; message: string }) => {
      assert.equal(error.code, 400, error.message);
      assert.match(error.message, /name "미나" passes for 미나, an NPC of this world/);
      return true;
    });
    assert.deepEqual(Object.values(stateOf(host).players).map((player) => player.name), ["주인"], "nobody seated under the NPC's name");
    await host.room.leave();
  });

  it("lets a player seated before the edit keep the name, logged for moderators; `@name` calls the NPC", async () => {
    const early = await world.join("수지");
    const other = await world.joinBeside(early, "철수");
    saveWorld(file, { npcs: [HANS, MINA, SUJI] });
    await waitFor("suji in the room", () => stateOf(other).npcs.suji);
    assert.ok(logged.some((l) => l.msg === "a player's name is like an NPC's, added or renamed since they joined" && l.name === "수지" && l.npcId === "suji"));
    assert.equal(stateOf(other).players[early.room.sessionId]?.name, "수지");
    other.room.send("chat", { text: "@수지 안녕" });
    const answer = await waitFor("the NPC's answer", () => stateOf(other).chat.find((line) => line.replyTo !== "" && line.kind === "npc"));
    assert.equal(answer.from, "suji", "the NPC answers, not the player");
    await Promise.all([early.room.leave(), other.room.leave()]);
  });
});
