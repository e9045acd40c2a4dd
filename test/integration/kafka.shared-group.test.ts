import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { type Consumer, Kafka, logLevel } from "kafkajs";

import { withTimeout } from "../../common/with-timeout.js";
import { assignerSaying } from "../../kafka/unloaded-folders.js";
import { freePort, type Service, serviceLog, startService, uniqueTopics } from "../../tools/processes.js";
import { sleep } from "../helpers/world.js";

/**
 * Two deployments on one cluster that renamed only their topics share the default consumer groups. The round-robin
 * assigner hands each member partitions of the other's topic, which it drops (a kafkajs warning only): 8 of 12
 * questions went unanswered while /health said ok, with npcWorkers 2. A worker or indexer now refuses to join such a
 * group, and a server counts only the workers that read its question topic.
 */
describe("Consumer groups shared by two deployments (real broker)", function () {
  this.timeout(120_000);
  const blue = uniqueTopics("blue");
  const green = uniqueTopics("green");
  const workerGroup = `workers-${blue.question}`;
  const indexerGroup = `indexers-${blue.question}`;
  const consumers: Consumer[] = [];
  const services: Service[] = [];
  let kafka: Kafka;
  let brokers: string;

  /** A member of `group` reading `topic`, as a worker of that deployment joins (its assigner and metadata). */
  const member = async (group: string, topic: string) => {
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1_000, partitionAssigners: [assignerSaying([])] });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let joined!: () => void;
    const done = new Promise<void>((resolve) => (joined = resolve));
    const stop = consumer.on(consumer.events.GROUP_JOIN, () => joined());
    void consumer.run({ eachMessage: async () => {} });
    await withTimeout(done, 30_000);
    stop();
  };
  /** The green deployment's `entry`, in the groups blue's members are in: the start it refuses, or the service it started. */
  const greenProcess = async (name: string, entry: string, env: Record<string, string>, ready: string) => {
    const started = await startService(name, entry, { KAFKA_BROKERS: brokers, ...env }, ready).catch((error: Error) => error);
    if (!(started instanceof Error)) services.push(started);
    return { started, said: readFileSync(serviceLog(name), "utf8") };
  };

  before(async () => {
    brokers = process.env.TEST_KAFKA_BROKERS!;
    kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topics = [blue.question, green.question, `chat.log.${blue.question}`, `chat.log.${green.question}`];
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 4 })), waitForLeaders: true });
    await admin.disconnect();
    await member(workerGroup, blue.question);
  });

  after(async () => {
    await Promise.allSettled(services.map((service) => service.stop()));
    // Bounded: a consumer left mid-join did not end its disconnect, and held the run open.
    await Promise.allSettled(consumers.map((consumer) => withTimeout(consumer.disconnect(), 10_000)));
  });

  it("does not start a worker whose group has members reading another question topic, naming the group and the topics", async () => {
    const env = { KAFKA_QUESTION_TOPIC: green.question, KAFKA_ANSWER_TOPIC: green.answer, KAFKA_WORKER_GROUP: workerGroup, WORLD_FILE: "off" };
    const { started, said } = await greenProcess("green-worker", "npc/worker/worker-main.ts", env, "npc worker started");
    assert.match(String(started), /exited with 1/, "refused, not joined");
    assert.ok(said.includes(`KAFKA_WORKER_GROUP=${workerGroup}: members of this consumer group read ${blue.question}, not ${green.question}`), said.slice(-600));
    assert.match(said, /Give each deployment its own group/);
  });

  it("does not start a chat indexer whose group has members reading another chat-log topic", async () => {
    await member(indexerGroup, `chat.log.${blue.question}`);
    const env = { CHAT_LOG_TOPIC: `chat.log.${green.question}`, CHAT_DEAD_LETTER_TOPIC: `chat.log.dead.${green.question}`, KAFKA_INDEXER_GROUP: indexerGroup, ES_URL: process.env.TEST_ES_URL! };
    const { started, said } = await greenProcess("green-indexer", "chatlog/indexer-main.ts", env, "chat indexer started");
    assert.match(String(started), /exited with 1/, "refused, not joined");
    assert.ok(said.includes(`KAFKA_INDEXER_GROUP=${indexerGroup}: members of this consumer group read chat.log.${blue.question}, not chat.log.${green.question}`), said.slice(-600));
  });

  it("counts on a server's /health only the workers of its group that read its question topic", async () => {
    const port = await freePort();
    const env = { KAFKA_QUESTION_TOPIC: green.question, KAFKA_ANSWER_TOPIC: green.answer, KAFKA_WORKER_GROUP: workerGroup, CHAT_LOG_TOPIC: `chat.log.${green.question}`, PORT: String(port), SERVER_ID: "green-server" };
    const { started } = await greenProcess("green-server", "server/main.ts", env, "world server listening");
    assert.ok(!(started instanceof Error), String(started));
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      const { npc, npcWorkers } = await response.json();
      return { code: response.status, npc, npcWorkers };
    };
    // Blue's worker answers none of green's questions: it drops the partitions of green's topic it is handed.
    assert.deepEqual(await health(), { code: 503, npc: "no_worker", npcWorkers: 0 });
    await member(workerGroup, green.question); // a green member that joined all the same (a version without the check)
    // While the group rebalances its members are listed without their topics, and each may read green's: counted.
    const settled = { code: 200, npc: "ready", npcWorkers: 1 };
    const deadline = performance.now() + 20_000;
    let seen = await health();
    while (JSON.stringify(seen) !== JSON.stringify(settled) && performance.now() < deadline) {
      await sleep(500);
      seen = await health();
    }
    assert.deepEqual(seen, settled, "the green member alone, not blue's too");
  });
});
