import { pickLine } from "../../common/pick-line.js";

/** Names said in one line; past them the rest are counted ("민수, 지영, 철수 외 4명"). */
const NAMES_SAID = 3;

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

/** One of `lines`, said to the player named; none when there are none. */
export const lineFor = (lines: readonly string[], name: string) => {
  const line = pickLine(lines, undefined);
  return line === undefined ? undefined : withName(line, name);
};

/** `name` with `title` (" 님"), unless the name ends in that title already. */
const titled = (name: string, title = "") => (title !== "" && name.endsWith(title.trim()) ? name : name + title);
