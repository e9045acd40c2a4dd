import assert from "node:assert/strict";

import { cleanText } from "../common/clean-text.js";

describe("Names and chat lines cleaned as they arrive", () => {
  it("composes Hangul sent as separate jamo, as macOS and iOS may send it", () => {
    const separate = "배고파 코봇".normalize("NFD");
    assert.equal([...separate].length, 12);
    assert.equal(cleanText(separate), "배고파 코봇");
  });

  it("drops invisible characters inside words and the controls that reverse the text after them", () => {
    assert.equal(cleanText("배\u200b고\u2060파\ufeff"), "배고파");
    assert.equal(cleanText("시\u00ad발"), "시발"); // a soft hyphen hides nothing from moderation
    assert.equal(cleanText("안녕 \u202e요세하녕안\u202c 코봇"), "안녕 요세하녕안 코봇");
    assert.equal(cleanText("\u2066\u200f이름\u2069"), "이름");
  });

  it("drops characters that show nothing, so a name of them is empty, and tags outside an emoji flag", () => {
    // And every other default-ignorable one: reserved (U+2065), unassigned (U+E0080, U+E01F0), the shorthand format
    // controls (U+1BCA1), and the musical null notehead ("sh\u2065it" was a name, "fu\u2065ck" a line shown as written).
    for (const c of ["\u034f", "\u17b4", "\u17b5", "\u180b", "\u180f", "\u206a", "\u206f", "\ufff9", "\ufffb", "\u{1d173}", "\u{1d17a}", "\u{e0041}", "\u{e0001}", "\u2065", "\u{e0080}", "\u{e01f0}", "\u{1bca1}", "\u{1d159}"]) {
      assert.equal(cleanText(c), "", `U+${c.codePointAt(0)!.toString(16)}`);
      assert.equal(cleanText(`코${c}봇`), "코봇");
    }
    const england = "\u{1f3f4}\u{e0067}\u{e0062}\u{e0065}\u{e006e}\u{e0067}\u{e007f}";
    assert.equal(cleanText(`${england} 팬`), `${england} 팬`);
  });

  it("makes a text of only joiners, variation selectors, other ignorable characters or marks empty, and keeps them in emoji", () => {
    // Each of these was taken as a name (and a chat line) that showed nothing.
    for (const text of ["\u200d\u200d", "\u200c", "\ufe0f\ufe0e", "\u{e0100}\u{e0101}", "\u{1bca0}\u{1bca3}", "\u2065", "\u0301", " \u200d \ufe0f "]) {
      assert.equal(cleanText(text), "", [...text].map((c) => `U+${c.codePointAt(0)!.toString(16)}`).join(" "));
    }
    assert.equal(cleanText("👨\u200d👩\u200d👧"), "👨\u200d👩\u200d👧");
    assert.equal(cleanText("❤\ufe0f"), "❤\ufe0f");
    assert.equal(cleanText("e\u0301"), "é");
    // The non-joiner is spelling in Persian and the Indic scripts (it keeps two letters apart), not a hiding place.
    assert.equal(cleanText("می\u200cخواهم"), "می\u200cخواهم");
  });

  it("composes jamo and marks that an invisible character stood between, in one cleaning", () => {
    assert.equal(cleanText("ᄉ\u200bᅵ"), "시");
    assert.equal(cleanText("ᄏ\u200bᅩ\u200bᆺ"), "콧");
    assert.equal(cleanText("e\u200b\u0301"), "é");
    assert.equal(cleanText("a\u202e\u0301"), "á");
  });

  it("makes blank letters spaces, so a name of Hangul fillers or blank braille is empty", () => {
    assert.equal(cleanText("\u3164\u3164"), "");
    assert.equal(cleanText("\u2800"), "");
    assert.equal(cleanText("민\u3164수"), "민 수");
    assert.equal(cleanText("\uffa0하늘\u115f\u1160"), "하늘");
  });

  it("cuts marks stacked past three on a letter, and keeps emoji sequences whole", () => {
    assert.equal(cleanText("x\u0301\u0302\u0303\u0304\u0305\u0306y"), "x\u0301\u0302\u0303y");
    for (const emoji of ["👨‍👩‍👧", "1️⃣", "🏳️‍🌈", "👍🏽", "🇰🇷", "❤️"]) assert.equal(cleanText(emoji), emoji);
  });

  it("drops half surrogate pairs and keeps whole ones", () => {
    assert.equal(cleanText("가\ud800나"), "가나");
    assert.equal(cleanText("\udc00끝\ud83d"), "끝");
    assert.equal(cleanText("웃음 😂 \ud83d\ude00"), "웃음 😂 😀");
  });

  it("drops a joiner beside a space or an edge, so spaces it stood between collapse to one", () => {
    // A line padded so: the client wrapped "[공지] …" on to a line of its own, with no speaker.
    const padded = "ㅋㅋ" + " \u200d".repeat(71) + "[공지] 5분 뒤 서버 점검, 접속 종료";
    assert.equal(cleanText(padded), "ㅋㅋ [공지] 5분 뒤 서버 점검, 접속 종료");
    assert.equal(cleanText("가 \u200c\u200d\u200d 나"), "가 나");
    assert.equal(cleanText("\u200d가 \u200d\t\u200c나\u200c"), "가 나");
    assert.equal(cleanText("가\u200d\u3164\u200d나"), "가 나"); // a filler is a space: the joiners beside it join nothing
    // Between two visible characters a joiner stays: emoji, the non-joiner of Persian.
    assert.equal(cleanText("👨\u200d👩 👧"), "👨\u200d👩 👧");
    assert.equal(cleanText("ا\u200cب"), "ا\u200cب");
  });

  it("drops a mark or a variation selector after a space or at the start, so spaces it stood between collapse to one", () => {
    // Variation selectors are marks: " \ufe0f" × 71 padded a line as the joiners did.
    assert.equal(cleanText("ㅋㅋ" + " \ufe0f".repeat(71) + "[공지] 점검"), "ㅋㅋ [공지] 점검");
    assert.equal(cleanText("가 \u0301 \u{e0100}\u200d 나"), "가 나");
    assert.equal(cleanText("\u0301\ufe0f가"), "가");
    // After a letter they stay: an emoji's presentation, an accent.
    assert.equal(cleanText("❤\ufe0f 가"), "❤\ufe0f 가");
    assert.equal(cleanText("e\u0301 가"), "é 가");
  });

  it("makes control characters and any run of whitespace one space, trimmed", () => {
    assert.equal(cleanText("\t안녕\u0000하세요\n\u0085 코봇\u3000 "), "안녕 하세요 코봇");
  });

  it("leaves a clean line as it is, and a cleaned line the same when cleaned again", () => {
    for (const line of ["@kobot 배고파 ㅋㅋ", "오늘 날씨 좋다~!", "hi 한스 😂", "é ü ñ"]) assert.equal(cleanText(line), line);
    const messy = "  배\u200b고파\u3164ㅋㅋ  \u202e!  ".normalize("NFD");
    assert.equal(cleanText(cleanText(messy)), cleanText(messy));
    for (const line of ["ᄉ\u200bᅵ발", "e\u200b\u0301", " \u200d \u200d가\u200d", "가\u200d\u0000\u200d나", "x\u206a\u0301\u0302\u0303\u0304", "ᄀ\u0000ᅡ"]) assert.equal(cleanText(cleanText(line)), cleanText(line), line);
  });
});
