import { LogitsProcessor, type Tensor } from "@huggingface/transformers";

/**
 * Keeps a row that has produced `</s>` on `</s>`.
 *
 * transformers.js stops a batch only when every row's *last* token is eos; without this, a row that
 * finished early goes on generating and the whole batch runs to max_new_tokens.
 */
export class FinishedRowsProcessor extends LogitsProcessor {
  constructor(
    private readonly eosId: number,
    private readonly promptLength: number,
  ) {
    super();
  }

  _call(inputIds: bigint[][], logits: Tensor): Tensor {
    inputIds.forEach((ids, row) => {
      if (!ids.slice(this.promptLength).some((id) => Number(id) === this.eosId)) return;
      const rowLogits = (logits as unknown as Tensor[])[row]!.data as Float32Array;
      rowLogits.fill(-Infinity);
      rowLogits[this.eosId] = 0;
    });
    return logits;
  }
}
