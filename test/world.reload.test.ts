import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@colyseus/sdk";

import { createLogger } from "../common/log.js";
import { fileReloads, npcAnswers } from "../common/metrics.js";
import type { WorldState } from "../rooms/world-state.js";
import { loadConfig } from "../server/config.js";
import { reloadWorldOnChange } from "../server/world-files/world-reload.js";
import { startAskedWorker } from "./helpers/embedded-worker.js";
import { saveWorld } from "./helpers/save-world.js";
import { sleep, startTestWorld, stateOf, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

const BAKER = join(import.meta.dirname, "..", "npc", "knowledge", "baker.jsonl");
const HANS = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10, greetings: ["{name}, 대장간에 온 걸 환영하네."] };
const HERMIT = { id: "hermit", name: "은둔자", position: { x: 40, y: 0, z: 40 }, talkRadius: 5 };
const AT_START = { hearing: { mode: "proximity", radius: 8 }, sight: { radius: 30 }, npcs: [HANS, HERMIT] };
// Moved off the spawn point, a smaller radius, other greetings (at once again), and idle lines.
const MOVED = {
  hearing: { mode: "proximity", radius: 12 },
  sight: { radius: 30 },
  npcs: [
    { ...HANS, position: { x: 6, y: 0, z: 6 }, talkRadius: 2, greetings: ["{name}, 새 대장간에 어서 오게."], greetAgainSeconds: 0, idleLines: ["망치 소리 좋지."], idleEverySeconds: 0.3 },
    HERMIT,
  ],
};

// Hans comes up to a player standing 4 m from him.
const NEAR = { ...MOVED, npcs: [{ ...MOVED.npcs[0], position: { x: 6, y: 0, z: 3 } }, HERMIT] };

describe("the world file saved while a process starts (server/world-files/world-reload.ts)", () => {
  it("takes an edit saved between reading the file and watching it, and nothing when there was none", () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-starting-")), "world.json");
    saveWorld(file, AT_START);
    const config = loadConfig({ WORLD_FILE: file });
    const quiet = createLogger({}, "silent");
    const applied: string[] = [];
    reloadWorldOnChange(config, quiet, (world) => applied.push(world.npcs[0]!.name)).close();
    assert.equal(applied.length, 0, "the file as read at start: nothing to take");
    saveWorld(file, { ...AT_START, npcs: [{ ...HANS, name: "망치" }, HERMIT] }); // saved while the model loaded, say
    reloadWorldOnChange(config, quiet, (world) => applied.push(world.npcs[0]!.name)).close();
    assert.deepEqual(applied, ["망치"]);
  });
});

describe("two world edits one after another (server/world-files/world-reload.ts)", () => {
  it("checks the second against the first: an NPC the first added and the second removed leaves /metrics", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-two-edits-")), "world.json");
    saveWorld(file, AT_START);
    const miller = { id: "miller-two-edits", name: "방앗간지기", position: { x: 10, y: 0, z: 10 }, talkRadius: 5 };
    const taken: string[][] = [];
    const watching = reloadWorldOnChange(loadConfig({ WORLD_FILE: file, FILE_SETTLE_MS: "50" }), createLogger({}, "silent"), (world) =>
      taken.push(world.npcs.map((npc) => npc.id)),
    );
    const millerSeries = async () => (await npcAnswers.get()).values.filter((value) => value.labels.npc === miller.id).length;
    try {
      saveWorld(file, { ...AT_START, npcs: [HANS, HERMIT, miller] });
      await waitFor("the first edit taken", () => taken.length === 1, 3_000);
      npcAnswers.inc({ npc: miller.id, outcome: "answer" }); // the new NPC answered someone
      assert.equal(await millerSeries(), 1);
      saveWorld(file, AT_START);
      await waitFor("the second edit taken", () => taken.length === 2, 3_000);
      // Gone since the first edit's world, not the start's: checked against the start, the miller was never there.
      await waitFor("the miller's series forgotten", async () => (await millerSeries()) === 0, 3_000);
    } finally {
      watching.close();
    }
  });
});

describe("a world edit refused for a knowledge file it names (server/world-files/world-reload.ts)", () => {
  it("is taken once that knowledge file is mended, though the world file did not change again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "world-knowledge-"));
    const file = join(dir, "world.json");
    const knowledge = join(dir, "hans.jsonl");
    writeFileSync(knowledge, '{"q":"뭐 팔아?","a":"칼과 망치를 팔지."}\n');
    saveWorld(file, { ...AT_START, npcs: [{ ...HANS, knowledge }, HERMIT] });
    const taken: number[] = [];
    const logged: Array<{ msg: string; file?: string; afterMending?: string }> = [];
    const log = createLogger({}, "info", (line) => logged.push(JSON.parse(line)));
    const watching = reloadWorldOnChange(loadConfig({ WORLD_FILE: file, FILE_SETTLE_MS: "50" }), log, (world) => taken.push(world.npcs[0]!.talkRadius));
    try {
      writeFileSync(knowledge, "{이건 JSON이 아니다\n"); // a typo saved in the knowledge file…
      saveWorld(file, { ...AT_START, npcs: [{ ...HANS, knowledge, talkRadius: 3 }, HERMIT] }); // …and another's world edit
      await sleep(500);
      assert.deepEqual(taken, [], "refused: its knowledge file is bad");
      writeFileSync(knowledge, '{"q":"뭐 팔아?","a":"칼을 팔지."}\n'); // the typo mended
      await waitFor("the world edit taken", () => taken.length > 0, 3_000);
      assert.deepEqual(taken, [3]);
      // Said of the world file, after the knowledge file it waited for: the log named the knowledge file alone.
      const reloaded = logged.find((line) => line.msg === "world file reloaded");
      assert.deepEqual([reloaded?.file, reloaded?.afterMending], [file, knowledge]);
    } finally {
      watching.close();
    }
  });
});

describe("a world edit naming a knowledge file in a folder not made yet (server/world-files/world-reload.ts)", () => {
  it("is taken once the folder and the file are there, and says nothing of a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "world-knowledge-folder-"));
    const file = join(dir, "world.json");
    saveWorld(file, AT_START);
    const taken: number[] = [];
    const logged: Array<{ level: string; msg: string }> = [];
    const log = createLogger({}, "info", (line) => logged.push(JSON.parse(line)));
    const watching = reloadWorldOnChange(loadConfig({ WORLD_FILE: file, FILE_SETTLE_MS: "50" }), log, (world) => taken.push(world.npcs[0]!.talkRadius));
    try {
      const knowledge = join(dir, "knowledge", "hans.jsonl");
      saveWorld(file, { ...AT_START, npcs: [{ ...HANS, knowledge, talkRadius: 3 }, HERMIT] });
      await sleep(500);
      assert.deepEqual(taken, [], "refused: its knowledge file is not there");
      mkdirSync(join(dir, "knowledge"));
      writeFileSync(knowledge, '{"q":"뭐 팔아?","a":"칼을 팔지."}\n');
      await waitFor("the world edit taken", () => taken.length > 0, 5_000);
      assert.deepEqual(logged.filter((line) => /not watched/.test(line.msg)), []);
    } finally {
      watching.close();
    }
  });
});

describe("idle lines through frequent world edits (rooms/npc/npc-greetings.ts)", function () {
  this.timeout(30_000);
  it("go on at their interval while other NPCs' lines are edited, or the file is saved unchanged, more often than it", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-idle-")), "world.json");
    const chatty = { ...HANS, greetings: [], idleLines: ["망치 소리 좋지."], idleEverySeconds: 0.8 };
    const at = (hermitName: string) => ({ ...AT_START, npcs: [chatty, { ...HERMIT, name: hermitName }] });
    saveWorld(file, at("은둔자"));
    const world = await startTestWorld({ WORLD_FILE: file, FILE_SETTLE_MS: "20" });
    try {
      const a = await world.join("듣는이"); // at the spawn point, within hans's talk radius
      const idle = () => stateOf(a).chat.filter((line) => line.from === "hans" && line.text === "망치 소리 좋지.").length;
      for (let i = 0; i < 12; i++) {
        saveWorld(file, at(i % 3 === 2 ? `은둔자${i}` : "은둔자")); // a rename now and then, the same file otherwise
        await sleep(300);
      }
      assert.ok(idle() >= 2, `${idle()} idle lines in 3.6 s at one every 0.8 s (none: each edit put the next off)`);
      await a.room.leave();
    } finally {
      await world.stop();
    }
  });
});

describe("the world file written in pieces (FILE_SETTLE_MS)", () => {
  it("waits the settle time the configuration gives: pieces 300 ms apart are taken once, whole, with 600 ms", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-pieces-")), "world.yaml");
    saveWorld(file, AT_START);
    const config = loadConfig({ WORLD_FILE: file, FILE_SETTLE_MS: "600" });
    assert.equal(config.fileWatch.settleMs, 600);
    const taken: string[][] = [];
    const watching = reloadWorldOnChange(config, createLogger({}, "silent"), (world) => taken.push(world.npcs.map((npc) => npc.id)));
    try {
      // The first piece is a good world of its own (hans alone), as a YAML file cut at a line's end can be.
      const head = "hearing: { mode: proximity, radius: 8 }\nsight: { radius: 30 }\nnpcs:\n";
      writeFileSync(file, `${head}  - { id: hans, name: 한스, position: { x: 0, y: 0, z: 4 } }\n`);
      await sleep(300);
      appendFileSync(file, "  - { id: mina, name: 미나, position: { x: 4, y: 0, z: 0 } }\n");
      await waitFor("the world taken", () => taken.length > 0, 3_000);
      await sleep(800);
      assert.deepEqual(taken, [["hans", "mina"]]);
    } finally {
      watching.close();
    }
  });
});

describe("the world file edited while the server runs (server/world-files/world-reload.ts)", function () {
  this.timeout(30_000);
  let world: TestWorld;
  let file: string;
  const logged: Array<{ level: string; msg: string; problem?: string; changes?: string[] }> = [];

  before(async () => {
    file = join(mkdtempSync(join(tmpdir(), "world-reload-")), "world.json");
    saveWorld(file, AT_START);
    const log = createLogger({}, "info", (line) => logged.push(JSON.parse(line) as (typeof logged)[number]));
    world = await startTestWorld({ WORLD_FILE: file }, { log });
  });
  after(() => world.stop());

  it("moves NPCs and changes their lines, radii and the hearing radius in running rooms and in rooms made later", async () => {
    const a = await world.join("민수");
    await waitFor("the greeting of the file at start", () => stateOf(a).chat.some((l) => l.text === "민수, 대장간에 온 걸 환영하네."));

    saveWorld(file, MOVED);
    await waitFor("hans moved in the player's state", () => stateOf(a).npcs.hans?.x === 6 && stateOf(a).npcs.hans?.talkRadius === 2);
    assert.deepEqual({ ...stateOf(a).npcs.hans, status: undefined, rotY: undefined }, { name: "한스", x: 6, y: 0, z: 6, talkRadius: 2, privateTalk: false, status: undefined, rotY: undefined });
    assert.equal(stateOf(a).hearingRadius, 12);
    assert.ok(logged.some((l) => l.msg === "world file reloaded"), JSON.stringify(logged));

    a.room.send("chat", { text: "@한스 안녕하세요" }); // from the spawn point, 8 m away now
    const far = await waitFor("too_far by the new radius", () => a.errors.find((e) => e.code === "too_far"));
    assert.match(far.message, /come within 2 m to talk$/);

    await walkTo(a, 6, 2); // 4 m from hans: no visit
    await sleep(300);
    assert.ok(!stateOf(a).chat.some((l) => l.text.includes("새 대장간")), "not greeted from 4 m");
    saveWorld(file, NEAR);
    await waitFor("the new greeting, hans having come to the player", () => stateOf(a).chat.some((l) => l.text === "민수, 새 대장간에 어서 오게."));
    await waitFor("an idle line of the new file", () => stateOf(a).chat.some((l) => l.from === "hans" && l.text === "망치 소리 좋지."));

    const later = await new Client(world.url).create<WorldState>("world", { name: "지영" });
    try {
      await waitFor("the new room's state", () => later.state?.npcs?.get("hans") !== undefined);
      assert.deepEqual([later.state.npcs.get("hans")!.x, later.state.npcs.get("hans")!.talkRadius, later.state.hearingRadius], [6, 2, 12]);
    } finally {
      await later.leave();
    }
    await a.room.leave();
  });

  it("keeps the world it has, and logs why, when an edit fails the start's checks or needs a restart", async () => {
    const a = await world.join("철수");
    const errors = () => logged.filter((l) => l.level === "error");
    const before = errors().length;
    const counted = async () => Object.fromEntries((await fileReloads.get()).values.filter((v) => v.labels.file === "world").map((v) => [v.labels.outcome, v.value]));
    const countedBefore = await counted();

    // Renamed and moved, with hearing turned from proximity to the whole room (players' views were made for one):
    // none of the edit is taken.
    saveWorld(file, { ...MOVED, hearing: { mode: "room" }, npcs: [{ ...MOVED.npcs[0], name: "망치", position: { x: -6, y: 0, z: -6 } }, { ...HERMIT, knowledge: BAKER }] });
    await waitFor("the edit logged as needing a restart", () => errors().length === before + 1);
    assert.deepEqual(errors().at(-1)!.changes, ["hearing.mode (proximity → room)"]);

    saveWorld(file, "{ \"npcs\": [ "); // half-written, or a typo
    await waitFor("the broken file logged", () => errors().length === before + 2);
    assert.match(errors().at(-1)!.problem!, /not valid json/);

    saveWorld(file, { ...MOVED, npcs: [{ ...MOVED.npcs[0], position: { x: 90, y: 0, z: 0 } }, HERMIT] });
    await waitFor("the position outside the world logged", () => errors().length === before + 3);
    assert.match(errors().at(-1)!.problem!, /npcs\.0 \(hans\)\.position: \(90, 0, 0\) is outside the world's bounds/);

    await sleep(300);
    const { hans } = stateOf(a).npcs;
    assert.deepEqual([hans!.name, hans!.x, hans!.z], ["한스", 6, 3], "where the last edit taken put him");
    const countedAfter = await counted();
    assert.deepEqual(
      [countedAfter.needs_restart! - (countedBefore.needs_restart ?? 0), countedAfter.refused! - (countedBefore.refused ?? 0), countedAfter.taken],
      [1, 2, countedBefore.taken],
      "kobot_file_reloads_total{file=\"world\"} by outcome",
    );
    await a.room.leave();
  });

  it("takes a new sight radius at once: a player beyond it leaves the others' state though nobody moved", async () => {
    const a = await world.join("가람");
    const b = await world.joinBeside(a, "나래");
    await waitFor("each in the other's sight", () => Object.keys(stateOf(a).players).length === 2);
    saveWorld(file, { ...NEAR, sight: { radius: 0.001 } }); // nearer than any two players stand
    await waitFor("b out of a's sight", () => Object.keys(stateOf(a).players).length === 1 && stateOf(a).players[a.room.sessionId]);
    saveWorld(file, NEAR);
    await waitFor("b back in a's sight", () => stateOf(a).players[b.room.sessionId]);
    await Promise.all([a.room.leave(), b.room.leave()]);
  });

  it("gives the NPC worker an edit's unsure lines: the next answer follows them", async () => {
    await world.startWorker();
    const a = await world.join("영희");
    await walkTo(a, 6, 5); // within hans's 2 m
    const answers = () => stateOf(a).chat.filter((l) => l.kind === "npc" && l.from === "hans" && l.replyTo !== "");
    a.room.send("chat", { text: "@한스 오늘 뭐 했어?" });
    await waitFor("the model's answer", () => answers().length === 1, 20_000);
    assert.notEqual(answers()[0]!.text, "글쎄, 모르겠네.");

    // Every answer is less sure than a bar of 0: each gives way to the unsure line.
    const reloads = () => logged.filter((l) => l.msg === "world file reloaded").length;
    const before = reloads();
    saveWorld(file, { ...MOVED, npcs: [{ ...MOVED.npcs[0], unsure: { below: 0, lines: ["글쎄, 모르겠네."] } }, HERMIT] });
    await waitFor("the edit taken", () => reloads() === before + 1);
    a.room.send("chat", { text: "@한스 오늘 뭐 했어?" });
    await waitFor("the second answer", () => answers().length === 2, 20_000);
    assert.equal(answers()[1]!.text, "글쎄, 모르겠네.");
    await a.room.leave();
  });

  it("reaches the embedded worker's thread, and a thread that replaces a dead one starts with the edit, taken before or while it starts", async () => {
    const own = join(mkdtempSync(join(tmpdir(), "world-reload-")), "world.json");
    saveWorld(own, AT_START);
    const config = loadConfig({ WORLD_FILE: own, SERVER_ID: "s1" });
    const { worker, ask, crash } = await startAskedWorker(config);
    const said = async () => (await ask("hans", "오늘 뭐 했어?")).text;
    try {
      const [hans, ...others] = config.brains;
      const full = await said();
      assert.deepEqual(await worker.replaceSettings([{ ...hans!, generation: { maxNewTokens: 2 } }, ...others]), ["hans", "hermit"]);
      const short = await said();
      assert.ok(short.length > 0 && short.length < full.length, `${short} / ${full}`);

      await worker.replaceSettings([{ ...hans!, unsure: { below: 0, lines: ["글쎄, 모르겠네."] } }, ...others]);
      await crash();
      assert.equal(await said(), "글쎄, 모르겠네.");

      // Settings given while no thread runs are taken all the same: the next thread starts with them.
      await crash();
      assert.deepEqual(await worker.replaceSettings([hans!, ...others]), ["hans", "hermit"]);
      assert.equal(await said(), full);

      // An NPC added with its knowledge file, on the thread and on a thread that replaced it.
      const mina = { npcId: "mina", name: "미나", model: "default", modelDir: hans!.modelDir, knowledge: BAKER, scriptedAbove: 0.8 };
      assert.deepEqual(await worker.replaceSettings([hans!, ...others, mina]), ["hans", "hermit", "mina"]);
      assert.equal((await ask("mina", "여기서 뭐 팔아?")).text, "갓 구운 빵이랑 케이크를 팔아요.");
      await crash();
      assert.equal((await ask("mina", "빵 얼마야?")).text, "식빵 한 덩이에 동전 세 닢이에요.");
    } finally {
      await worker.stop();
    }
  });
});
