import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Whether a request may read /metrics: always without METRICS_TOKEN, else only with `Authorization: Bearer <token>`
 * (what Prometheus sends from a scrape job's `authorization.credentials`). Compared as hashes, so the time taken
 * says nothing about the token.
 */
export function metricsAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const [scheme = "", given = ""] = (authorization ?? "").split(" ");
  return scheme.toLowerCase() === "bearer" && timingSafeEqual(digest(given), digest(token));
}

/** What a refused scrape is told. */
export const METRICS_REFUSED = "metrics need the bearer token (METRICS_TOKEN)";

const digest = (text: string) => createHash("sha256").update(text).digest();
