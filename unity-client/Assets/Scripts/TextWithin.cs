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
        /// <paramref name="text"/> as the server cleans a line before it counts it (common/clean-text.ts): characters that
        /// show nothing dropped (zero-width spaces, bidirectional controls, soft hyphens; not the joiners, variation
        /// selectors, the tags of a whole flag or the Hangul fillers), composed, control characters and blank letters made spaces,
        /// joiners beside a space or an edge dropped, combining marks past three on a letter cut, runs of spaces made one,
        /// trimmed; nothing when nothing shows. Counted as typed, a line with double spaces or a pasted zero-width space
        /// was refused here though the server takes it (the browser client counts its cleanText).
        /// </summary>
        public static string Cleaned(string text)
        {
            var kept = new System.Text.StringBuilder(text.Length);
            for (var i = 0; i < text.Length; i++)
            {
                var pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
                if (!pair && char.IsSurrogate(text[i])) continue; // half a character
                var code = pair ? char.ConvertToUtf32(text[i], text[i + 1]) : text[i];
                // Tags wait for FlagTagsOnly, after the rest that shows nothing has gone (as the server's order).
                if (Tag(code) || !Invisible(code)) kept.Append(pair ? text.Substring(i, 2) : text[i].ToString());
                if (pair) i++;
            }
            var composed = FlagTagsOnly(kept.ToString());
            try
            {
                composed = composed.Normalize(System.Text.NormalizationForm.FormC);
            }
            catch (System.Exception)
            {
                // A player without the normalization tables: counted uncomposed, the server counts no more than that.
            }
            composed = WithoutLooseJoiners(composed);
            var cleaned = new System.Text.StringBuilder(composed.Length);
            var marks = 0;
            var space = false;
            var shows = false;
            for (var i = 0; i < composed.Length; i++)
            {
                var c = composed[i];
                var pair = char.IsHighSurrogate(c) && i + 1 < composed.Length && char.IsLowSurrogate(composed[i + 1]);
                var category = char.GetUnicodeCategory(composed, i);
                var mark = category == System.Globalization.UnicodeCategory.NonSpacingMark || category == System.Globalization.UnicodeCategory.SpacingCombiningMark || category == System.Globalization.UnicodeCategory.EnclosingMark;
                if (Blank(c))
                {
                    space = cleaned.Length > 0;
                    marks = 0;
                    continue;
                }
                // A mark or joiner after a space or at the start belongs to no letter (the server's LOOSE_JOINERS), and a
                // mark stacked past three is cut; either skips both halves of a pair (a variation selector past U+FFFF).
                var loose = (mark || c == '\u200C' || c == '\u200D') && (space || cleaned.Length == 0);
                marks = mark ? marks + 1 : 0;
                if (loose || marks > 3)
                {
                    if (pair) i++;
                    continue;
                }
                if (space) cleaned.Append(' ');
                space = false;
                cleaned.Append(pair ? composed.Substring(i, 2) : c.ToString());
                var code = pair ? char.ConvertToUtf32(c, composed[i + 1]) : c;
                shows |= !mark && !Invisible(code) && code != 0x200C && code != 0x200D && !(code >= 0xFE00 && code <= 0xFE0F) && !(code >= 0xE0000 && code <= 0xE0FFF);
                if (pair) i++;
            }
            return shows ? cleaned.ToString() : "";
        }

        private static bool Tag(int code)
        {
            return code >= 0xE0000 && code <= 0xE007F;
        }

        /// <summary>
        /// <paramref name="text"/> (no half pairs) with the tag characters of whole flags only, as the server's TAGS keeps
        /// them: 🏴, then one or more of U+E0020–U+E007E, then U+E007F (England's 🏴 g b e n g ⌃). Every other tag shows
        /// nothing and goes: a run not ended by U+E007F, or with U+E0000–U+E001F in it, was kept here and counted.
        /// </summary>
        private static string FlagTagsOnly(string text)
        {
            var kept = new System.Text.StringBuilder(text.Length);
            for (var i = 0; i < text.Length; )
            {
                var end = FlagEnd(text, i);
                if (end > i)
                {
                    kept.Append(text, i, end - i);
                    i = end;
                    continue;
                }
                var width = char.IsHighSurrogate(text[i]) ? 2 : 1;
                if (!Tag(char.ConvertToUtf32(text, i))) kept.Append(text, i, width);
                i += width;
            }
            return kept.ToString();
        }

        /// <summary>Where the whole flag starting at <paramref name="start"/> ends; -1 when none starts there.</summary>
        private static int FlagEnd(string text, int start)
        {
            if (!char.IsHighSurrogate(text[start]) || char.ConvertToUtf32(text, start) != 0x1F3F4) return -1;
            var letters = 0;
            for (var i = start + 2; i + 1 < text.Length && char.IsHighSurrogate(text[i]); i += 2, letters++)
            {
                var code = char.ConvertToUtf32(text, i);
                if (code == 0xE007F) return letters > 0 ? i + 2 : -1;
                if (code < 0xE0020 || code > 0xE007E) return -1;
            }
            return -1;
        }

        /// <summary>A character Cleaned makes a space: a control character, whitespace, a Hangul filler or blank braille.</summary>
        private static bool Blank(char c)
        {
            return char.IsControl(c) || char.IsWhiteSpace(c) || c == '\u115F' || c == '\u1160' || c == '\u3164' || c == '\uFFA0' || c == '\u2800';
        }

        /// <summary>
        /// <paramref name="text"/> without the joiners (U+200C, U+200D) that have a blank or the text's edge beside them, a
        /// run of them whole, as the server drops them: there they join nothing, and between spaces they kept the spaces
        /// apart (" \u200d" × 71 showed 71 spaces, and "[공지] …" after them wrapped on to a line of its own).
        /// </summary>
        private static string WithoutLooseJoiners(string text)
        {
            var kept = new System.Text.StringBuilder(text.Length);
            for (var i = 0; i < text.Length;)
            {
                if (text[i] != '\u200C' && text[i] != '\u200D')
                {
                    kept.Append(text[i++]);
                    continue;
                }
                var end = i;
                while (end < text.Length && (text[end] == '\u200C' || text[end] == '\u200D')) end++;
                if (i > 0 && !Blank(text[i - 1]) && end < text.Length && !Blank(text[end])) kept.Append(text, i, end - i);
                i = end;
            }
            return kept.ToString();
        }

        /// <summary>
        /// Default-ignorable code points the server drops (and U+FFF9–FFFB, U+1D159), less those it keeps for the
        /// sequences they belong in: the joiners, variation selectors, tags (a flag's) and the Hangul fillers.
        /// </summary>
        private static bool Invisible(int code)
        {
            if (code == 0x200C || code == 0x200D || (code >= 0xFE00 && code <= 0xFE0F) || (code >= 0xE0100 && code <= 0xE01EF)) return false;
            return code == 0x00AD || code == 0x034F || code == 0x061C || (code >= 0x17B4 && code <= 0x17B5)
                || (code >= 0x180B && code <= 0x180F) || (code >= 0x200B && code <= 0x200F) || (code >= 0x202A && code <= 0x202E)
                || (code >= 0x2060 && code <= 0x206F) || code == 0xFEFF || (code >= 0xFFF0 && code <= 0xFFFB)
                || (code >= 0x1BCA0 && code <= 0x1BCA3) || (code >= 0x1D173 && code <= 0x1D17A) || code == 0x1D159
                || (code >= 0xE0080 && code <= 0xE0FFF);
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
