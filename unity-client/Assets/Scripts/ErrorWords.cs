using System.Globalization;

namespace Kobot
{
    /// <summary>
    /// A server error as the player reads it, in Korean, from the error's fields (the server's `message` is
    /// English, for developers); the browser client's web-client/src/error-words.ts says the same.
    /// </summary>
    public static class ErrorWords
    {
        public static string For(WorldError error, string npcName)
        {
            var npc = string.IsNullOrEmpty(npcName) ? "NPC" : npcName;
            switch (error.code)
            {
                case "too_far":
                    return error.talkRadius > 0
                        ? "너무 멀어요: " + npc + Particle(npc, "와", "과") + " " + error.distance.ToString("0.0", CultureInfo.InvariantCulture) +
                          "m 떨어져 있어요. " + error.talkRadius.ToString(CultureInfo.InvariantCulture) + "m 안으로 다가가서 말을 걸어 주세요."
                        : "너무 멀어요: " + npc + "에게 더 다가가서 말을 걸어 주세요.";
                case "rate_limited":
                    // Past what the players of one address say between them, this player may not have been fast at all.
                    var who = error.byAddress ? "같은 인터넷 주소에서 접속한 사람들과 함께 너무 빨리 보내고 있어요. " : "너무 빨리 보내고 있어요. ";
                    return "잠시만요: " + who + Wait(error.retryAfterMs) + " 뒤에 다시 보내 주세요.";
                case "muted": // a moderator, or enough players' reports, muted the player; retryAfterMs: until it ends
                    return "운영자나 다른 플레이어들의 신고로 채팅이 막혔어요. " + Wait(error.retryAfterMs) + " 뒤에 다시 말할 수 있어요.";
                case "npc_busy":
                    return npc + "에게 질문이 밀려 있어요. 조금 뒤에 다시 물어봐 주세요.";
                case "npc_timeout":
                    return npc + Particle(npc, "가", "이") + " 제때 대답하지 못했어요. 다시 물어봐 주세요.";
                case "server_closing":
                    return "서버가 곧 다시 시작해요. 다시 접속한 뒤에 물어봐 주세요.";
                case "npc_unavailable":
                    return npc + Particle(npc, "가", "이") + " 지금은 대답할 수 없어요. 잠시 뒤에 다시 말을 걸어 주세요.";
                case "moderated":
                    return "보낼 수 없는 말이 들어 있어요. 다른 말로 써 주세요.";
                // Without the line (text): the later word to a blocked line, whose NPC an edit removed or changed; it
                // was not to be asked again.
                case "unknown_npc":
                    return error.text != null ? "이 방에는 그런 NPC가 없어요." : "말을 걸던 NPC가 이 방을 떠났어요.";
                case "npc_changed": // an edit gave the NPC another id before it answered; npcId: the NPC of its name now
                    return error.text != null
                        ? npc + Particle(npc, "가", "이") + " 바뀌는 사이에 대답하지 못했어요. 다시 물어봐 주세요."
                        : npc + Particle(npc, "가", "이") + " 바뀌었어요. 이제 다시 말을 걸 수 있어요.";
                case "chat_too_long":
                    return "메시지가 너무 길어요. 한 번에 " + WorldProtocol.ChatMaxChars + "자까지 보낼 수 있어요.";
                case "chat_empty":
                    return "보낼 글자가 없어요. 빈칸이나 보이지 않는 글자만으로는 보낼 수 없어요.";
                case "unknown_player":
                    return "그 사람은 이 방에 없어요.";
                case "report_reason_too_long":
                    return "신고하는 까닭은 " + WorldProtocol.ReportReasonMaxChars + "자까지 쓸 수 있어요.";
                case "report_limited":
                    return "신고를 너무 많이 했어요. " + Wait(error.retryAfterMs) + " 뒤에 다시 신고할 수 있어요.";
                case "report_failed":
                    return "신고를 접수하지 못했어요. 잠시 뒤에 다시 해 주세요.";
                // Not meant to come from this client, yet a paste past what a line may be as sent did (its English words shown).
                case "bad_message":
                    return error.text != null
                        ? "보낸 말이 너무 길거나 서버가 읽을 수 없는 글자가 있어서 받지 못했어요. 고쳐서 다시 보내 주세요."
                        : "보낸 메시지를 서버가 읽지 못했어요. 계속되면 다시 접속해 주세요.";
                case "unknown_message":
                    return "서버가 알아듣지 못하는 메시지를 보냈어요. 최신 버전으로 다시 접속해 주세요.";
                default:
                    return error.message;
            }
        }

        /// <summary>
        /// A wait as the player reads it, rounded up (a player who waits what is said is not refused again): tenths of a
        /// second under 10 s, seconds under a minute, minutes under an hour, then hours and minutes, then days and hours.
        /// </summary>
        public static string Wait(int ms)
        {
            if (ms < 10000) return System.Math.Max(0.1, System.Math.Ceiling(ms / 100.0) / 10).ToString("0.#", CultureInfo.InvariantCulture) + "초";
            if (ms <= 59000) return (int)System.Math.Ceiling(ms / 1000.0) + "초";
            var minutes = (int)System.Math.Ceiling(ms / 60000.0);
            if (minutes < 60) return minutes + "분";
            if (minutes < 24 * 60) return minutes % 60 == 0 ? minutes / 60 + "시간" : minutes / 60 + "시간 " + minutes % 60 + "분";
            var hours = (int)System.Math.Ceiling(ms / 3600000.0);
            return hours % 24 == 0 ? hours / 24 + "일" : hours / 24 + "일 " + hours % 24 + "시간";
        }

        /// <summary>Enter pressed while the connection is being taken back: the line waits in the box (the browser's words).</summary>
        public const string WaitingToSend = "다시 연결하는 중이에요. 연결되면 보낼 수 있어요. 쓴 말은 그대로 있어요.";

        /// <summary>After an error's words when its refused line went to the recall, not the box, which held another line (the browser's words).</summary>
        public const string RecallHint = "보내려던 말은 ↑ 키로 다시 불러올 수 있어요.";

        /// <summary>Lines sent on a connection that had died without a word, sent again once back in the room.</summary>
        public static string SentAgain(int lines)
        {
            return "연결이 잠시 끊겨 전해지지 않은 말 " + lines + "개를 다시 보냈어요.";
        }

        /// <summary>The NPC the player chose to speak to has left the room (an edit of the world): they choose again before a line goes.</summary>
        public static string NpcGone(string npc)
        {
            return npc + Particle(npc, "가", "이") + " 이 방을 떠났어요. 누구에게 말할지 다시 골라 주세요.";
        }

        /// <summary>
        /// Why a join failed, from the SDK's code (the HTTP status or the room's error code; 0 when no server
        /// answered); <paramref name="retry"/> false when joining as is cannot work: a name the server refuses.
        /// <paramref name="signedIn"/>: the server named the player after their account (the sign-in token's name), and
        /// a 400 refused the account's name: its message begins with WorldProtocol.AccountNameRefused (rooms/players/player-name.ts).
        /// <paramref name="nameTaken"/>: a player in the room has the name, or one like it: the 400's message begins with WorldProtocol.NameTaken.
        /// </summary>
        public static string ForJoin(int code, bool signedIn, out bool retry)
        {
            return ForJoin(code, signedIn, false, out retry);
        }

        /// <inheritdoc cref="ForJoin(int, bool, out bool)"/>
        public static string ForJoin(int code, bool signedIn, bool nameTaken, out bool retry)
        {
            retry = code != 400 && code != 401 && code != 403 && code != 413 && code != 426 && code != 4403 && code != 4410;
            switch (code)
            {
                case 401: // the server takes only players signed in by the game (AUTH_SECRET): no token, or a bad or expired one
                    return "로그인이 필요해요. 게임에 다시 로그인한 뒤 들어와 주세요.";
                case 403: // a moderator banned the account (POST /api/bans)
                case 4403: // ... and the room put the player out (BANNED_CLOSE)
                    return "운영자가 접속을 막았어요. 차단이 끝난 뒤에 다시 들어와 주세요.";
                case 4410: // a moderator put the player out of the room (KICKED_CLOSE): they may join again, by choice
                    return "운영자가 방에서 내보냈어요. 다시 들어올 수 있지만, 규칙을 지켜 주세요.";
                case 400:
                    // Another player here is shown by this name, or one a glance takes for it.
                    if (nameTaken) return "이 방에 같은 이름이나 비슷해 보이는 이름을 쓰는 사람이 있어요. 다른 이름으로 들어와 주세요.";
                    // The name refused was the account's (its token's): a name given to Connect is not used, and cannot help.
                    return signedIn
                        ? "계정 이름으로는 들어갈 수 없어요. 게임에서 이름을 바꾼 뒤 다시 들어와 주세요."
                        : "이 이름으로는 들어갈 수 없어요. 글자와 숫자, _ 와 - 로 된 1–" + WorldProtocol.NameMaxChars + "자 이름(띄어쓰기는 한 번까지)으로, NPC나 운영자의 이름, 욕설이 아닌 이름을 써 주세요.";
                case 413: // join options over 16 KiB (server/http/http-guard.ts): sending them again cannot work
                    return "입장 정보가 너무 커서 들어갈 수 없어요.";
                case 426: // this build's state classes are not the server's (WorldProtocol.SchemaFingerprint)
                    return "게임이 서버보다 오래된 버전이에요. 게임을 업데이트한 뒤 들어와 주세요.";
                case 429:
                    return "지금 들어오려는 사람이 많아요. 잠시 뒤에 다시 들어갈게요.";
                case 503: // shutting down, or every room full and no new one made (MAX_ROOMS): another try can work
                    return "서버가 다시 시작하는 중이거나 꽉 찼어요. 잠시 뒤에 다시 들어갈게요.";
                case 1009: // a message past the server's cap closed the socket (MESSAGE_TOO_BIG_CLOSE): joining again works
                    return "보낸 메시지가 너무 커서 연결이 끊겼어요. 다시 들어갈게요.";
                case 4429: // the socket closed at once: too many connections from the player's address (TOO_MANY_CONNECTIONS_CLOSE)
                    return "같은 인터넷 주소에서 접속한 사람이 너무 많아요. 잠시 뒤에 다시 들어갈게요.";
                case 0:
                    return "서버에 연결할 수 없어요. 잠시 뒤에 다시 시도할게요.";
                default:
                    return "들어갈 수 없어요 (" + code + "). 잠시 뒤에 다시 시도할게요.";
            }
        }

        /// <summary>The particle after a name: by whether its last syllable ends in a consonant; both when not Hangul.</summary>
        private static string Particle(string name, string afterVowel, string afterConsonant)
        {
            var last = name[name.Length - 1];
            if (last < '\uAC00' || last > '\uD7A3') return afterVowel + "(" + afterConsonant + ")";
            return (last - 0xAC00) % 28 == 0 ? afterVowel : afterConsonant;
        }
    }
}
