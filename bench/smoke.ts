/**
 * npm run bench:smoke: every TypeScript benchmark at its smallest size, one after another, each with a time
 * limit, into a scratch folder (BENCH_RESULTS), so CI sees a benchmark that hangs, throws or writes no JSON.
 * The numbers of such small runs mean nothing and nothing checks them; the committed results stay as they are.
 * Not bench:analytics and bench:archive (Spark jobs, run by the analytics pytest suite).
 *
 *   npm run bench:smoke [-- --only fairness,chat]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";

interface SmokeRun {
  bench: string;
  args: string[];
  /** The JSON it writes into BENCH_RESULTS. */
  writes: string;
  limitS: number;
}

const RUNS: SmokeRun[] = [
  { bench: "npc", args: ["--rounds", "1", "--batch-rounds", "1"], writes: "npc.json", limitS: 120 },
  { bench: "chat", args: ["--questions", "2", "--players", "2", "--rate", "4", "--hops", "20"], writes: "chat.json", limitS: 240 },
  { bench: "index", args: ["--docs", "500", "--lines", "3"], writes: "index.json", limitS: 240 },
  { bench: "loadtest", args: ["--steps", "4", "--duration", "3", "--processes", "1"], writes: "loadtest.json", limitS: 180 },
  { bench: "fairness", args: ["--players", "4", "--rounds", "1", "--bursts", "1"], writes: "fairness.json", limitS: 240 },
  { bench: "one-address", args: ["--crowd", "4", "--others", "2", "--seconds", "2", "--rounds", "1"], writes: "one-address.json", limitS: 180 },
  { bench: "busy-room", args: ["--rooms", "2", "--busy", "3", "--seconds", "2"], writes: "busy-room.json", limitS: 180 },
  { bench: "sight", args: ["--players", "4", "--seconds", "2"], writes: "sight.json", limitS: 180 },
  { bench: "many-npcs", args: ["--npcs", "1,4", "--knowledge-lines", "50", "--checks", "1", "--questions", "4", "--rounds", "1", "--players", "2", "--seconds", "1"], writes: "many-npcs.json", limitS: 120 },
  { bench: "soak", args: ["--minutes", "0.25", "--players", "4", "--stay", "3", "--warmup", "2"], writes: "soak.json", limitS: 180 },
  { bench: "schema-refcounts", args: ["--lines", "2000", "--rounds", "1"], writes: "schema-refcounts.json", limitS: 120 },
  { bench: "npc-memory-sweep", args: ["--accounts", "2000", "--rounds", "1"], writes: "npc-memory-sweep.json", limitS: 180 },
  { bench: "reports-list", args: ["--reports", "300", "--listings", "2"], writes: "reports-list.json", limitS: 120 },
  { bench: "presence-file", args: ["--meetings", "1000", "--saves", "1"], writes: "presence-file.json", limitS: 120 },
  { bench: "archive-erasure", args: ["--days", "2", "--lines", "1000", "--rounds", "1"], writes: "archive-erasure.json", limitS: 120 },
  { bench: "moderation", args: [], writes: "moderation.json", limitS: 120 },
  { bench: "broker-restart", args: ["--down", "2"], writes: "broker-restart.json", limitS: 300 },
  { bench: "idle", args: ["--seconds", "2", "--settle", "1"], writes: "idle.json", limitS: 180 },
  { bench: "model-ab", args: ["--before", DEFAULT_MODEL_DIR, "--rounds", "1", "--chatbot", "20"], writes: "model-ab.json", limitS: 180 },
];

const { values } = commandArgs("npm run bench:smoke", { options: { only: { type: "string" } } });
const only = values.only?.split(",");
const runs = only ? RUNS.filter((r) => only.includes(r.bench)) : RUNS;
if (only && runs.length !== only.length) throw new Error(`--only: no such benchmark among ${RUNS.map((r) => r.bench).join(", ")}`);

/** Runs one benchmark to its end or its limit; its output is kept to show when it fails. */
function run({ bench, args, limitS }: SmokeRun, folder: string): Promise<{ code: number | null; timedOut: boolean; output: string }> {
  return new Promise((done) => {
    const child = spawn("npm", ["run", "-s", `bench:${bench}`, "--", ...args], {
      env: { ...process.env, BENCH_RESULTS: folder },
      detached: true, // its own process group, so a hung benchmark's servers and brokers go with it
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, "SIGKILL");
    }, limitS * 1000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      done({ code, timedOut, output });
    });
  });
}

const folder = mkdtempSync(join(tmpdir(), "kobot-bench-smoke-"));
const failed: string[] = [];
console.log("| benchmark | seconds | result |\n|---|---|---|");
for (const smoke of runs) {
  const started = performance.now();
  const { code, timedOut, output } = await run(smoke, folder);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  let result = timedOut ? `hung: killed after ${smoke.limitS} s` : code !== 0 ? `exit ${code}` : "ok";
  if (result === "ok") {
    try {
      JSON.parse(readFileSync(join(folder, smoke.writes), "utf8"));
    } catch (error) {
      result = `no ${smoke.writes}: ${(error as Error).message}`;
    }
  }
  console.log(`| ${smoke.bench} | ${seconds} | ${result} |`);
  if (result !== "ok") {
    failed.push(smoke.bench);
    console.log(`--- bench:${smoke.bench} ${smoke.args.join(" ")}, its last output:\n${output.slice(-4000)}\n---`);
  }
}
rmSync(folder, { recursive: true, force: true });
if (failed.length) {
  console.error(`\n${failed.length} of ${runs.length} benchmarks failed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`\nall ${runs.length} benchmarks ran to their end`);
