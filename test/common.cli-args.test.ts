import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";

import { argsOr, usageOf } from "../common/cli-args.js";

describe("command-line options of the npm scripts", () => {
  it("writes a usage from the options: each with its default, a path relative to where it runs", () => {
    const usage = usageOf("npm run bench:x", {
      options: { seconds: { type: "string", default: "30" }, out: { type: "string", default: `${process.cwd()}/bench/results/x.json` }, only: { type: "string", multiple: true }, kafka: { type: "boolean" } },
      allowPositionals: true,
    });
    assert.equal(usage, "usage: npm run bench:x -- [--seconds 30] [--out bench/results/x.json] [--only VALUE]… [--kafka] [ARG…]");
    assert.equal(usageOf("npm run y", { options: {} }), "usage: npm run y");
  });

  it("answers --help with the usage and a mistyped option with it and exit 2, no stack (a benchmark, the Unity codegen)", async () => {
    const run = (script: string, arg: string) =>
      promisify(execFile)("node_modules/.bin/tsx", [script, arg]).then(
        ({ stderr }) => ({ code: 0, stderr }),
        (error: { code: number; stderr: string }) => error,
      );
    // After `--` it is an argument: `npm run ask -- -- -h` asks "-h".
    assert.deepEqual(argsOr("usage", { args: ["--", "-h"], allowPositionals: true }).positionals, ["-h"]);
    const help = await run("bench/smoke.ts", "--help");
    assert.deepEqual(help, { code: 0, stderr: "usage: npm run bench:smoke -- [--only VALUE]\n" });
    const typo = await run("unity-client/codegen.ts", "--outt=x");
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /^Unknown option '--outt'.*\nusage: npm run schema:unity -- \[--out unity-client\/Assets\/Scripts\]\n$/s);
  });

  it("leaves no script to Node's parseArgs, which throws a stack at a mistyped option", () => {
    const direct = spawnSync("git", ["grep", "-l", "parseArgs(", "--", "*.ts", ":!common/cli-args.ts", ":!test/"], { encoding: "utf8" }).stdout.trim();
    assert.equal(direct, "", "call commandArgs or argsOr (common/cli-args.ts)");
  });
});
