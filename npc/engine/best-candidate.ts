/** What the choice reads of a sampled answer: its tokens and mean log p(answer | prompt), as decoding saw it. */
export interface ScoredCandidate {
  ids: readonly number[];
  meanLogProb: number;
}

/**
 * The answer an NPC says of those sampled for one question: the highest mean log p(answer | prompt) less
 * `relevanceWeight` × its mean log p(answer | empty question), `generic` (absent: 0). That second term favours answers
 * specific to the question over ones fit for any. An empty answer never wins; a tie goes to the earlier; with every
 * candidate empty, the first is given (the caller says nothing for it).
 */
export function bestCandidate<T extends ScoredCandidate>(candidates: readonly T[], relevanceWeight: number, generic?: readonly number[]): T {
  let best = candidates[0]!;
  let bestScore = -Infinity;
  candidates.forEach((candidate, i) => {
    const score = candidate.meanLogProb - relevanceWeight * (generic?.[i] ?? 0);
    if (candidate.ids.length > 0 && score > bestScore) [best, bestScore] = [candidate, score];
  });
  return best;
}
