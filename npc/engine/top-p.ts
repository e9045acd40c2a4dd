import { LogitsProcessor, type Tensor } from "@huggingface/transformers";

import { takeBest } from "./take-best.js";

/**
 * Top-k then nucleus (top-p) filtering, as Hugging Face orders them: per row, keep the `topK` most likely
 * tokens (all when 0), then the most likely of those whose probabilities add up to `topP`; mask the rest.
 * transformers.js 4.3 reads `top_p` but does not apply it (its warper is a TODO).
 */
export class TopPProcessor extends LogitsProcessor {
  constructor(
    private readonly topP: number,
    private readonly topK = 0,
  ) {
    super();
  }

  _call(_inputIds: bigint[][], logits: Tensor): Tensor {
    for (const row of logits as unknown as Tensor[]) {
      const data = row.data as Float32Array;
      const order = this.topK > 0
        ? mostLikely(data, Math.min(this.topK, data.length))
        : Array.from(data.keys()).sort((a, b) => data[b]! - data[a]!);
      const max = data[order[0]!]!;
      const weights = order.map((i) => Math.exp(data[i]! - max));
      const total = weights.reduce((sum, w) => sum + w, 0);
      let cumulative = 0;
      let keep = 0;
      while (keep < order.length && cumulative < this.topP * total) cumulative += weights[keep++]!;
      const kept = new Set(order.slice(0, Math.max(1, keep)));
      for (let i = 0; i < data.length; i++) if (!kept.has(i)) data[i] = -Infinity;
    }
    return logits;
  }
}

/** Indices of the k largest values, largest first. */
function mostLikely(data: Float32Array, k: number): number[] {
  return takeBest(data.keys(), k, (a, b) => data[a]! > data[b]!);
}
