using System.Collections.Generic;

namespace Kobot
{
    /// <summary>
    /// The words under the chat (errors, what became of a line, why the player is out of the room), as the browser's
    /// notices: the newest first, the two before it under it. Plain C#, without Unity, so that a test can run it.
    ///
    /// Each shows for its own seconds: one Text showed only the last, and npc_timeout for one question and npc_busy for
    /// the next came within a frame. Words about being out of the room (put out, banned, a join refused) stay until the
    /// player is in a room again, and their seconds count from then: they went in 5 s, leaving "연결 끊김" and no why.
    /// </summary>
    public class ChatNotices
    {
        /// <summary>As the browser's EARLIER_NOTICES_KEPT: under the newest, the two before it.</summary>
        public const int EarlierKept = 2;

        private class Notice
        {
            public string Text;
            /// <summary>When it goes; +∞ while it waits for the player to be in a room.</summary>
            public float Until;
        }

        /// <summary>Newest first.</summary>
        private readonly List<Notice> shown = new List<Notice>();
        private bool inRoom;

        /// <summary>
        /// Shows <paramref name="text"/> at <paramref name="now"/> over those before it, for <paramref name="seconds"/>
        /// (ChatUI.errorSeconds). <paramref name="untilInRoom"/>: words about being out of the room, kept until
        /// <see cref="InRoom"/> (shown in a room, they go as any other).
        /// </summary>
        public void Show(string text, float now, float seconds, bool untilInRoom = false)
        {
            var until = untilInRoom && !inRoom ? float.PositiveInfinity : now + seconds;
            // The same words again (Enter again on a line too far, each retry of a join) are not listed twice: their
            // seconds start again.
            if (shown.Count > 0 && shown[0].Text == text)
            {
                shown[0].Until = until;
                return;
            }
            // Pushed down, it stays its seconds more, as the browser's: one kept for the room too (the status says why meanwhile).
            if (shown.Count > 0) shown[0].Until = now + seconds;
            shown.Insert(0, new Notice { Text = text, Until = until });
            if (shown.Count > EarlierKept + 1) shown.RemoveRange(EarlierKept + 1, shown.Count - EarlierKept - 1);
        }

        /// <summary>
        /// The player is in a room (true) or out of one: in one again, the words kept for it get their seconds from
        /// <paramref name="now"/>.
        /// </summary>
        public void InRoom(bool isInRoom, float now, float seconds)
        {
            inRoom = isInRoom;
            if (!isInRoom) return;
            foreach (var notice in shown)
            {
                if (float.IsPositiveInfinity(notice.Until)) notice.Until = now + seconds;
            }
        }

        /// <summary>Lets go of the notices whose time is over at <paramref name="now"/>: true when any went (show <see cref="Text"/> again).</summary>
        public bool Expire(float now)
        {
            return shown.RemoveAll(notice => now > notice.Until) > 0;
        }

        /// <summary>The notices showing, newest first, a line each; "" when none.</summary>
        public string Text()
        {
            var lines = new List<string>();
            foreach (var notice in shown) lines.Add(notice.Text);
            return string.Join("\n", lines.ToArray());
        }
    }
}
