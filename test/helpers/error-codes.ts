import { readFileSync } from "node:fs";

import type { ErrorCode } from "../../rooms/world-protocol.js";

/** Every code of the protocol's ErrorCode union, read from its source (a type has no values at run time). */
export function errorCodes(): ErrorCode[] {
  const lines = readFileSync("rooms/world-protocol.ts", "utf8").split("\n");
  const first = lines.indexOf("export type ErrorCode =") + 1;
  const union = lines.slice(first, lines.findIndex((line, i) => i >= first && !line.startsWith("  | ")));
  return union.map((line) => /^ {2}\| "([a-z_]+)"/.exec(line)![1] as ErrorCode);
}
