import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { createLogger } from "../common/log.js";
import { chatArchiveWaiting, chatLogDropped } from "../common/metrics.js";
import { CHAT_LOG_VERSION, ChatLogRecord } from "../kafka/chat-log.js";
import { eraseFromDailyFiles } from "../kafka/daily-file-erasure.js";
import { DailyFileChatLog } from "../kafka/daily-file-chat-log.js";
import { answersTo, startTestWorld, waitFor } from "./helpers/world.js";

/** A logger that fails the test at an error. */
const failOnError = createLogger({}, "error", (line) => assert.fail(line));
/** A logger that keeps each warning and error logged, as "message: the error's message" (or the line's fields). */
function errorsLogged() {
  const errors: string[] = [];
  const log = createLogger({}, "warn", (line) => {
    const { msg, error, time: _time, level: _level, ...fields } = JSON.parse(line);
    errors.push(error ? `${msg}: ${error.message}` : `${msg} ${JSON.stringify(fields)}`);
  });
  return { errors, log };
}

describe("Chat archive of the embedded default (daily JSON-lines files)", () => {
  it("archives every line of a live room, NPC answers with their question, latency and model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const archive = new DailyFileChatLog(dir, "test-server", failOnError);
    const world = await startTestWorld({}, { chatLog: archive });
    try {
      await world.startWorker();
      const a = await world.join("기록");
      a.room.send("chat", { text: "안녕 다들" });
      a.room.send("chat", { text: "@kobot 배고파" });
      const answer = await waitFor("the answer", () => answersTo(a)[0]);
      await a.room.leave();
      await archive.flush();

      const day = new Date().toISOString().slice(0, 10);
      assert.deepEqual(readdirSync(dir), [`date=${day}`]);
      const lines = readFileSync(join(dir, `date=${day}`, "test-server.ndjson"), "utf8").trim().split("\n");
      const records = lines.map((line) => ChatLogRecord.parse(JSON.parse(line)));
      assert.deepEqual(
        records.map((r) => [r.kind, r.text]),
        [["system", "기록 님이 들어왔어요."], ["player", "안녕 다들"], ["player", "@kobot 배고파"], ["npc", answer.text], ["system", "기록 님이 나갔어요."]],
      );
      const npc = records.find((r) => r.kind === "npc")!;
      assert.equal(npc.npc?.question, "배고파");
      assert.equal(npc.npc?.fallback, false);
      assert.match(npc.npc?.model ?? "", /kobot-gpt2/);
      assert.equal(records[2]!.toNpc, "kobot");
    } finally {
      await world.stop();
    }
  });

  it("starts on a new line after a line a killed process left cut short, so the next record is not lost with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const ts = Date.UTC(2026, 11, 1, 9);
    const folder = join(dir, "date=2026-12-01");
    mkdirSync(folder);
    const whole = JSON.stringify({ v: CHAT_LOG_VERSION, id: "a", roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: "첫째", ts });
    const torn = Buffer.from(whole.replace("첫째", "둘째")).subarray(0, -12); // cut mid-character, as kill -9 can
    writeFileSync(join(folder, "s1.ndjson"), Buffer.concat([Buffer.from(whole + "\n"), torn]));
    const archive = new DailyFileChatLog(dir, "s1", failOnError);
    for (const text of ["셋째", "넷째"]) archive.publish({ v: CHAT_LOG_VERSION, id: text, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text, ts });
    await archive.flush();
    archive.publish({ v: CHAT_LOG_VERSION, id: "5", roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: "다섯째", ts });
    await archive.stop();
    const lines = readFileSync(join(folder, "s1.ndjson"), "utf8").split("\n");
    assert.equal(lines.length, 6, "whole, torn, three new, and the final newline");
    assert.equal(lines.at(-1), "");
    assert.throws(() => JSON.parse(lines[1]!), "the torn line stays alone");
    assert.deepEqual([0, 2, 3, 4].map((i) => ChatLogRecord.parse(JSON.parse(lines[i]!)).text), ["첫째", "셋째", "넷째", "다섯째"]);
  });

  it("erases a player's lines and the NPC answers to them from every day's file, those still buffered too, and keeps the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const day = (d: number) => Date.UTC(2026, 11, d, 23, 59);
    const line = (id: string, ts: number, extra: Partial<ChatLogRecord>): ChatLogRecord =>
      ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: id, ts, ...extra });
    const archive = new DailyFileChatLog(dir, "s1", failOnError);
    archive.publish(line("theirs-1", day(1), { account: "acc-gone" }));
    archive.publish(line("others", day(1), { account: "acc-stays", from: "q" }));
    archive.publish(line("anonymous", day(1), {}));
    // Its answer is filed the next day (past midnight, UTC): the question is found in another file.
    archive.publish(line("answer", day(2), { kind: "npc", from: "kobot", replyTo: "theirs-1", npc: { questionId: "theirs-1", question: "theirs-1", latencyMs: 5, fallback: false } }));
    archive.publish(line("answer-to-others", day(2), { kind: "npc", from: "kobot", replyTo: "others", npc: { questionId: "others", question: "others", latencyMs: 5, fallback: false } }));
    await archive.flush();
    writeFileSync(join(dir, "date=2026-12-02", "s1.ndjson"), "{not json\n", { flag: "a" });
    archive.publish(line("theirs-2", day(2), { account: "acc-gone" })); // still buffered

    assert.equal(await archive.erase("acc-gone"), 3);
    archive.publish(line("after", day(2), { account: "acc-gone" })); // a line after the erasure is kept
    await archive.stop();
    const ids = (date: string) => readFileSync(join(dir, `date=${date}`, "s1.ndjson"), "utf8").trim().split("\n").map((text) => (text.startsWith("{not") ? text : JSON.parse(text).id));
    assert.deepEqual(ids("2026-12-01"), ["others", "anonymous"]);
    assert.deepEqual(ids("2026-12-02"), ["answer-to-others", "{not json", "after"]);
    assert.equal(await new DailyFileChatLog(join(dir, "nowhere"), "s1", failOnError).erase("acc-gone"), 0, "no archive yet");
  });

  it("erases a line a killed append cut short when it names the player or answers their line, and keeps others' cut lines", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    mkdirSync(join(dir, "date=2026-12-01"));
    const file = join(dir, "date=2026-12-01", "s1.ndjson");
    const line = (id: string, extra: object) => JSON.stringify({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", ...extra, text: `${id} 내 번호 010-1234-5678`, ts: 1 });
    const cut = (text: string) => text.slice(0, -20); // torn in the player's words: the rest never reached the disk
    const answer = (id: string, to: string) => line(id, { kind: "npc", from: "kobot", replyTo: to, npc: { questionId: to, question: to, latencyMs: 5, fallback: false } });
    writeFileSync(file, [line("q", { account: "acc-gone" }), cut(line("cut-theirs", { account: "acc-gone" })), cut(answer("cut-answer", "q")), cut(line("cut-others", { account: "acc-stays", from: "o" })), "{not json"].join("\n") + "\n");
    assert.equal(await eraseFromDailyFiles(dir, "acc-gone"), 3);
    const left = readFileSync(file, "utf8");
    assert.equal(left, [cut(line("cut-others", { account: "acc-stays", from: "o" })), "{not json"].join("\n") + "\n");
  });

  it("erases the player's line when it is a file's last and has no final newline, and keeps another's unterminated last line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    mkdirSync(join(dir, "date=2026-12-01"));
    const line = (id: string, extra: object) => JSON.stringify({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: id, ts: 1, ...extra });
    const theirs = join(dir, "date=2026-12-01", "a.ndjson");
    const others = join(dir, "date=2026-12-01", "b.ndjson");
    writeFileSync(theirs, line("keep", {}) + "\n" + line("gone", { account: "acc-gone" }));
    writeFileSync(others, line("x", { account: "acc-gone" }) + "\n" + line("last", { account: "acc-stays", from: "o" }));
    assert.equal(await eraseFromDailyFiles(dir, "acc-gone"), 2);
    assert.equal(readFileSync(theirs, "utf8"), line("keep", {}) + "\n");
    assert.equal(readFileSync(others, "utf8").trim(), line("last", { account: "acc-stays", from: "o" }));
  });

  it("erases a line cut short in the player's words, as the room writes its fields: by its session, and by its account now written first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const file = join(dir, "date=2026-12-01", "s1.ndjson");
    // As the room's addLine writes a line (account and replyTo after the text) before the archive wrote them first.
    const asRoomWrote = (id: string, from: string, account: string, text: string) =>
      JSON.stringify({ v: CHAT_LOG_VERSION, roomId: "r", serverId: "s1", id, kind: "player", from, name: "민수", text, ts: Date.parse("2026-12-01T10:00:00Z"), account, toNpc: "kobot" });
    mkdirSync(dirname(file));
    const phone = "@kobot 내 번호는 010-1234-5678 이고 주소는 서울시 어딘가";
    // …one cut right after a brace in the text, as if it ended a record.
    const braced = asRoomWrote("e", "s-gone", "acc-gone", "내 번호 {010-1234-5678} 연락해");
    writeFileSync(file, [asRoomWrote("a", "s-gone", "acc-gone", "안녕"), asRoomWrote("b", "s-gone", "acc-gone", phone).slice(0, -60), asRoomWrote("c", "s-other", "acc-stays", phone).slice(0, -60), braced.slice(0, braced.indexOf("}") + 1)].join("\n") + "\n");
    assert.equal(await eraseFromDailyFiles(dir, "acc-gone"), 3, "the whole line and the ones cut short in its text");
    assert.doesNotMatch(readFileSync(file, "utf8"), /"from":"s-gone"/);
    assert.match(readFileSync(file, "utf8"), /"from":"s-other"/, "another player's cut line stays");

    // Written now, the account comes before the text: a line cut there still names it, whatever the session.
    const archive = new DailyFileChatLog(dir, "s2", failOnError);
    archive.publish({ v: CHAT_LOG_VERSION, roomId: "r", serverId: "s2", id: "d", kind: "player", from: "s-new", name: "민수", text: phone, ts: Date.parse("2026-12-01T11:00:00Z"), account: "acc-gone" });
    await archive.stop();
    const written = join(dir, "date=2026-12-01", "s2.ndjson");
    const whole = readFileSync(written, "utf8").trim();
    assert.ok(whole.indexOf('"account":"acc-gone"') < whole.indexOf('"text"'), whole);
    writeFileSync(written, whole.slice(0, -60) + "\n");
    assert.equal(await eraseFromDailyFiles(dir, "acc-gone"), 1);
    assert.equal(readFileSync(written, "utf8"), "");
  });

  it("takes out the copy a crashed erasure left half written: the next erasure's success holds for it too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    mkdirSync(join(dir, "date=2026-12-01"));
    const file = join(dir, "date=2026-12-01", "s1.ndjson");
    const line = (id: string, account: string) => JSON.stringify({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: id, ts: 1, account });
    writeFileSync(file, [line("first", "acc-earlier"), line("theirs", "acc-gone"), line("others", "acc-stays")].join("\n") + "\n");
    // An erasure of acc-earlier killed before its rename: the file is whole, its scratch copy holds acc-gone's line.
    writeFileSync(`${file}.erasing`, line("theirs", "acc-gone") + "\n");
    assert.equal(await eraseFromDailyFiles(dir, "acc-gone"), 1);
    assert.deepEqual(readdirSync(join(dir, "date=2026-12-01")), ["s1.ndjson"]);
    assert.equal(readFileSync(file, "utf8"), [line("first", "acc-earlier"), line("others", "acc-stays")].join("\n") + "\n");
  });

  it("erases from files larger than a read, line by line: a line across two reads is read whole, every other line kept as it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    mkdirSync(join(dir, "date=2026-12-01"));
    const records = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify({ v: CHAT_LOG_VERSION, id: `l${i}`, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: `말 ${"가".repeat(i % 50)}`, ts: i, ...(i % 1000 === 7 ? { account: "acc-gone" } : { account: `acc-${i % 13}` }) }),
    );
    const file = join(dir, "date=2026-12-01", "s1.ndjson");
    writeFileSync(file, records.join("\n") + "\n"); // ~3.6 MB: several reads of 1 MiB
    assert.equal(await eraseFromDailyFiles(dir, "acc-gone"), 30);
    assert.deepEqual(readFileSync(file, "utf8"), records.filter((_, i) => i % 1000 !== 7).join("\n") + "\n");
  });

  it("writes again what a full disk refused, on a line of its own after what the failed append cut short", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const folder = join(dir, "date=2026-12-01");
    mkdirSync(folder);
    const file = join(folder, "s1.ndjson");
    symlinkSync("/dev/full", file); // every write: ENOSPC
    const { errors, log } = errorsLogged();
    const archive = new DailyFileChatLog(dir, "s1", log);
    const record = (id: string): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: id, ts: Date.UTC(2026, 11, 1, 9) });
    archive.publish(record("refused"));
    await archive.flush();
    assert.match(errors[0] ?? "", /ENOSPC/);
    // Space comes back, the file holding what a partial append of the refused batch wrote.
    rmSync(file);
    writeFileSync(file, JSON.stringify(record("refused")).slice(0, 20));
    archive.publish(record("after"));
    await archive.stop();
    const lines = readFileSync(file, "utf8").split("\n");
    assert.equal(lines.length, 4, `the cut line, the refused one, the one after, the final newline: ${JSON.stringify(lines)}`);
    assert.deepEqual(lines.slice(1, 3).map((text) => ChatLogRecord.parse(JSON.parse(text)).id), ["refused", "after"]);
  });

  it("writes a refused batch again before the lines published while it was being written, in the order they were said", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    mkdirSync(join(dir, "date=2026-12-01"));
    const file = join(dir, "date=2026-12-01", "s1.ndjson");
    symlinkSync("/dev/full", file); // every write: ENOSPC
    const archive = new DailyFileChatLog(dir, "s1", createLogger({}, "silent"));
    const record = (id: string): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: id, ts: Date.UTC(2026, 11, 1, 9) });
    archive.publish(record("first"));
    const refused = archive.flush();
    archive.publish(record("second")); // while the first batch's write is under way
    await refused;
    rmSync(file); // space comes back
    await archive.stop();
    const ids = readFileSync(file, "utf8").trim().split("\n").map((text) => ChatLogRecord.parse(JSON.parse(text)).id);
    assert.deepEqual(ids, ["first", "second"]);
  });

  it("says a failing write once per 10 s with how many lines wait, and at shutdown how many it could not write", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    mkdirSync(join(dir, "date=2026-12-01"));
    symlinkSync("/dev/full", join(dir, "date=2026-12-01", "s1.ndjson")); // every write: ENOSPC
    const { errors, log } = errorsLogged();
    const archive = new DailyFileChatLog(dir, "s1", log);
    const record = (id: string): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: id, ts: Date.UTC(2026, 11, 1, 9) });
    for (let i = 0; i < 5; i++) {
      archive.publish(record(`line-${i}`));
      await archive.flush(); // each a failed try, as its retry every second is
    }
    assert.deepEqual(errors, ["chat archive write failed: its lines are kept and written again: ENOSPC: no space left on device, write"], "said once, not at every try");
    assert.equal((await chatArchiveWaiting.get()).values[0]?.value, 5, "on /metrics: the lines waiting");
    const droppedBefore = (await chatLogDropped.get()).values[0]?.value ?? 0;
    await archive.stop();
    assert.match(errors[1] ?? "", /^chat lines not archived: the archive could not write them before shutdown \{"lines":5,/);
    assert.equal((await chatLogDropped.get()).values[0]?.value, droppedBefore + 5);
  });

  it("says a read-only folder is read-only, where Node's mkdir said \"no such file or directory\"", async function () {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-ro-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k,ro", "tmpfs", dir], { stdio: "ignore" });
    } catch {
      return this.skip(); // not root, or no mount here: the cause is the same either way
    }
    try {
      const { errors, log } = errorsLogged();
      const archive = new DailyFileChatLog(join(dir, "chat-log"), "s1", log);
      archive.publish({ v: CHAT_LOG_VERSION, id: "x", roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: "x", ts: Date.UTC(2026, 11, 1, 9) });
      await archive.flush();
      assert.match(errors[0] ?? "", /EROFS: read-only file system/);
      await archive.stop();
    } finally {
      execFileSync("umount", [dir]);
    }
  });

  it("says a record whose time is no date and writes on: a flush by its timer does not end the process", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const { errors, log } = errorsLogged();
    const archive = new DailyFileChatLog(dir, "s1", log);
    const record = (id: string, ts: number): ChatLogRecord => ({ v: CHAT_LOG_VERSION, id, roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: id, ts });
    archive.publish(record("far", 9e15));
    archive.publish(record("now", Date.UTC(2026, 11, 1, 9)));
    await archive.flush();
    archive.publish(record("later", Date.UTC(2026, 11, 1, 10)));
    await archive.stop();
    assert.deepEqual(errors, ['chat line not archived: its ts is no date {"id":"far","ts":9000000000000000}']);
    const ids = readFileSync(join(dir, "date=2026-12-01", "s1.ndjson"), "utf8").trim().split("\n").map((text) => JSON.parse(text).id);
    assert.deepEqual(ids, ["now", "later"]);
  });

  it("fails an erasure whose copy cannot be made with its error, leaving the file as it was and the archive writing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const folder = join(dir, "date=2026-12-01");
    mkdirSync(folder);
    const file = join(folder, "s1.ndjson");
    const line = JSON.stringify({ v: CHAT_LOG_VERSION, id: "theirs", roomId: "r", serverId: "s1", kind: "player", from: "p", name: "민수", text: "x", ts: Date.UTC(2026, 11, 1, 9), account: "acc-gone" });
    writeFileSync(file, line + "\n");
    mkdirSync(`${file}.erasing`); // where the copy goes, taken: as a read-only folder or one out of inodes refuses it
    const archive = new DailyFileChatLog(dir, "s1", failOnError);
    await assert.rejects(archive.erase("acc-gone"), /EISDIR/);
    assert.equal(readFileSync(file, "utf8"), line + "\n");
    archive.publish({ v: CHAT_LOG_VERSION, id: "after", roomId: "r", serverId: "s1", kind: "player", from: "p", name: "지수", text: "y", ts: Date.UTC(2026, 11, 1, 10) });
    await archive.stop();
    assert.equal(readFileSync(file, "utf8").trim().split("\n").length, 2, "the archive writes on");
  });

  it("answers an erasure request the archive could not carry out with a JSON 500 saying so; asked again once mended, it goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-archive-"));
    const folder = join(dir, "date=2026-12-01");
    mkdirSync(folder);
    const file = join(folder, "test-server.ndjson");
    writeFileSync(file, JSON.stringify({ v: CHAT_LOG_VERSION, id: "theirs", roomId: "r", serverId: "test-server", kind: "player", from: "p", name: "민수", text: "x", ts: Date.UTC(2026, 11, 1, 9), account: "acc-gone" }) + "\n");
    mkdirSync(`${file}.erasing`);
    const archive = new DailyFileChatLog(dir, "test-server", failOnError);
    const world = await startTestWorld({ ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse" }, { chatLog: archive, archive });
    try {
      const erase = () => fetch(`${world.url.replace("ws:", "http:")}/api/erasures`, {
        method: "POST", body: '{"account":"acc-gone"}', headers: { authorization: `Basic ${Buffer.from("ops:correct-horse").toString("base64")}` },
      });
      const failed = await erase();
      assert.equal(failed.status, 500);
      const said = (await failed.json()) as { error: string; details: string };
      assert.match(said.error, /archive files were not erased: ask again/);
      assert.match(said.details, /EISDIR/);
      rmSync(`${file}.erasing`, { recursive: true });
      const done = await erase();
      assert.equal(done.status, 200);
      assert.equal(((await done.json()) as { archivedLines: number }).archivedLines, 1);
    } finally {
      await world.stop();
    }
  });
});
