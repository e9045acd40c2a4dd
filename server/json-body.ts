import express, { type ErrorRequestHandler, type Response } from "express";
import { z } from "zod";

import type { Logger } from "../common/log.js";

/** A body read as text, parsed by bodyOr400: express.json's error for a body that is not JSON is an HTML page and a stack in the log. */
export const jsonText = express.text({ type: "*/*", limit: "4kb" });

/** The body as `schema` reads it; undefined once a JSON 400 saying what is wrong (`bad <what>`) has gone out. */
export function bodyOr400<T>(schema: z.ZodType<T>, text: unknown, res: Response, what: string): T | undefined {
  const request = schema.safeParse(jsonOrUndefined(text));
  if (request.success) return request.data;
  res.status(400).json({ error: `bad ${what}`, details: z.prettifyError(request.error) });
  return undefined;
}

function jsonOrUndefined(text: unknown): unknown {
  try {
    return JSON.parse(String(text));
  } catch {
    return undefined;
  }
}

/**
 * The last handler: an error a body parser or a route passed on (a gzip body that does not unpack, an archive file that
 * could not be rewritten) answered as JSON with its status, where Express answered an HTML page with the stack. What
 * failed inside the server is logged, and its details stay there.
 */
export function jsonErrors(log: Logger): ErrorRequestHandler {
  return (error: { status?: unknown; message?: unknown }, req, res, next) => {
    if (res.headersSent) return next(error);
    const status = typeof error?.status === "number" && error.status >= 400 && error.status < 600 ? error.status : 500;
    if (status >= 500) {
      log.error("an HTTP request failed", { method: req.method, path: req.path, error });
      return void res.status(status).json({ error: "the server failed to do that: its log says why" });
    }
    res.status(status).json({ error: String(error.message ?? "bad request") });
  };
}
