/**
 * npm run loadtest -- --bots 200 --rooms 10 --duration 60 --ask-rate 1 [--processes 2]
 *
 * Starts an embedded server on loopback (or uses --url, which must be loopback), runs the bots
 * for --duration seconds, prints join time, patch timing, answer latency and errors, and stops.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { argsOr } from "../common/cli-args.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { freePort, type Service, startService } from "../tools/processes.js";
import { runLoadTest } from "./load-test.js";

const USAGE = "usage: npm run loadtest -- [--url ws://127.0.0.1:PORT] [--bots 200] [--rooms 10] [--duration 60] [--ask-rate 1] [--chat-rate 0.5] [--processes 2] [--out FILE]";
const { values, number } = argsOr(USAGE, {
  options: {
    url: { type: "string" },
    bots: { type: "string", default: "200" },
    rooms: { type: "string", default: "10" },
    duration: { type: "string", default: "60" },
    "ask-rate": { type: "string", default: "1" },
    "chat-rate": { type: "string", default: "0.5" },
    /** Load-generating processes (rooms are split between them). */
    processes: { type: "string", default: "2" },
    out: { type: "string" },
  },
});
// Read before a server starts: a bad one is refused with the usage, not a load test of no bots printing NaN.
const counted = { integer: true, min: 1 };
const options = {
  bots: number("bots", counted),
  rooms: number("rooms", counted),
  durationS: number("duration", { min: 0 }),
  askRate: number("ask-rate", { min: 0 }),
  chatRate: number("chat-rate", { min: 0 }),
  processes: number("processes", counted),
};

let url = values.url;
let starting: Promise<Service> | undefined;
if (url) {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) throw new Error(`load tests run on loopback only; got ${host}`);
} else {
  const port = await freePort();
  starting = startService("loadtest-server", "server/main.ts", { PORT: String(port), HOST: "127.0.0.1" }, "world server listening");
  url = `ws://127.0.0.1:${port}`;
}

// Stopped by a signal (SIGTERM: a CI job's timeout, `kill`; SIGINT: Ctrl-C), it stops what it started, then exits as the
// signal would have (128 + its number: 143, 130), a run cut short, not one that ended. With no handler, SIGTERM ended it
// at once, the `finally` below unrun: its server ran on under PID 1. Its bot processes (--processes) end by themselves
// when it does (bot-process.ts: their channel to it closes). A second signal ends it at once. Its server, in the same
// process group, takes a Ctrl-C and the SIGTERM that follows as one stop (common/terminate.ts).
let stopping = false;
for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(code);
    stopping = true;
    console.error(`${signal}: stopping the load test${starting ? " and its server" : ""}`);
    void (starting?.then((server) => server.stop(), () => undefined) ?? Promise.resolve()).finally(() => process.exit(code));
  });
}
const server = await starting;

const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);
try {
  const report = await runLoadTest({
    url,
    ...options,
    questions,
  });
  const row = (measure: string, ms: number[]) => ({ measure, n: ms.length, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), p99: round(percentile(ms, 99)) });
  // Said beside the joins: a dropped bot was out for the rest of the run, its load with it.
  const dropped = Object.entries(report.errors).reduce((sum, [what, n]) => (what.startsWith("dropped_") ? sum + n : sum), 0);
  console.log(`\n${report.joined}/${report.bots} bots joined ${report.rooms} rooms; ${values.duration} s${dropped ? `; ${dropped} dropped mid-run` : ""}\n`);
  printTable([
    row("join (ms)", report.joinMs),
    row("patch delay: server → bot (ms)", report.patchDelayMs),
    row("move → seen in own state (ms)", report.moveSeenMs),
    row("patch interval (ms)", report.patchIntervalMs),
    row("NPC answer in state (ms)", report.answerMs),
  ]);
  const server = report.server ? `server CPU ${round(report.server.cpuPercent)}% of a core, event loop p99 ${round(report.server.loopDelayP99Ms)} ms; ` : "";
  // Past a patch interval the bots read patches late themselves: their delays are the load generator's too.
  const lagged = report.botLoopDelayP99Ms > 50 ? " (high: the load generator lagged; fewer bots a process, or more --processes)" : "";
  console.log(`\n${server}bots' own event loop p99 ${round(report.botLoopDelayP99Ms)} ms${lagged}`);
  console.log(`fallbacks ${report.fallbacks}, refused (not in the answer times) ${report.refused} ${JSON.stringify(report.refusedBy)}, unanswered ${report.unanswered}, ask ticks with no bot near an NPC ${report.noAskerNear}, errors ${JSON.stringify(report.errors)}`);
  if (values.out) writeFileSync(values.out, JSON.stringify(report) + "\n");
  if (report.joined === 0) {
    console.error("no bot joined: see join_failed above");
    process.exitCode = 1;
  }
} finally {
  await server?.stop();
}
