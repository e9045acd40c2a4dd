/**
 * npm run bench:idle: what a game nobody plays costs. The CPU each process takes with no player connected, over
 * --seconds after --settle: `npm start`'s one process, then a server, an NPC worker and a real broker
 * (scripts/kafka-local.sh), as deployed. Table + bench/results/idle.json.
 *
 *   npm run bench:idle -- [--seconds 30] [--settle 10]
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

import { commandArgs } from "../common/cli-args.js";
import { freePort, startService, withServices } from "../tools/processes.js";
import { type LocalBroker, startLocalBroker } from "./local-broker.js";
import { machineInfo } from "./machine.js";
import { printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:idle", {
  options: {
    seconds: { type: "string", default: "30" },
    settle: { type: "string", default: "10" },
    out: { type: "string", default: resultsFile("idle.json") },
  },
});
const seconds = number("seconds");
const sleep = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));

/** CPU seconds a process has used so far: from its /metrics, or (the broker, a JVM) from /proc. */
type CpuReader = () => Promise<number>;
const fromMetrics = (port: number): CpuReader => async () => {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^process_cpu_seconds_total ([0-9.e+-]+)$/m.exec(text)?.[1]);
};
const ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
const fromProc = (pid: number): CpuReader => async () => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime + stime
};

/** Each process's share of one core over the window (100 = a whole core). */
async function idleCpu(readers: Record<string, CpuReader>): Promise<Record<string, number>> {
  await sleep(number("settle"));
  const names = Object.keys(readers);
  const before = await Promise.all(names.map((name) => readers[name]!()));
  const started = performance.now();
  await sleep(seconds);
  const after = await Promise.all(names.map((name) => readers[name]!()));
  const elapsed = (performance.now() - started) / 1000;
  return Object.fromEntries(names.map((name, i) => [name, round((100 * (after[i]! - before[i]!)) / elapsed)]));
}

const rows: Array<Record<string, string | number>> = [];
const port = await freePort();
console.log(`npm start's one process, idle ${seconds} s…`);
const embedded = await withServices(
  [() => startService("bench-idle-embedded", "server/main.ts", { PORT: String(port), HOST: "127.0.0.1" }, "world server listening")],
  () => idleCpu({ server: fromMetrics(port) }),
);
rows.push({ deployment: "embedded (npm start)", process: "server + NPC worker", cpuPct: embedded.server! });

console.log(`server, NPC worker and broker on Kafka, idle ${seconds} s…`);
let broker: LocalBroker | undefined;
try {
  broker = startLocalBroker("idle");
  const { env, pid } = broker;
  const workerPort = await freePort();
  const kafka = await withServices(
    [
      () => startService("bench-idle-worker", "npc/worker/worker-main.ts", { ...env, METRICS_PORT: String(workerPort) }, "npc worker started"),
      () => startService("bench-idle-server", "server/main.ts", { ...env, PORT: String(port), HOST: "127.0.0.1" }, "world server listening"),
    ],
    () => idleCpu({ server: fromMetrics(port), worker: fromMetrics(workerPort), broker: fromProc(pid) }),
  );
  for (const [process, cpuPct] of Object.entries(kafka)) rows.push({ deployment: "Kafka", process, cpuPct });
} finally {
  broker?.stop();
}

console.log();
printTable(rows);
writeFileSync(values.out!, JSON.stringify({ benchmark: "idle", date: new Date().toISOString(), machine: machineInfo(), settings: { seconds, settle: number("settle") }, rows }, null, 2) + "\n");
console.log(`\nwrote ${values.out}`);
