import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";

import { createLogger } from "../common/log.js";
import { traceOf } from "../npc/worker/brain-killers.js";
import { InFlightRecord, type RunningQuestion } from "../npc/worker/in-flight-record.js";

const running = (questionId: string, text: string, model = "npc/model"): RunningQuestion => ({ questionId, model, ...traceOf(text) });

/** A logger that keeps its lines. */
function keptLog() {
  const lines: { level: string; msg: string }[] = [];
  return { lines, log: createLogger({}, "debug", (line) => lines.push(JSON.parse(line))) };
}

/**
 * A worker that dies with `questions` in flight: the record is left as a killed process leaves it (its lock let go, as
 * a dead process's is taken over).
 */
async function diesWith(dir: string, questions: RunningQuestion[], log = keptLog().log): Promise<void> {
  const record = await InFlightRecord.open(dir, log);
  record.runs(questions);
  await record.close();
}

/** The in-flight files of slot 0 in `dir`, by name: one a batch running. */
const batchFiles = (dir: string) => readdirSync(dir).filter((name) => /^worker-0\.\d+\.json$/.test(name)).sort();

describe("InFlightRecord (what a Kafka worker's brain runs, kept past the process's death)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "in-flight-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a batch's questions by id, model and hash while it runs, never the text, and takes them out as it ends", async () => {
    const record = await InFlightRecord.open(dir, keptLog().log);
    const done = record.runs([running("q1", "죽어"), running("q2", "배고파")]);
    assert.equal(batchFiles(dir).length, 1);
    const file = join(dir, batchFiles(dir)[0]!);
    const written = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(written.questions.map((q: RunningQuestion) => q.questionId), ["q1", "q2"]);
    assert.equal(written.questions[0].textHash, traceOf("죽어").textHash);
    assert.ok(!readFileSync(file, "utf8").includes("죽어"));
    done();
    assert.deepEqual(batchFiles(dir), [], "nothing running: no file");
    await record.close();
  });

  it("leaves a running batch's file untouched when another batch ends, and counts its questions at a death", async () => {
    const record = await InFlightRecord.open(dir, keptLog().log);
    record.runs([running("q1", "죽어")]);
    const inodes = new Map(batchFiles(dir).map((name) => [name, statSync(join(dir, name)).ino]));
    const other = record.runs([running("q2", "배고파")]);
    other();
    const left = batchFiles(dir);
    assert.equal(left.length, 1);
    assert.equal(statSync(join(dir, left[0]!)).ino, inodes.get(left[0]!), "the batch still running: its file not rewritten");
    await record.close(); // dies with the first batch running

    const reopened = await InFlightRecord.open(dir, keptLog().log);
    assert.equal(reopened.verdict("npc/model", "죽어"), "suspect");
    assert.equal(reopened.verdict("npc/model", "배고파"), undefined, "its batch had ended");
    assert.deepEqual(batchFiles(dir), [], "counted and taken out");
    await reopened.close();
  });

  it("counts what a worker upgraded in place left in the single file of before, beside its batches' files", async () => {
    writeFileSync(join(dir, "worker-0.json"), JSON.stringify({ v: 1, questions: [running("q0", "안녕")] }));
    writeFileSync(join(dir, "worker-0.4.json"), JSON.stringify({ v: 1, questions: [running("q1", "죽어")] }));
    writeFileSync(join(dir, "worker-0.5.json.tmp"), '{"v":1,"questions":[{"questionId":"q2"');
    const record = await InFlightRecord.open(dir, keptLog().log);
    assert.equal(record.verdict("npc/model", "안녕"), "suspect");
    assert.equal(record.verdict("npc/model", "죽어"), "suspect");
    assert.deepEqual(readdirSync(dir).filter((name) => name.startsWith("worker-0") && !name.endsWith(".lock")), [], "all taken out");
    await record.close();
  });

  it("makes a text in flight at one death a suspect, and at a second a killer, known to every restart after", async () => {
    await diesWith(dir, [running("q1", "죽어"), running("q2", "배고파")]);
    const second = keptLog();
    let record = await InFlightRecord.open(dir, second.log);
    assert.ok(second.lines.some(({ level, msg }) => level === "warn" && /died with questions in flight/.test(msg)));
    assert.equal(record.verdict("npc/model", "죽어"), "suspect");
    assert.equal(record.verdict("npc/model", " 죽\u200b어"), "suspect", "as the brain reads it");
    assert.equal(record.verdict("models/big", "죽어"), undefined, "another model's");
    // The suspect ran alone and the process died again.
    record.runs([running("q1", "죽어")]);
    await record.close();

    const third = keptLog();
    record = await InFlightRecord.open(dir, third.log);
    assert.ok(third.lines.some(({ level, msg }) => level === "error" && /two deaths/.test(msg)));
    assert.deepEqual(record.verdict("npc/model", "죽어"), { killer: { firstRefusal: true } });
    assert.deepEqual(record.verdict("npc/model", "죽어"), { killer: { firstRefusal: false } });
    assert.equal(record.verdict("npc/model", "배고파"), "suspect", "its batch-mate died once");
    await record.close();

    record = await InFlightRecord.open(dir, keptLog().log);
    assert.deepEqual(record.verdict("npc/model", "죽어"), { killer: { firstRefusal: true } }, "a clean restart still knows it");
    await record.close();
  });

  it("clears a suspect answered alone, and forgets deaths older than an hour", async () => {
    let now = Date.now();
    await diesWith(dir, [running("q1", "배고파"), running("q2", "죽어")]);
    const record = await InFlightRecord.open(dir, keptLog().log, () => now);
    record.answeredAlone(running("q1", "배고파"));
    assert.equal(record.verdict("npc/model", "배고파"), undefined);
    assert.equal(record.verdict("npc/model", "죽어"), "suspect");
    now += 61 * 60_000;
    assert.equal(record.verdict("npc/model", "죽어"), undefined);
    await record.close();
  });

  it("calls a text a killer alike in a running worker and one started later, for an hour past its second death", async () => {
    const t0 = Date.now();
    let now = t0;
    const clock = () => now;
    const minutes = (m: number) => t0 + m * 60_000;
    // Each worker dies with it in flight; the next, started at `at`, counts that death.
    const restartsAndDies = async (at: number) => {
      now = at;
      const record = await InFlightRecord.open(dir, keptLog().log, clock);
      record.runs([running("q", "죽어")]);
      await record.close();
    };
    await restartsAndDies(minutes(-1));
    await restartsAndDies(minutes(0)); // death 1 counted
    now = minutes(50);
    const running_ = await InFlightRecord.open(dir, keptLog().log, clock); // counts death 2, and runs on
    for (const at of [61, 109]) {
      now = minutes(at);
      const fresh = await InFlightRecord.open(dir, keptLog().log, clock); // started past the first death's hour
      running_.refresh();
      assert.ok(typeof running_.verdict("npc/model", "죽어") === "object", `the running worker at ${at} min`);
      assert.ok(typeof fresh.verdict("npc/model", "죽어") === "object", `a worker started at ${at} min`);
      await fresh.close();
    }
    now = minutes(111);
    const late = await InFlightRecord.open(dir, keptLog().log, clock);
    assert.equal(running_.verdict("npc/model", "죽어"), undefined, "forgotten an hour after its second death");
    assert.equal(late.verdict("npc/model", "죽어"), undefined);
    await late.close();
    await running_.close();
  });

  it("makes a text whose two deaths were more than an hour apart a suspect again, not a killer", async () => {
    const t0 = Date.now();
    let now = t0;
    for (const at of [-1, 0]) {
      now = t0 + at * 60_000;
      const record = await InFlightRecord.open(dir, keptLog().log, () => now);
      record.runs([running("q", "죽어")]);
      await record.close();
    }
    now = t0 + 70 * 60_000;
    const record = await InFlightRecord.open(dir, keptLog().log, () => now); // deaths counted at 0 and 70 min
    assert.equal(record.verdict("npc/model", "죽어"), "suspect");
    await record.close();
  });

  it("takes a slot no live worker holds, and hears of the deaths another worker counted", async () => {
    // Slot 0 is a live process's (this one's parent): its in-flight file is not this worker's to count.
    writeFileSync(join(dir, "worker-0.json.lock"), JSON.stringify({ pid: process.ppid, host: hostname() }));
    writeFileSync(join(dir, "worker-0.json"), JSON.stringify({ v: 1, questions: [running("q0", "안녕")] }));
    const record = await InFlightRecord.open(dir, keptLog().log);
    assert.equal(record.verdict("npc/model", "안녕"), undefined);
    const done = record.runs([running("q1", "배고파")]);
    assert.ok(existsSync(join(dir, "worker-1.0.json")));
    done();
    // Another worker's restart counts a death.
    const death = { model: "npc/model", textHash: traceOf("죽어").textHash, at: Date.now(), what: "death" };
    writeFileSync(join(dir, "deaths", "worker-0.json"), JSON.stringify({ v: 1, events: [death] }));
    record.refresh();
    assert.equal(record.verdict("npc/model", "죽어"), "suspect");
    await record.close();
  });

  it("makes two questions of one text in flight at one death a suspect, not a killer", async () => {
    await diesWith(dir, [running("q1", "죽어"), running("q2", "죽어")]);
    const record = await InFlightRecord.open(dir, keptLog().log);
    record.refresh();
    assert.equal(record.verdict("npc/model", "죽어"), "suspect");
    await record.close();
  });

  it("keeps the newest deaths past 1,000 events, dropping the oldest", async () => {
    mkdirSync(join(dir, "deaths"));
    const now = Date.now();
    const events = Array.from({ length: 1_000 }, (_, i) => ({ model: "npc/model", textHash: `old${i}`, at: now - 1_000 + i, what: "answered" }));
    writeFileSync(join(dir, "deaths", "worker-0.json"), JSON.stringify({ v: 1, events }));
    writeFileSync(join(dir, "worker-0.json"), JSON.stringify({ v: 1, questions: [running("q1", "죽어")] })); // its death: event 1,001
    const record = await InFlightRecord.open(dir, keptLog().log);
    assert.equal(record.verdict("npc/model", "죽어"), "suspect");
    await record.close();
  });

  it("folds the events of several workers' files in time order", async () => {
    mkdirSync(join(dir, "deaths"));
    const now = Date.now();
    const textHash = traceOf("죽어").textHash;
    // Out of time order, as two files' events are when read one after the other.
    writeFileSync(join(dir, "deaths", "worker-7.json"), JSON.stringify({ v: 1, events: [
      { model: "npc/model", textHash, at: now - 100, what: "answered" },
      { model: "npc/model", textHash, at: now - 200, what: "death" },
    ] }));
    const record = await InFlightRecord.open(dir, keptLog().log);
    assert.equal(record.verdict("npc/model", "죽어"), undefined, "answered alone after its death: cleared");
    await record.close();
  });

  it("ignores a torn or missing file with a warning, not a crash", async () => {
    const { lines, log } = keptLog();
    writeFileSync(join(dir, "worker-0.json"), '{"v":1,"questions":[{"questionId":"q1","mod');
    const record = await InFlightRecord.open(dir, log);
    assert.equal(record.verdict("npc/model", "죽어"), undefined);
    assert.ok(lines.some(({ level, msg }) => level === "warn" && /could not be read/.test(msg)));
    await record.close();

    writeFileSync(join(dir, "deaths", "worker-3.json"), "{\"v\":1,\"events\":[{\"model\":");
    await diesWith(dir, [running("q1", "죽어")]);
    const reopened = await InFlightRecord.open(dir, log);
    assert.equal(reopened.verdict("npc/model", "죽어"), "suspect", "the other slots' deaths still count");
    await reopened.close();
  });

  it("lets the worker start without it, with an error naming NPC_WORKER_STATE_DIR, where its folder cannot be written", async () => {
    const { lines, log } = keptLog();
    // Under a regular file: ENOTDIR even for root, whom a read-only mode does not stop.
    const file = join(dir, "a-file");
    writeFileSync(file, "");
    assert.equal(await InFlightRecord.openIfWritable(join(file, "state"), log), undefined);
    const said = lines.filter(({ level, msg }) => level === "error" && /NPC_WORKER_STATE_DIR.*off/.test(msg));
    assert.equal(said.length, 1);
    const record = await InFlightRecord.openIfWritable(dir, log);
    assert.ok(record, "a folder it can write is opened");
    await record.close();
  });

  it("lets the brain run, with an error said, when its folder fails while the worker runs", async () => {
    const { lines, log } = keptLog();
    const record = await InFlightRecord.open(dir, log);
    rmSync(dir, { recursive: true });
    record.refresh();
    record.runs([running("q1", "배고파")])();
    assert.equal(lines.filter(({ level, msg }) => level === "error" && /state folder failed/.test(msg)).length, 2, "read and write, each once in 10 s");
    await record.close().catch(() => undefined);
  });
});
