import assert from "node:assert/strict";
import { appendFileSync, closeSync, mkdtempSync, openSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";

import { createLogger } from "../common/log.js";
import { DEFAULT_MODEL_DIR } from "../npc/model-folder.js";
import { loadConfig } from "../server/config.js";
import { reloadKnowledgeOnChange } from "../server/knowledge-reload.js";
import { reloadWorldOnChange } from "../server/world-reload.js";
import { sleep, waitFor } from "./helpers/world.js";

/** Longer than the watcher waits for a file to settle (150 ms): the reloader reads the file between two writes. */
const PAUSE_MS = 400;

const npc = (id: string, name: string, x: number) => ({ id, name, position: { x, y: 0, z: 4 }, talkRadius: 10 });
const ONE = { npcs: [npc("hans", "한스", 0)] };
const TWO = { npcs: [npc("hans", "한스", 0), npc("mina", "미나", 5)] };

/** The world file's reloader on `file`, with what it took (the NPCs' ids of each world taken) and what it logged. */
function watchWorld(file: string, onLog: (entry: { level: string; msg: string; problem?: string }) => void = () => {}) {
  const taken: string[][] = [];
  const refused: string[] = [];
  const log = createLogger({}, "info", (line) => {
    const entry = JSON.parse(line) as { level: string; msg: string; problem?: string };
    if (entry.level === "error") refused.push(entry.problem ?? entry.msg);
    onLog(entry);
  });
  const watching = reloadWorldOnChange(loadConfig({ WORLD_FILE: file }), log, (world) => taken.push(world.npcs.map((n) => n.id)));
  return { taken, refused, close: () => watching.close() };
}

describe("a world or knowledge file caught half-written (server/file-watch.ts)", () => {
  for (const [ext, text] of [["json", JSON.stringify(TWO, null, 2)], ["yaml", toYaml(TWO)]] as const) {
    it(`refuses a ${ext} world file written in two pieces, keeping the world, and takes it once the second is written`, async () => {
      const file = join(mkdtempSync(join(tmpdir(), "half-world-")), `world.${ext}`);
      writeFileSync(file, JSON.stringify(ONE));
      const world = watchWorld(file);
      try {
        // Cut inside the second NPC: a YAML cut between two NPCs would be a good world of one.
        const cut = text.indexOf("미나") + 1;
        writeFileSync(file, text.slice(0, cut));
        await waitFor("the half-written file refused", () => world.refused.length === 1);
        assert.deepEqual(world.taken, []);
        await sleep(PAUSE_MS);
        appendFileSync(file, text.slice(cut));
        await waitFor("the whole file taken", () => world.taken.length === 1);
        assert.deepEqual(world.taken, [["hans", "mina"]]);
      } finally {
        world.close();
      }
    });
  }

  it("refuses a world file truncated and left empty a while (as `cp` or an editor saving in place does), and takes what is written then", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "half-world-")), "world.json");
    writeFileSync(file, JSON.stringify(ONE));
    const world = watchWorld(file);
    try {
      truncateSync(file, 0);
      await waitFor("the empty file refused", () => world.refused.length === 1);
      await sleep(PAUSE_MS);
      // In pieces through one descriptor, as `cp` writes, each closer together than the settling time.
      const fd = openSync(file, "r+");
      const text = JSON.stringify(TWO, null, 2);
      for (let at = 0; at < text.length; at += 40) {
        writeSync(fd, text.slice(at, at + 40));
        await sleep(10);
      }
      closeSync(fd);
      await waitFor("the whole file taken", () => world.taken.length === 1);
      await sleep(PAUSE_MS);
      assert.deepEqual([world.taken, world.refused.length], [[["hans", "mina"]], 1]);
    } finally {
      world.close();
    }
  });

  it("takes the whole world file when its last piece is written while the half-written file is being refused", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "half-world-")), "world.json");
    writeFileSync(file, JSON.stringify(ONE));
    const text = JSON.stringify(TWO);
    let finished = false;
    // The rest lands in the middle of the reload: after the read, before the reloader is done with it.
    const world = watchWorld(file, (entry) => {
      if (entry.level !== "error" || finished) return;
      finished = true;
      appendFileSync(file, text.slice(text.length / 2));
    });
    try {
      writeFileSync(file, text.slice(0, text.length / 2));
      await waitFor("the whole file taken", () => world.taken.length === 1);
      assert.deepEqual([world.taken, world.refused.length], [[["hans", "mina"]], 1]);
    } finally {
      world.close();
    }
  });

  it("ends with a knowledge file's last lines when the file is written again while its NPCs still take the half-written one", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "half-knowledge-")), "hans.jsonl");
    const lines = ["이름이 뭐야?", "어디 살아?", "뭐 팔아?"].map((q, i) => JSON.stringify({ q, a: `대답 ${i}` }) + "\n");
    writeFileSync(file, lines[0]!);
    const spec = { npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: file };
    const applied: number[] = [];
    const known: number[] = [];
    const watching = reloadKnowledgeOnChange([spec], undefined, createLogger({}, "silent"), async (_file, pairs) => {
      applied.push(pairs.length);
      // Cut at a line's end, the file is good: its two lines are taken, slowly, while the rest is written.
      if (applied.length === 1) appendFileSync(file, lines[2]!);
      await sleep(applied.length === 1 ? PAUSE_MS * 2 : 0);
      known.push(pairs.length);
      return ["hans"];
    });
    try {
      appendFileSync(file, lines[1]!);
      await waitFor("the whole file taken", () => known.length === 2, 5_000);
      assert.deepEqual(applied, [2, 3], "applied in the order read: the last applied is the whole file");
    } finally {
      watching.close();
    }
  });
});

