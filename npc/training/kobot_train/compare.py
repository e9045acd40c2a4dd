"""Model sizes compared at an equal training budget; writes a markdown table for EVAL.md.

    python -m kobot_train.compare --sizes tiny small --tokenizer-from runs/tiny-pt/tokenizer

Each size is fine-tuned from scratch (no pretraining) with the same schedule and early stopping on the same
split and tokenizer, then scored on the test split with greedy decoding.
"""
from __future__ import annotations

import argparse
import json
import math
import shutil
from pathlib import Path

from .evaluate import evaluate
from .paths import RUNS_DIR
from .train import add_arguments, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.add_argument("--sizes", nargs="+", default=["tiny", "small", "medium"])
    parser.add_argument("--table", type=Path, default=RUNS_DIR / "compare.md")
    parser.add_argument("--prefix", default="compare", help="run folders are runs/<prefix>-<size>")
    parser.add_argument("--tokenizer-from", type=Path, help="tokenizer folder to share (default: train one per run)")
    args = parser.parse_args()
    args.pretrain_lines = 0

    rows = []
    for size in args.sizes:
        args.size, args.run = size, RUNS_DIR / f"{args.prefix}-{size}"
        if args.tokenizer_from and not (args.run / "tokenizer").exists():
            shutil.copytree(args.tokenizer_from, args.run / "tokenizer")
        final = train(args)
        summary = json.loads((args.run / "summary.json").read_text())
        # Scored as trained: with the neighbours it was shown (it was scored with none, the 0 taken as retrieval_k).
        result = evaluate(final, args.data, {"greedy+rep1.2": {"do_sample": False, "repetition_penalty": 1.2}}, samples=0,
                          retrieval_k=args.retrieval_k, min_score=args.retrieval_min_score, grams=args.retrieval_grams,
                          extra_data=args.extra_data)
        entry = result["decodings"]["greedy+rep1.2"]
        rows.append((size, summary, result, entry))
        (args.run / "eval.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))

    lines = ["| size | parameters | fp32 MB | fine-tune minutes | validation loss | test perplexity | chrF | verbatim copy | mean length |",
             "|---|---|---|---|---|---|---|---|---|"]
    for size, summary, result, entry in rows:
        phase = summary["phases"]["finetune"]
        lines.append(f"| {size} | {summary['parameters'] / 1e6:.2f}M | {summary['parameters'] * 4 / 1e6:.1f} | "
                     f"{phase['seconds'] / 60:.1f} | {phase['best_val_loss']:.3f} | {math.exp(phase['best_val_loss']):.1f} / "
                     f"{result['perplexity']} | {entry['chrf']} | {entry['verbatim_copy_rate']:.1%} | {entry['mean_length']} |")
    note = (f"\nFrom scratch, no pretraining, at most {args.epochs} fine-tuning epochs at batch {args.batch_size} with "
            f"early stopping (patience {args.patience}), greedy decoding with repetition penalty 1.2, on one "
            "shared tokenizer. Perplexity column: validation / test.\n")
    args.table.write_text("## Model sizes compared\n\n" + "\n".join(lines) + "\n" + note)
    print(args.table.read_text())


if __name__ == "__main__":
    main()
