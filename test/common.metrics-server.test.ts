import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import { connect } from "node:net";

import { createLogger } from "../common/log.js";
import { GUESSES, GUESS_WAIT_MS } from "../common/guess-limit.js";
import { serveMetrics } from "../common/metrics-server.js";
import { metricsGate } from "../common/metrics-token.js";
import { freePort } from "../tools/processes.js";

/** The status line and the rest of a GET of `target` exactly as written. */
const rawGet = (port: number, target: string) =>
  new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = "";
    socket.on("data", (chunk) => (text += chunk)).on("end", () => resolve(text)).on("error", reject);
  });

describe("Metrics server of the worker and the indexer", () => {
  const log = createLogger({}, "silent");

  it("serves /metrics once it listens, and names a port already in use as a clear start-up error", async () => {
    const port = await freePort();
    const metrics = await serveMetrics(port, log);
    try {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(text, /process_cpu_seconds_total/);
      // A scrape job's params (a query) and a trailing slash, as the servers' route takes them.
      for (const path of ["/metrics?name[]=up", "/metrics/"]) assert.equal((await fetch(`http://127.0.0.1:${port}${path}`)).status, 200, path);
      assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
      // A target Node's parser takes and URL refuses: it ended the process (an unhandled rejection).
      assert.match(await rawGet(port, "//["), /^HTTP\/1\.1 404/);
      assert.match(await rawGet(port, "/metrics"), /^HTTP\/1\.1 200/, "still serving");
      await assert.rejects(serveMetrics(port, log), /METRICS_PORT \d+: already in use/);
    } finally {
      metrics.close();
    }
    const taken = createServer().listen(0);
    await new Promise((resolve) => taken.once("listening", resolve));
    const takenPort = (taken.address() as { port: number }).port;
    await assert.rejects(serveMetrics(takenPort, log), new RegExp(`METRICS_PORT ${takenPort}: already in use`));
    taken.close();
  });

  it("serves /metrics only with the bearer token when it has one", async () => {
    const port = await freePort();
    const metrics = await serveMetrics(port, log, "scrape-me-0123456789");
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      const refused = await fetch(url, { headers: { authorization: "Bearer nope" } });
      assert.equal(refused.status, 401);
      assert.match(await refused.text(), /METRICS_TOKEN/);
      assert.equal((await fetch(url, { headers: { authorization: "Bearer scrape-me-0123456789 and-more" } })).status, 401, "no token with more after it");
      const served = await fetch(url, { headers: { authorization: "Bearer scrape-me-0123456789" } });
      assert.equal(served.status, 200);
      assert.match(await served.text(), /process_cpu_seconds_total/);
    } finally {
      metrics.close();
    }
  });

  it("counts wrong bearers per address: 5, then 429 for a while, logged once; the right token always passes", async () => {
    const port = await freePort();
    const warned: { msg: string; address?: string }[] = [];
    const token = "scrape-me-0123456789";
    const metrics = await serveMetrics(port, createLogger({}, "warn", (line) => warned.push(JSON.parse(line))), token);
    try {
      // Two addresses of the loopback network: the socket's address is the one counted (no proxy is trusted here).
      const scrape = (bearer: string, from: string) => getFrom(port, from, `Bearer ${bearer}`);
      for (let i = 0; i < 5; i++) assert.equal((await scrape(`guess-${i}`, "127.0.0.2")).status, 401, `guess ${i}`);
      const waiting = await scrape("guess-5", "127.0.0.2");
      assert.equal(waiting.status, 429);
      assert.ok(Number(waiting.retryAfter) > 0, "told for how long");
      for (let i = 6; i < 30; i++) assert.equal((await scrape(`guess-${i}`, "127.0.0.2")).status, 429, `a flood, guess ${i}`);
      assert.equal((await scrape("guess", "127.0.0.3")).status, 401, "another address is answered as before");
      assert.equal((await scrape(token, "127.0.0.3")).status, 200);
      assert.equal((await scrape(token, "127.0.0.2")).status, 200, "the right token passes from the guessing address");
      assert.equal((await scrape("stale", "127.0.0.2")).status, 401, "and clears its count");
      const lines = warned.filter((entry) => entry.address === "127.0.0.2");
      assert.equal(lines.length, 1, JSON.stringify(warned));
      assert.match(lines[0]!.msg, /METRICS_TOKEN/);
      assert.equal(warned.length, 1, "nothing for the other address");
    } finally {
      metrics.close();
    }
  });
});

/** The gate alone, on a clock of its own: a wait ends after a minute, and a new one is a new line. */
describe("Metrics token gate", () => {
  it("lets a shut-out address guess again after a minute, and logs each wait once", () => {
    let clock = 0;
    const warned: string[] = [];
    const gate = metricsGate("scrape-me-0123456789", createLogger({}, "warn", (line) => warned.push(JSON.parse(line).msg)), () => clock);
    const guess = () => gate("Bearer nope", "203.0.113.9")?.status;
    for (let i = 0; i < GUESSES; i++) assert.equal(guess(), 401);
    assert.equal(guess(), 429);
    clock += GUESS_WAIT_MS - 1;
    assert.equal(guess(), 429, "a minute from the fifth");
    assert.equal(gate(undefined, "203.0.113.9")?.status, 401, "no bearer is no guess: answered 401, not counted");
    clock += 1;
    for (let i = 0; i < GUESSES; i++) assert.equal(guess(), 401);
    assert.equal(guess(), 429);
    assert.equal(warned.length, 2, "one line a wait");
    assert.equal(gate("Bearer scrape-me-0123456789", "203.0.113.9"), undefined);
    assert.equal(metricsGate(undefined, createLogger({}, "silent"))("Bearer nope", "203.0.113.9"), undefined, "no token: public");
  });
});

/** A GET of /metrics from `localAddress` (fetch cannot pick one): its status and Retry-After. */
const getFrom = (port: number, localAddress: string, authorization: string) =>
  new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
    request({ host: "127.0.0.1", port, path: "/metrics", localAddress, headers: { authorization }, agent: false }, (res) => {
      res.resume().on("end", () => resolve({ status: res.statusCode!, retryAfter: res.headers["retry-after"] }));
    }).on("error", reject).end();
  });
