import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

/** The repository's Markdown files, committed or new (not ignored). */
const markdownFiles = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.md"], { encoding: "utf8" })
  .split("\n")
  .filter((path) => path && existsSync(path));

/** Text outside fenced code blocks and inline code: links and headings there are examples, not the page's own. */
const prose = (markdown: string) => markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");

/**
 * A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2. And
 * `<a id="…"></a>`, which marks a part that is a bold bullet, not a heading, so a link lands on it, not the page's top.
 */
function anchorsOf(path: string): Set<string> {
  const seen = new Map<string, number>();
  const text = readFileSync(path, "utf8").replace(/^```[\s\S]*?^```/gm, "");
  const anchors = new Set<string>([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map(([, id]) => id!));
  for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M}_\- ]/gu, "").replaceAll(" ", "-");
    const times = seen.get(slug) ?? 0;
    seen.set(slug, times + 1);
    anchors.add(times === 0 ? slug : `${slug}-${times}`);
  }
  return anchors;
}

describe("documentation links", () => {
  it("finds the README and the docs pages", () => {
    assert.ok(markdownFiles.includes("README.md"));
    assert.ok(markdownFiles.filter((path) => path.startsWith("docs/")).length >= 10, markdownFiles.join(", "));
  });

  it("every relative link in the Markdown files leads to a file that exists, and to a heading that does", () => {
    const broken: string[] = [];
    for (const file of markdownFiles) {
      for (const [, target] of prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
        const [path, anchor] = target!.split("#") as [string, string | undefined];
        const linked = path ? normalize(join(dirname(file), path)) : file;
        if (!existsSync(linked)) broken.push(`${file}: ${target} (no such file)`);
        else if (anchor && statSync(linked).isFile() && linked.endsWith(".md") && !anchorsOf(linked).has(anchor)) {
          broken.push(`${file}: ${target} (no such heading)`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });
});
