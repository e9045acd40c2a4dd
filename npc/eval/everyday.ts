/**
 * Everyday questions answered by each model variant, judged by a person, reported in EVAL.md.
 *
 *   npm run eval:everyday -- answer --variant scratch=npc/training/runs/tiny/export \
 *                                   --variant "retrieval+choose=npc/model?candidates=8" \
 *                                   --variant "lower bar=npc/model?minScore=0.25"
 *   npm run eval:everyday -- report
 *   npm run eval:everyday -- answer --set holdout --variant ...   (20 questions written after the `unsure` bar was chosen)
 *   npm run eval:everyday -- answer --set fresh --variant ...     (40 written after every choice)
 *
 * `answer` writes everyday-answers.json, replacing the variants it answered and keeping the others (their
 * models may be gone; their answers and judgements stay comparable). Judgements live in everyday-judgements.json, keyed by
 * question and answer ("question\tanswer": {"sensible": "yes" | "half" | "no", "why": "one word"}), so an
 * unchanged answer keeps its judgement across runs and a changed one shows up as not yet judged.
 * `report` writes the table between the markers in npc/model/EVAL.md and prints the share of sensible
 * answers per variant.
 */
import "./errors-in-one-line.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../../common/cli-args.js";
import { NpcEngine } from "../engine.js";
import type { GenerationSettings } from "../engine/generation-settings.js";
import { readKnowledgeFile } from "../knowledge-index.js";
import { oneLine } from "../engine/one-line.js";

const HERE = import.meta.dirname;
const JUDGEMENTS = join(HERE, "everyday-judgements.json");
const EVAL_MD = join(HERE, "..", "model", "EVAL.md");
/** The shipped index is the training split (every model here was trained on the same split). */
const TRAINING_PAIRS = join(HERE, "..", "model", "knowledge.jsonl");
/** The answer is one of the pairs shown to the model, word for word (what the engine marks `copied`). */
const repeatsShown = (answer: { text: string; retrieved: string[] }) => answer.retrieved.some((a) => oneLine(a) === oneLine(answer.text));

/** A question set: its files, and its section of EVAL.md (between `<!-- name:begin -->` and `<!-- name:end -->`). */
interface QuestionSet {
  name: string;
  questions: string;
  count: number;
  answers: string;
  title: (count: number) => string;
  about: string[];
  /** Whether the `unsure` bar of worlds/village.yaml was chosen on this set's answers. */
  barChosenHere: boolean;
}
const SETS: Record<string, QuestionSet> = {
  everyday: {
    name: "everyday",
    questions: join(HERE, "everyday-questions.txt"),
    count: 40,
    answers: join(HERE, "everyday-answers.json"),
    title: (count) => `${count} everyday questions, judged by hand`,
    about: [
      "Questions written for this evaluation, none of them in Chatbot_data (npc/eval/everyday-questions.txt).",
      "Each answer is marked ✔ sensible (a person would accept it as a reply), ½ half (on topic but odd, or generic",
      "but acceptable), ✘ not; the word after the mark says why. Judgements: npc/eval/everyday-judgements.json.",
    ],
    barChosenHere: true,
  },
  holdout: {
    name: "holdout",
    questions: join(HERE, "holdout-questions.txt"),
    count: 20,
    answers: join(HERE, "holdout-answers.json"),
    title: (count) => `${count} more everyday questions (held out)`,
    about: [
      "Written after the `unsure` bar was chosen on the questions above, to check it on questions it was not chosen on;",
      "none of them in Chatbot_data (npc/eval/holdout-questions.txt). Marks as above.",
    ],
    barChosenHere: false,
  },
  fresh: {
    name: "fresh",
    questions: join(HERE, "fresh-questions.txt"),
    count: 40,
    answers: join(HERE, "fresh-answers.json"),
    title: (count) => `${count} fresh everyday questions (held out from every choice)`,
    about: [
      "Written after every model, setting and bar here was chosen, so that no choice was made on them;",
      "none of them in Chatbot_data or the sets above (npc/eval/fresh-questions.txt). Marks as above.",
    ],
    barChosenHere: false,
  },
};

type Verdict = "yes" | "half" | "no";
interface Judgement {
  sensible: Verdict;
  why: string;
}
interface VariantAnswers {
  name: string;
  model: string;
  settings: Partial<GenerationSettings> & { minScore?: number };
  /** `confidence`: the model's mean log-probability per token of the answer (recorded since it is reported). */
  answers: { text: string; ms: number; retrieved: string[]; confidence?: number }[];
}

const key = (question: string, answer: string) => `${question}\t${answer}`;

/**
 * "dir?candidates=8&doSample=true" → folder and generation settings; `minScore` is the retrieval bar the
 * model is served with (config.json's otherwise), so a bar is tried without a copy of the model folder.
 */
function parseVariant(spec: string): { name: string; folder: string; settings: Partial<GenerationSettings>; minScore?: number } {
  const [name, rest] = spec.split(/=(.*)/s);
  if (!name || !rest) throw new Error(`--variant needs name=folder[?setting=value&...], got "${spec}"`);
  const [folder, query = ""] = rest.split("?");
  const settings: Record<string, number | boolean> = {};
  for (const [k, v] of new URLSearchParams(query)) settings[k] = v === "true" ? true : v === "false" ? false : Number(v);
  const { minScore, ...generation } = settings;
  return { name, folder: folder!, settings: generation, ...(typeof minScore === "number" ? { minScore } : {}) };
}

async function answer(set: QuestionSet, specs: string[]): Promise<void> {
  const questions = readFileSync(set.questions, "utf8").split("\n").filter(Boolean).slice(0, set.count);
  const variants: VariantAnswers[] = existsSync(set.answers) ? (JSON.parse(readFileSync(set.answers, "utf8")) as { variants: VariantAnswers[] }).variants : [];
  for (const spec of specs) {
    const { name, folder, settings, minScore } = parseVariant(spec);
    const engine = await NpcEngine.load(folder, minScore === undefined ? {} : { retrievalMinScore: minScore });
    const answers = [];
    for (const question of questions) {
      const result = await engine.answer(question, { settings });
      answers.push({ text: result.text, ms: Math.round(result.ms), retrieved: result.context.map((p) => p.a), confidence: result.confidence });
    }
    const answered = { name, model: engine.modelName, settings: minScore === undefined ? settings : { ...settings, minScore }, answers };
    const at = variants.findIndex((v) => v.name === name);
    if (at === -1) variants.push(answered);
    else variants[at] = answered;
    await engine.dispose();
    console.log(`${name}: answered ${questions.length} questions`);
  }
  writeFileSync(set.answers, JSON.stringify({ questions, variants }, null, 1) + "\n");
}

function report(set: QuestionSet): void {
  const { questions, variants } = JSON.parse(readFileSync(set.answers, "utf8")) as {
    questions: string[];
    variants: VariantAnswers[];
  };
  const judgements: Record<string, Judgement> = existsSync(JUDGEMENTS) ? JSON.parse(readFileSync(JUDGEMENTS, "utf8")) : {};
  const cell = (text: string) => text.replace(/\|/g, "\\|") || "(empty)";
  const mark: Record<Verdict, string> = { yes: "✔", half: "½", no: "✘" };
  const missing: { question: string; answer: string }[] = [];

  const lines = [
    `| # | question | ${variants.map((v) => v.name).join(" | ")} |`,
    `|---|---|${variants.map(() => "---").join("|")}|`,
  ];
  questions.forEach((question, i) => {
    const cells = variants.map((variant) => {
      const text = variant.answers[i]!.text;
      const judgement = judgements[key(question, text)];
      if (!judgement) missing.push({ question, answer: text });
      return `${cell(text)} ${judgement ? `${mark[judgement.sensible]} ${judgement.why}` : "(not judged)"}`;
    });
    lines.push(`| ${i + 1} | ${cell(question)} | ${cells.join(" | ")} |`);
  });

  const trainingAnswers = new Set(readKnowledgeFile(TRAINING_PAIRS).map((pair) => oneLine(pair.a)));
  const summary = variants.map((variant) => {
    const verdicts = variant.answers.map((a, i) => judgements[key(questions[i]!, a.text)]?.sensible);
    const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
    const copied = variant.answers.filter(repeatsShown).length;
    // Word for word an answer of the training split, as EVAL.md's verbatim copies; and how many of those are ✔.
    const verbatim = variant.answers.flatMap((a, i) => (trainingAnswers.has(oneLine(a.text)) ? [verdicts[i]] : []));
    const ms = variant.answers.map((a) => a.ms).sort((a, b) => a - b);
    return {
      variant: variant.name,
      model: variant.model,
      settings: JSON.stringify(variant.settings),
      sensible: `${count("yes")}/${questions.length} (${Math.round((100 * count("yes")) / questions.length)}%)`,
      half: count("half"),
      "copied a retrieved answer": `${copied}/${questions.length}`,
      "a training answer (✔ of them)": `${verbatim.length} (${verbatim.filter((v) => v === "yes").length})`,
      "p50 ms": ms[Math.floor(ms.length / 2)]!,
    };
  });
  const summaryTable = [
    `| ${Object.keys(summary[0]!).join(" | ")} |`,
    `|${Object.keys(summary[0]!).map(() => "---").join("|")}|`,
    ...summary.map((row) => `| ${Object.values(row).join(" | ")} |`),
  ];

  // The most any way of choosing among these variants' answers could reach: a question counts if one variant got it right.
  const unanswered = questions.filter((question, i) =>
    !variants.some((variant) => judgements[key(question, variant.answers[i]!.text)]?.sensible === "yes"));
  const bestOf = `Best of all ${variants.length} variants, question by question: ${questions.length - unanswered.length}/${questions.length} ` +
    `have a ✔ answer from at least one` + (unanswered.length ? `; none has one for ${unanswered.map((q) => `"${q}"`).join(", ")}.` : ".");

  const [begin, end] = [`<!-- ${set.name}:begin -->`, `<!-- ${set.name}:end -->`];
  const section = [
    begin,
    `## ${set.title(questions.length)}`,
    "",
    ...set.about,
    "",
    ...summaryTable,
    "",
    "Copied a retrieved answer: word for word one of the pairs shown; a training answer: word for word an answer of " +
      "the training split (what the test-split tables count as verbatim copies), with how many of those are ✔.",
    bestOf,
    "",
    ...lines,
    ...confidenceSection(questions, variants, judgements, set.barChosenHere),
    end,
  ].join("\n");
  console.table(summary);
  console.log(bestOf);
  if (!existsSync(EVAL_MD)) {
    console.log(`${EVAL_MD} does not exist yet: run the training pipeline first`);
  } else {
    const evalMd = readFileSync(EVAL_MD, "utf8");
    const start = evalMd.indexOf(begin);
    const updated = start === -1
      ? `${evalMd.trimEnd()}\n\n${section}\n`
      : evalMd.slice(0, start) + section + evalMd.slice(evalMd.indexOf(end) + end.length);
    writeFileSync(EVAL_MD, updated);
  }
  if (missing.length) {
    console.log(`${missing.length} answers not judged yet:`);
    for (const m of missing) console.log(JSON.stringify(key(m.question, m.answer)));
  }
}

/**
 * How well the model's confidence tells sensible answers from nonsense, per variant that recorded it, and what
 * an NPC's `unsure.below` bar would keep and withhold.
 */
function confidenceSection(
  questions: string[],
  variants: VariantAnswers[],
  judgements: Record<string, Judgement>,
  barChosenHere: boolean,
): string[] {
  const section: string[] = [];
  for (const variant of variants) {
    const judged = variant.answers.flatMap((a, i) => {
      const verdict = judgements[key(questions[i]!, a.text)]?.sensible;
      return a.confidence === undefined || !verdict ? [] : [{ confidence: a.confidence, verdict, copied: repeatsShown(a) }];
    });
    if (judged.length === 0) continue;
    const yes = judged.filter((j) => j.verdict === "yes");
    const no = judged.filter((j) => j.verdict === "no");
    let pairs = 0;
    for (const y of yes) for (const n of no) pairs += y.confidence > n.confidence ? 1 : y.confidence === n.confidence ? 0.5 : 0;
    const auc = pairs / Math.max(1, yes.length * no.length);
    const tally = (rows: typeof judged) => (["yes", "half", "no"] as const).map((v) => rows.filter((r) => r.verdict === v).length).join(" / ");
    section.push(
      "",
      `## Knowing when it does not know: ${variant.name}`,
      "",
      `The answer's confidence (mean log-probability per token) against the judgements above: AUC ${auc.toFixed(2)} for`,
      `telling ✔ from ✘ (${yes.length} ✔, ${no.length} ✘; 0.5 is chance). An NPC with \`unsure: { below }\` says one of its unsure lines`,
      "instead of an answer below the bar (the village's NPCs: −0.6). " +
        (barChosenHere
          ? "That bar was chosen on these questions' answers by the model shipped before (greedy); the held-out questions below test it."
          : "That bar was chosen on the 40 questions above, not on these."),
      "",
      "| below | said ✔ / ½ / ✘ | withheld ✔ / ½ / ✘ |",
      "|---|---|---|",
      ...[-0.4, -0.5, -0.6, -0.7, -0.8].map((below) =>
        `| ${below} | ${tally(judged.filter((j) => j.confidence >= below))} | ${tally(judged.filter((j) => j.confidence < below))} |`),
      // Composed answers (not a shown answer repeated word for word) held to a stricter bar, copies to −0.6.
      ...[-0.3, -0.35, -0.45].map((bar) => {
        const said = (j: (typeof judged)[number]) => j.confidence >= (j.copied ? -0.6 : bar);
        return `| -0.6, composed ${bar} | ${tally(judged.filter(said))} | ${tally(judged.filter((j) => !said(j)))} |`;
      }),
      "",
      `The model's own words are nonsense more often than a shown answer it repeats (composed ✔ / ½ / ✘: ` +
        `${tally(judged.filter((j) => !j.copied))}; copied: ${tally(judged.filter((j) => j.copied))}); \`unsure.composedBelow\` ` +
        "holds composed answers to a stricter bar (the village's NPCs: −0.35, " +
        (barChosenHere
          ? "chosen on the shipped model's answers to these questions: the fewest ✘ said while withholding at most 2 ✔)."
          : "chosen on the 40 questions above, not on these)."),
    );
  }
  return section;
}

const { positionals, values } = commandArgs("npm run eval:everyday", {
  allowPositionals: true,
  options: { variant: { type: "string", multiple: true }, set: { type: "string", default: "everyday" } },
});
const set = SETS[values.set!];
if (set && positionals[0] === "answer") await answer(set, values.variant ?? []);
else if (set && positionals[0] === "report") report(set);
else {
  console.error(`usage: npm run eval:everyday -- answer|report [--set ${Object.keys(SETS).join("|")}] [--variant name=folder[?setting=value] ...]`);
  process.exit(2);
}
