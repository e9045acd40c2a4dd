"""Question/answer retrieval for short Korean text: TF-IDF over character bigrams, cosine similarity.

Character bigrams need no morphological analyser and match across Korean endings and particles
("날씨가 좋다" and "날씨 좋네" share 날씨); the TypeScript engine implements the same scoring
(npc/knowledge-index.ts) and both are held to shared vectors.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path


def grams(text: str) -> list[str]:
    """Character bigrams of the letters and digits, spaces and punctuation dropped."""
    chars = "".join(c for c in text.lower() if c.isalnum())
    if len(chars) < 2:
        return [chars] if chars else []
    return [chars[i:i + 2] for i in range(len(chars) - 1)]


@dataclass(frozen=True)
class Hit:
    index: int
    score: float


class KnowledgeIndex:
    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs
        counts = [Counter(grams(q)) for q, _ in pairs]
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
        count = Counter(grams(query))
        weights = {g: tf * self.idf[g] for g, tf in count.items() if g in self.idf}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        if not norm:
            return []
        scores: dict[int, float] = defaultdict(float)
        for g, w in weights.items():
            for doc, dw in self.postings[g]:
                scores[doc] += w / norm * dw
        skip = grams(exclude_question) if exclude_question is not None else None
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        hits = []
        for doc, score in ranked:
            if score < min_score or len(hits) == k:
                break
            if skip is not None and grams(self.pairs[doc][0]) == skip:
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
