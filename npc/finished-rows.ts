import { LogitsProcessor, type Tensor } from "@huggingface/transformers";

import { loopUnit } from "./loop-guard.js";

/**
 * Keeps a finished row on `</s>`: one that has produced `</s>`, or whose answer loops (a small model's
 * greedy decoding sometimes repeats a word until max_new_tokens, which reads as broken).
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
      const answer = ids.slice(this.promptLength).map(Number);
      if (!answer.includes(this.eosId) && loopUnit(answer) === 0) return;
      const rowLogits = (logits as unknown as Tensor[])[row]!.data as Float32Array;
      rowLogits.fill(-Infinity);
      rowLogits[this.eosId] = 0;
    });
    return logits;
  }
}
