"""The shared vectors agree with what Python computes now (the TypeScript tests check their side)."""
import json

import pytest

from kobot_train.paths import CHATBOT_CSV, MODEL_DIR
from kobot_train.vectors import FIXTURES, retrieval_vectors, tokenizer_vectors


def test_tokenizer_vectors_match_the_shipped_tokenizer():
    stored = json.loads((FIXTURES / "tokenizer-vectors.json").read_text(encoding="utf-8"))
    assert stored == tokenizer_vectors(MODEL_DIR)


@pytest.mark.skipif(not CHATBOT_CSV.exists(), reason="Chatbot_data not beside the project")
def test_retrieval_vectors_match_the_python_index():
    stored = json.loads((FIXTURES / "retrieval-vectors.json").read_text(encoding="utf-8"))
    fresh = retrieval_vectors(CHATBOT_CSV)
    assert stored["pairs"] == fresh["pairs"]
    assert stored["methods"].keys() == fresh["methods"].keys()
    for method, queries in fresh["methods"].items():
        for want, got in zip(stored["methods"][method], queries, strict=True):
            assert [h["index"] for h in want["hits"]] == [h["index"] for h in got["hits"]], (method, want["query"])
            assert [h["score"] for h in want["hits"]] == pytest.approx([h["score"] for h in got["hits"]], abs=1e-12)
