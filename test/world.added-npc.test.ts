import assert from "node:assert/strict";
import { mkdtempSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createLogger } from "../common/log.js";
import { startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

const BAKER = join(import.meta.dirname, "..", "npc", "knowledge", "baker.jsonl");
const HANS = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10 };
const MINA = { id: "mina", name: "미나", position: { x: 0, y: 0, z: -4 }, talkRadius: 10, knowledge: BAKER, scriptedAbove: 0.8, greetings: ["{name} 님, 새 빵집에 어서 오세요!"] };

function save(file: string, world: object): void {
  writeFileSync(`${file}.swp`, JSON.stringify(world));
  renameSync(`${file}.swp`, file);
}

describe("an NPC added to the world file while the server runs", function () {
  this.timeout(60_000);
  let world: TestWorld;
  let file: string;
  const logged: Array<{ level: string; msg: string; name?: string; npcId?: string }> = [];

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-added-")), "world.json");
    save(file, { npcs: [HANS] });
    const log = createLogger({}, "info", (line) => logged.push(JSON.parse(line) as (typeof logged)[number]));
    world = await startTestWorld({ WORLD_FILE: file }, { log });
    await world.startWorker();
  });
  after(() => world.stop());

  it("comes into running rooms, greets the players near, and answers from its own knowledge file", async () => {
    const a = await world.join("영희");
    const early = await world.joinBeside(a, "미나야"); // joined before there was a 미나: keeps the name, and is logged
    assert.deepEqual(Object.keys(stateOf(a).npcs), ["hans"]);
    a.room.onMessage("npc_action", () => {}); // her shop line opens the shop

    save(file, { npcs: [HANS, MINA] });
    await waitFor("mina in the room", () => stateOf(a).npcs.mina);
    assert.deepEqual({ ...stateOf(a).npcs.mina, rotY: undefined, status: undefined }, { name: "미나", x: 0, y: 0, z: -4, talkRadius: 10, rotY: undefined, status: undefined });
    await waitFor("her greeting", () => stateOf(a).chat.some((l) => l.from === "mina" && l.text.includes("영희 님") && l.text.endsWith("새 빵집에 어서 오세요!")));
    assert.ok(logged.some((l) => l.msg === "a player's name is like an NPC's added since they joined" && l.name === "미나야" && l.npcId === "mina"), JSON.stringify(logged.filter((l) => l.level === "warn")));

    a.room.send("chat", { text: "@미나 여기서 뭐 팔아?" });
    const answer = await waitFor("her answer", () => stateOf(a).chat.find((l) => l.from === "mina" && l.replyTo !== ""), 20_000);
    assert.equal(answer.text, "갓 구운 빵이랑 케이크를 팔아요.", "her knowledge file's line, said as written");
    await Promise.all([a.room.leave(), early.room.leave()]);
  });

  it("is refused, with the world kept, when it speaks with a model the workers have not loaded", async () => {
    // The shipped model under another folder's name: a model as far as the workers know, not one they loaded.
    const other = join(mkdtempSync(join(tmpdir(), "model-")), "other");
    symlinkSync(join(import.meta.dirname, "..", "npc", "model"), other);
    const errors = () => logged.filter((l) => l.level === "error") as Array<{ changes?: string[] }>;
    const before = errors().length;
    save(file, { models: { other }, npcs: [HANS, MINA, { ...HANS, id: "guard", name: "경비", model: "other" }] });
    await waitFor("the edit logged", () => errors().length > before);
    assert.deepEqual(errors().at(-1)!.changes, ["npcs.guard.model (other: a model the running workers have not loaded)"]);
    const a = await world.join("철수");
    assert.deepEqual(Object.keys(stateOf(a).npcs).sort(), ["hans", "mina"]);
    await a.room.leave();
  });
});
