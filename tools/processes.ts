import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** A server or worker started as its own process, as in production (`npm start`, `npm run worker`). */
export interface Service {
  name: string;
  process: ChildProcess;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<number | null>;
}

const LOG_DIR = join("test", "artifacts", "logs");

/** Services started (ready or not) and not yet exited, so that a run can stop what a failed test left behind. */
const running = new Set<Service>();

/** Where `startService` writes a service's output. */
export const serviceLog = (name: string) => join(LOG_DIR, `${name}.log`);

/**
 * Starts `entry` in this Node binary with tsx as its loader (and `nodeArgs`), as `npm start` and the compose file do,
 * and resolves once a log line's `msg` equals `readyMsg`. One process, not tsx's runner: that parent passes a TERM on
 * and SIGKILLs the child unless the child confirms it over tsx's pipe within 30 ms, so a server could die without its
 * graceful shutdown (once in CI, a closing server's log ended with no "stopping"); and it takes signals such as
 * `--heapsnapshot-signal`'s for itself.
 */
export async function startService(name: string, entry: string, env: Record<string, string>, readyMsg: string, nodeArgs: string[] = []): Promise<Service> {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(serviceLog(name), { flags: "a" });
  // A worker's state folder of its own unless given, gone when it exits: the default, one per group under the system's
  // temporary folder, outlived every run, and could carry one test's recorded deaths into another's worker.
  const stateDir = env.NPC_WORKER_STATE_DIR === undefined ? mkdtempSync(join(tmpdir(), `${name}-state-`)) : undefined;
  // A DATA_DIR of its own unless given, gone when it exits too: the repository's data/ would carry one run's mutes and
  // reports into the next, and one left at each start filled the temporary folder. A caller that reads it after the
  // process stopped (a test of the archive) names its own.
  const dataDir = env.DATA_DIR === undefined ? mkdtempSync(join(tmpdir(), `${name}-data-`)) : undefined;
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", entry], {
    env: { ...process.env, LOG_LEVEL: "info", ...(dataDir && { DATA_DIR: dataDir }), ...(stateDir && { NPC_WORKER_STATE_DIR: stateDir }), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(log);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      for (const made of [stateDir, dataDir]) if (made) rmSync(made, { recursive: true, force: true });
      resolve(code);
    }),
  );
  // Counted from its spawn, not once ready: one still starting when a run ends (a before hook that timed out) is as
  // left behind as a ready one.
  const service: Service = {
    name,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
  running.add(service);
  void exited.then(() => running.delete(service));
  await new Promise<void>((resolve, reject) => {
    // Not ready in time: stopped, or it would outlive the run that gave up on it (ports, a model in memory). TERM first,
    // so it can let go of what it holds; KILL if it does not end.
    const timer = setTimeout(() => {
      child.kill("SIGTERM");
      setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"), 10_000).unref();
      reject(new Error(`${name} not ready within 60 s (stopped); see ${LOG_DIR}/${name}.log`));
    }, 60_000);
    createInterface({ input: child.stderr! }).on("line", (line) => {
      log.write(line + "\n");
      if (line.includes(`"msg":"${readyMsg}"`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready; see ${LOG_DIR}/${name}.log`));
    });
  });
  return service;
}

/**
 * Stops every service still running and gives their names. A test that failed before its own stop left its server or
 * worker running, and the run's output pipes with it: mocha then waited for it at the end of the run, for good.
 */
export async function stopServicesLeft(): Promise<string[]> {
  const left = [...running];
  await Promise.all(
    left.map((service) => {
      // One that ignores TERM (hung) would hold the run as much.
      const kill = setTimeout(() => service.process.kill("SIGKILL"), 10_000);
      return service.stop().finally(() => clearTimeout(kill));
    }),
  );
  return left.map((service) => service.name);
}

/** The lowest port the kernel gives outgoing connections (Linux's default where that cannot be read). */
export function ephemeralPortsFrom(): number {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 0) return low;
  } catch {
    // not Linux: its default
  }
  return 32_768;
}

/**
 * A port free now for a service to be started on, picked at random below the ephemeral range: a port listen(0)
 * gave is in that range, and between its probe closing and the service binding it a client socket of anything
 * running (a broker's, a benchmark's clients) could take it, and the service failed with EADDRINUSE on a busy box.
 * Where the range leaves fewer than 10,000 ports below it, listen(0) as before. Fails with the bind's error when
 * 127.0.0.1 takes no port at all.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralPortsFrom();
  if (low < 20_000) return bound(0);
  for (let tries = 1; ; tries++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    try {
      return await bound(port);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (tries >= 100 || (code !== "EADDRINUSE" && code !== "EACCES")) throw error;
    }
  }
}

/** Binds `port` on 127.0.0.1 (0: any) and lets it go; gives the port bound. */
function bound(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Topic names no other test uses, so tests never see each other's messages. */
export function uniqueTopics(label: string): { question: string; answer: string } {
  const suffix = `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return { question: `npc.question.${suffix}`, answer: `npc.answer.${suffix}` };
}

/** Starts `services` one after another, runs `body`, and stops whatever started, however `body` or a start ended. */
export async function withServices<T>(services: Array<() => Promise<Service>>, body: () => Promise<T>): Promise<T> {
  const started: Service[] = [];
  try {
    for (const start of services) started.push(await start());
    return await body();
  } finally {
    await Promise.allSettled(started.map((service) => service.stop()));
  }
}
