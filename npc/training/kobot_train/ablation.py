"""The ablation table of EVAL.md, from the eval.json of each variant's run (numbers are never typed by hand).

    python -m kobot_train.ablation scratch=runs/compare-tiny/eval.json pretrained=runs/tiny-pt/export/eval.json ...
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from .paths import RUNS_DIR


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="+", help="name=path/to/eval.json")
    parser.add_argument("--table", type=Path, default=RUNS_DIR / "ablation.md")
    args = parser.parse_args()
    lines = ["| variant | decoding | test perplexity | chrF | verbatim copy | copy of a retrieved answer | distinct-1 | "
             "distinct-2 | repetition | mean length | latency p50 / p95 ms |", "|---" * 11 + "|"]
    for spec in args.variants:
        name, path = spec.split("=", 1)
        result = json.loads(Path(path).read_text())
        for decoding, entry in result["decodings"].items():
            latency = f"{entry['ms_p50']} / {entry['ms_p95']}" if "ms_p50" in entry else "-"
            lines.append(f"| {name} | {decoding} | {result['perplexity']} | {entry['chrf']} | "
                         f"{entry['verbatim_copy_rate']:.1%} | {entry.get('retrieved_copy_rate', 0):.1%} | "
                         f"{entry['distinct_1']} | {entry['distinct_2']} | {entry['repetition_rate']:.1%} | "
                         f"{entry['mean_length']} | {latency} |")
    note = ("\nAll rows on the Chatbot_data test split. Perplexity is of the reference answers given the question "
            "(and, for retrieval variants, the retrieved pairs). Latency is per question, one at a time, in the "
            "TypeScript engine, and is measured only for rows it produced.\n")
    args.table.write_text("## Ablation on the test split\n\n" + "\n".join(lines) + "\n" + note)
    print(args.table.read_text())


if __name__ == "__main__":
    main()
