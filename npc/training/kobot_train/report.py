"""EVAL.md and the model card, written from the evaluation JSON (numbers are never typed by hand)."""
from __future__ import annotations

import json
from pathlib import Path

from .spacing import SPACED_PAIRS

COLUMNS = [("chrF", "chrf"), ("verbatim copy", "verbatim_copy_rate"), ("copy of a retrieved answer", "retrieved_copy_rate"),
           ("repetition", "repetition_rate"),
           ("distinct-1", "distinct_1"), ("distinct-2", "distinct_2"), ("mean length (chars)", "mean_length"),
           ("empty", "empty_rate"), ("latency p50 / p95 ms", "ms"), ("seconds", "seconds")]


def decoding_table(evaluation: dict) -> str:
    lines = ["| decoding | " + " | ".join(name for name, _ in COLUMNS) + " |",
             "|---" * (len(COLUMNS) + 1) + "|"]
    for name, entry in evaluation["decodings"].items():
        entry = {**entry, "ms": f"{entry['ms_p50']} / {entry['ms_p95']}" if "ms_p50" in entry else "-"}
        lines.append(f"| {name} | " + " | ".join(str(entry.get(key, "-")) for _, key in COLUMNS) + " |")
    return "\n".join(lines)


def samples_table(evaluation: dict, decoding: str) -> str:
    lines = ["| question | reference | answer |", "|---|---|---|"]
    for sample in evaluation["decodings"][decoding]["samples"]:
        cells = [sample[k].replace("|", "\\|") for k in ("question", "reference", "answer")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def history(summary: dict) -> list[dict]:
    """This run's summary after those of the models it continued (`--init-from`), oldest first."""
    earlier = summary.get("continued_from")
    return (history(earlier) if earlier else []) + [summary]


def training_minutes(summary: dict) -> float:
    return sum(phase["seconds"] for run in history(summary) for phase in run["phases"].values()) / 60


def pretrain_lines(summary: dict) -> int:
    """Lines of pretraining text: runs that pretrain again read the same first lines of the file."""
    return max(run["pretrain_lines"] for run in history(summary))


def phases_table(summary: dict) -> str:
    lines = ["| run | phase | steps | best step | best validation loss | early stop | minutes |",
             "|---|---|---|---|---|---|---|"]
    for number, run in enumerate(history(summary), 1):
        gold = run.get("retrieval", {}).get("gold")
        label = f"{number}" + (f" (gold {gold})" if gold else "")
        for phase in run["phases"].values():
            lines.append(f"| {label} | {phase['name']} | {phase['steps']} | {phase['best_step']} | "
                         f"{phase['best_val_loss']:.4f} | {'yes' if phase['stopped_early'] else 'no'} | "
                         f"{phase['seconds'] / 60:.1f} |")
    return "\n".join(lines)


def write_eval_md(path: Path, evaluation: dict, summary: dict, shipped: str, sections: list[Path]) -> None:
    parts = [
        "# NPC model evaluation",
        "",
        "Written by `npm run train` (npc/training/kobot_train/report.py) from `eval.json`; every number below is "
        f"measured on the Chatbot_data **test split** ({evaluation['test_pairs']} pairs, never trained on).",
        "",
        f"- model: GPT-2 `{summary['size']}`, {summary['parameters'] / 1e6:.2f}M parameters, "
        f"byte-level BPE vocabulary of {summary['vocab_size']}",
        f"- test perplexity (answer tokens given the question): **{evaluation['perplexity']}**",
        f"- shipped decoding: **{shipped}**",
        "",
        "## Decoding settings compared",
        "",
        decoding_table(evaluation),
        "",
        "chrF: character n-gram F-score against the reference answer (sacrebleu, corpus level). Verbatim copy: share "
        "of answers identical to an answer of the training split; copy of a retrieved answer: identical to one of the "
        "pairs shown to the model before the question. Latency: per question, one at a time, TypeScript engine "
        "(Python rows are batched and show only total seconds). Repetition: share of answers in which a character "
        "4-gram occurs twice. Distinct-n: distinct word n-grams over all n-grams of all answers." + (
            f" For scale, {evaluation['reference_verbatim_copy_rate']:.1%} of the test split's own reference answers "
            "are verbatim answers of the training split." if "reference_verbatim_copy_rate" in evaluation else ""),
        "",
        "## Training",
        "",
        phases_table(summary),
        "",
        (f"Run {len(history(summary))} continued the model of the run before it (`--init-from`). "
         if summary.get("continued_from") else "") +
        f"Pretraining text: {pretrain_lines(summary)} lines of NSMC reviews; fine-tuning on "
        f"{summary['split_sizes']['train']} training pairs, early stopping on {summary['split_sizes']['validation']} "
        "validation pairs.",
        "",
    ]
    for section in sections:
        parts += [section.read_text(encoding="utf-8").strip(), ""]
    parts += [f"## 20 test questions, {shipped}", "", samples_table(evaluation, shipped), ""]
    path.write_text("\n".join(parts), encoding="utf-8")


def served_line(evaluation: dict) -> str:
    """The engine's test scores at the retrieval bar it serves with, when serving_bar.py chose one."""
    served = evaluation.get("served")
    if not served:
        return ""
    t = served["test"]
    return (f"\nServed with retrieval min score {served['min_score']} (config.json; chosen on validation answers by "
            f"`python -m kobot_train.serving_bar`), the engine's greedy answers score chrF {t['chrf']}, "
            f"{t['verbatim_copy_rate']:.1%} verbatim copies of a training answer, {t['retrieved_copy_rate']:.1%} copies "
            f"of a shown answer ({t['shown_rate']:.0%} of test questions are shown a pair).\n")


def spacing_line(sizes: dict[str, int]) -> str:
    if SPACED_PAIRS not in sizes:
        return ""
    return (f"\n- Spacing: `{SPACED_PAIRS}` lists the pairs of syllables that the training split and the reviews mostly write\n"
            "  apart (`python -m kobot_train.spacing`); the engine spaces a line typed without any by them (`npc/engine/spacing.ts`).")


def write_model_card(path: Path, evaluation: dict, summary: dict, shipped: str, sizes: dict[str, int]) -> None:
    entry = evaluation["decodings"][shipped]
    total = sum(sizes.values()) / 1e6
    files = "\n".join(f"| `{name}` | {size / 1e6:.2f} MB |" for name, size in sizes.items())
    k = summary.get("retrieval", {}).get("k", 0)
    retrieval_line = (
        f"- Retrieval: before each question the engine shows the model up to {k} similar pairs from the training "
        "split (`knowledge.jsonl`) or from an NPC's own knowledge file, as earlier turns; the model was trained "
        "that way. The answer is still the model's own generation: EVAL.md gives how often it copies a shown answer. "
        "Only an NPC's own line, once the model begins it, is finished as written (`npc/own-lines.ts`); the general "
        "index's pairs are hints."
        if k else "- The model writes its own answers: nothing is looked up from the data set at serving time.")
    retrain = "npm run train -- --retrieval-k 2" if k else "npm run train"
    if summary.get("continued_from"):
        gold = summary.get("retrieval", {}).get("gold", 0)
        retrain = ("npm run train    # run 1\n"
                   f"npm run train -- --init-from npc/model --retrieval-gold {gold} --epochs 4 --finetune-lr 3e-4 "
                   "--patience 2 --run npc/training/runs/next --out npc/training/runs/next/export    # run 2, from run 1's model")
    path.write_text(f"""# Kobot NPC model

A small Korean chatbot in the KoGPT2 prompt format (`<usr>question<sys>answer</s>`): GPT-2 architecture
(`GPT2LMHeadModel`, size `{summary['size']}`: {summary['parameters'] / 1e6:.2f}M parameters, context 128 tokens,
byte-level BPE vocabulary of {summary['vocab_size']}), trained from scratch on this machine, in the layout
`@huggingface/transformers` loads (ONNX decoder with past key values, fp32), plus the engine's graphs reading
the same weights (`onnx/model.onnx_data`): `onnx/model_step.onnx`, decoding steps over a cache kept in place,
and its int8 pair, `onnx/model_prefill_int8.onnx` (prompts prefilled with int8 matrix products, weights in 7 bits) and
`onnx/model_step_int8.onnx` (steps with 8-bit weights).

## Data and licence

- Fine-tuned on **Chatbot_data** by songys (<https://github.com/songys/Chatbot_data>, MIT licence,
  Copyright (c) 2018 songys; its text in `LICENSE.chatbot_data`, which goes with `knowledge.jsonl`'s pairs):
  11,823 Korean question/answer pairs, split 80/10/10 by a hash of the question. The test split is never trained on.
- Pretrained on {pretrain_lines(summary):,} lines of **NSMC** movie reviews (e9t/nsmc, CC0 1.0) for colloquial Korean.
{retrieval_line}{spacing_line(sizes)}

## Quality (test split, {shipped})

| perplexity | chrF | verbatim copy of a training answer | repetition | mean length |
|---|---|---|---|---|
| {evaluation['perplexity']} | {entry['chrf']} | {entry['verbatim_copy_rate']:.1%} | {entry['repetition_rate']:.1%} | {entry['mean_length']} chars |
{served_line(evaluation)}
Full tables and sample answers: [EVAL.md](EVAL.md). It is a {summary['parameters'] / 1e6:.0f}M-parameter model trained for
{training_minutes(summary):.0f} minutes on two CPU cores: it answers in short, mostly fluent Korean, but many of its
answers to everyday questions it has not seen are generic or off-topic (hand-judged tables in EVAL.md). It is a
working placeholder for a larger model.

## Files ({total:.1f} MB)

| file | size |
|---|---|
{files}

## Retrain

```sh
{retrain}
# split, tokenizer, pretraining, fine-tuning, export, evaluation: see npc/training/README.md
# (paths are relative to npc/training, where the pipeline runs)
npm run train -- --device cuda      # on a GPU
npm run train -- --size small --pretrain-steps 3000 --run runs/bigger
```

Export any local Hugging Face GPT-2 chatbot checkpoint in the same prompt format (for example skt/kogpt2-base-v2,
whose licence, CC BY-NC-SA 4.0, allows no commercial use):
`python -m kobot_train.export --checkpoint DIR --out DIR` from `npc/training` (see npc/training/README.md).
""", encoding="utf-8")
