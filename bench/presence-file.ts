/**
 * npm run bench:presence-file: what keeping whom NPCs met in DATA_DIR/npc-acquaintances.json (server/stores/acquaintances-file.ts,
 * the embedded default without Redis) costs the game's event loop. The file is written within 5 s of any meeting, so
 * while signed-in players keep arriving it is written every 5 s, whole: its snapshot and JSON are built on the event
 * loop every room of the process runs on. For NPCs that met 10,000 … 300,000 accounts in their 30 days, each save's
 * time and the longest it held the event loop, against the way of older servers (LocalPresence's plain-object hashes,
 * the file built as an object of account → time and written whole). And moderation.json at the reports' cap (10,000),
 * saved within 5 s of each report filed or closed; and the sweep of meetings past 30 days, both ways. Table +
 * bench/results/presence-file.json.
 *
 *   npm run bench:presence-file -- [--meetings 10000,100000,300000] [--saves 5]
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { LocalPresence } from "@colyseus/core";

import { commandArgs } from "../common/cli-args.js";
import { forgetLongAgo, MET_PREFIX, metKeyOf, NpcAcquaintances } from "../rooms/npc/npc-acquaintances.js";
import { REPORTS, REPORTS_KEPT } from "../rooms/moderation/player-reports.js";
import { ACQUAINTANCES_PART } from "../server/stores/acquaintances-file.js";
import { MODERATION_PART } from "../server/stores/moderation-file.js";
import { keptHashPages } from "../server/stores/kept-hash-pages.js";
import { KeptPresence, writeKept } from "../server/stores/kept-presence.js";
import { withLoopHeld } from "./loop-held.js";
import { machineInfo } from "./machine.js";
import { fileSampleReports } from "./sample-reports.js";
import { MB, percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:presence-file", { options: { meetings: { type: "string", default: "10000,100000,300000" }, saves: { type: "string", default: "5" } } });
const NPCS = ["hans", "mina", "guard"];

/** The snapshot of older servers: every NPC's hash copied from LocalPresence's object, then as an object again. */
async function snapshotBefore(presence: LocalPresence): Promise<string> {
  const met: Record<string, Record<string, number>> = {};
  for (const npc of NPCS) {
    const fields = await presence.hgetall(`${MET_PREFIX}${npc}`);
    if (Object.keys(fields).length === 0) continue;
    met[npc] = Object.fromEntries(Object.entries(fields).map(([account, at]) => [account, Number(at)]));
  }
  return JSON.stringify({ v: 1, met });
}

const rows: Record<string, string | number>[] = [];
const dir = mkdtempSync(join(tmpdir(), "kobot-bench-presence-"));
for (const meetings of values.meetings.split(",").map(Number)) {
  const now = new KeptPresence([MET_PREFIX]);
  const before = new LocalPresence();
  for (const presence of [now, before]) {
    const acquaintances = new NpcAcquaintances(presence);
    for (let i = 0; i < meetings; i += 1000) {
      await acquaintances.meet(NPCS[(i / 1000) % NPCS.length]!, Array.from({ length: Math.min(1000, meetings - i) }, (_, k) => `account-${i + k}`));
    }
  }
  let bytes = { before: 0, now: 0 };
  const runs = { before: [] as { ms: number; loopHeldMs: number }[], now: [] as { ms: number; loopHeldMs: number }[] };
  const file = join(dir, "npc-acquaintances.json");
  for (let s = 0; s < number("saves"); s++) {
    runs.before.push(await withLoopHeld(async () => writeFile(file, await snapshotBefore(before))));
    const bytesBefore = statSync(file).size;
    runs.now.push(await withLoopHeld(() => writeKept(file, ACQUAINTANCES_PART, now)));
    if (ACQUAINTANCES_PART.schema.parse(JSON.parse(readFileSync(file, "utf8"))).met.hans === undefined) throw new Error("the file lost hans");
    bytes = { before: bytesBefore, now: statSync(file).size };
  }
  for (const mode of ["before", "now"] as const) {
    const held = runs[mode].map((run) => run.loopHeldMs);
    rows.push({
      meetings, way: mode === "before" ? "plain objects, written whole (before)" : "Maps, pairs written in pieces (now)",
      runs: runs[mode].length, medianMs: round(percentile(runs[mode].map((run) => run.ms), 50)),
      loopHeldMedianMs: round(percentile(held, 50)), loopHeldMaxMs: round(Math.max(...held)), fileMB: round(bytes[mode] / MB, 1),
    });
  }
  // The sweep of meetings past 30 days (at start and every 6 hours): through the presence's calls (HGETALL's copy), or in place.
  for (const way of ["presence calls, the whole hash (before)", "in place, 1,000 a page (now)"]) {
    const swept = new KeptPresence([MET_PREFIX]);
    const at = Date.now();
    for (let i = 0; i < meetings; i++) await swept.hset(metKeyOf(NPCS[i % NPCS.length]!), `account-${i}`, String(at - (i % 40) * 86_400_000));
    let forgotten = 0;
    const run = await withLoopHeld(async () => {
      forgotten = await forgetLongAgo(swept, NPCS, { now: at, ...(way.endsWith("(now)") ? { hashes: keptHashPages(swept) } : {}) });
    });
    rows.push({ meetings, way: `sweep, ${way}: ${forgotten} forgotten`, runs: 1, medianMs: round(run.ms), loopHeldMedianMs: round(run.loopHeldMs), loopHeldMaxMs: round(run.loopHeldMs), fileMB: "" });
  }
  console.log(`${meetings} meetings: the event loop held ${round(percentile(runs.before.map((r) => r.loopHeldMs), 50))} ms before, ${round(percentile(runs.now.map((r) => r.loopHeldMs), 50))} ms now`);
}

// moderation.json at the reports' cap: saved within 5 s of each report filed or closed.
const moderation = new KeptPresence(["kobot:"]);
await fileSampleReports(moderation, REPORTS_KEPT);
const moderationFile = join(dir, "moderation.json");
const saves = { before: [] as { ms: number; loopHeldMs: number }[], now: [] as { ms: number; loopHeldMs: number }[] };
for (let s = 0; s < number("saves"); s++) {
  // Before: the file built as one object, reports and all, and written whole.
  saves.before.push(await withLoopHeld(async () => writeFile(moderationFile, JSON.stringify({ v: 1, mute: [], ban: [], reports: await moderation.hgetall(REPORTS) }))));
  saves.now.push(await withLoopHeld(() => writeKept(moderationFile, MODERATION_PART, moderation)));
}
for (const mode of ["before", "now"] as const) {
  const held = saves[mode].map((run) => run.loopHeldMs);
  rows.push({
    meetings: `${REPORTS_KEPT} reports`, way: mode === "before" ? "moderation.json written whole (before)" : "moderation.json, 500 reports a piece (now)",
    runs: saves[mode].length, medianMs: round(percentile(saves[mode].map((run) => run.ms), 50)),
    loopHeldMedianMs: round(percentile(held, 50)), loopHeldMaxMs: round(Math.max(...held)), fileMB: round(statSync(moderationFile).size / MB, 1),
  });
}
rmSync(dir, { recursive: true, force: true });
printTable(rows);
console.log("a save: snapshot, JSON and file; loop held: the longest this process's 1 ms timers waited meanwhile (the embedded default saves within 5 s of a meeting)");
writeFileSync(resultsFile("presence-file.json"), JSON.stringify({
  benchmark: "presence-file", date: new Date().toISOString(), machine: machineInfo(), rows,
}, null, 2) + "\n");
