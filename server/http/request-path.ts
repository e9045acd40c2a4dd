import { posix } from "node:path";

/**
 * A request's path as the static files look it up: decoded, its `.`, `..` and doubled slashes resolved, in lower
 * case (Express routes ignore case); undefined for one that does not decode (the static files answer it 400).
 */
export function normalizedPath(path: string): string | undefined {
  try {
    return posix.normalize(decodeURIComponent(path)).toLowerCase();
  } catch {
    return undefined;
  }
}
