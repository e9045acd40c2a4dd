"""Shared test vectors: what the Python side computes, which the TypeScript engine must reproduce.

test/fixtures/tokenizer-vectors.json: token ids of the shipped tokenizer (test/npc.tokenizer.test.ts).
test/fixtures/retrieval-vectors.json: knowledge-index hits and scores (test/npc.knowledge-index.test.ts).
"""
from __future__ import annotations

import json
from pathlib import Path

from .data import load_pairs, split_pairs
from .paths import CHATBOT_CSV, MODEL_DIR, REPO_ROOT
from .retrieval import GRAMS, KnowledgeIndex
from .tokenizer import load_tokenizer

FIXTURES = REPO_ROOT / "test" / "fixtures"
TOKENIZER_TEXTS = [
    "배고파", "<usr>오늘 날씨 어때?<sys>", "<usr>심심해<sys>게임 한 판 어때요?</s>", "ㅋㅋㅋㅋ 진짜 웃기다",
    "뷁 똠방각하 햏", "Hello, 월드! 123", "이모지도 돼요 🎮🔥", "줄\n바꿈\t탭", "  앞뒤 공백  ", "<pad><unk>",
    "가나다라마바사아자차카타파하", "1박 2일 여행 가고 싶다", "ㄱㄴㄷ ㅏㅑㅓ", "漢字 섞인 문장", "",
]
RETRIEVAL_QUERIES = [
    "배고픈데 뭐 먹지", "오늘 진짜 덥네", "이 검 어때?", "친구랑 크게 다퉜어", "시험 망쳤어", "Hello 게임!",
    "ㅋㅋ", "?!", "가", "비 와서 우울해", "주말에 뭐 하지?", "사랑해", "헤어졌어", "운동 하기 싫어",
]


def tokenizer_vectors(model_dir: Path) -> list[dict]:
    tokenizer = load_tokenizer(model_dir)
    return [{"text": t, "ids": tokenizer.encode(t, add_special_tokens=False)} for t in TOKENIZER_TEXTS]


def retrieval_vectors(data: Path, pairs_count: int = 600) -> dict:
    """Hits of each query by every method of GRAMS: models trained with either are served."""
    pairs = [(p.question, p.answer) for p in split_pairs(load_pairs(data))["train"][:pairs_count]]
    methods = {}
    for method, cut in GRAMS.items():
        index = KnowledgeIndex(pairs, cut)
        methods[method] = [{"query": q, "hits": [{"index": h.index, "score": h.score} for h in index.search(q, 3)]}
                           for q in RETRIEVAL_QUERIES]
    return {"pairs": [{"q": q, "a": a} for q, a in pairs], "k": 3, "methods": methods}


def write_vectors(model_dir: Path = MODEL_DIR, data: Path = CHATBOT_CSV) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    (FIXTURES / "tokenizer-vectors.json").write_text(
        json.dumps(tokenizer_vectors(model_dir), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (FIXTURES / "retrieval-vectors.json").write_text(
        json.dumps(retrieval_vectors(data), ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_vectors()
