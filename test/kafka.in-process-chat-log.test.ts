import assert from "node:assert/strict";

import { createLogger } from "../common/log.js";
import { register } from "../common/metrics.js";
import { CHAT_LOG_VERSION, type ChatLogRecord } from "../kafka/chat-log.js";
import { DroppedLines } from "../kafka/dropped-lines.js";
import { InProcessChatLog } from "../kafka/in-process-chat-log.js";

const now = Date.now();
const record = (i: number): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id: `line-${i}`, roomId: "r", serverId: "s", kind: "player", from: "p", name: "민수", text: `${i}`, ts: now + i });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("The embedded chat log's queue", () => {
  it("keeps at most its cap of lines while a store waits on a store that is down, dropping the oldest, counted", async () => {
    const log = new InProcessChatLog({ maxBatch: 10, maxQueued: 100, log: createLogger({}, "silent") });
    let release!: () => void;
    const stored: string[] = [];
    let calls = 0;
    await log.source().start(async (records) => {
      if (calls++ === 0) await new Promise<void>((resolve) => (release = resolve)); // the store is down
      stored.push(...records.map((r) => r.id));
      return [];
    });
    const publisher = log.publisher();
    publisher.publish(record(0));
    await tick(); // line 0 is with the store, which does not answer
    for (let i = 1; i <= 1000; i++) publisher.publish(record(i));
    await tick();
    assert.equal(log.waiting, 101, "the cap, and the batch with the store");
    assert.equal(log.dropped, 900);
    release();
    await log.drained();
    assert.deepEqual(stored, ["line-0", ...Array.from({ length: 100 }, (_, i) => `line-${901 + i}`)], "the batch in flight, then the newest hundred");
  });

  it("drops an erased player's waiting lines and the NPC's answers to them, once the batch with the store that holds theirs is done", async () => {
    const log = new InProcessChatLog({ maxBatch: 2, log: createLogger({}, "silent") });
    let release!: () => void;
    const stored: string[] = [];
    let calls = 0;
    await log.source().start(async (records) => {
      if (calls++ === 0) await new Promise<void>((resolve) => (release = resolve)); // a slow store: a backlog builds
      stored.push(...records.map((r) => r.id));
      return [];
    });
    const of = (i: number, account: string, replyTo?: string): ChatLogRecord => ({ ...record(i), account, ...(replyTo ? { kind: "npc", replyTo } : {}) });
    const publisher = log.publisher();
    publisher.publish(of(0, "erased"));
    publisher.publish(of(1, "other"));
    await tick(); // lines 0 and 1 are with the store
    publisher.publish(of(2, "erased"));
    publisher.publish(of(3, "other"));
    publisher.publish(of(4, "", "line-0")); // the NPC's answer to a line in the batch with the store
    publisher.publish(of(5, "", "line-2"));
    publisher.publish(of(6, "", "line-3"));
    let dropped = false;
    const dropping = publisher.dropWaiting!("erased").then(() => (dropped = true));
    await tick();
    assert.equal(dropped, false, "a line of theirs is with the store: the index's erasure must come after it is stored");
    publisher.publish(of(7, "erased")); // said after the erasure (its route answers after 5 s): chat like any other
    release();
    await dropping;
    await log.drained();
    assert.deepEqual(stored, ["line-0", "line-1", "line-3", "line-6", "line-7"]);
  });

  it("says the lines it drops past its cap, at most every 10 s, and counts them in kobot_chat_log_dropped_total", async () => {
    const dropped = async () => ((await register.getSingleMetric("kobot_chat_log_dropped_total")?.get())?.values ?? []).reduce((sum, { value }) => sum + value, 0);
    const before = await dropped();
    const said: Array<{ level: string; msg: string }> = [];
    const log = new InProcessChatLog({ maxQueued: 100, log: createLogger({}, "warn", (line) => said.push(JSON.parse(line))) });
    const publisher = log.publisher(); // no store yet (Elasticsearch not up): every line waits
    for (let i = 0; i < 1000; i++) publisher.publish(record(i));
    assert.equal(log.dropped, 900);
    assert.equal((await dropped()) - before, 900);
    assert.equal(said.length, 1, "said once, not once a line");
    assert.match(said[0]!.msg, /^chat lines dropped/);
  });

  it("says the drops its 10 s held back once that time is up, not at the next drop, which may never come", async () => {
    const said: Array<{ lines: number; total: number }> = [];
    const dropped = new DroppedLines(createLogger({}, "warn", (line) => said.push(JSON.parse(line))), "waiting for Kafka", 100);
    const lines = Array.from({ length: 10 }, (_, i) => record(i));
    dropped.trim(lines, 8); // said at once
    lines.push(record(10), record(11), record(12));
    dropped.trim(lines, 8); // held back: said 100 ms after the first
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(said.map(({ lines, total }) => [lines, total]), [[2, 2], [3, 5]]);
  });

  it("gives lines waiting at shutdown a few seconds, then says how many were not stored", async () => {
    const unstored: number[] = [];
    const log = new InProcessChatLog({ stopWaitMs: 50, onUnstored: (lines) => unstored.push(lines) });
    await log.source().start(() => new Promise(() => {})); // never stores
    const publisher = log.publisher();
    for (let i = 0; i < 3; i++) publisher.publish(record(i));
    await publisher.stop();
    assert.deepEqual(unstored, [3]);

    const healthy = new InProcessChatLog({ stopWaitMs: 1000, onUnstored: (lines) => unstored.push(lines) });
    await healthy.source().start(async () => []);
    healthy.publisher().publish(record(9));
    await healthy.publisher().stop();
    assert.deepEqual(unstored, [3], "nothing to report when every line was stored");
  });

  it("stores no line whose time cannot be a chat line's (its month's index would be made for it), says them, and stores the rest", async () => {
    const said: Array<{ msg: string; lines: number; ids: string[]; first: string }> = [];
    const log = new InProcessChatLog({ log: createLogger({}, "warn", (line) => said.push(JSON.parse(line))) });
    const stored: string[] = [];
    await log.source().start(async (records) => (stored.push(...records.map((r) => r.id)), []));
    const publisher = log.publisher();
    const at = (id: string, ts: number): ChatLogRecord => ({ ...record(0), id, ts });
    const day = 24 * 60 * 60 * 1000;
    publisher.publish(at("now", Date.now()));
    publisher.publish(at("epoch", 0));
    publisher.publish(at("last-of-2023", Date.UTC(2023, 11, 31, 23, 59)));
    publisher.publish(at("hours-ahead", Date.now() + 6 * 60 * 60 * 1000)); // a server's clock a little ahead
    publisher.publish(at("days-ahead", Date.now() + 2 * day));
    publisher.publish(at("last-a-date-holds", 8.64e15));
    publisher.publish(at("last-year", Date.UTC(2024, 5, 1))); // an old line is a chat line still
    await log.drained();
    assert.deepEqual(stored, ["now", "hours-ahead", "last-year"]);
    assert.equal(said.length, 1, "said once for the batch");
    assert.equal(said[0]!.msg, "chat lines not indexed: not a chat line's time");
    assert.deepEqual([said[0]!.lines, said[0]!.ids], [4, ["epoch", "last-of-2023", "days-ahead", "last-a-date-holds"]]);
    assert.match(said[0]!.first, /^ts 1970-01-01T00:00:00.000Z is before 2024-01-01T00:00:00.000Z/);
    assert.equal(log.waiting, 0);
  });

  it("is drained only once a consumer came and stored what was published before it", async () => {
    const log = new InProcessChatLog();
    log.publisher().publish(record(1));
    let drained = false;
    void log.drained().then(() => (drained = true));
    await tick();
    assert.equal(drained, false, "no consumer yet: nothing stored");
    const stored: string[] = [];
    await log.source().start(async (records) => (stored.push(...records.map((r) => r.id)), []));
    await log.drained();
    assert.deepEqual(stored, ["line-1"]);
  });
});
