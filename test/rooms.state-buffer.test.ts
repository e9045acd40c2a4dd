import assert from "node:assert/strict";
import { Encoder } from "@colyseus/schema";

import { CHAT_MAX_CHARS } from "../rooms/world-protocol.js";
import { sleep, startTestWorld, stateOf, waitFor } from "./helpers/world.js";

describe("state encoder buffer", function () {
  this.timeout(60_000);
  it("sends a joiner a full history of the longest lines without the encoder growing (a console warning per room)", async () => {
    const before = Encoder.BUFFER_SIZE;
    const world = await startTestWorld({ CHAT_HISTORY: "300", CHAT_BURST: "1000", CHAT_LINES_PER_SECOND: "1000" });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
    try {
      const talker = await world.join("수다쟁이");
      // Within the room's message rate (a flooder is closed): 20 lines every half second.
      for (let i = 0; i < 300; i++) {
        talker.room.send("chat", { text: `${i} ` + "가".repeat(CHAT_MAX_CHARS - 4) });
        if (i % 20 === 19) await sleep(500);
      }
      await waitFor("the history full", () => stateOf(talker).chat.filter((line) => line.kind === "player").length >= 290, 15_000);
      const joiner = await world.joinBeside(talker, "늦게온이");
      assert.ok(stateOf(joiner).chat.length >= 290, "the joiner has the history");
      assert.deepEqual(warnings.filter((w) => w.includes("buffer overflow")), []);
      await joiner.room.leave();
      await talker.room.leave();
    } finally {
      console.warn = warn;
      await world.stop();
      Encoder.BUFFER_SIZE = before;
    }
  });
});
