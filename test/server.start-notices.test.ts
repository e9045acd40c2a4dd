import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

import { sleep } from "./helpers/world.js";

/** What server/main.ts logs as it starts with `env`: its JSON lines up to a moment after it listens. */
async function startLines(env: Record<string, string>): Promise<{ level: string; msg: string }[]> {
  const port = 26000 + Math.floor(Math.random() * 30000);
  const base = { PORT: String(port), HOST: "127.0.0.1", DATA_DIR: "off", WORLD_FILE: "off", MODEL_DIR: "/nowhere", LOG_LEVEL: "info" };
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AUTH_|METRICS_TOKEN|ADMIN_)/.test(name)));
  const child = spawn("node_modules/.bin/tsx", ["server/main.ts"], { env: { ...inherited, ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on("line", (line) => lines.push(line));
  try {
    const deadline = performance.now() + 40_000;
    while (!lines.some((line) => line.includes('"msg":"world server listening"'))) {
      assert.ok(performance.now() < deadline && child.exitCode === null, `not listening:\n${lines.join("\n")}`);
      await sleep(200);
    }
    await sleep(1000); // the notices after it
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as { level: string; msg: string }];
    } catch {
      return [];
    }
  });
}

describe("What the server says at start about doors left open (server/main.ts)", function () {
  this.timeout(120_000);

  it("warns once that sign-in is off with AUTH_SECRET blank or unset, and says /metrics is public without METRICS_TOKEN", async () => {
    // "": what docker-compose.yml passes (`${AUTH_SECRET:-}`) when nobody set one, so no "set but blank" blaming the operator.
    const envs: Record<string, string>[] = [{}, { AUTH_SECRET: " " }, { AUTH_SECRET: "" }];
    for (const env of envs) {
      const lines = await startLines(env);
      const signIn = lines.filter((line) => line.msg.startsWith("sign-in is off"));
      assert.equal(signIn.length, 1, `${JSON.stringify(env)}: ${JSON.stringify(signIn)}`);
      assert.equal(signIn[0]!.level, "warn");
      assert.match(signIn[0]!.msg, /anyone joins as a guest/);
      assert.match(signIn[0]!.msg, /AUTH_SECRET and AUTH_PUBLIC_KEY_FILE unset or blank/, "unset and blank said alike");
      assert.doesNotMatch(signIn[0]!.msg, /set but blank/);
      const metrics = lines.filter((line) => line.msg.startsWith("/metrics is public"));
      assert.equal(metrics.length, 1);
      assert.equal(metrics[0]!.level, "info");
    }
  });

  it("says neither with AUTH_SECRET and METRICS_TOKEN set", async () => {
    const lines = await startLines({ AUTH_SECRET: "a secret the game's login and this server share", METRICS_TOKEN: "a-scrapers-token-0123" });
    assert.ok(lines.some((line) => line.msg === "world server listening"));
    assert.deepEqual(lines.filter((line) => /sign-in is off|\/metrics is public/.test(line.msg)), []);
  });
});
