import assert from "node:assert/strict";

import { signToken } from "../server/player-accounts.js";
import { tokenName } from "../web-client/src/token-name.js";

describe("Web client: the name a sign-in token carries", () => {
  const secret = "the token-name test's secret, 32 characters or more";

  it("reads a Korean name from the token the game signs, and none from one without a name or from junk", async () => {
    assert.equal(tokenName(await signToken(secret, { account: "web-1", name: "영희", hours: 1 })), "영희");
    assert.equal(tokenName(await signToken(secret, { account: "web-2", hours: 1 })), undefined);
    for (const junk of ["", "abc", "a.%%%.c", "a.bm90IGpzb24.c"]) assert.equal(tokenName(junk), undefined, junk);
  });
});
