"""The pairs of Hangul syllables that Korean text mostly writes with a space between them, for lines players type
without spaces ("잠이안와서큰일이야"): the engine puts a space inside each such pair (npc/engine/spacing.ts) before the model
and retrieval read the line, whose tokens and grams were all learnt from spaced text.

    python -m kobot_train.spacing [--data ChatbotData.csv] [--reviews reviews.txt.gz] [--out ../model]

Counted over the training split's questions and answers and the review lines: for each two syllables side by side once
the spaces are taken out, how often a space stood between them. A pair seen at least `--min-count` times, spaced at
least half of them, is written: one pair a line, in spaced-pairs.txt in the model folder.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from .data import load_pairs, read_text_lines, split_pairs
from .paths import CHATBOT_CSV, MODEL_DIR, NSMC_TXT

SPACED_PAIRS = "spaced-pairs.txt"
HANGUL = re.compile(r"[가-힣]")


def spaced_pairs(lines: Iterable[str], min_count: int = 5) -> list[str]:
    """Two-syllable strings that the lines mostly write with a space between their syllables, sorted."""
    joined: Counter[str] = Counter()
    spaced: Counter[str] = Counter()
    for line in lines:
        words = line.split()
        for word, following in zip(words, words[1:] + [""]):
            for a, b in zip(word, word[1:]):
                joined[a + b] += 1
            if following:
                spaced[word[-1] + following[0]] += 1
    return sorted(pair for pair, n in spaced.items()
                  if HANGUL.match(pair[0]) and HANGUL.match(pair[1]) and n + joined[pair] >= min_count and n >= joined[pair])


def corpus(data: Path, reviews: Path) -> Iterable[str]:
    """The training split's questions and answers (never validation or test), then the review lines (gzip or not)."""
    for pair in split_pairs(load_pairs(data))["train"]:
        yield pair.question
        yield pair.answer
    yield from read_text_lines(reviews)


def write_spaced_pairs(out: Path, data: Path = CHATBOT_CSV, reviews: Path = NSMC_TXT, min_count: int = 5) -> Path:
    path = out / SPACED_PAIRS
    path.write_text("\n".join(spaced_pairs(corpus(data, reviews), min_count)) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=CHATBOT_CSV)
    parser.add_argument("--reviews", type=Path, default=NSMC_TXT)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--min-count", type=int, default=5)
    args = parser.parse_args()
    path = write_spaced_pairs(args.out, args.data, args.reviews, args.min_count)
    print(f"{path}: {sum(1 for _ in path.open(encoding='utf-8'))} pairs, {path.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
