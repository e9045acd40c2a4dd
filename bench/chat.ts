/**
 * npm run bench:chat: a chat line sent to the NPC → its answer in every client's state, p50/p95,
 * for the embedded default (one process) and the Kafka deployment (server + worker processes and
 * a real broker) in the same run; plus the transport hop alone (instant answers), in-process vs
 * Kafka. Prints a table and writes bench/results/chat.json.
 *
 *   npm run bench:chat -- --questions 30 --rate 1 --players 4
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import { createLogger } from "../common/log.js";
import { type AnswerMessage, CONTRACT_VERSION, type QuestionMessage } from "../kafka/contract.js";
import { InProcessBus } from "../kafka/in-process-transport.js";
import { createKafka } from "../kafka/kafka-client.js";
import { KafkaQuestionChannel } from "../kafka/kafka-question-channel.js";
import { KafkaWorkerChannel } from "../kafka/kafka-worker-channel.js";
import type { QuestionChannel, WorkerChannel } from "../kafka/npc-transport.js";
import "../common/node-websocket.js"; // before the SDK (test/helpers/world.ts)
import { answerTime } from "../loadtest/answer-time.js";
import { listenToState } from "../loadtest/state-listener.js";
import { isNoAnswerLine } from "../rooms/npc/fallback-lines.js";
import { freePort, startService, uniqueTopics, withServices } from "../tools/processes.js";
import { joinWorld, type TestPlayer } from "../test/helpers/world.js";
import { startLocalBroker } from "./local-broker.js";
import { machineInfo } from "./machine.js";
import { mean, percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:chat", {
  options: {
    questions: { type: "string", default: "30" },
    rate: { type: "string", default: "1" },
    players: { type: "string", default: "4" },
    hops: { type: "string", default: "300" },
    out: { type: "string", default: resultsFile("chat.json") },
  },
});
const questionCount = number("questions");
const rate = number("rate");
const playerCount = number("players");
const hopCount = number("hops");
const everyday = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8")
  .split("\n")
  .filter(Boolean);
const quiet = createLogger({}, "silent");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Row {
  path: string;
  n: number;
  p50: number;
  p95: number;
  mean: number;
  max: number;
  fallbacks?: number;
}

function row(path: string, ms: number[], fallbacks?: number): Row {
  return {
    path,
    n: ms.length,
    p50: round(percentile(ms, 50)),
    p95: round(percentile(ms, 95)),
    mean: round(mean(ms)),
    max: round(Math.max(...ms)),
    ...(fallbacks === undefined ? {} : { fallbacks }),
  };
}

// The first round trips open connections, fetch metadata and warm the broker's JIT: not measured.
const WARM_UP = 100;

/**
 * Round trips through a transport with a worker that answers at once: the cost of the hops
 * themselves. Both ends run in this process, so the question's leg (server → worker) is timed too.
 */
async function hop(server: QuestionChannel, worker: WorkerChannel): Promise<{ roundTrip: number[]; questionLeg: number[] }> {
  const waiting = new Map<string, (at: number) => void>();
  const takenAt = new Map<string, number>();
  await worker.start(async (questions) =>
    questions.map((q): AnswerMessage => {
      takenAt.set(q.questionId, performance.now());
      return { v: CONTRACT_VERSION, questionId: q.questionId, roomId: q.roomId, npcId: q.npcId, text: "네", ms: 0, model: "echo", ...(q.replyTo ? { replyTo: q.replyTo } : {}) };
    }),
  );
  await server.start((answer) => waiting.get(answer.questionId)?.(performance.now()));
  const roundTrip: number[] = [];
  const questionLeg: number[] = [];
  for (let i = 0; i < hopCount + WARM_UP; i++) {
    const question: QuestionMessage = { v: CONTRACT_VERSION, questionId: `hop-${i}`, roomId: "bench", npcId: "kobot", playerId: "p", playerName: "p", text: "안녕", ts: Date.now() };
    const started = performance.now();
    const answered = new Promise<number>((resolve) => waiting.set(question.questionId, resolve));
    await server.sendQuestion(question);
    const at = await answered;
    if (i >= WARM_UP) {
      roundTrip.push(at - started);
      questionLeg.push(takenAt.get(question.questionId)! - started);
    }
    await sleep(5);
  }
  await server.stop();
  await worker.stop();
  return { roundTrip, questionLeg };
}

/** Players in one room; one question every 1/rate s; time until every player holds the answer. */
async function chatRoundTrips(url: string): Promise<{ ms: number[]; fallbacks: number }> {
  const players: TestPlayer[] = [await joinWorld(url, { name: "bench-0" })];
  for (let i = 1; i < playerCount; i++) players.push(await joinWorld(url, { name: `bench-${i}` }, players[0]!.room.roomId));
  const ms: number[] = [];
  let fallbacks = 0;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < questionCount; i++) {
    const asker = players[i % players.length]!;
    const text = `@kobot ${everyday[i % everyday.length]}`;
    const started = performance.now();
    // A question the room turns away (rate_limited: more a second than the server lets a player ask) stops the bench
    // with why, where it waited for its answer for good.
    const turnedAway = answerTime(asker.room, text).then((result) => {
      if (result?.refused) throw new Error(`the room turned "${text}" away (${result.refused}): give a lower --rate or more --players`);
    });
    inFlight.push(
      Promise.all([Promise.all(players.map((player) => answerSeen(player, asker.room.sessionId, text))), turnedAway]).then(([lines]) => {
        ms.push(Math.max(...lines.map((line) => line.at)) - started);
        if (lines[0]!.fallback) fallbacks++;
      }),
    );
    asker.room.send("chat", { text });
    await sleep(1000 / rate);
  }
  await Promise.all(inFlight);
  await Promise.all(players.map((player) => player.room.leave()));
  return { ms, fallbacks };
}

/** Resolves when this player's state holds the NPC's answer to `askerId`'s line `text` (texts are unique per run). */
function answerSeen(player: TestPlayer, askerId: string, text: string): Promise<{ at: number; fallback: boolean }> {
  return new Promise((resolve) => {
    const check = () => {
      const chat = player.room.state.chat;
      const question = chat.find((line) => line.from === askerId && line.text === text);
      const answer = question && chat.find((line) => line.replyTo === question.id);
      if (!answer) return false;
      resolve({ at: performance.now(), fallback: isNoAnswerLine(answer.text) });
      return true;
    };
    if (check()) return;
    const stop = listenToState(player.room, () => check() && stop());
  });
}

console.log("starting a Kafka broker (scripts/kafka-local.sh)…");
const broker = startLocalBroker("chat");
const { brokers, env } = broker;
try {
  console.log(`transport hop: ${hopCount} round trips each, instant answers`);
  const bus = new InProcessBus();
  const hopInProcess = await hop(bus.serverChannel("bench"), bus.workerChannel());
  const kafka = createKafka([brokers], "bench", quiet);
  const hopTopics = uniqueTopics("hop");
  const hopKafka = await hop(
    new KafkaQuestionChannel(kafka, hopTopics, "bench-hop", quiet),
    new KafkaWorkerChannel(kafka, hopTopics, `bench-hop-${Date.now()}`, quiet),
  );

  console.log(`chat → answer in ${playerCount} players' state: ${questionCount} questions at ${rate}/s per path`);
  const embeddedPort = await freePort();
  const embedded = await withServices(
    [() => startService("bench-embedded", "server/main.ts", { PORT: String(embeddedPort) }, "world server listening")],
    () => chatRoundTrips(`ws://127.0.0.1:${embeddedPort}`),
  );
  const kafkaPort = await freePort();
  const overKafka = await withServices(
    [
      () => startService("bench-worker", "npc/worker/worker-main.ts", env, "npc worker started"),
      () => startService("bench-server", "server/main.ts", { ...env, PORT: String(kafkaPort), SERVER_ID: "bench" }, "world server listening"),
    ],
    () => chatRoundTrips(`ws://127.0.0.1:${kafkaPort}`),
  );

  const rows = [
    row("hop: in-process, question → worker", hopInProcess.questionLeg),
    row("hop: in-process, round trip", hopInProcess.roundTrip),
    row("hop: Kafka, question → worker", hopKafka.questionLeg),
    row("hop: Kafka, round trip (two hops)", hopKafka.roundTrip),
    row("chat → answer in state: embedded", embedded.ms, embedded.fallbacks),
    row("chat → answer in state: Kafka", overKafka.ms, overKafka.fallbacks),
  ];
  const summary = {
    kafkaOneHopP50Ms: round(percentile(hopKafka.questionLeg, 50) - percentile(hopInProcess.questionLeg, 50)),
    kafkaRoundTripAddsP50Ms: round(percentile(hopKafka.roundTrip, 50) - percentile(hopInProcess.roundTrip, 50)),
    kafkaAddsToAnswerP50Ms: round(percentile(overKafka.ms, 50) - percentile(embedded.ms, 50)),
    embeddedAnswerP95Ms: round(percentile(embedded.ms, 95)),
    kafkaAnswerP95Ms: round(percentile(overKafka.ms, 95)),
  };
  console.log();
  printTable(rows.map((r) => ({ fallbacks: "", ...r })));
  console.log();
  printTable(Object.entries(summary).map(([measure, value]) => ({ measure, value })));
  // Raw latencies too, for the distribution plot (bench/plot.py).
  const samples = { embedded: embedded.ms.map((ms) => round(ms)), kafka: overKafka.ms.map((ms) => round(ms)) };
  writeFileSync(
    values.out!,
    JSON.stringify(
      { benchmark: "chat", date: new Date().toISOString(), machine: machineInfo(), settings: { questions: questionCount, rate, players: playerCount, hops: hopCount }, rows, summary, samples },
      null,
      2,
    ) + "\n",
  );
  console.log(`\nwrote ${values.out}`);
} finally {
  broker.stop();
}
