import type { AnswerQueue } from "./worker/answer-queue.js";
import type { AskOptions, NpcEngine } from "./engine.js";
import type { KnowledgePair } from "./knowledge-index.js";
import { hearLine } from "./heard-line.js";
import { withoutOwnName } from "./own-name.js";

/** How one NPC is answered: a queue in front of its model's engine, and the options that make it this NPC. */
export interface NpcBrain {
  engine: NpcEngine;
  queue: AnswerQueue;
  options: AskOptions;
  /**
   * The line as this NPC hears it: read as a chat line (`NpcEngine.readLine`), and without its own name where the
   * player calls it by name ("코봇아 숙제가 너무 많아ㅋㅋ"). No question the model learnt from names anyone, so the
   * name changed 13 of 40 everyday answers, most for the worse; its knowledge file's questions do not name it either.
   */
  hear(line: string): string;
  /** The authored line for a question its knowledge file already answers, if the NPC says those as written. */
  scriptedLine(question: string): ScriptedLine | undefined;
  /**
   * Its knowledge file's line whose question (or the line itself, unless `questionsOnly`) is most like this
   * question, if at least `minScore` alike.
   */
  knowledgeLine(question: string, minScore: number, questionsOnly?: boolean): ScriptedLine | undefined;
  /** What the NPC says instead of an answer the model was not sure of, if it has such lines. */
  unsure?: UnsureLines;
  /** The game action of its knowledge file's line `text`, if it is one and has one. */
  actionOf(text: string): string | undefined;
  /** How alike a question must be to one of its knowledge file's to get that line as written (never, unset). */
  scriptedAbove?: number;
}

export interface UnsureLines {
  below: number;
  /**
   * A stricter bar for answers the model composed (not a shown answer repeated word for word): with the shipped
   * model, 17 of the 27 composed everyday and held-out answers were nonsense and 5 of the 33 copies (EVAL.md).
   */
  composedBelow?: number;
  lines: string[];
  /**
   * Before `lines`: the NPC's closest knowledge line, when its question is at least this similar to the
   * player's (a lower bar than `scriptedAbove`: it applies only when the model did not know).
   */
  knowledgeAbove?: number;
  /**
   * Words that put an answer out of character, handled as if the model were unsure of it: the shipped model
   * learnt from a chatbot that calls itself 위로봇 ("누구세요?" → "저는 마음을 이어주는 위로봇입니다.", sure of it).
   */
  outOfCharacter?: string[];
}

/** A line said as written in an NPC's knowledge file, and where it came from (in place of a model name). */
export interface ScriptedLine {
  text: string;
  source: string;
}

/** How one NPC is answered: `engine` behind its `queue`, with the options and lines that make it this NPC. */
export function brainOf(
  engine: NpcEngine,
  queue: AnswerQueue,
  options: AskOptions,
  names: string[],
  knowledgeSource?: string,
  scriptedAbove?: number,
  unsure?: UnsureLines,
): NpcBrain {
  return {
    engine,
    ...(unsure ? { unsure } : {}),
    ...(scriptedAbove !== undefined ? { scriptedAbove } : {}),
    queue,
    options,
    hear(line) {
      return hearLine(line, names, (read) => engine.readLine(read));
    },
    knowledgeLine(question, minScore, questionsOnly = false) {
      const hit = knowledgeSource !== undefined && options.knowledge?.search(this.hear(question), 1, minScore, { questionsOnly })[0];
      return hit ? { text: hit.pair.a, source: knowledgeSource } : undefined;
    },
    actionOf(text) {
      return options.knowledge?.pairs.find((pair) => pair.a === text)?.action;
    },
    scriptedLine(question) {
      return this.scriptedAbove === undefined ? undefined : this.knowledgeLine(question, this.scriptedAbove, true);
    },
  };
}

/**
 * A knowledge pair whose questions are without the NPC's own name, as the NPC hears a player's ("한스 씨 가족 있어요?"
 * written in a file, asked word for word, scored 0.74 against the "가족 있어요?" the NPC heard, and was not said), and
 * that is also found as a chat line reads (a file's "ㄱㅅ" never matched a player's "ㄱㅅ", heard as "고마워"). The
 * question shown to the model stays as written.
 */
export function heardAs(pair: KnowledgePair, engine: NpcEngine, names: readonly string[]): KnowledgePair {
  const { also, ...rest } = pair;
  const written = [pair.q, ...(also ?? [])].map((q) => withoutOwnName(q, names));
  const asked = [...new Set([...written, ...written.map((q) => withoutOwnName(engine.readLine(q), names))])];
  const [q, ...others] = asked as [string, ...string[]];
  return { ...rest, q, ...(others.length > 0 ? { also: others } : {}) };
}
