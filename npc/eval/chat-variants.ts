/**
 * `npm run eval:chat-variants`: questions typed the way players type in game chat (the NPC called by name, ㅋㅋ or
 * ㅠㅠ after the line, "~~" or "?" at its end, chat's short words, no spaces, sent as separate jamo), each asked through the NPC worker. The
 * model learnt from Chatbot_data, which has almost none of this, so each way of typing should get the plain
 * question's answer: the table counts, per way, the answers that differ from it, and how many were judged good.
 *
 *   npm run eval:chat-variants                       the 40 everyday questions, to the default model as 코봇
 *                                                    (judged sensible in everyday-judgements.json)
 *   npm run eval:chat-variants -- --world worlds/village.yaml [--questions npc/eval/village-questions.json]
 *                                                    a world's NPCs (judged fitting in village-judgements.json)
 *
 * An answer is judged under the plain question; one never judged for it counts as not judged. An NPC's unsure
 * line is picked at random, so it counts as the same answer as any other unsure line, and as half (village.ts).
 */
import "./errors-in-one-line.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../../common/cli-args.js";
import { compose, jamoOf } from "../../common/hangul.js";
import type { AnswerMessage } from "../../kafka/contract.js";
import { DEFAULT_WORLD_SETTINGS } from "../../rooms/world-settings.js";
import { loadWorldFile } from "../../server/world-files/world-file.js";
import { DEFAULT_MODEL_DIR } from "../engine/model-folder.js";
import { NpcCast, type NpcBrainSpec } from "../npc-cast.js";
import { playerQuestions } from "./player-questions.js";

const { values } = commandArgs("npm run eval:chat-variants", { options: { world: { type: "string" }, questions: { type: "string" } } });
const here = import.meta.dirname;
type Verdict = "yes" | "half" | "no" | undefined;

interface Setup {
  brains: NpcBrainSpec[];
  names: Record<string, string>;
  questions: Record<string, string[]>;
  judge: (npcId: string, question: string, answer: AnswerMessage) => Verdict;
}

function everyday(): Setup {
  const questions = readFileSync(join(here, "everyday-questions.txt"), "utf8").split("\n").filter(Boolean).slice(0, 40);
  const judgements = JSON.parse(readFileSync(join(here, "everyday-judgements.json"), "utf8")) as Record<string, { sensible: Verdict }>;
  return {
    brains: [{ npcId: "kobot", name: "코봇", model: "default", modelDir: DEFAULT_MODEL_DIR }],
    names: { kobot: "코봇" },
    questions: { kobot: questions },
    judge: (_npc, question, answer) => judgements[`${question}\t${answer.text}`]?.sensible,
  };
}

function world(file: string, questionsFile = join(here, "village-questions.json")): Setup {
  const loaded = loadWorldFile(file, DEFAULT_MODEL_DIR, DEFAULT_WORLD_SETTINGS.bounds);
  const judgements = JSON.parse(readFileSync(join(here, "village-judgements.json"), "utf8")) as Record<string, { fits: Verdict }>;
  return {
    brains: loaded.brains,
    names: Object.fromEntries(loaded.npcs.map((npc) => [npc.id, npc.name])),
    questions: JSON.parse(readFileSync(questionsFile, "utf8")) as Record<string, string[]>,
    judge: (npc, question, answer) => (answer.source === "unsure_line" ? "half" : judgements[`${npc}\t${question}\t${answer.text}`]?.fits),
  };
}

/** 코봇아, 미나야: 아 after a final consonant. */
const calling = (name: string) => name + (jamoOf(name.at(-1)!)?.final ? "아" : "야");
/** The line's last syllable drawn out, its vowel said twice more: 배고파 → 배고파아아, 하지? → 하지이이? */
const drawnOut = (q: string) => {
  const [, body = q, mark = ""] = /^(.*?)(\??)$/su.exec(q) ?? [];
  const last = jamoOf(body.at(-1) ?? "");
  if (!last) return q;
  const bare = compose(`ㅇ${last.vowel}`);
  return body + bare + bare + mark;
};
const SLANG: [RegExp, string][] = [[/너무/g, "넘"], [/게임/g, "겜"], [/뭐/g, "머"], [/진짜/g, "ㄹㅇ"]];
/** Ways of typing a question to the NPC called `name`, as players do. */
const VARIANTS: Record<string, (question: string, name: string) => string> = {
  "as written": (q) => q,
  "name아 …": (q, name) => `${calling(name)} ${q}`,
  "name, …": (q, name) => `${name}, ${q}`,
  "… ㅋㅋ": (q) => `${q} ㅋㅋ`,
  "…ㅋㅋㅋ": (q) => `${q}ㅋㅋㅋ`,
  "… ㅠㅠ": (q) => `${q} ㅠㅠ`,
  "… 😂 / …😭😭": (q) => (q.length % 2 ? `${q} 😂` : `${q}😭😭`),
  "아 … / 헐 … / 근데 …": (q) => `${["아", "헐", "근데"][q.length % 3]} ${q}`,
  "…~~": (q) => `${q}~~`,
  "…...": (q) => `${q}...`,
  "…?": (q) => `${q.replace(/\?$/, "")}?`,
  "…!": (q) => `${q}!`,
  "…아아 (drawn out)": drawnOut,
  "넘, 겜, 머, ㄹㅇ": (q) => SLANG.reduce((line, [word, short]) => line.replace(word, short), q),
  "no spaces": (q) => q.replaceAll(" ", ""),
  "sent as separate jamo (NFD)": (q) => q.normalize("NFD"),
  "zero-width spaces inside": (q) => [...q].join("\u200b"),
};

const setup = values.world ? world(values.world, values.questions) : everyday();
const cast = await NpcCast.load(setup.brains);
const ask = playerQuestions(cast);
const cases = Object.entries(setup.questions).flatMap(([npcId, asked]) => asked.map((question) => ({ npcId, question })));
const answerAll = (typed: (question: string, name: string) => string) =>
  ask(cases.map(({ npcId, question }) => ({ npcId, text: typed(question, setup.names[npcId] ?? npcId) })));
/** What was said: an unsure line is any unsure line. */
const said = (answer: AnswerMessage) => (answer.source === "unsure_line" ? "(unsure line)" : answer.text);

const plain = await answerAll((q) => q);
const rows = [];
for (const [way, typed] of Object.entries(VARIANTS)) {
  const answers = await answerAll(typed);
  const verdicts = answers.map((answer, i) => setup.judge(cases[i]!.npcId, cases[i]!.question, answer));
  rows.push({
    "typed as": way,
    "lines typed otherwise": cases.filter(({ npcId, question }) => typed(question, setup.names[npcId] ?? npcId) !== question).length,
    "answers that differ": answers.filter((answer, i) => said(answer) !== said(plain[i]!)).length,
    [values.world ? "fit" : "sensible"]: verdicts.filter((v) => v === "yes").length,
    half: verdicts.filter((v) => v === "half").length,
    "not judged": verdicts.filter((v) => v === undefined).length,
  });
}
console.table(rows);
await cast.dispose();
