import assert from "node:assert/strict";

import { KEPT_LINES, NewLines } from "../web-client/src/new-lines.js";

const line = (id: number) => ({ id: String(id) });
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => line(from + i));
const ids = (taken: { id: string }[]) => taken.map((taken) => taken.id);

describe("the web client's new chat lines (drawn once, and a player's own taken once as its echo)", () => {
  it("gives each line once, though a resumed room sends its lines again, and a new room's first lines as backlog", () => {
    const newLines = new NewLines<{ id: string }>();
    const room = {};
    const first = newLines.take(room, lines(1, 4));
    assert.deepEqual(ids(first.added), ["1", "2", "3"]);
    assert.equal(first.backlog, true, "the talk before the player came");
    const next = newLines.take(room, lines(2, 6));
    assert.deepEqual(ids(next.added), ["4", "5"]);
    assert.equal(next.backlog, false);
    // Resumed (the same room object, its state sent whole again) and a line said meanwhile.
    assert.deepEqual(ids(newLines.take(room, lines(1, 7)).added), ["6"]);
    const rejoined = newLines.take({}, lines(5, 8));
    assert.deepEqual(ids(rejoined.added), ["7"]);
    assert.equal(rejoined.backlog, true);
  });

  it("drops the oldest past what is kept, never one the room still holds", () => {
    const newLines = new NewLines<{ id: string }>();
    const room = {};
    assert.deepEqual(newLines.take(room, lines(0, KEPT_LINES)).dropped, []);
    assert.deepEqual(newLines.take(room, lines(KEPT_LINES, KEPT_LINES + 2)).dropped, ["0", "1"]);
    // A room that keeps more than the page would: all of them stay, or the oldest came back as new at each update.
    const long = lines(0, KEPT_LINES + 50);
    const big = new NewLines<{ id: string }>();
    assert.deepEqual(big.take(room, long).dropped, []);
    assert.deepEqual(big.take(room, long).added, []);
  });
});
