import assert from "node:assert/strict";

import { Moderator } from "../moderation/moderator.js";
import { playerName } from "../rooms/players/player-name.js";

describe("A player's name at join", () => {
  const moderator = Moderator.fromFile();
  const join = (name: string) => playerName({ name }, "abcdef", { accountName: undefined, moderator, npcs: [{ id: "kobot", name: "코봇" }] });

  it("names a player who gives no name 손님 and four letters of their session, letters moderation lets through", () => {
    const nameless = (sessionId: string) => playerName({}, sessionId, { accountName: undefined, moderator, npcs: [] });
    assert.equal(nameless("Ab3xQ9zk1"), "손님-Ab3x");
    assert.equal(nameless("FckuQ9zk1"), "손님-ckuQ", "손님-Fcku reads as abuse: the next four letters");
    assert.ok(moderator.check("손님-Fcku").blocked);
  });

  it("refuses a name of characters that show nothing", () => {
    for (const name of ["\u206a", "\u17b5\u17b5", "\u{e0041}", "\ufff9", "\u034f", "\u180b", "\u3164", "\u115f"]) {
      assert.throws(() => join(name), /name must be 1–20 characters after trimming; got 0/, `U+${name.codePointAt(0)!.toString(16)}`);
    }
  });

  it("reads a name with hidden characters inside as it shows", () => {
    assert.equal(join("ᄏ\u200bᅩᆸ\u200bᄇ\u200bᅩᆺ"), "콥봇");
    assert.throws(() => join("코\u206a봇"), /passes for 코봇/);
    assert.throws(() => join("씨\u206a발"), /not allowed here/);
  });
});

describe("A player's name at join: edges", () => {
  const none = { moderator: undefined, npcs: [] };

  it("gives a token name that cleans to nothing (zero-width only) way to the join's name", () => {
    assert.equal(playerName({ name: "민수" }, "abcdef", { ...none, accountName: "\u200b" }), "민수");
  });

  it("says a refused join name is refused without the account prefix", () => {
    assert.throws(() => playerName({ name: "가".repeat(21) }, "abcdef", { ...none, accountName: undefined }), (e: Error) => /^name must be/.test(e.message));
  });

  it("takes the account's name over the join's", () => {
    assert.equal(playerName({ name: "가짜" }, "abcdef", { ...none, accountName: "진짜" }), "진짜");
  });

  it("counts characters, not UTF-16 units: 20 emoji are a 20-character name", () => {
    assert.equal(playerName({ name: "😀".repeat(20) }, "abcdef", { ...none, accountName: undefined }), "😀".repeat(20));
  });

  it("names a guest whose session id is exactly four letters by them", () => {
    assert.equal(playerName({}, "Ab3x", { ...none, accountName: undefined }), "손님-Ab3x");
  });
});
