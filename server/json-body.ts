import express, { type Response } from "express";
import { z } from "zod";

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
