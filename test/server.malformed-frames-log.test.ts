import assert from "node:assert/strict";

import { createLogger } from "../common/log.js";
import { startTestWorld, sleep, type TestPlayer, type TestWorld, waitFor } from "./helpers/world.js";

/**
 * Messages a real client sends that msgpack cannot unpack: Colyseus logs each with its stack, at error. A player's
 * bytes are the player's problem, not the server's: a warning (once in 10 s a kind), never an error line.
 */
describe("A client's message that does not decode, in the server's log", function () {
  let world: TestWorld;
  const lines: Array<{ level: string; msg: string; error?: string; from?: string }> = [];
  const send = (player: TestPlayer, bytes: number[]) => (player.room.connection as unknown as { send(frame: Uint8Array): void }).send(Uint8Array.from(bytes));
  const chat = [0xa4, ...Buffer.from("chat")]; // the type "chat" as a short string

  before(async () => {
    world = await startTestWorld({}, { log: createLogger({}, "warn", (line) => lines.push(JSON.parse(line))) });
  });
  after(() => world.stop());
  beforeEach(() => (lines.length = 0));

  it("is a warning for a request frame (the client stays), one for many alike, and no error", async () => {
    const player = await world.join("요청깨짐");
    // ROOM_REQUEST, request id 1, then a msgpack string of 255 bytes that ends at once.
    for (let i = 0; i < 3; i++) send(player, [21, 1 + i, ...chat, 0xd9, 0xff]);
    await waitFor("the warning", () => lines.some((line) => line.msg === "a client sent a message that does not decode"));
    await sleep(300);
    assert.deepEqual(lines, [{ ...lines[0]!, level: "warn", msg: "a client sent a message that does not decode", error: "Error: Unexpected end of MessagePack data", from: "colyseus" }]);
    assert.equal(player.room.connection.isOpen, true);
    await player.room.leave();
  });

  it("is a warning for a data frame (the client closed, 4002), and no error", async () => {
    const player = await world.join("자료깨짐");
    // ROOM_DATA: a list of two, then a byte past it.
    send(player, [13, ...chat, 0x92, 0xc3, 0xc2, 0xc3]);
    await waitFor("the warning", () => lines.some((line) => line.msg === "a client sent a message that does not decode"));
    await sleep(300);
    assert.deepEqual(lines.filter((line) => line.level === "error"), []);
    assert.match(lines.find((line) => line.from === "colyseus")!.error!, /^Error: Data read, but end of buffer not reached/);
  });
});
