import type { ErrorCode } from "../world-contract.js";

/**
 * What the NPC says, in character, when it cannot give a real answer; and what the asker is told: what happened,
 * never the error's own text (a broker's host:port, a model file's path), which the server logs instead.
 */
export interface Fallback {
  line: string;
  code: ErrorCode;
  message: string;
}

/** The NPC's polite refusal of a line it would not repeat, and its safe line instead of a blocked answer. */
export const MODERATION_LINES = {
  input: "그런 말은 듣기가 좀 그래요. 고운 말로 다시 말해 줄래요?",
  output: "음, 그건 제가 말하기 곤란해요. 다른 이야기를 해요.",
} as const;

export function fallbackFor(reason: "timeout" | "unsent" | "unavailable" | "error" | "busy" | "closing"): Fallback {
  switch (reason) {
    case "closing":
      return {
        line: "곧 문을 닫을 시간이에요. 다시 들어오면 그때 이야기해요!",
        code: "server_closing",
        message: "the server is shutting down and takes no new questions; ask again once you have reconnected",
      };
    case "busy":
      return {
        line: "잠깐만요, 지금 질문이 너무 많이 밀려 있어요. 조금 있다가 다시 물어봐 줄래요?",
        code: "npc_busy",
        message: "the NPC has too many questions waiting; ask again in a moment",
      };
    case "timeout":
      return {
        line: "음… 생각이 잘 안 나네요. 조금 있다가 다시 물어봐 줄래요?",
        code: "npc_timeout",
        message: "the NPC did not answer in time; ask again in a moment",
      };
    // The question never left this server (the broker down past the producer's retries).
    case "unsent":
      return unavailable("the NPC service cannot be reached right now: ask again in a moment");
    // The worker has no model to answer with: asking again at once will not help.
    case "unavailable":
      return unavailable("the NPC's brain is not running right now: ask again later");
    case "error":
      return unavailable("the NPC could not answer: ask again");
  }
}

const unavailable = (message: string): Fallback => ({ line: "지금은 대답하기가 어려워요. 잠시 후에 다시 말 걸어 주세요.", code: "npc_unavailable", message });

/**
 * Whether `text` is the NPC's line for an answer that never came (a timeout, or a brain that is
 * unavailable): how the load test and the chat bench count fallbacks among the answers they see.
 */
export function isNoAnswerLine(text: string): boolean {
  return text === fallbackFor("timeout").line || text === fallbackFor("error").line;
}
