/**
 * `npm run bench:broker-restart`: how long after a Kafka broker comes back players get NPC answers again.
 * A real broker, a server and an NPC worker as separate processes; per outage length, the broker is stopped,
 * kept down, started again on its data, and one player asks every second until a real answer (not the fallback)
 * arrives. Table + bench/results/broker-restart.json.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { fallbackFor, isNoAnswerLine } from "../rooms/npc/fallback-lines.js";
import { freePort, type Service, startService, uniqueTopics } from "../tools/processes.js";
import { answersTo, joinWorld, sleep, type TestPlayer, waitFor } from "../test/helpers/world.js";
import { machineInfo } from "./machine.js";
import { resultsFile } from "./results-file.js";

const ROOT = join(import.meta.dirname, "..");
const { values } = commandArgs("npm run bench:broker-restart", { options: { down: { type: "string", default: "10,60" } } });
const outages = values.down.split(",").map(Number);

const dir = mkdtempSync(join(tmpdir(), "kobot-bench-broker-"));
const kafka = (...args: string[]) => execFileSync("bash", ["scripts/kafka-local.sh", ...args], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").at(-1)!;
/** An answer of the brain's: not the line for one that never came, nor the NPC turning the question away. */
const real = (text: string) => !isNoAnswerLine(text) && text !== fallbackFor("busy").line && text !== fallbackFor("closing").line;

const rows = [];
const services: Service[] = [];
let player: TestPlayer | undefined;
try {
  // Started inside the try: whatever started before a start fails is stopped below.
  const brokers = kafka("start", dir);
  const topics = uniqueTopics("restart");
  const env = {
    KAFKA_BROKERS: brokers,
    KAFKA_QUESTION_TOPIC: topics.question,
    KAFKA_ANSWER_TOPIC: topics.answer,
    KAFKA_WORKER_GROUP: `workers-${topics.question}`,
    NPC_TIMEOUT_MS: "3000",
  };
  const port = await freePort();
  services.push(await startService("bench-restart-server", "server/main.ts", { ...env, PORT: String(port), SERVER_ID: "restart" }, "world server listening"));
  services.push(await startService("bench-restart-worker", "npc/worker/worker-main.ts", env, "npc worker started"));
  player = await joinWorld(`ws://127.0.0.1:${port}`, { name: "재시작" });
  // The worker's group may not hold the topic's partition yet (a fresh broker's first rebalance), so the first
  // question can time out into the fallback: ask again, each after the last one's timeout, until a real answer.
  let warmups = 0;
  const warm = setInterval(() => player!.room.send("chat", { text: `@kobot 배고파 ${warmups++}` }), 4000);
  player.room.send("chat", { text: "@kobot 배고파" });
  try {
    await waitFor("a first answer", () => answersTo(player!).some((line) => real(line.text)), 60_000);
  } finally {
    clearInterval(warm);
  }
  await sleep(5000); // the answers to the warm-up questions still on their way settle before the first outage
  for (const downS of outages) {
    kafka("stop", dir);
    await sleep(downS * 1000);
    kafka("start", dir);
    const up = performance.now();
    const before = answersTo(player).length;
    let asked = 0;
    let answeredAfterMs: number | null = null;
    while (performance.now() - up < 120_000) {
      if (answersTo(player).slice(before).some((line) => real(line.text))) {
        answeredAfterMs = Math.round(performance.now() - up);
        break;
      }
      if (performance.now() - up >= asked * 1000) player.room.send("chat", { text: `@kobot 배고파 ${asked++}` });
      await sleep(50);
    }
    const fallbacks = answersTo(player).slice(before).filter((line) => !real(line.text)).length;
    rows.push({ downS, answeredAfterMs, asked, fallbacks });
    await sleep(5000); // the answers of questions asked just before settle
  }
} finally {
  await player?.room.leave().catch(() => {});
  await Promise.allSettled(services.map((service) => service.stop()));
  try {
    kafka("stop", dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log("| broker down | first real answer after it is back | questions asked meanwhile (1/s) | fallbacks |\n|---|---|---|---|");
for (const r of rows) console.log(`| ${r.downS} s | ${r.answeredAfterMs === null ? "none in 120 s" : `${(r.answeredAfterMs / 1000).toFixed(1)} s`} | ${r.asked} | ${r.fallbacks} |`);
writeFileSync(
  resultsFile("broker-restart.json"),
  JSON.stringify({ benchmark: "broker-restart", date: new Date().toISOString(), machine: machineInfo(), rows }, null, 2) + "\n",
);
process.exit(0);
