import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { freePort, type Service, startService, uniqueTopics } from "../../tools/processes.js";
import { answersTo, joinWorld, sleep, type TestPlayer, waitFor } from "../helpers/world.js";

const run = promisify(execFile);
const real = (text: string) => !/생각이 잘 안 나네요|대답하기가 어려워요/.test(text);

/**
 * A broker of its own, down when the server and the worker start (no start order, as in Kubernetes; a broker can be
 * away for a restart): the rooms open anyway and say the NPC cannot be reached, the worker waits, and both go on
 * once the broker comes up on its address. Then it goes away again: the question whose send hangs is given up in
 * seconds, and those after it are refused at once, none timed out.
 */
describe("Kafka away when the server and worker start (real broker, started late)", function () {
  this.timeout(240_000);
  let dir: string;
  let kafkaPort: number;
  let url: string;
  const services: Service[] = [];
  const players: TestPlayer[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kobot-kafka-late-"));
    kafkaPort = await freePort();
    const topics = uniqueTopics("late");
    const env = {
      KAFKA_BROKERS: `127.0.0.1:${kafkaPort}`,
      KAFKA_QUESTION_TOPIC: topics.question,
      KAFKA_ANSWER_TOPIC: topics.answer,
      KAFKA_WORKER_GROUP: `workers-${topics.question}`,
      CHAT_LOG_TOPIC: `chat.log.${topics.question}`,
    };
    const port = await freePort();
    url = `ws://127.0.0.1:${port}`;
    // Ready when they say what they wait for: the worker does not exit, the server listens.
    const [server, worker] = await Promise.all([
      startService("late-server", "server/main.ts", { ...env, PORT: String(port), SERVER_ID: "late" }, "world server listening"),
      startService("late-worker", "npc/worker/worker-main.ts", { ...env, NPC_TIMEOUT_MS: "60000" }, "kafka not reachable yet; retrying"),
    ]);
    services.push(server, worker);
  });

  after(async () => {
    await Promise.allSettled(players.map((p) => p.room.connection.isOpen && p.room.leave()));
    await Promise.allSettled(services.map((s) => s.stop()));
    await run("bash", ["scripts/kafka-local.sh", "stop", dir]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens its rooms, says broker_down, and tells an asker at once that the NPC cannot be reached", async () => {
    const health = await fetch(url.replace("ws:", "http:") + "/health");
    assert.equal(health.status, 503);
    assert.equal((await health.json()).npc, "broker_down");
    const a = await joinWorld(url, { name: "민수" });
    players.push(a);
    a.room.send("chat", { text: "@kobot 안녕?" });
    const line = await waitFor("the NPC's line", () => answersTo(a)[0], 10_000);
    assert.equal(real(line.text), false, line.text);
    assert.equal(a.errors[0]?.code, "npc_unavailable", "refused at once, not timed out (npc_timeout)");
    assert.equal(services.every((service) => service.process.exitCode === null), true, "neither process exited");
  });

  it("answers once the broker comes up on its address, the worker having waited for it", async () => {
    await run("bash", ["scripts/kafka-local.sh", "start", dir, String(kafkaPort)], { timeout: 120_000 });
    const a = players[0]!;
    const deadline = performance.now() + 90_000;
    for (let asked = 0; !answersTo(a).some((line) => real(line.text)); asked++) {
      assert.ok(performance.now() < deadline, `no answer 90 s after the broker came up: ${JSON.stringify(answersTo(a).slice(-3))}`);
      a.room.send("chat", { text: `@kobot 배고파 ${asked}` });
      await sleep(2000);
    }
    const health = await fetch(url.replace("ws:", "http:") + "/health");
    assert.equal((await health.json()).npc, "ready");
  });

  it("tells the asker whose send hangs that the NPC cannot be reached, then refuses the others at once", async () => {
    const a = players[0]!;
    const b = await joinWorld(url, { name: "지수" });
    players.push(b);
    await run("bash", ["scripts/kafka-local.sh", "stop", dir]);
    const before = a.errors.length;
    // The first question's send would spend kafkajs's retries (10-17 s, past the server's 10 s NPC_TIMEOUT_MS, which
    // its player heard as npc_timeout): hung for 3 s, it is given up, its player hears that the NPC cannot be reached,
    // and the questions after it are refused at once until the broker answers again, not each one trying for itself.
    a.room.send("chat", { text: "@kobot 거기 있어?" });
    await waitFor("the first asker's fallback", () => a.errors.length > before, 30_000);
    assert.equal(a.errors.at(-1)?.code, "npc_unavailable", "told the NPC cannot be reached, not timed out (npc_timeout)");
    b.room.send("chat", { text: "@kobot 아직이야?" });
    await waitFor("the second asker's fallback", () => b.errors.length > 0, 30_000);
    assert.equal(b.errors[0]?.code, "npc_unavailable");
    const seen = a.errors.length;
    a.room.send("chat", { text: "@kobot 또 물어볼게" });
    await waitFor("its fallback", () => a.errors.length > seen, 30_000);
    assert.equal(a.errors.at(-1)?.code, "npc_unavailable");
  });
});
