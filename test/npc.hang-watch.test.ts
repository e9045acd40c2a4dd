import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CHILD = new URL("./helpers/hang-watch-child.ts", import.meta.url).pathname;
const run = (mode: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ["--import", "tsx", CHILD, mode], { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...env } });

/** libfaketime (Debian's faketime, which .ci/run installs): the wall clock moved while the monotonic one runs on. */
const FAKETIME = ["x86_64-linux-gnu", "aarch64-linux-gnu"].map((arch) => `/usr/lib/${arch}/faketime/libfaketimeMT.so.1`).find(existsSync);
const withClockStep = (step: string) => {
  const file = join(mkdtempSync(join(tmpdir(), "clock-step-")), "faketime");
  writeFileSync(file, "+0s");
  return { LD_PRELOAD: FAKETIME!, FAKETIME_TIMESTAMP_FILE: file, FAKETIME_NO_CACHE: "1", DONT_FAKE_MONOTONIC: "1", CLOCK_STEP: step };
};

describe("A Kafka worker's hang watch (its own thread)", () => {
  it("ends the process when a batch stays unanswered in a native call that never returns, and says so on stderr", () => {
    const { signal, stdout, stderr } = run("hang");
    assert.equal(signal, "SIGKILL", stderr);
    // By what the child said, not by this machine's clock: a process ended after its 20 s call would have said so.
    assert.equal(stdout, "", "ended before the 20 s call returned");
    const line = JSON.parse(stderr.trim().split("\n").at(-1)!) as { level: string; msg: string; waitedMs: number; service: string };
    assert.equal(line.level, "error");
    assert.match(line.msg, /the NPC brain hangs: a batch unanswered/);
    assert.equal(line.service, "hang-watch-child");
    assert.ok(line.waitedMs >= 500, String(line.waitedMs));
  });

  it("leaves a process alone whose batches end in time, however long it then blocks with none in flight", () => {
    const { status, signal, stdout, stderr } = run("answers");
    assert.equal(signal, null, stderr);
    assert.equal(status, 0, stderr);
    assert.equal(stdout.trim(), "done");
  });

  it("ends the process when its models' load and warm-up does not end in its own time, and says so", () => {
    const { signal, stdout, stderr } = run("load");
    assert.equal(signal, "SIGKILL", stderr);
    assert.equal(stdout, "", "ended before the 20 s call returned (then it says done)");
    const line = JSON.parse(stderr.trim().split("\n").at(-1)!) as { msg: string; waitedMs: number };
    assert.match(line.msg, /the NPC brain hangs: its models' load and warm-up unfinished/);
    assert.ok(line.waitedMs >= 1_000, String(line.waitedMs));
  });

  it("gives a load longer than a batch may take its own time", () => {
    const { status, signal, stdout, stderr } = run("loaded");
    assert.equal(signal, null, stderr);
    assert.equal(status, 0, stderr);
    assert.equal(stdout.trim(), "done");
  });

  describe("with the wall clock stepped (ntpd setting a drifted clock, a VM resumed)", function () {
    before(function () {
      if (!FAKETIME) this.skip(); // no libfaketime here: .ci/run installs it
    });

    it("leaves batches that end in time alone when the clock jumps a minute ahead", () => {
      const { status, signal, stderr } = run("answers", withClockStep("+60s"));
      assert.equal(signal, null, stderr);
      assert.equal(status, 0, stderr);
    });

    it("still ends a hung process in its time when the clock steps ten minutes back", () => {
      const { signal, stdout, stderr } = run("hang", withClockStep("-600s"));
      assert.equal(signal, "SIGKILL", stderr);
      assert.equal(stdout, "", "ended before the 20 s call returned");
    });
  });
});
