import assert from "node:assert/strict";

import { chatHit, queryWords, SearchParams, searchQuery } from "../chatlog/chat-search.js";

describe("Chat search parameters", () => {
  it("takes ISO dates whose day exists and epoch milliseconds, and refuses a year or a day past the month's end", () => {
    assert.equal(SearchParams.parse({ from: "2026-11-25" }).from, Date.UTC(2026, 10, 25));
    assert.equal(SearchParams.parse({ from: "2026-11-25T10:00:00Z" }).from, Date.UTC(2026, 10, 25, 10));
    assert.equal(SearchParams.parse({ from: "1772272800000" }).from, 1772272800000);
    for (const from of ["2026-02-30", "123", "1", "yesterday", "2026-13-01"]) {
      assert.equal(SearchParams.safeParse({ from }).success, false, from);
    }
  });

  it("composes a query typed as separate jamo, as the lines it searches are stored", () => {
    const params = SearchParams.parse({ q: "날씨".normalize("NFD"), player: "민수".normalize("NFD") });
    assert.equal(params.q, "날씨");
    assert.equal(params.player, "민수");
    assert.match(JSON.stringify(searchQuery(params)), /"query":"날씨"/);
  });

  it("keeps lines said in private apart, or only them, with private=true|false, and refuses other values", () => {
    assert.deepEqual(searchQuery(SearchParams.parse({ private: "true" })), { bool: { must: [], filter: [{ term: { private: true } }] } });
    assert.deepEqual(searchQuery(SearchParams.parse({ private: "false" })), { bool: { must: [], filter: [{ bool: { must_not: { term: { private: true } } } }] } });
    assert.deepEqual(searchQuery(SearchParams.parse({})), { bool: { must: [], filter: [] } });
    assert.equal(SearchParams.safeParse({ private: "yes" }).success, false);
  });

  it("splits a query at spaces, taking punctuation off words' ends but not from inside them (3.14, naver.com, 10,000원)", () => {
    assert.deepEqual(queryWords(" 날씨? 3.14  naver.com, 10,000원!! v1.2 ... "), ["날씨", "3.14", "naver.com", "10,000원", "v1.2"]);
    assert.deepEqual(queryWords("!!!"), []);
  });

  it("gives a line's time as epoch ms whether stored so (the indexer) or as an ISO string (Logstash)", () => {
    const doc = { id: "l1", roomId: "r", kind: "player", from: "p", name: "민수", text: "안녕" };
    assert.equal(chatHit({ ...doc, "@timestamp": 1772272800000 }).ts, 1772272800000);
    assert.equal(chatHit({ ...doc, "@timestamp": "2026-02-28T10:00:00.000Z" }).ts, Date.UTC(2026, 1, 28, 10));
    assert.equal("@timestamp" in chatHit({ ...doc, "@timestamp": 1 }), false);
  });
});
