// How the NPC brain reads a line of game chat: as the plain Korean its model and knowledge files were written in.

import { jamoOf } from "../common/hangul.js";

/**
 * Game chat's shorthand, each as the plain word Chatbot_data and knowledge files use: hello, bye, thanks and sorry
 * ("ㅎㅇ" → "안녕"), and chat's short words (ㄹㅇ → 진짜, 넘 → 너무, 겜 → 게임, ㅇㅋ → 알았어). Chatbot_data has
 * none or almost none of it, so the model answered "ㅎㅇ", "하이" or "ㅂㅂ" with nonsense and an NPC's own "안녕" line
 * never matched them (npc/eval/village-shorthand.json: 0 of 34 fit), and "숙제가 넘 많아" got "미련이 되죠.". Whole
 * words only, repeated or not ("하이하이", "ㅂㅂㅂ"), with trailing punctuation kept: "하이킹" stays; only 겜 keeps what
 * follows it in its word (겜에서 → 게임에서).
 */
const SPELLED_OUT: readonly (readonly [RegExp, string])[] = [
  [/^(?:ㅎㅇ|ㅎ2|하이|하이루|하잉|헬로|헬로우|hi|hello|hey)+요?$/, "안녕"],
  [/^(?:ㅂㅂ+|ㅂ2|ㅃㅃ+|ㅃ2|바이|빠이|빠빠이|굿바이|bye|goodbye)+$/, "잘가"],
  [/^(?:ㄱㅅ|ㄳ|땡큐|땡스|thx|thanks|thankyou)+$/, "고마워"],
  [/^(?:ㅈㅅ|쏘리|sorry)+$/, "미안해"],
  [/^(?:방가|방가워|반갑)+$/, "반가워"],
  [/^(?:굿밤|굿나잇|굿나이트|goodnight)$/, "잘자"],
  [/^(?:ㄹㅇ|레알)$/, "진짜"],
  [/^넘$/, "너무"],
  [/^[머모]$/, "뭐"],
  [/^[머모]해$/, "뭐해"],
  [/^[머모]야$/, "뭐야"],
  [/^걍$/, "그냥"],
  [/^ㅇㅇ+$/, "응"],
  [/^(?:ㅇㅋ|ㅇㅋㅇㅋ|오키|오케|오케이|ok|okay)$/, "알았어"],
  [/^ㄴㄴ+$/, "아니"],
  [/^(?:ㅊㅋ)+$/, "축하해"],
  [/^ㄱㄱ+$/, "가자"],
  [/^ㅅㄱ$/, "수고해"],
  [/^겜(?=[가-힣]*$)/, "게임"],
];

/** Two-word English forms, joined so they read as one word below. */
const JOINED = /\b(?:thank you|good night|good bye)\b/gi;

/** A chat word as matched, lower case, and the punctuation typed after it: "Hi~" → ["hi", "~"]. */
export function chatWord(word: string): [core: string, tail: string] {
  const [, core = "", tail = ""] = /^(.*?)([!?.,~]*)$/su.exec(word) ?? [];
  return [core.toLowerCase(), tail];
}

/** The line with each shorthand word spelled out; anything else as it was. */
export function spellOutShorthand(text: string): string {
  return text
    .replace(JOINED, (phrase) => phrase.replace(" ", ""))
    .split(" ")
    .map((word) => {
      const [core, tail] = chatWord(word);
      const shorthand = SPELLED_OUT.find(([pattern]) => pattern.test(core));
      return shorthand ? core.replace(...shorthand) + tail : word;
    })
    .join(" ");
}

/**
 * Laughing and crying typed as letters (ㅋㅋ, ㅎㅎ, ㅠㅠ, ㅜㅜ, ^^) or as emoji, which Korean chat adds to any line.
 * Only 76 of Chatbot_data's 11,823 questions have such letters and none an emoji, so they took over retrieval and
 * then the answer: with " ㅋㅋ" after them, 32 of the 40 everyday questions got other answers (mostly "말해보세요."),
 * with "ㅋㅋㅋ" attached all 40, with " ㅠㅠ" 31, with " 😂" 15 and "😭😭" 19. A lone ㅎ stays: it starts "ㅎㅇ" (hi),
 * spelled out before this runs.
 */
const EMOTICONS = /[ㅋㅠㅜ]+|ㅎ{2,}|\^[_\-.]?\^|[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0F\u200D]+/gu;

/** The line without laughing and crying; a line that is nothing else stays as typed. */
export function withoutEmoticons(text: string): string {
  const kept = text.replace(EMOTICONS, "").replace(/\s+/g, " ").trim();
  return /[\p{L}\p{N}]/u.test(kept) ? kept : text;
}

/**
 * Punctuation that ends a chat line, however long ("배고파~~", "진짜...", "뭐 먹지??"). The model's answer moved with it:
 * with one "." or "?" after them 9 of the 40 everyday questions got other answers ("노래 추천해 줘." → "좀 깨요."),
 * with "~~" 11, "!" 14. Without it the everyday answers are as before, and the validation and test questions that
 * have it score as well or a little better (chrF 10.89 → 11.16 and 10.53 → 10.62).
 */
const LINE_END = /[\s.?!~…,]+$/u;

/**
 * Words a player starts a line with before saying anything (아, 헐, 음, 휴, 근데): with "근데 " before them 16 of the
 * 40 everyday questions got other answers, with "헐 " 13, with "아 " 8. "아니" (no) says something, and stays.
 */
const FILLERS = /^(?:(?:아|어|오|와|헐|헉|음|흠|앗|아놔|에휴|휴|하|하아|근데|그런데|아무튼|암튼)[~!.,…]*\s+)+(?=\S)/u;

/**
 * Whether `syllable` draws out the open vowel of `before` (파아, 지이, 어어; not 많아 or 먹어): a bare vowel (ㅇ, no
 * final) after a syllable with no final and the same vowel.
 */
function drawsOut(syllable: string, before: string): boolean {
  const [it, prior] = [jamoOf(syllable), jamoOf(before)];
  return it?.first === "ㅇ" && it.final === "" && prior?.final === "" && it.vowel === prior.vowel;
}

/**
 * The line without the vowel a player draws out at its end ("배고파아아", "망쳤어어어", "먹지이이"): 16 of the 40
 * everyday questions drawn out so got other answers. A drawn-out syllable is a bare vowel after an open syllable of
 * the same vowel (많아 and 먹어 end closed before their 아, 어); two or more go, or one that leaves a word of two
 * syllables or more ("그래애"), so "하아", "오오" and "많이 나아" (better) stay.
 */
export function withoutDrawnOutEnd(text: string): string {
  const chars = [...text];
  let end = chars.length;
  while (end >= 2 && drawsOut(chars[end - 1]!, chars[end - 2]!)) end--;
  const kept = chars.slice(0, end).join("");
  const drawn = chars.length - end;
  return drawn >= 2 || (drawn === 1 && [...kept.split(" ").at(-1)!].length >= 2) ? kept : text;
}

/**
 * A chat line as the model and knowledge files read it: shorthand spelled out; laughing and crying dropped, and the
 * words it starts with before saying anything, the punctuation and a drawn-out vowel at its end; a line that is
 * nothing else stays as typed. Shorthand is spelled out before the laughing goes (ㅇㅋ and ㅊㅋ hold a ㅋ) and again
 * after it (머야ㅋㅋ is 머야 once the ㅋㅋ is gone): spelled-out words are not shorthand, so the second time changes
 * only what the first could not see.
 */
export function plainChat(text: string): string {
  const spelled = spellOutShorthand(withoutEmoticons(spellOutShorthand(text)));
  const plain = withoutDrawnOutEnd(spelled.replace(LINE_END, "").replace(FILLERS, ""));
  return plain === "" ? text : plain;
}
