import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";

import { type AnswerMessage, CONTRACT_VERSION } from "../../kafka/contract.js";
import { groupMembers } from "../../kafka/group-members.js";
import { freePort, type Service, serviceLog, startService, uniqueTopics } from "../../tools/processes.js";
import { answersTo, joinWorld, near, positionOf, sleep, stateOf, type TestPlayer, waitFor } from "../helpers/world.js";

/**
 * The deployed shape: world servers and NPC workers as separate processes talking through a real
 * Kafka broker. Two servers (short and long NPC timeouts) share the topics and one worker group.
 */
const run = promisify(execFile);

describe("World over Kafka (real broker, separate processes)", function () {
  const topics = uniqueTopics("world");
  let brokers: string;
  let env: Record<string, string>;
  const services: Service[] = [];
  const players: TestPlayer[] = [];
  let quick: { url: string; id: string };
  let patient: { url: string; id: string };
  let worker: Service;

  const startServer = async (id: string, timeoutMs: number) => {
    const port = await freePort();
    services.push(
      await startService(id, "server/main.ts", { ...env, PORT: String(port), SERVER_ID: id, NPC_TIMEOUT_MS: String(timeoutMs) }, "world server listening"),
    );
    return { url: `ws://127.0.0.1:${port}`, id };
  };
  const startWorker = async (name: string) => {
    const service = await startService(name, "npc/worker/worker-main.ts", { ...env, NPC_TIMEOUT_MS: "60000" }, "npc worker started");
    services.push(service);
    return service;
  };
  const join = async (server: { url: string }, name: string, beside?: TestPlayer) => {
    const player = await joinWorld(server.url, { name }, beside?.room.roomId);
    players.push(player);
    return player;
  };

  before(async () => {
    // Set by the global fixture, which runs after test files are loaded.
    brokers = process.env.TEST_KAFKA_BROKERS!;
    env = {
      KAFKA_BROKERS: brokers,
      KAFKA_QUESTION_TOPIC: topics.question,
      KAFKA_ANSWER_TOPIC: topics.answer,
      KAFKA_WORKER_GROUP: `workers-${topics.question}`,
    };
    [quick, patient] = await Promise.all([startServer("server-quick", 3000), startServer("server-patient", 60_000)]);
    worker = await startWorker("worker-1");
  });

  // Each test's players leave after it: the next test's 민수 would be name_taken beside the last one's.
  afterEach(async () => {
    await Promise.allSettled(players.splice(0).map((p) => p.room.connection.isOpen && p.room.leave()));
  });

  after(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
  });

  /** /health until it says `npc` (the server looks at the worker group at most every 2 s). */
  const healthSaying = async (server: { url: string }, npc: string) => {
    const deadline = performance.now() + 15_000;
    for (;;) {
      const response = await fetch(server.url.replace("ws:", "http:") + "/health");
      const health = await response.json();
      if (health.npc === npc || performance.now() > deadline) return { code: response.status, ...health };
      await sleep(250);
    }
  };

  it("reports the Kafka transport and the worker in its group on /health", async () => {
    const health = await healthSaying(quick, "ready");
    assert.equal(health.code, 200);
    assert.equal(health.status, "ok");
    assert.equal(health.transport, "kafka");
    assert.equal(health.serverId, "server-quick");
    assert.equal(health.npcWorkers, 1);
  });

  it("refuses to start a second server with a SERVER_ID in use, saying so", async () => {
    // Two servers with one id split the answers between them, and each drops the other's: whole rooms got fallbacks only.
    const port = await freePort();
    await assert.rejects(
      startService("server-quick-again", "server/main.ts", { ...env, PORT: String(port), SERVER_ID: "server-quick" }, "world server listening"),
      /exited with 1 before it was ready/,
    );
    const log = joinPath("test", "artifacts", "logs", "server-quick-again.log");
    await waitFor("the reason in its log", () => /SERVER_ID=server-quick is in use/.test(readFileSync(log, "utf8")), 2000);
  });

  it("shows one player's move to the other", async () => {
    const a = await join(quick, "민수");
    const b = await join(quick, "지영", a);
    const { x, z } = positionOf(a);
    a.room.send("move", { x: x + 1, y: 0, z });
    await waitFor("b to see a's move", () => near(stateOf(b).players[a.room.sessionId]?.x, x + 1));
  });

  it("puts the NPC's answer, from the worker through Kafka, into both players' state", async () => {
    const a = await join(quick, "민수");
    const b = await join(quick, "지영", a);
    a.room.send("chat", { text: "@kobot 배고파" });
    const answer = await waitFor("the answer", () => answersTo(a)[0], 10_000);
    assert.ok(answer.text.length > 0);
    assert.doesNotMatch(answer.text, /생각이 잘 안 나네요|대답하기가 어려워요/);
    await waitFor("b to hold the same line", () => stateOf(b).chat.find((line) => line.id === answer.id)?.text === answer.text);
  });

  it("routes answers to the server process that holds the room", async () => {
    const a = await join(patient, "하늘");
    a.room.send("chat", { text: "@kobot 잠이 안 와" });
    const answer = await waitFor("the answer on the patient server", () => answersTo(a)[0], 10_000);
    assert.doesNotMatch(answer.text, /생각이 잘 안 나네요|대답하기가 어려워요/);
  });

  it("ignores a duplicate answer delivered again through Kafka", async () => {
    const a = await join(quick, "민수");
    a.room.send("chat", { text: "@kobot 안녕" });
    const answer = await waitFor("the answer", () => answersTo(a)[0], 10_000);
    const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const duplicate: AnswerMessage = {
      v: CONTRACT_VERSION,
      questionId: answer.replyTo,
      roomId: a.room.roomId,
      npcId: "kobot",
      text: "중복된 답",
      ms: 1,
      model: "test",
      replyTo: quick.id,
    };
    await producer.send({ topic: topics.answer, messages: [{ key: a.room.roomId, value: JSON.stringify(duplicate) }] });
    await producer.send({ topic: topics.answer, messages: [{ value: "not json" }] });
    await producer.disconnect();
    await sleep(1500);
    assert.deepEqual(
      answersTo(a).map((line) => line.text),
      [answer.text],
    );
  });

  it("says the fallback line when no worker answers in time, and refuses at once once none has run for a whole timeout", async () => {
    assert.equal(await worker.stop(), 0, "the worker exits cleanly on SIGTERM");
    const a = await join(quick, "민수");
    a.room.send("chat", { text: "@kobot 아무도 없어?" });
    const line = await waitFor("the fallback", () => answersTo(a)[0], 10_000);
    assert.match(line.text, /생각이 잘 안 나네요/);
    assert.equal(a.errors[0]?.code, "npc_timeout", "a worker may be restarting: the question waited");
    const health = await healthSaying(quick, "no_worker");
    assert.deepEqual([health.code, health.status, health.npc, health.npcWorkers], [503, "degraded", "no_worker", 0]);
    // Once the group has been seen empty (by /health's look, if not by the first question's) for longer than this
    // server's 3 s, the next question is refused, its player told why.
    await sleep(3500);
    a.room.send("chat", { text: "@kobot 정말 아무도 없어?" });
    await waitFor("the second fallback", () => a.errors[1], 10_000);
    assert.deepEqual([a.errors[1]!.code, a.errors[1]!.message], ["npc_unavailable", "the NPC's brain is not running right now: ask again later"]);
  });

  it("has a restarted worker answer the questions that waited", async () => {
    const a = await join(patient, "하늘");
    a.room.send("chat", { text: "@kobot 배고파" });
    await sleep(500);
    assert.equal(stateOf(a).npcs.kobot!.status, "thinking");
    assert.deepEqual(answersTo(a), []);
    worker = await startWorker("worker-2");
    const answer = await waitFor("the waiting question's answer", () => answersTo(a)[0], 30_000);
    assert.doesNotMatch(answer.text, /생각이 잘 안 나네요|대답하기가 어려워요/);
    await waitFor("kobot idle once it has said its answer", () => stateOf(a).npcs.kobot!.status === "idle", 8000);
    const health = await healthSaying(patient, "ready");
    assert.deepEqual([health.code, health.status, health.npcWorkers], [200, "ok", 1]);
  });

  // An NPC's questions in a room all go to one partition: a worker without one NPC's model, beside others, failed every question
  // to that NPC in the rooms of its partitions, for good; alone, it is better than none.
  it("does not start a worker whose world has a model folder that does not load while others answer; alone, or beside workers without it too, it starts", async () => {
    const folder = mkdtempSync(joinPath(tmpdir(), "kafka-broken-model-"));
    const broken = joinPath(folder, "broken");
    cpSync("npc/model", broken, { recursive: true });
    const weights = joinPath(broken, "onnx", "model.onnx_data");
    writeFileSync(weights, readFileSync(weights).subarray(0, 1_000_000)); // a copy cut short: its files all there
    const world = joinPath(folder, "world.yaml");
    writeFileSync(world, [`models: { broken: ${JSON.stringify(broken)} }`, "npcs:",
      "  - { id: kobot, name: 코봇, position: { x: 0, y: 0, z: 5 } }",
      "  - { id: hans, name: 한스, position: { x: 5, y: 0, z: 5 }, model: broken }"].join("\n"));
    await assert.rejects(startService("worker-broken", "npc/worker/worker-main.ts", { ...env, WORLD_FILE: world }, "npc worker started"), /exited with 1/);
    const said = readFileSync(serviceLog("worker-broken"), "utf8");
    assert.match(said, /NPC worker not started: a model folder of its world did not load here, and other workers answer every NPC/);
    assert.ok(said.includes(broken), "names the folder");
    const brokenFleet = { ...env, WORLD_FILE: world, KAFKA_WORKER_GROUP: `alone-${topics.question}` };
    const alone = await startService("worker-alone", "npc/worker/worker-main.ts", brokenFleet, "npc worker started");
    try {
      const log = readFileSync(serviceLog("worker-alone"), "utf8");
      assert.match(log, /NPC model not loaded: its NPCs say a fallback line to every question, the others answer/);
      // One image for the fleet: its second worker could not load the folder either, and is no worse than the first.
      const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
      for (let tries = 0; (await groupMembers(kafka, brokenFleet.KAFKA_WORKER_GROUP)) < 1; tries++) {
        assert.ok(tries < 60, "the first worker in its group within 30 s");
        await sleep(500);
      }
      const second = await startService("worker-alone-2", "npc/worker/worker-main.ts", brokenFleet, "npc worker started");
      await second.stop();
    } finally {
      // Its own group reads the same questions: left running, every later question here was answered twice.
      await alone.stop();
    }
  });

  it("answers again once a broker that went down is back, and says broker_down meanwhile", async () => {
    const dir = process.env.TEST_KAFKA_DIR!;
    const a = await join(patient, "하늘");
    await run("bash", ["scripts/kafka-local.sh", "stop", dir]);
    const down = await healthSaying(patient, "broker_down");
    assert.deepEqual([down.code, down.npc, down.npcWorkers], [503, "broker_down", null]);
    await sleep(5000); // the server's and the worker's consumers crash and restart meanwhile
    await run("bash", ["scripts/kafka-local.sh", "start", dir], { timeout: 120_000 });
    // Both groups wait out their old member's session (6 s) before anything is answered.
    const real = (text: string) => !/생각이 잘 안 나네요|대답하기가 어려워요/.test(text);
    const deadline = performance.now() + 60_000;
    for (let asked = 0; !answersTo(a).some((line) => real(line.text)); asked++) {
      assert.ok(performance.now() < deadline, `no answer a minute after the broker came back: ${JSON.stringify(answersTo(a))}`);
      a.room.send("chat", { text: `@kobot 배고파 ${asked}` });
      await sleep(2000);
    }
    assert.equal((await healthSaying(patient, "ready")).code, 200);
  });
});
