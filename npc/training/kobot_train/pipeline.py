"""End to end: train (or resume) → export to npc/model → evaluate → EVAL.md, model card, tokenizer vectors."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .evaluate import DECODINGS, evaluate
from .export import DEFAULT_GENERATION, export
from .paths import MODEL_DIR, REPO_ROOT
from .report import write_eval_md, write_model_card
from .tokenizer import load_tokenizer
from .train import add_arguments, train

VECTORS = REPO_ROOT / "test" / "fixtures" / "tokenizer-vectors.json"
VECTOR_TEXTS = [
    "배고파", "<usr>오늘 날씨 어때?<sys>", "<usr>심심해<sys>게임 한 판 어때요?</s>", "ㅋㅋㅋㅋ 진짜 웃기다",
    "뷁 똠방각하 햏", "Hello, 월드! 123", "이모지도 돼요 🎮🔥", "줄\n바꿈\t탭", "  앞뒤 공백  ", "<pad><unk>",
    "가나다라마바사아자차카타파하", "1박 2일 여행 가고 싶다", "ㄱㄴㄷ ㅏㅑㅓ", "漢字 섞인 문장", "",
]


def shipped_decoding_name(generation: dict) -> str:
    """The evaluation row that matches the settings we ship."""
    for name, decoding in DECODINGS.items():
        if all(generation.get(k) == v for k, v in decoding.items() if k != "top_k"):
            return name
    raise ValueError(f"shipped generation settings {generation} are not among the evaluated decodings")


def write_vectors(model_dir: Path) -> None:
    """Ids from the Python tokenizer; the TypeScript tokenizer must give the same (test/npc.tokenizer.test.ts)."""
    tokenizer = load_tokenizer(model_dir)
    vectors = [{"text": t, "ids": tokenizer.encode(t, add_special_tokens=False)} for t in VECTOR_TEXTS]
    VECTORS.parent.mkdir(parents=True, exist_ok=True)
    VECTORS.write_text(json.dumps(vectors, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where the shipped model is written")
    parser.add_argument("--checkpoint", type=Path, help="skip training: export and evaluate this checkpoint")
    parser.add_argument("--compare", type=Path, help="markdown table of model sizes to include in EVAL.md")
    args = parser.parse_args()

    checkpoint = args.checkpoint or train(args)
    summary = json.loads((checkpoint.parent / "summary.json").read_text())

    name = f"kobot-gpt2-{summary['size']}-{summary['parameters'] / 1e6:.1f}m"
    sizes = export(checkpoint, args.out, DEFAULT_GENERATION, name=name)
    evaluation = evaluate(checkpoint, args.data)
    (args.out / "eval.json").write_text(json.dumps({"training": summary, **evaluation}, ensure_ascii=False, indent=2))
    shipped = shipped_decoding_name(DEFAULT_GENERATION)
    write_eval_md(args.out / "EVAL.md", evaluation, summary, shipped, args.compare)
    sizes = {name: (args.out / name).stat().st_size for name in sizes}
    write_model_card(args.out / "README.md", evaluation, summary, shipped, sizes)
    write_vectors(args.out)
    print(f"shipped model in {args.out}: {sum(sizes.values()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
