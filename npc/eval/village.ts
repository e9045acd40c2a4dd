/**
 * `npm run eval:village`: the village's NPCs (worlds/village.yaml) asked questions in other words than their
 * knowledge files' (village-questions.json), as a player would, through the worker's brains. Prints each
 * answer and how it came: a knowledge line said as written (`scriptedAbove`), an own line the model began and
 * finished as written (npc/own-lines.ts), or the model's own words; then the count per NPC.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { DEFAULT_WORLD_FILE } from "../../server/config.js";
import { loadWorldFile } from "../../server/world-file.js";
import { DEFAULT_WORLD_SETTINGS } from "../../rooms/world-settings.js";
import { DEFAULT_MODEL_DIR } from "../model-folder.js";
import { NpcCast } from "../npc-cast.js";

const questions = JSON.parse(readFileSync(join(import.meta.dirname, "village-questions.json"), "utf8")) as Record<string, string[]>;
const world = loadWorldFile(DEFAULT_WORLD_FILE, DEFAULT_MODEL_DIR, DEFAULT_WORLD_SETTINGS.bounds);
const cast = await NpcCast.load(world.brains);
const rows = [];
const counts: Record<string, Record<string, number>> = {};
for (const [npc, asked] of Object.entries(questions)) {
  const brain = cast.brainFor(npc);
  for (const question of asked) {
    const scripted = brain.scriptedLine(question);
    const answer = scripted ? undefined : await brain.queue.ask(question, brain.options);
    const how = scripted ? "knowledge line (scriptedAbove)" : answer!.ownLine ? "own line, begun by the model" : "the model's words";
    rows.push({ npc, question, answer: scripted?.text ?? answer!.text, how });
    (counts[npc] ??= {})[how] = (counts[npc]![how] ?? 0) + 1;
  }
}
console.table(rows);
console.table(counts);
await cast.dispose();
