import assert from "node:assert/strict";
import type { Consumer, ConsumerCrashEvent } from "kafkajs";

import { createLogger } from "../common/log.js";
import { restartWhenGivenUp } from "../kafka/consumer-restart.js";
import { sleep } from "./helpers/world.js";

/**
 * kafkajs's consumer as restartWhenGivenUp sees it: its crash event, and what connect, run and disconnect were
 * called. (What kafkajs gives up on needs a broker that dies mid-rebalance; the broker-restart integration test is
 * where that happened.)
 */
function crashingConsumer(connectFails = 0) {
  let onCrash: ((event: ConsumerCrashEvent) => void) | undefined;
  const calls: string[] = [];
  const consumer = {
    events: { CRASH: "consumer.crash" },
    on: (_event: string, listener: (event: ConsumerCrashEvent) => void) => (onCrash = listener),
    connect: async () => {
      calls.push("connect");
      if (connectFails-- > 0) throw new Error("connect ECONNREFUSED");
    },
    run: async () => void calls.push("run"),
    disconnect: async () => void calls.push("disconnect"),
  } as unknown as Consumer;
  const crash = (restart: boolean) =>
    onCrash!({ payload: { error: new Error("Failed to find group coordinator"), groupId: "g", restart } } as ConsumerCrashEvent);
  return { consumer, calls, crash };
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
});
