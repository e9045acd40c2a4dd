import assert from "node:assert/strict";

import type { Kafka, Producer } from "kafkajs";

import { createLogger } from "../common/log.js";
import { chatLogKafkaWaiting, register } from "../common/metrics.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../kafka/chat-log.js";
import { KafkaChatLogPublisher } from "../kafka/kafka-chat-log.js";

const record = (i: number): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id: `line-${i}`, roomId: `room-${i % 7}`, serverId: "s", kind: "player", from: "p", name: "민수", text: `${i}`, ts: i });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Logged = { level: string; msg: string; [field: string]: unknown };

/**
 * A broker that went down after the publisher connected, as its producer sees it: each send waits until the test fails
 * it (kafkajs retrying a dead broker for 10-17 s), or fails at once once `failAtOnce` is set.
 */
function deadBroker() {
  const pending: Array<(error: Error) => void> = [];
  const broker = {
    sends: 0,
    /** The ids of the lines the broker took, in order. */
    sent: [] as string[],
    failAtOnce: false,
    /** Takes every send at once (the broker back). */
    up: false,
    /** Fails the sends that wait, as kafkajs does once its retries are spent. */
    giveUp: () => pending.splice(0).forEach((fail) => fail(new Error("Connection error: connect ECONNREFUSED"))),
    kafka: {
      // Up while the publisher starts: its topic is there.
      admin: () => ({ connect: async () => {}, listTopics: async () => ["chat.log"], disconnect: async () => {} }),
      producer: () =>
        ({
          connect: async () => {},
          disconnect: async () => {},
          send: ({ messages }: { messages: Array<{ value: string }> }) => {
            broker.sends++;
            if (broker.up) return Promise.resolve(void broker.sent.push(...messages.map((m) => JSON.parse(m.value).id)));
            if (broker.failAtOnce) return Promise.reject(new Error("Connection error: connect ECONNREFUSED"));
            return new Promise((_, reject) => pending.push(reject));
          },
        }) as unknown as Producer,
    } as unknown as Kafka,
  };
  return broker;
}

async function publisherOn(broker: ReturnType<typeof deadBroker>, options: ConstructorParameters<typeof KafkaChatLogPublisher>[3] = {}) {
  const logged: Logged[] = [];
  const publisher = new KafkaChatLogPublisher(broker.kafka, "chat.log", createLogger({}, "warn", (line) => logged.push(JSON.parse(line))), options);
  await publisher.start();
  return { publisher, logged };
}

describe("The Kafka chat-log publisher while the broker is down", () => {
  it("keeps one send in flight however many flushes are asked, and tries again a second after it fails", async () => {
    const broker = deadBroker();
    const { publisher } = await publisherOn(broker, { stopWaitMs: 50 });
    for (let i = 0; i < 100; i++) {
      publisher.publish(record(i));
      void publisher.flush();
    }
    await sleep(100); // the 20 ms flush timers too
    assert.equal(broker.sends, 1, "one send for a hundred flushes");
    broker.failAtOnce = true;
    broker.giveUp();
    await sleep(300);
    assert.equal(broker.sends, 1, "no send for each flush asked while the first waited: the next try comes a second later");
    await sleep(1000);
    assert.equal(broker.sends, 2);
    await publisher.stop();
  });

  it("gives up at shutdown after its wait, says how many lines were not sent, and calls onUnstored", async () => {
    const broker = deadBroker();
    const unstored: number[] = [];
    const { publisher, logged } = await publisherOn(broker, { stopWaitMs: 200, onUnstored: (lines) => unstored.push(lines) });
    for (let i = 0; i < 500; i++) publisher.publish(record(i));
    void publisher.flush(); // the send that never finishes
    for (let i = 500; i < 600; i++) publisher.publish(record(i));
    const started = performance.now();
    // The send never ends: a stop that waited for it loses the race, however slow the machine (the wait is 200 ms).
    const outcome = await Promise.race([publisher.stop().then(() => "stopped"), sleep(30_000).then(() => "still stopping")]);
    const tookMs = performance.now() - started;
    assert.equal(outcome, "stopped");
    assert.ok(tookMs >= 190, `stop took ${tookMs} ms, its wait is 200`); // it waited, and did not give up at once
    assert.deepEqual(unstored, [600], "the batch in flight and the lines after it");
    const said = logged.filter((line) => line.level === "error");
    assert.deepEqual(said.map(({ msg, lines }) => ({ msg, lines })), [{ msg: "chat lines not sent: Kafka did not take them before shutdown", lines: 600 }]);
  });

  it("leaves no timer after stop: a send that failed is not tried again on the stopped producer", async () => {
    const broker = deadBroker();
    const { publisher, logged } = await publisherOn(broker, { stopWaitMs: 200 });
    publisher.publish(record(1));
    void publisher.flush();
    await publisher.stop(); // the send in flight outlives the wait
    broker.failAtOnce = true;
    broker.giveUp(); // ... and fails after stop
    await sleep(1300);
    assert.equal(broker.sends, 1, "no retry after stop");
    assert.deepEqual(logged.filter((line) => line.level === "warn").map(({ msg }) => msg), [], "no 'will retry' after stop");
  });

  it("drops the oldest lines past its cap, counted in kobot_chat_log_dropped_total and said at most every 10 s", async () => {
    const dropped = async () => ((await register.getSingleMetric("kobot_chat_log_dropped_total")?.get())?.values ?? []).reduce((sum, { value }) => sum + value, 0);
    const before = await dropped();
    const broker = deadBroker();
    const { publisher, logged } = await publisherOn(broker, { maxBuffered: 100, stopWaitMs: 50 });
    for (let i = 0; i < 1000; i++) publisher.publish(record(i));
    assert.equal(publisher.dropped, 900);
    assert.equal((await dropped()) - before, 900);
    const warned = logged.filter((line) => line.level === "warn");
    assert.equal(warned.length, 1, "said once, not once a line");
    assert.match(warned[0]!.msg, /^chat lines dropped/);
    await publisher.stop();
    const unsent = logged.find((line) => line.level === "error");
    assert.deepEqual([unsent?.lines, unsent?.dropped], [100, 900], "at shutdown: the lines kept, and those dropped before");
  });
});

describe("The Kafka chat-log publisher and a player's erasure", () => {
  it("never sends an erased player's lines that were in a send that then failed: the retry leaves them out", async () => {
    const broker = deadBroker();
    const { publisher } = await publisherOn(broker, { stopWaitMs: 2000 });
    for (let i = 0; i < 4; i++) publisher.publish({ ...record(i), ...(i % 2 === 0 ? { account: "acct-1" } : {}) });
    void publisher.flush(); // all 4 in flight, waiting on the broker
    await sleep(50);
    await publisher.dropWaiting("acct-1"); // erased while their lines are in flight
    broker.up = true;
    broker.giveUp(); // the send fails; the retry a second later is taken
    const deadline = performance.now() + 5000;
    while (publisher.waiting > 0 && performance.now() < deadline) await sleep(50);
    await publisher.stop();
    assert.deepEqual(broker.sent, ["line-1", "line-3"]);
  });
});

describe("The Kafka chat-log publisher and a topic that takes smaller requests", () => {
  it("halves its request until the lines fit, sending every line in order, in a bounded number of sends", async () => {
    let sends = 0;
    const sent: string[] = [];
    // A fake producer (a unit test of the publisher's own logic: a real broker is in the integration tests) whose
    // topic refuses any request of more than one line as too large.
    const kafka = {
      admin: () => ({ connect: async () => {}, listTopics: async () => ["chat.log"], disconnect: async () => {} }),
      producer: () =>
        ({
          connect: async () => {},
          disconnect: async () => {},
          send: async ({ messages }: { messages: Array<{ value: string }> }) => {
            // Ends a loop that never shrinks its request: a retriable error, tried again a second later.
            if (++sends > 100) throw new Error("Connection error: too many sends");
            if (messages.length > 1) throw Object.assign(new Error("too large"), { type: "MESSAGE_TOO_LARGE" });
            sent.push(...messages.map((m) => JSON.parse(m.value).id));
            return [];
          },
        }) as unknown as Producer,
    } as unknown as Kafka;
    const publisher = new KafkaChatLogPublisher(kafka, "chat.log", createLogger({}, "silent"), { stopWaitMs: 50 });
    await publisher.start();
    for (let i = 0; i < 3; i++) publisher.publish(record(i));
    await publisher.flush();
    await publisher.stop();
    assert.deepEqual(sent, ["line-0", "line-1", "line-2"]);
    assert.ok(sends < 100, `${sends} sends`);
  });
});

describe("The Kafka chat-log publisher's lines waiting on /metrics", () => {
  const shown = async () => (await chatLogKafkaWaiting.get()).values[0]?.value ?? 0;

  it("shows the lines it holds for the broker in kobot_chat_log_kafka_waiting, the send in flight included, until it takes them", async () => {
    const before = await shown();
    const broker = deadBroker();
    const { publisher } = await publisherOn(broker, { maxBuffered: 1000, stopWaitMs: 50 });
    for (let i = 0; i < 500; i++) publisher.publish(record(i));
    void publisher.flush(); // 500 in flight, waiting on the broker
    for (let i = 500; i < 600; i++) publisher.publish(record(i));
    assert.equal((await shown()) - before, 600);
    broker.failAtOnce = true;
    broker.giveUp();
    await sleep(50);
    assert.equal((await shown()) - before, 600, "back in the buffer after the send failed");
    for (let i = 600; i < 2000; i++) publisher.publish(record(i));
    assert.equal((await shown()) - before, 1000, "at most its cap: the oldest dropped");
    broker.up = true;
    const deadline = performance.now() + 5000;
    while (publisher.waiting > 0 && performance.now() < deadline) await sleep(50);
    assert.equal((await shown()) - before, 0, "all taken by the broker");
    await publisher.stop();
  });

  it("takes a player's erased lines out of it, and its own share out as it stops with lines not sent", async () => {
    const before = await shown();
    const broker = deadBroker();
    const { publisher } = await publisherOn(broker, { stopWaitMs: 50 });
    for (let i = 0; i < 10; i++) publisher.publish({ ...record(i), ...(i % 2 === 0 ? { account: "acct-1" } : {}) });
    assert.equal((await shown()) - before, 10);
    await publisher.dropWaiting("acct-1");
    assert.equal((await shown()) - before, 5);
    await publisher.stop(); // the broker down: the 5 are said not sent
    assert.equal((await shown()) - before, 0);
  });
});

describe("The Kafka chat-log publisher started while the broker is down", () => {
  it("keeps the lines published meanwhile, tries again in the background, and sends them once it connects", async () => {
    let up = false;
    const sent: string[] = [];
    const refused = () => Promise.reject(Object.assign(new Error("Connection error: connect ECONNREFUSED"), { name: "KafkaJSConnectionError" }));
    const kafka = {
      admin: () => ({ connect: async () => (up ? undefined : refused()), listTopics: async () => ["chat.log"], disconnect: async () => {} }),
      producer: () =>
        ({
          connect: async () => (up ? undefined : refused()),
          disconnect: async () => {},
          send: async ({ messages }: { messages: Array<{ value: string }> }) => void sent.push(...messages.map((m) => JSON.parse(m.value).id)),
        }) as unknown as Producer,
    } as unknown as Kafka;
    const publisher = new KafkaChatLogPublisher(kafka, "chat.log", createLogger({}, "silent"), { stopWaitMs: 50 });
    await publisher.start(); // resolves after the first try failed: the server opens its rooms
    for (let i = 0; i < 3; i++) publisher.publish(record(i));
    await sleep(300);
    assert.deepEqual(sent, [], "nothing sent while it is not connected");
    up = true;
    const deadline = performance.now() + 5000;
    while (sent.length < 3 && performance.now() < deadline) await sleep(50);
    assert.deepEqual(sent, ["line-0", "line-1", "line-2"]);
    await publisher.stop();
  });
});
