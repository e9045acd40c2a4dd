import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

describe("service scripts (scripts/*-local.sh)", () => {
  it("redis-local.sh refuses a port another Redis answers on, rather than handing that one to the tests", async () => {
    const port = new URL(process.env.TEST_REDIS_URL!).port;
    const dir = mkdtempSync(join(tmpdir(), "kobot-redis-second-"));
    try {
      const started = run("bash", ["scripts/redis-local.sh", "start", dir, port], { timeout: 30_000 });
      await assert.rejects(started, (error: Error & { stdout: string; stderr: string }) => {
        assert.equal(error.stdout, "", "no address printed");
        assert.match(error.stderr, new RegExp(`redis did not answer on port ${port}`));
        return true;
      });
    } finally {
      await run("bash", ["scripts/redis-local.sh", "stop", dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("redis-local.sh refuses a second start in a folder whose Redis still runs", async () => {
    await assert.rejects(run("bash", ["scripts/redis-local.sh", "start", process.env.TEST_REDIS_DIR!]), /already runs \(pid \d+\): stop it first/);
  });

  it("maven_fetch (service-lib.sh) does not keep what a fetch cut off left: the next fetch gets every file whole", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-fetch-"));
    try {
      // Stands in for Maven: cut off the first time, half a jar written; like copy-dependencies, it skips a file there.
      writeFileSync(
        join(dir, "mvn"),
        `#!/usr/bin/env bash
out=$(printf '%s\n' "$@" | sed -n 's/^-DoutputDirectory=//p')
if [[ ! -f ${JSON.stringify(join(dir, "cut"))} ]]; then touch ${JSON.stringify(join(dir, "cut"))}; printf half > "$out/a.jar"; exit 1; fi
[[ -f "$out/a.jar" ]] || printf whole > "$out/a.jar"
`,
      );
      chmodSync(join(dir, "mvn"), 0o755);
      const fetch = () => run("bash", ["-c", `source scripts/service-lib.sh && maven_fetch "$1/libs" g:a:1`, "fetch", dir], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      await assert.rejects(fetch());
      await fetch();
      assert.equal(readFileSync(join(dir, "libs", "a.jar"), "utf8"), "whole");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("nginx-local.sh starts in a folder with a space in its name, and refuses a second start there (the first ran on, unrecorded)", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "kobot-nginx-")), "with space");
    const start = () => run("bash", ["scripts/nginx-local.sh", "start", dir, "ops/nginx/world.conf.template"], { env: { ...process.env, KOBOT_WORLD_SERVER: "127.0.0.1:1" } });
    try {
      const port = Number((await start()).stdout.trim());
      assert.ok(port > 0);
      await assert.rejects(start(), /nginx from .*with space already runs \(pid \d+\): stop it first/);
      await run("bash", ["scripts/nginx-local.sh", "stop", dir]);
      await assert.rejects(fetch(`http://127.0.0.1:${port}/`), "nothing left listening");
    } finally {
      await run("bash", ["scripts/nginx-local.sh", "stop", dir]);
      rmSync(join(dir, ".."), { recursive: true, force: true });
    }
  });

  it("hdfs-local.sh starts on a DIR whose first start was stopped during its format, keeps its port on a restart, and refuses a DIR with a space", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-hdfs-"));
    const hdfs = (...args: string[]) => run("bash", ["scripts/hdfs-local.sh", ...args], { timeout: 180_000 });
    try {
      // What a start stopped mid-format leaves: the name folder with a checkpoint being written, no image.
      mkdirSync(join(dir, "data", "name-0-1", "current"), { recursive: true });
      writeFileSync(join(dir, "data", "name-0-1", "current", "fsimage.ckpt_0000000000000000000"), "");
      const first = (await hdfs("start", dir)).stdout.trim();
      assert.match(first, /^hdfs:\/\/127\.0\.0\.1:\d+$/);
      await hdfs("stop", dir);
      assert.equal((await hdfs("start", dir)).stdout.trim(), first, "the same address again");
      await hdfs("stop", dir);
      await assert.rejects(hdfs("start", join(dir, "with space")), /cannot hold a space/);
    } finally {
      await hdfs("stop", dir);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
