"""Tokenizer, optional pretraining on plain Korean text, then fine-tuning on Chatbot_data answers."""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch
from transformers import GPT2LMHeadModel

from .batches import BlockSchedule, PairSchedule, encode_pair, packed_blocks
from .data import DataError, Pair, distinct_extra, load_pairs, read_text_lines, split_pairs
from .onnx_weights import model_from_export
from .model_sizes import MAX_POSITIONS, SIZES, gpt2_config, size_name
from .paths import CHATBOT_CSV, NSMC_TXT, RUNS_DIR
from .prompt import EOS, PAD
from .retrieval import DEFAULT_GRAMS, DEFAULT_MIN_SCORE, GRAMS, KnowledgeIndex, context_for
from .tokenizer import load_tokenizer, save_tokenizer, train_tokenizer
from .trainer import PhaseConfig, mean_loss, run_phase
from .whole_writes import recovered, replace_folder, write_whole


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
    parser.add_argument("--pretrain-batch-size", type=int, default=0,
                        help="blocks per pretraining step (0: --batch-size); a GPU takes hundreds")
    parser.add_argument("--epochs", type=int, default=6, help="fine-tuning epochs at most (early stopping)")
    parser.add_argument("--patience", type=int, default=1, help="epochs without validation gain before stopping")
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of pretraining")
    parser.add_argument("--finetune-lr", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: all cores)")
    parser.add_argument("--retrieval-k", type=int, default=2,
                        help="retrieved training pairs shown before each question (0: plain prompts)")
    parser.add_argument("--retrieval-grams", choices=sorted(GRAMS), default=DEFAULT_GRAMS,
                        help="how questions are cut for retrieval (kobot_train.retrieval_compare measures each)")
    parser.add_argument("--retrieval-min-score", type=float, default=DEFAULT_MIN_SCORE, help="cosine below which a pair is not shown")
    parser.add_argument("--retrieval-dropout", type=float, default=0.25,
                        help="share of training questions shown without neighbours, so the model answers alone too")
    parser.add_argument("--retrieval-gold", type=float, default=0.0,
                        help="share of training questions whose best neighbour carries their own answer (alpha-blending), "
                             "so the model learns to use an answer it is shown")
    parser.add_argument("--retrieval-drill", type=float, default=0.0,
                        help="share of training questions shown with an answer drawn from another pair, which becomes "
                             "the target: the model learns to say what an NPC's knowledge says for that question, "
                             "even where it would have said something else")
    parser.add_argument("--init-from", type=Path,
                        help="start fine-tuning from this model (a shipped folder such as npc/model, or a checkpoint) "
                             "with its tokenizer, instead of a new tokenizer and pretraining")
    parser.add_argument("--continue-pretraining", action="store_true",
                        help="with --init-from: pretrain that model on the text (--pretrain-steps) before fine-tuning, "
                             "e.g. to give a shipped model the pretraining a short run could not")
    parser.add_argument("--run", type=Path, default=RUNS_DIR / "default", help="run folder (resumed if present, with the training arguments it was started with)")


# Flags that change where or how fast a run goes, not what it learns: a resumed run may change them.
RUNTIME_ARGUMENTS = {"device", "threads", "run"}


class ResumeError(Exception):
    """A run folder resumed with training arguments other than those it was started with."""


def same_value(saved: str, now: object) -> bool:
    """args.json's text of a value against the value now; a path may be given relative once and absolute the next,
    those of a list (--extra-data) too."""
    if saved == str(now):
        return True
    if isinstance(now, Path):
        return Path(saved).resolve() == now.resolve()
    if isinstance(now, list) and all(isinstance(path, Path) for path in now):
        return [Path(path).resolve() for path in re.findall(r"Path\('([^']*)'\)", saved)] == [path.resolve() for path in now]
    return False


# args.json's key for what the data files held as the run started (not an argument).
CONTENTS = "_data_sha256"


def data_contents(args: argparse.Namespace) -> dict[str, str]:
    """Each data file's SHA-256, by its path: a file reviewed or edited since gives the run other rows."""
    files = [args.data, *args.extra_data]
    return {str(path.resolve()): hashlib.sha256(path.read_bytes()).hexdigest() for path in files if path.is_file()}


def check_resumable(run: Path, args: argparse.Namespace) -> None:
    """Refuses to go on with a run started with other training arguments: it would mix two runs (an old tiny model
    labelled small, a cosine schedule or neighbours changed mid-phase). So are data files whose rows changed: the
    finished phases would be taken as they are, and the rows a reviewer added since never trained on, while the
    export's knowledge file and summary held them."""
    saved_file = run / "args.json"
    if not saved_file.exists():
        return
    saved = json.loads(saved_file.read_text())
    defaults = argparse.ArgumentParser(add_help=False)
    add_arguments(defaults)
    differing = [f"--{name.replace('_', '-')} {saved[name]} then, {getattr(args, name)} now"
                 for name in vars(defaults.parse_args([]))
                 if name in saved and name not in RUNTIME_ARGUMENTS and not same_value(saved[name], getattr(args, name))]
    if differing:
        raise ResumeError(f"{run} was started with other training arguments ({'; '.join(differing)}): "
                          "resume it with the same ones, or give a new --run")
    # By place (--data, then each --extra-data), not by path: the same relative name typed in another folder (next
    # week's reports/<date>/) is another file, which the run's paths of then did not name, and was let through.
    now = list(data_contents(args).items())
    then = list(saved.get(CONTENTS, {}).values())
    changed = [path for (path, digest), digest_then in zip(now, then) if digest != digest_then] if len(now) == len(then) else []
    if changed:
        raise ResumeError(f"{run} was started on other rows of {', '.join(changed)} (reviewed or edited since): its finished "
                          "phases would not train on them; give a new --run")


def pretraining_blocks(args: argparse.Namespace, tokenizer, lines: list[str], batch: int) -> tuple[BlockSchedule, BlockSchedule] | None:
    """The pretraining text packed in blocks to train on, and a 100th of its lines held out; None without text."""
    if not lines:
        return None
    held_out = max(1, len(lines) // 100)
    blocks = BlockSchedule(packed_blocks(tokenizer, lines[held_out:], MAX_POSITIONS), batch, args.seed)
    val_blocks = BlockSchedule(packed_blocks(tokenizer, lines[:held_out], MAX_POSITIONS), 64, args.seed)
    # Too little text: a division by zero, or a validation loss of 0 at every step that kept the first as best.
    if len(blocks) == 0 or len(val_blocks.blocks) == 0:  # a tensor of blocks: `not` has no one truth for it
        raise DataError(f"{args.pretrain_data}: {len(lines)} lines make {len(blocks.blocks)} blocks of {MAX_POSITIONS} "
                        f"tokens to train on ({batch} a batch) and {len(val_blocks.blocks)} held out (a 100th of the "
                        "lines): give more text (--pretrain-lines), or none (--pretrain-lines 0)")
    return blocks, val_blocks


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def on_device(batch: dict[str, torch.Tensor], device: str) -> dict[str, torch.Tensor]:
    return {key: value.to(device) for key, value in batch.items()}


class Neighbours:
    """The retrieved pairs shown before each question: from the training split, never the pair itself while
    training, none for a fixed share of training questions (`--retrieval-dropout`); while training, some
    questions see their own answer under a neighbour's question (`--retrieval-gold`) and some are drilled on an
    answer drawn from another pair (`--retrieval-drill`)."""

    def __init__(self, args: argparse.Namespace, train_pairs: list[Pair]):
        self.args, self.train_pairs = args, train_pairs
        self.index = KnowledgeIndex([(p.question, p.answer) for p in train_pairs], GRAMS[args.retrieval_grams]) \
            if args.retrieval_k > 0 else None
        rng = random.Random(args.seed)
        n = len(train_pairs)
        self.dropped = {i for i in range(n) if rng.random() < args.retrieval_dropout}
        self.gold = {i for i in range(n) if i not in self.dropped and rng.random() < args.retrieval_gold}
        # The drawn answer cannot be guessed from the question, so only copying it lowers the loss: this is
        # what makes an NPC say its knowledge file's line where the model alone would say something else.
        self.drilled = {i: rng.randrange(n) for i in range(n) if i not in self.dropped and rng.random() < args.retrieval_drill}

    def context(self, question: str, training: bool, i: int) -> list[tuple[str, str]]:
        if self.index is None or (training and i in self.dropped):
            return []
        pairs = context_for(self.index, question, self.args.retrieval_k, self.args.retrieval_min_score, exclude_self=training)
        if training and i in self.gold and pairs:
            # Alpha-blending (Weston et al. 2018, "Retrieve and Refine"): without it a small model learns to
            # ignore neighbours, whose answers rarely fit exactly; here the best one sometimes does.
            pairs[-1] = (pairs[-1][0], self.train_pairs[i].answer)
        if training and i in self.drilled:
            pairs = (pairs + [(question, self.example(self.train_pairs[i], training, i).answer)])[-self.args.retrieval_k:]
        return pairs

    def example(self, pair: Pair, training: bool, i: int) -> Pair:
        """The pair to learn: a drilled question's answer is the one it was shown."""
        if training and i in self.drilled:
            return Pair(pair.question, self.train_pairs[self.drilled[i]].answer, pair.label)
        return pair


def initial_model(folder: Path) -> GPT2LMHeadModel:
    """A shipped folder (weights in onnx/model.onnx) or a Hugging Face checkpoint."""
    return model_from_export(folder) if (folder / "onnx" / "model.onnx").exists() else GPT2LMHeadModel.from_pretrained(folder)


def earlier_training(folder: Path) -> dict | None:
    """How the model a run continues was trained (its eval.json), so reports show the whole history."""
    evaluation = folder / "eval.json"
    return json.loads(evaluation.read_text()).get("training") if evaluation.exists() else None


def train(args: argparse.Namespace) -> Path:
    """Runs (or resumes) every phase; returns the folder of the final Hugging Face checkpoint."""
    run: Path = args.run
    check_resumable(run, args)
    seed_everything(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.device.startswith("cuda"):
        torch.set_float32_matmul_precision("high")  # TF32 matrix products on tensor cores; weights stay fp32
    extra = [pair for path in args.extra_data for pair in load_pairs(path)]
    for question, answers in distinct_extra(extra)[1]:
        print(f"--extra-data: {question!r} was reviewed with {len(answers)} answers; trained with the last, {answers[-1]!r}")
    splits = split_pairs(load_pairs(args.data), extra)
    print("split sizes:", {name: len(pairs) for name, pairs in splits.items()})
    empty = [name for name, pairs in splits.items() if not pairs]
    if empty:
        raise DataError(f"{args.data}: no rows fall in the {' and '.join(empty)} split (10% of questions each, by a hash "
                        f"of the question): early stopping and the evaluation need them; give more rows")
    if args.init_from and not (args.init_from / "tokenizer.json").is_file():
        raise DataError(f"--init-from {args.init_from}: not a model folder (no tokenizer.json): an exported model "
                        "(npc/model) or a Hugging Face checkpoint")
    # Once the data is read: a run stopped on its data held only args.json, which refused the mended --data as another run.
    fresh = not (run / "args.json").exists()
    run.mkdir(parents=True, exist_ok=True)
    write_whole(run / "args.json", json.dumps({**{k: str(v) for k, v in vars(args).items()}, CONTENTS: data_contents(args)}, indent=2))
    pretrain_lines = list(read_text_lines(args.pretrain_data, args.pretrain_lines)) \
        if args.pretrain_lines and (not args.init_from or args.continue_pretraining) else []
    pretrain_batch = args.pretrain_batch_size or args.batch_size

    tokenizer_dir = recovered(run / "tokenizer")
    if args.init_from and not (tokenizer_dir / "tokenizer.json").exists():
        replace_folder(tokenizer_dir, lambda folder: save_tokenizer(load_tokenizer(args.init_from), folder))
    if not (tokenizer_dir / "tokenizer.json").exists():
        # The test split never reaches the tokenizer or the model.
        texts = [t for pair in splits["train"] for t in (pair.question, pair.answer)] + pretrain_lines
        replace_folder(tokenizer_dir, lambda folder: save_tokenizer(train_tokenizer(texts, args.vocab_size), folder))
    tokenizer = load_tokenizer(tokenizer_dir)
    try:
        pretraining = pretraining_blocks(args, tokenizer, pretrain_lines, pretrain_batch)
    except DataError:
        # Nothing trained yet: the run its error suggests (more text, or none) starts anew, not refused as another's.
        if fresh:
            (run / "args.json").unlink()
            shutil.rmtree(tokenizer_dir)
        raise

    ids = tokenizer.convert_tokens_to_ids
    config = gpt2_config(args.size, len(tokenizer), ids(EOS), ids(EOS), ids(PAD))
    model = (initial_model(args.init_from) if args.init_from else GPT2LMHeadModel(config)).to(args.device)
    size = size_name(model.config)
    print(f"model: {size}, {sum(p.numel() for p in model.parameters()) / 1e6:.2f}M parameters")

    neighbours = Neighbours(args, splits["train"])
    encode = lambda pairs, training: [
        encode_pair(tokenizer, neighbours.example(pair, training, i), MAX_POSITIONS, neighbours.context(pair.question, training, i))
        for i, pair in enumerate(pairs)]
    train_pairs = PairSchedule(encode(splits["train"], True), args.batch_size, ids(PAD), args.seed)
    val_pairs = PairSchedule(encode(splits["validation"], False), 64, ids(PAD), args.seed)
    answer_loss = lambda m: mean_loss(m, (on_device(b, args.device) for b in val_pairs.in_order()))
    results = {}

    if pretraining:
        blocks, val_blocks = pretraining
        print(f"pretraining: {len(blocks.blocks)} blocks of {MAX_POSITIONS} tokens, {args.pretrain_steps} steps "
              f"({args.pretrain_steps / len(blocks):.1f} epochs)")
        # A checkpoint every 100 steps suits CPU steps of a second or two; a GPU's thousands of short steps would
        # spend their time writing checkpoints, so those come at most 20 times a run.
        cfg = PhaseConfig("pretrain", args.pretrain_steps, args.lr, warmup=100, eval_every=max(1, args.pretrain_steps // 5),
                          checkpoint_every=max(100, args.pretrain_steps // 20), patience=None, seed=args.seed)
        model, results["pretrain"] = run_phase(
            model, cfg, lambda step: on_device(blocks.batch(step), args.device),
            lambda m: mean_loss(m, (on_device(b, args.device) for b in val_blocks.in_order())), run / "pretrain")
        model.to(args.device)

    cfg = PhaseConfig("finetune", args.epochs * len(train_pairs), args.finetune_lr, warmup=100, eval_every=len(train_pairs),
                      checkpoint_every=200, patience=args.patience, seed=args.seed + 1)
    model, results["finetune"] = run_phase(
        model, cfg, lambda step: on_device(train_pairs.batch(step), args.device), answer_loss, run / "finetune")

    final = run / "final"
    replace_folder(final, lambda folder: (model.save_pretrained(folder), tokenizer.save_pretrained(folder)))
    summary = {"size": size, "parameters": sum(p.numel() for p in model.parameters()),
               "vocab_size": len(tokenizer), "phases": {k: asdict(v) for k, v in results.items()},
               "split_sizes": {k: len(v) for k, v in splits.items()}, "pretrain_lines": len(pretrain_lines),
               # Steps alone do not say how much text: a GPU's step takes 256 blocks, this box's 32.
               **({"pretrain_batch_size": pretrain_batch} if pretrain_lines else {}),
               "retrieval": {"k": args.retrieval_k, "min_score": args.retrieval_min_score, "grams": args.retrieval_grams,
                             "dropout": args.retrieval_dropout, "gold": args.retrieval_gold,
                             "drill": args.retrieval_drill},
               **({"init_from": str(args.init_from), "continued_from": earlier_training(args.init_from)}
                  if args.init_from else {})}
    write_whole(run / "summary.json", json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    return final


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_arguments(parser)
    try:
        train(parser.parse_args())
    except (DataError, ResumeError) as error:
        raise SystemExit(f"train: {error}") from None


if __name__ == "__main__":
    main()
