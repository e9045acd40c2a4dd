import { credentialsOf, isSecret, secretDigest } from "./credentials.js";

/**
 * Whether a request may read /metrics: always without METRICS_TOKEN, else only with `Authorization: Bearer <token>`
 * (what Prometheus sends from a scrape job's `authorization.credentials`).
 */
export function metricsGate(token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = secretDigest(token);
  return (authorization) => {
    const given = credentialsOf(authorization, "bearer");
    return given !== undefined && isSecret(given, expected);
  };
}

/** What a refused scrape is told. */
export const METRICS_REFUSED = "metrics need the bearer token (METRICS_TOKEN)";
