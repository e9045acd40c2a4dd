import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

/**
 * The server image swaps sharp (libvips, LGPL-3.0) for npc/no-sharp (Dockerfile): the brain must load and answer with
 * the stand-in, as it does in the image, where there is no Docker to build it here.
 */
describe("the NPC brain without sharp (the server image's stand-in)", function () {
  this.timeout(120_000);

  it("loads the model and answers with npc/no-sharp in sharp's place, libvips never loaded", async () => {
    const stub = pathToFileURL(resolve("npc/no-sharp/index.js")).href;
    const hooks = `export async function resolve(specifier, context, next) {
      return specifier === "sharp" ? { url: ${JSON.stringify(stub)}, shortCircuit: true } : next(specifier, context);
    }`;
    const script = join(mkdtempSync(join(tmpdir(), "no-sharp-")), "ask.mjs");
    writeFileSync(
      script,
      `import { register } from "node:module";
      import { readFileSync } from "node:fs";
      register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));
      const { NpcEngine } = await import(${JSON.stringify(pathToFileURL(resolve("npc/engine.ts")).href)});
      const engine = await NpcEngine.load(${JSON.stringify(resolve("npc/model"))});
      const answer = await engine.answer("배고파");
      const libvips = readFileSync("/proc/self/maps", "utf8").includes("libvips");
      await engine.dispose();
      console.log(JSON.stringify({ text: answer.text, libvips }));`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { timeout: 100_000 });
    const said = JSON.parse(stdout.trim().split("\n").at(-1)!) as { text: string; libvips: boolean };
    assert.ok(said.text.length > 0, "an answer");
    assert.equal(said.libvips, false, "libvips was not loaded");
  });

  it("says what is missing if anything asks it for an image", async () => {
    const { default: sharp } = (await import(pathToFileURL(resolve("npc/no-sharp/index.js")).href)) as { default: () => unknown };
    assert.throws(() => sharp(), /images are not supported here/);
    const json = JSON.parse(readFileSync("npc/no-sharp/package.json", "utf8")) as { name: string };
    assert.equal(json.name, "sharp");
  });

  it("is what the Dockerfile puts in sharp's place, with libvips removed", () => {
    const dockerfile = readFileSync("Dockerfile", "utf8");
    assert.match(dockerfile, /rm -rf[^\n]*(\\\n[^\n]*)*node_modules\/sharp node_modules\/@img/);
    assert.match(dockerfile, /^COPY npc\/no-sharp \.\/node_modules\/sharp$/m);
  });
});
