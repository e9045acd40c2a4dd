/**
 * npm run bench:one-address: one client address holds 40 of a room's 50 players (one person's many connections),
 * each asking one NPC as fast as the room allows, more than the brain answers; the 10 others, each from an address
 * of its own (loopback counts each player as one), ask a question, wait for the answer, pause a second, and ask
 * again. Their waits: with the defaults (the 40 share one turn a round, and 4 players' worth of lines,
 * CHAT_ADDRESS_SHARE); and with every line of the crowd let through (CHAT_ADDRESS_SHARE=0), the NPC's turns by
 * address and by player (NPC_TURNS_BY; each of the 40 its own, as older servers gave turns), batched as shipped (up to
 * 16) and one at a time (a stand-in for a slower brain: a bigger model, or a worker many rooms share).
 * `npm start`'s server in its own process with the shipped model; the modes take turns over rounds, each in a fresh
 * server. The room lets every player ask `--rate` questions a second (QUESTIONS_PER_SECOND and
 * CHAT_LINES_PER_SECOND): 40 × 4 = 160 a second, over what this machine answers either way. Needs a network
 * interface with a public address (the 40 connect through it; private networks' addresses are not counted together). Table + bench/results/one-address.json.
 *
 *   npm run bench:one-address -- [--crowd 40] [--others 10] [--rate 4] [--seconds 12] [--rounds 3]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import "../common/node-websocket.js"; // before the SDK (test/helpers/world.ts)
import { answerTime } from "../loadtest/answer-time.js";
import { freePort, startService } from "../tools/processes.js";
import { joinWorld, outsideAddress, sleep, type TestPlayer } from "../test/helpers/world.js";
import { machineInfo } from "./machine.js";
import { percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { number } = commandArgs("npm run bench:one-address", {
  options: {
    crowd: { type: "string", default: "40" },
    others: { type: "string", default: "10" },
    rate: { type: "string", default: "4" },
    seconds: { type: "string", default: "12" },
    rounds: { type: "string", default: "3" },
  },
});
const crowd = number("crowd");
const others = number("others");
const rate = number("rate");
const seconds = number("seconds");
const rounds = number("rounds");
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);
const outside = outsideAddress();
if (!outside) throw new Error("bench:one-address needs a network interface with a public address (private ones are not counted together): the crowd connects through it");

type TurnsBy = "address" | "player";
interface Mode {
  turnsBy: TurnsBy;
  batch: number;
  /** CHAT_ADDRESS_SHARE: 4, the default, refuses most of the crowd's lines before they ask; 0 lets them all ask. */
  lineShare: number;
}

/** Counts the crowd's answers (the NPC's lines in reply to its lines) as they come, from one crowd client's state. */
function countReplies(watcher: TestPlayer, crowdIds: Set<string>): () => { answered: number; busy: number } {
  const seen = new Set<string>();
  let answered = 0;
  let busy = 0;
  watcher.room.onStateChange((state) => {
    const asked = new Map<string, boolean>();
    for (const line of state.chat) if (crowdIds.has(line.from)) asked.set(line.id, true);
    for (const line of state.chat) {
      if (!line.replyTo || !asked.has(line.replyTo) || seen.has(line.id)) continue;
      seen.add(line.id);
      if (line.text.includes("질문이 너무 많")) busy += 1;
      else answered += 1;
    }
  });
  return () => ({ answered, busy });
}

/** One mode's server for one round: the others' waits, and what the crowd got. */
async function session({ turnsBy, batch, lineShare }: Mode) {
  const port = await freePort();
  const server = await startService(`bench-one-address-${turnsBy}`, "server/main.ts", {
    PORT: String(port), HOST: "0.0.0.0", WORLD_FILE: "off", NPC_TURNS_BY: turnsBy, NPC_MAX_BATCH: String(batch), MAX_CLIENTS: String(crowd + others),
    CHAT_ADDRESS_SHARE: String(lineShare),
    QUESTIONS_PER_SECOND: String(rate), CHAT_LINES_PER_SECOND: String(rate), NPC_TIMEOUT_MS: "120000", CHAT_HISTORY: "1000",
  }, "world server listening");
  try {
    const first = await joinWorld(`ws://127.0.0.1:${port}`, { name: "o0" });
    const otherPlayers: TestPlayer[] = [first];
    for (let i = 1; i < others; i++) otherPlayers.push(await joinWorld(`ws://127.0.0.1:${port}`, { name: `o${i}` }, first.room.roomId));
    const crowdPlayers: TestPlayer[] = [];
    for (let i = 0; i < crowd; i++) crowdPlayers.push(await joinWorld(`ws://${outside}:${port}`, { name: `c${i}` }, first.room.roomId));
    const crowdReplies = countReplies(crowdPlayers[0]!, new Set(crowdPlayers.map((p) => p.room.sessionId)));

    let running = true;
    // The crowd asks at the rate the room allows, from the start: its queue is full before the others ask.
    const flood = crowdPlayers.map(async (player, i) => {
      for (let n = 0; running; n++) {
        player.room.send("chat", { text: `@kobot ${questions[(i + n) % questions.length]}` });
        await sleep(1000 / rate);
      }
    });
    await sleep(2000);
    const started = performance.now();
    const before = crowdReplies();
    const limitedBefore = crowdPlayers.reduce((sum, p) => sum + p.errors.filter((e) => e.code === "rate_limited").length, 0);
    const waits: number[] = [];
    let othersBusy = 0;
    // Each of the others asks, waits for the answer, pauses a second: a player talking to the NPC.
    const talk = otherPlayers.map(async (player, i) => {
      for (let n = 0; performance.now() - started < seconds * 1000; n++) {
        // Never a text the player already said: the answer is found by its question's text.
        const text = `@kobot ${questions[(i * 3 + n) % questions.length]}`;
        const answer = answerTime(player.room, text, 120_000);
        player.room.send("chat", { text });
        const result = await answer;
        if (!result) throw new Error(`o${i} got no answer to "${text}" in 120 s`);
        if (result.refused) othersBusy += 1;
        else if (result.fallback) throw new Error(`o${i}'s "${text}" got a fallback line, not an answer: see the server's log (is the model loaded?)`);
        else waits.push(result.ms);
        await sleep(1000);
      }
    });
    await Promise.all(talk);
    const elapsed = (performance.now() - started) / 1000;
    const after = crowdReplies();
    const limited = crowdPlayers.reduce((sum, p) => sum + p.errors.filter((e) => e.code === "rate_limited").length, 0) - limitedBefore;
    running = false;
    await Promise.all(flood);
    return {
      waits,
      othersBusy,
      crowdAnswersPerSecond: (after.answered - before.answered) / elapsed,
      crowdBusyPerSecond: (after.busy - before.busy) / elapsed,
      crowdRateLimitedPerSecond: limited / elapsed,
    };
  } finally {
    await server.stop();
  }
}

// Batched as shipped, the defaults first; then each brain with every line of the crowd let through, by address and by player.
const modes: Mode[] = [
  { turnsBy: "address", batch: 16, lineShare: 4 },
  ...[16, 1].flatMap((batch) => (["address", "player"] as const).map((turnsBy) => ({ turnsBy, batch, lineShare: 0 }))),
];
const results = modes.map(() => [] as Awaited<ReturnType<typeof session>>[]);
for (let r = 0; r < rounds; r++) for (const [m, mode] of modes.entries()) results[m]!.push(await session(mode));

const rows = modes.map(({ turnsBy, batch, lineShare }, m) => {
  const sessions = results[m]!;
  const waits = sessions.flatMap((s) => s.waits);
  const mean = (pick: (s: (typeof sessions)[number]) => number) => round(sessions.reduce((sum, s) => sum + pick(s), 0) / sessions.length);
  return {
    brain: batch > 1 ? `batched (up to ${batch})` : "one at a time",
    turnsBy,
    addressLineShare: lineShare,
    othersAnswers: waits.length,
    othersMedianMs: round(percentile(waits, 50)),
    othersP95Ms: round(percentile(waits, 95)),
    othersMaxMs: round(Math.max(...waits)),
    othersBusy: sessions.reduce((sum, s) => sum + s.othersBusy, 0),
    crowdAnswersPerSecond: mean((s) => s.crowdAnswersPerSecond),
    crowdBusyPerSecond: mean((s) => s.crowdBusyPerSecond),
    crowdRateLimitedPerSecond: mean((s) => s.crowdRateLimitedPerSecond),
  };
});
printTable(rows);
/** Per brain, with every line let through, the others' median wait by player over by address. */
const byPlayerOverByAddress = [1, 3].map((at) => {
  const [byAddress, byPlayer] = [rows[at]!, rows[at + 1]!];
  const ratio = round(byPlayer.othersMedianMs / byAddress.othersMedianMs, 2);
  console.log(
    `${byAddress.brain}: with ${crowd} players of one address asking ${rate} questions a second each, the ${others} others' median wait is ` +
      `${byAddress.othersMedianMs} ms with turns by address, ${byPlayer.othersMedianMs} ms by player (${ratio}×)`,
  );
  return { brain: byAddress.brain, ratio };
});
console.log(
  `batched, with the defaults (the crowd's lines capped at 4 players' worth): the others' median wait is ${rows[0]!.othersMedianMs} ms; ` +
    `the crowd was told rate_limited ${rows[0]!.crowdRateLimitedPerSecond} times a second`,
);
writeFileSync(
  resultsFile("one-address.json"),
  JSON.stringify({ benchmark: "one-address", date: new Date().toISOString(), machine: machineInfo(), crowd, others, rate, seconds, rounds, rows, othersMedianByPlayerOverByAddress: byPlayerOverByAddress }, null, 2) + "\n",
);
process.exit(0);
