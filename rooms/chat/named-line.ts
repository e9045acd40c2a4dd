import { pickLine } from "../../common/pick-line.js";
import type { Moderator } from "../../moderation/moderator.js";
import { NAMELESS } from "../players/player-name.js";

/** Names said in one line; past them the rest are counted ("민수, 지영, 철수 외 4명"). */
export const NAMES_SAID = 3;

/** `{name}` and the title after it, if any: 님 or 씨 as a word of its own (not 님들, said to many). */
const NAME_AND_TITLE = /\{name\}(\s*(?:님|씨)(?![가-힣]))?/g;

/**
 * `line` said to `names` for its `{name}` (a function, so "$&" in a name is not a replacement pattern): all of up to
 * three, else three and how many more. A title the line puts after the name (님 or 씨, with or without a space) goes
 * with each name, before the count: "민수 님, 지영 님, 철수 님 외 2명", not "민수, 지영, 철수 외 2명 님" (a title honours
 * people, not a head count); a name that ends in it already ("관리자님") is not given it twice.
 */
export function withNames(line: string, names: readonly string[]): string {
  const more = names.length - NAMES_SAID;
  const counted = more > 0 ? ` 외 ${more}명` : "";
  return line.replace(NAME_AND_TITLE, (_, title: string | undefined) => names.slice(0, NAMES_SAID).map((name) => titled(name, title)).join(", ") + counted);
}

/** `line` with `{name}` as one player's name (a knowledge line, a call reply, a fallback in the NPC's own words). */
export const withName = (line: string, name: string) => withNames(line, [name]);

/** Whether moderation lets a line an NPC says through (always, with moderation off). */
export type LinePasses = (text: string) => boolean;

/** A moderator's verdict as LinePasses: a room's, or none with moderation off. */
export const passedBy = (moderator: Moderator | undefined): LinePasses => (text) => moderator?.check(text).blocked !== true;

/**
 * `line` said to the player named, as moderation lets it through: names pass moderation one by one at join, but one
 * may spell abuse with the line's words beside it; then the player is called 손님, as one who gave no name is.
 * Undefined when even that is blocked.
 */
export function namedLine(line: string, name: string, passes: LinePasses): string | undefined {
  return [withName(line, name), withName(line, NAMELESS)].find(passes);
}

/**
 * `line` said to `names` (withNames), as lines moderation lets through, each with the indices of the names it is said
 * to: one line for all, unless the names side by side spell abuse ("개", "새끼": "개, 새끼, 대장간에 온 걸 환영하네.");
 * then each on a line of their own (namedLine): each player still hears their own name, where a greeting without
 * names would take every player's from them for one stranger's.
 */
export function namedLines(line: string, names: readonly string[], passes: LinePasses): Array<{ text: string; to: number[] }> {
  const together = withNames(line, names);
  if (names.length > 1 && passes(together)) return [{ text: together, to: names.map((_, i) => i) }];
  return names.flatMap((name, i) => {
    const text = namedLine(line, name, passes);
    return text === undefined ? [] : [{ text, to: [i] }];
  });
}

/** One of `lines`, said to the player named as moderation lets it through (namedLine); none when there are none. */
export const lineFor = (lines: readonly string[], name: string, passes: LinePasses) => {
  const line = pickLine(lines, undefined);
  return line === undefined ? undefined : namedLine(line, name, passes);
};

/** `name` with `title` (" 님"), unless the name ends in that title already. */
const titled = (name: string, title = "") => (title !== "" && name.endsWith(title.trim()) ? name : name + title);
