"""Chatbot_data loading and its deterministic train / validation / test split."""
from __future__ import annotations

import csv
import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

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
    digest = hashlib.md5(" ".join(question.split()).encode("utf-8")).digest()
    bucket = int.from_bytes(digest[:2], "big") % 100
    if bucket < 80:
        return "train"
    return "validation" if bucket < 90 else "test"


REVIEWED = {"yes", "y", "true", "1"}
# The analytics job writes a player's cell that a spreadsheet would run as a formula (`=…`, `+…`, `-…`,
# `@…`, tab, CR, or quotes before one of those) with a `'` in front (analytics/kobot_analytics/candidates.py).
SPREADSHEET_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def load_pairs(csv_path: Path) -> list[Pair]:
    """Q,A,label rows. A file with a `reviewed` column (player questions exported by the analytics
    job) gives only the rows a person marked reviewed: nothing trains on unreviewed player text, and
    its cells lose the `'` the job put in front of formula-like text, so training sees the player's."""
    with open(csv_path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"Q", "A"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{csv_path}: missing columns {sorted(missing)}")
        needs_review = "reviewed" in (reader.fieldnames or [])
        text_of = _unquoted if needs_review else str  # Chatbot_data's own cells carry no such quote
        pairs = []
        for row in reader:
            if needs_review and (row["reviewed"] or "").strip().lower() not in REVIEWED:
                continue
            question, answer = text_of(row["Q"]).strip(), text_of(row["A"]).strip()
            if question and answer:
                pairs.append(Pair(question, answer, int(row.get("label") or 0)))
    return pairs


def _unquoted(cell: str) -> str:
    return cell[1:] if SPREADSHEET_QUOTED.match(cell) else cell


def split_pairs(pairs: list[Pair]) -> dict[str, list[Pair]]:
    splits: dict[str, list[Pair]] = {name: [] for name in SPLITS}
    for pair in pairs:
        splits[split_of(pair.question)].append(pair)
    return splits


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
