import assert from "node:assert/strict";

import { Kafka, logLevel } from "kafkajs";

import { healthCheck } from "../server/http/health.js";
import { freePort } from "../tools/processes.js";
import { quiet, startTestWorld, type TestWorld } from "./helpers/world.js";
import { type EmbeddedModel, embeddedNpcCheck, kafkaNpcCheck, type NpcCheck, servedAtOnce } from "../server/npc-readiness.js";

describe("Server health", () => {
  let world: TestWorld | undefined;
  afterEach(() => world?.stop());

  it("is 503 degraded, naming why, while the NPCs cannot answer; alive all the same", async () => {
    world = await startTestWorld({}, { npcCheck: () => embeddedNpcCheck("missing", false) });
    const http = world.url.replace("ws:", "http:");
    const response = await fetch(`${http}/health`);
    assert.equal(response.status, 503);
    const health = await response.json();
    assert.equal(health.status, "degraded");
    assert.equal(health.npc, "model_missing");
    assert.equal(health.npcWorkers, 0);
    assert.equal(health.modelLoaded, false);
    const live = await fetch(`${http}/health/live`);
    assert.equal(live.status, 200);
    assert.equal((await live.json()).status, "alive");
  });

  /** /health of a world whose embedded brain's `model` came out so and is `answering`: its status code and what it says of the NPCs. */
  const healthWith = async (model: EmbeddedModel, answering: boolean, modelsUnloaded = 0) => {
    world = await startTestWorld({}, { npcCheck: () => embeddedNpcCheck(model, answering, modelsUnloaded) });
    const response = await fetch(`${world.url.replace("ws:", "http:")}/health`);
    const { status, npc, npcWorkers, modelLoaded: loaded } = await response.json();
    return [response.status, { status, npc, npcWorkers, modelLoaded: loaded }];
  };

  it("is 503 while the embedded worker's thread is being replaced: it said ready, a dead thread or not", async () => {
    assert.deepEqual(await healthWith("loaded", false), [503, { status: "degraded", npc: "worker_restarting", npcWorkers: 0, modelLoaded: true }]);
  });

  it("is 503 while some NPCs' models did not load, the others answering", async () => {
    assert.deepEqual(await healthWith("loaded", true, 1), [503, { status: "degraded", npc: "some_models_missing", npcWorkers: 1, modelLoaded: true }]);
  });

  it("says model_unreadable, not model_missing, for a model whose files are there but did not load", async () => {
    assert.deepEqual(await healthWith("unreadable", false), [503, { status: "degraded", npc: "model_unreadable", npcWorkers: 0, modelLoaded: false }]);
  });

  it("is 200 ok when the brain is ready", async () => {
    assert.deepEqual(await healthWith("loaded", true), [200, { status: "ok", npc: "ready", npcWorkers: 1, modelLoaded: true }]);
  });

  it("says the broker is down when nothing answers at its address, and asks it once for checks close together", async () => {
    // A real client against a loopback port nobody listens on (the broker up is in the integration suite).
    const kafka = new Kafka({ brokers: [`127.0.0.1:${await freePort()}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const check = kafkaNpcCheck(kafka, "workers", "npc.question", quiet);
    const first = check();
    assert.equal(check(), first, "a second check within 2 s reuses the first");
    assert.deepEqual(await first, { npc: "broker_down", workers: null });
  });

  it("serves the last verdict at once while a look hangs (a broker gone: 3 s a look), and a look's own when it ends in time", async () => {
    const looks: Array<(check: NpcCheck) => void> = [];
    const health = servedAtOnce(() => new Promise<NpcCheck>((resolve) => looks.push(resolve)), 50);
    const first = health();
    looks[0]!({ npc: "ready", workers: 2 });
    assert.deepEqual(await first, { npc: "ready", workers: 2 }, "the first call waits for its look: nothing is known before");
    // Answered while looks[1] is still unresolved: waiting for the look would never end (no clock needed to tell).
    assert.deepEqual(await health(), { npc: "ready", workers: 2 }, "the look hangs: the last verdict");
    looks[1]!({ npc: "broker_down", workers: null }); // the hung look ends: the next call knows it
    await new Promise((resolve) => setImmediate(resolve));
    const third = health();
    assert.deepEqual(await third, { npc: "broker_down", workers: null });
    const fourth = health();
    looks[3]!({ npc: "no_worker", workers: 0 });
    assert.deepEqual(await fourth, { npc: "no_worker", workers: 0 }, "a look that ends in time is served");
  });
});

describe("Server health with Redis down", () => {
  it("is degraded, not ok, when Redis does not answer though the NPCs are ready", async () => {
    const check = healthCheck({
      config: { serverId: "s1" } as never,
      channel: { kind: "kafka" } as never,
      answers: { waiting: 0 } as never,
      npcCheck: () => ({ npc: "ready", workers: 1 }) as never,
      presence: { exists: () => Promise.reject(new Error("ECONNREFUSED")) } as never,
      stopping: () => false,
    });
    const health = await check();
    assert.equal(health.redis, "down");
    assert.equal(health.status, "degraded");
  });
});
