"""From players back to the model: the questions players asked the NPC that the training data does
not hold, as `retrain-candidates.csv` in Chatbot_data's columns (Q, A, label) plus `reviewed`. Questions
the NPC was unsure of (it said an unsure line) come with the answer the model withheld: those most need a
person's answer.

A person reviews the file (fixes the answer, sets `reviewed` to yes); `npm run train -- --extra-data
retrain-candidates.csv` then trains on the reviewed rows only. Personal data never leaves the job:
e-mail addresses, phone numbers and long digit runs are masked before anything is written.
"""
import csv
import re
from pathlib import Path

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(\+?82[- ]?)?0?1[016789][- .]?\d{3,4}[- .]?\d{4}|0\d{1,2}[- .]\d{3,4}[- .]\d{4}")
LONG_DIGITS = re.compile(r"\d{6,}")


def mask_personal_data(text: str) -> str:
    return LONG_DIGITS.sub("[숫자]", PHONE.sub("[전화번호]", EMAIL.sub("[이메일]", text)))


def normalised(text: str) -> str:
    """The form questions are compared in: lower case, no spaces, no punctuation."""
    return re.sub(r"[\s\W_]+", "", text.lower())


def known_questions(path: Path) -> set[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {normalised(row["Q"]) for row in csv.DictReader(handle)}


def candidates(outcomes: list[dict], training_csv: Path) -> list[tuple[str, str]]:
    """(Q, A) for answered questions (figures' `outcomes`: no other fallbacks) and unsure ones (A: the withheld
    answer), masked, not in the training data, once each (the answer given first), sorted by question."""
    known = known_questions(training_csv)
    first: dict[str, tuple[int, str, str]] = {}
    for row in outcomes:
        if row["why"] not in (None, "short_answer", "unsure"):
            continue  # a timeout or a refusal is not an answer to learn
        question = mask_personal_data(row["question"] or "")
        key = normalised(question)
        if not key or key in known:
            continue
        said = row["first"]["withheld"] if row["why"] == "unsure" else row["first"]["answer"]
        ts, answer = row["first"]["ts"], mask_personal_data((said or "").strip())
        if key not in first or ts < first[key][0]:
            first[key] = (ts, question, answer)
    return sorted((q, a) for _, q, a in first.values())


def write_candidates(rows: list[tuple[str, str]], path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Q", "A", "label", "reviewed"])
        writer.writerows([(q, a, 0, "no") for q, a in rows])
    return len(rows)
