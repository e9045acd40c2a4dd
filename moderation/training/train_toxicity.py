"""Trains the moderator's learned toxicity score and exports it to moderation/toxicity.json.

A logistic regression over the character n-grams of each comment's plain reading (the moderator's own normalised
text, Moderator#scoredText through moderation/training/normalise.ts: the call the server scores through), on Korean
HateSpeech's train split (kocohub/korean-hate-speech, CC BY-SA 4.0): `hate` and `offensive` are 1, `none` 0; and
the questions and answers of Chatbot_data's train split (npc/training's own split, by a hash of the question; MIT)
as 0 too: news comments alone taught it that 여자 and 남자 are abuse, and everyday talk is what a game's chat holds.
Hyperparameters (an everyday line's weight, the regularisation) are chosen on a tenth of each (by a hash of the
text): the share of held-out toxic comments at or above the bar that keeps ≤ 0.5% of the held-out everyday lines and
≤ 0.5% of the held-out clean comments above it, the point the score is used at. dev.tsv
and Chatbot_data's test split are never read. The bar is the lowest score that keeps ≤ 0.5% of Chatbot_data's
validation questions above it (everyday lines, half the 1% the test split is held to). Deterministic: fixed splits,
seeded, full-batch L-BFGS on one thread.

    $(bash scripts/python-env.sh) moderation/training/train_toxicity.py [--data ../shared/data/korean_hate_speech] [--chatbot-data …/ChatbotData.csv]
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "npc" / "training"))
from kobot_train.data import split_of  # noqa: E402  (Chatbot_data's own split, as the NPC model's training has it)

FORMAT = "kobot-toxicity-1"
NGRAM_RANGES = [(1, 3)]  # 2-4 lost in every run (held-out AUC 0.764 against 0.777; 0.736 against 0.758 with everyday lines)
L2 = [3e-6, 1e-5, 3e-5, 1e-4]
# How much an everyday line weighs beside a comment: 16,000 of them at 1 outweigh the 3,500 clean comments 4 to 1.
EVERYDAY_WEIGHTS = [0.03, 0.1, 0.3, 1.0]
MIN_COMMENTS = 2  # an n-gram in fewer training texts is a name or a typo, not a sign
PRUNE = 0.05  # weights smaller than this move a score by < 1% at most a dozen at a time: dropped from the export
QUESTIONS_ABOVE_BAR = 0.005
SEED = 63


def ngrams_of(normalised: str, lo: int, hi: int) -> set[str]:
    """The distinct character n-grams of a normalised text with a space each side (moderation/toxicity.ts ngramsOf)."""
    padded = f" {normalised} "
    return {padded[i : i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)}


def node_with_tsx() -> list[str]:
    """Node 22 from node_modules (the system's where there is none) with tsx: runs the moderator's TypeScript."""
    node = ROOT / "node_modules" / ".bin" / "node"
    return [str(node) if node.exists() else (shutil.which("node") or "node"), "--import", "tsx"]


def normalised(texts: list[str]) -> list[str]:
    """What the toxicity model reads of each of `texts`: the moderator's own scoredText, as the server scores a line."""
    command = [*node_with_tsx(), "moderation/training/normalise.ts"]
    done = subprocess.run(command, cwd=ROOT, input=json.dumps(texts).encode(), capture_output=True, check=True)
    return json.loads(done.stdout)


def read_comments(path: Path) -> tuple[list[str], np.ndarray]:
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row["comments"] for row in rows], np.array([row["hate"] != "none" for row in rows], dtype=np.float32)


def held_out(text: str) -> bool:
    """One text in ten, by a hash of it: hyperparameters are chosen there."""
    return hashlib.md5(text.encode("utf-8")).digest()[0] < 26


class Features:
    """Rows of n-grams present, each 1/√(distinct n-grams in the row), over a vocabulary of the fitting rows."""

    def __init__(self, fitting: list[set[str]]):
        counts: dict[str, int] = {}
        for grams in fitting:
            for gram in grams:
                counts[gram] = counts.get(gram, 0) + 1
        self.vocabulary = sorted(gram for gram, n in counts.items() if n >= MIN_COMMENTS)
        self.index = {gram: i for i, gram in enumerate(self.vocabulary)}

    def matrix(self, rows: list[set[str]]) -> torch.Tensor:
        crow, cols, values = [0], [], []
        for grams in rows:
            known = sorted(self.index[g] for g in grams if g in self.index)
            cols += known
            values += [1 / math.sqrt(len(grams))] * len(known)
            crow.append(len(cols))
        return torch.sparse_csr_tensor(torch.tensor(crow), torch.tensor(cols, dtype=torch.int64), torch.tensor(values, dtype=torch.float64), size=(len(rows), len(self.vocabulary)))


def fit(x: torch.Tensor, y: np.ndarray, l2: float, weight: np.ndarray) -> tuple[np.ndarray, float]:
    """Weighted logistic regression: each row's loss counts `weight` (an everyday line less than a comment)."""
    torch.manual_seed(SEED)
    target = torch.tensor(y, dtype=torch.float64)
    row_weight = torch.tensor(weight / weight.sum(), dtype=torch.float64)
    x = x.to(torch.float64)
    w = torch.zeros(x.shape[1], dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([w, b], lr=1, max_iter=500, tolerance_grad=1e-7, tolerance_change=1e-10, history_size=20, line_search_fn="strong_wolfe")

    def loss() -> torch.Tensor:
        optimiser.zero_grad()
        logits = (x @ w.unsqueeze(1)).squeeze(1) + b
        value = torch.nn.functional.binary_cross_entropy_with_logits(logits, target, weight=row_weight, reduction="sum") + l2 * (w * w).sum()
        value.backward()
        return value

    optimiser.step(loss)
    return w.detach().numpy(), float(b.item())


def scores(x: torch.Tensor, w: np.ndarray, b: float) -> np.ndarray:
    logits = (x.to(torch.float64) @ torch.tensor(w).unsqueeze(1)).squeeze(1).numpy() + b
    return 1 / (1 + np.exp(-logits))


def auc(score: np.ndarray, y: np.ndarray) -> float:
    """ROC AUC: the chance a toxic comment scores above a clean one (ties half)."""
    order = np.argsort(score, kind="stable")
    ranks = np.empty(len(score))
    ranks[order] = np.arange(1, len(score) + 1)
    for value in np.unique(score):  # ties share their mean rank
        tied = score == value
        ranks[tied] = ranks[tied].mean()
    positives = y == 1
    n_pos, n_neg = positives.sum(), (~positives).sum()
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def chatbot_questions(path: Path, split: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as file:
        return [row["Q"] for row in csv.DictReader(file) if split_of(row["Q"]) == split]


def everyday_lines(path: Path) -> list[str]:
    """The questions and answers of Chatbot_data's train split, each once (an answer recurs for many questions)."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = [row for row in csv.DictReader(file) if split_of(row["Q"]) == "train"]
    return list(dict.fromkeys(text for row in rows for text in (row["Q"], row["A"])))


def row_weights(is_comment: np.ndarray, everyday_weight: float) -> np.ndarray:
    """Each training row's weight: a comment 1, an everyday line `everyday_weight`."""
    return np.where(is_comment, 1.0, everyday_weight)


def caught_below_clean(toxic: np.ndarray, *clean: np.ndarray) -> tuple[float, float]:
    """The bar that keeps ≤ 0.5% of each set of clean scores above it, and the share of toxic scores at or above it."""
    bar = max(float(np.quantile(scores, 1 - QUESTIONS_ABOVE_BAR, method="higher")) for scores in clean) + 1e-9
    return bar, float((toxic >= bar).mean())


def main(argv: list[str] | None = None) -> None:
    """Trains and writes the model and the scorer's test vectors; `argv` as on the command line (the tests pass their own)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "korean_hate_speech", help="Korean HateSpeech's labelled folder (train.tsv)")
    parser.add_argument("--chatbot-data", type=Path, default=ROOT.parent / "shared" / "data" / "chatbot_data" / "ChatbotData.csv", help="Chatbot_data CSV: its train split is clean text, its validation questions set the bar")
    parser.add_argument("--out", type=Path, default=ROOT / "moderation" / "toxicity.json")
    parser.add_argument("--vectors", type=Path, default=ROOT / "test" / "fixtures" / "toxicity-vectors.json", help="lines scored here, for the TypeScript scorer's test")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", message="Sparse")  # torch's notes that CSR is beta and unchecked
    started = time.perf_counter()

    texts, comment_labels = read_comments(args.data / "train.tsv")
    everyday = everyday_lines(args.chatbot_data)
    questions = chatbot_questions(args.chatbot_data, "validation")
    plain = normalised(texts + everyday + questions)
    # Training rows: the comments, then the everyday lines (all clean); `is_comment` tells them apart.
    rows, question_texts = plain[: len(texts) + len(everyday)], plain[len(texts) + len(everyday) :]
    labels = np.concatenate([comment_labels, np.zeros(len(everyday), dtype=np.float32)])
    is_comment = np.arange(len(rows)) < len(texts)
    holdout = np.array([held_out(t) for t in texts + everyday])
    print(
        f"train.tsv: {len(texts)} comments ({int(comment_labels.sum())} toxic); Chatbot_data train split: {len(everyday)} questions and answers;"
        f" {int(holdout.sum())} of them held out; {len(questions)} Chatbot_data validation questions"
    )

    # Settings chosen by the share of held-out toxic comments caught at the bar that keeps ≤ 0.5% of the held-out
    # everyday lines and ≤ 0.5% of the held-out clean comments above it: everyday lines alone chose a model that told
    # chit-chat from news (29% of clean comments flagged), not abuse from talk.
    best = None
    held_comments = is_comment[holdout]
    held_labels = labels[holdout]
    for lo, hi in NGRAM_RANGES:
        grams = [ngrams_of(t, lo, hi) for t in rows]
        features = Features([g for g, h in zip(grams, holdout) if not h])
        x_fit = features.matrix([g for g, h in zip(grams, holdout) if not h])
        x_held = features.matrix([g for g, h in zip(grams, holdout) if h])
        for everyday_weight in EVERYDAY_WEIGHTS:
            for l2 in L2:
                w, b = fit(x_fit, labels[~holdout], l2, row_weights(is_comment[~holdout], everyday_weight))
                held = scores(x_held, w, b)
                quality = auc(held[held_comments], held_labels[held_comments])
                held_bar, caught = caught_below_clean(held[held_labels == 1], held[~held_comments], held[held_comments & (held_labels == 0)])
                print(
                    f"  n-grams {lo}-{hi}, everyday lines weigh {everyday_weight:g}, l2 {l2:g}: {len(features.vocabulary)} n-grams,"
                    f" held-out AUC {quality:.4f}, toxic {caught:.1%} at {held_bar:.3f}"
                )
                if best is None or (caught, quality) > best[:2]:
                    best = (caught, quality, (lo, hi), everyday_weight, l2)
    caught, quality, (lo, hi), everyday_weight, l2 = best
    print(f"chosen: n-grams {lo}-{hi}, everyday lines weigh {everyday_weight:g}, l2 {l2:g}")

    # The export: fitted on all of the training rows with the chosen settings, its small weights dropped.
    grams = [ngrams_of(t, lo, hi) for t in rows]
    features = Features(grams)
    w, b = fit(features.matrix(grams), labels, l2, row_weights(is_comment, everyday_weight))
    kept = np.abs(w) >= PRUNE
    weights = {gram: round(float(v), 4) for gram, v, keep in zip(features.vocabulary, w, kept) if keep}
    w_export = np.array([weights.get(g, 0.0) for g in features.vocabulary])
    b = round(b, 4)
    question_scores = scores(features.matrix([ngrams_of(q, lo, hi) for q in question_texts]), w_export, b)
    bar = round(float(np.quantile(question_scores, 1 - QUESTIONS_ABOVE_BAR, method="higher")) + 0.005, 2)
    print(f"kept {len(weights)} of {len(w)} n-grams (|w| ≥ {PRUNE}); bar {bar}: {(question_scores >= bar).mean():.2%} of validation questions above it")

    # The bar on the held-out rows, by the model fitted without them: what it does to unseen comments and everyday lines.
    held_features = Features([g for g, h in zip(grams, holdout) if not h])
    w_fit, b_fit = fit(held_features.matrix([g for g, h in zip(grams, holdout) if not h]), labels[~holdout], l2, row_weights(is_comment[~holdout], everyday_weight))
    held = scores(held_features.matrix([g for g, h in zip(grams, holdout) if h]), w_fit, b_fit)
    y_held = labels[holdout]
    clean_comments = held_comments & (y_held == 0)
    print(
        f"held-out rows at the bar: toxic comments {(held[y_held == 1] >= bar).mean():.1%} flagged, clean comments"
        f" {(held[clean_comments] >= bar).mean():.1%}, everyday lines {(held[~held_comments] >= bar).mean():.1%}"
    )

    model = {
        "format": FORMAT,
        "ngrams": [lo, hi],
        "bias": b,
        "bar": bar,
        "licence": "CC BY-SA 4.0: the weights derive from Korean HateSpeech (Jihyung Moon, Won Ik Cho, Junbum Lee; "
        "kocohub/korean-hate-speech, labeled/train.tsv), https://creativecommons.org/licenses/by-sa/4.0/, and from "
        "Chatbot_data (songys/Chatbot_data, MIT), its train split's questions and answers",
        "trained": {
            "comments": len(texts),
            "everydayLines": len(everyday),
            "everydayWeight": everyday_weight,
            "l2": l2,
            "minComments": MIN_COMMENTS,
            "prune": PRUNE,
            "heldOutAuc": round(quality, 4),
            "heldOutToxicCaught": round(caught, 4),
        },
        "weights": dict(sorted(weights.items())),
    }
    args.out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KiB) in {time.perf_counter() - started:.0f} s")

    # Lines for the TypeScript scorer's test: toxic and clean comments, everyday questions, and what chat adds.
    lines = [texts[i] for i in (0, 1, 2, 3)] + questions[:3] + ["지현우 나쁜놈", "같이 던전 갈 사람 구해요!", "ㅋㅋㅋ 😀 GG", "Ａｂｃ 씨.발"]
    line_texts = normalised(lines)
    vectors = [
        {"text": t, "normalised": n, "ngrams": sorted(ngrams_of(n, lo, hi)), "score": float(scores(features.matrix([ngrams_of(n, lo, hi)]), w_export, b)[0])}
        for t, n in zip(lines, line_texts)
    ]
    args.vectors.write_text(json.dumps(vectors, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
