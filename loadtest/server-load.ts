import { LOOP_SAMPLING_MS } from "../common/metrics.js";

/** A process's CPU and event loop over the window, read from its Prometheus /metrics (a server's, or an NPC worker's). */
export class ServerLoad {
  private constructor(private readonly metricsUrl: string, private readonly cpuSeconds: number, private readonly startedAt: number) {}

  /** `url`: a game server's WebSocket address (its /metrics beside it), or a /metrics address (an NPC worker's). */
  static async start(url: string): Promise<ServerLoad | undefined> {
    const metricsUrl = url.startsWith("ws") ? url.replace(/^ws/, "http").replace(/\/?$/, "/metrics") : url;
    const sample = await scrape(metricsUrl);
    return sample && new ServerLoad(metricsUrl, sample.cpuSeconds, performance.now());
  }

  /** `cpuMs`: CPU time the server process used over the window, all its threads (the NPC brain's included). */
  async end(): Promise<{ cpuPercent: number; cpuMs: number; loopDelayP99Ms: number; loopDelayMaxMs: number } | undefined> {
    const sample = await scrape(this.metricsUrl);
    if (!sample) return undefined;
    const seconds = (performance.now() - this.startedAt) / 1000;
    const cpuSeconds = sample.cpuSeconds - this.cpuSeconds;
    // Less the sampling interval, which every sample of the loop's delay holds (an idle loop read 10 ms).
    const delay = (seconds: number) => Math.max(0, seconds * 1000 - LOOP_SAMPLING_MS);
    return { cpuPercent: (100 * cpuSeconds) / seconds, cpuMs: cpuSeconds * 1000, loopDelayP99Ms: delay(sample.loopP99Seconds), loopDelayMaxMs: delay(sample.loopMaxSeconds) };
  }
}

async function scrape(url: string): Promise<{ cpuSeconds: number; loopP99Seconds: number; loopMaxSeconds: number } | undefined> {
  try {
    // A server run with METRICS_TOKEN answers only with it: the load test reads the same variable.
    const token = process.env.METRICS_TOKEN;
    const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    if (response.status === 401) {
      // Else the report's server line left out without a word.
      console.error(`${url} answered 401: the server runs with METRICS_TOKEN; set it here too for its CPU in the report`);
      return undefined;
    }
    const text = await response.text();
    const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1]);
    const sample = {
      cpuSeconds: value("process_cpu_seconds_total"),
      loopP99Seconds: value("nodejs_eventloop_lag_p99_seconds"),
      loopMaxSeconds: value("nodejs_eventloop_lag_max_seconds"),
    };
    return Number.isFinite(sample.cpuSeconds) ? sample : undefined;
  } catch {
    return undefined;
  }
}
