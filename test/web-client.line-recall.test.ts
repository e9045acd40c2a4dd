import assert from "node:assert/strict";

import { LineRecall, type RecalledLine } from "../web-client/src/line-recall.js";

const line = (text: string, to?: string): RecalledLine => (to === undefined ? { text } : { text, to });

describe("the web client's recent lines called back with ↑ and ↓", () => {
  it("walks back through the lines sent, newest first, each with whom it was said to, and forward again to the line being typed", () => {
    const recall = new LineRecall();
    for (const said of [line("하나", ""), line("둘", "hans"), line("셋")]) recall.add(said);
    const typing = line("쓰는 중", "kobot");
    assert.deepEqual([recall.older(typing), recall.older(line("셋")), recall.older(line("둘")), recall.older(line("하나"))], [line("셋"), line("둘", "hans"), line("하나", ""), undefined]);
    assert.deepEqual([recall.newer(), recall.newer(), recall.newer(), recall.newer()], [line("둘", "hans"), line("셋"), typing, undefined]);
  });

  it("starts again from the line being typed after each line added, keeps a line said twice in a row to the same one once, and nothing empty", () => {
    const recall = new LineRecall();
    recall.add(line("하나", ""));
    recall.add(line("둘", ""));
    recall.older(line(""));
    recall.add(line("둘", ""));
    recall.add(line("둘", "mina"));
    recall.add(line("", ""));
    const walked = [recall.older(line("")), recall.older(line("")), recall.older(line("")), recall.older(line(""))];
    assert.deepEqual(walked, [line("둘", "mina"), line("둘", ""), line("하나", ""), undefined]);
  });

  it("keeps the 30 most recent lines", () => {
    const recall = new LineRecall();
    for (let i = 0; i < 40; i++) recall.add(line(`줄 ${i}`, ""));
    const walked: string[] = [];
    for (let said = recall.older(line("")); said !== undefined; said = recall.older(said)) walked.push(said.text);
    assert.equal(walked.length, 30);
    assert.equal(walked.at(-1), "줄 10");
  });
});
