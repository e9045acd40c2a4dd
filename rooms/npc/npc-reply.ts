import type { NpcAnswerInfo } from "../../kafka/chat-log.js";
import type { AnswerMessage } from "../../kafka/contract.js";
import type { Moderator } from "../../moderation/moderator.js";
import type { AskOutcome } from "./answer-router.js";
import { type Fallback, fallbackFor, MODERATION_LINES } from "./fallback-lines.js";
import { withName } from "../chat/named-line.js";

/** What an NPC says for a question, given what became of it, and what the chat log keeps of that. */
export interface NpcReply {
  /** The line the NPC says. */
  text: string;
  /** The in-character line for an answer that never came or failed; the asker is told its code and message too. */
  fallback?: Fallback;
  /** Moderation blocked the worker's answer: the NPC says a safe line instead. */
  blocked: boolean;
  /** The chat log's record of the answer (the room adds the question, its id and the latency). */
  info: Omit<NpcAnswerInfo, "questionId" | "question" | "latencyMs">;
}

/**
 * The NPC's reply to `asker` for `outcome`: the worker's answer, with `{name}` as the asker's name (a knowledge file's
 * line may say it, as greetings do); else a fallback line (no answer in time, the brain unavailable, an empty or
 * failed answer); or a safe line when the answer holds a word moderation blocks (the model learnt from people's chat).
 */
export function npcReply(outcome: AskOutcome, asker: string, moderator?: Moderator): NpcReply {
  if (outcome.kind === "timeout") return fellBack(fallbackFor("timeout"));
  if (outcome.kind === "unsent") return fellBack(fallbackFor("unsent"));
  if (outcome.kind === "no_worker") return fellBack(fallbackFor("unavailable"));
  const { answer } = outcome;
  // A worker that finds a question past its time (it waited in the topic) is not unavailable: the answer is late.
  if (answer.error?.code === "expired") return fellBack(fallbackFor("timeout"), answer);
  if (answer.error?.code === "model_unavailable") return fellBack(fallbackFor("unavailable"), answer);
  if (answer.error || answer.text.trim() === "") return fellBack(fallbackFor("error"), answer);
  const text = withName(answer.text, asker);
  const blocked = moderator?.check(text).blocked === true;
  // The worker said one of the NPC's unsure lines instead of an answer the model was not sure of; one moderation would
  // have blocked is logged so (the retraining export offers unsure ones' answers to a reviewer as drafts to learn).
  const unsureBlocked = answer.withheld !== undefined && moderator?.check(answer.withheld).blocked === true;
  const reason = blocked || unsureBlocked ? "moderated_output" : answer.withheld !== undefined ? "unsure" : undefined;
  return {
    text: blocked ? MODERATION_LINES.output : text,
    blocked,
    info: { fallback: reason !== undefined, ...answerInfo(answer, blocked), ...(reason ? { reason } : {}) },
  };
}

function fellBack(fallback: Fallback, answer?: AnswerMessage): NpcReply {
  return { text: fallback.line, fallback, blocked: false, info: { fallback: true, ...(answer ? answerInfo(answer, false) : {}), reason: fallback.code } };
}

/**
 * What the chat log keeps of a worker's answer. One that moderation `blocked` is kept for review as withheld, as an
 * unsure one is, and without the worker's source: the safe line said instead is the room's, not the model's words.
 */
function answerInfo({ ms, model, confidence, withheld, source, action, text }: AnswerMessage, blocked: boolean): Partial<NpcAnswerInfo> {
  const unsaid = blocked ? text : withheld;
  return {
    workerMs: ms,
    model,
    ...(confidence !== undefined ? { confidence } : {}),
    ...(unsaid !== undefined ? { withheld: unsaid } : {}),
    ...(source !== undefined && !blocked ? { source } : {}),
    ...(action !== undefined && !blocked ? { action } : {}),
  };
}
