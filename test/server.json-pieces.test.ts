import assert from "node:assert/strict";

import { jsonPieces } from "../server/stores/json-pieces.js";

describe("a large JSON array or object written in pieces (server/stores/json-pieces.ts)", () => {
  const array = (items: unknown[], perPiece: number) => `[${[...jsonPieces(items, perPiece, (batch) => JSON.stringify(batch))].join("")}]`;
  const object = (entries: [string, unknown][], perPiece: number) =>
    `{${[...jsonPieces(entries, perPiece, (batch) => JSON.stringify(Object.fromEntries(batch)))].join("")}}`;

  it("joins to what JSON.stringify writes whole, for any number of items and any piece size", () => {
    for (const count of [0, 1, 2, 4, 5, 9]) {
      const items = Array.from({ length: count }, (_, i) => ({ i, text: `"말" ${i}` }));
      const entries = items.map((item, i) => [`key ${i}`, item] as [string, unknown]);
      for (const perPiece of [1, 2, 4, 100]) {
        assert.equal(array(items, perPiece), JSON.stringify(items), `${count} items, ${perPiece} a piece`);
        assert.equal(object(entries, perPiece), JSON.stringify(Object.fromEntries(entries)), `${count} entries, ${perPiece} a piece`);
      }
    }
  });

  it("yields a piece per `perPiece` items", () => {
    assert.equal([...jsonPieces(Array.from({ length: 10 }, (_, i) => i), 4, (batch) => JSON.stringify(batch))].length, 3);
  });
});
