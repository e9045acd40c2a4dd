import assert from "node:assert/strict";

import { BANNED_CLOSE, KICKED_CLOSE, MESSAGE_TOO_BIG_CLOSE, TOO_MANY_CONNECTIONS_CLOSE } from "../rooms/world-protocol.js";
import { actionWords, errorWords, joinFailureWords, nameRefusalOf, waitWords } from "../web-client/src/error-words.js";

describe("Web client: errors in the player's words", () => {
  const names: Record<string, string> = { kobot: "코봇", hans: "한스", bob: "Bob" };
  const npcName = (id: string) => names[id];

  it("says how far, how long to wait, and who is busy, with the particle each name takes", () => {
    const far = { code: "too_far", message: "", npcId: "kobot", distance: 12.34, talkRadius: 8 } as const;
    assert.equal(errorWords(far, npcName), "너무 멀어요: 코봇과 12.3m 떨어져 있어요. 8m 안으로 다가가서 말을 걸어 주세요.");
    assert.match(errorWords({ ...far, npcId: "hans" }, npcName), /^너무 멀어요: 한스와 /);
    assert.match(errorWords({ ...far, npcId: "bob" }, npcName), /^너무 멀어요: Bob와\(과\) /);
    assert.equal(
      errorWords({ code: "rate_limited", message: "", retryAfterMs: 750 }, npcName),
      "잠시만요: 너무 빨리 보내고 있어요. 0.8초 뒤에 다시 보내 주세요.",
    );
    assert.match(errorWords({ code: "rate_limited", message: "", retryAfterMs: 1410 }, npcName), / 1\.5초 뒤에/, "rounded up, never too soon");
    assert.equal(
      errorWords({ code: "rate_limited", message: "", retryAfterMs: 750, byAddress: true }, npcName),
      "잠시만요: 같은 인터넷 주소에서 접속한 사람들과 함께 너무 빨리 보내고 있어요. 0.8초 뒤에 다시 보내 주세요.",
    );
    assert.equal(errorWords({ code: "npc_unavailable", message: "", npcId: "kobot" }, npcName), "코봇이 지금은 대답할 수 없어요. 잠시 뒤에 다시 말을 걸어 주세요.");
    assert.match(errorWords({ code: "npc_busy", message: "", npcId: "dragon" }, npcName), /^NPC에게 질문이 밀려/);
    assert.equal(errorWords({ code: "server_closing", message: "", npcId: "kobot" }, npcName), "서버가 곧 다시 시작해요. 다시 접속한 뒤에 물어봐 주세요.");
  });

  it("asks a question again after an edit changed its NPC, but not a blocked line (no text): that NPC is there to talk to", () => {
    assert.equal(errorWords({ code: "npc_changed", message: "", npcId: "hans", text: "안녕" }, npcName), "한스가 바뀌는 사이에 대답하지 못했어요. 다시 물어봐 주세요.");
    assert.equal(errorWords({ code: "npc_changed", message: "", npcId: "kobot" }, npcName), "코봇이 바뀌었어요. 이제 다시 말을 걸 수 있어요.");
    assert.equal(errorWords({ code: "unknown_npc", message: "", text: "@용 안녕" }, npcName), "이 방에는 그런 NPC가 없어요.");
    assert.equal(errorWords({ code: "unknown_npc", message: "", npcId: "mina" }, npcName), "말을 걸던 NPC가 이 방을 떠났어요.");
  });

  it("says a wait in the unit a person reads it in, rounded up: a week's mute in days, not 10080분", () => {
    const waits: Array<[number, string]> = [
      [0, "0.1초"], [750, "0.8초"], [1000, "1초"], [1410, "1.5초"], [9_950, "10초"], [12_300, "13초"], [59_000, "59초"],
      [59_001, "1분"], [60_000, "1분"], [90_000, "2분"], [3_540_000, "59분"], [3_540_001, "1시간"], [3_600_000, "1시간"],
      [9_000_000, "2시간 30분"], [86_340_001, "1일"], [86_400_000, "1일"], [90_000_000, "1일 1시간"], [7 * 86_400_000, "7일"],
    ];
    assert.deepEqual(waits.map(([ms]) => [ms, waitWords(ms)]), waits);
    assert.equal(
      errorWords({ code: "muted", message: "", retryAfterMs: 86_400_000 }, npcName),
      "운영자나 다른 플레이어들의 신고로 채팅이 막혔어요. 1일 뒤에 다시 말할 수 있어요.",
    );
  });

  it("says an NPC's action in words where this client knows it, another game's own id as it is", () => {
    assert.equal(actionWords("미나", "open_shop"), "미나가 가게를 열었어요.");
    assert.equal(actionWords("한스", "open_shop"), "한스가 가게를 열었어요.");
    assert.equal(actionWords("코봇", "open_shop"), "코봇이 가게를 열었어요.");
    assert.equal(actionWords("미나", "start_quest_7"), "미나: start_quest_7");
  });

  it("words a line of only blanks or invisible characters, which the box lets through and the server refuses", () => {
    assert.match(errorWords({ code: "chat_empty", message: "chat text is empty" }, npcName), /^보낼 글자가 없어요/);
  });

  it("says why a join failed, and whether the client tries again: never with a name the server refuses", () => {
    assert.deepEqual(joinFailureWords(400), {
      words: "이 이름으로는 들어갈 수 없어요. 글자와 숫자, _ 와 - 로 된 1–20자 이름(띄어쓰기는 한 번까지)으로, NPC나 운영자의 이름, 욕설이 아닌 이름을 써 주세요.",
      retry: false,
    });
    // A player in the room has the name, or one like it (the 400's message begins NAME_TAKEN).
    assert.deepEqual(joinFailureWords(400, false, true), { words: "이 방에 같은 이름이나 비슷해 보이는 이름을 쓰는 사람이 있어요. 다른 이름으로 들어와 주세요.", retry: false });
    assert.deepEqual(joinFailureWords(401), { words: "로그인이 필요해요. 게임에 다시 로그인한 뒤 들어와 주세요.", retry: false });
    assert.deepEqual(joinFailureWords(403), { words: "운영자가 접속을 막았어요. 차단이 끝난 뒤에 다시 들어와 주세요.", retry: false });
    assert.deepEqual(joinFailureWords(BANNED_CLOSE), joinFailureWords(403), "put out of the room by a ban");
    assert.deepEqual(joinFailureWords(KICKED_CLOSE), { words: "운영자가 방에서 내보냈어요. 다시 들어올 수 있지만, 규칙을 지켜 주세요.", retry: false }, "put out: joining again is the player's choice");
    assert.equal(joinFailureWords(429).retry, true);
    assert.deepEqual(joinFailureWords(TOO_MANY_CONNECTIONS_CLOSE), { words: "같은 인터넷 주소에서 접속한 사람이 너무 많아요. 잠시 뒤에 다시 들어갈게요.", retry: true });
    assert.deepEqual(
      joinFailureWords(MESSAGE_TOO_BIG_CLOSE),
      { words: "보낸 메시지가 너무 커서 연결이 끊겼어요. 다시 들어갈게요.", retry: true },
      "a frame past the server's cap closed the socket: said so, not as a drop, and joined again",
    );
    assert.deepEqual(
      joinFailureWords(503),
      { words: "서버가 다시 시작하는 중이거나 꽉 찼어요. 잠시 뒤에 다시 들어갈게요.", retry: true },
      "shutting down, or every room full at MAX_ROOMS: another try can work",
    );
    assert.deepEqual(joinFailureWords(undefined), { words: "서버에 연결할 수 없어요. 잠시 뒤에 다시 시도할게요.", retry: true });
  });

  it("says to change the account's name in the game when the room refuses it as taken, and to type another when a typed name is", () => {
    const words = (message: string) => {
      const { signedIn, nameTaken } = nameRefusalOf(400, message);
      return joinFailureWords(400, signedIn, nameTaken).words;
    };
    // The room's refusals (rooms/world-room.ts refuseTakenName) of a token's name and of a typed one.
    const account = 'account name refused: name_taken: a player in this room is named "민수", which "믾수" looks like: change the account\'s name in the game';
    assert.equal(words(account), "계정 이름으로는 들어갈 수 없어요. 게임에서 이름을 바꾼 뒤 다시 들어와 주세요.");
    const typed = 'name_taken: a player in this room is named "민수", which "민 수" looks like: choose another name';
    assert.equal(words(typed), "이 방에 같은 이름이나 비슷해 보이는 이름을 쓰는 사람이 있어요. 다른 이름으로 들어와 주세요.");
    assert.deepEqual(nameRefusalOf(503, account), { signedIn: false, nameTaken: false }, "only a 400 refuses a name");
  });

  it("words a report refused or not filed", () => {
    assert.equal(errorWords({ code: "unknown_player", message: "no player" }, npcName), "그 사람은 이 방에 없어요.");
    assert.equal(errorWords({ code: "report_reason_too_long", message: "" }, npcName), "신고하는 까닭은 200자까지 쓸 수 있어요.");
    assert.equal(errorWords({ code: "report_limited", message: "", retryAfterMs: 61_000 }, npcName), "신고를 너무 많이 했어요. 2분 뒤에 다시 신고할 수 있어요.");
    assert.match(errorWords({ code: "report_failed", message: "" }, npcName), /^신고를 접수하지 못했어요/);
  });

  it("words a message the server could not read, a line given back or not, and keeps the server's words for a code it does not know", () => {
    assert.match(errorWords({ code: "bad_message", message: 'bad "chat" message: text: Too big', text: "hi there" }, npcName), /^보낸 말이 너무 길거나 .* 고쳐서 다시 보내 주세요\.$/);
    assert.match(errorWords({ code: "bad_message", message: 'bad "move" message: x: expected number' }, npcName), /^보낸 메시지를 서버가 읽지 못했어요\./);
    assert.match(errorWords({ code: "unknown_message", message: 'unknown message type "teleport"' }, npcName), /^서버가 알아듣지 못하는 메시지를/);
    assert.equal(errorWords({ code: "next_year_code" as never, message: "something new" }, npcName), "something new");
  });
});
