import { once } from "node:events";
import { createReadStream } from "node:fs";
import { open, readdir, rename, rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { finished } from "node:stream/promises";

/**
 * Takes a signed-in player's lines out of the daily files (daily-file-chat-log.ts) under `dir`: the records they
 * wrote (`account`) and the NPCs' answers to those lines, which carry their question. As the chat index's erasure
 * (chatlog/erase-account.ts) does. A file is rewritten beside itself and renamed over: a crash leaves the old one.
 * A line that is not JSON (cut short by a killed append) goes when its bytes name their account, answer one of their
 * lines, or come from a session of theirs (lines written before the account came first were cut in the text, before
 * it); others' are kept as they are (the analytics quarantine them). Returns how many records went.
 *
 * The files are read as bytes 256 KiB at a time, never whole: once to find their lines' ids, then each up to its first
 * line that goes, and a file that has one once more to rewrite it. Read whole and all kept in memory, an archive grew the server's
 * memory several times its size and held the event loop (every room of the process) for each file's parse.
 */
export async function eraseFromDailyFiles(dir: string, account: string, named?: string): Promise<number> {
  const files = (await dailyFiles(dir)).filter((file) => named === undefined || basename(file) === named);
  // The archive writes each record with JSON.stringify: a line of theirs holds these bytes, as they are written.
  const theirMark = Buffer.from(`"account":${JSON.stringify(account)}`);
  const theirs = new Set<string>();
  const sessions = new Set<string>();
  for (const file of files) {
    for await (const lines of linesOf(file)) {
      for (const line of lines) {
        const record = line.includes(theirMark) ? recordOf(line) : undefined;
        if (record?.account === account && typeof record.id === "string") theirs.add(record.id);
        if (record?.account === account && record.kind !== "npc" && typeof record.from === "string" && record.from) sessions.add(record.from);
      }
    }
  }
  const doomed = (line: Buffer) => {
    const named = line.includes(theirMark);
    let answerTo: string | undefined;
    let fromTheirs = false;
    if (!named) {
      if (line.includes(NPC_MARK)) {
        // Most answers are to others' lines: read without parsing (line ids are plain, so a match is the id itself).
        answerTo = REPLY_TO.exec(line.toString("latin1"))?.[1];
        if (answerTo !== undefined && !theirs.has(answerTo)) return false;
      } else {
        // Its session read from the bytes (only the id decoded); one of theirs is parsed below: whole, it was named.
        fromTheirs = sessions.size > 0 && sessions.has(fromOf(line) ?? "");
        if (!fromTheirs) return false;
      }
    }
    const record = recordOf(line);
    // A line a killed append cut short is judged by its bytes: the analytics would quarantine its text, theirs.
    if (record === undefined) return named || answerTo !== undefined || fromTheirs;
    return record.account === account || (record.kind === "npc" && typeof record.replyTo === "string" && theirs.has(record.replyTo));
  };
  let erased = 0;
  for (const file of files) if (await holdsAny(file, doomed)) erased += await rewriteWithout(file, doomed);
  return erased;
}

/** Whether any line of `file` is `doomed`: read up to the first (a file with none is left as it is). */
async function holdsAny(file: string, doomed: (line: Buffer) => boolean): Promise<boolean> {
  for await (const lines of linesOf(file)) if (lines.some(doomed)) return true;
  return false;
}

const NPC_MARK = Buffer.from('"kind":"npc"');
// Matched on the line's bytes read as latin1 (a character a byte): an id of plain ASCII, no quote or backslash, reads as itself.
const REPLY_TO = /"replyTo":"([!#-[\]-~]*)"/;
const FROM_MARK = Buffer.from('"from":"');
const QUOTE = '"'.charCodeAt(0);

/** A record's `from` as written in its bytes (ids are plain ASCII), or undefined. */
function fromOf(line: Buffer): string | undefined {
  const start = line.indexOf(FROM_MARK);
  if (start < 0) return undefined;
  const end = line.indexOf(QUOTE, start + FROM_MARK.length);
  return end < 0 ? undefined : line.toString("latin1", start + FROM_MARK.length, end);
}
const NEWLINE = Buffer.from("\n");

/** `file` again without the lines `doomed` says, written beside it and renamed over it; returns how many went. */
async function rewriteWithout(file: string, doomed: (line: Buffer) => boolean): Promise<number> {
  const scratch = `${file}.erasing`;
  // Opened before the stream is made: a folder that takes no file (read-only, out of inodes) rejects here. Opened by
  // the stream, it failed as an 'error' event nobody heard yet, which ended the process.
  const out = (await open(scratch, "w")).createWriteStream();
  let failed: unknown;
  out.on("error", (error) => (failed ??= error)); // a full disk: thrown below, not an event that ends the process
  let dropped = 0;
  try {
    for await (const lines of linesOf(file)) {
      if (failed) throw failed;
      const kept = lines.filter((line) => !doomed(line));
      dropped += lines.length - kept.length;
      if (kept.length > 0 && !out.write(Buffer.concat(kept.flatMap((line) => [line, NEWLINE])))) await once(out, "drain");
    }
    out.end();
    await finished(out);
    await rename(scratch, file);
  } catch (error) {
    out.destroy();
    await rm(scratch, { force: true }); // the file stays as it was: an erasure asked again starts anew
    throw error;
  }
  return dropped;
}

/**
 * A file's lines as bytes, a read's worth (256 KiB) at a time: the event loop runs between reads, and a line is
 * decoded only when it is parsed (decoding every line took most of an erasure's time).
 */
async function* linesOf(file: string): AsyncGenerator<Buffer[]> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 18 })) {
    const bytes = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = bytes.indexOf(10); end >= 0; end = bytes.indexOf(10, start)) {
      lines.push(bytes.subarray(start, end));
      start = end + 1;
    }
    rest = bytes.subarray(start);
    yield lines;
  }
  if (rest.length > 0) yield [rest];
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

function recordOf(bytes: Buffer): Record<string, unknown> | undefined {
  const line = bytes.toString("utf8");
  if (!line.trim()) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
