import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createLogger } from "../common/log.js";
import { CONTRACT_VERSION, type QuestionMessage } from "../kafka/contract.js";
import type { WorkerChannel } from "../kafka/npc-transport.js";
import { hearLine, readChatLine } from "../npc/heard-line.js";
import type { NpcCast } from "../npc/npc-cast.js";
import { traceOf } from "../npc/worker/brain-killers.js";
import { InFlightRecord, type RunningQuestion } from "../npc/worker/in-flight-record.js";
import { NpcWorker } from "../npc/worker/worker.js";

const MODEL = "npc/model";
const log = createLogger({}, "silent", () => {});
const running = (questionId: string, text: string): RunningQuestion => ({ questionId, model: MODEL, ...traceOf(text) });

/** A cast of one NPC whose brain answers "네" to everything, counting the texts it ran; `scripted` lines it says as written. */
function stubCast(scripted: string[] = []) {
  const ran: string[] = [];
  const brain = {
    engine: { modelName: MODEL },
    options: {},
    scriptedLine: (text: string) => (scripted.includes(text) ? { text: "어서 와", source: "knowledge.jsonl" } : undefined),
    // As an NPC named 코봇 hears a line, without a model folder's spacing.
    hear: (text: string) => hearLine(text, ["kobot", "코봇"], (line) => readChatLine(line, undefined)),
    queue: { ask: async (text: string) => (ran.push(text), { text: "네", confidence: 0, ownLine: false, copied: false }) },
    unsure: undefined,
    actionOf: () => undefined,
    knowledgeLine: () => undefined,
  };
  const cast = { models: [MODEL], unloaded: new Map(), unavailableFor: () => undefined, isStranger: () => false, otherModel: () => undefined, brainFor: () => brain };
  return { ran, cast: cast as unknown as NpcCast };
}

const channel = { kind: "stub", start: async () => {}, stop: async () => {} } as unknown as WorkerChannel;

/** A question asked `ageMs` ago, with the server's 10 s deadline. */
function question(questionId: string, text: string, ageMs = 0): QuestionMessage {
  const ts = Date.now() - ageMs;
  return { v: CONTRACT_VERSION, questionId, roomId: "r", npcId: "kobot", playerId: "p", playerName: "p", text, ts, deadline: ts + 10_000, replyTo: "s" };
}

/** A worker that dies with `questions` in flight, its lock let go as a dead process's is taken over. */
async function diesWith(dir: string, questions: RunningQuestion[]): Promise<void> {
  const record = await InFlightRecord.open(dir, log);
  record.runs(questions);
  await record.close();
}

describe("NpcWorker with its in-flight record (a Kafka worker's suspects and killers)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "worker-record-"));
  });

  it("keeps a suspect whose redelivery came past its deadline (a hang watch's kill), so a second death makes it a killer", async () => {
    // Death 1: the hang watch ends the worker 40 s into a batch of 16 innocents and the killer.
    const innocents = Array.from({ length: 16 }, (_, i) => `질문 ${i}`);
    await diesWith(dir, [running("k1", "죽어"), ...innocents.map((text, i) => running(`i${i}`, text))]);

    let record = await InFlightRecord.open(dir, log);
    const { cast, ran } = stubCast();
    const worker = new NpcWorker(cast, channel, log, { record });
    const redelivered = [question("k1", "죽어", 46_000), ...innocents.map((text, i) => question(`i${i}`, text, 46_000))];
    const answers = await worker.answerAll(redelivered);
    assert.deepEqual([...new Set(answers.map((answer) => answer.error?.code))], ["expired"]);
    assert.equal(answers.length, 17);
    assert.deepEqual(ran, [], "the brain ran none of them");
    assert.equal(record.verdict(MODEL, "죽어"), "suspect", "an expired answer tells nothing of the death");

    // Asked anew, it runs, and kills the worker again.
    record.runs([running("k2", "죽어")]);
    await record.close();
    record = await InFlightRecord.open(dir, log);
    assert.deepEqual(record.verdict(MODEL, "죽어"), { killer: { firstRefusal: true } });
    await record.close();
  });

  it("writes no expired question as in flight: a batch-mate's death does not count against it", async () => {
    await diesWith(dir, [running("k1", "죽어")]);
    const record = await InFlightRecord.open(dir, log);
    const worker = new NpcWorker(stubCast().cast, channel, log, { record });
    let inFlight: string[] = [];
    const runs = record.runs.bind(record);
    record.runs = (questions) => ((inFlight = [...inFlight, ...questions.map(({ questionId }) => questionId)]), runs(questions));
    await worker.answerAll([question("k1", "죽어", 46_000), question("late", "배고파", 46_000), question("fresh", "안녕")]);
    assert.deepEqual(inFlight, ["fresh"]);
    await record.close();
  });

  it("refuses a killer's text asked as its brain hears it alike (an end mark, laughter, the NPC's name), and runs alone a suspect's", async () => {
    await diesWith(dir, [running("k1", "배고파"), running("s1", "잠이 안 와")]);
    await diesWith(dir, [running("k2", "배고파")]);
    const record = await InFlightRecord.open(dir, log);
    const { cast, ran } = stubCast();
    const worker = new NpcWorker(cast, channel, log, { record });
    let inFlight: string[][] = [];
    const runs = record.runs.bind(record);
    record.runs = (questions) => ((inFlight = [...inFlight, questions.map(({ questionId }) => questionId)]), runs(questions));
    const variants = ["배고파?", "배고파ㅋㅋ", "배고파!!", "코봇아 배고파", "배고파~~"];
    const answers = await worker.answerAll([...variants.map((text, i) => question(`v${i}`, text)), question("s2", "잠이 안 와?"), question("o", "안녕")]);
    for (const i of variants.keys()) assert.equal(answers.find((answer) => answer.questionId === `v${i}`)?.error?.code, "worker_error", variants[i]);
    assert.deepEqual(ran.sort(), ["안녕", "잠이 안 와"]);
    assert.deepEqual(inFlight.sort(), [["o"], ["s2"]], "the suspect's variant ran alone");
    await record.close();
  });

  it("clears a suspect the brain answered alone, not one a scripted line answered", async () => {
    await diesWith(dir, [running("q1", "배고파"), running("q2", "안녕하세요")]);
    const record = await InFlightRecord.open(dir, log);
    const { cast, ran } = stubCast(["안녕하세요"]);
    const worker = new NpcWorker(cast, channel, log, { record });
    const answers = await worker.answerAll([question("q1", "배고파"), question("q2", "안녕하세요")]);
    assert.deepEqual(answers.map((answer) => answer.source), ["composed", "scripted"]);
    assert.deepEqual(ran, ["배고파"]);
    assert.equal(record.verdict(MODEL, "배고파"), undefined, "the brain ran it alone and the process lived");
    assert.equal(record.verdict(MODEL, "안녕하세요"), "suspect", "the brain never ran it");
    await record.close();
  });
});
