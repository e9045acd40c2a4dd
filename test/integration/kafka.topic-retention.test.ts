import assert from "node:assert/strict";
import { ConfigResourceTypes } from "kafkajs";

import { createLogger } from "../../common/log.js";
import { createKafka, ensureTopics, newProducer } from "../../kafka/kafka-client.js";
import { longestKeptMs } from "../../kafka/topic-retention.js";
import { uniqueTopics } from "../../tools/processes.js";

const HOUR = 3_600_000;
const CHECK_MS = 300_000; // the broker's log.retention.check.interval.ms: Kafka's default in scripts/kafka-local.sh

/** How long players' words stay in Kafka, where an erasure request cannot reach them (real broker). */
describe("Kafka topics' retention (kafka/topic-retention.ts, real broker)", function () {
  this.timeout(60_000);
  const brokers = () => process.env.TEST_KAFKA_BROKERS!.split(",");

  it("creates topics that keep records the client's retention, rolled daily at most, and says how long a line written now stays", async () => {
    const { question, answer } = uniqueTopics("retention");
    await ensureTopics(createKafka(brokers(), "retention-3h", createLogger({}, "warn"), 3 * HOUR), [question]);
    const warnings: Array<{ msg: string; topic: string; keptHours: number; retentionHours: number; change: string }> = [];
    const weekLong = createKafka(brokers(), "retention-week", createLogger({}, "warn", (line) => warnings.push(JSON.parse(line))));
    await ensureTopics(weekLong, [answer]);
    await ensureTopics(weekLong, [answer]); // exists, with the client's retention: nothing to say
    assert.equal(warnings.length, 0, JSON.stringify(warnings));
    await ensureTopics(weekLong, [question]); // exists: keeps its settings, and the operator is told
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.match(warnings[0]!.msg, /KAFKA_RETENTION_HOURS/);
    assert.deepEqual([warnings[0]!.topic, warnings[0]!.keptHours, warnings[0]!.retentionHours], [question, 3, 168]);
    assert.match(warnings[0]!.change, new RegExp(`--entity-name ${question} --add-config retention.ms=604800000,segment.ms=86400000$`));
    assert.equal(await longestKeptMs(weekLong, [question]), 3 * HOUR + 3 * HOUR + CHECK_MS, "a 3-hour segment, then 3 hours");
    assert.equal(await longestKeptMs(weekLong, [answer]), 24 * HOUR + 168 * HOUR + CHECK_MS, "a day's segment, then the default week");
    assert.equal(await longestKeptMs(weekLong, [question, answer]), 24 * HOUR + 168 * HOUR + CHECK_MS, "the longest of them");

    // An operator who set a topic to keep records for good: no time can be promised.
    const admin = weekLong.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: question, configEntries: [{ name: "retention.ms", value: "-1" }] }] });
    } finally {
      await admin.disconnect();
    }
    assert.equal(await longestKeptMs(weekLong, [question, answer]), null);
  });

  it("creates topics stamped with the broker's clock, not a producer's that is days behind", async () => {
    const { question: topic } = uniqueTopics("broker-time");
    const kafka = createKafka(brokers(), "broker-time", createLogger({}, "warn"));
    await ensureTopics(kafka, [topic]);
    const producer = newProducer(kafka);
    const consumer = kafka.consumer({ groupId: `${topic}-reader` });
    await Promise.all([producer.connect(), consumer.connect()]);
    try {
      const twoDaysAgo = Date.now() - 48 * HOUR;
      await producer.send({ topic, messages: [{ value: "late clock", timestamp: String(twoDaysAgo) }] });
      await consumer.subscribe({ topic, fromBeginning: true });
      const stamped = await new Promise<number>((resolve) => {
        void consumer.run({ eachMessage: async ({ message }) => resolve(Number(message.timestamp)) });
      });
      assert.ok(Math.abs(stamped - Date.now()) < HOUR, `stamped ${new Date(stamped).toISOString()}, not the producer's two days ago`);
    } finally {
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
    }
  });

  it("says which topic it could not read", async () => {
    const kafka = createKafka(brokers(), "retention-missing", createLogger({}, "warn"));
    await assert.rejects(longestKeptMs(kafka, [`missing-${Date.now()}`]), /missing-\d+/);
  });
});
