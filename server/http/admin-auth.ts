import type { NextFunction, Request, RequestHandler, Response } from "express";

import type { Logger } from "../../common/log.js";
import { pinnedAddressOf } from "./client-address.js";
import { credentialsOf, isSecret, secretDigest } from "../../common/credentials.js";
import { crossSiteRefusal } from "./cross-site.js";
import { ADDRESSES_KEPT, GUESSES, GUESS_WAIT_MS, guessLimit } from "../../common/guess-limit.js";
import { logThrottle, repeatsField } from "../../common/log-throttle.js";
import { ADMIN_ADDRESS_KEPT_MS, ADMIN_ADDRESSES_KEPT, type AdminAddresses } from "../stores/admin-addresses.js";

/** Wrong logins an address may try before it waits; then one try a minute: as many as wrong tokens (guess-limit.ts). */
export const ADMIN_TRIES = GUESSES;
export const ADMIN_WAIT_MS = GUESS_WAIT_MS;
/**
 * Wrong logins a minute on this server, from all addresses together, past which only addresses an admin logged in
 * from lately may try: 5 a minute per address (an IPv6 /64) still let one /48 make 5,400 guesses a second.
 */
export const ADMIN_WRONG_PER_MINUTE = 100;

/**
 * HTTP basic auth for admin routes (chat search, monitor, moderation): one instance for all of them, so guesses count together.
 * With no credentials configured every admin route answers 403 saying how to turn it on, so nothing is ever open by
 * accident. Credentials are compared as hashes (equal length whatever was sent: the time taken says nothing). A request
 * another site's page made with the admin's login is refused first (cross-site.ts). `kept`: where admins' addresses
 * outlive the process (the presence: Redis, or DATA_DIR), read while strangers' guesses hold logins shut.
 */
export function adminOnly(
  admin: { user: string; password: string } | undefined,
  log: Logger,
  now = () => performance.now(),
  kept?: AdminAddresses,
): RequestHandler {
  const expected = admin && secretDigest(`${admin.user}:${admin.password}`);
  const failures = new Map<string, { count: number; until: number }>();
  /** Where admins logged in from (when last): they may go on while strangers' guesses hold logins shut. */
  const admins = new Map<string, number>();
  /** This minute's wrong logins, and when strangers may try again after too many (0: they may). */
  const wrong = { since: -Infinity, count: 0, shutUntil: 0 };
  const keptFailureSaid = logThrottle(60_000);
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) {
      res.status(403).json({ error: "admin routes are off: set ADMIN_USER and ADMIN_PASSWORD to turn them on" });
      return;
    }
    const crossSite = crossSiteRefusal(req);
    if (crossSite) {
      log.warn("an admin request from another site refused", { method: req.method, path: req.path, origin: req.headers.origin, site: req.headers["sec-fetch-site"] });
      res.status(403).json({ error: crossSite });
      return;
    }
    // The client's, behind a trusted proxy too: else one guesser would lock every admin out.
    const address = pinnedAddressOf(req);
    const failed = failures.get(address);
    if (failed && failed.until > now()) {
      const seconds = Math.ceil((failed.until - now()) / 1000);
      res.set("Retry-After", String(seconds)).status(429).json({ error: `too many wrong admin logins: try again in ${seconds} s` });
      return;
    }
    const known = (admins.get(address) ?? -Infinity) > now() - ADMIN_ADDRESS_KEPT_MS;
    if (known || wrong.shutUntil <= now()) return void tryLogin(req, res, next, address);
    const shut = () => {
      const seconds = Math.ceil((wrong.shutUntil - now()) / 1000);
      const error = `too many wrong admin logins on this server: only addresses admins used lately may log in for ${seconds} s`;
      res.set("Retry-After", String(seconds)).status(429).json({ error });
    };
    if (!kept) return void shut();
    // An address admins used before this process started, or on another server: read only while the shut holds.
    // A correct password from any other address is not let through even at a slower rate: a guess answered during
    // the shut is a guess, and the shut is what bounds those of many addresses together (each within its own 5).
    kept.known(address).then(
      (isAdmins) => (isAdmins ? tryLogin(req, res, next, address) : shut()),
      (error: unknown) => {
        const held = keptFailureSaid("known");
        if (held !== undefined) log.warn("admins' addresses not read: the login is refused while logins are shut", { error, ...repeatsField(held) });
        shut();
      },
    );
  };

  function tryLogin(req: Request, res: Response, next: NextFunction, address: string): void {
    const failed = failures.get(address);
    const encoded = credentialsOf(req.headers.authorization, "basic");
    if (encoded !== undefined && isSecret(Buffer.from(encoded, "base64").toString(), expected!)) {
      failures.delete(address);
      if (!admins.has(address) && admins.size >= ADMIN_ADDRESSES_KEPT) admins.delete(admins.keys().next().value!);
      admins.set(address, now());
      kept?.remember(address).catch((error: unknown) => {
        const held = keptFailureSaid("remember");
        if (held !== undefined) log.warn("an admin's address not kept: after a restart, logins shut by guesses may shut it out", { error, ...repeatsField(held) });
      });
      next();
      return;
    }
    if (req.headers.authorization !== undefined && encoded === undefined) {
      // Not a login at all (the game backend's bearer token on an admin route): no guess, so it locks nobody out.
      return void res.set("WWW-Authenticate", 'Basic realm="kobot admin"').status(401).json({ error: "this route takes an admin's login (HTTP basic auth), not a bearer token" });
    }
    if (req.headers.authorization !== undefined) {
      // Only a wrong login counts: a browser asks without one first.
      if (now() - wrong.since >= 60_000) Object.assign(wrong, { since: now(), count: 0 });
      if (++wrong.count > ADMIN_WRONG_PER_MINUTE && wrong.shutUntil <= now()) {
        wrong.shutUntil = now() + ADMIN_WAIT_MS;
        log.warn("admin logins shut to new addresses for a while: too many wrong ones on this server", { perMinute: ADMIN_WRONG_PER_MINUTE, waitMs: ADMIN_WAIT_MS });
      }
      if (failures.size >= ADDRESSES_KEPT && !failed) failures.clear(); // the shut above holds meanwhile
      const count = (failed?.count ?? 0) + 1;
      const wait = count >= ADMIN_TRIES;
      failures.set(address, { count: wait ? 0 : count, until: wait ? now() + ADMIN_WAIT_MS : 0 });
      if (wait) log.warn("admin logins refused for a while: too many wrong ones", { address, tries: ADMIN_TRIES, waitMs: ADMIN_WAIT_MS });
    }
    res.set("WWW-Authenticate", 'Basic realm="kobot admin"').status(401).json({ error: "admin credentials required" });
  }
}

/**
 * Routes for the game's backend (POST /api/events): its bearer token (BACKEND_TOKEN), so the backend holds no
 * moderator's login, or an admin's login (`admin`, adminOnly's). With neither set, a 403 says how to turn them on.
 */
export function backendOrAdmin(
  token: string | undefined,
  adminConfigured: boolean,
  admin: RequestHandler,
  log?: Logger,
  now = () => performance.now(),
): RequestHandler {
  const expected = token && secretDigest(token);
  // Wrong tokens count per address as wrong admin logins do (guess-limit.ts): they were unlimited (721 a second from
  // one address) and unlogged.
  const guess = guessLimit(now);
  const refusalSaid = logThrottle(60_000);
  return (req: Request, res: Response, next: NextFunction) => {
    const given = credentialsOf(req.headers.authorization, "bearer");
    if (expected && given !== undefined) {
      const address = pinnedAddressOf(req);
      const tried = guess(address, isSecret(given, expected));
      if (tried.right) return next();
      if ("waitS" in tried) {
        return void res.set("Retry-After", String(tried.waitS)).status(429).json({ error: `too many wrong backend tokens: try again in ${tried.waitS} s` });
      }
      const held = refusalSaid(address);
      if (held !== undefined) log?.warn("a wrong BACKEND_TOKEN refused", { address, waiting: tried.shutOut, ...repeatsField(held) });
      return void res.status(401).json({ error: "the game backend's token does not match BACKEND_TOKEN" });
    }
    if (!expected && !adminConfigured) {
      return void res.status(403).json({ error: "game backend routes are off: set BACKEND_TOKEN (or ADMIN_USER and ADMIN_PASSWORD)" });
    }
    if (!expected && given !== undefined) {
      return void res.status(401).json({ error: "a bearer token was sent, but this server has no BACKEND_TOKEN: set it (or log in as an admin)" });
    }
    admin(req, res, next);
  };
}
