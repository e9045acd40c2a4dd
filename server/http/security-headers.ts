import type { Application } from "express";

/**
 * What every HTTP answer of the server tells the browser: no page of another site may frame ours (the moderators'
 * console, the monitor: a framed page's buttons can be clicked through a decoy), no file is read as a type other than
 * the one it is served as, and no header names the framework. Not a full Content-Security-Policy: frame-ancestors is
 * the part the pages need nothing from. HSTS is the TLS end's (ops/nginx): this server speaks plain HTTP.
 */
const HEADERS = {
  "X-Frame-Options": "DENY",
  "Content-Security-Policy": "frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
} as const;

/** Goes first, before any route answers. */
export function securityHeaders(app: Application): void {
  app.disable("x-powered-by");
  app.use((_req, res, next) => {
    res.set(HEADERS);
    next();
  });
}
