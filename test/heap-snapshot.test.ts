import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

import { grownArrays, grownKinds, heapKinds, totalBytes } from "../bench/heap-snapshot.js";

/**
 * Runs `body` (JavaScript, with `writeHeapSnapshot`, `join` and `dir` in scope; `send` posts its result) in a thread of
 * its own, whose heap is small: snapshots of this process's heap, every test file loaded, took 7-8 s each test.
 */
function inThread<T>(body: string, dir: string): Promise<T> {
  const code = `
    const { writeHeapSnapshot } = require("node:v8");
    const { join } = require("node:path");
    const { parentPort, workerData } = require("node:worker_threads");
    const dir = workerData.dir;
    const send = (value) => parentPort.postMessage(value);
    ${body}`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { dir }, execArgv: [] });
    worker.once("message", (value: T) => {
      resolve(value);
      void worker.terminate();
    });
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the thread exited (${code}) with no result`)));
  });
}

describe("bench:soak's heap snapshot summary (bench/heap-snapshot.ts), on a thread's own heap", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "heap-snapshot-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("counts the live objects of a class, and finds the class that grew between two snapshots", async () => {
    const [beforeFile, afterFile, keptLength] = await inThread<[string, string, number]>(`
      class SoakProbeThing {
        constructor(n) { this.n = n; }
      }
      const kept = Array.from({ length: 100 }, (_, n) => new SoakProbeThing(n));
      const before = writeHeapSnapshot(join(dir, "before.heapsnapshot"));
      for (let n = 100; n < 1100; n++) kept.push(new SoakProbeThing(n));
      const after = writeHeapSnapshot(join(dir, "after.heapsnapshot"));
      send([before, after, kept.length]);`, dir);
    const before = await heapKinds(beforeFile);
    const after = await heapKinds(afterFile);
    assert.equal(before.get("SoakProbeThing")!.count, 100);
    const grown = grownKinds(before, after, 1000).find((kind) => kind.kind === "SoakProbeThing");
    assert.equal(grown?.count, 1000);
    assert.ok(grown.bytes >= 1000 * 16, `each object has a header and a field: ${grown.bytes} bytes`);
    assert.ok(totalBytes(after) > totalBytes(before), "the heap holds 1000 more objects");
    assert.equal(keptLength, 1100);
  });

  it("names what holds the arrays that grew: a list's backing store, by its owner's class and field", async () => {
    const [before, after, length] = await inThread<[string, string, number]>(`
      class SoakProbeShelf {
        items = [];
      }
      const shelf = new SoakProbeShelf();
      shelf.items.push(1, 2, 3);
      const before = writeHeapSnapshot(join(dir, "shelf-before.heapsnapshot"));
      for (let n = 0; n < 100_000; n++) shelf.items.push(n);
      const after = writeHeapSnapshot(join(dir, "shelf-after.heapsnapshot"));
      send([before, after, shelf.items.length]);`, dir);
    const [first] = await grownArrays(before, after, 3);
    assert.match(first!.heldBy, /SoakProbeShelf\.items → Array\.elements$/);
    assert.ok(first!.bytes >= 100_000 * 4, `100,000 small numbers take at least 4 bytes each: ${first!.bytes}`);
    assert.equal(length, 100_003);
  });
});
