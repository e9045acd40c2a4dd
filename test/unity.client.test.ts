import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { cleanText } from "../common/clean-text.js";
import { REPORT_REASON_MAX_CHARS, type WorldError } from "../rooms/world-protocol.js";
import { errorWords, joinFailureWords, npcGoneWords, RECALL_HINT, sentAgainWords, WAITING_TO_SEND } from "../web-client/src/error-words.js";
import { within } from "../web-client/src/text-within.js";
import { errorCodes } from "./helpers/error-codes.js";

const SCRIPTS = "unity-client/Assets/Scripts";

function csFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".cs"))
    .map((entry) => join(entry.parentPath, entry.name));
}

const hasMcs = () => spawnSync("mcs", ["--version"]).status === 0;

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
    if (!hasMcs()) {
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

  it("says every server error and join refusal in the browser client's words, and shows players' text as typed", function () {
    if (!hasMcs()) this.skip(); // as above
    const exe = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "words-check.exe");
    const words = [join(SCRIPTS, "ErrorWords.cs"), join(SCRIPTS, "KobotNetwork.cs"), join(SCRIPTS, "ChatUI.cs"), join(SCRIPTS, "WorldProtocol.cs")];
    const scripts = csFiles(SCRIPTS).filter((file) => !words.includes(file));
    const built = spawnSync("mcs", [`-out:${exe}`, "-r:System.Core", "-nowarn:67,649", ...csFiles("test/unity-stubs"), ...scripts, ...words, "test/unity-checks/WordsCheck.cs"], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stdout + built.stderr);

    const names = ["코봇", "한스", "Bob", ""];
    const waits = [1450, 1000, 12_300, 90_000, 9_000_000, 7 * 86_400_000 - 1]; // a tenth of a second to a week
    // Each with its line given back and without (words may differ: a line refused, or a later word about it).
    const errors: WorldError[] = errorCodes().flatMap((code) =>
      names.flatMap((name, i) =>
        waits.map((retryAfterMs) => ({ code, message: `server words for ${code}`, npcId: name, distance: 12.34, talkRadius: 6, retryAfterMs, byAddress: i % 2 === 0, ...(i < 2 ? { text: "보낸 말" } : {}) })),
      ),
    );
    assert.ok(errors.length >= 4 * 12, "every code of the union");
    // Each as a player signed in (named after their account) and as one not.
    const joins = [400, 401, 403, 413, 426, 4403, 4410, 429, 4429, 1009, 0, 503].flatMap((code) => [
      { code, signedIn: false, nameTaken: false },
      { code, signedIn: true, nameTaken: false },
      { code, signedIn: false, nameTaken: true },
    ]);
    const gone = ["코봇", "한스", "Bob"];
    const again = [1, 3, 20];
    const plain = ["<size=300>크게</size>", "<b>굵게</b> a<b", "평범한 말"];
    const input = [
      ...errors.map((e) => ["error", e.code, e.npcId, e.distance, e.talkRadius, e.retryAfterMs, e.byAddress, e.message, ...(e.text === undefined ? [] : [e.text])].join("\t")),
      ...joins.map(({ code, signedIn, nameTaken }) => `join\t${code}\t${signedIn}\t${nameTaken}`),
      ...gone.map((name) => `gone\t${name}`),
      ...again.map((lines) => `again\t${lines}`),
      "waiting",
      "hint",
      ...plain.map((text) => `plain\t${text}`),
    ].join("\n");
    const run = spawnSync("mono", [exe], { input, encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const said = run.stdout.trimEnd().split("\n");
    assert.equal(said.length, errors.length + joins.length + gone.length + again.length + 2 + plain.length);

    errors.forEach((error, i) => {
      assert.equal(said[i], errorWords(error, (id) => id || undefined), `${error.code} about "${error.npcId}"`);
    });
    joins.forEach(({ code, signedIn, nameTaken }, i) => {
      const web = joinFailureWords(code === 0 ? undefined : code, signedIn, nameTaken);
      assert.equal(said[errors.length + i], `${web.words}\t${web.retry ? "retry" : "stop"}`, `join refused with ${code}${signedIn ? ", signed in" : ""}`);
    });
    gone.forEach((name, i) => assert.equal(said[errors.length + joins.length + i], npcGoneWords(name), `${name} left`));
    again.forEach((lines, i) => assert.equal(said[errors.length + joins.length + gone.length + i], sentAgainWords(lines), `${lines} sent again`));
    assert.equal(said[errors.length + joins.length + gone.length + again.length], WAITING_TO_SEND, "Enter while the connection is taken back");
    assert.equal(said[errors.length + joins.length + gone.length + again.length + 1], RECALL_HINT, "a refused line waiting a ↑ away");
    plain.forEach((text, i) => {
      const shown = said[errors.length + joins.length + gone.length + again.length + 2 + i]!;
      assert.equal(shown.replaceAll("\u200B", ""), text, "every character kept");
      assert.doesNotMatch(shown, /<[a-z/]/i, "no tag uGUI would read");
    });
  });

  it("cuts a report's reason to what the server takes, as the browser client cuts text, so it is not refused", function () {
    if (!hasMcs()) this.skip(); // as above
    const exe = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "report-check.exe");
    const built = spawnSync("mcs", [`-out:${exe}`, "-r:System.Core", "-nowarn:67,649", ...csFiles("test/unity-stubs"), ...csFiles(SCRIPTS), "test/unity-checks/ReportCheck.cs"], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const reasons = [
      "욕설",
      "  계속 시비를 걸어요 ",
      "가".repeat(REPORT_REASON_MAX_CHARS),
      "가".repeat(REPORT_REASON_MAX_CHARS + 1),
      "가".repeat(2000),
      "😡".repeat(150), // 300 UTF-16 units: cut between two emoji, never inside one
      `a${"😡".repeat(150)}`,
      "",
    ];
    const run = spawnSync("mono", [exe], { input: reasons.join("\n") + "\n", encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const sent = run.stdout.split("\n").slice(0, -1);
    assert.equal(sent.length, reasons.length);
    reasons.forEach((reason, i) => {
      assert.equal(sent[i], reason === "" ? "(none)" : within(reason, REPORT_REASON_MAX_CHARS), `a reason of ${reason.length} units`);
      assert.ok([...cleanText(sent[i]!)].length <= REPORT_REASON_MAX_CHARS, `the server takes what is sent for ${reason.length} units`);
    });
  });

  it("counts a chat line as the server's cleanText does, for lines of every kind of character that shows nothing", function () {
    if (!hasMcs()) this.skip(); // as above
    const exe = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "count-check.exe");
    const built = spawnSync("mcs", [`-out:${exe}`, join(SCRIPTS, "TextWithin.cs"), "test/unity-checks/CountCheck.cs"], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const lines = [
      "안녕하세요", "  두  칸   띄어  ", "가\u200b나\u200c다\u200d라", "\u202e거꾸로\u202c", "소프트\u00ad하이픈", "\u2065숨은\u{e0080}글자\u{1d159}",
      "ㅤ필러ㅤ", "\u2800점자", "탭\t줄\n바꿈\r", "Z\u0301\u0302\u0303\u0304\u0305", "👨‍👩‍👧 가족", "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f} 깃발",
      "태그\u{e0041}만", "\ufe0f\u200d", "\u200b", "한".repeat(3).normalize("NFD"), "이모지 😀\ufe0f", "\u00a0앞뒤\u3000", "\ufeff바이트순서",
      "字\u{e0100}", "ℌ 𝔥 ｆｕｌｌ", "a\u0300\u0301",
      // Joiners beside a space or an edge join nothing, and kept the spaces they stood between from collapsing.
      "ㅋㅋ" + " \u200d".repeat(71) + "[공지] 5분 뒤 서버 점검", "가 \u200c\u200d 나", "\u200d가\u200c", "가\u200d\u3164\u200d나", "가\u200d\t나", "👨\u200d👩 \u200d👧",
      // Marks after a space as well (variation selectors are marks): " \ufe0f" × 71 kept the spaces as the joiners did.
      "ㅋㅋ" + " \ufe0f".repeat(71) + "[공지]", "가 \u0301\u200d 나", "가 \u{e0100}\u0301나", "\u0301\ufe0f가", "가 \u200d\u0301\u200d나", "가\u0301\u0302\u0303\u{e0100}\u{e0101}나",
      // A flag's tags stay only as a whole flag, 🏴 then U+E0020–U+E007E ended by U+E007F: not a run cut short, nor one
      // with U+E0000–U+E001F in it (each was counted here as the server does not), nor tags after its end.
      "🏴\u{e0067}\u{e0062} 잘린 깃발", "🏴\u{e0001}\u{e0067}\u{e007f}", "🏴\u{e007f} 빈 깃발", "🏴\u200b\u{e0067}\u{e0062}\u{e007f}",
      "🏴\u{e0067}\u{e007f}\u{e0067}\u{e007f}", "🏴🏴\u{e0067}\u{e007f}", "🏴\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}",
    ];
    const run = spawnSync("mono", [exe], { input: lines.map((line) => Buffer.from(line, "utf8").toString("base64")).join("\n") + "\n", encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const counted = run.stdout.trim().split("\n").map(Number);
    assert.deepEqual(counted, lines.map((line) => [...cleanText(line)].length));
  });

  it("keeps the player's choice of NPC through a rebuild, says an NPC that left rather than sending to everyone, and lists the NPCs in reach first, the choice following its NPC", function () {
    if (!hasMcs()) this.skip(); // as above
    const exe = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "npc-choices-check.exe");
    const built = spawnSync("mcs", [`-out:${exe}`, join(SCRIPTS, "NpcChoices.cs"), "test/unity-checks/NpcChoicesCheck.cs"], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const run = spawnSync("mono", [exe], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it("keeps each chat line sent until the room shows or refuses it, as the browser client does, to send again those a dead socket took", function () {
    if (!hasMcs()) this.skip(); // as above
    const exe = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "unconfirmed-lines-check.exe");
    const built = spawnSync("mcs", [`-out:${exe}`, "-r:System.Core", "-nowarn:67,649", ...csFiles("test/unity-stubs"), ...csFiles(SCRIPTS), "test/unity-checks/UnconfirmedLinesCheck.cs"], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const run = spawnSync("mono", [exe], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it("calls back the player's recent lines with ↑ and ↓ as the browser client does, the line being typed kept", function () {
    if (!hasMcs()) this.skip(); // as above
    const exe = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "line-recall-check.exe");
    const built = spawnSync("mcs", [`-out:${exe}`, join(SCRIPTS, "LineRecall.cs"), "test/unity-checks/LineRecallCheck.cs"], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stdout + built.stderr);
    const run = spawnSync("mono", [exe], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  describe("connection (KobotNetwork against the SDK stand-ins, which record what it does to its room)", () => {
    let exe: string;
    before(function () {
      if (!hasMcs()) this.skip(); // as above
      exe = join(mkdtempSync(join(tmpdir(), "kobot-mcs-")), "network-check.exe");
      const built = spawnSync("mcs", [`-out:${exe}`, "-r:System.Core", "-nowarn:67,649", ...csFiles("test/unity-stubs"), ...csFiles(SCRIPTS), "test/unity-checks/NetworkCheck.cs"], { encoding: "utf8" });
      assert.equal(built.status, 0, built.stdout + built.stderr);
    });
    /** Runs one case of test/unity-checks/NetworkCheck.cs: it prints what went wrong. */
    const check = (name: string) => {
      const run = spawnSync("mono", [exe, name], { encoding: "utf8", timeout: 20_000 });
      assert.equal(run.status, 0, run.stdout + run.stderr);
    };

    it("puts its callbacks on the room's state once the first state has come, not on the placeholders before it", () => check("first-state"));
    it("keeps the state's callbacks through the SDK's own reconnection, without a second set", () => check("sdk-reconnect"));
    it("leaves, rather than plays, a room that comes back after it was destroyed: by the SDK's reconnection, a join under way, a first state", () => {
      for (const name of ["destroyed-while-dropped", "destroyed-while-joining", "destroyed-before-first-state"]) check(name);
    });
    it("waits on Unity's clock before joining again (a Task.Delay never resumes on WebGL)", () => {
      for (const name of ["retry-on-unity-clock", "rejoin-on-unity-clock"]) check(name);
    });
    it("takes a close with 4000 it did not ask for (a room disposed) as a lost room: leaves the scene and joins again", () => {
      for (const name of ["server-close-4000", "own-leave-4000"]) check(name);
    });
    it("counts a chat line as the server does (an emoji is one character), keeps one too long in the box, and sends no half emoji", () =>
      check("chat-counted-as-the-server-counts"));
    it("sends nothing while the connection is dropped, keeping the box on with its focus and the line, and talks again once back", () =>
      check("dropped-keeps-the-line"));
    it("keeps the player's avatar where it stopped, not put back to the positions the server had before the stop", () => check("stops-where-it-stopped"));
    it("chooses the NPC of the chosen one's name when an edit gave it another id (npc_changed), as the browser does, line put back or not", () =>
      check("npc-changed-chosen-again"));
    it("gives the SDK's reconnection as many retries as fit in the 20 s the server keeps its place (its 15 took ~56 s)", () => check("retries-within-the-place-kept"));
    it("does an NPC's action once, though the server sends its notice again after a silent drop", () => check("npc-action-once"));
    it("acts on an error once, though the server sends it again after a reconnection: a line sent since is not taken back", () => check("error-once"));
    it("shows each line of talk in private (a private_line message) among the chat's lines once, and takes the player's own as heard", () =>
      check("private-line-shown-once"));
    it("sends a line with a phone keyboard's Done (no Return key is held there), and keeps it when the keyboard closed otherwise", () =>
      check("phone-keyboard-done-sends"));
    it("drops a connection silent for SILENCE_NOTICED_SECONDS while open, for the SDK to resume (not sooner, not while resuming)", () =>
      check("silent-connection-dropped"));
    it("takes the room back by its token where the SDK cannot drop the connection (WebGL), unmoved by the old socket's late close", () =>
      check("silent-connection-on-webgl"));
    it("closes a socket the SDK's try has been opening for 10 s, for its next try (not sooner, not one closed between tries)", () =>
      check("opening-connection-dropped"));
    it("sends again, 1 s after being back, the lines the room neither showed nor refused, and says so", () => check("lines-sent-again-once-back"));
    it("sends a long paste as it is measured, cleaned: raw, spaces or stacked marks past the frame cap closed the socket (1009)", () =>
      check("long-paste-sent-cleaned"));
    it("sends nothing again by itself after a close for a message too big (1009): each line unconfirmed then is a ↑ away", () =>
      check("too-big-not-sent-again"));
    it("puts a sendId on each line and takes the room's said for it, or an error naming it, as its answer: only the rest is sent again", () =>
      check("lines-confirmed-by-said"));
    it("counts a join or a resume with no answer in 15 s as none and tries again, leaving the room that comes later", () => {
      for (const name of ["join-unanswered-tried-again", "resume-unanswered-tried-again"]) check(name);
    });
    it("keeps a line refused while the player types another a ↑ away, says so, and calls back each line to whom it was said", () =>
      check("lines-recalled-with-arrows"));
    it("raises OutOfDate for a build the server's schema moved past (426), and NameRefused for a name too long to send (413)", () =>
      check("join-refused-out-of-date-or-too-long"));
    it("raises AccountNameRefused for an account's name taken in the room, NameRefused for a typed one, each with its words", () =>
      check("join-refused-name-taken"));
    it("joins with the sign-in token as it is at each Connect: none once cleared (a guest after a ban or a sign-out)", () =>
      check("sign-in-token-of-each-connect"));
    it("keeps the words saying why the player is out of the room (put out, banned, a join refused or retried) until in one again, then 5 s", () =>
      check("out-of-the-room-words-kept"));
    it("shows notices that come together newest first, the two before under it, each for its own 5 s, as the browser's", () =>
      check("notices-each-their-seconds"));
  });
});
