import { ServerError } from "@colyseus/core";

import { JoinOptions } from "./world-contract.js";

/** A join's options, checked before anything reads them; a join they fail is refused with a 400 that says why. */
export function readJoinOptions(options: unknown): JoinOptions {
  const parsed = JoinOptions.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ServerError(400, `bad join options: ${issue?.path.join(".") || "options"}: ${issue?.message ?? "invalid"}`);
}
