"""Masking of personal data in player text: e-mail addresses, links, messenger handles, phone numbers and long digit
runs, in
the forms players type them (full-width digits, Unicode dashes, `(010)`, spaces around separators,
a Unicode domain). Everything the jobs write (reports, retraining candidates) goes through this.
"""
import re
import unicodedata
from functools import lru_cache

# Letters of any script in names and domains (`철수@회사.한국`); the top-level domain has no digits. The @ may be
# spelled out as players do to dodge filters: `chulsoo(at)example.com`, `chulsoo 골뱅이 naver.com`, and the dot too
# (`chulsoo at naver dot com`, `naver 닷 com`). Tried only where
# a name begins, and its name taken whole (possessive): tried at every letter of a long word, it read the word again
# each time, 133 ms a 2,000-letter answer (a spammer's 100k long questions added minutes to a report).
_AT = r"(?:\s*@\s*|\s*[(\[]\s*at\s*[)\]]\s*|\s*골뱅이\s*|\s+at\s+)"  # @, (at), [at], 골뱅이, " at "
_DOT = r"(?:\s*\.\s*|\s*[(\[]\s*dot\s*[)\]]\s*|\s*닷\s*|\s+dot\s+)"  # ., (dot), 닷, " dot "
EMAIL = re.compile(rf"(?<![\w.%+-])[\w.%+-]++{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}[^\W\d_]{{2,}}", re.IGNORECASE)
# A link: with a scheme or www, or a bare domain with a path (`scam.example/gold`) or a short-link/common TLD
# (`bit.ly`, `open.kr`); the TLD is Latin letters, so `1.2.3` and `ㅋㅋ.ㅋㅋ` stay.
_SHORT_TLD = r"(?:ly|gl|gg|me|io|kr|com|net|org|xyz|co|to|link|site|shop|click|cc)"
URL = re.compile(rf"(?:https?://|www\.)\S+|(?<![\w.@-])(?:[\w-]+\.)+(?:[a-z]{{2,}}/\S*|{_SHORT_TLD}(?![\w.]))", re.IGNORECASE)
# Separators players put between digit groups: dashes (and ㅡ, folded to -), dots, ~ _ / and commas.
_SEP_CHARS = r"-.~_/,"
_SEP = rf"[ \t]*[{_SEP_CHARS}]?[ \t]*"  # 010-1234, 010 - 1234, 010ㅡ1234, 010 1234, 0101234
_SEP_NEEDED = rf"(?:[ \t]*[{_SEP_CHARS}][ \t]*|[ \t]+)"  # a landline's digits run together are only LONG_DIGITS
_MOBILE = rf"(?:\+?82{_SEP})?(?:\(\s*0?1[016789]\s*\)|0?1[016789]){_SEP}\d{{3,4}}{_SEP}"
_LANDLINE = rf"(?:\(\s*0\d{{1,2}}\s*\){_SEP}|0\d{{1,2}}{_SEP_NEEDED})\d{{3,4}}{_SEP_NEEDED}"
PHONE = re.compile(rf"(?:{_MOBILE}|{_LANDLINE})\d{{4}}")
# Six digits in a row, or ten and more with gaps of up to two separators ("0 1 0 1 2 3 4 5 6 7 8"); begun where no
# digit group ends just before. Not a date (`2026-12-01 10:30` has ten digits) nor a price grouped by thousands.
_GAP = rf"[ \t{_SEP_CHARS}]"
_RUN_START = rf"(?<!\d)(?<!\d{_GAP})(?<!\d{_GAP}{_GAP})"
_NOT_DATE_OR_PRICE = r"(?!(?:19|20)\d\d([-./])\d\d?\1\d\d?(?!\d))(?!\d{1,3}(?:,\d{3})+(?![\d,]))"
LONG_DIGITS = re.compile(rf"\d{{6,}}|{_RUN_START}{_NOT_DATE_OR_PRICE}\d(?:{_GAP}{{0,2}}\d){{9,}}")
# A messenger handle: 카톡 아이디: scam77, 텔레 @scam, 디코 id scam#1234. Not inside a word (온라인 rpg).
HANDLE = re.compile(r"(?<![가-힣])(?:카카오톡|카카오|카톡|텔레그램|텔레|라인|디스코드|디코)\s*(?:아이디|id)?\s*[:：]?\s*@?"
                    r"[A-Za-z0-9][A-Za-z0-9_.#-]{2,}", re.IGNORECASE)
MASKS = [(EMAIL, "[이메일]"), (URL, "[링크]"), (HANDLE, "[메신저 아이디]"), (PHONE, "[전화번호]"), (LONG_DIGITS, "[숫자]")]


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
    if unicodedata.category(char) == "Pd" or char in "\u2212ㅡ":  # en dash, em dash, minus sign, the vowel ㅡ typed as one…
        return "-"
    # Not NFKC on the whole text: it would also turn ㅋㅋ into conjoining jamo.
    plain = unicodedata.normalize("NFKC", char)
    return plain if len(plain) == 1 else char
