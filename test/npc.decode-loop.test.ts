import assert from "node:assert/strict";
import { resolve } from "node:path";

import { AutoModelForCausalLM, type PreTrainedModel, Tensor } from "@huggingface/transformers";

import { meanLogProbs, modelScoring, tokenLogProb } from "../npc/engine/answer-scorer.js";
import { decodeRows } from "../npc/engine/decode-loop.js";
import { type GenerationSettings, mergeSettings } from "../npc/engine/generation-settings.js";
import { prefillGroups } from "../npc/engine/grouped-prefill.js";
import { loopUnit, withoutLoop } from "../npc/engine/loop-guard.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { EVERYDAY_QUESTIONS, shippedEngine } from "./helpers/engine.js";

describe("decodeRows (rows leave the batch as they end)", () => {
  let model: PreTrainedModel;
  before(async () => {
    model = await AutoModelForCausalLM.from_pretrained(resolve(DEFAULT_MODEL_DIR), { dtype: "fp32", local_files_only: true });
  });
  after(() => model.dispose());

  /** Each prompt as transformers.js generate() answers it alone, by its own settings: no padding, every step computed. */
  async function generatedAlone(prompts: number[][], settingsOf: GenerationSettings[], eos: number): Promise<number[][]> {
    const expected: number[][] = [];
    for (const [row, ids] of prompts.entries()) {
      const { maxNewTokens, repetitionPenalty } = settingsOf[row]!;
      const output = (await model.generate({
        input_ids: new Tensor("int64", BigInt64Array.from(ids, BigInt), [1, ids.length]),
        attention_mask: new Tensor("int64", new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        max_new_tokens: maxNewTokens, do_sample: false, repetition_penalty: repetitionPenalty,
      })) as Tensor;
      const generated = (output.tolist() as bigint[][])[0]!.slice(ids.length).map(Number);
      expected.push(endOfAnswer(generated, eos));
    }
    return expected;
  }

  /** All prompts as one left-padded batch. */
  function leftPadded(prompts: number[][], pad: number): [Tensor, Tensor] {
    const width = Math.max(...prompts.map((ids) => ids.length));
    const padded = prompts.flatMap((ids) => [...new Array<number>(width - ids.length).fill(pad), ...ids]);
    const mask = prompts.flatMap((ids) => [...new Array<number>(width - ids.length).fill(0), ...new Array<number>(ids.length).fill(1)]);
    return [
      new Tensor("int64", BigInt64Array.from(padded, BigInt), [prompts.length, width]),
      new Tensor("int64", BigInt64Array.from(mask, BigInt), [prompts.length, width]),
    ];
  }

  it("decodes each row by its own settings (length, repetition penalty) as generate() answers it alone", async () => {
    const engine = await shippedEngine();
    const prompts = EVERYDAY_QUESTIONS.map((question) => engine.promptIds(question));
    const kinds = [{ maxNewTokens: 24, repetitionPenalty: 1.3 }, { maxNewTokens: 5 }, { maxNewTokens: 40, repetitionPenalty: 1.1 }, { maxNewTokens: 12 }];
    const settingsOf = prompts.map((_, row) => mergeSettings(engine.defaults, { doSample: false, ...kinds[row % kinds.length] }));
    const expected = await generatedAlone(prompts, settingsOf, 0);
    const answers = await decodeRows(model, ...leftPadded(prompts, 3), settingsOf, 0);
    assert.deepEqual(answers.map(({ ids }) => withoutLoop(ids)), expected);
    assert.ok(expected.some((ids, row) => ids.length === settingsOf[row]!.maxNewTokens && ids.length < 40), "a row ended at its own limit");
  });

  it("answers a left-padded batch exactly as transformers.js generate() answers each prompt alone", async () => {
    const engine = await shippedEngine();
    const settings = mergeSettings(engine.defaults, { doSample: false, repetitionPenalty: 1.3, maxNewTokens: 24 });
    const prompts = EVERYDAY_QUESTIONS.map((question) => engine.promptIds(question));
    const eos = 0;
    const pad = 3;
    const expected = await generatedAlone(prompts, prompts.map(() => settings), eos);
    const steps: Array<[number, number]> = [];
    const answers = await decodeRows(model, ...leftPadded(prompts, pad), settings, eos, { onStep: (row, id) => steps.push([row, id]) });

    assert.deepEqual(answers.map(({ ids }) => withoutLoop(ids)), expected);
    assert.ok(prefillGroups(prompts.map((ids) => ids.length)).length > 1, "prefilled in length groups, merged back");
    assert.ok(new Set(expected.map((ids) => ids.length)).size > 1, "rows of different lengths, so rows did leave early");
    // Every row streamed its answer, then its </s> (unless it hit max_new_tokens or a loop).
    const streamedOf = (row: number) => steps.filter(([r]) => r === row).map(([, id]) => id);
    for (const [row, { ids, meanLogProb }] of answers.entries()) {
      assert.deepEqual(streamedOf(row).slice(0, ids.length), ids);
      assert.ok(meanLogProb < 0 && meanLogProb > -20, `row ${row}: mean log-probability ${meanLogProb}`);
    }
    // The confidence decoding reports is the answer's mean log-probability (its </s> included), as a
    // separate forward pass over the unpadded prompt scores it.
    const ended = answers.map((answer, row) => ({ ...answer, row })).filter(({ row, ids }) => streamedOf(row).length === ids.length + 1);
    assert.ok(ended.length > 3, `${ended.length} rows ended with </s>`);
    const rescored = await meanLogProbs(modelScoring(model), ended.map(({ row, ids }) => ({ prompt: prompts[row]!, answer: [...ids, eos] })), pad);
    ended.forEach(({ meanLogProb }, i) => assert.ok(Math.abs(meanLogProb - rescored[i]!) < 1e-3, `${meanLogProb} vs ${rescored[i]}`));
  });

  it("samples by its temperature: near 0, even a draw from the far end of the distribution is the greedy token", async () => {
    const engine = await shippedEngine();
    const prompts = EVERYDAY_QUESTIONS.slice(0, 2).map((question) => engine.promptIds(question));
    const greedy = mergeSettings(engine.defaults, { doSample: false, repetitionPenalty: 1, maxNewTokens: 8 });
    const cold = { ...greedy, doSample: true, temperature: 1e-3, topP: 1, topK: 0 };
    const expected = await decodeRows(model, ...leftPadded(prompts, 3), greedy, 0);
    const random = Math.random;
    Math.random = () => 0.999; // at temperature 1, a token from the tail
    try {
      const sampled = await decodeRows(model, ...leftPadded(prompts, 3), cold, 0);
      assert.deepEqual(sampled.map(({ ids }) => ids), expected.map(({ ids }) => ids));
    } finally {
      Math.random = random;
    }
  });
});

describe("tokenLogProb (a token's log-probability, the confidence's unit)", () => {
  it("reads the graph's log-sum-exp, and computes the same for exports without it", async () => {
    const model = await AutoModelForCausalLM.from_pretrained(resolve(DEFAULT_MODEL_DIR), { dtype: "fp32", local_files_only: true });
    const ids = [2, 500, 600, 700, 4];
    const shape = [1, ids.length];
    const outputs = (await model.forward({
      input_ids: new Tensor("int64", BigInt64Array.from(ids, BigInt), shape),
      attention_mask: new Tensor("int64", new BigInt64Array(ids.length).fill(1n), shape),
    })) as { logits: Tensor; logits_logsumexp: Tensor };
    const [, positions, vocab] = outputs.logits.dims as [number, number, number];
    const logits = outputs.logits.data as Float32Array;
    for (let position = 0; position < positions; position++) {
      for (const token of [0, 7, 4321]) {
        const fromGraph = tokenLogProb(logits, vocab, position, token, outputs.logits_logsumexp.data as Float32Array);
        const here = tokenLogProb(logits, vocab, position, token);
        assert.ok(fromGraph < 0 && Math.abs(fromGraph - here) < 1e-4, `${fromGraph} vs ${here}`);
      }
    }
    await model.dispose();
  });
});

/** generate() runs on past a loop; the engine ends the answer at the first loop and cuts it back. */
function endOfAnswer(generated: number[], eos: number): number[] {
  const end = generated.indexOf(eos);
  const answer = end === -1 ? generated : generated.slice(0, end);
  for (let n = 1; n <= answer.length; n++) {
    if (loopUnit(answer.slice(0, n)) > 0) return withoutLoop(answer.slice(0, n));
  }
  return answer;
}
