import { Client, type ServerError } from "@colyseus/sdk";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { matchMaker } from "@colyseus/core";

import { createLogger } from "../common/log.js";
import { npcAnswersIgnored } from "../common/metrics.js";
import { CONTRACT_VERSION } from "../kafka/contract.js";
import { brainlessAnswers } from "../npc/worker/brainless-answers.js";
import { ModelLoadError } from "../npc/errors.js";
import { type NpcWorker } from "../npc/worker/worker.js";
import { SCHEMA_FINGERPRINT } from "../rooms/schema-fingerprint.js";
import { CHAT_MAX_CHARS, MESSAGE_MAX_BYTES, REPORT_REASON_MAX_CHARS, SENT_MAX } from "../rooms/world-contract.js";
import { RECONNECT_SECONDS } from "../rooms/world-protocol.js";
import { saveWorld } from "./helpers/save-world.js";
import { answersTo, joinWorld, near, positionOf, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

describe("WorldRoom", function () {
  let world: TestWorld;
  let worker: NpcWorker;

  before(async () => {
    // CHAT_BURST: these tests say many lines at once; the rates are rooms.fairness.test.ts's.
    // Join and leave lines at once (no gap: presence-lines.ts), as these tests read each one.
    world = await startTestWorld({ CHAT_HISTORY: "8", MAX_CLIENTS: "3", NPC_TIMEOUT_MS: "700", CHAT_BURST: "30" }, { world: { presenceGapMs: 0 } });
    worker = await world.startWorker();
  });
  after(() => world.stop());

  describe("players", () => {
    it("shows each player's moves to the others", async () => {
      const a = await world.join("민수");
      const b = await world.joinBeside(a, "지영");
      const { x, z } = positionOf(a);
      a.room.send("move", { x: x + 1, y: 0, z: z - 0.5, rotY: 450, anim: "walk" });
      const seen = await waitFor("b to see a's move", () => {
        const p = stateOf(b).players[a.room.sessionId];
        return p && near(p.x, x + 1) ? p : undefined;
      });
      assert.ok(near(seen.z, z - 0.5));
      assert.deepEqual({ ...seen, x: 0, z: 0 }, { name: "민수", x: 0, y: 0, z: 0, rotY: 90, anim: "walk" });
      await Promise.all([a.room.leave(), b.room.leave()]);
    });

    it("trims names, gives a default when absent, and refuses names over 20 characters", async () => {
      const trimmed = await world.join("  하늘  ");
      const anonymous = await world.join();
      assert.equal(stateOf(trimmed).players[trimmed.room.sessionId]!.name, "하늘");
      assert.match(stateOf(anonymous).players[anonymous.room.sessionId]!.name, /^손님-/);
      await assert.rejects(world.join("가".repeat(21)), /name must be 1–20 characters/);
      await assert.rejects(world.join("   "), /name must be 1–20 characters/);
      // Refused, not replaced by a default: a name too long for the schema, or not text at all.
      await assert.rejects(world.join("가".repeat(201)), /name must be 1–20 characters after trimming; got 201/);
      await assert.rejects(joinWorld(world.url, { name: 12345 }), /bad join options: name: .*expected string/);
      await Promise.all([trimmed.room.leave(), anonymous.room.leave()]);
    });

    // A 7,000-deep array in a field of its own (14 KB) took 10–14 s and came back as Colyseus's 523 "already full".
    it("refuses join options nested deeper than a few levels at once, with a 400 that says so", async () => {
      const http = world.url.replace(/^ws/, "http");
      const body = `{"name":"깊이","x":${"[".repeat(7000)}${"]".repeat(7000)}}`;
      const started = performance.now();
      const response = await fetch(`${http}/matchmake/joinOrCreate/world`, { method: "POST", headers: { "content-type": "application/json" }, body });
      const answer = (await response.json()) as { error?: string };
      assert.equal(response.status, 400, JSON.stringify(answer));
      assert.match(answer.error ?? "", /^bad join options: x: nested deeper than 4 levels$/);
      assert.ok(performance.now() - started < 3000, `answered in ${Math.round(performance.now() - started)} ms`);
      // An engine's own small object beside the name still joins.
      await (await joinWorld(world.url, { name: "얕음", client: { engine: "godot", version: [4, 2] } })).room.leave();
    });

    it("refuses a name at matchmaking with an HTTP 400 that says why, so a client without the SDK is told before any seat", async () => {
      // As a Godot or Unreal client joins: the HTTP request alone. The name was refused in the room: an HTTP 200, then
      // an error frame and close 4002, which the contract has a client join again after (forever).
      const http = world.url.replace(/^ws/, "http");
      const refusals: [unknown, RegExp][] = [
        ["가".repeat(21), /^name must be 1–20 characters after trimming; got 21$/],
        ["", /got 0$/],
        ["  ", /got 0$/],
        ["코 봇", /passes for 코봇, an NPC of this world$/],
        ["시1발", /^name holds a word that is not allowed here$/],
        ["민수 님이 나갔어요. 철수", /may hold only letters, digits, _ and -, with at most one space between two words$/],
        ["[운영자]", /may hold only letters/],
        ["운영자", /passes for the game's staff or system \("운영자"\)$/],
      ];
      for (const [name, why] of refusals) {
        const response = await fetch(`${http}/matchmake/joinOrCreate/world`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name }) });
        const body = (await response.json()) as { error?: string; sessionId?: string };
        assert.equal(response.status, 400, `${JSON.stringify(name)}: ${JSON.stringify(body)}`);
        assert.match(body.error ?? "", why);
        assert.equal(body.sessionId, undefined, "no seat reserved");
      }
      // Null is unset, as a missing name: a guest's.
      const guest = await joinWorld(world.url, { name: null });
      assert.match(stateOf(guest).players[guest.room.sessionId]!.name, /^손님-/);
      await guest.room.leave();
    });

    it("refuses a client whose own state classes are of another shape (426, update the game), and takes one of this shape", async () => {
      await assert.rejects(joinWorld(world.url, { name: "옛날판", schema: "0123456789ab" }), (error: { code?: number; message: string }) => {
        assert.equal(error.code, 426);
        assert.match(error.message, new RegExp(`schema 0123456789ab; the server's is ${SCHEMA_FINGERPRINT}\\): update the game$`));
        return true;
      });
      const current = await joinWorld(world.url, { name: "새판", schema: SCHEMA_FINGERPRINT });
      await current.room.leave();
      const unset = await joinWorld(world.url, { name: "널", schema: null }); // as engines write an unset field
      await unset.room.leave();
      // Not a build's fingerprint at all: bad options (400), not an old build, and never the server's own error.
      for (const schema of [{ toString: 1 }, 5, ["x"], "x".repeat(65)]) {
        await assert.rejects(joinWorld(world.url, { name: "엉뚱", schema }), (error: { code?: number; message: string }) => {
          assert.equal(error.code, 400, `${JSON.stringify(schema)}: ${error.message}`);
          assert.match(error.message, /^bad join options: schema: /);
          return true;
        });
      }
      // The Unity client is built with the one the server has now (npm run schema:unity; the drift test checks the file).
      assert.match(readFileSync("unity-client/Assets/Scripts/WorldProtocol.cs", "utf8"), new RegExp(`SchemaFingerprint = "${SCHEMA_FINGERPRINT}"`));
    });

    it("shows a name sent as separate jamo composed, and refuses a name of blank letters", async () => {
      const jamo = await world.join("하늘".normalize("NFD"));
      assert.equal(stateOf(jamo).players[jamo.room.sessionId]!.name, "하늘");
      // Hangul fillers (U+3164) and zero-width spaces show nothing: such a name is empty.
      await assert.rejects(world.join("\u3164\u3164"), /name must be 1–20 characters after trimming; got 0/);
      await assert.rejects(world.join("\u200b\u2800"), /got 0/);
      await jamo.room.leave();
    });

    it("drops half surrogate pairs from a name, so every client decodes the room's state right", async () => {
      const broken = await world.join("가\ud800나"); // JSON join options carry a lone surrogate as it is
      const b = await world.joinBeside(broken, "지켜봄");
      assert.equal(stateOf(b).players[broken.room.sessionId]!.name, "가나");
      broken.room.send("chat", { text: "안녕 여러분" }); // its lines decoded as `undefined` for everyone
      await waitFor("the line, whole", () => stateOf(b).chat.find((line) => line.from === broken.room.sessionId)?.text === "안녕 여러분");
      await Promise.all([broken.room.leave(), b.room.leave()]);
    });

    it("clamps moves into the world's bounds and to the top speed", async () => {
      const a = await world.join("빠른발");
      const start = stateOf(a).players[a.room.sessionId]!;
      a.room.send("move", { x: 1000, y: -5, z: start.z });
      const moved = await waitFor("the clamped move", () => {
        const p = stateOf(a).players[a.room.sessionId]!;
        return p.x !== start.x ? p : undefined;
      });
      assert.equal(moved.y, 0, "y is clamped to the floor");
      // Top speed 8 units/s, at least a quarter second's reach per message: far from x = 50 or 1000.
      assert.ok(moved.x - start.x <= 8 * 1.5, `moved ${moved.x - start.x} units in one message`);
      await a.room.leave();
    });

    it("holds the top speed over any rate of moves, and after standing still", async () => {
      const a = await world.join("순간이동");
      const start = { ...stateOf(a).players[a.room.sessionId]! };
      // 40 messages in a second, each asking for 5 units more than the last: 8 units/s allows ~8 (+4 in hand).
      const started = performance.now();
      for (let i = 1; i <= 40; i++) {
        a.room.send("move", { x: start.x + 5 * i, y: 0, z: start.z });
        await sleep(25);
      }
      const seconds = (performance.now() - started) / 1000;
      await sleep(200);
      const after = stateOf(a).players[a.room.sessionId]!;
      assert.ok(after.x - start.x <= 8 * (seconds + 0.5) + 0.01, `${(after.x - start.x).toFixed(1)} units in ${seconds.toFixed(2)} s`);
      // Standing still buys no more than half a second in hand: one far move goes 4 units.
      await sleep(1500);
      a.room.send("move", { x: after.x - 80, y: 0, z: after.z });
      const moved = await waitFor("the move", () => {
        const p = stateOf(a).players[a.room.sessionId]!;
        return p.x !== after.x ? p : undefined;
      });
      assert.ok(near(after.x - moved.x, 4), `moved ${after.x - moved.x}`);
      await a.room.leave();
    });

    it("keeps a dropped player's avatar and lets the SDK reconnect into it", async () => {
      const a = await world.join("끊김");
      const b = await world.joinBeside(a, "지켜봄");
      a.room.reconnection.minUptime = 0; // the SDK only reconnects rooms older than 5 s by default
      const reconnected = new Promise<void>((resolve) => a.room.onReconnect(() => resolve()));
      a.room.connection.close(4010); // a dropped connection, not a leave
      await waitFor("b to see a marked away", () => stateOf(b).players[a.room.sessionId]?.anim === "away");
      await reconnected;
      await waitFor("a back", () => stateOf(b).players[a.room.sessionId]?.anim === "idle");
      a.room.send("chat", { text: "다시 왔어" });
      await waitFor("a's line after the reconnection", () => stateOf(b).chat.some((l) => l.from === a.room.sessionId && l.text === "다시 왔어"));
      await Promise.all([a.room.leave(), b.room.leave()]);
    });

    it("lets a reconnection take over a seat whose old socket still looks open (a half-open connection)", async () => {
      const a = await world.join("반쯤");
      const b = await world.joinBeside(a, "지켜봄");
      // The old socket stays open on the server (4002 closes it when the new one takes the seat), as when the
      // player's network died without a close the server saw.
      const again = await new Client(world.url).reconnect(a.room.reconnectionToken);
      assert.equal(again.sessionId, a.room.sessionId);
      again.send("chat", { text: "새 연결로 왔어" });
      await waitFor("a's line through the new socket", () => stateOf(b).chat.some((l) => l.from === a.room.sessionId && l.text === "새 연결로 왔어"));
      assert.equal(stateOf(b).players[a.room.sessionId]?.name, "반쯤", "the avatar kept its seat");
      // Colyseus leaves the taken-over socket open (a dead network closes it); this test closes its end.
      a.room.reconnection.enabled = false;
      a.room.connection.close(4000);
      await Promise.all([again.leave(), b.room.leave()]);
    });

    it("opens a new room when one is full", async () => {
      const players = await Promise.all(["하나", "둘", "셋", "넷"].map((name) => world.join(name)));
      const rooms = new Set(players.map((p) => p.room.roomId));
      assert.equal(rooms.size, 2, "three players fill a room of three; the fourth gets a new one");
      await Promise.all(players.map((p) => p.room.leave()));
    });
  });

  describe("chat", () => {
    it("routes @kobot lines to the NPC and shows the answer to everyone", async () => {
      const a = await world.join("준호");
      const b = await world.joinBeside(a, "지영");
      a.room.send("chat", { text: "@kobot 배고파" });
      const question = await waitFor("a's question in b's state", () =>
        stateOf(b).chat.find((line) => line.from === a.room.sessionId && line.text === "@kobot 배고파"),
      );
      const answer = await waitFor("the NPC's answer in b's state", () =>
        stateOf(b).chat.find((line) => line.replyTo === question.id),
      );
      assert.equal(answer.kind, "npc");
      assert.equal(question.kind, "player");
      assert.equal(answer.replyTo, question.id);
      assert.equal(answer.from, "kobot");
      assert.equal(answer.name, "코봇");
      assert.ok(answer.text.length > 0);
      // Both players hold the same line.
      await waitFor("a to see the answer", () => stateOf(a).chat.some((line) => line.id === answer.id));
      // Speaking its answer for a few seconds (clients animate it), then idle.
      assert.equal(stateOf(a).npcs.kobot!.status, "speaking");
      await waitFor("kobot idle", () => stateOf(a).npcs.kobot!.status === "idle", 6000);
      assert.deepEqual([a.errors, b.errors], [[], []]);
      await Promise.all([a.room.leave(), b.room.leave()]);
    });

    it("sends an NPC's answer at once, not at the next patch", async () => {
      const a = await world.join("서연");
      const room = matchMaker.getLocalRoomById(a.room.roomId)!;
      const patchRate = room.patchRate;
      // Patches every hour from now: only the answer's own patch can bring the question and answer in time.
      room.patchRate = 3_600_000;
      try {
        a.room.send("chat", { text: "@kobot 배고파" });
        const answer = await waitFor("the NPC's answer in a's state", () => stateOf(a).chat.find((line) => line.kind === "npc"));
        assert.ok(answer.text.length > 0);
      } finally {
        room.patchRate = patchRate; // the room may outlive this test
      }
      await a.room.leave();
    });

    it("addresses the NPC by display name or by `to`, and names an unknown NPC as an error", async () => {
      const a = await world.join("도윤");
      a.room.send("chat", { text: "@코봇, 잠이 안 와" });
      a.room.send("chat", { text: "안녕?", to: "kobot" });
      await waitFor("two answers", () => answersTo(a).length === 2);
      a.room.send("chat", { text: "안녕?", to: "dragon" });
      const error = await waitFor("an error", () => a.errors[0]);
      const { id, ...said } = error;
      assert.deepEqual(said, { code: "unknown_npc", message: 'no NPC "dragon" in this room', text: "안녕?" });
      assert.match(id ?? "", /^[\w-]{16}$/, "an id of its own, to tell it when it comes again");
      await a.room.leave();
    });

    it("answers a bare call of its name with a call reply of its own, not through the brain", async () => {
      const a = await world.join("민수");
      const asked = world.server.answers.stats.asked;
      a.room.send("chat", { text: "＠코봇!" }); // full-width, as a Korean keyboard may type it
      const reply = await waitFor("the reply", () => answersTo(a)[0]);
      assert.equal(reply.text, "네, 민수 님? 궁금한 걸 말씀해 주세요.");
      assert.equal(reply.replyTo, stateOf(a).chat.find((line) => line.text === "＠코봇!")?.id);
      assert.equal(world.server.answers.stats.asked, asked, "no question went to the brain");
      await a.room.leave();
    });

    it("answers a line sent as separate jamo or with invisible characters as it answers the line itself", async () => {
      const a = await world.join("하준");
      const b = await world.joinBeside(a, "지영");
      const typed = ["@kobot 배고픈데 뭐 먹지", "@kobot 배고픈데 뭐 먹지".normalize("NFD"), "@kobot 배\u200b고픈데 \u202e뭐 먹지"];
      for (const text of typed) a.room.send("chat", { text });
      const answers = await waitFor("three answers", () => (answersTo(a).length === 3 ? answersTo(a) : undefined));
      assert.equal(new Set(answers.map((line) => line.text)).size, 1, answers.map((line) => line.text).join(" / "));
      // The others see, and the chat log keeps, the line composed and without its invisible characters.
      const lines = stateOf(b).chat.filter((line) => line.from === a.room.sessionId).map((line) => line.text);
      assert.deepEqual(lines, new Array(3).fill("@kobot 배고픈데 뭐 먹지"));
      await Promise.all([a.room.leave(), b.room.leave()]);
    });

    it("answers a legal line of more tokens than the model reads (its end), not with 'the brain is unavailable'", async () => {
      const a = await world.join("수다쟁이");
      a.room.send("chat", { text: `@kobot ${"😂".repeat(40)}` }); // 41 characters, ~160 tokens
      a.room.send("chat", { text: "@kobot I have been walking around this village all day long and I wonder where I could buy a sword and bread" });
      const answers = await waitFor("two answers", () => (answersTo(a).length === 2 ? answersTo(a) : undefined));
      assert.deepEqual(a.errors, []);
      assert.ok(answers.every((line) => !/대답하기가 어려워요/.test(line.text)), answers.map((l) => l.text).join(" / "));
      await a.room.leave();
    });

    it("keeps lines to the room out of the NPC's ears", async () => {
      const a = await world.join("지우");
      a.room.send("chat", { text: "다들 안녕" });
      a.room.send("chat", { text: "@kobotx 이건 다른 이름" });
      await waitFor("both lines", () => stateOf(a).chat.filter((line) => line.from === a.room.sessionId).length === 2);
      await sleep(300);
      assert.deepEqual(answersTo(a), []);
      await a.room.leave();
    });

    it("sends an idle room's players its clock once a second, not 20 patches a second", async () => {
      const a = await world.join("조용한이");
      await sleep(300);
      let patches = 0;
      a.room.onStateChange(() => patches++);
      const clock = a.room.state.serverTime;
      await sleep(2100);
      assert.ok(patches >= 1 && patches <= 5, `${patches} patches in 2.1 s (20 a second before)`);
      assert.ok(a.room.state.serverTime - clock >= 900, "the clock still moves");
      // Walked in steps: one move to (1, 1) from a spawn point up to 4.4 m away may be cut short by the travel allowance.
      await walkTo(a, 1, 1);
      // The wall clock, the clock of lines' ts. A wide margin: it is stamped at most once a second and read a patch
      // later, and a monotonic clock's reading would be off by decades.
      assert.ok(Math.abs(Date.now() - a.room.state.serverTime) < 10_000, `serverTime ${a.room.state.serverTime}, Date.now() ${Date.now()}`);
      await a.room.leave();
    });

    it("stamps its clock and lines' ts on one clock: a step of the wall clock leaves a line said now 0 s old", async () => {
      const a = await world.join("시계");
      const wall = Date.now;
      Date.now = () => wall() - 60_000; // NTP stepping a fast clock back, in this process, which runs the server too
      try {
        a.room.send("chat", { text: "방금 한 말" });
        await waitFor("the line", () => stateOf(a).chat.some((line) => line.text === "방금 한 말"));
        await sleep(100);
        const line = stateOf(a).chat.find((line) => line.text === "방금 한 말")!;
        const age = a.room.state.serverTime - line.ts;
        // Against the step's 60 s: any age a bubble still shows at (7 s) is a line said now.
        assert.ok(age >= 0 && age < 7000, `a line said now is ${age} ms old to the clients (an NPC's bubble shows for 7 s)`);
      } finally {
        Date.now = wall;
      }
      await a.room.leave();
    });

    it("times its timers (greetings, idle lines) on the monotonic clock, which a step of the wall clock does not move", async () => {
      const a = await world.join("시계보는이");
      // Colyseus's clock kept its own reference to Date.now: a stub cannot step it, so this checks what it reads.
      const { clock } = matchMaker.getLocalRoomById(a.room.roomId);
      const elapsed = clock.elapsedTime;
      await sleep(300);
      // Wide: a tick behind at most, where the wall clock would be decades off.
      assert.ok(Math.abs(clock.currentTime - performance.now()) < 10_000, `the room's clock reads ${clock.currentTime}, not performance.now()`);
      assert.ok(clock.elapsedTime - elapsed >= 200, "and moves");
      await a.room.leave();
    });

    it("keeps only the last CHAT_HISTORY lines, after every player has been sent every line", async () => {
      const a = await world.join("말많은이");
      const b = await world.joinBeside(a, "듣는이");
      const heard = new Set<string>();
      b.room.onStateChange((state) => state.chat.forEach((line) => heard.add(line.text)));
      // More lines in one patch than the history holds: none may be trimmed before that patch has sent it.
      for (let i = 0; i < 12; i++) a.room.send("chat", { text: `줄 ${i}` });
      await waitFor("the last line", () => stateOf(a).chat.at(-1)?.text === "줄 11");
      await waitFor("the history trimmed", () => stateOf(a).chat.length === 8);
      assert.equal(stateOf(a).chat[0]!.text, "줄 4");
      assert.deepEqual(Array.from({ length: 12 }, (_, i) => `줄 ${i}`).filter((text) => !heard.has(text)), [], "every line reached the other player");
      await b.room.leave();
      await a.room.leave();
    });

    it("rejects empty and over-long lines with an error, and keeps the player", async () => {
      const a = await world.join("예준");
      a.room.send("chat", { text: "   " });
      a.room.send("chat", { text: "가".repeat(201) });
      a.room.send("chat", { text: "가".repeat(5000) });
      await waitFor("three errors", () => a.errors.length === 3);
      assert.deepEqual(
        a.errors.map((e) => e.code),
        ["chat_empty", "chat_too_long", "chat_too_long"],
      );
      assert.match(a.errors[1]!.message, /201 characters; at most 200/);
      // Each gives its line back, cleaned: a client tells by it which of its lines was refused.
      assert.deepEqual(a.errors.map((e) => e.text?.length), [0, 201, 5000]);
      assert.ok(a.room.connection.isOpen);
      await a.room.leave();
    });

    it("counts a line's characters as code points, as the contract tells clients to: an emoji is one", async () => {
      const a = await world.join("이모지");
      a.room.send("chat", { text: "😀".repeat(CHAT_MAX_CHARS) }); // twice as many UTF-16 units
      a.room.send("chat", { text: "😀".repeat(CHAT_MAX_CHARS + 1) });
      await waitFor("a refusal", () => a.errors.length > 0);
      assert.equal(a.errors[0]!.code, "chat_too_long");
      assert.match(a.errors[0]!.message, /201 characters; at most 200/, "the longer line's");
      await waitFor("the line of 200 emoji", () => stateOf(a).chat.some((line) => line.text === "😀".repeat(CHAT_MAX_CHARS)));
      assert.equal(a.errors.length, 1);
      await a.room.leave();
    });

    it("answers a paste as long as the contract takes, in Hangul, with chat_too_long: the socket stays open and the player chats on", async () => {
      const a = await world.join("붙여넣기");
      let closed: number | undefined;
      a.room.onLeave((code) => (closed = code));
      a.room.send("chat", { text: "가".repeat(6000) }); // 18 kB of UTF-8: a 16 KiB frame cap closed the socket (1009) unanswered
      // The longest chat the schema takes, every character 3 bytes of UTF-8: the frame the server must read whole.
      a.room.send("chat", { text: "가".repeat(SENT_MAX.chatText), to: "가".repeat(SENT_MAX.chatTo) });
      await waitFor("two refusals, or the socket closed", () => closed !== undefined || a.errors.length === 2);
      assert.equal(closed, undefined, "closed by the server");
      assert.deepEqual(a.errors.map((e) => e.code), ["chat_too_long", "chat_too_long"]);
      a.room.send("chat", { text: "짧게 다시" });
      await waitFor("the short line heard", () => stateOf(a).chat.some((line) => line.text === "짧게 다시"));
      await a.room.leave();
    });
  });

  describe("bad input", () => {
    it("answers malformed messages and unknown types with errors; the room goes on", async () => {
      const a = await world.join("해커");
      const b = await world.joinBeside(a, "구경꾼");
      const { x, z } = positionOf(a);
      const garbage: Array<[string, unknown]> = [
        ["move", { x: "1", y: 0, z: 0 }],
        ["move", { x: Number.NaN, y: 0, z: 0 }],
        ["move", { x: Infinity, y: 0, z: 0 }],
        ["move", null],
        ["move", [1, 2, 3]],
        // A refused anim leaves the move's position taken: where the avatar stands.
        ["move", { x, y: 0, z, anim: "<script>" }],
        ["move", { x, y: 0, z, anim: "away" }], // the server's mark of a dropped player
        ["move", { x, y: 0, z, anim: "AWAY" }], // …in any case, for clients that compare so
        ["chat", { text: 42 }],
        ["chat", "@kobot hi"],
        ["chat", { text: "hi", to: { id: "kobot" } }],
        ["chat", undefined],
        ["teleport", { x: 0 }],
      ];
      for (const [type, payload] of garbage) a.room.send(type, payload);
      await waitFor("an error per message", () => a.errors.length === garbage.length);
      assert.deepEqual(new Set(a.errors.map((e) => e.code)), new Set(["bad_message", "unknown_message"]));
      // Still in the room, still seen by others.
      a.room.send("move", { x: x + 0.5, y: 0, z });
      await waitFor("b to see a's good move", () => near(stateOf(b).players[a.room.sessionId]?.x, x + 0.5));
      await Promise.all([a.room.leave(), b.room.leave()]);
    });

    it("names at most 64 characters of an unknown message type in its error", async () => {
      const a = await world.join("이상한");
      a.room.send("t".repeat(100), {});
      const error = await waitFor("unknown_message", () => a.errors.find((e) => e.code === "unknown_message"));
      assert.equal(error.message, `unknown message type "${"t".repeat(64)}"`);
      await a.room.leave();
    });

    it("refuses a move's anim over 24 characters and a chat's `to` over 64 as sent, and takes each at its limit", async () => {
      const a = await world.join("길이");
      const b = await world.joinBeside(a, "구경꾼");
      const { x, z } = positionOf(a);
      const anim = "run_".repeat(6); // 24
      a.room.send("move", { x, y: 0, z, anim });
      await waitFor("b to see the anim of 24", () => stateOf(b).players[a.room.sessionId]?.anim === anim);
      // Each message is answered in the order sent: a `to` of 64 (read, and naming no NPC) says when the one before was.
      const answered = (count: number) => waitFor(`unknown_npc ${count}`, () => a.errors.filter((e) => e.code === "unknown_npc").length >= count);
      a.room.send("move", { x: x + 0.5, y: 0, z, anim: `${anim}1` });
      a.room.send("chat", { text: "누구세요", to: "n".repeat(64) });
      await answered(1);
      assert.deepEqual(a.errors.map((e) => e.code), ["bad_message", "unknown_npc"]);
      assert.match(a.errors[0]!.message, /at most 24 characters/);
      a.room.send("chat", { text: "누구세요", to: "n".repeat(65) });
      a.room.send("chat", { text: "누구세요", to: "n".repeat(64) });
      await answered(2);
      assert.deepEqual(a.errors.slice(2).map((e) => e.code), ["bad_message", "unknown_npc"]);
      assert.equal(stateOf(b).players[a.room.sessionId]?.anim, anim, "the refused anim is not shown");
      await Promise.all([a.room.leave(), b.room.leave()]);
    });

    it("gives a chat line refused as sent (text over SENT_MAX.chatText, `to` over 64) back, cleaned, with its bad_message and its sendId", async () => {
      const a = await world.join("긴붙여넣기");
      // A paste: 8 characters once cleaned, 9,007 as sent (under the frame cap); the line was lost (the box cleared)
      // with no `text` to give back. Its sendId tells the client which of its lines it was (else it waits unconfirmed).
      a.room.send("chat", { text: `hi${" \u200b".repeat(4500)}there`, sendId: "paste-1" });
      a.room.send("chat", { text: "누구  세요", to: "n".repeat(SENT_MAX.chatTo + 1) });
      a.room.send("chat", { text: 42 });
      a.room.send("chat", { text: "안녕", sendId: "not one!" }); // a sendId not well formed is not given back
      await waitFor("four refusals", () => a.errors.length === 4);
      assert.deepEqual(
        a.errors.map(({ code, text, sendId }) => ({ code, text, sendId })),
        [
          { code: "bad_message", text: "hi there", sendId: "paste-1" },
          { code: "bad_message", text: "누구 세요", sendId: undefined },
          { code: "bad_message", text: undefined, sendId: undefined }, // no line to give back
          { code: "bad_message", text: "안녕", sendId: undefined },
        ],
      );
      await a.room.leave();
    });
  });

  describe("reports", () => {
    it("refuses a reason over REPORT_REASON_MAX_CHARS with its own code, and files one of exactly that many", async () => {
      const a = await world.join("신고자");
      const b = await world.joinBeside(a, "신고됨");
      const filed: string[] = [];
      a.room.onMessage("reported", ({ player }: { player: string }) => filed.push(player));
      a.room.send("report", { player: b.room.sessionId, reason: "가".repeat(REPORT_REASON_MAX_CHARS + 1) });
      await waitFor("the refusal", () => a.errors.length === 1);
      assert.equal(a.errors[0]!.code, "report_reason_too_long");
      assert.match(a.errors[0]!.message, /201 characters; at most 200/);
      a.room.send("report", { player: b.room.sessionId, reason: "가".repeat(REPORT_REASON_MAX_CHARS) });
      await waitFor("the report filed", () => filed.length === 1);
      assert.equal(a.errors.length, 1);
      await Promise.all([a.room.leave(), b.room.leave()]);
    });
  });

  describe("what engines' serialisers send", () => {
    it("reads an optional field sent as null as absent, and takes a move's position when only its anim is refused", async () => {
      const a = await world.join("엔진");
      const b = await world.joinBeside(a, "옆사람");
      const { x, z } = positionOf(a);
      a.room.send("move", { x: x + 0.5, y: 0, z, rotY: null, anim: null });
      await waitFor("b to see the move with nulls", () => near(stateOf(b).players[a.room.sessionId]?.x, x + 0.5));
      a.room.send("move", { x: x + 1, y: 0, z, anim: "Run Forward" });
      await waitFor("the anim refused", () => a.errors.length === 1);
      assert.equal(a.errors[0]!.code, "bad_message");
      assert.match(a.errors[0]!.message, /anim: .*letters, digits.*\(the position was taken\)/);
      await waitFor("b to see the position all the same", () => near(stateOf(b).players[a.room.sessionId]?.x, x + 1));
      assert.notEqual(stateOf(b).players[a.room.sessionId]?.anim, "Run Forward");
      // An Animator state's hash (a number), an object, a state path past the longest string a message holds: refused
      // alike, each costing the move nothing but its anim (they cost it the whole move).
      for (const [step, anim] of [[1.5, 1432961145], [2, { state: "run" }], [2.5, "Base Layer.".repeat(100)]] as const) {
        a.room.send("move", { x: x + step, y: 0, z, anim });
        await waitFor(`b to see the move with the anim ${JSON.stringify(anim).slice(0, 20)}`, () => near(stateOf(b).players[a.room.sessionId]?.x, x + step));
      }
      await waitFor("each anim refused", () => a.errors.length === 4);
      assert.ok(a.errors.every((error) => error.code === "bad_message" && error.message.includes("(the position was taken)")), JSON.stringify(a.errors));
      a.room.send("chat", { text: "null 받는 엔진", to: null });
      await waitFor("b hears the line", () => stateOf(b).chat.some((line) => line.text === "null 받는 엔진"));
      assert.equal(a.errors.length, 4);
      await Promise.all([a.room.leave(), b.room.leave()]);
    });
  });

  describe("floods", () => {
    /**
     * `send` makes the server close the sender's socket with `code`; the sender's avatar is gone for another player
     * at once, not kept RECONNECT_SECONDS (20 s) as a silent "away" ghost for a reconnection. Resolves with that other player.
     */
    async function closedAndGone(name: string, code: number, send: (sender: TestPlayer, other: TestPlayer) => void): Promise<TestPlayer> {
      const sender = await world.join(name);
      const b = await world.joinBeside(sender, "성실");
      const closed = new Promise<number>((resolve) => sender.room.onLeave((closeCode) => resolve(closeCode)));
      send(sender, b);
      assert.equal(await closed, code);
      // A deadline the kept seat cannot meet (it goes only after RECONNECT_SECONDS), however slow the machine.
      const seatKeptMs = RECONNECT_SECONDS * 1000;
      await waitFor(`the sender's avatar gone (a seat kept for a reconnection: ${RECONNECT_SECONDS} s)`, () => stateOf(b).players[sender.room.sessionId] === undefined, seatKeptMs * 0.75);
      return b;
    }

    it("disconnects a client past 200 messages at once, avatar gone; the others' questions are answered", async () => {
      const b = await closedAndGone("도배", 4002, (flooder, other) => {
        other.room.send("chat", { text: "@kobot 배고파" });
        for (let i = 0; i < 300; i++) flooder.room.send("move", { x: i % 2, y: 0, z: 0 });
      });
      await waitFor("b's answer", () => answersTo(b).length === 1);
      await b.room.leave();
    });

    // With 40 at once, a 5 s stall of the server (one connection's pipelined requests) put every moving player out.
    it("keeps a client whose moves of a stall all come at once (190: a 10 Hz client's after 19 s)", async () => {
      const walker = await world.join("기다린걸음");
      for (let i = 0; i < 190; i++) walker.room.send("move", { x: (i % 10) / 10, y: 0, z: 0 });
      walker.room.send("chat", { text: "아직 있어요" });
      await waitFor("the line after the moves", () => stateOf(walker).chat.some((line) => line.text === "아직 있어요"));
      assert.equal(walker.room.connection.isOpen, true);
      await walker.room.leave();
    });

    it("keeps joins and leaves to a fifth of the history, however often a player comes and goes", async () => {
      const talker = await world.join("수다");
      talker.room.send("chat", { text: "다들 안녕" });
      await waitFor("the talker's line", () => stateOf(talker).chat.some((line) => line.text === "다들 안녕"));
      for (let i = 0; i < 30; i++) await (await world.joinBeside(talker, `들락${i}`)).room.leave();
      await waitFor("the last leave", () => stateOf(talker).chat.at(-1)?.text === "들락29 님이 나갔어요.");
      const chat = stateOf(talker).chat;
      assert.deepEqual(
        chat.filter((line) => line.kind === "system").map((line) => line.text),
        ["들락29 님이 나갔어요."],
        "CHAT_HISTORY 8 here: 1 line for joins and leaves",
      );
      assert.ok(chat.some((line) => line.text === "다들 안녕"), "the talker's line is still there");
      await talker.room.leave();
    });

    it("lets a client closed for a frame Colyseus cannot read (4002) leave at once", async () => {
      const b = await closedAndGone("깨짐", 4002, (sender) => {
        // ROOM_DATA, the type "chat" as a short string, then a msgpack string of 255 bytes that ends at once.
        sender.room.connection.send(new Uint8Array([13, 0xa4, ...Buffer.from("chat"), 0xd9, 0xff]));
      });
      await b.room.leave();
    });

    it("disconnects a client past Colyseus's own count of frames (pings no handler sees) at once, avatar gone", async () => {
      const b = await closedAndGone("핑폭탄", 4002, (flooder) => {
        // Protocol.PING frames: Colyseus counts them and closed the client as a takeover would, kept 20 s "away".
        for (let i = 0; i < 600; i++) (flooder.room.connection as unknown as { send(bytes: Uint8Array): void }).send(Uint8Array.from([18]));
      });
      await b.room.leave();
    });

    it("closes a socket sending a frame over MESSAGE_MAX_BYTES (1009) without keeping its avatar for a reconnection", async () => {
      const b = await closedAndGone("장문", 1009, (sender) => {
        // Past the longest chat the schema takes, in UTF-8 bytes: only a custom client sends it.
        sender.room.send("chat", { text: "가".repeat(Math.ceil(MESSAGE_MAX_BYTES / 3)) });
      });
      assert.equal(stateOf(b).chat.at(-1)?.text, "장문 님이 나갔어요.");
      await b.room.leave();
    });
  });

  describe("when the NPC cannot answer", () => {
    afterEach(async () => {
      worker = await world.startWorker(); // put the real brain back
    });
    /** A brain that has stopped answering: its answers (none) come 1.5 s later, after the room gave up. */
    const stallBrain = () =>
      world.bus.workerChannel().start(async () => {
        await sleep(1500);
        return [];
      });
    /** Drops `player`'s socket (not a leave: the SDK reconnects into the seat after `delayMs`) and waits until it is back. */
    const dropUntilBack = async (player: TestPlayer, delayMs: number) => {
      player.room.reconnection.minUptime = 0;
      player.room.reconnection.minDelay = player.room.reconnection.maxDelay = delayMs;
      const reconnected = new Promise<void>((resolve) => player.room.onReconnect(() => resolve()));
      player.room.connection.close(4010);
      await reconnected;
    };

    it("says a fallback line after the timeout and drops the late answer", async () => {
      const before = world.server.answers.stats.ignored;
      const ignoredBefore = (await npcAnswersIgnored.get()).values[0]?.value ?? 0;
      await world.bus.workerChannel().start(async (questions) => {
        await sleep(1200);
        return worker.answerAll(questions.map((q) => ({ ...q, ts: Date.now() })));
      });
      const a = await world.join("시우");
      a.room.send("chat", { text: "@kobot 거기 있어?" });
      const thinking = await waitFor("thinking", () => stateOf(a).npcs.kobot!.status === "thinking");
      assert.ok(thinking);
      const fallback = await waitFor("the fallback line", () => answersTo(a)[0]);
      assert.match(fallback.text, /생각이 잘 안 나네요/);
      assert.equal(a.errors[0]?.code, "npc_timeout");
      assert.equal(stateOf(a).npcs.kobot!.status, "speaking", "saying its fallback line");
      await waitFor("the late answer to arrive and be ignored", () => world.server.answers.stats.ignored > before, 3000);
      assert.equal(answersTo(a).length, 1);
      assert.equal((await npcAnswersIgnored.get()).values[0]?.value, ignoredBefore + 1, "counted on /metrics");
      await a.room.leave();
    });

    it("times each queued question out from when it was asked, not one timeout after another", async () => {
      await stallBrain();
      const a = await world.join("기다림");
      const asked = performance.now();
      // When each fallback reached this client: their spread, not their lateness, which a busy machine adds to all.
      const cameAt: number[] = [];
      a.room.onStateChange(() => {
        while (cameAt.length < answersTo(a).length) cameAt.push(performance.now());
      });
      for (const text of ["하나", "둘", "셋"]) a.room.send("chat", { text: `@kobot ${text}` });
      // One question with the brain at a time: before, the others waited their turn and then a timeout each
      // (fallbacks at 0.7, 1.4 and 2.1 s: 1.4 s from the first to the last); now each ends NPC_TIMEOUT_MS (0.7 s)
      // after it was asked, and the three were asked together.
      await waitFor("three fallbacks", () => answersTo(a).length === 3, 30_000);
      const spread = cameAt[2]! - cameAt[0]!;
      assert.ok(spread < 700, `the last fallback came ${Math.round(spread)} ms after the first (a timeout each in turn: 1,400)`);
      assert.deepEqual(a.errors.map((e) => e.code), ["npc_timeout", "npc_timeout", "npc_timeout"]);
      await sleep(1600 - (performance.now() - asked)); // the stalled brain done, before the next test's worker
      await a.room.leave();
    });

    it("tells a player who reconnected while their questions waited, on the new connection", async () => {
      await stallBrain();
      const a = await world.join("끊어짐");
      for (const text of ["하나", "둘"]) a.room.send("chat", { text: `@kobot ${text}` });
      await dropUntilBack(a, 0);
      await waitFor("two fallbacks", () => answersTo(a).length === 2, 5000);
      // They went to the dropped socket before: the player never learnt why the NPC fell back.
      await waitFor("both errors on the new connection", () => a.errors.length === 2, 2000);
      assert.deepEqual(a.errors.map((e) => e.code), ["npc_timeout", "npc_timeout"]);
      await sleep(1600); // the stalled brain done, before the next test's worker
      await a.room.leave();
    });

    it("tells a player what happened while their connection was down, once they are back", async () => {
      await stallBrain();
      const a = await world.join("잠깐끊김");
      a.room.send("chat", { text: "@kobot 거기 있어?" });
      await waitFor("thinking", () => stateOf(a).npcs.kobot!.status === "thinking");
      await dropUntilBack(a, 1500); // back after the fallback (0.7 s)
      // The fallback line comes back with the state (the history still holds it); the error saying why went to no socket and was lost.
      await waitFor("the fallback line", () => answersTo(a)[0]);
      await waitFor("the error, sent as they came back", () => a.errors.length === 1, 2000);
      assert.equal(a.errors[0]!.code, "npc_timeout");
      await sleep(1000); // the stalled brain done, before the next test's worker
      await a.room.leave();
    });

    it("ignores a duplicate answer", async () => {
      await world.bus.workerChannel().start(async (questions) => {
        const answers = await worker.answerAll(questions);
        return [...answers, ...answers.map((answer) => ({ ...answer, text: "두 번째 답" }))];
      });
      const a = await world.join("수아");
      a.room.send("chat", { text: "@kobot 안녕" });
      await waitFor("the answer", () => answersTo(a)[0]);
      await sleep(200);
      const npcLines = answersTo(a);
      assert.equal(npcLines.length, 1);
      assert.notEqual(npcLines[0]!.text, "두 번째 답");
      await a.room.leave();
    });

    it("says at once that its brain is unavailable when the model is missing", async () => {
      const missing = new ModelLoadError("/nowhere", "cannot load the NPC model from /nowhere: config.json is missing");
      await world.bus.workerChannel().start(brainlessAnswers(missing));
      const a = await world.join("유진");
      a.room.send("chat", { text: "@kobot 안녕" });
      const line = await waitFor("the fallback", () => answersTo(a)[0], 500);
      assert.match(line.text, /대답하기가 어려워요/);
      const error = await waitFor("the error", () => a.errors[0]);
      assert.equal(error.code, "npc_unavailable");
      // What happened, not the model folder's path (the server's log has that).
      assert.equal(error.message, "the NPC's brain is not running right now: ask again later");
      await a.room.leave();
    });

    it("answers questions that waited while no worker ran", async () => {
      await world.bus.workerChannel().stop();
      const a = await world.join("은우");
      a.room.send("chat", { text: "@kobot 배고파" });
      await waitFor("the question to wait", () => world.bus.waitingQuestions === 1);
      await world.startWorker();
      const line = await waitFor("the answer", () => answersTo(a)[0]);
      assert.doesNotMatch(line.text, /생각이 잘 안 나네요/);
      assert.equal(CONTRACT_VERSION, 1);
      await a.room.leave();
    });
  });
});

describe("Seat reservations", () => {
  /** `POST /matchmake/joinById/<roomId>` from 127.0.0.2 with a made-up forwarded address, never connecting. */
  const reserve = (world: TestWorld, roomId: string, i: number) =>
    new Promise<{ status: number; body: { sessionId?: string; error?: string } }>((resolve, reject) => {
      const headers = { "content-type": "application/json", "x-forwarded-for": `10.0.0.${i}`, "x-real-ip": `10.0.1.${i}` };
      const options = { host: "127.0.0.1", port: new URL(world.url).port, localAddress: "127.0.0.2", method: "POST", headers };
      const req = request({ ...options, path: `/matchmake/joinById/${roomId}` }, (res) => {
        let body = "";
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(body) }));
      });
      req.on("error", reject);
      req.end("{}");
    });

  it("keeps one address from filling a room with seats it reserves and never takes, however it names itself", async () => {
    const world = await startTestWorld({ MAX_CLIENTS: "8", JOINS_WAITING_PER_ADDRESS: "3" });
    try {
      const host = await world.join("방장");
      const squats = await Promise.all(Array.from({ length: 7 }, (_, i) => reserve(world, host.room.roomId, i)));
      assert.equal(squats.filter((r) => r.status === 200 && r.body.sessionId).length, 3, "three seats for 127.0.0.2");
      const refused = squats.filter((r) => r.status === 429);
      assert.equal(refused.length, 4);
      assert.match(refused[0]!.body.error!, /too many joins from your address are waiting \(3\): try again in a few seconds/);
      // Players from another address join the room; each takes its seat at once, so four in a row are never refused.
      for (const name of ["친구1", "친구2", "친구3", "친구4"]) {
        const friend = await world.joinBeside(host, name);
        assert.equal(friend.room.roomId, host.room.roomId);
      }
    } finally {
      await world.stop();
    }
  });
});

describe("Seat reservations of joins refused", () => {
  it("does not count a join refused after matchmaking (every room full, no room to make) as waiting", async () => {
    const world = await startTestWorld({ MAX_ROOMS: "1", MAX_CLIENTS: "1", JOINS_WAITING_PER_ADDRESS: "3" });
    try {
      const only = await world.join("혼자");
      const http = world.url.replace("ws:", "http:");
      const join = async () => {
        const response = await fetch(`${http}/matchmake/joinOrCreate/world`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        return [response.status, ((await response.json()) as { error?: string }).error ?? ""] as const;
      };
      // An address retrying against a full server got 429 "too many joins from your address are waiting" after 3.
      for (let i = 0; i < 6; i++) assert.equal((await join())[0], 503, `try ${i + 1}`);
      await only.room.leave();
    } finally {
      await world.stop();
    }
  });
});

describe("WorldRoom fallback lines in the log", () => {
  it("are a warning once in 10 s a reason, shared by the rooms, each one at debug (a broker away made a line a question)", async () => {
    const lines: { level: string; msg: string; reason?: string }[] = [];
    const log = createLogger({}, "debug", (line) => lines.push(JSON.parse(line) as (typeof lines)[number]));
    const world = await startTestWorld({ NPC_TIMEOUT_MS: "300" }, { log }); // no worker: every question times out
    try {
      const players = await Promise.all(["가", "나", "다", "라"].map((name) => world.join(name)));
      for (const player of players) player.room.send("chat", { text: "@kobot 거기 있어?" });
      await waitFor("four fallbacks", () => players.every((player) => player.errors.some((e) => e.code === "npc_timeout")), 5000);
      const fallbacks = lines.filter((line) => line.msg === "npc fallback");
      assert.equal(fallbacks.length, 4, "each one logged");
      // At most one warning (none when another test's fallback of the same reason was logged in the last 10 s).
      assert.ok(fallbacks.filter((line) => line.level === "warn").length <= 1, JSON.stringify(fallbacks));
      await Promise.all(players.map((player) => player.room.leave()));
    } finally {
      await world.stop();
    }
  });
});

describe("WorldRoom oversized frames in the log", () => {
  it("are a one-line warning once a minute, shared by the rooms, each one at debug, never an error with a stack", async () => {
    // Any client can send one: logged at error with ws's stack trace, each filled the error log an operator watches.
    const lines: { level: string; msg: string; error?: string; from?: string }[] = [];
    const log = createLogger({}, "debug", (line) => lines.push(JSON.parse(line) as (typeof lines)[number]));
    const world = await startTestWorld({}, { log });
    try {
      const senders = await Promise.all(["긴글1", "긴글2", "긴글3"].map((name) => world.join(name)));
      const closed = senders.map((sender) => new Promise<number>((resolve) => sender.room.onLeave((code) => resolve(code))));
      for (const sender of senders) sender.room.send("chat", { text: "가".repeat(Math.ceil(MESSAGE_MAX_BYTES / 3)) });
      assert.deepEqual(await Promise.all(closed), [1009, 1009, 1009]);
      const faults = await waitFor("three faults logged", () => {
        const logged = lines.filter((line) => line.msg === "client closed for a frame it sent");
        return logged.length === 3 && logged;
      });
      assert.ok(faults.every((line) => line.error === "Max payload size exceeded"), JSON.stringify(faults));
      // At most one warning (none when another test's frame was logged in the last minute).
      assert.ok(faults.filter((line) => line.level === "warn").length <= 1, JSON.stringify(faults));
      assert.deepEqual(lines.filter((line) => line.level === "error"), [], "nothing at error");
      assert.deepEqual(lines.filter((line) => line.msg.includes("\n")).map((line) => line.msg.split("\n")[0]), [], "no stack trace");
    } finally {
      await world.stop();
    }
  });
});

describe("WorldRoom shutdown", () => {
  /** A player whose question is with a brain that answers after `answerMs`, and the server told to shut down. */
  async function shutdownWhileAsked(answerMs: number) {
    const world = await startTestWorld();
    const worker = await world.startWorker();
    await world.bus.workerChannel().start(async (questions) => {
      await sleep(answerMs);
      return worker.answerAll(questions);
    });
    const a = await world.join("지호");
    const left = new Promise<number>((resolve) => a.room.onLeave((code) => resolve(code)));
    a.room.send("chat", { text: "@kobot 잘 자" });
    await waitFor("the question to be asked", () => world.server.answers.waiting === 1);
    return { a, left, stopped: world.server.shutdown(), world };
  }

  it("gives the answers in flight before it tells the players it is closing", async () => {
    const { a, left, stopped, world } = await shutdownWhileAsked(400);
    // Meanwhile a readiness probe sends players elsewhere: matchmaking refuses joins until the process ends.
    const health = await fetch(`http://localhost:${world.server.port}/health`);
    assert.equal(health.status, 503);
    assert.equal(((await health.json()) as { status: string }).status, "stopping");
    // …with a code the SDK reads (Colyseus answered 503 with no body: the SDK failed on it as JSON, no code).
    const late = await new Client(world.url).joinOrCreate("world", { name: "늦게" }).then(() => undefined, (error: ServerError) => error);
    assert.equal(late?.code, 503);
    assert.match(late.message, /shutting down/);
    const code = await left;
    assert.equal(answersTo(a).length, 1, "the answer arrived before the room closed");
    assert.doesNotMatch(answersTo(a)[0]!.text, /생각이 잘 안 나네요/);
    assert.equal(code, 4001, "closed with Colyseus's SERVER_SHUTDOWN code");
    await stopped;
  });

  it("takes no new questions while it closes, saying so, so players who keep asking cannot hold it open", async () => {
    const { a, left, stopped } = await shutdownWhileAsked(600);
    await sleep(100);
    a.room.send("chat", { text: "@kobot 하나만 더" });
    const refused = await waitFor("the refusal", () => a.errors[0]);
    assert.equal(refused.code, "server_closing");
    assert.equal(refused.text, "@kobot 하나만 더", "the line is given back to send again after reconnecting");
    assert.equal(await left, 4001);
    // The first question's answer, then the refusal in its turn (after the answer before it), before the room closed.
    assert.deepEqual(answersTo(a).map((line) => line.text.startsWith("곧 문을 닫을 시간")), [false, true]);
    assert.doesNotMatch(answersTo(a)[0]!.text, /생각이 잘 안 나네요/);
    await stopped;
  });
});

describe("examples/ask-npc.ts (the README's client)", () => {
  /** The example run against `url` with `question`: its exit code and what it printed. */
  const askNpc = async (url: string, question: string, ...npc: string[]) => {
    const { execFile } = await import("node:child_process");
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile("node_modules/.bin/tsx", ["examples/ask-npc.ts", url, question, ...npc], { timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      ),
    );
  };

  it("joins, asks the NPC and prints its answer", async () => {
    const world = await startTestWorld();
    try {
      await world.startWorker();
      const answered = await askNpc(world.url, "배고파");
      assert.equal(answered.code, 0, answered.stderr);
      assert.match(answered.stdout, /^코봇: \S+/);
      // A question refused gets no answer: the example says why and ends (it waited for ever).
      const refused = await askNpc(world.url, "씨발");
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(refused.stderr, /^error moderated: /m);
    } finally {
      await world.stop();
    }
  });

  it("asks the NPC named after the question, by id or name", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-example-named-")), "world.json");
    const near = (id: string, name: string, x: number) => ({ id, name, position: { x, y: 0, z: 0 }, talkRadius: 10 });
    saveWorld(file, { npcs: [near("kobot", "코봇", 2), near("thor", "토르", -2)] });
    const world = await startTestWorld({ WORLD_FILE: file });
    try {
      await world.startWorker();
      for (const npc of ["thor", "토르"]) {
        const answered = await askNpc(world.url, "배고파", npc);
        assert.equal(answered.code, 0, answered.stderr);
        assert.match(answered.stdout, /^토르: \S+/);
      }
    } finally {
      await world.stop();
    }
  });

  it("prints the answer of an NPC that talks in private, which comes as a private_line message", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "world-example-private-")), "world.json");
    saveWorld(file, { npcs: [{ id: "kobot", name: "코봇", position: { x: 0, y: 0, z: 0 }, talkRadius: 100, privateTalk: true }] });
    const world = await startTestWorld({ WORLD_FILE: file });
    try {
      await world.startWorker();
      const answered = await askNpc(world.url, "배고파");
      assert.equal(answered.code, 0, answered.stderr);
      assert.match(answered.stdout, /^코봇: \S+/);
    } finally {
      await world.stop();
    }
  });
});
