import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Request, Response } from "express";

import { createLogger } from "../common/log.js";
import { ADMIN_TRIES, ADMIN_WAIT_MS, ADMIN_WRONG_PER_MINUTE, adminOnly, backendOrAdmin } from "../server/http/admin-auth.js";
import { startTestWorld } from "./helpers/world.js";

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

  it("does not count a bearer token (the game backend's, on an admin route) as a wrong login: it locks nobody out", () => {
    clock += 10 * ADMIN_WAIT_MS;
    for (let i = 0; i < 2 * ADMIN_TRIES; i++) assert.equal(attempt("the-backend-token", "10.0.0.5", "Bearer"), 401);
    assert.equal(attempt("ops:correct-horse", "10.0.0.5"), 200, "the moderator at the backend's address logs in");
  });

  it("shuts logins to new addresses for a minute when many addresses guess together, not to those admins used", () => {
    warnings.length = 0;
    clock += 10 * ADMIN_WAIT_MS;
    assert.equal(attempt("ops:correct-horse", "10.0.0.7"), 200, "an admin's usual address");
    // One network's many /64s, each under its own limit of wrong logins.
    for (let i = 0; i <= ADMIN_WRONG_PER_MINUTE; i++) assert.equal(attempt("ops:guess", `2001:db8:0:${i.toString(16)}::1`), 401);
    assert.equal(attempt("ops:guess", "2001:db8:0:ffff::1"), 429, "a new address waits, guessing");
    assert.equal(attempt("ops:correct-horse", "10.0.0.8"), 429, "and with the right login: it cannot be told from a guess");
    assert.equal(attempt("ops:correct-horse", "10.0.0.7"), 200, "an address an admin used lately goes on");
    assert.deepEqual(warnings, ["admin logins shut to new addresses for a while: too many wrong ones on this server"]);
    clock += ADMIN_WAIT_MS;
    assert.equal(attempt("ops:correct-horse", "10.0.0.8"), 200);
  });
});

/** The game backend's check alone: its bearer token, or else the admin check it falls back to. */
describe("Game backend routes (BACKEND_TOKEN)", () => {
  const TOKEN = "the-game-backend-calls-the-world-server-with-this";
  const answer = (check: ReturnType<typeof backendOrAdmin>, authorization?: string) => {
    const said: { status: number; body?: unknown } = { status: 200 };
    const req = { socket: { remoteAddress: "10.0.0.9" }, headers: authorization ? { authorization } : {} } as unknown as Request;
    const res = {
      set: () => res,
      status: (code: number) => ((said.status = code), res),
      json: (body: unknown) => ((said.body = body), res),
    } as unknown as Response;
    check(req, res, () => {});
    return said;
  };
  const admin = adminOnly({ user: "ops", password: "correct-horse" }, createLogger({}, "silent"));

  it("lets the backend in by its token and admins by their login; refuses a wrong token, and says how to turn the routes on", () => {
    const check = backendOrAdmin(TOKEN, true, admin);
    assert.equal(answer(check, `Bearer ${TOKEN}`).status, 200);
    assert.equal(answer(check, `Basic ${Buffer.from("ops:correct-horse").toString("base64")}`).status, 200);
    assert.deepEqual(answer(check, "Bearer not-the-token"), { status: 401, body: { error: "the game backend's token does not match BACKEND_TOKEN" } });
    assert.deepEqual(answer(backendOrAdmin(undefined, true, admin), `Bearer ${TOKEN}`), {
      status: 401, body: { error: "a bearer token was sent, but this server has no BACKEND_TOKEN: set it (or log in as an admin)" },
    });
    // More than one space after the scheme is one separator (RFC 7235).
    assert.equal(answer(check, `Bearer   ${TOKEN} `).status, 200);
    assert.deepEqual(answer(backendOrAdmin(undefined, false, adminOnly(undefined, createLogger({}, "silent"))), `Bearer ${TOKEN}`), {
      status: 403, body: { error: "game backend routes are off: set BACKEND_TOKEN (or ADMIN_USER and ADMIN_PASSWORD)" },
    });
  });

  it("counts wrong tokens within a minute: an older count restarts, and a wait ends after a minute", () => {
    let clock = 0;
    const check = backendOrAdmin(TOKEN, true, admin, undefined, () => clock);
    for (let i = 0; i < ADMIN_TRIES - 1; i++) assert.equal(answer(check, "Bearer stale").status, 401);
    clock += ADMIN_WAIT_MS;
    assert.equal(answer(check, "Bearer stale").status, 401, "four a minute ago and one now are not five in a minute");
    for (let i = 0; i < ADMIN_TRIES - 1; i++) assert.equal(answer(check, "Bearer stale").status, 401);
    assert.equal(answer(check, "Bearer stale").status, 429);
    assert.equal(answer(check, `Bearer ${TOKEN}`).status, 200, "the right token passes while wrong ones wait");
    for (let i = 0; i < ADMIN_TRIES; i++) answer(check, "Bearer stale");
    clock += ADMIN_WAIT_MS - 1;
    assert.equal(answer(check, "Bearer stale").status, 429, "the wait is a minute from the fifth");
    clock += 1;
    assert.equal(answer(check, "Bearer stale").status, 401);
  });
});

/** A real server behind a proxy (TRUST_PROXY=1: each request's address its X-Forwarded-For), kept in DATA_DIR. */
describe("Admin login after a restart", () => {
  const dir = mkdtempSync(join(tmpdir(), "kobot-admin-"));
  const env = { ADMIN_USER: "ops", ADMIN_PASSWORD: "correct-horse", TRUST_PROXY: "1", DATA_DIR: dir };
  const login = (password: string) => "Basic " + Buffer.from(`ops:${password}`).toString("base64");
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lets an admin at an address used before the restart in while strangers' guesses hold logins shut", async () => {
    const before = await startTestWorld(env);
    const status = async (http: string, from: string, password: string) =>
      (await fetch(`${http}/api/mutes`, { headers: { authorization: login(password), "x-forwarded-for": from } })).status;
    try {
      assert.equal(await status(before.url.replace("ws:", "http:"), "198.51.100.7", "correct-horse"), 200);
    } finally {
      await before.stop();
    }
    const after = await startTestWorld(env);
    const http = after.url.replace("ws:", "http:");
    try {
      // 21 addresses, each within its own 5 wrong logins, past the server's 100 a minute.
      for (let i = 0; i <= ADMIN_WRONG_PER_MINUTE; i++) await status(http, `203.0.113.${Math.floor(i / ADMIN_TRIES)}`, `guess${i}`);
      assert.equal(await status(http, "192.0.2.50", "correct-horse"), 429, "a new address waits, the right login too");
      assert.equal(await status(http, "198.51.100.7", "correct-horse"), 200, "the admin's address from before the restart");
      assert.equal(await status(http, "198.51.100.7", "wrong"), 401, "and a wrong login from it is answered as one");
    } finally {
      await after.stop();
    }
  });
});
