/**
 * npm run bench:index: how fast chat lines get into Elasticsearch.
 *  - documents/s: N chat-log records through the indexer alone (bulk), and through the whole Kafka
 *    path (topic → indexer consumer → bulk), on a real broker and a real node started here; both after a
 *    throwaway warm-up bulk, both with 4 bulk requests at once (the topic's 4 partitions are consumed at once);
 *  - lag: a line said in a live room → found by the search API (refresh interval included), for
 *    the embedded default (in-process indexer) and the Kafka deployment (separate indexer process).
 * Prints a table and writes bench/results/index.json.
 *
 *   npm run bench:index -- --docs 50000 --lines 30
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client as Elasticsearch } from "@elastic/elasticsearch";

import { commandArgs } from "../common/cli-args.js";
import { ChatIndexer } from "../chatlog/chat-indexer.js";
import { installTemplate } from "../chatlog/index-template.js";
import { createLogger } from "../common/log.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../kafka/chat-log.js";
import { KafkaChatLogPublisher, KafkaChatLogSource } from "../kafka/kafka-chat-log.js";
import { createKafka } from "../kafka/kafka-client.js";
import { freePort, type Service, startService, uniqueTopics } from "../tools/processes.js";
import { joinWorld } from "../test/helpers/world.js";
import { machineInfo } from "./machine.js";
import { mean, percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:index", {
  options: {
    docs: { type: "string", default: "50000" },
    lines: { type: "string", default: "30" },
    out: { type: "string", default: resultsFile("index.json") },
  },
});
const docCount = number("docs");
const lineCount = number("lines");
const quiet = createLogger({}, "silent");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const run = (script: string, ...args: string[]) =>
  execFileSync("bash", [script, ...args], { encoding: "utf8" }).trim().split("\n").at(-1)!;

function records(prefix: string, n: number): ChatLogRecord[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    v: CHAT_LOG_VERSION,
    id: `${prefix}-${i}`,
    roomId: `room-${i % 20}`,
    serverId: "bench",
    kind: i % 2 ? "npc" : "player",
    from: `p${i % 200}`,
    name: `플레이어${i % 200}`,
    text: `오늘 날씨가 좋아서 산책 가고 싶다 ${i}`,
    ts: now - (n - i),
  }));
}

async function countOf(es: Elasticsearch, index: string): Promise<number> {
  await es.indices.refresh({ index, ignore_unavailable: true, allow_no_indices: true });
  return (await es.count({ index, ignore_unavailable: true, allow_no_indices: true })).count;
}

/** Records per bulk request, and requests at once: the Kafka arm's indexer bulks each of the topic's 4 partitions at once. */
const BULK_SIZE = 1000;
const CONCURRENT_BULKS = 4;
const WARM_UP_DOCS = 5000;

/** `all` in bulks of BULK_SIZE, CONCURRENT_BULKS requests at a time. */
async function bulkIndex(indexer: ChatIndexer, all: ChatLogRecord[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENT_BULKS }, async () => {
    while (next < all.length) {
      const start = next;
      next += BULK_SIZE;
      await indexer.index(all.slice(start, start + BULK_SIZE));
    }
  }));
}

/** Bulks that are thrown away: a fresh node's first requests are slow, and would count against whichever arm ran first. */
async function warmUp(es: Elasticsearch): Promise<void> {
  const prefix = `bench-warmup-${Date.now().toString(36)}`;
  await installTemplate(es, prefix);
  await bulkIndex(new ChatIndexer(es, quiet, prefix), records(prefix, WARM_UP_DOCS));
  await es.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
}

/** The indexer alone: bulk requests straight into Elasticsearch, as many at once as the Kafka arm makes. */
async function bulkOnly(es: Elasticsearch): Promise<number> {
  const prefix = `bench-bulk-${Date.now().toString(36)}`;
  await installTemplate(es, prefix);
  const indexer = new ChatIndexer(es, quiet, prefix);
  const all = records(prefix, docCount);
  const started = performance.now();
  await bulkIndex(indexer, all);
  const seconds = (performance.now() - started) / 1000;
  if ((await countOf(es, prefix)) !== docCount) throw new Error("bulk-only: documents missing");
  return docCount / seconds;
}

/** Produced to the chat-log topic, consumed by the indexer, bulk-indexed: until all are stored. */
async function throughKafka(es: Elasticsearch, brokers: string): Promise<number> {
  const prefix = `bench-kafka-${Date.now().toString(36)}`;
  await installTemplate(es, prefix);
  const kafka = createKafka([brokers], "bench-index", quiet);
  const topic = `chat.log.${uniqueTopics("index").question}`;
  const publisher = new KafkaChatLogPublisher(kafka, topic, quiet);
  await publisher.start();
  for (const record of records(prefix, docCount)) publisher.publish(record);
  await publisher.stop();
  const indexer = new ChatIndexer(es, quiet, prefix);
  const source = new KafkaChatLogSource(kafka, { log: topic, dead: `${topic}.dead` }, `bench-${topic}`, quiet);
  const started = performance.now();
  await source.start((batch, heartbeat) => indexer.index(batch, heartbeat));
  while (indexer.stats.indexed < docCount) await sleep(20);
  const seconds = (performance.now() - started) / 1000;
  await source.stop();
  if ((await countOf(es, prefix)) !== docCount) throw new Error("kafka: documents missing");
  return docCount / seconds;
}

/** A line said in a room → the search API finds it. */
async function lag(port: number): Promise<number[]> {
  const player = await joinWorld(`ws://127.0.0.1:${port}`, { name: "bench" });
  const auth = "Basic " + Buffer.from("bench:bench-password").toString("base64");
  const times: number[] = [];
  for (let i = 0; i < lineCount; i++) {
    const word = `lagprobe${Date.now().toString(36)}x${i}`;
    const started = performance.now();
    player.room.send("chat", { text: `${word} 검색될 때까지` });
    for (;;) {
      const response = await fetch(`http://127.0.0.1:${port}/api/chat/search?q=${word}`, { headers: { authorization: auth } });
      if (response.ok && ((await response.json()) as { total: number }).total === 1) break;
      await sleep(10);
    }
    times.push(performance.now() - started);
    await sleep(100);
  }
  await player.room.leave();
  return times;
}

async function withService<T>(start: () => Promise<Service[]>, body: () => Promise<T>): Promise<T> {
  const services = await start();
  try {
    return await body();
  } finally {
    await Promise.allSettled(services.map((service) => service.stop()));
  }
}

const kafkaDir = mkdtempSync(join(tmpdir(), "kobot-bench-kafka-"));
const esDir = mkdtempSync(join(tmpdir(), "kobot-bench-es-"));
let es: Elasticsearch | undefined;
try {
  // Started inside the try: a start that fails (the other service already up, or its own script's failure) is stopped below.
  console.log("starting Kafka and Elasticsearch (scripts/*-local.sh)…");
  const brokers = run("scripts/kafka-local.sh", "start", kafkaDir);
  const esUrl = run("scripts/elasticsearch-local.sh", "start", esDir);
  es = new Elasticsearch({ node: esUrl });
  console.log(`throughput: ${docCount} documents (after a ${WARM_UP_DOCS}-document warm-up; ${CONCURRENT_BULKS} bulks of ${BULK_SIZE} at once)`);
  await warmUp(es);
  const bulkRate = await bulkOnly(es);
  const kafkaRate = await throughKafka(es, brokers);

  console.log(`lag: ${lineCount} lines per path`);
  const admin = { ADMIN_USER: "bench", ADMIN_PASSWORD: "bench-password", ES_URL: esUrl };
  const embeddedPort = await freePort();
  const embeddedLag = await withService(
    async () => [await startService("bench-index-embedded", "server/main.ts", { ...admin, PORT: String(embeddedPort), ES_INDEX_PREFIX: `bench-lag-e${Date.now()}` }, "world server listening")],
    () => lag(embeddedPort),
  );
  const topics = uniqueTopics("lag");
  const kafkaEnv = { ...admin, KAFKA_BROKERS: brokers, KAFKA_QUESTION_TOPIC: topics.question, KAFKA_ANSWER_TOPIC: topics.answer, CHAT_LOG_TOPIC: `chat.log.${topics.question}`, KAFKA_INDEXER_GROUP: `bench-${topics.question}`, ES_INDEX_PREFIX: `bench-lag-k${Date.now()}` };
  const kafkaPort = await freePort();
  const kafkaLag = await withService(
    async () => [
      await startService("bench-index-indexer", "chatlog/indexer-main.ts", kafkaEnv, "chat indexer started"),
      await startService("bench-index-server", "server/main.ts", { ...kafkaEnv, PORT: String(kafkaPort), SERVER_ID: "bench-index" }, "world server listening"),
    ],
    () => lag(kafkaPort),
  );

  const lagRow = (path: string, ms: number[]) => ({ path, n: ms.length, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), mean: round(mean(ms)), max: round(Math.max(...ms)) });
  const rows = [lagRow("line in room → searchable: embedded", embeddedLag), lagRow("line in room → searchable: Kafka + indexer", kafkaLag)];
  const summary = {
    documents: docCount,
    warmUpDocuments: WARM_UP_DOCS,
    bulkSize: BULK_SIZE,
    concurrentBulks: CONCURRENT_BULKS,
    bulkDocsPerSecond: Math.round(bulkRate),
    kafkaToElasticsearchDocsPerSecond: Math.round(kafkaRate),
    refreshIntervalMs: 1000,
  };
  console.log();
  printTable(Object.entries(summary).map(([measure, value]) => ({ measure, value })));
  console.log();
  printTable(rows);
  writeFileSync(values.out!, JSON.stringify({ benchmark: "index", date: new Date().toISOString(), machine: machineInfo(), rows, summary }, null, 2) + "\n");
  console.log(`\nwrote ${values.out}`);
} finally {
  await es?.close();
  // Each stop on its own: one that fails must not leave the other service running.
  for (const [script, dir] of [["scripts/kafka-local.sh", kafkaDir], ["scripts/elasticsearch-local.sh", esDir]] as const) {
    try {
      run(script, "stop", dir);
    } catch (error) {
      console.error(`${script} stop ${dir}: ${(error as Error).message}`);
    }
  }
  rmSync(kafkaDir, { recursive: true, force: true });
  rmSync(esDir, { recursive: true, force: true });
}
