import assert from "node:assert/strict";

import { addressedNpc } from "../rooms/chat/chat-addressing.js";
import { allowedPosition, normaliseAngle, TRAVEL_IN_HAND_SECONDS } from "../rooms/players/movement.js";
import { TokenBucket } from "../rooms/players/token-bucket.js";
import { GREETING_GAP_MS, GreetingGate } from "../rooms/npc/greeting-gate.js";
import { withNames } from "../rooms/chat/named-line.js";
import { NpcVisits } from "../rooms/npc/npc-visits.js";
import { WaitingSeats } from "../rooms/players/waiting-seats.js";
import { DEFAULT_NPC, DEFAULT_WORLD_SETTINGS } from "../rooms/world-settings.js";

describe("Chat addressing", () => {
  const npcs = [
    { id: "kobot", name: "코봇" },
    { id: "smith", name: "Blacksmith Kim" },
  ];

  it("finds the NPC named by @id or @display name, case-insensitively, and strips the mention", () => {
    assert.deepEqual(addressedNpc("@kobot 배고파", undefined, npcs), { npcId: "kobot", question: "배고파" });
    assert.deepEqual(addressedNpc("@KoBot, 안녕", undefined, npcs), { npcId: "kobot", question: "안녕" });
    assert.deepEqual(addressedNpc("@코봇: 뭐 해?", undefined, npcs), { npcId: "kobot", question: "뭐 해?" });
    assert.deepEqual(addressedNpc("@blacksmith kim 칼 있어요?", undefined, npcs), { npcId: "smith", question: "칼 있어요?" });
  });

  it("finds the NPC called as Korean calls a name: 코봇아, 미나야, 한스 씨, 미나님", () => {
    const village = [{ id: "kobot", name: "코봇" }, { id: "hans", name: "한스" }, { id: "mina", name: "미나" }];
    assert.deepEqual(addressedNpc("@코봇아 배고파", undefined, village), { npcId: "kobot", question: "배고파" });
    assert.deepEqual(addressedNpc("@미나야, 빵 있어?", undefined, village), { npcId: "mina", question: "빵 있어?" });
    assert.deepEqual(addressedNpc("@한스 씨 검 있어요?", undefined, village), { npcId: "hans", question: "검 있어요?" });
    assert.deepEqual(addressedNpc("@미나님!", undefined, village), { npcId: "mina", question: "" });
    assert.deepEqual(addressedNpc("@kobot님 안녕", undefined, village), { npcId: "kobot", question: "안녕" });
    assert.equal(addressedNpc("@미나씨앗 심자", undefined, village), undefined, "a longer word is not a call");
    assert.deepEqual(addressedNpc("@한스 씨앗 있어요?", undefined, village), { npcId: "hans", question: "씨앗 있어요?" });
  });

  it("sends a call to the NPC whose name it calls longest, whatever the NPCs' order: 코봇 2호, not 코봇 asked \"2호\"", () => {
    for (const cast of [[{ id: "kobot", name: "코봇" }, { id: "kobot2", name: "코봇 2호" }], [{ id: "kobot2", name: "코봇 2호" }, { id: "kobot", name: "코봇" }]]) {
      assert.deepEqual(addressedNpc("@코봇 2호 안녕", undefined, cast), { npcId: "kobot2", question: "안녕" });
      assert.deepEqual(addressedNpc("@코봇 2호야 안녕", undefined, cast), { npcId: "kobot2", question: "안녕" });
      assert.deepEqual(addressedNpc("@코봇 안녕", undefined, cast), { npcId: "kobot", question: "안녕" });
    }
    // Of two calls as long, the name as it is: an NPC named 미나야 before 미나 called.
    for (const cast of [[{ id: "mina", name: "미나" }, { id: "minaya", name: "미나야" }], [{ id: "minaya", name: "미나야" }, { id: "mina", name: "미나" }]]) {
      assert.deepEqual(addressedNpc("@미나야 안녕", undefined, cast), { npcId: "minaya", question: "안녕" });
    }
  });

  it("finds an NPC whose name has a space called without it: @밥아저씨 is 밥 아저씨, as `to` is", () => {
    // Whatever the order, a shorter NPC's name does not swallow the longer one's, spaced or not.
    for (const cast of [[{ id: "bob", name: "밥" }, { id: "uncle", name: "밥 아저씨" }], [{ id: "uncle", name: "밥 아저씨" }, { id: "bob", name: "밥" }]]) {
      assert.deepEqual(addressedNpc("@밥아저씨 배고파", undefined, cast), { npcId: "uncle", question: "배고파" });
      assert.deepEqual(addressedNpc("@밥 아저씨 배고파", undefined, cast), { npcId: "uncle", question: "배고파" });
      assert.deepEqual(addressedNpc("@밥아저씨님, 배고파", undefined, cast), { npcId: "uncle", question: "배고파" });
      assert.deepEqual(addressedNpc("@밥아저씨!", undefined, cast), { npcId: "uncle", question: "" });
      assert.deepEqual(addressedNpc("@밥 배고파", undefined, cast), { npcId: "bob", question: "배고파" });
      assert.deepEqual(addressedNpc("@밥아 배고파", undefined, cast), { npcId: "bob", question: "배고파" });
      assert.deepEqual(addressedNpc("배고파", "밥아저씨", cast), { npcId: "uncle", question: "배고파" });
      assert.deepEqual(addressedNpc("배고파", "밥 아저씨", cast), { npcId: "uncle", question: "배고파" });
      assert.equal(addressedNpc("@밥아저씨들 배고파", undefined, cast), undefined, "a longer word is not a call");
    }
    const village = [{ id: "hans", name: "대장장이 한스" }, { id: "elder", name: "촌장 할머니" }, { id: "smith", name: "Blacksmith Kim" }];
    assert.deepEqual(addressedNpc("@대장장이한스 씨, 검 있어요?", undefined, village), { npcId: "hans", question: "검 있어요?" });
    assert.deepEqual(addressedNpc("@촌장할머니 안녕하세요", undefined, village), { npcId: "elder", question: "안녕하세요" });
    assert.deepEqual(addressedNpc("@blacksmithkim 칼 있어요?", undefined, village), { npcId: "smith", question: "칼 있어요?" });
    assert.deepEqual(addressedNpc("안녕", "BlacksmithKim", village), { npcId: "smith", question: "안녕" });
  });

  it("uses `to` when given, and reports an NPC id that is not in the room", () => {
    assert.deepEqual(addressedNpc("칼 있어요?", "smith", npcs), { npcId: "smith", question: "칼 있어요?" });
    assert.deepEqual(addressedNpc("@smith 칼 있어요?", "smith", npcs), { npcId: "smith", question: "칼 있어요?" });
    assert.equal(addressedNpc("안녕", "dragon", npcs), "unknown");
    // By display name too, in any case, as `@` finds it.
    assert.deepEqual(addressedNpc("안녕", "코봇", npcs), { npcId: "kobot", question: "안녕" });
    assert.deepEqual(addressedNpc("안녕", "KOBOT", npcs), { npcId: "kobot", question: "안녕" });
  });

  it("sends a line that begins by calling an NPC to that NPC, whatever `to` says", () => {
    assert.deepEqual(addressedNpc("@kobot 배고파", "smith", npcs), { npcId: "kobot", question: "배고파" });
    assert.deepEqual(addressedNpc("@kobot 배고파", "dragon", npcs), { npcId: "kobot", question: "배고파" });
    assert.deepEqual(addressedNpc("@someone 배고파", "smith", npcs), { npcId: "smith", question: "@someone 배고파" });
  });

  it("leaves lines to the room alone: no @, another word, or a mention in the middle", () => {
    assert.equal(addressedNpc("kobot 안녕", undefined, npcs), undefined);
    assert.equal(addressedNpc("@kobotx 안녕", undefined, npcs), undefined);
    assert.equal(addressedNpc("안녕 @kobot", undefined, npcs), undefined);
    assert.equal(addressedNpc("@someone 안녕", undefined, npcs), undefined);
  });

  it("gives an empty question for a bare mention (the NPC answers the call, not the brain)", () => {
    assert.deepEqual(addressedNpc("@kobot", undefined, npcs), { npcId: "kobot", question: "" });
    assert.deepEqual(addressedNpc("@코봇!", undefined, npcs), { npcId: "kobot", question: "" });
  });

  it("reads a full-width ＠ as @, and `to` as chat is cleaned (separate jamo, spaces)", () => {
    assert.deepEqual(addressedNpc("＠코봇 배고파", undefined, npcs), { npcId: "kobot", question: "배고파" });
    // What phones and full-width keyboards type after a call (each went to the room, the NPC silent).
    assert.deepEqual(addressedNpc("@코봇… 배고파", undefined, npcs), { npcId: "kobot", question: "배고파" });
    assert.deepEqual(addressedNpc("＠코봇！ 검 있어요?", undefined, npcs), { npcId: "kobot", question: "검 있어요?" });
    assert.deepEqual(addressedNpc("＠ＫＯＢＯＴ？", undefined, npcs), { npcId: "kobot", question: "" });
    assert.deepEqual(addressedNpc("@코봇ㅋㅋ 안녕", undefined, npcs), { npcId: "kobot", question: "안녕" });
    assert.deepEqual(addressedNpc("@코봇 ㅎㅇ", undefined, npcs), { npcId: "kobot", question: "ㅎㅇ" }, "hello, not laughter");
    assert.equal(addressedNpc("@코봇ㅎㅇ", undefined, npcs), undefined);
    assert.deepEqual(addressedNpc("@코봇👋 안녕", undefined, npcs), { npcId: "kobot", question: "안녕" });
    // What the question begins with stays its own: a sign after the call's space is the player's.
    for (const question of ["🍎 얼마야?", "(웃음) 안녕", '"검"이 뭐야?', "$100 있어?", "#1 누구야?", "👋", ":) 안녕", ":D 뭐해?", ":P"]) {
      assert.deepEqual(addressedNpc(`@코봇 ${question}`, undefined, npcs), { npcId: "kobot", question });
    }
    assert.deepEqual(addressedNpc("@코봇<3", undefined, npcs), { npcId: "kobot", question: "<3" });
    assert.deepEqual(addressedNpc("@코봇!검 있어?", undefined, npcs), { npcId: "kobot", question: "검 있어?" });
    assert.deepEqual(addressedNpc("@코봇, 안녕", undefined, npcs), { npcId: "kobot", question: "안녕" });
    assert.deepEqual(addressedNpc("@한스 씨, 검 있어요?", undefined, [{ id: "smith", name: "한스" }]), { npcId: "smith", question: "검 있어요?" });
    assert.deepEqual(addressedNpc("@smith… 칼 있어요?", "kobot", npcs), { npcId: "smith", question: "칼 있어요?" }, "the call, not the client's `to`");
    assert.deepEqual(addressedNpc("안녕", "코봇".normalize("NFD"), npcs), { npcId: "kobot", question: "안녕" });
    assert.deepEqual(addressedNpc("안녕", " kobot ", npcs), { npcId: "kobot", question: "안녕" });
  });
});

describe("Movement rules", () => {
  const rules = { bounds: DEFAULT_WORLD_SETTINGS.bounds, maxSpeed: 10 };
  const origin = { x: 0, y: 0, z: 0 };

  it("allows a move within reach", () => {
    assert.deepEqual(allowedPosition(origin, { x: 3, y: 0, z: 4 }, 1, rules), { x: 3, y: 0, z: 4 });
  });

  it("cuts a teleport short along its direction", () => {
    const p = allowedPosition(origin, { x: 30, y: 0, z: 40 }, 1, rules);
    assert.ok(Math.abs(p.x - 6) < 1e-9 && Math.abs(p.z - 8) < 1e-9, JSON.stringify(p));
  });

  it("goes nowhere with no travel in hand, and no further than half a second's however long the player stood", () => {
    assert.deepEqual(allowedPosition(origin, { x: 100, y: 0, z: 0 }, 0, rules), origin);
    const travel = new TokenBucket(TRAVEL_IN_HAND_SECONDS, 1, 0);
    travel.spend(travel.available(0));
    assert.equal(travel.available(200), 0.2);
    assert.equal(travel.available(60_000), TRAVEL_IN_HAND_SECONDS);
    assert.equal(allowedPosition(origin, { x: 100, y: 0, z: 0 }, travel.available(60_000), rules).x, 5);
  });

  it("clamps into the world's bounds", () => {
    const p = allowedPosition({ x: 49, y: 0, z: 0 }, { x: 60, y: -3, z: 0 }, 10, rules);
    assert.deepEqual(p, { x: 50, y: 0, z: 0 });
  });

  it("keeps angles in [0, 360)", () => {
    assert.equal(normaliseAngle(450), 90);
    assert.equal(normaliseAngle(-90), 270);
    assert.equal(normaliseAngle(360), 0);
  });

  it("keeps angles in [0, 360) as the state's float32 carries them: a hair under 0 is 0, not 360", () => {
    for (const degrees of [-1e-6, -1e-9, 359.999999, 720 - 1e-7]) {
      const carried = Math.fround(normaliseAngle(degrees));
      assert.ok(carried >= 0 && carried < 360, `${degrees} → ${carried}`);
    }
  });
});

describe("NPC visits", () => {
  const npc = { ...DEFAULT_NPC, x: 0, y: 0, z: 0, talkRadius: 10, greetings: ["안녕, {name}"], greetAgainSeconds: 30 };
  const at = (z: number) => ({ x: 0, y: 0, z });

  it("greets once a visit, and not again for a visit within greetAgainSeconds of the last greeting", () => {
    const visits = new NpcVisits();
    assert.deepEqual(visits.arrive("p", at(5), [npc], 0), [npc]);
    assert.deepEqual(visits.arrive("p", at(9), [npc], 1_000), [], "still visiting");
    assert.deepEqual(visits.arrive("p", at(20), [npc], 2_000), [], "gone: the visit ends");
    assert.deepEqual(visits.arrive("p", at(5), [npc], 3_000), [], "back 3 s later: not greeted again");
    visits.arrive("p", at(20), [npc], 4_000);
    assert.deepEqual(visits.arrive("p", at(5), [npc], 31_000), [npc], "back after 30 s: greeted");
    visits.forget("p", 31_500);
    assert.deepEqual(visits.arrive("p2", at(5), [npc], 32_000), [npc], "another player");
  });

  it("remembers a player's last greeting over a join again (a new session), and forgets one never said", () => {
    const visits = new NpcVisits();
    assert.deepEqual(visits.arrive("s1", at(5), [npc], 0, "account a"), [npc]);
    visits.forget("s1", 1_000);
    assert.deepEqual(visits.arrive("s2", at(5), [npc], 2_000, "account a"), [], "joined again 2 s later: not greeted again");
    visits.forget("s2", 3_000);
    assert.deepEqual(visits.arrive("s3", at(5), [npc], 30_001, "account a"), [npc], "30 s after the greeting");
    visits.notGreeted(npc.id, "s3"); // they left before it was said
    visits.forget("s3", 30_500);
    assert.deepEqual(visits.arrive("s4", at(5), [npc], 31_000, "account a"), [npc]);
  });
});

describe("Greeting gate", () => {
  it("greets the first arrival at once and everyone arriving in the gap together after it, by name", () => {
    const gate = new GreetingGate();
    assert.equal(gate.arrive("hans", "a", 0), "now");
    assert.equal(gate.arrive("hans", "b", 500), GREETING_GAP_MS - 500, "the first to wait sets the timer");
    assert.equal(gate.arrive("hans", "c", 600), 0, "the timer is set");
    assert.equal(gate.arrive("mina", "c", 600), "now", "each NPC has its own gap");
    assert.deepEqual(gate.due("hans", (id) => id !== "c", GREETING_GAP_MS), ["b"], "c left meanwhile");
    assert.equal(gate.arrive("hans", "d", GREETING_GAP_MS + 100), GREETING_GAP_MS - 100, "the shared greeting started a gap");
    assert.deepEqual(gate.due("hans", () => false, 2 * GREETING_GAP_MS), []);
    assert.equal(gate.arrive("hans", "e", 2 * GREETING_GAP_MS), "now", "nobody was greeted: no gap");
    assert.equal(gate.arrive("hans", "f", 2 * GREETING_GAP_MS + 10), GREETING_GAP_MS - 10);
    gate.forget("hans"); // removed from the world while f waited; its timer finds no NPC
    assert.equal(gate.arrive("hans", "f", 2 * GREETING_GAP_MS + 20), "now", "added back: greets at once, not after the lost timer");
    assert.equal(withNames("{name}, 어서 오게.", ["민수"]), "민수, 어서 오게.");
    assert.equal(withNames("{name}, 어서 오게.", ["민수", "지영", "철수"]), "민수, 지영, 철수, 어서 오게.");
    assert.equal(withNames("{name}, 어서 오게.", ["민수", "지영", "철수", "영희", "하늘"]), "민수, 지영, 철수 외 2명, 어서 오게.");
    // 님 honours each person, not the head count.
    assert.equal(withNames("{name} 님, 어서 오세요!", ["민수", "지영", "철수", "영희"]), "민수 님, 지영 님, 철수 님 외 1명, 어서 오세요!");
    assert.equal(withNames("{name}님 안녕! {name}님", ["$&", "지영"]), "$&님, 지영님 안녕! $&님, 지영님", "a name is no replacement pattern");
    assert.equal(withNames("{name}씨, 어서 와요", ["민수", "지영", "철수", "영희"]), "민수씨, 지영씨, 철수씨 외 1명, 어서 와요");
    assert.equal(withNames("{name}  님 안녕", ["관리자님", "지영", "철수", "영희"]), "관리자님, 지영  님, 철수  님 외 1명 안녕", "a name with its title already");
    // 님들 is said to them all, not 님 to each ("민수님, 지영님들").
    assert.equal(withNames("{name}님들 어서 오세요", ["민수", "지영"]), "민수, 지영님들 어서 오세요");
  });

  it("names a player once who stepped out and in again while waiting", () => {
    const gate = new GreetingGate();
    gate.arrive("hans", "a", 0);
    for (const at of [100, 300, 500]) gate.arrive("hans", "b", at);
    assert.deepEqual(gate.due("hans", () => true, GREETING_GAP_MS), ["b"]);
  });
});

describe("Seats waiting per address", () => {
  it("gives an address at most its cap of seats not yet taken; a taken or expired seat stops counting", async () => {
    const seats = new WaitingSeats(2, 50);
    const first = seats.reserve("10.0.0.1");
    const second = seats.reserve("10.0.0.1");
    assert.ok(first !== undefined && second !== undefined);
    assert.equal(seats.reserve("10.0.0.1"), undefined, "a third waits for one of the two");
    assert.notEqual(seats.reserve("10.0.0.2"), undefined, "another address has its own cap");
    seats.taken("10.0.0.1", first);
    seats.taken("10.0.0.1", first); // twice (taken, then its expiry): counted off once
    assert.equal(seats.waiting("10.0.0.1"), 1);
    assert.notEqual(seats.reserve("10.0.0.1"), undefined, "the taken seat's place is free");
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(seats.waiting("10.0.0.1"), 0, "reservations nobody took expire with Colyseus's hold on them");
    assert.equal(seats.waiting("10.0.0.2"), 0);
  });

  it("counts one reservation a matchmaking request, however often it asks, and none for a request that got no seat", () => {
    const seats = new WaitingSeats(2, 60_000);
    const first = seats.reserve("10.0.0.1", "r1");
    assert.equal(seats.reserve("10.0.0.1", "r1"), first, "a retry of the request takes its reservation");
    assert.equal(seats.waiting("10.0.0.1"), 1);
    seats.reserve("10.0.0.1", "r2");
    seats.requestEnded("r2", false); // refused after matchmaking counted it: a room could not be made
    assert.equal(seats.waiting("10.0.0.1"), 1);
    seats.requestEnded("r1", true); // seated: counted until its WebSocket takes the seat
    assert.equal(seats.waiting("10.0.0.1"), 1);
    seats.requestEnded("r3", false); // made none (another process's, or refused before)
    assert.equal(seats.waiting("10.0.0.1"), 1);
  });

  it("forgets a request whose reservation came after it ended (its client hung up during onAuth) once the hold is over", async () => {
    const seats = new WaitingSeats(2, 50);
    seats.requestEnded("r1", false); // the response closed first: nothing to give back yet
    const late = seats.reserve("10.0.0.1", "r1");
    assert.equal(seats.reserve("10.0.0.1", "r1"), late, "within its hold, the request's reservation");
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(seats.waiting("10.0.0.1"), 0);
    assert.notEqual(seats.reserve("10.0.0.1", "r1"), late, "the request was forgotten with its reservation");
  });

  it("has no cap at 0", () => {
    const seats = new WaitingSeats(0, 50);
    for (let i = 0; i < 100; i++) assert.notEqual(seats.reserve("10.0.0.1"), undefined);
  });
});
