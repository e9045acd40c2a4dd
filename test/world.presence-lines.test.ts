import assert from "node:assert/strict";

import { presenceLine } from "../rooms/players/presence-lines.js";
import { parseChatLogRecord } from "../kafka/chat-log.js";
import { joinWorld, recordingChatLog, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

/** A shorter gap than the game's 2 s, for the tests' sake. */
const GAP_MS = 1_000; // joins on a busy box take a few hundred ms: a gap of 600 ms split the lines these tests expect together
const from = (address: string) => ({ "x-forwarded-for": address });

type SeenLine = { id: string; kind: string; name: string; text: string };

/** Every system line `player` saw while `during` ran, and until a gap after it (lines leave the history of 8). */
async function systemLinesSeen(player: TestPlayer, during: () => Promise<void>): Promise<SeenLine[]> {
  const before = new Set(stateOf(player).chat.map((line) => line.id));
  const seen = new Map<string, SeenLine>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const line of stateOf(player).chat) if (line.kind === "system" && !before.has(line.id)) seen.set(line.id, line);
      await sleep(20);
    }
  })();
  await during();
  await sleep(GAP_MS + 300);
  watching = false;
  await watch;
  return [...seen.values()];
}

describe("The room's join and leave lines", function () {
  let world: TestWorld;
  const chatLog = recordingChatLog();
  before(async () => {
    world = await startTestWorld({ TRUST_PROXY: "1", CHAT_HISTORY: "8" }, { chatLog, world: { presenceGapMs: GAP_MS } });
  });
  after(() => world.stop());

  it("words a line for one player as before, and for many with three names and a count", () => {
    assert.deepEqual(presenceLine("joined", ["민수"]), { name: "민수", text: "민수 님이 들어왔어요." });
    assert.deepEqual(presenceLine("left", ["민수", "철수"]), { name: "민수, 철수", text: "민수, 철수 님이 나갔어요." });
    assert.deepEqual(presenceLine("joined", ["민수", "철수", "영희", "지영", "하늘"]), { name: "민수, 철수, 영희", text: "민수, 철수, 영희 외 2명이 들어왔어요." });
  });

  it("says a join and a leave at once when none was said in the gap, the player's name in the line's name", async () => {
    const bystander = await world.join("구경꾼");
    await sleep(GAP_MS);
    const joinedAt = performance.now();
    const minsu = await world.joinBeside(bystander, "민수");
    const joined = await waitFor("민수's join line", () => stateOf(bystander).chat.find((l) => l.text === "민수 님이 들어왔어요."), 1000);
    assert.ok(performance.now() - joinedAt < GAP_MS, "not held for the gap");
    assert.deepEqual({ kind: joined.kind, from: joined.from, name: joined.name }, { kind: "system", from: "", name: "민수" });
    await sleep(GAP_MS); // a visit of a gap or more: its leave line is said
    await minsu.room.leave();
    const left = await waitFor("민수's leave line", () => stateOf(bystander).chat.find((l) => l.text === "민수 님이 나갔어요."), GAP_MS / 2);
    assert.equal(left.name, "민수");
    await bystander.room.leave();
  });

  it("says who came within the gap in one line after it, and nothing of a visit that ended before its line", async () => {
    const bystander = await world.join("지켜봄");
    await sleep(GAP_MS);
    const lines = await systemLinesSeen(bystander, async () => {
      const first = await world.joinBeside(bystander, "첫손님");
      const crowd: TestPlayer[] = [];
      for (const name of ["둘째", "셋째", "넷째", "다섯째"]) crowd.push(await world.joinBeside(bystander, name));
      // Side by side, to end within the gap on a busy box too.
      await Promise.all(Array.from({ length: 10 }, async (_, i) => (await world.joinBeside(bystander, `잠깐${i}`)).room.leave()));
      await sleep(GAP_MS + 200);
      await Promise.all([first, ...crowd].map((p) => p.room.leave()));
    });
    assert.deepEqual(
      lines.map((l) => [l.name, l.text]),
      [
        ["첫손님", "첫손님 님이 들어왔어요."],
        ["둘째, 셋째, 넷째", "둘째, 셋째, 넷째 외 1명이 들어왔어요."],
        ["첫손님", "첫손님 님이 나갔어요."],
        ["둘째, 셋째, 넷째", "둘째, 셋째, 넷째 외 1명이 나갔어요."],
      ],
    );
    await bystander.room.leave();
  });

  it("holds join-leave loops from one address to a few lines, where each visit said two", async () => {
    const bystander = await joinWorld(world.url, { name: "구경하는이" }, undefined, from("203.0.113.5"));
    await sleep(GAP_MS);
    let visits = 0;
    const started = performance.now();
    const lines = await systemLinesSeen(bystander, async () => {
      const loop = async (k: number) => {
        for (let i = 0; performance.now() - started < 3000; i++) {
          const visitor = await joinWorld(world.url, { name: `들락${k}_${i}` }, bystander.room.roomId, from("203.0.113.99"));
          visits++;
          await visitor.room.leave();
        }
      };
      await Promise.all([0, 1, 2, 3].map(loop));
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(`      ${visits} visits in ${seconds.toFixed(1)} s: ${lines.length} system lines seen`);
    assert.ok(visits > 40, `${visits} visits`);
    // At most a join and a leave line a gap, and one of each at once.
    assert.ok(lines.length <= 2 * Math.ceil((seconds * 1000) / GAP_MS) + 2, `${lines.length} lines for ${visits} visits`);
    await bystander.room.leave();
  });
  it("logs a line for three long names as a record the chat log's readers take: the names only in the room's line", async () => {
    await sleep(GAP_MS); // the tests before said lines: this one's join is said at once, the three after it together
    const first = await world.join("구경꾼");
    const names = ["dragon_slayer_99", "Kim Minsu_fan", "소나기내리는밤하늘의별"];
    const joined: TestPlayer[] = [];
    // Together: one after another, on a busy box the three joins outlasted the gap, and their line came in two.
    const seen = await systemLinesSeen(first, async () => {
      joined.push(...(await Promise.all(names.map((name) => world.joinBeside(first, name)))));
    });
    const together = seen.find((line) => line.name.split(", ").length === 3);
    assert.ok(together && [...together.name].length > 40, JSON.stringify(seen));
    const logged = chatLog.records.filter((record) => record.kind === "system" && record.text === together.text);
    assert.equal(logged.length, 1);
    // Kafka's readers parse each record so: one they refuse goes to the dead letters, never to Elasticsearch.
    assert.equal(parseChatLogRecord(Buffer.from(JSON.stringify(logged[0]))).name, "");
    for (const player of [first, ...joined]) await player.room.leave();
  });
});
