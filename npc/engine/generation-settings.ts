import { InvalidSettingsError } from "../errors.js";

/** Decoding settings a caller may override; the defaults come from the model's generation_config.json. */
export interface GenerationSettings {
  maxNewTokens: number;
  doSample: boolean;
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
  /** Answers sampled per question to choose from (1: no choosing, plain decoding). */
  candidates: number;
  /** How much choosing discounts answers that fit any question (0: most likely answer wins). */
  relevanceWeight: number;
}

type Range = { min: number; max: number; integer?: boolean };

const RANGES: Record<Exclude<keyof GenerationSettings, "doSample">, Range> = {
  maxNewTokens: { min: 1, max: 96, integer: true },
  temperature: { min: 0.05, max: 2 },
  topK: { min: 0, max: 1000, integer: true },
  topP: { min: 0.05, max: 1 },
  repetitionPenalty: { min: 1, max: 2 },
  candidates: { min: 1, max: 16, integer: true },
  relevanceWeight: { min: 0, max: 1 },
};

/** Settings as written in generation_config.json (snake case, any subset). */
export interface GenerationConfigFile {
  max_new_tokens?: number;
  do_sample?: boolean;
  temperature?: number;
  top_k?: number;
  top_p?: number;
  repetition_penalty?: number;
  /** Not Hugging Face settings: how the NPC engine chooses among sampled answers. */
  num_candidates?: number;
  relevance_weight?: number;
}

export function settingsFromConfig(file: GenerationConfigFile): GenerationSettings {
  return checkSettings({
    maxNewTokens: file.max_new_tokens ?? 32,
    doSample: file.do_sample ?? false,
    temperature: file.temperature ?? 1,
    topK: file.top_k ?? 0,
    topP: file.top_p ?? 1,
    repetitionPenalty: file.repetition_penalty ?? 1,
    candidates: file.num_candidates ?? 1,
    relevanceWeight: file.relevance_weight ?? 0.5,
  });
}

/** Merges overrides into the defaults, rejecting unknown keys and values out of range. */
export function mergeSettings(defaults: GenerationSettings, overrides: Partial<GenerationSettings> = {}): GenerationSettings {
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) throw new InvalidSettingsError("generation settings must be an object");
  // Own keys only: `in` took every object's own names ("constructor", "toString", "__proto__") as settings.
  const unknown = Object.keys(overrides).filter((key) => !Object.hasOwn(defaults, key));
  if (unknown.length > 0) {
    // All at once, with the names that are known: a world file's author wrote `max-new-tokens` and `sample` and
    // learnt of one per run.
    const named = unknown.map((key) => `"${key}"${spelledAs(key, defaults) ? ` (${spelledAs(key, defaults)}?)` : ""}`).join(", ");
    throw new InvalidSettingsError(`unknown generation setting${unknown.length > 1 ? "s" : ""} ${named}; known: ${Object.keys(defaults).join(", ")}`);
  }
  const merged = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return checkSettings(merged);
}

/** The known setting a snake- or kebab-case spelling means (`max_new_tokens`, `max-new-tokens`: maxNewTokens). */
function spelledAs(key: string, defaults: GenerationSettings): string | undefined {
  const plain = key.replace(/[-_\s]/g, "").toLowerCase();
  return Object.keys(defaults).find((known) => known.toLowerCase() === plain);
}

function checkSettings(settings: GenerationSettings): GenerationSettings {
  if (typeof settings.doSample !== "boolean") throw new InvalidSettingsError("doSample must be true or false");
  for (const [key, range] of Object.entries(RANGES)) {
    const value = settings[key as keyof typeof RANGES];
    const ok = typeof value === "number" && Number.isFinite(value) && value >= range.min && value <= range.max
      && (!range.integer || Number.isInteger(value));
    if (!ok) {
      const kind = range.integer ? "an integer" : "a number";
      throw new InvalidSettingsError(`${key} must be ${kind} from ${range.min} to ${range.max}, got ${String(value)}`);
    }
  }
  return settings;
}

/** A stable key: equal settings, equal keys. */
export function settingsKey(settings: GenerationSettings): string {
  return JSON.stringify(settings);
}

/**
 * What questions sharing one batch must agree on: how many candidates each chooses among, and how, and about how long
 * they may speak (maxNewTokens within a factor of two: 17–32, 33–64, …). The rest (sampling, repetition penalty) and the
 * exact length each row decodes by its own (decode-loop.ts), so NPCs that speak differently batch; but a batch's
 * answers go back when its longest row ends, and 15 eight-token rows beside one that said 96 waited 3.1–3.9× as long.
 */
export function batchKey(settings: GenerationSettings): string {
  return `${choosingKey(settings)}/${Math.ceil(Math.log2(settings.maxNewTokens))}`;
}

/** What every question of one engine batch must agree on (NpcEngine.answerChecked): how it chooses among candidates. */
export function choosingKey({ candidates, relevanceWeight }: GenerationSettings): string {
  return `${candidates}/${relevanceWeight}`;
}
