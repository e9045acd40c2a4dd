"""A pipeline run ships its model at the retrieval bar chosen on validation answers, as serving_bar.py chooses it."""
import json
import sys

from transformers import GPT2Config, GPT2LMHeadModel

from kobot_train import pipeline, serving_bar
from kobot_train.data import load_pairs, split_pairs
from kobot_train.tokenizer import train_tokenizer
from tests.test_export import CORPUS

# The engine's validation chrF at each bar (npc/model's, EVAL.md "Retrieval bar served"): 0.3 is chosen.
VALIDATION_CHRF = {0.2: 15.86, 0.25: 15.91, 0.3: 15.84, 0.36: 15.65, 0.42: 15.52, 0.48: 15.04}


ENGINE_EXTRA_DATA = []


def engine_answers(model_dir, data, cli_args, samples=20, split="test", extra_data=()):
    """Stands in for `npm run ask` (evaluate_with_engine): scores by the bar the engine was given."""
    ENGINE_EXTRA_DATA.append(list(extra_data))
    bar = float(cli_args[cli_args.index("--min-score") + 1])
    config = json.loads((model_dir / "config.json").read_text())
    assert config["npc_retrieval"]["k"] == 2 and (model_dir / "knowledge.jsonl").exists(), "the exported model is asked"
    return {"chrf": VALIDATION_CHRF[bar] - 2 * (split == "test"), "verbatim_copy_rate": 0.49, "retrieved_copy_rate": 0.36,
            "shown_rate": 1 - bar, "repetition_rate": 0.01, "mean_length": 12.9}


def trained_run(tmp_path):
    """A random tiny checkpoint as a retrieval run leaves it (final/ beside summary.json), and its data."""
    questions = ["배고파", "오늘 날씨 어때?", "심심해", "졸려", "뭐 해?", "밥 먹었어?"]
    answers = ["밥 먹어요.", "맑을 거예요.", "게임 한 판 어때요?", "주무세요.", "쉬고 있어요.", "네 먹었어요."]
    data = tmp_path / "chatbot_data" / "pairs.csv"
    data.parent.mkdir()
    (data.parent / "LICENSE").write_text("The MIT License (MIT)\n", encoding="utf-8")
    data.write_text("Q,A,label\n" + "".join(f"{q} {i},{answers[i % 6]},0\n" for i in range(80) for q in [questions[i % 6]]),
                    encoding="utf-8")
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("\n".join(CORPUS) + "\n", encoding="utf-8")
    tokenizer = train_tokenizer(CORPUS, vocab_size=400, min_frequency=1)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=128, n_embd=32, n_layer=2, n_head=2,
                        bos_token_id=0, eos_token_id=0, pad_token_id=3)
    final = tmp_path / "run" / "final"
    GPT2LMHeadModel(config).save_pretrained(final)
    tokenizer.save_pretrained(final)
    phase = {"name": "finetune", "steps": 10, "best_step": 10, "best_val_loss": 3.0, "stopped_early": False, "seconds": 6.0}
    summary = {"size": "2x32", "parameters": 100_000, "vocab_size": len(tokenizer), "phases": {"finetune": phase},
               "split_sizes": {"train": 64, "validation": 8, "test": 8}, "pretrain_lines": 0,
               "retrieval": {"k": 2, "min_score": 0.45, "grams": "chars+word-bigrams", "dropout": 0.25, "gold": 0.8}}
    (final.parent / "summary.json").write_text(json.dumps(summary))
    return final, data, reviews


def test_a_pipeline_run_serves_the_bar_chosen_on_validation_not_the_training_bar(tmp_path, monkeypatch):
    final, data, reviews = trained_run(tmp_path)
    out = tmp_path / "out"
    extra = tmp_path / "retrain-candidates.csv"  # reviewed players' questions, trained on as Chatbot_data's
    extra.write_text("Q,A,label,reviewed\n대장간은 어디야,마을 동쪽 끝에 있어요.,0,yes\n", encoding="utf-8")
    monkeypatch.setattr(serving_bar, "evaluate_with_engine", engine_answers)
    monkeypatch.setattr(sys, "argv", ["pipeline", "--checkpoint", str(final), "--data", str(data),
                                      "--pretrain-data", str(reviews), "--out", str(out), "--extra-data", str(extra)])
    pipeline.main()
    # The engine's copies are counted against every answer it trained on: extra-data's answers are in its knowledge file.
    assert ENGINE_EXTRA_DATA and all(given == [extra] for given in ENGINE_EXTRA_DATA), ENGINE_EXTRA_DATA
    # The index the model was trained with ships: the training split, the extra data's pairs included, no test question.
    knowledge = [json.loads(line) for line in (out / "knowledge.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {"q": "대장간은 어디야", "a": "마을 동쪽 끝에 있어요."} in knowledge
    held_out = {p.question for p in split_pairs(load_pairs(data))["test"]}
    assert held_out and not held_out & {row["q"] for row in knowledge}
    assert json.loads((out / "config.json").read_text())["npc_retrieval"]["min_score"] == 0.3
    evaluation = json.loads((out / "eval.json").read_text())
    assert evaluation["training"]["retrieval"]["min_score"] == 0.45, "trained at its own bar"
    assert evaluation["served"]["min_score"] == 0.3 and evaluation["served"]["test"]["chrf"] == 13.84
    assert "| 0.3 (chosen) (served) | 15.84 |" in (out / "EVAL.md").read_text(encoding="utf-8")
    assert "Served with retrieval min score 0.3" in (out / "README.md").read_text(encoding="utf-8")
    assert (out / "LICENSE.chatbot_data").read_text(encoding="utf-8") == "The MIT License (MIT)\n", "its pairs' licence ships with them"


def test_a_run_that_fails_after_exporting_leaves_the_model_that_was_there(tmp_path, monkeypatch):
    final, data, reviews = trained_run(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(serving_bar, "evaluate_with_engine", engine_answers)
    monkeypatch.setattr(sys, "argv", ["pipeline", "--checkpoint", str(final), "--data", str(data),
                                      "--pretrain-data", str(reviews), "--out", str(out), "--serving-bars"])
    pipeline.main()
    shipped = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "notes.txt").write_text("a studio's own file")

    def killed(*args, **kwargs):  # the evaluation runs minutes after the export: a run stopped there
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "evaluate", killed)
    retrained = GPT2Config.from_pretrained(final)
    retrained.n_layer = 1
    GPT2LMHeadModel(retrained).save_pretrained(final)
    try:
        pipeline.main()
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("the run was to stop")
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != "notes.txt"} == shipped
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chatbot_data", "out", "reviews.txt", "run"], "nothing half written"

    monkeypatch.undo()
    monkeypatch.setattr(serving_bar, "evaluate_with_engine", engine_answers)
    monkeypatch.setattr(sys, "argv", ["pipeline", "--checkpoint", str(final), "--data", str(data),
                                      "--pretrain-data", str(reviews), "--out", str(out), "--serving-bars"])
    pipeline.main()
    assert json.loads((out / "config.json").read_text())["n_layer"] == 1, "a finished run ships its model"
    assert (out / "notes.txt").read_text() == "a studio's own file", "files the pipeline does not write stay"
