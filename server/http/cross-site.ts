import type { IncomingHttpHeaders } from "node:http";

import { normalizedPath } from "./request-path.js";

/** Methods a browser's form or link may send across sites without asking first. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** GETs that change something: the monitor's call of a room's method (dispose, put a client out), its path normalised. */
const STATE_CHANGING_GET = /^\/monitor\/api\/room\/call(\/|$)/;

interface AdminRequest {
  method?: string;
  headers: IncomingHttpHeaders;
  /** Express's whole path (`url` is the mounted router's own). */
  originalUrl?: string;
  url?: string;
}

/**
 * Why a request to an admin route is refused as sent by another site's page, or undefined. Admins sign in from a
 * browser, which sends their basic-auth login with every request to this server, whichever page made it: a page of
 * any site could post a `text/plain` form (no CORS preflight) that erases an account, or open a monitor link that
 * disposes a room. Browsers say where a request comes from (`Sec-Fetch-Site`), but only to HTTPS and localhost;
 * without it a POST still carries an `Origin`, which must be this server's. A link (a GET) carries neither, so the
 * one GET that changes something must show a `Referer` of this server's (the monitor's own page sends one). curl,
 * scripts and the game's backend send none of these: let in, but for that GET.
 */
export function crossSiteRefusal(req: AdminRequest): string | undefined {
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site" || site === "same-site") {
    return "an admin route refuses requests from another site's page: open the console at this server's own address";
  }
  if (site !== undefined) return undefined; // same-origin, or none (typed into the address bar)
  const method = req.method ?? "GET";
  const host = req.headers.host;
  if (SAFE_METHODS.has(method)) {
    const path = (req.originalUrl ?? req.url ?? "/").split("?")[0]!;
    if (!STATE_CHANGING_GET.test(normalizedPath(path) ?? path) || fromServer(req.headers.referer, host) || fromServer(req.headers.origin, host)) return undefined;
    return "the monitor's room calls need a Referer of this server's (its own page sends one; over plain HTTP a link from another site sends none): with curl, add -H 'Sec-Fetch-Site: same-origin'";
  }
  const origin = req.headers.origin;
  if (origin === undefined || fromServer(origin, host)) return undefined;
  return `an admin route refuses a ${method} from another origin (${origin}): send it from this server's own address`;
}

/**
 * Whether `url` (an Origin or Referer) is of the server at `host`: the same host name and port. A proxy may pass on
 * `Host` without its port (nginx's $host): then the name decides. A page on another port of the host is another site.
 */
function fromServer(url: string | undefined, host: string | undefined): boolean {
  if (!url || !host) return false;
  let from: URL;
  let server: URL;
  try {
    from = new URL(url); // "null" (a sandboxed page, a redirect) is not a URL: not this server
    server = new URL(`http://${host}`);
  } catch {
    return false;
  }
  if (from.hostname.toLowerCase() !== server.hostname.toLowerCase()) return false;
  const port = from.port || (from.protocol === "https:" ? "443" : "80");
  return !/:\d+$/.test(host) || port === (server.port || "80");
}
