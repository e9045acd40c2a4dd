import type { Tensor } from "@huggingface/transformers";
import * as ort from "onnxruntime-node";

import { cacheShape } from "./cache-shape.js";
import type { Prefill } from "./grouped-prefill.js";

/**
 * Prompts prefilled by the export's int8 graph (`onnx/model_prefill_int8.onnx`, kobot_train/int8_prefill.py):
 * its matrix products take about half the time of float32 in a batch, and each token is quantised on its own,
 * so a row's cache and first token do not depend on the rows beside it. Decoding steps have their own int8
 * graph (`onnx/model_step_int8.onnx`).
 */
export function int8Prefill(session: ort.InferenceSession): Prefill {
  const caches = session.inputNames.filter((name) => name.startsWith("past_key_values"));
  const { heads, headSize } = cacheShape(session);
  const lastOnly = new ort.Tensor("int64", BigInt64Array.from([1n]), []);
  const asOrt = (tensor: Tensor) => new ort.Tensor("int64", tensor.data as BigInt64Array, tensor.dims);
  return async ({ input_ids, attention_mask, position_ids }) => {
    const noCache = new ort.Tensor("float32", new Float32Array(0), [input_ids.dims[0]!, heads, 0, headSize]);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: asOrt(input_ids),
      attention_mask: asOrt(attention_mask),
      position_ids: asOrt(position_ids),
      num_logits_to_keep: lastOnly,
    };
    for (const name of caches) feeds[name] = noCache;
    return session.run(feeds);
  };
}
