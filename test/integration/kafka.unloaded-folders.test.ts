import assert from "node:assert/strict";
import { type Consumer, Kafka, logLevel } from "kafkajs";

import { withTimeout } from "../../common/with-timeout.js";
import { assignerSaying, unloadedByMembers } from "../../kafka/unloaded-folders.js";
import { uniqueTopics } from "../../tools/processes.js";

/**
 * What a worker that could not load a model folder reads of its group before it starts (npc/worker/worker-main.ts): the
 * folders each member could not load, from their metadata, which Kafka lists only while the group is stable.
 */
describe("Model folders a worker's group could not load (real broker)", function () {
  this.timeout(60_000);
  const consumers: Consumer[] = [];
  let kafka: Kafka;
  const topic = uniqueTopics("unloaded").question;
  const group = `workers-${topic}`;

  const join = async (unloaded: string[]) => {
    const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 1_000, partitionAssigners: [assignerSaying(unloaded)] });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic });
    void consumer.run({ eachMessage: async () => {} });
  };

  before(async () => {
    kafka = new Kafka({ brokers: [process.env.TEST_KAFKA_BROKERS!], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
    await admin.disconnect();
  });

  after(async () => {
    // Bounded: a consumer left mid-join (a failed assertion) did not end its disconnect, and held the run open.
    await Promise.allSettled(consumers.map((consumer) => withTimeout(consumer.disconnect(), 10_000)));
  });

  it("reads each member's folders, waiting out a rebalance (a fleet of one image starting): its members came back unsaid", async () => {
    assert.deepEqual(await unloadedByMembers(kafka, group), [], "no member yet");
    await join(["/models/broken"]);
    assert.deepEqual(await unloadedByMembers(kafka, group), [["/models/broken"]]);
    await join(["/models/broken"]); // a second worker of the image, joining: the group rebalances
    assert.deepEqual(await unloadedByMembers(kafka, group), [["/models/broken"], ["/models/broken"]]);
  });
});
