import type { IncomingMessage } from "node:http";

/** Methods a browser's form or link may send across sites without asking first. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a request to an admin route is refused as sent by another site's page, or undefined. Admins sign in from a
 * browser, which sends their basic-auth login with every request to this server, whichever page made it: a page of
 * any site could post a `text/plain` form (no CORS preflight) that erases an account, or open a monitor link that
 * disposes a room. Browsers say where a request comes from (`Sec-Fetch-Site`); those that do not still send an
 * `Origin` with a POST, whose host must be this server's. curl, scripts and the game's backend send neither.
 */
export function crossSiteRefusal(req: Pick<IncomingMessage, "method" | "headers">): string | undefined {
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") {
    return "an admin route refuses requests from another site's page: open the console at this server's own address";
  }
  const origin = req.headers.origin;
  if (site !== undefined || origin === undefined || SAFE_METHODS.has(req.method ?? "GET")) return undefined;
  // The host without its port: a proxy may pass on `Host` without one (nginx's $host).
  const hostname = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
  let from: string;
  try {
    from = new URL(origin).hostname.toLowerCase();
  } catch {
    from = ""; // "null" (a sandboxed page, a redirect) or unreadable: not this server
  }
  return from === hostname ? undefined : `an admin route refuses a ${req.method} from another origin (${origin}): send it from this server's own address`;
}
