/**
 * `npm run build:web`: bundles web-client/src into web-client/dist with esbuild (a minified ES module per page: the
 * players' client, app.js, and the moderators' console, moderation.js) and copies the pages. Runs before `npm start`;
 * takes a fraction of a second. The licences of the third-party code in the bundles go beside them, in licenses.txt.
 */
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

import { bundledPackages, licensesText } from "./bundled-licenses.js";

const here = import.meta.dirname;
const dist = join(here, "dist");
mkdirSync(dist, { recursive: true });
const { metafile } = await build({
  entryPoints: { app: join(here, "src", "main.ts"), moderation: join(here, "src", "moderation-console.ts") },
  outdir: dist,
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2022",
  sourcemap: "external", // beside the bundles, which name none: the server does not serve them (http-routes.ts)
  legalComments: "none", // the packages' licences are all in licenses.txt, which the bundles point at
  banner: { js: "/*! third-party code in this file and its licences: licenses.txt, beside it */" }, // relative: the page may be served under a path prefix
  metafile: true,
  logLevel: "warning",
});
writeFileSync(join(dist, "licenses.txt"), licensesText(bundledPackages(Object.keys(metafile.inputs), process.cwd())));
for (const file of ["index.html", "style.css", "moderation.html", "moderation.css"]) copyFileSync(join(here, file), join(dist, file));
console.log(`web client built: web-client/dist/app.js ${(statSync(join(dist, "app.js")).size / 1024).toFixed(1)} KiB`);
