import assert from "node:assert/strict";

import type { Client } from "@colyseus/core";

import { npcAnswers, npcQuestions } from "../common/metrics.js";
import type { AnswerMessage } from "../kafka/contract.js";
import type { AnswerRouter, AskOutcome } from "../rooms/npc/answer-router.js";
import { fallbackFor } from "../rooms/npc/fallback-lines.js";
import { NpcQuestions, type Question } from "../rooms/npc/npc-questions.js";
import type { NpcSettings, WorldSettings } from "../rooms/world-settings.js";
import type { ChatLine } from "../rooms/world-state.js";
import { quiet } from "./helpers/world.js";

/**
 * A room's NPC questions for one NPC, 한스, whose brain answers with `outcome`; what it said, sent and counted thinking.
 * `npcQueue`: its fair queue's size (8 waiting, one with the brain).
 */
function hansQuestions(outcome: () => Promise<AskOutcome>, npcQueue = { capacity: 8, concurrency: 1 }) {
  const said: string[] = [];
  const logged: { question?: string; asker?: string }[] = [];
  const sent: { type: string; options?: unknown }[] = [];
  let thinking = 0;
  const hans = { id: "hans", name: "한스", lines: { noAnswer: ["한스는 생각에 잠겼다."] } } as unknown as NpcSettings;
  const questions = new NpcQuestions({
    roomId: "r",
    settings: { npcQueue } as unknown as WorldSettings,
    answers: { ask: outcome } as unknown as AnswerRouter,
    log: quiet,
    history: {
      add: (_kind: string, _id: string, _name: string, text: string, _replyTo: string, extra?: { npc?: { question?: string; asker?: string } }) => {
        said.push(text);
        if (extra?.npc) logged.push({ question: extra.npc.question, asker: extra.npc.asker });
        return { id: "l" };
      },
      sendNow: () => {},
    } as never,
    connections: { sendError: () => {}, sendTo: (_client: unknown, type: string, _message: unknown, options?: unknown) => void sent.push({ type, options }) } as never,
    statuses: { thinking: (_npcId: string, by: number) => void (thinking += by) },
    npc: (id) => (id === "hans" ? hans : undefined),
    npcNamed: () => undefined,
    standing: () => ({ x: 0, y: 0, z: 0 }) as never,
    turnTo: () => {},
    accountOf: () => undefined,
    askerOf: (sessionId) => ({ player: sessionId, group: sessionId }),
  });
  questions.takeNpc("hans");
  const ask = (id: string, sessionId = "p1", account?: string): Question => ({
    client: { sessionId } as Client, npcId: "hans", text: "안녕", askedAt: performance.now(), privately: false, account,
    line: { id, ts: Date.now(), name: "민수", text: "안녕", from: sessionId } as unknown as ChatLine,
  });
  return { questions, said, logged, sent, ask, thinking: () => thinking };
}

describe("A room's NPC questions (rooms/npc/npc-questions.ts)", () => {
  it("says the NPC's own noAnswer line when no worker runs (npc_unavailable), not the stock line", async () => {
    const { questions, said, ask } = hansQuestions(async () => ({ kind: "no_worker" }) as AskOutcome);
    questions.enqueue(ask("q1"));
    await questions.idle();
    assert.deepEqual(said, ["한스는 생각에 잠겼다."]);
  });

  it("takes a leaving asker's waiting questions off the NPC's thinking count", async () => {
    const { questions, ask, thinking } = hansQuestions(() => new Promise<AskOutcome>(() => {}));
    questions.enqueue(ask("q1"));
    questions.enqueue(ask("q2"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(thinking(), 2);
    questions.left("p1", { player: "p1", group: "p1" });
    assert.equal(thinking(), 1, "the question with the brain still counts; the waiting one does not");
  });

  it("counts a question turned away busy once as asked, never as waiting or as one with the brain", async () => {
    const hansCount = async (counter: typeof npcQuestions | typeof npcAnswers, outcome?: string) =>
      (await counter.get()).values
        .filter(({ labels }) => labels.npc === "hans" && (outcome === undefined || (labels as { outcome?: string }).outcome === outcome))
        .reduce((sum, { value }) => sum + value, 0);
    const before = { questions: await hansCount(npcQuestions), answers: await hansCount(npcAnswers), busy: await hansCount(npcAnswers, "npc_busy") };
    let answerAll!: () => void;
    const answered = new Promise<void>((resolve) => (answerAll = resolve));
    const answer = { v: 1, questionId: "q", roomId: "r", npcId: "hans", text: "어서 오게.", ms: 1, model: "kogpt2" } as AnswerMessage;
    const { questions, ask, said, thinking } = hansQuestions(() => answered.then(() => ({ kind: "answer", answer }) as AskOutcome), { capacity: 1, concurrency: 1 });
    questions.enqueue(ask("q1", "p1")); // with the brain
    questions.enqueue(ask("q2", "p2")); // waits: the queue is full
    questions.enqueue(ask("q3", "p3")); // turned away
    assert.deepEqual(said, [fallbackFor("busy").line]);
    assert.equal(thinking(), 2, "the NPC thinks of the two it took, not of the one it turned away");
    assert.equal((await hansCount(npcQuestions)) - before.questions, 2, "the one with the brain and the one turned away; the waiting one when it is asked");
    answerAll();
    await questions.idle();
    assert.equal(thinking(), 0);
    assert.deepEqual(
      { questions: (await hansCount(npcQuestions)) - before.questions, answers: (await hansCount(npcAnswers)) - before.answers, busy: (await hansCount(npcAnswers, "npc_busy")) - before.busy },
      { questions: 3, answers: 3, busy: 1 },
    );
  });

  it("sends an answer's npc_action after the patch that carries its line", async () => {
    const answer = { v: 1, questionId: "q1", roomId: "r", npcId: "hans", text: "자, 받아.", ms: 1, model: "kogpt2", action: "give_item" } as AnswerMessage;
    const { questions, ask, sent } = hansQuestions(async () => ({ kind: "answer", answer }) as AskOutcome);
    questions.enqueue(ask("q1"));
    await questions.idle();
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(sent, [{ type: "npc_action", options: { afterNextPatch: true } }]);
  });

  describe("an asker's account erased while the answer is awaited", () => {
    const realNow = Date.now;
    afterEach(() => (Date.now = realNow));
    const answer = { v: 1, questionId: "q", roomId: "r", npcId: "hans", text: "어서 오게.", ms: 1, model: "kogpt2" } as AnswerMessage;

    /** 한스 answers once `answerNow` is called; `acc-1`'s question is waiting then. */
    function awaited() {
      let answerNow!: () => void;
      const answered = new Promise<void>((resolve) => (answerNow = resolve));
      const room = hansQuestions(() => answered.then(() => ({ kind: "answer", answer }) as AskOutcome));
      room.questions.enqueue(room.ask("q1", "p1", "acc-1"));
      return { ...room, answerNow };
    }

    it("logs the answer without the question or the account after the wall clock stepped back (NTP)", async () => {
      const { questions, logged, answerNow } = awaited();
      Date.now = () => realNow() - 30_000; // the clock steps back 30 s while the question waits
      questions.heardErasure("acc-1");
      answerNow();
      await questions.idle();
      assert.deepEqual(logged, [{ question: "", asker: undefined }]);
    });

    it("keeps the erasure after a forward step of the wall clock and a later erasure", async () => {
      const { questions, logged, answerNow } = awaited();
      questions.heardErasure("acc-1");
      Date.now = () => realNow() + 1_500_000; // 25 minutes ahead: past KEPT_MS by the wall clock, not by the process's
      questions.heardErasure("acc-2"); // purges records kept long enough
      answerNow();
      await questions.idle();
      assert.deepEqual(logged, [{ question: "", asker: undefined }]);
    });

    it("logs the question and its asker when the account was not erased", async () => {
      const { questions, logged, answerNow } = awaited();
      questions.heardErasure("acc-2");
      answerNow();
      await questions.idle();
      assert.deepEqual(logged, [{ question: "안녕", asker: "acc-1" }]);
    });
  });
});
