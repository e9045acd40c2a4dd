import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client as Elasticsearch } from "@elastic/elasticsearch";
import { ConfigResourceTypes, Kafka, logLevel } from "kafkajs";

import type { ChatHit, SearchResult } from "../../chatlog/chat-search.js";
import { ChatIndexer } from "../../chatlog/chat-indexer.js";
import { eraseAccountLines } from "../../chatlog/erase-account.js";
import { markErased, marksIndex } from "../../chatlog/erasure-marks.js";
import { CHAT_MAPPINGS, documentFor, indexFor, installTemplate } from "../../chatlog/index-template.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../../kafka/chat-log.js";
import { signToken } from "../../server/player-accounts.js";
import { freePort, type Service, startService, uniqueTopics } from "../../tools/processes.js";
import { saveWorld } from "../helpers/save-world.js";
import { answersTo, joinWorld, quiet, type TestPlayer, waitFor } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * The chat log end to end: a live room on a Kafka-backed server, the chat indexer process, and a
 * real Elasticsearch node; searched through the server's admin API.
 */
/**
 * No lines yet where an index just created has no shard to search (no_shard_available_action_exception); any other
 * error fails the test: counted as none, a wait for no lines passed with Elasticsearch unreachable.
 */
const noShardYet = (error: Error & { meta?: { body?: unknown } }): number => {
  if (/no_shard_available_action_exception/.test(`${error.message} ${JSON.stringify(error.meta?.body ?? "")}`)) return 0;
  throw error;
};

describe("Chat log in Elasticsearch (real broker, real node, separate processes)", function () {
  const topics = uniqueTopics("chatlog");
  const chatLog = { log: `chat.log.${topics.question}`, dead: `chat.log.dead.${topics.question}` };
  const prefix = `test-chat-${Date.now().toString(36)}`;
  const auth = "Basic " + Buffer.from("ops:correct-horse").toString("base64");
  const services: Service[] = [];
  const players: TestPlayer[] = [];
  let kafka: Kafka;
  let es: Elasticsearch;
  let http: string;
  let ws: string;
  let indexerMetrics: string;

  const search = async (query: Record<string, string>, headers: Record<string, string> = { authorization: auth }) => {
    const response = await fetch(`${http}/api/chat/search?${new URLSearchParams(query)}`, { headers });
    return { status: response.status, body: (await response.json()) as SearchResult & { error?: string; details?: string } };
  };
  /** Lines of this test's rooms whose text starts with `mark`, as Elasticsearch holds them now (0 while a new index has no shard to search). */
  const count = (mark: string) =>
    es.indices
      .refresh({ index: prefix, ignore_unavailable: true, allow_no_indices: true })
      .then(() => es.count({ index: prefix, query: { prefix: { "text.keyword": mark } }, ignore_unavailable: true, allow_no_indices: true }))
      .then(({ count }) => count, noShardYet);
  const produce = async (topic: string, values: Array<string | Buffer>) => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
  };

  before(async () => {
    const brokers = process.env.TEST_KAFKA_BROKERS!;
    const esUrl = process.env.TEST_ES_URL!;
    kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
    es = new Elasticsearch({ node: esUrl });
    const port = await freePort();
    http = `http://127.0.0.1:${port}`;
    ws = `ws://127.0.0.1:${port}`;
    const env = {
      KAFKA_BROKERS: brokers,
      KAFKA_QUESTION_TOPIC: topics.question,
      KAFKA_ANSWER_TOPIC: topics.answer,
      KAFKA_WORKER_GROUP: `workers-${topics.question}`,
      KAFKA_INDEXER_GROUP: `indexer-${topics.question}`,
      CHAT_LOG_TOPIC: chatLog.log,
      CHAT_DEAD_LETTER_TOPIC: chatLog.dead,
      ES_URL: esUrl,
      ES_INDEX_PREFIX: prefix,
      // One NPC and no `unsure` bar: the answer logged is the model's own, however sure it was of it.
      WORLD_FILE: "off",
      ADMIN_USER: "ops",
      ADMIN_PASSWORD: "correct-horse",
      KAFKA_RETENTION_HOURS: "2",
    };
    indexerMetrics = `http://127.0.0.1:${await freePort()}/metrics`;
    services.push(await startService("indexer", "chatlog/indexer-main.ts", { ...env, METRICS_PORT: new URL(indexerMetrics).port }, "chat indexer started"));
    services.push(await startService("chatlog-worker", "npc/worker/worker-main.ts", env, "npc worker started"));
    // CHAT_BURST: one player says the outage test's 20 lines at once.
    services.push(await startService("chatlog-server", "server/main.ts", { ...env, PORT: String(port), SERVER_ID: "chatlog-server", CHAT_BURST: "50" }, "world server listening"));
  });

  after(async () => {
    await Promise.allSettled(players.map((p) => p.room.connection.isOpen && p.room.leave()));
    await Promise.allSettled(services.map((s) => s.stop()));
    await es?.close();
  });

  it("creates its topics to keep players' words KAFKA_RETENTION_HOURS, and an erasure request says when Kafka's copies are gone", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [topics.question, topics.answer, chatLog.log, chatLog.dead].map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ["retention.ms", "segment.ms"] })),
      });
      for (const topic of resources) {
        const config = Object.fromEntries(topic.configEntries.map((entry) => [entry.configName, entry.configValue]));
        assert.deepEqual(config, { "retention.ms": "7200000", "segment.ms": "7200000" }, topic.resourceName);
      }
    } finally {
      await admin.disconnect();
    }
    const asked = Date.now();
    const erased = await fetch(`${http}/api/erasures`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: JSON.stringify({ account: "acc-nobody" }) });
    assert.equal(erased.status, 200, await erased.clone().text());
    const { kafkaCopiesGoneBy, indexerLag } = (await erased.json()) as { kafkaCopiesGoneBy: string; indexerLag: number | null };
    // How many chat-log records the indexers had still to reach: above 0, ask again once it is 0.
    assert.equal(typeof indexerLag, "number");
    assert.ok(indexerLag! >= 0);
    // A segment's 2 hours, the retention's 2, then the broker's check (5 minutes by default).
    const expected = asked + 4 * 3_600_000 + 300_000;
    assert.ok(Math.abs(Date.parse(kafkaCopiesGoneBy) - expected) < 60_000, `${kafkaCopiesGoneBy}, expected about ${new Date(expected).toISOString()}`);
  });

  it("makes lines from a live room searchable, with highlights, NPC latency and model", async () => {
    const a = await joinWorld(ws, { name: "민수" });
    players.push(a);
    a.room.send("chat", { text: "날씨가 정말 좋다" });
    a.room.send("chat", { text: "@kobot 날씨 좋은 날엔 뭐 해?" });
    const answer = await waitFor("the NPC's answer", () => answersTo(a)[0], 10_000);

    const result = await searchUntil({ q: "날씨", room: a.room.roomId }, (r) => r.total >= 2);
    const texts = result.hits.map((hit) => hit.text);
    assert.ok(texts.includes("날씨가 정말 좋다"), JSON.stringify(texts));
    const hit = result.hits.find((h) => h.text === "날씨가 정말 좋다")!;
    assert.equal(hit.highlight, "<em>날씨가</em> 정말 좋다");
    assert.equal(hit.name, "민수");

    const npcLines = await searchUntil({ room: a.room.roomId, kind: "npc" }, (r) => r.hits.some((h) => h.id === answer.id));
    const npcHit = npcLines.hits.find((h: ChatHit) => h.id === answer.id)!;
    assert.equal(npcHit.text, answer.text);
    assert.equal((npcHit.npc as { question: string }).question, "날씨 좋은 날엔 뭐 해?");
    assert.ok((npcHit.npc as { latencyMs: number }).latencyMs > 0);
    assert.match((npcHit.npc as { model: string }).model, /kobot-gpt2/);
    assert.equal((npcHit.npc as { fallback: boolean }).fallback, false);
  });

  it("highlights the whole line, with a player's HTML escaped so it cannot run in the admin's browser", async () => {
    const a = await joinWorld(ws, { name: "장난꾼" });
    players.push(a);
    const long = `${"아주 긴 이야기를 하자면 ".repeat(10)}<img src=x onerror=alert(1)> 끝말잇기`;
    a.room.send("chat", { text: long });
    const result = await searchUntil({ q: "끝말잇기", room: a.room.roomId }, (r) => r.total >= 1);
    const hit = result.hits[0]!;
    assert.equal(hit.text, long, "the text itself as said");
    assert.equal(hit.highlight, long.replace("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;").replace("끝말잇기", "<em>끝말잇기</em>"));
  });

  it("answers 401 without credentials and 400 with what is wrong for bad parameters", async () => {
    assert.equal((await search({ q: "x" }, {})).status, 401);
    const bad = await search({ q: "x", from: "yesterday-ish" });
    assert.equal(bad.status, 400);
    assert.match(bad.body.details!, /from/);
    const unknown = await search({ colour: "red" });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.details!, /colour/);
  });

  it("never doubles a re-delivered line", async () => {
    const records: ChatLogRecord[] = Array.from({ length: 5 }, (_, i) => ({
      v: CHAT_LOG_VERSION,
      id: `redelivered-${prefix}-${i}`,
      roomId: "replay-room",
      serverId: "test",
      kind: "player",
      from: "p1",
      name: "재전송",
      text: `redelivered line ${i}`,
      ts: Date.now(),
    }));
    const payloads = records.map((record) => JSON.stringify(record));
    await produce(chatLog.log, payloads);
    await waitForCount("redelivered", 5);
    await produce(chatLog.log, payloads); // delivered again, as after a crash before the commit
    await produce(chatLog.log, [JSON.stringify({ ...records[0]!, id: `marker-${prefix}`, text: "redelivered marker" })]);
    await waitForCount("redelivered marker", 1);
    assert.equal(await count("redelivered line"), 5);
  });

  it("indexes every line written while Elasticsearch was down once it is back", async () => {
    const dir = process.env.TEST_ES_DIR!;
    const retries = async () => Number(/^kobot_chat_index_retries_total (\S+)$/m.exec(await (await fetch(indexerMetrics)).text())?.[1] ?? 0);
    const retriedBefore = await retries();
    await run("bash", ["scripts/elasticsearch-local.sh", "stop", dir]);
    const a = await joinWorld(ws, { name: "정전" });
    players.push(a);
    for (let i = 0; i < 20; i++) a.room.send("chat", { text: `outage line ${i}` });
    await waitFor("the indexer to retry meanwhile", async () => (await retries()) > retriedBefore, 30_000);
    await run("bash", ["scripts/elasticsearch-local.sh", "start", dir], { timeout: 300_000 });
    await waitForCount("outage line", 20, 60_000);
  });

  it("sends what cannot be indexed to the dead-letter topic with the reason", async () => {
    // An index whose mapping cannot take a chat line: text must be a number there. A past month's: a line of a time
    // more than a day ahead is refused before Elasticsearch (kafka/chat-log.ts implausibleTs).
    await es.indices.create({ index: `${prefix}-2024.01`, mappings: { properties: { text: { type: "integer" } } } });
    const refused: ChatLogRecord = {
      v: CHAT_LOG_VERSION,
      id: `refused-${prefix}`,
      roomId: "r",
      serverId: "test",
      kind: "player",
      from: "p",
      name: "작년",
      text: "not a number",
      ts: Date.UTC(2024, 0, 15),
    };
    // Written by a newer server: a field this indexer does not know. Indexed without it, an `account` or `private` it
    // did not know was lost without a word; refused, its dead letter keeps it for the redrive after the upgrade.
    const fromNewer = JSON.stringify({ ...refused, id: `newer-${prefix}`, text: "새 서버가 쓴 줄", ts: Date.now(), mood: "기쁨" });
    // 400 KB that are not UTF-8 (a misconfigured producer): read as text, its letter grew past the broker's 1 MB and
    // was refused, failing the batch again and again, and the indexer stopped on it for good.
    const notText = Buffer.alloc(400 * 1024, 0xff);
    await produce(chatLog.log, ["{not json", JSON.stringify(refused), fromNewer]);
    await produce(chatLog.log, [notText]);
    const letters: Array<{ value: string; bytes: number; reason: string; truncated?: string }> = [];
    const consumer = kafka.consumer({ groupId: `dlq-reader-${prefix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: chatLog.dead, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const truncated = message.headers!.truncated?.toString();
        letters.push({ value: message.value!.toString(), bytes: message.value!.length, reason: message.headers!.reason!.toString(), ...(truncated ? { truncated } : {}) });
      },
    });
    try {
      await waitFor("four dead letters", () => letters.length >= 4, 30_000);
    } finally {
      await consumer.disconnect();
    }
    // Partitions, batches: in any order.
    const notJson = letters.find((letter) => letter.value === "{not json");
    const rejected = letters.find((letter) => letter.value.includes(refused.id));
    const newer = letters.find((letter) => letter.value.includes(`newer-${prefix}`));
    const cut = letters.find((letter) => letter.truncated !== undefined);
    assert.match(notJson?.reason ?? "", /not a chat-log record: payload is not JSON/);
    assert.match(rejected?.reason ?? "", /parsing_exception: .*failed to parse field \[text\] of type \[integer\]/);
    assert.match(newer?.reason ?? "", /not a chat-log record: fields this version does not know \(a newer server's: upgrade, then redrive\): mood$/);
    assert.equal(newer?.value, fromNewer, "as it was written, the field this indexer does not know included");
    assert.deepEqual([cut?.truncated, cut?.bytes], [String(notText.length), 256 * 1024], "its beginning, as bytes");
    // And the indexer goes on: a line after them is searchable.
    await produce(chatLog.log, [JSON.stringify({ ...refused, id: `after-${prefix}`, text: "덤 뒤의 줄", ts: Date.now() })]);
    await waitForCount("덤 뒤의 줄", 1);
  });

  it("counts on the indexer's /metrics what it indexed, refused, retried and sent to the dead-letter topic", async () => {
    const metrics = await (await fetch(indexerMetrics)).text();
    const value = (series: string) => Number(metrics.match(new RegExp(`^${series.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m"))?.[1]);
    assert.ok(value('kobot_chat_index_lines_total{outcome="indexed"}') >= 25, metrics); // 5 redelivered + 20 outage lines at least
    assert.ok(value('kobot_chat_index_lines_total{outcome="refused"}') >= 1, metrics);
    assert.ok(value("kobot_chat_index_retries_total") >= 1, "retried while Elasticsearch was down");
    assert.ok(value("kobot_chat_dead_letters_total") >= 2, "the malformed message and the refused line");
  });

  it("sends the dead letters that are records back to the indexer once their cause is mended (npm run chatlog:redrive)", async () => {
    // Its lines: what it sent, then what it left by reason (the letters' partitions in any order).
    const redrive = async (...args: string[]) => {
      const [sent, ...left] = (await run("node_modules/.bin/tsx", ["chatlog/redrive-main.ts", ...args], {
        env: { ...process.env, KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS!, CHAT_LOG_TOPIC: chatLog.log, CHAT_DEAD_LETTER_TOPIC: chatLog.dead },
        timeout: 60_000,
      })).stdout.trimEnd().split("\n");
      return [sent, ...left.sort()].join("\n");
    };
    // The newer server's record stops its partition, uncommitted, for an upgraded redrive: the letters after it there
    // wait with it. The indexer wrote the letters without keys, so where each lies is read first.
    const placed = await deadLetterPlaces();
    const newer = placed.find((letter) => letter.value.includes(`newer-${prefix}`))!;
    const waiting = (letter: (typeof placed)[number]) => letter.partition === newer.partition && letter.offset >= newer.offset;
    const refusedSent = placed.some((letter) => letter.value.includes("not a number") && !waiting(letter));
    const isJson = (value: string) => { try { return (JSON.parse(value), true); } catch { return false; } };
    const notJsonLeft = placed.filter((letter) => !isJson(letter.value) && !waiting(letter)).length; // "{not json" and the cut one
    const stopped = `stopped at a newer server's record in ${chatLog.dead} partition ${newer.partition} (fields mood): it and those after it wait for the redrive of an upgraded release`;
    const rest = [...(notJsonLeft > 0 ? [`left ${notJsonLeft} in ${chatLog.dead}: not a chat-log record: payload is not JSON`] : []), stopped].sort().join("\n");
    const sent = Number(refusedSent);
    assert.equal(await redrive("--dry-run"), `would send ${sent} chat-log record(s) from ${chatLog.dead} back to ${chatLog.log}\n${rest}`);
    // Mended: the line's month gets the chat index's mapping. Sent back, its append time is now, its time two years
    // before: indexed (an old line is no junk time).
    await es.indices.delete({ index: `${prefix}-2024.01` });
    await waitForCount("not a number", 0);
    assert.equal(await redrive(), `sent ${sent} chat-log record(s) from ${chatLog.dead} back to ${chatLog.log}\n${rest}`);
    await waitForCount("not a number", sent);
    assert.equal(await redrive(), `sent 0 chat-log record(s) from ${chatLog.dead} back to ${chatLog.log}\n${stopped}`, "it goes on from where the last stopped, and the newer record waits still");
  });

  /** Every dead letter's value and where it lies. */
  async function deadLetterPlaces(): Promise<Array<{ value: string; partition: number; offset: bigint }>> {
    const placed: Array<{ value: string; partition: number; offset: bigint }> = [];
    const consumer = kafka.consumer({ groupId: `dlq-places-${prefix}` });
    await consumer.connect();
    await consumer.subscribe({ topic: chatLog.dead, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void placed.push({ value: message.value!.toString(), partition, offset: BigInt(message.offset) }) });
    try {
      await waitFor("the four dead letters", () => placed.length >= 4, 30_000);
    } finally {
      await consumer.disconnect();
    }
    return placed;
  }

  async function searchUntil(query: Record<string, string>, done: (result: SearchResult) => boolean): Promise<SearchResult> {
    const deadline = performance.now() + 15_000;
    for (;;) {
      // 502 for a moment while a new month's index allocates its shard.
      const { status, body } = await search(query);
      if (status === 200 && done(body)) return body;
      if (performance.now() > deadline) assert.fail(`search ${JSON.stringify(query)} still gives ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function waitForCount(mark: string, expected: number, ms = 20_000): Promise<void> {
    const deadline = performance.now() + ms;
    let seen = -1;
    while (performance.now() < deadline) {
      seen = await count(mark).catch(() => -1);
      if (seen === expected) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.fail(`expected ${expected} lines starting "${mark}" in Elasticsearch, saw ${seen}`);
  }
});

/** The embedded default (`npm start`'s server) indexing into the test node under `prefix`; admin API login ops:correct-horse. */
async function startEmbedded(name: string, prefix: string, env: Record<string, string> = {}): Promise<{ server: Service; port: number }> {
  const port = await freePort();
  const server = await startService(
    name,
    "server/main.ts",
    { PORT: String(port), ES_URL: process.env.TEST_ES_URL!, ES_INDEX_PREFIX: prefix, ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", ...env },
    "world server listening",
  );
  return { server, port };
}

describe("Chat log in the embedded default with ES_URL (one process, real node)", function () {
  let server: Service;
  let http: string;
  const prefix = `test-embedded-${Date.now().toString(36)}`;

  before(async () => {
    const { server: started, port } = await startEmbedded("embedded-es-server", prefix);
    server = started;
    http = `http://127.0.0.1:${port}`;
    const a = await joinWorld(`ws://127.0.0.1:${port}`, { name: "혼자" });
    a.room.send("chat", { text: "임베디드 모드에서도 검색된다" });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await a.room.leave();
  });

  after(() => server?.stop());

  it("indexes the room's lines in-process and searches them", async () => {
    const auth = "Basic " + Buffer.from("ops:correct-horse").toString("base64");
    const deadline = performance.now() + 20_000;
    for (;;) {
      const response = await fetch(`${http}/api/chat/search?q=임베디드`, { headers: { authorization: auth } });
      const body = (await response.json()) as SearchResult;
      if (response.status === 200 && body.total === 1) {
        assert.equal(body.hits[0]!.text, "임베디드 모드에서도 검색된다");
        return;
      }
      if (performance.now() > deadline) assert.fail(`not found: ${response.status} ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});

describe("Signed-in players' lines in Elasticsearch (embedded, AUTH_SECRET, real node)", function () {
  const secret = "the chat log test's login secret, 32 characters or more";
  const prefix = `test-accounts-${Date.now().toString(36)}`;
  const auth = "Basic " + Buffer.from("ops:correct-horse").toString("base64");
  let es: Elasticsearch;
  let server: Service;
  let port: number;

  before(async () => {
    es = new Elasticsearch({ node: process.env.TEST_ES_URL! });
    // This month's index as a version without accounts and reports made it: strict, no `account` nor `report` field.
    const { account: _account, report: _report, ...before } = CHAT_MAPPINGS.properties;
    await es.indices.create({ index: indexFor(prefix, Date.now()), mappings: { ...CHAT_MAPPINGS, properties: before } as never, aliases: { [prefix]: {} } });
    ({ server, port } = await startEmbedded("accounts-es-server", prefix, { AUTH_SECRET: secret }));
  });

  after(async () => {
    await server?.stop();
    await es?.close();
  });

  it("logs a signed-in player's lines with their account, which finds every line they said, whatever their session", async () => {
    for (const text of ["계정으로 찾는 첫 줄", "다시 들어와서 한 말"]) {
      const bearer = `Bearer ${await signToken(secret, { account: "acc-42", name: "검색됨", hours: 1 })}`;
      const player = await joinWorld(`ws://127.0.0.1:${port}`, {}, undefined, { authorization: bearer });
      player.room.send("chat", { text });
      await waitFor("the line in the room", () => player.room.state.chat.some((line) => line.text === text));
      await player.room.leave();
    }
    const deadline = performance.now() + 20_000;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${port}/api/chat/search?account=acc-42`, { headers: { authorization: auth } });
      const body = (await response.json()) as SearchResult;
      if (response.status === 200 && body.total === 2) {
        assert.deepEqual(body.hits.map((hit) => hit.text).sort(), ["계정으로 찾는 첫 줄", "다시 들어와서 한 말"]);
        assert.ok(body.hits.every((hit) => hit.account === "acc-42" && hit.name === "검색됨"));
        assert.notEqual(body.hits[0]!.from, body.hits[1]!.from, "two sessions, one account");
        return;
      }
      if (performance.now() > deadline) assert.fail(`not found: ${response.status} ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  it("logs a player's report of another, which the search finds by whom it reports, with the lines it points at", async () => {
    const join = async (account: string, roomId?: string) =>
      joinWorld(`ws://127.0.0.1:${port}`, {}, roomId, { authorization: `Bearer ${await signToken(secret, { account, hours: 1 })}` });
    const rude = await join("acc-rude");
    const hurt = await join("acc-hurt", rude.room.roomId);
    rude.room.send("chat", { text: "신고당할 말" });
    await waitFor("the line", () => hurt.room.state.chat.some((line) => line.text === "신고당할 말"));
    const lineId = hurt.room.state.chat.find((line) => line.text === "신고당할 말")!.id;
    let acknowledged = false;
    hurt.room.onMessage("reported", () => (acknowledged = true));
    hurt.room.send("report", { player: rude.room.sessionId, reason: "욕설이에요" });
    await waitFor("the report filed", () => acknowledged);
    const deadline = performance.now() + 20_000;
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${port}/api/chat/search?kind=report&reported=acc-rude`, { headers: { authorization: auth } });
      const body = (await response.json()) as SearchResult;
      if (response.status === 200 && body.total === 1) {
        const [hit] = body.hits;
        assert.equal(hit!.account, "acc-hurt", "the reporter's account");
        assert.equal(hit!.text, "욕설이에요");
        assert.deepEqual(hit!.report, { player: rude.room.sessionId, account: "acc-rude", name: rude.room.state.players.get(rude.room.sessionId)!.name, lineIds: [lineId] });
        break;
      }
      if (performance.now() > deadline) assert.fail(`not found: ${response.status} ${JSON.stringify(body)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await Promise.all([rude, hurt].map((player) => player.room.leave()));
  });
});

describe("Lines said in private in Elasticsearch (embedded, an NPC that talks in private, real node)", function () {
  const prefix = `test-private-${Date.now().toString(36)}`;
  const auth = "Basic " + Buffer.from("ops:correct-horse").toString("base64");
  let server: Service;
  let port: number;

  before(async () => {
    const world = join(mkdtempSync(join(tmpdir(), "world-private-es-")), "world.json");
    saveWorld(world, { npcs: [{ id: "mina", name: "미나", position: { x: 0, y: 0, z: 0 }, talkRadius: 100, privateTalk: true, callReplies: ["네, {name} 님?"] }] });
    ({ server, port } = await startEmbedded("private-es-server", prefix, { WORLD_FILE: world }));
  });

  after(() => server?.stop());

  it("indexes what one player heard alone with `private`, which the search keeps apart", async () => {
    const player = await joinWorld(`ws://127.0.0.1:${port}`, { name: "비밀이" });
    player.room.send("chat", { text: "@미나" });
    player.room.send("chat", { text: "모두가 듣는 말" });
    const heard = () => [...player.room.state.chat, ...player.privateLines!].map((line) => line.text);
    await waitFor("her reply and the room's line", () => ["네, 비밀이 님?", "모두가 듣는 말"].every((text) => heard().includes(text)));
    await player.room.leave();
    const texts = async (query: string) => {
      const response = await fetch(`http://127.0.0.1:${port}/api/chat/search?size=100&${query}`, { headers: { authorization: auth } });
      const body = (await response.json()) as SearchResult;
      return response.status === 200 ? body.hits : [{ text: `${response.status} ${JSON.stringify(body)}` } as ChatHit];
    };
    const deadline = performance.now() + 20_000;
    for (;;) {
      const [heardAlone, heardByOthers] = [await texts("private=true"), await texts("private=false")];
      if (heardAlone.length === 2 && heardByOthers.some((hit) => hit.text === "모두가 듣는 말")) {
        assert.deepEqual(heardAlone.map((hit) => hit.text).sort(), ["@미나", "네, 비밀이 님?"]);
        assert.ok(heardAlone.every((hit) => hit.private === true));
        assert.ok(heardByOthers.every((hit) => hit.private === undefined && !["@미나", "네, 비밀이 님?"].includes(hit.text)), JSON.stringify(heardByOthers));
        return;
      }
      if (performance.now() > deadline) assert.fail(`not found: ${JSON.stringify({ heardAlone, heardByOthers })}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});

describe("A player's erasure request (embedded, AUTH_SECRET, real node)", function () {
  const secret = "the erasure test's login secret, 32 characters or more";
  const prefix = `test-erasure-${Date.now().toString(36)}`;
  let dataDir: string;
  let es: Elasticsearch;
  let server: Service;
  let port: number;

  before(async () => {
    es = new Elasticsearch({ node: process.env.TEST_ES_URL! });
    const world = join(mkdtempSync(join(tmpdir(), "world-erasure-")), "world.json");
    const hans = { id: "hans", name: "한스", position: { x: 0, y: 0, z: 0 }, talkRadius: 100, greetings: ["{name}, 어서 오게."], greetingsAgain: ["또 왔군, {name}!"] };
    saveWorld(world, { npcs: [hans] });
    dataDir = mkdtempSync(join(tmpdir(), "erasure-data-"));
    ({ server, port } = await startEmbedded("erasure-es-server", prefix, { AUTH_SECRET: secret, WORLD_FILE: world, DATA_DIR: dataDir }));
    // The in-process indexer runs once Elasticsearch answered it: a line searchable says so (an erasure waits 5 s at most).
    const early = await joinWorld(`ws://127.0.0.1:${port}`, {}, undefined, { authorization: `Bearer ${await signToken(secret, { account: "acc-early", hours: 1 })}` });
    early.room.send("chat", { text: "색인이 돌기 시작했다" });
    for (const deadline = performance.now() + 60_000; ; ) {
      // An index just created may have no shard to search yet (no_shard_available_action_exception): not yet, then.
      const lines = await es.indices
        .refresh({ index: prefix, ignore_unavailable: true, allow_no_indices: true })
        .then(() => es.count({ index: prefix, ignore_unavailable: true, allow_no_indices: true }))
        .then(({ count }) => count, noShardYet);
      if (lines > 0) break;
      if (performance.now() > deadline) assert.fail("the embedded indexer did not start");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await early.room.leave();
  });

  after(async () => {
    await server?.stop();
    await es?.close();
  });

  it("erases a player's lines, the NPC's answers to them and its memory of them on request (POST /api/erasures); others' stay", async () => {
    const url = `ws://127.0.0.1:${port}`;
    const auth = "Basic " + Buffer.from("ops:correct-horse").toString("base64");
    const signIn = async (account: string, roomId?: string) =>
      joinWorld(url, {}, roomId, { authorization: `Bearer ${await signToken(secret, { account, name: account === "acc-gone" ? "지울이" : "남을이", hours: 1 })}` });
    const gone = await signIn("acc-gone");
    const stays = await signIn("acc-stays", gone.room.roomId);
    const chat = () => gone.room.state.chat;
    await waitFor("hans's greeting, once he noted he met them", () => chat().some((line) => line.from === "hans" && line.text.includes("지울이")));
    gone.room.send("chat", { text: "@한스 지워질 질문이에요" });
    stays.room.send("chat", { text: "남을 말이에요" });
    await waitFor("the NPC's answer", () => chat().some((line) => line.from === "hans" && line.replyTo !== "" && chat().find((q) => q.id === line.replyTo)?.text === "@한스 지워질 질문이에요"), 20_000);
    const question = chat().find((line) => line.text === "@한스 지워질 질문이에요")!;
    const indexed = async (query: Record<string, unknown>) => {
      const where = { index: prefix, ignore_unavailable: true, allow_no_indices: true };
      await es.indices.refresh(where);
      return (await es.count({ ...where, query })).count;
    };
    await Promise.all([gone, stays].map((player) => player.room.leave()));
    // Asked at once: the lines this process has not indexed yet are indexed first, then erased.

    const erase = (body: string, authorization = auth) =>
      fetch(`http://127.0.0.1:${port}/api/erasures`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body });
    assert.equal((await erase(JSON.stringify({ account: "acc-gone" }), "Basic bm9ib2R5Om5vcGU=")).status, 401);
    const refused = await erase("{}");
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { error: string }).error, /bad erasure/);
    const typo = await erase(JSON.stringify({ account: "ACC-GONE" })); // accounts are matched exactly, case included
    assert.deepEqual(await typo.json(), { account: "ACC-GONE", found: false, chatLines: 0, archivedLines: 0, npcMemories: 0, openReports: 0, kafkaCopiesGoneBy: null, indexerLag: null });
    const erased = await erase(JSON.stringify({ account: " acc-gone " })); // pasted with spaces: it answered 200, all 0
    assert.equal(erased.status, 200, await erased.clone().text());
    assert.deepEqual(await erased.json(), { account: "acc-gone", found: true, chatLines: 2, archivedLines: 2, npcMemories: 1, openReports: 0, kafkaCopiesGoneBy: null, indexerLag: null }, "no Kafka here");
    const archived = readdirSync(join(dataDir, "chat-log"), { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ndjson"))
      .flatMap((file) => readFileSync(join(dataDir, "chat-log", file), "utf8").trim().split("\n"));
    assert.ok(archived.some((line) => line.includes("acc-stays")), "the other player's line stays in the archive");
    assert.ok(!archived.some((line) => line.includes("acc-gone") || line.includes("지워질 질문")), archived.join("\n"));
    assert.equal(await indexed({ term: { account: "acc-gone" } }), 0);
    assert.equal(await indexed({ term: { replyTo: question.id } }), 0, "the answer that carried their question");
    assert.equal(await indexed({ term: { account: "acc-stays" } }), 1);
    assert.deepEqual(await (await erase(JSON.stringify({ account: "acc-gone" }))).json(), { account: "acc-gone", found: false, chatLines: 0, archivedLines: 0, npcMemories: 0, openReports: 0, kafkaCopiesGoneBy: null, indexerLag: null }, "nothing left");
  });

  // It erased the NPCs' memory, the reports and the archive files first, then answered 502: a half-erased player.
  it("erases nothing while a month of the index is closed, says so, and erases it all when asked again once it is open", async () => {
    const authorization = "Basic " + Buffer.from("ops:correct-horse").toString("base64");
    const player = await joinWorld(`ws://127.0.0.1:${port}`, {}, undefined, { authorization: `Bearer ${await signToken(secret, { account: "acc-closed", name: "닫힌달", hours: 1 })}` });
    await waitFor("hans's greeting, once he noted he met them", () => player.room.state.chat.some((line) => line.from === "hans" && line.text.includes("닫힌달")));
    player.room.send("chat", { text: "닫힌 달이 있어도 지워 주세요" });
    await waitFor("their line in the room", () => player.room.state.chat.some((line) => line.text === "닫힌 달이 있어도 지워 주세요"));
    await player.room.leave();
    // A line of theirs from a month an operator closed to save the node's heap.
    const old: ChatLogRecord = { v: CHAT_LOG_VERSION, id: "closed-old-1", roomId: "r", serverId: "s", kind: "player", from: "p", name: "닫힌달", text: "작년에 한 말", account: "acc-closed", ts: Date.UTC(2097, 0, 15) };
    const closedMonth = indexFor(prefix, old.ts);
    await es.bulk({ refresh: true, operations: [{ index: { _index: closedMonth, _id: old.id } }, documentFor(old)] });
    await es.indices.close({ index: closedMonth });
    const erase = () =>
      fetch(`http://127.0.0.1:${port}/api/erasures`, { method: "POST", headers: { authorization, "content-type": "application/json" }, body: JSON.stringify({ account: "acc-closed" }) });
    try {
      const refused = await erase();
      assert.equal(refused.status, 502);
      const body = (await refused.json()) as { error: string; account: string; closedIndices: string[]; done: string[] };
      assert.deepEqual([body.account, body.closedIndices, body.done], ["acc-closed", [closedMonth], []]);
      assert.match(body.error, /nothing erased.*open it.*ask again/);
    } finally {
      await es.indices.open({ index: closedMonth, wait_for_active_shards: 1 });
    }
    const erased = await erase();
    assert.equal(erased.status, 200, await erased.clone().text());
    assert.deepEqual(pick(await erased.json(), "found", "chatLines", "archivedLines", "npcMemories"), { found: true, chatLines: 2, archivedLines: 1, npcMemories: 1 }, "all of it still there to erase");
  });

  it("finds and erases a player's lines page by page, however many there are", async () => {
    const ts = Date.now();
    const line = (id: string, extra: Partial<ChatLogRecord>): ChatLogRecord =>
      ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "많이", text: id, ts: ts + Number(id.slice(-1)), ...extra });
    const records = [
      ...[1, 2, 3, 4, 5].map((i) => line(`paged-${i}`, { account: "acc-paged" })),
      ...[1, 3, 5].map((i) => line(`paged-answer-${i}`, { kind: "npc", from: "hans", replyTo: `paged-${i}` })),
      line("paged-kept-9", { account: "acc-other" }),
    ];
    await es.bulk({ refresh: true, operations: records.flatMap((record) => [{ index: { _index: indexFor(prefix, record.ts), _id: record.id } }, documentFor(record)]) });
    assert.equal(await eraseAccountLines(es, "acc-paged", prefix, 2), 8, "pages of 2: five lines and three answers");
    await es.indices.refresh({ index: prefix });
    const left = await es.search({ index: prefix, query: { prefix: { id: "paged-" } }, size: 20 });
    assert.deepEqual(left.hits.hits.map((hit) => hit._id), ["paged-kept-9"]);
  });

  // A redrive of dead letters, an indexer behind or a slow node: indexers that read no erasure marks put the lines
  // back, searchable.
  it("keeps out of the index the lines an erased player wrote before the erasure, however late they come", async () => {
    const ts = Date.now() - 60_000;
    const line = (id: string, extra: Partial<ChatLogRecord>): ChatLogRecord =>
      ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "늦게", text: id, ts, ...extra });
    const before = [
      line("late-1", { account: "acc-late" }),
      line("late-answer-1", { kind: "npc", from: "hans", replyTo: "late-1", npc: { questionId: "q-late-1", question: "late-1", latencyMs: 5, fallback: false, asker: "acc-late" } }),
      line("late-other-1", { account: "acc-other" }),
    ];
    const erase = await fetch(`http://127.0.0.1:${port}/api/erasures`, {
      method: "POST",
      headers: { authorization: "Basic " + Buffer.from("ops:correct-horse").toString("base64"), "content-type": "application/json" },
      body: JSON.stringify({ account: "acc-late" }),
    });
    assert.equal(erase.status, 200, await erase.clone().text());
    assert.equal(((await erase.json()) as { found: boolean }).found, false, "nothing of theirs stored yet: the mark is written all the same");
    const indexer = new ChatIndexer(es, quiet, prefix);
    const after = line("late-2", { account: "acc-late", ts: Date.now() + 1000 }); // back in the game after it: kept
    assert.deepEqual(await indexer.index([...before, after]), []);
    assert.deepEqual(await indexedIds("late-"), ["late-2", "late-other-1"]);
    assert.deepEqual([indexer.stats.indexed, indexer.stats.erased], [2, 2]);
  });

  it("deletes the lines of a batch stored while their player's erasure ran", async () => {
    const ts = Date.now() - 60_000;
    const records = ["racing-1", "racing-2"].map((id): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "경주", text: id, account: "acc-racing", ts }));
    // The erasure runs whole between the indexer's look at the marks and its write: it finds nothing to delete.
    const racing = new Elasticsearch({ node: process.env.TEST_ES_URL! });
    const bulk = racing.bulk.bind(racing);
    let erasedMeanwhile = -1;
    racing.bulk = (async (...args: Parameters<typeof bulk>) => {
      if (erasedMeanwhile < 0) {
        await markErased(es, "acc-racing", prefix);
        erasedMeanwhile = await eraseAccountLines(es, "acc-racing", prefix);
      }
      return bulk(...args);
    }) as typeof racing.bulk;
    try {
      const indexer = new ChatIndexer(racing, quiet, prefix);
      assert.deepEqual(await indexer.index(records), []);
      assert.equal(erasedMeanwhile, 0);
      assert.deepEqual(await indexedIds("racing-"), []);
      assert.deepEqual([indexer.stats.indexed, indexer.stats.erased], [0, 2]);
    } finally {
      await racing.close();
    }
  });

  it("deletes a stored line erased meanwhile though another batch read the new mark first (partitions side by side)", async () => {
    const ts = Date.now() - 60_000;
    const said = (id: string, account: string): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "옆", text: id, account, ts });
    const slow = new Elasticsearch({ node: process.env.TEST_ES_URL! });
    const bulk = slow.bulk.bind(slow);
    let letGo!: () => void;
    const mayGo = new Promise<void>((resolve) => (letGo = resolve));
    slow.bulk = (async (...args: Parameters<typeof bulk>) => {
      if (JSON.stringify(args[0]).includes("side-victim")) await mayGo; // in flight while the erasure runs
      return bulk(...args);
    }) as typeof slow.bulk;
    try {
      const indexer = new ChatIndexer(slow, quiet, prefix);
      await indexer.index([said("side-warm", "acc-side-other")]);
      const first = indexer.index([said("side-victim", "acc-side")]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // it has read the marks; its bulk waits
      await markErased(es, "acc-side", prefix);
      assert.equal(await eraseAccountLines(es, "acc-side", prefix), 0);
      await indexer.index([said("side-other", "acc-side-other")]); // reads the new mark
      letGo();
      await first;
      assert.deepEqual(await indexedIds("side-"), ["side-other", "side-warm"]);
    } finally {
      await slow.close();
    }
  });

  it("keeps out an answer that names no asker (as older servers wrote them) to a line it kept out, in a later batch", async () => {
    const ts = Date.now() - 60_000;
    const question: ChatLogRecord = { v: CHAT_LOG_VERSION, id: "old-q", roomId: "r", serverId: "s", kind: "player", from: "p", name: "옛", text: "우리 집은 부산 해운대", account: "acc-old", ts };
    const answer: ChatLogRecord = { ...question, id: "old-a", kind: "npc", from: "hans", name: "한스", text: "좋은 곳이죠", account: undefined, replyTo: "old-q", npc: { questionId: "q", question: question.text, latencyMs: 5, fallback: false }, ts: ts + 5 };
    await markErased(es, "acc-old", prefix);
    const indexer = new ChatIndexer(es, quiet, prefix);
    await indexer.index([question]);
    await indexer.index([answer]);
    assert.deepEqual(await indexedIds("old-"), []);
  });

  it("reads the marks again when their index was made again (its first mark where the old index's was)", async () => {
    const again = `${prefix}-again`;
    const said = (id: string, ts: number): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "또", text: id, account: "acc-again", ts });
    await installTemplate(es, again);
    await markErased(es, "acc-before", again);
    const indexer = new ChatIndexer(es, quiet, again);
    await indexer.index([said("again-1", Date.now() - 60_000)]); // the marks read
    await es.indices.delete({ index: marksIndex(again) });
    await markErased(es, "acc-again", again);
    await indexer.index([said("again-2", Date.now() - 60_000)]);
    await es.indices.refresh({ index: again });
    const found = await es.search({ index: again, query: { prefix: { id: "again-" } } });
    assert.deepEqual(found.hits.hits.map((hit) => hit._id), ["again-1"], "the later line kept out (the first is the erasure's to delete)");
    await es.indices.delete({ index: [`${again}-*`, marksIndex(again)] });
  });

  // Sorted by the lines' fields, the pages skipped such an index (a failed shard of a search that answered), its lines kept.
  it("erases the lines in a month's index of the alias made by hand without the template's fields", async () => {
    const byHand = `${prefix}-2098.01`;
    // `id` as a guess makes it (text): "Fielddata is disabled on [id]".
    await es.indices.create({ index: byHand, mappings: { properties: { account: { type: "keyword" }, id: { type: "text" } } } });
    await es.index({ index: byHand, id: "by-hand-1", document: { account: "acc-by-hand", id: "by-hand-1" }, refresh: true });
    await es.indices.putAlias({ index: byHand, name: prefix });
    try {
      assert.equal(await eraseAccountLines(es, "acc-by-hand", prefix), 1);
      assert.equal((await es.count({ index: byHand })).count, 0);
    } finally {
      await es.indices.delete({ index: byHand });
    }
  });

  async function indexedIds(idPrefix: string): Promise<string[]> {
    await es.indices.refresh({ index: prefix });
    const found = await es.search({ index: prefix, query: { prefix: { id: idPrefix } }, size: 20, sort: [{ id: "asc" }] });
    return found.hits.hits.map((hit) => hit._id!);
  }
});

const pick = (answer: unknown, ...keys: string[]) => Object.fromEntries(keys.map((key) => [key, (answer as Record<string, unknown>)[key]]));
