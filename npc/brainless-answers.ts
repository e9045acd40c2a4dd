import { type AnswerMessage, CONTRACT_VERSION, errorWithin } from "../kafka/contract.js";
import type { AnswerQuestions } from "../kafka/npc-transport.js";
import type { NpcError } from "./errors.js";

/**
 * Answers for when the model could not be loaded (embedded default): every question gets an
 * immediate `error` answer naming the problem, so players hear a fallback line at once instead
 * of waiting for a timeout, and the rest of the game keeps running.
 */
export function brainlessAnswers(error: NpcError): AnswerQuestions {
  return async (questions) =>
    questions.map(
      (question): AnswerMessage => ({
        v: CONTRACT_VERSION,
        questionId: question.questionId,
        roomId: question.roomId,
        npcId: question.npcId,
        text: "",
        ms: 0,
        model: "none",
        error: errorWithin(error),
        ...(question.replyTo ? { replyTo: question.replyTo } : {}),
      }),
    );
}
