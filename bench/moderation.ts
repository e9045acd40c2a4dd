/**
 * npm run bench:moderation: how well the moderation filter (moderation/) separates abuse from everyday talk.
 *  - false positives: Chatbot_data test-split questions blocked (the split of npc/training: MD5 of the question);
 *  - recall: share of moderation/evasions.ko.txt (evasive spellings) caught, and of evasions-heldout.ko.txt (a
 *    reviewer's, which the filter was tuned on in part: no longer blind, see its header);
 *  - ordinary names a game has (moderation/names-ordinary.txt) blocked;
 *  - a reviewer's lists of abuse and of ordinary game chat, written blind in session 62 (moderation/blind-*.ko.txt,
 *    tuned on since): the share of abuse blocked, by kind, and each ordinary line blocked with the word it was blocked for;
 *  - on real comments: Korean HateSpeech's labelled dev split (../shared/data/korean_hate_speech/dev.tsv,
 *    kocohub/korean-hate-speech, CC BY-SA 4.0), the share of `hate`, `offensive` and `none` comments blocked;
 *  - the learned toxicity score (moderation/toxicity.json): the same sets blocked by the words or a score at or above
 *    the bar (its training run's, or --toxicity-bar), and a sweep of bars; the bar is set on Chatbot_data validation
 *    questions in training, never on these sets; the test-split questions also as players send them to the shipped
 *    world's NPCs ("@한스 …"), each line checked as the room checks it (its score without the call);
 *  - cost: microseconds per check, words alone and words with the score, and the score alone.
 * Table + bench/results/moderation.json.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { cleanText } from "../common/clean-text.js";
import { Moderator, type Verdict } from "../moderation/moderator.js";
import { ToxicityModel } from "../moderation/toxicity.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { addressedNpc, playerWords } from "../rooms/chat/chat-addressing.js";
import { DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import { DEFAULT_WORLD_FILE } from "../server/config.js";
import { loadWorldFile } from "../server/world-files/world-file.js";
import { CHATBOT_DATA, readChatbotData, splitOf } from "./chatbot-data.js";
import { machineInfo } from "./machine.js";
import { resultsFile } from "./results-file.js";

const ROOT = join(import.meta.dirname, "..");
const { values } = commandArgs("npm run bench:moderation", {
  options: {
    data: { type: "string", default: CHATBOT_DATA },
    "hate-speech": { type: "string", default: join(ROOT, "..", "shared", "data", "korean_hate_speech", "dev.tsv") },
    "toxicity-bar": { type: "string" },
  },
});
const DATA = values.data;
const HATE_SPEECH = values["hate-speech"];

const moderator = Moderator.fromFile(undefined, 0); // every check read anew: the rounds below repeat the lines
const toxicity = ToxicityModel.fromFile();
const scored = Moderator.fromFile(undefined, 0, { model: toxicity });
const bar = values["toxicity-bar"] === undefined ? toxicity.suggestedBar : Number(values["toxicity-bar"]);
if (!(bar > 0 && bar <= 1)) throw new Error(`--toxicity-bar must be a number in (0, 1], not ${values["toxicity-bar"]}`);
const test = readChatbotData(DATA).filter(({ q }) => splitOf(q) === "test");
const questions = test.map(({ q }) => q);
const answers = test.map(({ a }) => a);
/** A list of texts, one a line, without its comments and blank lines; `\n` in a line is a line break. */
const listed = (file: string) =>
  readFileSync(join(ROOT, "moderation", file), "utf8").split("\n").filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.replaceAll("\\n", "\n"));
const evasions = listed("evasions.ko.txt");
const heldOut = listed("evasions-heldout.ko.txt");
const names = listed("names-ordinary.txt");
/** Korean HateSpeech rows: comment and its `hate` label (hate, offensive or none). */
const comments = readFileSync(HATE_SPEECH, "utf8").split(/\r?\n/).slice(1).filter(Boolean).map((line) => {
  const fields = line.split("\t");
  return { text: fields[0]!, label: fields.at(-1)! };
});
/** A row's counts: of n texts, how many were blocked, and that share. */
const share = (n: number, blocked: number) => ({ n, blocked, rate: blocked / n });
const commentsBlocked = (label: string) => {
  const labelled = comments.filter((c) => c.label === label);
  return share(labelled.length, labelled.filter((c) => moderator.check(c.text).blocked).length);
};

/** A blind list's lines, each with its kind after a tab, checked as a room checks a chat line (cleaned first). */
const kinded = (file: string) =>
  listed(file).map((line) => {
    const [text, kind] = line.split("\t");
    return { text: text!, kind: kind!, verdict: moderator.check(cleanText(text!)) };
  });
const blindAbuse = kinded("blind-abuse.ko.txt");
const blindOrdinary = kinded("blind-ordinary.ko.txt");
const abuseKinds = [...new Set(blindAbuse.map((l) => l.kind))].map((kind) => {
  const lines = blindAbuse.filter((l) => l.kind === kind);
  return { kind, ...share(lines.length, lines.filter((l) => l.verdict.blocked).length) };
});
const missedBlindAbuse = blindAbuse.filter((l) => !l.verdict.blocked).map(({ text, kind }) => ({ text, kind }));
const blockedBlindOrdinary = blindOrdinary.flatMap(({ text, kind, verdict }) => (verdict.blocked ? [{ text, kind, term: verdict.term }] : []));

const blockedQuestions = questions.filter((q) => moderator.check(q).blocked);
const blockedAnswers = answers.filter((a) => moderator.check(a).blocked);
const missed = evasions.filter((e) => !moderator.check(e).blocked);
const missedHeldOut = heldOut.filter((e) => !moderator.check(e).blocked);
const blockedNames = names.filter((n) => moderator.check(n).blocked);
const started = performance.now();
let checks = 0;
for (let round = 0; round < 5; round++) for (const q of questions) (checks++, moderator.check(q));
const microsPerCheck = ((performance.now() - started) * 1000) / checks;
// The slowest lines found: 200 letters of everyday initials where banned ones meet (ㄱㅅ+ㅂㅂ holds ㅅㅂ), each hit
// weighed. A player may send 8 at once; in older versions each took 3.5 s, holding every room of the process.
const worstLines = ["ㄱㅅㅂㅂ", "ㅇㅈㄹㅇ", "ㅂㅂㅅㄱ", "ㅇㅈㄴㄴ"].map((unit) => unit.repeat(50));
const worstStarted = performance.now();
for (let round = 0; round < 3; round++) for (const line of worstLines) moderator.check(line);
const worstMsPerCheck = (performance.now() - worstStarted) / (3 * worstLines.length);

// The same rounds with the score computed beside the words, and the score alone from the plain reading.
const scoredStarted = performance.now();
for (let round = 0; round < 5; round++) for (const q of questions) scored.checkPlayerLine(q);
const microsPerScoredCheck = ((performance.now() - scoredStarted) * 1000) / checks;
const plainQuestions = questions.map((q) => scored.scoredText(q));
const scoreStarted = performance.now();
for (let round = 0; round < 5; round++) for (const q of plainQuestions) toxicity.scoreNormalised(q);
const microsPerScore = ((performance.now() - scoreStarted) * 1000) / checks;

/** The shipped world's NPCs, among which the room finds whom a line calls. */
const worldNpcs = loadWorldFile(DEFAULT_WORLD_FILE, DEFAULT_MODEL_DIR, DEFAULT_WORLD_SETTINGS.bounds).npcs.map(({ id, name }) => ({ id, name }));
const questionsToNpcs = worldNpcs.flatMap(({ name }) => questions.map((q) => cleanText(`@${name} ${q}`)));
/** A line's verdict as the room gives it: the words of the whole line, the score of the player's own words. */
const roomVerdict = (text: string): Verdict => {
  const addressed = addressedNpc(text, undefined, worldNpcs);
  return scored.checkPlayerLine(text, playerWords(text, addressed === "unknown" ? undefined : addressed));
};

/** Each set's texts as the room checks them, and each one's verdict with its score. */
const scoredSets: { set: string; texts: string[]; should: "block" | "pass" }[] = [
  { set: "test-split questions", texts: questions, should: "pass" },
  { set: `test-split questions to ${worldNpcs.map(({ name }) => `@${name}`).join(", ")}`, texts: questionsToNpcs, should: "pass" },
  { set: "test-split answers", texts: answers, should: "pass" },
  { set: "ordinary names", texts: names, should: "pass" },
  { set: "blind abuse, session 62", texts: blindAbuse.map((l) => cleanText(l.text)), should: "block" },
  { set: "blind ordinary chat, session 62", texts: blindOrdinary.map((l) => cleanText(l.text)), should: "pass" },
  ...["hate", "offensive", "none"].map((label) => ({
    set: `HateSpeech dev: ${label}`,
    texts: comments.filter((c) => c.label === label).map((c) => c.text),
    should: label === "none" ? ("pass" as const) : ("block" as const),
  })),
];
const verdictsOf = new Map(scoredSets.map(({ set, texts }) => [set, texts.map((text) => ({ text, verdict: roomVerdict(text) }))]));
const refusedAt = (verdict: Verdict, at: number) => verdict.blocked || verdict.toxicity! >= at;
const toxicityRows = scoredSets.map(({ set, should }) => {
  const verdicts = verdictsOf.get(set)!;
  const byWords = verdicts.filter(({ verdict }) => verdict.blocked).length;
  const byEither = verdicts.filter(({ verdict }) => refusedAt(verdict, bar)).length;
  return { set: `${set} (should ${should})`, words: byWords, ...share(verdicts.length, byEither) };
});
const SWEEP = [0.8, 0.85, 0.9, 0.94, 0.97, 0.99];
const sweep = SWEEP.map((at) => ({
  bar: at,
  ...Object.fromEntries(scoredSets.map(({ set }) => {
    const verdicts = verdictsOf.get(set)!;
    return [set, verdicts.filter(({ verdict }) => refusedAt(verdict, at)).length / verdicts.length];
  })),
}));
/** The lines the score alone would refuse at the bar where it should not, with their scores: what a studio would see. */
const scoreOnlyRefused = scoredSets.filter(({ should }) => should === "pass").flatMap(({ set }) =>
  verdictsOf.get(set)!.filter(({ verdict }) => !verdict.blocked && verdict.toxicity! >= bar).map(({ text, verdict }) => ({ set, text, toxicity: Math.round(verdict.toxicity! * 1000) / 1000 })),
);

const rows = [
  { set: "test-split questions (should pass)", ...share(questions.length, blockedQuestions.length), target: "≤ 1%" },
  { set: "test-split answers (should pass)", ...share(answers.length, blockedAnswers.length), target: "-" },
  { set: "evasive spellings (should block)", ...share(evasions.length, evasions.length - missed.length), target: "≥ 95%" },
  { set: "held-out evasive spellings, session 62 (should block)", ...share(heldOut.length, heldOut.length - missedHeldOut.length), target: "≥ 95%" },
  { set: "ordinary names (should pass)", ...share(names.length, blockedNames.length), target: "0" },
  { set: "blind abuse, session 62 (should block)", ...share(blindAbuse.length, blindAbuse.length - missedBlindAbuse.length), target: "-" },
  { set: "blind ordinary chat, session 62 (should pass)", ...share(blindOrdinary.length, blockedBlindOrdinary.length), target: "0" },
  // Real news comments labelled by people: the list's recall on abuse that is not a listed word, and its false positives.
  { set: "HateSpeech dev: hate (should block)", ...commentsBlocked("hate"), target: "-" },
  { set: "HateSpeech dev: offensive (should block)", ...commentsBlocked("offensive"), target: "-" },
  { set: "HateSpeech dev: none (should pass)", ...commentsBlocked("none"), target: "-" },
];
console.log("| set | n | blocked | rate | target |\n|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.set} | ${r.n} | ${r.blocked} | ${(r.rate * 100).toFixed(2)}% | ${r.target} |`);
console.log(`\nwords, or the toxicity score ≥ ${bar} (moderation/toxicity.json):\n| set | n | by words | by words or score | rate |\n|---|---|---|---|---|`);
for (const r of toxicityRows) console.log(`| ${r.set} | ${r.n} | ${r.words} | ${r.blocked} | ${(r.rate * 100).toFixed(2)}% |`);
console.log(`\nshare refused by words or score, by bar:\n| bar | ${scoredSets.map((s) => s.set).join(" | ")} |\n|${"---|".repeat(scoredSets.length + 1)}`);
for (const row of sweep) console.log(`| ${row.bar} | ${scoredSets.map(({ set }) => `${(Number(row[set as keyof typeof row]) * 100).toFixed(1)}%`).join(" | ")} |`);
if (scoreOnlyRefused.length) console.log("ordinary lines the score alone refuses:", scoreOnlyRefused.map((l) => `${l.text} (${l.set}): ${l.toxicity}`));
console.log(`\n${microsPerCheck.toFixed(1)} µs per check (${microsPerScoredCheck.toFixed(1)} with the toxicity score; the score alone ${microsPerScore.toFixed(1)} µs); ${worstMsPerCheck.toFixed(1)} ms per check of the slowest lines known (200 letters of everyday initials)`);
if (blockedQuestions.length) console.log("blocked questions:", blockedQuestions);
if (blockedAnswers.length) console.log("blocked answers:", blockedAnswers);
if (missed.length) console.log("missed evasions:", missed);
if (missedHeldOut.length) console.log("missed held-out evasions:", missedHeldOut);
if (blockedNames.length) console.log("blocked names:", blockedNames);
console.log("blind abuse blocked by kind:", abuseKinds.map((k) => `${k.kind} ${k.blocked}/${k.n}`).join(", "));
if (missedBlindAbuse.length) console.log("missed blind abuse:", missedBlindAbuse.map((l) => `${l.text} (${l.kind})`));
if (blockedBlindOrdinary.length) console.log("blocked blind ordinary lines:", blockedBlindOrdinary.map((l) => `${l.text} (${l.kind}): ${l.term}`));
writeFileSync(
  resultsFile("moderation.json"),
  JSON.stringify({ benchmark: "moderation", date: new Date().toISOString(), machine: machineInfo(), rows, microsPerCheck, worstMsPerCheck, toxicity: { bar, rows: toxicityRows, sweep, scoreOnlyRefused, microsPerScoredCheck, microsPerScore }, blockedQuestions, blockedAnswers, missed, missedHeldOut, blockedNames, abuseKinds, missedBlindAbuse, blockedBlindOrdinary }, null, 2) + "\n",
);
