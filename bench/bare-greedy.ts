import * as ort from "onnxruntime-node";

import { SESSION_OPTIONS } from "../npc/engine/session-options.js";

/**
 * The least a greedy answer can cost: onnxruntime-node alone, the same ONNX file, a KV cache, argmax.
 * The benchmark divides the engine's time by this one's to show what transformers.js adds.
 */
export class BareGreedy {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly layers: number,
    private readonly heads: number,
    private readonly headDim: number,
    private readonly eosId: number,
  ) {}

  static async load(onnxPath: string, config: { n_layer: number; n_head: number; n_embd: number }, eosId: number) {
    const session = await ort.InferenceSession.create(onnxPath, SESSION_OPTIONS); // as the engine's
    return new BareGreedy(session, config.n_layer, config.n_head, config.n_embd / config.n_head, eosId);
  }

  /** Generated ids (eos excluded) and the time to the first one. */
  async generate(promptIds: number[], maxNewTokens: number): Promise<{ ids: number[]; firstTokenMs: number }> {
    const started = performance.now();
    const int64 = (values: number[]) => new ort.Tensor("int64", BigInt64Array.from(values.map(BigInt)), [1, values.length]);
    const empty = new ort.Tensor("float32", new Float32Array(0), [1, this.heads, 0, this.headDim]);
    let past: Record<string, ort.Tensor> = {};
    for (let layer = 0; layer < this.layers; layer++) {
      past[`past_key_values.${layer}.key`] = empty;
      past[`past_key_values.${layer}.value`] = empty;
    }
    let input = promptIds;
    let length = 0;
    const ids: number[] = [];
    let firstTokenMs = 0;
    while (ids.length < maxNewTokens) {
      const feeds = {
        input_ids: int64(input),
        attention_mask: int64(new Array<number>(length + input.length).fill(1)),
        position_ids: int64(input.map((_, i) => length + i)),
        // Exports of ours project only the last position onto the vocabulary, as transformers.js asks.
        ...(this.session.inputNames.includes("num_logits_to_keep")
          ? { num_logits_to_keep: new ort.Tensor("int64", BigInt64Array.from([1n]), []) }
          : {}),
        ...past,
      };
      const outputs = await this.session.run(feeds);
      const logits = outputs.logits!;
      const vocab = logits.dims[2]!;
      const data = logits.data as Float32Array;
      const rows = logits.dims[1]!; // 1 when the graph kept only the last position
      const last = data.subarray((rows - 1) * vocab, rows * vocab);
      let best = 0;
      for (let i = 1; i < vocab; i++) if (last[i]! > last[best]!) best = i;
      if (ids.length === 0) firstTokenMs = performance.now() - started;
      if (best === this.eosId) break;
      ids.push(best);
      length += input.length;
      input = [best];
      past = {};
      for (let layer = 0; layer < this.layers; layer++) {
        past[`past_key_values.${layer}.key`] = outputs[`present.${layer}.key`]!;
        past[`past_key_values.${layer}.value`] = outputs[`present.${layer}.value`]!;
      }
    }
    return { ids, firstTokenMs };
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
