/**
 * Mocha global fixture for the integration suite: a real Kafka broker (KRaft), a real
 * Elasticsearch node and a Redis server on free loopback ports, started with the same scripts
 * operators use (scripts/*-local.sh), stopped at the end.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
let kafkaDir: string | undefined;
let esDir: string | undefined;
let redisDir: string | undefined;

/** Starts a service script's node in a fresh folder; resolves with the address it prints last. */
async function startService(script: string, dir: string): Promise<string> {
  const { stdout } = await run("bash", [script, "start", dir], { timeout: 300_000 });
  return stdout.trim().split("\n").at(-1)!;
}

export async function mochaGlobalSetup(): Promise<void> {
  kafkaDir = mkdtempSync(join(tmpdir(), "kobot-kafka-"));
  esDir = mkdtempSync(join(tmpdir(), "kobot-es-"));
  redisDir = mkdtempSync(join(tmpdir(), "kobot-redis-"));
  const [brokers, esUrl, redisUrl] = await Promise.all([
    startService("scripts/kafka-local.sh", kafkaDir),
    startService("scripts/elasticsearch-local.sh", esDir),
    startService("scripts/redis-local.sh", redisDir),
  ]);
  Object.assign(process.env, { TEST_KAFKA_BROKERS: brokers, TEST_KAFKA_DIR: kafkaDir, TEST_ES_URL: esUrl, TEST_ES_DIR: esDir, TEST_REDIS_URL: redisUrl, TEST_REDIS_DIR: redisDir });
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (kafkaDir) {
    await run("bash", ["scripts/kafka-local.sh", "stop", kafkaDir]);
    rmSync(kafkaDir, { recursive: true, force: true });
  }
  if (redisDir) {
    await run("bash", ["scripts/redis-local.sh", "stop", redisDir]);
    rmSync(redisDir, { recursive: true, force: true });
  }
  if (esDir) {
    await run("bash", ["scripts/elasticsearch-local.sh", "stop", esDir]);
    rmSync(esDir, { recursive: true, force: true });
  }
}
