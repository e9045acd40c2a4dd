/**
 * `npm run eval:chat-variants`: the 40 everyday questions typed the way players type in game chat (the NPC called
 * by name, ㅋㅋ or ㅠㅠ after the line, "~~" or "?" at its end, chat's short words, no spaces), each asked through the
 * NPC worker (the default model, an NPC called 코봇). The model learnt from Chatbot_data, which has almost none of
 * this, so each way of typing should get the plain question's answer: the table counts, per way, the answers that
 * differ from it, and of all its answers how many were judged sensible (everyday-judgements.json, under the plain
 * question; an answer never judged for it counts as not judged).
 *
 *   npm run eval:chat-variants
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { createLogger } from "../../common/log.js";
import { CONTRACT_VERSION } from "../../kafka/contract.js";
import { DEFAULT_MODEL_DIR } from "../model-folder.js";
import { NpcCast } from "../npc-cast.js";
import { NpcWorker } from "../worker.js";

const questions = readFileSync(join(import.meta.dirname, "everyday-questions.txt"), "utf8").split("\n").filter(Boolean).slice(0, 40);
const judgements = JSON.parse(readFileSync(join(import.meta.dirname, "everyday-judgements.json"), "utf8")) as Record<string, { sensible: string }>;

const SLANG: [RegExp, string][] = [[/너무/g, "넘"], [/게임/g, "겜"], [/뭐/g, "머"], [/진짜/g, "ㄹㅇ"]];
/** Ways of typing a question, as players do. */
const VARIANTS: Record<string, (question: string) => string> = {
  "as written": (q) => q,
  "코봇아 …": (q) => `코봇아 ${q}`,
  "코봇, …": (q) => `코봇, ${q}`,
  "… ㅋㅋ": (q) => `${q} ㅋㅋ`,
  "…ㅋㅋㅋ": (q) => `${q}ㅋㅋㅋ`,
  "… ㅠㅠ": (q) => `${q} ㅠㅠ`,
  "…~~": (q) => `${q}~~`,
  "…...": (q) => `${q}...`,
  "…?": (q) => `${q.replace(/\?$/, "")}?`,
  "…!": (q) => `${q}!`,
  "넘, 겜, 머, ㄹㅇ": (q) => SLANG.reduce((line, [word, short]) => line.replace(word, short), q),
  "no spaces": (q) => q.replaceAll(" ", ""),
};

const cast = await NpcCast.load([{ npcId: "kobot", name: "코봇", model: "default", modelDir: DEFAULT_MODEL_DIR }]);
const worker = new NpcWorker(cast, { kind: "in-process", start: async () => {}, stop: async () => {} }, createLogger({}, "silent"));
const answerAll = async (lines: string[]) =>
  (await worker.answerAll(lines.map((text, i) => ({
    v: CONTRACT_VERSION, questionId: `q${i}`, roomId: "eval", npcId: "kobot", playerId: "p", playerName: "민수", text, ts: Date.now(),
  })))).map((answer) => answer.text);

const plain = await answerAll(questions);
const rows = [];
for (const [way, typed] of Object.entries(VARIANTS)) {
  const lines = questions.map(typed);
  const answers = await answerAll(lines);
  const verdicts = answers.map((answer, i) => judgements[`${questions[i]}\t${answer}`]?.sensible);
  rows.push({
    "typed as": way,
    "lines that differ from the question": lines.filter((line, i) => line !== questions[i]).length,
    "answers that differ": answers.filter((answer, i) => answer !== plain[i]).length,
    sensible: verdicts.filter((v) => v === "yes").length,
    half: verdicts.filter((v) => v === "half").length,
    "not judged": verdicts.filter((v) => v === undefined).length,
  });
}
console.table(rows);
await cast.dispose();
