import { networkInterfaces } from "node:os";
import { Client, type Room } from "@colyseus/sdk";

import type { Client as Elasticsearch } from "@elastic/elasticsearch";

import { createLogger, type Logger } from "../../common/log.js";
import { isPrivateAddress } from "../../common/private-address.js";
import type { ChatLogRecord } from "../../kafka/chat-log.js";
import type { ChatLogPublisher } from "../../kafka/chat-log-transport.js";
import { type AnswerMessage, CONTRACT_VERSION, type QuestionMessage } from "../../kafka/contract.js";
import { discardChatLog } from "../../kafka/discard-chat-log.js";
import { InProcessBus } from "../../kafka/in-process-transport.js";
import { NpcCast } from "../../npc/npc-cast.js";
import { NpcWorker } from "../../npc/worker/worker.js";
import { loadConfig } from "../../server/config.js";
import { signToken } from "../../server/player-accounts.js";
import type { NpcCheck } from "../../server/npc-readiness.js";
import { startWorldServer, type WorldServer } from "../../server/world-server.js";
import type { PrivateLineMessage, WorldError } from "../../rooms/world-contract.js";
import { PRIVATE_LINE } from "../../rooms/world-protocol.js";
import { DEFAULT_WORLD_SETTINGS, type WorldSettings } from "../../rooms/world-settings.js";
import type { WorldState } from "../../rooms/world-state.js";
import { shippedEngine } from "./engine.js";

export const quiet = createLogger({}, "silent");

/**
 * This machine's own IPv4 address on an interface besides loopback, if it has one outside the private networks (whose
 * addresses are not counted per address): a client from another address. Tests that need one skip without it.
 */
export const outsideAddress = (): string | undefined =>
  Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === "IPv4" && !isPrivateAddress(a.address))?.address;

export interface TestWorld {
  server: WorldServer;
  bus: InProcessBus;
  url: string;
  /** Puts the real NPC worker (shipped model) on the bus. */
  startWorker(): Promise<NpcWorker>;
  join(name?: string): Promise<TestPlayer>;
  /** Joins the room `other` is in (rooms come and go between tests). */
  joinBeside(other: TestPlayer, name: string): Promise<TestPlayer>;
  stop(): Promise<void>;
}

export interface TestPlayer {
  room: Room<any, WorldState>;
  errors: WorldError[];
  /** The lines told to this player alone (talk with an NPC in private), as they came; none on a player not made by joinWorld. */
  privateLines?: PrivateLineMessage[];
  /** walkTo's step (units a move message): its world's maxSpeed's worth; absent: the default speed's, 1.5. */
  step?: number;
}

/** Chat-log records kept in memory, to read what the room logged (the model of each answer, reports). */
export function recordingChatLog(): ChatLogPublisher & { records: ChatLogRecord[] } {
  const records: ChatLogRecord[] = [];
  return { records, publish: (record) => void records.push(record), flush: async () => {}, stop: async () => {} };
}

/** An embedded world server on a free port, with settings from env-style overrides. */
export async function startTestWorld(
  env: Record<string, string> = {},
  extra: { chatLog?: ChatLogPublisher; archive?: { erase(account: string): Promise<number> }; elasticsearch?: Elasticsearch; npcCheck?: () => NpcCheck | Promise<NpcCheck>; log?: Logger; requestTimeoutMs?: number; presenceSaveMs?: number; redisRetriesPerRequest?: number; redisWriteAgainMs?: number; webClientDir?: string; world?: Partial<WorldSettings> } = {},
): Promise<TestWorld> {
  // One NPC unless a test names a world file: most tests count the lines of one NPC.
  // No DATA_DIR unless a test gives one: the repository's data/ would carry one test's mutes and reports into the next.
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", SERVER_ID: "test-server", WORLD_FILE: "off", DATA_DIR: "off", ...env });
  // Settings no env variable sets, for tests that wait less (a greeting gap, a walking speed).
  Object.assign(config.world, extra.world);
  const bus = new InProcessBus(config.model.maxBatch);
  let cast: NpcCast | undefined;
  const server = await startWorldServer({
    config,
    channel: bus.serverChannel(config.serverId),
    chatLog: extra.chatLog ?? discardChatLog,
    archive: extra.archive,
    elasticsearch: extra.elasticsearch,
    npcCheck: extra.npcCheck,
    log: extra.log ?? quiet,
    requestTimeoutMs: extra.requestTimeoutMs,
    presenceSaveMs: extra.presenceSaveMs,
    redisRetriesPerRequest: extra.redisRetriesPerRequest,
    redisWriteAgainMs: extra.redisWriteAgainMs,
    webClientDir: extra.webClientDir,
    // As the embedded worker does (server/main.ts): an edit of the world file reaches its NPCs' settings.
    onWorldEdit: (world) => cast?.replaceSettings(world.brains),
  });
  const url = `ws://127.0.0.1:${server.port}`;
  const players: TestPlayer[] = [];
  const step = (WALK_STEP * config.world.maxSpeed) / DEFAULT_WORLD_SETTINGS.maxSpeed;
  return {
    server,
    bus,
    url,
    async startWorker() {
      // A world file's NPCs get their own knowledge and settings; the default world shares the loaded model.
      const brains = env.WORLD_FILE && env.WORLD_FILE !== "off" ? (cast = await NpcCast.load(config.brains)) : await shippedEngine();
      const worker = new NpcWorker(brains, bus.workerChannel(), quiet);
      await worker.start();
      return worker;
    },
    async join(name) {
      const player = await joinWorld(url, name === undefined ? {} : { name });
      player.step = step;
      players.push(player);
      return player;
    },
    async joinBeside(other, name) {
      const player = await joinWorld(url, { name }, other.room.roomId);
      player.step = step;
      players.push(player);
      return player;
    },
    async stop() {
      await Promise.allSettled(players.map((p) => p.room.connection.isOpen && p.room.leave()));
      await server.shutdown();
    },
  };
}

/** The headers a player signed in by the game's login joins with (AUTH_SECRET `secret`): a token for an hour. */
export async function signedIn(secret: string, account: string, name: string): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await signToken(secret, { account, name, hours: 1 })}` };
}

/**
 * `name` joined by matchmaking straight to the server at `url` and its socket through the proxy at `proxy.host`: only
 * the socket goes through it (Node's WebSocket sends an upgrade on a pooled keep-alive socket, the join's, which a
 * freeze would take too).
 */
export async function joinThroughProxy(proxy: { host: string }, url: string, name: string): Promise<TestPlayer> {
  const response = await fetch(`${url.replace("ws", "http")}/matchmake/joinOrCreate/world`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
  const room = await new Client(`ws://${proxy.host}`).consumeSeatReservation<WorldState>(await response.json());
  await waitFor("the first state", () => room.state?.players !== undefined);
  const player: TestPlayer = { room, errors: [] };
  room.onMessage("error", (error) => player.errors.push(error));
  return player;
}

/** `headers` go with matchmaking and the socket, as a proxy in front would send them. */
export async function joinWorld(url: string, options: Record<string, unknown>, roomId?: string, headers?: Record<string, string>): Promise<TestPlayer> {
  const client = new Client(url, headers && { headers });
  const room = roomId
    ? await client.joinById<WorldState>(roomId, options)
    : await client.joinOrCreate<WorldState>("world", options);
  return playerIn(room);
}

/** Creates a room of its own, even where others have places free, as a player who joins it. */
export async function createWorldRoom(url: string, options: Record<string, unknown>, headers?: Record<string, string>): Promise<TestPlayer> {
  return playerIn(await new Client(url, headers && { headers }).create<WorldState>("world", options));
}

async function playerIn(room: Room<any, WorldState>): Promise<TestPlayer> {
  const errors: WorldError[] = [];
  room.onMessage("error", (error: WorldError) => errors.push(error));
  const privateLines: PrivateLineMessage[] = [];
  room.onMessage(PRIVATE_LINE, (line: PrivateLineMessage) => privateLines.push(line));
  // The first full state arrives just after the join resolves.
  await waitFor("the first state", () => room.state?.players !== undefined);
  return { room, errors, privateLines };
}

/**
 * Tries `join` again for up to 2 s while it is refused: a place a player just left is free once their socket's close
 * has reached the server. Undefined if it never was.
 */
export async function onceFree<T>(join: () => Promise<T>): Promise<T | undefined> {
  for (let tries = 0; tries < 20; tries++) {
    const joined = await join().catch(() => undefined);
    if (joined !== undefined) return joined;
    await sleep(100);
  }
  return undefined;
}

/** Joins as joinWorld does, once a place is free (onceFree). */
export function joinOnceFree(url: string, options: Record<string, unknown>, roomId: string, headers?: Record<string, string>): Promise<TestPlayer | undefined> {
  return onceFree(() => joinWorld(url, options, roomId, headers));
}

/** Units a walkTo step at the default maxSpeed. */
const WALK_STEP = 1.5;

/** Walks the player's avatar to (x, z) in steps the server's speed limit allows. */
export async function walkTo(player: TestPlayer, x: number, z: number): Promise<void> {
  for (let step = 0; step < 200; step++) {
    const at = positionOf(player);
    const dx = x - at.x;
    const dz = z - at.z;
    const left = Math.hypot(dx, dz);
    if (left < NEAR) return; // as near() compares: a step the travel allowance cut short is walked on
    // Under the 2 units a message may move at the default speed (8 u/s × 0.25 s), or as much more as a world's is faster.
    const k = Math.min(1, (player.step ?? WALK_STEP) / left);
    player.room.send("move", { x: at.x + dx * k, y: 0, z: at.z + dz * k });
    await waitFor("the step", () => {
      const now = positionOf(player);
      return now.x !== at.x || now.z !== at.z;
    });
  }
  throw new Error(`could not walk to (${x}, ${z})`);
}

/**
 * Polls until `check` returns (or resolves to) a value other than undefined/false, or fails after `ms` of the
 * monotonic clock: a jump of the wall clock (NTP, a VM catching up after a pause) would end a wait early or late. An
 * async check's promise was taken for the value: such waits ended at once.
 */
export async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 5000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the SDK's state decoder reported (it writes to console.error: "refId not found" …) while `body` ran. */
export async function decoderErrorsDuring(body: () => Promise<void>): Promise<string[]> {
  const reported: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void reported.push(args.map(String).join(" "));
  try {
    await body();
  } finally {
    console.error = consoleError;
  }
  return reported;
}

/** Plain JSON view of a player's state, for readable assertions. */
export function stateOf(player: TestPlayer) {
  return player.room.state.toJSON() as {
    players: Record<string, { name: string; x: number; y: number; z: number; rotY: number; anim: string }>;
    npcs: Record<string, { name: string; status: string; x: number; y: number; z: number; talkRadius: number; rotY: number; privateTalk: boolean }>;
    hearingRadius: number;
    sightRadius: number;
    chat: Array<{ id: string; kind: string; from: string; name: string; text: string; ts: number; replyTo: string }>;
  };
}

/**
 * Puts a scripted brain on the world's bus in place of the model: 150 ms a batch, each question heard noted in
 * `heard` (in the order the brain took them), each answered `답: <question>`.
 */
export async function answerSlowly(world: TestWorld, heard: string[]): Promise<void> {
  await world.bus.workerChannel().start(async (questions: QuestionMessage[]) => {
    await sleep(150);
    heard.push(...questions.map((q) => q.text));
    return questions.map((q) => scriptedAnswer(q, `답: ${q.text}`, 150));
  });
}

/**
 * Who gets the NPC's turns (with answerSlowly and a batch of one): `first` and `second` ask at once and the brain takes
 * both, then each of `group` asks (l1 l2, then o1 o2 o3), then `last` (l3). Resolves once the brain has heard all six,
 * with the order it took them in, and every player of `group` has had their answer.
 */
export async function askInTurns(
  players: { first: TestPlayer; second: TestPlayer; group: TestPlayer[]; last: TestPlayer },
  heard: string[],
): Promise<string[]> {
  const { first, second, group, last } = players;
  first.room.send("chat", { text: "@kobot l1" });
  second.room.send("chat", { text: "@kobot l2" });
  await sleep(20);
  group.forEach((player, i) => player.room.send("chat", { text: `@kobot o${i + 1}` }));
  await sleep(20);
  last.room.send("chat", { text: "@kobot l3" });
  await waitFor("six questions heard", () => heard.length === 2 + group.length + 1, 5000);
  // Heard is before answered: the last answer may still be on its way.
  await waitFor("each of the group answered", () => group.every((player) => answersTo(player).length === 1));
  return heard;
}

/** An answer written by the test instead of the model, routed back like a worker's. */
export function scriptedAnswer(question: QuestionMessage, text: string, ms = 1): AnswerMessage {
  const { questionId, roomId, npcId, replyTo } = question;
  return { v: CONTRACT_VERSION, questionId, roomId, npcId, text, ms, model: "test", ...(replyTo ? { replyTo } : {}) };
}

/** The NPC's lines that answer this player's lines (rooms are shared between tests). */
export function answersTo(player: TestPlayer) {
  const chat = stateOf(player).chat;
  const asked = new Set(chat.filter((line) => line.from === player.room.sessionId).map((line) => line.id));
  return chat.filter((line) => line.kind === "npc" && asked.has(line.replyTo));
}

/** This player's position now. */
export function positionOf(player: TestPlayer) {
  return stateOf(player).players[player.room.sessionId]!;
}

/** Positions travel as 32-bit floats when that is exact enough: compare with a tolerance. */
export function near(a: number | undefined, b: number): boolean {
  return a !== undefined && Math.abs(a - b) < NEAR;
}

/** How close a position is to count as there (near, walkTo). */
const NEAR = 1e-3;
