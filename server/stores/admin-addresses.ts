import type { Presence } from "@colyseus/core";
import { z } from "zod";

import type { KeptPart } from "./kept-presence.js";

/** The presence's hash of the addresses admins logged in from: address → when last (epoch ms). */
export const ADMIN_ADDRESSES_KEY = "admin-addresses";
/** How long an address an admin logged in from counts as theirs, and how many are kept. */
export const ADMIN_ADDRESS_KEPT_MS = 24 * 3_600_000;
export const ADMIN_ADDRESSES_KEPT = 1_000;
/** A login from a kept address writes its time again at most this often: the monitor's page asks every second. */
const WRITTEN_AGAIN_MS = 3_600_000;

/**
 * Where admins logged in from, kept in the presence: in Redis shared by every server, without it in DATA_DIR
 * (ADMIN_ADDRESSES_PART). Held in one process's memory alone, a restart forgot them, and strangers' wrong logins
 * then shut every admin out (admin-auth.ts).
 */
export interface AdminAddresses {
  /** Whether an admin logged in from `address` within ADMIN_ADDRESS_KEPT_MS. */
  known(address: string): Promise<boolean>;
  /** Notes a login from `address` now. */
  remember(address: string): Promise<void>;
}

export function adminAddressesIn(presence: () => Presence, clock = () => Date.now()): AdminAddresses {
  /** When this process last wrote each address: most logins need no write. */
  const written = new Map<string, number>();
  return {
    async known(address) {
      const at = Number(await presence().hget(ADMIN_ADDRESSES_KEY, address));
      return at > clock() - ADMIN_ADDRESS_KEPT_MS;
    },
    async remember(address) {
      const now = clock();
      if ((written.get(address) ?? -Infinity) > now - WRITTEN_AGAIN_MS) return;
      written.delete(address);
      written.set(address, now);
      if (written.size > ADMIN_ADDRESSES_KEPT) written.delete(written.keys().next().value!);
      // A write Redis did not take is tried again at the next login: noted as written, it was not for an hour, and a
      // restart meanwhile shut the admin out.
      await presence().hset(ADMIN_ADDRESSES_KEY, address, String(now)).catch((error: unknown) => {
        written.delete(address);
        throw error;
      });
      if ((await presence().hlen(ADMIN_ADDRESSES_KEY)) > ADMIN_ADDRESSES_KEPT) await forgetOldest(presence(), now);
    },
  };
}

/** Past ADMIN_ADDRESSES_KEPT (a botnet cannot log in, so only admins' own roaming grows it): those too old, then the oldest. */
async function forgetOldest(presence: Presence, now: number): Promise<void> {
  const byAge = Object.entries(await presence.hgetall(ADMIN_ADDRESSES_KEY)).sort(([, a], [, b]) => Number(a) - Number(b));
  const over = byAge.length - ADMIN_ADDRESSES_KEPT;
  for (const [i, [address, at]] of byAge.entries()) {
    if (i >= over && Number(at) > now - ADMIN_ADDRESS_KEPT_MS) break;
    await presence.hdel(ADMIN_ADDRESSES_KEY, address);
  }
}

const SNAPSHOT = z.object({ v: z.literal(1), addresses: z.array(z.tuple([z.string(), z.number()])) });
type Snapshot = z.infer<typeof SNAPSHOT>;

/** Without Redis (DATA_DIR/admin-addresses.json): the addresses admins logged in from, those past a day left out as it is read. */
export const ADMIN_ADDRESSES_PART: KeptPart<Snapshot> = {
  file: "admin-addresses.json",
  prefix: ADMIN_ADDRESSES_KEY,
  holds: "addresses admins logged in from",
  keepsUnreadable: false,
  schema: SNAPSHOT,
  async *json(presence) {
    yield JSON.stringify({ v: 1, addresses: [...presence.hashEntries(ADMIN_ADDRESSES_KEY)].map(([address, at]) => [address, Number(at)]) });
  },
  async restore(presence, kept) {
    const since = Date.now() - ADMIN_ADDRESS_KEPT_MS;
    const recent = kept.addresses.filter(([, at]) => at > since);
    for (const [address, at] of recent) await presence.hset(ADMIN_ADDRESSES_KEY, address, String(at));
    return { addresses: recent.length };
  },
};
