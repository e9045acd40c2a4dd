import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import type { Client } from "@elastic/elasticsearch";

import { ChatIndexer } from "../chatlog/chat-indexer.js";
import { createLogger } from "../common/log.js";
import type { ChatLogRecord } from "../kafka/chat-log.js";

const markOf = (account: string) => createHash("sha256").update(account).digest("hex");

/** An Elasticsearch holding one mark, `account` erased at `at`, that answers every bulk with `items`. */
const esWith = (account: string, at: number, items: unknown[]) => ({
  get: async () => ({ _source: { at, mark: "generation-1" } }),
  indices: { refresh: async () => ({}), existsAlias: async () => true },
  search: async () => ({ hits: { hits: [{ _source: { at, mark: markOf(account) }, sort: [at, markOf(account)] }] } }),
  bulk: async () => ({ errors: true, items }),
}) as unknown as Client;

describe("ChatIndexer (chatlog/chat-indexer.ts): a line its player's erasure came before", () => {
  it("counts as kept out when its delete answers 404 (no copy was stored), with no error and no dead letter", async () => {
    const notThere = { delete: { _index: "chat-2026.12", _id: "l1", status: 404, result: "not_found", error: { type: "not_found", reason: "l1" } } };
    const logged: Array<{ level: string; msg: string }> = [];
    const indexer = new ChatIndexer(esWith("acc", 1_000, [notThere]), createLogger({}, "info", (line) => logged.push(JSON.parse(line))));
    const line = { v: 1, id: "l1", roomId: "r", serverId: "s", kind: "player", from: "p", name: "n", account: "acc", text: "안녕", ts: 500 } as ChatLogRecord;
    const dead = await indexer.index([line]);
    assert.deepEqual(dead, []);
    assert.deepEqual([indexer.stats.erased, indexer.stats.retries], [1, 0]);
    assert.deepEqual(logged.filter((entry) => entry.level === "error"), []);
  });
});
