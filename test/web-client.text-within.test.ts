import assert from "node:assert/strict";

import { within } from "../web-client/src/text-within.js";

/** What the moderators' console sends as a sanction's reason: a report's reason, cut to what the server takes. */
describe("web client: text cut to the server's limit (web-client/src/text-within.ts)", () => {
  it("cuts at a character's edge, never inside an emoji, and says it was cut; a text that fits is as it was", () => {
    const reason = `신고: ${"😡".repeat(200)}`; // 200 characters a report takes, 404 UTF-16 units
    const cut = within(reason, 200);
    assert.ok(cut.length <= 200, `${cut.length}`);
    assert.ok(cut.endsWith("…") && reason.startsWith(cut.slice(0, -1)));
    assert.ok(!/[\uD800-\uDBFF]$/.test(cut.slice(0, -1)), "no half emoji");
    assert.equal(within("신고: 욕설", 200), "신고: 욕설");
    assert.equal(within("가".repeat(200), 200), "가".repeat(200));
  });

  it("never cuts inside a sequence a reader sees as one character (a skin tone, a family, a flag)", () => {
    assert.equal(within("가👍🏽👍🏽", 5), "가…"); // "가👍…" before: another emoji
    assert.equal(within("가👨‍👩‍👧‍👦", 9), "가…"); // "가👨‍👩‍…", a joiner left hanging
    assert.equal(within("🇰🇷🇰🇷", 7), "🇰🇷…"); // "🇰🇷🇰…", half a flag
  });
});
