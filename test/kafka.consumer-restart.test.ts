import assert from "node:assert/strict";
import type { Consumer, ConsumerCrashEvent } from "kafkajs";

import { createLogger } from "../common/log.js";
import { restartWhenGivenUp } from "../kafka/consumer-restart.js";
import { runConsumer } from "../kafka/kafka-client.js";
import { sleep } from "./helpers/world.js";

/**
 * kafkajs's consumer as restartWhenGivenUp sees it: its crash event, and what connect, run and disconnect were
 * called. (What kafkajs gives up on needs a broker that dies mid-rebalance; the broker-restart integration test is
 * where that happened.)
 */
function crashingConsumer(connectFails = 0, runFails = 0) {
  const listeners: { event: string; listener: (event: ConsumerCrashEvent) => void }[] = [];
  const calls: string[] = [];
  const consumer = {
    events: { CRASH: "consumer.crash", GROUP_JOIN: "consumer.group_join" },
    on: (event: string, listener: (event: ConsumerCrashEvent) => void) => {
      const entry = { event, listener };
      listeners.push(entry);
      return () => void listeners.splice(listeners.indexOf(entry), 1);
    },
    connect: async () => {
      calls.push("connect");
      if (connectFails-- > 0) throw new Error("connect ECONNREFUSED");
    },
    subscribe: async () => void calls.push("subscribe"),
    run: async () => {
      calls.push("run");
      if (runFails-- > 0) throw new Error("The group coordinator is not available");
      for (const { event, listener } of [...listeners]) if (event === "consumer.group_join") listener({} as ConsumerCrashEvent);
    },
    disconnect: async () => void calls.push("disconnect"),
  } as unknown as Consumer;
  const crash = (restart: boolean) => {
    for (const { event, listener } of [...listeners]) {
      if (event === "consumer.crash") listener({ payload: { error: new Error("Failed to find group coordinator"), groupId: "g", restart } } as ConsumerCrashEvent);
    }
  };
  return { consumer, calls, crash, listeners };
}

describe("A Kafka consumer kafkajs gives up on", () => {
  const log = createLogger({}, "silent");

  it("is connected and run again after a while; one kafkajs restarts itself is left to it", async () => {
    const { consumer, calls, crash } = crashingConsumer();
    restartWhenGivenUp(consumer, {}, log, 20);
    crash(true);
    await sleep(60);
    assert.deepEqual(calls, [], "kafkajs restarts it");
    crash(false);
    assert.deepEqual(calls, [], "not at once");
    await sleep(60);
    assert.deepEqual(calls, ["connect", "run"]);
  });

  it("is tried again while the broker is away, and not once stopped", async () => {
    const { consumer, calls, crash } = crashingConsumer(2);
    const running = restartWhenGivenUp(consumer, {}, log, 20);
    crash(false);
    await sleep(150);
    assert.deepEqual(calls, ["connect", "connect", "connect", "run"], "two refused connects, then running");
    crash(false);
    await running.stop();
    await sleep(60);
    assert.deepEqual(calls.slice(4), ["disconnect"], "stopped: the waiting restart is cancelled");
  });

  it("is restarted once however many tries its start took (runConsumer, tried again while the broker is away)", async () => {
    const { consumer, calls, crash, listeners } = crashingConsumer(0, 2);
    for (let tries = 0; ; tries++) {
      try {
        await runConsumer(consumer, "answers", false, {}, log, 200); // restarted 0.2 s after a crash, not RESTART_AFTER_MS
        break;
      } catch {
        assert.ok(tries < 2, "started on the third try");
      }
    }
    assert.equal(listeners.length, 1, "one crash listener: the failed tries' restarters and join watches went");
    calls.length = 0;
    crash(false);
    await sleep(500); // past the 0.2 s
    assert.deepEqual(calls, ["connect", "run"], "started again once");
  });
});

describe("A Kafka consumer stopped while it connects again", () => {
  it("is not run once connected, and is disconnected", async () => {
    const calls: string[] = [];
    let crash: (event: ConsumerCrashEvent) => void = () => {};
    let connected: () => void = () => {};
    const consumer = {
      events: { CRASH: "consumer.crash" },
      on: (_event: string, listener: (event: ConsumerCrashEvent) => void) => {
        crash = listener;
        return () => {};
      },
      // Connects only when the test says so, to stop it in between.
      connect: () => {
        calls.push("connect");
        return new Promise<void>((resolve) => (connected = resolve));
      },
      run: async () => void calls.push("run"),
      disconnect: async () => void calls.push("disconnect"),
    } as unknown as Consumer;
    const restarter = restartWhenGivenUp(consumer, {}, createLogger({}, "silent"), 5);
    crash({ payload: { error: new Error("Failed to find group coordinator"), groupId: "g", restart: false } } as ConsumerCrashEvent);
    while (!calls.includes("connect")) await sleep(5);
    const stopping = restarter.stop();
    connected();
    await stopping;
    await sleep(10);
    assert.ok(!calls.includes("run"), calls.join(","));
  });
});
