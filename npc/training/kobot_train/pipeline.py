"""End to end: train (or resume) → export to npc/model → evaluate → EVAL.md, model card, tokenizer vectors."""
from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path

from .evaluate import DECODINGS, evaluate, evaluate_with_engine, trained_pairs
from .export import DEFAULT_GENERATION, export
from .data import DataError
from .paths import CHATBOT_CSV, MODEL_DIR, REPO_ROOT
from .retrieval import DEFAULT_GRAMS, DEFAULT_MIN_SCORE, grams_of, write_jsonl
from .serving_bar import BARS, MAX_COPY, choose, measure, serve, served_scores, table
from .spacing import write_spaced_pairs
from .report import history, write_eval_md, write_model_card
from .vectors import write_vectors
from .whole_writes import replace_folder, write_whole
from .train import ResumeError, add_arguments, train

# Decodings only the TypeScript engine implements, measured through `npm run ask`.
ENGINE_DECODINGS = {"choose 1 of 8 (engine)": ["--candidates", "8"]}


def model_name(summary: dict) -> str:
    """Says what tells models apart: size, pretraining steps over every run it continued, retrieval and its
    method and training bar when not the defaults, alpha-blending."""
    retrieval = summary.get("retrieval", {"k": 0})
    steps = sum(run["phases"]["pretrain"]["steps"] for run in history(summary) if "pretrain" in run["phases"])
    return (f"kobot-gpt2-{summary['size']}-{summary['parameters'] / 1e6:.1f}m" + (f"-pt{steps}" if steps else "")
            + ("-retrieval" if retrieval["k"] else "")
            + ("-" + grams_of(retrieval) if retrieval["k"] and grams_of(retrieval) != DEFAULT_GRAMS else "")
            + (f"-min{round(100 * retrieval['min_score'])}"
               if retrieval["k"] and retrieval.get("min_score", DEFAULT_MIN_SCORE) != DEFAULT_MIN_SCORE else "")
            + (f"-gold{round(100 * retrieval['gold'])}" if retrieval.get("gold") else ""))


def shipped_decoding_name(generation: dict) -> str:
    """The evaluation row that matches the settings we ship."""
    if generation.get("num_candidates", 1) > 1:
        return next(name for name, cli in ENGINE_DECODINGS.items() if cli == ["--candidates", str(generation["num_candidates"])])
    for name, decoding in DECODINGS.items():
        if all(generation.get(k) == v for k, v in decoding.items() if k != "top_k"):
            return name
    raise ValueError(f"shipped generation settings {generation} are not among the evaluated decodings")


def describes_shipped_model(out: Path, data: Path) -> bool:
    """Whether a run writes the shipped model: test/fixtures' vectors describe it, and an experiment written
    elsewhere (or trained on other data) leaves them alone (it rewrote them, and the tests then failed)."""
    return out.resolve() == MODEL_DIR.resolve() and data.resolve() == CHATBOT_CSV.resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="where the shipped model is written")
    parser.add_argument("--checkpoint", type=Path, help="skip training: export and evaluate this checkpoint")
    parser.add_argument("--include", type=Path, nargs="*", default=[],
                        help="markdown files (each starting with a '## ' heading) to add to EVAL.md")
    parser.add_argument("--full-eval", action="store_true", help="also score sampling and choosing among candidates")
    parser.add_argument("--serving-bars", type=float, nargs="*", default=BARS,
                        help="retrieval min scores to serve the model at, one chosen on the engine's validation answers "
                             "(kobot_train.serving_bar: the engine answers both splits at each bar, about 5 minutes on 2 cores); "
                             "none given: served at the training bar")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite EVAL.md and the model card from the eval.json already in --out")
    args = parser.parse_args()
    if args.report_only:
        return write_reports(args.out, json.loads((args.out / "eval.json").read_text()), args.include)

    # Read after training too (the export's spacing table reads the reviews however many lines pretraining took):
    # found missing now, not after an hour with --out half written.
    for path in [args.data, *args.extra_data, args.pretrain_data]:
        if not path.is_file():
            raise DataError(f"{path}: no such file")
    checkpoint = args.checkpoint or train(args)
    summary = json.loads((checkpoint.parent / "summary.json").read_text())

    # Built beside --out, from a copy of its files, and put in its place whole when every step is done: a run that
    # fails or is killed on the way (the evaluation takes minutes) leaves the model that was there, loadable.
    result = {}
    replace_folder(args.out, lambda out: result.update(ship(args, checkpoint, summary, out)), keep_files=True)
    if describes_shipped_model(args.out, args.data):
        write_vectors(args.out, args.data)
    else:
        print("test/fixtures vectors left as they are: they describe npc/model trained on Chatbot_data")
    print(f"shipped model in {args.out}: {sum(result['files'].values()) / 1e6:.1f} MB")


def ship(args: argparse.Namespace, checkpoint: Path, summary: dict, out: Path) -> dict:
    """Exports `checkpoint` into `out` with its knowledge and spacing files, serves it at the bar chosen on
    validation answers, evaluates it and writes eval.json and the reports; returns eval.json's content."""
    retrieval = summary.get("retrieval", {"k": 0})
    name = model_name(summary)
    knowledge = out / "knowledge.jsonl"
    knowledge.unlink(missing_ok=True)
    if retrieval["k"]:
        # The index the model was trained with: the training split (never the test split), --extra-data's included.
        write_jsonl(knowledge, [(p.question, p.answer) for p in trained_pairs(args.data, args.extra_data)])
    sizes = export(checkpoint, out, DEFAULT_GENERATION, name=name,
                   retrieval={"k": retrieval["k"], "min_score": retrieval["min_score"], "grams": grams_of(retrieval)}
                   if retrieval["k"] else None)
    if knowledge.exists():
        sizes["knowledge.jsonl"] = knowledge.stat().st_size
        # knowledge.jsonl holds the data set's pairs word for word: a licence beside it (Chatbot_data's MIT) asks
        # that its notice goes with every copy.
        data_license = Path(args.data).parent / "LICENSE"
        if data_license.is_file():
            shutil.copyfile(data_license, out / f"LICENSE.{Path(args.data).parent.name}")
    # For lines players type without spaces (npc/engine/spacing.ts): from the same text the model learnt from.
    spacing = write_spaced_pairs(out, args.data, args.pretrain_data)
    sizes[spacing.name] = spacing.stat().st_size
    chosen = None
    if retrieval["k"] and args.serving_bars:
        bar_table = checkpoint.parent / "serving-bar.md"
        chosen = choose_serving_bar(out, args.data, args.serving_bars, retrieval["min_score"], bar_table, args.extra_data)
        args.include.append(bar_table)
    # The default run scores the greedy decodings; --full-eval adds sampling and the engine's choosing
    # (about 7 more minutes on 2 cores), as in the shipped EVAL.md.
    decodings = DECODINGS if args.full_eval else {k: v for k, v in DECODINGS.items() if not v["do_sample"]}
    evaluation = evaluate(checkpoint, args.data, decodings, retrieval_k=retrieval["k"],
                          min_score=retrieval.get("min_score", 0.35), grams=grams_of(retrieval), extra_data=args.extra_data)
    for name, cli_args in ENGINE_DECODINGS.items() if args.full_eval else ():
        evaluation["decodings"][name] = evaluate_with_engine(out, args.data, cli_args, extra_data=args.extra_data)
    result = {"training": summary, "files": {name: (out / name).stat().st_size for name in sizes}, **evaluation,
              **({"served": served_scores(chosen)} if chosen else {})}
    write_whole(out / "eval.json", json.dumps(result, ensure_ascii=False, indent=2))
    write_reports(out, result, args.include)
    return result


def choose_serving_bar(out: Path, data: Path, bars: list[float], trained_at: float, bar_table: Path,
                       extra_data: Sequence[Path] = ()) -> dict | None:
    """Serves the exported model at the bar serving_bar.py chooses on the engine's validation answers (a model
    trained with pairs from one bar may answer better shown pairs from a lower one) and writes its table (for
    EVAL.md). Returns the chosen row (None: none qualifies, served at the training bar)."""
    rows = measure(out, data, bars, extra_data=extra_data)
    chosen = choose(rows)
    if chosen:
        serve(out, chosen)
    else:
        print(f"no bar's validation answers copy a training answer at most {MAX_COPY:.0%} of the time: "
              f"served at the training bar {trained_at}")
    bar_table.write_text(table(rows, chosen, chosen["bar"] if chosen else trained_at))
    return chosen


def write_reports(out: Path, result: dict, include: list[Path]) -> None:
    shipped = shipped_decoding_name(DEFAULT_GENERATION)
    write_eval_md(out / "EVAL.md", result, result["training"], shipped, include)
    write_model_card(out / "README.md", result, result["training"], shipped, result["files"])


if __name__ == "__main__":
    try:
        main()
    except (DataError, ResumeError) as error:
        raise SystemExit(f"train: {error}") from None
