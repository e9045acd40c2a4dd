import assert from "node:assert/strict";

import { plainChat, spellOutShorthand, withoutDrawnOutEnd, withoutEmoticons } from "../npc/chat-line.js";

/** Each typed line, read by `read`, is its plain line. */
function readsAs(read: (line: string) => string, cases: [typed: string, plain: string][]): void {
  for (const [typed, plain] of cases) assert.equal(read(typed), plain, typed);
}

describe("Chat shorthand spelled out for the NPC", () => {
  it("spells out hello, bye, thanks and sorry in jamo, Hangul and English shorthand", () => {
    const cases: [string, string][] = [
      ["ㅎㅇ", "안녕"], ["하이", "안녕"], ["하이요", "안녕"], ["Hi", "안녕"], ["hello", "안녕"],
      ["ㅂㅂ", "잘가"], ["바이바이", "잘가"], ["bye", "잘가"], ["good bye", "잘가"],
      ["ㄱㅅ", "고마워"], ["ㄳ", "고마워"], ["땡큐", "고마워"], ["thank you", "고마워"], ["Thanks", "고마워"],
      ["ㅈㅅ", "미안해"], ["쏘리", "미안해"], ["방가방가", "반가워"], ["굿밤", "잘자"], ["good night", "잘자"],
    ];
    readsAs(spellOutShorthand, cases);
  });

  it("spells out chat's short words, and 겜 inside its word", () => {
    const cases: [string, string][] = [
      ["오늘 ㄹㅇ 덥네", "오늘 진짜 덥네"], ["숙제가 넘 많아", "숙제가 너무 많아"], ["선물 머 살까", "선물 뭐 살까"],
      ["모해?", "뭐해?"], ["걍 잘래", "그냥 잘래"], ["ㅇㅇ", "응"], ["ㅇㅋ", "알았어"], ["ㄴㄴ", "아니"], ["ㅊㅋㅊㅋ!", "축하해!"],
      ["ㄱㄱ", "가자"], ["ㅅㄱ", "수고해"], ["겜에서 졌어", "게임에서 졌어"], ["밤새 겜했어", "밤새 게임했어"], ["새 겜 재밌다", "새 게임 재밌다"],
    ];
    readsAs(spellOutShorthand, cases);
  });

  it("keeps repeats as one word and the punctuation after it", () => {
    assert.equal(spellOutShorthand("ㅎㅇㅎㅇ 코봇"), "안녕 코봇");
    assert.equal(spellOutShorthand("하이하이~"), "안녕~");
    assert.equal(spellOutShorthand("ㅂㅂㅂ!!"), "잘가!!");
    assert.equal(spellOutShorthand("ㄱㅅㄱㅅ 잘 알았어"), "고마워 잘 알았어");
  });

  it("leaves other words alone, shorthand inside a word too", () => {
    for (const line of ["하이킹 가자", "바이올린 배우고 싶어", "ㅋㅋㅋ 웃기다", "오늘 날씨 좋다", "hint 좀 줘", "안녕하세요", "넘어졌어", "머리 아파", "모자 샀어"]) {
      assert.equal(spellOutShorthand(line), line);
    }
  });

  it("spells out nothing twice: its words are not shorthand", () => {
    for (const line of ["안녕", "잘가", "고마워", "미안해", "반가워", "잘자", "진짜", "너무", "뭐", "뭐해", "그냥", "응", "알았어", "아니", "축하해", "가자", "수고해", "게임"]) {
      assert.equal(spellOutShorthand(line), line);
    }
  });
});

describe("Laughing and crying dropped for the NPC", () => {
  it("drops ㅋㅋ, ㅎㅎ, ㅠㅠ, ㅜㅜ, ^^ and emoji from a line, attached or apart", () => {
    const cases: [string, string][] = [
      ["배고픈데 뭐 먹지 ㅋㅋ", "배고픈데 뭐 먹지"], ["배고픈데 뭐 먹지ㅋㅋㅋ", "배고픈데 뭐 먹지"], ["ㅋㅋ 시험 망쳤어 ㅠㅠ", "시험 망쳤어"],
      ["혼자ㅠㅠㅠ", "혼자"], ["비 와서 우울해 ㅜㅜ", "비 와서 우울해"], ["날씨 좋다ㅎㅎ", "날씨 좋다"], ["고마워요^^", "고마워요"],
      ["배고파ㅠ.ㅠ", "배고파."], ["진짜?ㅋㅋ", "진짜?"], ["배고파 😭", "배고파"], ["빵 있어?👍🏻", "빵 있어?"], ["❤️ 고마워", "고마워"],
    ];
    readsAs(withoutEmoticons, cases);
  });

  it("keeps a line that is nothing but laughing, and the ㅎ that starts ㅎㅇ", () => {
    assert.equal(withoutEmoticons("ㅋㅋㅋ"), "ㅋㅋㅋ");
    assert.equal(withoutEmoticons("ㅠㅠ"), "ㅠㅠ");
    assert.equal(withoutEmoticons("👍"), "👍");
    assert.equal(plainChat("ㅎㅇ ㅋㅋ"), "안녕", "shorthand is spelled out before");
    assert.equal(plainChat("ㅎㅇㅎㅇ"), "안녕");
    assert.equal(withoutEmoticons("크크 하하 흑흑"), "크크 하하 흑흑", "laughing written as syllables is words");
  });
});

describe("A chat line as the NPC reads it", () => {
  it("drops the punctuation that ends it, however long, and keeps what is inside", () => {
    const cases: [string, string][] = [
      ["노래 추천해 줘.", "노래 추천해 줘"], ["노래 추천해 줘?", "노래 추천해 줘"], ["노래 추천해 줘~~", "노래 추천해 줘"],
      ["진짜...", "진짜"], ["뭐 먹지??!", "뭐 먹지"], ["배고파… ㅠㅠ", "배고파"], ["하이~", "안녕"], ["ㅂㅂ!!", "잘가"],
      ["응, 그래. 고마워!", "응, 그래. 고마워"], ["헐 시험 망쳤어", "시험 망쳤어"], ["아 근데 배고파", "배고파"], ["휴... 피곤해", "피곤해"],
      ["아니 배고파", "아니 배고파"], ["아", "아"], ["이름이 머야ㅋㅋ??", "이름이 뭐야"], ["ㅇㅋ ㅋㅋ", "알았어"], ["ㅊㅋㅊㅋ ㅠㅠ", "축하해"],
    ];
    readsAs(plainChat, cases);
  });

  it("keeps a line that is nothing but punctuation or laughing as typed, bar the end of the laughing one", () => {
    for (const line of ["?", "...", "ㅋㅋㅋ", "ㅠㅠ"]) assert.equal(plainChat(line), line);
    assert.equal(plainChat("ㅠㅠ..."), "ㅠㅠ");
  });
});

describe("A vowel drawn out at the end of a line", () => {
  it("goes when it draws out an open syllable's vowel", () => {
    const cases: [string, string][] = [
      ["배고파아아", "배고파"], ["배고파아", "배고파"], ["시험 망쳤어어어", "시험 망쳤어"], ["뭐 먹지이이", "뭐 먹지"],
      ["우울해애애", "우울해"], ["그래애", "그래"], ["숙제가 너무 많아아아", "숙제가 너무 많아"], ["먹어어어", "먹어"],
    ];
    readsAs(withoutDrawnOutEnd, cases);
    assert.equal(plainChat("비 와서 우울해애애 ㅠㅠ"), "비 와서 우울해");
  });

  it("stays in words that end so: 많아, 먹어, 하아, 오오, 나아, 우유, 아이", () => {
    for (const line of ["많아", "먹어", "하아", "오오", "많이 나아", "우유", "아이", "배고파"]) assert.equal(withoutDrawnOutEnd(line), line);
  });
});
