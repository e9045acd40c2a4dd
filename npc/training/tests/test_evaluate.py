from pathlib import Path

import pytest
import torch

from kobot_train.data import Pair
from kobot_train.evaluate import generate_answers, reference_copy_rate
from kobot_train.metrics import chrf, distinct_n, has_repetition, shown_copy_rate, verbatim_copy_rate
from kobot_train.prompt import clean_answer, question_prompt
from tests.test_export import CORPUS, random_gpt2
from kobot_train.tokenizer import train_tokenizer


def test_batched_generation_matches_one_by_one_and_plain_generate():
    tokenizer = train_tokenizer(CORPUS, vocab_size=400, min_frequency=1)
    model = random_gpt2(len(tokenizer), eos=0, pad=3)
    prompts = [question_prompt(q) for q in ["배고파", "오늘 날씨 어때?", "심심해"]]
    batched = generate_answers(model, tokenizer, prompts, {"do_sample": False}, max_new_tokens=6)
    single = [generate_answers(model, tokenizer, [p], {"do_sample": False}, max_new_tokens=6)[0] for p in prompts]
    assert batched == single
    # The tokenizer must not hand GPT-2 token_type_ids (they would be added as embeddings).
    ids = torch.tensor([tokenizer.encode(prompts[0], add_special_tokens=False)])
    plain = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), max_new_tokens=6, do_sample=False,
                           pad_token_id=3, eos_token_id=0)
    assert clean_answer(tokenizer.decode(plain[0, ids.shape[1]:])) == single[0]


def test_metrics_on_known_answers():
    assert verbatim_copy_rate(["밥 먹어요.", "새 답"], {"밥  먹어요."}) == 0.5
    assert has_repetition("정말 좋아요 정말 좋아요") and not has_repetition("정말 좋아요") and has_repetition("하하하하하하")
    # A unit shorter than four characters said twice is speech, not repetition (EVAL.md: a character 4-gram twice).
    assert not has_repetition("좋아요 좋아요") and not has_repetition("네 네")
    # chrF as sacrebleu's default (character 6-grams, no word n-grams, beta 2), hypothesis first: precision and recall
    # averaged over the orders both sides have (1 to 3 here): P = 1, R = (3/4 + 2/3 + 1/2) / 3 = 23/36,
    # F = 5PR / (4P + R) = 115/167. Swapped, or chrF++ (word 1- and 2-grams too), it is another number.
    assert chrf(["배고파"], ["배고파요"]) == pytest.approx(100 * 115 / 167)
    assert chrf(["배고파", "졸려"], ["배고파", "졸려"]) == pytest.approx(100.0)
    assert distinct_n(["a b", "a c"], 1) == 0.75
    assert shown_copy_rate(["밥 먹어요.", "새 답", "x"], [["밥  먹어요."], ["다른 답"], []]) == 1 / 3
    assert reference_copy_rate([Pair("배고프다", "밥  먹어요.", 0), Pair("졸려", "자요.", 0)], {"밥 먹어요."}) == 0.5


def test_serving_bar_is_the_highest_close_to_the_best_validation_chrf_within_the_copy_bound():
    from kobot_train.serving_bar import choose

    def row(bar, chrf, copies, penalty=None):
        return {"bar": bar, "penalty": penalty, "validation": {"chrf": chrf, "verbatim_copy_rate": copies}}

    rows = [row(0.2, 15.86, 0.49), row(0.25, 15.91, 0.49), row(0.3, 15.84, 0.49), row(0.36, 15.65, 0.5), row(0.42, 15.52, 0.48)]
    assert choose(rows)["bar"] == 0.3  # 0.36 is 0.26 below the best
    assert choose([row(0.2, 15.9, 0.55), row(0.3, 15.85, 0.49)])["bar"] == 0.3  # 0.2 copies too much
    assert choose([row(0.2, 15.9, 0.51), row(0.3, 15.85, 0.51)]) is None
    assert choose([row(0.2, 15.9, 0.55), row(0.3, 15.85, 0.5)])["bar"] == 0.3, "copying in half the cases is within the bound"
    assert choose([row(0.3, 15.9, 0.49), row(0.42, 15.75, 0.45)])["bar"] == 0.3, "0.15 below the best is not within 0.1"
    # The bound is a constraint, chrF is what it maximises: a copying setting far ahead does not hide the rest.
    grid = [row(0.3, 23.6, 0.79, 1.0), row(0.3, 18.6, 0.53, 1.2), row(0.3, 16.5, 0.44, 1.25), row(0.3, 14.6, 0.36, 1.3),
            row(0.42, 15.9, 0.45, 1.25)]
    assert (choose(grid)["bar"], choose(grid)["penalty"]) == (0.3, 1.25)
    tie = [row(0.3, 16.5, 0.44, 1.25), row(0.3, 16.45, 0.40, 1.3)]
    assert choose(tie)["penalty"] == 1.25, "within the tolerance, the lighter penalty"


def test_evaluate_on_its_own_shows_a_retrieval_model_the_neighbours_it_was_trained_with(tmp_path, monkeypatch):
    import json
    import sys

    from kobot_train import evaluate

    (tmp_path / "final").mkdir()
    (tmp_path / "summary.json").write_text(json.dumps(
        {"retrieval": {"k": 2, "min_score": 0.45, "grams": "chars+word-bigrams"}}))
    calls = []
    monkeypatch.setattr(evaluate, "evaluate", lambda *args, **kwargs: calls.append(kwargs) or {"decodings": {}})
    for flags, k in [([], 2), (["--retrieval-k", "0"], 0)]:
        monkeypatch.setattr(sys, "argv", ["evaluate", "--model", str(tmp_path / "final"), "--json", str(tmp_path / "e.json"), *flags])
        evaluate.main()
        assert (calls[-1]["retrieval_k"], calls[-1]["min_score"], calls[-1]["grams"]) == (k, 0.45, "chars+word-bigrams")


def distinct_data(tmp_path):
    """Pairs whose answers all differ, and reviewed rows (--extra-data), asked otherwise, that answer each test question
    with its reference word for word."""
    from kobot_train.data import load_pairs, split_pairs

    data = tmp_path / "distinct.csv"
    data.write_text("Q,A,label\n" + "".join(f"질문 {i}번,답 {i}번이에요.,0\n" for i in range(60)), encoding="utf-8")
    test = split_pairs(load_pairs(data))["test"]
    assert test and split_pairs(load_pairs(data))["validation"]
    extra = tmp_path / "retrain-candidates.csv"
    extra.write_text("Q,A,label,reviewed\n" + "".join(f"다르게 물은 말 {i},{p.answer},0,yes\n" for i, p in enumerate(test)),
                     encoding="utf-8")
    return data, extra, test


def test_evaluate_scores_the_test_split_against_every_answer_the_model_learnt(tmp_path):
    from kobot_train.evaluate import evaluate
    from tests.test_pipeline_serving import trained_run

    final, _, _ = trained_run(tmp_path)
    data, extra, test = distinct_data(tmp_path)
    greedy = {"greedy": {"do_sample": False}}
    result = evaluate(final, data, greedy, samples=100, extra_data=[extra])
    # EVAL.md: scored on the test split, never validation.
    assert result["test_pairs"] == len(test)
    assert sorted(s["question"] for s in result["decodings"]["greedy"]["samples"]) == sorted(p.question for p in test)
    # The extra data's answers were learnt (trained_pairs): a test reference among them is a copy of one.
    assert result["reference_verbatim_copy_rate"] == 1.0
    assert evaluate(final, data, greedy, samples=0)["reference_verbatim_copy_rate"] == 0.0


def test_the_engines_copies_are_counted_against_the_extra_datas_answers_too(tmp_path, monkeypatch):
    import json
    import subprocess

    from kobot_train import evaluate

    data, extra, test = distinct_data(tmp_path)
    reference = {p.question: p.answer for p in test}

    def ask(command, **kwargs):  # stands in for `npm run ask -- --json`: answers each question with its reference
        questions = Path(command[command.index("--file") + 1]).read_text(encoding="utf-8").splitlines()
        rows = [json.dumps({"answer": reference[q], "retrieved": [], "ms": 5}, ensure_ascii=False) for q in questions]
        return subprocess.CompletedProcess(command, 0, "\n".join(rows) + "\n", "")

    monkeypatch.setattr(evaluate.subprocess, "run", ask)
    entry = evaluate.evaluate_with_engine(tmp_path, data, [], samples=0, extra_data=[extra])
    assert entry["chrf"] == 100.0 and entry["verbatim_copy_rate"] == 1.0, "every answer is one the extra data taught"
    assert evaluate.evaluate_with_engine(tmp_path, data, [], samples=0)["verbatim_copy_rate"] == 0.0
