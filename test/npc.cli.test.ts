import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { hangulShare } from "./helpers/engine.js";
import { savedAsCp949, savedAsUtf16 } from "./helpers/saved-as.js";

const run = promisify(execFile);
const ask = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "npc/cli.ts", ...args], { encoding: "utf8" }).catch((e) => e);

describe("npm run ask", () => {
  it("prints the NPC's answer to a question", async () => {
    const { stdout } = await ask("배고파");
    assert.ok(hangulShare(stdout.trim()) > 0.5, stdout);
  });

  it("answers a file as JSON lines, in order, with an error line for a blank line", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "ask-")), "questions.txt");
    writeFileSync(file, "\uFEFF배고파\n\n잠이 안 와\n주말에 뭐 하지?\n"); // saved by Notepad: a byte order mark first
    const result = await ask("--file", file, "--json");
    const lines = result.stdout.trim().split("\n").map((line: string) => JSON.parse(line));
    assert.deepEqual(lines.map((l: { question: string }) => l.question), ["배고파", "", "잠이 안 와", "주말에 뭐 하지?"]);
    for (const line of [lines[0], lines[2], lines[3]]) {
      assert.ok(line.answer.length > 0 && typeof line.ms === "number", JSON.stringify(line));
      assert.ok(line.confidence <= 0 && typeof line.copied === "boolean", JSON.stringify(line));
      assert.equal(line.copied, line.retrieved.includes(line.answer), JSON.stringify(line));
    }
    assert.deepEqual(lines[1], { question: "", error: "question is empty", code: "empty" });
    assert.equal(result.code, 1, "a failed line makes the exit status 1");
  });

  it("takes blank lines after a file's last question as its end, and a file of only blank lines as no questions", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ask-"));
    writeFileSync(join(dir, "crlf.txt"), "배고파\r\n\r\n"); // saved on Windows with an empty last line
    const answered = await ask("--file", join(dir, "crlf.txt"), "--json");
    assert.equal(answered.code ?? 0, 0, answered.stderr);
    assert.deepEqual(answered.stdout.trim().split("\n").map((line: string) => JSON.parse(line).question), ["배고파"]);
    writeFileSync(join(dir, "blank.txt"), "\n \n");
    const blank = await ask("--file", join(dir, "blank.txt"));
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /no questions in/);
  });

  it("exits 2, before loading the model, for a bad number, dtype, knowledge or questions file (one not in UTF-8 too): the caller's mistakes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ask-"));
    writeFileSync(join(dir, "bad.jsonl"), "not json\n");
    writeFileSync(join(dir, "cp949.jsonl"), savedAsCp949('{"q": "이름이 뭐야?", "a": "한스야."}\n'));
    writeFileSync(join(dir, "utf16.txt"), savedAsUtf16("배고파\n"));
    for (const [args, said] of [
      [["--top-k", ""], /--top-k needs a number/],
      [["--min-score", ""], /--min-score needs a number from 0 to 1, got ""/],
      [["--dtype", "bogus"], /--dtype \(or MODEL_DTYPE\) must be fp32 or q8, got "bogus"/],
      [["--knowledge", join(dir, "bad.jsonl")], /bad\.jsonl:1: not JSON/],
      [["--knowledge", join(dir, "nowhere.jsonl")], /cannot read knowledge file/],
      [["--knowledge", join(dir, "cp949.jsonl")], /error: .*cp949\.jsonl:1: not UTF-8 \(saved as ANSI\/EUC-KR\?\)/],
      [["--file", join(dir, "utf16.txt")], /error: .*utf16\.txt:1: not UTF-8 \(saved as UTF-16 \(Notepad's "Unicode"\)\)/],
    ] as const) {
      const result = await ask(...args, "배고파");
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, said);
    }
  });

  it("shows retrieved pairs from --min-score up, and refuses a bar outside 0..1", async () => {
    const shown = async (bar: string) => JSON.parse((await ask("--min-score", bar, "--json", "월급날이다")).stdout).retrieved.length;
    assert.equal(await shown("0"), 2); // the model's k: something always shares a character
    assert.equal(await shown("1"), 0); // only the very question itself would reach 1
    const result = await ask("--min-score", "1.5", "배고파");
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--min-score needs a number from 0 to 1, got "1.5"/);
  });

  it("takes a model folder relative to the working directory", async () => {
    const { stdout } = await ask("--model", "npc/model", "배고파");
    assert.ok(hangulShare(stdout.trim()) > 0.5, stdout);
  });

  it("loads the model the server would (MODEL_DIR), and checks --chat's options before it loads", async () => {
    const missing = await run(process.execPath, ["--import", "tsx", "npc/cli.ts", "배고파"], { encoding: "utf8", env: { ...process.env, MODEL_DIR: "/nonexistent/m" } }).catch((e) => e);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /\/nonexistent\/m\/config.json/);
    const empty = join(mkdtempSync(join(tmpdir(), "ask-")), "empty.txt");
    writeFileSync(empty, "");
    const none = await ask("--file", empty);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no questions in .*empty\.txt/);
    const help = await ask("--chat", "--help");
    assert.equal(help.code ?? 0, 0);
    assert.match(help.stderr, /^usage: npm run ask/);
    for (const [args, said] of [[["--chat", "배고파"], /--chat reads its questions from the terminal/], [["--chat", "--top-p", "7"], /topP must be a number from 0.05 to 1/]] as const) {
      const result = await ask(...args);
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, said);
    }
  });

  it("exits 3 and names the path when the model is missing", async () => {
    const result = await ask("--model", "/nonexistent/model", "배고파");
    assert.equal(result.code, 3);
    assert.match(result.stderr, /\/nonexistent\/model\/config.json/);
  });
});
