import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

import { LocalPresence } from "@colyseus/core";

import { ProcessPresence } from "../server/stores/local-presence.js";

/** Runs `body` (module code with ProcessPresence or LocalPresence in scope) in a process of its own; whether it ended within 8 s. */
function endsOnItsOwn(presence: "ProcessPresence" | "LocalPresence", body: string): boolean {
  const imports =
    presence === "ProcessPresence" ? `import { ProcessPresence } from "./server/stores/local-presence.ts";` : `import { LocalPresence } from "@colyseus/core";`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `${imports}\nconst presence = new ${presence}();\n${body}`], { timeout: 8_000, encoding: "utf8" });
  assert.equal(run.stderr.trim(), "");
  return run.signal === null && run.status === 0;
}

describe("the in-process presence (server/stores/local-presence.ts)", () => {
  const hourLong = `await presence.setex("mute:acc-1", "1", 3600);\nawait presence.hincrbyex("seats", "room-1", 1, 3600);`;

  it("lets a process end whose keys expire in an hour: a test run waited minutes after its results for a mute's key", () => {
    assert.equal(endsOnItsOwn("LocalPresence", hourLong), false, "Colyseus's own keeps it up (what this class is for)");
    assert.equal(endsOnItsOwn("ProcessPresence", hourLong), true);
  });

  it("still expires keys while the process runs, and a key set again keeps its newest time", async () => {
    const presence = new ProcessPresence();
    await presence.setex("a", "1", 1);
    await presence.setex("b", "1", 1);
    await presence.setex("b", "2", 60);
    await presence.hincrbyex("h", "f", 2, 1);
    await sleep(1300);
    assert.equal(await presence.get("a"), undefined);
    assert.equal(await presence.get("b"), "2");
    assert.deepEqual(await presence.hgetall("h"), {});
    assert.ok(presence instanceof LocalPresence);
  });
});
