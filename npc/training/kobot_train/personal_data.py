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

# What still reads as contact data after masking, more loosely than the masks: a scheme or www, also spelled apart
# (`h t t p s : / /`), an @ or 골뱅이 before a Latin domain, a number from 0 in three groups with odd separators
# (`010 ** 1234 ** 5678`), ten and more digits with short gaps, a phone number in Hangul digits. Dates, clock times
# and prices grouped by thousands are taken out first: `2026-12-01 10:30` has twelve digits and is no contact data.
LINK_LEFT = re.compile(r"https?:|://|www\.|(?:@|골뱅이)[A-Za-z0-9][\w-]*(?:\.|닷|dot)[A-Za-z]{2,}", re.IGNORECASE)
NOT_CONTACT = re.compile(r"(?<!\d)(?:(?:19|20)\d\d([-./])\d\d?\1\d\d?|\d\d?:\d\d|\d{1,3}(?:,\d{3})+)(?![\d,])")
DIGITS_LEFT = re.compile(
    r"(?<!\d)0\d{1,2}[^\d가-힣]{1,4}\d{3,4}[^\d가-힣]{1,4}\d{4}(?!\d)"
    r"|\d(?:[^\d가-힣]{0,3}\d){9,}"
    r"|[공영일이삼사오육칠팔구]{3}\s*[공영일이삼사오육칠팔구]{3,4}\s*[공영일이삼사오육칠팔구]{4}"
)


def holds_contact_data(text: str) -> bool:
    squeezed = re.sub(r"\s+", "", text)  # spelled apart
    return bool(LINK_LEFT.search(squeezed) or DIGITS_LEFT.search(NOT_CONTACT.sub(" ", text)))
