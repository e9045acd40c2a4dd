import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A package whose code is in a bundle, with what its licence asks to go with every copy. */
export interface BundledPackage {
  name: string;
  version: string;
  license: string;
  /** The package's own licence file, or undefined where it ships none (its `license` field is all there is). */
  text: string | undefined;
}

/**
 * The packages of the files a bundle was built from (esbuild's metafile inputs, relative to `root`): the players'
 * browser gets a copy of their code, and their licences (MIT, all of them today) ask that their notice goes with it.
 */
export function bundledPackages(inputs: Iterable<string>, root: string): BundledPackage[] {
  const dirs = new Set<string>();
  for (const input of inputs) {
    const parts = input.split("/");
    const at = parts.lastIndexOf("node_modules");
    if (at < 0 || at + 1 >= parts.length) continue;
    const length = parts[at + 1]!.startsWith("@") ? 3 : 2;
    dirs.add(parts.slice(0, at + length).join("/"));
  }
  return [...dirs]
    .map((dir) => {
      const json = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { name: string; version: string; license?: string };
      const file = readdirSync(join(root, dir)).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
      return { name: json.name, version: json.version, license: json.license ?? "unstated", text: file ? readFileSync(join(root, dir, file), "utf8").trim() : undefined };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The notices file served beside the bundle: each package, its version and licence, and the licence's text. */
export function licensesText(packages: readonly BundledPackage[]): string {
  const head = "Third-party code in this web client, and the licences it comes under.\n";
  const parts = packages.map(
    ({ name, version, license, text }) => `${"=".repeat(72)}\n${name} ${version} (${license})\n\n${text ?? `No licence file ships with ${name}; its package.json says ${license}.`}\n`,
  );
  return [head, ...parts].join("\n");
}
