import assert from "node:assert/strict";

import { build } from "esbuild";

import { bundledPackages, licensesText } from "../web-client/bundled-licenses.js";

describe("the web client's third-party licences (licenses.txt beside the bundles)", () => {
  it("names every package bundled into the players' client, each with its licence text, all permissive", async () => {
    const { metafile } = await build({
      entryPoints: ["web-client/src/main.ts", "web-client/src/moderation-console.ts"],
      bundle: true,
      write: false,
      metafile: true,
      format: "esm",
      outdir: "/tmp/unused",
      logLevel: "silent",
    });
    const packages = bundledPackages(Object.keys(metafile.inputs), process.cwd());
    const names = packages.map((bundled) => bundled.name);
    for (const name of ["@colyseus/sdk", "@colyseus/schema", "msgpackr"]) assert.ok(names.includes(name), `${name} in ${names}`);
    for (const bundled of packages) {
      // Copyleft code sent to every player's browser would bind the studio's client: a new one must be a decision.
      assert.match(bundled.license, /^(MIT|ISC|BSD-[23]-Clause|Apache-2\.0|0BSD)$/, `${bundled.name}: ${bundled.license}`);
      assert.match(bundled.text ?? "", /permission|licensed/i, `${bundled.name} ships its licence text`);
    }
    const text = licensesText(packages);
    for (const bundled of packages) assert.ok(text.includes(`${bundled.name} ${bundled.version} (${bundled.license})`));
  });

  it("finds a package's folder from any file inside it, scoped, nested or not, once", () => {
    const inputs = [
      "web-client/src/main.ts",
      "node_modules/msgpackr/unpack.js",
      "node_modules/msgpackr/pack.js",
      "node_modules/@colyseus/sdk/build/index.mjs",
      "node_modules/@colyseus/sdk/node_modules/@colyseus/schema/build/index.mjs",
    ];
    // The nested copy is not installed here: only the folders found are asked for, so give installed ones.
    const found = bundledPackages(inputs.slice(0, 4), process.cwd()).map((bundled) => bundled.name);
    assert.deepEqual(found, ["@colyseus/sdk", "msgpackr"]);
    assert.throws(() => bundledPackages(inputs.slice(4), process.cwd()), /node_modules\/@colyseus\/sdk\/node_modules\/@colyseus\/schema/);
  });
});
