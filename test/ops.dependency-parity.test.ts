import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/**
 * What the production install holds against development's. The Dockerfile runs `npm ci` with NODE_ENV=production,
 * which leaves out what package-lock.json marks `dev` and keeps what it marks `devOptional`: a package that only a
 * devDependency needs but that a production package may load when it is there. Colyseus loads @pm2/io that way, and
 * @colyseus/testing (used by no test) brought it: the image ran with it, and with its handler that printed every
 * unhandled rejection raw. So the two installs may differ only where it is known to change nothing that runs.
 */
describe("Production install against development's (package-lock.json)", () => {
  type Locked = { dev?: boolean; devOptional?: boolean; peerDependenciesMeta?: Record<string, { optional?: boolean }>; optionalDependencies?: Record<string, string> };
  const locked = (JSON.parse(readFileSync("package-lock.json", "utf8")) as { packages: Record<string, Locked> }).packages;
  const nameOf = (path: string) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length);

  /** In production only because a devDependency needs it, and why it changes nothing there. */
  const BROUGHT_BY_DEV: Record<string, string> = {
    typescript: "an optional peer of @colyseus/schema for its codegen (`npm run schema:unity`), never run by a server; the Dockerfile deletes it (23 MB)",
  };
  /** Optional to a production package, installed in development only, and why it changes nothing that matters. */
  const LEFT_OUT: Record<string, string> = {
    "debug → supports-color": "colours in debug's own output only",
  };

  it("installs in production nothing that only a devDependency brings, but what is listed with its reason", () => {
    const brought = Object.entries(locked).filter(([path, entry]) => path !== "" && entry.devOptional).map(([path]) => nameOf(path));
    assert.deepEqual(brought.sort(), Object.keys(BROUGHT_BY_DEV).sort(), "a new one: list it with why it is harmless, or keep it out");
  });

  it("and the image deletes those", () => {
    const dockerfile = readFileSync("Dockerfile", "utf8");
    for (const name of Object.keys(BROUGHT_BY_DEV)) assert.match(dockerfile, new RegExp(`rm -rf [^\\n]*node_modules/${name}\\b`), name);
  });

  it("leaves out in production no optional dependency that development has, but what is listed with its reason", () => {
    const devOnly = new Set<string>();
    const production = new Set<string>();
    for (const [path, entry] of Object.entries(locked)) if (path !== "") (entry.dev ? devOnly : production).add(nameOf(path));
    const leftOut: string[] = [];
    for (const [path, entry] of Object.entries(locked)) {
      if (path === "" || entry.dev) continue;
      const optional = [
        ...Object.entries(entry.peerDependenciesMeta ?? {}).filter(([, meta]) => meta.optional).map(([name]) => name),
        ...Object.keys(entry.optionalDependencies ?? {}),
      ];
      for (const name of optional) if (devOnly.has(name) && !production.has(name)) leftOut.push(`${nameOf(path)} → ${name}`);
    }
    assert.deepEqual([...new Set(leftOut)].sort(), Object.keys(LEFT_OUT).sort(), "a new one: list it with why it is harmless");
  });
});
