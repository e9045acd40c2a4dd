"""The shared tokenizer vectors agree with the shipped model's Python tokenizer (the TS side checks its own)."""
import json

from kobot_train.paths import MODEL_DIR, REPO_ROOT
from kobot_train.pipeline import VECTOR_TEXTS
from kobot_train.tokenizer import load_tokenizer


def test_vectors_match_the_shipped_tokenizer():
    vectors = json.loads((REPO_ROOT / "test" / "fixtures" / "tokenizer-vectors.json").read_text(encoding="utf-8"))
    tokenizer = load_tokenizer(MODEL_DIR)
    assert [v["text"] for v in vectors] == VECTOR_TEXTS
    for vector in vectors:
        assert tokenizer.encode(vector["text"], add_special_tokens=False) == vector["ids"], vector["text"]
