/**
 * npm run bench:archive-erasure: what a player's erasure request (POST /api/erasures) costs the embedded default's game
 * server as it takes their lines out of the chat archive in DATA_DIR/chat-log (kafka/daily-file-erasure.ts). An archive
 * of `--days` daily files of `--lines` player lines (and an NPC answer to every tenth), a copy for each run; each run in
 * a process of its own (its peak memory), the erasure timed with the longest it held the event loop (every room of the
 * process). Against it, the erasure of older servers: every file read whole and kept in memory at once. Table +
 * bench/results/archive-erasure.json.
 *
 *   npm run bench:archive-erasure -- [--days 10] [--lines 100000] [--rounds 2]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { eraseFromDailyFiles } from "../kafka/daily-file-erasure.js";
import { withLoopHeld } from "./loop-held.js";
import { machineInfo } from "./machine.js";
import { MB, percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:archive-erasure", {
  options: {
    days: { type: "string", default: "10" },
    lines: { type: "string", default: "100000" },
    rounds: { type: "string", default: "2" },
    /** Internal: erase in this process from the archive at `--dir`, the way named, and print the result. */
    run: { type: "string" },
    dir: { type: "string" },
  },
});
const ACCOUNT = "account-7";
const ways = ["whole (before)", "as bytes, 256 KiB at a time (now)"] as const;
type Way = (typeof ways)[number];

/** The erasure of older servers, for comparison: every file read whole, all kept in memory, then rewritten. */
async function eraseWhole(dir: string, account: string): Promise<number> {
  const files = (await Promise.all((await readdir(dir)).map(async (day) => (await readdir(join(dir, day))).map((name) => join(dir, day, name))))).flat();
  const parse = (line: string) => {
    try {
      return line.trim() ? (JSON.parse(line) as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const contents = new Map<string, Array<{ line: string; record: Record<string, unknown> | undefined }>>();
  const theirs = new Set<string>();
  for (const file of files) {
    const lines = (await readFile(file, "utf8")).split("\n").map((line) => ({ line, record: parse(line) }));
    contents.set(file, lines);
    for (const { record } of lines) if (record?.account === account && typeof record.id === "string") theirs.add(record.id);
  }
  let erased = 0;
  for (const [file, lines] of contents) {
    const kept = lines.filter(({ record }) => !(record && (record.account === account || (record.kind === "npc" && typeof record.replyTo === "string" && theirs.has(record.replyTo)))));
    if (kept.length === lines.length) continue;
    erased += lines.length - kept.length;
    await writeFile(`${file}.erasing`, kept.map(({ line }) => line).join("\n"));
    await rename(`${file}.erasing`, file);
  }
  return erased;
}

if (values.run) {
  const rssBefore = process.memoryUsage().rss;
  const erase = values.run === ways[0] ? eraseWhole : eraseFromDailyFiles;
  const { ms, loopHeldMs, result } = await withLoopHeld(() => erase(values.dir!, ACCOUNT));
  console.log(JSON.stringify({ erased: result, ms, loopHeldMs, peakMemoryMB: (process.resourceUsage().maxRSS * 1024 - rssBefore) / MB }));
  process.exit(0);
}

const days = number("days");
const perDay = number("lines");
const archive = mkdtempSync(join(tmpdir(), "kobot-bench-archive-"));
for (let d = 0; d < days; d++) {
  const folder = join(archive, `date=2026-11-${String(d + 1).padStart(2, "0")}`);
  mkdirSync(folder);
  const lines: string[] = [];
  for (let i = 0; i < perDay; i++) {
    const ts = Date.UTC(2026, 10, d + 1) + i;
    lines.push(JSON.stringify({ v: 1, id: `line-${d}-${i}`, roomId: "room-1", serverId: "s1", kind: "player", from: `p${i % 5000}`, account: `account-${i % 5000}`, name: "플레이어", text: "안녕하세요 오늘 날씨가 정말 좋네요 같이 모험 떠나실 분?", ts }));
    if (i % 10 === 0) lines.push(JSON.stringify({ v: 1, id: `answer-${d}-${i}`, roomId: "room-1", serverId: "s1", kind: "npc", from: "hans", name: "한스", text: "좋은 생각이에요.", replyTo: `line-${d}-${i}`, ts: ts + 1 }));
  }
  writeFileSync(join(folder, "s1.ndjson"), lines.join("\n") + "\n");
}
const archiveMB = Number(execFileSync("du", ["-sm", archive], { encoding: "utf8" }).split("\t")[0]);

const runs: Record<Way, { erased: number; ms: number; loopHeldMs: number; peakMemoryMB: number }[]> = { [ways[0]]: [], [ways[1]]: [] };
try {
  for (let r = 0; r < number("rounds"); r++) {
    for (const way of r % 2 ? [...ways].reverse() : ways) {
      const copy = `${archive}-copy`;
      execFileSync("cp", ["-r", archive, copy]);
      const out = execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, "--run", way, "--dir", copy], { encoding: "utf8" });
      rmSync(copy, { recursive: true, force: true });
      runs[way].push(JSON.parse(out.trim().split("\n").at(-1)!));
      console.log(`round ${r + 1}, ${way}: ${JSON.stringify(runs[way].at(-1))}`);
    }
  }
} finally {
  rmSync(archive, { recursive: true, force: true });
}
const rows = ways.map((way) => {
  const median = (of: (run: (typeof runs)[Way][number]) => number) => percentile(runs[way].map(of), 50);
  return {
    way, archiveMB, lines: days * Math.round(perDay * 1.1), erased: runs[way][0]!.erased, rounds: runs[way].length,
    seconds: round(median((run) => run.ms) / 1000, 1), loopHeldMs: round(median((run) => run.loopHeldMs)), peakMemoryMB: round(median((run) => run.peakMemoryMB), 0),
  };
});
printTable(rows);
console.log("medians of the rounds; loop held: the longest the process's 1 ms timers waited; peak memory: beyond what the process held before");
writeFileSync(resultsFile("archive-erasure.json"), JSON.stringify({
  benchmark: "archive-erasure", date: new Date().toISOString(), machine: machineInfo(), rows, runs,
}, null, 2) + "\n");
