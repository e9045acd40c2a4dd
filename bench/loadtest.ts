/**
 * npm run bench:loadtest: the load-test bots at growing counts against one embedded server process
 * (rooms of 50, 20 patches/s, one question to the NPC per second), for the bots-vs-patch-delay
 * curve. With --kafka, a server and an NPC worker as two processes on a real broker
 * (scripts/kafka-local.sh), as deployed. Table + bench/results/loadtest.json (loadtest-kafka.json).
 *
 * Bots run in --processes processes (default 2) so the load generator's own event loop does not
 * lag; the table says how loaded the server and the bots were (with --kafka the worker and the
 * broker share the same cores).
 *
 *   npm run bench:loadtest -- --steps 50,100,200,300,500,750,1000 --duration 20 [--kafka]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { runLoadTest } from "../loadtest/load-test.js";
import { freePort, startService, withServices } from "../tools/processes.js";
import { startLocalBroker } from "./local-broker.js";
import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:loadtest", {
  options: {
    steps: { type: "string", default: "50,100,200,300,500,750,1000" },
    duration: { type: "string", default: "20" },
    "ask-rate": { type: "string", default: "1" },
    processes: { type: "string", default: "2" },
    kafka: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const out = values.out ?? resultsFile(values.kafka ? "loadtest-kafka.json" : "loadtest.json");
const steps = values.steps!.split(",").map(Number);
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);
const broker = values.kafka ? startLocalBroker("loadtest") : undefined;
const [port, workerPort] = [await freePort(), await freePort()];
const services = [
  ...(broker ? [() => startService("bench-loadtest-worker", "npc/worker/worker-main.ts", { ...broker.env, METRICS_PORT: String(workerPort) }, "npc worker started")] : []),
  () => startService("bench-loadtest-server", "server/main.ts", { ...broker?.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info" }, "world server listening"),
];
const rows: Array<Record<string, number>> = [];
try {
  await withServices(services, async () => {
    for (const bots of steps) {
      console.log(`${bots} bots…`);
      const report = await runLoadTest({
        url: `ws://127.0.0.1:${port}`,
        bots,
        rooms: Math.ceil(bots / 50),
        durationS: number("duration"),
        askRate: number("ask-rate"),
        chatRate: 0.5,
        questions,
        processes: number("processes"),
        ...(broker ? { workerMetricsUrl: `http://127.0.0.1:${workerPort}/metrics` } : {}),
      });
      rows.push({
        bots,
        rooms: report.rooms,
        joined: report.joined,
        joinP95: round(percentile(report.joinMs, 95)),
        patchDelayP50: round(percentile(report.patchDelayMs, 50)),
        patchDelayP95: round(percentile(report.patchDelayMs, 95)),
        moveSeenP50: round(percentile(report.moveSeenMs, 50)),
        moveSeenP95: round(percentile(report.moveSeenMs, 95)),
        patchIntervalP50: round(percentile(report.patchIntervalMs, 50)),
        patchIntervalP95: round(percentile(report.patchIntervalMs, 95)),
        answerP50: round(percentile(report.answerMs, 50)),
        answerP95: round(percentile(report.answerMs, 95)),
        answers: report.answerMs.length,
        fallbacks: report.fallbacks,
        refused: report.refused,
        unanswered: report.unanswered,
        noAskerNear: report.noAskerNear,
        errors: Object.values(report.errors).reduce((a, b) => a + b, 0),
        serverCpuPct: round(report.server?.cpuPercent ?? Number.NaN),
        serverLoopP99: round(report.server?.loopDelayP99Ms ?? Number.NaN),
        ...(broker ? { workerCpuPct: round(report.worker?.cpuPercent ?? Number.NaN) } : {}),
        botLoopP99: round(report.botLoopDelayP99Ms),
      });
      // As npm run loadtest: a step where no bot joined measured nothing (its percentiles were NaN, written null).
      if (report.joined === 0) throw new Error(`${bots} bots: none joined (${JSON.stringify(report.errors)})`);
    }
  });
} finally {
  broker?.stop();
}
console.log();
printTable(rows);
const settings = { duration: number("duration"), askRate: number("ask-rate"), patchesPerSecond: 20, botProcesses: number("processes"), botsAndServerOnOneMachine: true, kafka: values.kafka };
writeFileSync(out, JSON.stringify({ benchmark: "loadtest", date: new Date().toISOString(), machine: machineInfo(), settings, rows }, null, 2) + "\n");
console.log(`\nwrote ${out}`);
