import { InvalidQuestionError } from "./errors.js";

/** Longest question, in characters, that the NPC accepts (players type chat lines, not essays). */
export const MAX_QUESTION_CHARS = 200;

/** Returns the question trimmed with runs of whitespace collapsed, or throws a clear error. */
export function normaliseQuestion(input: unknown, maxChars = MAX_QUESTION_CHARS): string {
  if (typeof input !== "string") {
    throw new InvalidQuestionError("not_text", `question must be a string, got ${input === null ? "null" : typeof input}`);
  }
  // Control characters would reach the tokenizer as odd bytes; the prompt's own tokens are reserved.
  const text = input.replace(/[\u0000-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim();
  if (text.length === 0) throw new InvalidQuestionError("empty", "question is empty");
  const chars = [...text].length;
  if (chars > maxChars) {
    throw new InvalidQuestionError("too_long", `question is ${chars} characters; at most ${maxChars} are accepted`);
  }
  return text;
}
