import assert from "node:assert/strict";
import { Encoder } from "@colyseus/schema";

import { newLineId } from "../rooms/chat/line-id.js";
import { CHAT_MAX_CHARS } from "../rooms/world-protocol.js";
import { ChatLine } from "../rooms/world-state.js";
import { startTestWorld, stateOf, type TestPlayer, waitFor } from "./helpers/world.js";

describe("state encoder buffer", function () {
  this.timeout(60_000);
  it("gives chat lines ids of 16 characters, all different: an answer, which names its question's, encodes in 109 bytes", () => {
    const ids = new Set(Array.from({ length: 10_000 }, newLineId));
    assert.equal(ids.size, 10_000);
    for (const id of ids) assert.match(id, /^[A-Za-z0-9_-]{16}$/);
    const answer = new ChatLine().assign({ id: newLineId(), kind: "npc", from: "kobot", name: "코봇", text: "오늘은 맑고 따뜻한 날씨예요.", ts: Date.now(), replyTo: newLineId() });
    assert.equal(new Encoder(answer).encode().length, 109, "151 with UUIDs");
  });

  it("sends a joiner a full history of the longest lines without the encoder growing (a console warning per room)", async () => {
    const before = Encoder.BUFFER_SIZE;
    const world = await startTestWorld({ CHAT_HISTORY: "300", CHAT_BURST: "1000", CHAT_LINES_PER_SECOND: "1000" });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      const talker = await world.join("수다쟁이");
      const other = await world.joinBeside(talker, "맞장구");
      // Within each client's burst of 200 messages (a flooder is closed): 150 lines from each of two players at once.
      for (let i = 0; i < 300; i++) (i % 2 ? other : talker).room.send("chat", { text: `${i} ` + "가".repeat(CHAT_MAX_CHARS - 4) });
      await waitFor("the history full", () => stateOf(talker).chat.filter((line) => line.kind === "player").length >= 290, 15_000);
      const joiner = await world.joinBeside(talker, "늦게온이");
      assert.ok(stateOf(joiner).chat.length >= 290, "the joiner has the history");
      assert.deepEqual(warnings.filter((w) => w.includes("buffer overflow")), []);
      await joiner.room.leave();
      await talker.room.leave();
      await other.room.leave();
    } finally {
      console.warn = warn;
      await world.stop();
      Encoder.BUFFER_SIZE = before;
    }
  });

  it("patches a room where each player has a view of their own, all 80 moving in sight of one another, without the encoder growing", async () => {
    const before = Encoder.BUFFER_SIZE;
    Encoder.BUFFER_SIZE = 16 * 1024; // Colyseus's own, raised by earlier tests in this process
    // A full state of a one-line history is 32 KB; 80 views of 80 moves, 128 KB a patch. The views filling as players
    // joined grew the buffer to 128 KB without a word (encodeView); their moves, past it with the warning.
    const world = await startTestWorld({ CHAT_HISTORY: "1", MAX_CLIENTS: "80" }, { world: { hearing: { mode: "proximity", radius: 15 }, sight: { radius: 15 } } });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      const players: TestPlayer[] = [await world.join("p0")];
      while (players.length < 80) players.push(...(await Promise.all(Array.from({ length: Math.min(10, 80 - players.length) }, (_, i) => world.joinBeside(players[0]!, `p${players.length + i}`)))));
      const last = players[79]!;
      await waitFor("everyone in sight of the last one in", () => stateOf(last).players && Object.keys(stateOf(last).players).length === 80);
      for (let round = 1; round <= 3; round++) {
        for (const [i, player] of players.entries()) player.room.send("move", { x: (i % 7) - 3 + round / 10, y: 0, z: Math.floor(i / 7) - 3, rotY: 90 * round, anim: "walk" });
        await waitFor(`round ${round} seen by the last one in`, () => Object.values(stateOf(last).players).every((p: any) => p.rotY === 90 * round), 10_000);
      }
      assert.deepEqual(warnings.filter((w) => w.includes("buffer overflow")).map((w) => w.split("\n").find((line) => line.includes("BUFFER_SIZE ="))?.trim()), []);
    } finally {
      console.warn = warn;
      await world.stop();
      Encoder.BUFFER_SIZE = before;
    }
  });
});
