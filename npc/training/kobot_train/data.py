"""Chatbot_data loading and its deterministic train / validation / test split."""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .personal_data import holds_contact_data, mask_personal_data

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Pair:
    question: str
    answer: str
    label: int


def split_of(question: str) -> str:
    """Split by a hash of the question, so repeated questions never straddle splits.

    80 / 10 / 10 by the first byte pair of the MD5 of the normalised question.
    """
    digest = hashlib.md5(_normalised(question).encode("utf-8")).digest()
    bucket = int.from_bytes(digest[:2], "big") % 100
    if bucket < 80:
        return "train"
    return "validation" if bucket < 90 else "test"


# A reviewer's marks as typed in a spreadsheet, case and spaces aside; any other stops the run, naming it: `예`, `네`
# and `✓` were skipped without a word, the run trained on fewer pairs.
REVIEWED = {"yes", "y", "true", "1", "예", "네", "o", "✓", "✔", "☑"}
NOT_REVIEWED = {"", "no", "n", "false", "0", "아니오", "아니요", "x", "✗", "✘"}
# The analytics job writes a player's cell that a spreadsheet would run as a formula (`=…`, `+…`, `-…`,
# `@…`, tab, CR, or quotes before one of those) with a `'` in front (analytics/kobot_analytics/candidates.py).
# Also full-width ＝＋－＠ and those after a no-break or zero-width space or a byte order mark, as the job quotes them.
SPREADSHEET_QUOTED = re.compile("'+[\u00a0\u200b\ufeff]*[=+\\-@\t\r＝＋－＠]")


class DataError(ValueError):
    """Training data that cannot be read as documented: the pipeline says so in one line."""


def load_pairs(csv_path: Path) -> list[Pair]:
    """Q,A,label rows. A file with a `reviewed` column (player questions exported by the analytics
    job) gives only the rows a person marked reviewed: nothing trains on unreviewed player text, and
    its cells lose the `'` the job put in front of formula-like text, so training sees the player's."""
    try:
        data = csv_path.read_bytes()
    except OSError as error:
        raise DataError(f"{csv_path}: cannot read it ({error})") from error
    # utf-8-sig: spreadsheets save "CSV UTF-8" with a byte order mark, which would name the first column "\ufeffQ".
    # CP949: Korean Excel's own "CSV (쉼표로 분리)", as a reviewer saves the analytics job's file.
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _pairs_of(csv.DictReader(io.StringIO(text, newline="")), csv_path)
    raise DataError(f"{csv_path}: neither UTF-8 nor CP949 text: save it as \"CSV UTF-8\"")


def _pairs_of(reader: csv.DictReader, csv_path: Path) -> list[Pair]:
    missing = {"Q", "A"} - set(reader.fieldnames or [])
    if missing:
        raise DataError(f"{csv_path}: missing columns {sorted(missing)} (a header line Q,A[,label] is needed)")
    needs_review = "reviewed" in (reader.fieldnames or [])
    text_of = _unquoted if needs_review else str  # Chatbot_data's own cells carry no such quote
    pairs, refused = [], 0
    for row in reader:
        where = f"{csv_path}:{reader.line_num}"
        mark = (row["reviewed"] or "").strip().lower() if needs_review else "yes"
        if mark in NOT_REVIEWED:
            continue
        if mark not in REVIEWED:
            raise DataError(f"{where}: reviewed {row['reviewed']!r} is neither a yes ({', '.join(sorted(REVIEWED))}) "
                            f"nor a no ({', '.join(repr(v) for v in sorted(NOT_REVIEWED))})")
        # A short row leaves its last cells None (it trained the answer "None").
        if row["Q"] is None or row["A"] is None:
            raise DataError(f"{where}: a row needs a question and an answer (Q,A)")
        question, answer = text_of(row["Q"]).strip(), text_of(row["A"]).strip()
        if needs_review:
            # Players' words: masked again (a reviewer may type a number back in; a file from before a mask), and a
            # row that still reads as contact data is not trained on (the NPC would repeat it to every player).
            question, answer = mask_personal_data(question), mask_personal_data(answer)
            if holds_contact_data(question) or holds_contact_data(answer):
                refused += 1
                continue
        try:
            label = int(row.get("label") or 0)
        except ValueError:
            raise DataError(f"{where}: label {row['label']!r} is not a whole number") from None
        if needs_review and not (question and answer):
            # Marked yes with nothing to learn: skipped, the reviewer never heard their row did not train.
            raise DataError(f"{where}: marked reviewed, but its {'question' if not question else 'answer'} is empty")
        if question and answer:
            pairs.append(Pair(question, answer, label))
    if refused:
        print(f"kobot_train: {csv_path}: {refused} reviewed row(s) left out: a link, phone number or e-mail address "
              "still in them after masking", file=sys.stderr)
    if not pairs:
        raise DataError(f"{csv_path}: no question and answer rows" + (" marked reviewed" if needs_review else ""))
    return pairs


def _unquoted(cell: str) -> str:
    return cell[1:] if SPREADSHEET_QUOTED.match(cell) else cell


def split_pairs(pairs: list[Pair], extra: list[Pair] = ()) -> dict[str, list[Pair]]:
    """`pairs` split by their question's hash; `extra` (reviewed players' questions, --extra-data) all trained on but
    those whose question `pairs` holds out, once each (distinct_extra). Split by hash too, a quarter of what reviewers
    wrote never reached the model nor its knowledge file, and was not evaluated either (the test split is --data's).
    Held out as the analytics job tells questions apart (case, spaces and marks aside): "가스비너무많이나왔다" trained
    beside the test split's "가스비 너무 많이 나왔다.", and retrieval showed the test question its own near-copy. So are
    `pairs`' own: the hash reads spaces and marks, and 11 test and 7 validation questions of Chatbot_data had a twin in
    training ("이별후 한달" beside "이별후 한달.", "잊고싶다." beside "잊고싶다"; found by review)."""
    splits: dict[str, list[Pair]] = {name: [] for name in SPLITS}
    for pair in pairs:
        splits[split_of(pair.question)].append(pair)
    held_out = {asked_as(pair.question) for name in SPLITS if name != "train" for pair in splits[name]}
    splits["train"] = [pair for pair in splits["train"] if asked_as(pair.question) not in held_out]
    splits["train"] += [pair for pair in distinct_extra(extra)[0] if asked_as(pair.question) not in held_out]
    return splits


def distinct_extra(extra: list[Pair]) -> tuple[list[Pair], list[tuple[str, list[str]]]]:
    """`extra` with one pair a question (asked_as), the last given (the newest file's review), and the questions
    reviewed with different answers, each with its answers: the same player question comes back every day, and each
    day's review trained beside the others, the model taught two answers to one question."""
    kept: dict[str, Pair] = {}
    answers: dict[str, list[str]] = {}
    for pair in extra:
        key = asked_as(pair.question)
        kept[key] = pair
        if pair.answer not in answers.setdefault(key, []):
            answers[key].append(pair.answer)
    conflicts = [(kept[key].question, given) for key, given in answers.items() if len(given) > 1]
    return list(kept.values()), conflicts


def asked_as(question: str) -> str:
    """A question as the analytics job tells questions apart (analytics/kobot_analytics `normalised`): Hangul composed
    (NFC), lower case, without spaces, punctuation or symbols."""
    return re.sub(r"[\s\W_]", "", unicodedata.normalize("NFC", question).lower())


def _normalised(question: str) -> str:
    # Composed (NFC): a question in decomposed jamo (NFD) fell in a split of its own, past the held-out one it repeats.
    return " ".join(unicodedata.normalize("NFC", question).split())


def read_text_lines(path: Path, limit: int | None = None) -> Iterator[str]:
    """Plain-text pretraining corpus, one text a line, gzip or not."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for count, line in enumerate(handle):
            if limit is not None and count >= limit:
                return
            line = line.strip()
            if line:
                yield line
