import { z } from "zod";

import type { KeptPart } from "./kept-presence.js";
import { restore, type Sanction, sanctionsInForce } from "../rooms/account-sanctions.js";
import { restoreReports, storedReports } from "../rooms/player-reports.js";

const SANCTIONS: readonly Sanction[] = ["mute", "ban"];

const record = z.object({ account: z.string(), since: z.number(), until: z.number(), reason: z.string().optional() });
const SNAPSHOT = z.object({
  v: z.literal(1),
  mute: z.array(record),
  ban: z.array(record),
  /** The reports' store as it is (field → the report's JSON). */
  reports: z.record(z.string(), z.string()),
});
type Snapshot = z.infer<typeof SNAPSHOT>;

/** Moderators' work without Redis (DATA_DIR/moderation.json): mutes and bans for the time they had left, and the open reports. */
export const MODERATION_PART: KeptPart<Snapshot> = {
  file: "moderation.json",
  prefix: "kobot:",
  holds: "mutes, bans and reports",
  schema: SNAPSHOT,
  async *json(presence) {
    const [mute, ban] = await Promise.all(SANCTIONS.map((sanction) => sanctionsInForce(presence, sanction)));
    yield JSON.stringify({ v: 1, mute: mute!, ban: ban!, reports: await storedReports(presence) } satisfies Snapshot);
  },
  async restore(presence, kept) {
    for (const sanction of SANCTIONS) for (const entry of kept[sanction]) await restore(presence, sanction, entry);
    await restoreReports(presence, kept.reports);
    return { mutes: kept.mute.length, bans: kept.ban.length, reports: Object.keys(kept.reports).length };
  },
};
