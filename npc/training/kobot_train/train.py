"""Tokenizer, optional pretraining on plain Korean text, then fine-tuning on Chatbot_data answers."""
from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from .batches import BlockSchedule, PairSchedule, encode_pair, packed_blocks
from .data import Pair, load_pairs, read_text_lines, split_pairs
from .model_sizes import MAX_POSITIONS, SIZES, gpt2_config
from .paths import CHATBOT_CSV, NSMC_TXT, RUNS_DIR
from .prompt import EOS, PAD
from .retrieval import KnowledgeIndex, context_for
from .tokenizer import load_tokenizer, save_tokenizer, train_tokenizer
from .trainer import PhaseConfig, mean_loss, run_phase


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=CHATBOT_CSV, help="Chatbot_data CSV (Q,A,label)")
    parser.add_argument("--extra-data", type=Path, nargs="*", default=[],
                        help="more Q,A CSVs, e.g. reviewed retrain-candidates.csv (only rows marked reviewed)")
    parser.add_argument("--pretrain-data", type=Path, default=NSMC_TXT, help="plain Korean text, one line each")
    parser.add_argument("--pretrain-lines", type=int, default=200_000, help="lines of pretraining text; 0 skips")
    parser.add_argument("--pretrain-steps", type=int, default=800)
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--vocab-size", type=int, default=8000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=6, help="fine-tuning epochs at most (early stopping)")
    parser.add_argument("--patience", type=int, default=1, help="epochs without validation gain before stopping")
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of pretraining")
    parser.add_argument("--finetune-lr", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: all cores)")
    parser.add_argument("--retrieval-k", type=int, default=2,
                        help="retrieved training pairs shown before each question (0: plain prompts)")
    parser.add_argument("--retrieval-min-score", type=float, default=0.35, help="cosine below which a pair is not shown")
    parser.add_argument("--retrieval-dropout", type=float, default=0.25,
                        help="share of training questions shown without neighbours, so the model answers alone too")
    parser.add_argument("--run", type=Path, default=RUNS_DIR / "default", help="run folder (resumed if present)")


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def on_device(batch: dict[str, torch.Tensor], device: str) -> dict[str, torch.Tensor]:
    return {key: value.to(device) for key, value in batch.items()}


def retrieval_context(args: argparse.Namespace, train_pairs: list[Pair]):
    """Neighbours for each question from the training split: never the pair itself while training,
    and none for a fixed share of training questions (`--retrieval-dropout`)."""
    if args.retrieval_k <= 0:
        return lambda question, training, i: []
    index = KnowledgeIndex([(p.question, p.answer) for p in train_pairs])
    rng = random.Random(args.seed)
    dropped = {i for i in range(len(train_pairs)) if rng.random() < args.retrieval_dropout}

    def context(question: str, training: bool, i: int) -> list[tuple[str, str]]:
        if training and i in dropped:
            return []
        return context_for(index, question, args.retrieval_k, args.retrieval_min_score, exclude_self=training)
    return context


def train(args: argparse.Namespace) -> Path:
    """Runs (or resumes) every phase; returns the folder of the final Hugging Face checkpoint."""
    seed_everything(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    run: Path = args.run
    run.mkdir(parents=True, exist_ok=True)
    (run / "args.json").write_text(json.dumps({k: str(v) for k, v in vars(args).items()}, indent=2))

    splits = split_pairs(load_pairs(args.data) + [pair for extra in args.extra_data for pair in load_pairs(extra)])
    print("split sizes:", {name: len(pairs) for name, pairs in splits.items()})
    pretrain_lines = list(read_text_lines(args.pretrain_data, args.pretrain_lines)) if args.pretrain_lines else []

    tokenizer_dir = run / "tokenizer"
    if not (tokenizer_dir / "tokenizer.json").exists():
        # The test split never reaches the tokenizer or the model.
        texts = [t for pair in splits["train"] for t in (pair.question, pair.answer)] + pretrain_lines
        save_tokenizer(train_tokenizer(texts, args.vocab_size), tokenizer_dir)
    tokenizer = load_tokenizer(tokenizer_dir)

    ids = tokenizer.convert_tokens_to_ids
    config = gpt2_config(args.size, len(tokenizer), ids(EOS), ids(EOS), ids(PAD))
    model = GPT2LMHeadModel(config).to(args.device)
    print(f"model: {args.size}, {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters")

    context = retrieval_context(args, splits["train"])
    encode = lambda pairs, training: [encode_pair(tokenizer, pair, MAX_POSITIONS, context(pair.question, training, i))
                                      for i, pair in enumerate(pairs)]
    train_pairs = PairSchedule(encode(splits["train"], True), args.batch_size, ids(PAD), args.seed)
    val_pairs = PairSchedule(encode(splits["validation"], False), 64, ids(PAD), args.seed)
    answer_loss = lambda m: mean_loss(m, (on_device(b, args.device) for b in val_pairs.in_order()))
    results = {}

    if pretrain_lines:
        held_out = max(1, len(pretrain_lines) // 100)
        blocks = BlockSchedule(packed_blocks(tokenizer, pretrain_lines[held_out:], MAX_POSITIONS), args.batch_size, args.seed)
        val_blocks = BlockSchedule(packed_blocks(tokenizer, pretrain_lines[:held_out], MAX_POSITIONS), 64, args.seed)
        print(f"pretraining: {len(blocks.blocks)} blocks of {MAX_POSITIONS} tokens, {args.pretrain_steps} steps")
        cfg = PhaseConfig("pretrain", args.pretrain_steps, args.lr, warmup=100, eval_every=max(1, args.pretrain_steps // 5),
                          checkpoint_every=100, patience=None)
        model, results["pretrain"] = run_phase(
            model, cfg, lambda step: on_device(blocks.batch(step), args.device),
            lambda m: mean_loss(m, (on_device(b, args.device) for b in val_blocks.in_order())), run / "pretrain")
        model.to(args.device)

    cfg = PhaseConfig("finetune", args.epochs * len(train_pairs), args.finetune_lr, warmup=100, eval_every=len(train_pairs),
                      checkpoint_every=200, patience=args.patience)
    model, results["finetune"] = run_phase(
        model, cfg, lambda step: on_device(train_pairs.batch(step), args.device), answer_loss, run / "finetune")

    final = run / "final"
    model.save_pretrained(final)
    tokenizer.save_pretrained(final)
    summary = {"size": args.size, "parameters": sum(p.numel() for p in model.parameters()),
               "vocab_size": len(tokenizer), "phases": {k: asdict(v) for k, v in results.items()},
               "split_sizes": {k: len(v) for k, v in splits.items()}, "pretrain_lines": len(pretrain_lines),
               "retrieval": {"k": args.retrieval_k, "min_score": args.retrieval_min_score,
                             "dropout": args.retrieval_dropout}}
    (run / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return final


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    train(parser.parse_args())


if __name__ == "__main__":
    main()
