/**
 * npm run bench:npc-memory-sweep: what sweeping an NPC's memory of the accounts it met (rooms/npc/npc-acquaintances.ts
 * `forgetLongAgo`, at every server's start and every 6 hours) costs Redis and the server, for a popular NPC that met a
 * million signed-in players in 30 days and more. A real Redis (scripts/redis-local.sh); the hash filled anew before
 * each sweep, a quarter of it past the forgetting time; each sweep in a process of its own (its peak memory), while
 * this process pings Redis as every other server would, to see how long Redis made them wait. Two ways of reading the
 * hash, in turns:
 *   - `presence`: the presence's own calls, the whole hash at once (HGETALL), then HGET + HDEL a field at a time;
 *   - `pages`: server/stores/redis-hash-pages.ts, HSCAN a thousand fields at a time, one script call a page for its deletes.
 * Table + bench/results/npc-memory-sweep.json.
 *
 *   npm run bench:npc-memory-sweep -- [--accounts 1000000] [--rounds 2]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";

import { commandArgs } from "../common/cli-args.js";
import { forgetLongAgo, metKeyOf } from "../rooms/npc/npc-acquaintances.js";
import { redisHashPages } from "../server/stores/redis-hash-pages.js";
import { machineInfo } from "./machine.js";
import { MB, percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:npc-memory-sweep", {
  options: {
    accounts: { type: "string", default: "1000000" },
    rounds: { type: "string", default: "2" },
    /** Internal: sweep once in this process, reading the hash by `presence` or `pages`, and print the result. */
    sweep: { type: "string" },
    redis: { type: "string" },
  },
});
const NPC = "popular";
const DAY = 86_400_000;
const modes = ["presence", "pages"] as const;
type Mode = (typeof modes)[number];
type Sweep = { forgotten: number; ms: number; peakRssGrowthMB: number };

if (values.sweep) {
  const redis = new Redis(values.redis!);
  const presence = new RedisPresence(redis);
  await presence.exists("warm-up"); // connected before the clock starts
  const rssBefore = process.memoryUsage().rss;
  console.log("sweeping");
  const started = performance.now();
  const forgotten = await forgetLongAgo(presence, [NPC], values.sweep === "pages" ? { hashes: redisHashPages(redis) } : {});
  const ms = performance.now() - started;
  // maxRSS is the process's peak so far, in kB: what the sweep took at its most, beyond what the process held before.
  const result: Sweep = { forgotten, ms, peakRssGrowthMB: (process.resourceUsage().maxRSS * 1024 - rssBefore) / MB };
  console.log(JSON.stringify(result));
  presence.shutdown();
  process.exit(0);
}

const accounts = number("accounts");
const dir = mkdtempSync(join(tmpdir(), "kobot-bench-redis-"));
const url = execFileSync("bash", ["scripts/redis-local.sh", "start", dir], { encoding: "utf8" }).trim().split("\n").at(-1)!;
const redis = new Redis(url);

/** The NPC's memory: `accounts` met 0–39 days ago, evenly (a quarter past the 30 days). */
async function fill(): Promise<void> {
  const now = Date.now();
  await redis.del(metKeyOf(NPC));
  for (let i = 0; i < accounts; i += 10_000) {
    const fields: string[] = [];
    for (let j = i; j < Math.min(accounts, i + 10_000); j++) fields.push(`account-${j}`, String(now - (j % 40) * DAY - 60_000));
    await redis.hset(metKeyOf(NPC), ...fields);
  }
}

/** A sweep in a process of its own, with this process's pings to Redis meanwhile: how long each waited, ms. */
async function sweepWhilePinging(mode: Mode): Promise<Sweep & { pingWaitsMs: number[] }> {
  const pinger = new Redis(url);
  await pinger.ping();
  const child = spawn(process.execPath, ["--import", "tsx", import.meta.filename, "--sweep", mode, "--redis", url], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let started: () => void;
  const sweeping = new Promise<void>((resolve) => (started = resolve));
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk;
    if (out.includes("sweeping")) started();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  let done = false;
  void exited.then(() => (done = true));
  await Promise.race([sweeping, exited]); // pings while the sweep runs, not while the process starts
  const pingWaitsMs: number[] = [];
  while (!done) {
    const sent = performance.now();
    await pinger.ping();
    pingWaitsMs.push(performance.now() - sent);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  pinger.disconnect();
  if ((await exited) !== 0) throw new Error(`the ${mode} sweep failed`);
  return { ...(JSON.parse(out.trim().split("\n").at(-1)!) as Sweep), pingWaitsMs };
}

const runs: Record<Mode, (Sweep & { pingMaxMs: number; pingP99Ms: number; pings: number })[]> = { presence: [], pages: [] };
try {
  for (let r = 0; r < number("rounds"); r++) {
    for (const mode of r % 2 ? [...modes].reverse() : modes) {
      await fill();
      const { pingWaitsMs, ...sweep } = await sweepWhilePinging(mode);
      runs[mode].push({ ...sweep, pingMaxMs: Math.max(...pingWaitsMs), pingP99Ms: percentile(pingWaitsMs, 99), pings: pingWaitsMs.length });
      console.log(`round ${r + 1}, ${mode}: ${JSON.stringify(runs[mode].at(-1))}`);
    }
  }
} finally {
  redis.disconnect();
  execFileSync("bash", ["scripts/redis-local.sh", "stop", dir]);
  rmSync(dir, { recursive: true, force: true });
}

const median = (mode: Mode, of: (run: (typeof runs)[Mode][number]) => number) => percentile(runs[mode].map(of), 50);
const rows = modes.map((mode) => ({
  mode,
  accounts,
  forgotten: runs[mode][0]!.forgotten,
  rounds: runs[mode].length,
  sweepS: round(median(mode, (run) => run.ms) / 1000, 1),
  redisLongestWaitMs: round(median(mode, (run) => run.pingMaxMs), 1),
  redisWaitP99Ms: round(median(mode, (run) => run.pingP99Ms), 1),
  peakMemoryMB: round(median(mode, (run) => run.peakRssGrowthMB), 0),
}));
printTable(rows);
console.log("medians of the rounds; redis wait: another client's PING while the sweep ran; peak memory: the sweeping process's, beyond what it held before");
writeFileSync(resultsFile("npc-memory-sweep.json"), JSON.stringify({
  benchmark: "npc-memory-sweep", date: new Date().toISOString(), machine: machineInfo(), rows, runs,
}, null, 2) + "\n");
