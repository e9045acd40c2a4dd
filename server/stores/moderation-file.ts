import { z } from "zod";

import type { KeptPart } from "./kept-presence.js";
import { restore, type Sanction, sanctionsInForce } from "../../rooms/moderation/account-sanctions.js";
import { type PlayerReport, REPORTS, restoreReports } from "../../rooms/moderation/player-reports.js";
import { jsonPieces } from "./json-pieces.js";

const SANCTIONS: readonly Sanction[] = ["mute", "ban"];
/** Reports written at a time: ~350 kB of JSON. */
const REPORTS_A_PIECE = 500;

const record = z.object({ account: z.string(), since: z.number(), until: z.number(), reason: z.string().optional() });
/**
 * A stored report, every field its readers take (the index, a report again, an erasure, the console): one short of a
 * field (a hand edit) was read back and blanked the moderators' console and failed every erasure of its reporter.
 */
const PLAYER = z.object({ player: z.string(), name: z.string(), account: z.string().optional() });
const REPORT = z.object({
  id: z.string(),
  at: z.number(),
  times: z.number().int().positive(),
  roomId: z.string(),
  reporter: PLAYER,
  reported: PLAYER,
  reason: z.string().optional(),
  lines: z.array(z.object({ id: z.string(), text: z.string(), ts: z.number(), moderated: z.literal(true).optional(), toxicity: z.number().min(0).max(1).optional() })),
}) satisfies z.ZodType<PlayerReport>;
const isReportJson = (json: string) => {
  try {
    return REPORT.safeParse(JSON.parse(json)).success;
  } catch {
    return false;
  }
};
/**
 * Each sanction and report is checked on its own: one of another shape (a hand edit, another version's) once failed
 * the whole file, which was set aside, and the server started with no ban, writing a file without them over it.
 */
const SNAPSHOT = z.object({
  v: z.literal(1),
  mute: z.array(z.unknown()),
  ban: z.array(z.unknown()),
  /** The reports' store as it is (field → the report's JSON). */
  reports: z.record(z.string(), z.unknown()),
});
type Snapshot = z.infer<typeof SNAPSHOT>;

/** Moderators' work without Redis (DATA_DIR/moderation.json): mutes and bans for the time they had left, and the open reports. */
export const MODERATION_PART: KeptPart<Snapshot> = {
  file: "moderation.json",
  prefix: "kobot:",
  holds: "mutes, bans and reports",
  keepsUnreadable: true,
  schema: SNAPSHOT,
  async *json(presence) {
    const [mute, ban] = await Promise.all(SANCTIONS.map((sanction) => sanctionsInForce(presence, sanction)));
    yield `{"v":1,"mute":${JSON.stringify(mute)},"ban":${JSON.stringify(ban)},"reports":{`;
    // Up to 10,000 reports of ~1 kB: written whole, they held the rooms ~100 ms at every save (bench:presence-file).
    yield* jsonPieces(presence.hashEntries(REPORTS), REPORTS_A_PIECE, (batch) => JSON.stringify(Object.fromEntries(batch)));
    yield "}}";
  },
  async restore(presence, kept) {
    const counts = { mutes: 0, bans: 0, reports: 0, unreadable: 0 };
    for (const sanction of SANCTIONS) {
      for (const entry of kept[sanction]) {
        const read = record.safeParse(entry);
        if (!read.success) {
          counts.unreadable++;
          continue;
        }
        await restore(presence, sanction, read.data);
        counts[sanction === "mute" ? "mutes" : "bans"]++;
      }
    }
    const reports = Object.fromEntries(Object.entries(kept.reports).filter((entry): entry is [string, string] => typeof entry[1] === "string" && isReportJson(entry[1])));
    counts.unreadable += Object.keys(kept.reports).length - Object.keys(reports).length;
    await restoreReports(presence, reports);
    counts.reports = Object.keys(reports).length;
    return counts;
  },
};
