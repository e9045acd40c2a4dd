import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { freePort, type Service, startService, uniqueTopics } from "../../tools/processes.js";
import { sleep } from "../helpers/world.js";

const run = promisify(execFile);

/**
 * /health during a broker outage. Each look at the worker group waited out its 3 s timeout and a verdict was reused
 * only 2 s, so a probe every second or so was held 2–3 s a call: past a readiness probe's own timeout (Kubernetes'
 * default is 1 s), which then read the server as down rather than degraded. It now answers from its last verdict.
 */
describe("/health with the broker down (real broker, stopped and started again)", function () {
  this.timeout(240_000);
  const topics = uniqueTopics("outage");
  const dir = () => process.env.TEST_KAFKA_DIR!;
  let server: Service | undefined;
  let url: string;
  let brokerStopped = false;

  /**
   * A call held by a look at the group is held until the look's 3 s timeout (2–3 s a call, before); one served at
   * once takes a few ms, 50 ms (servedAtOnce's wait) at most. No bench measures /health during an outage, so a bound
   * stays here, generous: 30 times that 50 ms, and still under the 2 s a held call took.
   */
  const HELD_MS = 1_500;

  /** One /health call: what it said, and how long it took. */
  const health = async () => {
    const startedAt = performance.now();
    const response = await fetch(`${url}/health`);
    const { npc } = await response.json();
    return { npc: npc as string, ms: performance.now() - startedAt };
  };

  before(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      KAFKA_BROKERS: process.env.TEST_KAFKA_BROKERS!,
      KAFKA_QUESTION_TOPIC: topics.question,
      KAFKA_ANSWER_TOPIC: topics.answer,
      KAFKA_WORKER_GROUP: `workers-${topics.question}`,
      CHAT_LOG_TOPIC: `chat.log.${topics.question}`,
      PORT: String(port),
      SERVER_ID: "outage",
    };
    server = await startService("outage-server", "server/main.ts", env, "world server listening");
  });

  after(async () => {
    await server?.stop();
    // The broker is the suite's: the files after this one need it back.
    if (brokerStopped) await run("bash", ["scripts/kafka-local.sh", "start", dir()], { timeout: 120_000 });
  });

  it("answers every call at once, saying broker_down within seconds, and says the workers again once it is back", async () => {
    assert.equal((await health()).npc, "no_worker", "connected, no worker in its group");
    await run("bash", ["scripts/kafka-local.sh", "stop", dir()]);
    brokerStopped = true;
    const calls: Array<{ npc: string; ms: number }> = [];
    const until = performance.now() + 12_000;
    while (performance.now() < until) {
      calls.push(await health());
      await sleep(200);
    }
    const slowest = Math.max(...calls.map((call) => call.ms));
    assert.ok(slowest < HELD_MS, `the slowest of ${calls.length} calls took ${Math.round(slowest)} ms: ${JSON.stringify(calls.map((call) => Math.round(call.ms)))}`);
    const down = calls.findIndex((call) => call.npc === "broker_down");
    assert.ok(down >= 0, `never said broker_down: ${JSON.stringify(calls.map((call) => call.npc))}`);
    assert.ok(calls.slice(down).every((call) => call.npc === "broker_down"), `said broker_down, then not: ${JSON.stringify(calls.map((call) => call.npc))}`);

    await run("bash", ["scripts/kafka-local.sh", "start", dir()], { timeout: 120_000 });
    brokerStopped = false;
    const deadline = performance.now() + 60_000;
    let seen = await health();
    while (seen.npc !== "no_worker" && performance.now() < deadline) {
      assert.ok(seen.ms < HELD_MS, `a call took ${Math.round(seen.ms)} ms as the broker came back`);
      await sleep(250);
      seen = await health();
    }
    assert.equal(seen.npc, "no_worker", "the group looked at again once the broker is back");
  });
});
