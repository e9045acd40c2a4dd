"""A resumable training phase: AdamW, warmup + cosine, checkpoints, early stopping on validation loss."""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable

import torch
from tqdm import tqdm
from transformers import GPT2LMHeadModel

from .whole_writes import recovered, replace_folder, write_whole


@dataclass
class PhaseConfig:
    name: str
    max_steps: int
    lr: float
    warmup: int
    eval_every: int
    checkpoint_every: int
    patience: int | None  # evaluations without improvement before stopping; None runs every step
    weight_decay: float = 0.01
    clip: float = 1.0
    # The random state a phase starts from, whatever ran before it in the process: fine-tuning started after
    # pretraining's dropout draws, or right after seeding when resumed past pretraining's end, and gave other weights.
    seed: int = 0


@dataclass
class PhaseResult:
    name: str
    steps: int
    best_step: int
    best_val_loss: float
    stopped_early: bool
    seconds: float


def lr_at(step: int, cfg: PhaseConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(1, cfg.max_steps - cfg.warmup)
    return cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


@torch.no_grad()
def mean_loss(model: GPT2LMHeadModel, batches: Iterable[dict[str, torch.Tensor]]) -> float:
    """Token-weighted mean loss over the labelled tokens."""
    model.eval()
    total, count = 0.0, 0
    for batch in batches:
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        labels = batch["labels"][:, 1:]
        loss = torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100, reduction="sum")
        total += loss.item()
        count += int((labels != -100).sum())
    model.train()
    return total / max(1, count)


def run_phase(model: GPT2LMHeadModel, cfg: PhaseConfig, batch_at: Callable[[int], dict[str, torch.Tensor]],
              validate: Callable[[GPT2LMHeadModel], float], phase_dir: Path) -> tuple[GPT2LMHeadModel, PhaseResult]:
    """Trains until max_steps or early stop; resumes from `phase_dir/last` when present.

    Returns the best model by validation loss (saved in `phase_dir/best`).
    """
    done_file = phase_dir / "done.json"
    if done_file.exists():
        print(f"[{cfg.name}] already finished, loading {phase_dir / 'best'}")
        return GPT2LMHeadModel.from_pretrained(recovered(phase_dir / "best")), PhaseResult(**json.loads(done_file.read_text()))

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=cfg.lr)
    state = {"step": 0, "best_val_loss": math.inf, "best_step": 0, "bad_evals": 0, "seconds": 0.0, "stopped_early": False}
    last = recovered(phase_dir / "last")
    recovered(phase_dir / "best")
    if (last / "trainer_state.pt").exists():
        saved = torch.load(last / "trainer_state.pt", weights_only=False)
        model.load_state_dict(GPT2LMHeadModel.from_pretrained(last).state_dict())
        optimizer.load_state_dict(saved["optimizer"])
        torch.set_rng_state(saved["rng"])
        # Dropout on a GPU draws from the GPU's generator: restored too, a resumed GPU run goes on as one never stopped.
        if saved.get("cuda_rng") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(saved["cuda_rng"])
        state = {"stopped_early": False, **saved["state"]}
        print(f"[{cfg.name}] resuming at step {state['step']} (best val {state['best_val_loss']:.4f})")
    else:
        torch.manual_seed(cfg.seed)

    def checkpoint() -> None:
        def write(folder: Path) -> None:
            model.save_pretrained(folder)
            cuda_rng = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
            torch.save({"optimizer": optimizer.state_dict(), "rng": torch.get_rng_state(), "cuda_rng": cuda_rng, "state": state},
                       folder / "trainer_state.pt")
        replace_folder(last, write)

    model.train()
    started = time.time() - state["seconds"]
    bar = tqdm(total=cfg.max_steps, initial=state["step"], desc=cfg.name, unit="step", dynamic_ncols=True)
    running = None
    # The stop is saved with the state: a run killed before done.json resumes stopped, not trained past it.
    while state["step"] < cfg.max_steps and not state["stopped_early"]:
        step = state["step"]
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, cfg)
        batch = batch_at(step)
        loss = model(**batch).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
        optimizer.step()
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        state["step"] = step + 1
        bar.update(1)
        bar.set_postfix(loss=f"{running:.3f}", best=f"{state['best_val_loss']:.3f}")

        if state["step"] % cfg.eval_every == 0 or state["step"] == cfg.max_steps:
            val = validate(model)
            tqdm.write(f"[{cfg.name}] step {state['step']}: train {running:.4f} validation {val:.4f}")
            if val < state["best_val_loss"] - 1e-4:
                state.update(best_val_loss=val, best_step=state["step"], bad_evals=0)
                replace_folder(phase_dir / "best", model.save_pretrained)
            else:
                state["bad_evals"] += 1
            if cfg.patience is not None and state["bad_evals"] >= cfg.patience:
                tqdm.write(f"[{cfg.name}] early stop: no gain in {cfg.patience} evaluations")
                state["stopped_early"] = True
                break
        if state["step"] % cfg.checkpoint_every == 0:
            state["seconds"] = time.time() - started
            checkpoint()
    bar.close()
    state["seconds"] = time.time() - started
    checkpoint()
    result = PhaseResult(cfg.name, state["step"], state["best_step"], state["best_val_loss"], state["stopped_early"],
                         round(state["seconds"], 1))
    write_whole(done_file, json.dumps(asdict(result), indent=2))
    return GPT2LMHeadModel.from_pretrained(phase_dir / "best"), result
