import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ModelLoadError } from "../npc/errors.js";
import { crossWordBigrams, GRAMS, type GramsMethod, grams, KnowledgeIndex, type KnowledgePair, readKnowledgeFile } from "../npc/knowledge-index.js";
import { retrieveContext } from "../npc/retrieval-context.js";

// Written by the training pipeline (kobot_train/vectors.py) from the Python index.
const vectors = JSON.parse(readFileSync(new URL("./fixtures/retrieval-vectors.json", import.meta.url), "utf8")) as {
  pairs: KnowledgePair[];
  k: number;
  methods: Record<GramsMethod, { query: string; hits: { index: number; score: number }[] }[]>;
};

describe("KnowledgeIndex", () => {
  it("splits text into each word's characters and character bigrams, never across words", () => {
    assert.deepEqual(grams("날씨 좋다!"), ["날", "씨", "날씨", "좋", "다", "좋다"]);
    assert.deepEqual(grams("가"), ["가"]);
    assert.deepEqual(grams("?!"), []);
    assert.deepEqual(grams("AB1,c"), ["a", "b", "1", "ab", "b1", "c"]);
    assert.deepEqual(crossWordBigrams("날씨 좋다!"), ["날씨", "씨좋", "좋다"]); // models exported before
  });

  it("finds the same pairs with the same scores as the Python index, by every method", () => {
    assert.deepEqual(Object.keys(vectors.methods).sort(), Object.keys(GRAMS).sort());
    for (const [method, queries] of Object.entries(vectors.methods)) {
      const index = new KnowledgeIndex(vectors.pairs, GRAMS[method as GramsMethod]);
      for (const { query, hits } of queries) {
        const got = index.search(query, vectors.k);
        assert.deepEqual(got.map((h) => h.pair), hits.map((h) => vectors.pairs[h.index]), `${method}: ${query}`);
        got.forEach((h, i) => assert.ok(Math.abs(h.score - hits[i]!.score) < 1e-9, `${method}: ${query}: ${h.score}`));
      }
    }
  });

  it("matches across Korean endings and particles", () => {
    const index = new KnowledgeIndex([
      { q: "날씨가 좋다", a: "산책 가요." },
      { q: "배고파", a: "밥 먹어요." },
    ]);
    assert.equal(index.search("날씨 좋네", 1)[0]!.pair.a, "산책 가요.");
    assert.deepEqual(index.search("전혀 다른 말", 1, 0.45), []); // only 다 in common
  });

  it("counts the query's words it has never seen: a small file does not find what it cannot know", () => {
    const index = new KnowledgeIndex([{ q: "오늘 뭐 했어?", a: "빵을 구웠지." }, { q: "이름이 뭐야?", a: "한나야." }]);
    assert.ok(index.search("오늘 뭐 했어", 1)[0]!.score > 0.99);
    const late = index.search("오늘 지각했어", 1)[0]!; // only 오늘 and 했어 are known (0.96 when 지각 did not count)
    assert.ok(late.score < 0.7, `${late.score}`); // the village says a line as written from 0.8
  });

  it("weighs a small file's grams as a larger index does: a name counts more than a common ending", () => {
    const npcFile = [{ q: "미나는 누구야?", a: "빵집 주인이에요." }, { q: "잘 있어", a: "또 놀러 오세요!" }];
    const general = new KnowledgeIndex(
      ["어디 있어?", "집에 있어", "여기 있어", "잘 있어?", "거기 있어", "너 뭐 하고 있어", "밥 먹고 있어", "누구야?", "오늘 뭐 해?", "배고파"]
        .map((q) => ({ q, a: "응." })),
    );
    const alone = new KnowledgeIndex(npcFile).search("미나 어디 있어?", 2);
    assert.equal(alone[0]!.pair.q, "잘 있어", "two lines cannot tell 있어 is common");
    const weighed = new KnowledgeIndex(npcFile, grams, { weightsFrom: general }).search("미나 어디 있어?", 2);
    assert.equal(weighed[0]!.pair.q, "미나는 누구야?");
    assert.ok(weighed[0]!.score > weighed[1]!.score + 0.1, `${weighed.map((h) => h.score)}`);
  });

  it("finds an NPC's fact by its answer when asked with words only the answer has, once per pair", () => {
    const file = [
      { q: "여기서 뭐 팔아?", a: "검이랑 방패를 팔지." },
      { q: "검 얼마야?", a: "좋은 검은 금화 열 닢이야." },
    ];
    const facts = new KnowledgeIndex(file, grams, { answers: true });
    assert.equal(facts.search("방패 있어요?", 1)[0]!.pair.a, "검이랑 방패를 팔지.");
    assert.deepEqual(new KnowledgeIndex(file).search("방패 있어요?", 1), [], "its question shares no word with 방패 있어요");
    assert.deepEqual(facts.search("방패 있어요?", 1, 0, { questionsOnly: true }), [], "an answer does not count when asked not to");
    const both = facts.search("검 얼마야? 검이랑 방패", 2);
    assert.deepEqual(both.map((h) => h.pair.q).sort(), ["검 얼마야?", "여기서 뭐 팔아?"], "two pairs, each once, though both match twice");
    assert.ok(both[0]!.score >= both[1]!.score);
  });

  it("matches each way to ask a line, and finds the line once", () => {
    const name = { q: "이름이 뭐야?", also: ["성함이 어떻게 되세요?"], a: "나는 대장장이 한스야." };
    const file = [name, { q: "검 얼마야?", a: "좋은 검은 금화 열 닢이야." }];
    const index = new KnowledgeIndex(file, grams, { answers: true });
    const polite = index.search("성함이 어떻게 되세요", 2, 0, { questionsOnly: true });
    assert.equal(polite[0]!.pair, name, "the second way to ask counts as a question, for lines said as written too");
    // As well as the same words on a line of their own would, in an index whose weights do not change with it.
    const weights = new KnowledgeIndex([{ q: "성함", a: "-" }, { q: "이름", a: "-" }, { q: "어때?", a: "-" }]);
    const apart = new KnowledgeIndex([{ q: name.q, a: name.a }, { q: name.also[0]!, a: name.a }], grams, { weightsFrom: weights });
    const together = new KnowledgeIndex([name], grams, { weightsFrom: weights });
    assert.ok(Math.abs(together.search("성함이 어떻게 돼?", 1)[0]!.score - apart.search("성함이 어떻게 돼?", 1)[0]!.score) < 1e-12);
    const both = index.search("이름이 뭐야? 성함이 어떻게 되세요? 한스", 3);
    assert.equal(both[0]!.pair, name);
    assert.equal(both.filter((h) => h.pair === name).length, 1, "the line once, though its three documents match");
  });

  it("finds k pairs when the best one is asked several ways, and gives a tie to the earlier pair", () => {
    const bread = new KnowledgeIndex([
      { q: "빵 얼마야", also: ["빵 얼마예요", "빵 가격 얼마야"], a: "빵은 3골드야" },
      { q: "빵 맛있어", a: "아침에 구웠어" },
    ]);
    assert.deepEqual(bread.search("빵 얼마야", 2).map((h) => h.pair.q), ["빵 얼마야", "빵 맛있어"], "its three ways to ask are one pair of the two");
    const twice = new KnowledgeIndex([{ q: "가게 어디야", a: "첫째 줄" }, { q: "가게 어디야", a: "둘째 줄" }]);
    assert.deepEqual(twice.search("가게 어디야", 1).map((h) => h.pair.a), ["첫째 줄"]);
  });

  it("shows a pair scoring exactly the least score asked for", () => {
    const index = new KnowledgeIndex([{ q: "오늘 뭐 했어?", a: "일했어." }, { q: "배고파", a: "밥 먹자." }]);
    const [hit] = index.search("오늘 뭐 먹었어", 1);
    assert.ok(hit && hit.score > 0 && hit.score < 1);
    assert.equal(index.search("오늘 뭐 먹었어", 1, hit.score).length, 1);
  });

  it("reads a knowledge file and names the line that is wrong", () => {
    const dir = mkdtempSync(join(tmpdir(), "knowledge-"));
    const good = join(dir, "good.jsonl");
    writeFileSync(good, '{"q":"이름이 뭐야?","a":"나는 대장장이 한스야."}\n\n{"q":"뭐 팔아?","a":"검과 방패를 팔지."}\n');
    assert.equal(KnowledgeIndex.fromFile(good).size, 2);
    const ways = join(dir, "ways.jsonl");
    writeFileSync(ways, '{"q":[" 이름이 뭐야? ","성함이 어떻게 되세요?"],"a":"나는 대장장이 한스야."}\n');
    assert.deepEqual(readKnowledgeFile(ways), [{ q: "이름이 뭐야?", also: ["성함이 어떻게 되세요?"], a: "나는 대장장이 한스야." }]);
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"q":"이름이 뭐야?","a":"한스"}\n{"q":"빈 답"}\n');
    assert.throws(() => KnowledgeIndex.fromFile(bad), (e: unknown) => e instanceof ModelLoadError && /bad.jsonl:2/.test(e.message));
    for (const q of ["[]", '["이름이 뭐야?", ""]', '["이름이 뭐야?", 3]']) {
      writeFileSync(bad, `{"q":${q},"a":"한스"}\n`);
      assert.throws(() => readKnowledgeFile(bad), /bad.jsonl:1: needs "q" \(a question, or a list of ways to ask it\)/, q);
    }
    assert.throws(() => KnowledgeIndex.fromFile(join(dir, "none.jsonl")), /cannot read knowledge file/);
  });

  it("reads a line's game action, and names a line whose action is not an id", () => {
    const dir = mkdtempSync(join(tmpdir(), "knowledge-"));
    const file = join(dir, "shop.jsonl");
    writeFileSync(file, '{"q":"뭐 팔아?","a":"검과 방패를 팔지.","action":"open_shop"}\n{"q":"이름이 뭐야?","a":"한스야."}\n');
    assert.deepEqual(readKnowledgeFile(file), [{ q: "뭐 팔아?", a: "검과 방패를 팔지.", action: "open_shop" }, { q: "이름이 뭐야?", a: "한스야." }]);
    for (const action of ['""', '"open shop"', "7", `"${"a".repeat(65)}"`]) {
      writeFileSync(file, `{"q":"뭐 팔아?","a":"검과 방패를 팔지.","action":${action}}\n`);
      assert.throws(() => readKnowledgeFile(file), /shop\.jsonl:1: "action" must be 1–64 letters, digits/, action);
    }
  });

  it("cleans a knowledge file's lines as players' lines are: no control or invisible characters, one space between words", () => {
    const path = join(mkdtempSync(join(tmpdir(), "knowledge-")), "odd.jsonl");
    writeFileSync(path, JSON.stringify({ q: ["뭐\u200b 팔아?", " 가격은\t얼마야 "], a: "검과\u0007 방패를   팔지.\u202e" }) + "\n");
    assert.deepEqual(readKnowledgeFile(path), [{ q: "뭐 팔아?", a: "검과 방패를 팔지.", also: ["가격은 얼마야"] }]);
  });

  it("reads a knowledge file saved as separate jamo composed, so players' questions find its lines", () => {
    const path = join(mkdtempSync(join(tmpdir(), "knowledge-")), "nfd.jsonl");
    writeFileSync(path, '{"q":"뭐 팔아?","a":"검과 방패를 팔지."}\n'.normalize("NFD"));
    assert.deepEqual(readKnowledgeFile(path), [{ q: "뭐 팔아?", a: "검과 방패를 팔지." }]);
    assert.equal(KnowledgeIndex.fromFile(path).search("뭐 팔아?", 1)[0]?.score, 1);
  });
});

describe("retrieveContext", () => {
  const own = new KnowledgeIndex([{ q: "검 얼마야?", a: "한 자루에 금화 열 닢이지." }]);
  const general = new KnowledgeIndex([
    { q: "검 사고 싶어", a: "무기 상점에 가 보세요." },
    { q: "배고파", a: "밥 먹어요." },
  ]);

  it("puts the NPC's own knowledge first and fills up from the general index, best last", () => {
    const context = retrieveContext("검 사고 싶은데 얼마야?", { k: 2, minScore: 0.1 }, own, general);
    assert.deepEqual(context.map((p) => p.a), ["무기 상점에 가 보세요.", "한 자루에 금화 열 닢이지."]);
  });

  it("shows a question the NPC's own knowledge answers once, with its own answer, not the general index's too", () => {
    const hans = new KnowledgeIndex([{ q: "이름이 뭐야", a: "나는 한스" }]);
    const everyone = new KnowledgeIndex([{ q: "이름이 뭐야", a: "나는 코봇" }, { q: "이름 알려줘", a: "비밀" }]);
    assert.deepEqual(retrieveContext("이름이 뭐야", { k: 2, minScore: 0 }, hans, everyone).map((p) => p.a), ["비밀", "나는 한스"]);
  });

  it("shows nothing when retrieval is off or nothing is similar enough", () => {
    assert.deepEqual(retrieveContext("검 얼마야?", { k: 0, minScore: 0 }, own, general), []);
    assert.deepEqual(retrieveContext("완전히 다른 이야기", { k: 2, minScore: 0.45 }, own, general), []);
  });
});
