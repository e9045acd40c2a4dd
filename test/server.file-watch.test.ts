import assert from "node:assert/strict";
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify as toYaml } from "yaml";

import { createLogger } from "../common/log.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { loadConfig } from "../server/config.js";
import { watchFiles } from "../server/world-files/file-watch.js";
import { reloadKnowledgeOnChange } from "../server/world-files/knowledge-reload.js";
import { reloadWorldOnChange } from "../server/world-files/world-reload.js";
import { sleep, waitFor } from "./helpers/world.js";

/** Longer than the watcher waits for a file to settle (150 ms): the reloader reads the file between two writes. */
const PAUSE_MS = 400;

const npc = (id: string, name: string, x: number) => ({ id, name, position: { x, y: 0, z: 4 }, talkRadius: 10 });
const ONE = { npcs: [npc("hans", "한스", 0)] };
const TWO = { npcs: [npc("hans", "한스", 0), npc("mina", "미나", 5)] };

/** The world file's reloader on `file`, with what it took (the NPCs' ids of each world taken) and what it logged. */
function watchWorld(file: string, onLog: (entry: { level: string; msg: string; problem?: string }) => void = () => {}, folderCheckMs?: number) {
  const taken: string[][] = [];
  const refused: string[] = [];
  const log = createLogger({}, "info", (line) => {
    const entry = JSON.parse(line) as { level: string; msg: string; problem?: string };
    if (entry.level === "error") refused.push(entry.problem ?? entry.msg);
    onLog(entry);
  });
  const config = loadConfig({ WORLD_FILE: file });
  config.fileWatch.folderCheckMs = folderCheckMs;
  const watching = reloadWorldOnChange(config, log, (world) => taken.push(world.npcs.map((n) => n.id)));
  return { taken, refused, close: () => watching.close() };
}

describe("a world or knowledge file caught half-written (server/world-files/file-watch.ts)", () => {
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

  it("takes a YAML world file written in two pieces, the first a good world of one NPC, only whole when they come closer together than the settle time", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "half-world-")), "world.yaml");
    writeFileSync(file, JSON.stringify(ONE));
    const world = watchWorld(file);
    try {
      // Cut at a line's end, between the two NPCs: the first piece alone is a good world of hans.
      const text = toYaml(TWO);
      const cut = text.indexOf("  - id: mina");
      writeFileSync(file, text.slice(0, cut));
      await sleep(50);
      appendFileSync(file, text.slice(cut));
      await waitFor("the whole file taken", () => world.taken.length === 1);
      await sleep(PAUSE_MS);
      assert.deepEqual([world.taken, world.refused], [[["hans", "mina"]], []]);
    } finally {
      world.close();
    }
  });

  it("waits the settle time it is given (settleMs): pieces 300 ms apart are read once, whole, where 150 ms would read the first alone", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "half-world-")), "world.yaml");
    writeFileSync(file, "npcs: []\n");
    const read: string[] = [];
    const watching = watchFiles([file], "world file", createLogger({}, "silent"), (changed) => read.push(readFileSync(changed, "utf8")), { settleMs: 600 });
    try {
      writeFileSync(file, "npcs:\n  - id: hans\n");
      await sleep(300);
      appendFileSync(file, "  - id: mina\n");
      await waitFor("the file read", () => read.length > 0, 3_000);
      await sleep(800);
      assert.deepEqual(read, ["npcs:\n  - id: hans\n  - id: mina\n"]);
    } finally {
      watching.close();
    }
  });

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

/**
 * A folder as Kubernetes mounts a ConfigMap: each file a link into `..data`, itself a link to a folder named by the
 * time it was written. An update writes a new such folder, renames a new `..data` link over the old, then removes
 * the old folder (kubelet's AtomicWriter): the files' own links never change.
 */
function configMap(files: Record<string, string>) {
  const mount = mkdtempSync(join(tmpdir(), "configmap-"));
  let version = 0;
  const publish = (contents: Record<string, string>) => {
    const old = version ? `..2026_12_04_10_0${version}_00.00000000${version}` : undefined;
    const dir = `..2026_12_04_10_0${++version}_00.00000000${version}`;
    mkdirSync(join(mount, dir));
    for (const [name, text] of Object.entries(contents)) writeFileSync(join(mount, dir, name), text);
    symlinkSync(dir, join(mount, "..data_tmp"));
    renameSync(join(mount, "..data_tmp"), join(mount, "..data"));
    if (old) rmSync(join(mount, old), { recursive: true });
  };
  publish(files);
  for (const name of Object.keys(files)) symlinkSync(join("..data", name), join(mount, name));
  return { mount, publish };
}

describe("world and knowledge files mounted from a Kubernetes ConfigMap (server/world-files/file-watch.ts)", () => {
  it("takes the world file of each update that swaps the `..data` link", async () => {
    const { mount, publish } = configMap({ "world.json": JSON.stringify(ONE) });
    const world = watchWorld(join(mount, "world.json"));
    try {
      publish({ "world.json": JSON.stringify(TWO) });
      await waitFor("the updated world taken", () => world.taken.length === 1, 3_000);
      publish({ "world.json": JSON.stringify(ONE) });
      await waitFor("the next update taken", () => world.taken.length === 2, 3_000);
      await sleep(PAUSE_MS);
      assert.deepEqual([world.taken, world.refused], [[["hans", "mina"], ["hans"]], []]);
    } finally {
      world.close();
    }
  });

  it("takes a knowledge file of an update that swaps the `..data` link", async () => {
    const pair = (a: string) => JSON.stringify({ q: "이름이 뭐야?", a }) + "\n";
    const { mount, publish } = configMap({ "hans.jsonl": pair("한스야."), "mina.jsonl": pair("미나예요.") });
    const specs = ["hans", "mina"].map((id) => ({ npcId: id, model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: join(mount, `${id}.jsonl`) }));
    const applied: string[] = [];
    const watching = reloadKnowledgeOnChange(specs, undefined, createLogger({}, "silent"), async (file, pairs) => {
      applied.push(pairs[0]!.a);
      return [file];
    });
    try {
      publish({ "hans.jsonl": pair("망치 한스야."), "mina.jsonl": pair("미나예요.") });
      await waitFor("the updated file taken", () => applied.includes("망치 한스야."), 3_000);
      await sleep(PAUSE_MS);
      // Both links now lead elsewhere, so both are read again; what matters is that hans's new line is known.
      assert.ok(applied.every((a) => ["망치 한스야.", "미나예요."].includes(a)), applied.join(", "));
    } finally {
      watching.close();
    }
  });
});

describe("a world or knowledge file that is a link into another folder (server/world-files/file-watch.ts)", () => {
  it("takes an edit in place of the file the link leads to, and of the next one once the link leads elsewhere", async () => {
    const mount = mkdtempSync(join(tmpdir(), "linked-"));
    const [studio, next] = [mkdtempSync(join(tmpdir(), "studio-")), mkdtempSync(join(tmpdir(), "studio-next-"))];
    writeFileSync(join(studio, "world.json"), JSON.stringify(ONE));
    writeFileSync(join(next, "world.json"), JSON.stringify(ONE));
    symlinkSync(join(studio, "world.json"), join(mount, "world.json"));
    const world = watchWorld(join(mount, "world.json"));
    try {
      writeFileSync(join(studio, "world.json"), JSON.stringify(TWO));
      await waitFor("the edit where the link leads taken", () => world.taken.length === 1, 3_000);
      unlinkSync(join(mount, "world.json"));
      symlinkSync(join(next, "world.json"), join(mount, "world.json"));
      await waitFor("the file the link leads to now taken", () => world.taken.length === 2, 3_000);
      writeFileSync(join(next, "world.json"), JSON.stringify(TWO));
      await waitFor("an edit of that one taken", () => world.taken.length === 3, 3_000);
      await sleep(PAUSE_MS);
      assert.deepEqual([world.taken, world.refused], [[["hans", "mina"], ["hans"], ["hans", "mina"]], []]);
    } finally {
      world.close();
    }
  });
});

describe("a world file's folder swapped for another under its name (a deploy's `mv worlds.new worlds`)", () => {
  it("takes the new folder's world file, and the edits made in it after", async () => {
    const root = mkdtempSync(join(tmpdir(), "swapped-folder-"));
    mkdirSync(join(root, "worlds"));
    const file = join(root, "worlds", "world.json");
    writeFileSync(file, JSON.stringify(ONE));
    const world = watchWorld(file, undefined, 200); // the folder looked at every 0.2 s (FOLDER_CHECK_MS's 2 s otherwise)
    try {
      mkdirSync(join(root, "worlds.new"));
      writeFileSync(join(root, "worlds.new", "world.json"), JSON.stringify(TWO));
      renameSync(join(root, "worlds"), join(root, "worlds.old"));
      renameSync(join(root, "worlds.new"), join(root, "worlds"));
      await waitFor("the swapped-in world taken", () => world.taken.length === 1, 5_000);
      writeFileSync(file, JSON.stringify(ONE)); // the watcher stayed on the old folder: this and every edit after went unseen
      await waitFor("an edit in the new folder taken", () => world.taken.length === 2, 5_000);
      assert.deepEqual([world.taken, world.refused], [[["hans", "mina"], ["hans"]], []]);
    } finally {
      world.close();
    }
  });

  it("takes the edits made after the folder was removed and made again (`rm -rf worlds && cp -r …`), its inode number reused", async () => {
    const root = mkdtempSync(join(tmpdir(), "remade-folder-"));
    mkdirSync(join(root, "worlds"));
    const file = join(root, "worlds", "world.json");
    writeFileSync(file, JSON.stringify(ONE));
    const world = watchWorld(file, undefined, 200); // the folder looked at every 0.2 s (FOLDER_CHECK_MS's 2 s otherwise)
    try {
      await sleep(300);
      rmSync(join(root, "worlds"), { recursive: true });
      mkdirSync(join(root, "worlds"));
      writeFileSync(file, JSON.stringify(TWO));
      await sleep(600); // past the folder check
      const taken = world.taken.length;
      writeFileSync(file, JSON.stringify(ONE)); // the watcher stayed on the removed folder: unseen
      await waitFor("an edit in the new folder taken", () => world.taken.length > taken, 5_000);
      assert.deepEqual(world.taken.at(-1), ["hans"]);
    } finally {
      world.close();
    }
  });
});
