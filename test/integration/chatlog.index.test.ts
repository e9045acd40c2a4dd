import assert from "node:assert/strict";
import { Client as Elasticsearch } from "@elastic/elasticsearch";

import { eraseAccountLines } from "../../chatlog/erase-account.js";
import { ChatIndexer } from "../../chatlog/chat-indexer.js";
import { searchChat, SearchParams } from "../../chatlog/chat-search.js";
import { elasticsearchAway } from "../../chatlog/elasticsearch-away.js";
import { indexFor, installTemplate } from "../../chatlog/index-template.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../../kafka/chat-log.js";
import { quiet } from "../helpers/world.js";

/** The chat index's own parts (chatlog/: template, indexer, search, erasure) against the suite's real node. */
describe("The chat index on a real Elasticsearch node", function () {
  let es: Elasticsearch; // made in before(): the suite's node is started after the test files are read
  const prefix = `test-index-${Date.now().toString(36)}`;
  const line = (id: string, text: string, more: Partial<ChatLogRecord> = {}): ChatLogRecord => ({
    v: CHAT_LOG_VERSION, id, roomId: "r1", serverId: "s1", kind: "player", from: "p1", name: "민수", text, ts: Date.now(), ...more,
  });
  const indexed = async (records: ChatLogRecord[]) => {
    assert.deepEqual(await new ChatIndexer(es, quiet, prefix).index(records), []);
    await es.indices.refresh({ index: prefix });
  };
  const texts = async (params: Record<string, string>) => (await searchChat(es, SearchParams.parse(params), prefix)).hits.map((hit) => hit.text).sort();

  before(async () => {
    es = new Elasticsearch({ node: process.env.TEST_ES_URL! });
    await installTemplate(es, prefix);
  });

  after(async () => {
    await es.indices.delete({ index: `${prefix}-*`, expand_wildcards: "all" });
    await es.indices.deleteIndexTemplate({ name: prefix });
    await es.close();
  });

  it("finds words with punctuation inside them (3.14, naver.com, 10,000원), and words asked with punctuation after them", async () => {
    await indexed([
      line("p1", "원주율은 3.14 정도"), line("p2", "naver.com 에 가봐"), line("p3", "가격은 10,000원이야"), line("p4", "날씨가 좋다"), line("p5", "3 14 따로"),
    ]);
    assert.deepEqual(await texts({ q: "3.14" }), ["원주율은 3.14 정도"]);
    assert.deepEqual(await texts({ q: "naver.com" }), ["naver.com 에 가봐"]);
    assert.deepEqual(await texts({ q: "10,000원" }), ["가격은 10,000원이야"]);
    assert.deepEqual(await texts({ q: "날씨?" }), ["날씨가 좋다"]);
    assert.deepEqual(await texts({ q: "(날씨)" }), ["날씨가 좋다"]);
    // Two words joined by punctuation with no space, each matched as a word or its beginning ("날씨가 좋아요").
    await indexed([line("p7", "날씨가 좋아요"), line("p8", "hello world")]);
    assert.deepEqual(await texts({ q: "날씨,좋아" }), ["날씨가 좋아요"]);
    assert.deepEqual(await texts({ q: "날씨.좋아" }), ["날씨가 좋아요"]);
    assert.deepEqual(await texts({ q: "hello,wor" }), ["hello world"]);
    assert.deepEqual(await texts({ q: "3.14" }), ["원주율은 3.14 정도"], "a number's pieces are not words");
    await indexed([line("p6", "🖕 꺼져")]);
    assert.deepEqual(await texts({ q: "🖕" }), ["🖕 꺼져"], "symbols alone, as typed: not every line");
  });

  it("gives a refused line as one dead letter when its batch is tried again after a failure on its way", async () => {
    // An index whose mapping cannot take a chat line: text must be a number there.
    await es.indices.create({ index: `${prefix}-2099.02`, mappings: { properties: { text: { type: "integer" } } } });
    let gets = 0;
    // The erasure marks are read again once the batch is stored (a realtime get): that read fails once, as in a blip.
    const blip = new Proxy(es, {
      get: (target, key) => (key === "get" ? (...args: Parameters<Elasticsearch["get"]>) => (++gets === 2 ? Promise.reject(new Error("connect ECONNRESET")) : target.get(...args)) : Reflect.get(target, key)),
    });
    const dead = await new ChatIndexer(blip, quiet, prefix).index([line("kept-1", "들어가는 줄"), line("refused-1", "숫자가 아닌 줄", { ts: Date.UTC(2099, 1, 15) })]);
    assert.ok(gets >= 3, "the batch was tried again");
    assert.deepEqual(dead.map((letter) => letter.record?.id), ["refused-1"]);
    await es.indices.delete({ index: `${prefix}-2099.02` });
  });

  it("finds a word the analyzer splits only where all its pieces are (player-7, not every line with a 7)", async () => {
    await indexed([line("w1", "player-7 님 안녕"), line("w2", "player-12 왔다 7시에")]);
    assert.deepEqual(await texts({ q: "player-7" }), ["player-7 님 안녕"]);
  });

  it("does not erase while a month of the index is closed: it says so, and erases it all once the month is open", async () => {
    const lastYear = Date.now() - 400 * 24 * 3600_000;
    await indexed([line("c1", "작년에 한 말", { account: "acc-c", ts: lastYear }), line("c2", "오늘 한 말", { account: "acc-c" })]);
    await es.indices.close({ index: indexFor(prefix, lastYear) });
    await assert.rejects(eraseAccountLines(es, "acc-c", prefix), /closed/);
    await es.indices.open({ index: indexFor(prefix, lastYear), wait_for_active_shards: 1 });
    assert.equal(await eraseAccountLines(es, "acc-c", prefix), 2);
    assert.deepEqual(await texts({ account: "acc-c" }), []);
  });

  it("names the closed months a search could not read (it said total 0 for an account whose month was closed), those of its time only", async () => {
    const lastYear = Date.now() - 400 * 24 * 3600_000;
    const closedMonth = indexFor(prefix, lastYear);
    await indexed([line("k1", "작년의 말", { account: "acc-k", ts: lastYear }), line("k2", "오늘의 말", { account: "acc-k" })]);
    await es.indices.close({ index: closedMonth });
    try {
      const found = await searchChat(es, SearchParams.parse({ account: "acc-k" }), prefix);
      assert.deepEqual([found.total, found.closedIndices], [1, [closedMonth]]);
      const sinceYesterday = await searchChat(es, SearchParams.parse({ account: "acc-k", from: String(Date.now() - 24 * 3600_000) }), prefix);
      assert.deepEqual([sinceYesterday.total, sinceYesterday.closedIndices], [1, []], "a closed month outside from–to is not named");
    } finally {
      await es.indices.open({ index: closedMonth, wait_for_active_shards: 1 });
    }
    const reopened = await searchChat(es, SearchParams.parse({ account: "acc-k" }), prefix);
    assert.deepEqual([reopened.total, reopened.closedIndices], [2, []]);
  });

  // The id sort fails on such an index's shards: the answer held the other months' lines, as if complete.
  it("says a search is partial, naming the index and why, when a month of the alias made by hand cannot be sorted (id as text)", async () => {
    await indexed([line("sh-2", "제대로 된 달", { account: "acc-sh" })]);
    const whole = await searchChat(es, SearchParams.parse({ account: "acc-sh" }), prefix);
    assert.deepEqual([whole.total, whole.partial, whole.failures], [1, false, undefined], "no shard failed");
    const byHand = `${prefix}-2098.03`;
    await es.indices.create({ index: byHand, mappings: { properties: { account: { type: "keyword" }, id: { type: "text" } } } });
    await es.index({ index: byHand, id: "sh-1", document: { account: "acc-sh", id: "sh-1", text: "손으로 만든 달" }, refresh: true });
    await es.indices.putAlias({ index: byHand, name: prefix });
    try {
      const found = await searchChat(es, SearchParams.parse({ account: "acc-sh" }), prefix);
      assert.deepEqual(found.hits.map((hit) => hit.id), ["sh-2"]);
      assert.equal(found.partial, true, "a shard failed: the answer must not look complete");
      assert.deepEqual(found.failures?.map((failure) => failure.index), [byHand]);
      assert.match(found.failures![0]!.reason, /Fielddata is disabled on \[id\]/);
    } finally {
      await es.indices.delete({ index: byHand });
    }
  });

  it("pages past the first 100 hits with `next`, each line once, lines of one millisecond included, by time or by relevance", async () => {
    const now = Date.now();
    // Three lines share each millisecond: sorted by time alone, a page could end between them and the next repeat or skip one.
    const lines = Array.from({ length: 25 }, (_, i) => line(`pg-${String(i).padStart(2, "0")}`, i % 2 ? "페이지 넘김 줄" : "페이지 줄", { account: "acc-pages", ts: now - Math.floor(i / 3) }));
    await indexed(lines);
    const pages = async (params: Record<string, string>) => {
      const ids: string[] = [];
      let pageCount = 0;
      for (let after: string | undefined; ; pageCount++) {
        const page = await searchChat(es, SearchParams.parse({ ...params, size: "10", ...(after ? { after } : {}) }), prefix);
        assert.equal(page.total, 25, "total counts every page's lines");
        ids.push(...page.hits.map((hit) => hit.id));
        after = page.next;
        if (!after) return { ids, pageCount: pageCount + 1 };
      }
    };
    const byTime = await pages({ account: "acc-pages" });
    assert.equal(byTime.pageCount, 3);
    assert.deepEqual(byTime.ids, lines.map((l) => l.id).sort((a, b) => (lines.find((l) => l.id === b)!.ts - lines.find((l) => l.id === a)!.ts) || b.localeCompare(a)));
    const byRelevance = await pages({ account: "acc-pages", q: "페이지" });
    assert.deepEqual([...byRelevance.ids].sort(), lines.map((l) => l.id).sort(), "each line once");
    const { next } = await searchChat(es, SearchParams.parse({ account: "acc-pages", q: "페이지", size: "10" }), prefix);
    assert.equal(SearchParams.safeParse({ account: "acc-pages", after: next }).success, false, "a cursor by relevance does not fit a search by time");
  });

  it("finds the lines scored at or above minToxicity, and pages through them by toxicity, the highest first, unscored lines last", async () => {
    const now = Date.now();
    const scored = (id: string, toxicity: number | undefined, ago: number) =>
      line(id, "점수 줄", { account: "acc-toxic", ts: now - ago, ...(toxicity === undefined ? {} : { toxicity }) });
    // Two lines share a score (the newer first), one is exactly at the bar (a float's 0.9 is not the double 0.9), an NPC's has none.
    await indexed([
      scored("tx-1", 0.42, 0), scored("tx-2", 0.97, 5), scored("tx-3", 0.9, 4), scored("tx-4", 0.97, 3), scored("tx-5", 0.899, 2),
      scored("tx-6", undefined, 1), scored("tx-7", 0.999, 6),
    ]);
    const ids = async (params: Record<string, string>) => (await searchChat(es, SearchParams.parse({ account: "acc-toxic", ...params }), prefix)).hits.map((hit) => hit.id);
    assert.deepEqual(await ids({ minToxicity: "0.9", sort: "toxicity" }), ["tx-7", "tx-4", "tx-2", "tx-3"]);
    assert.deepEqual(await ids({ minToxicity: "0.9" }), ["tx-4", "tx-3", "tx-2", "tx-7"], "newest first without sort");
    assert.deepEqual(await ids({ minToxicity: "0.9", sort: "toxicity", q: "점수" }), ["tx-7", "tx-4", "tx-2", "tx-3"], "with q, by toxicity all the same");
    const [top] = (await searchChat(es, SearchParams.parse({ account: "acc-toxic", sort: "toxicity", size: "1" }), prefix)).hits;
    assert.equal(top!.toxicity, 0.999, "each hit gives its score");
    // Pages of two: each line once, the unscored line last (its cursor holds Elasticsearch's stand-in for no value).
    const paged: string[] = [];
    for (let after: string | undefined; ; ) {
      const page = await searchChat(es, SearchParams.parse({ account: "acc-toxic", sort: "toxicity", size: "2", ...(after ? { after } : {}) }), prefix);
      paged.push(...page.hits.map((hit) => hit.id));
      after = page.next;
      if (!after) break;
    }
    assert.deepEqual(paged, ["tx-7", "tx-4", "tx-2", "tx-3", "tx-5", "tx-1", "tx-6"]);
  });

  it("erases an NPC's answer to the player by the asker it names, its question's line erased before it was indexed", async () => {
    const answer = (id: string, asker?: string) =>
      line(id, "빵 있어요", { kind: "npc", from: "mina", name: "미나", replyTo: "gone-line", npc: { questionId: "gone-line", question: "비밀 질문", fallback: false, latencyMs: 5, ...(asker ? { asker } : {}) } });
    await indexed([answer("a1", "acc-late"), answer("a2")]); // a lagging indexer: the question's line was erased already
    assert.equal(await eraseAccountLines(es, "acc-late", prefix), 1);
    assert.deepEqual((await searchChat(es, SearchParams.parse({ kind: "npc", q: "빵" }), prefix)).hits.map((hit) => hit.id), ["a2"], "another asker's answer stays");
  });

  it("installs over an index of its pattern made by hand with other types, naming it, and indexes the month's lines", async () => {
    await es.indices.create({ index: `${prefix}-by-hand`, mappings: { properties: { text: { type: "integer" } } } });
    const refused = await installTemplate(es, prefix);
    assert.deepEqual(refused.map((r) => r.index), [`${prefix}-by-hand`]);
    assert.match(refused[0]!.reason, /text/);
    await indexed([line("h1", "손으로 만든 색인 옆에서")]);
    assert.deepEqual(await texts({ q: "손으로" }), ["손으로 만든 색인 옆에서"]);
    await es.indices.delete({ index: `${prefix}-by-hand` });
  });

  it("installs the template again where Elasticsearch lost it, and puts a month's index made without it behind the alias", async () => {
    const month = indexFor(prefix, Date.now());
    // A node replaced, its volume lost: no template, no index. The month's index the next batch makes has the alias.
    await es.indices.delete({ index: `${prefix}-*`, expand_wildcards: "all" });
    await es.indices.deleteIndexTemplate({ name: prefix });
    await indexed([line("t1", "새 노드에서 한 말", { account: "acc-t" })]);
    assert.deepEqual(await texts({ account: "acc-t" }), ["새 노드에서 한 말"], "the account's lines found, by its keyword");
    // The month's index made by Elasticsearch itself, with guessed mappings (a line written meanwhile by another writer).
    await es.indices.delete({ index: month });
    await es.indices.deleteIndexTemplate({ name: prefix });
    await es.index({ index: month, id: "t2", document: { text: "템플릿 없이 만든 색인", ts: new Date().toISOString() }, refresh: true });
    await indexed([line("t3", "그 뒤에 한 말")]);
    assert.deepEqual(await texts({ q: "색인" }), ["템플릿 없이 만든 색인"], "behind the alias: found");
    assert.ok((await es.indices.existsIndexTemplate({ name: prefix })), "the template is back");
    await es.indices.delete({ index: month });
  });

  it("installs beside a deployment whose prefix begins its own (kobot-chat, kobot-chat-staging): neither finds the other's lines", async () => {
    const staging = `${prefix}-staging`;
    await installTemplate(es, staging);
    try {
      assert.deepEqual(await new ChatIndexer(es, quiet, staging).index([line("s1", "스테이징에서 한 말")]), []);
      await indexed([line("m1", "운영에서 한 말")]);
      await es.indices.refresh({ index: staging });
      assert.deepEqual(await texts({ q: "한" }), ["운영에서 한 말"]);
      assert.deepEqual((await searchChat(es, SearchParams.parse({ q: "한" }), staging)).hits.map((hit) => hit.text), ["스테이징에서 한 말"]);
    } finally {
      await es.indices.delete({ index: `${staging}-*` });
      await es.indices.deleteIndexTemplate({ name: staging });
    }
  });

  it("waits for a node that does not answer, not for one that refuses (a start said \"not reachable\" for ever)", async () => {
    const away = new Elasticsearch({ node: "http://127.0.0.1:1", maxRetries: 0 });
    const refusal = await es.indices.create({ index: "Not-Lowercase" }).catch((error: unknown) => error);
    assert.equal(elasticsearchAway(await away.info().catch((error: unknown) => error)), true);
    assert.equal(elasticsearchAway(refusal), false);
    await away.close();
  });
});
