import type { Tensor } from "@huggingface/transformers";
import * as ort from "onnxruntime-node";

import type { ScoredLogits, ScoringPass } from "./answer-scorer.js";
import { cacheShape } from "./cache-shape.js";
import type { Prefill } from "./grouped-prefill.js";
import { positionIds } from "./position-ids.js";

/**
 * Prompts prefilled by the export's int8 graph (`onnx/model_prefill_int8.onnx`, kobot_train/int8_prefill.py):
 * its matrix products take about half the time of float32 in a batch, and each token is quantised on its own,
 * so a row's cache and first token do not depend on the rows beside it. Decoding steps have their own int8
 * graph (`onnx/model_step_int8.onnx`).
 */
export function int8Prefill(session: ort.InferenceSession): Prefill {
  const run = int8Forward(session);
  const lastOnly = new ort.Tensor("int64", BigInt64Array.from([1n]), []);
  return ({ input_ids, attention_mask, position_ids }) => run(asOrt(input_ids), asOrt(attention_mask), asOrt(position_ids), lastOnly);
}

/**
 * The int8 prefill graph as the scorer of whole answers (answer-scorer.ts): where decoding is int8, answers are
 * scored by the graphs that wrote them, and the float32 graph need not be loaded at all (~50 MB a model folder).
 */
export function int8Scoring(session: ort.InferenceSession): ScoringPass {
  const run = int8Forward(session);
  return ({ input_ids, attention_mask, num_logits_to_keep }) => {
    const outputs = run(asOrt(input_ids), asOrt(attention_mask), asOrt(positionIds(attention_mask)), asOrt(num_logits_to_keep));
    return outputs as Promise<ort.InferenceSession.OnnxValueMapType & ScoredLogits>;
  };
}

/** One pass of the int8 prefill graph with no cache, keeping the logits of the last `keep` positions. */
function int8Forward(session: ort.InferenceSession) {
  const caches = session.inputNames.filter((name) => name.startsWith("past_key_values"));
  const { heads, headSize } = cacheShape(session);
  return (input_ids: ort.Tensor, attention_mask: ort.Tensor, position_ids: ort.Tensor, keep: ort.Tensor) => {
    const noCache = new ort.Tensor("float32", new Float32Array(0), [input_ids.dims[0]!, heads, 0, headSize]);
    const feeds: Record<string, ort.Tensor> = { input_ids, attention_mask, position_ids, num_logits_to_keep: keep };
    for (const name of caches) feeds[name] = noCache;
    return session.run(feeds);
  };
}

const asOrt = (tensor: Tensor) => new ort.Tensor("int64", tensor.data as BigInt64Array, tensor.dims);
