import { readFileSync } from "node:fs";

import { ModelLoadError } from "./errors.js";
import { takeBest } from "./take-best.js";

/** A question the NPC knows and the answer it would give (one line of a knowledge file). */
export interface KnowledgePair {
  q: string;
  a: string;
}

export interface KnowledgeHit {
  pair: KnowledgePair;
  score: number;
}

/** Character bigrams of the letters and digits, spaces and punctuation dropped (as kobot_train/retrieval.py). */
export function grams(text: string): string[] {
  const chars = [...text.toLowerCase()].filter((c) => /[\p{L}\p{N}]/u.test(c));
  if (chars.length < 2) return chars.length ? [chars.join("")] : [];
  return chars.slice(1).map((c, i) => chars[i]! + c);
}

function counts(items: string[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const item of items) result.set(item, (result.get(item) ?? 0) + 1);
  return result;
}

/**
 * TF-IDF over character bigrams of the questions, cosine similarity: suits short Korean chat lines
 * without a morphological analyser. Same scoring as the training pipeline, checked by shared vectors.
 */
export class KnowledgeIndex {
  private readonly idf = new Map<string, number>();
  private readonly postings = new Map<string, [doc: number, weight: number][]>();

  constructor(readonly pairs: readonly KnowledgePair[]) {
    const perDoc = pairs.map((p) => counts(grams(p.q)));
    const df = new Map<string, number>();
    for (const doc of perDoc) for (const gram of doc.keys()) df.set(gram, (df.get(gram) ?? 0) + 1);
    for (const [gram, d] of df) this.idf.set(gram, Math.log((pairs.length + 1) / (d + 1)) + 1);
    perDoc.forEach((doc, index) => {
      const weights = [...doc].map(([gram, tf]) => [gram, tf * this.idf.get(gram)!] as const);
      const norm = Math.sqrt(weights.reduce((sum, [, w]) => sum + w * w, 0)) || 1;
      for (const [gram, w] of weights) {
        let list = this.postings.get(gram);
        if (!list) this.postings.set(gram, (list = []));
        list.push([index, w / norm]);
      }
    });
  }

  /** Reads a knowledge file: one JSON object `{"q": "...", "a": "..."}` a line. */
  static fromFile(path: string): KnowledgeIndex {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new ModelLoadError(path, `cannot read knowledge file ${path}: ${(error as Error).message}`, { cause: error });
    }
    const pairs = text.split("\n").flatMap((line, i) => {
      if (!line.trim()) return [];
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new ModelLoadError(path, `${path}:${i + 1}: not JSON`);
      }
      const { q, a } = (row ?? {}) as Partial<KnowledgePair>;
      if (typeof q !== "string" || typeof a !== "string" || !q.trim() || !a.trim()) {
        throw new ModelLoadError(path, `${path}:${i + 1}: needs non-empty "q" and "a" strings`);
      }
      return [{ q: q.trim(), a: a.trim() }];
    });
    return new KnowledgeIndex(pairs);
  }

  get size(): number {
    return this.pairs.length;
  }

  /** Up to k pairs whose question is most like the query, best first; ties go to the earlier pair. */
  search(query: string, k: number, minScore = 0): KnowledgeHit[] {
    const weights = [...counts(grams(query))]
      .filter(([gram]) => this.idf.has(gram))
      .map(([gram, tf]) => [gram, tf * this.idf.get(gram)!] as const);
    const norm = Math.sqrt(weights.reduce((sum, [, w]) => sum + w * w, 0));
    if (!norm) return [];
    const scores = new Map<number, number>();
    for (const [gram, w] of weights) {
      for (const [doc, dw] of this.postings.get(gram)!) scores.set(doc, (scores.get(doc) ?? 0) + (w / norm) * dw);
    }
    // Only the k best are kept while scanning: common bigrams ("어요") touch thousands of pairs.
    const candidates = [...scores].filter(([, score]) => score >= minScore);
    const best = takeBest(candidates, k, (a, b) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]));
    return best.map(([doc, score]) => ({ pair: this.pairs[doc]!, score }));
  }
}
