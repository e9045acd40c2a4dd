import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SCRIPTS = "unity-client/Assets/Scripts";

function csFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".cs"))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe("Unity client", () => {
  it("commits exactly the C# that `npm run schema:unity` generates from the server's schema", () => {
    const fresh = mkdtempSync(join(tmpdir(), "kobot-unity-"));
    execFileSync("node_modules/.bin/tsx", ["unity-client/codegen.ts", "--out", fresh], { stdio: "ignore" });
    const generated = csFiles(fresh).map((file) => file.slice(fresh.length + 1)).sort();
    assert.deepEqual(generated, ["Schema/ChatLine.cs", "Schema/Npc.cs", "Schema/Player.cs", "Schema/WorldState.cs", "WorldProtocol.cs"]);
    for (const file of generated) {
      assert.equal(
        readFileSync(join(SCRIPTS, file), "utf8"),
        readFileSync(join(fresh, file), "utf8"),
        `${SCRIPTS}/${file} is out of date: run npm run schema:unity and commit the result`,
      );
    }
  });

  it("compiles its scripts with mcs against UnityEngine and Colyseus SDK stand-ins", function () {
    if (spawnSync("mcs", ["--version"]).status !== 0) {
      // .ci/run installs Debian's mono-mcs; on a machine without it this check cannot run.
      this.skip();
    }
    const out = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "unity-client.dll");
    const result = spawnSync(
      "mcs",
      ["-target:library", `-out:${out}`, "-define:UNITY_5_3_OR_NEWER", "-r:System.Core", "-warnaserror+", "-nowarn:67,649",
        ...csFiles("test/unity-stubs"), ...csFiles(SCRIPTS)],
      { encoding: "utf8" },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});
