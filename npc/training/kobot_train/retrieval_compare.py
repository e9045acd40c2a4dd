"""How well each way of cutting questions into grams retrieves; writes a markdown table for EVAL.md.

    python -m kobot_train.retrieval_compare [--table runs/retrieval.md]

Chatbot_data gives many questions the same answer in other words ("머리 아파" and "두통이 심해"), so a
retrieval method is as good as how often the pair it finds for a validation or test question (index: the
training split) carries that question's own reference answer. No model is involved.
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Callable

from .data import load_pairs, split_pairs
from .paths import CHATBOT_CSV, MODEL_DIR, RUNS_DIR
from .retrieval import DEFAULT_MIN_SCORE, KnowledgeIndex, cross_word_bigrams, grams


def in_word_bigrams(text: str) -> list[str]:
    """Bigrams inside words only, no single characters (a one-character word counts as itself)."""
    return [g for g in grams(text) if len(g) == 2] + [w for w in re.findall(r"[^\W_]+", text.lower()) if len(w) == 1]


class Morphemes:
    """Kiwi's morphemes (kiwipiepy, the analyser the analytics job uses), each as form/tag: the issue's other
    choice for short Korean text, measured here against character grams (not served: the TypeScript engine has
    no analyser, and it does not find more own answers, below). Analysed once for all questions at a time."""

    def __init__(self):
        from kiwipiepy import Kiwi

        self.kiwi = Kiwi(load_typo_dict=False, load_multi_dict=False)
        self.seen: dict[str, list[str]] = {}

    def analyse(self, texts: list[str]) -> None:
        new = sorted({t for t in texts if t not in self.seen})
        for text, tokens in zip(new, self.kiwi.tokenize(new)):
            self.seen[text] = [f"{t.form}/{t.tag}" for t in tokens]

    def __call__(self, text: str) -> list[str]:
        if text not in self.seen:
            self.analyse([text])
        return self.seen[text]

    def with_grams(self, text: str) -> list[str]:
        return self(text) + grams(text)


def methods(model_dir: Path = MODEL_DIR) -> dict[str, tuple[Callable[[str], list[str]], float]]:
    """Each with the similarity below which no pair is shown: single characters raise every score, so the new
    method's bar is higher. Trained at DEFAULT_MIN_SCORE (training questions are all in the index); served at the
    shipped model's bar, chosen on validation answers by `serving_bar.py` (read when the table is made)."""
    served = json.loads((model_dir / "config.json").read_text())["npc_retrieval"]["min_score"]
    morphemes = Morphemes()  # one analyser, one analysis, for both morpheme methods
    return {
        "bigrams across words (`bigrams`, before)": (cross_word_bigrams, 0.35),
        "bigrams inside words": (in_word_bigrams, 0.35),
        "characters + bigrams inside words (`chars+word-bigrams`), training bar": (grams, DEFAULT_MIN_SCORE),
        "the same, served (npc/model/config.json)": (grams, served),
        "morphemes (kiwipiepy form/tag), not served": (morphemes, served),
        "morphemes + characters + bigrams inside words, not served": (morphemes.with_grams, served),
    }


def same_answer(a: str, b: str) -> bool:
    return re.sub(r"[\W_]", "", a) == re.sub(r"[\W_]", "", b)


def scores(index: KnowledgeIndex, questions: list[tuple[str, str]], min_score: float) -> dict[str, float]:
    """Shares of questions: own answer in the best pair, in the best two, a pair shown at all (≥ min_score),
    and among those shown, own answer in the best pair."""
    top1 = top2 = shown = shown_right = 0
    for question, answer in questions:
        hits = index.search(question, 2)
        found = [index.pairs[h.index][1] for h in hits]
        right = bool(found) and same_answer(found[0], answer)
        top1 += right
        top2 += any(same_answer(f, answer) for f in found)
        if hits and hits[0].score >= min_score:
            shown += 1
            shown_right += right
    n = len(questions)
    return {"top1": top1 / n, "top2": top2 / n, "shown": shown / n, "precision": shown_right / max(1, shown)}


def compare(data: Path) -> str:
    splits = split_pairs(load_pairs(data))
    train = [(p.question, p.answer) for p in splits["train"]]
    rows = ["## Retrieval methods compared", "",
            "How often the pair found for a question (index: the training split) carries that question's own reference "
            "answer (Chatbot_data gives many questions one answer in other words); no model involved "
            "(`python -m kobot_train.retrieval_compare`). A pair is shown to the model only at or above the min score; "
            "the shares shown count a question's grams that no indexed question has, as serving does (older engines' "
            "bigrams across words at 0.35 showed pairs for 83.8% of test questions). Morphemes (Kiwi, the "
            "issue's other choice) find the own answer no more often alone, and added to the grams 1 point more often: "
            "not worth a morphological analyser in the engine.",
            "",
            "| method | min score | validation: own answer first | in the best 2 | test: own answer first "
            "| in the best 2 | test questions shown a pair | of those, own answer first |", "|---|---|---|---|---|---|---|---|"]
    questions = [q for q, _ in train] + [p.question for split in ("validation", "test") for p in splits[split]]
    for name, (cut, min_score) in methods().items():
        if isinstance(analyser := getattr(cut, "__self__", cut), Morphemes):
            analyser.analyse(questions)  # one call: Kiwi analyses a list far faster than line by line (then a no-op)
        index = KnowledgeIndex(train, cut)
        val = scores(index, [(p.question, p.answer) for p in splits["validation"]], min_score)
        test = scores(index, [(p.question, p.answer) for p in splits["test"]], min_score)
        rows.append(f"| {name} | {min_score} | {val['top1']:.1%} | {val['top2']:.1%} | {test['top1']:.1%} "
                    f"| {test['top2']:.1%} | {test['shown']:.1%} | {test['precision']:.1%} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=CHATBOT_CSV)
    parser.add_argument("--table", type=Path, default=RUNS_DIR / "retrieval.md")
    args = parser.parse_args()
    table = compare(args.data)
    args.table.parent.mkdir(parents=True, exist_ok=True)
    args.table.write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
