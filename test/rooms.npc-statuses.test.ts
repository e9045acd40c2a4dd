import assert from "node:assert/strict";

import { NpcStatuses } from "../rooms/npc/npc-statuses.js";
import type { NpcStatus } from "../rooms/world-protocol.js";

/** NpcStatuses on a clock the test moves: what each NPC shows, and the timers due. */
function board() {
  let now = 0;
  const shown = new Map<string, NpcStatus>();
  const timers: { at: number; callback: () => void }[] = [];
  const statuses = new NpcStatuses((npc, status) => shown.set(npc, status), (callback, ms) => timers.push({ at: now + ms, callback }), () => now);
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.filter((t) => t.at <= now)) {
      timers.splice(timers.indexOf(timer), 1);
      timer.callback();
    }
  };
  return { statuses, shown, advance };
}

describe("NpcStatuses (what clients animate)", () => {
  it("thinks while any question is with its brain, whatever it says meanwhile", () => {
    const { statuses, shown, advance } = board();
    statuses.thinking("hans", +2);
    assert.equal(shown.get("hans"), "thinking");
    statuses.speaking("hans", "어서 와요"); // a greeting while two questions wait
    assert.equal(shown.get("hans"), "thinking");
    statuses.thinking("hans", -1);
    assert.equal(shown.get("hans"), "thinking", "one question still with the brain");
    statuses.thinking("hans", -1);
    assert.equal(shown.get("hans"), "speaking", "its greeting still lasts");
    advance(5000);
    assert.equal(shown.get("hans"), "idle");
  });

  it("keeps nothing of an NPC whose questions are all answered and whose line has ended (world edits add and remove NPCs)", () => {
    const { statuses, advance } = board();
    for (let i = 0; i < 50; i++) {
      statuses.thinking(`temp${i}`, +1);
      statuses.thinking(`temp${i}`, -1);
      statuses.speaking(`temp${i}`, "잘 가요");
    }
    advance(5000);
    const kept = statuses as unknown as { questions: Map<string, number>; speakingUntil: Map<string, number> };
    assert.deepEqual([kept.questions.size, kept.speakingUntil.size], [0, 0]);
  });

  it("speaks about as long as a player takes to read the line: 1.5 s, 50 ms a character more, at most 5 s", () => {
    const { statuses, shown, advance } = board();
    statuses.speaking("mina", "안녕"); // 1.6 s
    advance(1599);
    assert.equal(shown.get("mina"), "speaking");
    advance(1);
    assert.equal(shown.get("mina"), "idle");
    statuses.speaking("mina", "가".repeat(500));
    advance(4999);
    assert.equal(shown.get("mina"), "speaking");
    advance(1);
    assert.equal(shown.get("mina"), "idle");
  });

  it("is not cut short by the end of an earlier line, and keeps each NPC's own", () => {
    const { statuses, shown, advance } = board();
    statuses.speaking("hans", "안녕"); // ends at 1.6 s
    advance(1000);
    statuses.speaking("hans", "오늘 날씨 좋네요"); // 9 characters: ends at 1 + 1.95 s
    statuses.speaking("mina", "네"); // ends at 1 + 1.55 s
    advance(600); // hans's first line is over, his second is not
    assert.equal(shown.get("hans"), "speaking");
    advance(1000);
    assert.deepEqual([shown.get("hans"), shown.get("mina")], ["speaking", "idle"]);
    advance(349);
    assert.equal(shown.get("hans"), "speaking");
    advance(1);
    assert.equal(shown.get("hans"), "idle");
  });
});

describe("NpcStatuses' speaking time", () => {
  it("counts characters, not UTF-16 units: ten emoji speak for 1500 + 10×50 = 2000 ms", () => {
    const delays: number[] = [];
    const statuses = new NpcStatuses(() => {}, (_done, ms) => void delays.push(ms), () => 0);
    statuses.speaking("hans", "😀".repeat(10));
    assert.deepEqual(delays, [2000]);
  });
});
