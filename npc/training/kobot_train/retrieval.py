"""Question/answer retrieval for short Korean text: TF-IDF over characters and in-word character bigrams,
cosine similarity.

Character n-grams need no morphological analyser and match across Korean endings and particles
("날씨가 좋다" and "날씨 좋네" share 날씨). Bigrams stay inside a word: across a space they paired one word's
end with the next word's start ("면접 보러 가" found "별 보러 가고 싶다" by 러가), and single characters let a
one-syllable word count ("책 읽고 싶다" finds "책 좀 읽어야지"). Measured by kobot_train.retrieval_compare.
The TypeScript engine implements the same scoring (npc/knowledge-index.ts); both are held to shared vectors.
"""
from __future__ import annotations

import itertools
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


def grams(text: str) -> list[str]:
    """Each word's characters and character bigrams; a word is a run of letters and digits."""
    result: list[str] = []
    for is_word, run in itertools.groupby(text.lower(), key=str.isalnum):
        if is_word:
            word = "".join(run)
            result += list(word) + [word[i:i + 2] for i in range(len(word) - 1)]
    return result


def cross_word_bigrams(text: str) -> list[str]:
    """The first method: bigrams of the letters and digits with spaces dropped, so they cross words."""
    chars = "".join(c for c in text.lower() if c.isalnum())
    return [chars] if len(chars) == 1 else [chars[i:i + 2] for i in range(len(chars) - 1)]


# By the name a model's config.json gives (npc_retrieval.grams); a model exported without one was trained
# with "bigrams", and must be shown pairs found the same way.
GRAMS: dict[str, Callable[[str], list[str]]] = {"chars+word-bigrams": grams, "bigrams": cross_word_bigrams}
DEFAULT_GRAMS = "chars+word-bigrams"
# Training shows a neighbour from this similarity up (serving may use another: serving_bar.py).
DEFAULT_MIN_SCORE = 0.45


def grams_of(retrieval: dict) -> str:
    """The method of a run summary's or config's retrieval settings; "bigrams" for those written before."""
    return retrieval.get("grams", "bigrams")


@dataclass(frozen=True)
class Hit:
    index: int
    score: float


class KnowledgeIndex:
    def __init__(self, pairs: list[tuple[str, str]], cut: Callable[[str], list[str]] = grams):
        """`cut` splits text into the grams it is indexed by (one of GRAMS)."""
        self.pairs = pairs
        self.cut = cut
        counts = [Counter(cut(q)) for q, _ in pairs]
        df: Counter[str] = Counter(g for c in counts for g in c)
        n = len(pairs)
        self.idf = {g: math.log((n + 1) / (d + 1)) + 1 for g, d in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, count in enumerate(counts):
            weights = {g: tf * self.idf[g] for g, tf in count.items()}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            for g, w in weights.items():
                self.postings[g].append((doc, w / norm))

    def search(self, query: str, k: int, min_score: float = 0.0, exclude_question: str | None = None) -> list[Hit]:
        """Top k pairs by cosine similarity of their question to the query, best first (ties: lower index)."""
        count = Counter(self.cut(query))
        # A gram no question has still counts in the query's length, at the rarest weight (as the TypeScript
        # index): a small knowledge file that never saw 지각 must not find "오늘 지각했어" like "오늘 뭐 했어?".
        # Training questions are all in the index, so this changes only what serving and evaluation see.
        unseen = math.log(len(self.pairs) + 1) + 1
        weights = {g: tf * self.idf.get(g, unseen) for g, tf in count.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return []
        scores: dict[int, float] = defaultdict(float)
        for g, w in weights.items():
            for doc, dw in self.postings.get(g, ()):
                scores[doc] += w / norm * dw
        skip = self.cut(exclude_question) if exclude_question is not None else None
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        hits = []
        for doc, score in ranked:
            if score < min_score or len(hits) == k:
                break
            if skip is not None and self.cut(self.pairs[doc][0]) == skip:
                continue  # the pair itself, or the same question asked again
            hits.append(Hit(doc, score))
        return hits


def context_for(index: KnowledgeIndex, question: str, k: int, min_score: float,
                exclude_self: bool = False) -> list[tuple[str, str]]:
    """Retrieved pairs in prompt order: least similar first, the best right before the question."""
    hits = index.search(question, k, min_score, exclude_question=question if exclude_self else None)
    return [index.pairs[hit.index] for hit in reversed(hits)]


def write_jsonl(path: Path, pairs: list[tuple[str, str]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for q, a in pairs:
            handle.write(json.dumps({"q": q, "a": a}, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return [(row["q"], row["a"]) for row in map(json.loads, filter(str.strip, handle))]
