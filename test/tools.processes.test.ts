import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ephemeralPortsFrom, freePort, startService, stopServicesLeft } from "../tools/processes.js";

describe("ports for services the tests and benchmarks start (tools/processes.ts)", () => {
  it("picks free ports below the range the kernel gives outgoing connections, which could take one before its service binds it", async () => {
    const low = ephemeralPortsFrom();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      // A range from below 20,000 leaves too few ports under it: listen(0)'s pick, as before.
      if (low >= 20_000) assert.ok(port >= 10_000 && port < low, `${port} is below ${low}`);
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("services the tests and benchmarks start (tools/processes.ts startService)", () => {
  const scratch = mkdtempSync(join(tmpdir(), "processes-test-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** A service started on test/helpers/state-dir-main.ts: it and the NPC_WORKER_STATE_DIR and DATA_DIR it was given. */
  const started = async (name: string, env: Record<string, string> = {}) => {
    const report = join(scratch, `${name}.json`);
    const service = await startService(name, "test/helpers/state-dir-main.ts", { ...env, STATE_DIR_REPORT: report }, "state kept");
    const { stateDir, dataDir } = JSON.parse(readFileSync(report, "utf8")) as { stateDir: string; dataDir: string };
    return { service, stateDir, dataDir };
  };

  it("gives each a worker state folder of its own, removed when it exits: no test's recorded deaths reach another's worker", async () => {
    const first = await started("state-dir-first");
    const second = await started("state-dir-second");
    try {
      assert.notEqual(first.stateDir, "", "a folder given, not the default under kobot-npc-worker/");
      assert.notEqual(first.stateDir, second.stateDir);
      for (const { stateDir } of [first, second]) assert.ok(existsSync(join(stateDir, "worker-0.json")), `${stateDir} holds what it wrote`);
    } finally {
      await Promise.all([first.service.stop(), second.service.stop()]);
    }
    for (const { stateDir } of [first, second]) assert.ok(!existsSync(stateDir), `${stateDir} removed`);
  });

  it("keeps the folder a test names, as a restarted worker would find its predecessor's", async () => {
    const named = join(scratch, "named-state");
    const { service, stateDir } = await started("state-dir-named", { NPC_WORKER_STATE_DIR: named });
    await service.stop();
    assert.equal(stateDir, named);
    assert.ok(existsSync(join(named, "worker-0.json")));
  });

  it("gives each a DATA_DIR of its own, removed when it exits, and keeps one a test names to read after", async () => {
    const own = await started("data-dir-own");
    assert.ok(existsSync(join(own.dataDir, "moderation.json")), `${own.dataDir} holds what it wrote`);
    await own.service.stop();
    assert.ok(!existsSync(own.dataDir), `${own.dataDir} removed`);

    const named = join(scratch, "named-data");
    mkdirSync(named);
    const { service, dataDir } = await started("data-dir-named", { DATA_DIR: named });
    await service.stop();
    assert.equal(dataDir, named);
    assert.ok(existsSync(join(named, "moderation.json")));
    assert.deepEqual(readdirSync(tmpdir()).filter((entry) => entry.startsWith("data-dir-named-data-")), [], "none made where one is named");
  });

  it("stops the services a test left running and names them, so the run ends (mocha waited on their pipes for good)", async () => {
    const stopped = await started("left-stopped");
    await stopped.service.stop();
    const left = await started("left-running");
    assert.deepEqual(await stopServicesLeft(), ["left-running"], "only the one still running");
    assert.notEqual(left.service.process.exitCode ?? left.service.process.signalCode, null, "it exited");
    assert.deepEqual(await stopServicesLeft(), [], "nothing left after");
  });

  it("stops one still starting too (a before hook that timed out left it), and its start fails saying so", async () => {
    const report = join(scratch, "left-starting.json");
    // state-dir-main.ts says "state kept", never this: it runs, not ready, until stopped.
    const starting = startService("left-starting", "test/helpers/state-dir-main.ts", { STATE_DIR_REPORT: report }, "never said");
    const failed = starting.then(() => undefined, (error: Error) => error);
    for (let waited = 0; !existsSync(report); waited += 50) {
      assert.ok(waited < 30_000, "the service started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(await stopServicesLeft(), ["left-starting"]);
    assert.match(String((await failed)?.message), /left-starting exited with .* before it was ready/);
    assert.deepEqual(await stopServicesLeft(), [], "nothing left after");
  });
});
