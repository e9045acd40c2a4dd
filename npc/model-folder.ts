import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { ModelLoadError } from "./errors.js";

export type ModelDtype = "fp32" | "q8";

/** The model shipped in the repository. */
export const DEFAULT_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "model");

const ONNX_FILE: Record<ModelDtype, string> = { fp32: "onnx/model.onnx", q8: "onnx/model_quantized.onnx" };

/** Decoding steps over a cache kept in place (kobot_train/decoder_graph.py `step_model`); exports since session 8. */
export const STEP_GRAPH = "onnx/model_step.onnx";

/** Fails early, naming the first missing file, instead of deep inside onnxruntime. */
export function checkModelFolder(folder: string, dtype: ModelDtype): void {
  if (!(dtype in ONNX_FILE)) throw new ModelLoadError(folder, `unknown dtype "${dtype}"; use fp32 or q8`);
  const needed = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", ONNX_FILE[dtype]];
  // Exports with a step graph keep the fp32 weights of both graphs in one file beside them.
  if (dtype === "fp32" && existsSync(join(folder, STEP_GRAPH))) needed.push("onnx/model.onnx_data");
  for (const file of needed) {
    const path = join(folder, file);
    if (!existsSync(path)) throw new ModelLoadError(path, `NPC model file missing: ${path}`);
  }
}

export function readJson<T>(folder: string, file: string): T {
  const path = join(folder, file);
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (error) {
    throw new ModelLoadError(path, `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}
