import assert from "node:assert/strict";
import { mkdtempSync, renameSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createLogger } from "../common/log.js";
import { fileReloads } from "../common/metrics.js";
import { Moderator } from "../moderation/moderator.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import { NpcCast } from "../npc/npc-cast.js";
import { loadConfig } from "../server/config.js";
import { reloadKnowledgeOnChange } from "../server/world-files/knowledge-reload.js";
import { loadWorldFile } from "../server/world-files/world-file.js";
import { startAskedWorker } from "./helpers/embedded-worker.js";
import { savedAsCp949 } from "./helpers/saved-as.js";
import { sleep, waitFor } from "./helpers/world.js";

/** Saved as an editor saves: written beside the file, then renamed over it. */
function save(file: string, pairs: object[] | string | Buffer): void {
  writeFileSync(`${file}.swp`, typeof pairs === "string" || Buffer.isBuffer(pairs) ? pairs : pairs.map((pair) => JSON.stringify(pair)).join("\n") + "\n");
  renameSync(`${file}.swp`, file);
}

const NAME = { q: "이름이 뭐야?", a: "나는 대장장이 한스야." };
const RENAMED = { q: "이름이 뭐야?", a: "다들 나를 망치 한스라고 부르지." };

describe("knowledge files reloaded while the server runs (server/world-files/knowledge-reload.ts)", () => {
  it("gives an NPC a changed file's lines, and keeps its lines when the change fails the start's checks", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "knowledge-")), "hans.jsonl");
    save(file, [NAME]);
    const spec = { npcId: "hans", name: "한스", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: file, scriptedAbove: 0.8 };
    const cast = await NpcCast.load([spec]);
    const said = () => cast.brainFor("hans").scriptedLine("한스 이름이 뭐야?")?.text;
    const errors: string[] = [];
    const log = createLogger({}, "info", (line) => {
      const { level, problem } = JSON.parse(line) as { level: string; problem?: string };
      if (level === "error") errors.push(problem ?? line);
    });
    const counted = async (outcome: string) => (await fileReloads.get()).values.find((v) => v.labels.file === "knowledge" && v.labels.outcome === outcome)?.value ?? 0;
    const [takenBefore, refusedBefore] = [await counted("taken"), await counted("refused")];
    const applied: string[][] = [];
    const watching = reloadKnowledgeOnChange([spec], Moderator.fromFile(), log, async (changed, pairs) => {
      const npcs = cast.replaceKnowledge(changed, pairs);
      applied.push(npcs);
      return npcs;
    });
    try {
      assert.equal(said(), NAME.a);
      save(file, [RENAMED]);
      await waitFor("the new line", () => said() === RENAMED.a);
      assert.deepEqual(applied, [["hans"]]);

      save(file, `${JSON.stringify(NAME)}\n{"q": "어디 살아?", "a": `); // half-written, or a typo
      await waitFor("the broken file logged", () => errors.length === 1);
      assert.match(errors[0]!, /hans\.jsonl:2: not JSON/);
      save(file, [{ q: "기분 어때?", a: "씨발 최악이야" }]); // moderation would swap it for the safe line
      await waitFor("the blocked line logged", () => errors.length === 2);
      assert.match(errors[1]!, /hans\.jsonl:1: "씨발 최악이야" holds "씨발", which moderation blocks/);
      save(file, savedAsCp949(`${JSON.stringify(NAME)}\n`)); // Notepad's "ANSI": taken, it matched no question
      await waitFor("the file in CP949 logged", () => errors.length === 3);
      assert.match(errors[2]!, /hans\.jsonl:1: not UTF-8 \(saved as ANSI\/EUC-KR\?\): save it as UTF-8/);
      await sleep(300);
      assert.equal(said(), RENAMED.a, "the lines it had");
      assert.equal(applied.length, 1);
      assert.deepEqual([(await counted("taken")) - takenBefore, (await counted("refused")) - refusedBefore], [1, 3], "kobot_file_reloads_total");
    } finally {
      watching.close();
      await cast.dispose();
    }
  });

  it("follows the knowledge file of an NPC an edit of the world file adds", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "knowledge-")), "mina.jsonl");
    save(file, [NAME]);
    const hans = { npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR };
    const applied: Array<[string, string]> = [];
    const watching = reloadKnowledgeOnChange([hans], undefined, createLogger({}, "silent"), async (changed, pairs) => {
      applied.push([changed, pairs[0]!.a]);
      return ["mina"];
    });
    try {
      watching.follow([hans, { npcId: "mina", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: file }]);
      save(file, [RENAMED]);
      await waitFor("the added NPC's file reloaded", () => applied.length === 1);
      assert.deepEqual(applied, [[file, RENAMED.a]]);
    } finally {
      watching.close();
    }
  });

  it("stops watching a file no NPC uses after an edit of the world file moves its NPC to another", async () => {
    const folder = mkdtempSync(join(tmpdir(), "knowledge-"));
    const [before, after] = [join(folder, "guide-v1.jsonl"), join(folder, "guide-v2.jsonl")];
    save(before, [NAME]);
    save(after, [NAME]);
    const guide = { npcId: "guide", model: "default", modelDir: DEFAULT_MODEL_DIR };
    const applied: string[] = [];
    const watching = reloadKnowledgeOnChange([{ ...guide, knowledge: before }], undefined, createLogger({}, "silent"), async (changed) => {
      applied.push(changed);
      return ["guide"];
    });
    try {
      watching.follow([{ ...guide, knowledge: after }]);
      save(before, [RENAMED]); // nobody's now: it was reloaded all the same, by a watcher never closed
      save(after, [RENAMED]);
      await waitFor("the file the guide uses reloaded", () => applied.includes(after));
      await sleep(300);
      assert.deepEqual(applied, [after]);
    } finally {
      watching.close();
    }
  });

  it("keeps an edit of a watched file that is still settling when an NPC with a new file is added", async () => {
    const folder = mkdtempSync(join(tmpdir(), "knowledge-"));
    const [hansFile, minaFile] = [join(folder, "hans.jsonl"), join(folder, "mina.jsonl")];
    save(hansFile, [NAME]);
    save(minaFile, [NAME]);
    const hans = { npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: hansFile };
    const applied: Array<[string, string]> = [];
    const watching = reloadKnowledgeOnChange([hans], undefined, createLogger({}, "silent"), async (changed, pairs) => {
      applied.push([changed, pairs[0]!.a]);
      return [];
    });
    try {
      save(hansFile, [RENAMED]);
      await sleep(50); // heard, and settling (150 ms) as the world file's edit adds mina
      watching.follow([hans, { npcId: "mina", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: minaFile }]);
      await waitFor("hans's edit taken", () => applied.length === 1);
      assert.deepEqual(applied, [[hansFile, RENAMED.a]]);
    } finally {
      watching.close();
    }
  });

  it("has the world file's next load check a file it saw change, even one whose size and time the edit kept", async () => {
    const folder = mkdtempSync(join(tmpdir(), "knowledge-"));
    const file = join(folder, "hans.jsonl");
    const good = `${JSON.stringify(NAME)}\n`;
    const anHourAgo = Date.now() / 1000 - 3600; // checked long after its last change: its check is kept
    writeFileSync(file, good);
    utimesSync(file, anHourAgo, anHourAgo);
    const world = join(folder, "world.json");
    writeFileSync(world, JSON.stringify({ npcs: [{ id: "hans", name: "한스", position: { x: 0, y: 0, z: 0 }, knowledge: file }] }));
    const load = () => loadWorldFile(world, DEFAULT_MODEL_DIR, DEFAULT_WORLD_SETTINGS.bounds);
    assert.equal(load().npcs.length, 1);
    const refused: string[] = [];
    const log = createLogger({}, "info", (line) => {
      const { problem } = JSON.parse(line) as { problem?: string };
      if (problem) refused.push(problem);
    });
    const spec = { npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: file };
    const watching = reloadKnowledgeOnChange([spec], undefined, log, async () => ["hans"], { settleMs: 50 });
    try {
      writeFileSync(file, `x${good.slice(1)}`); // broken, as long, its time put back (`cp -p`, rsync -t)
      utimesSync(file, anHourAgo, anHourAgo);
      await waitFor("the watcher's check", () => refused.length === 1);
      assert.throws(load, /npcs\.0 \(hans\)\.knowledge: .*hans\.jsonl:1: not JSON/);
    } finally {
      watching.close();
    }
  });

  it("runs on, saying edits need a restart, where a folder cannot be watched", () => {
    const warnings: string[] = [];
    const log = createLogger({}, "info", (line) => warnings.push((JSON.parse(line) as { msg: string }).msg));
    // A folder the system will not watch, as when out of inotify watches (a folder not made yet is watched once it is).
    const gone = join(mkdtempSync(join(tmpdir(), "knowledge-")), "x".repeat(300), "hans.jsonl");
    const spec = { npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: gone };
    reloadKnowledgeOnChange([spec], undefined, log, async () => []).close();
    assert.deepEqual(warnings, ["knowledge files not watched: edits need a restart"]);
  });

  it("reaches the embedded worker's thread: a player asking again hears the new line, from a thread that replaced a dead one too", async function () {
    this.timeout(60_000);
    const folder = mkdtempSync(join(tmpdir(), "knowledge-world-"));
    const knowledge = join(folder, "hans.jsonl");
    save(knowledge, [NAME]);
    const world = join(folder, "world.json");
    writeFileSync(world, JSON.stringify({
      npcs: [{ id: "hans", name: "한스", position: { x: 0, y: 0, z: 4 }, talkRadius: 10, knowledge: "hans.jsonl", scriptedAbove: 0.8 }],
    }));
    const { worker, ask: askNpc, crash } = await startAskedWorker(loadConfig({ WORLD_FILE: world, SERVER_ID: "s1" }));
    const ask = () => askNpc("hans", "이름이 뭐야?");
    try {
      assert.deepEqual([(await ask()).text, (await ask()).source], [NAME.a, "scripted"]);
      save(knowledge, [RENAMED]);
      const deadline = Date.now() + 10_000;
      while ((await ask()).text !== RENAMED.a) {
        assert.ok(Date.now() < deadline, "the thread says the new line within 10 s");
        await sleep(100);
      }

      // A bad edit is kept out; a thread that dies meanwhile is replaced by one that starts with the lines taken
      // last, where reading the file would stop it from starting.
      const refused = async () => (await fileReloads.get()).values.find((v) => v.labels.file === "knowledge" && v.labels.outcome === "refused")?.value ?? 0;
      const refusedBefore = await refused();
      save(knowledge, "{\"q\": ");
      for (const until = Date.now() + 10_000; (await refused()) === refusedBefore; await sleep(20)) assert.ok(Date.now() < until, "the bad edit refused within 10 s");
      await crash();
      assert.equal((await ask()).text, RENAMED.a);

      // Lines given while no thread runs are taken all the same (the next thread starts with them), not refused.
      await crash();
      assert.deepEqual(await worker.replaceKnowledge(knowledge, [NAME]), ["hans"]);
      assert.equal((await ask()).text, NAME.a);

      // And while the next thread loads (its cast copied already): it is sent the lines once up.
      await crash();
      await sleep(50);
      assert.deepEqual(await worker.replaceKnowledge(knowledge, [RENAMED]), ["hans"]);
      assert.equal((await ask()).text, RENAMED.a);
    } finally {
      await worker.stop();
    }
  });
});
