"""The analytics job's masking of personal data (analytics/kobot_analytics/personal_data.py), one set of rules for
both: a reviewed candidate's cells are masked again before training, since a reviewer may type a number back in,
or a row came from a file written before a mask existed. Loaded from its file (it needs only the standard library),
not through the kobot_analytics package, which imports PySpark; training runs from the repository (train.sh)."""
import importlib.util
import re
from pathlib import Path

_SOURCE = Path(__file__).resolve().parents[3] / "analytics" / "kobot_analytics" / "personal_data.py"
_spec = importlib.util.spec_from_file_location("kobot_analytics_personal_data", _SOURCE)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
mask_personal_data = _module.mask_personal_data

# What still reads as contact data after masking, more loosely than the masks: a scheme or www before a domain, also
# spelled apart (`h t t p s : / /`; `www. ㅋㅋ` is laughter), an @ or 골뱅이 before a Latin domain, a number from 0 in
# three groups with odd separators (`010 ** 1234 ** 5678`), ten and more digits typed one by one or in groups of 3 to 5
# (not all of five: damage dealt), a phone number in Hangul digits. Lists of short numbers (`1 2 3 … 10`, `12 34 56
# 78 90`) are game chat. Dates, clock times and prices grouped by thousands are taken out first: `2026-12-01 10:30`
# has twelve digits and is no contact data.
LINK_LEFT = re.compile(r"https?:|://|www\.[a-z0-9-]+\.[a-z]{2,}|(?:@|골뱅이)[A-Za-z0-9][\w-]*(?:\.|닷|dot)[A-Za-z]{2,}",
                       re.IGNORECASE)
NOT_CONTACT = re.compile(r"(?<!\d)(?:(?:19|20)\d\d([-./])\d\d?\1\d\d?|\d\d?:\d\d|\d{1,3}(?:,\d{3})+)(?![\d,])")
_ODD = r"[^\d가-힣]"  # separators, whatever a player typed
DIGITS_LEFT = re.compile(
    rf"(?<!\d)0\d{{1,2}}{_ODD}{{1,4}}\d{{3,4}}{_ODD}{{1,4}}\d{{4}}(?!\d)"
    rf"|(?<!\d)\d(?:{_ODD}{{1,3}}\d(?!\d)){{9,}}"
    rf"|(?<!\d)(?=\d(?:{_ODD}{{0,3}}\d){{9}})(?!\d{{5}}(?:{_ODD}{{1,3}}\d{{5}})+(?!{_ODD}{{0,3}}\d))"
    rf"\d{{3,5}}(?:{_ODD}{{1,3}}\d{{3,5}}(?!\d)){{2,}}"
    r"|[공영일이삼사오육칠팔구]{3}\s*[공영일이삼사오육칠팔구]{3,4}\s*[공영일이삼사오육칠팔구]{4}"
)


def holds_contact_data(text: str) -> bool:
    squeezed = re.sub(r"\s+", "", text)  # spelled apart
    return bool(LINK_LEFT.search(squeezed) or DIGITS_LEFT.search(NOT_CONTACT.sub(" ", text)))
