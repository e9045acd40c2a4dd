"""Evaluation on the test split: perplexity, chrF, verbatim copies, repetition, length, samples."""
from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import torch
from tqdm import tqdm
from transformers import GPT2LMHeadModel, LogitsProcessorList, PreTrainedTokenizerFast

from . import metrics
from .batches import PairSchedule, encode_pair
from .data import Pair, load_pairs, split_pairs
from .loop_guard import LoopGuard, without_loop
from .model_sizes import MAX_POSITIONS
from .paths import CHATBOT_CSV, REPO_ROOT
from .prompt import PAD, clean_answer, question_prompt, turn_text
from .retrieval import DEFAULT_GRAMS, DEFAULT_MIN_SCORE, GRAMS, KnowledgeIndex, context_for, grams_of
from .trainer import mean_loss

DECODINGS: dict[str, dict] = {
    "greedy": {"do_sample": False, "repetition_penalty": 1.0},
    "greedy+rep1.2": {"do_sample": False, "repetition_penalty": 1.2},
    "sample t0.7 p0.9": {"do_sample": True, "temperature": 0.7, "top_p": 0.9, "top_k": 0, "repetition_penalty": 1.2},
}


@torch.no_grad()
def generate_answers(model: GPT2LMHeadModel, tokenizer: PreTrainedTokenizerFast, prompts: list[str],
                     decoding: dict, batch_size: int = 64, max_new_tokens: int = 32, seed: int = 0) -> list[str]:
    torch.manual_seed(seed)
    model.eval()
    tokenizer.padding_side = "left"
    answers: list[str] = []
    for start in tqdm(range(0, len(prompts), batch_size), desc="generate", leave=False):
        # No token_type_ids: GPT-2 would add them as extra embeddings (the tokenizer returns them by default).
        batch = tokenizer(prompts[start:start + batch_size], return_tensors="pt", padding=True, add_special_tokens=False,
                          return_token_type_ids=False)
        prompt_length = batch["input_ids"].shape[1]
        eos = tokenizer.eos_token_id
        output = model.generate(**batch, max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                                eos_token_id=eos, logits_processor=LogitsProcessorList([LoopGuard(eos, prompt_length)]),
                                **decoding)
        for row in output[:, prompt_length:].tolist():
            answer = without_loop(row[: row.index(eos)] if eos in row else row)
            answers.append(clean_answer(tokenizer.decode(answer, skip_special_tokens=False)))
    return answers


def score(answers: list[str], test: list[Pair], training_answers: set[str]) -> dict[str, float]:
    references = [p.answer for p in test]
    return {
        "chrf": round(metrics.chrf(answers, references), 2),
        "verbatim_copy_rate": round(metrics.verbatim_copy_rate(answers, training_answers), 4),
        "repetition_rate": round(metrics.repetition_rate(answers), 4),
        "distinct_1": round(metrics.distinct_n(answers, 1), 4),
        "distinct_2": round(metrics.distinct_n(answers, 2), 4),
        "mean_length": round(metrics.mean_length(answers), 2),
        "empty_rate": round(sum(not a for a in answers) / max(1, len(answers)), 4),
    }


def reference_copy_rate(test: list[Pair], training_answers: set[str]) -> float:
    """Share of the test split's reference answers that are word for word an answer of the training split."""
    return round(metrics.verbatim_copy_rate([p.answer for p in test], training_answers), 4)


def evaluate(model_dir: Path, data: Path, decodings: dict[str, dict] = DECODINGS, samples: int = 20,
             retrieval_k: int = 0, min_score: float = 0.35, grams: str = "bigrams",
             extra_data: Sequence[Path] = ()) -> dict:
    """Scores a checkpoint on the test split; with retrieval_k, each question is shown its neighbours
    from the training split, as at serving time. `extra_data`: the --extra-data the model was trained with, whose
    training pairs were in its index and among the answers it learnt (as train.py); the test split stays `data`'s."""
    tokenizer = PreTrainedTokenizerFast.from_pretrained(model_dir)
    model = GPT2LMHeadModel.from_pretrained(model_dir)
    test = split_pairs(load_pairs(data))["test"]
    trained = trained_pairs(data, extra_data)
    training_answers = {p.answer for p in trained}
    if retrieval_k:
        index = KnowledgeIndex([(p.question, p.answer) for p in trained], GRAMS[grams])
        contexts = [context_for(index, p.question, retrieval_k, min_score) for p in test]
    else:
        contexts = [[] for _ in test]

    pad_id = tokenizer.convert_tokens_to_ids(PAD)
    encoded = PairSchedule([encode_pair(tokenizer, p, MAX_POSITIONS, c) for p, c in zip(test, contexts)], 64, pad_id, 0)
    loss = mean_loss(model, encoded.in_order())
    result: dict = {"model": str(model_dir), "test_pairs": len(test), "retrieval_k": retrieval_k,
                    "parameters": sum(p.numel() for p in model.parameters()),
                    "perplexity": round(math.exp(loss), 3),
                    # What the copy rates compare with: people's own answers repeat the training answers too.
                    "reference_verbatim_copy_rate": reference_copy_rate(test, training_answers),
                    "decodings": {}}
    picks = sorted(random.Random(7).sample(range(len(test)), min(samples, len(test))))
    prompts = ["".join(turn_text(q, a) for q, a in c) + question_prompt(p.question) for p, c in zip(test, contexts)]
    for name, decoding in decodings.items():
        started = time.time()
        answers = generate_answers(model, tokenizer, prompts, decoding)
        entry = score(answers, test, training_answers)
        entry["retrieved_copy_rate"] = round(metrics.shown_copy_rate(answers, [[a for _, a in c] for c in contexts]), 4)
        entry["seconds"] = round(time.time() - started, 1)
        entry["settings"] = decoding
        entry["samples"] = [{"question": test[i].question, "reference": test[i].answer, "answer": answers[i]}
                            for i in picks]
        result["decodings"][name] = entry
        print(f"{name}: " + ", ".join(f"{k}={v}" for k, v in entry.items() if k not in ("samples", "settings")))
    return result


def trained_pairs(data: Path, extra_data: Sequence[Path] = ()) -> list[Pair]:
    """The pairs a model trained on `data` and `extra_data` learnt from, and retrieves from: their training split."""
    return split_pairs(load_pairs(data), [pair for extra in extra_data for pair in load_pairs(extra)])["train"]


def evaluate_with_engine(model_dir: Path, data: Path, cli_args: list[str], samples: int = 20,
                         split: str = "test", extra_data: Sequence[Path] = ()) -> dict:
    """Test-split (or `split`) answers from the TypeScript engine (`npm run ask -- --json`), scored like the rest.

    What only the engine does, such as choosing among sampled candidates, is measured where it runs. Copies are
    counted against every answer the model trained on, `extra_data`'s too (as `evaluate`): its knowledge file holds
    them, and counted against `data`'s alone the copy rate the serving bar is held to read low.
    """
    pairs = split_pairs(load_pairs(data))[split]
    with tempfile.TemporaryDirectory() as tmp:
        questions = Path(tmp) / "questions.txt"
        questions.write_text("".join(p.question.replace("\n", " ") + "\n" for p in pairs), encoding="utf-8")
        started = time.time()
        output = subprocess.run(["npm", "run", "-s", "ask", "--", "--model", str(model_dir.resolve()), "--file",
                                 str(questions), "--json", *cli_args], cwd=REPO_ROOT, capture_output=True, text=True)
    rows = [json.loads(line) for line in output.stdout.splitlines() if line.startswith("{")]
    if len(rows) != len(pairs):
        raise RuntimeError(f"npm run ask answered {len(rows)} of {len(pairs)} questions: {output.stderr[-2000:]}")
    answers = [row.get("answer", "") for row in rows]
    entry = score(answers, pairs, {p.answer for p in trained_pairs(data, extra_data)})
    entry["retrieved_copy_rate"] = round(metrics.shown_copy_rate(answers, [r.get("retrieved", []) for r in rows]), 4)
    entry["shown_rate"] = round(sum(bool(r.get("retrieved")) for r in rows) / len(rows), 4)
    latencies = sorted(r.get("ms", 0) for r in rows)
    entry["ms_p50"], entry["ms_p95"] = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    entry["seconds"] = round(time.time() - started, 1)
    entry["settings"] = {"engine": cli_args}
    picks = sorted(random.Random(7).sample(range(len(pairs)), min(samples, len(pairs))))
    entry["samples"] = [{"question": pairs[i].question, "reference": pairs[i].answer, "answer": answers[i]} for i in picks]
    print("engine " + " ".join(cli_args) + ": " + ", ".join(
        f"{k}={v}" for k, v in entry.items() if k not in ("samples", "settings")))
    return entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="Hugging Face checkpoint folder")
    parser.add_argument("--data", type=Path, default=CHATBOT_CSV)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--retrieval-k", type=int,
                        help="neighbours shown before each question (default: as the model was trained, its summary.json)")
    parser.add_argument("--extra-data", type=Path, nargs="*", default=[], help="the --extra-data the model was trained with")
    parser.add_argument("--decodings", nargs="+", choices=sorted(DECODINGS), default=sorted(DECODINGS))
    parser.add_argument("--engine-model", type=Path, help="exported model folder: also score choosing among 8 candidates")
    args = parser.parse_args()
    # Retrieval as the model was trained with it (its run's summary.json, beside the checkpoint), else as training does.
    summary = args.model.parent / "summary.json"
    retrieval = json.loads(summary.read_text()).get("retrieval", {}) if summary.is_file() else {}
    result = evaluate(args.model, args.data, {name: DECODINGS[name] for name in args.decodings},
                      retrieval_k=retrieval.get("k", 0) if args.retrieval_k is None else args.retrieval_k,
                      min_score=retrieval.get("min_score", DEFAULT_MIN_SCORE),
                      grams=grams_of(retrieval) if retrieval else DEFAULT_GRAMS, extra_data=args.extra_data)
    if args.engine_model:
        result["decodings"]["choose 1 of 8 (engine)"] = evaluate_with_engine(args.engine_model, args.data,
                                                                             ["--candidates", "8"])
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
