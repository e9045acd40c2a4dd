import { cleanText } from "../common/clean-text.js";
import { InvalidQuestionError } from "./errors.js";

/** Longest question, in characters, that the NPC accepts (players type chat lines, not essays). */
export const MAX_QUESTION_CHARS = 200;

/** Returns the question cleaned (`cleanText`: composed, invisible characters out, whitespace collapsed), or throws a clear error. */
export function normaliseQuestion(input: unknown, maxChars = MAX_QUESTION_CHARS): string {
  if (typeof input !== "string") {
    throw new InvalidQuestionError("not_text", `question must be a string, got ${input === null ? "null" : typeof input}`);
  }
  // Control characters would reach the tokenizer as odd bytes, separate jamo would match nothing (clean-text.ts).
  const text = cleanText(input);
  if (text.length === 0) throw new InvalidQuestionError("empty", "question is empty");
  const chars = [...text].length;
  if (chars > maxChars) {
    throw new InvalidQuestionError("too_long", `question is ${chars} characters; at most ${maxChars} are accepted`);
  }
  return text;
}
