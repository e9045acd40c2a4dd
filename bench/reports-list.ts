/**
 * npm run bench:reports-list: what the moderators' console costs a game server when players' reports pile up to the
 * store's cap (rooms/moderation/player-reports.ts, REPORTS_KEPT): the console lists the newest 200 every 10 s, and the listing
 * runs in the server's process, beside its rooms. 10,000 reports of the usual size (5 lines of the reported player)
 * on a real Redis (scripts/redis-local.sh) and in the embedded default's own presence; each listing timed, with the
 * longest this process's event loop (every room of the process) was held meanwhile. Against it, the listings of
 * older servers (first every report's JSON read and parsed, then sorted; then the small index, read whole); now the
 * index is read a page at a time, as the server does (Redis's HSCAN, the embedded presence's own pages). Then a report
 * past the cap, which drops the oldest tenth ("listed": how many went), with the index read whole and by pages. Table +
 * bench/results/reports-list.json.
 *
 *   npm run bench:reports-list -- [--reports 10000] [--listings 20]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Presence } from "@colyseus/core";
import { RedisPresence } from "@colyseus/redis-presence";
import { Redis } from "ioredis";

import { commandArgs } from "../common/cli-args.js";
import type { HashPages } from "../rooms/hash-pages.js";
import { closeReport, fileReport, listReports, type PlayerReport } from "../rooms/moderation/player-reports.js";
import { presenceHashPages } from "../rooms/hash-pages.js";
import { keptHashPages } from "../server/stores/kept-hash-pages.js";
import { KeptPresence } from "../server/stores/kept-presence.js";
import { redisHashPages } from "../server/stores/redis-hash-pages.js";
import { withLoopHeld } from "./loop-held.js";
import { machineInfo } from "./machine.js";
import { fileSampleReports } from "./sample-reports.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { number } = commandArgs("npm run bench:reports-list", { options: { reports: { type: "string", default: "10000" }, listings: { type: "string", default: "20" } } });
const reports = number("reports");
const LIMIT = 200; // what web-client/src/moderation-console.ts asks for

/** The first listing, for comparison: every report's JSON read and parsed. */
async function listEveryReport(presence: Presence, limit: number): Promise<PlayerReport[]> {
  const all = Object.values(await presence.hgetall("kobot:reports")).map((json) => JSON.parse(json) as PlayerReport);
  return all.sort((a, b) => b.at - a.at).slice(0, limit);
}

const dir = mkdtempSync(join(tmpdir(), "kobot-bench-redis-"));
const url = execFileSync("bash", ["scripts/redis-local.sh", "start", dir], { encoding: "utf8" }).trim().split("\n").at(-1)!;
const rows: Record<string, string | number>[] = [];
const redis = new Redis(url);
const kept = new KeptPresence(["kobot:"]);
const stores: Array<[string, Presence, HashPages]> = [["Redis", new RedisPresence(url), redisHashPages(redis)], ["own (no Redis: DATA_DIR's)", kept, keptHashPages(kept)]];
try {
  for (const [store, presence, pages] of stores) {
    await fileSampleReports(presence, reports);
    const listings = [
      ["every report's JSON (before the index)", listEveryReport],
      ["the index, whole (before pages)", (p: Presence, limit: number) => listReports(p, { limit })],
      ["the index by pages (now)", (p: Presence, limit: number) => listReports(p, { limit }, pages)],
    ] as const;
    for (const [listing, list] of listings) {
      const runs = [];
      for (let i = 0; i < number("listings"); i++) runs.push(await withLoopHeld(() => list(presence, LIMIT)));
      if (runs[0]!.result.length !== LIMIT) throw new Error(`${listing} listed ${runs[0]!.result.length}`);
      const ms = runs.map((run) => run.ms);
      const held = runs.map((run) => run.loopHeldMs);
      rows.push({ store, listing, reports, listed: LIMIT, listings: runs.length, medianMs: round(percentile(ms, 50)), p95Ms: round(percentile(ms, 95)), loopHeldMedianMs: round(percentile(held, 50)), loopHeldMaxMs: round(Math.max(...held)) });
    }
    const newest = await listReports(presence, { limit: 1 });
    const close = await withLoopHeld(() => closeReport(presence, newest[0]!.id, pages));
    rows.push({ store, listing: "closing one (now)", reports, listed: 0, listings: 1, medianMs: round(close.ms), p95Ms: round(close.ms), loopHeldMedianMs: round(close.loopHeldMs), loopHeldMaxMs: round(close.loopHeldMs) });
    // A report past the cap drops the oldest tenth (once per ~1,000 reports), in a room's report handler.
    for (const [listing, dropPages] of [["a report past the cap, the index whole (before)", presenceHashPages(presence)], ["a report past the cap, by pages (now)", pages]] as const) {
      await fileSampleReports(presence, reports); // the store full again
      const report = { at: Date.now(), roomId: "room-1", reporter: { player: "late", name: "늦은 신고자" }, reported: { player: "q1", name: "말썽꾼1" }, lines: [] };
      const drop = await withLoopHeld(() => fileReport(presence, report, { kept: reports - 1, hashes: dropPages }));
      const left = await presence.hlen("kobot:reports");
      if (left !== Math.floor((reports - 1) * 0.9)) throw new Error(`${listing} left ${left} reports`);
      await closeReport(presence, drop.result.id, pages); // the next refill back to exactly `reports`
      rows.push({ store, listing, reports, listed: reports + 1 - left, listings: 1, medianMs: round(drop.ms), p95Ms: round(drop.ms), loopHeldMedianMs: round(drop.loopHeldMs), loopHeldMaxMs: round(drop.loopHeldMs) });
    }
    presence.shutdown();
  }
} finally {
  redis.disconnect();
  execFileSync("bash", ["scripts/redis-local.sh", "stop", dir]);
  rmSync(dir, { recursive: true, force: true });
}
printTable(rows);
console.log(`each listing the newest ${LIMIT}, as the moderators' console asks every 10 s; loop held: the longest this process's timers waited meanwhile`);
writeFileSync(resultsFile("reports-list.json"), JSON.stringify({
  benchmark: "reports-list", date: new Date().toISOString(), machine: machineInfo(), rows,
}, null, 2) + "\n");
