import assert from "node:assert/strict";
import WebSocket from "ws";

import { AwayHolds } from "../rooms/players/away-holds.js";
import { joinWorld, signedIn, sleep, startTestWorld, stateOf, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

describe("Seats kept for reconnections, per account or address (rooms/players/away-holds.ts)", () => {
  it("counts each holder's kept seats up to its most, never a private network's, and gives them back", () => {
    const holds = new AwayHolds({ account: 2, address: 1 });
    assert.deepEqual(["account a", "account a", "account a"].map((holder) => holds.take(holder)), [true, true, false]);
    assert.deepEqual([holds.take("address 203.0.113.9"), holds.take("address 203.0.113.9"), holds.take("address 198.51.100.1")], [true, false, true]);
    assert.ok([1, 2, 3].every(() => holds.take(undefined)), "a private network's players are not capped");
    holds.release("account a");
    assert.equal(holds.take("account a"), true);
    assert.equal(new AwayHolds({ account: 1, address: 0 }).take("address 203.0.113.9"), true, "0: no cap on addresses");
  });

  describe("in a room", function () {
    this.timeout(60_000);
    const SECRET = "a-secret-of-at-least-32-characters-000";
    let world: TestWorld | undefined;
    afterEach(() => world?.stop());

    /**
     * Joins as `headers` say, acknowledges, and drops its socket without a word, as a lost connection would. Named
     * `name`: another account's or address's ghost needs a name of its own (a name like a player's here is name_taken).
     */
    async function ghost(keeper: TestPlayer, headers: Record<string, string>, name = "유령"): Promise<void> {
      const http = world!.url.replace("ws:", "http:");
      const response = await fetch(`${http}/matchmake/joinById/${keeper.room.roomId}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ name }) });
      const seat = (await response.json()) as { sessionId: string; roomId: string; processId: string };
      const socket = new WebSocket(`${world!.url}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`, { headers });
      await new Promise((resolve) => socket.once("message", resolve));
      socket.send(Uint8Array.from([10])); // the join acknowledged
      await waitFor("the ghost in the room", () => stateOf(keeper).players[seat.sessionId] !== undefined);
      socket.terminate();
      await waitFor("the ghost away or gone", () => stateOf(keeper).players[seat.sessionId]?.anim !== "idle");
    }
    const ghosts = (keeper: TestPlayer) => Object.values(stateOf(keeper).players).filter((player) => player.name.startsWith("유령")).length;

    // One account or address dropping its sockets in a loop held every seat of the server, from no open connection.
    it("keeps at most 4 seats of one account, as the contract says; its other dropped players go at once", async () => {
      const kept = 4; // docs/client-contract.md, close code 1006
      world = await startTestWorld({ AUTH_SECRET: SECRET, MAX_CLIENTS: "20" });
      const keeper = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "keeper", "남는이"));
      const account = await signedIn(SECRET, "ghost-1", "유령");
      for (let i = 0; i < kept + 2; i++) await ghost(keeper, account);
      await sleep(200);
      assert.equal(ghosts(keeper), kept);
      await ghost(keeper, await signedIn(SECRET, "ghost-2", "유령둘"));
      assert.equal(ghosts(keeper), kept + 1, "another account's seat is kept");
      await keeper.room.leave();
    });

    it("keeps at most CONNECTIONS_PER_ADDRESS seats of one public address; a private network's are not capped", async () => {
      world = await startTestWorld({ TRUST_PROXY: "1", CONNECTIONS_PER_ADDRESS: "3", MAX_CLIENTS: "20" });
      const keeper = await world.join("남는이");
      for (let i = 0; i < 5; i++) await ghost(keeper, { "x-forwarded-for": "203.0.113.9" });
      await sleep(200);
      assert.equal(ghosts(keeper), 3);
      for (let i = 0; i < 4; i++) await ghost(keeper, { "x-forwarded-for": "10.1.2.3" }, "유령넷");
      assert.equal(ghosts(keeper), 7, "a private network's players all kept");
      await keeper.room.leave();
    });
  });
});
