import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

import { LocalPresence, type Presence } from "@colyseus/core";
import { z } from "zod";

import type { Logger } from "../common/log.js";
import { ConfigError } from "./config.js";
import { FileHeldError, holdFile } from "./file-lock.js";
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

/** How often the file is brought up to date (when something changed). */
export const MODERATION_SAVE_MS = 5000;

/** Colyseus's in-process presence, noting when moderation's records (its `kobot:` hashes) change. */
export class ModerationPresence extends LocalPresence {
  changed = false;

  override hset(key: string, field: string, value: string): Promise<boolean> {
    this.note(key);
    return super.hset(key, field, value);
  }

  override hdel(key: string, field: string): Promise<boolean> {
    this.note(key);
    return super.hdel(key, field);
  }

  override del(key: string): void {
    this.note(key);
    super.del(key);
  }

  private note(key: string): void {
    if (key.startsWith("kobot:")) this.changed = true;
  }
}

/**
 * Without Redis, Colyseus's presence is this process's memory, and a restart forgot every mute, ban and open report.
 * The embedded default keeps them in a file (DATA_DIR/moderation.json): read back into the presence returned here
 * before any player can join (sanctions for the time they had left), then written within a few seconds of a change
 * (only then: 10,000 reports are megabytes to write), and last as the server stops. A file that cannot be read is set
 * aside whole (`.unreadable-<time>`), never written over. The file is one process's (`moderation.json.lock`): a second
 * server on the same DATA_DIR would write over the first's records, so it does not start (ConfigError).
 */
export async function keepModeration(file: string, log: Logger, saveEveryMs = MODERATION_SAVE_MS): Promise<{ presence: ModerationPresence; stop(): Promise<void> }> {
  const letGo = await holdFile(file).catch((error: unknown) => {
    if (!(error instanceof FileHeldError)) throw unusable(file, error);
    throw new ConfigError(
      `${file} is kept by ${error.holder}: another server without Redis uses DATA_DIR ${dirname(file)}. Give each its own ` +
        `DATA_DIR (or share moderation through REDIS_URL); if no such server runs, delete ${error.lock}`,
    );
  });
  const presence = new ModerationPresence();
  await readBack(file, presence, log).catch(async (error: unknown) => {
    await letGo();
    throw unusable(file, error);
  });
  presence.changed = false;
  const save = async () => {
    if (!presence.changed) return;
    presence.changed = false; // a change while this writes is written next time
    const json = JSON.stringify(await snapshot(presence));
    await mkdir(dirname(file), { recursive: true });
    // Whole or not at all: a crash mid-write leaves the last file.
    await writeFile(`${file}.tmp`, json);
    await rename(`${file}.tmp`, file);
  };
  let saving = Promise.resolve();
  const saveSoon = () =>
    (saving = saving.then(save).catch((error: unknown) => {
      presence.changed = true; // tried again next time
      log.error("moderation file not written", { file, error });
    }));
  const timer = setInterval(saveSoon, saveEveryMs);
  timer.unref();
  return {
    presence,
    async stop() {
      clearInterval(timer);
      await saveSoon();
      await letGo();
    },
  };
}

/** A file system's refusal (not a folder, no room, not allowed) as a setting to change; anything else as it is. */
function unusable(file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (!code) return error;
  return new ConfigError(`cannot keep moderation in ${file} (${(error as Error).message}): set DATA_DIR to a folder this server can write, or to off`);
}

async function snapshot(presence: Presence): Promise<Snapshot> {
  const [mute, ban] = await Promise.all(SANCTIONS.map((sanction) => sanctionsInForce(presence, sanction)));
  return { v: 1, mute: mute!, ban: ban!, reports: { ...(await storedReports(presence)) } };
}

async function readBack(file: string, presence: Presence, log: Logger): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  let kept: Snapshot;
  try {
    kept = SNAPSHOT.parse(JSON.parse(text));
  } catch (error) {
    const aside = `${file}.unreadable-${Date.now()}`;
    await rename(file, aside);
    log.error("moderation file unreadable: set aside, starting without its mutes, bans and reports", { file, aside, error });
    return;
  }
  for (const sanction of SANCTIONS) for (const entry of kept[sanction]) await restore(presence, sanction, entry);
  await restoreReports(presence, kept.reports);
  log.info("moderation read back", { file, mutes: kept.mute.length, bans: kept.ban.length, reports: Object.keys(kept.reports).length });
}
