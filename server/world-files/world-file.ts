import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, extname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";

import { readAuthoredText } from "../../common/authored-text.js";
import { cleanText } from "../../common/clean-text.js";
import type { Moderator } from "../../moderation/moderator.js";
import { NpcError } from "../../npc/errors.js";
import { type GenerationSettings, mergeSettings, settingsFromConfig } from "../../npc/engine/generation-settings.js";
import { ACTION_ID, type KnowledgePair, knowledgeProblems, readKnowledgeLines } from "../../npc/knowledge-index.js";
import { canonicalFolder, checkModelFolder, type ModelDtype } from "../../npc/engine/model-folder.js";
import type { NpcBrainSpec } from "../../npc/npc-cast.js";
import { confusableNpcs } from "../../rooms/npc/npc-impersonation.js";
import { DEFAULT_NPC, type HearingSettings, type NpcSettings, type WorldSettings } from "../../rooms/world-settings.js";

export interface WorldFile {
  npcs: NpcSettings[];
  hearing: HearingSettings;
  sight: WorldSettings["sight"];
  brains: NpcBrainSpec[];
}

const finite = z.number().finite();
/** As long as a chat line: NPCs say these as chat lines. */
const LINE_MAX_CHARS = 200;
const line = z.string().trim().min(1).max(LINE_MAX_CHARS);
/** A line said to a player: `{name}` is their name; any other `{…}` is a typo that players would read. */
const ONLY_NAME = "only {name} is filled in (the player's name); check the spelling";
// A brace left once {name} is filled in: "{{name}}" was said as "{민수}".
const hasOtherPlaceholder = (text: string) => /[{}]/.test(text.replaceAll("{name}", ""));
const playerLine = line.refine((text) => !hasOtherPlaceholder(text), { error: (issue) => `${JSON.stringify(issue.input)}: ${ONLY_NAME}` });
/** Said to the players near, not to one: no name to fill in ("{name}, 오늘 날씨 좋지?" was said with the braces). */
const roomLine = line.refine((text) => !/\{[^{}]*\}/.test(text), "said to everyone near, it has no player's name to fill in: no {placeholder}");

const NpcEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9_-]{1,32}$/, "lower-case letters, digits, '_' and '-' only, at most 32"),
  // As players type it (chat is cleaned the same way), or "@name" could never reach it.
  name: z.string().transform(cleanText).pipe(z.string().min(1).max(20)),
  position: z.strictObject({ x: finite, y: finite, z: finite }),
  talkRadius: z.number().positive().max(1000).default(DEFAULT_NPC.talkRadius),
  greetings: z.array(playerLine).max(100).default([]),
  /** Said instead of a greeting to a signed-in player it has met before. */
  greetingsAgain: z.array(playerLine).min(1).max(100).optional(),
  callReplies: z.array(playerLine).min(1).max(100).default(DEFAULT_NPC.callReplies),
  greetAgainSeconds: z.number().min(0).max(86_400).default(DEFAULT_NPC.greetAgainSeconds),
  idleLines: z.array(roomLine).max(100).default([]),
  idleEverySeconds: z.number().min(0.05).max(86_400).default(DEFAULT_NPC.idleEverySeconds),
  /** Per game event its backend fires (POST /api/events), the lines said when it happens. */
  events: z.record(z.string(), z.array(playerLine).min(1).max(100))
    .superRefine((events, ctx) => {
      const ids = Object.keys(events);
      if (ids.length > 100) ctx.addIssue({ code: "custom", message: `at most 100 events, got ${ids.length}` });
      // Said here, not as a record key's "Invalid key in record".
      for (const id of ids.filter((id) => !ACTION_ID.test(id))) {
        ctx.addIssue({ code: "custom", path: [id], message: "an event id is 1–64 letters, digits, '_', '.', ':' or '-' (what your game's backend sends)" });
      }
    })
    .optional(),
  /** What a player and it say to each other is heard by that player alone. */
  privateTalk: z.boolean().optional(),
  /**
   * Its own words for the room's stock lines: busy (its queue full), noAnswer (its brain gave none), refusal (a
   * player's line moderation blocked), blocked (an answer of its brain moderation blocked), closing (the server stops).
   */
  lines: z.strictObject({
    busy: z.array(playerLine).min(1).max(100).optional(),
    noAnswer: z.array(playerLine).min(1).max(100).optional(),
    refusal: z.array(playerLine).min(1).max(100).optional(),
    blocked: z.array(playerLine).min(1).max(100).optional(),
    closing: z.array(playerLine).min(1).max(100).optional(),
  }).optional(),
  /** Where it walks while nobody talks to it: from its position to each point in turn, and back. */
  route: z.strictObject({
    points: z.array(z.strictObject({ x: finite, z: finite })).min(1).max(32),
    speed: z.number().positive().max(20).default(1.5),
    pauseSeconds: z.number().min(0).max(3600).default(2),
  }).optional(),
  model: z.string().min(1).default("default"),
  knowledge: z.string().min(1).optional(),
  /** With a knowledge file: a question at least this similar to one of its questions gets that line as written. */
  scriptedAbove: z.number().gt(0).max(1).optional(),
  generation: z.record(z.string(), z.union([z.number(), z.boolean()], { error: "a number, or true or false (doSample), not in quotes" })).optional(),
  /** Answers the model was less sure of than `below` (mean log-probability per token) give way to one of `lines`. */
  unsure: z.strictObject({
    below: z.number().min(-20).max(0),
    /** A stricter bar for answers the model composed rather than copied from a shown pair. */
    composedBelow: z.number().min(-20).max(0).optional(),
    lines: z.array(playerLine).min(1).max(100),
    /** With a knowledge file: before `lines`, its closest line when at least this similar to the question. */
    knowledgeAbove: z.number().gt(0).max(1).optional(),
    /** Words that put an answer out of character (the model's training persona): handled as unsure. */
    outOfCharacter: z.array(z.string().trim().min(1).max(40)).max(100).optional(),
  }).optional(),
});

/**
 * Most NPCs in a world. Each costs every room of it ~3 KB, every player's move a check against it, and the world
 * file's start check a comparison with every other's names.
 */
export const MAX_NPCS = 100;

const WorldFileSchema = z.strictObject({
  hearing: z
    .strictObject({ mode: z.enum(["room", "proximity"]).default("room"), radius: z.number().positive().max(1000).default(15) })
    .default({ mode: "room", radius: 15 }),
  /** Players farther away than this are not sent to a player, nor their moves; 0 (default): everyone sees everyone. */
  sight: z.strictObject({ radius: z.number().nonnegative().max(10_000).default(0) }).default({ radius: 0 }),
  /** Model folders by name, relative to the world file; `default` is MODEL_DIR unless given here. */
  models: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/, "letters, digits, '_', '.', '-'"), z.string().min(1)).default({}),
  npcs: z.array(NpcEntry).min(1, "a world needs at least one NPC").max(MAX_NPCS, `at most ${MAX_NPCS} NPCs in a world (docs/worlds.md says what each costs)`),
});

export class WorldFileError extends Error {
  constructor(
    path: string,
    problems: string[],
    /** The knowledge files the file names (once it parsed): mended, they may make the file good. */
    readonly knowledgeFiles: string[] = [],
  ) {
    super(`bad world file ${path}:\n  ${problems.join("\n  ")}`);
    this.name = "WorldFileError";
  }
}

/**
 * Reads and checks a world file (JSON, or YAML by its extension): every problem is reported at once,
 * with where it is, before any room opens or any model loads. With a moderator, the lines an NPC's brain says
 * as written (knowledge answers, unsure lines) are checked as its answers will be.
 */
export function loadWorldFile(
  path: string,
  defaultModelDir: string,
  bounds: WorldSettings["bounds"],
  moderator?: Moderator,
  /** The graphs the workers load (MODEL_DTYPE; unset, they pick, and fp32's are in every export). */
  dtype: ModelDtype = "fp32",
): WorldFile {
  let text: string;
  try {
    // Composed: "@코봇" must match a name typed on any system.
    text = readAuthoredText(path);
  } catch (error) {
    throw new WorldFileError(path, [(error as Error).message]);
  }
  let raw: unknown;
  try {
    // JSON through the YAML reader's JSON schema: JSON.parse keeps the last of two equal keys, without a word.
    raw = [".yaml", ".yml"].includes(extname(path).toLowerCase()) ? parseYaml(text, { merge: true }) : parseYaml(text, { schema: "json" });
  } catch (error) {
    throw new WorldFileError(path, [`not valid ${extname(path).slice(1) || "JSON"}: ${(error as Error).message}`]);
  }
  const here = dirname(resolve(path));
  const parsed = WorldFileSchema.safeParse(withoutExtensions(raw));
  if (!parsed.success) {
    // The shape's problems, and those of the NPCs whose entries are right in shape (a position out of bounds, a
    // missing knowledge file): every problem at once, not the shape's first and the rest at the next save.
    const entries = (raw as { npcs?: unknown } | null)?.npcs;
    // An NPC's entry named by its id too, as the other checks name it: "npcs.1 (fisher).talkRadius".
    const idOf = (i: PropertyKey) => {
      const id = Array.isArray(entries) ? (entries[i as number] as { id?: unknown } | null)?.id : undefined;
      return typeof id === "string" ? ` (${id})` : "";
    };
    const where = ([first, i, ...rest]: PropertyKey[]) =>
      first === "npcs" && i !== undefined ? [`npcs.${String(i)}${idOf(i)}`, ...rest].join(".") : [first, i, ...rest].filter((key) => key !== undefined).join(".");
    const problems = parsed.error.issues.map((issue) => `${where(issue.path) || "(top)"}: ${issue.message}`);
    const npcs = (Array.isArray(entries) ? entries : []).map((entry) => NpcEntry.safeParse(entry)).map((one) => (one.success ? one.data : undefined));
    const models = WorldFileSchema.shape.models.safeParse((raw as { models?: unknown } | null)?.models);
    problems.push(...npcProblems(npcs, models.success ? models.data : {}, here, { defaultModelDir, bounds, moderator, dtype, modelsKnown: models.success }));
    throw new WorldFileError(path, problems, npcs.flatMap((npc) => (npc?.knowledge ? [resolve(here, npc.knowledge)] : [])));
  }
  const file = parsed.data;
  const problems = npcProblems(file.npcs, file.models, here, { defaultModelDir, bounds, moderator, dtype, modelsKnown: true });
  const models = modelDirs(defaultModelDir, file.models, here);
  if (problems.length) throw new WorldFileError(path, problems, file.npcs.flatMap((npc) => (npc.knowledge ? [resolve(here, npc.knowledge)] : [])));
  return {
    hearing: file.hearing,
    sight: file.sight,
    npcs: file.npcs.map(({ id, name, position, talkRadius, greetings, greetingsAgain, callReplies, greetAgainSeconds, idleLines, idleEverySeconds, events, route, privateTalk, lines, model }) => ({
      id, name, model, ...position, talkRadius, greetings, ...(greetingsAgain ? { greetingsAgain } : {}), callReplies, greetAgainSeconds, idleLines, idleEverySeconds,
      ...(events ? { events } : {}), ...(route ? { route } : {}), ...(privateTalk ? { privateTalk } : {}), ...(lines ? { lines } : {}),
    })),
    brains: file.npcs.map((npc) => ({
      npcId: npc.id,
      name: npc.name,
      model: npc.model,
      modelDir: models[npc.model]!,
      ...(npc.knowledge ? { knowledge: resolve(here, npc.knowledge) } : {}),
      ...(npc.scriptedAbove !== undefined ? { scriptedAbove: npc.scriptedAbove } : {}),
      ...(npc.generation ? { generation: npc.generation as Partial<GenerationSettings> } : {}),
      ...(npc.unsure ? { unsure: npc.unsure } : {}),
    })),
  };
}

type NpcEntry = z.infer<typeof NpcEntry>;

/**
 * What is wrong with the NPCs' entries beyond their shape (and with the model folders they name): `npcs` holds
 * undefined for an entry whose shape is wrong (said already), which is not looked at.
 */
function npcProblems(
  npcs: ReadonlyArray<NpcEntry | undefined>,
  modelFolders: Record<string, string>,
  here: string,
  { defaultModelDir, bounds, moderator, dtype, modelsKnown }: { defaultModelDir: string; bounds: WorldSettings["bounds"]; moderator?: Moderator; dtype: ModelDtype; modelsKnown: boolean },
): string[] {
  const models = modelDirs(defaultModelDir, modelFolders, here);
  const problems: string[] = [];
  for (const [name, dir] of Object.entries(modelFolders)) {
    const problem = modelFolderProblem(resolve(here, dir), dtype);
    if (problem) problems.push(`models.${name}: ${problem}`);
  }
  // Each file checked once: NPCs that share one read, parsed and moderated it each (16 of them on 3,000 lines held every
  // room of the server ~0.5 s at each save of the world file).
  const checkedFiles = new Map<string, string | undefined>();
  const knowledgeProblem = (path: string) => {
    if (!checkedFiles.has(path)) checkedFiles.set(path, knowledgeFileProblem(path, moderator));
    return checkedFiles.get(path);
  };
  npcs.forEach((npc, i) => {
    if (!npc) return;
    const at = `npcs.${i} (${npc.id})`;
    // Said once, naming the first entry of that id: a third copy is not also a copy of the second.
    const first = npcs.findIndex((other) => other?.id === npc.id);
    if (first < i) problems.push(`${at}.id: "${npc.id}" is already the id of npcs.${first}: each NPC needs an id of its own`);
    for (const other of npcs.slice(0, i)) {
      if (other?.id === npc.id) continue;
      const clash = other && confusableNpcs(npc, other);
      if (clash) problems.push(`${at}: "${clash}" is too like ${other.name} (${other.id}); players call NPCs by id and name, as written or called ("미나야")`);
    }
    const { x, y, z } = npc.position;
    const { minX, maxX, minY, maxY, minZ, maxZ } = bounds;
    if (!withinBounds(npc.position, bounds)) {
      problems.push(`${at}.position: (${x}, ${y}, ${z}) is outside the world's bounds (x ${minX}…${maxX}, y ${minY}…${maxY}, z ${minZ}…${maxZ})`);
    }
    npc.route?.points.forEach((point, j) => {
      // Walked at its position's height.
      if (!withinBounds({ ...point, y }, bounds)) {
        problems.push(`${at}.route.points.${j}: (${point.x}, ${point.z}) is outside the world's bounds (x ${minX}…${maxX}, z ${minZ}…${maxZ})`);
      }
    });
    // Where the models are wrong in shape, which names they give is not known.
    // Its own names only: "constructor" passed as a model every object has, and the start then failed on it.
    if (modelsKnown && !Object.hasOwn(models, npc.model)) problems.push(`${at}.model: "${npc.model}" is not in models (${Object.keys(models).join(", ")})`);
    if (npc.scriptedAbove !== undefined && !npc.knowledge) problems.push(`${at}.scriptedAbove: needs a knowledge file`);
    if (npc.greetingsAgain && npc.greetings.length === 0) problems.push(`${at}.greetingsAgain: needs greetings (said to players it has not met)`);
    if (npc.unsure?.knowledgeAbove !== undefined && !npc.knowledge) problems.push(`${at}.unsure.knowledgeAbove: needs a knowledge file`);
    const fileProblem = npc.knowledge && knowledgeProblem(resolve(here, npc.knowledge));
    if (fileProblem) problems.push(`${at}.knowledge: ${fileProblem}`);
    npc.unsure?.lines.forEach((text, j) => {
      const problem = moderator && blockedLineProblem(text, moderator);
      if (problem) problems.push(`${at}.unsure.lines.${j}: ${problem}`);
    });
    if (npc.generation) {
      try {
        mergeSettings(settingsFromConfig({}), npc.generation as Partial<GenerationSettings>);
      } catch (error) {
        problems.push(`${at}.generation: ${(error as Error).message}`);
      }
    }
  });
  return problems;
}

function withinBounds({ x, y, z }: { x: number; y: number; z: number }, b: WorldSettings["bounds"]): boolean {
  return x >= b.minX && x <= b.maxX && y >= b.minY && y <= b.maxY && z >= b.minZ && z <= b.maxZ;
}

/** Top-level `x-…` keys are the file's own (as in docker-compose): a home for YAML anchors that NPCs merge (`<<: *shy`). */
function withoutExtensions(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith("x-")));
}

/** Each model name's folder: the file's `models`, relative to the file, and `default`, the shipped or MODEL_DIR one. */
const modelDirs = (defaultModelDir: string, folders: Record<string, string>, here: string): Record<string, string> =>
  ({ default: canonicalFolder(defaultModelDir), ...mapValues(folders, (dir) => canonicalFolder(resolve(here, dir))) });

/**
 * A `models` folder is checked at start, as a knowledge file is; only the default model may be missing (fallback lines).
 * For the graphs the workers load: one without the int8 graphs passed with MODEL_DTYPE=q8, and the worker that could
 * not load it started no NPC at all.
 */
const modelFolderProblem = (dir: string, dtype: ModelDtype) =>
  problemOf(() => {
    checkModelFolder(dir, dtype);
    return undefined;
  });

/**
 * Read now, so a bad line stops the start with its place, instead of leaving every NPC without a brain later. A file
 * as it was at its last check (knowledgeChecks) is not checked again: each edit of the world file checked every NPC's
 * file, and 5 of 10,000 lines held every room ~2 s on an edit that moved one NPC.
 */
function knowledgeFileProblem(path: string, moderator: Moderator | undefined): string | undefined {
  const checkedAt = Date.now();
  const file = fileIdentity(path);
  const kept = knowledgeChecks.get(path);
  if (file && kept?.identity === file.identity && kept.moderator === moderator) return kept.problem;
  const read = readCheckedKnowledge(path, moderator);
  const problem = "problem" in read ? read.problem : undefined;
  knowledgeChecks.delete(path);
  // Changed within a clock tick (or a coarse file system's second) of its check, it could change again with the same
  // size and time: checked again next time, as git does its "racy" files.
  if (file && checkedAt - file.mtimeMs > RACY_MS) {
    knowledgeChecks.set(path, { identity: file.identity, moderator, problem });
    if (knowledgeChecks.size > MAX_NPCS) knowledgeChecks.delete(knowledgeChecks.keys().next().value!);
  }
  return problem;
}

/**
 * The last check of each knowledge file (its path resolved), while the file is the same one (its real path, inode,
 * size and modification time) and checked by the same moderator (its word list: another one is another Moderator).
 * The problem alone is kept (the pairs of 100 files of 10,000 lines would be hundreds of MB); the knowledge watcher
 * forgets a file it saw change (forgetKnowledgeCheck), also one whose time an edit kept (`cp -p`, rsync -t).
 */
const knowledgeChecks = new Map<string, { identity: string; moderator: Moderator | undefined; problem: string | undefined }>();
const RACY_MS = 2000;

/** The knowledge file at `path` changed: its next check reads it whatever its size and time. */
export function forgetKnowledgeCheck(path: string): void {
  knowledgeChecks.delete(resolve(path));
}

function fileIdentity(path: string): { identity: string; mtimeMs: number } | undefined {
  try {
    const stat = statSync(path);
    if (!stat.isFile()) return undefined;
    return { identity: [realpathSync(path), stat.dev, stat.ino, stat.size, stat.mtimeMs].join("\0"), mtimeMs: stat.mtimeMs };
  } catch {
    return undefined; // gone: checked, and said so
  }
}

/**
 * A knowledge file's pairs, read once and checked as the start checks them (each answer fits a chat line, names no
 * one but the asker, is one question's only answer, passes moderation), or what is wrong with the file.
 */
export function readCheckedKnowledge(path: string, moderator: Moderator | undefined): { pairs: KnowledgePair[] } | { problem: string } {
  path = resolve(path);
  if (!existsSync(path)) return { problem: `${path} does not exist` };
  if (statSync(path).isDirectory()) return { problem: `${path} is a folder; name the knowledge file in it` };
  let pairs: KnowledgePair[] = [];
  // Every problem at once, as the world file's: the good lines are checked too while bad ones are named.
  const problem = problemOf(() => {
    const read = readKnowledgeLines(path);
    pairs = read.pairs;
    // Where a pair is, as a bad line is named: the author of a 3,000-line file is not left to search for it.
    const lineOf = (pair: KnowledgePair) => read.lineOf.get(pair)!;
    const at = (pair: KnowledgePair) => `${path}:${lineOf(pair)}`;
    const problems = [...read.problems];
    // Each line costs every check and the worker's index (~0.1 ms a line): past this, an edit held the NPCs for seconds.
    if (pairs.length > KNOWLEDGE_MAX_LINES) problems.push(`${path}: ${pairs.length} lines; at most ${KNOWLEDGE_MAX_LINES} (docs/knowledge.md says what each costs)`);
    for (const wide of pairs.filter((pair) => 1 + (pair.also?.length ?? 0) > KNOWLEDGE_MAX_WAYS)) {
      problems.push(`${at(wide)}: "${wide.a.slice(0, 30)}" is asked ${1 + wide.also!.length} ways; at most ${KNOWLEDGE_MAX_WAYS} (each is searched for every question near it)`);
    }
    for (const pair of pairs) {
      for (const q of [pair.q, ...(pair.also ?? [])].filter((q) => [...q].length > LINE_MAX_CHARS)) {
        problems.push(`${at(pair)}: a question of ${[...q].length} characters (at most ${LINE_MAX_CHARS}, as a player's chat line): "${q.slice(0, 30)}…"`);
      }
    }
    for (const long of pairs.filter((pair) => [...pair.a].length > LINE_MAX_CHARS)) {
      problems.push(`${at(long)}: an answer of ${[...long.a].length} characters (at most ${LINE_MAX_CHARS}, as a chat line): "${long.a.slice(0, 30)}…"`);
    }
    // Said to the asker, as greetings are.
    for (const typo of pairs.filter((pair) => hasOtherPlaceholder(pair.a))) problems.push(`${at(typo)}: "${typo.a}": ${ONLY_NAME}`);
    for (const { q, first, second } of askedTwice(pairs)) {
      problems.push(`${at(second)}: "${q}" is asked for two answers ("${first.a}", line ${lineOf(first)}; "${second.a}", line ${lineOf(second)}): ` +
        "only the first would ever be said");
    }
    for (const { a, first, second } of actingTwice(pairs)) {
      const actions = [first, second].map((pair) => `${pair.action ?? "none"}, line ${lineOf(pair)}`);
      problems.push(`${at(second)}: "${a}" is the answer of lines with different actions (${actions.join("; ")}): a line said names its ` +
        "action by its words, so only one would ever fire; give each its own words, or the same action");
    }
    const blocked = moderator && blockedAnswers(path, moderator);
    for (const pair of blocked ? pairs : []) {
      const problem = blocked!(pair.a);
      if (problem) problems.push(`${at(pair)}: ${problem}`);
    }
    // At most 20: a FAQ pasted twice, or a word list that now blocks many answers, was hundreds of KB in one log line.
    return problems.length > 0 ? knowledgeProblems(problems) : undefined;
  });
  return problem ? { problem } : { pairs };
}

/** Most lines in an NPC's knowledge file, and most ways to ask one. */
export const KNOWLEDGE_MAX_LINES = 10_000;
export const KNOWLEDGE_MAX_WAYS = 64;

/** Per moderator (its word list), per knowledge file, what moderation said of each of its answers at its last check. */
const answerVerdicts = new WeakMap<Moderator, Map<string, Map<string, string | undefined>>>();

/**
 * What moderation says of each answer of the knowledge file at `path` (blockedLineProblem), asked only of answers its
 * last check did not have: the file checked again (an edit of it or of the world file, the start's second look) took
 * ~80 µs an answer on the rooms' thread, and a 10,000-line file held every room ~0.8 s at each save. The file's answers
 * now are kept for the next check, and the rest let go.
 */
function blockedAnswers(path: string, moderator: Moderator): (answer: string) => string | undefined {
  let files = answerVerdicts.get(moderator);
  if (!files) answerVerdicts.set(moderator, (files = new Map()));
  const before = files.get(path);
  const now = new Map<string, string | undefined>();
  files.set(path, now);
  return (answer) => {
    if (!now.has(answer)) now.set(answer, before?.has(answer) ? before.get(answer) : blockedLineProblem(answer, moderator));
    return now.get(answer);
  };
}

/** An NPC's answers pass output moderation; a scripted one it blocks would silently become the safe line. */
function blockedLineProblem(text: string, moderator: Moderator): string | undefined {
  // Not remembered: its verdicts are kept per file (blockedAnswers), and the moderator's own are for play.
  const verdict = moderator.check(text, { remember: false });
  if (!verdict.blocked) return undefined;
  return `"${text}" holds "${verdict.term}", which moderation blocks, so players would get its safe line instead: ` +
    "reword it, or allow the harmless word that holds it with a `!word` line in the word list (MODERATION_WORDS)";
}

/** Questions (spaces and punctuation aside) that two pairs with different answers list: the first pair, and the other. */
function askedTwice(pairs: readonly KnowledgePair[]): Array<{ q: string; first: KnowledgePair; second: KnowledgePair }> {
  const firstAsking = new Map<string, KnowledgePair>();
  const twice = [];
  for (const pair of pairs) {
    for (const q of [pair.q, ...(pair.also ?? [])]) {
      const key = q.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
      const first = firstAsking.get(key);
      if (first === undefined) firstAsking.set(key, pair);
      else if (first.a !== pair.a) twice.push({ q, first, second: pair });
    }
  }
  return twice;
}

/** Answers that two pairs give with different actions (or one with an action and one without): the first pair, and the other. */
function actingTwice(pairs: readonly KnowledgePair[]): Array<{ a: string; first: KnowledgePair; second: KnowledgePair }> {
  const firstSaying = new Map<string, KnowledgePair>();
  const twice = [];
  for (const pair of pairs) {
    const first = firstSaying.get(pair.a);
    if (!first) firstSaying.set(pair.a, pair);
    else if (first.action !== pair.action) twice.push({ a: pair.a, first, second: pair });
  }
  return twice;
}

/** What `check` finds wrong, or the message of the NPC error it throws (a model or knowledge file it cannot read). */
function problemOf(check: () => string | undefined): string | undefined {
  try {
    return check();
  } catch (error) {
    if (error instanceof NpcError) return error.message;
    throw error;
  }
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, f(value)]));
}
