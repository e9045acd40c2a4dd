/**
 * npm run bench:fairness: 50 players ask one NPC at once (real clients, embedded server, the shipped
 * model). Per player: the wait from sending the question to seeing the answer; per run: answers/s.
 * With batching (NPC_MAX_BATCH=16: the brain answers up to 16 questions in one batch) and without (1).
 * Table + bench/results/fairness.json (+ PNG by bench/plot.py).
 *
 *   npm run bench:fairness -- [--players 50]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { answersTo, startTestWorld, type TestPlayer, waitFor } from "../test/helpers/world.js";
import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "./stats.js";

const { values } = parseArgs({ options: { players: { type: "string", default: "50" } } });
const players = Number(values.players);
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);

async function run(batch: number) {
  // Enough chat history that no question scrolls out of the state before its answer comes.
  const world = await startTestWorld({ NPC_MAX_BATCH: String(batch), MAX_CLIENTS: String(players), NPC_TIMEOUT_MS: "120000", CHAT_HISTORY: "1000" });
  try {
    await world.startWorker();
    const first = await world.join("p0");
    const joined: TestPlayer[] = [first];
    for (let i = 1; i < players; i++) joined.push(await world.joinBeside(first, `p${i}`));
    const started = performance.now();
    const waits = await Promise.all(
      joined.map(async (player, i) => {
        const sent = performance.now();
        player.room.send("chat", { text: `@kobot ${questions[i % questions.length]}` });
        await waitFor(`p${i}'s answer`, () => answersTo(player)[0], 120_000);
        return performance.now() - sent;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const median = percentile(waits, 50);
    return {
      mode: batch > 1 ? `batched (up to ${batch})` : "one at a time",
      players,
      medianMs: round(median),
      p95Ms: round(percentile(waits, 95)),
      maxMs: round(Math.max(...waits)),
      maxOverMedian: round(Math.max(...waits) / median, 2),
      answersPerSecond: round(players / seconds, 2),
      waitsMs: waits.map((w) => round(w)),
    };
  } finally {
    await world.stop();
  }
}

const rows = [await run(16), await run(1)];
printTable(rows.map(({ waitsMs: _w, ...r }) => r));
const speedup = round(rows[0]!.answersPerSecond / rows[1]!.answersPerSecond, 2);
console.log(`\nbatching answers ${speedup}× as many questions per second as one at a time`);
writeFileSync(
  join(import.meta.dirname, "results", "fairness.json"),
  JSON.stringify({ benchmark: "fairness", date: new Date().toISOString(), machine: machineInfo(), rows, batchingSpeedup: speedup }, null, 2) + "\n",
);
process.exit(0);
