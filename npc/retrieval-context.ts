import type { KnowledgeHit, KnowledgeIndex, KnowledgePair } from "./knowledge-index.js";

export interface RetrievalSettings {
  /** Most pairs shown to the model before the question. */
  k: number;
  /** Cosine similarity below which a pair is not shown. */
  minScore: number;
}

/**
 * The pairs shown to the model before a question, in prompt order (least similar first, the best right
 * before the question). An NPC's own knowledge comes first; the general index fills the remaining places, never
 * with a question the NPC's own already shows (its answer there is the NPC's, not the general index's).
 */
export function retrieveContext(
  question: string,
  settings: RetrievalSettings,
  own: KnowledgeIndex | undefined,
  general: KnowledgeIndex | undefined,
): KnowledgePair[] {
  if (settings.k <= 0) return [];
  const hits: KnowledgeHit[] = own?.search(question, settings.k, settings.minScore) ?? [];
  if (general && hits.length < settings.k) {
    const seen = new Set(hits.map((h) => h.pair.q));
    for (const hit of general.search(question, settings.k, settings.minScore)) {
      if (hits.length === settings.k) break;
      if (!seen.has(hit.pair.q)) hits.push(hit);
    }
  }
  return hits.map((hit) => hit.pair).reverse();
}
