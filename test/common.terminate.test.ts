import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

import { freePort } from "../tools/processes.js";

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

  it("takes a SIGTERM just after a Ctrl-C as the same stop (a parent in the group stopping its server), and exits at once on a signal a second later", async () => {
    for (const [first, second, after, code] of [["SIGINT", "SIGTERM", 30, 0], ["SIGTERM", "SIGINT", 1200, 1]] as const) {
      const child = run({ STOP_MS: "2000" });
      const { ready, all } = stderrLines(child);
      await ready;
      child.kill(first);
      setTimeout(() => child.kill(second), after);
      const [exitCode] = (await once(child, "exit")) as [number];
      assert.equal(exitCode, code, `${first} then ${second} ${after} ms later`);
      const messages = (await all).map((line) => line.msg);
      assert.deepEqual(messages, ["ready", "stopping", code === 0 ? "stopped" : "second signal: exiting now"]);
    }
  });

  it("stops when npm's shell goes while it is still starting (waiting for Redis or Kafka), before it could take signals", async () => {
    // As npm runs a script: a shell whose child this is; the shell killed, as npm's SIGTERM kills it.
    const shell = spawn("sh", ["-c", `"${process.execPath}" --import tsx test/fixtures/stops-slowly.ts; true`], {
      env: { ...process.env, npm_lifecycle_event: "start", STARTING_MS: "3000" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const { all } = stderrLines(shell);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // started, not yet serving
    shell.kill("SIGKILL");
    const messages = (await all).map((line) => line.msg);
    assert.ok(!messages.includes("ready"), `it went on to serve: ${messages.join(" | ")}`);
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
    assert.deepEqual(lines.find((line) => line.msg === "stopping")?.why, "npm's shell is gone");
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), "the port is let go");
  });
});
