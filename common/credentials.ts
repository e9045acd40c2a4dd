import { createHash, timingSafeEqual } from "node:crypto";

/** A secret as compared: its SHA-256, the same length whatever was sent, so the time a comparison takes says nothing. */
export const secretDigest = (text: string): Buffer => createHash("sha256").update(text).digest();

/** Whether `given` is the secret whose digest is `expected`. */
export const isSecret = (given: string, expected: Buffer): boolean => timingSafeEqual(secretDigest(given), expected);

/** The credentials of an `Authorization` header of `scheme`, whose name is case-insensitive (RFC 7235); else undefined. */
export function credentialsOf(authorization: string | undefined, scheme: string): string | undefined {
  const [given = "", credentials = "", ...more] = (authorization ?? "").trim().split(/ +/);
  return given.toLowerCase() === scheme && more.length === 0 ? credentials : undefined; // "Bearer <token> more" is no token
}
