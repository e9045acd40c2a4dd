import assert from "node:assert/strict";

import { LineRecall } from "../web-client/src/line-recall.js";

describe("the web client's recent lines called back with ↑ and ↓", () => {
  it("walks back through the lines sent, newest first, and forward again to the line being typed", () => {
    const recall = new LineRecall();
    for (const line of ["하나", "둘", "셋"]) recall.add(line);
    assert.deepEqual([recall.older("쓰는 중"), recall.older("셋"), recall.older("둘"), recall.older("하나")], ["셋", "둘", "하나", undefined]);
    assert.deepEqual([recall.newer(), recall.newer(), recall.newer(), recall.newer()], ["둘", "셋", "쓰는 중", undefined]);
  });

  it("starts again from the line being typed after each line added, keeps a line said twice in a row once, and nothing empty", () => {
    const recall = new LineRecall();
    recall.add("하나");
    recall.add("둘");
    recall.older("");
    recall.add("둘");
    recall.add("");
    assert.deepEqual([recall.older(""), recall.older("둘"), recall.older("하나")], ["둘", "하나", undefined]);
  });

  it("keeps the 30 most recent lines", () => {
    const recall = new LineRecall();
    for (let i = 0; i < 40; i++) recall.add(`줄 ${i}`);
    const walked: string[] = [];
    for (let line = recall.older(""); line !== undefined; line = recall.older(line)) walked.push(line);
    assert.equal(walked.length, 30);
    assert.equal(walked.at(-1), "줄 10");
  });
});
