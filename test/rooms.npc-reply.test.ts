import assert from "node:assert/strict";

import { type AnswerMessage, CONTRACT_VERSION } from "../kafka/contract.js";
import { Moderator } from "../moderation/moderator.js";
import { fallbackFor, MODERATION_LINES } from "../rooms/npc/fallback-lines.js";
import { npcReply } from "../rooms/npc/npc-reply.js";

const answer = (fields: Partial<AnswerMessage>): { kind: "answer"; answer: AnswerMessage } => ({
  kind: "answer",
  answer: { v: CONTRACT_VERSION, questionId: "q1", roomId: "r1", npcId: "kobot", text: "", ms: 12, model: "m", ...fields },
});
const moderator = new Moderator(["나쁜말"]);

describe("an NPC's reply to a question's outcome (rooms/npc/npc-reply.ts)", () => {
  it("says the worker's answer, the asker's name in place of {name}, and logs where it came from", () => {
    const reply = npcReply(answer({ text: "{name} 님, 검 사세요.", confidence: -0.2, source: "own_line", action: "open_shop" }), "민수$&", moderator);
    assert.deepEqual(reply, {
      text: "민수$& 님, 검 사세요.",
      blocked: false,
      info: { fallback: false, workerMs: 12, model: "m", confidence: -0.2, source: "own_line", action: "open_shop" },
    });
  });

  it("says the in-character fallback for no answer in time, a question never sent (no worker for long), or one the worker found expired", () => {
    const timeout = fallbackFor("timeout");
    assert.deepEqual(npcReply({ kind: "timeout" }, "민수"), { text: timeout.line, fallback: timeout, blocked: false, info: { fallback: true, reason: "npc_timeout" } });
    const unsent = npcReply({ kind: "unsent", reason: "broker down" }, "민수");
    assert.equal(unsent.text, fallbackFor("error").line);
    assert.deepEqual([unsent.fallback?.code, unsent.fallback?.message], ["npc_unavailable", "the NPC service cannot be reached right now: ask again in a moment"]);
    const noWorker = npcReply({ kind: "no_worker" }, "민수");
    assert.deepEqual([noWorker.fallback?.code, noWorker.fallback?.message], ["npc_unavailable", "the NPC's brain is not running right now: ask again later"]);
    const expired = npcReply(answer({ error: { code: "expired", message: "waited 11 s" } }), "민수");
    assert.deepEqual([expired.text, expired.info.reason, expired.info.workerMs], [timeout.line, "npc_timeout", 12]);
  });

  it("says the unavailable line for a worker's error or an empty answer, with what happened but never the error's own text", () => {
    const failed = npcReply(answer({ error: { code: "worker_error", message: "out of memory at /srv/npc/model/onnx/model.onnx" } }), "민수");
    assert.deepEqual([failed.fallback?.code, failed.fallback?.message, failed.info.fallback], ["npc_unavailable", "the NPC could not answer: ask again", true]);
    const missing = npcReply(answer({ error: { code: "model_unavailable", message: "cannot load the NPC model from /srv/npc/model" } }), "민수");
    assert.deepEqual([missing.text, missing.fallback?.message], [failed.text, "the NPC's brain is not running right now: ask again later"]);
    assert.equal(npcReply(answer({ text: "  " }), "민수").fallback?.message, "the NPC could not answer: ask again");
    const unsent = npcReply({ kind: "unsent", reason: "Connection error: connect ECONNREFUSED 127.0.0.1:33969" }, "민수");
    for (const { fallback } of [failed, missing, unsent]) assert.doesNotMatch(fallback!.message, /\/srv|ECONNREFUSED|127\.0\.0\.1|memory/);
  });

  it("says the safe line for an answer moderation blocks, and keeps the answer withheld for review, without its source or action", () => {
    const reply = npcReply(answer({ text: "나 쁜 말 이다", source: "composed", action: "open_shop" }), "민수", moderator);
    assert.deepEqual(reply, {
      text: MODERATION_LINES.output,
      blocked: true,
      info: { fallback: true, workerMs: 12, model: "m", withheld: "나 쁜 말 이다", reason: "moderated_output" },
    });
    assert.equal(npcReply(answer({ text: "나 쁜 말 이다" }), "민수").blocked, false, "no moderator: said as it came");
  });

  it("says the unsure line the worker chose, logged as unsure with the answer it withheld", () => {
    const reply = npcReply(answer({ text: "잘 모르겠어요.", withheld: "아무말", confidence: -1.2, source: "unsure_line" }), "민수", moderator);
    assert.deepEqual(reply, {
      text: "잘 모르겠어요.",
      blocked: false,
      info: { fallback: true, workerMs: 12, model: "m", confidence: -1.2, withheld: "아무말", source: "unsure_line", reason: "unsure" },
    });
    // An unsure answer moderation would have blocked: the unsure line is said, and the log says why it was withheld,
    // so that the retraining export never offers it as an answer to learn.
    const rude = npcReply(answer({ text: "잘 모르겠어요.", withheld: "나쁜말 이다", confidence: -1.5, source: "unsure_line" }), "민수", moderator);
    assert.deepEqual([rude.text, rude.blocked, rude.info.reason, rude.info.withheld], ["잘 모르겠어요.", false, "moderated_output", "나쁜말 이다"]);
  });
});
