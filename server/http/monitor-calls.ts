import type { RequestHandler } from "express";

/**
 * The room methods the monitor may call (`/monitor/api/room/call?method=…`): dispose a room, put a client out. Its
 * API calls any method by name: `_reserveSeat` with a ticket the caller writes seated anyone as any account, past
 * onAuth's token and ban checks. The page's other calls are refused too: `_editStateProperty` and
 * `_deleteStateProperty` rewrite players' names and chat lines, `broadcast` and `_sendMessageToClient` put private
 * NPC lines and errors before players, none of it logged as a moderator's doing.
 */
export const MONITOR_ROOM_CALLS: ReadonlySet<string> = new Set(["disconnect", "_forceClientDisconnect"]);

/**
 * Goes before monitor(): a request under it that names a room method other than those allowed gets 403 naming it.
 * Read from the query as the monitor reads it (URLSearchParams, any path: its router's matching is not ours to
 * copy), every `method` given, so a second one or an encoded name does not slip by.
 */
export const monitorRoomCalls: RequestHandler = (req, res, next) => {
  const query = req.originalUrl.indexOf("?");
  const methods = query < 0 ? [] : new URLSearchParams(req.originalUrl.slice(query)).getAll("method");
  const refused = methods.find((method) => !MONITOR_ROOM_CALLS.has(method)) ?? (methods.length > 1 ? methods[1] : undefined);
  if (refused === undefined) return next();
  res.status(403).json({ error: `the monitor may not call ${JSON.stringify(refused).slice(0, 80)} on a room: only ${[...MONITOR_ROOM_CALLS].join(", ")}` });
};
