import { Tensor } from "@huggingface/transformers";

/**
 * What one more onnxruntime call costs, in prompt tokens: a prefill of one 55-token prompt takes
 * ~5 ms alone and ~2.8 ms a row in a batch of 16 (~0.05 ms a token), so a call's own cost is ~50 tokens.
 */
export const CALL_COST_TOKENS = 50;

/**
 * Splits a batch's prompts into groups of similar length, each prefilled as its own padded batch:
 * the cheapest split when a group costs one call plus its rows × its longest prompt. Left-padded to the
 * longest of 16 everyday prompts (6 to 54 tokens), a single prefill computed 1.8 tokens per real one.
 * Returns row indices, shortest prompts first.
 */
export function prefillGroups(lengths: readonly number[], callCost = CALL_COST_TOKENS): number[][] {
  const order = lengths.map((_, row) => row).sort((a, b) => lengths[a]! - lengths[b]!);
  // best[j]: the cheapest prefill of the j shortest prompts; start[j]: where its last group begins.
  const best = [0];
  const start = [0];
  for (let j = 1; j <= order.length; j++) {
    best[j] = Infinity;
    for (let i = 0; i < j; i++) {
      const cost = best[i]! + callCost + (j - i) * lengths[order[j - 1]!]!;
      if (cost < best[j]!) [best[j], start[j]] = [cost, i];
    }
  }
  const groups: number[][] = [];
  for (let j = order.length; j > 0; j = start[j]!) groups.unshift(order.slice(start[j]!, j));
  return groups;
}

/** What a forward pass returns; a group's outputs may be transformers.js or onnxruntime tensors. */
type Outputs = Record<string, { dims: readonly number[]; data: unknown; type: string }>;

/** One forward pass of the decoder over prompts (no cache yet), returning logits and `present.*` caches. */
export type Prefill = (feeds: { input_ids: Tensor; attention_mask: Tensor; position_ids: Tensor }) => Promise<Outputs>;

/**
 * The first forward pass of a left-padded batch, run per length group and merged back into one batch
 * as if it had been run whole: each group's cache is left-padded with zeros to the batch's width, where
 * the batch's attention mask is 0 anyway. `feeds` hold `input_ids`, `attention_mask`, `position_ids`,
 * all [rows, width]; `lengths` are the rows' prompt lengths (the 1s of each mask row).
 */
export async function groupedPrefill(
  prefill: Prefill,
  feeds: { input_ids: Tensor; attention_mask: Tensor; position_ids: Tensor },
  lengths: readonly number[],
): Promise<Outputs> {
  const [rows, width] = feeds.attention_mask.dims as [number, number];
  const groups = prefillGroups(lengths);
  if (groups.length === 1) return prefill(feeds);

  const parts: { rows: number[]; outputs: Outputs }[] = [];
  for (const group of groups) {
    const groupWidth = Math.max(...group.map((row) => lengths[row]!));
    const slice = (tensor: Tensor) => rightColumns(tensor, group, groupWidth);
    const outputs = await prefill({
      input_ids: slice(feeds.input_ids),
      attention_mask: slice(feeds.attention_mask),
      position_ids: slice(feeds.position_ids),
    });
    parts.push({ rows: group, outputs });
  }
  const merged: Outputs = {};
  for (const name of Object.keys(parts[0]!.outputs)) {
    merged[name] = name.startsWith("present")
      ? mergeCaches(parts.map((p) => ({ rows: p.rows, tensor: p.outputs[name]! })), rows, width)
      : mergeRows(parts.map((p) => ({ rows: p.rows, tensor: p.outputs[name]! })), rows);
  }
  return merged;
}

/** Rows `rows` of a [rows, width] int64 tensor, only its last `columns` columns. */
function rightColumns(tensor: Tensor, rows: number[], columns: number): Tensor {
  const width = tensor.dims[1]!;
  const data = tensor.data as BigInt64Array;
  const out = new BigInt64Array(rows.length * columns);
  rows.forEach((row, i) => out.set(data.subarray((row + 1) * width - columns, (row + 1) * width), i * columns));
  return new Tensor("int64", out, [rows.length, columns]);
}

/** Outputs whose first axis is the batch (float32 logits, their log-sum-exp), rows put back in batch order. */
function mergeRows(parts: { rows: number[]; tensor: Outputs[string] }[], batch: number): Tensor {
  const first = parts[0]!.tensor;
  const rowSize = (first.data as Float32Array).length / first.dims[0]!;
  const out = new Float32Array(batch * rowSize);
  for (const { rows, tensor } of parts) {
    const data = tensor.data as Float32Array;
    rows.forEach((row, i) => out.set(data.subarray(i * rowSize, (i + 1) * rowSize), row * rowSize));
  }
  return new Tensor("float32", out, [batch, ...first.dims.slice(1)]);
}

/** Float32 cache tensors [rows, heads, length, head size] of each group, left-padded with zeros to `width`. */
function mergeCaches(parts: { rows: number[]; tensor: Outputs[string] }[], batch: number, width: number): Tensor {
  const [, heads, , headSize] = parts[0]!.tensor.dims as [number, number, number, number];
  const out = new Float32Array(batch * heads * width * headSize);
  for (const { rows, tensor } of parts) {
    const length = tensor.dims[2]!;
    const data = tensor.data as Float32Array;
    const block = length * headSize; // one head of one row
    rows.forEach((row, i) => {
      for (let head = 0; head < heads; head++) {
        const from = (i * heads + head) * block;
        out.set(data.subarray(from, from + block), ((row * heads + head) * width + width - length) * headSize);
      }
    });
  }
  return new Tensor("float32", out, [batch, heads, width, headSize]);
}
