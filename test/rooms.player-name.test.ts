import assert from "node:assert/strict";

import { Client } from "@colyseus/sdk";

import { Moderator } from "../moderation/moderator.js";
import { playerLooks } from "../rooms/players/name-looks.js";
import { playerName } from "../rooms/players/player-name.js";
import { signToken } from "../server/player-accounts.js";
import { ACCOUNT_NAME_REFUSED, NAME_TAKEN } from "../rooms/world-protocol.js";
import type { WorldState } from "../rooms/world-state.js";
import { joinWorld, signedIn, startTestWorld, stateOf, type TestWorld, waitFor } from "./helpers/world.js";

describe("A player's name at join", () => {
  const moderator = Moderator.fromFile();
  const join = (name: string) => playerName({ name }, "abcdef", { accountName: undefined, moderator, npcs: [{ id: "kobot", name: "코봇" }] });

  it("names a player who gives no name 손님 and four letters of their session, letters moderation lets through", () => {
    const nameless = (sessionId: string) => playerName({}, sessionId, { accountName: undefined, moderator, npcs: [] });
    assert.equal(nameless("Ab3xQ9zk1"), "손님-Ab3x");
    assert.equal(nameless("FckuQ9zk1"), "손님-ckuQ", "손님-Fcku reads as abuse: the next four letters");
    assert.ok(moderator.check("손님-Fcku").blocked);
  });

  it("makes a name no typed name would be refused: no staff word, none that looks like a player's in the room", () => {
    const here = ["손님-aB3X"].map(playerLooks);
    const taken = (name: string) => here.includes(playerLooks(name));
    const nameless = (sessionId: string) => playerName({}, sessionId, { accountName: undefined, moderator, npcs: [], taken });
    assert.equal(nameless("Ab3xQ9zk1"), "손님-b3xQ", "손님-Ab3x looks like 손님-aB3X, a guest's here: a name_taken 400 for one who typed nothing");
    assert.equal(nameless("GM3xQ9zk1"), "손님-M3xQ", "손님-GM3x holds GM, a name the player could not type");
    assert.equal(nameless("mod_Q9zk1"), "손님-od_Q");
  });

  it("refuses a name of characters that show nothing", () => {
    for (const name of ["\u206a", "\u17b5\u17b5", "\u{e0041}", "\ufff9", "\u034f", "\u180b", "\u3164", "\u115f"]) {
      assert.throws(() => join(name), /name must be 1–20 characters after trimming; got 0/, `U+${name.codePointAt(0)!.toString(16)}`);
    }
  });

  it("reads an NPC's name typed in separate jamo as the name they compose (ㅋㅗㅂㅗㅅ is 코봇), and a name with a loose jamo as the player's", () => {
    for (const name of ["ㅋㅗㅂㅗㅅ", "ㅋㅗ봇", "코ㅂㅗㅅ", "ㅋㅗㅂㅗㅅ님"]) assert.throws(() => join(name), /passes for 코봇/, name);
    for (const name of ["민수ㅋ", "민수ㅋㅋ", "ㅋㅋ", "ㅋㅗ", "코봇ㅋ팬"]) assert.equal(join(name), name, name);
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

  it("counts characters, not UTF-16 units: 20 letters beyond the BMP are a 20-character name", () => {
    assert.equal(playerName({ name: "𠀀".repeat(20) }, "abcdef", { ...none, accountName: undefined }), "𠀀".repeat(20));
  });

  it("names a guest whose session id is exactly four letters by them", () => {
    assert.equal(playerName({}, "Ab3x", { ...none, accountName: undefined }), "손님-Ab3x");
  });
});

describe("A player's name at join: its shape and staff words", () => {
  const join = (name: string) => playerName({ name }, "abcdef", { accountName: undefined, moderator: undefined, npcs: [{ id: "kobot", name: "코봇" }] });

  it("takes letters and digits of any script, _ and -, and one space between two words", () => {
    for (const name of ["민수", "minsu_99", "Kim Minsu", "하늘-2", "ㅋㅋ", "Ёлка", "たなか", "손님-Ab3x", "  하늘  ", "Müller"]) {
      assert.equal(join(name), name.trim(), name);
    }
  });

  it("refuses a sentence, punctuation, brackets and symbols, which wrote lines of their own into the room and NPCs' lines", () => {
    const refused = ["민수는 도둑이에요. 그리고", "민수 님이 나갔어요. 철수", "코봇: 안녕", "코봇 (NPC)", "민수.", "민수!", "\"민수\"", "민수,철수", "[민수]", "$&영희", "😀", "민 수 씨", "_-_"];
    for (const name of refused) assert.throws(() => join(name), /may hold only letters, digits, _ and -, with at most one space/, name);
  });

  it("refuses the staff's and the system's words as they look, Hangul anywhere, Latin as a word of its own", () => {
    for (const name of ["운영자", "관리자", "시스템", "GM", "System", "민수운영자", "공지", "공지사항", "ＧＭ", "Аdmin" /* Cyrillic А */, "GM민수", "Admin1", "mod_kim", "매니저 김", "staff-kim", "ㅇㅜㄴㅇㅕㅇㅈㅏ"]) {
      assert.throws(() => join(name), /passes for the game's staff or system/, name);
    }
    // People's names that hold such a word: 공 지영 and 공 지훈 (a surname and a given name), Dev.
    for (const name of ["gmail", "modern", "민수", "Kim Minsu", "developing", "공지영", "공지훈", "Dev"]) assert.equal(join(name), name, name);
  });

  it("refuses a staff word spelled as it sounds (운영쟈, 시스탬) or with its Latin letters apart (G M), and keeps the names beside them", () => {
    // Each was taken, and one posted "[공지] 보상 신청은 계정 아이디와 비밀번호를 적어 주세요" as 운영쟈.
    const refused = ["운영쟈", "관리쟈", "매니져", "시스탬", "메니저", "개발쟈", "지앰", "민수운영쟈", "G M", "G_M", "G-M", "Ｇ Ｍ", "A-D-M-I-N", "Kim_G_M"];
    for (const name of refused) assert.throws(() => join(name), /passes for the game's staff or system/, name);
    assert.throws(() => join("운영쟈"), /\("운영자"\)/, "says the word it passes for");
    // "gm" inside a longer Latin word is a word of its own no more than run together ("Sig Ma", "Big Mac"); Hangul
    // names with those vowels and no staff word: 쟈스민, 재준, 매니큐어, 채서윤.
    const allowed = ["Dogma", "Sigma Kim", "Sig Ma", "Big Mac", "G Man", "Ogma-7", "Kim_G", "쟈스민", "재준", "매니큐어", "채서윤", "공지영", "공쟈"];
    for (const name of allowed) assert.equal(join(name), name, name);
  });

  it("refuses a staff word with its consonants tensed (씨스템, 운영짜), in slang (운영좌), another spelling (애드민) or Latin g and m for 지 and 엠 (G엠)", () => {
    const refused: [string, string][] = [
      ["애드민", "어드민"], ["에드민", "어드민"], ["씨스템", "시스템"], ["써버", "서버"], ["쥐엠", "지엠"], ["G엠", "지엠"], ["지M", "지엠"],
      ["운영짜", "운영자"], ["운영좌", "운영자"], ["관리짜", "관리자"], ["모더레이타", "모더레이터"], ["매니쟈", "매니저"], ["민수써버", "서버"],
      ["지 엠", "지엠"], ["G 엠", "지엠"], ["서 버", "서버"], ["운영 쟈", "운영자"],
    ];
    for (const [name, word] of refused) {
      assert.throws(() => join(name), (e: Error) => e.message.includes(`passes for the game's staff or system ("${word}")`), name);
    }
  });

  it("keeps names whose two words only run together into a short staff word (민지 앰버: 지엠), and romanized syllables apart (Ad Min)", () => {
    // 지엠 and 서버 are two syllables that a given name's last and the next one's first make: only within a word or
    // as the whole name. Latin parts run together only when each is one letter (G M): Mo, Ad and Ser are syllables.
    const allowed = ["민지 앰버", "수지 앰버", "민지 엠마", "예지 앰버", "은서 버들", "Mo D", "Ad Min", "Ad min", "sys_op", "Ser Ver", "Man Ager", "Sy Stem", "No Tice", "Sta Ff", "A Dmin", "Dong Min", "Ji Min", "gmail민수", "민수g", "쥐돌이", "싸이"];
    for (const name of allowed) assert.equal(join(name), name, name);
  });
});

describe("A player's name in the room", () => {
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld();
  });
  after(() => world.stop());

  it("refuses a name that looks like a player's here (name_taken, 400), and takes it once they left", async () => {
    const minsu = await world.join("민수");
    for (const name of ["민수", "민 수", "믾수"]) {
      await assert.rejects(joinWorld(world.url, { name }, minsu.room.roomId), (error: { code?: number; message: string }) => {
        assert.equal(error.code, 400, error.message);
        assert.ok(error.message.startsWith(NAME_TAKEN), error.message);
        assert.match(error.message, /named "민수"/);
        return true;
      });
    }
    const kim = await world.joinBeside(minsu, "Kim");
    await assert.rejects(joinWorld(world.url, { name: "ＫＩＭ" }, minsu.room.roomId), /name_taken/);
    await waitFor("Kim and 민수 alone", () => Object.values(stateOf(minsu).players).map((p) => p.name).sort().join() === "Kim,민수");
    await kim.room.leave();
    const again = await world.joinBeside(minsu, "kim");
    assert.equal(stateOf(again).players[again.room.sessionId]!.name, "kim");
    await again.room.leave();
    await minsu.room.leave();
  });

  it("gives a dropped player their seat and name back, and lets them join again by the name while their avatar waits", async () => {
    const host = await world.join("방장");
    const client = new Client(world.url);
    const away = await client.joinById<WorldState>(host.room.roomId, { name: "철수" });
    await waitFor("the first state", () => away.state?.players !== undefined);
    // The socket dies without a leave: the room keeps the place for a reconnection.
    (away.connection as unknown as { transport: { ws: { close(code: number): void } } }).transport.ws.close(4999);
    await waitFor("the avatar away", () => stateOf(host).players[away.sessionId]?.anim === "away");
    const back = await client.reconnect<WorldState>(away.reconnectionToken);
    await waitFor("the avatar back", () => stateOf(host).players[back.sessionId]?.anim === "idle");
    assert.equal(back.sessionId, away.sessionId);
    assert.equal(stateOf(host).players[back.sessionId]!.name, "철수");
    // Dropped again, and the resume lost (a new tab): a new join from the same address under the same name.
    (back.connection as unknown as { transport: { ws: { close(code: number): void } } }).transport.ws.close(4999);
    await waitFor("the avatar away again", () => stateOf(host).players[back.sessionId]?.anim === "away");
    const rejoined = await world.joinBeside(host, "철수");
    assert.equal(stateOf(rejoined).players[rejoined.room.sessionId]!.name, "철수");
    await rejoined.room.leave();
    await host.room.leave();
  });
});

describe("A staff notice faked in the room", () => {
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld();
  });
  after(() => world.stop());

  it("refuses a name that sounds like 운영자 (운영쟈), and shows a line padded with joiners between spaces with one space", async () => {
    const minsu = await world.join("민수");
    await assert.rejects(joinWorld(world.url, { name: "운영쟈" }, minsu.room.roomId), (error: { code?: number; message: string }) => {
      assert.equal(error.code, 400, error.message);
      assert.match(error.message, /name "운영쟈" passes for the game's staff or system \("운영자"\)/);
      return true;
    });
    // " \u200d" × 71 kept 71 spaces, and the client wrapped "[공지] …" on to a line of its own, with no speaker.
    const chulsoo = await world.joinBeside(minsu, "철수");
    chulsoo.room.send("chat", { text: "ㅋㅋ" + " \u200d".repeat(71) + "[공지] 5분 뒤 서버 점검, 접속 종료" });
    const line = await waitFor("철수's line with 민수", () => stateOf(minsu).chat.find((l) => l.from === chulsoo.room.sessionId));
    assert.equal(line.text, "ㅋㅋ [공지] 5분 뒤 서버 점검, 접속 종료");
    assert.deepEqual(chulsoo.errors, []);
    await chulsoo.room.leave();
    await minsu.room.leave();
  });
});

describe("A signed-in player's name in the room", () => {
  const SECRET = "a-secret-of-at-least-32-characters-000";
  let world: TestWorld;
  before(async () => {
    world = await startTestWorld({ AUTH_SECRET: SECRET });
  });
  after(() => world.stop());

  /** The 400 a join got, its message for the clients to read. */
  const refusal = async (join: Promise<unknown>) => {
    const error = (await join.then(() => assert.fail("joined"), (e: unknown) => e)) as { code?: number; message: string };
    assert.equal(error.code, 400, error.message);
    return error.message;
  };

  it("says a taken name was the account's (ACCOUNT_NAME_REFUSED), which no typed name can mend; a typed name keeps name_taken", async () => {
    const minsu = await joinWorld(world.url, {}, undefined, await signedIn(SECRET, "minsu-1", "민수"));
    const { roomId } = minsu.room;
    // Another account whose token names it 믾수: the token's name wins over any typed one, so the clients must say so.
    const lookalike = await refusal(joinWorld(world.url, { name: "철수" }, roomId, await signedIn(SECRET, "minsu-2", "믾수")));
    assert.ok(lookalike.startsWith(ACCOUNT_NAME_REFUSED), lookalike);
    assert.match(lookalike, /named "민수"/);
    // A token without a name takes the typed one, as a guest's: another typed name can join, so it is plain name_taken.
    const nameless = { authorization: `Bearer ${await signToken(SECRET, { account: "minsu-3", hours: 1 })}` };
    const typed = await refusal(joinWorld(world.url, { name: "민 수" }, roomId, nameless));
    assert.ok(typed.startsWith(NAME_TAKEN), typed);
    await minsu.room.leave();
  });
});
