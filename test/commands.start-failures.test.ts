import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";

import { freePort } from "../tools/processes.js";

/** Runs `tsx entry args` with `env` to its end: its exit code and stderr. */
async function failed(entry: string, args: string[], env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const result = await promisify(execFile)("node_modules/.bin/tsx", [entry, ...args], { env: { ...process.env, ...env }, timeout: 50_000 }).catch(
    (error: { code: number; stderr: string }) => error,
  );
  return result as { code: number; stderr: string };
}

/** The lines of stderr that are not the JSON log lines (kafkajs's own, through the log). */
const plainLines = (stderr: string) => stderr.split("\n").filter((line) => line !== "" && !line.startsWith("{"));

describe("Commands that cannot start say why in one line, no stack", () => {
  it("npm run worker with no KAFKA_BROKERS, and with METRICS_PORT in use", async () => {
    const alone = await failed("npc/worker/worker-main.ts", [], { KAFKA_BROKERS: "" });
    assert.equal(alone.code, 1);
    assert.deepEqual(plainLines(alone.stderr), ["npm run worker needs KAFKA_BROKERS (host:port[,host:port…])"]);
    const taken = createServer().listen(0);
    await new Promise((resolve) => taken.once("listening", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, stderr } = await failed("npc/worker/worker-main.ts", [], { KAFKA_BROKERS: "127.0.0.1:1", METRICS_PORT: String(port) });
      assert.equal(code, 1);
      assert.deepEqual(plainLines(stderr), [`npc worker failed to start: METRICS_PORT ${port}: already in use`]);
    } finally {
      taken.close();
    }
  });

  it("npm run indexer with METRICS_PORT in use", async () => {
    const taken = createServer().listen(0);
    await new Promise((resolve) => taken.once("listening", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      // Nothing at either address: the metrics port is taken before either is tried.
      const { code, stderr } = await failed("chatlog/indexer-main.ts", [], { KAFKA_BROKERS: "127.0.0.1:1", ES_URL: "http://127.0.0.1:1", METRICS_PORT: String(port) });
      assert.equal(code, 1);
      assert.deepEqual(plainLines(stderr), [`chat indexer failed to start: METRICS_PORT ${port}: already in use`]);
    } finally {
      taken.close();
    }
  });

  it("the indexer, redrive and worker read only their own settings: no world, word list or account keys they do not use", async () => {
    // Settings of the world server alone, each bad: a process that read them would stop on them.
    const notTheirs = { PORT: "http", AUTH_PUBLIC_KEY_FILE: "/no/such/key.pem", ADMIN_USER: "ops", REDIS_URL: "http://redis", CHAT_BURST: "0" };
    const notRead = { ...notTheirs, WORLD_FILE: "/no/such/world.yaml", MODERATION_WORDS: "/no/such/words.txt", NPC_ID: "Ko Bot", MODEL_DIR: "/no/such/model" };
    const taken = createServer().listen(0);
    await new Promise((resolve) => taken.once("listening", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      // Gone past its configuration: it stops on the taken METRICS_PORT, its first step.
      const indexer = await failed("chatlog/indexer-main.ts", [], { ...notRead, KAFKA_BROKERS: "127.0.0.1:1", ES_URL: "http://127.0.0.1:1", METRICS_PORT: String(port) });
      assert.deepEqual(plainLines(indexer.stderr), [`chat indexer failed to start: METRICS_PORT ${port}: already in use`]);
      const worker = await failed("npc/worker/worker-main.ts", [], { ...notTheirs, KAFKA_BROKERS: "127.0.0.1:1", METRICS_PORT: String(port) });
      assert.deepEqual(plainLines(worker.stderr), [`npc worker failed to start: METRICS_PORT ${port}: already in use`]);
    } finally {
      taken.close();
    }
    const brokers = `127.0.0.1:${await freePort()}`;
    const redrive = await failed("chatlog/redrive-main.ts", ["--dry-run"], { ...notRead, KAFKA_BROKERS: brokers });
    assert.match(plainLines(redrive.stderr).join("\n"), new RegExp(`^chat-log redrive failed: Kafka at ${brokers} \\(KAFKA_BROKERS\\): .*ECONNREFUSED`));

    // Their own settings are still checked, and the worker's world (its NPCs' models and knowledge) is its own.
    const badIndexer = await failed("chatlog/indexer-main.ts", [], { ...notRead, KAFKA_BROKERS: "127.0.0.1:1", ES_URL: "localhost:9200" });
    assert.equal(badIndexer.code, 1);
    assert.deepEqual(plainLines(badIndexer.stderr), ["bad configuration:", '  ES_URL="localhost:9200": Invalid URL']);
    const badRedrive = await failed("chatlog/redrive-main.ts", [], { ...notRead, KAFKA_BROKERS: "127.0.0.1:1", CHAT_DEAD_LETTER_TOPIC: "chat.log" });
    assert.match(badRedrive.stderr, /CHAT_LOG_TOPIC and CHAT_DEAD_LETTER_TOPIC: name the same topic/);
    const badWorker = await failed("npc/worker/worker-main.ts", [], { KAFKA_BROKERS: "127.0.0.1:1", WORLD_FILE: "/no/such/world.yaml" });
    assert.equal(badWorker.code, 1);
    assert.match(badWorker.stderr, /WORLD_FILE="\/no\/such\/world\.yaml"/);
  });

  it("npm run chatlog:redrive with no broker at KAFKA_BROKERS: names the brokers and the cause", async () => {
    const brokers = `127.0.0.1:${await freePort()}`;
    const { code, stderr } = await failed("chatlog/redrive-main.ts", ["--dry-run"], { KAFKA_BROKERS: brokers });
    assert.equal(code, 1);
    const lines = plainLines(stderr);
    assert.equal(lines.length, 1, stderr);
    assert.ok(lines[0]!.startsWith(`chat-log redrive failed: Kafka at ${brokers} (KAFKA_BROKERS): `), lines[0]);
    assert.match(lines[0]!, /ECONNREFUSED/);
  });
});
