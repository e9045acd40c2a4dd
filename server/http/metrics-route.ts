import { matchMaker } from "@colyseus/core";
import type { Application } from "express";
import type { Kafka } from "kafkajs";
import { Gauge } from "prom-client";

import type { Logger } from "../../common/log.js";
import { collectProcessMetrics, kafkaConsumerLag, processMetrics, register } from "../../common/metrics.js";
import { consumerLag, type GroupTopic } from "../../kafka/consumer-lag.js";
import { metricsGate } from "../../common/metrics-token.js";
import { pinnedAddressOf } from "./client-address.js";

const LAG_EVERY_MS = 15_000;

/**
 * `GET /metrics` in Prometheus text format: rooms and clients of this process, chat and NPC
 * counters, answer latency, model speed (embedded worker), Node's event loop lag, and — with
 * Kafka — how far the NPC workers and the chat indexers are behind.
 */
export function metricsRoute(
  app: Application,
  kafka: { client: Kafka; watched: GroupTopic[] } | undefined,
  token: string | undefined,
  log: Logger,
): () => void {
  collectProcessMetrics();
  // Once per process (tests start several servers in one).
  if (!register.getSingleMetric("kobot_rooms")) {
    new Gauge({ name: "kobot_rooms", help: "Rooms on this server process", collect() { this.set(matchMaker.stats.local.roomCount); } });
    new Gauge({ name: "kobot_clients", help: "Clients connected to this server process", collect() { this.set(matchMaker.stats.local.ccu); } });
  }

  let timer: NodeJS.Timeout | undefined;
  if (kafka) {
    // Polled, not computed per scrape: a scrape must stay cheap even when the broker is slow.
    const poll = async () => {
      try {
        for (const { group, topic, lag } of await consumerLag(kafka.client, kafka.watched)) kafkaConsumerLag.set({ group, topic }, lag);
      } catch (error) {
        // No value rather than the last one: a lag frozen at a healthy number through a broker's outage hid it.
        kafkaConsumerLag.reset();
        log.debug("consumer lag not read", { error });
      }
    };
    void poll();
    timer = setInterval(poll, LAG_EVERY_MS);
    timer.unref();
  }

  const refusal = metricsGate(token, log);
  app.get("/metrics", async (req, res) => {
    // The client's address, behind a trusted proxy too (http-guard.ts pinned it): else one guesser would shut every scraper out.
    const refused = refusal(req.headers.authorization, pinnedAddressOf(req));
    if (refused) {
      res.set(refused.headers).status(refused.status).send(refused.body);
      return;
    }
    res.type(register.contentType).send(await processMetrics());
  });
  return () => clearInterval(timer);
}
