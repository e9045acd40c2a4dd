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
# A link: with a scheme, or www and a domain (`www. ㅋㅋ` is laughter), a bare domain with a path
# (`scam.example/gold`), a common website TLD (`naver.com`) or a known short-link host (`bit.ly`). Not any short
# TLD: `ez.gg`, `gg.gg` are game chat. The TLD is Latin letters, so `1.2.3` and `ㅋㅋ.ㅋㅋ` stay.
_SITE_TLD = r"(?:com|net|org|xyz|site|shop|click|link|co\.kr)"
_SHORTENER = (r"(?:bit\.ly|cutt\.ly|rebrand\.ly|ow\.ly|t\.ly|han\.gl|goo\.gl|me2\.do|t\.co|tinyurl\.com|vo\.la|url\.kr"
              r"|buly\.kr|lrl\.kr|zrr\.kr|c11\.kr|naver\.me|is\.gd|shorturl\.at)")
URL = re.compile(rf"(?:https?://|www\.[\w-]+\.[a-z]{{2,}})\S*|(?<![\w.@-])(?:(?:[\w-]+\.)+(?:[a-z]{{2,}}/\S*|{_SITE_TLD}(?![\w.]))"
                 rf"|{_SHORTENER}(?![\w.]))", re.IGNORECASE)
# Separators players put between digit groups: dashes (and ㅡ, folded to -), dots, ~ _ / and commas.
_SEP_CHARS = r"-.~_/,"
_SEP = rf"[ \t]*[{_SEP_CHARS}]?[ \t]*"  # 010-1234, 010 - 1234, 010ㅡ1234, 010 1234, 0101234
_SEP_NEEDED = rf"(?:[ \t]*[{_SEP_CHARS}][ \t]*|[ \t]+)"  # a landline's digits run together are only LONG_DIGITS
_MOBILE = rf"(?:\+?82{_SEP})?(?:\(\s*0?1[016789]\s*\)|0?1[016789]){_SEP}\d{{3,4}}{_SEP}"
_LANDLINE = rf"(?:\(\s*0\d{{1,2}}\s*\){_SEP}|0\d{{1,2}}{_SEP_NEEDED})\d{{3,4}}{_SEP_NEEDED}"
PHONE = re.compile(rf"(?<!\d)(?:{_MOBILE}|{_LANDLINE})\d{{4}}")
# Numbers grouped like a phone or account number: six digits in a row; three or four groups of 3 to 5 digits, ten
# digits and more (`123-456-7890`, `1234 5678 9012`), but not all of five (`99999 88888 77777` is damage dealt); ten
# and more digits typed one by one (`0 1 0 1 2 3 4 5 6 7 8`); a mobile number split into short groups (`010 12 34 56
# 78`). Begun where no digit group ends just before. Lists of one- and two-digit numbers (`1 2 3 … 10`, `12 34 56 78
# 90`) stay, as do dates (`2026-12-01 10:30`) and prices grouped by thousands.
_GAP = rf"[ \t{_SEP_CHARS}]"
_RUN_START = rf"(?<!\d)(?<!\d{_GAP})(?<!\d{_GAP}{_GAP})(?<!\d{_GAP}{_GAP}{_GAP})"
_NOT_DATE_OR_PRICE = r"(?!(?:19|20)\d\d([-./])\d\d?\1\d\d?(?!\d))(?!\d{1,3}(?:,\d{3})+(?![\d,]))"
_NO_MORE = rf"(?!\d)(?!{_SEP_NEEDED}\d)"  # the last group: `200 300 400 500 600` is no number in four groups
_GROUPED = (rf"(?!\d{{3}}(?:{_SEP_NEEDED}\d{{3}}){{2}}{_NO_MORE})"  # nine digits
            rf"(?!\d{{5}}(?:{_SEP_NEEDED}\d{{5}})+{_NO_MORE})"  # all of five
            rf"\d{{3,5}}(?:{_SEP_NEEDED}\d{{3,5}}){{2,3}}{_NO_MORE}")
_ONE_BY_ONE = rf"\d(?:{_GAP}{{1,2}}\d){{9,}}(?!\d)"
_MOBILE_SPLIT = rf"0{_GAP}{{0,2}}1{_GAP}{{0,2}}[016789](?:{_GAP}{{0,2}}\d){{7,}}(?!\d)"
LONG_DIGITS = re.compile(rf"\d{{6,}}|{_RUN_START}{_NOT_DATE_OR_PRICE}(?:{_GROUPED}|{_ONE_BY_ONE}|{_MOBILE_SPLIT})")
# A messenger handle: 카톡 아이디: scam77, 텔레 @scam, 디코 id scam#1234, 카톡 scam77. Not inside a word (온라인 rpg).
# Without 아이디/id/:/@ in front, the name has a digit or four characters and more, and is no lane of a MOBA:
# `라인 top 가자` is game chat.
_MESSENGER = r"(?<![가-힣])(?:카카오톡|카카오|카톡|텔레그램|텔레|라인|디스코드|디코)"
_ID = r"[A-Za-z0-9][A-Za-z0-9_.#-]{2,}"
_LANE = r"(?:top|mid|bot|jg|jungle|sup|support|adc)(?![A-Za-z0-9_.#-])"
HANDLE = re.compile(rf"{_MESSENGER}(?:\s*(?:아이디|id)\s*[:：]?\s*@?|\s*[:：]\s*@?|\s*@){_ID}"
                    rf"|{_MESSENGER}\s*(?!{_LANE})(?=[A-Za-z0-9_.#-]*\d|[A-Za-z0-9_.#-]{{4}}){_ID}", re.IGNORECASE)
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
