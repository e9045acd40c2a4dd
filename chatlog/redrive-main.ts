/**
 * `npm run chatlog:redrive [-- --dry-run]`: sends the chat-log dead letters back to the indexers once their cause is
 * mended (redrive-dead-letters.ts), and says what it sent and what it left. Needs KAFKA_BROKERS.
 */
import "../common/node-version.js"; // first: says so on an older Node
import { commandArgs } from "../common/cli-args.js";
import { errorLine } from "../common/error-line.js";
import { createLogger } from "../common/log.js";
import { createKafka } from "../kafka/kafka-client.js";
import { ConfigError, loadRedriveConfig } from "../server/config.js";
import { redriveDeadLetters } from "./redrive-dead-letters.js";

/** Where it read from, once known: a broker that does not answer is named in the failure's line. */
let brokers: string[] | undefined;

async function main(): Promise<void> {
  const dryRun = commandArgs("npm run chatlog:redrive", { options: { "dry-run": { type: "boolean" } } }).values["dry-run"] === true;
  const config = loadRedriveConfig();
  if (!config.kafka) throw new ConfigError("npm run chatlog:redrive needs KAFKA_BROKERS");
  const { chatLog } = config.kafka;
  brokers = config.kafka.brokers;
  const kafka = createKafka(config.kafka.brokers, "kobot-chat-redrive", createLogger({ service: "chat-redrive" }, "warn"), config.kafka.retentionMs);
  const { redriven, left, held = {} } = await redriveDeadLetters(kafka, chatLog, { dryRun });
  const lines = [
    `${dryRun ? "would send" : "sent"} ${redriven} chat-log record(s) from ${chatLog.dead} back to ${chatLog.log}`,
    ...Object.entries(left).map(([why, count]) => `left ${count} in ${chatLog.dead}: ${why}`),
    ...Object.entries(held).map(([partition, fields]) =>
      `stopped at a newer server's record in ${chatLog.dead} partition ${partition} (fields ${fields.join(", ")}): it and those after it wait for the redrive of an upgraded release`),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((error: unknown) => {
  // One line that names the brokers and the cause: kafkajs's error printed as "KafkaJSNonRetriableError", a "Caused by"
  // and its stack, naming no broker.
  const where = brokers ? `Kafka at ${brokers.join(",")} (KAFKA_BROKERS): ` : "";
  process.stderr.write(`${error instanceof ConfigError ? error.message : `chat-log redrive failed: ${where}${errorLine(error)}`}\n`);
  process.exit(1);
});
