import { type AuthContext, matchMaker, ServerError } from "@colyseus/core";

import { joinsRefused } from "../common/metrics.js";
import type { Moderator } from "../moderation/moderator.js";
import type { Account } from "./players/account.js";
import { sanctionedUntil } from "./moderation/account-sanctions.js";
import { type SanctionRead, sanctionRead } from "./moderation/heard-sanctions.js";
import { readJoinOptions } from "./join-options.js";
import { chosenName } from "./players/player-name.js";
import { SCHEMA_FINGERPRINT } from "./schema-fingerprint.js";
import { MATCHMAKING_REQUEST, type SeatReservation, type WaitingSeats } from "./players/waiting-seats.js";
import type { WorldSettings } from "./world-settings.js";

/**
 * What matchmaking hands the room with a seat: whose address reserved it (for the allowances a rejoin takes back),
 * the seat counted as waiting there, to stop counting it once taken, and the player's account when they signed in.
 */
export interface SeatTicket {
  address?: string;
  /** The seat matchmaking counted for the address, and on which process (Redis: maybe not the room's). */
  seat?: SeatReservation;
  account?: Account;
  /** The player's name, checked here; absent for a guest, whose name onJoin makes of the session id. */
  name?: string;
  /** When a moderator's mute of the account ends (epoch ms), if it is muted. */
  mutedUntil?: number;
  /** When that was read: a change the room heard since is newer. */
  readAt?: SanctionRead;
}

/** What a join is checked against before its seat: the world room's deps of the same names. */
export interface JoinChecks {
  settings: WorldSettings;
  accounts?: { verify(token: string | undefined): Promise<Account> };
  moderator?: Moderator;
  seats?: WaitingSeats;
}

/**
 * Matchmaking, before a seat is reserved: a player who must sign in shows their token (server/player-accounts.ts);
 * the player's name is checked (player-name.ts); an address with too many seats waiting gets none (waiting-seats.ts).
 * The seat's ticket carries the address, the account and the checked name to onJoin.
 */
export async function seatTicket(checks: JoinChecks, token: string | undefined, options: unknown, context: AuthContext): Promise<SeatTicket> {
  // Checked first: a schema of another type was taken for an old build's (426), or failed String() (a 523).
  const schema = readJoinOptions(options)?.schema;
  // null is unset, as for every optional join option (engines write unset fields so).
  if (schema != null && schema !== SCHEMA_FINGERPRINT) {
    joinsRefused.inc({ reason: "old_client" });
    throw new ServerError(426, `this game build decodes another room state (schema ${schema}; the server's is ${SCHEMA_FINGERPRINT}): update the game`);
  }
  const account = await checks.accounts?.verify(token).catch((error: unknown) => {
    joinsRefused.inc({ reason: "sign_in" });
    throw error;
  });
  // Both read at once: with Redis, each is a round trip on every signed-in join.
  const readAt = sanctionRead();
  const [banned, muted] = account
    ? await Promise.all([sanctionedUntil(matchMaker.presence, "ban", account.id), sanctionedUntil(matchMaker.presence, "mute", account.id)])
    : [];
  if (banned) throw bannedJoin(banned);
  const name = checkedName(checks, options, account);
  const address = context.ip;
  if (!address || !checks.seats) return { address, account, name, mutedUntil: muted, readAt };
  const seat = checks.seats.reserve(address, context.headers.get(MATCHMAKING_REQUEST) ?? undefined);
  if (seat === undefined) {
    throw new ServerError(429, `too many joins from your address are waiting (${checks.settings.joinsWaitingPerAddress}): try again in a few seconds`);
  }
  return { address, seat: { process: matchMaker.processId, address, seat }, account, name, mutedUntil: muted, readAt };
}

/**
 * The join's name, checked before a seat is reserved: refused in onJoin, it was an HTTP 200 and then a close 4002,
 * which clients of other engines take for "join again", and did, forever.
 */
function checkedName(checks: JoinChecks, options: unknown, account: Account | undefined): string | undefined {
  try {
    return chosenName(options, { accountName: account?.name, moderator: checks.moderator, npcs: checks.settings.npcs });
  } catch (error) {
    joinsRefused.inc({ reason: "name" });
    throw error;
  }
}

/** A join of a banned account, refused with why and for how long (counted for operators). */
export function bannedJoin(until: number): ServerError {
  joinsRefused.inc({ reason: "banned" });
  return new ServerError(403, `a moderator banned this account: it may join again in ${Math.ceil((until - Date.now()) / 60_000)} min`);
}
