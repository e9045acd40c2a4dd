import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createLogger } from "../common/log.js";
import type { ChatLogRecord } from "../kafka/chat-log.js";
import { type AnswerMessage, CONTRACT_VERSION } from "../kafka/contract.js";
import { Moderator } from "../moderation/moderator.js";
import { ngramsOf, ToxicityModel, type ToxicityModelFile } from "../moderation/toxicity.js";
import { npcReply } from "../rooms/npc/npc-reply.js";
import { loadConfig } from "../server/config.js";
import { scriptedAnswer, stateOf, type TestWorld, startTestWorld, waitFor } from "./helpers/world.js";

/** Lines train_toxicity.py scored with its own n-grams and weights, as it exported them. */
const vectors: { text: string; normalised: string; ngrams: string[]; score: number }[] = JSON.parse(readFileSync("test/fixtures/toxicity-vectors.json", "utf8"));
const model = ToxicityModel.fromFile();
const NGRAMS = (JSON.parse(readFileSync("moderation/toxicity.json", "utf8")) as { ngrams: [number, number] }).ngrams;
const quiet = createLogger({}, "error", () => {});
/** The shipped words with the shipped model, verdicts not kept: a line scored as the server scores it. */
const scorer = Moderator.fromFile(undefined, 0, { model });
const scoreOf = (text: string) => scorer.checkPlayerLine(text).toxicity;
/** Insults in plain words, in no word list (moderation/words.ko.txt), that the score puts above its training run's bar. */
const UNLISTED_INSULTS = ["인성 쓰레기네 진짜", "쓰레기 같은 인간"];
const GAME_CHAT = ["같이 던전 갈 사람 구해요!", "오늘 보스 레이드 몇 시에 해요?", "이 검 얼마예요?", "이 퀘스트 너무 어렵네요"];

describe("toxicity score (moderation/toxicity.ts)", () => {
  it("reads each line as the training run read it, into the same n-grams, to the same score", () => {
    assert.ok(vectors.length >= 8);
    for (const { text, normalised, ngrams, score } of vectors) {
      // A change to readings.ts that moves these moves what the model reads: train it again (docs/moderation.md).
      assert.equal(scorer.scoredText(text), normalised, text);
      assert.deepEqual([...ngramsOf(normalised, NGRAMS)].sort(), [...ngrams].sort(), text);
      assert.ok(Math.abs(scoreOf(text)! - score) < 1e-9, `${text}: ${scoreOf(text)} here, ${score} in Python`);
    }
  });

  it("gives the model the very text training reads of a line (normalise.ts), numbers of allowed words and calls included", () => {
    // Lines where the moderator's readings differ by its word list ("7등신" keeps its number in one), with a call, a star.
    const lines = ["키가7등신 ㅋㅋ", "오늘 1시발 기차", "씨1발 진짜", "@한스 돈이 없네", "Ａｂｃ 씨.발", "개*끼", "같이 던전 갈 사람 구해요!"];
    const given: string[] = [];
    const spy = new (class extends ToxicityModel {
      override scoreNormalised(normalised: string) {
        given.push(normalised);
        return super.scoreNormalised(normalised);
      }
    })(JSON.parse(readFileSync("moderation/toxicity.json", "utf8")) as ToxicityModelFile, quiet);
    const moderator = Moderator.fromFile(undefined, 0, { model: spy });
    for (const line of lines) moderator.checkPlayerLine(line);
    // A line to an NPC: the whole line's words are checked, its question alone scored.
    moderator.checkPlayerLine("@한스 키가7등신 ㅋㅋ", "키가7등신 ㅋㅋ");
    const asked = [...lines, "키가7등신 ㅋㅋ"];
    const read = execFileSync(process.execPath, ["--import", "tsx", "moderation/training/normalise.ts"], { input: JSON.stringify(asked) });
    assert.deepEqual(given, JSON.parse(read.toString("utf8")));
  });

  it("puts insults in plain words above its bar and everyday game chat far below it", () => {
    for (const line of UNLISTED_INSULTS) assert.ok(scoreOf(line)! >= model.suggestedBar, `${line}: ${scoreOf(line)}`);
    for (const line of GAME_CHAT) assert.ok(scoreOf(line)! < 0.5, `${line}: ${scoreOf(line)}`);
  });

  it("counts each n-gram once, an emoji as one character, with a space before and after the text", () => {
    assert.deepEqual([...ngramsOf("가가", [1, 2])].sort(), [" ", " 가", "가", "가 ", "가가"].sort());
    assert.ok(ngramsOf("a😀", [1, 1]).has("😀"));
  });

  it("refuses a player's line at the bar, and leaves names and NPC lines to the words", () => {
    const moderator = Moderator.fromFile(undefined, 0, { model, bar: model.suggestedBar });
    const verdict = moderator.checkPlayerLine(UNLISTED_INSULTS[0]!);
    assert.equal(verdict.blocked, true);
    assert.match(verdict.blocked ? verdict.term : "", /^toxicity 0\.\d{3} ≥ /);
    assert.equal(moderator.check(UNLISTED_INSULTS[0]!).blocked, false);
    const listed = moderator.checkPlayerLine("야 씨.발 뭐야");
    assert.ok(listed.blocked && !listed.term.startsWith("toxicity") && listed.toxicity !== undefined);
    // Without a bar the score is only given.
    const logged = Moderator.fromFile(undefined, 0, { model }).checkPlayerLine(UNLISTED_INSULTS[0]!);
    assert.equal(logged.blocked, false);
    assert.ok(logged.toxicity! >= model.suggestedBar);
    // A model with no weights scores every line 0.5: a bar of 0.5 refuses the line exactly at it.
    const even = new ToxicityModel({ format: "kobot-toxicity-1", ngrams: [1, 2], bias: 0, weights: {}, bar: 0.9 }, quiet);
    assert.equal(new Moderator(["바보놈"], undefined, { model: even, bar: 0.5 }).checkPlayerLine("안녕하세요").blocked, true);
  });

  it("scores a player's own words once a line, and no NPC answer, name or greeting: only a player's line uses the score", () => {
    /** The shipped model, counting the texts it scores. */
    class CountingModel extends ToxicityModel {
      readonly scored: string[] = [];
      override scoreNormalised(normalised: string) {
        this.scored.push(normalised);
        return super.scoreNormalised(normalised);
      }
    }
    const counting = new CountingModel(JSON.parse(readFileSync("moderation/toxicity.json", "utf8")) as ToxicityModelFile, quiet);
    const moderator = Moderator.fromFile(undefined, undefined, { model: counting, bar: model.suggestedBar });
    const answer: AnswerMessage = { v: CONTRACT_VERSION, questionId: "q1", roomId: "r1", npcId: "kobot", text: "좋은 하루예요", ms: 12, model: "m", withheld: "몰라요" };
    assert.equal(npcReply({ kind: "answer", answer }, "민수", moderator).blocked, false);
    assert.equal(moderator.check("민수").blocked, false);
    assert.deepEqual(counting.scored, [], "an NPC's answer, its unsure line and a name are held to the words alone");
    const question = "돈이 없네";
    // Addressed to an NPC: its words are the whole line's, its score the question's alone, read once.
    const addressed = moderator.checkPlayerLine(`@한스 ${question}`, question);
    assert.deepEqual(counting.scored, [moderator.scoredText(question)]);
    assert.equal(addressed.toxicity, model.scoreNormalised(moderator.scoredText(question)));
    const bare = moderator.checkPlayerLine(question);
    assert.deepEqual(counting.scored, [moderator.scoredText(question), moderator.scoredText(question)]);
    assert.equal(bare.toxicity, model.scoreNormalised(moderator.scoredText(question)));
  });

  it("takes its model and bar from TOXICITY_MODEL and TOXICITY_BAR, and names a bad one", () => {
    const base = { WORLD_FILE: "off", DATA_DIR: "off" };
    assert.equal(loadConfig(base).moderator!.checkPlayerLine(UNLISTED_INSULTS[0]!).blocked, false);
    assert.equal(loadConfig({ ...base, TOXICITY_BAR: "0.9" }).moderator!.checkPlayerLine(UNLISTED_INSULTS[0]!).blocked, true);
    assert.equal(loadConfig({ ...base, TOXICITY_MODEL: "off" }).moderator!.checkPlayerLine(UNLISTED_INSULTS[0]!).toxicity, undefined);
    assert.throws(() => loadConfig({ ...base, TOXICITY_BAR: "0.2" }), /TOXICITY_BAR.*at least 0\.5/s);
    assert.throws(() => loadConfig({ ...base, TOXICITY_BAR: "high" }), /TOXICITY_BAR/);
    assert.throws(() => loadConfig({ ...base, TOXICITY_MODEL: "off", TOXICITY_BAR: "0.9" }), /TOXICITY_BAR=0\.9: no score to hold lines to with TOXICITY_MODEL=off/);
    assert.throws(() => loadConfig({ ...base, TOXICITY_MODEL: "moderation/words.ko.txt" }), /TOXICITY_MODEL="moderation\/words\.ko\.txt": toxicity model/);
  });

  it("refuses at start a model whose weights, bias or bar are not finite numbers, naming TOXICITY_MODEL", () => {
    const dir = mkdtempSync(join(tmpdir(), "toxicity-"));
    const good = JSON.parse(readFileSync("moderation/toxicity.json", "utf8")) as ToxicityModelFile;
    const gram = Object.keys(good.weights)[0]!;
    const broken: [string, string][] = [
      ["a string weight", JSON.stringify({ ...good, weights: { ...good.weights, [gram]: "0.5" } })],
      ["an object weight", JSON.stringify({ ...good, weights: { ...good.weights, [gram]: { w: 1 } } })],
      // JSON.parse reads 1e999 as Infinity: every line it is in scored 1.
      ["an infinite weight", JSON.stringify({ ...good, weights: { ...good.weights, [gram]: 7 } }).replace(`${JSON.stringify(gram)}:7`, `${JSON.stringify(gram)}:1e999`)],
      ["a string bias", JSON.stringify({ ...good, bias: "1" })],
      ["a bar of 0", JSON.stringify({ ...good, bar: 0 })],
      ["a bar above 1", JSON.stringify({ ...good, bar: 1.5 })],
    ];
    assert.throws(() => new ToxicityModel({ ...good, ngrams: [3, 2] }, quiet), /not a toxicity model/, "ngrams [3, 2]: the longest before the shortest");
    for (const [what, text] of broken) {
      const file = join(dir, "model.json");
      writeFileSync(file, text);
      assert.throws(() => loadConfig({ WORLD_FILE: "off", DATA_DIR: "off", TOXICITY_MODEL: file, TOXICITY_BAR: "0.94" }), /TOXICITY_MODEL=.*(weight|bias|bar)/s, what);
    }
  });

  it("leaves a line unscored, neither refused nor given a score, where the score is no number, and says so once in 10 s", () => {
    const lines: { level: string; msg: string }[] = [];
    const file = JSON.parse(readFileSync("moderation/toxicity.json", "utf8")) as ToxicityModelFile;
    const broken = new ToxicityModel(file, createLogger({}, "debug", (line) => lines.push(JSON.parse(line))));
    // A weight gone bad after the load checked them (no file passes that check with one).
    const gram = [...ngramsOf(scorer.scoredText(GAME_CHAT[0]!), NGRAMS)].find((g) => g in file.weights)!;
    (broken as unknown as { weights: Map<string, number> }).weights.set(gram, Number.NaN);
    const moderator = Moderator.fromFile(undefined, 0, { model: broken, bar: 0.9 });
    const verdict = moderator.checkPlayerLine(GAME_CHAT[0]!);
    assert.deepEqual(verdict, { blocked: false });
    moderator.checkPlayerLine(`${GAME_CHAT[0]!}!`);
    assert.equal(lines.filter(({ level, msg }) => level === "error" && /no number/.test(msg)).length, 1);
  });
});

describe("toxicity score in the world room", function () {
  let world: TestWorld;
  const logged: ChatLogRecord[] = [];

  before(async () => {
    const chatLog = { publish: (record: ChatLogRecord) => void logged.push(record), flush: async () => {}, stop: async () => {} };
    world = await startTestWorld({ NPC_TIMEOUT_MS: "3000", TOXICITY_BAR: String(model.suggestedBar) }, { chatLog });
  });
  after(() => world.stop());

  it("refuses an insult no word list holds as it refuses a listed word, and logs every player line with its score", async () => {
    await world.bus.workerChannel().start(async (questions) => questions.map((q) => scriptedAnswer(q, "좋은 하루예요")));
    const a = await world.join("민수");
    const b = await world.joinBeside(a, "지영");
    const [insult, addressed] = [UNLISTED_INSULTS[0]!, `@kobot ${UNLISTED_INSULTS[1]!}`];
    a.room.send("chat", { text: insult });
    await waitFor("the moderated error", () => a.errors.find((e) => e.code === "moderated"));
    a.room.send("chat", { text: addressed });
    const refusal = await waitFor("the NPC's polite refusal", () => stateOf(b).chat.find((line) => line.kind === "npc"));
    assert.match(refusal.text, /고운 말로/);
    a.room.send("chat", { text: GAME_CHAT[0]! });
    await waitFor("the ordinary line", () => stateOf(b).chat.find((line) => line.text === GAME_CHAT[0]));
    assert.ok(!stateOf(b).chat.some((line) => line.text === insult || line.text === addressed));
    assert.deepEqual(a.errors.filter((e) => e.code === "moderated").map((e) => e.text), [insult, addressed]);
    const players = logged.filter((r) => r.kind === "player");
    const refused = players.filter((r) => r.moderated);
    assert.deepEqual(refused.map((r) => r.text), [insult, addressed]);
    for (const record of refused) assert.ok(record.toxicity! >= model.suggestedBar, `${record.text}: ${record.toxicity}`);
    const passed = players.find((r) => r.text === GAME_CHAT[0]);
    assert.ok(passed && !passed.moderated && passed.toxicity! < 0.5, JSON.stringify(passed));
    assert.equal(logged.find((r) => r.text === refusal.text)?.npc?.reason, "moderated_input");
  });
});

describe("toxicity score of a line to an NPC", function () {
  let world: TestWorld;
  const logged: ChatLogRecord[] = [];

  before(async () => {
    const chatLog = { publish: (record: ChatLogRecord) => void logged.push(record), flush: async () => {}, stop: async () => {} };
    world = await startTestWorld({ WORLD_FILE: "test/fixtures/worlds/two-npcs.yaml", NPC_TIMEOUT_MS: "3000" }, { chatLog });
  });
  after(() => world.stop());

  it("scores the question without the NPC's call: the same question to two NPCs scores as it does bare", async () => {
    await world.bus.workerChannel().start(async (questions) => questions.map((q) => scriptedAnswer(q, "좋은 하루예요")));
    const a = await world.join("민수");
    const question = "돈이 없네";
    const lines = [`@한스 ${question}`, `@미나 ${question}`, question];
    for (const text of lines) a.room.send("chat", { text });
    const records = await waitFor("the three lines logged", () => {
      const found = lines.map((text) => logged.find((r) => r.kind === "player" && r.text === text));
      return found.every(Boolean) ? found.map((r) => r!) : undefined;
    });
    const bare = roundedScore(scoreOf(question)!);
    // Read whole, "@한스 돈이 없네" scored several times its question: lines to some NPCs were refused at a bar, others not.
    assert.notEqual(roundedScore(scoreOf(lines[0]!)!), bare);
    assert.deepEqual(records.map((r) => r.toxicity), [bare, bare, bare]);
  });
});

const roundedScore = (score: number) => Math.round(score * 1000) / 1000;
