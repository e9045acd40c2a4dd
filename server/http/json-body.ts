import express, { type ErrorRequestHandler, type Response } from "express";
import { z } from "zod";

import type { Logger } from "../../common/log.js";

/**
 * A body read as text, parsed by bodyOr400: express.json's error for a body that is not JSON is an HTML page and a
 * stack in the log. Whatever its type, or none: Python's `requests.post(url, data=…)` and Java's HttpClient send JSON
 * with no Content-Type, which `type: "*\/*"` did not match, so a right call was refused as having no body.
 */
export const jsonText = express.text({ type: () => true, limit: "4kb" });

/** The body as `schema` reads it; undefined once a JSON 400 saying what is wrong (`bad <what>`) has gone out. */
export function bodyOr400<T>(schema: z.ZodType<T>, text: unknown, res: Response, what: string): T | undefined {
  const refuse = (details: string) => void res.status(400).json({ error: `bad ${what}`, details });
  if (typeof text !== "string" || !text.trim()) return refuse("no body: send the request as a JSON object");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return refuse(`the body is not JSON: ${(error as Error).message}`);
  }
  const request = schema.safeParse(json);
  if (request.success) return request.data;
  return refuse(z.prettifyError(request.error));
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
    // body-parser's own words for its limit ("request entity too large") do not say what the limit is.
    const limit = (error as { limit?: unknown }).limit;
    res.status(status).json({ error: status === 413 && typeof limit === "number" ? `the body is over ${limit} bytes` : String(error.message ?? "bad request") });
  };
}
