import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

import { savedAsCp949 } from "./helpers/saved-as.js";

const run = promisify(execFile);
/** `npm run check:world -- …`: its exit code and what it printed. */
const check = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "server/world-files/check-world.ts", ...args], { encoding: "utf8" }).then(
    ({ stdout }) => ({ code: 0, out: stdout }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, out: error.stdout + error.stderr }),
  );

describe("npm run check:world (server/world-files/check-world.ts)", () => {
  const folder = mkdtempSync(join(tmpdir(), "check-world-"));
  // The village, its relative paths made absolute so that a copy elsewhere names the same files.
  const village = readFileSync("worlds/village.yaml", "utf8").replaceAll("../npc/", `${resolve("npc")}/`);
  const save = (name: string, text: string) => {
    writeFileSync(join(folder, name), text);
    return join(folder, name);
  };

  it("says a good file is good, with its NPCs; with --live, whether running servers and workers take it", async () => {
    const good = await check("worlds/village.yaml");
    assert.deepEqual(good, { code: 0, out: "worlds/village.yaml: good. 3 NPCs: 코봇 (kobot), 한스 (hans), 미나 (mina, walks); hearing room; sight everyone\n" });
    const moved = save("moved.yaml", village.replace("position: { x: -20, y: 0, z: -10 }", "position: { x: -25, y: 0, z: -10 }"));
    const taken = await check(moved, "--live", "worlds/village.yaml");
    assert.equal(taken.code, 0, taken.out);
    assert.match(taken.out, /running servers and workers take it as it is\n$/);
  });

  it("reads WORLD_FILE as the server does: a space after the name is part of it, and no such file", async () => {
    const spaced = await run(process.execPath, ["--import", "tsx", "server/world-files/check-world.ts"], { encoding: "utf8", env: { ...process.env, WORLD_FILE: "worlds/village.yaml " } }).then(
      () => ({ code: 0 }),
      (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
    );
    assert.equal(spaced.code, 1, "the server refuses it: so does the check");
  });

  it("refuses a MODEL_DIR with no model when NPCs answer with it, which the start lets pass (fallback lines)", async () => {
    const env = { ...process.env, MODEL_DIR: join(folder, "no-model") };
    const missing = await run(process.execPath, ["--import", "tsx", "server/world-files/check-world.ts", "worlds/village.yaml"], { encoding: "utf8", env }).then(
      () => ({ code: 0, out: "" }),
      (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
    );
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.out, /models\.default \(MODEL_DIR .*no-model\): NPC model file missing: .*config\.json; its NPCs \(kobot, hans, mina\) would say only fallback lines/);
  });

  it("exits 2 naming what needs a restart, and 1 with what is wrong in a bad file", async () => {
    const whispering = save("whispering.yaml", village.replace("mode: room ", "mode: proximity "));
    const restart = await check(whispering, "--live", "worlds/village.yaml");
    assert.equal(restart.code, 2, restart.out);
    assert.match(restart.out, /needs a restart of the servers and workers for:\n {2}hearing\.mode \(room → proximity\)\n$/);
    const bad = await check(save("bad.yaml", village.replace("talkRadius: 8", "talkRadius: -1")));
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.out, /npcs\.1 \(hans\)\.talkRadius: /);
    assert.doesNotMatch(bad.out, /good/);
    // Saved by Notepad as "ANSI": it said "good", and its NPC's name was U+FFFD.
    const cp949 = join(folder, "cp949.yaml");
    writeFileSync(cp949, savedAsCp949("npcs:\n  - id: hans\n    name: 한스\n    position: { x: 0, y: 0, z: 0 }\n"));
    const encoded = await check(cp949);
    assert.equal(encoded.code, 1, encoded.out);
    assert.match(encoded.out, /cp949\.yaml:3: not UTF-8 \(saved as ANSI\/EUC-KR\?\): save it as UTF-8/);
  });

  // Such folders passed, and a start then left their NPCs without a brain.
  it("refuses a model folder whose files are cut short: its JSON files at once, its weights with --load", async () => {
    const model = join(folder, "model");
    cpSync("npc/model", model, { recursive: true });
    const world = save("two-models.yaml", village.replace("npcs:", `models: { copy: ${JSON.stringify(model)} }\nnpcs:`).replace("  - id: hans\n", "  - id: hans\n    model: copy\n"));
    assert.equal((await check(world)).code, 0);
    const weights = join(model, "onnx", "model.onnx_data");
    writeFileSync(weights, readFileSync(weights).subarray(0, 1 << 20));
    assert.equal((await check(world)).code, 0, "the weights are read only by loading them");
    const loaded = await check(world, "--load");
    assert.equal(loaded.code, 1, loaded.out);
    assert.match(loaded.out, new RegExp(`models\\.copy: cannot load the NPC model from ${model}`));
    assert.doesNotMatch(loaded.out, /models\.default/, "the shipped model loads");
    const tokenizer = join(model, "tokenizer.json");
    writeFileSync(tokenizer, readFileSync(tokenizer, "utf8").slice(0, 1000));
    const cut = await check(world);
    assert.equal(cut.code, 1, cut.out);
    assert.match(cut.out, new RegExp(`models\\.copy: cannot read ${tokenizer}`));
  });
});
