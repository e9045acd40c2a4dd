/**
 * `npm run eval:village`: the village's NPCs (worlds/village.yaml) asked questions in other words than their
 * knowledge files' (village-questions.json), as a player would, through the NPC worker: what each player
 * would be told, and how it came. A studio checks its own NPCs the same way:
 *
 *   npm run eval:village -- --world worlds/my.yaml --questions my-questions.json   ({"npcId": ["question", …]})
 *
 * How an answer comes: a knowledge line said as written (`scriptedAbove`), an own line the model
 * began and finished as written (npc/own-lines.ts), the model's own words, or, when the model was unsure,
 * the NPC's closest knowledge line (`unsure.knowledgeAbove`) or one of its unsure lines. Counts per NPC.
 *
 * And whether each answer fits: a person's judgement, kept in village-judgements.json keyed by NPC, question and
 * answer ("hans\t방패 있어요?\t검이랑 방패를 팔지.": {"fits": "yes" | "half" | "no", "why": "one word"}), so an
 * unchanged answer keeps its judgement and a new one shows up as not yet judged. An unsure line is "half": it
 * says nothing wrong and nothing the player asked for.
 */
import "./errors-in-one-line.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../../common/cli-args.js";
import type { AnswerSource } from "../../kafka/contract.js";
import { DEFAULT_WORLD_SETTINGS } from "../../rooms/world-settings.js";
import { DEFAULT_WORLD_FILE } from "../../server/config.js";
import { loadWorldFile } from "../../server/world-files/world-file.js";
import { DEFAULT_MODEL_DIR } from "../engine/model-folder.js";
import { NpcCast } from "../npc-cast.js";
import { playerQuestions } from "./player-questions.js";

const { values } = commandArgs("npm run eval:village", {
  options: {
    world: { type: "string", default: DEFAULT_WORLD_FILE },
    questions: { type: "string", default: join(import.meta.dirname, "village-questions.json") },
    judgements: { type: "string", default: join(import.meta.dirname, "village-judgements.json") },
  },
});
type Fits = "yes" | "half" | "no";
const judgements: Record<string, { fits: Fits; why: string }> = existsSync(values.judgements)
  ? JSON.parse(readFileSync(values.judgements, "utf8"))
  : {};
const questions = JSON.parse(readFileSync(values.questions, "utf8")) as Record<string, string[]>;
const world = loadWorldFile(values.world, DEFAULT_MODEL_DIR, DEFAULT_WORLD_SETTINGS.bounds);
const unknown = Object.keys(questions).filter((id) => !world.npcs.some((npc) => npc.id === id));
if (unknown.length > 0) {
  process.stderr.write(`${values.questions} asks NPCs that ${values.world} does not have: ${unknown.join(", ")}\n`);
  process.exit(2);
}
const cast = await NpcCast.load(world.brains);
const ask = playerQuestions(cast);

/** How an answer came, as the worker says (`answer.source`). */
const HOW: Record<AnswerSource, string> = {
  scripted: "knowledge line (scriptedAbove)",
  own_line: "own line, begun by the model",
  copied: "the model's words",
  composed: "the model's words",
  knowledge_unsure: "model unsure: knowledge line",
  unsure_line: "model unsure: unsure line",
};

const rows: { npc: string; question: string; answer: string; how: string; fits: string }[] = [];
const fitting: Record<string, Record<Fits | "not judged", number>> = {};
const UNSURE = { fits: "half", why: "unsure" } as const;
const counts: Record<string, Record<string, number>> = {};
for (const [npcId, asked] of Object.entries(questions)) {
  const answers = await ask(asked.map((text) => ({ npcId, text })));
  answers.forEach((answer, i) => {
    const came = answer.source ? HOW[answer.source] : `error: ${answer.error?.code}`;
    // Unsure lines are picked at random: judged by the rule above, not by their text.
    const judged = answer.source === "unsure_line" ? UNSURE : judgements[`${npcId}\t${asked[i]}\t${answer.text}`];
    rows.push({ npc: npcId, question: asked[i]!, answer: answer.text, how: came, fits: judged ? `${judged.fits} ${judged.why}` : "not judged" });
    (counts[npcId] ??= {})[came] = (counts[npcId]![came] ?? 0) + 1;
    (fitting[npcId] ??= { yes: 0, half: 0, no: 0, "not judged": 0 })[judged?.fits ?? "not judged"]++;
  });
}
console.table(rows);
console.table(counts);
console.table(fitting);
const total = (key: Fits | "not judged") => Object.values(fitting).reduce((sum, n) => sum + n[key], 0);
console.log(`fits: ${total("yes")} of ${rows.length}, half ${total("half")}, no ${total("no")}, not judged ${total("not judged")}`);
await cast.dispose();
