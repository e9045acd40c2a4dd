import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";

import { processAlive } from "../common/process-alive.js";

describe("whether a process runs (a lock's holder, a model copy's owner)", () => {
  it("is this process, and one that runs as another user (EPERM: there, not ours to signal)", () => {
    assert.equal(processAlive(process.pid), true);
    assert.equal(processAlive(1), true, "init: EPERM unless root, which may signal it");
  });

  it("is not a process that ended (ESRCH)", async () => {
    const child = spawn(process.execPath, ["-e", ""]);
    await once(child, "exit");
    assert.equal(processAlive(child.pid!), false);
  });

  it("is no process for what is not a pid: kill(0) and kill(-1) ask about groups and say yes", () => {
    for (const pid of [0, -1, 1.5, Number.NaN, Infinity]) assert.equal(processAlive(pid), false, String(pid));
  });
});
