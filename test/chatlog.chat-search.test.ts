import assert from "node:assert/strict";

import type { Client } from "@elastic/elasticsearch";

import { SearchParams, searchChat } from "../chatlog/chat-search.js";

/**
 * A fake client answering with `hits` hits and two closed months, January and March: a unit test of the page
 * searchChat makes of an answer (searches of a real Elasticsearch are in test/integration/chatlog.index.test.ts).
 */
function clientAnswering(hits: number) {
  const asked: Array<{ size?: number }> = [];
  const hit = (n: number) => ({ _source: { id: `l${n}`, roomId: "r", kind: "player", from: "p", name: "민수", text: "안녕", "@timestamp": n }, sort: [n, `l${n}`] });
  const es = {
    search: async (request: { size?: number }) => {
      asked.push(request);
      return { hits: { total: { value: hits }, hits: Array.from({ length: hits }, (_, i) => hit(i)) }, _shards: { failed: 0 } };
    },
    cat: { indices: async () => [{ index: "kobot-chat-2026.01", status: "close" }, { index: "kobot-chat-2026.03", status: "close" }] },
  } as unknown as Client;
  return { es, asked };
}

describe("Chat search pages", () => {
  const march = SearchParams.parse({ size: "2", from: "2026-03-01", to: "2026-03-31" });

  it("asks for one hit more than the page, and gives `next` only when that hit came", async () => {
    const full = clientAnswering(3);
    const page = await searchChat(full.es, march, "kobot-chat");
    assert.equal(full.asked[0]!.size, 3);
    assert.deepEqual(page.hits.map((hit) => hit.id), ["l0", "l1"]);
    assert.ok(page.next);
    assert.equal((await searchChat(clientAnswering(2).es, march, "kobot-chat")).next, undefined);
  });

  it("names the closed months the range touches, not others", async () => {
    assert.deepEqual((await searchChat(clientAnswering(0).es, march, "kobot-chat")).closedIndices, ["kobot-chat-2026.03"]);
  });
});
