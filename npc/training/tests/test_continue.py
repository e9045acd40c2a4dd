"""Continuing from a shipped model: its weights come back from the ONNX file, and the neighbour schemes."""
import argparse
import shutil
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from transformers import GPT2Config

from kobot_train.data import Pair
from kobot_train.export import rewrite_graphs
from kobot_train.model_sizes import gpt2_config, size_name
from kobot_train.onnx_weights import model_from_export
from kobot_train.paths import MODEL_DIR
from kobot_train.retrieval import DEFAULT_GRAMS
from kobot_train.train import Neighbours


def test_the_shipped_model_comes_back_from_its_onnx_file_with_the_same_logits():
    model = model_from_export(MODEL_DIR).eval()
    ids = np.array([[1, 500, 600, 700, 2]], dtype=np.int64)
    session = ort.InferenceSession(str(MODEL_DIR / "onnx" / "model.onnx"))
    feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "position_ids": np.arange(ids.shape[1])[None],
            "num_logits_to_keep": np.array(0, dtype=np.int64)}
    cfg = model.config
    for layer in range(cfg.n_layer):
        for kind in ("key", "value"):
            feed[f"past_key_values.{layer}.{kind}"] = np.zeros((1, cfg.n_head, 0, cfg.n_embd // cfg.n_head), np.float32)
    expected = session.run(["logits"], feed)[0]
    with torch.no_grad():
        actual = model(torch.from_numpy(ids)).logits.numpy()
    np.testing.assert_allclose(actual, expected, atol=1e-4)
    assert model.lm_head.weight.data_ptr() == model.transformer.wte.weight.data_ptr(), "tied, as exported"
    assert size_name(cfg) == "tiny", "a run continuing it records its size, whatever --size says"


def test_the_shipped_graphs_are_what_the_exporter_writes_from_the_shipped_weights(tmp_path: Path):
    """So a change to the graph code is shipped (`export --graphs-of`), never left in the code alone."""
    copy = tmp_path / "model"
    shutil.copytree(MODEL_DIR / "onnx", copy / "onnx")
    shutil.copy(MODEL_DIR / "config.json", copy / "config.json")
    rewritten = rewrite_graphs(copy)
    assert set(rewritten) == {f"onnx/{p.name}" for p in (MODEL_DIR / "onnx").iterdir()}
    for shipped in sorted((MODEL_DIR / "onnx").glob("*.onnx")):
        written = onnx.load(copy / "onnx" / shipped.name, load_external_data=False)
        assert written.graph == onnx.load(shipped, load_external_data=False).graph, f"{shipped.name} is stale"
    assert (copy / "onnx" / "model.onnx_data").read_bytes() == (MODEL_DIR / "onnx" / "model.onnx_data").read_bytes()


def test_a_shape_outside_the_named_sizes_is_named_by_layers_and_width():
    assert size_name(gpt2_config("small", 8000, 0, 0, 3)) == "small"
    assert size_name(GPT2Config(n_layer=3, n_embd=128, n_head=2)) == "3x128"


PAIRS = [Pair("배고파", "밥 드세요.", 0), Pair("배고프다", "뭐라도 드세요.", 0), Pair("졸려", "주무세요.", 0),
         Pair("졸리다", "낮잠 어때요?", 0)]


def neighbours(gold: float, drill: float) -> Neighbours:
    args = argparse.Namespace(retrieval_k=2, retrieval_min_score=0.0, retrieval_grams=DEFAULT_GRAMS, retrieval_dropout=0.0,
                              retrieval_gold=gold, retrieval_drill=drill, seed=1)
    return Neighbours(args, PAIRS)


def test_neighbours_exclude_the_pair_itself_unless_a_scheme_shows_its_answer():
    plain = neighbours(0.0, 0.0)
    assert plain.context("배고파", True, 0)[-1] == ("배고프다", "뭐라도 드세요."), "the best other pair, right before"
    assert plain.example(PAIRS[0], True, 0) == PAIRS[0]
    gold = neighbours(1.0, 0.0).context("배고파", True, 0)
    assert gold[-1] == ("배고프다", "밥 드세요."), "alpha-blending: the neighbour's question with this pair's answer"
    drill = neighbours(0.0, 1.0)
    shown = drill.context("배고파", True, 0)
    learnt = drill.example(PAIRS[0], True, 0)
    assert shown[-1] == ("배고파", learnt.answer) and len(shown) == 2, "the question itself, with the answer to learn"
    assert learnt.question == "배고파" and learnt.answer in {p.answer for p in PAIRS}
    unseen = "배고파요"  # a validation question: the schemes change nothing outside training
    assert neighbours(1.0, 1.0).context(unseen, False, 0) == plain.context(unseen, False, 0)
    assert neighbours(1.0, 1.0).example(PAIRS[0], False, 0) == PAIRS[0]


def test_the_loop_guard_cuts_a_repeated_unit_back_to_one_saying_as_the_engine_does():
    from kobot_train.loop_guard import loop_unit, without_loop
    assert loop_unit([5, 7, 8, 7, 8, 7, 8]) == 2
    assert without_loop([5, 7, 8, 7, 8, 7, 8]) == [5, 7, 8]
    assert without_loop([9, 9, 9]) == [9]
    assert loop_unit([1, 2, 1, 2, 3]) == 0, "twice is speech (하하, 네 네), three times is a loop"
    assert loop_unit([1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]) == 4
    six = [4, 5, 6, 7, 8, 9]
    assert loop_unit([1, *six, *six, *six]) == 6
    assert without_loop([1, *six, *six, *six]) == [1, *six]


def test_a_model_name_says_pretraining_steps_over_its_runs_and_a_non_default_retrieval_and_bar():
    from kobot_train.pipeline import model_name
    first = {"size": "tiny", "parameters": 5_240_320, "retrieval": {"k": 2}, "phases": {"pretrain": {"steps": 800}}}
    second = {"size": "tiny", "parameters": 5_240_320, "phases": {"pretrain": {"steps": 1400}, "finetune": {}},
              "retrieval": {"k": 2, "grams": "chars+word-bigrams", "gold": 0.8}, "continued_from": first}
    assert model_name(second) == "kobot-gpt2-tiny-5.2m-pt2200-retrieval-gold80"
    assert model_name(first) == "kobot-gpt2-tiny-5.2m-pt800-retrieval-bigrams"
    assert model_name({**first, "retrieval": {"k": 0}, "phases": {}}) == "kobot-gpt2-tiny-5.2m"
    lower_bar = {**second, "retrieval": {**second["retrieval"], "min_score": 0.3}}
    assert model_name(lower_bar) == "kobot-gpt2-tiny-5.2m-pt2200-retrieval-min30-gold80"
    assert model_name({**second, "retrieval": {**second["retrieval"], "min_score": 0.45}}) == model_name(second)
