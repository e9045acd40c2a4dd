import type { InferenceSession } from "onnxruntime-node";

/** Heads and head size of a decoder graph's cache inputs (`past_key_values.*`: [batch, heads, width, head size]). */
export function cacheShape(session: InferenceSession): { heads: number; headSize: number } {
  const input = session.inputMetadata.find((meta) => meta.name.startsWith("past_key_values"));
  const [, heads, , headSize] = input?.isTensor ? input.shape : [];
  if (typeof heads !== "number" || typeof headSize !== "number") {
    throw new Error("the graph has no past_key_values inputs of fixed heads and head size");
  }
  return { heads, headSize };
}
