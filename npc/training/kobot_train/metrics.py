"""Text metrics for generated answers (pure functions, unit tested)."""
from __future__ import annotations

from sacrebleu.metrics import CHRF


def normalise(text: str) -> str:
    return " ".join(text.split())


def chrf(hypotheses: list[str], references: list[str]) -> float:
    """Corpus chrF (character 6-grams, beta 2), as sacrebleu computes it."""
    return CHRF().corpus_score(hypotheses, [references]).score


def verbatim_copy_rate(hypotheses: list[str], training_answers: set[str]) -> float:
    """Share of answers that are word for word an answer of the training split."""
    known = {normalise(a) for a in training_answers}
    return sum(normalise(h) in known for h in hypotheses) / max(1, len(hypotheses))


def shown_copy_rate(hypotheses: list[str], shown: list[list[str]]) -> float:
    """Share of answers that are word for word one of the answers shown to the model before the question."""
    copies = sum(normalise(h) in {normalise(a) for a in answers} for h, answers in zip(hypotheses, shown))
    return copies / max(1, len(hypotheses))


def has_repetition(text: str, n: int = 4) -> bool:
    """True when some character n-gram (spaces removed) occurs twice: "정말 좋아요 정말 좋아요", "하하하하하하". A unit
    shorter than n said twice is not ("좋아요 좋아요", "네 네": 6 and 2 characters hold no n-gram twice), as EVAL.md
    says ("a character 4-gram occurs twice"); kept so, its rates stay comparable across runs."""
    chars = text.replace(" ", "")
    grams = [chars[i:i + n] for i in range(len(chars) - n + 1)]
    return len(grams) != len(set(grams))


def repetition_rate(hypotheses: list[str]) -> float:
    return sum(has_repetition(h) for h in hypotheses) / max(1, len(hypotheses))


def distinct_n(hypotheses: list[str], n: int) -> float:
    """Distinct word n-grams over all n-grams of all answers (diversity across answers)."""
    grams = [tuple(words[i:i + n]) for h in hypotheses for words in [h.split()] for i in range(len(words) - n + 1)]
    return len(set(grams)) / max(1, len(grams))


def mean_length(hypotheses: list[str]) -> float:
    return sum(len(h) for h in hypotheses) / max(1, len(hypotheses))


def hangul_share(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    return sum("\uac00" <= c <= "\ud7a3" for c in letters) / max(1, len(letters))
