import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

import { z } from "zod";

import type { Logger } from "../../common/log.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { FileHeldError, holdFile } from "../../server/stores/file-lock.js";
import { BrainKillers, KILLER_KEPT_MS, keyOf, type TextTrace, traceOf } from "./brain-killers.js";

/** Workers that may share one state directory (a volume mounted into a service's replicas), each in a slot of its own. */
const SLOTS = 64;

/** Deaths and answers kept per slot, the newest: a flood of killers must not grow the file for good. */
const EVENTS_KEPT = 1_000;

/**
 * How long deaths and answers are kept: a killer's first death may be an hour before its second, which is remembered
 * an hour more. Kept an hour only, a worker started past the first death's hour saw one death, a suspect, and ran it.
 */
const EVENTS_KEPT_MS = 2 * KILLER_KEPT_MS;

/** A question the brain is running, as the record names it: never the player's words. */
export interface RunningQuestion extends TextTrace {
  questionId: string;
  model: string;
}

const IN_FLIGHT = z.object({
  v: z.literal(1),
  questions: z.array(z.object({ questionId: z.string(), model: z.string(), textHash: z.string(), textChars: z.number() })),
});

/** A text in flight at a death, or one suspect answered alone since (which clears its deaths before). */
const EVENT = z.object({ model: z.string(), textHash: z.string(), at: z.number(), what: z.enum(["death", "answered"]) });
type BrainEvent = z.infer<typeof EVENT>;
const DEATHS = z.object({ v: z.literal(1), events: z.array(EVENT) });

/** What the record knows of a text asked of a model. */
export type Verdict = { killer: { firstRefusal: boolean } } | "suspect" | undefined;

/**
 * A Kafka worker's durable record of what its brain runs, in a state directory (NPC_WORKER_STATE_DIR): a question that
 * kills the process (a native crash, an abort, out of memory, the hang watch) is not committed, and Kafka gives it
 * again to the restarted worker or another of the group, which died on it again, and so did each worker a player asking
 * it again reached. Nothing outside the dead process knew what it ran: now its slot's files do.
 *
 * Before the brain runs a batch its questions (id, model, the text's hash and length) are written to a file of the
 * batch's own, `worker-<slot>.<n>.json`, with a rename, and it is unlinked when the batch ends (no fsync: a crash of
 * the process, not of the machine, is what it outlives); one file for all batches was rewritten with the others'
 * questions at each end. The next worker to hold the slot (the restarted one) counts those left against their texts in
 * `deaths/worker-<n>.json`; every worker of the directory reads every slot's deaths. A text in flight at one death within
 * the hour is run alone when it comes again; at two within an hour of each other, it is a killer for the hour after the
 * second, answered `worker_error` without the brain.
 */
export class InFlightRecord {
  /** Numbers this process's batch files: `worker-<slot>.<n>.json`. */
  private batches = 0;
  private readonly killers: BrainKillers;
  /** Texts in flight at a death since last answered, by key, with when they last were. */
  private suspects = new Map<string, number>();
  /** This slot's own deaths and answers: only this process writes its file. */
  private own: BrainEvent[];
  private deathsSeen = -1;
  /** A folder that fails while the worker runs (a full disk) is said every 10 s, not at each batch. */
  private readonly failureLogged = logThrottle(10_000);

  private constructor(
    private readonly file: string,
    private readonly deathsDir: string,
    private readonly ownDeaths: string,
    private readonly release: () => Promise<void>,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.killers = new BrainKillers(now);
    this.own = readDeaths(ownDeaths, log, now);
  }

  /**
   * Holds the first slot of `dir` no live worker holds (a lock beside its file), and counts what its last holder left in
   * flight, as it died.
   */
  static async open(dir: string, log: Logger, now: () => number = Date.now): Promise<InFlightRecord> {
    const deathsDir = join(dir, "deaths");
    mkdirSync(deathsDir, { recursive: true });
    for (let slot = 0; slot < SLOTS; slot++) {
      const file = join(dir, `worker-${slot}.json`);
      let release: () => Promise<void>;
      try {
        release = await holdFile(file);
      } catch (error) {
        if (error instanceof FileHeldError) continue;
        throw error;
      }
      try {
        const record = new InFlightRecord(file, deathsDir, join(deathsDir, `worker-${slot}.json`), release, log, now);
        record.countLeft();
        return record;
      } catch (error) {
        await release().catch(() => undefined);
        throw error;
      }
    }
    throw new Error(`NPC_WORKER_STATE_DIR ${dir}: all ${SLOTS} slots are held by live workers; give some workers another directory`);
  }

  /**
   * `open`, or none where the folder cannot be made, read or written (a read-only file system, a full disk): the record
   * guards the brain, it does not gate it. A worker stopped at start instead, at every restart, and a full volume left
   * none answering.
   */
  static async openIfWritable(dir: string, log: Logger, now: () => number = Date.now): Promise<InFlightRecord | undefined> {
    try {
      return await InFlightRecord.open(dir, log, now);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === undefined) throw error; // all slots held: the operator's to settle
      log.error("the NPC worker's state folder cannot be written: the worker answers without its record, so a question that kills it is not counted; free or mend the folder, or set NPC_WORKER_STATE_DIR to another, or to off", {
        dir,
        error: (error as Error).message,
      });
      return undefined;
    }
  }

  /**
   * What is known of `heard` (the question as the brain hears it: heardText) asked of `model`: a killer, a suspect (run
   * it alone), or nothing. Call `refresh` first.
   */
  verdict(model: string, heard: string): Verdict {
    const killer = this.killers.killed(model, heard);
    if (killer) return { killer };
    const since = this.suspects.get(keyOf(model, traceOf(heard).textHash));
    return since !== undefined && this.now() - since <= KILLER_KEPT_MS ? "suspect" : undefined;
  }

  /**
   * Every slot's deaths, read again when one was written (a rename into the folder changes its mtime, a stat away):
   * another worker's restart may have counted a death this one should know of before the question reaches it.
   */
  refresh(): void {
    this.failSafe("read", () => {
      const changed = statSync(this.deathsDir).mtimeMs;
      // A change within the same tick of the file system's coarse clock leaves the mtime as it was: read while recent.
      if (changed === this.deathsSeen && Date.now() - changed > 100) return;
      this.deathsSeen = changed;
      this.readDeaths();
    });
  }

  /**
   * Writes `questions` as running, together, as any of them may be what kills the process, in a file of their batch's
   * own; the function returned takes them out, an unlink that leaves the other batches' files as they are.
   */
  runs(questions: RunningQuestion[]): () => void {
    const file = this.file.replace(/\.json$/, `.${this.batches++}.json`);
    this.failSafe("write", () => writeWhole(file, JSON.stringify({ v: 1, questions })));
    return () => this.failSafe("write", () => unlinkIfThere(file));
  }

  /** A suspect ran alone and the process lived: its deaths before were others'. */
  answeredAlone({ model, textHash }: RunningQuestion): void {
    this.suspects.delete(keyOf(model, textHash));
    this.failSafe("write", () => this.note([{ model, textHash, at: this.now(), what: "answered" }]));
  }

  async close(): Promise<void> {
    await this.release();
  }

  /** The questions the slot's last holder left in flight, counted as a death each against its text. */
  private countLeft(): void {
    this.readDeaths();
    const files = this.leftFiles();
    const left = files.flatMap((file) => (file.endsWith(".tmp") ? [] : (readJson(file, IN_FLIGHT, this.log)?.questions ?? [])));
    if (left.length === 0) return files.forEach(unlinkIfThere); // torn, it would be warned of at every start
    const at = this.now();
    // One death a text, however many of its questions were in flight.
    const texts = [...new Map(left.map((question) => [keyOf(question.model, question.textHash), question])).values()];
    const killers = texts.filter(({ model, textHash }) => at - (this.suspects.get(keyOf(model, textHash)) ?? -Infinity) <= KILLER_KEPT_MS);
    this.note(texts.map(({ model, textHash }) => ({ model, textHash, at, what: "death" as const })));
    files.forEach(unlinkIfThere); // after the deaths are written: a death between the two counts them again, never not
    const questionIds = left.map(({ questionId }) => questionId);
    this.log.warn("the NPC worker before this one died with questions in flight: each is run alone if it comes again", { questionIds });
    if (killers.length > 0) {
      const texts = killers.map(({ model, textHash, textChars }) => ({ model, textHash, textChars }));
      this.log.error("questions were in flight at two deaths of an NPC worker: their texts are answered worker_error for an hour, not run", { texts });
    }
  }

  private note(events: BrainEvent[]): void {
    this.own = [...this.own, ...events].filter(({ at }) => this.now() - at <= EVENTS_KEPT_MS).slice(-EVENTS_KEPT);
    writeWhole(this.ownDeaths, JSON.stringify({ v: 1, events: this.own }));
    this.readDeaths();
  }

  private readDeaths(): void {
    const files = readdirSync(this.deathsDir).filter((name) => /^worker-\d+\.json$/.test(name));
    const events = files.flatMap((name) => readDeaths(join(this.deathsDir, name), this.log, this.now)).sort((a, b) => a.at - b.at);
    const deaths = new Map<string, number[]>();
    for (const { model, textHash, at, what } of events) {
      const key = keyOf(model, textHash);
      if (what === "answered") deaths.delete(key);
      else deaths.set(key, [...(deaths.get(key) ?? []), at]);
    }
    this.suspects = new Map();
    for (const [key, times] of deaths) {
      const [model, textHash] = key.split("\u0000") as [string, string];
      // A killer from the latest two deaths within the hour of each other, remembered an hour past the second (the
      // clock of BrainKillers): a worker running since and one started since read the same events alike.
      const second = times.findLastIndex((at, i) => i > 0 && at - times[i - 1]! <= KILLER_KEPT_MS);
      if (second > 0) this.killers.remember(model, textHash, times[second]!);
      this.suspects.set(key, times.at(-1)!);
    }
  }

  /**
   * The slot's batch files and the single file of workers before them (a worker upgraded in place), with the halves of
   * writes a death cut short (`.tmp`, read as nothing but taken out with the rest).
   */
  private leftFiles(): string[] {
    const slot = basename(this.file, ".json");
    const ours = new RegExp(`^${slot}(\\.\\d+)?\\.json(\\.tmp)?$`);
    return readdirSync(dirname(this.file)).filter((name) => ours.test(name)).map((name) => join(dirname(this.file), name));
  }

  /** The record guards the brain, it does not gate it: a folder that fails while the worker runs costs its memory, not answers. */
  private failSafe(what: "read" | "write", step: () => void): void {
    try {
      step();
    } catch (error) {
      const held = this.failureLogged(what);
      if (held !== undefined) this.log.error(`the NPC worker's state folder failed to ${what}: questions are answered, but a death now would not be counted`, { file: this.file, error: (error as Error).message, ...repeatsField(held) });
    }
  }
}

/** Written beside it and renamed over it: a reader sees the old file or the new one, never half of one. */
function writeWhole(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function unlinkIfThere(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

function readDeaths(file: string, log: Logger, now: () => number): BrainEvent[] {
  return (readJson(file, DEATHS, log)?.events ?? []).filter(({ at }) => now() - at <= EVENTS_KEPT_MS);
}

/** `file` read by `schema`; none there is nothing, and one torn or of another shape is nothing too, said in a warning. */
function readJson<T>(file: string, schema: z.ZodType<T>, log: Logger): T | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    log.warn("an NPC worker state file could not be read: ignored", { file, error: (error as Error).message.slice(0, 200) });
    return undefined;
  }
}
