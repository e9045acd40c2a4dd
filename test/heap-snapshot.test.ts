import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";

import { grownArrays, grownKinds, heapKinds, totalBytes } from "../bench/heap-snapshot.js";

class SoakProbeThing {
  constructor(readonly n: number) {}
}

class SoakProbeShelf {
  readonly items: number[] = [];
}

describe("bench:soak's heap snapshot summary (bench/heap-snapshot.ts), on this process's own heap", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "heap-snapshot-test-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("counts the live objects of a class, and finds the class that grew between two snapshots", async () => {
    const kept: SoakProbeThing[] = Array.from({ length: 100 }, (_, n) => new SoakProbeThing(n));
    const before = await heapKinds(writeHeapSnapshot(join(dir, "before.heapsnapshot")));
    for (let n = 100; n < 1100; n++) kept.push(new SoakProbeThing(n));
    const after = await heapKinds(writeHeapSnapshot(join(dir, "after.heapsnapshot")));
    assert.equal(before.get("SoakProbeThing")!.count, 100);
    const grown = grownKinds(before, after, 1000).find((kind) => kind.kind === "SoakProbeThing");
    assert.equal(grown?.count, 1000);
    assert.ok(grown.bytes >= 1000 * 16, `each object has a header and a field: ${grown.bytes} bytes`);
    assert.ok(totalBytes(after) > totalBytes(before), "the heap holds 1000 more objects");
    assert.equal(kept.length, 1100);
  });

  it("names what holds the arrays that grew: a list's backing store, by its owner's class and field", async () => {
    const shelf = new SoakProbeShelf();
    shelf.items.push(1, 2, 3);
    const before = writeHeapSnapshot(join(dir, "shelf-before.heapsnapshot"));
    for (let n = 0; n < 100_000; n++) shelf.items.push(n);
    const after = writeHeapSnapshot(join(dir, "shelf-after.heapsnapshot"));
    const [first] = await grownArrays(before, after, 3);
    assert.match(first!.heldBy, /SoakProbeShelf\.items → Array\.elements$/);
    assert.ok(first!.bytes >= 100_000 * 4, `100,000 small numbers take at least 4 bytes each: ${first!.bytes}`);
    assert.equal(shelf.items.length, 100_003);
  });
});
