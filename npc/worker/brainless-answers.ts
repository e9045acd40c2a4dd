import { errorAnswer } from "../../kafka/contract.js";
import type { AnswerQuestions } from "../../kafka/npc-transport.js";
import type { NpcError } from "../errors.js";

/**
 * Answers for when the model could not be loaded (embedded default): every question gets an
 * immediate `error` answer naming the problem, so players hear a fallback line at once instead
 * of waiting for a timeout, and the rest of the game keeps running.
 */
export function brainlessAnswers(error: NpcError): AnswerQuestions {
  return async (questions) => questions.map((question) => errorAnswer(question, error, "none"));
}
