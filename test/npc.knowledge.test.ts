import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

import { KnowledgeIndex } from "../npc/knowledge-index.js";
import { hangulShare, shippedEngine } from "./helpers/engine.js";

const knowledge = (name: string) =>
  KnowledgeIndex.fromFile(fileURLToPath(new URL(`../npc/knowledge/${name}.jsonl`, import.meta.url)));

describe("NPC knowledge", () => {
  const greedy = { doSample: false };

  it("ships a model trained to be shown retrieved pairs, with its general index", async () => {
    const engine = await shippedEngine();
    assert.ok(engine.retrieval.k > 0, "the shipped model uses retrieval");
    assert.ok((engine.generalKnowledge?.size ?? 0) > 1000);
  });

  it("shows two NPCs their own knowledge for the same question, and their answers differ", async () => {
    const engine = await shippedEngine();
    const question = "여기서 뭐 팔아요?";
    const blacksmith = await engine.answer(question, { knowledge: knowledge("blacksmith"), settings: greedy });
    const baker = await engine.answer(question, { knowledge: knowledge("baker"), settings: greedy });
    assert.equal(blacksmith.context.at(-1)?.a, "검이랑 방패를 팔지.", "the best match is shown right before the question");
    assert.equal(baker.context.at(-1)?.a, "갓 구운 빵이랑 케이크를 팔아요.");
    assert.notEqual(blacksmith.text, baker.text);
    for (const answer of [blacksmith, baker]) assert.ok(hangulShare(answer.text) > 0.5, answer.text);
  });

  it("says its own line whole when the line holds a token of the prompt's (\"</s>\"), as the prompt shows it", async () => {
    const engine = await shippedEngine();
    const line = "광장에서</s> 북동쪽으로 가면 미나의 빵집이 있어요.";
    const answer = await engine.answer("빵집 어디야?", { knowledge: engine.knowledgeIndex([{ q: "빵집 어디야?", a: line }]), settings: greedy });
    // It was cut at "광장에서": the line, encoded as written, ended with the end token.
    assert.equal(answer.text, "광장에서 북동쪽으로 가면 미나의 빵집이 있어요.");
    assert.equal(answer.ownLine, true);
    assert.equal(answer.copied, true);
  });

  it("still answers when nothing in the knowledge is similar", async () => {
    const engine = await shippedEngine();
    const answer = await engine.answer("뷁뷁 똠똠", { knowledge: knowledge("baker") });
    assert.deepEqual(answer.context, []);
    assert.ok(answer.text.length > 0);
  });
});
