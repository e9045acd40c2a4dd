import { Client, type Room } from "@colyseus/sdk";

import { DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import type { WorldState } from "../rooms/world-state.js";
import { MOVE_SEND_HZ, WORLD_ROOM, type WorldError } from "../rooms/world-protocol.js";

export interface LoadTestOptions {
  url: string;
  bots: number;
  rooms: number;
  durationS: number;
  /** Questions to the NPC per second, over all bots. */
  askRate: number;
  /** Chat lines to the room per second, over all bots. */
  chatRate: number;
  questions: string[];
}

export interface LoadTestReport {
  bots: number;
  rooms: number;
  joined: number;
  joinMs: number[];
  /** A bot's move → the patch that shows it to that bot (includes the wait for the next patch). */
  moveSeenMs: number[];
  /** Time between two patches arriving at a bot (20 patches/s → 50 ms when the server keeps up). */
  patchIntervalMs: number[];
  answerMs: number[];
  fallbacks: number;
  unanswered: number;
  /** Ask ticks skipped because no bot stood within an NPC's talk radius (players walk up to NPCs first). */
  noAskerNear: number;
  errors: Record<string, number>;
}

interface Bot {
  room: Room<any, WorldState>;
  x: number;
  z: number;
  heading: number;
  seq: number;
  sentAt: Map<number, number>;
  lastPatchAt: number;
}

const SPEED = 4;

/**
 * Bots on @colyseus/sdk: each joins, walks at MOVE_SEND_HZ, chats now and then and asks the NPC;
 * the run measures what a player would feel. Rooms are filled evenly: the first `rooms` bots
 * create them, the rest join them by id.
 */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestReport> {
  const report: LoadTestReport = {
    bots: options.bots, rooms: options.rooms, joined: 0,
    joinMs: [], moveSeenMs: [], patchIntervalMs: [], answerMs: [], fallbacks: 0, unanswered: 0, noAskerNear: 0, errors: {},
  };
  const count = (what: string) => (report.errors[what] = (report.errors[what] ?? 0) + 1);
  const bots: Bot[] = [];
  const roomIds: string[] = [];
  let measuring = false;

  const join = async (i: number): Promise<void> => {
    const client = new Client(options.url);
    const started = performance.now();
    try {
      const room =
        i < options.rooms
          ? await client.create<WorldState>(WORLD_ROOM, { name: `bot${i}` })
          : await client.joinById<WorldState>(roomIds[i % options.rooms]!, { name: `bot${i}` });
      if (i < options.rooms) roomIds[i] = room.roomId;
      report.joinMs.push(performance.now() - started);
      report.joined++;
      const bot: Bot = { room, x: 0, z: 0, heading: Math.random() * 2 * Math.PI, seq: 0, sentAt: new Map(), lastPatchAt: 0 };
      room.onMessage("error", (error: WorldError) => count(error.code));
      room.onLeave((code: number) => code !== 4000 && count(`left_${code}`));
      room.onStateChange((state: WorldState) => {
        const now = performance.now();
        if (measuring && bot.lastPatchAt > 0) report.patchIntervalMs.push(now - bot.lastPatchAt);
        bot.lastPatchAt = now;
        const me = state.players?.get(room.sessionId);
        if (!me) return;
        if (bot.seq === 0) [bot.x, bot.z] = [me.x, me.z];
        // rotY carries the move's sequence number: the first patch showing it ends the wait.
        const sent = bot.sentAt.get(me.rotY);
        if (sent !== undefined) {
          if (measuring) report.moveSeenMs.push(now - sent);
          bot.sentAt.delete(me.rotY);
        }
      });
      bots.push(bot);
    } catch (error) {
      count("join_failed");
    }
  };

  // Creators first (sequentially, so rooms exist), then everyone else a few at a time.
  for (let i = 0; i < Math.min(options.rooms, options.bots); i++) await join(i);
  for (let i = options.rooms; i < options.bots; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, options.bots - i) }, (_, k) => join(i + k)));
  }

  // Each bot walks on its own timer, at its own phase, as real players do.
  const walkers = bots.map((bot) => {
    const step = () => move(bot);
    let timer: NodeJS.Timeout | undefined;
    const start = setTimeout(() => (timer = setInterval(step, 1000 / MOVE_SEND_HZ)), Math.random() * (1000 / MOVE_SEND_HZ));
    return () => {
      clearTimeout(start);
      clearInterval(timer);
    };
  });

  const pick = () => bots[Math.floor(Math.random() * bots.length)]!;
  const pendingAnswers: Array<Promise<void>> = [];
  let asked = 0;
  const ask = options.askRate > 0
    ? setInterval(() => {
        // As a player would: a bot standing within an NPC's talk radius asks that NPC.
        const asker = askerNearAnNpc(bots);
        if (!asker) return void report.noAskerNear++;
        const { bot, npcId } = asker;
        const text = `@${npcId} ${options.questions[asked++ % options.questions.length]} #${asked}`;
        pendingAnswers.push(answerTime(bot.room, text).then(
          (result) => {
            if (result === undefined) report.unanswered++;
            else {
              report.answerMs.push(result.ms);
              if (result.fallback) report.fallbacks++;
            }
          },
        ));
        bot.room.send("chat", { text });
      }, 1000 / options.askRate)
    : undefined;
  const chat = options.chatRate > 0
    ? setInterval(() => pick().room.send("chat", { text: "안녕하세요 다들" }), 1000 / options.chatRate)
    : undefined;

  measuring = true;
  await new Promise((resolve) => setTimeout(resolve, options.durationS * 1000));
  measuring = false;
  for (const stop of walkers) stop();
  clearInterval(ask);
  clearInterval(chat);
  await Promise.all(pendingAnswers);
  await Promise.allSettled(bots.map((bot) => bot.room.leave()));
  return report;
}

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

/** Time from sending `text` to the NPC's reply to it in the asking bot's state; undefined after 15 s. */
function answerTime(room: Room<any, WorldState>, text: string): Promise<{ ms: number; fallback: boolean } | undefined> {
  const started = performance.now();
  return new Promise((resolve) => {
    const check = (state: WorldState) => {
      const question = state.chat.find((line) => line.from === room.sessionId && line.text === text);
      const answer = question && state.chat.find((line) => line.replyTo === question.id);
      if (!answer) return;
      finish({ ms: performance.now() - started, fallback: /생각이 잘 안 나네요|대답하기가 어려워요/.test(answer.text) });
    };
    const timer = setTimeout(() => finish(undefined), 15_000);
    const finish = (result: { ms: number; fallback: boolean } | undefined) => {
      clearTimeout(timer);
      room.onStateChange.remove(check);
      resolve(result);
    };
    room.onStateChange(check);
  });
}
