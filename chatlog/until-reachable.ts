import type { Logger } from "../common/log.js";

/**
 * Runs `step` until it succeeds, backing off up to 5 s: processes start before Elasticsearch is
 * up, and wait for it instead of failing. Logs once, on the first failure.
 */
export async function untilElasticsearchAnswers(step: () => Promise<void>, log: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (attempt === 0) log.warn("elasticsearch not reachable yet; retrying", { error });
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 200 * 2 ** attempt)));
    }
  }
}
