import assert from "node:assert/strict";

import { createLogger } from "../common/log.js";
import { logThrottle } from "../common/log-throttle.js";
import { colyseusLogger } from "../server/colyseus-logger.js";

describe("Repeated log lines", () => {
  it("lets a message through once per period, saying how many were held back; other messages pass", async () => {
    const throttle = logThrottle(50);
    assert.equal(throttle("down"), 0);
    assert.equal(throttle("down"), undefined);
    assert.equal(throttle("down"), undefined);
    assert.equal(throttle("another"), 0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(throttle("down"), 2, "the two held back");
  });

  it("writes Colyseus's messages as JSON log lines, a repeated warning once", () => {
    const lines: string[] = [];
    const log = colyseusLogger(createLogger({ service: "server" }, "debug", (line) => lines.push(line)));
    log.info("room", { roomId: "r1" }, 3);
    for (let i = 0; i < 5; i++) log.warn("RedisPresence: pub connection error:", new Error("connect ECONNREFUSED"));
    // A client's bytes quoted in each: still one error a flood.
    for (let i = 0; i < 5; i++) log.error(`world (roomId: r1), error decoding request: Data read, but end of buffer not reached "${1000 + i}"\n    at unpack`);
    // …lists and maps of anything too (a list of true and false in each frame made a line a frame).
    for (let i = 0; i < 5; i++) log.error(`world (roomId: r1), error decoding request: Data read, but end of buffer not reached ${JSON.stringify([i % 2 === 0, i > 2])}\n    at unpack`);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      parsed.map(({ level, msg, from }) => ({ level, msg, from })),
      [
        { level: "info", msg: 'room {"roomId":"r1"} 3', from: "colyseus" },
        { level: "warn", msg: "RedisPresence: pub connection error: connect ECONNREFUSED", from: "colyseus" },
        { level: "error", msg: 'world (roomId: r1), error decoding request: Data read, but end of buffer not reached "1000"\n    at unpack', from: "colyseus" },
      ],
    );
  });

  it("writes a frame ws refused, what any client can send, at debug in one line, not as an error with its stack", () => {
    const lines: string[] = [];
    const log = colyseusLogger(createLogger({ service: "server" }, "debug", (line) => lines.push(line)));
    // As Colyseus's transport logs a socket's error: its message, then its stack.
    const error = new RangeError("Max payload size exceeded");
    error.stack = `RangeError: Max payload size exceeded\n    at Receiver.haveLength (/app/node_modules/ws/lib/receiver.js:442:28)`;
    log.error(`${error.message}\n${error.stack}`);
    assert.deepEqual(lines.map((line) => JSON.parse(line) as Record<string, unknown>).map(({ level, msg }) => ({ level, msg })), [{ level: "debug", msg: "Max payload size exceeded" }]);
  });

  // Every error raised while a frame is handled has ws's reader below it in its stack: only one thrown there is the client's.
  it("keeps at error what the server's own code threw while a client's frame was handled; a message msgpack cannot unpack is a warning", () => {
    const lines: string[] = [];
    const log = colyseusLogger(createLogger({ service: "server" }, "debug", (line) => lines.push(line)));
    const below = ["    at Receiver.dataMessage (/app/node_modules/ws/lib/receiver.js:614:14)", "    at Receiver.getData (/app/node_modules/ws/lib/receiver.js:540:10)"];
    const roomsOwn = ["TypeError: Cannot read properties of undefined (reading 'x')", "    at WorldRoom.move (/app/rooms/world-room.ts:300:10)", "    at BoundWorldRoom._onMessage (/app/node_modules/@colyseus/core/build/Room.mjs:1409:23)", ...below];
    const undecodable = [
      "Error: Unexpected end of MessagePack data",
      "    at checkedRead (/app/node_modules/msgpackr/unpack.js:241:10)",
      "    at unpack (/app/node_modules/msgpackr/unpack.js:116:10)",
      "    at RoomMessages.onRequest (/app/node_modules/@colyseus/core/build/RoomMessages.mjs:150:49)",
      ...below,
    ];
    log.error(roomsOwn.join("\n"));
    log.error(undecodable.join("\n"));
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as Record<string, unknown>).map(({ level, msg, error }) => ({ level, msg, error })),
      [
        { level: "error", msg: roomsOwn.join("\n"), error: undefined },
        { level: "warn", msg: "a client sent a message that does not decode", error: "Error: Unexpected end of MessagePack data" },
      ],
    );
  });
});
