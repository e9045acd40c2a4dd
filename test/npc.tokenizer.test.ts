import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { shippedEngine } from "./helpers/engine.js";

// Written by the training pipeline from the Python tokenizer of the shipped model.
const vectors = JSON.parse(readFileSync(new URL("./fixtures/tokenizer-vectors.json", import.meta.url), "utf8")) as {
  text: string;
  ids: number[];
}[];

describe("NPC tokenizer", () => {
  it("has shared vectors covering Korean, special tokens, emoji and whitespace", () => {
    assert.ok(vectors.length >= 10);
    assert.ok(vectors.some((v) => v.text.includes("<usr>")));
  });

  for (const vector of vectors) {
    it(`gives the Python ids for ${JSON.stringify(vector.text)}`, async () => {
      const engine = await shippedEngine();
      assert.deepEqual(engine.encode(vector.text), vector.ids);
    });
  }
});
