import assert from "node:assert/strict";
import type { Request, Response } from "express";

import { createLogger } from "../common/log.js";
import { ADMIN_TRIES, ADMIN_WAIT_MS, adminOnly } from "../server/admin-auth.js";

/** The admin check alone, with a clock of its own: what it answers an address that keeps guessing. */
describe("Admin login", () => {
  const warnings: string[] = [];
  const log = createLogger({}, "warn", (line) => warnings.push(JSON.parse(line).msg));
  let clock = 0;
  const check = adminOnly({ user: "ops", password: "correct-horse" }, log, () => clock);
  const attempt = (credentials: string | undefined, address = "10.0.0.1", scheme = "Basic") => {
    let status = 200;
    let passed = false;
    const req = {
      socket: { remoteAddress: address },
      headers: credentials === undefined ? {} : { authorization: `${scheme} ${Buffer.from(credentials).toString("base64")}` },
    } as unknown as Request;
    const res = {
      set: () => res,
      status: (code: number) => ((status = code), res),
      json: () => res,
    } as unknown as Response;
    check(req, res, () => (passed = true));
    return passed ? 200 : status;
  };

  it("lets the right login in, whatever the case of its scheme", () => {
    assert.equal(attempt("ops:correct-horse"), 200);
    assert.equal(attempt("ops:correct-horse", "10.0.0.1", "basic"), 200);
    assert.equal(attempt(undefined), 401, "a browser asks without a login first: not counted");
  });

  it("makes an address that keeps guessing wait a minute, the right login included, and logs it once", () => {
    for (let i = 0; i < ADMIN_TRIES; i++) assert.equal(attempt("ops:guess" + i), 401);
    assert.equal(attempt("ops:correct-horse"), 429);
    assert.equal(attempt("ops:correct-horse", "10.0.0.2"), 200, "other addresses are not held up");
    assert.deepEqual(warnings, ["admin logins refused for a while: too many wrong ones"]);
    clock += ADMIN_WAIT_MS;
    assert.equal(attempt("ops:correct-horse"), 200);
  });
});
