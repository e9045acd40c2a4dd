/**
 * npm run bench:soak: does memory stay flat while players come and go for minutes? `npm start`'s server (rooms and the
 * embedded NPC worker, the village world) in its own process, or with `--kafka` a server and an NPC worker as two
 * processes on a real broker (scripts/kafka-local.sh), as deployed. `--players` visitors at a time, each a new player:
 * joins (matchmaking), asks the NPC by the gate and waits for the answer, walks to another NPC (greeted there), says
 * hello, leaves after `--stay` seconds, and the next one comes. After a warm-up and again at the end, once every
 * visitor has left, each process writes a heap snapshot (after a full GC): what grew between the two, per visit, by
 * kind and, for internal arrays (lists', maps' and objects' backing stores), by what holds them; and whether any room
 * or client outlived its player. /metrics is read every 2 s for the heap and RSS curves.
 * Table + bench/results/soak.json (soak-kafka.json with --kafka).
 *
 *   npm run bench:soak -- [--minutes 5] [--players 100] [--stay 8] [--warmup 30] [--signed-in] [--kafka] [--keep-snapshots]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { commandArgs } from "../common/cli-args.js";
import "../common/node-websocket.js"; // before the SDK (test/helpers/world.ts)
import { answerTime } from "../loadtest/answer-time.js";
import { freePort, type Service, startService } from "../tools/processes.js";
import { joinWorld, signedIn, sleep, type TestPlayer, walkTo } from "../test/helpers/world.js";
import { grownArrays, grownKinds, heapKinds, type HeapKind, totalBytes } from "./heap-snapshot.js";
import { type LocalBroker, startLocalBroker } from "./local-broker.js";
import { machineInfo } from "./machine.js";
import { MB, percentile, printTable, round } from "../tools/stats.js";
import { resultsFile } from "./results-file.js";

const { values, number } = commandArgs("npm run bench:soak", {
  options: {
    minutes: { type: "string", default: "5" },
    players: { type: "string", default: "100" },
    stay: { type: "string", default: "8" },
    warmup: { type: "string", default: "30" },
    /** Each visitor signs in as a new account (the server gets AUTH_SECRET): the NPCs remember every one they greet. */
    "signed-in": { type: "boolean", default: false },
    /** A server and an NPC worker on a real broker, both watched, instead of the one embedded process. */
    kafka: { type: "boolean", default: false },
    /** Leave the heap snapshots in their folders (printed at the end), to read in devtools or bench/heap-snapshot.ts. */
    "keep-snapshots": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const players = number("players");
const stayMs = number("stay") * 1000;
const out = values.out ?? resultsFile(values.kafka ? "soak-kafka.json" : "soak.json");
const questions = readFileSync(join(import.meta.dirname, "..", "npc", "eval", "everyday-questions.txt"), "utf8").split("\n").filter(Boolean);
const secret = values["signed-in"] ? "soak-secret-of-at-least-32-characters!" : undefined;

/** A process under watch: its /metrics, and the folder its heap snapshots go to (`--heapsnapshot-signal`). */
interface Watched {
  name: string;
  service: Service;
  metricsUrl: string;
  snapshots: string;
}

async function watched(name: string, entry: string, env: Record<string, string>, readyMsg: string, metricsPort: number): Promise<Watched> {
  const snapshots = mkdtempSync(join(tmpdir(), `kobot-soak-${name}-`));
  try {
    const service = await startService(`bench-soak-${name}`, entry, env, readyMsg, ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${snapshots}`]);
    return { name, service, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`, snapshots };
  } catch (error) {
    rmSync(snapshots, { recursive: true, force: true });
    throw error;
  }
}

let broker: LocalBroker | undefined;
/** The server first, then the worker, if any: each pushed as it starts, so that stopAll stops what a failed start left. */
const processes: Watched[] = [];

async function stopAll(): Promise<void> {
  for (const watched of processes) {
    await watched.service.stop();
    if (values["keep-snapshots"]) console.log(`${watched.name}'s heap snapshots: ${watched.snapshots}`);
    else rmSync(watched.snapshots, { recursive: true, force: true }); // two of ~40 MB each
  }
  broker?.stop();
}

/** The broker (with --kafka), the worker and the server; whatever started is stopped if one of them fails to. */
async function startAll(): Promise<{ brokers?: string; server: Watched; url: string }> {
  try {
    if (values.kafka) broker = startLocalBroker("soak");
    const kafkaEnv = broker?.env ?? {};
    const workerPort = await freePort();
    if (broker) processes.push(await watched("worker", "npc/worker/worker-main.ts", { ...kafkaEnv, METRICS_PORT: String(workerPort) }, "npc worker started", workerPort));
    const port = await freePort();
    const server = await watched("server", "server/main.ts", { ...kafkaEnv, PORT: String(port), HOST: "127.0.0.1", ...(secret ? { AUTH_SECRET: secret } : {}) }, "world server listening", port);
    processes.unshift(server);
    return { brokers: broker?.brokers, server, url: `ws://127.0.0.1:${port}` };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

const { brokers, server, url } = await startAll();

/** What the visitors saw, over one phase. */
class Tally {
  visits = 0;
  answers: number[] = [];
  /** Turned away at once (the NPC's queue full, the server closing): kept out of the answer times. */
  refused = 0;
  /** Answered with a fallback line (a timeout, the brain unavailable): kept out of the answer times too. */
  fallbacks = 0;
  unanswered = 0;
  errors: Record<string, number> = {};
  count(code: string) {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }
}

let visitorNumber = 0;

/** One player's visit: join, ask the NPC by the gate and wait for its answer, walk to another NPC, say hello, stay, leave. */
async function visit(tally: Tally): Promise<void> {
  const n = visitorNumber++;
  let player: TestPlayer;
  try {
    const name = `손님${n}`;
    player = await joinWorld(url, { name }, undefined, secret ? await signedIn(secret, `soak-${n}`, name) : undefined);
  } catch (error) {
    return tally.count(`join_failed: ${(error as Error).message.slice(0, 60)}`);
  }
  const started = performance.now();
  const { room } = player;
  room.onMessage("error", (error: { code: string }) => tally.count(error.code));
  try {
    const text = `@kobot ${questions[n % questions.length]}`;
    const answer = answerTime(room, text);
    room.send("chat", { text });
    const result = await answer;
    if (!result) tally.unanswered++;
    else if (result.refused) tally.refused++;
    else if (result.fallback) tally.fallbacks++;
    else tally.answers.push(result.ms);
    // Then on to another NPC, which greets them (and, signed in, remembers them), and hello to the room.
    const others = [...room.state.npcs].filter(([id]) => id !== "kobot");
    const [, npc] = others[n % others.length]!;
    await walkTo(player, npc.x + 2, npc.z + 2).catch(() => tally.count("walk_failed"));
    room.send("chat", { text: "안녕하세요" });
    await sleep(Math.max(0, stayMs - (performance.now() - started)));
  } finally {
    await room.leave().catch(() => {});
    tally.visits++;
  }
}

/** `players` visitors at a time for `seconds`, each replaced as it leaves; resolves once the last has left. */
async function churn(seconds: number): Promise<Tally> {
  const tally = new Tally();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: players }, async (_, i) => {
      await sleep((i * stayMs) / players); // arrivals spread over one stay, as players come and go in a live game
      while (performance.now() < until) await visit(tally);
    }),
  );
  return tally;
}

type Sample = { s: number; process: string; heapUsedMB: number; rssMB: number; rooms?: number; clients?: number; phase: string };
const memory: Sample[] = [];
const startedAt = performance.now();
let phase = "warm-up";
async function sampleMemory(watched: Watched): Promise<Sample> {
  const text = await (await fetch(watched.metricsUrl)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1]);
  const sample: Sample = {
    s: round((performance.now() - startedAt) / 1000),
    process: watched.name,
    heapUsedMB: round(value("nodejs_heap_size_used_bytes") / MB),
    rssMB: round(value("process_resident_memory_bytes") / MB),
    ...(watched === server ? { rooms: value("kobot_rooms"), clients: value("kobot_clients") } : {}),
    phase,
  };
  memory.push(sample);
  return sample;
}
const sampler = setInterval(() => void Promise.all(processes.map(sampleMemory)).catch(() => {}), 2000);

/** A heap snapshot of `watched` (its signal handler runs a full GC first): its file. */
async function snapshot(watched: Watched): Promise<string> {
  const before = new Set(readdirSync(watched.snapshots));
  watched.service.process.kill("SIGUSR2");
  for (;;) {
    await sleep(500);
    const file = readdirSync(watched.snapshots).find((name) => !before.has(name) && name.endsWith(".heapsnapshot"));
    // Written on the process's main thread: once /metrics answers again, the file is whole.
    if (file && statSync(join(watched.snapshots, file)).size > 0 && (await fetch(watched.metricsUrl).then((r) => r.ok, () => false))) {
      return join(watched.snapshots, file);
    }
  }
}

/** Once the last visitors' rooms have closed: the rooms and clients left (none, if every leave was seen), and each process's heap. */
async function settled(): Promise<{ rooms: number; clients: number; snapshots: string[]; heaps: Map<string, HeapKind>[] }> {
  await sleep(3000);
  const { rooms = NaN, clients = NaN } = await sampleMemory(server);
  const snapshots = [];
  for (const watched of processes) snapshots.push(await snapshot(watched)); // one at a time: each takes a core for a while
  return { rooms, clients, snapshots, heaps: await Promise.all(snapshots.map(heapKinds)) };
}

try {
  console.log(`warm-up: ${values.warmup} s of ${players} visitors at a time${brokers ? ", server and NPC worker on Kafka" : ""}…`);
  const warmupStart = performance.now();
  const warmup = await churn(number("warmup"));
  const warmupSeconds = (performance.now() - warmupStart) / 1000;
  const afterWarmup = await settled();
  phase = "soak";
  console.log(`soak: ${values.minutes} min…`);
  const soakStart = performance.now();
  const soak = await churn(number("minutes") * 60);
  const soakSeconds = (performance.now() - soakStart) / 1000;
  phase = "after";
  const atEnd = await settled();
  clearInterval(sampler);

  const phaseRow = (name: string, seconds: number, tally: Tally, settledThen: typeof atEnd) => ({
    phase: name, seconds: round(seconds), visits: tally.visits, answers: tally.answers.length, refused: tally.refused, fallbacks: tally.fallbacks, unanswered: tally.unanswered,
    answerP50Ms: round(percentile(tally.answers, 50)), answerP95Ms: round(percentile(tally.answers, 95)),
    ...Object.fromEntries(processes.map((watched, i) => [`${watched.name}HeapMB`, round(totalBytes(settledThen.heaps[i]!) / MB)])),
    roomsLeft: settledThen.rooms, clientsLeft: settledThen.clients,
  });
  const rows = [phaseRow("warm-up", warmupSeconds, warmup, afterWarmup), phaseRow("soak", soakSeconds, soak, atEnd)];
  printTable(rows);
  const growth = [];
  for (const [i, watched] of processes.entries()) {
    const grown = totalBytes(atEnd.heaps[i]!) - totalBytes(afterWarmup.heaps[i]!);
    const grewMost = grownKinds(afterWarmup.heaps[i]!, atEnd.heaps[i]!, 12).map((k) => ({ kind: k.kind, count: k.count, kB: round(k.bytes / 1024) }));
    console.log(`\n${watched.name}: heap after a full GC grew ${round(grown / MB, 2)} MB over ${soak.visits} visits, ${round(grown / soak.visits)} bytes a visit. Grew most:`);
    printTable(grewMost);
    const arrays = (await grownArrays(afterWarmup.snapshots[i]!, atEnd.snapshots[i]!, 5)).map((a) => ({ heldBy: a.heldBy, arrays: a.arrays, kB: round(a.bytes / 1024) }));
    console.log("(array) bytes that grew, by what holds them:");
    printTable(arrays);
    const rss = memory.filter((m) => m.phase === "soak" && m.process === watched.name).map((m) => m.rssMB);
    console.log(`RSS during the soak: ${Math.min(...rss)}–${Math.max(...rss)} MB`);
    growth.push({ process: watched.name, heapGrownMB: round(grown / MB, 2), bytesPerVisit: round(grown / soak.visits), grewMost, arrays });
  }
  console.log(`\nerrors: ${JSON.stringify({ ...warmup.errors, ...soak.errors })}`);
  writeFileSync(out, JSON.stringify({
    benchmark: "soak", date: new Date().toISOString(), machine: machineInfo(),
    players, staySeconds: stayMs / 1000, signedIn: secret !== undefined, kafka: brokers !== undefined, rows, growth,
    errors: { warmup: warmup.errors, soak: soak.errors }, memory,
  }, null, 2) + "\n");
} finally {
  clearInterval(sampler);
  await stopAll();
}
process.exit(0);
