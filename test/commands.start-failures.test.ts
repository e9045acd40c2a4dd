import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";

import { freePort } from "./helpers/processes.js";

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
    const alone = await failed("npc/worker-main.ts", [], { KAFKA_BROKERS: "" });
    assert.equal(alone.code, 1);
    assert.deepEqual(plainLines(alone.stderr), ["npm run worker needs KAFKA_BROKERS (host:port[,host:port…])"]);
    const taken = createServer().listen(0);
    await new Promise((resolve) => taken.once("listening", resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const { code, stderr } = await failed("npc/worker-main.ts", [], { KAFKA_BROKERS: "127.0.0.1:1", METRICS_PORT: String(port) });
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
