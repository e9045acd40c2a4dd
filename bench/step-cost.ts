import { existsSync } from "node:fs";
import { join } from "node:path";

import * as ort from "onnxruntime-node";

import { cacheShape } from "../npc/engine/cache-shape.js";
import { INT8_STEP_GRAPH, STEP_GRAPH } from "../npc/engine/model-folder.js";
import { SESSION_OPTIONS } from "../npc/engine/session-options.js";
import { round } from "../tools/stats.js";

/** What one decoding step of the export's step graph costs, and how that grows with its rows. */
export interface StepCost {
  /** Cache columns the steps read (a batch's prompt width plus the tokens still to come). */
  cacheWidth: number;
  /** One step of one row: mostly the call's fixed cost. */
  oneRowStepMs: number;
  /** One step of 16 and of 32 rows. */
  rows16StepMs: number;
  rows32StepMs: number;
  /**
   * Each row more in a big step (from 16 to 32 rows): the row's own arithmetic (~10 MFLOP: four layers and
   * 8,000 logits), which batching cannot share out, whatever a step's fixed cost.
   */
  rowStepMs: number;
}

/**
 * Times the step graph the engine decodes with by default in `modelDir` (the int8 one where the export has it)
 * on made-up tokens and caches (the values do not change its work).
 */
export async function measureStepCost(modelDir: string, { cacheWidth = 64, steps = 300 } = {}): Promise<StepCost> {
  const graph = existsSync(join(modelDir, INT8_STEP_GRAPH)) ? INT8_STEP_GRAPH : STEP_GRAPH;
  const session = await ort.InferenceSession.create(join(modelDir, graph), SESSION_OPTIONS);
  const { heads, headSize } = cacheShape(session);
  const time = async (rows: number) => {
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", new BigInt64Array(rows).fill(5n), [rows, 1]),
      position_ids: new ort.Tensor("int64", new BigInt64Array(rows).fill(BigInt(cacheWidth - 1)), [rows, 1]),
      cache_bias: new ort.Tensor("float32", new Float32Array(rows * cacheWidth), [rows, 1, 1, cacheWidth]),
    };
    for (const name of session.inputNames.filter((n) => n.startsWith("past_key_values"))) {
      const cache = Float32Array.from({ length: rows * heads * cacheWidth * headSize }, () => Math.random() - 0.5);
      feeds[name] = new ort.Tensor("float32", cache, [rows, heads, cacheWidth, headSize]);
    }
    for (let i = 0; i < 30; i++) await session.run(feeds); // warm: first runs at a new shape plan memory
    const started = performance.now();
    for (let i = 0; i < steps; i++) await session.run(feeds);
    return (performance.now() - started) / steps;
  };
  const [one, rows16, rows32] = [await time(1), await time(16), await time(32)];
  await session.release();
  return {
    cacheWidth,
    oneRowStepMs: round(one, 3),
    rows16StepMs: round(rows16, 3),
    rows32StepMs: round(rows32, 3),
    rowStepMs: round((rows32 - rows16) / 16, 3),
  };
}
