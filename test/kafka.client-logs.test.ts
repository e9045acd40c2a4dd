import assert from "node:assert/strict";
import { logLevel } from "kafkajs";

import { createLogger } from "../common/log.js";
import { kafkaLogEntries } from "../kafka/kafka-client.js";

describe("kafkajs logs", () => {
  it("logs a group rebalancing (a worker joined or left) as info, and other errors as errors", () => {
    const lines: Array<{ level: string; msg: string; kafka: string }> = [];
    const entries = kafkaLogEntries(createLogger({}, "debug", (line) => lines.push(JSON.parse(line))));
    const heartbeat = { timestamp: "", logger: "kafkajs", message: "Response Heartbeat(key: 12, version: 3)", correlationId: 7 };
    entries({ namespace: "Connection", level: logLevel.ERROR, label: "ERROR", log: { ...heartbeat, error: "The group is rebalancing, so a rejoin is needed" } });
    entries({ namespace: "Connection", level: logLevel.ERROR, label: "ERROR", log: { ...heartbeat, error: "The coordinator is not aware of this member" } });
    entries({ namespace: "Consumer", level: logLevel.WARN, label: "WARN", log: { timestamp: "", logger: "kafkajs", message: "Restarting the consumer" } });
    assert.deepEqual(lines.map((l) => [l.level, l.kafka]), [["info", "Connection"], ["error", "Connection"], ["warn", "Consumer"]]);
  });

  it("logs as info what a normal first start on a fresh broker meets: no coordinator yet, another one, topics made by another process", () => {
    const lines: Array<{ level: string }> = [];
    const entries = kafkaLogEntries(createLogger({}, "debug", (line) => lines.push(JSON.parse(line))));
    const response = (message: string, error: string) => entries({ namespace: "Connection", level: logLevel.ERROR, label: "ERROR", log: { timestamp: "", logger: "kafkajs", message, error } });
    response("Response GroupCoordinator(key: 10, version: 2)", "The group coordinator is not available");
    response("Response DescribeGroups(key: 15, version: 2)", "This is not the correct coordinator for this group");
    response("Response CreateTopics(key: 19, version: 3)", "Topic creation errors");
    assert.deepEqual(lines.map((l) => l.level), ["info", "info", "info"]);
  });

  it("logs the same error once in 10 s while a broker is away (every try failed with a line of its own)", () => {
    const lines: Array<{ msg: string }> = [];
    const entries = kafkaLogEntries(createLogger({}, "info", (line) => lines.push(JSON.parse(line))));
    const refused = { timestamp: "", logger: "kafkajs", message: "Connection error: connect ECONNREFUSED 127.0.0.1:9092", broker: "127.0.0.1:9092" };
    for (let i = 0; i < 100; i++) entries({ namespace: "Connection", level: logLevel.ERROR, label: "ERROR", log: refused });
    entries({ namespace: "BrokerPool", level: logLevel.ERROR, label: "ERROR", log: { ...refused, message: "Failed to connect to seed broker" } });
    assert.deepEqual(lines.map((l) => l.msg), [refused.message, "Failed to connect to seed broker"]);
  });
});
