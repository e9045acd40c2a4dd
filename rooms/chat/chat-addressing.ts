import { CALLING_ENDINGS, TITLES } from "../../common/calling.js";
import { cleanText } from "../../common/clean-text.js";

export interface NpcName {
  id: string;
  name: string;
}

export interface Addressed {
  npcId: string;
  /** The line without its `@npc` prefix: what the NPC is asked. */
  question: string;
}

/**
 * Which NPC a chat line speaks to, if any: `to` naming an NPC by id or display name, or text starting with `@` and
 * the NPC's id or display name, as Korean calls a name or not (`@코봇`, `@코봇아`, `@한스 씨`, `@미나님`), followed by a
 * space, punctuation or the end; case-insensitive, and the name's own spaces may be left out (`@밥아저씨` calls 밥 아저씨,
 * as `to: "밥아저씨"` names it); `to` is cleaned as chat is (NFD, spaces). A line that begins by calling an NPC goes to
 * that one whatever `to` says: everyone reads the call, and a client's `to` may be a target picked earlier. Returns
 * `undefined` for a line to the room, and `"unknown"` when `to` names no NPC here. A bare call ("@코봇") has an empty
 * question.
 */
export function addressedNpc(line: string, to: string | undefined, npcs: NpcName[]): Addressed | "unknown" | undefined {
  // A Korean keyboard in full-width mode types ＠, and its letters and punctuation (＠ＨＡＮＳ！) as wide.
  const text = line.replace(FULL_WIDTH, (wide) => String.fromCharCode(wide.charCodeAt(0) - 0xfee0));
  if (text.startsWith("@")) {
    // The longest call wins: "@코봇 2호 안녕" is to 코봇 2호, not to 코봇 asked "2호 안녕", whatever the NPCs' order.
    let best: (Addressed & { rank: number }) | undefined;
    for (const npc of npcs) {
      const mention = stripMention(text, npc);
      if (mention && mention.rank > (best?.rank ?? -1)) best = { npcId: npc.id, question: mention.question, rank: mention.rank };
    }
    if (best) return { npcId: best.npcId, question: best.question };
  }
  const handle = to === undefined ? "" : spaceless(cleanText(to));
  if (handle === "") return undefined;
  const npc = npcs.find((candidate) => [candidate.id, candidate.name].some((name) => spaceless(name) === handle));
  return npc ? { npcId: npc.id, question: text } : "unknown";
}

/**
 * What of a line is the player's own words: the question, where it calls an NPC (the call is the NPC's name, which
 * the toxicity score would read as the player's: lines to some NPCs scored higher); the line, where it calls none.
 */
export function playerWords(line: string, addressed: Addressed | undefined): string {
  return addressed?.question ?? line;
}

/**
 * A handle as `to` is compared: one case, no spaces. Korean players drop them ("밥아저씨"); the world file refuses two
 * NPCs whose names look alike without them (confusableNpcs), so none is taken for another.
 */
function spaceless(handle: string): string {
  return handle.toLowerCase().replaceAll(" ", "");
}

/**
 * How many characters of `text` from `at` spell `handle` (both lower case), each of the handle's spaces typed or
 * left out ("밥 아저씨" as "밥아저씨"); -1 where they do not.
 */
function spelledLength(text: string, at: number, handle: string): number {
  let end = at;
  for (const char of handle) {
    if (text.startsWith(char, end)) end += char.length;
    else if (char !== " ") return -1;
  }
  return end - at;
}

/** Full-width forms of ASCII's printable characters (U+FF01–U+FF5E), each ASCII's own plus U+FEE0. */
const FULL_WIDTH = /[\uff01-\uff5e]/g;

/**
 * What may follow a call: laughter or tears in jamo written onto the name ("@한스ㅋㅋ", a word of them alone: "ㅎㅇ" is
 * hello), then spaces, any punctuation or symbol ("…" as phones type "...", "～") and emoji. ASCII's seven marks
 * alone let "@한스… 배고파" go to the room, the NPC silent. Matches nothing where the name runs on into a word.
 */
const AFTER_MENTION = /^(?:[ㅋㅎㅠㅜ]+(?=[\s\p{P}\p{S}\p{Extended_Pictographic}]|$))?[\s\p{P}\p{S}\p{Extended_Pictographic}\u200d\ufe0f]*/u;

/**
 * What of AFTER_MENTION belongs to the call, not the question: the laughter, marks or emoji written onto the name up
 * to a space ("@한스… ", "@한스👋 "), the marks written onto it before a word ("@한스!검"), then spaces and marks
 * standing alone (", "). What the question begins with stays: "@한스 🍎 얼마야?", "@한스 (웃음) 안녕", "@한스 #1 누구야?"
 * lost their first sign, and "@한스 :) 안녕" half its smile.
 */
const CALL_ENDING = /^(?:[ㅋㅎㅠㅜ]+(?=[\s\p{P}\p{S}\p{Extended_Pictographic}]|$))?(?:[\p{P}\p{S}\p{Extended_Pictographic}\u200d\ufe0f]+(?=\s|$))?[,.:!?~…]*(?:\s+|[,.:!?~…]+(?=\s|$))*/u;

/**
 * The question after a call of `npc` that `text` (an "@" first) begins with, and its rank: longer calls first, and of
 * two as long a name as it is before a name called ("@미나야" is to an NPC named 미나야 rather than to 미나); undefined
 * for none.
 */
function stripMention(text: string, npc: NpcName): { question: string; rank: number } | undefined {
  const lower = text.toLowerCase();
  let found: { question: string; rank: number } | undefined;
  for (const handle of [npc.id, npc.name]) {
    // The name as it is first, so an NPC named 미나야 is not taken for 미나 called.
    for (const ending of ["", ...CALLING_ENDINGS]) {
      const spelled = spelledLength(lower, 1, handle.toLowerCase() + ending); // after the "@"
      if (spelled < 0) continue;
      const mention = lower.slice(0, 1 + spelled);
      let rest = text.slice(mention.length);
      if (rest !== "" && AFTER_MENTION.exec(rest)![0] === "") continue;
      rest = rest.replace(CALL_ENDING, "");
      const title = [...TITLES].find((word) => ending === "" && rest.startsWith(word) && /^(?:$|[\s,.:!?~…])/.test(rest.slice(word.length)));
      if (title) rest = rest.slice(title.length).replace(CALL_ENDING, ""); // "@한스 씨, 검 있어요?"
      const rank = mention.length * 2 + (ending === "" ? 1 : 0);
      if (rank > (found?.rank ?? -1)) found = { question: rest.trim(), rank };
      break; // this handle's first call that fits: the name as it is before it called
    }
  }
  return found;
}
