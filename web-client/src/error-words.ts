import { jamoOf } from "../../common/hangul.js";
import {
  ACCOUNT_NAME_REFUSED,
  BANNED_CLOSE,
  CHAT_MAX_CHARS,
  KICKED_CLOSE,
  MESSAGE_TOO_BIG_CLOSE,
  NAME_MAX_CHARS,
  NAME_TAKEN,
  REPORT_REASON_MAX_CHARS,
  TOO_MANY_CONNECTIONS_CLOSE,
  type WorldError,
} from "../../rooms/world-protocol.js";

/** The particle that fits after a name: `afterVowel` (와, 가) or `afterConsonant` (과, 이); both when it is not Hangul. */
function particle(name: string, afterVowel: string, afterConsonant: string): string {
  const syllable = jamoOf(name.at(-1) ?? "");
  if (!syllable) return `${afterVowel}(${afterConsonant})`;
  return syllable.final ? afterConsonant : afterVowel;
}

/**
 * A wait as a player reads it, rounded up (a player who waits what is said is not refused again): tenths of a second
 * under 10 s ("1.5초", "1초"), seconds under a minute, minutes under an hour, then hours and minutes ("2시간 30분"), then
 * days and hours (a mute may last a week: "7일", not "10080분").
 */
export function waitWords(ms: number): string {
  if (ms < 10_000) return `${Math.max(0.1, Math.ceil(ms / 100) / 10)}초`;
  if (ms <= 59_000) return `${Math.ceil(ms / 1000)}초`;
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes}분`;
  if (minutes < 24 * 60) return minutes % 60 === 0 ? `${minutes / 60}시간` : `${Math.floor(minutes / 60)}시간 ${minutes % 60}분`;
  const hours = Math.ceil(ms / 3_600_000);
  return hours % 24 === 0 ? `${hours / 24}일` : `${Math.floor(hours / 24)}일 ${hours % 24}시간`;
}

/**
 * An error as the player reads it, in Korean, from the error's fields (the server's `message` is English, for
 * developers). A code this client does not know (a newer server's) keeps the server's words.
 */
export function errorWords(error: WorldError, npcName: (npcId: string) => string | undefined): string {
  const npc = (error.npcId && npcName(error.npcId)) || "NPC";
  switch (error.code) {
    case "too_far":
      return error.distance !== undefined && error.talkRadius !== undefined
        ? `너무 멀어요: ${npc}${particle(npc, "와", "과")} ${error.distance.toFixed(1)}m 떨어져 있어요. ${error.talkRadius}m 안으로 다가가서 말을 걸어 주세요.`
        : `너무 멀어요: ${npc}에게 더 다가가서 말을 걸어 주세요.`;
    case "rate_limited": {
      // Past what the players of one address say between them, this player may not have been fast at all.
      const who = error.byAddress ? "같은 인터넷 주소에서 접속한 사람들과 함께 너무 빨리 보내고 있어요." : "너무 빨리 보내고 있어요.";
      return error.retryAfterMs !== undefined
        ? `잠시만요: ${who} ${waitWords(error.retryAfterMs)} 뒤에 다시 보내 주세요.`
        : `잠시만요: ${who} 조금 뒤에 다시 보내 주세요.`;
    }
    case "muted":
      return error.retryAfterMs !== undefined
        ? `운영자나 다른 플레이어들의 신고로 채팅이 막혔어요. ${waitWords(error.retryAfterMs)} 뒤에 다시 말할 수 있어요.`
        : "운영자나 다른 플레이어들의 신고로 채팅이 막혔어요. 나중에 다시 말해 주세요.";
    case "npc_busy":
      return `${npc}에게 질문이 밀려 있어요. 조금 뒤에 다시 물어봐 주세요.`;
    case "npc_timeout":
      return `${npc}${particle(npc, "가", "이")} 제때 대답하지 못했어요. 다시 물어봐 주세요.`;
    case "server_closing":
      return "서버가 곧 다시 시작해요. 다시 접속한 뒤에 물어봐 주세요.";
    case "npc_unavailable":
      return `${npc}${particle(npc, "가", "이")} 지금은 대답할 수 없어요. 잠시 뒤에 다시 말을 걸어 주세요.`;
    case "moderated":
      return "보낼 수 없는 말이 들어 있어요. 다른 말로 써 주세요.";
    // Without the line (text): the later word to a blocked line, whose NPC an edit removed or changed; it was not
    // to be asked again.
    case "unknown_npc":
      return error.text !== undefined ? "이 방에는 그런 NPC가 없어요." : "말을 걸던 NPC가 이 방을 떠났어요.";
    case "npc_changed":
      return error.text !== undefined
        ? `${npc}${particle(npc, "가", "이")} 바뀌는 사이에 대답하지 못했어요. 다시 물어봐 주세요.`
        : `${npc}${particle(npc, "가", "이")} 바뀌었어요. 이제 다시 말을 걸 수 있어요.`;
    case "chat_too_long":
      return `메시지가 너무 길어요. 한 번에 ${CHAT_MAX_CHARS}자까지 보낼 수 있어요.`;
    case "chat_empty":
      return "보낼 글자가 없어요. 빈칸이나 보이지 않는 글자만으로는 보낼 수 없어요.";
    case "unknown_player":
      return "그 사람은 이 방에 없어요.";
    case "report_reason_too_long":
      return `신고하는 까닭은 ${REPORT_REASON_MAX_CHARS}자까지 쓸 수 있어요.`;
    case "report_limited":
      return error.retryAfterMs !== undefined
        ? `신고를 너무 많이 했어요. ${waitWords(error.retryAfterMs)} 뒤에 다시 신고할 수 있어요.`
        : "신고를 너무 많이 했어요. 나중에 다시 신고해 주세요.";
    case "report_failed":
      return "신고를 접수하지 못했어요. 잠시 뒤에 다시 해 주세요.";
    // Not meant to come from this client, yet a paste past what a line may be as sent did (its English words shown);
    // as the Unity client's ErrorWords.For, word for word (test/unity.client.test.ts).
    case "bad_message":
      return error.text !== undefined
        ? "보낸 말이 너무 길거나 서버가 읽을 수 없는 글자가 있어서 받지 못했어요. 고쳐서 다시 보내 주세요."
        : "보낸 메시지를 서버가 읽지 못했어요. 계속되면 다시 접속해 주세요.";
    case "unknown_message":
      return "서버가 알아듣지 못하는 메시지를 보냈어요. 최신 버전으로 다시 접속해 주세요.";
    default:
      return error.message;
  }
}

/** Enter pressed while the connection is being taken back: the line waits in the box. */
export const WAITING_TO_SEND = "다시 연결하는 중이에요. 연결되면 보낼 수 있어요. 쓴 말은 그대로 있어요.";

/** Said after a refusal that came while the player was typing another line: theirs is kept, the refused one a ↑ away. */
export const RECALL_HINT = "보내려던 말은 ↑ 키로 다시 불러올 수 있어요.";

/** Lines sent on a connection that had died without a word, sent again once the page was back in the room. */
export const sentAgainWords = (lines: number): string => `연결이 잠시 끊겨 전해지지 않은 말 ${lines}개를 다시 보냈어요.`;

/** What the demo game does for an NPC's action (a knowledge line's `action`), as players read it. */
const ACTION_WORDS: Record<string, string> = { open_shop: "가게를 열었어요." };

/**
 * An NPC's action as a notice: in words for the actions this client knows; another game's own action id as it is,
 * for its developers (the game, not this client, does what it says).
 */
export const actionWords = (npc: string, action: string): string =>
  ACTION_WORDS[action] !== undefined ? `${npc}${particle(npc, "가", "이")} ${ACTION_WORDS[action]}` : `${npc}: ${action}`;

/** The NPC the player chose to speak to has left the room (an edit of the world): they choose again before a line goes. */
export const npcGoneWords = (npc: string): string =>
  `${npc}${particle(npc, "가", "이")} 이 방을 떠났어요. 누구에게 말할지 다시 골라 주세요.`;

/** The NPC the player chose on the map: in reach, to talk to at once; else the avatar walks up to it first. */
export const npcChosenWords = (npc: string, inReach: boolean): string =>
  inReach ? `${npc}에게 말을 걸어요.` : `${npc}에게 다가가요. 가까이 가면 말을 걸 수 있어요.`;

/**
 * Which refusal of a name a join's error is, by how the server's 400 begins: the account's name (`signedIn`: no name
 * typed here can help; a name taken in the room among them), or a typed name a player in the room has (`nameTaken`).
 */
export function nameRefusalOf(code: number | undefined, message: string): { signedIn: boolean; nameTaken: boolean } {
  return { signedIn: code === 400 && message.startsWith(ACCOUNT_NAME_REFUSED), nameTaken: code === 400 && message.startsWith(NAME_TAKEN) };
}

/**
 * Why a join failed, in Korean, and whether joining again as is may work. The server refuses a name with 400 (its
 * English message says which rule; `signedIn`: the name refused was the account's, the message beginning
 * ACCOUNT_NAME_REFUSED; `nameTaken`: a player in the room has the name or one like it, the message beginning
 * NAME_TAKEN), a player not signed in (no token, or a bad or
 * expired one) with 401, a banned account with 403 (or, in the room, by closing with BANNED_CLOSE), a player a
 * moderator put out by closing with KICKED_CLOSE (joining again is up to the player); 429 is too many joins waiting
 * from the player's address, 503 a server shutting down or full, TOO_MANY_CONNECTIONS_CLOSE too many connections from
 * it; MESSAGE_TOO_BIG_CLOSE a frame past the server's cap closed the socket (joining again works); no code is no server.
 */
export function joinFailureWords(code: number | undefined, signedIn = false, nameTaken = false): { words: string; retry: boolean } {
  if (code === 401) return { words: "로그인이 필요해요. 게임에 다시 로그인한 뒤 들어와 주세요.", retry: false };
  if (code === 403 || code === BANNED_CLOSE) return { words: "운영자가 접속을 막았어요. 차단이 끝난 뒤에 다시 들어와 주세요.", retry: false };
  if (code === KICKED_CLOSE) return { words: "운영자가 방에서 내보냈어요. 다시 들어올 수 있지만, 규칙을 지켜 주세요.", retry: false };
  // Another player here is shown by this name, or one a glance takes for it: another name, or the same a while later.
  if (code === 400 && nameTaken) return { words: "이 방에 같은 이름이나 비슷해 보이는 이름을 쓰는 사람이 있어요. 다른 이름으로 들어와 주세요.", retry: false };
  // The name refused was the account's (its token's): a name typed here is not used, and cannot help.
  if (code === 400 && signedIn) return { words: "계정 이름으로는 들어갈 수 없어요. 게임에서 이름을 바꾼 뒤 다시 들어와 주세요.", retry: false };
  if (code === 400) {
    return {
      words: `이 이름으로는 들어갈 수 없어요. 글자와 숫자, _ 와 - 로 된 1–${NAME_MAX_CHARS}자 이름(띄어쓰기는 한 번까지)으로, NPC나 운영자의 이름, 욕설이 아닌 이름을 써 주세요.`,
      retry: false,
    };
  }
  // Join options over 16 KiB (server/http/http-guard.ts): sending them again cannot work.
  if (code === 413) return { words: "입장 정보가 너무 커서 들어갈 수 없어요.", retry: false };
  // A build whose state classes are not the server's (rooms/schema-fingerprint.ts; Unity's): only an update helps.
  if (code === 426) return { words: "게임이 서버보다 오래된 버전이에요. 게임을 업데이트한 뒤 들어와 주세요.", retry: false };
  if (code === 429) return { words: "지금 들어오려는 사람이 많아요. 잠시 뒤에 다시 들어갈게요.", retry: true };
  // Shutting down, or every room full and no new one made (MAX_ROOMS): another try, or another server, can work.
  if (code === 503) return { words: "서버가 다시 시작하는 중이거나 꽉 찼어요. 잠시 뒤에 다시 들어갈게요.", retry: true };
  if (code === MESSAGE_TOO_BIG_CLOSE) return { words: "보낸 메시지가 너무 커서 연결이 끊겼어요. 다시 들어갈게요.", retry: true };
  if (code === TOO_MANY_CONNECTIONS_CLOSE) return { words: "같은 인터넷 주소에서 접속한 사람이 너무 많아요. 잠시 뒤에 다시 들어갈게요.", retry: true };
  if (code === undefined) return { words: "서버에 연결할 수 없어요. 잠시 뒤에 다시 시도할게요.", retry: true };
  return { words: `들어갈 수 없어요 (${code}). 잠시 뒤에 다시 시도할게요.`, retry: true };
}
