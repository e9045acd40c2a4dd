using System.Collections.Generic;
using Kobot.Schema;

namespace Kobot
{
    /// <summary>
    /// The player's chat lines sent but not yet seen to reach the room, each confirmed by the room's <c>said</c> for its
    /// <c>sendId</c> or by the error that refuses it (naming the sendId). A socket that died without a close
    /// (<see cref="SilenceWatch"/>) took the lines sent on it into nothing while the box had cleared; once back in the
    /// room, those still unconfirmed are the ones to send again, with their sendIds: the room answers one it had already
    /// as before, and says it once. A server that sends no <c>said</c> is followed by echoes (the player's own line in
    /// the room's chat) and refusals by their words: a busy room had pushed the echo out of its history by then. As the
    /// browser client's web-client/src/unconfirmed-lines.ts.
    /// </summary>
    public class UnconfirmedLines
    {
        /// <summary>Lines kept: a player types a few in the seconds a dead socket goes unnoticed, not more.</summary>
        public const int Kept = 20;

        private class SentLine
        {
            public Dictionary<string, object> Message;
            /// <summary>The words as the room shows them (cleaned as the server cleans).</summary>
            public string Said;
            /// <summary>When it was sent, in seconds of real time.</summary>
            public float At;
        }

        private readonly List<SentLine> lines = new List<SentLine>();
        /// <summary>The room confirms lines by their sendIds (a <c>said</c> came): echoes and words confirm nothing then.</summary>
        private bool byIds;

        public int Count { get { return lines.Count; } }

        /// <summary>A <c>chat</c> message (<c>text</c>, <c>sendId</c>, and <c>to</c> for an NPC) sent at <paramref name="at"/>.</summary>
        public void Sent(Dictionary<string, object> message, float at)
        {
            lines.Add(new SentLine { Message = message, Said = TextWithin.Cleaned((string)message["text"]), At = at });
            if (lines.Count > Kept) lines.RemoveAt(0);
        }

        /// <summary>
        /// A line of the room's chat, or a <c>private_line</c>, new to this client (ChatUI.Append tells: a resumed room
        /// sends its lines again, and the echo of an earlier line with the same words is not this one's);
        /// <paramref name="mine"/>: from one of the player's sessions.
        /// </summary>
        public void Heard(ChatLine line, bool mine)
        {
            if (!byIds && line.kind == "player" && mine) Confirm(line.text);
        }

        /// <summary>The room's <c>said</c>: the line of this sendId reached it (again, after a drop: nothing left to confirm).</summary>
        public void Said(SaidNotice notice)
        {
            byIds = true;
            ConfirmId(notice.sendId);
        }

        /// <summary>
        /// An error from the room: the refused line, named by its sendId (or, from a server that sends no <c>said</c>,
        /// by its words: every refusal of a line gives it back), is answered. Not "the oldest": its refusal comes at
        /// once, before the echoes of the lines sent just before it, which come with the next patch; the oldest was
        /// taken for it, and the refused one sent again after a drop.
        /// </summary>
        public void Refused(WorldError error)
        {
            if (error.sendId != null) ConfirmId(error.sendId);
            // By its words only from a server that names no sendId: a later error about a line said (npc_busy) has none.
            else if (error.text != null && !byIds) Confirm(TextWithin.Cleaned(error.text));
        }

        /// <summary>
        /// The messages sent within <paramref name="withinSeconds"/> of <paramref name="now"/> still unconfirmed, oldest
        /// first, to send again: they stay unconfirmed with the time they were first sent, older ones are dropped.
        /// Stamped anew at each sending, a line whose every sending closed the socket (a paste over the frame cap, 1009)
        /// went again at each return, for ever.
        /// </summary>
        public List<Dictionary<string, object>> UnsentWithin(float withinSeconds, float now)
        {
            lines.RemoveAll(line => now - line.At > withinSeconds);
            return lines.ConvertAll(line => line.Message);
        }

        /// <summary>None is to be sent again (the socket closed for one of them, 1009).</summary>
        public void Clear()
        {
            lines.Clear();
        }

        private void ConfirmId(string sendId)
        {
            var index = lines.FindIndex(line => line.Message.ContainsKey("sendId") && (string)line.Message["sendId"] == sendId);
            if (index >= 0) lines.RemoveAt(index);
        }

        private void Confirm(string said)
        {
            var index = lines.FindIndex(line => line.Said == said);
            if (index >= 0) lines.RemoveAt(index);
        }
    }
}
