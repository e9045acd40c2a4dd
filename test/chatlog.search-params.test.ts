import assert from "node:assert/strict";
import { z } from "zod";

import { chatHit, joinedWords, queryWords, SearchParams, searchQuery } from "../chatlog/chat-search.js";

describe("Chat search parameters", () => {
  it("takes ISO dates whose day exists and epoch milliseconds, and refuses a year or a day past the month's end", () => {
    assert.equal(SearchParams.parse({ from: "2026-11-25" }).from, Date.UTC(2026, 10, 25));
    assert.equal(SearchParams.parse({ from: "2026-11-25T10:00:00Z" }).from, Date.UTC(2026, 10, 25, 10));
    assert.equal(SearchParams.parse({ from: "1772272800000" }).from, 1772272800000);
    for (const from of ["2026-02-30", "123", "1", "yesterday", "2026-13-01"]) {
      assert.equal(SearchParams.safeParse({ from }).success, false, from);
    }
  });

  it("reads `to` a date alone as the end of that day (from=D&to=D is the day), and a time without a zone as UTC", () => {
    const day = SearchParams.parse({ from: "2026-11-25", to: "2026-11-25" });
    assert.deepEqual([day.from, day.to], [Date.UTC(2026, 10, 25), Date.UTC(2026, 10, 26) - 1]);
    // JavaScript reads it in the server's zone: a server in KST moved it 9 hours.
    assert.equal(SearchParams.parse({ to: "2026-11-25T09:00" }).to, Date.UTC(2026, 10, 25, 9));
    assert.equal(SearchParams.parse({ to: "2026-11-25T09:00:00.5" }).to, Date.UTC(2026, 10, 25, 9, 0, 0, 500));
    assert.equal(SearchParams.parse({ to: "2026-11-25T09:00+09:00" }).to, Date.UTC(2026, 10, 25, 0));
  });

  it("takes `from` equal to `to`: the lines of one instant", () => {
    const instant = SearchParams.parse({ from: "1772272800000", to: "1772272800000" });
    assert.deepEqual([instant.from, instant.to], [1772272800000, 1772272800000]);
    assert.equal(SearchParams.safeParse({ from: "1772272800001", to: "1772272800000" }).success, false);
  });

  it("filters by room on the field the indexer writes it to, roomId", () => {
    assert.deepEqual(searchQuery(SearchParams.parse({ room: "plaza" })), { bool: { must: [], filter: [{ term: { roomId: "plaza" } }] } });
  });

  it("refuses epoch values before 2000 (seconds, not milliseconds: 1796604678 was January 1970), saying so", () => {
    const seconds = SearchParams.safeParse({ to: "1796604678" });
    assert.equal(seconds.success, false, "read as milliseconds, it searched up to 1970-01-21");
    assert.match(z.prettifyError(seconds.error!), /milliseconds, not seconds\?/);
    assert.equal(SearchParams.parse({ to: "946684800000" }).to, Date.UTC(2000, 0, 1));
  });

  it("reads a zone's + that arrived as a space (sent unencoded) as +, and says to encode it where it cannot be read", () => {
    // What Express gives for ?from=2026-12-07T09:00:00+09:00: a query string's + is a space.
    assert.equal(SearchParams.parse({ from: "2026-12-07T09:00:00 09:00" }).from, Date.UTC(2026, 11, 7, 0));
    assert.equal(SearchParams.parse({ from: "2026-12-07T09:00 09:00" }).from, Date.UTC(2026, 11, 7, 0));
    const unread = SearchParams.safeParse({ from: "2026-12-07 09:00" });
    assert.equal(unread.success, false);
    assert.match(z.prettifyError(unread.error!), /%2B/);
  });

  it("takes `account` and `reported` with the spaces at their ends cut off, as an erasure request does (pasted with them, they found nothing)", () => {
    assert.equal(SearchParams.parse({ account: " acc-b1\t" }).account, "acc-b1");
    assert.equal(SearchParams.parse({ reported: " acc-b1 " }).reported, "acc-b1");
    assert.deepEqual(searchQuery(SearchParams.parse({ account: " acc-b1 " })), { bool: { must: [], filter: [{ term: { account: "acc-b1" } }] } });
    assert.equal(SearchParams.parse({ account: "ACC-B1" }).account, "ACC-B1", "matched exactly, case included, as tokens' sub is");
  });

  it("takes back a page's `next` as `after`, and refuses with a 400's reason what no search gave", () => {
    const next = Buffer.from(JSON.stringify([1796604678000, "line-7"])).toString("base64url");
    assert.deepEqual(SearchParams.parse({ after: next }).after, [1796604678000, "line-7"]);
    for (const after of ["garbage", Buffer.from("{}").toString("base64url"), Buffer.from('[{"a":1},"x"]').toString("base64url"), ""]) {
      const refused = SearchParams.safeParse({ after });
      assert.equal(refused.success, false, after);
      assert.match(z.prettifyError(refused.error!), /not a cursor this search gave/);
    }
    assert.equal(SearchParams.safeParse({ after: next, q: "날씨" }).success, false, "a cursor by time does not fit a search by relevance");
  });

  it("finds flagged lines with minToxicity (0 to 1) and sorts by toxicity, refusing other values with a 400's reason", () => {
    assert.deepEqual(searchQuery(SearchParams.parse({ minToxicity: "0.9" })), { bool: { must: [], filter: [{ range: { toxicity: { gte: 0.9 } } }] } });
    for (const [typed, read] of [["1", 1], ["0", 0], [".95", 0.95], [" 0.5 ", 0.5]] as const) assert.equal(SearchParams.parse({ minToxicity: typed }).minToxicity, read, typed);
    // Number() reads "" and " " as 0 (every scored line) and "0x1" as 1.
    for (const minToxicity of ["", " ", "1.5", "-0.1", "0x1", "high", "1e-1", "90%", "."]) {
      const refused = SearchParams.safeParse({ minToxicity });
      assert.equal(refused.success, false, minToxicity);
      assert.match(z.prettifyError(refused.error!), /a score from 0 to 1, such as 0.9\n  → at minToxicity/);
    }
    assert.equal(SearchParams.parse({ sort: "toxicity" }).sort, "toxicity");
    const badSort = SearchParams.safeParse({ sort: "score" });
    assert.equal(badSort.success, false);
    assert.match(z.prettifyError(badSort.error!), /toxicity \(the highest score first\)[^\n]*\n  → at sort/);
  });

  it("keeps a search by toxicity's cursor to searches by toxicity (its three values fit one by relevance too)", () => {
    const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString("base64url");
    const byToxicity = cursor(["toxicity", 0.97, 1796604678000, "line-7"]);
    assert.deepEqual(SearchParams.parse({ sort: "toxicity", after: byToxicity }).after, ["toxicity", 0.97, 1796604678000, "line-7"]);
    assert.equal(SearchParams.safeParse({ sort: "toxicity", q: "날씨", after: byToxicity }).success, false, "with q a score is sorted on too");
    assert.equal(SearchParams.safeParse({ q: "날씨", after: byToxicity }).success, false, "a cursor by toxicity does not fit a search by relevance");
    const byRelevance = cursor([3.2, 1796604678000, "line-7"]);
    assert.equal(SearchParams.safeParse({ q: "날씨", after: byRelevance }).success, true);
    assert.equal(SearchParams.safeParse({ sort: "toxicity", after: byRelevance }).success, false, "a cursor by relevance does not fit a search by toxicity");
  });

  it("needs every piece of a word the analyzer splits (player-7: not any line with a 7), and refuses more than 10 words", () => {
    assert.match(JSON.stringify(searchQuery(SearchParams.parse({ q: "player-7" }))), /"match":\{"text":\{"query":"player-7","operator":"and"/);
    assert.equal(SearchParams.safeParse({ q: Array(10).fill("날씨").join(" ") }).success, true);
    const eleven = SearchParams.safeParse({ q: `${Array(10).fill("날씨").join(" ")} 없는말` });
    assert.equal(eleven.success, false, "the eleventh word was left out, unsaid: lines without it were found");
    assert.match(eleven.error!.issues[0]!.message, /at most 10 words/);
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
    // …and where punctuation joins two words typed without a space, its pieces are looked for too.
    assert.deepEqual(["날씨,좋아", "날씨.좋아", "날씨!!좋아", "hello,wor", "3.14", "naver.com", "10,000원", "v1.2"].map(joinedWords), [
      ["날씨", "좋아"], ["날씨", "좋아"], ["날씨", "좋아"], ["hello", "wor"], undefined, undefined, undefined, undefined,
    ]);
    assert.deepEqual(queryWords('"날씨" (날씨) 날씨: 「날씨」 ♥날씨♥'), ["날씨", "날씨", "날씨", "날씨", "날씨"]);
    // Symbols alone are looked for as typed: with no word left, the search found every line.
    assert.deepEqual(queryWords("!!! 🖕"), ["!!!", "🖕"]);
    assert.deepEqual(queryWords("날씨 ^^"), ["날씨"]);
  });

  it("gives a line's time as epoch ms whether stored so (the indexer) or as an ISO string (the Logstash pipeline shipped until session 61)", () => {
    const doc = { id: "l1", roomId: "r", kind: "player", from: "p", name: "민수", text: "안녕" };
    assert.equal(chatHit({ ...doc, "@timestamp": 1772272800000 }).ts, 1772272800000);
    assert.equal(chatHit({ ...doc, "@timestamp": "2026-02-28T10:00:00.000Z" }).ts, Date.UTC(2026, 1, 28, 10));
    assert.equal("@timestamp" in chatHit({ ...doc, "@timestamp": 1 }), false);
  });
});
