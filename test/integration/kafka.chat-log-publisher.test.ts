import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { createLogger } from "../../common/log.js";
import { withTimeout } from "../../common/with-timeout.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../../kafka/chat-log.js";
import { createKafka } from "../../kafka/kafka-client.js";
import { KafkaChatLogPublisher } from "../../kafka/kafka-chat-log.js";
import { uniqueTopics } from "../../tools/processes.js";

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A chat-log topic of its own on the suite's broker taking at most `maxMessageBytes` a record batch, and how many records it holds. */
async function smallTopic(name: string, maxMessageBytes: number) {
  const kafka = createKafka(process.env.TEST_KAFKA_BROKERS!.split(","), name, createLogger({}, "silent"));
  const topic = `chat.log.${uniqueTopics(name).question}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: String(maxMessageBytes) }] }] });
  const held = async () => (await admin.fetchTopicOffsets(topic)).reduce((sum, { high }) => sum + Number(high), 0);
  return { kafka, topic, held, close: () => admin.disconnect() };
}

const playerLine = (i: number, text: string): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id: `line-${i}`, roomId: "r", serverId: "s", kind: "player", from: "p", name: "민수", text, ts: Date.now() });

/** The chat-log publisher catching up on one busy room's lines (real broker, 1 MB record batches). */
describe("Kafka chat-log publisher (real broker)", function () {
  this.timeout(60_000);

  it("sends 1,500 long lines of one room (over 2 MB, one partition) in requests the broker takes", async () => {
    const kafka = createKafka(process.env.TEST_KAFKA_BROKERS!.split(","), "publisher-test", createLogger({}, "silent"));
    const topic = `chat.log.${uniqueTopics("publisher").question}`;
    const warnings: string[] = [];
    const publisher = new KafkaChatLogPublisher(kafka, topic, createLogger({}, "warn", (line) => warnings.push(JSON.parse(line).msg)));
    await publisher.start();
    const line = (i: number): ChatLogRecord => ({
      v: CHAT_LOG_VERSION, id: `line-${i}`, roomId: "busy-room", serverId: "s", kind: "player", from: "p", name: "민수",
      text: `${i} ${"가나다라마바사아자차카타파하".repeat(100)}`.slice(0, 1400), ts: Date.now(),
    });
    try {
      for (let i = 0; i < 1500; i++) publisher.publish(line(i));
      await publisher.flush();
      assert.deepEqual(warnings, [], "every request taken the first time");
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        assert.equal(offsets.reduce((sum, { high }) => sum + Number(high), 0), 1500);
      } finally {
        await admin.disconnect();
      }
    } finally {
      await publisher.stop();
    }
  });
});

describe("Kafka chat-log publisher, a topic that takes less than its requests (real broker)", function () {
  this.timeout(60_000);

  it("sends smaller requests, and drops with a word only a line too large alone; it held every line behind it", async () => {
    // An operator's limit under the publisher's 512 KiB requests.
    const { kafka, topic, held, close } = await smallTopic("publisher-small", 8000);
    const said: Array<{ level: string; msg: string }> = [];
    const publisher = new KafkaChatLogPublisher(kafka, topic, createLogger({}, "warn", (line) => said.push(JSON.parse(line))));
    try {
      for (let i = 0; i < 100; i++) publisher.publish(playerLine(i, `${i} ${"가".repeat(300)}`));
      publisher.publish(playerLine(100, "나".repeat(1999))); // ~6 KB alone: fits
      // An NPC's answer of 2,000 syllables with the 2,000 it withheld: ~12 KB alone, more than the topic takes.
      const huge = { ...playerLine(101, "다".repeat(2000)), kind: "npc" as const, npc: { questionId: "q", question: "?", withheld: "라".repeat(2000), latencyMs: 1, fallback: false } };
      publisher.publish(huge);
      publisher.publish(playerLine(102, "뒤의 줄"));
      await publisher.start();
      await publisher.flush();
      assert.equal(await held(), 102, "every line sent but the one too large alone, the one after it too");
      assert.ok(said.some((s) => s.level === "warn" && /sending smaller ones/.test(s.msg)), JSON.stringify(said));
      assert.ok(said.some((s) => s.level === "error" && /larger than the topic takes .*: not logged/.test(s.msg)), JSON.stringify(said));
      assert.equal(publisher.dropped, 1);
    } finally {
      await publisher.stop();
      await close();
    }
  });

  it("sends the other line of a request refused as too large whose erased player's line left meanwhile", async () => {
    const { kafka, topic, held, close } = await smallTopic("publisher-erased-large", 1000);
    const said: Array<{ level: string; msg: string; bytes?: number }> = [];
    const publisher = new KafkaChatLogPublisher(kafka, topic, createLogger({}, "warn", (line) => said.push(JSON.parse(line))));
    try {
      await publisher.start();
      publisher.publish({ ...playerLine(0, "가".repeat(400)), account: "acc-erased" }); // ~1.3 KB: over the topic's limit
      publisher.publish(playerLine(1, "안녕하세요")); // fits alone
      const flushed = publisher.flush();
      await publisher.dropWaiting("acc-erased"); // the erasure, while the request is with the broker
      await flushed;
      await publisher.flush();
      assert.equal(await held(), 1, "the other player's line, tried alone");
      assert.equal(publisher.dropped, 0);
      // A line too large alone is said with its size in bytes, as the topic's limit is.
      publisher.publish(playerLine(2, "나".repeat(400)));
      await publisher.flush();
      const tooLarge = said.find((s) => s.level === "error" && /larger than the topic takes/.test(s.msg));
      assert.ok(tooLarge!.bytes! > 1200, JSON.stringify(tooLarge));
    } finally {
      await publisher.stop();
      await close();
    }
  });

  it("comes down to a line a request, not a loop of two-line requests refused for ever", async () => {
    // Two lines of ~700 bytes and their batch's own bytes are over it; one alone is not.
    const { kafka, topic, held, close } = await smallTopic("publisher-tiny", 1050);
    const publisher = new KafkaChatLogPublisher(kafka, topic, createLogger({}, "silent"));
    try {
      for (let i = 0; i < 20; i++) publisher.publish(playerLine(i, `${i} ${"가".repeat(160)}`));
      await publisher.start();
      await withTimeout(publisher.flush(), 20_000);
      assert.equal(await held(), 20);
      assert.equal(publisher.dropped, 0);
    } finally {
      await publisher.stop();
      await close();
    }
  });
});

describe("Kafka chat-log publisher, a player erased while their lines wait (real broker)", function () {
  this.timeout(60_000);

  it("sends none of the erased player's waiting lines, nor the NPC's answers to them, and the others' all", async () => {
    const kafka = createKafka(process.env.TEST_KAFKA_BROKERS!.split(","), "publisher-erasure-test", createLogger({}, "silent"));
    const topic = `chat.log.${uniqueTopics("publisher-erasure").question}`;
    const publisher = new KafkaChatLogPublisher(kafka, topic, createLogger({}, "silent"));
    const line = (id: string, more: Partial<ChatLogRecord>): ChatLogRecord => ({
      v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "민수", text: id, ts: Date.now(), ...more,
    });
    // Not connected yet (a broker that was away): the lines wait in the publisher.
    publisher.publish(line("erased-1", { account: "acc-erased" }));
    publisher.publish(line("other-1", { account: "acc-other" }));
    publisher.publish(line("answer-1", { kind: "npc", from: "kobot", replyTo: "erased-1" }));
    publisher.publish(line("answer-2", { kind: "npc", from: "kobot", replyTo: "x", npc: { questionId: "x", question: "비밀", asker: "acc-erased", latencyMs: 1, fallback: false } }));
    publisher.publish(line("answer-3", { kind: "npc", from: "kobot", replyTo: "other-1" }));
    await publisher.dropWaiting("acc-erased");
    await publisher.start();
    await publisher.flush();
    const consumer = kafka.consumer({ groupId: `erasure-reader-${topic}` });
    const read: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void read.push((JSON.parse(message.value!.toString()) as ChatLogRecord).id) });
      for (let waited = 0; read.length < 2 && waited < 30_000; waited += 100) await sleep(100);
      await sleep(500); // anything more would have come by now
      assert.deepEqual(read.sort(), ["answer-3", "other-1"]);
    } finally {
      await consumer.disconnect();
      await publisher.stop();
    }
  });
});

/** A broker of its own, stopped for good: the suite's broker stays up for the tests after. */
describe("Kafka chat-log publisher, broker gone (real broker)", function () {
  this.timeout(180_000);
  let dir: string;
  let brokers: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kobot-kafka-outage-"));
    const { stdout } = await run("bash", ["scripts/kafka-local.sh", "start", dir], { timeout: 120_000 });
    brokers = stdout.trim().split("\n").at(-1)!;
  });

  after(async () => {
    await run("bash", ["scripts/kafka-local.sh", "stop", dir]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("stops after its 5 s wait, not the send's, at SIGTERM after 15 s of chat with the broker down, and says how many lines were not sent", async () => {
    const kafka = createKafka([brokers], "publisher-outage-test", createLogger({}, "silent"));
    // A send waits on the dead broker over a minute here (kafkajs's tries stretched from createKafka's 10-17 s): a stop
    // that waited for the one in flight loses the race below, however slow the machine; one after its 5 s wait wins it.
    const producer = kafka.producer.bind(kafka);
    kafka.producer = (config) => producer({ ...config, retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 45 } });
    const logged: Array<{ level: string; msg: string; lines?: number }> = [];
    const publisher = new KafkaChatLogPublisher(kafka, `chat.log.${uniqueTopics("outage").question}`, createLogger({}, "warn", (line) => logged.push(JSON.parse(line))));
    await publisher.start();
    await run("bash", ["scripts/kafka-local.sh", "stop", dir]);
    let published = 0;
    const chatting = setInterval(() => publisher.publish({ v: CHAT_LOG_VERSION, id: `line-${published}`, roomId: `room-${published++ % 7}`, serverId: "s", kind: "player", from: "p", name: "민수", text: "안녕", ts: Date.now() }), 10);
    await sleep(15_000);
    clearInterval(chatting);
    const outcome = await Promise.race([publisher.stop().then(() => "stopped"), sleep(30_000).then(() => "still stopping after 30 s")]);
    assert.equal(outcome, "stopped");
    const unsent = logged.filter((line) => line.level === "error");
    assert.deepEqual(unsent.map(({ msg, lines }) => ({ msg, lines })), [{ msg: "chat lines not sent: Kafka did not take them before shutdown", lines: published }]);
  });
});
