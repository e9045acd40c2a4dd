import type { Client } from "@colyseus/core";

import type { Logger } from "../../common/log.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { addNpcQueues, chatModerated, npcAnswerLatency, npcAnswers, npcQuestions, roomFailures } from "../../common/metrics.js";
import { pickLine } from "../../common/pick-line.js";
import type { NpcAnswerInfo } from "../../kafka/chat-log.js";
import { CONTRACT_VERSION } from "../../kafka/contract.js";
import type { Moderator } from "../../moderation/moderator.js";
import type { ActionReceipts } from "./action-receipts.js";
import type { AnswerRouter } from "./answer-router.js";
import type { ChatHistory } from "../chat/chat-history.js";
import { ErasedAccounts } from "../moderation/erased-accounts.js";
import { fallbackFor, MODERATION_LINES } from "./fallback-lines.js";
import type { Position } from "../players/movement.js";
import { type LinePasses, lineFor, namedLine, passedBy } from "../chat/named-line.js";
import { npcReply } from "./npc-reply.js";
import type { NpcStatuses } from "./npc-statuses.js";
import { type Asker, NpcTurns } from "./npc-turns.js";
import type { PlayerConnections } from "../players/player-connections.js";
import type { Hearers } from "../players/player-views.js";
import { ReplyOrder } from "./reply-order.js";
import type { NpcActionNotice, WorldError } from "../world-contract.js";
import type { NpcSettings, OwnLineKind, WorldSettings } from "../world-settings.js";
import type { ChatLine } from "../world-state.js";

/** A question waiting for, or with, an NPC. */
export interface Question {
  client: Client;
  npcId: string;
  text: string;
  line: ChatLine;
  /** performance.now() when the line entered the room: the answer's latency includes its wait in the queue. */
  askedAt: number;
  /** Asked in private (the NPC's privateTalk): answered so, even if an edit of the world ends that meanwhile. */
  privately: boolean;
  /** The asker's account, signed in: still known when the answer comes after they left. */
  account: string | undefined;
}

/** What an NPC's reply is logged with: the question's line, its words, and who asked. */
export interface AskedQuestion {
  npcId: string;
  sessionId: string;
  /** The question's line. */
  id: string;
  /** The question's words. */
  text: string;
  /** performance.now() when it was asked: ordered against an erasure by the process's clock, not the wall clock's. */
  askedAt: number;
  /** The asker's name, as the NPC says it. */
  name: string;
  account: string | undefined;
  /** Asked in private (the NPC's privateTalk as it was asked): replied to so, whatever an edit makes of it meanwhile. */
  privately: boolean;
}

const asked = (question: Question): AskedQuestion => ({
  npcId: question.npcId, sessionId: question.client.sessionId, id: question.line.id, text: question.text, askedAt: question.askedAt,
  name: question.line.name, account: question.account, privately: question.privately,
});

/** The NPC's own words for a stock line (its world file's `lines`), said to the player named (namedLine); else `stock`. */
const ownLine = (npc: NpcSettings | undefined, kind: OwnLineKind, name: string, stock: string, passes: LinePasses) => {
  const line = pickLine(npc?.lines?.[kind] ?? [], undefined);
  return (line === undefined ? undefined : namedLine(line, name, passes)) ?? stock;
};

/** Fallback lines logged, shared by the process's rooms. */
const fallbacksLogged = logThrottle(10_000);

export interface NpcQuestionsDeps {
  roomId: string;
  settings: WorldSettings;
  answers: AnswerRouter;
  /** Blocks abuse in NPC answers; absent when moderation is off. */
  moderator?: Moderator;
  /** Set (ACTION_SECRET): each `npc_action` carries a signed receipt for the game's backend. */
  actionReceipts?: ActionReceipts;
  log: Logger;
  history: Pick<ChatHistory, "add" | "sendNow">;
  connections: Pick<PlayerConnections, "sendError" | "sendTo">;
  statuses: Pick<NpcStatuses, "thinking">;
  /** An NPC of the world as the room took it last; undefined once removed. */
  npc(id: string): NpcSettings | undefined;
  /** The room's NPC of this name (cleaned, as world files and chat are), if one is. */
  npcNamed(name: string): NpcSettings | undefined;
  /** Where an NPC stands now (one on a route is not where its settings put it). */
  standing(npcId: string): Position;
  /** The NPC turns to the player it speaks to. */
  turnTo(npcId: string, sessionId: string): void;
  accountOf(sessionId: string): string | undefined;
  /** Whose turn a question takes in an NPC's queue (player-origins.ts). */
  askerOf(sessionId: string): Asker;
}

/**
 * Questions to the room's NPCs: each NPC's fair queue, its brain's answers, and the stock lines said in place of
 * one (busy, closing, refused), each reply said to the player in the order they spoke, logged and counted.
 */
export class NpcQuestions {
  private readonly turns = new Map<string, NpcTurns<Question>>();
  /** Turns of NPCs removed by an edit whose questions are still with the brain: shutdown waits for them too. */
  private readonly leavingTurns = new Set<NpcTurns<Question>>();
  /** Each NPC's replies to a player in the order they spoke to it (reply-order.ts). */
  private readonly replies = new ReplyOrder();
  /** Accounts erased while their questions may wait for answers: those answers are logged without the question. */
  private readonly erased = new ErasedAccounts();
  /** Shutting down: questions already asked are answered; new ones are not taken (they put the exit off). */
  private closing = false;
  private disposed = false;
  /** Whether moderation lets an NPC's line with a player's name filled in through (namedLine). */
  private readonly passes: LinePasses;
  /** Ends the reading of this room's queues for /metrics (kobot_npc_questions_waiting). */
  private readonly unlistQueues: () => void;

  constructor(private readonly deps: NpcQuestionsDeps) {
    this.passes = passedBy(deps.moderator);
    this.unlistQueues = addNpcQueues(() => [...this.turns].map(([npc, turns]) => ({ room: deps.roomId, npc, waiting: turns.waiting })));
  }

  /** An NPC of the world (at creation, or added by an edit): its turns, if it has none yet. */
  takeNpc(npcId: string): void {
    const { capacity, concurrency } = this.deps.settings.npcQueue;
    if (!this.turns.has(npcId)) this.turns.set(npcId, new NpcTurns(capacity, concurrency, (question) => this.askNpcSafely(question)));
  }

  /** An NPC removed from the world: those whose questions wait for it are told it left (`unknown_npc`); returns how many. */
  npcLeft(npcId: string, name: string): number {
    const turns = this.turns.get(npcId);
    const waiting = turns?.dropAll() ?? [];
    this.turns.delete(npcId);
    if (turns) {
      // A question with its brain still ends (its asker told the NPC left): a shutdown meanwhile waits for it.
      this.leavingTurns.add(turns);
      void turns.idle().then(() => this.leavingTurns.delete(turns));
    }
    this.deps.statuses.thinking(npcId, -waiting.length);
    for (const question of waiting) {
      this.deps.connections.sendError(question.client, this.leftError(npcId, name, question.line.text));
      this.replies.answered(npcId, question.client.sessionId, question.line.id);
    }
    return waiting.length;
  }

  /** The player left: nothing waits for them, and their questions waiting are dropped (one with the brain still finishes). */
  left(sessionId: string, asker: Asker): void {
    this.replies.left(sessionId);
    for (const [npcId, turns] of this.turns) this.deps.statuses.thinking(npcId, -turns.drop(asker).length);
  }

  /** The asker's account erased: its answers still to come are logged without its words. */
  heardErasure(account: string): void {
    this.erased.heard(account);
  }

  /** Shutting down: questions asked from now are turned away (closing). */
  close(): void {
    this.closing = true;
  }

  /** Resolves once every question asked is answered, those of NPCs an edit removed too. */
  idle(): Promise<unknown> {
    return Promise.allSettled([...this.turns.values(), ...this.leavingTurns].map((turns) => turns.idle()));
  }

  /** The room is gone: answers that come now are counted, not said. */
  dispose(): void {
    this.disposed = true;
    this.unlistQueues();
  }

  /** Into the NPC's fair queue; when it is full, or the server is shutting down, the NPC says so instead. */
  enqueue(question: Question): void {
    const turns = this.turns.get(question.npcId)!;
    this.replies.asked(question.npcId, question.client.sessionId, question.line.id); // before the brain may answer it
    const { taken, displaced } = this.closing ? { taken: false } : turns.enqueue(this.deps.askerOf(question.client.sessionId), question);
    if (!taken) return this.turnAway(question);
    this.deps.statuses.thinking(question.npcId, +1);
    if (displaced) {
      this.deps.statuses.thinking(displaced.npcId, -1);
      this.turnAway(displaced);
    }
  }

  /**
   * "@코봇" alone: the NPC answers its name with one of its call replies (the brain read a bare name as nonsense); to
   * the caller alone if the call was `privately` (as the NPC talked then: an edit meanwhile does not make it public).
   */
  answerCall(client: Client, npc: NpcSettings, playerName: string, call: ChatLine, privately: boolean): void {
    const reply = lineFor(npc.callReplies, playerName, this.passes);
    if (reply === undefined) return; // a world file's callReplies have one at least
    const account = this.deps.accountOf(call.from); // now: the caller may have left when the reply is said
    this.replies.reply(npc.id, call.from, () => {
      // Removed from the world while the reply waited its turn: told, as its question was (the call went unanswered
      // without a word). A caller who left has nothing waiting (ReplyOrder.left).
      if (!this.deps.npc(npc.id)) return this.deps.connections.sendError(client, this.leftError(npc.id, npc.name, call.text));
      this.deps.turnTo(npc.id, call.from);
      this.deps.history.add("npc", npc.id, npc.name, reply, call.id, { unasked: "call" }, this.toAsker(npc.id, call.from, privately, account));
      this.deps.history.sendNow();
    });
  }

  /** A line with a banned word, addressed to the NPC: it politely refuses, in its turn (the line was not sent). */
  refused(client: Client, question: AskedQuestion): void {
    const name = this.deps.npc(question.npcId)?.name ?? question.npcId; // for the error, if it leaves the world meanwhile
    this.replies.reply(question.npcId, question.sessionId, () => {
      const said = this.sayReply(question, { own: "refusal", text: MODERATION_LINES.input, info: { fallback: true, reason: "moderated_input" } });
      if (said) return;
      // Removed from the world while the refusal waited its turn: told, as its questions before it were (the refusal
      // went missing without a word). Without the line: `moderated` gave it back already, and "ask again" of a blocked
      // line would put its banned word back into the box.
      this.deps.connections.sendError(client, this.leftError(question.npcId, name));
    });
  }

  /** The NPC says it is busy (or closing) to a question it will not answer, and the asker gets the line back. */
  private turnAway(question: Question): void {
    const refused = fallbackFor(this.closing ? "closing" : "busy");
    const name = this.deps.npc(question.npcId)?.name ?? question.npcId; // for the error, if it leaves the world meanwhile
    // In the question's turn: after the answers to the player's questions before it.
    this.replies.answered(question.npcId, question.client.sessionId, question.line.id, () => {
      const said = this.sayReply(asked(question), { own: this.closing ? "closing" : "busy", text: refused.line, info: { fallback: true, reason: refused.code } });
      // Removed from the world while the reply waited its turn: told so, as its other questions were ("busy" had them
      // ask an NPC that is gone). The line was in no queue, so npcLeft did not tell them of it.
      if (!said) return this.deps.connections.sendError(question.client, this.leftError(question.npcId, name, question.line.text));
      this.deps.connections.sendError(question.client, { code: refused.code, message: refused.message, text: question.line.text, npcId: question.npcId });
    });
  }

  /** A failure in giving an answer is logged and told to its asker; it must not reject where nothing waits for it. */
  private askNpcSafely(question: Question): Promise<void> {
    const { log, connections } = this.deps;
    return this.askNpc(question).catch((error: unknown) => {
      roomFailures.inc({ method: "askNpc" });
      if (this.deps.npc(question.npcId)) countReply(question.npcId, "failed");
      log.error("an NPC's answer could not be given", { questionId: question.line.id, error });
      connections.sendError(question.client, { code: "npc_unavailable", message: "the NPC could not answer that: ask again", text: question.line.text, npcId: question.npcId });
    }).then(() => {
      // Its turn is over, whatever came of it: the player's replies waiting behind it are said.
      if (this.disposed) return;
      try {
        this.replies.answered(question.npcId, question.client.sessionId, question.line.id);
      } catch (error) {
        log.error("an NPC's reply waiting its turn could not be said", { questionId: question.line.id, error });
      }
    });
  }

  private async askNpc(question: Question): Promise<void> {
    const { client, npcId, text, line, askedAt } = question;
    const { log, connections } = this.deps;
    npcQuestions.inc({ npc: npcId });
    const npc = this.deps.npc(npcId);
    const name = npc?.name ?? npcId; // for the error, if it leaves the world meanwhile
    const outcome = await this.deps.answers.ask({
      v: CONTRACT_VERSION,
      questionId: line.id,
      roomId: this.deps.roomId,
      npcId,
      playerId: client.sessionId,
      playerName: line.name,
      text,
      ts: line.ts,
      ...(npc?.model ? { model: npc.model } : {}),
    }, performance.now() - askedAt);
    // Each question counted with an outcome, also one whose room closed meanwhile (questions less answers crept up
    // with ordinary comings and goings, read as questions never answered).
    // Not for an NPC removed from the world meanwhile: its series left /metrics with it and are not made again.
    if (this.disposed) return this.deps.npc(npcId) ? countReply(npcId, "room_closed") : undefined;
    this.deps.statuses.thinking(npcId, -1);
    // Removed from the world meanwhile: its series left /metrics with it, questions too, and are not made again.
    if (!this.deps.npc(npcId)) return connections.sendError(client, this.leftError(npcId, name, line.text));
    const reply = npcReply(outcome, line.name, this.deps.moderator);
    const { fallback, blocked, info } = reply;
    // No answer from its brain, or one moderation blocked: in its own words, where its world file gives them.
    const own = fallback?.code === "npc_timeout" || fallback?.code === "npc_unavailable" ? "noAnswer" : blocked ? "blocked" : undefined;
    if (blocked) chatModerated.inc({ side: "output" });
    this.deps.turnTo(npcId, client.sessionId);
    const latencyMs = Math.round((performance.now() - askedAt) * 10) / 10;
    const said = this.sayReply(asked(question), { own, text: reply.text, info, latencyMs, moderated: blocked });
    // The game does what the line says (opens the shop) for the player who asked, as the line arrives.
    if (said && info.action) {
      this.sendAction(client, { npcId, action: info.action, lineId: said.id, replyTo: line.id }, line.name)
        .catch((error: unknown) => log.error("npc action not sent", { lineId: said.id, error }));
    }
    this.deps.history.sendNow();
    if (fallback) {
      // Once in 10 s a reason in the process (a broker away a while made a line a question, in every room); each one
      // at debug, and all counted (kobot_npc_answers_total).
      const held = fallbacksLogged(`${outcome.kind} ${fallback.code}`);
      const fields = { questionId: line.id, reason: outcome.kind, code: fallback.code };
      if (held === undefined) log.debug("npc fallback", fields);
      else log.warn("npc fallback", { ...fields, ...repeatsField(held) });
      connections.sendError(client, { code: fallback.code, message: fallback.message, npcId });
    }
  }

  /**
   * An NPC's reply to a question: its answer, or a stock line in place of one (`own`: the NPC's own words for it,
   * where its world file has them), logged with the question and its asker (neither once the asker's account was
   * erased since: the stores no longer hold them, and must not again), and counted. Without `latencyMs` the question
   * never reached the brain (busy, refused), where questions are counted: counted here, without a latency.
   */
  private sayReply(
    question: AskedQuestion,
    reply: { text: string; own?: OwnLineKind; info: Omit<NpcAnswerInfo, "questionId" | "question" | "asker" | "latencyMs">; latencyMs?: number; moderated?: boolean },
  ): ChatLine | undefined {
    const { npcId, sessionId, account } = question;
    const npc = this.deps.npc(npcId);
    if (!npc) return undefined;
    const erased = this.erased.erasedSince(account, question.askedAt);
    const info: NpcAnswerInfo = {
      questionId: question.id,
      question: erased ? "" : question.text,
      ...(account === undefined || erased ? {} : { asker: account }),
      latencyMs: reply.latencyMs ?? 0,
      ...reply.info,
    };
    const text = reply.own ? ownLine(npc, reply.own, question.name, reply.text, this.passes) : reply.text;
    const said = this.deps.history.add("npc", npcId, npc.name, text, question.id, { npc: info, ...(reply.moderated ? { moderated: true } : {}) }, this.toAsker(npcId, sessionId, question.privately, account));
    if (reply.latencyMs === undefined) npcQuestions.inc({ npc: npcId });
    countReply(npcId, info.reason ?? "answer", reply.latencyMs);
    return said;
  }

  /**
   * To a player whose line (`text`, given back; none for a blocked line) an NPC removed from the world will not answer;
   * `name` is the NPC's as players know it. Where an NPC of that name stands in the room (the edit changed its id:
   * hans → smith, still 한스), it was changed, not gone: "has left this world" was said of an NPC the player could see,
   * and asking again reaches it (`npcId`: the one now).
   */
  private leftError(npcId: string, name: string, text?: string): WorldError {
    const line = text === undefined ? {} : { text };
    const now = this.deps.npcNamed(name);
    if (now) return { code: "npc_changed", message: `${name} was changed by an edit of the world before it answered: ask again`, ...line, npcId: now.id };
    return { code: "unknown_npc", message: `${name} has left this world: it will not answer`, ...line, npcId };
  }

  /** An NPC's line to a player is heard near the NPC, and by that player wherever they stand; in private, by them alone. */
  private toAsker(npcId: string, sessionId: string, privately: boolean, account: string | undefined): Hearers {
    if (privately) return { only: sessionId, account };
    return { near: this.deps.standing(npcId), also: [sessionId] };
  }

  /** With ACTION_SECRET, the action goes with a receipt the game's backend can trust (rooms/npc/action-receipts.ts). */
  private async sendAction(client: Client, notice: NpcActionNotice, playerName: string): Promise<void> {
    const account = this.deps.accountOf(client.sessionId);
    const receipt = await this.deps.actionReceipts?.sign({
      npc: notice.npcId, action: notice.action, line: notice.lineId, question: notice.replyTo,
      room: this.deps.roomId, player: client.sessionId, name: playerName, ...(account !== undefined ? { account } : {}),
    });
    // After the patch that carries its line: a game that looks the line up in state.chat finds it (sent at once, the
    // notice came first, the answer's patch being sent on the next turn of the event loop).
    this.deps.connections.sendTo(client, "npc_action", { ...notice, ...(receipt ? { receipt } : {}) } satisfies NpcActionNotice, { afterNextPatch: true });
  }
}

/**
 * An NPC's reply in the metrics, with its outcome, for every question, also those never sent to the brain (turned away
 * busy, refused for a banned word), so questions and answers add up: 8 asked of a full queue counted 3 questions beside
 * 8 answers. Its latency only for those sent: a busy reply's 0 s would pull the latency down as the NPC is overrun.
 */
function countReply(npc: string, outcome: string, latencyMs?: number): void {
  npcAnswers.inc({ npc, outcome });
  if (latencyMs !== undefined) npcAnswerLatency.observe({ npc }, latencyMs / 1000);
}
