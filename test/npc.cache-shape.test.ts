import assert from "node:assert/strict";

import type { InferenceSession } from "onnxruntime-node";

import { cacheShape } from "../npc/engine/cache-shape.js";

/** A session as cacheShape reads it: its inputs' metadata alone (the shipped graphs are read in test/npc.engine.test.ts). */
const sessionWith = (inputMetadata: unknown[]) => ({ inputMetadata }) as unknown as InferenceSession;
const input = (name: string, shape: Array<number | string>) => ({ name, isTensor: true, type: "float32", shape });

describe("A decoder graph's cache shape", () => {
  it("reads heads and head size from the first past_key_values input, batch and width named, not fixed", () => {
    const session = sessionWith([
      input("input_ids", ["batch_size", "sequence_length"]),
      input("attention_mask", ["batch_size", "total_sequence_length"]),
      input("past_key_values.0.key", ["batch_size", 12, "past_sequence_length", 64]),
      input("past_key_values.0.value", ["batch_size", 12, "past_sequence_length", 64]),
    ]);
    assert.deepEqual(cacheShape(session), { heads: 12, headSize: 64 });
  });

  it("refuses a graph without cache inputs, or whose heads or head size are not fixed", () => {
    const refused = /no past_key_values inputs of fixed heads and head size/;
    assert.throws(() => cacheShape(sessionWith([input("input_ids", ["batch_size", "sequence_length"])])), refused);
    assert.throws(() => cacheShape(sessionWith([input("past_key_values.0.key", ["batch_size", "heads", "past_sequence_length", 64])])), refused);
    assert.throws(() => cacheShape(sessionWith([{ name: "past_key_values.0.key", isTensor: false, type: "sequence" }])), refused);
  });
});
