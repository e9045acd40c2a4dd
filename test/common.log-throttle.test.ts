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
});
