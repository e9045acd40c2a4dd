import { errors } from "@elastic/elasticsearch";

/**
 * Whether a failure is Elasticsearch's being away or busy (no answer, 429, 5xx), worth waiting out; any other answer
 * (a mapping or template it refuses) stays so however long one waits, and waiting said "not reachable" forever.
 */
export function elasticsearchAway(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return error.statusCode === 429 || (error.statusCode ?? 0) >= 500;
  return error instanceof errors.ConnectionError || error instanceof errors.TimeoutError || error instanceof errors.NoLivingConnectionsError;
}
