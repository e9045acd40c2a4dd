import assert from "node:assert/strict";

import { Tensor } from "@huggingface/transformers";

import { oneLine } from "../npc/engine/one-line.js";
import { TopPProcessor } from "../npc/engine/top-p.js";
import { TokenStream, type TokenEvent } from "../npc/engine/token-stream.js";

describe("TokenStream", () => {
  // Byte-level tokens as in the model: "가" is EA B0 80, split over tokens 1 and 2.
  const bytes: Record<number, number[]> = { 1: [0xea, 0xb0], 2: [0x80], 3: [...Buffer.from("나")], 4: [...Buffer.from(" 다")] };
  const decode = (ids: number[]) => new TextDecoder().decode(Uint8Array.from(ids.flatMap((id) => bytes[id] ?? [])));

  it("emits whole characters only, per row, and nothing after </s>", () => {
    const events: TokenEvent[] = [];
    const stream = new TokenStream(2, decode, 0, (event) => events.push(event));
    for (const [row, id] of [[0, 1], [1, 3], [0, 2], [1, 0], [0, 4], [1, 3]] as const) stream.push(row, id);
    assert.deepEqual(events, [
      { index: 1, text: "나", delta: "나" },
      { index: 0, text: "가", delta: "가" },
      { index: 0, text: "가 다", delta: " 다" },
    ]);
  });

  it("shows the text as the answer will be said: an answer that begins with a space streams without it", () => {
    const events: TokenEvent[] = [];
    const stream = new TokenStream(1, decode, 0, (event) => events.push(event));
    for (const id of [4, 3, 4]) stream.push(0, id);
    assert.deepEqual(events, [
      { index: 0, text: "다", delta: "다" },
      { index: 0, text: "다나", delta: "나" },
      { index: 0, text: "다나 다", delta: " 다" },
    ]);
  });

  it("cuts a loop back to its first unit, flagged cut, with the whole text as the delta", () => {
    const events: TokenEvent[] = [];
    const stream = new TokenStream(1, decode, 0, (event) => events.push(event));
    for (const id of [3, 3, 3]) stream.push(0, id);
    assert.deepEqual(events.at(-1), { index: 0, text: "나", delta: "나", cut: true });
  });

  it("streams an own line said whole, with no cut, even where it repeats a unit (나나나)", () => {
    const events: TokenEvent[] = [];
    const stream = new TokenStream(1, decode, 0, (event) => events.push(event), [[[3, 3, 3]]]);
    for (const id of [3, 3, 3]) stream.push(0, id);
    assert.equal(events.at(-1)!.text, "나나나");
    assert.equal(events.some((event) => event.cut), false);
  });
});

describe("oneLine", () => {
  it("folds newlines and tabs into one space, not only spaces, and trims the ends", () => {
    assert.equal(oneLine(" 안녕\n\t하세요 \r\n"), "안녕 하세요");
  });
});

describe("TopPProcessor", () => {
  it("keeps the smallest set of most likely tokens that reaches top-p, per row", () => {
    // Row 0 probabilities ≈ [0.64, 0.24, 0.09, 0.03]: top-p 0.8 keeps two tokens, 0.5 keeps one.
    const logits = new Tensor("float32", new Float32Array([3, 2, 1, 0, 0, 0, 0, 0]), [2, 4]);
    new TopPProcessor(0.8)._call([[1n], [1n]], logits);
    const data = [...(logits.data as Float32Array)];
    assert.deepEqual(data.slice(0, 4), [3, 2, -Infinity, -Infinity]);
    assert.deepEqual(data.slice(4).filter(Number.isFinite).length, 4, "a flat row keeps all 4 (0.75 < 0.8)");
    const one = new Tensor("float32", new Float32Array([3, 2, 1, 0]), [1, 4]);
    new TopPProcessor(0.5)._call([[1n]], one);
    assert.deepEqual([...(one.data as Float32Array)], [3, -Infinity, -Infinity, -Infinity]);
  });
});

describe("TopPProcessor with top-k", () => {
  it("applies top-k first, then top-p over what is left", () => {
    const logits = new Tensor("float32", new Float32Array([0, 3, 1, 2, 0.5]), [1, 5]);
    new TopPProcessor(0.99, 2)._call([[1n]], logits);
    assert.deepEqual([...(logits.data as Float32Array)], [-Infinity, 3, -Infinity, 2, -Infinity]);
  });

  it("keeps the single most likely token at top-k 1, even at top-p 1", () => {
    const logits = new Tensor("float32", new Float32Array([1, 3, 2]), [1, 3]);
    new TopPProcessor(1, 1)._call([[1n]], logits);
    assert.deepEqual([...(logits.data as Float32Array)], [-Infinity, 3, -Infinity]);
  });
});
