import assert from "node:assert/strict";
import { join } from "node:path";

import { startGameBackend } from "../examples/game-backend.js";
import type { NpcActionNotice } from "../rooms/world-protocol.js";
import { startTestWorld, stateOf, type TestWorld, waitFor, walkTo } from "./helpers/world.js";

const ACTION_SECRET = "the game's backend checks receipts with this";
const BACKEND_TOKEN = "the-game-backend-calls-the-world-server-with-this";

describe("examples/game-backend.ts (docs/game-backend.md)", function () {
  this.timeout(60_000);
  let world: TestWorld;

  before(async () => {
    world = await startTestWorld({
      WORLD_FILE: join(import.meta.dirname, "..", "worlds", "village.yaml"), ACTION_SECRET, BACKEND_TOKEN,
    });
    await world.startWorker();
  });
  after(() => world.stop());

  it("grants the shop the smith opened, once, on the receipt the client hands on, and has him thank the player for a quest", async () => {
    const backend = await startGameBackend({ secret: ACTION_SECRET, kobotHttp: world.url.replace("ws://", "http://"), token: BACKEND_TOKEN });
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${backend.url}${path}`, { method: "POST", body: JSON.stringify(body) });
      return [response.status, await response.json()] as [number, Record<string, unknown>];
    };
    try {
      const player = await world.join("손님");
      const actions: NpcActionNotice[] = [];
      player.room.onMessage("npc_action", (notice: NpcActionNotice) => actions.push(notice));
      await walkTo(player, -20, -6); // the smith stands at (-20, -10), talk radius 8
      player.room.send("chat", { text: "@한스 여기서 뭐 팔아?" });
      const { receipt } = (await waitFor("the smith's action", () => actions[0], 20_000)) as { receipt: string };

      assert.deepEqual(await post("/actions", { receipt }), [200, { granted: "open_shop", npc: "hans", player: player.room.sessionId }]);
      assert.deepEqual(await post("/actions", { receipt }), [409, { error: "this receipt was used already" }]);
      // A cheater's copy with another signature (one character of it changed).
      const at = receipt.lastIndexOf(".") + 5;
      const forged = receipt.slice(0, at) + (receipt[at] === "A" ? "B" : "A") + receipt.slice(at + 1);
      const [status, { error }] = await post("/actions", { receipt: forged });
      assert.equal(status, 403);
      assert.match(String(error), /signature does not match/);

      assert.equal((await post("/quests/done", { player: player.room.sessionId }))[0], 200);
      // The caller's own mistake is a 400 (it was a 502, as if the world server had failed); a huge body is not read whole.
      assert.equal((await post("/quests/done", {}))[0], 400);
      assert.deepEqual(await post("/actions", { receipt: "x".repeat(100_000) }), [413, { error: "the body is over 16384 bytes" }]);
      await waitFor("the smith's thanks", () => stateOf(player).chat.some((l) => l.from === "hans" && /^(손님, 수고했네|잘 해냈군, 손님)/.test(l.text)));
      await player.room.leave();
    } finally {
      await backend.close();
    }
  });
});
