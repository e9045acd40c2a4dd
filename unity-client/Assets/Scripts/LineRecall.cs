using System.Collections.Generic;

namespace Kobot
{
    /// <summary>A line as the player said it: its words, and to whom (an NPC's id; "" for everyone; null: not known).</summary>
    public class RecalledLine
    {
        public readonly string Text;
        /// <summary>Null where the server did not say (a rate_limited line): calling it back leaves the choice as it is.</summary>
        public readonly string To;

        public RecalledLine(string text, string to)
        {
            Text = text;
            To = to;
        }
    }

    /// <summary>
    /// The player's recent lines, called back into the chat box with ↑ and ↓ as in a game's console, each with whom it
    /// was said to: each line sent, and each refused line given back while the box held another (it was lost: the box
    /// keeps what is being typed). Walking away from the line being typed keeps it, and ↓ past the newest brings it
    /// back. Plain C#, without Unity, so that a test can run it; as the browser client's web-client/src/line-recall.ts.
    /// </summary>
    public class LineRecall
    {
        /// <summary>Lines kept to call back: a game chat's recent talk, not a log.</summary>
        public const int Kept = 30;

        private readonly List<RecalledLine> lines = new List<RecalledLine>();
        /// <summary>Where ↑ and ↓ stand: <c>lines.Count</c> is the line being typed.</summary>
        private int at;
        private RecalledLine draft = new RecalledLine("", null);

        /// <summary>A line to call back later; the walk starts again from the line being typed.</summary>
        public void Add(RecalledLine line)
        {
            var newest = lines.Count > 0 ? lines[lines.Count - 1] : null;
            // The same line again to the same one is one line to call back (a line said twice took two ↑ to pass).
            if (!string.IsNullOrEmpty(line.Text) && !(newest != null && newest.Text == line.Text && newest.To == line.To)) lines.Add(line);
            if (lines.Count > Kept) lines.RemoveAt(0);
            at = lines.Count;
        }

        /// <summary>
        /// The line before the one in the box (<paramref name="current"/>: the box now, kept when it is the line being
        /// typed, for ↓ to give back), or null at the oldest.
        /// </summary>
        public RecalledLine Older(RecalledLine current)
        {
            if (at == 0) return null;
            if (at == lines.Count) draft = current;
            return lines[--at];
        }

        /// <summary>The line after the one in the box: the newest leads back to the line being typed; null when it is in the box already.</summary>
        public RecalledLine Newer()
        {
            if (at >= lines.Count) return null;
            at++;
            return at == lines.Count ? draft : lines[at];
        }
    }
}
