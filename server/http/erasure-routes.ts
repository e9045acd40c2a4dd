import type { Presence } from "@colyseus/core";
import type { Client } from "@elastic/elasticsearch";
import type { Application, RequestHandler } from "express";
import { z } from "zod";

import { closedIndices } from "../../chatlog/closed-indices.js";
import { eraseAccountLines } from "../../chatlog/erase-account.js";
import { markErased } from "../../chatlog/erasure-marks.js";
import type { ChatLogPublisher } from "../../kafka/chat-log-transport.js";
import type { Logger } from "../../common/log.js";
import { withTimeout } from "../../common/with-timeout.js";
import { ERASURES_CHANNEL } from "../../rooms/moderation/erased-accounts.js";
import { forgetAccount } from "../../rooms/npc/npc-acquaintances.js";
import { dropReportsFiledBy } from "../../rooms/moderation/player-reports.js";
import type { NpcSettings } from "../../rooms/world-settings.js";
import { bodyOr400, jsonText } from "./json-body.js";

/**
 * The account as the game's login gave it: spaces at its ends (a copy and paste) are not part of it, and its case is
 * (tokens' `sub` and the chat index's `account` are matched exactly, so "ACCT-B1" is another account).
 */
const ErasureRequest = z.object({ account: z.string().trim().min(1).max(128) }).strict();

export interface ErasureDeps {
  presence: () => Presence;
  /** This process's id (matchMaker.processId): the other servers erase their archives as they hear of an erasure. */
  process: () => string;
  /** The world's NPCs now. */
  npcs: () => readonly NpcSettings[];
  /** The chat index (ES_URL); absent: nothing to erase there. */
  chatIndex?: { client: Client; indexPrefix: string };
  /** The embedded default's daily files (DATA_DIR); absent with Kafka or DATA_DIR=off. */
  archive?: Archive;
  /** This process's chat log: its lines not yet stored (indexed in-process, or sent to Kafka) go first. */
  chatLog: Pick<ChatLogPublisher, "flush" | "dropWaiting">;
  /** With Kafka: the longest a line written now stays in its topics (null: kept for good; kafka/topic-retention.ts). */
  kafkaKeptMs?: () => Promise<number | null>;
  /** With Kafka: chat-log records the indexers have not reached yet (their consumer group's lag). */
  indexerLag?: () => Promise<number>;
  /**
   * Without Redis: writes what the presence keeps in DATA_DIR (the NPCs' memory, the moderators' reports) now, and
   * says whether it could. Saved each 5 s otherwise: a crash after the 200 read the player back at the next start.
   */
  keptSaved?: () => Promise<boolean>;
}

/** An embedded server's archive files (kafka/daily-file-chat-log.ts), as an erasure takes a player's lines out. */
export interface Archive {
  erase(account: string, options?: { ownFiles?: boolean }): Promise<number>;
}

/**
 * An erasure asked of one server, for every other server's archive files: several servers on Redis without Kafka each
 * write their own (DATA_DIR), and those of the servers not asked kept the player's words.
 */
const ARCHIVE_ERASURES_CHANNEL = "kobot:archive-erasures";

/** How long an erasure waits for this process's lines to be stored: Elasticsearch down would hold it forever. */
const FLUSH_WAIT_MS = 5000;
/** How long it waits for the broker to say how long its topics keep records: past it, "unknown". */
const BROKER_WAIT_MS = 5000;

/**
 * `POST /api/erasures {account}` (admin): a signed-in player asked the game to erase what it keeps of them (Korea's
 * PIPA, the GDPR). Their lines and the NPCs' answers to them leave the chat index (chatlog/erase-account.ts) and the
 * embedded default's archive files (kafka/daily-file-erasure.ts), the open reports they filed leave the moderators'
 * list, and the NPCs forget meeting them, those removed from the world since included. 200 `{account, found, chatLines,
 * archivedLines, npcMemories, openReports, kafkaCopiesGoneBy, indexerLag}`: how many of each
 * went, null where this server keeps none, `found: false` where nothing went (a mistyped account?); with Kafka, when the topics' copies, which no request can delete, are gone
 * by their retention (an ISO time, "never" for a topic that keeps records for good, "unknown" when the broker did
 * not say), else null. Kept, and why: mutes and bans in force (a sanction outlives the request), other players'
 * reports of them (evidence), lines that name them (greetings, joins). Not reached from here: the chat-log topic's copy
 * with Kafka, until its retention passes, and the Parquet archive the Kafka deployment's archive job writes
 * (`npm run analytics -- --job erase --account <id>`, analytics/kobot_analytics/erase.py). A 502 says Elasticsearch
 * failed and `done` what was erased: nothing where it was found unable first (a closed month, named in
 * `closedIndices`, or no answer); asked again, the erasure finishes.
 */
export function erasureRoutes(app: Application, deps: ErasureDeps, adminOnly: RequestHandler, log: Logger): void {
  app.post("/api/erasures", adminOnly, jsonText, async (req, res) => {
    const request = bodyOr400(ErasureRequest, req.body, res, "erasure");
    if (!request) return;
    const { account } = request;
    // What the chat index cannot do is known before anything is erased: failing after the NPCs' memory, the reports
    // and the archive went, the erasure left the player half-erased (a privacy officer's worst answer: "some of it").
    if (deps.chatIndex) {
      let closed: string[];
      try {
        closed = await closedIndices(deps.chatIndex.client, deps.chatIndex.indexPrefix);
      } catch (error) {
        log.error("erasure: Elasticsearch did not answer, nothing erased", { account, error });
        return void res.status(502).json({ error: "Elasticsearch did not answer: nothing erased, ask again", details: (error as Error).message, account, done: [] });
      }
      if (closed.length > 0) {
        log.error("erasure: months of the chat index are closed, nothing erased", { account, closedIndices: closed });
        return void res.status(502).json({
          error: `months of the chat index are closed, whose lines it cannot erase: nothing erased; open ${closed.length === 1 ? "it" : "them"} (POST /${closed.join(",")}/_open) and ask again`,
          account,
          closedIndices: closed,
          done: [],
        });
      }
    }
    // Every room first: an answer still to come for a question of theirs is logged without it (rooms/moderation/erased-accounts.ts).
    await deps.presence().publish(ERASURES_CHANNEL, account);
    await withTimeout(deps.chatLog.flush(), FLUSH_WAIT_MS).catch(() => {}); // past the wait: erase what is stored
    // …and what still waits (a backlog after an Elasticsearch outage) goes unstored: indexed after the erasure, it
    // was searchable again.
    await withTimeout(deps.chatLog.dropWaiting?.(account) ?? Promise.resolve(), FLUSH_WAIT_MS).catch(() => {});
    const npcMemories = await forgetAccount(deps.presence(), deps.npcs().map((npc) => npc.id), account);
    // The moderators' list kept the reporter's name and reason, in the presence and DATA_DIR/moderation.json.
    const openReports = await dropReportsFiledBy(deps.presence(), account);
    if (deps.keptSaved && !(await deps.keptSaved())) {
      log.error("erasure: the NPCs' memory and the reports kept in DATA_DIR not written", { account, npcMemories, openReports });
      return void res.status(500).json({ error: "the files in DATA_DIR were not written (see the server's log): ask again", account, npcMemories, openReports });
    }
    let archivedLines: number | null = null;
    try {
      if (deps.archive) archivedLines = await deps.archive.erase(account);
    } catch (error) {
      // A file that could not be rewritten (a full disk, a read-only folder) stays as it was: asked again, it goes on.
      log.error("erasure: lines not erased from the archive files", { account, npcMemories, error });
      return void res.status(500).json({ error: "the archive files were not erased: ask again", details: (error as Error).message, account, npcMemories, openReports });
    }
    // The other servers erase their own files as they hear it (their logs say how many).
    await Promise.resolve(deps.presence().publish(ARCHIVE_ERASURES_CHANNEL, { account, from: deps.process() })).catch(() => {});
    const done = { account, npcMemories, openReports, archivedLines };
    let chatLines: number | null = null;
    try {
      if (deps.chatIndex) {
        // The mark first: the indexers keep out the lines of theirs that come after (a backlog, a redrive).
        await markErased(deps.chatIndex.client, account, deps.chatIndex.indexPrefix);
        chatLines = await eraseAccountLines(deps.chatIndex.client, account, deps.chatIndex.indexPrefix);
      }
    } catch (error) {
      // Checked before anything went, the index failed since (a month closed meanwhile, the node gone): the rest
      // is done, and each part is safe to do again, so asked again the erasure finishes.
      log.error("erasure: chat lines not erased from the index", { ...done, error });
      return void res.status(502).json({
        error: "Elasticsearch did not erase the chat lines; the rest is erased (done): ask again to finish",
        details: (error as Error).message,
        ...done,
        done: ["npcMemories", "openReports", ...(deps.archive ? ["archivedLines"] : [])],
      });
    }
    const kafkaCopiesGoneBy = deps.kafkaKeptMs ? await goneBy(deps.kafkaKeptMs, log) : null;
    const indexerLag = deps.indexerLag ? await lagOf(deps.indexerLag, log) : null;
    // Nothing of it anywhere: a mistyped account answered as one with nothing left. The mark stays all the same, as
    // asked: lines of that account still to come (a redelivery, a lagging indexer) are kept out.
    const found = [chatLines, archivedLines, npcMemories, openReports].some((count) => (count ?? 0) > 0);
    log.info("erasure: an account's lines and the NPCs' memory of it erased", { ...done, chatLines, found, kafkaCopiesGoneBy, indexerLag });
    res.json({ account, found, chatLines, archivedLines, npcMemories, openReports, kafkaCopiesGoneBy, indexerLag });
  });
}

/** Erases this server's archive files of the players other servers were asked to erase. */
export function hearArchiveErasures(presence: Presence, process: string, archive: Archive, log: Logger): Promise<unknown> {
  return Promise.resolve(
    presence.subscribe(ARCHIVE_ERASURES_CHANNEL, ({ account, from }: { account: string; from: string }) => {
      if (from === process) return;
      archive.erase(account, { ownFiles: true }).then(
        (archivedLines) => log.info("erasure asked of another server: this server's archive files erased", { account, archivedLines }),
        (error: unknown) => log.error("erasure asked of another server: this server's archive files not erased: ask this server", { account, error }),
      );
    }),
  );
}

/**
 * Records the indexers had still to index as the erasure ran (null when the broker did not say). Indexers keep the
 * player's among them out (the erasure's mark, chatlog/erasure-marks.ts); one of a release before the marks indexes
 * them after the 200, and the request is to be asked again once this is 0.
 */
const lagOf = (indexerLag: () => Promise<number>, log: Logger): Promise<number | null> =>
  fromBroker(indexerLag(), null, "how far the indexers are behind", log);

/** When the Kafka copies of what was said until now are gone: what a studio tells the player who asked. */
const goneBy = (keptMs: () => Promise<number | null>, log: Logger): Promise<string> =>
  fromBroker(keptMs().then((ms) => (ms === null ? "never" : new Date(Date.now() + ms).toISOString())), "unknown", "how long its topics keep records", log);

/** What the broker says within BROKER_WAIT_MS, or `otherwise` (logged): an erasure is not failed for a figure. */
async function fromBroker<T, U>(asked: Promise<T>, otherwise: U, what: string, log: Logger): Promise<T | U> {
  try {
    return await withTimeout(asked, BROKER_WAIT_MS);
  } catch (error) {
    log.warn(`erasure: the broker did not say ${what}`, { error });
    return otherwise;
  }
}
