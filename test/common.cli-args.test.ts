import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";

import { argsOr, numberOption, OptionError, usageOf } from "../common/cli-args.js";

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

  it("reads an option's number within its rule, and refuses '', a word, Infinity or one outside the rule naming the option", () => {
    const values = { bots: "200", rate: "0.5", empty: "", spaces: " ", word: "many", huge: "1e999", flag: true };
    assert.equal(numberOption(values, "bots", { integer: true, min: 1 }), 200);
    assert.equal(numberOption(values, "rate", { min: 0, max: 1 }), 0.5);
    const refused = (name: string, rule: Parameters<typeof numberOption>[2], said: string) =>
      assert.throws(() => numberOption(values, name, rule), (error: Error) => error instanceof OptionError && error.message === said, name);
    refused("empty", {}, '--empty needs a number, got ""'); // Number("") is 0: a load test of no bots
    refused("spaces", { min: 0 }, '--spaces needs a number ≥ 0, got " "');
    refused("word", {}, '--word needs a number, got "many"');
    refused("huge", { max: 10 }, '--huge needs a number ≤ 10, got "1e999"');
    refused("rate", { integer: true }, '--rate needs a whole number, got "0.5"');
    refused("bots", { min: 0, max: 1 }, '--bots needs a number from 0 to 1, got "200"');
    refused("flag", {}, "--flag needs a number, got true");
    refused("missing", {}, "--missing needs a number, got none");
  });

  it("refuses a bad number option with the usage and exit 2 before anything starts: `npm run loadtest -- --bots ''` ran no bots and printed NaN", () => {
    const args = ["--import", "tsx", "loadtest/main.ts", "--url", "ws://127.0.0.1:1", "--duration", "1", "--processes", "1", "--bots"];
    for (const bots of ["", "0", "ten"]) {
      const run = spawnSync(process.execPath, [...args, bots], { encoding: "utf8", timeout: 30_000 });
      assert.equal(run.status, 2, `--bots ${JSON.stringify(bots)}: ${run.stdout}${run.stderr}`);
      assert.match(run.stderr, new RegExp(`^--bots needs a whole number ≥ 1, got "${bots}"\nusage: npm run loadtest -- `));
      assert.equal(run.stdout, "");
    }
  });

  it("leaves no script to Node's parseArgs, which throws a stack at a mistyped option", () => {
    const direct = spawnSync("git", ["grep", "-l", "parseArgs(", "--", "*.ts", ":!common/cli-args.ts", ":!test/"], { encoding: "utf8" }).stdout.trim();
    assert.equal(direct, "", "call commandArgs or argsOr (common/cli-args.ts)");
  });
});
