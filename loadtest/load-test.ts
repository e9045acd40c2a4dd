import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";

import { BotSwarm, emptyReport, type LoadTestReport, type SwarmOptions } from "./bots.js";
import { ServerLoad } from "./server-load.js";

export interface LoadTestOptions extends SwarmOptions {
  durationS: number;
  /**
   * Processes the bots are spread over (rooms are split between them). One Node process decoding
   * 20 patches/s for hundreds of bots lags by itself and would charge its own lag to the server.
   */
  processes?: number;
  /** An NPC worker's /metrics (one that runs apart, over Kafka): its CPU over the same window goes in the report. */
  workerMetricsUrl?: string;
}

/** Runs the bots, all joined before the measurement window opens, and merges what every process saw. */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestReport> {
  const processes = Math.max(1, Math.min(options.processes ?? 1, options.rooms, options.bots));
  const swarms: Swarm[] = processes === 1 ? [new LocalSwarm(options)] : shares(options, processes).map((share) => new SwarmProcess(share));
  try {
    await Promise.all(swarms.map((swarm) => swarm.joined));
    const [server, worker] = await Promise.all([ServerLoad.start(options.url), options.workerMetricsUrl ? ServerLoad.start(options.workerMetricsUrl) : undefined]);
    // The window's load, not the wait for its last answers after it (up to 15 s of a quiet server, which halved it).
    const load = new Promise((resolve) => setTimeout(resolve, options.durationS * 1000)).then(() => Promise.all([server?.end(), worker?.end()]));
    const report = merge(options, await Promise.all(swarms.map((swarm) => swarm.measure(options.durationS))));
    [report.server, report.worker] = await load;
    return report;
  } finally {
    await Promise.all(swarms.map((swarm) => swarm.close()));
  }
}

/** Bots joining from construction on, measured on demand, in this process or another. */
interface Swarm {
  readonly joined: Promise<void>;
  measure(durationS: number): Promise<LoadTestReport>;
  close(): Promise<void>;
}

class LocalSwarm implements Swarm {
  private readonly swarm: BotSwarm;
  readonly joined: Promise<void>;

  constructor(options: SwarmOptions) {
    this.swarm = new BotSwarm(options);
    this.joined = this.swarm.join();
  }

  measure(durationS: number): Promise<LoadTestReport> {
    return this.swarm.measure(durationS);
  }

  close(): Promise<void> {
    return this.swarm.leave();
  }
}

/** Rooms and bots split as evenly as possible, each share with its own rates and bot numbers. */
function shares(options: LoadTestOptions, processes: number): SwarmOptions[] {
  const result: SwarmOptions[] = [];
  let firstBot = 0;
  let roomsLeft = options.rooms;
  let botsLeft = options.bots;
  for (let k = processes; k > 0; k--) {
    const rooms = Math.ceil(roomsLeft / k);
    const bots = Math.round((botsLeft * rooms) / roomsLeft);
    const fraction = bots / options.bots;
    result.push({ ...options, rooms, bots, firstBot, askRate: options.askRate * fraction, chatRate: options.chatRate * fraction });
    firstBot += bots;
    roomsLeft -= rooms;
    botsLeft -= bots;
  }
  return result;
}

function merge(options: LoadTestOptions, reports: LoadTestReport[]): LoadTestReport {
  const total = emptyReport(options.bots, options.rooms);
  for (const report of reports) {
    total.joined += report.joined;
    for (const key of ["joinMs", "patchDelayMs", "moveSeenMs", "patchIntervalMs", "answerMs"] as const) {
      for (const value of report[key]) total[key].push(value);
    }
    total.fallbacks += report.fallbacks;
    total.refused += report.refused;
    for (const [code, n] of Object.entries(report.refusedBy)) total.refusedBy[code] = (total.refusedBy[code] ?? 0) + n;
    total.unanswered += report.unanswered;
    total.noAskerNear += report.noAskerNear;
    for (const [code, n] of Object.entries(report.errors)) total.errors[code] = (total.errors[code] ?? 0) + n;
    total.botLoopDelayP99Ms = Math.max(total.botLoopDelayP99Ms, report.botLoopDelayP99Ms);
  }
  return total;
}

type FromChild = { type: "joined" } | { type: "report"; report: LoadTestReport } | { type: "failed"; message: string };

/** A forked loadtest/bot-process.ts running one share (its bots leave once they have reported). */
class SwarmProcess implements Swarm {
  readonly joined: Promise<void>;
  private readonly child: ChildProcess;
  private readonly next: Array<(message: FromChild) => void> = [];
  private exitError: Error | undefined;

  constructor(share: SwarmOptions) {
    this.child = fork(join(import.meta.dirname, "bot-process.ts"), [], { execArgv: ["--import", "tsx"] });
    this.child.on("message", (message: FromChild) => this.next.shift()?.(message));
    this.child.once("exit", (code) => {
      this.exitError = new Error(`a bot process exited with ${code}`);
      for (const waiter of this.next.splice(0)) waiter({ type: "failed", message: this.exitError.message });
    });
    this.joined = this.reply().then(() => undefined);
    this.child.send({ type: "start", options: share });
  }

  async measure(durationS: number): Promise<LoadTestReport> {
    const reply = this.reply();
    this.child.send({ type: "measure", durationS });
    const message = await reply;
    if (message.type !== "report") throw new Error(`bot process: expected a report, got ${message.type}`);
    return message.report;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill();
  }

  private reply(): Promise<FromChild> {
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) =>
      this.next.push((message) => (message.type === "failed" ? reject(new Error(`bot process: ${message.message}`)) : resolve(message))),
    );
  }
}
