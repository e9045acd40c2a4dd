import assert from "node:assert/strict";

import { type Label, placeLabels, STACKED_LINES } from "../web-client/src/label-places.js";

const LINE = 14;
const name = (text: string, x: number, y = 100, width = 40): Label => ({ x, y, text, width });

describe("the web client's names under avatars", () => {
  it("keeps a name under its avatar, and puts one that would cover another a line lower", () => {
    const placed = placeLabels([name("민수", 100), name("지영", 300), name("철수", 110)], LINE);
    assert.deepEqual(placed.map(({ text, y }) => [text, y]), [["민수", 100], ["지영", 100], ["철수", 100 + LINE]]);
  });

  it(`stacks at most ${STACKED_LINES} names under one spot and counts the rest under them, the first names first`, () => {
    const crowd = Array.from({ length: 50 }, (_, i) => name(`손님${i}`, 200));
    const placed = placeLabels(crowd, LINE);
    assert.deepEqual(placed.slice(0, STACKED_LINES).map((label) => label.text), ["손님0", "손님1", "손님2"]);
    assert.deepEqual(placed.slice(STACKED_LINES).map(({ text, y }) => [text, y]), [[`+${50 - STACKED_LINES}`, 100 + STACKED_LINES * LINE]]);
    assert.ok(Math.max(...placed.map((label) => label.y)) <= 100 + STACKED_LINES * LINE, "nothing runs down the canvas");
  });

  it("places the count under a stack as a name, not over the name of someone standing there", () => {
    const crowd = Array.from({ length: 6 }, (_, i) => name(`손님${i}`, 100));
    const below = name("아래사람", 100, 100 + STACKED_LINES * LINE);
    const placed = placeLabels([...crowd, below], LINE);
    const count = placed.find((label) => label.text.startsWith("+"))!;
    const under = placed.find((label) => label.text === "아래사람")!;
    assert.equal(count.text, `+${6 - STACKED_LINES}`);
    assert.ok(Math.abs(count.y - under.y) >= LINE, `the count at ${count.y}, the name at ${under.y}`);
  });
});
