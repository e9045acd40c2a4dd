import assert from "node:assert/strict";
import { Kafka, logLevel } from "kafkajs";

import { createLogger } from "../../common/log.js";
import { type AnswerMessage, CONTRACT_VERSION } from "../../kafka/contract.js";
import { KafkaQuestionChannel } from "../../kafka/kafka-question-channel.js";
import { uniqueTopics } from "../../tools/processes.js";
import { sleep } from "../helpers/world.js";

/** A server's answer channel on a real broker, fed junk: it keeps its log readable and its answers coming. */
describe("Kafka answers a server cannot read (real broker)", function () {
  this.timeout(60_000);

  it("logs a flood of malformed answers once (with how many), still delivers the good one after it, and settles one addressed to it as an error", async () => {
    const kafka = new Kafka({ clientId: "junk-test", brokers: process.env.TEST_KAFKA_BROKERS!.split(","), logLevel: logLevel.NOTHING });
    const topics = uniqueTopics("junk");
    const lines: Array<{ msg: string }> = [];
    const channel = new KafkaQuestionChannel(kafka, topics, "junk-server", createLogger({}, "warn", (line) => lines.push(JSON.parse(line))));
    const answers: AnswerMessage[] = [];
    await channel.start((answer) => answers.push(answer));
    const producer = kafka.producer();
    await producer.connect();
    try {
      // The channel reads from the newest answer: start() resolved once its consumer had joined its group (runConsumer).
      const good: AnswerMessage = { v: CONTRACT_VERSION, questionId: "q1", roomId: "r", npcId: "kobot", text: "네", ms: 1, model: "m", replyTo: "junk-server" };
      const junk = Array.from({ length: 200 }, (_, i) => ({ value: i % 2 ? "not json" : JSON.stringify({ v: 99, questionId: `x${i}` }) }));
      await producer.send({ topic: topics.answer, messages: [...junk, { value: JSON.stringify(good) }] });
      const deadline = performance.now() + 20_000;
      while (answers.length === 0 && performance.now() < deadline) await sleep(100);
      assert.deepEqual(answers.map((a) => a.questionId), ["q1"]);
      assert.equal(lines.filter((l) => l.msg === "dropped a malformed answer").length, 1, "one line for 200, not 200");

      // One it cannot read but addressed to it (a newer worker's, mid-upgrade) settles its question at once, as an
      // error; one addressed to another server is not this server's to settle.
      const newer = { v: 2, questionId: "q2", roomId: "r", npcId: "kobot", replyTo: "junk-server", text: "네", ms: 1, model: "m" };
      const elsewhere = { ...newer, questionId: "q3", replyTo: "other-server" };
      await producer.send({ topic: topics.answer, messages: [{ value: JSON.stringify(elsewhere) }, { value: JSON.stringify(newer) }] });
      while (answers.length === 1 && performance.now() < deadline + 20_000) await sleep(100);
      await sleep(500);
      assert.deepEqual(answers.map((a) => [a.questionId, a.error?.code]), [["q1", undefined], ["q2", "invalid_answer"]]);
    } finally {
      await producer.disconnect();
      await channel.stop();
    }
  });
});
