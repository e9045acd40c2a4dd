import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

import { freePort } from "./helpers/processes.js";

/** The JSON lines `child` writes on stderr until every holder of the pipe has closed it (an orphan included). */
function stderrLines(child: ChildProcess): { ready: Promise<void>; all: Promise<Array<Record<string, unknown>>> } {
  const lines: Array<Record<string, unknown>> = [];
  let onReady: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const input = createInterface({ input: child.stderr! });
  input.on("line", (line) => {
    if (!line.startsWith("{")) return; // npm's own warnings
    const entry = JSON.parse(line) as Record<string, unknown>;
    lines.push(entry);
    if (entry.msg === "ready" || entry.msg === "world server listening") onReady();
  });
  return { ready, all: once(input, "close").then(() => lines) };
}

const run = (env: Record<string, string> = {}) =>
  spawn(process.execPath, ["--import", "tsx", "test/fixtures/stops-slowly.ts"], { env: { ...process.env, npm_lifecycle_event: "", ...env }, stdio: ["ignore", "ignore", "pipe"] });

describe("stopping on a signal (server, NPC worker, chat indexer)", () => {
  it("takes one signal delivered twice at once (tsx's relay did) as one: the stop finishes, exit 0", async () => {
    const child = run();
    const { ready, all } = stderrLines(child);
    await ready;
    child.kill("SIGINT");
    setTimeout(() => child.kill("SIGINT"), 30);
    const [code] = (await once(child, "exit")) as [number];
    const messages = (await all).map((line) => line.msg);
    assert.equal(code, 0);
    assert.deepEqual(messages, ["ready", "stopping", "stopped"]);
  });

  it("exits at once on another signal during the stop, or the same one a second later", async () => {
    for (const [first, second, after] of [["SIGINT", "SIGTERM", 30], ["SIGTERM", "SIGTERM", 1200]] as const) {
      const child = run({ STOP_MS: "5000" });
      const { ready, all } = stderrLines(child);
      await ready;
      child.kill(first);
      setTimeout(() => child.kill(second), after);
      const [code] = (await once(child, "exit")) as [number];
      assert.equal(code, 1, `${first} then ${second}`);
      assert.deepEqual((await all).map((line) => line.msg), ["ready", "stopping", "second signal: exiting now"]);
    }
  });

  it("stops when npm goes: a SIGTERM to `npm start` (which its `sh -c` does not pass on) stops the server, its answers and clients seen to", async function () {
    this.timeout(90_000);
    const port = await freePort();
    const npm = spawn("npm", ["start"], { env: { ...process.env, PORT: String(port), LOG_LEVEL: "info", DATA_DIR: "off" }, stdio: ["ignore", "ignore", "pipe"] });
    const { ready, all } = stderrLines(npm);
    await ready;
    npm.kill("SIGTERM");
    // The server itself holds the pipe until it exits: its lines end when it does.
    const lines = await all;
    const messages = lines.map((line) => line.msg);
    assert.ok(messages.includes("world server stopped"), messages.join(" | "));
    assert.deepEqual(lines.find((line) => line.msg === "stopping")?.signal, "npm gone");
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), "the port is let go");
  });
});
