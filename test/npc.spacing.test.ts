import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { Spacing } from "../npc/engine/spacing.js";
import { shippedEngine } from "./helpers/engine.js";

describe("Spaces put back in a line typed without any", () => {
  const spacing = Spacing.load(DEFAULT_MODEL_DIR)!;

  it("spaces the shipped model's pairs apart, missing some rather than adding wrong ones", () => {
    assert.equal(spacing.restore("잠이안와서큰일이야"), "잠이 안와서 큰일이야");
    assert.equal(spacing.restore("동생이말을안들어"), "동생이 말을 안들어");
    assert.equal(spacing.restore("오늘날씨좋다"), "오늘날씨 좋다");
  });

  it("leaves a line with any space, and a short one, as typed", () => {
    assert.equal(spacing.restore("잠이 안와서큰일이야"), "잠이 안와서큰일이야");
    assert.equal(spacing.restore("배고파"), "배고파");
    assert.equal(spacing.restore("뭐해요?"), "뭐해요?");
  });

  it("spaces a line of exactly five syllables, the shortest it takes", () => {
    const folder = mkdtempSync(join(tmpdir(), "kobot-spacing-"));
    writeFileSync(join(folder, "spaced-pairs.txt"), "이안\n");
    assert.equal(Spacing.load(folder)!.restore("잠이안와서"), "잠이 안와서");
  });

  it("is not there for a model folder without spaced-pairs.txt", () => {
    assert.equal(Spacing.load(mkdtempSync(join(tmpdir(), "kobot-no-spacing-"))), undefined);
  });

  it("is how the engine reads a question: the model answers the spaced line", async () => {
    const engine = await shippedEngine();
    assert.equal(engine.readLine("잠이안와서큰일이야ㅠㅠ"), "잠이 안와서 큰일이야");
    const answer = await engine.answer("동생이말을안들어");
    assert.equal(answer.question, "동생이 말을 안들어");
  });
});
