import assert from "node:assert/strict";

import { createLogger } from "../../common/log.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../../kafka/chat-log.js";
import { createKafka, ensureTopics } from "../../kafka/kafka-client.js";
import { redriveDeadLetters } from "../../chatlog/redrive-dead-letters.js";
import { withTimeout } from "../../common/with-timeout.js";
import { uniqueTopics } from "../../tools/processes.js";

/** `npm run chatlog:redrive` after the letters it had not read yet went with the topic's retention (real broker). */
describe("Redriving dead letters the retention took (real broker)", function () {
  this.timeout(60_000);

  it("ends, sending nothing, when the letters since its last run are gone; reads the ones left when some are; stops at a newer server's record", async () => {
    const kafka = createKafka(process.env.TEST_KAFKA_BROKERS!.split(","), "redrive-expired", createLogger({}, "silent"));
    const { question } = uniqueTopics("redrive");
    const topics = { log: `chat.log.${question}`, dead: `chat.log.dead.${question}` };
    await ensureTopics(kafka, [topics.log, topics.dead], 1);
    const record = (id: string): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s", kind: "player", from: "p", name: "민수", text: "줄", ts: Date.now() });
    const producer = kafka.producer();
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    const letters = (ids: string[]) => producer.send({ topic: topics.dead, messages: ids.map((id) => ({ value: JSON.stringify(record(id)) })) });
    /** What retention does to a partition's oldest letters: they go, and its first offset moves past them. */
    const expireAll = async () => {
      const [partition] = await admin.fetchTopicOffsets(topics.dead);
      await admin.deleteTopicRecords({ topic: topics.dead, partitions: [{ partition: 0, offset: partition!.high }] });
    };
    const redrive = () => withTimeout(redriveDeadLetters(kafka, topics, { groupId: `redrive-${question}` }), 20_000);
    try {
      await letters(["a", "b"]);
      assert.equal((await redrive()).redriven, 2);
      await letters(["c", "d"]);
      await expireAll(); // c and d went before this redrive read them
      assert.deepEqual(await redrive(), { redriven: 0, left: {} }, "it ends, and there was nothing to send");
      await letters(["e"]);
      assert.equal((await redrive()).redriven, 1, "the one letter left since");
      // A newer server's record: this release's redrive stops there, uncommitted, and reads it again next time.
      await producer.send({ topic: topics.dead, messages: [
        { value: JSON.stringify(record("f")) }, { value: JSON.stringify({ ...record("g"), mood: "기쁨" }) }, { value: JSON.stringify(record("h")) },
      ] });
      assert.deepEqual(await redrive(), { redriven: 1, left: {}, held: { 0: ["mood"] } }, "f sent; g and h wait");
      assert.deepEqual(await redrive(), { redriven: 0, left: {}, held: { 0: ["mood"] } }, "not committed past g: it waits still");
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });
});
