import { NotUtf8Error, readAuthoredText } from "../common/authored-text.js";
import { cleanText } from "../common/clean-text.js";
import { ModelLoadError } from "./errors.js";
import { takeBest } from "./engine/take-best.js";

/** A question the NPC knows and the answer it would give (one line of a knowledge file). */
export interface KnowledgePair {
  q: string;
  a: string;
  /**
   * Other ways a player asks for the same line (a knowledge file's `q` given as a list: the first is `q`).
   * Each is matched as a question of its own; the pair is found, shown and said once.
   */
  also?: readonly string[];
  /**
   * What the game does when the NPC says this line (`"open_shop"`): an id the game's client knows, sent to the
   * player who asked (`npc_action`), whatever put the line in the NPC's mouth (said as written, or the model's).
   */
  action?: string;
}

/** An action id: short, and safe to use as a key or an event name in any game engine. */
export const ACTION_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface KnowledgeHit {
  pair: KnowledgePair;
  score: number;
}

/**
 * Each word's characters and character bigrams; a word is a run of letters and digits (as
 * kobot_train/retrieval.py, whose docstring says why bigrams stay inside words).
 */
export function grams(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).flatMap((word) => {
    const chars = [...word];
    return [...chars, ...chars.slice(1).map((c, i) => chars[i]! + c)];
  });
}

/** The first method: bigrams of the letters and digits with spaces dropped, so they cross words. */
export function crossWordBigrams(text: string): string[] {
  const chars = [...text.toLowerCase()].filter((c) => /[\p{L}\p{N}]/u.test(c));
  if (chars.length < 2) return chars.length ? [chars.join("")] : [];
  return chars.slice(1).map((c, i) => chars[i]! + c);
}

/**
 * By the name a model's config.json gives (`npc_retrieval.grams`): a model is shown pairs found the way
 * it was trained; one exported without a name was trained with "bigrams".
 */
export const GRAMS = { "chars+word-bigrams": grams, bigrams: crossWordBigrams } as const;
export type GramsMethod = keyof typeof GRAMS;

/** A knowledge file's problems said at most; past them, how many more. */
const PROBLEMS_SAID = 20;

/** `problems` as one message, the first PROBLEMS_SAID of them and how many more. */
export function knowledgeProblems(problems: readonly string[]): string {
  const more = problems.length - PROBLEMS_SAID;
  return [...problems.slice(0, PROBLEMS_SAID), ...(more > 0 ? [`…and ${more} more problems`] : [])].join("\n    ");
}

/**
 * Reads a knowledge file: one JSON object `{"q": "...", "a": "..."}` a line, where `q` may also be a list of the
 * ways a player asks for that answer (`{"q": ["이름이 뭐야?", "성함이 어떻게 되세요?"], "a": "..."}`); a clear
 * error names every bad line.
 */
export function readKnowledgeFile(path: string): KnowledgePair[] {
  const { pairs, problems } = readKnowledgeLines(path);
  if (problems.length > 0) throw new ModelLoadError(path, knowledgeProblems(problems));
  return pairs;
}

/**
 * A knowledge file's good lines, and what is wrong with each bad one (`path:line: …`; a file that cannot be read
 * throws). Every bad line at once: an author mended one a run, and ran the check again for the next. `lineOf` gives
 * each pair's line, for the checks made of the pairs later; kept beside them, not in them, as the pairs go to the
 * index, the model's prompts and the worker's thread as they are.
 */
export function readKnowledgeLines(path: string): { pairs: KnowledgePair[]; problems: string[]; lineOf: ReadonlyMap<KnowledgePair, number> } {
  let text: string;
  try {
    text = readAuthoredText(path);
  } catch (error) {
    // A file in another encoding names its path and line itself.
    const problem = error instanceof NotUtf8Error ? error.message : `cannot read knowledge file ${path}: ${(error as Error).message}`;
    throw new ModelLoadError(path, problem, { cause: error });
  }
  const problems: string[] = [];
  const lineOf = new Map<KnowledgePair, number>();
  const pairs = text.split("\n").flatMap((line, i) => {
    if (!line.trim()) return [];
    const problem = (what: string) => {
      problems.push(`${path}:${i + 1}: ${what}`);
      return [];
    };
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      return problem("not JSON");
    }
    const { q, a, action } = (row ?? {}) as { q?: unknown; a?: unknown; action?: unknown };
    // Cleaned as players' lines are: control and invisible characters out, one space between words.
    const asked = (Array.isArray(q) ? q : [q]).map((text) => (typeof text === "string" ? cleanText(text) : ""));
    const answer = typeof a === "string" ? cleanText(a) : "";
    if (asked.length === 0 || asked.some((text) => !text) || !answer) {
      return problem('needs "q" (a question, or a list of ways to ask it) and "a", non-empty strings');
    }
    if (action !== undefined && (typeof action !== "string" || !ACTION_ID.test(action))) {
      return problem(`"action" must be 1–64 letters, digits, '_', '.', ':' or '-' (an id your game's client knows), got ${JSON.stringify(action)}`);
    }
    const [first, ...also] = asked as [string, ...string[]];
    const pair: KnowledgePair = { q: first, a: answer, ...(also.length > 0 ? { also } : {}), ...(action !== undefined ? { action } : {}) };
    lineOf.set(pair, i + 1);
    return [pair];
  });
  return { pairs, problems, lineOf };
}

function counts(items: string[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const item of items) result.set(item, (result.get(item) ?? 0) + 1);
  return result;
}

export interface KnowledgeIndexOptions {
  /**
   * A larger index whose gram weights (IDF) this one uses: an NPC's file of a dozen lines cannot tell a common
   * ending ("있어") from a name ("미나"), 9,466 training questions can.
   */
  weightsFrom?: KnowledgeIndex;
  /**
   * Match a query against each pair's answer too (a pair scores the better of the two): an NPC's facts are in
   * its answers ("여기서 뭐 팔아? → 검이랑 방패를 팔지." is the line for "방패 있어요?", which shares no word
   * with its question). Off for the general index: its answers are replies, not facts, and adding a weight times
   * the answer's similarity found no more of the validation questions' own answers (22.5% → 22.8% at best, 0.1).
   */
  answers?: boolean;
}

/**
 * TF-IDF over the questions' characters and in-word character bigrams, cosine similarity: suits short
 * Korean chat lines without a morphological analyser. Same scoring as the training pipeline, checked by
 * shared vectors.
 */
export class KnowledgeIndex {
  private readonly idf = new Map<string, number>();
  private readonly postings = new Map<string, Postings>();
  /** Scratch for search: each document's score so far, and which have one (reset after each search). */
  private readonly scores: Float64Array;
  private readonly touched: Int32Array;
  private readonly weightsFrom: KnowledgeIndex | undefined;
  /** Each document's pair. */
  private readonly pairOf: Int32Array;
  /** How many ways to ask the pairs have: their documents come first, the answers' (if any) after them. */
  private readonly questionDocs: number;
  /** Most documents one pair has (its ways to ask, and its answer). */
  private readonly docsPerPair: number;

  /**
   * `cut` splits text into the grams it is indexed by (one of GRAMS). Documents are the pairs' questions
   * (each way to ask one), then with `answers` their answers.
   */
  constructor(
    readonly pairs: readonly KnowledgePair[],
    private readonly cut: (text: string) => string[] = grams,
    { weightsFrom, answers = false }: KnowledgeIndexOptions = {},
  ) {
    this.weightsFrom = weightsFrom;
    const asked = pairs.flatMap((p, pair) => [p.q, ...(p.also ?? [])].map((q) => ({ pair, q })));
    const questions = asked.map(({ q }) => counts(cut(q)));
    const perDoc = answers ? [...questions, ...pairs.map((p) => counts(cut(p.a)))] : questions;
    this.pairOf = Int32Array.from([...asked.map(({ pair }) => pair), ...(answers ? pairs.keys() : [])]);
    this.questionDocs = asked.length;
    this.docsPerPair = pairs.reduce((most, p) => Math.max(most, 1 + (p.also?.length ?? 0)), 0) + (answers ? 1 : 0);
    if (!weightsFrom) {
      const df = new Map<string, number>();
      for (const doc of questions) for (const gram of doc.keys()) df.set(gram, (df.get(gram) ?? 0) + 1);
      for (const [gram, d] of df) this.idf.set(gram, Math.log((this.questionDocs + 1) / (d + 1)) + 1);
    }
    const lists = new Map<string, { docs: number[]; weights: number[] }>();
    perDoc.forEach((doc, index) => {
      const weights = [...doc].map(([gram, tf]) => [gram, tf * this.weight(gram)] as const);
      const norm = Math.sqrt(weights.reduce((sum, [, w]) => sum + w * w, 0)) || 1;
      for (const [gram, w] of weights) {
        let list = lists.get(gram);
        if (!list) lists.set(gram, (list = { docs: [], weights: [] }));
        list.docs.push(index);
        list.weights.push(w / norm);
      }
    });
    for (const [gram, { docs, weights }] of lists) {
      this.postings.set(gram, { docs: Int32Array.from(docs), weights: Float64Array.from(weights) });
    }
    this.scores = new Float64Array(perDoc.length);
    this.touched = new Int32Array(perDoc.length);
  }

  /** A knowledge file's pairs, indexed by `cut`. */
  static fromFile(path: string, cut: (text: string) => string[] = grams): KnowledgeIndex {
    return new KnowledgeIndex(readKnowledgeFile(path), cut);
  }

  get size(): number {
    return this.pairs.length;
  }

  /**
   * A gram's weight (IDF). A gram no question has still counts in a query's length, at the rarest weight:
   * "오늘 지각했어" is not "오늘 뭐 했어?" because a small knowledge file has never seen 지각.
   */
  private weight(gram: string): number {
    if (this.weightsFrom) return this.weightsFrom.weight(gram);
    return this.idf.get(gram) ?? Math.log(this.questionDocs + 1) + 1;
  }

  /**
   * Up to k pairs whose question (or, indexed with `answers`, answer) is most like the query, best first; ties
   * go to the earlier pair. `questionsOnly`: a pair's answer does not count (a line said as written must be
   * asked for, not echoed).
   */
  search(query: string, k: number, minScore = 0, { questionsOnly = false } = {}): KnowledgeHit[] {
    const weights = [...counts(this.cut(query))].map(([gram, tf]) => [gram, tf * this.weight(gram)] as const);
    const norm = Math.sqrt(weights.reduce((sum, [, w]) => sum + w * w, 0));
    if (!norm) return [];
    // Common grams ("요", "어요") touch thousands of pairs: scores add up in a flat array, not a map
    // (1 ms → ~0.1 ms a question over the 9,400 training pairs, ~15% of a batched answer's time).
    const { scores, touched } = this;
    let count = 0;
    for (const [gram, w] of weights) {
      const list = this.postings.get(gram);
      if (!list) continue;
      const q = w / norm;
      for (let i = 0; i < list.docs.length; i++) {
        const doc = list.docs[i]!;
        if (scores[doc] === 0) touched[count++] = doc;
        scores[doc]! += q * list.weights[i]!;
      }
    }
    const candidates: [pair: number, score: number][] = [];
    for (let i = 0; i < count; i++) {
      const doc = touched[i]!;
      if (scores[doc]! >= minScore && !(questionsOnly && doc >= this.questionDocs)) candidates.push([this.pairOf[doc]!, scores[doc]!]);
      scores[doc] = 0;
    }
    // A pair may be there several times (its ways to ask, its answer): the best k × that many hold k pairs,
    // each at its best score.
    const best = takeBest(candidates, this.docsPerPair * k, (a, b) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]));
    const seen = new Set<number>();
    return best
      .filter(([pair]) => !seen.has(pair) && seen.add(pair))
      .slice(0, k)
      .map(([pair, score]) => ({ pair: this.pairs[pair]!, score }));
  }
}

/** The pairs a gram occurs in and its weight in each (TF-IDF over the pair's norm), as flat arrays. */
interface Postings {
  docs: Int32Array;
  weights: Float64Array;
}
