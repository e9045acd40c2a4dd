import assert from "node:assert/strict";

import { createLogger } from "../../common/log.js";
import { createKafka } from "../../kafka/kafka-client.js";
import { type AnswerMessage, CONTRACT_VERSION } from "../../kafka/contract.js";
import { answerGroupOf, KafkaQuestionChannel } from "../../kafka/kafka-question-channel.js";
import { withAdmin } from "../../kafka/with-admin.js";
import { uniqueTopics } from "../../tools/processes.js";
import { sleep, waitFor } from "../helpers/world.js";

/**
 * A broker client, fresh topics, and answers to `serverId` keyed by 12 rooms (so the 4 partitions all get some).
 * `restarting()`: once kafkajs has given up on a consumer of this client and scheduled its restart (its error log).
 */
function answerTopics(name: string, serverId: string) {
  const errors: string[] = [];
  const log = createLogger({}, "error", (line) => errors.push((JSON.parse(line) as { msg: string }).msg));
  const kafka = createKafka(process.env.TEST_KAFKA_BROKERS!.split(","), `${name}-test`, log);
  const answer = (questionId: string, roomId: string): AnswerMessage => ({ v: CONTRACT_VERSION, questionId, roomId, npcId: "kobot", text: "네", ms: 1, model: "m", replyTo: serverId });
  const restarting = () => errors.some((msg) => msg.startsWith("Restarting the consumer"));
  return { kafka, topics: uniqueTopics(name), answer, rooms: Array.from({ length: 12 }, (_, i) => `room-${i}`), restarting };
}

/** A server's answer consumer that kafkajs restarts, so it joins its group again (real broker). */
describe("Kafka answers given while a server's answer consumer rejoins (real broker)", function () {
  this.timeout(90_000);

  it("are delivered when it is back, on every partition: it goes on from where it was, not from the newest answer", async () => {
    const { kafka, topics, answer, rooms, restarting } = answerTopics("rejoin", "rejoin-server");
    const heard: string[] = [];
    let failuresLeft = 0;
    const channel = new KafkaQuestionChannel(kafka, topics, "rejoin-server", createLogger({}, "silent"));
    await channel.start((a) => {
      // A room handler that throws (a bug): kafkajs retries, gives up, and the consumer is started again.
      if (a.questionId === "crash" && failuresLeft-- > 0) throw new Error("the handler failed");
      heard.push(a.questionId);
    });
    const producer = kafka.producer();
    await producer.connect();
    const send = (ids: string[]) => producer.send({ topic: topics.answer, messages: ids.map((id, i) => ({ key: rooms[i % rooms.length]!, value: JSON.stringify(answer(id, rooms[i % rooms.length]!)) })) });
    const until = async (what: string, done: () => boolean, ms: number) => {
      const deadline = performance.now() + ms;
      while (!done() && performance.now() < deadline) await sleep(100);
      assert.ok(done(), `${what}: heard ${heard.join(", ")}`);
    };
    try {
      // It reads from the newest answer: start() resolved once its consumer had joined its group (runConsumer).
      await send(["first"]);
      await until("the first answer", () => heard.includes("first"), 20_000);
      failuresLeft = 1_000_000;
      await send(["crash"]);
      await waitFor("the handler to fail on it", () => failuresLeft < 1_000_000, 20_000);
      // Given while the consumer retries (~9 s), gives up and joins again: each room's partition.
      const meanwhile = rooms.map((room) => `meanwhile-${room}`);
      await send(meanwhile);
      // Until kafkajs has given up and scheduled the consumer's start again: it rejoins after, with "crash" not committed.
      await waitFor("kafkajs to give up on the consumer and restart it", restarting, 60_000);
      failuresLeft = 0;
      await until("every answer given meanwhile", () => meanwhile.every((id) => heard.includes(id)) && heard.includes("crash"), 60_000);
      assert.equal(new Set(heard).size, heard.length, `each once: ${heard.join(", ")}`);
    } finally {
      await producer.disconnect();
      await channel.stop();
    }
  });

  it("are delivered when it is back on a partition quiet since the server started, too", async () => {
    const { kafka, topics, answer, rooms, restarting } = answerTopics("quiet", "quiet-server");
    const heard: string[] = [];
    let failing = false;
    const channel = new KafkaQuestionChannel(kafka, topics, "quiet-server", createLogger({}, "silent"));
    await channel.start((a) => {
      // Every answer fails for a while (a bug): kafkajs retries, gives up, and the consumer joins its group again.
      if (failing) throw new Error("the handler failed");
      heard.push(a.questionId);
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      // Nothing was given since it started: every partition is quiet when the consumer rejoins. kafkajs's
      // resetOffsets had saved "latest" for them, which the rejoin read as the end then, past these answers.
      failing = true;
      const meanwhile = rooms.map((room) => `meanwhile-${room}`);
      await producer.send({ topic: topics.answer, messages: rooms.map((room, i) => ({ key: room, value: JSON.stringify(answer(meanwhile[i]!, room)) })) });
      // Until kafkajs has given up and scheduled the consumer's start again: it rejoins after that.
      await waitFor("kafkajs to give up on the consumer and restart it", restarting, 60_000);
      failing = false;
      for (const deadline = performance.now() + 60_000; !meanwhile.every((id) => heard.includes(id)) && performance.now() < deadline; ) await sleep(100);
      assert.deepEqual([...new Set(heard)].sort(), meanwhile.sort(), "every answer given while it failed, once it is back");
    } finally {
      await producer.disconnect();
      await channel.stop();
    }
  });

  it("a server that starts again under its SERVER_ID goes on from the newest answers, not from where the one before stopped", async () => {
    const { kafka, topics, answer, rooms } = answerTopics("restart", "restart-server");
    const producer = kafka.producer();
    await producer.connect();
    const send = (prefix: string) => producer.send({ topic: topics.answer, messages: rooms.map((room) => ({ key: room, value: JSON.stringify(answer(`${prefix}-${room}`, room)) })) });
    const heard: string[] = [];
    try {
      const before = new KafkaQuestionChannel(kafka, topics, "restart-server", createLogger({}, "silent"));
      await before.start((a) => heard.push(a.questionId)); // resolves once its consumer has joined (runConsumer)
      await send("before");
      for (const deadline = performance.now() + 20_000; heard.length < rooms.length && performance.now() < deadline; ) await sleep(100);
      // Committed (every 1 s): the group's offset is the end of every partition.
      const committed = () =>
        withAdmin(kafka, async (admin) => {
          const [ends, [group]] = await Promise.all([
            admin.fetchTopicOffsets(topics.answer),
            admin.fetchOffsets({ groupId: answerGroupOf("restart-server"), topics: [topics.answer] }),
          ]);
          return ends.every(({ partition, high }) => group!.partitions.find((p) => p.partition === partition)?.offset === high);
        });
      await waitFor("the answers heard committed", committed, 20_000);
      await before.stop();
      await send("away"); // for rooms that went with the process
      heard.length = 0;
      const after = new KafkaQuestionChannel(kafka, topics, "restart-server", createLogger({}, "silent"));
      await after.start((a) => heard.push(a.questionId));
      try {
        await send("after");
        for (const deadline = performance.now() + 20_000; heard.length < rooms.length && performance.now() < deadline; ) await sleep(100);
        await sleep(500);
        assert.deepEqual(heard.sort(), rooms.map((room) => `after-${room}`).sort(), "only the answers given since it started");
      } finally {
        await after.stop();
      }
    } finally {
      await producer.disconnect();
    }
  });
});
