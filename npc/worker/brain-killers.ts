import { createHash } from "node:crypto";

import { cleanText } from "../../common/clean-text.js";
import type { AnswerMessage } from "../../kafka/contract.js";
import { InvalidQuestionError } from "../errors.js";
import { normaliseQuestion } from "../question.js";

/** Texts remembered as killers, the most recent: past it, the oldest are forgotten. */
const KILLERS_KEPT = 1_000;

/** How long a killer is remembered: a world edit or a new model may have mended it since; two deaths an hour at most. */
export const KILLER_KEPT_MS = 60 * 60_000;

/** A question's text as the log may name it: players' words stay out of the logs, so only what tells two apart. */
export interface TextTrace {
  /**
   * sha256 of the text as the brain hears it (heardText), first 16 hex digits: a pseudonym that tells two texts apart, not anonymity (a short
   * line is guessed by hashing candidates: docs/operations.md).
   */
  textHash: string;
  /** Its length in characters (code points). */
  textChars: number;
}

interface Killer {
  since: number;
  /** Whether the log has said a question with this text was refused. */
  logged: boolean;
}

/**
 * Questions' texts that killed the NPC brain twice, per model: the embedded worker's thread (threaded-worker.ts), or a
 * Kafka worker's process (in-flight-record.ts). Asked again (by anyone, under a new id), such a text would cost two more
 * deaths, each a model load and a pause during which the worker answers nobody. Keyed by the hash of the text as the
 * brain hears it (heardText: "배고파?", "배고파ㅋㅋ" and "코봇아 배고파" are the "배고파" it reads), as a Kafka worker's
 * state directory keeps it: never the player's words.
 */
export class BrainKillers {
  private readonly killers = new Map<string, Killer>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly kept = KILLERS_KEPT,
    private readonly keptMs = KILLER_KEPT_MS,
  ) {}

  /** The text whose hash (traceOf's) is `textHash`, asked of `model`, killed the brain twice, at `since` (by `now`'s clock). */
  remember(model: string, textHash: string, since = this.now()): void {
    const key = keyOf(model, textHash);
    const known = this.killers.get(key);
    if (known?.since === since) return; // read again from a state file: its refusal already said stays said
    this.killers.delete(key); // to the end of the insertion order: the oldest are forgotten first
    this.killers.set(key, { since, logged: false });
    for (const oldest of this.killers.keys()) {
      if (this.killers.size <= this.kept) break;
      this.killers.delete(oldest);
    }
  }

  /**
   * Whether `heard` (heardText's), asked of `model`, killed the brain twice within the hour; `firstRefusal` is true the
   * first time it is asked so (the log says it once per text).
   */
  killed(model: string, heard: string): { firstRefusal: boolean } | undefined {
    const key = keyOf(model, traceOf(heard).textHash);
    const killer = this.killers.get(key);
    if (!killer) return undefined;
    if (this.now() - killer.since > this.keptMs) {
      this.killers.delete(key);
      return undefined;
    }
    const firstRefusal = !killer.logged;
    killer.logged = true;
    return { firstRefusal };
  }

  get size(): number {
    return this.killers.size;
  }
}

/**
 * The text that the poison rule keys (killers, suspects, traces): the question as the NPC's brain hears it (`hear`:
 * NpcBrain.hear, or hearLine on the embedded worker's server side), whose variants ("배고파?", "배고파!!", "배고파ㅋㅋ",
 * "코봇아 배고파") it reads as one and would die on alike; keyed as cleaned, they were each a new text that could kill
 * twice more. A line the brain refuses to read (empty, too long: it never runs) is keyed as cleaned.
 */
export function heardText(text: string, hear: (line: string) => string): string {
  try {
    return hear(normaliseQuestion(text));
  } catch (error) {
    if (error instanceof InvalidQuestionError) return cleanText(text);
    throw error;
  }
}

/** What the log says of a player's text instead of the text: `heard`, heardText's. */
export function traceOf(heard: string): TextTrace {
  const cleaned = cleanText(heard);
  return { textHash: createHash("sha256").update(cleaned).digest("hex").slice(0, 16), textChars: [...cleaned].length };
}

/** One text asked of one model, as killers and a Kafka worker's suspects are kept (split again at the NUL). */
export const keyOf = (model: string, textHash: string) => `${model}\u0000${textHash}`;

/**
 * Whether the brain wrote `answer`: not an error (expired, model not loaded, a failure), nor a scripted line. Only such
 * an answer to a suspect asked alone clears it: the others tell nothing of its deaths.
 */
export function ranOnBrain(answer: AnswerMessage): boolean {
  return answer.error === undefined && answer.source !== "scripted";
}
