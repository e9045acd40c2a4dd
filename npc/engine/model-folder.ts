import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { ModelFileMissing, ModelLoadError } from "../errors.js";

export const MODEL_DTYPES = ["fp32", "q8"] as const;
export type ModelDtype = (typeof MODEL_DTYPES)[number];

/**
 * How long loading and warming the models may take before they are deemed hung (MODEL_LOAD_TIMEOUT_MS): 1–3 s here for
 * the shipped model. Here, not in threaded-worker.ts, so that reading the config does not load the thread's module.
 */
export const LOAD_WITHIN_MS = 120_000;

/** The model shipped in the repository. */
export const DEFAULT_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "model");

/** Decoding steps over a cache kept in place (kobot_train/decoder_graph.py `step_model`); older exports lack it. */
export const STEP_GRAPH = "onnx/model_step.onnx";

/** Prompts prefilled in int8 (kobot_train/int8_prefill.py); older exports lack it. */
export const INT8_PREFILL_GRAPH = "onnx/model_prefill_int8.onnx";

/** Decoding steps with 8-bit weights (kobot_train/int8_steps.py); older exports lack it. */
export const INT8_STEP_GRAPH = "onnx/model_step_int8.onnx";

/**
 * The graphs each dtype reads: fp32 the full graph (which transformers.js loads) and its step graph where the export
 * has one; q8 prefills, steps and scores answers with its int8 graphs alone (the step graph's presence is what says
 * the export keeps its cache in place).
 */
const DTYPE_FILES: Record<ModelDtype, string[]> = { fp32: ["onnx/model.onnx"], q8: [INT8_PREFILL_GRAPH, STEP_GRAPH, INT8_STEP_GRAPH] };

/** The module of kobot_train that adds each int8 graph to an export made before it. */
const INT8_WRITERS: Record<string, string> = { [INT8_PREFILL_GRAPH]: "int8_prefill", [INT8_STEP_GRAPH]: "int8_steps" };

/**
 * One spelling of a model folder (absolute, links followed), so that the worker loads it once however MODEL_DIR and
 * the world file write it: "npc/model" beside an absolute path, or a link, was loaded twice (+110 MB, two batching
 * queues). A folder that is not there is left as written, absolute, for the start check to name.
 */
export function canonicalFolder(dir: string): string {
  const absolute = resolve(dir);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/**
 * Fails early, naming the first missing file, instead of deep inside onnxruntime. Returns config.json and
 * generation_config.json as it read them, so that a load does not read them again.
 */
export function checkModelFolder<Config extends RetrievalConfig = RetrievalConfig, Generation extends object = object>(
  folder: string,
  dtype: ModelDtype,
): { config: Config; generationConfig: Generation } {
  if (!Object.hasOwn(DTYPE_FILES, dtype)) throw new ModelLoadError(folder, `unknown dtype "${dtype}"; use fp32 or q8`);
  const needed = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", ...DTYPE_FILES[dtype]];
  // Exports with a step graph keep the fp32 weights of all graphs in one file beside them.
  if (existsSync(join(folder, STEP_GRAPH))) needed.push("onnx/model.onnx_data");
  for (const file of needed) {
    const path = join(folder, file);
    if (!existsSync(path)) {
      const writer = INT8_WRITERS[file];
      const hint = writer ? ` (add it: cd npc/training && python -m kobot_train.${writer} ${folder})` : "";
      throw new ModelFileMissing(path, `NPC model file missing: ${path}${hint}`);
    }
  }
  // Read, as a folder copied in part or cut short is not missing a file (the graphs' weights are checked only by
  // loading them: `npm run check:world -- --load`).
  const [config, generationConfig] = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"].map((file) => readJson<object>(folder, file)) as [Config, Generation];
  if ((config.npc_retrieval?.k ?? 0) > 0 && !existsSync(join(folder, "knowledge.jsonl"))) {
    const path = join(folder, "knowledge.jsonl");
    throw new ModelFileMissing(path, `NPC model file missing: ${path} (config.json's npc_retrieval shows the model pairs from it)`);
  }
  return { config, generationConfig };
}

/** What checkModelFolder looks at in config.json. */
type RetrievalConfig = { npc_retrieval?: { k?: number } };

/** The name a model's answers and metrics give it, without its dtype: config.json's `npc_model_name`, else the folder's. */
export const modelNameIn = (folder: string, config: { npc_model_name?: string }): string => config.npc_model_name ?? basename(folder);

export function readJson<T>(folder: string, file: string): T {
  const path = join(folder, file);
  let read: unknown;
  try {
    read = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ModelLoadError(path, `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  // `null` or a list read as JSON, then failed as a TypeError: not the folder's error, it ended a worker's every NPC.
  if (typeof read !== "object" || read === null || Array.isArray(read)) throw new ModelLoadError(path, `cannot read ${path}: not a JSON object`);
  return read as T;
}
