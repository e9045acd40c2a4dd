import assert from "node:assert/strict";

import type { Client } from "@elastic/elasticsearch";

import { closedIndices } from "../chatlog/closed-indices.js";

/**
 * A fake client whose `cat.indices` gives a fixed answer: a unit test of what closedIndices makes of it (months closed
 * on a real Elasticsearch are in test/integration/chatlog.index.test.ts).
 */
const catAnswering = (indices: () => Promise<unknown>) => ({ cat: { indices } }) as unknown as Client;

describe("Closed chat indices", () => {
  it("names the closed indices only, sorted", async () => {
    const es = catAnswering(async () => [
      { index: "chat-2026.02", status: "close" },
      { index: "chat-2026.03", status: "open" },
      { index: "chat-2026.01", status: "close" },
    ]);
    assert.deepEqual(await closedIndices(es, "chat"), ["chat-2026.01", "chat-2026.02"]);
  });

  it("names none when nothing is indexed yet, and throws any other error", async () => {
    const missing = { body: { error: { type: "index_not_found_exception" } } };
    assert.deepEqual(await closedIndices(catAnswering(() => Promise.reject(missing)), "chat"), []);
    const blocked = Object.assign(new Error("cluster blocked"), { body: { error: { type: "cluster_block_exception" } } });
    await assert.rejects(closedIndices(catAnswering(() => Promise.reject(blocked)), "chat"), /cluster blocked/);
  });
});
