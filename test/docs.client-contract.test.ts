import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { errorCodes } from "./helpers/error-codes.js";

/** The codes of the contract's error table (docs/client-contract.md, "### Errors"): a row's first cell, `code`. */
function documentedErrorCodes(): string[] {
  const page = readFileSync("docs/client-contract.md", "utf8");
  const section = page.slice(page.indexOf("\n### Errors\n"), page.indexOf("\n### ", page.indexOf("\n### Errors\n") + 1));
  return [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((row) => row[1]!);
}

describe("the contract for client authors (docs/client-contract.md)", () => {
  it("has a row in its error table for every code of the ErrorCode union, and none for a code the server does not send", () => {
    const documented = new Set(documentedErrorCodes());
    assert.ok(documented.size >= 10, `the table was found: ${[...documented].join(", ")}`);
    assert.deepEqual([...documented].sort(), [...new Set(errorCodes())].sort());
  });
});
