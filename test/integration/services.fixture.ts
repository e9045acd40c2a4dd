/**
 * Mocha global fixture for the integration suite: a real Kafka broker (KRaft) on a free loopback
 * port, started with the same script operators use (scripts/kafka-local.sh), stopped at the end.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
let kafkaDir: string | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  kafkaDir = mkdtempSync(join(tmpdir(), "kobot-kafka-"));
  const { stdout } = await run("bash", ["scripts/kafka-local.sh", "start", kafkaDir], { timeout: 180_000 });
  process.env.TEST_KAFKA_BROKERS = stdout.trim().split("\n").at(-1);
  process.env.TEST_KAFKA_DIR = kafkaDir;
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (!kafkaDir) return;
  await run("bash", ["scripts/kafka-local.sh", "stop", kafkaDir]);
  rmSync(kafkaDir, { recursive: true, force: true });
}
