import { basename, resolve } from "node:path";

import type { Logger } from "../common/log.js";
import { forgetNpcs, modelsUnloaded } from "../common/metrics.js";
import { MODEL_NAME_MAX } from "../kafka/contract.js";
import { AnswerQueue, DEFAULT_MAX_BATCH } from "./worker/answer-queue.js";
import type { AskOptions } from "./engine.js";
import { NpcEngine } from "./engine.js";
import type { GenerationSettings } from "./engine/generation-settings.js";
import { type KnowledgeIndex, type KnowledgePair, readKnowledgeFile } from "./knowledge-index.js";
import { callNamesOf } from "./heard-line.js";
import { brainOf, heardAs, type NpcBrain, type UnsureLines } from "./npc-brain.js";
import { callsAny, withoutOwnName, wordsOf } from "./own-name.js";
import { ModelFileMissing, ModelLoadError, NpcError } from "./errors.js";
import { type ModelDtype, modelNameIn, readJson } from "./engine/model-folder.js";

/** What the worker needs to answer for one NPC (from the world file): its model, knowledge and decoding. */
export interface NpcBrainSpec {
  npcId: string;
  /** Its display name: a player calling it by name ("hi 한스") is understood as if the name were not there. */
  name?: string;
  /** The model's name in the world file (`default` is MODEL_DIR). */
  model: string;
  modelDir: string;
  /** A knowledge file (JSON lines of `{"q","a"}`) searched before the model's general index. */
  knowledge?: string;
  /** The file's pairs as last taken while the server ran (knowledge-reload.ts), read in place of the file. */
  knowledgePairs?: KnowledgePair[];
  /** A question at least this similar (cosine, 0–1) to one in the knowledge file gets its line as written. */
  scriptedAbove?: number;
  generation?: Partial<GenerationSettings>;
  /** Below this confidence (mean log-probability per token) the NPC says one of `lines` instead of the answer. */
  unsure?: UnsureLines;
}

/**
 * NpcCast.replaceSettings took `taken` of `specs`: the others could not be cast anew (a knowledge file unreadable, a
 * model not loaded here). Each is named with its file and model, the two things to look at.
 */
export function warnIfNotCast(specs: readonly NpcBrainSpec[], taken: readonly string[], log: Logger): void {
  const missed = specs.filter((spec) => !taken.includes(spec.npcId)).map(({ npcId, knowledge, model }) => ({ npcId, knowledge, model }));
  if (missed.length > 0) {
    log.error("NPCs not cast anew (a knowledge file unreadable, or a model not loaded here): they answer as before, one new as a stranger", { npcs: missed });
  }
}

/**
 * Names for the model folders that share one (config.json's `npc_model_name`: a copy of a folder), each with its
 * name in the world file: their answers and metrics were told apart nowhere. Folders whose name is their own are not in it.
 */
function distinctNames(specs: readonly ModelOfWorld[]): Map<string, string> {
  const registry = new Map(specs.map((spec) => [spec.modelDir, spec.model] as const).reverse()); // each folder's first name
  const named = new Map<string, string>();
  for (const dir of registry.keys()) {
    try {
      named.set(dir, modelNameIn(dir, readJson(dir, "config.json")));
    } catch {
      // Unreadable: its load says so.
    }
  }
  const shared = (name: string) => [...named.values()].filter((other) => other === name).length > 1;
  return new Map([...named].filter(([, name]) => shared(name)).map(([dir, name]) => [dir, `${name}@${registry.get(dir)}`]));
}

/** A model folder and its name in the world file. */
export type ModelOfWorld = Pick<NpcBrainSpec, "model" | "modelDir">;

/** How many NPCs taken out of the world a cast remembers as such, the most recent (NpcCast.isStranger). */
export const REMEMBERED_REMOVALS = 1000;

/** readKnowledgeFile, each file read once: for the NPCs cast together (one file every NPC knows was read for each). */
function readingOnce(): (file: string) => KnowledgePair[] {
  const read = new Map<string, KnowledgePair[]>();
  return (file) => {
    const path = resolve(file);
    if (!read.has(path)) read.set(path, readKnowledgeFile(path));
    return read.get(path)!;
  };
}

/** Under what NpcCast keeps a knowledge file's index for a model folder's NPCs. */
const indexKey = (modelDir: string, file: string): string => `${modelDir}\n${resolve(file)}`;

/** What an NPC's brain is built from, beyond the settings replaceSettings changes in place. */
const castingOf = (spec: NpcBrainSpec): string => JSON.stringify([spec.name, spec.knowledge && resolve(spec.knowledge), spec.modelDir]);

/**
 * The worker's cast of NPCs. Models are a registry: each folder is loaded once and its engine (with
 * one batching queue) is shared by every NPC that speaks with it; knowledge and settings stay per NPC.
 * An NPC may say its knowledge file's lines as written when a question matches one closely (a studio's
 * authored facts, like a dialogue tree's); every other answer is the model's, with that knowledge shown.
 */
export class NpcCast {
  private constructor(
    private readonly brains: Map<string, NpcBrain>,
    /** Per NPC with a knowledge file: what its index is built from. */
    private readonly knowing: Map<string, { file: string; modelDir: string; names: string[] }>,
    /** The loaded models by folder, each with its one batching queue. */
    private readonly loaded: Map<string, { engine: NpcEngine; queue: AnswerQueue }>,
    /** Per NPC, what its brain was cast with (castingOf): another name, knowledge file or model is cast anew. */
    private readonly castAs: Map<string, string>,
    /** For an NPC this worker was not told about (another world file): the first model, no own knowledge. */
    private readonly stranger: NpcBrain,
    readonly engines: NpcEngine[],
    /** The model folders that did not load, each with why: their NPCs answer `model_unavailable`, the others answer. */
    readonly unloaded: ReadonlyMap<string, NpcError>,
  ) {}

  /**
   * Knowledge indexes by model folder and file, as last built: the NPCs that know one file share its index (built once
   * at start and at each edit, where each NPC's took ~50 ms and ~0.5 MB a 1,000 lines), but those its questions call
   * by name (npc-brain.ts heardAs).
   */
  private readonly indexes = new Map<string, { pairs: string; heard: Map<string, KnowledgePair>; words: Set<string>; index: KnowledgeIndex }>();

  /** Per NPC whose model did not load: why. */
  private readonly unavailable = new Map<string, NpcError>();
  /** Per NPC, its model's name in the world file; and the stand-in's, which answers an NPC this cast was not told about. */
  private readonly worldModels = new Map<string, string>();
  private strangerModel: string | undefined;
  /**
   * NPCs an edit of the world file took out (a question in flight to one is not a stranger's), oldest first. One is
   * forgotten when cast again, or when REMEMBERED_REMOVALS others were taken out after it: questions in flight are to
   * those just taken out, and a long-running world's every id ever removed would be kept for good.
   */
  private readonly removed = new Set<string>();

  /**
   * `alsoModels`: folders loaded besides the NPCs' own, with their names in the world file, for NPCs an edit may bring
   * back (a replaced thread's start: the models the process started with).
   */
  static async load(specs: NpcBrainSpec[], options: { dtype?: ModelDtype; maxBatch?: number; alsoModels?: ModelOfWorld[] } = {}): Promise<NpcCast> {
    if (specs.length === 0) throw new Error("an NPC cast needs at least one NPC");
    const engines = new Map<string, Promise<NpcEngine>>();
    const names = distinctNames([...specs, ...(options.alsoModels ?? [])]);
    for (const dir of [...specs, ...(options.alsoModels ?? [])].map((model) => model.modelDir)) {
      // Warmed up as it loads (players after a (re)start get a warm brain), so that a folder failing its first answers
      // is one that did not load, where its failure failed the whole cast.
      if (!engines.has(dir)) engines.set(dir, NpcEngine.loadWarm(dir, { dtype: options.dtype, ...(names.has(dir) ? { name: names.get(dir) } : {}) }, options.maxBatch ?? DEFAULT_MAX_BATCH));
    }
    // Every load is waited for: one that failed after another was awaited went unhandled and ended the process.
    const results = await Promise.allSettled(engines.values());
    const dirs = [...engines.keys()];
    const loaded = new Map<string, NpcEngine>();
    const unloaded = new Map<string, NpcError>();
    results.forEach((result, i) => {
      if (result.status === "fulfilled") loaded.set(dirs[i]!, result.value);
      else if (result.reason instanceof NpcError) unloaded.set(dirs[i]!, result.reason);
    });
    // One model that cannot load leaves its NPCs without a brain, not the whole cast (every NPC said fallback lines
    // and a Kafka worker restarted for good); none loaded, or a failure that is not the model's, fails the load.
    const unexpected = results.find((result) => result.status === "rejected" && !(result.reason instanceof NpcError));
    if (unexpected) {
      await Promise.allSettled([...loaded.values()].map((engine) => engine.dispose()));
      throw (unexpected as PromiseRejectedResult).reason;
    }
    if (loaded.size === 0) {
      // Every folder named, not only the first: the next broken one was found only at the next restart.
      const [dir, first] = [...unloaded][0]!;
      if (unloaded.size === 1) throw first;
      const allMissing = [...unloaded.values()].every((error) => error instanceof ModelFileMissing);
      throw new (allMissing ? ModelFileMissing : ModelLoadError)(dir, [...unloaded.values()].map((error) => error.message).join("; "), { cause: first });
    }
    return NpcCast.assemble(specs, loaded, options.maxBatch, unloaded);
  }

  /** One engine answering for every NPC, as the default world and the tests use it. */
  static single(engine: NpcEngine, maxBatch?: number): NpcCast {
    return NpcCast.assemble([], new Map([["", engine]]), maxBatch);
  }

  private static assemble(specs: NpcBrainSpec[], engines: Map<string, NpcEngine>, maxBatch?: number, unloaded = new Map<string, NpcError>()): NpcCast {
    const loaded = new Map([...engines].map(([dir, engine]) => [dir, { engine, queue: new AnswerQueue(engine, { maxBatch }) }]));
    const first = [...loaded.values()][0]!;
    const cast = new NpcCast(new Map(), new Map(), loaded, new Map(), brainOf(first.engine, first.queue, {}, []), [...engines.values()], unloaded);
    cast.strangerModel = specs.find((spec) => spec.modelDir === [...loaded.keys()][0])?.model;
    const read = readingOnce();
    for (const spec of specs) cast.cast(spec, read);
    modelsUnloaded.set(cast.unloadedInUse().length);
    return cast;
  }

  /** Why the model of `npcId` is not loaded here, if it is not: its questions get that as an error answer. */
  unavailableFor(npcId: string): NpcError | undefined {
    return this.unavailable.get(npcId);
  }

  /** The NPCs that speak with the model folder `dir`, which did not load. */
  npcsOn(dir: string): string[] {
    return [...this.unavailable].filter(([, why]) => why === this.unloaded.get(dir)).map(([npcId]) => npcId);
  }

  /** Whether `npcId` is none of the NPCs this cast was told about (a cast of one engine for all knows none). */
  isStranger(npcId: string): boolean {
    return this.castAs.size > 0 && !this.brains.has(npcId) && !this.unavailable.has(npcId) && !this.removed.has(npcId);
  }

  /**
   * How this cast's world file and a server's disagree on `npcId`, whose model the server's names `model` (by its name
   * in the file): this cast gives it another, or, not told about it, its stand-in speaks with another. A server and
   * workers on different world files (restarted out of order) had it answered so without a word.
   */
  otherModel(npcId: string, model: string | undefined): string | undefined {
    if (model === undefined) return undefined;
    const stranger = this.isStranger(npcId);
    const ours = stranger ? this.strangerModel : this.worldModels.get(npcId);
    if (ours === undefined || ours === model) return undefined;
    const here = stranger ? `is not in this worker's world file (its stand-in speaks with "${ours}")` : `speaks with model "${ours}" in this worker's`;
    return `NPC "${npcId}" speaks with model "${model}" in the server's world file and ${here}: they run different world files`;
  }

  /** The NPC `spec` names answered with its model (loaded already, or known not to load), knowledge and settings. */
  private cast(spec: NpcBrainSpec, read = readKnowledgeFile): void {
    const why = this.unloaded.get(spec.modelDir);
    this.removed.delete(spec.npcId);
    this.worldModels.set(spec.npcId, spec.model);
    if (why) {
      // As a restart would cast it: an NPC moved onto such a folder kept its old model here, and lost it at the next.
      this.brains.delete(spec.npcId);
      this.knowing.delete(spec.npcId);
      this.castAs.set(spec.npcId, castingOf(spec));
      return void this.unavailable.set(spec.npcId, why);
    }
    this.unavailable.delete(spec.npcId);
    const { engine, queue } = this.loaded.get(spec.modelDir)!;
    const names = callNamesOf(spec);
    const options: AskOptions = {
      ...(spec.knowledge ? { knowledge: this.knowledgeIndex(spec.modelDir, spec.knowledge, spec.knowledgePairs ?? read(spec.knowledge), names) } : {}),
      ...(spec.generation ? { settings: spec.generation } : {}),
    };
    if (spec.knowledge) this.knowing.set(spec.npcId, { file: spec.knowledge, modelDir: spec.modelDir, names });
    else this.knowing.delete(spec.npcId);
    // In an answer's `model`, cut to what the contract takes: a long file name made every scripted answer refused.
    const source = spec.knowledge && `knowledge:${basename(spec.knowledge)}`.slice(0, MODEL_NAME_MAX);
    this.brains.set(spec.npcId, brainOf(engine, queue, options, names, source, spec.scriptedAbove, spec.unsure));
    this.castAs.set(spec.npcId, castingOf(spec));
  }

  /**
   * The NPCs whose knowledge file is `file` know `pairs` from now on (the file changed while the server ran, and
   * passed the checks it passed at start): shown to their model, said as written, found when unsure. Returns their ids.
   */
  replaceKnowledge(file: string, pairs: readonly KnowledgePair[]): string[] {
    const changed: string[] = [];
    for (const [npcId, { file: own, modelDir, names }] of this.knowing) {
      if (resolve(own) !== resolve(file)) continue;
      this.brains.get(npcId)!.options.knowledge = this.knowledgeIndex(modelDir, file, pairs, names);
      changed.push(npcId);
    }
    return changed;
  }

  /** The index of `file`'s `pairs` as the model of `modelDir` searches them for an NPC called `names`. */
  private knowledgeIndex(modelDir: string, file: string, pairs: readonly KnowledgePair[], names: readonly string[]): KnowledgeIndex {
    const { engine } = this.loaded.get(modelDir)!;
    const key = indexKey(modelDir, file);
    const lines = pairs.map((pair) => JSON.stringify(pair));
    const text = lines.join("\n");
    let shared = this.indexes.get(key);
    if (shared?.pairs !== text) {
      // Each line as the model hears it, kept from the file's last version where the line is the same (an edit of a
      // 10,000-line file held its NPCs' answers ~0.3 s longer reading them all again).
      const heard = new Map(lines.map((line, i) => [line, shared?.heard.get(line) ?? heardAs(pairs[i]!, engine, [])]));
      const words = wordsOf([...heard.values()].flatMap((pair) => [pair.q, ...(pair.also ?? [])]));
      shared = { pairs: text, heard, words, index: engine.knowledgeIndex(lines.map((line) => heard.get(line)!)) };
      this.indexes.set(key, shared);
    }
    // heardAs takes an NPC's name out of the lines that call it by name (each as written and as read): where no line
    // does, this NPC's pairs are the shared ones. The file's words first: reading every line again took ~25 ms an NPC.
    const callsByName = callsAny(shared.words, names) && [...shared.heard.values()].some((pair) => [pair.q, ...(pair.also ?? [])].some((q) => withoutOwnName(q, names) !== q));
    return callsByName ? engine.knowledgeIndex(pairs.map((pair) => heardAs(pair, engine, names))) : shared.index;
  }

  /**
   * The NPCs' decoding, unsure lines and scripted bar from now on, as an edit of the world file taken while the server
   * runs sets them (server/world-files/world-reload.ts), and NPCs added, renamed, or given another knowledge file or loaded model,
   * cast anew. Returns their ids. One removed is forgotten (its series leave /metrics): added back, it is cast anew,
   * with its knowledge file as it is then, where its old brain came back with the lines it had when it left.
   */
  replaceSettings(specs: readonly NpcBrainSpec[]): string[] {
    const changed: string[] = [];
    const read = readingOnce();
    for (const spec of specs) {
      const brain = this.brains.get(spec.npcId);
      // An NPC added to the world while it runs, or given another name, knowledge file or (loaded) model: cast anew.
      if (!brain || this.castAs.get(spec.npcId) !== castingOf(spec)) {
        // Onto a folder that did not load here: cast as what it is, an NPC answering model_unavailable (the folder was
        // logged at start), not warned of as one answering "as a stranger" at every edit. Onto one this worker never
        // had (the rooms refuse such an edit: it needs a restart): left as it was.
        if (!this.loaded.has(spec.modelDir)) {
          if (this.unloaded.has(spec.modelDir)) {
            this.cast(spec, read);
            changed.push(spec.npcId);
          }
          continue;
        }
        try {
          this.cast(spec, read);
          changed.push(spec.npcId);
        } catch {
          // Its knowledge file passed the world file's checks a moment ago; one gone since leaves it as it was (not returned).
        }
        continue;
      }
      this.worldModels.set(spec.npcId, spec.model); // another name for the same folder: the same brain
      if (spec.generation) brain.options.settings = spec.generation;
      else delete brain.options.settings;
      if (spec.unsure) brain.unsure = spec.unsure;
      else delete brain.unsure;
      if (spec.scriptedAbove !== undefined) brain.scriptedAbove = spec.scriptedAbove;
      else delete brain.scriptedAbove;
      changed.push(spec.npcId);
    }
    const gone = [...this.castAs.keys()].filter((id) => !specs.some((spec) => spec.npcId === id));
    for (const id of gone) {
      for (const map of [this.brains, this.castAs, this.knowing, this.unavailable, this.worldModels]) map.delete(id);
      this.removed.add(id);
    }
    const known = new Set([...this.knowing.values()].map(({ modelDir, file }) => indexKey(modelDir, file)));
    for (const key of this.indexes.keys()) if (!known.has(key)) this.indexes.delete(key); // a file no NPC knows now
    for (const oldest of [...this.removed].slice(0, Math.max(0, this.removed.size - REMEMBERED_REMOVALS))) this.removed.delete(oldest);
    // All taken out so far, not only now: an answer in flight to one as it left made its series again.
    void forgetNpcs([...this.removed]);
    modelsUnloaded.set(this.unloadedInUse().length);
    return changed;
  }

  /** The folders that did not load here which NPCs of the world speak with now (an edit may have moved them all off). */
  unloadedInUse(): string[] {
    return [...this.unloaded.keys()].filter((dir) => this.npcsOn(dir).length > 0);
  }

  brainFor(npcId: string): NpcBrain {
    return this.brains.get(npcId) ?? this.stranger;
  }

  /** Names of the loaded models, e.g. for the worker's start log and /health. */
  get models(): string[] {
    return this.engines.map((engine) => engine.modelName);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.engines.map((engine) => engine.dispose()));
  }
}
