/**
 * Mocha global fixture for the integration suite: a real Kafka broker (KRaft) and a real
 * Elasticsearch node on free loopback ports, started with the same scripts operators use
 * (scripts/kafka-local.sh, scripts/elasticsearch-local.sh), stopped at the end.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
let kafkaDir: string | undefined;
let esDir: string | undefined;

/** Starts a service script's node in a fresh folder; resolves with the address it prints last. */
async function startService(script: string, dir: string): Promise<string> {
  const { stdout } = await run("bash", [script, "start", dir], { timeout: 300_000 });
  return stdout.trim().split("\n").at(-1)!;
}

export async function mochaGlobalSetup(): Promise<void> {
  kafkaDir = mkdtempSync(join(tmpdir(), "kobot-kafka-"));
  esDir = mkdtempSync(join(tmpdir(), "kobot-es-"));
  const [brokers, esUrl] = await Promise.all([
    startService("scripts/kafka-local.sh", kafkaDir),
    startService("scripts/elasticsearch-local.sh", esDir),
  ]);
  Object.assign(process.env, { TEST_KAFKA_BROKERS: brokers, TEST_ES_URL: esUrl, TEST_ES_DIR: esDir });
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (kafkaDir) {
    await run("bash", ["scripts/kafka-local.sh", "stop", kafkaDir]);
    rmSync(kafkaDir, { recursive: true, force: true });
  }
  if (esDir) {
    await run("bash", ["scripts/elasticsearch-local.sh", "stop", esDir]);
    rmSync(esDir, { recursive: true, force: true });
  }
}
