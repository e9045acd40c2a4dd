import { monitorEventLoopDelay } from "node:perf_hooks";

import "../common/node-websocket.js"; // before the SDK
import { Client, type Room } from "@colyseus/sdk";

import { LOOP_SAMPLING_MS } from "../common/metrics.js";
import { DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import type { WorldState } from "../rooms/world-state.js";
import { signToken } from "../server/player-accounts.js";
import { answerTime } from "./answer-time.js";
import { MOVE_SEND_HZ, WORLD_ROOM, type WorldError } from "../rooms/world-protocol.js";

export interface SwarmOptions {
  url: string;
  bots: number;
  rooms: number;
  /** Questions to the NPC per second, over all bots of this swarm. */
  askRate: number;
  /** Chat lines to the room per second, over all bots of this swarm. */
  chatRate: number;
  questions: string[];
  /** Number of this swarm's first bot, so bots of several swarms have distinct names. */
  firstBot?: number;
}

export interface LoadTestReport {
  bots: number;
  rooms: number;
  joined: number;
  joinMs: number[];
  /** Server clock at the patch (`state.serverTime`) → the bot has decoded it: the patch's own delay. */
  patchDelayMs: number[];
  /** A bot's move → the patch that shows it to that bot (includes the wait for the next patch, up to 50 ms). */
  moveSeenMs: number[];
  /** Time between two patches arriving at a bot (20 patches/s → 50 ms when the server keeps up). */
  patchIntervalMs: number[];
  /** Answers the NPC gave, its fallback lines for an answer that never came (timeout, brain unavailable) included. */
  answerMs: number[];
  fallbacks: number;
  /**
   * Questions the room turned away, by the error's code (npc_busy: the NPC's queue full; server_closing;
   * rate_limited, too_far, muted…): not answers, not in answerMs. Older load tests counted a rate-limited question
   * as unanswered, after waiting out the whole answer timeout.
   */
  refused: number;
  refusedBy: Record<string, number>;
  unanswered: number;
  /** Ask ticks skipped because no bot stood within an NPC's talk radius (players walk up to NPCs first). */
  noAskerNear: number;
  /**
   * Everything else that went wrong, by kind: errors the server sent about no question (those about one are counted
   * above), bots' connections dropped (`dropped_<code>`: the bot is out for the rest of the run) or closed
   * (`left_<code>`), joins that failed (`join_failed: <why>`).
   */
  errors: Record<string, number>;
  /**
   * p99 event loop delay of the bots' own process(es), worst one, less the sampling interval (an idle loop read 10 ms):
   * high means the load generator, not the server, lagged.
   */
  botLoopDelayP99Ms: number;
  /**
   * The server over the window, from its /metrics (absent when not readable): CPU (100 = one core) and p99 event loop
   * delay (less the sampling interval, as the bots').
   */
  server?: { cpuPercent: number; loopDelayP99Ms: number; loopDelayMaxMs: number };
  /** The NPC worker, likewise, where it runs apart (Kafka) and its /metrics was named (LoadTestOptions.workerMetricsUrl). */
  worker?: { cpuPercent: number; loopDelayP99Ms: number; loopDelayMaxMs: number };
}

export function emptyReport(bots: number, rooms: number): LoadTestReport {
  return {
    bots, rooms, joined: 0, joinMs: [], patchDelayMs: [], moveSeenMs: [], patchIntervalMs: [], answerMs: [],
    fallbacks: 0, refused: 0, refusedBy: {}, unanswered: 0, noAskerNear: 0, errors: {}, botLoopDelayP99Ms: 0,
  };
}

interface Bot {
  room: Room<any, WorldState>;
  x: number;
  z: number;
  heading: number;
  seq: number;
  sentAt: Map<number, number>;
  lastPatchAt: number;
  /** Its room closed (kicked, the server gone, dropped): the SDK's leave() on it waited for good, and the load test with it. */
  left: boolean;
}

const SPEED = 4;

/**
 * Bots on @colyseus/sdk, in one process: each joins, walks at MOVE_SEND_HZ, chats now and then and
 * asks an NPC it stands near; a measurement window records what a player would feel. Rooms are
 * filled evenly: the first `rooms` bots create them, the rest join them by id.
 */
export class BotSwarm {
  private readonly bots: Bot[] = [];
  private readonly roomIds: string[] = [];
  private readonly report: LoadTestReport;
  private readonly stopWalking: Array<() => void> = [];
  private measuring = false;

  constructor(private readonly options: SwarmOptions) {
    this.report = emptyReport(options.bots, options.rooms);
  }

  /** Joins every bot (creators first, so rooms exist; then ten at a time) and sets them walking. */
  async join(): Promise<void> {
    const { bots, rooms } = this.options;
    for (let i = 0; i < Math.min(rooms, bots); i++) await this.joinOne(i);
    for (let i = rooms; i < bots; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, bots - i) }, (_, k) => this.joinOne(i + k)));
    }
    // Each bot walks on its own timer, at its own phase, as real players do.
    for (const bot of this.bots) {
      let timer: NodeJS.Timeout | undefined;
      const start = setTimeout(() => (timer = setInterval(() => move(bot), 1000 / MOVE_SEND_HZ)), Math.random() * (1000 / MOVE_SEND_HZ));
      this.stopWalking.push(() => {
        clearTimeout(start);
        clearInterval(timer);
      });
    }
  }

  /** Chats and asks for `durationS` seconds while recording; returns the report once every answer is in. */
  async measure(durationS: number): Promise<LoadTestReport> {
    const { askRate, chatRate, questions } = this.options;
    const report = this.report;
    const pendingAnswers: Array<Promise<void>> = [];
    let asked = 0;
    const ask = askRate > 0
      ? setInterval(() => {
          // As a player would: a bot standing within an NPC's talk radius asks that NPC.
          const asker = askerNearAnNpc(this.bots);
          if (!asker) return void report.noAskerNear++;
          const { bot, npcId } = asker;
          const text = `@${npcId} ${questions[asked++ % questions.length]} #${this.options.firstBot ?? 0}.${asked}`;
          pendingAnswers.push(answerTime(bot.room, text).then((result) => {
            if (result === undefined) report.unanswered++;
            else if (result.refused) {
              report.refused++;
              report.refusedBy[result.refused] = (report.refusedBy[result.refused] ?? 0) + 1;
            } else {
              report.answerMs.push(result.ms);
              if (result.fallback) report.fallbacks++;
            }
          }));
          bot.room.send("chat", { text });
        }, 1000 / askRate)
      : undefined;
    const chat = chatRate > 0
      ? setInterval(() => this.bots[Math.floor(Math.random() * this.bots.length)]?.room.send("chat", { text: "안녕하세요 다들" }), 1000 / chatRate)
      : undefined;
    const loop = monitorEventLoopDelay({ resolution: LOOP_SAMPLING_MS });
    loop.enable();
    this.measuring = true;
    await new Promise((resolve) => setTimeout(resolve, durationS * 1000));
    this.measuring = false;
    loop.disable();
    report.botLoopDelayP99Ms = Math.max(0, loop.percentile(99) / 1e6 - LOOP_SAMPLING_MS);
    clearInterval(ask);
    clearInterval(chat);
    await Promise.all(pendingAnswers);
    return report;
  }

  async leave(): Promise<void> {
    for (const stop of this.stopWalking) stop();
    // A bot whose room closed has nothing to leave; one whose leave is not answered (the server gone) is let go.
    const leaving = this.bots.filter((bot) => !bot.left).map((bot) => bot.room.leave());
    await Promise.race([Promise.allSettled(leaving), new Promise((resolve) => setTimeout(resolve, LEAVE_WAIT_MS).unref())]);
  }

  private async joinOne(i: number): Promise<void> {
    const { url, rooms } = this.options;
    const report = this.report;
    const name = `bot${(this.options.firstBot ?? 0) + i}`;
    if (i >= rooms && this.roomIds[i % rooms] === undefined) return this.count("join_failed: its room was not made (the bot to make it did not join)");
    const started = performance.now();
    try {
      const client = new Client(url);
      // A server that takes only signed-in players (AUTH_SECRET): each bot is an account of its own, as a game's login would sign it.
      const secret = process.env.AUTH_SECRET;
      if (secret) {
        const { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience } = process.env;
        client.auth.token = await signToken(secret, { account: name, name, hours: 1, issuer, audience });
      }
      const room = await inTurn(() =>
        i < rooms ? client.create<WorldState>(WORLD_ROOM, { name }) : client.joinById<WorldState>(this.roomIds[i % rooms]!, { name }),
      );
      if (i < rooms) this.roomIds[i] = room.roomId;
      report.joinMs.push(performance.now() - started);
      report.joined++;
      const bot: Bot = { room, x: 0, z: 0, heading: Math.random() * 2 * Math.PI, seq: 0, sentAt: new Map(), lastPatchAt: 0, left: false };
      // A dropped bot is out for the run, counted (dropped_<code>): the SDK's rejoining (15 tries up to 5 s apart, each
      // printed on stdout) kept the load test running ~1 minute after its report where the server had died, and a server
      // that died and came back mid-run read as a clean run. On loopback only, a drop is the server's doing, not a network's.
      room.reconnection.enabled = false;
      let dropped = false;
      // About a question (its text, or the NPC that could not answer it): counted with its answer, not twice.
      room.onMessage("error", (error: WorldError) => error.text === undefined && error.npcId === undefined && this.count(error.code));
      room.onLeave((code: number) => {
        bot.left = true;
        if (code !== 4000 && !dropped) this.count(`left_${code}`); // a drop is left at once: counted as dropped only
      });
      room.onDrop((code: number) => {
        dropped = true;
        this.count(`dropped_${code}`);
      });
      room.onStateChange((state: WorldState) => {
        const now = performance.now();
        if (this.measuring) {
          if (bot.lastPatchAt > 0) report.patchIntervalMs.push(now - bot.lastPatchAt);
          if (state.serverTime > 0) report.patchDelayMs.push(performance.timeOrigin + now - state.serverTime);
        }
        bot.lastPatchAt = now;
        const me = state.players?.get(room.sessionId);
        if (!me) return;
        if (bot.seq === 0) [bot.x, bot.z] = [me.x, me.z];
        // rotY carries the move's sequence number: the first patch showing it ends the wait.
        const sent = bot.sentAt.get(me.rotY);
        if (sent !== undefined) {
          if (this.measuring) report.moveSeenMs.push(now - sent);
          bot.sentAt.delete(me.rotY);
        }
      });
      this.bots.push(bot);
    } catch (error) {
      this.count(`join_failed: ${joinFailure(error)}`);
    }
  }

  private count(what: string): void {
    this.report.errors[what] = (this.report.errors[what] ?? 0) + 1;
  }
}

/**
 * A server caps the joins one address has waiting for their seat (429, rooms/players/waiting-seats.ts), and every bot of a
 * load test comes from one address: a refused bot waits its turn, as a player's client would.
 */
async function inTurn<T>(join: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await join();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 429 || attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
    }
  }
}

/** Why a join failed, short: the server's code and words (a full room), or the SDK's ("fetch failed": no server there). */
function joinFailure(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: string };
  // Its first line whole (the server's words end with what to do: "… (Authorization: Bearer, AUTH_SECRET)").
  const words = (message || String(error)).split("\n")[0]!.slice(0, 200);
  return code === undefined ? words : `${String(code)} ${words}`;
}

/** How long the bots' leaving is waited for, where the server may be gone. */
const LEAVE_WAIT_MS = 3000;

const { bounds } = DEFAULT_WORLD_SETTINGS;

/** A bot, taken in random order, that stands well inside some NPC's talk radius, and that NPC. */
function askerNearAnNpc(bots: Bot[]): { bot: Bot; npcId: string } | undefined {
  const start = Math.floor(Math.random() * bots.length);
  for (let i = 0; i < bots.length; i++) {
    const bot = bots[(start + i) % bots.length]!;
    for (const [npcId, npc] of bot.room.state?.npcs ?? []) {
      if (Math.hypot(bot.x - npc.x, bot.z - npc.z) < npc.talkRadius * 0.8) return { bot, npcId };
    }
  }
  return undefined;
}

function move(bot: Bot): void {
  bot.heading += (Math.random() - 0.5) * 0.6;
  bot.x = Math.min(bounds.maxX - 1, Math.max(bounds.minX + 1, bot.x + (Math.cos(bot.heading) * SPEED) / MOVE_SEND_HZ));
  bot.z = Math.min(bounds.maxZ - 1, Math.max(bounds.minZ + 1, bot.z + (Math.sin(bot.heading) * SPEED) / MOVE_SEND_HZ));
  bot.seq = (bot.seq % 359) + 1;
  bot.sentAt.set(bot.seq, performance.now());
  bot.room.send("move", { x: bot.x, y: 0, z: bot.z, rotY: bot.seq, anim: "walk" });
}
