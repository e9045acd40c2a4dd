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
    }
}
