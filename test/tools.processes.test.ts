import assert from "node:assert/strict";
import { createServer } from "node:net";

import { ephemeralPortsFrom, freePort } from "../tools/processes.js";

describe("ports for services the tests and benchmarks start (tools/processes.ts)", () => {
  it("picks free ports below the range the kernel gives outgoing connections, which could take one before its service binds it", async () => {
    const low = ephemeralPortsFrom();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      // A range from below 20,000 leaves too few ports under it: listen(0)'s pick, as before.
      if (low >= 20_000) assert.ok(port >= 10_000 && port < low, `${port} is below ${low}`);
      const server = createServer();
      await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
