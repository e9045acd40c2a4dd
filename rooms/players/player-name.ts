import { ServerError } from "@colyseus/core";

import { cleanText } from "../../common/clean-text.js";
import type { Moderator } from "../../moderation/moderator.js";
import type { NpcName } from "../chat/chat-addressing.js";
import { impersonatedNpc } from "../npc/npc-impersonation.js";
import { readJoinOptions } from "../join-options.js";
import { NAME_MAX_CHARS } from "../world-contract.js";
import { ACCOUNT_NAME_REFUSED } from "../world-protocol.js";
import { staffWordIn } from "./reserved-names.js";

/**
 * What a name may be: letters and digits of any script, `_` and `-`, and one space between two words at most ("Kim
 * Minsu", as the worlds' NPCs are "밥 아저씨"). No sentence punctuation, brackets or symbols: a name is filled into
 * NPCs' lines and the room's "민수 님이 들어왔어요", and "민수 님이 나갔어요. 철수" or "[공지] 서버점검" wrote lines of its own.
 */
const NAME_WORD = String.raw`[\p{L}\p{M}\p{Nd}_-]+`;
const NAME_SHAPE = new RegExp(`^${NAME_WORD}( ${NAME_WORD})?$`, "u");

/** The name of a player who gave none: "guest", with the start of its session id (`손님-Ab3x`). */
export const NAMELESS = "손님";

/**
 * The name a player is shown by: their account's when the token gives one (the join's is then ignored), else the
 * join's, else one made of the session id. A join it refuses fails with a 400 that says why, beginning with
 * ACCOUNT_NAME_REFUSED when the name was the account's.
 */
export function playerName(options: unknown, sessionId: string, checks: NameChecks): string {
  return chosenName(options, checks) ?? namelessName(sessionId, checks.moderator, checks.taken);
}

/** What a name is checked against: the account's name, moderation and the world's NPCs. */
export interface NameChecks {
  accountName: string | undefined;
  moderator: Moderator | undefined;
  npcs: readonly NpcName[];
  /** Whether a name looks like a player's in the room (where one is known): a made-up name avoids those. */
  taken?: (name: string) => boolean;
}

/**
 * The name the join or the account gives, checked, or undefined when neither gives one (a guest). Matchmaking checks
 * it (world-room-auth.ts) before the seat, so a refusal is the join request's own HTTP 400, which every client reads.
 */
export function chosenName(options: unknown, { accountName, moderator, npcs }: NameChecks): string | undefined {
  const joinName = readJoinOptions(options)?.name;
  const account = namingAccountName(accountName);
  const raw = account ?? joinName;
  if (raw === undefined) return undefined;
  const name = cleanText(raw);
  const refused = (why: string) => new ServerError(400, (account !== undefined ? ACCOUNT_NAME_REFUSED : "") + why);
  const chars = [...name].length;
  if (chars < 1 || chars > NAME_MAX_CHARS) throw refused(`name must be 1–${NAME_MAX_CHARS} characters after trimming; got ${chars}`);
  if (!NAME_SHAPE.test(name) || !/[\p{L}\p{Nd}]/u.test(name)) {
    throw refused(`name "${name}" may hold only letters, digits, _ and -, with at most one space between two words`);
  }
  // A name is shown to everyone and said by NPCs in their greetings: it is moderated as a line is.
  if (moderator?.check(name).blocked) throw refused("name holds a word that is not allowed here");
  // Nor may a player pass for an NPC, whose lines players trust.
  const npc = impersonatedNpc(name, npcs);
  if (npc) throw refused(`name "${name}" passes for ${npc.name}, an NPC of this world`);
  // Nor for the game's staff or the server, whose word players take.
  const staff = staffWordIn(name);
  if (staff) throw refused(`name "${name}" passes for the game's staff or system ("${staff}")`);
  return name;
}

/**
 * The account's name when it is the one the player is shown by, else undefined (the join's name is used): a token's
 * name that cleans to nothing names no one, as a token without a name. A refusal of it says ACCOUNT_NAME_REFUSED.
 */
export function namingAccountName(accountName: string | undefined): string | undefined {
  return accountName !== undefined && cleanText(accountName) !== "" ? accountName : undefined;
}

/**
 * A name for a player who gave none, said by NPCs and read by the room, so in Korean: 손님 and four letters of the
 * session id, the first four that a typed name could be: moderation lets them through (about 1 in 8,000 read as
 * abuse: 손님-Fcku), no staff word (손님-GM3x), and none `taken` in the room (손님-Ab3x looks like 손님-aB3X: a guest
 * who typed nothing was refused name_taken about once in 20,000 joins to a room of 49 guests).
 */
export function namelessName(sessionId: string, moderator: Moderator | undefined, taken: (name: string) => boolean = () => false): string {
  for (let at = 0; at + 4 <= sessionId.length; at++) {
    const name = `${NAMELESS}-${sessionId.slice(at, at + 4)}`;
    if (!moderator?.check(name).blocked && staffWordIn(name) === undefined && !taken(name)) return name;
  }
  return NAMELESS;
}
