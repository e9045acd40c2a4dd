import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";

const CHILD = new URL("./helpers/hang-watch-child.ts", import.meta.url).pathname;
const run = (mode: string) => spawnSync(process.execPath, ["--import", "tsx", CHILD, mode], { encoding: "utf8", timeout: 30_000 });

describe("A Kafka worker's hang watch (its own thread)", () => {
  it("ends the process when a batch stays unanswered in a native call that never returns, and says so on stderr", () => {
    const started = performance.now();
    const { signal, stderr } = run("hang");
    assert.equal(signal, "SIGKILL", stderr);
    assert.ok(performance.now() - started < 15_000, "well before the 20 s call returned");
    const line = JSON.parse(stderr.trim().split("\n").at(-1)!) as { level: string; msg: string; waitedMs: number; service: string };
    assert.equal(line.level, "error");
    assert.match(line.msg, /the NPC brain hangs/);
    assert.equal(line.service, "hang-watch-child");
    assert.ok(line.waitedMs >= 500, String(line.waitedMs));
  });

  it("leaves a process alone whose batches end in time, however long it then blocks with none in flight", () => {
    const { status, signal, stdout, stderr } = run("answers");
    assert.equal(signal, null, stderr);
    assert.equal(status, 0, stderr);
    assert.equal(stdout.trim(), "done");
  });
});
