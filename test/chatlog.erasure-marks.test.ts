import assert from "node:assert/strict";
import { createHash } from "node:crypto";

import type { Client } from "@elastic/elasticsearch";

import { ErasureMarks } from "../chatlog/erasure-marks.js";
import type { ChatLogRecord } from "../kafka/chat-log.js";

/** The mark an erasure writes: the account's hash, never the account. */
const markOf = (account: string) => createHash("sha256").update(account).digest("hex");

/** An Elasticsearch holding one mark, `account` erased at `at`: the rule is what is tested, not the index. */
const esWith = (account: string, at: number) => ({
  get: async () => ({ _source: { at, mark: "generation-1" } }),
  indices: { refresh: async () => ({}) },
  search: async () => ({ hits: { hits: [{ _source: { at, mark: markOf(account) }, sort: [at, markOf(account)] }] } }),
}) as unknown as Client;

const line = (fields: Partial<ChatLogRecord>): ChatLogRecord =>
  ({ v: 1, id: "l1", roomId: "r", serverId: "s", kind: "player", from: "p", name: "n", text: "안녕", ts: 1_000, ...fields }) as ChatLogRecord;
const answer = (ts: number, latencyMs: number) =>
  line({ kind: "npc", from: "kobot", ts, npc: { asker: "acc", latencyMs } as ChatLogRecord["npc"] });

describe("ErasureMarks (chatlog/erasure-marks.ts): which lines an erasure keeps out of the index", () => {
  let marks: ErasureMarks;
  beforeEach(async () => {
    marks = new ErasureMarks(esWith("acc", 1_000));
    await marks.refresh();
  });

  it("keeps out a line written in the erasure's own millisecond, and keeps one written after", () => {
    assert.equal(marks.erasedBefore(line({ account: "acc", ts: 1_000 })), true);
    assert.equal(marks.erasedBefore(line({ account: "acc", ts: 1_001 })), false);
    assert.equal(marks.erasedBefore(line({ account: "other", ts: 500 })), false, "another account's line");
  });

  it("keeps out an NPC's answer to an erased asker by when its question was asked, logged before the erasure or after", () => {
    assert.equal(marks.erasedBefore(answer(900, 10)), true, "logged before");
    assert.equal(marks.erasedBefore(answer(1_500, 800)), true, "logged after, asked at 700: a room that had not heard of the erasure");
    assert.equal(marks.erasedBefore(answer(1_500, 100)), false, "asked at 1,400, after the erasure");
  });
});
