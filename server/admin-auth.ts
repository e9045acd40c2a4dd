import { timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/**
 * HTTP basic auth for admin routes (chat search, monitor). With no credentials configured every
 * admin route answers 403 saying how to turn it on, so nothing is ever open by accident.
 */
export function adminOnly(admin: { user: string; password: string } | undefined) {
  const expected = admin ? Buffer.from(`${admin.user}:${admin.password}`) : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) {
      res.status(403).json({ error: "admin routes are off: set ADMIN_USER and ADMIN_PASSWORD to turn them on" });
      return;
    }
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Basic ") ? Buffer.from(header.slice(6), "base64") : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.set("WWW-Authenticate", 'Basic realm="kobot admin"').status(401).json({ error: "admin credentials required" });
      return;
    }
    next();
  };
}
