import assert from "node:assert/strict";
import { npcAnswerLatency, npcAnswers, npcQuestions } from "../common/metrics.js";

import { AddressLines } from "../rooms/players/address-lines.js";
import { DepartedAllowances } from "../rooms/players/departed-allowances.js";
import { FairQueue } from "../rooms/npc/fair-queue.js";
import { GroupedFairQueue } from "../rooms/npc/grouped-fair-queue.js";
import { PlayerAllowances, secondsToWait } from "../rooms/players/player-allowances.js";
import { TokenBucket } from "../rooms/players/token-bucket.js";
import { answerSlowly, answersTo, askInTurns, createWorldRoom, joinWorld, outsideAddress, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

describe("fair turns: pieces", () => {
  it("another avatar of a player shares their lines, questions and reports, and moves and sends on buckets of its own", () => {
    const settings = { chatRate: { burst: 2, perSecond: 0.001 }, questionRate: { burst: 1, perSecond: 0.001 } };
    const first = new PlayerAllowances(settings);
    const second = new PlayerAllowances(settings, first); // the same account on a second device
    assert.equal(first.say(true), undefined);
    assert.match(second.say(true)?.message ?? "", /too many questions/, "the one question was the first avatar's");
    assert.equal(second.say(false), undefined);
    assert.match(first.say(false)?.message ?? "", /too many lines/, "two lines between them");
    assert.equal(second.reports, first.reports);
    // Both walk at top speed: each has its own travel (one bucket between them halved each one's speed).
    first.travel.spend(first.travel.available());
    assert.ok(second.travel.available() > 0.4, "the first avatar's walk left the second's travel whole");
    assert.notEqual(second.messages, first.messages);
  });

  it("says a wait to a tenth of a second rounded up, never less than it is", () => {
    assert.deepEqual([30, 100, 101, 949, 1000].map(secondsToWait), ["0.1", "0.1", "0.2", "1.0", "1.0"]);
  });

  it("a token bucket allows a burst, then says how long to wait", () => {
    const bucket = new TokenBucket(2, 0.5, 0);
    assert.deepEqual([bucket.take(0), bucket.take(0)], [{ ok: true }, { ok: true }]);
    assert.deepEqual(bucket.take(0), { ok: false, waitMs: 2000 });
    assert.deepEqual(bucket.take(1500), { ok: false, waitMs: 500 });
    assert.deepEqual(bucket.take(2000), { ok: true });
  });

  it("remembers a leaver's allowances by address and name until they would have refilled, and hands them over once", () => {
    const departed = new DepartedAllowances(5000);
    const spent = new PlayerAllowances({ chatRate: { burst: 1, perSecond: 1 }, questionRate: { burst: 1, perSecond: 0.2 } });
    departed.remember("10.0.0.1", "민수", spent, 0);
    assert.equal(departed.takeBack("10.0.0.1", "영희", 100), undefined, "another name behind the same address");
    assert.equal(departed.takeBack("10.0.0.2", "민수", 100), undefined, "the same name from elsewhere");
    assert.equal(departed.takeBack("10.0.0.1", "민수", 100), spent);
    assert.equal(departed.takeBack("10.0.0.1", "민수", 100), undefined, "once");
    departed.remember("10.0.0.1", "민수", spent, 0);
    departed.remember("10.0.0.3", "철수", spent, 3000);
    assert.equal(departed.takeBack("10.0.0.1", "민수", 5000), undefined, "refilled by now: forgotten");
    assert.equal(departed.size, 1);
    assert.equal(PlayerAllowances.refillMs({ chatRate: { burst: 8, perSecond: 2 }, questionRate: { burst: 5, perSecond: 1 } }), 5000);
    // A slow refill keeps each leaver for days: past its most, the oldest go.
    const few = new DepartedAllowances(1e9, 3);
    for (const [i, name] of ["가", "나", "다", "라"].entries()) few.remember("10.0.0.1", name, spent, i);
    assert.equal(few.size, 3);
    assert.equal(few.takeBack("10.0.0.1", "가", 10), undefined, "the oldest went");
    assert.equal(few.takeBack("10.0.0.1", "라", 10), spent);
  });

  it("a fair queue serves keys round-robin, each in order, bounded, and drops a key's items", () => {
    const queue = new FairQueue<string>(5);
    for (const [key, item] of [["a", "a1"], ["a", "a2"], ["a", "a3"], ["b", "b1"], ["c", "c1"]] as const) assert.ok(queue.push(key, item).taken);
    // Full: a newcomer's first question takes the place of a's third, then of a's second; then everyone waiting
    // is at their first, and a sixth player is turned away.
    assert.deepEqual(queue.push("d", "d1"), { taken: true, displaced: { key: "a", item: "a3" } });
    assert.deepEqual(queue.push("e", "e1"), { taken: true, displaced: { key: "a", item: "a2" } });
    assert.deepEqual(queue.push("f", "f1"), { taken: false });
    assert.deepEqual(queue.push("a", "a4"), { taken: false }, "a's next waits behind the others' first");
    const order = [];
    for (let next = queue.shift(); next; next = queue.shift()) order.push(next.item);
    assert.deepEqual(order, ["a1", "b1", "c1", "d1", "e1"]);
    // A question asked while the same player's previous one is still with the brain waits for others' first.
    const turns = new FairQueue<string>(10);
    turns.push("a", "a1");
    assert.equal(turns.shift()!.item, "a1");
    turns.push("a", "a2");
    turns.push("b", "b1");
    assert.equal(turns.shift()!.item, "b1");
    // Everyone's first question before anyone's second, even a first asked later.
    turns.push("c", "c1");
    assert.deepEqual([turns.shift()!.item, turns.shift()!.item], ["c1", "a2"]);
    // Once the round moved on, a newcomer joins it: they do not overtake b2, which waited.
    turns.push("b", "b2");
    turns.push("d", "d1");
    assert.deepEqual([turns.shift()!.item, turns.shift()!.item], ["b2", "d1"]);
    queue.push("a", "x");
    queue.push("b", "y");
    assert.deepEqual(queue.drop("a"), ["x"]);
    assert.equal(queue.size, 1);
    assert.equal(queue.shift((key) => key !== "b"), undefined, "b is not ready");
  });

  it("forgets whose turn was when once nothing waits nor is with the brain: a player who asks again then goes before one who asks after them", () => {
    const queue = new FairQueue<string>(10);
    queue.push("a", "a1");
    queue.shift();
    queue.done("a"); // answered, and the NPC idle: nobody can be overtaken
    queue.push("x", "x1");
    queue.shift(); // with the brain
    queue.push("a", "a2"); // a's question of this round, as anyone's who comes now
    queue.push("b", "b1");
    queue.done("x");
    assert.deepEqual([queue.shift()!.item, queue.shift()!.item], ["a2", "b1"], "same round: the one asked first");
  });

  it("does not hold a player's next question back for one never served: turned away for an earlier round's, or dropped as they left", () => {
    const full = new FairQueue<string>(3);
    full.push("a", "a1");
    full.shift(); // with the brain
    for (const [key, item] of [["a", "a2"], ["b", "b1"], ["c", "c1"]] as const) full.push(key, item);
    assert.deepEqual(full.push("d", "d1").displaced, { key: "a", item: "a2" });
    full.done("a");
    assert.equal(full.shift()!.item, "b1");
    full.push("a", "a3"); // a's second question served, as c2 will be c's: asked first, it goes first
    assert.equal(full.shift()!.item, "c1");
    full.push("c", "c2");
    assert.deepEqual([full.shift()!.item, full.shift()!.item, full.shift()!.item], ["d1", "a3", "c2"]);

    const left = new FairQueue<string>(10);
    left.push("x", "x1");
    left.shift(); // with the brain: the queue is not idle, so marks stay
    left.push("a", "a1");
    left.push("a", "a2");
    assert.deepEqual(left.drop("a"), ["a1", "a2"]); // a's avatar left; the same player asks again
    left.push("a", "a3");
    left.push("b", "b1");
    left.done("x");
    assert.deepEqual([left.shift()!.item, left.shift()!.item], ["a3", "b1"], "a's first question served, asked before b's");
  });

  it("an address's lines are a bucket of its own, forgotten once refilled; a line takes from it and from the player's", () => {
    const shared = new AddressLines({ burst: 2, perSecond: 1 }, 2); // 4 at once, then 2 a second
    const bucket = shared.of("10.0.0.1");
    const players = [1, 2, 3].map(() => new PlayerAllowances({ chatRate: { burst: 2, perSecond: 1 }, questionRate: { burst: 5, perSecond: 1 } }));
    const said = players.flatMap((player) => [player.say(false, bucket), player.say(false, bucket)]);
    assert.equal(said.filter((limited) => limited === undefined).length, 4);
    assert.match(said.at(-1)!.message, /too many lines from your address too fast/);
    assert.equal(shared.of("10.0.0.1"), bucket, "the same bucket while it refills");
    shared.of("10.0.0.2", performance.now() + 5000);
    assert.equal(shared.size, 1, "refilled: forgotten");
  });

  it("a grouped fair queue gives a group (an address) of many players one turn a round, round-robin inside it", () => {
    const queue = new GroupedFairQueue<string>(6);
    // One address holds three players, who ask first; two players of their own addresses ask after them.
    for (const [group, player, item] of [["x", "x1", "x1a"], ["x", "x2", "x2a"], ["x", "x1", "x1b"], ["x", "x3", "x3a"], ["a", "a", "a1"], ["b", "b", "b1"]] as const) {
      assert.ok(queue.push(group, player, item).taken, item);
    }
    // Full: a newcomer's first question takes the place of the address's newest of its latest round.
    assert.deepEqual(queue.push("c", "c", "c1"), { taken: true, displaced: { key: "x1", item: "x1b" } });
    assert.deepEqual(queue.push("d", "d", "d1"), { taken: true, displaced: { key: "x3", item: "x3a" } });
    assert.deepEqual(queue.push("e", "e", "e1"), { taken: true, displaced: { key: "x2", item: "x2a" } });
    assert.deepEqual(queue.push("f", "f", "f1"), { taken: false }, "the address is down to one question, as each player");
    const order = [];
    for (let next = queue.shift(); next; next = queue.shift()) order.push(next.item);
    assert.deepEqual(order, ["x1a", "a1", "b1", "c1", "d1", "e1"]);
    // Not ready (with the brain), a player of the address yields to another of it, who takes the address's turn.
    queue.push("x", "x1", "x1c");
    queue.push("x", "x2", "x2b");
    assert.equal(queue.shift((player) => player !== "x1")!.item, "x2b");
    queue.done("x", "x2");
    assert.deepEqual(queue.drop("x", "x1"), ["x1c"]);
    assert.equal(queue.size, 0);
  });
});

describe("fair turns in the world room", function () {
  let world: TestWorld;
  const heard: string[] = [];

  before(async () => {
    // A batch of one: one question generated, the next waiting at the worker; three may wait in the room's queue,
    // two at once per player then one per second.
    world = await startTestWorld({
      NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "3", QUESTION_BURST: "2", QUESTIONS_PER_SECOND: "1", CHAT_BURST: "4", CHAT_LINES_PER_SECOND: "2", NPC_TIMEOUT_MS: "5000",
    });
    await answerSlowly(world, heard);
  });
  after(() => world.stop());

  it("says rate_limited, with the wait, to a player asking too fast; the line is not added", async () => {
    const a = await world.join("민수");
    for (const text of ["하나", "둘", "셋"]) a.room.send("chat", { text: `@kobot ${text}` });
    const limited = await waitFor("rate_limited", () => a.errors.find((e) => e.code === "rate_limited"));
    assert.match(limited.message, /ask again in \d\.\d s/);
    // The refused line comes back, with the wait, for the client to offer again in the player's words.
    assert.equal(limited.text, "@kobot 셋");
    assert.ok(limited.retryAfterMs! > 0 && limited.retryAfterMs! <= 1000, `${limited.retryAfterMs}`);
    await waitFor("two answers", () => answersTo(a).length === 2);
    assert.ok(!stateOf(a).chat.some((line) => line.text.includes("셋")));
    await sleep(1100);
    a.room.send("chat", { text: "@kobot 넷" }); // a token came back
    await waitFor("the answer after the wait", () => answersTo(a).some((line) => line.text === "답: 넷"));
    await a.room.leave();
  });

  it("says rate_limited to a player saying lines too fast, questions or not, so no one pushes the others' lines out", async () => {
    const a = await world.join("수다");
    for (let i = 1; i <= 6; i++) a.room.send("chat", { text: `줄 ${i}` });
    const limited = await waitFor("two rate_limited", () => (a.errors.length === 2 ? a.errors : undefined));
    assert.deepEqual(limited.map((e) => [e.code, e.text]), [["rate_limited", "줄 5"], ["rate_limited", "줄 6"]]);
    assert.match(limited[0]!.message, /too many lines too fast: say it again in 0\.\d s/);
    await sleep(100);
    assert.deepEqual(stateOf(a).chat.filter((l) => l.from === a.room.sessionId).map((l) => l.text), ["줄 1", "줄 2", "줄 3", "줄 4"]);
    await sleep(600); // a line's worth back at 2 a second
    a.room.send("chat", { text: "줄 7" });
    await waitFor("the line after the wait", () => stateOf(a).chat.some((l) => l.text === "줄 7"));
    await a.room.leave();
  });

  it("gives a player who leaves and joins again what they had left, not fresh allowances; a newcomer gets fresh ones", async () => {
    const watcher = await world.join("지켜봄");
    const first = await world.joinBeside(watcher, "재접속");
    for (const text of ["하나", "둘"]) first.room.send("chat", { text: `@kobot ${text}` }); // both questions spent
    await waitFor("both asked", () => stateOf(watcher).chat.filter((l) => l.from === first.room.sessionId).length === 2);
    await first.room.leave();
    const again = await world.joinBeside(watcher, "재접속");
    // The same name from another address, or another name from this one, is someone else: fresh allowances.
    const stranger = await world.joinBeside(watcher, "처음옴");
    again.room.send("chat", { text: "@kobot 셋" });
    stranger.room.send("chat", { text: "@kobot 하나" });
    stranger.room.send("chat", { text: "@kobot 둘" });
    const limited = await waitFor("rate_limited", () => again.errors.find((e) => e.code === "rate_limited"));
    assert.equal(limited.text, "@kobot 셋");
    assert.ok(limited.retryAfterMs! > 0, `${limited.retryAfterMs}`);
    await waitFor("the stranger's two questions", () => stateOf(watcher).chat.filter((l) => l.from === stranger.room.sessionId).length === 2);
    assert.deepEqual(stranger.errors, []);
    await waitFor("the stranger's answers (the brain is free for the next test)", () => answersTo(stranger).length === 2);
    await Promise.all([watcher, again, stranger].map((p) => p.room.leave()));
  });

  it("gives a player who drops and joins again at once, while their avatar waits for them, what they had left too", async () => {
    const watcher = await world.join("지켜봄2");
    const first = await world.joinBeside(watcher, "끊김");
    for (const text of ["하나", "둘"]) first.room.send("chat", { text: `@kobot ${text}` }); // both questions spent
    await waitFor("both asked", () => stateOf(watcher).chat.filter((l) => l.from === first.room.sessionId).length === 2);
    // The socket dies without a leave (the client's own reconnection is not waited for): the avatar waits 20 s.
    first.room.removeAllListeners();
    (first.room.connection as unknown as { transport: { ws: { close(code: number): void } } }).transport.ws.close(4999);
    await waitFor("the avatar away", () => stateOf(watcher).players[first.room.sessionId]?.anim === "away");
    const again = await world.joinBeside(watcher, "끊김");
    again.room.send("chat", { text: "@kobot 셋" });
    const limited = await waitFor("rate_limited", () => again.errors.find((e) => e.code === "rate_limited"));
    assert.equal(limited.text, "@kobot 셋");
    // The dropped avatar's questions answered: the brain is free for the next test.
    await waitFor("the NPC idle", () => stateOf(watcher).npcs.kobot?.status === "idle", 10_000);
    await Promise.all([watcher, again].map((p) => p.room.leave()));
  });

  it("serves players round-robin, each player's answers in the order asked, and says busy when the queue is full", async () => {
    heard.length = 0;
    const counted = async () => ({
      questions: (await npcQuestions.get()).values.find((v) => v.labels.npc === "kobot")?.value ?? 0,
      answers: (await npcAnswers.get()).values.filter((v) => v.labels.npc === "kobot").reduce((sum, v) => sum + v.value, 0),
      latencies: (await npcAnswerLatency.get()).values.find((v) => v.labels.npc === "kobot" && v.metricName?.endsWith("_count"))?.value ?? 0,
    });
    const before = await counted();
    const a = await world.join("민호");
    const b = await world.joinBeside(a, "지영");
    const c = await world.joinBeside(a, "철수");
    a.room.send("chat", { text: "@kobot a1" });
    a.room.send("chat", { text: "@kobot a2" });
    await sleep(50);
    b.room.send("chat", { text: "@kobot b1" });
    b.room.send("chat", { text: "@kobot b2" });
    await sleep(50);
    c.room.send("chat", { text: "@kobot c1" });
    c.room.send("chat", { text: "@kobot c2" }); // a1 and b1 are with the brain; a2, b2 and c1 wait: full
    const busy = await waitFor("npc_busy", () => c.errors.find((e) => e.code === "npc_busy"), 5000);
    assert.match(busy.message, /too many questions/);
    assert.deepEqual([busy.text, busy.npcId], ["@kobot c2", "kobot"]);
    // The busy line to c2 in its turn: after the answer to c1, asked before it.
    const [first, second] = await waitFor("c's two replies", () => (answersTo(c).length === 2 ? answersTo(c) : undefined), 5000);
    assert.equal(first!.text, "답: c1");
    assert.match(second!.text, /질문이 너무 많이/);
    await waitFor("five answers", () => heard.length === 5, 5000);
    // c1 was asked after a2 and b2 but is c's first question: it goes before anyone's second.
    assert.deepEqual(heard, ["a1", "b1", "c1", "a2", "b2"]);
    assert.deepEqual(answersTo(a).map((line) => line.text), ["답: a1", "답: a2"]);
    // Six asked, five answered and one turned away: each counted once as a question and an answer; a latency for
    // those the brain answered (a busy reply's 0 s would pull it down as the NPC is overrun).
    const after = await counted();
    assert.deepEqual({ questions: after.questions - before.questions, answers: after.answers - before.answers, latencies: after.latencies - before.latencies }, { questions: 6, answers: 6, latencies: 5 });
    await Promise.all([a, b, c].map((p) => p.room.leave()));
  });

  it("says an NPC's replies to a player in the order they spoke: a bare call and a refused line after the answer before them", async () => {
    const a = await world.join("차례");
    a.room.send("chat", { text: "@kobot 하나" }); // with the brain for 150 ms
    a.room.send("chat", { text: "@kobot" }); // a bare call: its reply is at hand
    a.room.send("chat", { text: "@kobot 씨발 뭐야" }); // refused: its polite refusal is at hand too
    // Since a's first line: the room is shared with the tests before.
    const said = () => {
      const { chat } = stateOf(a);
      return chat.slice(chat.findIndex((line) => line.from === a.room.sessionId)).filter((line) => line.from === "kobot").map((line) => line.text);
    };
    await waitFor("three replies", () => said().length === 3, 5000);
    const [answer, call, refusal] = said();
    assert.equal(answer, "답: 하나");
    assert.match(call!, /네, 차례 님\?/);
    assert.match(refusal!, /고운 말로/);
    // The refused line's error comes at once: it says the player's line was not sent.
    assert.deepEqual(a.errors.map((e) => e.code), ["moderated"]);
    await a.room.leave();
  });

  it("takes a newcomer's first question into a full queue in place of someone's second, whose asker is told", async () => {
    heard.length = 0;
    const a = await world.join("가영");
    const b = await world.joinBeside(a, "나영");
    const c = await world.joinBeside(a, "다영");
    const d = await world.joinBeside(a, "라영");
    a.room.send("chat", { text: "@kobot a1" });
    a.room.send("chat", { text: "@kobot a2" });
    await sleep(20);
    b.room.send("chat", { text: "@kobot b1" });
    b.room.send("chat", { text: "@kobot b2" });
    await sleep(20);
    c.room.send("chat", { text: "@kobot c1" }); // a1 and b1 with the brain; a2, b2 and c1 wait: full
    await sleep(20);
    d.room.send("chat", { text: "@kobot d1" });
    const busy = await waitFor("b2 turned away", () => b.errors.find((e) => e.code === "npc_busy"));
    assert.deepEqual([busy.text, busy.npcId], ["@kobot b2", "kobot"], "the newest of the latest round makes room");
    assert.deepEqual(d.errors, []);
    await waitFor("five answers", () => heard.length === 5, 5000);
    assert.deepEqual(heard, ["a1", "b1", "c1", "d1", "a2"]);
    // b2 was counted as a question the NPC thinks on when taken: turned away, it is counted off, or the NPC thinks for good.
    await waitFor("the NPC idle once its last line is said", () => stateOf(a).npcs.kobot?.status === "idle", 10_000);
    await Promise.all([a, b, c, d].map((p) => p.room.leave()));
  });
});

// Their own servers, listening beyond loopback: Colyseus keeps one matchmaker per process.
for (const [turnsBy, order] of [["address", ["l1", "l2", "o1", "l3", "o2", "o3"]], ["player", ["l1", "l2", "o1", "o2", "o3", "l3"]]] as const) {
  describe(`fair turns by ${turnsBy} in the world room (NPC_TURNS_BY=${turnsBy})`, function () {
    let world: TestWorld;
    const heard: string[] = [];
    const outside = outsideAddress();

    before(async () => {
      world = await startTestWorld({ HOST: "0.0.0.0", NPC_TURNS_BY: turnsBy, NPC_MAX_BATCH: "1", NPC_QUEUE_MAX: "10", NPC_TIMEOUT_MS: "5000" });
      await answerSlowly(world, heard);
    });
    after(() => world.stop());

    const says = turnsBy === "address"
      ? "gives many players from one address one turn a round between them; loopback players each their own"
      : "gives every player a turn a round of their own, whatever their address (load tests from another machine)";
    it(says, async function () {
      if (!outside) this.skip(); // no network interface but loopback
      const first = await world.join("첫째");
      const second = await world.joinBeside(first, "둘째");
      const last = await world.joinBeside(first, "막내");
      const fromOneAddress: TestPlayer[] = [];
      for (const name of ["밖1", "밖2", "밖3"]) fromOneAddress.push(await joinWorld(`ws://${outside}:${world.server.port}`, { name }, first.room.roomId));
      // The first two questions go to the brain at once; the rest wait, one address's three asked before the last.
      assert.deepEqual(await askInTurns({ first, second, group: fromOneAddress, last }, heard), order);
      await Promise.all([first, second, last, ...fromOneAddress].map((p) => p.room.leave()));
    });
  });
}

// Its own server, listening beyond loopback: Colyseus keeps one matchmaker per process.
describe("lines shared by an address in the world room (CHAT_ADDRESS_SHARE)", function () {
  let world: TestWorld;
  const outside = outsideAddress();
  // Each player 2 lines at once, then one each 2 s; one address's players 2 players' worth between them: 4 at once.
  before(async () => {
    world = await startTestWorld({ HOST: "0.0.0.0", CHAT_BURST: "2", CHAT_LINES_PER_SECOND: "0.5", CHAT_ADDRESS_SHARE: "2" });
  });
  after(() => world.stop());

  it("lets the players of one address say that many players' worth of lines between them; each loopback player their own", async function () {
    if (!outside) this.skip(); // no network interface but loopback
    const local = await world.join("여기사람");
    const crowd: TestPlayer[] = [];
    for (const name of ["같은집1", "같은집2", "같은집3"]) crowd.push(await joinWorld(`ws://${outside}:${world.server.port}`, { name }, local.room.roomId));
    crowd.forEach((player, i) => ["가", "나"].forEach((word) => player.room.send("chat", { text: `${word}${i}` })));
    local.room.send("chat", { text: "하나" });
    local.room.send("chat", { text: "둘" });
    const refused = await waitFor("two lines refused", () => {
      const errors = crowd.flatMap((player) => player.errors);
      return errors.length === 2 ? errors : undefined;
    });
    for (const error of refused) {
      assert.equal(error.code, "rate_limited");
      assert.match(error.message, /too many lines from your address too fast: say it again in \d\.\d s/);
      assert.equal(error.byAddress, true, "for the client to say it in the player's words");
      assert.ok(error.retryAfterMs! > 0);
    }
    const crowdIds = new Set(crowd.map((player) => player.room.sessionId));
    await waitFor("the local player's lines", () => stateOf(local).chat.filter((l) => l.from === local.room.sessionId).length === 2);
    assert.equal(stateOf(local).chat.filter((l) => crowdIds.has(l.from)).length, 4, "four of the address's six lines");
    assert.deepEqual(local.errors, []);
    // Counted for operators (the registry is the process's: other tests' refusals count too).
    const metrics = await (await fetch(`http://127.0.0.1:${world.server.port}/metrics`)).text();
    const counted = Number(/^kobot_player_errors_total\{code="rate_limited",by_address="true"\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(counted >= 2, `kobot_player_errors_total by address: ${counted}`);
    await Promise.all([local, ...crowd].map((p) => p.room.leave()));
  });
});

// Its own server: players' addresses come from what a proxy in front appended to X-Forwarded-For.
describe("addresses behind a proxy (TRUST_PROXY=1)", function () {
  let world: TestWorld;
  /** Waits until `players` have been refused `count` lines between them, each for their address's share. */
  const refusedByAddress = async (players: TestPlayer[], count: number) => {
    const refused = await waitFor(`${count} lines refused`, () => {
      const errors = players.flatMap((player) => player.errors);
      return errors.length === count ? errors : undefined;
    });
    for (const error of refused) assert.equal(error.byAddress, true, `${error.code}: ${error.message}`);
  };
  before(async () => {
    world = await startTestWorld({ TRUST_PROXY: "1", CHAT_BURST: "2", CHAT_LINES_PER_SECOND: "0.5", CHAT_ADDRESS_SHARE: "2" });
  });
  after(() => world.stop());

  it("reads the address the proxy appended, whatever the client put before it, so a crowd cannot pass as many", async () => {
    const url = world.url;
    const first = await world.join("앞사람"); // no header: the proxy's own (loopback) address, not shared
    // What an appending proxy forwards: each client's own header (a new address every time) and then the one it saw.
    const crowd: TestPlayer[] = [];
    for (const [i, name] of ["같은집1", "같은집2", "같은집3"].entries()) {
      const headers = { "x-forwarded-for": `10.9.0.${i}, 203.0.113.7`, "x-real-ip": `10.8.0.${i}` };
      crowd.push(await joinWorld(url, { name }, first.room.roomId, headers));
    }
    const neighbour = await joinWorld(url, { name: "이웃" }, first.room.roomId, { "x-forwarded-for": "203.0.113.8" });
    crowd.forEach((player, i) => ["가", "나"].forEach((word) => player.room.send("chat", { text: `${word}${i}` })));
    neighbour.room.send("chat", { text: "하나" });
    neighbour.room.send("chat", { text: "둘" });
    await refusedByAddress(crowd, 2);
    await waitFor("the neighbour's lines", () => stateOf(first).chat.filter((l) => l.from === neighbour.room.sessionId).length === 2);
    const crowdIds = new Set(crowd.map((player) => player.room.sessionId));
    assert.equal(stateOf(first).chat.filter((l) => crowdIds.has(l.from)).length, 4, "four of the address's six lines");
    assert.deepEqual(neighbour.errors, [], "another address behind the same proxy has lines of its own");
    // A private network's address (an office's LAN behind the proxy) is many people's: each has lines of their own.
    const office: TestPlayer[] = [];
    for (const name of ["사무실1", "사무실2", "사무실3"]) office.push(await joinWorld(url, { name }, first.room.roomId, { "x-forwarded-for": "10.20.30.40" }));
    office.forEach((player, i) => ["다", "라"].forEach((word) => player.room.send("chat", { text: `${word}${i}` })));
    const officeIds = new Set(office.map((player) => player.room.sessionId));
    await waitFor("the office's six lines", () => stateOf(first).chat.filter((l) => officeIds.has(l.from)).length === 6);
    assert.deepEqual(office.flatMap((player) => player.errors), []);
    await Promise.all([neighbour, ...crowd, ...office].map((p) => p.room.leave()));
  });

  it("shares an address's lines over every room of the server, as in one room: spreading over rooms does not multiply them", async () => {
    const headers = { "x-forwarded-for": "203.0.113.9" };
    // Two of the address's players in one room, a third in a room of its own (each 2 lines; 4 between them).
    const here = [await createWorldRoom(world.url, { name: "이방1" }, headers)];
    here.push(await joinWorld(world.url, { name: "이방2" }, here[0]!.room.roomId, headers));
    const there = await createWorldRoom(world.url, { name: "저방" }, headers);
    const neighbour = await joinWorld(world.url, { name: "저방이웃" }, there.room.roomId, { "x-forwarded-for": "203.0.113.10" });
    assert.notEqual(there.room.roomId, here[0]!.room.roomId);
    here.forEach((player, i) => ["가", "나"].forEach((word) => player.room.send("chat", { text: `${word}${i}` })));
    const hereIds = new Set(here.map((player) => player.room.sessionId));
    await waitFor("the first room's four lines", () => stateOf(here[0]!).chat.filter((l) => hereIds.has(l.from)).length === 4);
    there.room.send("chat", { text: "다" });
    there.room.send("chat", { text: "라" });
    neighbour.room.send("chat", { text: "마" });
    // Per room (until session 67) the other room's two lines went through: the address said 6, a share of 3 players.
    await refusedByAddress([...here, there], 2);
    assert.deepEqual(there.errors.map((error) => error.code), ["rate_limited", "rate_limited"], "the address's 4 were said in the other room");
    await waitFor("the neighbour's line", () => stateOf(there).chat.some((l) => l.from === neighbour.room.sessionId));
    assert.equal(stateOf(there).chat.filter((l) => l.from === there.room.sessionId).length, 0);
    assert.deepEqual(neighbour.errors, [], "another address in that room has lines of its own");
    await Promise.all([...here, there, neighbour].map((p) => p.room.leave()));
  });

  it("counts IPv6 players by their /64, in which one subscriber picks new addresses at will", async () => {
    const first = await world.join("여섯번째");
    const subscriber: TestPlayer[] = [];
    for (const [i, name] of ["한집1", "한집2", "한집3"].entries()) {
      subscriber.push(await joinWorld(world.url, { name }, first.room.roomId, { "x-forwarded-for": `2001:db8:77:1:${i + 1}::${i + 7}` }));
    }
    const other = await joinWorld(world.url, { name: "옆집" }, first.room.roomId, { "x-forwarded-for": "2001:db8:77:2::1" });
    subscriber.forEach((player, i) => ["마", "바"].forEach((word) => player.room.send("chat", { text: `${word}${i}` })));
    other.room.send("chat", { text: "셋" });
    other.room.send("chat", { text: "넷" });
    await refusedByAddress(subscriber, 2);
    await waitFor("the other /64's lines", () => stateOf(first).chat.filter((l) => l.from === other.room.sessionId).length === 2);
    assert.deepEqual(other.errors, []);
    await Promise.all([first, other, ...subscriber].map((p) => p.room.leave()));
  });
});
