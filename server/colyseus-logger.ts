import { setLogger } from "@colyseus/core/Logger";

import { logThrottle, repeatsField } from "../common/log-throttle.js";
import type { Logger } from "../common/log.js";

/** The frames of a logged stack ("    at …" lines), innermost first. */
const stackFrames = (msg: string) => msg.split("\n").filter((line) => /^\s+at /.test(line));

/**
 * An error thrown by ws's frame reader, which Colyseus's transport logs with its stack: bytes a client sent (a frame
 * over MESSAGE_MAX_BYTES, bad UTF-8), which any client can send. The room logs each itself (player-connections.ts).
 * Thrown there, not merely passing through it: every error raised while a frame is handled has the reader below it.
 */
const clientFrameRefused = (frames: string[]) => /[\\/]ws[\\/]lib[\\/]receiver\.js:/.test(frames[0] ?? "");

/**
 * An error msgpack threw unpacking a message a client sent (Colyseus logs it with its stack, and closes the client
 * for a data frame, answers a request frame with an error): the client's fault, any client can send one.
 */
const clientFrameUndecodable = (frames: string[]) =>
  /[\\/]msgpackr[\\/]/.test(frames[0] ?? "") && frames.some((frame) => /[\\/]@colyseus[\\/]core[\\/].*RoomMessages\.[cm]?js:/.test(frame));

/** What Colyseus logs with: console's methods, any number of arguments. */
type ConsoleLike = Record<"debug" | "info" | "warn" | "error" | "trace", (...args: unknown[]) => void>;

/**
 * Colyseus's own messages (its Redis presence's too) as the server's JSON log lines, not plain text among them. A
 * warning or error repeated (the presence's on each reconnection attempt while Redis is down) is logged once in 10 s.
 */
export function colyseusLogger(log: Logger): ConsoleLike {
  const child = log.child({ from: "colyseus" });
  const throttle = logThrottle(10_000);
  const text = (args: unknown[]) =>
    args.map((arg) => (arg instanceof Error ? arg.message : typeof arg === "string" ? arg : JSON.stringify(arg) ?? String(arg))).join(" ");
  const repeatedLess = (level: "warn" | "error") => (...args: unknown[]) => {
    const msg = text(args);
    const frames = stackFrames(msg);
    if (clientFrameRefused(frames)) return child.debug(msg.split("\n")[0]!);
    // Repeats told apart by their first line, what a client sent left out: a request frame that does not unpack logs
    // a stack quoting the client's bytes, one line of ~1 KB per frame (70 a second, none alike, none held back).
    // Numbers masked, and the line cut where a quoted value begins: a string, or a list or map of any values
    // ("[true,false,…]", 200 frames of 200 lists made 200 lines).
    const firstLine = msg.split("\n")[0]!;
    const held = throttle(firstLine.replace(/\d+/g, "_").split(/["'[{]/)[0]!.slice(0, 200));
    if (held === undefined) return;
    // A player's bytes are the player's problem, not the server's: a warning, without Colyseus's and msgpack's stack.
    if (clientFrameUndecodable(frames)) child.warn("a client sent a message that does not decode", { error: firstLine.slice(0, 200), ...repeatsField(held) });
    else child[level](msg, repeatsField(held));
  };
  return {
    debug: (...args) => child.debug(text(args)),
    trace: (...args) => child.debug(text(args)),
    info: (...args) => child.info(text(args)),
    warn: repeatedLess("warn"),
    error: repeatedLess("error"),
  };
}

/**
 * Makes `colyseusLogger(log)` the logger of all Colyseus's code, and returns it. Before the Redis presence is made: its
 * connection errors (Redis down at start) went to console as plain text, ~2 a second, while the server waited for
 * Redis, until `new Server({ logger })` installed it (setLogger is not in @colyseus/core's index, hence its module).
 */
export function installColyseusLogger(log: Logger): ConsoleLike {
  const logger = colyseusLogger(log);
  setLogger(logger);
  return logger;
}
