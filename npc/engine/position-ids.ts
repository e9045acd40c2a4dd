import { Tensor } from "@huggingface/transformers";

/**
 * Position ids of a left-padded batch, as transformers.js gives the full graph: each row counts from its first token;
 * pads get 1 (as in Hugging Face; they are masked anyway). The int8 graphs take them as an input of their own.
 */
export function positionIds(attentionMask: Tensor): Tensor {
  const [rows, width] = attentionMask.dims as [number, number];
  const mask = attentionMask.data as BigInt64Array;
  const positions = new BigInt64Array(rows * width);
  for (let row = 0; row < rows; row++) {
    let next = 0n;
    for (let at = row * width; at < (row + 1) * width; at++) positions[at] = mask[at] ? next++ : 1n;
  }
  return new Tensor("int64", positions, [rows, width]);
}
