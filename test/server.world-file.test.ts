import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Moderator } from "../moderation/moderator.js";
import { DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";
import { loadConfig } from "../server/config.js";
import {
  forgetKnowledgeCheck, KNOWLEDGE_MAX_LINES, KNOWLEDGE_MAX_WAYS, loadWorldFile, MAX_NPCS, readCheckedKnowledge, WorldFileError,
} from "../server/world-files/world-file.js";
import { savedAsCp949, savedAsUtf16 } from "./helpers/saved-as.js";

const root = join(import.meta.dirname, "..");
const bounds = DEFAULT_WORLD_SETTINGS.bounds;

/** The shipped word list, counting the texts it is asked of. */
function countingModerator(): { moderator: Moderator; checks: () => number } {
  const moderator = Moderator.fromFile();
  let checks = 0;
  const check = moderator.check.bind(moderator);
  moderator.check = (text) => (checks++, check(text));
  return { moderator, checks: () => checks };
}

function worldFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kobot-world-"));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("World file", () => {
  it("reads the shipped village: three NPCs, each with its place, knowledge and model", () => {
    const world = loadWorldFile(join(root, "worlds", "village.yaml"), "/models/of-MODEL_DIR", bounds);
    assert.deepEqual(world.npcs.map((n) => [n.id, n.name]), [["kobot", "코봇"], ["hans", "한스"], ["mina", "미나"]]);
    assert.equal(world.hearing.mode, "room");
    const hans = world.brains.find((b) => b.npcId === "hans")!;
    assert.equal(hans.knowledge, join(root, "npc", "knowledge", "blacksmith.jsonl"));
    assert.equal(hans.scriptedAbove, 0.8);
    assert.equal(hans.modelDir, "/models/of-MODEL_DIR", "the default model: MODEL_DIR's, not one the file names");
    assert.deepEqual(world.brains.find((b) => b.npcId === "mina")!.generation, { maxNewTokens: 24 });
    assert.deepEqual(Object.keys(world.npcs.find((n) => n.id === "hans")!.events ?? {}), ["quest_done"], "the game's backend can thank a player through the smith");
    assert.deepEqual(world.npcs.find((n) => n.id === "mina")!.route, { points: [{ x: 12, z: -4 }], speed: 1.2, pauseSeconds: 10 }, "the baker walks");
    assert.equal(world.brains.find((b) => b.npcId === "kobot")!.knowledge, join(root, "npc", "knowledge", "guide.jsonl"), "the guide knows the village");
    assert.equal(hans.unsure?.below, -0.6);
    assert.equal(hans.unsure?.composedBelow, -0.35);
    assert.equal(hans.unsure?.knowledgeAbove, 0.4);
    assert.ok(hans.unsure?.outOfCharacter?.includes("위로봇"), "the model's training persona is not the blacksmith");
    assert.ok(hans.unsure!.lines.length > 0);
  });

  it("reads names and lines saved as separate jamo composed, as players' lines arrive", () => {
    const text = JSON.stringify({ npcs: [{ id: "solo", name: "솔로", position: { x: 1, y: 0, z: 2 }, greetings: ["어서 와, {name}!"] }] });
    const world = loadWorldFile(worldFile("w.json", text.normalize("NFD")), "/models/default", bounds);
    assert.equal(world.npcs[0]!.name, "솔로");
    assert.deepEqual(world.npcs[0]!.greetings, ["어서 와, {name}!"]);
  });

  it("fills defaults: room-wide hearing, everyone in sight, talk radius, no greetings, a polite call reply, the default model", () => {
    const path = worldFile("w.json", JSON.stringify({ npcs: [{ id: "solo", name: "솔로", position: { x: 1, y: 0, z: 2 } }] }));
    const world = loadWorldFile(path, "/models/default", bounds);
    assert.deepEqual(world.hearing, { mode: "room", radius: 15 });
    assert.deepEqual(world.sight, { radius: 0 });
    assert.deepEqual(world.npcs[0], { id: "solo", name: "솔로", model: "default", x: 1, y: 0, z: 2, talkRadius: 12, greetings: [], callReplies: ["네, {name} 님? 궁금한 걸 말씀해 주세요."], greetAgainSeconds: 30, idleLines: [], idleEverySeconds: 45 });
    assert.deepEqual(world.brains, [{ npcId: "solo", name: "솔로", model: "default", modelDir: "/models/default" }]);
  });

  it("reports every problem at once, with where it is", () => {
    const path = worldFile("bad.yaml", [
      "hearing: { mode: whisper }",
      "sight: { radius: -5 }",
      "models: { big: ./big-model }",
      "npcs:",
      "  - { id: a, name: 에이, position: { x: 0, y: 0, z: 0 }, model: huge, knowledge: nowhere.jsonl }",
      "  - { id: b, name: A, position: { x: 500, y: 0, z: 0 }, generation: { temperature: 9 } }",
      "  - { id: Bad Id, name: 셋, position: { x: 0, y: 0, z: 0 } }",
      "  - { id: d, name: 넷, position: { x: 0, y: 0, z: 0 }, unsure: { below: 0.5, composedBelow: 2, lines: [] } }",
      "  - { id: e, name: 다섯, position: { x: 0, y: 0, z: 0 }, route: { points: [], speed: 0 } }",
      "  - { id: f, name: 여섯, position: { x: 0, y: 0, z: 0 }, events: { 'boss down': [쓰러졌다!], quest_done: [] } }",
    ].join("\n"));
    const error = (() => {
      try {
        loadWorldFile(path, "npc/model", bounds);
      } catch (e) {
        return e as Error;
      }
    })();
    assert.ok(error instanceof WorldFileError);
    assert.match(error.message, /hearing\.mode: /);
    assert.match(error.message, /sight\.radius: .*0/);
    assert.match(error.message, /npcs\.2 \(Bad Id\)\.id: lower-case letters/);
    assert.match(error.message, /npcs\.3 \(d\)\.unsure\.below: .*0/);
    assert.match(error.message, /npcs\.3 \(d\)\.unsure\.composedBelow: .*0/);
    assert.match(error.message, /npcs\.3 \(d\)\.unsure\.lines: .*1/);
    assert.match(error.message, /npcs\.4 \(e\)\.route\.points: .*1/);
    assert.match(error.message, /npcs\.4 \(e\)\.route\.speed: .*0/);
    assert.match(error.message, /npcs\.5 \(f\)\.events\.boss down: an event id is 1–64 letters, digits/);
    assert.match(error.message, /npcs\.5 \(f\)\.events\.quest_done: .*1/);
    // …with the problems of the NPCs right in shape beside them (they came only once the shape was mended).
    assert.match(error.message, /npcs\.0 \(a\)\.model: "huge" is not in models \(default, big\)/);
    assert.match(error.message, /npcs\.0 \(a\)\.knowledge: .*nowhere\.jsonl does not exist/);
    assert.match(error.message, /npcs\.1 \(b\)\.position: \(500, 0, 0\) is outside the world's bounds/);
    assert.match(error.message, /models\.big: NPC model file missing/);
    assert.equal(error.message.match(/npcs\.2 /g)?.length, 1, "an NPC wrong in shape is said once, by its shape");
    // Once the shape is right, the cross-checks report together.
    const fixed = worldFile("bad2.yaml", [
      "models: { big: ./big-model }",
      "npcs:",
      "  - { id: a, name: 에이, position: { x: 0, y: 0, z: 0 }, model: huge, knowledge: nowhere.jsonl }",
      "  - { id: b, name: A, position: { x: 500, y: 0, z: 0 }, generation: { temperature: 9 }, scriptedAbove: 0.9,",
      "      unsure: { below: -1, knowledgeAbove: 0.4, lines: [음] }, route: { points: [{ x: 0, z: 0 }, { x: 0, z: -70 }] } }",
      "  - { id: c, name: 씨, position: { x: 0, y: 0, z: 0 }, greetingsAgain: [또 왔네] }",
    ].join("\n"));
    assert.throws(() => loadWorldFile(fixed, "npc/model", bounds), (e: Error) => {
      assert.match(e.message, /npcs\.0 \(a\)\.model: "huge" is not in models \(default, big\)/);
      assert.match(e.message, /npcs\.0 \(a\)\.knowledge: .*nowhere\.jsonl does not exist/);
      assert.match(e.message, /npcs\.1 \(b\): "A" is too like 에이 \(a\)/);
      assert.match(e.message, /models\.big: NPC model file missing: .*big-model\/config\.json/);
      assert.match(e.message, /npcs\.1 \(b\)\.position: \(500, 0, 0\) is outside the world's bounds/);
      assert.match(e.message, /npcs\.1 \(b\)\.route\.points\.1: \(0, -70\) is outside the world's bounds/);
      assert.match(e.message, /npcs\.1 \(b\)\.generation: temperature must be a number from 0\.05 to 2, got 9/);
      assert.match(e.message, /npcs\.1 \(b\)\.scriptedAbove: needs a knowledge file/);
      assert.match(e.message, /npcs\.1 \(b\)\.unsure\.knowledgeAbove: needs a knowledge file/);
      assert.match(e.message, /npcs\.2 \(c\)\.greetingsAgain: needs greetings/);
      return true;
    });
  });

  it("refuses an NPC past any face of the world's bounds, and takes one on its corner", () => {
    const at = (x: number, y: number, z: number) => () =>
      loadWorldFile(worldFile("w.json", JSON.stringify({ npcs: [{ id: "a", name: "에이", position: { x, y, z } }] })), "npc/model", bounds);
    const faces = [[500, 0, 0], [-500, 0, 0], [0, 500, 0], [0, -1, 0], [0, 0, 500], [0, 0, -500]] as const;
    for (const [x, y, z] of faces) assert.throws(at(x, y, z), new RegExp(`\\(${x}, ${y}, ${z}\\) is outside the world's bounds`), `(${x}, ${y}, ${z})`);
    const corner = at(bounds.maxX, bounds.maxY, bounds.maxZ)().npcs[0]!;
    assert.deepEqual([corner.x, corner.y, corner.z], [bounds.maxX, bounds.maxY, bounds.maxZ]);
  });

  it("names every unknown decoding setting at once, with the known ones and the spelling meant, and a quoted number as such", () => {
    const path = worldFile("gen.yaml", [
      "npcs:",
      "  - { id: a, name: 에이, position: { x: 0, y: 0, z: 0 }, generation: { max-new-tokens: 16, sample: true } }",
      "  - { id: b, name: 비, position: { x: 1, y: 0, z: 0 }, generation: { maxNewTokens: \"16\" } }",
    ].join("\n"));
    assert.throws(() => loadWorldFile(path, "npc/model", bounds), (e: Error) => {
      assert.match(e.message, /npcs\.1 \(b\)\.generation\.maxNewTokens: a number, or true or false \(doSample\), not in quotes/);
      return true;
    });
    writeFileSync(path, "npcs:\n  - { id: a, name: 에이, position: { x: 0, y: 0, z: 0 }, generation: { max-new-tokens: 16, sample: true } }\n");
    assert.throws(() => loadWorldFile(path, "npc/model", bounds), (e: Error) => {
      assert.match(e.message, /npcs\.0 \(a\)\.generation: unknown generation settings "max-new-tokens" \(maxNewTokens\?\), "sample"; known: maxNewTokens, doSample, temperature, topK, topP, repetitionPenalty, candidates, relevanceWeight/);
      return true;
    });
  });

  it("refuses names players could not tell apart or call, lets an NPC's name be its id, and cleans names as chat is", () => {
    const npc = (id: string, name: string, x = 0) => ({ id, name, position: { x, y: 0, z: 0 } });
    const load = (...npcs: object[]) => loadWorldFile(worldFile("w.json", JSON.stringify({ npcs })), "npc/model", bounds);
    assert.deepEqual(load(npc("hans", "Hans")).npcs.map((n) => n.name), ["Hans"], "its own id as its name");
    assert.equal(load(npc("noa", "노\u200b아"), npc("han", "한  스", 1)).npcs.map((n) => n.name).join(","), "노아,한 스");
    for (const [first, second] of [["미나", "미나야"], ["미나야", "미나"], ["한스", "한 스"], ["Kobot", "Kоbot"], ["geo", "ｇｅｏ"]] as const) {
      assert.throws(() => load(npc("one", first), npc("two", second, 1)), new RegExp(`npcs\\.1 \\(two\\): "${second}" is too like ${first} \\(one\\)`), second);
    }
    // A block pasted twice: said as such, not as a name "too like" its own copy.
    assert.throws(() => load(npc("one", "하나"), npc("two", "둘"), npc("one", "하나", 1)), (e: Error) => {
      assert.match(e.message, /npcs\.2 \(one\)\.id: "one" is already the id of npcs\.0: each NPC needs an id of its own/);
      assert.doesNotMatch(e.message, /too like/);
      return true;
    });
    // Pasted three times: each copy said once, naming the first.
    assert.throws(() => load(npc("one", "하나"), npc("one", "하나", 1), npc("one", "하나", 2)), (e: Error) => {
      assert.deepEqual(e.message.match(/npcs\.\d \(one\)\.id: "one" is already the id of npcs\.\d/g), [
        'npcs.1 (one).id: "one" is already the id of npcs.0',
        'npcs.2 (one).id: "one" is already the id of npcs.0',
      ]);
      return true;
    });
  });

  it("takes YAML merge keys, so NPCs can share settings", () => {
    const path = worldFile("w.yaml", [
      "shy: &shy { talkRadius: 5, unsure: { below: -0.6, lines: [음…] } }",
      "npcs:",
      "  - { <<: *shy, id: a, name: 에이, position: { x: 0, y: 0, z: 0 } }",
      "  - { <<: *shy, id: b, name: 비, position: { x: 1, y: 0, z: 0 }, talkRadius: 9 }",
    ].join("\n"));
    assert.throws(() => loadWorldFile(path, "npc/model", bounds), /\(top\): Unrecognized key.*shy/, "the anchor's own key is not a world field");
    const world = loadWorldFile(worldFile("w.yaml", readFileSync(path, "utf8").replace("shy: &shy", "x-shy: &shy")), "npc/model", bounds);
    assert.deepEqual(world.npcs.map((npc) => npc.talkRadius), [5, 9]);
    assert.deepEqual(world.brains.map((brain) => brain.unsure?.lines), [["음…"], ["음…"]]);
  });

  it("refuses a placeholder other than {name} in lines said to players, game events' too", () => {
    const load = (greeting: string) =>
      loadWorldFile(worldFile("w.json", JSON.stringify({ npcs: [{ id: "a", name: "에이", position: { x: 0, y: 0, z: 0 }, greetings: [greeting] }] })), "npc/model", bounds);
    assert.deepEqual(load("어서 와, {name}! {name} 맞지?").npcs[0]!.greetings, ["어서 와, {name}! {name} 맞지?"]);
    for (const typo of ["어서 와, {Name}!", "어서 와, { name }!", "어서 와, {이름}!"]) {
      assert.throws(() => load(typo), new RegExp(`npcs\\.0 \\(a\\)\\.greetings\\.0: ${JSON.stringify(typo).replace(/[{}()]/g, "\\$&")}: only \\{name\\} is filled in`), typo);
    }
    const events = (line: string) =>
      loadWorldFile(worldFile("e.json", JSON.stringify({ npcs: [{ id: "a", name: "에이", position: { x: 0, y: 0, z: 0 }, events: { quest_done: [line] } }] })), "npc/model", bounds);
    assert.deepEqual(events("{name}, 수고했어!").npcs[0]!.events, { quest_done: ["{name}, 수고했어!"] });
    assert.throws(() => events("{player}, 수고했어!"), /npcs\.0 \(a\)\.events\.quest_done\.0: "\{player\}, 수고했어!": only \{name\} is filled in/);
    // Doubled braces (another engine's templates) were said as "{민수}".
    for (const line of ["{{name}}, 수고했어!", "{name}}, 수고했어!", "{ name }, 수고했어!"]) {
      assert.throws(() => events(line), /npcs\.0 \(a\)\.events\.quest_done\.0: ".*": only \{name\} is filled in/, line);
    }
    // Unsure lines answer the asker ({name} is theirs); idle lines are said to everyone near, with no name to fill in.
    const npc = (more: object) => loadWorldFile(worldFile("i.json", JSON.stringify({ npcs: [{ id: "a", name: "에이", position: { x: 0, y: 0, z: 0 }, ...more }] })), "npc/model", bounds);
    assert.deepEqual(npc({ unsure: { below: -1, lines: ["{name}, 그건 모르겠네."] } }).brains[0]!.unsure?.lines, ["{name}, 그건 모르겠네."]);
    assert.throws(() => npc({ unsure: { below: -1, lines: ["{nmae}, 그건 모르겠네."] } }), /npcs\.0 \(a\)\.unsure\.lines\.0: "\{nmae\}, 그건 모르겠네\.": only \{name\} is filled in/);
    assert.throws(() => npc({ idleLines: ["{name}, 오늘 날씨 좋지?"] }), /npcs\.0 \(a\)\.idleLines\.0: said to everyone near, .*no \{placeholder\}/);
  });

  it("names each model folder one way, however written (relative, a link), so it is loaded once; refuses names no model has", () => {
    const shipped = join(root, "npc", "model");
    const linked = join(mkdtempSync(join(tmpdir(), "kobot-linked-model-")), "model");
    symlinkSync(shipped, linked);
    const file = worldFile("same.yaml", [`models: { big: ${JSON.stringify(shipped + "/")}, linked: ${JSON.stringify(linked)} }`, "npcs:",
      "  - { id: a, name: 에이, position: { x: 0, y: 0, z: 0 } }",
      "  - { id: b, name: 비비, position: { x: 0, y: 0, z: 0 }, model: big }",
      "  - { id: c, name: 씨씨, position: { x: 0, y: 0, z: 0 }, model: linked }"].join("\n"));
    const cwd = process.cwd();
    process.chdir(root);
    try {
      assert.deepEqual(new Set(loadWorldFile(file, "npc/model", bounds).brains.map((brain) => brain.modelDir)), new Set([shipped]));
      assert.equal(loadConfig({ WORLD_FILE: "off", MODEL_DIR: "npc/model/" }).brains[0]!.modelDir, shipped);
    } finally {
      process.chdir(cwd);
    }
    const inherited = worldFile("constructor.yaml", ["npcs:", "  - { id: a, name: 에이, position: { x: 0, y: 0, z: 0 }, model: constructor }"].join("\n"));
    assert.throws(() => loadWorldFile(inherited, "npc/model", bounds), /npcs\.0 \(a\)\.model: "constructor" is not in models \(default\)/);
  });

  it("checks a models folder for the graphs the workers load (MODEL_DTYPE): one without the int8 graphs is refused for q8", () => {
    // The shipped model without its int8 graphs: its other files linked, as an export made before them.
    const dir = mkdtempSync(join(tmpdir(), "kobot-fp32-model-"));
    mkdirSync(join(dir, "onnx"));
    const shipped = join(root, "npc", "model");
    for (const file of readdirSync(shipped)) if (file !== "onnx") symlinkSync(join(shipped, file), join(dir, file));
    for (const file of readdirSync(join(shipped, "onnx"))) if (!file.includes("int8")) symlinkSync(join(shipped, "onnx", file), join(dir, "onnx", file));
    const file = worldFile("models.yaml", [`models: { old: ${JSON.stringify(dir)} }`, "npcs:", "  - { id: a, name: 에이, position: { x: 0, y: 0, z: 0 }, model: old }"].join("\n"));
    assert.equal(loadWorldFile(file, "npc/model", bounds).brains[0]!.modelDir, dir);
    assert.equal(loadWorldFile(file, "npc/model", bounds, undefined, "fp32").brains[0]!.modelDir, dir);
    assert.throws(() => loadWorldFile(file, "npc/model", bounds, undefined, "q8"), /models\.old: NPC model file missing: .*model_prefill_int8\.onnx/);
  });

  it("reads each knowledge file at start: a byte order mark is fine; a bad line, a folder or an over-long answer stop it", () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-knowledge-"));
    const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), name);
    const files = {
      bom: write("bom.jsonl", '\uFEFF{"q": "이름이 뭐야?", "a": "에이야."}\r\n'),
      bad: write("bad.jsonl", '{"q": "이름?", "a": "에이"}\n{"q": "나이?"'),
      long: write("long.jsonl", JSON.stringify({ q: "이야기해 줘", a: "옛날 옛적에 ".repeat(40) })),
      typo: write("typo.jsonl", '{"q": "안녕", "a": "{player}, 어서 와."}\n'),
      twice: write("twice.jsonl", '{"q": "이름이 뭐야?", "a": "에이야."}\n{"q": ["성함이?", "이름이 뭐야"], "a": "비야."}\n{"q": "성함이?", "a": "비야."}'),
      // The action of a line said is found by its words: the shop opened for "뭐 팔아?" and not for "상점 열어 줘".
      acting: write("acting.jsonl", '{"q": "뭐 팔아?", "a": "검이랑 방패를 팔지."}\n{"q": "상점 열어 줘", "a": "검이랑 방패를 팔지.", "action": "open_shop"}\n'),
    };
    const world = (knowledge: string) =>
      worldFile("w.json", JSON.stringify({ npcs: [{ id: "a", name: "에이", position: { x: 0, y: 0, z: 0 }, knowledge: join(dir, knowledge) }] }));
    assert.equal(loadWorldFile(world(files.bom), "npc/model", bounds).brains[0]!.knowledge, join(dir, files.bom));
    assert.throws(() => loadWorldFile(world(files.bad), "npc/model", bounds), /npcs\.0 \(a\)\.knowledge: .*bad\.jsonl:2: not JSON/);
    assert.throws(() => loadWorldFile(world(files.long), "npc/model", bounds), /long\.jsonl:1: an answer of 279 characters \(at most 200/);
    assert.throws(() => loadWorldFile(world("."), "npc/model", bounds), /is a folder; name the knowledge file in it/);
    assert.throws(() => loadWorldFile(world(files.typo), "npc/model", bounds), /typo\.jsonl:1: "\{player\}, 어서 와\.": only \{name\} is filled in/);
    assert.throws(() => loadWorldFile(world(files.twice), "npc/model", bounds), /twice\.jsonl:2: "이름이 뭐야" is asked for two answers \("에이야\.", line 1; "비야\.", line 2\): only the first/);
    assert.throws(() => loadWorldFile(world(files.acting), "npc/model", bounds), /acting\.jsonl:2: "검이랑 방패를 팔지\." is the answer of lines with different actions \(none, line 1; open_shop, line 2\)/);
    // Every problem of a file at once: an author mended one a run, and ran the check again for the next.
    const many = write("many.jsonl", [
      '{"q": ["누구세요?"], "a": "저는 어부예요."}', '{"q": ["누구세요?"], "a": "어부라니까요."}', '{"q": "뭐 팔아요?", "a": "고등어요.", "action": "open shop"}',
      '{"q": "생선", "answer": "x"}', '{"q": "가격", "a": 3}', "{",
    ].join("\n"));
    assert.throws(() => loadWorldFile(world(many), "npc/model", bounds), (e: Error) => {
      for (const said of [/many\.jsonl:3: "action" must be/, /many\.jsonl:4: needs "q"/, /many\.jsonl:5: needs "q"/, /many\.jsonl:6: not JSON/, /"누구세요\?" is asked for two answers/]) {
        assert.match(e.message, said);
      }
      return true;
    });
    // …20 of them at most: a FAQ pasted twice was hundreds of KB in one message (and one log line at each save).
    const pasted = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ q: `질문 ${i}`, a: `답 ${i}` }));
    const twiceOver = write("twice-over.jsonl", [...pasted, ...pasted.map((line) => line.replace('"답', '"다른 답'))].join("\n"));
    assert.throws(() => loadWorldFile(world(twiceOver), "npc/model", bounds), (e: Error) => {
      assert.equal(e.message.match(/is asked for two answers/g)?.length, 20);
      assert.match(e.message, /…and 2980 more problems/);
      assert.ok(e.message.length < 10_000, `${e.message.length} characters`);
      return true;
    });
  });

  it("names the line of each problem found in a knowledge file's pairs: a long answer, a stray placeholder, both lines of a question asked twice, a blocked word", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), "lines.jsonl");
    writeFileSync(file, [
      '{"q": "안녕", "a": "어서 와."}',
      "", // a blank line counts, as an editor counts it
      JSON.stringify({ q: "이야기해 줘", a: "옛날 옛적에 ".repeat(40) }),
      '{"q": "이름이 뭐야?", "a": "{player}, 나는 에이야."}',
      '{"q": "이름이 뭐야", "a": "에이라고 해."}',
      '{"q": "기분 어때?", "a": "아 씨발 최악이야."}',
      JSON.stringify({ q: ["뭐 물어볼까", "가".repeat(201)], a: "뭐든지." }),
      '{"q": "뭐 팔아?", "a": "검을 팔지."}',
      '{"q": "상점 열어 줘", "a": "검을 팔지.", "action": "open_shop"}',
    ].join("\n"));
    const read = readCheckedKnowledge(file, Moderator.fromFile());
    assert.ok("problem" in read);
    for (const said of [
      /lines\.jsonl:3: an answer of 279 characters/,
      /lines\.jsonl:4: "\{player\}, 나는 에이야\.": only \{name\} is filled in/,
      /lines\.jsonl:5: "이름이 뭐야" is asked for two answers \("\{player\}, 나는 에이야\.", line 4; "에이라고 해\.", line 5\)/,
      /lines\.jsonl:6: "아 씨발 최악이야\." holds "씨발", which moderation blocks/,
      /lines\.jsonl:7: a question of 201 characters/,
      /lines\.jsonl:9: "검을 팔지\." is the answer of lines with different actions \(none, line 8; open_shop, line 9\)/,
    ]) {
      assert.match(read.problem, said);
    }
    // Where the pairs go, the line is not: the index, the prompts and the worker's thread see them as before.
    writeFileSync(file, '{"q": "안녕", "a": "어서 와."}\n\n{"q": "뭐 팔아?", "a": "검을 팔지.", "action": "open_shop"}\n');
    assert.deepEqual(readCheckedKnowledge(file, undefined), { pairs: [{ q: "안녕", a: "어서 와." }, { q: "뭐 팔아?", a: "검을 팔지.", action: "open_shop" }] });
  });

  it("refuses a world or knowledge file not saved in UTF-8, naming its first line that is not: CP949 (Notepad's \"ANSI\", Excel) or UTF-16", () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-encoding-"));
    const write = (name: string, bytes: Buffer) => (writeFileSync(join(dir, name), bytes), join(dir, name));
    const hans = (knowledge?: string) => ({ npcs: [{ id: "hans", name: "한스", position: { x: 0, y: 0, z: 0 }, ...(knowledge ? { knowledge } : {}) }] });
    const knowledge = '{"q": "hi", "a": "hello."}\n{"q": "이름이 뭐야?", "a": "한스야."}\n';
    const notUtf8 = (line: number) => new RegExp(`:${line}: not UTF-8 \\(saved as ANSI/EUC-KR\\?\\): save it as UTF-8`);
    const utf16 = /:1: not UTF-8 \(saved as UTF-16 \(Notepad's "Unicode"\)\): save it as UTF-8/;

    // Read as UTF-8 anyway, its Korean became U+FFFD: the NPC's lines never matched, and the check said nothing.
    const cp949Knowledge = write("cp949.jsonl", savedAsCp949(knowledge));
    const withCp949 = write("w.json", Buffer.from(JSON.stringify(hans(cp949Knowledge))));
    assert.throws(() => loadWorldFile(withCp949, "npc/model", bounds), (e: Error) => {
      assert.match(e.message, new RegExp(`npcs\\.0 \\(hans\\)\\.knowledge: ${cp949Knowledge}${notUtf8(2).source}`));
      return true;
    });
    // A live edit is refused with the same words (knowledge-reload.ts).
    const reread = readCheckedKnowledge(cp949Knowledge, undefined);
    assert.match("problem" in reread ? reread.problem : "", notUtf8(2));
    assert.match("problem" in reread ? reread.problem : "", /^\//, "the path and line first, not inside a \"cannot read\"");

    // A world file's NPC names were U+FFFD, and nobody could call them.
    const cp949World = write("cp949.yaml", savedAsCp949("npcs:\n  - id: hans\n    name: 한스\n    position: { x: 0, y: 0, z: 0 }\n"));
    assert.throws(() => loadWorldFile(cp949World, "npc/model", bounds), (e: Error) => {
      assert.ok(e instanceof WorldFileError);
      assert.match(e.message, new RegExp(`^bad world file ${cp949World}:\n  ${cp949World}${notUtf8(3).source}`));
      return true;
    });

    // Notepad's "Unicode": refused before as "not JSON", which did not say what to do.
    for (const bigEndian of [false, true]) {
      const utf16World = write("utf16.json", savedAsUtf16(JSON.stringify(hans()), { bigEndian }));
      assert.throws(() => loadWorldFile(utf16World, "npc/model", bounds), utf16);
      const utf16Knowledge = write("utf16.jsonl", savedAsUtf16(knowledge, { bigEndian }));
      assert.throws(() => loadWorldFile(write("w16.json", Buffer.from(JSON.stringify(hans(utf16Knowledge)))), "npc/model", bounds), utf16);
    }
    // Saved as UTF-8, the same files are good.
    const good = write("good.jsonl", Buffer.from(knowledge));
    assert.equal(loadWorldFile(write("good.json", Buffer.from(JSON.stringify(hans(good)))), "npc/model", bounds).npcs[0]!.name, "한스");
  });

  it(`takes up to ${MAX_NPCS} NPCs, and says so of more`, () => {
    const syllables = [..."가나다라마바사아자차카타파하"];
    const world = (count: number) => worldFile("w.json", JSON.stringify({
      npcs: Array.from({ length: count }, (_, i) => ({
        id: `n${i}`, name: `${syllables[i % 14]}${syllables[Math.floor(i / 14) % 14]}${"봇"}`, position: { x: (i % 10) * 5 - 25, y: 0, z: Math.floor(i / 10) * 4 - 25 },
      })),
    }));
    assert.equal(loadWorldFile(world(MAX_NPCS), "npc/model", bounds, Moderator.fromFile()).npcs.length, MAX_NPCS);
    assert.throws(() => loadWorldFile(world(MAX_NPCS + 1), "npc/model", bounds), new RegExp(`npcs: at most ${MAX_NPCS} NPCs in a world`));
  });

  it("checks a knowledge file that several NPCs share once, and names its problems for each of them", () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-knowledge-"));
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ q: `질문 ${i}번`, a: `대답 ${i}번이에요.` }));
    writeFileSync(join(dir, "shared.jsonl"), lines.join("\n"));
    writeFileSync(join(dir, "bad.jsonl"), '{"q": "이름?", "a": "에이"}\n{"q": "나이?"');
    const world = (file: string, count: number) => worldFile("w.json", JSON.stringify({
      npcs: Array.from({ length: count }, (_, i) => ({ id: `n${i}`, name: `엔피씨${"가나다라"[i]}`, position: { x: i, y: 0, z: 0 }, knowledge: join(dir, file) })),
    }));
    const checksFor = (count: number) => {
      const { moderator, checks } = countingModerator();
      loadWorldFile(world("shared.jsonl", count), "npc/model", bounds, moderator);
      return checks();
    };
    const [one, four] = [checksFor(1), checksFor(4)];
    assert.ok(one >= lines.length, `${one} checks: the file's answers are moderated`);
    assert.ok(four - one < lines.length, `${one} checks for one NPC, ${four} for four: the file was checked again`);
    assert.throws(() => loadWorldFile(world("bad.jsonl", 3), "npc/model", bounds, Moderator.fromFile()), (error: Error) =>
      [0, 1, 2].every((i) => new RegExp(`npcs\\.${i} \\(n${i}\\)\\.knowledge: .*bad\\.jsonl:2: not JSON`).test(error.message)));
  });

  it("checks a knowledge file again at the next load only once it changed (an edit that moves an NPC reads none)", () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-knowledge-"));
    const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ q: `질문 ${i}번`, a: `대답 ${i}번이에요.` })).join("\n");
    const [kept, changed] = [join(dir, "kept.jsonl"), join(dir, "changed.jsonl")];
    // Saved an hour ago: a file changed just before its check is checked again (its time could stay the same).
    const anHourAgo = Date.now() / 1000 - 3600;
    for (const file of [kept, changed]) (writeFileSync(file, lines), utimesSync(file, anHourAgo, anHourAgo));
    const world = (x: number) => worldFile("w.json", JSON.stringify({ npcs: [
      { id: "a", name: "에이", position: { x, y: 0, z: 0 }, knowledge: kept },
      { id: "b", name: "비", position: { x: 0, y: 0, z: 1 }, knowledge: changed },
    ] }));
    const moderator = Moderator.fromFile();
    assert.equal(loadWorldFile(world(0), "npc/model", bounds, moderator).npcs.length, 2);
    // Broken in place with its size and time kept: a check of it would say so, so the next load shows which were read.
    writeFileSync(kept, `x${lines.slice(1)}`);
    utimesSync(kept, anHourAgo, anHourAgo);
    writeFileSync(changed, `${lines}\n{"q": "나이?"`);
    assert.throws(() => loadWorldFile(world(1), "npc/model", bounds, moderator), (error: Error) => {
      assert.match(error.message, /npcs\.1 \(b\)\.knowledge: .*changed\.jsonl:51: not JSON/, "the changed file is checked again");
      assert.doesNotMatch(error.message, /kept\.jsonl/, "the file as it was is not read again");
      return true;
    });
    forgetKnowledgeCheck(kept); // as the knowledge watcher does when it sees the file change
    assert.throws(() => loadWorldFile(world(2), "npc/model", bounds, moderator), /npcs\.0 \(a\)\.knowledge: .*kept\.jsonl:1: not JSON/);
    // Mended, its size and time kept again: the same moderator has its check; another word list checks it anew.
    writeFileSync(kept, lines);
    utimesSync(kept, anHourAgo, anHourAgo);
    assert.throws(() => loadWorldFile(world(3), "npc/model", bounds, moderator), /kept\.jsonl:1: not JSON/);
    assert.throws(() => loadWorldFile(world(3), "npc/model", bounds, Moderator.fromFile()), (error: Error) => !/kept\.jsonl/.test(error.message));
  });

  it("moderates again only the answers a knowledge file has new, as it is checked again (an edit, the world file's)", () => {
    const file = join(mkdtempSync(join(tmpdir(), "kobot-knowledge-")), "big.jsonl");
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ q: `질문 ${i}번`, a: `대답 ${i}번이에요.` }));
    writeFileSync(file, lines.join("\n"));
    const { moderator, checks } = countingModerator();
    assert.ok("pairs" in readCheckedKnowledge(file, moderator));
    assert.equal(checks(), 200);
    writeFileSync(file, [...lines.slice(1), JSON.stringify({ q: "새 질문", a: "새 대답이에요." })].join("\n"));
    assert.ok("pairs" in readCheckedKnowledge(file, moderator));
    assert.equal(checks(), 201, "only the new answer");
    assert.ok("pairs" in readCheckedKnowledge(file, moderator));
    assert.equal(checks(), 201, "none: the file as it was");
    const other = countingModerator(); // another word list: its own verdicts
    readCheckedKnowledge(file, other.moderator);
    assert.equal(other.checks(), 200);
  });

  it(`refuses a knowledge file of more than ${KNOWLEDGE_MAX_LINES} lines, a line asked more than ${KNOWLEDGE_MAX_WAYS} ways, a question longer than a chat line`, () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-knowledge-"));
    const write = (name: string, rows: object[]) => (writeFileSync(join(dir, name), rows.map((row) => JSON.stringify(row)).join("\n")), join(dir, name));
    const problem = (path: string) => {
      const read = readCheckedKnowledge(path, undefined);
      return "problem" in read ? read.problem : "";
    };
    const many = (count: number) => Array.from({ length: count }, (_, i) => ({ q: `질문 ${i}번`, a: `대답 ${i}번.` }));
    assert.equal(problem(write("most.jsonl", many(KNOWLEDGE_MAX_LINES))), "");
    assert.match(problem(write("more.jsonl", many(KNOWLEDGE_MAX_LINES + 1))), new RegExp(`${KNOWLEDGE_MAX_LINES + 1} lines; at most ${KNOWLEDGE_MAX_LINES}`));
    const ways = (count: number) => [{ q: Array.from({ length: count }, (_, i) => `${i}번으로 묻기`), a: "대답." }];
    assert.equal(problem(write("ways.jsonl", ways(KNOWLEDGE_MAX_WAYS))), "");
    assert.match(problem(write("wide.jsonl", ways(KNOWLEDGE_MAX_WAYS + 1))), new RegExp(`"대답\\." is asked ${KNOWLEDGE_MAX_WAYS + 1} ways; at most ${KNOWLEDGE_MAX_WAYS}`));
    assert.match(problem(write("long.jsonl", [{ q: "가".repeat(201), a: "대답." }])), /a question of 201 characters \(at most 200/);
  });

  it("refuses scripted lines that moderation would replace: knowledge answers and unsure lines, unless the word list allows them", () => {
    const dir = mkdtempSync(join(tmpdir(), "kobot-knowledge-"));
    writeFileSync(join(dir, "rough.jsonl"), '{"q": "어디서 왔어?", "a": "시발역 근처에서 왔지."}\n{"q": "기분 어때?", "a": "아 씨발 최악이야."}\n');
    writeFileSync(join(dir, "mild.jsonl"), '{"q": "어디서 왔어?", "a": "시발역 근처에서 왔지."}\n');
    const world = (knowledge: string, unsureLine = "글쎄, 잘 모르겠어.") =>
      worldFile("w.json", JSON.stringify({
        npcs: [{ id: "a", name: "에이", position: { x: 0, y: 0, z: 0 }, knowledge: join(dir, knowledge), unsure: { below: -1, lines: [unsureLine] } }],
      }));
    const moderator = Moderator.fromFile();
    assert.equal(loadWorldFile(world("mild.jsonl"), "npc/model", bounds, moderator).brains.length, 1, "시발역 is an allowed word");
    assert.throws(
      () => loadWorldFile(world("rough.jsonl", "몰라 병신아."), "npc/model", bounds, moderator),
      (error: Error) =>
        /npcs\.0 \(a\)\.knowledge: .*rough\.jsonl:2: "아 씨발 최악이야\." holds "씨발", which moderation blocks.*`!word` line/.test(error.message) &&
        /npcs\.0 \(a\)\.unsure\.lines\.0: "몰라 병신아\." holds "병신"/.test(error.message),
    );
    assert.equal(loadWorldFile(world("rough.jsonl"), "npc/model", bounds).brains.length, 1, "moderation off: said as written");
    const words = join(dir, "words.txt");
    writeFileSync(words, "병신\n");
    const config = (env: NodeJS.ProcessEnv) => () => loadConfig({ WORLD_FILE: world("rough.jsonl"), ...env });
    assert.throws(config({}), /WORLD_FILE=.*씨발/s, "the default word list");
    assert.doesNotThrow(config({ MODERATION_WORDS: words }), "a studio's own word list");
    assert.doesNotThrow(config({ MODERATION_WORDS: "off" }));
    assert.throws(config({ MODERATION_WORDS: join(dir, "none.txt") }), /MODERATION_WORDS=".*none\.txt": moderation word list .*ENOENT/);
    // A list saved in CP949 banned only words nobody types: moderation was as good as off, without a word.
    writeFileSync(join(dir, "cp949.txt"), Buffer.concat([Buffer.from("# words\n"), savedAsCp949("병신\n")]));
    assert.throws(config({ MODERATION_WORDS: join(dir, "cp949.txt") }), /MODERATION_WORDS=".*cp949\.txt": moderation word list \/.*cp949\.txt:2: not UTF-8 \(saved as ANSI\/EUC-KR\?\)/);
  });

  it("refuses a key given twice in a JSON world file (JSON.parse keeps the last without a word)", () => {
    const text = '{"npcs": [{"id": "a", "name": "에이", "position": {"x": 0, "y": 0, "z": 0}, "name": "비"}]}';
    assert.throws(() => loadWorldFile(worldFile("w.json", text), "m", bounds), /not valid json: Map keys must be unique/);
  });

  it("says which file and line when it is not valid YAML or JSON", () => {
    assert.throws(() => loadWorldFile(worldFile("w.yaml", "npcs: [ { id: a"), "m", bounds), /bad world file .*w\.yaml:\n {2}not valid yaml/);
    assert.throws(() => loadWorldFile(worldFile("w.json", "{ nope"), "m", bounds), /not valid json/);
    assert.throws(() => loadWorldFile("/no/such/world.yaml", "m", bounds), /bad world file \/no\/such\/world\.yaml:\n {2}ENOENT/);
  });

  it("is WORLD_FILE in the server's configuration, refused with the variable's name when bad", () => {
    const config = loadConfig({ WORLD_FILE: join(root, "worlds", "village.yaml") });
    assert.deepEqual(config.world.npcs.map((n) => n.id), ["kobot", "hans", "mina"]);
    assert.equal(config.brains.length, 3);
    assert.throws(() => loadConfig({ WORLD_FILE: "/no/such.yaml" }), /WORLD_FILE="\/no\/such\.yaml": bad world file/);
  });
});
