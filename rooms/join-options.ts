import { ServerError } from "@colyseus/core";

import { JoinOptions } from "./world-contract.js";

/**
 * How deep a join's options may nest below their own fields (theirs are text; an engine may add a small object of its
 * own): a 7,000-deep array in a field of its own took Colyseus 10–14 s and came back as a 523 "already full".
 */
export const JOIN_OPTIONS_DEPTH_MAX = 4;

/** A join's options, checked before anything reads them; a join they fail is refused with a 400 that says why. */
export function readJoinOptions(options: unknown): JoinOptions {
  const deep = typeof options === "object" && options !== null ? Object.entries(options).find(([, value]) => deeperThan(value, JOIN_OPTIONS_DEPTH_MAX)) : undefined;
  if (deep) throw new ServerError(400, `bad join options: ${deep[0]}: nested deeper than ${JOIN_OPTIONS_DEPTH_MAX} levels`);
  const parsed = JoinOptions.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ServerError(400, `bad join options: ${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`);
}

/** Whether `value` holds objects or arrays more than `levels` deep; looks no deeper than that. */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== "object" || value === null) return false;
  return levels === 0 || Object.values(value).some((inner) => deeperThan(inner, levels - 1));
}
