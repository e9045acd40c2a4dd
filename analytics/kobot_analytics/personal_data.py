"""Masking of personal data in player text: e-mail addresses, phone numbers and long digit runs, in
the forms players type them (full-width digits, Unicode dashes, `(010)`, spaces around separators,
a Unicode domain). Everything the jobs write (reports, retraining candidates) goes through this.
"""
import re
import unicodedata
from functools import lru_cache

# Letters of any script in names and domains (`철수@회사.한국`); the top-level domain has no digits. The @ may be
# spelled out as players do to dodge filters: `chulsoo(at)example.com`, `chulsoo [at] example.com`. Tried only where
# a name begins, and its name taken whole (possessive): tried at every letter of a long word, it read the word again
# each time, 133 ms a 2,000-letter answer (a spammer's 100k long questions added minutes to a report).
EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]++(?:@|\s*[(\[]\s*at\s*[)\]]\s*)[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}", re.IGNORECASE)
_SEP = r"[ \t]*[-.]?[ \t]*"  # 010-1234, 010 - 1234, 010 1234, 0101234
_SEP_NEEDED = r"(?:[ \t]*[-.][ \t]*|[ \t]+)"  # a landline's digits run together are only LONG_DIGITS
_MOBILE = rf"(?:\+?82{_SEP})?(?:\(\s*0?1[016789]\s*\)|0?1[016789]){_SEP}\d{{3,4}}{_SEP}"
_LANDLINE = rf"(?:\(\s*0\d{{1,2}}\s*\){_SEP}|0\d{{1,2}}{_SEP_NEEDED})\d{{3,4}}{_SEP_NEEDED}"
PHONE = re.compile(rf"(?:{_MOBILE}|{_LANDLINE})\d{{4}}")
LONG_DIGITS = re.compile(r"\d{6,}")
MASKS = [(EMAIL, "[이메일]"), (PHONE, "[전화번호]"), (LONG_DIGITS, "[숫자]")]


def mask_personal_data(text: str) -> str:
    for pattern, mask in MASKS:
        text = _masked(pattern, mask, text)
    return text


def _masked(pattern: re.Pattern, mask: str, text: str) -> str:
    """Matches on the folded text, replaced in the player's own: the rest keeps its characters."""
    pieces, end = [], 0
    for match in pattern.finditer(_folded(text)):
        pieces += [text[end:match.start()], mask]
        end = match.end()
    return "".join(pieces) + text[end:]


def _folded(text: str) -> str:
    """`text` with full-width and other compatibility forms as their plain character and any dash as
    `-`; one character for one, so a match's span is the same in `text`."""
    return "".join(_fold(c) for c in text)


@lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    if unicodedata.category(char) == "Pd" or char == "\u2212":  # en dash, em dash, minus sign…
        return "-"
    # Not NFKC on the whole text: it would also turn ㅋㅋ into conjoining jamo.
    plain = unicodedata.normalize("NFKC", char)
    return plain if len(plain) == 1 else char
