import assert from "node:assert/strict";

import { produceRequests } from "../kafka/produce-requests.js";

describe("Produce requests (kafka/produce-requests.ts)", () => {
  it("fills a request up to exactly maxBytes", () => {
    assert.deepEqual([...produceRequests([1, 1, 1], (n) => n, 2)], [[1, 1], [1]]);
  });

  it("holds at most maxCount messages", () => {
    assert.deepEqual([...produceRequests(["a", "b", "c"], () => 1, 100, 2)], [["a", "b"], ["c"]]);
  });
});
