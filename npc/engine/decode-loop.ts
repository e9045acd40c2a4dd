import type { InferenceSession } from "onnxruntime-node";
import {
  type LogitsProcessor,
  LogitsProcessorList,
  type PreTrainedModel,
  RepetitionPenaltyLogitsProcessor,
  TemperatureLogitsWarper,
  Tensor,
} from "@huggingface/transformers";

import { tokenLogProb } from "./answer-scorer.js";
import { type GenerationSettings, settingsKey } from "./generation-settings.js";
import { groupedPrefill, type Prefill } from "./grouped-prefill.js";
import { compactionOrder, InPlaceCache, type StepLogits, stepLogits } from "./in-place-cache.js";
import { loopUnit } from "./loop-guard.js";
import { ownLineToken } from "../own-lines.js";
import { positionIds } from "./position-ids.js";
import { TopPProcessor } from "./top-p.js";

/** A row's new token (its `</s>` included), for streaming. */
export type StepCallback = (row: number, id: number) => void;

export interface DecodedRow {
  /** The answer's ids, `</s>` excluded. */
  ids: number[];
  /**
   * Mean log-probability the model gave each token it produced (`</s>` included), before any decoding
   * setting reshaped the distribution: how sure it was of this answer (sensible everyday answers score
   * higher, EVAL.md).
   */
  meanLogProb: number;
}

type Feeds = Record<string, Tensor | Record<string, Tensor> | undefined>;

export interface DecodeOptions {
  onStep?: StepCallback;
  /** The export's model_step.onnx: steps after the prefill keep the cache in place. */
  stepSession?: InferenceSession;
  /** The prompts' forward pass, instead of the model's own (int8-prefill.ts); needs `stepSession`. */
  prefill?: Prefill;
  /** Per row, its NPC's own lines shown in its prompt (token ids): once begun, said as written (own-lines.ts). */
  ownLines?: readonly (readonly (readonly number[])[])[];
}

/**
 * Decodes a left-padded batch with a KV cache, dropping each row from the batch as soon as its answer
 * ends (`</s>`, or a loop). transformers.js generate() steps every row until the last one ends: in a
 * batch of 16, most rows spent most steps computing tokens nobody reads. The prompts are prefilled in
 * groups of similar length (grouped-prefill.ts). With `stepSession` (the export's model_step.onnx), the
 * steps after the prefill keep the cache in place (in-place-cache.ts); without, they pass it through the
 * full graph as past → present.
 *
 * Returns each row's answer and its mean log-probability. Same decoding as generate() with each row's settings
 * (`settings`, or one per row: NPCs of different lengths and temperatures share a batch): repetition penalty, then
 * (sampling) temperature, top-k and top-p; greedy takes the first most likely; a row ends at its own maxNewTokens.
 * With `ownLines`, a row that has begun one of its NPC's own lines finishes it as written.
 */
export async function decodeRows(
  model: PreTrainedModel | undefined,
  inputIds: Tensor,
  attentionMask: Tensor,
  settings: GenerationSettings | readonly GenerationSettings[],
  eosId: number,
  { onStep, stepSession, prefill, ownLines }: DecodeOptions = {},
): Promise<DecodedRow[]> {
  // Only the step graph reads a cache from any prefill; the full graph takes its own tensors back as past.
  if (prefill && !stepSession) throw new Error("a prefill of its own needs the step graph to decode after it");
  // The full graph decodes what the int8 ones do not; an engine that loaded none has both (q8).
  if (!model && !(prefill && stepSession)) throw new Error("no full graph loaded to prefill or step with");
  const fullGraph = () => model!;
  const [batch, promptLength] = inputIds.dims as [number, number];
  const settingsOf = Array.isArray(settings) ? settings : new Array<GenerationSettings>(batch).fill(settings as GenerationSettings);
  if (settingsOf.length !== batch) throw new Error(`${settingsOf.length} rows' settings for a batch of ${batch}`);
  const longest = Math.max(...settingsOf.map((s) => s.maxNewTokens));
  const processors = rowProcessors(settingsOf);
  const seen = inputIds.tolist() as bigint[][]; // prompt + answer so far: what the repetition penalty reads
  const answers: number[][] = Array.from({ length: batch }, () => []);
  const logProbs = new Array<number>(batch).fill(0);
  const mask = attentionMask.tolist() as bigint[][];
  const promptLengths = mask.map((row) => row.reduce((n, m) => n + Number(m), 0));
  const nextPosition = [...promptLengths];
  let rows = Array.from({ length: batch }, (_, i) => i); // batch position → original row

  const prompts = {
    input_ids: inputIds,
    attention_mask: attentionMask,
    position_ids: positionIds(attentionMask),
  };
  const lastOnly = { num_logits_to_keep: new Tensor("int64", [1n], []) };
  const modelPrefill: Prefill = async (feeds) => (await fullGraph().forward({ ...feeds, ...lastOnly })) as Record<string, Tensor>;
  let feeds: Feeds = prompts;
  let inPlace: InPlaceCache | undefined;
  for (let step = 0; step < longest; step++) {
    let outputs: StepLogits;
    let full: Record<string, Tensor> | undefined; // the full graph's outputs: their `present` cache is the next step's past
    if (step === 0) {
      // From `prefill`, onnxruntime tensors: only the step graph's cache reads them, as dims and data.
      full = (await groupedPrefill(prefill ?? modelPrefill, prompts, promptLengths)) as Record<string, Tensor>;
      // Room for every token still to come (the prefill made the first).
      if (stepSession && longest > 1) inPlace = new InPlaceCache(presentAsPast(full), mask, longest - 1, stepSession);
      outputs = stepLogits(full);
    } else if (inPlace) {
      outputs = await inPlace.step(rows.map((row) => seen[row]!.at(-1)!), rows.map((row) => BigInt(nextPosition[row]!++)));
    } else {
      full = (await fullGraph().forward({ ...feeds, ...lastOnly })) as Record<string, Tensor>;
      outputs = stepLogits(full);
    }
    const vocab = outputs.logits.dims.at(-1)!;
    const data = outputs.logits.data;
    // The model's own distribution, for the confidence: processors change the logits in place.
    const raw = processors ? data.slice() : data;
    const logSums = outputs.logits_logsumexp?.data;
    processors?.(rows, data, vocab, seen);
    const kept: number[] = [];
    rows.forEach((row, at) => {
      const scores = data.subarray(at * vocab, (at + 1) * vocab);
      const lines = ownLines?.[row];
      const forced = lines?.length ? ownLineToken(answers[row]!, lines, eosId, scores) : undefined;
      const id = forced ?? (settingsOf[row]!.doSample ? sample(scores) : argmax(scores));
      logProbs[row]! += tokenLogProb(raw, vocab, at, id, logSums);
      seen[row]!.push(BigInt(id));
      onStep?.(row, id);
      if (id === eosId) return;
      answers[row]!.push(id);
      if (step + 1 >= settingsOf[row]!.maxNewTokens) return; // its own limit; the batch's longer rows go on
      // An NPC's own line is said as written, a saying it repeats too ("오래오래오래오래 살아요"): not a loop.
      if (forced !== undefined || loopUnit(answers[row]!) === 0) kept.push(at);
    });
    if (kept.length === 0) break;

    const dropped = kept.length < rows.length;
    const order = compactionOrder(kept);
    rows = order.map((at) => rows[at]!);
    if (inPlace) {
      if (dropped) inPlace.keep(order);
      continue;
    }
    if (!full) throw new Error("a step without the in-place cache ran no full forward pass");
    const past = presentAsPast(full);
    for (const row of rows) mask[row]!.push(1n);
    feeds = {
      input_ids: int64(rows.map((row) => [seen[row]!.at(-1)!])),
      attention_mask: int64(rows.map((row) => mask[row]!)),
      position_ids: int64(rows.map((row) => [BigInt(nextPosition[row]!++)])),
      past_key_values: dropped ? selectRows(past, order) : past,
    };
  }
  // The mean over the tokens each row produced, its `</s>` included when it produced one.
  return answers.map((ids, row) => ({ ids, meanLogProb: logProbs[row]! / Math.max(1, seen[row]!.length - promptLength) }));
}

/** Reshapes the live rows' logits ([rows, vocab], row `at` is batch row `rows[at]`) by each row's settings, in place. */
type RowProcessors = (rows: readonly number[], logits: Float32Array, vocab: number, seen: readonly bigint[][]) => void;

/**
 * The processors of each row's settings; undefined when no row has any. Rows of one set of settings (the usual
 * batch) are processed together, as before rows could differ; else each row apart, as a batch of one.
 */
function rowProcessors(settingsOf: readonly GenerationSettings[]): RowProcessors | undefined {
  const lists = new Map<string, LogitsProcessorList | undefined>();
  const listOf = settingsOf.map((settings) => {
    const key = settingsKey({ ...settings, maxNewTokens: 0 });
    if (!lists.has(key)) lists.set(key, logitsProcessors(settings));
    return lists.get(key);
  });
  if (listOf.every((list) => list === undefined)) return undefined;
  if (lists.size === 1) {
    const list = listOf[0]!;
    return (rows, logits, vocab, seen) => list(rows.map((row) => seen[row]!), new Tensor("float32", logits, [rows.length, vocab]));
  }
  return (rows, logits, vocab, seen) => rows.forEach((row, at) => {
    listOf[row]?.([seen[row]!], new Tensor("float32", logits.subarray(at * vocab, (at + 1) * vocab), [1, vocab]));
  });
}

/** The processors generate() would apply for these settings, in its order; undefined when none would. */
function logitsProcessors(settings: GenerationSettings): LogitsProcessorList | undefined {
  const chosen: LogitsProcessor[] = [];
  if (settings.repetitionPenalty !== 1) chosen.push(new RepetitionPenaltyLogitsProcessor(settings.repetitionPenalty));
  if (settings.doSample && settings.temperature !== 1) chosen.push(new TemperatureLogitsWarper(settings.temperature));
  if (settings.doSample && (settings.topP < 1 || settings.topK > 0)) chosen.push(new TopPProcessor(settings.topP, settings.topK));
  if (chosen.length === 0) return undefined;
  const list = new LogitsProcessorList();
  list.extend(chosen);
  return list;
}

/** The model's `present.N.key|value` outputs under the names it reads them back as. */
function presentAsPast(outputs: Record<string, Tensor>): Record<string, Tensor> {
  const past: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (name.startsWith("present")) past[name.replace("present", "past_key_values")] = tensor;
  }
  return past;
}

/** Keeps batch rows `at` (in that order) of every cache tensor: [batch, heads, length, head size]. */
function selectRows(past: Record<string, Tensor>, at: number[]): Record<string, Tensor> {
  const selected: Record<string, Tensor> = {};
  for (const [name, tensor] of Object.entries(past)) {
    const data = tensor.data as Float32Array;
    const rowSize = data.length / tensor.dims[0]!;
    const out = new Float32Array(at.length * rowSize);
    at.forEach((row, i) => out.set(data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize));
    selected[name] = new Tensor(tensor.type, out, [at.length, ...tensor.dims.slice(1)]);
  }
  return selected;
}

function int64(rows: (bigint | number)[][]): Tensor {
  return new Tensor("int64", BigInt64Array.from(rows.flat(), BigInt), [rows.length, rows[0]!.length]);
}

function argmax(scores: Float32Array): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
  return best;
}

/** A token drawn with probability softmax(scores); masked tokens (−∞) are never drawn. */
function sample(scores: Float32Array): number {
  const max = scores[argmax(scores)]!;
  let total = 0;
  for (const score of scores) total += Math.exp(score - max);
  let threshold = Math.random() * total;
  for (let i = 0; i < scores.length; i++) {
    threshold -= Math.exp(scores[i]! - max);
    if (threshold <= 0) return i;
  }
  return argmax(scores);
}
