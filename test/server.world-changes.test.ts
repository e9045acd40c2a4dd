import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import { changesNeedingRestart } from "../server/world-files/world-changes.js";
import { loadWorldFile } from "../server/world-files/world-file.js";

const folder = mkdtempSync(join(tmpdir(), "world-changes-"));
const knowledge = join(import.meta.dirname, "..", "npc", "knowledge");
let files = 0;

/** A world of two NPCs, read as the server reads it; `hans` and `top` are YAML lines put in place. */
function world(hans = "", top = "hearing: { mode: proximity, radius: 8 }\nsight: { radius: 20 }") {
  const path = join(folder, `world-${files++}.yaml`);
  writeFileSync(path, `${top}
npcs:
  - id: hans
    name: 한스
    position: { x: 0, y: 0, z: 4 }
    knowledge: ${knowledge}/blacksmith.jsonl
    generation: { maxNewTokens: 24, repetitionPenalty: 1.1 }
    ${hans}
  - { id: mina, name: 미나, position: { x: 0, y: 0, z: -4 } }
`);
  return loadWorldFile(path, DEFAULT_MODEL_DIR, DEFAULT_WORLD_SETTINGS.bounds);
}

describe("which world file edits need a restart (server/world-files/world-changes.ts)", () => {
  it("none for what rooms and workers take while they run: places, radii, lines, timings, decoding, unsure and scripted bars", () => {
    const edited = world(
      "talkRadius: 3\n    greetings: ['{name}, 어서 오게.']\n    callReplies: ['왜 그러나?']\n    idleLines: ['흠.']\n    idleEverySeconds: 5\n" +
        "    greetAgainSeconds: 0\n    unsure: { below: -0.6, lines: ['모르겠네.'] }\n    scriptedAbove: 0.8",
      "hearing: { mode: proximity, radius: 20 }\nsight: { radius: 35 }",
    );
    edited.brains[0]!.generation = { maxNewTokens: 12 };
    assert.deepEqual(changesNeedingRestart(world(), edited), []);
  });

  it("none for the same settings written in another order", () => {
    const reordered = world().brains[0]!;
    reordered.generation = { repetitionPenalty: 1.1, maxNewTokens: 24 };
    assert.deepEqual(changesNeedingRestart(world(), { ...world(), brains: [reordered, world().brains[1]!] }), []);
  });

  it("none for an NPC added with a model the workers loaded, knowledge and all, or removed; one with another model needs a restart", () => {
    const added = world();
    added.npcs.push({ ...added.npcs[1]!, id: "hermit", name: "은둔자" });
    added.brains.push({ ...added.brains[0]!, npcId: "hermit", name: "은둔자", knowledge: `${knowledge}/baker.jsonl` });
    assert.deepEqual(changesNeedingRestart(world(), added), []);
    added.brains[2] = { ...added.brains[2]!, model: "big", modelDir: "/models/big" };
    assert.deepEqual(changesNeedingRestart(world(), added), ["npcs.hermit.model (big: a model the running workers have not loaded)"]);
    const removed = world();
    removed.npcs.pop();
    removed.brains.pop();
    assert.deepEqual(changesNeedingRestart(world(), removed), []);
  });

  it("none for NPCs renamed or given another knowledge file; names a model not loaded, and hearing or sight turned on or off", () => {
    const edited = world("", "hearing: { mode: room }");
    assert.deepEqual(changesNeedingRestart(world(), edited), [
      "hearing.mode (proximity → room)",
      "sight.radius (20 → 0: sight range on or off)",
    ]);
    const renamed = world();
    renamed.npcs[0]!.name = "망치";
    renamed.brains[0] = { ...renamed.brains[0]!, name: "망치", knowledge: `${knowledge}/baker.jsonl` };
    assert.deepEqual(changesNeedingRestart(world(), renamed), []);
    renamed.brains[0] = { ...renamed.brains[0]!, model: "big", modelDir: "/models/big" };
    assert.deepEqual(changesNeedingRestart(world(), renamed), ["npcs.hans.model (big: a model the running workers have not loaded)"]);
    assert.deepEqual(changesNeedingRestart(world(), renamed, new Set([DEFAULT_MODEL_DIR, "/models/big"])), [], "a model the workers started with");
  });

  it("takes talk in private turned on or off without a restart: its lines go as messages, the views stay as they are", () => {
    const shared = "hearing: { mode: room }";
    assert.deepEqual(changesNeedingRestart(world("", shared), world("privateTalk: true", shared)), []);
    assert.deepEqual(changesNeedingRestart(world("privateTalk: true", shared), world("", shared)), []);
    assert.deepEqual(changesNeedingRestart(world(), world("privateTalk: true")), []);
    assert.deepEqual(changesNeedingRestart(world("privateTalk: true", shared), world("", "hearing: { mode: proximity, radius: 8 }")), ["hearing.mode (room → proximity)"], "named once");
  });
});
