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
});
