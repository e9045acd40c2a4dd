/**
 * `npm run indexer`: reads the chat-log topic and indexes every line into Elasticsearch.
 * Needs KAFKA_BROKERS and ES_URL. Run one or more: they share a consumer group.
 */
import "../common/node-version.js"; // first: says so on an older Node
import { Client as Elasticsearch } from "@elastic/elasticsearch";

import { errorLine } from "../common/error-line.js";
import { createLogger } from "../common/log.js";
import { createKafka } from "../kafka/kafka-client.js";
import { KafkaChatLogSource } from "../kafka/kafka-chat-log.js";
import { ConfigError, loadIndexerConfig } from "../server/config.js";
import { ensureGroupOwn } from "../server/own-group.js";
import { serveMetrics } from "../common/metrics-server.js";
import { onTerminate } from "../common/terminate.js";
import { ChatIndexer } from "./chat-indexer.js";
import { installTemplateWhenReachable } from "./index-template.js";

async function main(): Promise<void> {
  const config = loadIndexerConfig();
  if (!config.kafka || !config.elasticsearch) throw new ConfigError("npm run indexer needs KAFKA_BROKERS and ES_URL");
  const log = createLogger({ service: "chat-indexer", pid: process.pid });
  // First: /metrics answers while the indexer waits for Elasticsearch, so a scrape sees it up and waiting.
  if (config.metricsPort) await serveMetrics(config.metricsPort, log, config.metricsToken);
  const es = new Elasticsearch({ node: config.elasticsearch.url });
  await installTemplateWhenReachable(es, config.elasticsearch.indexPrefix, log);
  const indexer = new ChatIndexer(es, log, config.elasticsearch.indexPrefix);
  const kafka = createKafka(config.kafka.brokers, "kobot-chat-indexer", log, config.kafka.retentionMs);
  const { chatLog, indexerGroup } = config.kafka;
  const source = new KafkaChatLogSource(kafka, chatLog, indexerGroup, log, () => ensureGroupOwn(kafka, "KAFKA_INDEXER_GROUP", indexerGroup, chatLog.log));
  await source.start((records, heartbeat) => indexer.index(records, heartbeat));
  log.info("chat indexer started", { topic: config.kafka.chatLog.log, index: config.elasticsearch.indexPrefix });
  onTerminate(log, async () => {
    indexer.stop();
    await source.stop();
    await es.close();
    log.info("chat indexer stopped", { ...indexer.stats });
  });
}

main().catch((error: unknown) => {
  // One line, as the worker's: a taken METRICS_PORT printed its stack under it.
  const message = error instanceof ConfigError ? error.message : `chat indexer failed to start: ${errorLine(error)}`;
  process.stderr.write(message + "\n");
  process.exit(1);
});
