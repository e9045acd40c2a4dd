import { z } from "zod";

/**
 * The question/answer contract between world servers and NPC workers. Messages are versioned JSON; questions are
 * keyed by room and NPC (questionKey), answers by room.
 */
export const CONTRACT_VERSION = 1;

/**
 * A question's partition key: its room and NPC. One NPC's questions in a room keep their order on one partition (a
 * player has one question with an NPC at a time, NpcTurns, so theirs are in order anyway); a room's NPCs spread over
 * the partitions, so the workers share a busy room's NPCs. Keyed by room alone, a world of one busy room kept one
 * worker busy however many ran. One worker reading several partitions still batches their questions together.
 */
export function questionKey(question: Pick<QuestionMessage, "roomId" | "npcId">): string {
  return `${question.roomId}/${question.npcId}`;
}

export const DEFAULT_TOPICS = { question: "npc.question", answer: "npc.answer" } as const;

export interface NpcTopics {
  question: string;
  answer: string;
}

export const QuestionMessage = z.object({
  v: z.literal(CONTRACT_VERSION),
  questionId: z.string().min(1).max(64),
  roomId: z.string().min(1).max(64),
  npcId: z.string().min(1).max(32),
  playerId: z.string().min(1).max(64),
  playerName: z.string().max(40),
  text: z.string().min(1).max(400),
  ts: z.number().int().nonnegative(),
  /**
   * When the server stops waiting for the answer, epoch ms by its clock: a worker answers a question past it `expired`
   * without running the model. Older servers send none: then it is `ts` + the worker's own NPC_TIMEOUT_MS.
   */
  deadline: z.number().int().nonnegative().optional(),
  /** The server process that holds the room: answers are routed back to it (see AnswerRouter). */
  replyTo: z.string().min(1).max(64).optional(),
  /**
   * The model the NPC speaks with in the server's world file, by its name there (`default`, `big`): a worker whose
   * world file gives the NPC another logs it, and refuses (`model_unavailable`) an NPC it does not know on another model
   * than its stand-in's rather than answer as someone else (npc/worker/worker.ts). Older servers send none: not checked.
   */
  model: z.string().min(1).max(64).optional(),
});
export type QuestionMessage = z.infer<typeof QuestionMessage>;
/** Enough of a question to answer it with an error: where the answer goes. */
export const QuestionAddress = QuestionMessage.pick({ questionId: true, roomId: true, npcId: true, replyTo: true });
export type QuestionAddress = z.infer<typeof QuestionAddress>;

export const AnswerError = z.object({
  /** `invalid_question`, `model_unavailable`, `expired`, `worker_error`, `worker_behind` (the in-process bus's backlog full), … */
  code: z.string().min(1).max(40),
  message: z.string().max(400),
});
export type AnswerError = z.infer<typeof AnswerError>;
/**
 * An error cut to what the contract carries: onnxruntime's messages run past 400 characters, and an answer that fails
 * validation is dropped, so its player would wait out the timeout instead of hearing a fallback at once.
 */
export const errorWithin = ({ code, message }: AnswerError): AnswerError => ({ code: code.slice(0, 40), message: message.slice(0, 400) });

/**
 * Where an answer's words came from: a knowledge line said as written (`scripted`), one the model began and
 * finished as written (`own_line`), a shown pair's answer repeated word for word (`copied`), the model's own words
 * (`composed`), or, the model being unsure, the NPC's closest knowledge line (`knowledge_unsure`) or one of its
 * unsure lines (`unsure_line`).
 */
export const ANSWER_SOURCES = ["scripted", "own_line", "copied", "composed", "knowledge_unsure", "unsure_line"] as const;
export type AnswerSource = (typeof ANSWER_SOURCES)[number];

/** An answer's `model`: the model's name and dtype ("village-v3:q8"), or a knowledge file's ("knowledge:baker.jsonl"). */
export const MODEL_NAME_MAX = 100;

export const AnswerMessage = z.object({
  v: z.literal(CONTRACT_VERSION),
  questionId: z.string().min(1).max(64),
  roomId: z.string().min(1).max(64),
  npcId: z.string().min(1).max(32),
  /** Empty when `error` is set. */
  text: z.string().max(2000),
  /** Time the worker spent on it, from taking the question to the finished answer. */
  ms: z.number().nonnegative(),
  model: z.string().max(MODEL_NAME_MAX),
  /**
   * How sure the model was of its answer: mean log-probability per token (≤ 0); absent for authored lines. This and
   * `source` say about the answer, not what it is: a value this version does not take (a newer worker's source) is
   * left out, not the answer with it (the player heard a fallback line instead).
   */
  confidence: z.number().max(0).optional().catch(undefined),
  /** The model's answer, when the NPC said one of its "unsure" lines instead (confidence below its bar). */
  withheld: z.string().max(2000).optional(),
  /** Where its words came from (ANSWER_SOURCES); absent on errors and from older workers, which did not say. */
  source: z.enum(ANSWER_SOURCES).optional().catch(undefined),
  /** What the game does as the NPC says it: the `action` of the NPC's knowledge line said (older workers lack it). */
  action: z.string().min(1).max(64).optional(),
  error: AnswerError.optional(),
  replyTo: z.string().min(1).max(64).optional(),
});
export type AnswerMessage = z.infer<typeof AnswerMessage>;

/**
 * The answer that says a question was not answered, and why, sent where the question says (its address): a player
 * hears a fallback line at once instead of waiting out the timeout. The error is cut to what the contract carries.
 */
export function errorAnswer({ questionId, roomId, npcId, replyTo }: QuestionAddress, error: AnswerError, model = ""): AnswerMessage {
  return { v: CONTRACT_VERSION, questionId, roomId, npcId, text: "", ms: 0, model, error: errorWithin(error), ...(replyTo ? { replyTo } : {}) };
}

export class ContractError extends Error {
  readonly code = "bad_message";
  constructor(message: string) {
    super(message);
    this.name = "ContractError";
  }
}

/** Parses a JSON payload from the wire; throws ContractError with what is wrong. */
export function parseMessage<T>(schema: z.ZodType<T>, payload: Buffer | string | null): T {
  if (payload === null) throw new ContractError("empty payload");
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    throw new ContractError("payload is not JSON");
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new ContractError(z.prettifyError(result.error));
  return result.data;
}

/** Where a question or answer that is not one was going, if it says: questionId, roomId, npcId, replyTo. */
export function addressOf(payload: Buffer | null): QuestionAddress | undefined {
  try {
    const address = QuestionAddress.safeParse(JSON.parse(payload?.toString() ?? ""));
    return address.success ? address.data : undefined;
  } catch {
    return undefined;
  }
}
