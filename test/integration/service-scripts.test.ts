import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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
});
