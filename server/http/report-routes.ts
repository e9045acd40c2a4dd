import type { Presence } from "@colyseus/core";
import type { Application, RequestHandler } from "express";
import { z } from "zod";

import type { Logger } from "../../common/log.js";
import type { HashPages } from "../../rooms/hash-pages.js";
import { closeReport, listReports, REPORTS, REPORTS_KEPT } from "../../rooms/moderation/player-reports.js";

const ReportsQuery = z
  .object({
    /** Only reports about this account. */
    account: z.string().min(1).max(128).optional(),
    limit: z.coerce.number().int().min(1).max(REPORTS_KEPT).default(100),
  })
  .strict();

/**
 * `GET /api/reports?account=&limit=` (admin): players' reports of other players, newest first, each with the reported
 * player's last lines (rooms/moderation/player-reports.ts), and without `account` the `total` open; `DELETE /api/reports/:id` takes one off the list once dealt with
 * (a mute or a ban: sanction-routes.ts). `hashes` reads the reports' index a page at a time, the rooms running between
 * pages.
 */
export function reportRoutes(app: Application, presence: () => Presence, hashes: () => HashPages, adminOnly: RequestHandler, log: Logger): void {
  app.get("/api/reports", adminOnly, async (req, res) => {
    const query = ReportsQuery.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: "bad reports query", details: z.prettifyError(query.error) });
      return;
    }
    const reports = await listReports(presence(), query.data, hashes());
    // How many are open in all: the console shows the newest 200, and said nothing of the older ones.
    res.json({ reports, ...(query.data.account === undefined ? { total: await presence().hlen(REPORTS) } : {}) });
  });
  app.delete("/api/reports/:id", adminOnly, async (req, res) => {
    const id = String(req.params.id);
    if (!(await closeReport(presence(), id, hashes()))) {
      res.status(404).json({ error: `no report ${id}` });
      return;
    }
    log.info("report closed", { id });
    res.status(204).end();
  });
}
