import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { createLogger } from "../common/log.js";
import { answerSources, processMetrics } from "../common/metrics.js";
import { ModelLoadError } from "../npc/errors.js";
import { DEFAULT_MODEL_DIR } from "../npc/engine/model-folder.js";
import { AnswerSends } from "../kafka/answer-sends.js";
import { type AnswerMessage, CONTRACT_VERSION, MODEL_NAME_MAX, type QuestionMessage } from "../kafka/contract.js";
import { NpcCast, REMEMBERED_REMOVALS, warnIfNotCast } from "../npc/npc-cast.js";
import { NpcWorker } from "../npc/worker/worker.js";
import { quiet } from "./helpers/world.js";

/** The shipped model under another name: a second model for the registry without a second training run. */
function renamedModel(name: string): string {
  const shipped = resolve(DEFAULT_MODEL_DIR);
  const dir = mkdtempSync(join(tmpdir(), "kobot-model-"));
  for (const file of readdirSync(shipped)) {
    if (file !== "config.json") symlinkSync(join(shipped, file), join(dir, file));
  }
  const config = JSON.parse(readFileSync(join(shipped, "config.json"), "utf8"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config, npc_model_name: name }));
  return dir;
}

describe("NpcCast (the worker's NPCs and its model registry)", function () {
  let cast: NpcCast;
  const knowledge = join(import.meta.dirname, "..", "npc", "knowledge");

  before(async () => {
    const other = renamedModel("kobot-other");
    const clerkFile = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), "clerk.jsonl");
    writeFileSync(clerkFile, '{"q": ["이름이 뭐야?", "성함이 어떻게 되세요?"], "a": "저는 서기 민지예요."}\n{"q": "민지 씨 가족 있어요?", "a": "{name} 님, 언니가 있어요."}\n{"q": "ㄱㅅㄱㅅ", "a": "천만에요."}\n');
    // A file name longer than an answer's `model` may be (100 characters): scripted answers name it.
    const longNamed = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), `${"blacksmith-".repeat(12)}.jsonl`);
    writeFileSync(longNamed, readFileSync(join(knowledge, "blacksmith.jsonl")));
    cast = await NpcCast.load([
      { npcId: "clerk", name: "민지", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: clerkFile, scriptedAbove: 0.8 },
      { npcId: "kobot", name: "코봇", model: "default", modelDir: DEFAULT_MODEL_DIR },
      { npcId: "hans", name: "한스", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: join(knowledge, "blacksmith.jsonl"), scriptedAbove: 0.8 },
      { npcId: "hans2", name: "한스", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: longNamed, scriptedAbove: 0.8 },
      { npcId: "mina", model: "other", modelDir: other, knowledge: join(knowledge, "baker.jsonl"), generation: { maxNewTokens: 8 } },
      // Every answer is less sure than 0; none is less sure than −20.
      { npcId: "shy", model: "default", modelDir: DEFAULT_MODEL_DIR, unsure: { below: 0, lines: ["글쎄요, 잘 모르겠어요."] } },
      { npcId: "bold", model: "default", modelDir: DEFAULT_MODEL_DIR, unsure: { below: -20, lines: ["글쎄요."], outOfCharacter: ["위로봇"] } },
      { npcId: "wary", model: "default", modelDir: DEFAULT_MODEL_DIR, unsure: { below: 0, lines: ["글쎄요.", "잘 모르겠네요."] } },
      // Lets through any answer it copied from a shown pair, none it composed.
      { npcId: "strict", model: "default", modelDir: DEFAULT_MODEL_DIR, unsure: { below: -20, composedBelow: 0, lines: ["글쎄요."] } },
      { npcId: "guide", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: join(knowledge, "guide.jsonl"), unsure: { below: 0, lines: ["글쎄요."] } },
      {
        npcId: "smith", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: join(knowledge, "blacksmith.jsonl"),
        unsure: { below: 0, knowledgeAbove: 0.4, lines: ["허허, 모르겠네."] },
      },
    ]);
  });
  after(() => cast.dispose());

  /** How many answers of this NPC the worker counted from this source (kobot_npc_answer_source_total). */
  const counted = async (npc: string, source: string) =>
    (await answerSources.get()).values.find((v) => v.labels.npc === npc && v.labels.source === source)?.value ?? 0;
  /** A worker over the cast, fed directly (no transport). */
  const newWorker = () => new NpcWorker(cast, { kind: "in-process", start: async () => {}, stop: async () => {} }, quiet);
  const question = (npcId: string, text: string): QuestionMessage => ({
    v: CONTRACT_VERSION, questionId: `q-${npcId}-${text}`, roomId: "r", npcId, playerId: "p", playerName: "민수", text, ts: Date.now(),
  });

  it("loads each model folder once and shares its engine between the NPCs that use it", () => {
    assert.equal(cast.engines.length, 2);
    assert.match(cast.models[1]!, /^kobot-other:q8$/);
    assert.equal(cast.brainFor("kobot").engine, cast.brainFor("hans").engine);
    assert.equal(cast.brainFor("kobot").queue, cast.brainFor("hans").queue, "one batching queue per model");
    assert.notEqual(cast.brainFor("mina").engine, cast.brainFor("kobot").engine);
  });

  it("builds one index of a knowledge file for the NPCs that know it (one per model folder)", () => {
    assert.equal(cast.brainFor("hans").options.knowledge, cast.brainFor("smith").options.knowledge, "blacksmith.jsonl, once");
    assert.notEqual(cast.brainFor("hans").options.knowledge, cast.brainFor("hans2").options.knowledge, "another file");
  });

  it("builds its own index for an NPC its file's questions call by name, and shares the others' again after an edit", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), "clerks.jsonl");
    writeFileSync(file, '{"q": "민지 씨 가족 있어요?", "a": "언니가 있어요."}\n{"q": "이름이 뭐야?", "a": "서기예요."}\n');
    const clerks = await NpcCast.load(["민지", "수아", "하나"].map((name, i) => ({ npcId: `c${i}`, name, model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: file, scriptedAbove: 0.8 })));
    try {
      const index = (npcId: string) => clerks.brainFor(npcId).options.knowledge!;
      assert.notEqual(index("c0"), index("c1"), "민지 hears 민지 씨 가족 있어요? without her name");
      assert.equal(index("c1"), index("c2"));
      assert.deepEqual(clerks.brainFor("c0").scriptedLine("가족 있어요?")?.text, "언니가 있어요.");
      assert.equal(clerks.brainFor("c1").scriptedLine("가족 있어요?"), undefined, "수아 is not 민지");
      assert.deepEqual(clerks.brainFor("c1").scriptedLine("민지 씨 가족 있어요?")?.text, "언니가 있어요.");
      const before = index("c1");
      assert.deepEqual(clerks.replaceKnowledge(file, [{ q: "이름이 뭐야?", a: "새 서기예요." }]).sort(), ["c0", "c1", "c2"]);
      assert.notEqual(index("c1"), before);
      assert.equal(index("c0"), index("c1"), "no line calls 민지 now");
      assert.equal(index("c1"), index("c2"));
      assert.deepEqual(clerks.brainFor("c2").scriptedLine("이름이 뭐야?")?.text, "새 서기예요.");
    } finally {
      await clerks.dispose();
    }
  });

  it("says a knowledge line as written only for an NPC that asks for it, and only for a close question", () => {
    assert.deepEqual(cast.brainFor("hans").scriptedLine("이름이 뭐야"), { text: "나는 대장장이 한스야.", source: "knowledge:blacksmith.jsonl" });
    assert.equal(cast.brainFor("hans").scriptedLine("오늘 날씨 어때?"), undefined, "no close question in his file");
    assert.equal(cast.brainFor("mina").scriptedLine("이름이 뭐야?"), undefined, "mina's knowledge is only shown to the model");
    assert.equal(cast.brainFor("kobot").scriptedLine("이름이 뭐야?"), undefined);
    assert.equal(cast.brainFor("hans").scriptedLine("검이랑 방패를 팔지"), undefined, "a player echoing a line has not asked for it");
  });

  it("names a knowledge file in what an answer's `model` can carry, cut short when its name is long", () => {
    const source = cast.brainFor("hans2").scriptedLine("이름이 뭐야")?.source ?? "";
    assert.equal(source.length, MODEL_NAME_MAX);
    assert.ok(source.startsWith("knowledge:blacksmith-blacksmith-"), source);
  });

  it("says a line as written for any of the ways its knowledge file lists to ask for it", () => {
    const line = { text: "저는 서기 민지예요.", source: "knowledge:clerk.jsonl" };
    assert.deepEqual(cast.brainFor("clerk").scriptedLine("성함이 어떻게 되세요?"), line, "no letter in common with 이름이 뭐야");
    assert.deepEqual(cast.brainFor("clerk").scriptedLine("이름이 뭐야"), line);
  });

  it("says a line whose question names the NPC when asked word for word: it hears both without its name", () => {
    const line = { text: "{name} 님, 언니가 있어요.", source: "knowledge:clerk.jsonl" };
    assert.deepEqual(cast.brainFor("clerk").scriptedLine("민지 씨 가족 있어요?"), line);
    assert.deepEqual(cast.brainFor("clerk").scriptedLine("가족 있어요?"), line);
  });

  it("hears its file's questions as players' lines: shorthand in the file matches shorthand or the plain word", () => {
    const line = { text: "천만에요.", source: "knowledge:clerk.jsonl" };
    assert.deepEqual(cast.brainFor("clerk").scriptedLine("ㄱㅅ"), line);
    assert.deepEqual(cast.brainFor("clerk").scriptedLine("고마워"), line);
  });

  it("tells apart in its answers two folders of one model name (a copy), by their names in the world file", async () => {
    const [first, second] = [renamedModel("kobot-copy"), renamedModel("kobot-copy")];
    const twins = await NpcCast.load([
      { npcId: "a", model: "shop", modelDir: first },
      { npcId: "b", model: "inn", modelDir: second },
      { npcId: "c", model: "default", modelDir: DEFAULT_MODEL_DIR },
    ]);
    try {
      assert.deepEqual(twins.models.map((name) => name.replace(/:.*/, "")), ["kobot-copy@shop", "kobot-copy@inn", cast.models[0]!.replace(/:.*/, "")]);
      const worker = new NpcWorker(twins, { kind: "in-process", start: async () => {}, stop: async () => {} }, quiet);
      const answers = await worker.answerAll([question("a", "배고파"), question("b", "배고파")]);
      assert.deepEqual(answers.map((answer) => answer.model), ["kobot-copy@shop:q8", "kobot-copy@inn:q8"]);
    } finally {
      await twins.dispose();
    }
    // A replaced thread loads the models the process started with, by their names in the world file, not their folders'.
    const again = await NpcCast.load([{ npcId: "a", model: "shop", modelDir: first }], { alsoModels: [{ model: "inn", modelDir: second }] });
    try {
      assert.deepEqual(again.models.map((name) => name.replace(/:.*/, "")), ["kobot-copy@shop", "kobot-copy@inn"]);
    } finally {
      await again.dispose();
    }
  });

  it("fails to load with the missing model's error when no model of the world loads, leaving nothing unhandled", async () => {
    // An unhandled rejection ends a worker thread, and the embedded server with it.
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", note);
    try {
      for (const order of [["/nowhere/model", "/elsewhere/model"], ["/elsewhere/model", "/nowhere/model"]]) {
        await assert.rejects(
          NpcCast.load(order.map((modelDir, i) => ({ npcId: `npc${i}`, model: `m${i}`, modelDir }))),
          (error: Error) => error instanceof ModelLoadError && new RegExp(`${order[0]}/config\\.json`).test(error.message),
        );
      }
    } finally {
      process.off("unhandledRejection", note);
    }
    assert.deepEqual(unhandled, []);
  });

  // One broken model silenced every NPC of the world (the embedded worker said fallback lines for all of them, and a
  // Kafka worker restarted for good).
  it("casts the NPCs whose model loaded when another's did not: those answer, its own answer model_unavailable", async () => {
    const broken = mkdtempSync(join(tmpdir(), "kobot-broken-model-"));
    writeFileSync(join(broken, "config.json"), "{ not json");
    // Files that load, a model that fails its first answers: another export's tokenizer, ids past the embedding table.
    const mismatched = join(mkdtempSync(join(tmpdir(), "kobot-mismatched-model-")), "model");
    cpSync(DEFAULT_MODEL_DIR, mismatched, { recursive: true });
    const tokenizer = JSON.parse(readFileSync(join(mismatched, "tokenizer.json"), "utf8"));
    tokenizer.model.vocab = Object.fromEntries(Object.entries(tokenizer.model.vocab as Record<string, number>).map(([token, id]) => [token, id > 10 ? id + 100_000 : id]));
    writeFileSync(join(mismatched, "tokenizer.json"), JSON.stringify(tokenizer));
    const ran = await NpcCast.load([{ npcId: "lost", model: "m", modelDir: mismatched }, { npcId: "kept", model: "d", modelDir: DEFAULT_MODEL_DIR }]);
    assert.deepEqual([...ran.unloaded.keys()], [mismatched]);
    assert.match(ran.unloaded.get(mismatched)!.message, /loaded but failed its first answers/);
    await ran.dispose();
    for (const order of [[broken, DEFAULT_MODEL_DIR], [DEFAULT_MODEL_DIR, broken]]) {
      const partial = await NpcCast.load(order.map((modelDir) => ({ npcId: modelDir === broken ? "lost" : "kept", model: "m", modelDir })));
      try {
        assert.deepEqual([...partial.unloaded.keys()], [broken]);
        assert.deepEqual(partial.npcsOn(broken), ["lost"]);
        const logged: string[] = [];
        const log = createLogger({}, "info", (line) => logged.push(line));
        const worker = new NpcWorker(partial, { kind: "in-process", start: async () => {}, stop: async () => {} }, log);
        await worker.start();
        assert.ok(logged.some((line) => line.includes("NPC model not loaded") && line.includes(broken) && line.includes('"lost"')), logged.join("\n"));
        assert.match(await processMetrics(), /^kobot_npc_models_unloaded 1$/m);
        const [lost, kept] = await worker.answerAll([question("lost", "안녕"), question("kept", "안녕")]);
        assert.equal(lost!.error?.code, "model_unavailable");
        assert.match(lost!.error!.message, /config\.json/);
        assert.equal(kept!.error, undefined);
        assert.notEqual(kept!.text, "");
        // An edit that moves it onto the model that loaded gives it a brain.
        assert.deepEqual(partial.replaceSettings([{ npcId: "lost", model: "d", modelDir: DEFAULT_MODEL_DIR }, { npcId: "kept", model: "m", modelDir: DEFAULT_MODEL_DIR }]), ["lost", "kept"]);
        const [found] = await worker.answerAll([question("lost", "안녕")]);
        assert.equal(found!.error, undefined);
        assert.deepEqual(partial.unloadedInUse(), [], "no NPC speaks with the folder now");
        // One moved onto it answers as a restart would cast it: model_unavailable, not from the model it had.
        partial.replaceSettings([{ npcId: "lost", model: "d", modelDir: DEFAULT_MODEL_DIR }, { npcId: "kept", model: "m", modelDir: broken }]);
        assert.equal((await worker.answerAll([question("kept", "안녕")]))[0]!.error?.code, "model_unavailable");
        assert.deepEqual(partial.unloadedInUse(), [broken]);
      } finally {
        await partial.dispose();
      }
    }
  });

  it("knows game chat's shorthand for the words of its knowledge file: ㅎㅇ is 안녕, ㄱㅅ is 고마워", async () => {
    assert.deepEqual(cast.brainFor("hans").scriptedLine("ㅎㅇ"), cast.brainFor("hans").scriptedLine("안녕"));
    assert.equal(cast.brainFor("hans").scriptedLine("ㄱㅅ")?.text, "별말을. 또 필요하면 찾아오게.");
    const [hello, bye] = await newWorker().answerAll([question("hans", "하이요"), question("hans", "바이바이~")]);
    assert.equal(hello!.text, "어서 오게. 대장간엔 무슨 일인가?");
    assert.equal(bye!.text, "조심히 가게. 마을 밖은 험하다네.");
    assert.equal(cast.brainFor("hans").scriptedLine("hi 한스")?.text, "어서 오게. 대장간엔 무슨 일인가?", "called by name");
    assert.equal(cast.brainFor("hans").scriptedLine("한스 씨, 이름이 뭐야?")?.text, "나는 대장장이 한스야.");
    assert.equal(cast.brainFor("hans").scriptedLine("한스야 이름이 머야ㅋㅋ??")?.text, "나는 대장장이 한스야.", "as typed in chat");
    const plain = await cast.brainFor("kobot").queue.ask("ㅂㅂ", {});
    assert.equal(plain.question, "잘가", "the model, too, is asked the spelled-out line");
  });

  it("answers a line with its name, ㅋㅋ or ~~ as the plain line: the model never learnt game chat's trimmings", async () => {
    const worker = newWorker();
    // The shipped model's answers to these lines with the name were others (EVAL.md's everyday questions).
    const lines = ["숙제가 너무 많아", "노래 추천해 줘", "오늘 진짜 덥네"];
    const plain = await worker.answerAll(lines.map((line) => question("kobot", line)));
    const called = await worker.answerAll(lines.flatMap((line) => [question("kobot", `코봇아 ${line}`), question("kobot", `코봇, ${line}`)]));
    assert.deepEqual(called.map((answer) => answer.text), plain.flatMap((answer) => [answer.text, answer.text]));
    const chatty = await worker.answerAll(lines.flatMap((line) => [`${line} ㅋㅋ`, `코봇아 ${line}ㅠㅠ`, `${line}~~`, `${line}?`].map((typed) => question("kobot", typed))));
    assert.deepEqual(chatty.map((answer) => answer.text), plain.flatMap((answer) => Array(4).fill(answer.text)), "laughing, crying, the line's end");
    const stranger = await cast.brainFor("nobody").queue.ask(cast.brainFor("nobody").hear("코봇아 숙제가 너무 많아"), {});
    assert.equal(stranger.question, "코봇아 숙제가 너무 많아", "an NPC knows only its own name");
  });

  it("answers a legal line however it is typed, beside others in its batch: one typed without spaces, one cut to fit", async () => {
    const worker = newWorker();
    // 170 characters without a space: heard with spaces put back, it is over 200, which the raw line is not.
    const unspaced = "오늘학교에서친구랑크게다퉜는데왜그랬는지모르겠어".repeat(8).slice(0, 170);
    // 200 characters of chat: cut to its end that fits the model, that end read again is longer than the room it
    // was cut to (it failed the whole batch: every other player heard a fallback).
    const chunks = "잠이안와서큰일이야내일시험인데공부를하나도못했어어떡하지배고파밥먹고싶은데돈이없어서편의점도못가";
    let cut = "hey ";
    for (let k = 1; [...cut].length < 200; k += 3) cut += chunks.slice(k % 40, (k % 40) + 5) + "ㅋㅋ";
    cut = [...cut].slice(0, 200).join("");
    const engine = cast.brainFor("kobot").engine;
    const fitted = engine.checkQuestion(engine.readLine(cut), engine.defaults, { fit: true, heard: true });
    assert.throws(() => engine.checkQuestion(fitted), /tokens/, "the line as cut, read again, no longer fits");
    const [before, long, spaceless, after] = await worker.answerAll([question("kobot", "배고파"), question("kobot", cut), question("kobot", unspaced), question("kobot", "잠이 안 와")]);
    for (const answer of [before, long, spaceless, after]) assert.equal(answer!.error, undefined, JSON.stringify(answer!.error));
    const [alone] = await worker.answerAll([question("kobot", "배고파")]);
    assert.equal(before!.text, alone!.text, "the others answered as they are alone");
  });

  it("answers with each NPC's own model, knowledge and settings; a stranger NPC gets the first model", async () => {
    const ask = (npcId: string) => {
      const brain = cast.brainFor(npcId);
      return brain.queue.ask("이름이 뭐야?", brain.options);
    };
    const [kobot, hans, mina, stranger] = await Promise.all([ask("kobot"), ask("hans"), ask("mina"), ask("nobody")]);
    const shown = (answer: { context: { q: string; a: string }[] }) => ({ q: answer.context.at(-1)?.q, a: answer.context.at(-1)?.a });
    assert.deepEqual(shown(hans), { q: "이름이 뭐야?", a: "나는 대장장이 한스야." }, "hans is shown his own line first");
    assert.deepEqual(shown(mina), { q: "이름이 뭐야?", a: "저는 빵집 주인 미나예요." });
    assert.ok(!kobot.context.some((p) => p.a.includes("한스") || p.a.includes("미나")), "kobot has no knowledge file");
    assert.match(mina.model, /^kobot-other:/);
    assert.ok(mina.tokens <= 8, "mina's maxNewTokens");
    assert.equal(stranger.model, kobot.model);
    assert.equal(hans.model, kobot.model);
  });

  it("says a server's world file gives an NPC another model (logged once per NPC), and refuses a question to one it does not know on another model than its stand-in's", async () => {
    const logged: string[] = [];
    const worker = new NpcWorker(cast, { kind: "kafka", start: async () => {}, stop: async () => {} }, createLogger({}, "info", (line) => logged.push(line)));
    const asked = (npcId: string, model?: string): QuestionMessage => ({ ...question(npcId, "여기서 뭐 팔아?"), ...(model ? { model } : {}) });
    const [moved, agreed, older, strangerMoved, strangerAgreed] = await worker.answerAll([
      asked("hans", "big"), // the server restarted with a world file where hans speaks with "big"; this worker's says "default"
      asked("hans", "default"),
      asked("hans"), // an older server: nothing to check
      asked("guard", "big"), // not in this worker's world: its stand-in speaks with "default"
      asked("guard", "default"),
    ]);
    assert.equal(strangerMoved!.error?.code, "model_unavailable", "not answered as someone else");
    assert.match(strangerMoved!.error!.message, /"big" in the server's world file and is not in this worker's world file/);
    for (const answer of [moved, agreed, older, strangerAgreed]) assert.equal(answer!.error, undefined, JSON.stringify(answer));
    assert.equal(moved!.text, "검이랑 방패를 팔지.", "hans as this worker's file has him (in a rolling change it may be the newer)");
    const said = logged.filter((line) => line.includes("another world file"));
    assert.equal(said.length, 2, "once per NPC");
    assert.match(said[0]!, /\\"big\\" in the server's world file and speaks with model \\"default\\" in this worker's/);
  });

  it("takes an edit that names an NPC's model folder otherwise (an alias of it) as the world's name for it from then on", async () => {
    const aliased = await NpcCast.load([{ npcId: "hans", model: "default", modelDir: DEFAULT_MODEL_DIR }]);
    try {
      aliased.replaceSettings([{ npcId: "hans", model: "smithy", modelDir: DEFAULT_MODEL_DIR }]);
      assert.equal(aliased.otherModel("hans", "smithy"), undefined, "the rooms took the same edit: they agree");
      assert.match(aliased.otherModel("hans", "default")!, /"default" in the server's world file and speaks with model "smithy"/);
    } finally {
      await aliased.dispose();
    }
  });

  it("says an NPC's unsure line instead of an answer the model was less sure of than its bar, and keeps that answer", async () => {
    const worker = newWorker();
    const [kobot, shy, bold] = await worker.answerAll([question("kobot", "배고파"), question("shy", "배고파"), question("bold", "배고파")]);
    assert.ok(kobot!.confidence! < 0 && kobot!.withheld === undefined, "no unsure lines: the answer, with its confidence");
    assert.equal(shy!.text, "글쎄요, 잘 모르겠어요.");
    assert.equal(shy!.withheld, kobot!.text, "the model's answer is kept for the chat log");
    assert.equal(shy!.confidence, kobot!.confidence);
    assert.equal(bold!.text, kobot!.text, "sure enough for a bar of −20");
    assert.equal(bold!.withheld, undefined);
    const said: string[] = [];
    for (let i = 0; i < 6; i++) said.push((await worker.answerAll([question("wary", "배고파")]))[0]!.text);
    assert.ok(said.every((text, i) => i === 0 || text !== said[i - 1]), `never the same unsure line twice in a row: ${said.join(" / ")}`);
  });

  it("says an unsure line when the model said nothing, however sure it was of that", async () => {
    // The shipped model's greedy answer to this question is empty (test/npc.engine.test.ts).
    const [bold] = await newWorker().answerAll([question("bold", "뭡")]);
    assert.equal(bold!.text, "글쎄요.", "bold's bar of −20 would let any said answer through");
    assert.equal(bold!.withheld, "");
    assert.equal(bold!.error, undefined);
  });

  it("never withholds an NPC's own line, however unsure the model was of its words", async () => {
    const before = await counted("guide", "own_line");
    const [guide] = await newWorker().answerAll([question("guide", "대장간 가려면 어떻게 가?")]);
    assert.equal(await counted("guide", "own_line"), before + 1, "counted as an own line");
    assert.equal(guide!.source, "own_line");
    assert.equal(guide!.text, "광장에서 북서쪽으로 가면 한스의 대장간이 있어요.", "the line of guide.jsonl, as written");
    assert.ok(guide!.confidence! < -1, `the model's words these are not: ${guide!.confidence}`);
    assert.equal(guide!.withheld, undefined);
  });

  it("holds the answers the model composed to the stricter composedBelow bar, and copies of a shown answer to below", async () => {
    const before = [await counted("strict", "copied"), await counted("strict", "unsure_line")];
    const [copy, composed] = await newWorker().answerAll([question("strict", "점심 뭐 먹을까"), question("strict", "이 마을은 처음이야")]);
    assert.deepEqual([await counted("strict", "copied"), await counted("strict", "unsure_line")], [before[0]! + 1, before[1]! + 1], "counted by source");
    const kobot = cast.brainFor("kobot");
    const model = await Promise.all(["점심 뭐 먹을까", "이 마을은 처음이야"].map((q) => kobot.queue.ask(q, kobot.options)));
    assert.ok(model[0]!.copied && !model[1]!.copied, "the first answer repeats a shown answer, the second does not");
    assert.equal(copy!.text, model[0]!.text, "a copy passes below −20");
    assert.equal(copy!.withheld, undefined);
    assert.equal(copy!.source, "copied");
    assert.equal(composed!.text, "글쎄요.", "a composed answer is below 0");
    assert.equal(composed!.withheld, model[1]!.text);
    assert.equal(composed!.source, "unsure_line");
  });

  it("does not say an answer out of character, however sure the model was of it", async () => {
    const [kobot, bold] = await newWorker().answerAll([question("kobot", "누구세요?"), question("bold", "누구세요?")]);
    assert.match(kobot!.text, /위로봇/, "the model's training persona, said with confidence");
    assert.ok(kobot!.confidence! > -0.6);
    assert.equal(bold!.text, "글쎄요.", "bold's bar of −20 lets any answer through, but not this one");
    assert.equal(bold!.withheld, kobot!.text);
  });

  it("says its closest knowledge line instead of an unsure line when that line is near enough", async () => {
    const worker = newWorker();
    // The model answers "이름이 뭐예요?" from its training ("저는 …"), not with the line shown to it.
    const [near, far] = await worker.answerAll([question("smith", "이름이 뭐예요?"), question("smith", "배고파요")]);
    assert.equal(near!.text, "나는 대장장이 한스야.");
    assert.equal(near!.model, "knowledge:blacksmith.jsonl");
    assert.equal(near!.source, "knowledge_unsure");
    assert.ok(near!.withheld && near!.withheld !== near!.text, "the model's answer is kept for the chat log");
    assert.equal(far!.text, "허허, 모르겠네.", "no line of the file is near 배고파요");
    assert.match(far!.model, /^kobot-gpt2/);
  });

  it("finds a fact by the words of its line: asked about shields, the smith says what he sells", async () => {
    // blacksmith.jsonl: "여기서 뭐 팔아?" → "검이랑 방패를 팔지."; "방패 있어요?" shares no word with that question.
    const [smith] = await newWorker().answerAll([question("smith", "방패 있어요?")]);
    assert.equal(smith!.text, "검이랑 방패를 팔지.");
    assert.equal(smith!.model, "knowledge:blacksmith.jsonl");
  });

  it("tells its hang watch of each batch as it starts and as it ends, an answered one and one that hangs", async () => {
    const marks: string[] = [];
    const hangs = { started: () => (marks.push("start"), () => void marks.push("end")) };
    const worker = new NpcWorker(cast, { kind: "kafka", start: async () => {}, stop: async () => {} }, quiet, { hangs });
    const answered = await worker.answerAll([question("kobot", "배고파")]);
    assert.equal(answered[0]!.error, undefined);
    assert.deepEqual(marks, ["start", "end"]);
    const queue = cast.brainFor("kobot").queue;
    const ask = queue.ask;
    queue.ask = () => new Promise(() => {}); // a call that never returns
    try {
      void worker.answerAll([question("kobot", "오늘 뭐 해?")]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(marks, ["start", "end", "start"], "in flight until it answers");
    } finally {
      queue.ask = ask;
    }
  });


  it("sends a batch's answers on before the next batch's prefill holds the thread, and a scripted line before the model's batch", async () => {
    const engine = cast.brainFor("kobot").engine;
    const answerChecked = engine.answerChecked;
    const events: string[] = [];
    engine.answerChecked = (...args) => (events.push(`batch of ${args[0].length}`), answerChecked.apply(engine, args));
    try {
      const sends = new AnswerSends(async (answers) => void events.push(`sent ${answers.length}`));
      const asked = Array.from({ length: 24 }, (_, i) => question("kobot", `배고파 ${i}`));
      await sends.settle(await newWorker().answerAll([...asked, question("clerk", "ㄱㅅ")], sends.ready));
      assert.deepEqual(events, ["sent 1", "batch of 16", "sent 16", "batch of 8", "sent 8"]);
    } finally {
      engine.answerChecked = answerChecked;
    }
  });

  it("still lists every answer when the callback told of them throws", async () => {
    const answers = await newWorker().answerAll([question("kobot", "배고파"), question("clerk", "ㄱㅅ")], () => {
      throw new Error("a channel's bug");
    });
    assert.deepEqual(answers.map((answer) => [answer.npcId, answer.error]), [["kobot", undefined], ["clerk", undefined]]);
  });

  it("tells each answer as it is done, while the list waits on a slower model: its channel need not hold them", async () => {
    const queue = cast.brainFor("kobot").queue;
    const ask = queue.ask;
    let release: () => void = () => {};
    // The default model's batch is held until the others were told; mina's model and clerk's scripted line are not.
    queue.ask = (...args) => new Promise((resolve) => void (release = () => resolve(ask.apply(queue, args))));
    try {
      const told: string[] = [];
      let listed = false;
      const list = newWorker().answerAll([question("kobot", "배고파"), question("mina", "빵 있어요?"), question("clerk", "ㄱㅅ")], (answer) => {
        told.push(answer.npcId);
      }).then((answers) => ((listed = true), answers));
      const until = performance.now() + 20_000;
      while (told.length < 2 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.deepEqual(told, ["clerk", "mina"], "the scripted line at once, then the other model's batch");
      assert.equal(listed, false, "the list still waits for the held batch");
      release();
      const answers = await list;
      assert.deepEqual(told, ["clerk", "mina", "kobot"]);
      assert.deepEqual(answers.map((answer) => answer.npcId), ["kobot", "mina", "clerk"], "the list in the order asked");
      assert.ok(answers.every((answer) => answer.error === undefined && answer.text !== ""));
    } finally {
      queue.ask = ask;
    }
  });
  it("casts an NPC added, or given another file, on a loaded model; one whose file cannot be read is left out, and said so", () => {
    const newcomer = { npcId: "newcomer", name: "신입", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: join(knowledge, "baker.jsonl"), scriptedAbove: 0.8 };
    const lost = { npcId: "lost", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: join(knowledge, "nowhere.jsonl") };
    const stranger = { npcId: "far", model: "far", modelDir: "/models/not-loaded" };
    const taken = cast.replaceSettings([newcomer, lost, stranger]);
    assert.deepEqual(taken, ["newcomer"]);
    assert.equal(cast.brainFor("newcomer").scriptedLine("빵 얼마야?")?.text, "식빵 한 덩이에 동전 세 닢이에요.");
    assert.equal(cast.brainFor("lost"), cast.brainFor("someone nobody cast"), "answered as a stranger");
    const logged: Array<{ msg: string; npcs: unknown[] }> = [];
    warnIfNotCast([newcomer, lost, stranger], taken, createLogger({}, "info", (line) => logged.push(JSON.parse(line) as (typeof logged)[number])));
    assert.deepEqual(logged.map((l) => [l.msg, l.npcs]), [[
      "NPCs not cast anew (a knowledge file unreadable, or a model not loaded here): they answer as before, one new as a stranger",
      [{ npcId: "lost", knowledge: lost.knowledge, model: "default" }, { npcId: "far", model: "far" }],
    ]]);

    // Given the smith's lines instead: cast anew.
    assert.deepEqual(cast.replaceSettings([{ ...newcomer, knowledge: join(knowledge, "blacksmith.jsonl") }]), ["newcomer"]);
    assert.equal(cast.brainFor("newcomer").scriptedLine("여기서 뭐 팔아?")?.text, "검이랑 방패를 팔지.");
  });

  // Its old brain came back with the lines it had when it left: what was written to its file meanwhile never heard.
  it("casts an NPC taken out of the world and added back anew, with its knowledge file as it is now", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), "guard.jsonl");
    writeFileSync(file, '{"q": "여기서 뭐 해?", "a": "성문을 지키네."}\n');
    const guard = { npcId: "guard", name: "경비", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: file, scriptedAbove: 0.8 };
    const newcomer = { npcId: "newcomer", name: "신입", model: "default", modelDir: DEFAULT_MODEL_DIR };
    cast.replaceSettings([guard, newcomer]);
    assert.equal(cast.brainFor("guard").scriptedLine("여기서 뭐 해?")?.text, "성문을 지키네.");
    cast.replaceSettings([newcomer]);
    assert.equal(cast.isStranger("guard"), false, "one just taken out is no stranger to a question in flight");
    writeFileSync(file, '{"q": "여기서 뭐 해?", "a": "휴가에서 돌아왔네."}\n');
    assert.deepEqual(cast.replaceSettings([guard, newcomer]), ["guard", "newcomer"]);
    assert.equal(cast.brainFor("guard").scriptedLine("여기서 뭐 해?")?.text, "휴가에서 돌아왔네.");
  });

  it("keeps an NPC's last unsure line only while it is in the world: added back, it starts afresh", async () => {
    const newcomer = { npcId: "newcomer", model: "default", modelDir: DEFAULT_MODEL_DIR };
    const doubtful = { npcId: "doubtful", model: "default", modelDir: DEFAULT_MODEL_DIR, generation: { maxNewTokens: 4 }, unsure: { below: 0, lines: ["글쎄요.", "잘 모르겠네요."] } };
    const worker = newWorker();
    const random = Math.random;
    Math.random = () => 0; // the first of the lines it may say
    try {
      cast.replaceSettings([newcomer, doubtful]);
      assert.equal((await worker.answerAll([question("doubtful", "배고파")]))[0]!.text, "글쎄요.");
      cast.replaceSettings([newcomer]);
      cast.replaceSettings([newcomer, doubtful]);
      assert.equal((await worker.answerAll([question("doubtful", "배고파")]))[0]!.text, "글쎄요.", "the worker kept nothing of it once it left");
    } finally {
      Math.random = random;
    }
  });

  it("takes the series of NPCs no longer in the world out of /metrics, and keeps the others'", async () => {
    const newcomer = { npcId: "newcomer", name: "신입", model: "default", modelDir: DEFAULT_MODEL_DIR, knowledge: join(knowledge, "blacksmith.jsonl"), scriptedAbove: 0.8 };
    answerSources.inc({ npc: "hans", source: "composed" });
    answerSources.inc({ npc: "newcomer", source: "scripted" });
    cast.replaceSettings([newcomer]); // hans and the others removed from the world
    const npcs = async () => new Set((await answerSources.get()).values.map((v) => v.labels.npc));
    for (let tries = 0; (await npcs()).has("hans") && tries < 50; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(!(await npcs()).has("hans"));
    assert.ok((await npcs()).has("newcomer"));
  });

  it("remembers only the most recent NPCs taken out of the world: one long gone is a stranger again", () => {
    const newcomer = { npcId: "newcomer", model: "default", modelDir: DEFAULT_MODEL_DIR };
    const extras = Array.from({ length: REMEMBERED_REMOVALS + 1 }, (_, i) => ({ npcId: `extra${i}`, model: "default", modelDir: DEFAULT_MODEL_DIR }));
    cast.replaceSettings([newcomer, ...extras]);
    cast.replaceSettings([newcomer]); // every extra taken out, the first of them first
    assert.equal(cast.isStranger("extra0"), true, "forgotten: more were taken out after it than the cast remembers");
    assert.equal(cast.isStranger(`extra${REMEMBERED_REMOVALS}`), false, "one just taken out is no stranger to a question in flight");
  });
});

describe("AnswerSends (a worker's answers on their way out)", () => {
  const answerOf = (id: string) => ({ v: CONTRACT_VERSION, questionId: id, roomId: "r", npcId: "kobot", text: "응", ms: 1, model: "kogpt2" }) as AnswerMessage;

  it("settle rejects with the send's failure: a Kafka slice's offsets must not be resolved", async () => {
    const sends = new AnswerSends(async () => {
      throw new Error("broker away");
    });
    await assert.rejects(sends.settle([answerOf("q1")]), /broker away/);
  });

  it("sends an answer told ready on the next turn, before settle is called", async () => {
    const sent: string[][] = [];
    const sends = new AnswerSends(async (answers) => void sent.push(answers.map((a) => a.questionId)));
    sends.ready(answerOf("q1"));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(sent, [["q1"]]);
  });
});
