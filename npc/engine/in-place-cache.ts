import * as ort from "onnxruntime-node";

/** What a decoding step needs of its outputs: a row's logits and their log Σ exp. */
export interface StepLogits {
  logits: { dims: readonly number[]; data: Float32Array };
  logits_logsumexp?: { data: Float32Array };
}

/** A forward pass's logits (and their log Σ exp when the graph has it), checked to be float32 as exported. */
export function stepLogits(outputs: Record<string, { dims: readonly number[]; data: unknown }>): StepLogits {
  const { logits, logits_logsumexp: logSums } = outputs;
  if (!(logits?.data instanceof Float32Array)) throw new Error("the model's forward pass returned no float32 logits");
  return {
    logits: { dims: logits.dims, data: logits.data },
    ...(logSums?.data instanceof Float32Array ? { logits_logsumexp: { data: logSums.data } } : {}),
  };
}

/**
 * A batch's KV cache in buffers as wide as it will ever grow, decoded by the export's step graph
 * (`model_step.onnx`, kobot_train/decoder_graph.py `step_model`). The full graph's attention returns past + new
 * as a fresh `present` every step, which onnxruntime-node then copies into JavaScript: at 16 rows and a
 * 64-token cache that was ~40% of the step. Here a step reads the buffers where they lie and returns only
 * the new token's keys and values, written into the next free column; a row that ends is replaced by the
 * last live row (one row copied), so the live rows stay a prefix that the next step reads without copying.
 */
export class InPlaceCache {
  /** Per cache input: [rows, heads, width, head size]. */
  private readonly buffers: Record<string, Float32Array> = {};
  /** [rows, width]: 0 where a column holds a key of that row, −∞ where it is padding or not yet written. */
  private readonly bias: Float32Array;
  private readonly width: number;
  private readonly heads: number;
  private readonly headSize: number;
  private readonly rowSize: number;
  /** The next column to write. */
  private filled: number;
  /** Live rows: the first `rows` of every buffer. */
  private rows: number;

  /**
   * `present`: the prefill's cache ([rows, heads, prompt width, head size] per `past_key_values.N.key|value`),
   * `mask`: the prompts' attention mask (left padding is 0); room for `newTokens` more columns.
   */
  constructor(
    present: Record<string, { dims: readonly number[]; data: unknown }>,
    mask: readonly (readonly bigint[])[],
    newTokens: number,
    private readonly session: ort.InferenceSession,
  ) {
    const first = Object.values(present)[0]!;
    const [rows, heads, promptWidth, headSize] = first.dims as [number, number, number, number];
    this.width = promptWidth + newTokens;
    this.heads = heads;
    this.headSize = headSize;
    this.rowSize = heads * this.width * headSize;
    for (const [name, tensor] of Object.entries(present)) {
      const from = tensor.data as Float32Array;
      const to = new Float32Array(rows * this.rowSize);
      for (let block = 0; block < rows * heads; block++) {
        to.set(from.subarray(block * promptWidth * headSize, (block + 1) * promptWidth * headSize), block * this.width * headSize);
      }
      this.buffers[name] = to;
    }
    this.bias = new Float32Array(rows * this.width).fill(-Infinity);
    mask.forEach((row, r) => row.forEach((m, column) => m && (this.bias[r * this.width + column] = 0)));
    this.filled = promptWidth;
    this.rows = rows;
  }

  /** One token for each live row (in the cache's row order) at its position; its keys and values join the cache. */
  async step(tokens: readonly bigint[], positions: readonly bigint[]): Promise<StepLogits> {
    const { rows, width, heads, headSize } = this;
    if (this.filled >= width) throw new Error(`the cache is full (${width} columns)`);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", BigInt64Array.from(tokens), [rows, 1]),
      position_ids: new ort.Tensor("int64", BigInt64Array.from(positions), [rows, 1]),
      cache_bias: new ort.Tensor("float32", this.bias.subarray(0, rows * width), [rows, 1, 1, width]),
    };
    for (const [name, buffer] of Object.entries(this.buffers)) {
      feeds[name] = new ort.Tensor("float32", buffer.subarray(0, rows * this.rowSize), [rows, heads, width, headSize]);
    }
    const outputs = await this.session.run(feeds);
    for (const [name, buffer] of Object.entries(this.buffers)) {
      const added = outputs[name.replace("past_key_values", "new")]!.data as Float32Array; // [rows, heads, 1, head size]
      for (let block = 0; block < rows * heads; block++) {
        buffer.set(added.subarray(block * headSize, (block + 1) * headSize), (block * width + this.filled) * headSize);
      }
    }
    for (let r = 0; r < rows; r++) this.bias[r * width + this.filled] = 0;
    this.filled++;
    return stepLogits(outputs);
  }

  /** Keeps the rows `order` names (see compactionOrder): row i becomes the row that was at order[i]. */
  keep(order: readonly number[]): void {
    order.forEach((from, to) => {
      if (from === to) return;
      for (const buffer of Object.values(this.buffers)) buffer.copyWithin(to * this.rowSize, from * this.rowSize, (from + 1) * this.rowSize);
      this.bias.copyWithin(to * this.width, from * this.width, (from + 1) * this.width);
    });
    this.rows = order.length;
  }
}

/**
 * The new row order when only the rows at `kept` (ascending) go on: a kept row below the new count stays
 * where it is, and the gaps there take the kept rows from above it. Few rows move, and none is overwritten
 * before it has moved.
 */
export function compactionOrder(kept: readonly number[]): number[] {
  const count = kept.length;
  const stays = new Set(kept.filter((at) => at < count));
  const movers = kept.filter((at) => at >= count);
  return Array.from({ length: count }, (_, at) => (stays.has(at) ? at : movers.shift()!));
}
