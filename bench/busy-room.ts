/**
 * npm run bench:busy-room: one worker answers several rooms. In each of the busy ones, 20 players keep asking (each
 * asks again as soon as their answer comes, the rate limits raised out of the way), so the worker always has more
 * questions than it answers at once; in the quiet one, a player asks, waits for the answer, pauses half a second and
 * asks again. The quiet player's wait against the busy rooms' players', and the busy rooms' answers/s: whether busy
 * rooms starve a quiet one. `npm start`'s server (rooms and the embedded worker) in its own process with the shipped
 * model. Table + bench/results/busy-room.json.
 *
 *   npm run bench:busy-room -- [--rooms 3] [--busy 20] [--seconds 15]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import "../common/node-websocket.js"; // before the SDK (test/helpers/world.ts)
import { answerTime } from "../loadtest/answer-time.js";
import { freePort, startService } from "../tools/processes.js";
import { joinWorld, sleep, type TestPlayer } from "../test/helpers/world.js";
import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:busy-room", {
  options: {
    rooms: { type: "string", default: "3" },
    busy: { type: "string", default: "20" },
    seconds: { type: "string", default: "15" },
    out: { type: "string", default: resultsFile("busy-room.json") },
  },
});
const rooms = number("rooms");
const busy = number("busy");
const seconds = number("seconds");
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);

/** Asks, waits for the answer, pauses `pauseMs`, again, until `until`; a text the player has not said before each time. */
async function keepAsking(player: TestPlayer, offset: number, pauseMs: number, until: () => boolean, waits: number[]): Promise<void> {
  for (let n = 0; !until(); n++) {
    const text = `@kobot ${questions[(offset + n) % questions.length]} ${Math.floor(n / questions.length) || ""}`.trim();
    const answer = answerTime(player.room, text, 60_000);
    player.room.send("chat", { text });
    const result = await answer;
    if (!result) throw new Error(`no answer to "${text}" in 60 s`);
    if (result.refused) throw new Error(`the NPC turned "${text}" away (${result.refused}): its queue is too short for this bench`);
    if (result.fallback) throw new Error(`"${text}" got a fallback line, not an answer: see the server's log (is the model loaded?)`);
    waits.push(result.ms);
    if (pauseMs > 0) await sleep(pauseMs);
  }
}

const port = await freePort();
const server = await startService("bench-busy-room", "server/main.ts", {
  PORT: String(port), HOST: "127.0.0.1", WORLD_FILE: "off", MAX_CLIENTS: String(busy), NPC_TIMEOUT_MS: "60000", CHAT_HISTORY: "200",
  QUESTION_BURST: "100", QUESTIONS_PER_SECOND: "100", CHAT_BURST: "100", CHAT_LINES_PER_SECOND: "100",
}, "world server listening");
try {
  const url = `ws://127.0.0.1:${port}`;
  // Each busy room is full (MAX_CLIENTS): the next player gets a new room.
  const busyPlayers: TestPlayer[] = [];
  for (let r = 0; r < rooms; r++) {
    const first = await joinWorld(url, { name: `r${r}b0` });
    busyPlayers.push(first);
    for (let i = 1; i < busy; i++) busyPlayers.push(await joinWorld(url, { name: `r${r}b${i}` }, first.room.roomId));
  }
  const quiet = await joinWorld(url, { name: "q" });
  const roomIds = new Set([...busyPlayers, quiet].map((player) => player.room.roomId));
  if (roomIds.size !== rooms + 1) throw new Error(`${rooms} busy rooms and a quiet one were wanted; ${roomIds.size} rooms were joined`);

  let stop = false;
  const busyWaits: number[] = [];
  const flood = busyPlayers.map((player, i) => keepAsking(player, i, 0, () => stop, busyWaits));
  await sleep(3000); // the busy room's questions fill the worker
  const started = performance.now();
  const answeredBefore = busyWaits.length;
  const quietWaits: number[] = [];
  await keepAsking(quiet, 0, 500, () => performance.now() - started > seconds * 1000, quietWaits);
  const elapsed = (performance.now() - started) / 1000;
  const answeredInWindow = busyWaits.length;
  const busyAnswersPerSecond = (answeredInWindow - answeredBefore) / elapsed;
  stop = true;
  await Promise.all(flood);
  // The busy rooms' answers while the quiet player asked, as its row and the rate: not the fill before it (a fresh
  // server's cold answers) nor the drain after.
  const busyInWindow = busyWaits.slice(answeredBefore, answeredInWindow);
  const rows = [
    { room: "quiet (1 player)", answers: quietWaits.length, medianMs: round(percentile(quietWaits, 50)), p95Ms: round(percentile(quietWaits, 95)), maxMs: round(Math.max(...quietWaits)) },
    { room: `busy (${rooms} of ${busy} players)`, answers: busyInWindow.length, medianMs: round(percentile(busyInWindow, 50)), p95Ms: round(percentile(busyInWindow, 95)), maxMs: round(Math.max(...busyInWindow)) },
  ];
  printTable(rows);
  console.log(`\nthe busy rooms: ${round(busyAnswersPerSecond)} answers/s while the quiet player asked`);
  writeFileSync(values.out!, JSON.stringify({ benchmark: "busy-room", date: new Date().toISOString(), machine: machineInfo(), rooms, busy, seconds, rows, busyAnswersPerSecond: round(busyAnswersPerSecond) }, null, 2) + "\n");
} finally {
  await server.stop();
}
process.exit(0);
