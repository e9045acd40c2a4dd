import assert from "node:assert/strict";

import { Tensor } from "@huggingface/transformers";

import { FinishedRowsProcessor } from "../npc/finished-rows.js";
import { TokenStream, type TokenEvent } from "../npc/token-stream.js";

describe("FinishedRowsProcessor", () => {
  it("keeps a row that produced </s> on </s>, and leaves the others alone", () => {
    const eos = 0;
    const logits = new Tensor("float32", new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const processor = new FinishedRowsProcessor(eos, 2);
    // Row 0 finished after its 2-token prompt; row 1 has eos only inside its prompt.
    processor._call([[5n, 6n, 0n, 2n], [0n, 6n, 1n, 2n]], logits);
    const data = logits.data as Float32Array;
    assert.deepEqual([...data.slice(0, 3)], [0, -Infinity, -Infinity]);
    assert.deepEqual([...data.slice(3)], [4, 5, 6]);
  });
});

describe("TokenStream", () => {
  // Byte-level tokens as in the model: "가" is EA B0 80, split over tokens 1 and 2.
  const bytes: Record<number, number[]> = { 1: [0xea, 0xb0], 2: [0x80], 3: [...Buffer.from("나")], 4: [...Buffer.from(" 다")] };
  const decode = (ids: number[]) => new TextDecoder().decode(Uint8Array.from(ids.flatMap((id) => bytes[id] ?? [])));

  it("emits whole characters only, per row, and nothing after </s>", () => {
    const events: TokenEvent[] = [];
    const stream = new TokenStream(2, decode, 0, (event) => events.push(event));
    stream.put([[9n, 9n], [9n, 9n]]); // the prompts
    stream.put([[1n], [3n]]);
    stream.put([[2n], [0n]]);
    stream.put([[4n], [3n]]);
    assert.deepEqual(events, [
      { index: 1, text: "나", delta: "나" },
      { index: 0, text: "가", delta: "가" },
      { index: 0, text: "가 다", delta: " 다" },
    ]);
  });
});
