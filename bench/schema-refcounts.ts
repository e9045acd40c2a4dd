/**
 * npm run bench:schema-refcounts: what rooms/schema-refcounts.ts (a room's state forgets the counts of instances it
 * let go) costs the state's encoder. A chat-like list: lines added and the oldest taken away, a patch encoded and
 * decoded every 10 lines, with and without the fix, each in a process of its own (the fix applies to the whole
 * process), in turns. Table + bench/results/schema-refcounts.json.
 *
 *   npm run bench:schema-refcounts -- [--lines 200000] [--rounds 10]
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

import { ArraySchema, Decoder, Encoder, Schema, type } from "@colyseus/schema";

import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";
import { commandArgs } from "../common/cli-args.js";

const { values, number } = commandArgs("npm run bench:schema-refcounts", {
  options: {
    lines: { type: "string", default: "200000" },
    rounds: { type: "string", default: "10" },
    /** Internal: run one round in this process, with the fix (`fixed`) or without (`library`), and print its result. */
    round: { type: "string" },
  },
});
const lines = number("lines");

class Line extends Schema {
  @type("string") text = "";
}

class ChatList extends Schema {
  @type([Line]) lines = new ArraySchema<Line>();
}

if (values.round) {
  if (values.round === "fixed") await import("../rooms/schema-refcounts.js");
  const state = new ChatList();
  const encoder = new Encoder(state);
  const decoder = new Decoder(new ChatList());
  decoder.decode(encoder.encodeAll());
  const started = performance.now();
  for (let i = 0; i < lines; i++) {
    state.lines.push(Object.assign(new Line(), { text: `line ${i}` }));
    if (state.lines.length > 50) state.lines.shift();
    if (i % 10 === 9) {
      decoder.decode(encoder.encode());
      encoder.discardChanges();
    }
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, countsKept: Object.keys(encoder.root.refCount).length }));
  process.exit(0);
}

const modes = ["library", "fixed"] as const;
const runs: Record<(typeof modes)[number], { ms: number; countsKept: number }[]> = { library: [], fixed: [] };
for (let r = 0; r < number("rounds"); r++) {
  for (const mode of r % 2 ? [...modes].reverse() : modes) {
    const out = execFileSync(process.execPath, ["--import", "tsx", import.meta.filename, "--lines", String(lines), "--round", mode], { encoding: "utf8" });
    runs[mode].push(JSON.parse(out.trim().split("\n").at(-1)!));
  }
}
const rows = modes.map((mode) => {
  const ms = runs[mode].map((run) => run.ms);
  return {
    mode, lines, rounds: ms.length, medianMs: round(percentile(ms, 50)), minMs: round(Math.min(...ms)), maxMs: round(Math.max(...ms)),
    usPerLine: round((percentile(ms, 50) * 1000) / lines, 2), countsKept: runs[mode][0]!.countsKept,
  };
});
printTable(rows);
// This box's speed drifts between rounds: the ratio within each round (the two ran one after the other) says more.
const ratios = runs.fixed.map((run, r) => run.ms / runs.library[r]!.ms);
const ratio = { median: round(percentile(ratios, 50), 2), min: round(Math.min(...ratios), 2), max: round(Math.max(...ratios), 2) };
console.log(`fixed / library, round by round: median ${ratio.median} (${ratio.min}–${ratio.max})`);
writeFileSync(resultsFile("schema-refcounts.json"), JSON.stringify({
  benchmark: "schema-refcounts", date: new Date().toISOString(), machine: machineInfo(), rows, ratio, runs,
}, null, 2) + "\n");
