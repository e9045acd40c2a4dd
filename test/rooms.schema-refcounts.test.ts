import assert from "node:assert/strict";

import { ArraySchema, Decoder, Encoder, MapSchema, Schema, type } from "@colyseus/schema";

import "../rooms/schema-refcounts.js";

class Line extends Schema {
  @type("string") text = "";
}

class Board extends Schema {
  @type([Line]) lines = new ArraySchema<Line>();
  @type({ map: Line }) pinned = new MapSchema<Line>();
}

const line = (text: string) => Object.assign(new Line(), { text });

/** A server's encoder and one client's decoder that has seen the whole state. */
function replicated() {
  const board = new Board();
  const encoder = new Encoder(board);
  const decoder = new Decoder(new Board());
  decoder.decode(encoder.encodeAll());
  const patch = () => {
    decoder.decode(encoder.encode());
    encoder.discardChanges();
  };
  return { board, encoder, seen: decoder.state, patch };
}

describe("schema reference counts", () => {
  it("keeps no count for instances the state let go, so a room open for good does not grow", () => {
    const { board, encoder, seen, patch } = replicated();
    for (let i = 0; i < 5000; i++) {
      board.lines.push(line(`line ${i}`));
      if (board.lines.length > 20) board.lines.shift();
      patch();
    }
    // The board, its two collections and the 20 lines held: not the 5,000 ever added.
    assert.ok(Object.keys(encoder.root.refCount).length <= 23, `${Object.keys(encoder.root.refCount).length} counts kept`);
    assert.deepEqual(seen.lines.map((l) => l.text), Array.from({ length: 20 }, (_, k) => `line ${4980 + k}`));
  });

  it("still sends an instance that comes back after it was removed, whole", () => {
    const { board, seen, patch } = replicated();
    const notice = line("the gate opens at dawn");
    board.pinned.set("gate", notice);
    patch();
    board.pinned.delete("gate");
    patch();
    assert.equal(seen.pinned.size, 0);
    board.pinned.set("square", notice);
    patch();
    assert.equal(seen.pinned.get("square")?.text, "the gate opens at dawn");
  });
});
