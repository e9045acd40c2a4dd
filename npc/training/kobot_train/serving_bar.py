"""The retrieval bar to serve a model with (config.json `npc_retrieval.min_score`), chosen on the validation split.

A model is trained with neighbours at or above one similarity; serving may show pairs from a lower one. This
runs the TypeScript engine (`npm run ask -- --min-score …`) on the validation and test splits at each bar and
scores the answers as the evaluation does. Among the bars whose validation answers copy a training answer in at
most half the cases, the one served has the best validation chrF, or the highest bar within `TOLERANCE` of it;
test is reported, never chosen on.

    python -m kobot_train.serving_bar --model ../model --bars 0.2 0.25 0.3 0.36 0.42 0.48 --out runs/serving-bar.md --apply

`--repetition-penalties` tries each bar with each penalty as well (`npm run ask -- --repetition-penalty …`): the
penalty also counts the shown pairs' tokens, so it steers answers off a shown answer's exact words; within the
tolerance the lowest penalty wins.

`--apply` serves the chosen bar: it goes into the model's config.json (and a chosen penalty into
generation_config.json), and its test scores into eval.json (`served`, shown in the model card).
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from .evaluate import evaluate_with_engine
from .paths import CHATBOT_CSV
from .whole_writes import write_whole

TOLERANCE = 0.1  # chrF points: on the plateau below a good bar, neighbouring bars differ by less (15.84–15.91)
MAX_COPY = 0.5
# Those the shipped model's bar was chosen among (npc/model/EVAL.md, "Retrieval bar served").
BARS = [0.2, 0.25, 0.3, 0.36, 0.42, 0.48]


def measure(model: Path, data: Path, bars: Sequence[float], penalties: Sequence[float | None] = (None,),
            extra_data: Sequence[Path] = ()) -> list[dict]:
    """The engine's greedy answers to the validation and test splits at each bar (and penalty), scored."""
    rows = []
    for bar in sorted(bars):
        for penalty in penalties:
            cli = ["--min-score", str(bar)] + (["--repetition-penalty", str(penalty)] if penalty is not None else [])
            run = lambda split: evaluate_with_engine(model, data, cli, samples=0, split=split, extra_data=extra_data)
            rows.append({"bar": bar, "penalty": penalty, "validation": run("validation"), "test": run("test")})
    return rows


def choose(rows: list[dict]) -> dict | None:
    """Of the rows whose validation answers copy within bounds, the highest bar (then lowest penalty) close to their
    best validation chrF (None: no row qualifies)."""
    within = [row for row in rows if row["validation"]["verbatim_copy_rate"] <= MAX_COPY]
    if not within:
        return None
    best = max(row["validation"]["chrf"] for row in within)
    close = [row for row in within if row["validation"]["chrf"] >= best - TOLERANCE]
    return max(close, key=lambda row: (row["bar"], -(row.get("penalty") or 1.0)))


def table(rows: list[dict], chosen: dict | None, served: float | None) -> str:
    penalties = any(row.get("penalty") is not None for row in rows)
    lines = ["## Retrieval bar served",
             "",
             "The engine's greedy answers at each min score (`python -m kobot_train.serving_bar`): chrF against the "
             "reference, verbatim copies of a training answer, copies of a shown answer, and questions shown a pair. "
             f"Chosen on validation: of the settings whose answers copy a training answer at most {MAX_COPY:.0%} of the "
             f"time, the highest bar within {TOLERANCE} chrF of their best.",
             "",
             "| min score |" + " repetition penalty |" * penalties + " validation chrF | validation verbatim copies | "
             "validation shown a pair | test chrF | test verbatim copies | test copies of a shown answer | test shown a pair |",
             "|---|" + "---|" * penalties + "---|---|---|---|---|---|---|"]
    for row in rows:
        v, t = row["validation"], row["test"]
        setting = [str(row["bar"])] + [str(row["penalty"])] * penalties
        # The marks go on the setting's last cell; "served" names a bar, so only a table of bars alone shows it.
        setting[-1] += " (chosen)" * (row is chosen) + " (served)" * (row["bar"] == served and not penalties)
        lines.append(f"| {' | '.join(setting)} | {v['chrf']} | {v['verbatim_copy_rate']:.1%} | {v['shown_rate']:.1%} | "
                     f"{t['chrf']} | {t['verbatim_copy_rate']:.1%} | {t['retrieved_copy_rate']:.1%} | {t['shown_rate']:.1%} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="exported model folder")
    parser.add_argument("--bars", type=float, nargs="+", default=BARS)
    parser.add_argument("--repetition-penalties", type=float, nargs="+", default=[None],
                        help="try each bar with each penalty (default: the model's own setting only)")
    parser.add_argument("--data", type=Path, default=CHATBOT_CSV)
    parser.add_argument("--extra-data", type=Path, nargs="*", default=[], help="the --extra-data the model was trained with")
    parser.add_argument("--out", type=Path, help="write the table (markdown) here, for EVAL.md (--include)")
    parser.add_argument("--apply", action="store_true", help="serve the chosen bar (config.json, eval.json)")
    args = parser.parse_args()
    served = json.loads((args.model / "config.json").read_text()).get("npc_retrieval", {}).get("min_score")
    rows = measure(args.model, args.data, args.bars, args.repetition_penalties, args.extra_data)
    chosen = choose(rows)
    text = table(rows, chosen, served)
    print(text)
    print(f"chosen: {chosen and (chosen['bar'], chosen['penalty'])}; served now: {served}")
    if args.out:
        args.out.write_text(text)
    if args.apply and chosen is not None:
        apply(args.model, chosen)


def apply(model: Path, chosen: dict) -> None:
    serve(model, chosen)
    evaluation = json.loads((model / "eval.json").read_text())
    evaluation["served"] = served_scores(chosen)
    write_whole(model / "eval.json", json.dumps(evaluation, ensure_ascii=False, indent=2) + "\n")


def serve(model: Path, chosen: dict) -> None:
    """The chosen bar into the model's config.json, a chosen penalty into its generation_config.json."""
    config = json.loads((model / "config.json").read_text())
    config["npc_retrieval"]["min_score"] = chosen["bar"]
    write_whole(model / "config.json", json.dumps(config, indent=2) + "\n")
    if chosen["penalty"] is not None:
        generation = json.loads((model / "generation_config.json").read_text())
        generation["repetition_penalty"] = chosen["penalty"]
        write_whole(model / "generation_config.json", json.dumps(generation, indent=2) + "\n")


def served_scores(chosen: dict) -> dict:
    """eval.json's `served`: the setting and its test scores (the model card shows them)."""
    keys = ("chrf", "verbatim_copy_rate", "retrieved_copy_rate", "shown_rate", "repetition_rate", "mean_length")
    return {"min_score": chosen["bar"], **({"repetition_penalty": chosen["penalty"]} if chosen["penalty"] is not None else {}),
            "test": {k: chosen["test"][k] for k in keys}}


if __name__ == "__main__":
    main()
