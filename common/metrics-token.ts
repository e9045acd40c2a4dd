import { credentialsOf, isSecret, secretDigest } from "./credentials.js";
import { GUESSES, GUESS_WAIT_MS, guessLimit } from "./guess-limit.js";
import type { Logger } from "./log.js";

/** A refused scrape's answer, as both /metrics write it (Express's response is Node's). */
export interface ScrapeRefusal {
  status: 401 | 429;
  headers: Record<string, string>;
  body: string;
}

/** What a scrape without the token is told. */
export const METRICS_REFUSED = "metrics need the bearer token (METRICS_TOKEN)";
const refused: ScrapeRefusal = { status: 401, headers: { "www-authenticate": "Bearer", "content-type": "text/plain" }, body: METRICS_REFUSED };

/**
 * Whether a request from `address` may read /metrics: always without METRICS_TOKEN, else only with
 * `Authorization: Bearer <token>` (what Prometheus sends from a scrape job's `authorization.credentials`). Returns
 * undefined to serve it, else its refusal. Wrong bearers count per address as wrong BACKEND_TOKEN ones do
 * (guess-limit.ts): they were unlimited and unlogged. One line per address when it is shut out, none per refusal:
 * a flood of guesses is a flood of 429s, not of log lines. A request with no bearer guesses nothing and is not counted.
 */
export function metricsGate(
  token: string | undefined,
  log: Logger,
  now = () => performance.now(),
): (authorization: string | undefined, address: string) => ScrapeRefusal | undefined {
  if (token === undefined) return () => undefined;
  const expected = secretDigest(token);
  const guess = guessLimit(now);
  return (authorization, address) => {
    const given = credentialsOf(authorization, "bearer");
    if (given === undefined) return refused;
    const tried = guess(address, isSecret(given, expected));
    if (tried.right) return undefined;
    if ("waitS" in tried) {
      const text = `too many wrong metrics tokens: try again in ${tried.waitS} s`;
      return { status: 429, headers: { "retry-after": String(tried.waitS), "content-type": "text/plain" }, body: text };
    }
    if (tried.shutOut) log.warn("scrapes refused for a while: too many wrong METRICS_TOKEN bearers", { address, tries: GUESSES, waitMs: GUESS_WAIT_MS });
    return refused;
  };
}
