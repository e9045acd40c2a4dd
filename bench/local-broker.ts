import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { uniqueTopics } from "../tools/processes.js";

export interface LocalBroker {
  /** The broker's address, as KAFKA_BROKERS takes it. */
  brokers: string;
  /** The broker's process (a JVM). */
  pid: number;
  /** What a server and its NPC worker read to share this broker on topics and a group of their own. */
  env: Record<string, string>;
  /** Stops the broker and removes its folder. */
  stop(): void;
}

/** A Kafka broker of a benchmark's own (scripts/kafka-local.sh, on loopback) in a temporary folder. */
export function startLocalBroker(label: string): LocalBroker {
  const dir = mkdtempSync(join(tmpdir(), `kobot-bench-${label}-kafka-`));
  const stop = () => {
    try {
      execFileSync("bash", ["scripts/kafka-local.sh", "stop", dir]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const brokers = execFileSync("bash", ["scripts/kafka-local.sh", "start", dir], { encoding: "utf8" }).trim().split("\n").at(-1)!;
    const topics = uniqueTopics(label);
    const env = {
      KAFKA_BROKERS: brokers,
      KAFKA_QUESTION_TOPIC: topics.question,
      KAFKA_ANSWER_TOPIC: topics.answer,
      KAFKA_WORKER_GROUP: `${label}-${topics.question}`,
      CHAT_LOG_TOPIC: `chat.log.${topics.question}`,
    };
    return { brokers, pid: Number(readFileSync(join(dir, "broker.pid"), "utf8")), env, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
