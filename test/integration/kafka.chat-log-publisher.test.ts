import assert from "node:assert/strict";

import { createLogger } from "../../common/log.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../../kafka/chat-log.js";
import { createKafka } from "../../kafka/kafka-client.js";
import { KafkaChatLogPublisher } from "../../kafka/kafka-chat-log.js";
import { uniqueTopics } from "../helpers/processes.js";

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
