namespace Kobot
{
    /// <summary>Text cut to a limit of the server's; the browser client's web-client/src/text-within.ts cuts the same.</summary>
    public static class TextWithin
    {
        /// <summary>
        /// <paramref name="text"/> cut to <paramref name="max"/> UTF-16 units at a character's edge (an emoji is not
        /// split), with "…" where it was cut.
        /// </summary>
        public static string Cut(string text, int max)
        {
            if (text.Length <= max) return text;
            var end = System.Math.Max(0, max - 1);
            // Cut before a surrogate pair the limit falls inside: half an emoji is no character at all.
            if (end > 0 && char.IsHighSurrogate(text[end - 1]) && char.IsLowSurrogate(text[end])) end--;
            return text.Substring(0, end) + "…";
        }

        /// <summary>
        /// Characters as the server counts them, composed first (NFC: macOS and iOS may send 한 as its three jamo, and
        /// 150 of them, which the server takes, were refused here as 450): an emoji (two UTF-16 units) is one.
        /// </summary>
        public static int Characters(string text)
        {
            try
            {
                text = text.Normalize(System.Text.NormalizationForm.FormC);
            }
            catch (System.Exception)
            {
                // A player without the normalization tables: counted as typed, the server counts no more than that.
            }
            var count = 0;
            for (var i = 0; i < text.Length; i++) if (!char.IsLowSurrogate(text[i]) || i == 0 || !char.IsHighSurrogate(text[i - 1])) count++;
            return count;
        }

        /// <summary>
        /// <paramref name="text"/> without half characters (a surrogate without its pair, as a paste cut short leaves):
        /// the SDK's strict UTF-8 cannot write one, and the send failed unseen.
        /// </summary>
        public static string WholeCharacters(string text)
        {
            var whole = new System.Text.StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) whole.Append(c).Append(text[++i]);
                else if (!char.IsSurrogate(c)) whole.Append(c);
            }
            return whole.ToString();
        }
    }
}
