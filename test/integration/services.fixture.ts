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
import { mochaGlobalTeardown as stopServicesLeft } from "../helpers/services-left.fixture.js";

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
  const started = await Promise.allSettled([
    startService("scripts/kafka-local.sh", kafkaDir),
    startService("scripts/elasticsearch-local.sh", esDir),
    startService("scripts/redis-local.sh", redisDir),
  ]);
  const failed = started.find((result) => result.status === "rejected");
  if (failed) {
    // Mocha runs no teardown after a failed setup: the services that did start would outlive the run.
    await mochaGlobalTeardown();
    throw failed.reason;
  }
  const [brokers, esUrl, redisUrl] = started.map((result) => (result as PromiseFulfilledResult<string>).value);
  Object.assign(process.env, { TEST_KAFKA_BROKERS: brokers, TEST_KAFKA_DIR: kafkaDir, TEST_ES_URL: esUrl, TEST_ES_DIR: esDir, TEST_REDIS_URL: redisUrl, TEST_REDIS_DIR: redisDir });
}

export async function mochaGlobalTeardown(): Promise<void> {
  // First, while the broker they talk to is still there.
  await stopServicesLeft();
  // Each stopped whatever another's stop does.
  const stop = async (script: string, dir: string | undefined) => {
    if (!dir) return;
    await run("bash", [script, "stop", dir]).catch((error: Error) => console.error(`${script} stop: ${error.message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  await stop("scripts/kafka-local.sh", kafkaDir);
  await stop("scripts/redis-local.sh", redisDir);
  await stop("scripts/elasticsearch-local.sh", esDir);
}
