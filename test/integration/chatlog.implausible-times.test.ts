import assert from "node:assert/strict";
import { Client as Elasticsearch } from "@elastic/elasticsearch";
import { Kafka, logLevel } from "kafkajs";

import { ChatIndexer } from "../../chatlog/chat-indexer.js";
import { indexFor, installTemplate } from "../../chatlog/index-template.js";
import { redriveDeadLetters } from "../../chatlog/redrive-dead-letters.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../../kafka/chat-log.js";
import { ensureTopics } from "../../kafka/kafka-client.js";
import { KafkaChatLogSource } from "../../kafka/kafka-chat-log.js";
import { uniqueTopics } from "../../tools/processes.js";
import { quiet, waitFor } from "../helpers/world.js";

/**
 * A chat-log record's `ts` names the monthly index it is stored in, which the indexer makes: junk times made an index
 * each (the node's shards run out). The Kafka indexer's source against the suite's real broker and node.
 */
describe("Chat-log records whose time cannot be a chat line's (real broker, real node)", function () {
  this.timeout(90_000);

  it("sends them to the dead-letter topic with the reason and makes no index for them; lines of now, or old ones sent again, are indexed", async () => {
    const kafka = new Kafka({ clientId: "chat-times-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const es = new Elasticsearch({ node: process.env.TEST_ES_URL! });
    const { question } = uniqueTopics("times");
    const topics = { log: `chat.log.${question}`, dead: `chat.log.dead.${question}` };
    const prefix = `test-times-${Date.now().toString(36)}`;
    await ensureTopics(kafka, [topics.log, topics.dead], 1); // LogAppendTime, as every topic the services make
    await installTemplate(es, prefix);
    const indexer = new ChatIndexer(es, quiet, prefix);
    const source = new KafkaChatLogSource(kafka, topics, `indexer-${question}`, quiet);
    await source.start((records, heartbeat) => indexer.index(records, heartbeat));
    const producer = kafka.producer();
    await producer.connect();
    const letters: Array<{ id: string; reason: string }> = [];
    const reader = kafka.consumer({ groupId: `dlq-reader-${question}` });
    await reader.connect();
    await reader.subscribe({ topic: topics.dead, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => void letters.push({ id: (JSON.parse(message.value!.toString()) as ChatLogRecord).id, reason: message.headers!.reason!.toString() }),
    });
    const line = (id: string, ts: number): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "민수", text: id, ts });
    const day = 24 * 60 * 60 * 1000;
    const now = Date.now();
    const kept = [
      line("now", now),
      line("hours-ahead", now + 6 * 60 * 60 * 1000), // a server's clock a little ahead
      line("redriven", Date.UTC(2024, 5, 1)), // an old line sent again (npm run chatlog:redrive): appended now
    ];
    const junk = [line("epoch", 0), line("last-of-2023", Date.UTC(2023, 11, 31, 23, 59)), line("weeks-ahead", now + 40 * day), line("last-a-date-holds", 8.64e15)];
    try {
      // Each with its own time as the producer's: the topic's append time is the broker's whatever the producer says.
      await producer.send({ topic: topics.log, messages: [...junk, ...kept].map((record) => ({ value: JSON.stringify(record), timestamp: String(Math.min(record.ts, now + 40 * day)) })) });
      await waitFor("the four dead letters", () => letters.length >= 4, 30_000);
      await waitFor("the three lines indexed", () => indexer.stats.indexed >= 3, 30_000);
      await new Promise((resolve) => setTimeout(resolve, 500)); // a letter sent twice would come by now
      const reasons = Object.fromEntries(letters.map(({ id, reason }) => [id, reason]));
      assert.deepEqual(Object.keys(reasons).sort(), junk.map((record) => record.id).sort());
      assert.match(reasons["epoch"]!, /^not a chat line's time: ts 1970-01-01T00:00:00\.000Z is before 2024-01-01T00:00:00\.000Z, older than any chat line/);
      assert.match(reasons["last-of-2023"]!, /^not a chat line's time: ts 2023-12-31T23:59:00\.000Z is before 2024-01-01/);
      assert.match(reasons["weeks-ahead"]!, /^not a chat line's time: ts \S+ is more than a day after the record was taken \(\S+\): junk, or a clock far ahead$/);
      assert.match(reasons["last-a-date-holds"]!, /^not a chat line's time: ts \+275760-09-13T00:00:00\.000Z is more than a day after/);
      // The months of the lines kept, and no other.
      const indices = Object.keys(await es.indices.get({ index: `${prefix}-*` }));
      assert.deepEqual(indices.sort(), [...new Set(kept.map((record) => indexFor(prefix, record.ts)))].sort());
      await es.indices.refresh({ index: `${prefix}-*` });
      const { hits } = await es.search<{ id: string }>({ index: `${prefix}-*`, size: 10 });
      assert.deepEqual(hits.hits.map((hit) => hit._source!.id).sort(), kept.map((record) => record.id).sort());
      assert.equal(indexer.stats.dead, 0, "refused before Elasticsearch: none of its refusals");
      // And `npm run chatlog:redrive` leaves them: sent back, they were refused again, and moved once more each run.
      const redriven = await redriveDeadLetters(kafka, topics, { groupId: `redrive-${question}` });
      assert.deepEqual(redriven, { redriven: 0, left: { "not a chat line's time (before 2024, or more than a day ahead of now)": 4 } });
    } finally {
      await reader.disconnect();
      await producer.disconnect();
      await source.stop();
      await es.indices.delete({ index: `${prefix}-*`, allow_no_indices: true }).catch(() => {});
      await es.close();
    }
  });
});
