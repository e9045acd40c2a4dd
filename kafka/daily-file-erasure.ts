import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * Takes a signed-in player's lines out of the daily files (daily-file-chat-log.ts) under `dir`: the records they
 * wrote (`account`) and the NPCs' answers to those lines, which carry their question. As the chat index's erasure
 * (chatlog/erase-account.ts) does. A file is rewritten whole beside itself and renamed over: a crash leaves the old
 * one. Lines that are not JSON are kept as they are (the analytics quarantine them). Returns how many records went.
 */
export async function eraseFromDailyFiles(dir: string, account: string): Promise<number> {
  const contents = new Map<string, Array<{ line: string; record: Record<string, unknown> | undefined }>>();
  const theirs = new Set<string>();
  for (const file of await dailyFiles(dir)) {
    const lines = (await readFile(file, "utf8")).split("\n").map((line) => ({ line, record: recordOf(line) }));
    contents.set(file, lines);
    for (const { record } of lines) {
      if (record?.account === account && typeof record.id === "string") theirs.add(record.id);
    }
  }
  const doomed = (record: Record<string, unknown> | undefined) =>
    record !== undefined && (record.account === account || (record.kind === "npc" && typeof record.replyTo === "string" && theirs.has(record.replyTo)));
  let erased = 0;
  for (const [file, lines] of contents) {
    const kept = lines.filter(({ record }) => !doomed(record));
    if (kept.length === lines.length) continue;
    erased += lines.length - kept.length;
    await writeFile(`${file}.erasing`, kept.map(({ line }) => line).join("\n"));
    await rename(`${file}.erasing`, file);
  }
  return erased;
}

/** `dir/date=YYYY-MM-DD/*.ndjson`. */
async function dailyFiles(dir: string): Promise<string[]> {
  let days: string[];
  try {
    days = (await readdir(dir)).filter((name) => name.startsWith("date="));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files = await Promise.all(days.map(async (day) => (await readdir(join(dir, day))).filter((name) => name.endsWith(".ndjson")).map((name) => join(dir, day, name))));
  return files.flat();
}

function recordOf(line: string): Record<string, unknown> | undefined {
  if (!line.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
