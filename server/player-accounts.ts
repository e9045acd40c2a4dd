import { createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { ServerError } from "@colyseus/core";
import { errors, jwtVerify, SignJWT } from "jose";

import type { Account } from "../rooms/players/account.js";

export type { Account };

/** How tokens are checked: signed with a shared secret (HS256…) or by the private half of a public key (RS256, ES256, EdDSA…). */
export type AccountKey = { secret: string } | { publicKeyPem: string };

export interface AccountSettings {
  key: AccountKey;
  /** When set, a token's `iss` and `aud` must be these; when unset, a token must carry no `iss` / `aud`. */
  issuer?: string;
  audience?: string;
  /** The furthest ahead a token's `exp` may be, in days (AUTH_MAX_TOKEN_DAYS); absent: DEFAULT_MAX_TOKEN_DAYS. */
  maxTokenDays?: number;
}

const SECRET_ALGORITHMS = ["HS256", "HS384", "HS512"];
// jose checks that the key's type fits the algorithm, so a public key never verifies a token "signed" with it as an HMAC secret.
const PUBLIC_KEY_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
/** Clocks of the login service and of this server may differ a little. */
const CLOCK_TOLERANCE_SECONDS = 30;
/**
 * A token good for longer is refused: one leaked, or signed by a login gone wrong, would sign its player in for years,
 * and nothing here can take a token back (a ban can, one account at a time).
 */
export const DEFAULT_MAX_TOKEN_DAYS = 30;
const ACCOUNT_ID_MAX_CHARS = 128;

/**
 * Players' accounts from the game's own login: a signed token (JWT) on every join, sent by the SDKs as
 * `Authorization: Bearer` (`client.auth.token` in JavaScript, `client.Auth.Token` in Unity). Its `sub` is the
 * account, which the room's limits count by instead of the client address; its `name`, when present, is the name shown.
 * Every problem is an HTTP 401 with a message for the game's developers.
 */
export class PlayerAccounts {
  private readonly key: Uint8Array | KeyObject;
  private readonly algorithms: string[];

  constructor(private readonly settings: AccountSettings) {
    if ("secret" in settings.key) {
      this.key = new TextEncoder().encode(settings.key.secret);
      this.algorithms = SECRET_ALGORITHMS;
    } else {
      this.key = createPublicKey(settings.key.publicKeyPem);
      this.algorithms = PUBLIC_KEY_ALGORITHMS;
    }
  }

  /**
   * Whether a token for any audience is taken: with a public key, the login service's, which signs tokens for all
   * its apps, a token for another of them would sign a player in here (AUTH_AUDIENCE closes it). With a secret, only
   * this game's login can sign.
   */
  get takesOtherAppsTokens(): boolean {
    return !("secret" in this.settings.key) && this.settings.audience === undefined;
  }

  /** Reads the public key from a PEM file; a bad file stops the start with its reason. */
  static withPublicKeyFile(path: string, rest: Omit<AccountSettings, "key">): PlayerAccounts {
    const pem = readFileSync(path, "utf8");
    // The login service's signing key has no place on a game server: anyone who reads it signs any player in.
    if (/PRIVATE KEY-----/.test(pem)) throw new Error("holds a private key: give the public key only (openssl pkey -pubout)");
    return new PlayerAccounts({ ...rest, key: { publicKeyPem: pem } });
  }

  async verify(token: string | undefined): Promise<Account> {
    if (!token) throw new ServerError(401, "this server takes players signed in by the game: join with a token (Authorization: Bearer)");
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: this.algorithms,
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ["sub", "exp"],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      throw new ServerError(401, tokenProblem(error));
    }
    const addressProblem = this.addressProblem(payload.iss, payload.aud);
    if (addressProblem) throw new ServerError(401, addressProblem);
    const lifetimeProblem = this.lifetimeProblem(payload.iat, payload.exp!);
    if (lifetimeProblem) throw new ServerError(401, lifetimeProblem);
    const { sub, name } = payload;
    if (typeof sub !== "string") throw new ServerError(401, "the token's sub (the account) must be a string");
    const problem = accountProblem(sub);
    if (problem) throw new ServerError(401, `the token's sub (the account) ${problem}`);
    if (name !== undefined && typeof name !== "string") throw new ServerError(401, "the token's name must be a string");
    return name === undefined ? { id: sub } : { id: sub, name };
  }

  /**
   * A token addressed to someone (`aud`) or from a login named (`iss`) when this server names neither: jose checks these
   * claims only when told what to expect, so a token for another world ("world-b.example", from "staging-login") that
   * shares the secret or the login service signed a player in here. Set AUTH_AUDIENCE / AUTH_ISSUER to take them.
   */
  private addressProblem(iss: unknown, aud: unknown): string | undefined {
    if (this.settings.audience === undefined && aud !== undefined) {
      return `the sign-in token's aud claim names an audience (${JSON.stringify(aud)}) and this server names none: it is for somewhere else (set AUTH_AUDIENCE to take it)`;
    }
    if (this.settings.issuer === undefined && iss !== undefined) {
      return `the sign-in token's iss claim names an issuer (${JSON.stringify(iss)}) and this server names none: it is from somewhere else (set AUTH_ISSUER to take it)`;
    }
    return undefined;
  }

  /**
   * A token issued in the future (the login's clock ahead, or a token minted to be good later) or good for longer
   * than this server takes: jose checks neither without a maximum age counted from `iat`, which a token may lack.
   */
  private lifetimeProblem(iat: number | undefined, exp: number, now = Date.now() / 1000): string | undefined {
    if (iat !== undefined && iat > now + CLOCK_TOLERANCE_SECONDS) {
      return `the sign-in token's iat claim is ${Math.round(iat - now)} s ahead of this server's clock: the login's clock or the token is wrong`;
    }
    const maxDays = this.settings.maxTokenDays ?? DEFAULT_MAX_TOKEN_DAYS;
    if (exp > now + maxDays * 86_400 + CLOCK_TOLERANCE_SECONDS) {
      return `the sign-in token is good for ${Math.ceil((exp - now) / 86_400)} days more: this server takes tokens good for at most ${maxDays} (AUTH_MAX_TOKEN_DAYS)`;
    }
    return undefined;
  }
}

/**
 * What is wrong with an account id a token names, if anything: the server's sign-in and `npm run token` refuse alike,
 * so a token the tool signs is one the server takes.
 */
export function accountProblem(account: string): string | undefined {
  if (account.length === 0 || account.length > ACCOUNT_ID_MAX_CHARS) return `must be 1–${ACCOUNT_ID_MAX_CHARS} characters`;
  // An account names a sanction in a URL (DELETE /api/mutes/<account>), where a browser reads these two as the path's
  // own steps: a moderator could not lift such an account's mute.
  if (account === "." || account === "..") return `cannot be "${account}"`;
  // An erasure request takes its account with the spaces at its ends cut (a copy and paste), as the search does:
  // " player-1" signed in, its lines and the NPCs' memory of it could never be erased. Refused, not trimmed: the
  // login may hold "player-1" as another account, and two would become one here.
  if (account !== account.trim()) return `has spaces at its ends (${JSON.stringify(account)}): the login is to sign the account as it is`;
  return undefined;
}

/** A token as `npm run token` signs it (HS256 with the shared secret): for trying the server, and for bots. */
export async function signToken(
  secret: string,
  claims: { account: string; name?: string; hours: number; issuer?: string; audience?: string },
): Promise<string> {
  const jwt = new SignJWT(claims.name === undefined ? {} : { name: claims.name })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.account)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000 + claims.hours * 3600)); // "0.25h" and "1e-9h" are no time spans to jose
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}

function tokenProblem(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "the sign-in token has expired: sign in again";
  if (error instanceof errors.JWTClaimValidationFailed) return `the sign-in token's ${error.claim} claim is not valid here (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "the sign-in token is signed with an algorithm this server does not take";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the sign-in token's signature does not match this server's key";
  return "the sign-in token is not a valid signed token";
}
