/**
 * `npm run build:web`: bundles web-client/src into web-client/dist with esbuild (a minified ES module per page: the
 * players' client, app.js, and the moderators' console, moderation.js) and copies the pages. Runs before `npm start`;
 * takes a fraction of a second.
 */
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const here = import.meta.dirname;
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
await build({
  entryPoints: { app: join(here, "src", "main.ts"), moderation: join(here, "src", "moderation-console.ts") },
  outdir: dist,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  sourcemap: true,
  legalComments: "none",
  logLevel: "warning",
});
for (const file of ["index.html", "style.css", "moderation.html", "moderation.css"]) copyFileSync(join(here, file), join(dist, file));
console.log(`web client built: web-client/dist/app.js ${(statSync(join(dist, "app.js")).size / 1024).toFixed(1)} KiB`);
