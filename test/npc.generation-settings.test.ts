import assert from "node:assert/strict";

import { InvalidSettingsError } from "../npc/errors.js";
import { batchKey, type GenerationSettings, mergeSettings, settingsFromConfig, settingsKey } from "../npc/engine/generation-settings.js";

describe("Generation settings", () => {
  const defaults = settingsFromConfig({ max_new_tokens: 32, do_sample: false, repetition_penalty: 1.2, top_k: 40 });

  it("reads generation_config.json names, with neutral values for what is absent", () => {
    assert.deepEqual(defaults, {
      maxNewTokens: 32, doSample: false, temperature: 1, topK: 40, topP: 1, repetitionPenalty: 1.2,
      candidates: 1, relevanceWeight: 0.5,
    });
  });

  it("merges overrides, an undefined one leaving the default", () => {
    const merged = mergeSettings(defaults, { doSample: true, temperature: 0.7, topP: undefined });
    assert.deepEqual(merged, { ...defaults, doSample: true, temperature: 0.7 });
    assert.equal(defaults.doSample, false, "defaults are not mutated");
  });

  it("rejects values out of range with the setting's name", () => {
    assert.throws(() => mergeSettings(defaults, { topP: 1.5 }), /topP must be a number from 0.05 to 1, got 1.5/);
    assert.throws(() => mergeSettings(defaults, { maxNewTokens: 0 }), InvalidSettingsError);
    assert.throws(() => mergeSettings(defaults, { temperature: Number.NaN }), InvalidSettingsError);
    assert.throws(() => mergeSettings(defaults, { doSample: "yes" as never }), /doSample/);
    assert.throws(() => mergeSettings(defaults, { candidates: 17 }), /candidates must be an integer from 1 to 16/);
    assert.throws(() => mergeSettings(defaults, { maxNewTokens: 97 }), /maxNewTokens must be an integer from 1 to 96/);
    assert.equal(mergeSettings(defaults, { maxNewTokens: 96 }).maxNewTokens, 96);
  });

  it("keys equal settings equally", () => {
    assert.equal(settingsKey(mergeSettings(defaults, {})), settingsKey(defaults));
    assert.notEqual(settingsKey(mergeSettings(defaults, { topK: 5 })), settingsKey(defaults));
  });

  it("batches lengths within a factor of two and any sampling together, candidates apart", () => {
    const key = (overrides: Partial<GenerationSettings>) => batchKey(mergeSettings(defaults, overrides));
    assert.equal(key({ maxNewTokens: 24 }), key({ maxNewTokens: 32, temperature: 0.3, doSample: true, repetitionPenalty: 1.2 }));
    assert.notEqual(key({ maxNewTokens: 8 }), key({ maxNewTokens: 96 }), "eight-token answers do not wait for 96");
    assert.notEqual(key({ maxNewTokens: 32 }), key({ maxNewTokens: 33 }));
    assert.notEqual(key({ candidates: 1 }), key({ candidates: 4 }));
    assert.notEqual(key({ candidates: 4, relevanceWeight: 0.5 }), key({ candidates: 4, relevanceWeight: 0 }));
  });
});
