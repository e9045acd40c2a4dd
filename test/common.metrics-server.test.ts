import assert from "node:assert/strict";
import { createServer } from "node:http";
import { connect } from "node:net";

import { createLogger } from "../common/log.js";
import { serveMetrics } from "../common/metrics-server.js";
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
});
