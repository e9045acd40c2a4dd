import { type PreTrainedModel, Tensor } from "@huggingface/transformers";

/** What a scoring pass returns: [rows, kept positions, vocab] logits, and their log Σ exp where the graph has it. */
export interface ScoredLogits {
  logits: { dims: readonly number[]; data: unknown };
  logits_logsumexp?: { data: unknown };
}

/**
 * One forward pass over whole left-padded sequences, no cache, keeping the logits of the last `num_logits_to_keep`
 * positions: the full graph's (`modelScoring`) or the int8 prefill graph's (int8-prefill.ts `int8Scoring`).
 */
export type ScoringPass = (feeds: { input_ids: Tensor; attention_mask: Tensor; num_logits_to_keep: Tensor }) => Promise<ScoredLogits>;

/** The full graph as a scoring pass (transformers.js gives it position ids from the mask). */
export function modelScoring(model: PreTrainedModel): ScoringPass {
  return async (feeds) => (await model.forward(feeds)) as ScoredLogits;
}

/**
 * Mean log-probability of each answer (its tokens and the closing `</s>`) after its prompt, all rows in
 * one forward pass. Used to choose among sampled candidates. Only the logits that predict answer tokens are
 * kept (rows are left-padded, so answers end together): all of them, 8,000 floats a position, took 172 MB for
 * 16 prompts of 70 tokens.
 */
export async function meanLogProbs(
  pass: ScoringPass,
  rows: { prompt: number[]; answer: number[] }[],
  padId: number,
): Promise<number[]> {
  const width = Math.max(...rows.map((r) => r.prompt.length + r.answer.length));
  const ids = new BigInt64Array(rows.length * width).fill(BigInt(padId));
  const mask = new BigInt64Array(rows.length * width);
  rows.forEach(({ prompt, answer }, row) => {
    const sequence = [...prompt, ...answer];
    const offset = row * width + (width - sequence.length); // left padding, as in generation
    sequence.forEach((id, i) => {
      ids[offset + i] = BigInt(id);
      mask[offset + i] = 1n;
    });
  });
  const shape = [rows.length, width];
  // The last `kept` positions: from the one before the longest answer's first token.
  const kept = Math.min(width, Math.max(...rows.map((r) => r.answer.length)) + 1);
  const { logits, logits_logsumexp: logSums } = await pass({
    input_ids: new Tensor("int64", ids, shape),
    attention_mask: new Tensor("int64", mask, shape),
    num_logits_to_keep: new Tensor("int64", [BigInt(kept)], []),
  });
  const vocab = logits.dims[2]!;
  if (logits.dims[1] !== kept) throw new Error(`the model kept ${logits.dims[1]} positions' logits, asked for ${kept}`);
  const data = logits.data as Float32Array;
  const sums = logSums?.data as Float32Array | undefined;
  return rows.map(({ answer }, row) => {
    let total = 0;
    answer.forEach((token, i) => {
      const position = row * kept + kept - answer.length + i - 1; // the logits that predict this token
      total += tokenLogProb(data, vocab, position, token, sums);
    });
    return total / Math.max(1, answer.length);
  });
}

/**
 * log p(token) at `position` of a [positions, vocab] logits buffer: the logit minus the graph's log Σ exp
 * (`logits_logsumexp`, exports since decoder_graph.py), or a log-softmax computed here for older exports.
 */
export function tokenLogProb(logits: Float32Array, vocab: number, position: number, token: number, logSums?: Float32Array): number {
  return logSums
    ? logits[position * vocab + token]! - logSums[position]!
    : logSoftmaxAt(logits.subarray(position * vocab, (position + 1) * vocab), token);
}

/** log softmax(logits)[index], computed stably. */
function logSoftmaxAt(logits: Float32Array, index: number): number {
  let max = -Infinity;
  for (const value of logits) if (value > max) max = value;
  let sum = 0;
  for (const value of logits) sum += Math.exp(value - max);
  return logits[index]! - max - Math.log(sum);
}
