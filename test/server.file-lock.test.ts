import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, utimesSync, watch, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";

import { FileHeldError, GUARD_STALE_MS, holdFile, LOCK_WATCH_MS, otherHostWatch, takeOver } from "../server/stores/file-lock.js";

const lockText = (pid: number, host = hostname()) => JSON.stringify({ pid, host });
/** The pid of a process that has exited. */
const gonePid = () => Number(spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" }).stdout.trim());
const inNewDir = (name: string) => join(mkdtempSync(join(tmpdir(), "file-lock-")), name);

type Said = { step?: string; ready?: true; held?: true; refused?: string; exited?: number | null };
/** A server starting on `file` in a process of its own (test/helpers/lock-contender.ts), and what it says, in order. */
function contender(file: string, mode: "paused" | "at once") {
  const child = spawn(process.execPath, ["--import", "tsx", "test/helpers/lock-contender.ts", file, mode], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const said: Said[] = [];
  const waiting: Array<(said: Said) => void> = [];
  const hear = (message: Said) => (waiting.length > 0 ? waiting.shift()!(message) : said.push(message));
  child.on("message", hear).on("exit", (code) => hear({ exited: code }));
  return {
    pid: child.pid!,
    next: () => (said.length > 0 ? Promise.resolve(said.shift()!) : new Promise<Said>((resolve) => waiting.push(resolve))),
    go: () => child.send("go"),
    stop: () => child.kill(),
  };
}

describe("taking over a stale lock (server/stores/file-lock.ts)", () => {
  let live: ChildProcess;
  before(() => {
    live = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  });
  after(() => live.kill());

  it("never moves or deletes a lock another process took after this one judged the old one stale", async () => {
    const lock = inNewDir("data.lock");
    const taken = lockText(live.pid!);
    writeFileSync(lock, taken);
    // Each time the lock's name is taken away or put back (a rename, an unlink, a link): a moment without a lock.
    const events: string[] = [];
    const watcher = watch(join(lock, ".."), (event, name) => name === "data.lock" && events.push(event));
    try {
      await takeOver(lock, lockText(gonePid())); // judged stale from what the lock said before
      await new Promise((resolve) => setTimeout(resolve, 100)); // events come on the next turns
    } finally {
      watcher.close();
    }
    assert.deepEqual(events, [], "the live lock stayed in place throughout");
    assert.equal(readFileSync(lock, "utf8"), taken);
    assert.deepEqual(readdirSync(join(lock, "..")), ["data.lock"], "no guard or copy left beside it");
  });

  it("deletes the lock judged stale, and leaves no guard", async () => {
    const lock = inNewDir("data.lock");
    const stale = lockText(gonePid());
    writeFileSync(lock, stale);
    await takeOver(lock, stale);
    assert.deepEqual(readdirSync(join(lock, "..")), []);
  });

  it("leaves the lock to a live process taking it over: the file is held by one process only", async () => {
    const file = inNewDir("data");
    writeFileSync(`${file}.lock`, lockText(gonePid()));
    writeFileSync(`${file}.lock.takeover.1`, lockText(live.pid!));
    await assert.rejects(holdFile(file), (error: Error) => error instanceof FileHeldError);
    assert.deepEqual(readdirSync(join(file, "..")).sort(), ["data.lock", "data.lock.takeover.1"], "the stale lock and that process's guard stay");
  });

  it("gives way where its guard stands beside another's live one (made from a look older than that one)", async () => {
    const file = inNewDir("data");
    writeFileSync(`${file}.lock`, lockText(gonePid()));
    writeFileSync(`${file}.lock.takeover.1`, lockText(live.pid!));
    writeFileSync(`${file}.lock.takeover.2`, lockText(gonePid()));
    await assert.rejects(holdFile(file), (error: Error) => error instanceof FileHeldError);
    assert.deepEqual(readdirSync(join(file, "..")).sort(), ["data.lock", "data.lock.takeover.1", "data.lock.takeover.2"], "its own guard (3) is gone, the rest untouched");
  });

  it("takes over through a guard left for seconds, though its pid names a live process (a crash mid-takeover, the pid reused)", async () => {
    const file = inNewDir("data");
    writeFileSync(`${file}.lock`, lockText(gonePid()));
    writeFileSync(`${file}.lock.takeover.1`, lockText(live.pid!));
    const long = new Date(Date.now() - GUARD_STALE_MS - 1_000);
    utimesSync(`${file}.lock.takeover.1`, long, long);
    const release = await holdFile(file);
    assert.equal(readFileSync(`${file}.lock`, "utf8"), lockText(process.pid));
    assert.deepEqual(readdirSync(join(file, "..")), ["data.lock"], "the left guard is gone, and so is this one's");
    await release();
  });

  it("takes over through the guard of a process that died taking over", async () => {
    const file = inNewDir("data");
    writeFileSync(`${file}.lock`, lockText(gonePid()));
    writeFileSync(`${file}.lock.takeover.1`, lockText(gonePid()));
    const release = await holdFile(file);
    assert.equal(readFileSync(`${file}.lock`, "utf8"), lockText(process.pid));
    assert.deepEqual(readdirSync(join(file, "..")), ["data.lock"]);
    await release();
    assert.deepEqual(readdirSync(join(file, "..")), []);
  });

  describe("servers starting together on a lock whose takeover crashed (processes of their own)", function () {
    this.timeout(30_000);
    const crashedTakeover = () => {
      const file = inNewDir("data");
      writeFileSync(`${file}.lock`, lockText(gonePid()));
      writeFileSync(`${file}.lock.takeover.1`, lockText(gonePid()));
      return file;
    };
    /** The one holding `file`, where each says whether it got it: the lock names it, and no guard is left. */
    const soleHolder = (file: string, starts: Array<{ pid: number; said: Said }>) => {
      const holders = starts.filter(({ said }) => said.held);
      assert.equal(holders.length, 1, `one holder: ${JSON.stringify(starts.map(({ said }) => said))}`);
      for (const { said } of starts) assert.ok(said.held || said.refused?.endsWith("holds it"), JSON.stringify(said));
      assert.equal(readFileSync(`${file}.lock`, "utf8"), lockText(holders[0]!.pid));
      assert.deepEqual(readdirSync(join(file, "..")), ["data.lock"]);
    };

    it("lets one in where two judged the crashed guard dead at once, each then waiting at the worst moment", async () => {
      const file = crashedTakeover();
      const both = [contender(file, "paused"), contender(file, "paused")];
      try {
        // Both have looked at the guard, dead, before either acts: then each in turn takes one step. Before guards
        // were numbered, each deleted the dead guard by name, the second deleting the first's new one, and both got in;
        // each had read the lock as the stale one, and the second deleted the first's new lock and made its own.
        for (const start of both) assert.deepEqual(await start.next(), { step: "guards read" });
        const outcomes = new Map<(typeof both)[number], Said>();
        for (let turn = 0; outcomes.size < both.length; turn++) {
          const start = both[turn % both.length]!;
          if (outcomes.has(start)) continue;
          start.go();
          const said = await start.next();
          if (!said.step) outcomes.set(start, said);
        }
        soleHolder(file, both.map((start) => ({ pid: start.pid, said: outcomes.get(start)! })));
      } finally {
        for (const start of both) start.stop();
      }
    });

    it("lets one of many in, started together", async () => {
      const file = crashedTakeover();
      const many = Array.from({ length: 4 }, () => contender(file, "at once"));
      try {
        for (const start of many) assert.deepEqual(await start.next(), { ready: true });
        for (const start of many) start.go();
        soleHolder(file, await Promise.all(many.map(async (start) => ({ pid: start.pid, said: await start.next() }))));
      } finally {
        for (const start of many) start.stop();
      }
    });
  });
});

describe("another host's lock (server/stores/file-lock.ts)", () => {
  // Watched for a fraction of a second, touched every 20 ms by the "holder" here: as LOCK_WATCH_MS is to LOCK_TOUCH_MS.
  before(() => Object.assign(otherHostWatch, { windowMs: 300, pollMs: 10 }));
  after(() => Object.assign(otherHostWatch, { windowMs: LOCK_WATCH_MS, pollMs: 500 }));
  const realNow = Date.now;
  afterEach(() => (Date.now = realNow));

  it("is kept while its holder touches it, however far ahead this host's wall clock runs", async () => {
    const file = inNewDir("presence.json");
    writeFileSync(`${file}.lock`, lockText(4242, "server-b"));
    const touch = setInterval(() => utimesSync(`${file}.lock`, new Date(), new Date()), 20);
    Date.now = () => realNow() + 70_000; // this host's clock 70 s ahead of the holder's
    try {
      await assert.rejects(holdFile(file), (error) => error instanceof FileHeldError && /server-b/.test(error.holder));
    } finally {
      clearInterval(touch);
    }
    assert.equal(readFileSync(`${file}.lock`, "utf8"), lockText(4242, "server-b"));
  });

  it("is taken over when its holder does not touch it while it is watched, however recent its mtime or behind this clock", async () => {
    const file = inNewDir("presence.json");
    writeFileSync(`${file}.lock`, lockText(4242, "container-before")); // touched just now, by its mtime
    Date.now = () => realNow() - 70_000;
    const release = await holdFile(file);
    assert.equal(readFileSync(`${file}.lock`, "utf8"), lockText(process.pid));
    await release();
  });

  it("costs a lock of this host no watch: a gone process's is taken over at once", async () => {
    Object.assign(otherHostWatch, { windowMs: 60_000 });
    try {
      const file = inNewDir("presence.json");
      writeFileSync(`${file}.lock`, lockText(gonePid()));
      const started = performance.now();
      await (await holdFile(file))();
      assert.ok(performance.now() - started < 1000);
    } finally {
      Object.assign(otherHostWatch, { windowMs: 300 });
    }
  });
});
