"""A run folder resumes only the run it holds: other training arguments are refused, runtime flags are not."""
import argparse
import json

import pytest

from kobot_train.data import DataError
from kobot_train.train import CONTENTS, ResumeError, add_arguments, data_contents, train


def arguments(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(flags))


def started(run, *flags: str) -> None:
    """A run folder as train() leaves it: args.json holds the arguments it was started with, and what its data held."""
    run.mkdir()
    args = arguments("--run", str(run), *flags)
    (run / "args.json").write_text(json.dumps({**{k: str(v) for k, v in vars(args).items()}, CONTENTS: data_contents(args)}))


def test_resuming_with_other_training_arguments_is_refused_naming_them(tmp_path):
    run = tmp_path / "run"
    started(run, "--size", "tiny")
    with pytest.raises(ResumeError, match=r"--size tiny then, small now; --epochs 6 then, 8 now\)") as refused:
        train(arguments("--run", str(run), "--size", "small", "--epochs", "8"))
    assert "--seed" not in str(refused.value)
    with pytest.raises(ResumeError, match=r"--retrieval-min-score 0.45 then, 0.3 now"):
        train(arguments("--run", str(run), "--retrieval-min-score", "0.3"))
    assert json.loads((run / "args.json").read_text())["size"] == "tiny", "args.json still says what the run is"


def test_resuming_on_another_device_or_thread_count_goes_on(tmp_path):
    run = tmp_path / "run"
    missing = str(tmp_path / "missing.csv")  # past the check, the run stops at reading its data
    started(run, "--data", missing, "--device", "cuda", "--threads", "2")
    with pytest.raises(DataError, match="missing.csv"):
        train(arguments("--run", str(run), "--data", missing, "--device", "cpu", "--threads", "0"))


def test_resuming_after_the_extra_data_was_reviewed_again_is_refused(tmp_path):
    """The review loop: rows reviewed after a run are not trained on by resuming it (its phases are done), while its
    export's knowledge file and summary would hold them."""
    run, extra = tmp_path / "run", tmp_path / "retrain-candidates.csv"
    missing = str(tmp_path / "missing.csv")  # past the checks, the run stops at reading its data
    extra.write_text("Q,A,label,reviewed\n대장간은 어디야,마을 동쪽 끝,0,yes\n", encoding="utf-8")
    started(run, "--data", missing, "--extra-data", str(extra))
    with pytest.raises(DataError):  # the same rows: resumed
        train(arguments("--run", str(run), "--data", missing, "--extra-data", str(extra)))
    extra.write_text(extra.read_text(encoding="utf-8") + "보스는 어디 있어,동굴 안쪽,0,yes\n", encoding="utf-8")
    with pytest.raises(ResumeError, match=r"other rows of .*retrain-candidates.csv .*give a new --run"):
        train(arguments("--run", str(run), "--data", missing, "--extra-data", str(extra)))


def test_resuming_with_the_same_relative_extra_data_name_in_another_folder_of_other_rows_is_refused(tmp_path, monkeypatch):
    """`npm run train -- --extra-data retrain-candidates.csv` typed in next week's reports folder: last week's run
    was resumed, its phases done, and the new rows never trained on."""
    run, missing = tmp_path / "run", str(tmp_path / "missing.csv")
    for week, row in (("week1", "대장간은 어디야,마을 동쪽 끝"), ("week2", "보스는 어디 있어,동굴 안쪽")):
        (tmp_path / week).mkdir()
        (tmp_path / week / "retrain-candidates.csv").write_text(f"Q,A,label,reviewed\n{row},0,yes\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "week1")
    started(run, "--data", missing, "--extra-data", "retrain-candidates.csv")
    monkeypatch.chdir(tmp_path / "week2")
    with pytest.raises(ResumeError, match=r"other rows of .*week2.*retrain-candidates.csv"):
        train(arguments("--run", str(run), "--data", missing, "--extra-data", "retrain-candidates.csv"))


def test_resuming_with_extra_data_named_relative_once_and_absolute_the_next_goes_on(tmp_path, monkeypatch):
    run, extra = tmp_path / "run", tmp_path / "extra.csv"
    extra.write_text("Q,A,label\n", encoding="utf-8")
    missing = str(tmp_path / "missing.csv")
    monkeypatch.chdir(tmp_path)
    started(run, "--data", missing, "--extra-data", "extra.csv")
    with pytest.raises(DataError):
        train(arguments("--run", str(run), "--data", missing, "--extra-data", str(extra)))


def test_a_run_stopped_on_its_data_can_start_again_with_the_data_mended(tmp_path):
    run = tmp_path / "run"
    with pytest.raises(DataError):
        train(arguments("--run", str(run), "--data", str(tmp_path / "missing.csv")))
    assert not (run / "args.json").exists(), "no run started: the mended --data is not refused as another run's"


def test_too_little_pretraining_text_is_a_data_error_not_a_crash_or_a_step_2_best(tmp_path):
    data, text = tmp_path / "pairs.csv", tmp_path / "reviews.txt"
    data.write_text("Q,A,label\n" + "".join(f"질문 {i} 번,대답 {i} 번이에요,0\n" for i in range(200)), encoding="utf-8")
    text.write_text("".join(f"짧은 리뷰 {i} 재밌어요\n" for i in range(150)), encoding="utf-8")
    flags = ["--run", str(tmp_path / "run"), "--data", str(data), "--pretrain-data", str(text), "--pretrain-lines", "150",
             "--size", "tiny", "--vocab-size", "400"]
    with pytest.raises(DataError, match=r"reviews\.txt: 150 lines make \d+ blocks .* give more text"):
        train(arguments(*flags))
    # What the error suggests is taken, not refused as another run's arguments (args.json and a tokenizer of that text).
    train(arguments(*flags[:-4], "--pretrain-lines", "0", "--epochs", "1", "--size", "tiny", "--vocab-size", "400"))


def test_a_mistyped_init_from_is_a_data_error_and_the_mended_path_is_taken(tmp_path):
    run = tmp_path / "run"
    with pytest.raises(DataError, match="--init-from .*not a model folder"):
        train(arguments("--run", str(run), "--init-from", str(tmp_path / "no-such-model")))
    assert not (run / "args.json").exists()


def tiny_pretraining_run(tmp_path, run):
    data, text = tmp_path / "pairs.csv", tmp_path / "reviews.txt"
    data.write_text("Q,A,label\n" + "".join(f"질문 {i} 번,대답 {i} 번이에요,0\n" for i in range(200)), encoding="utf-8")
    text.write_text("".join(f"이 영화 {i} 번 보았는데 배우들 연기가 정말 좋았고 이야기도 재밌었어요 다음에 또 볼래요\n" for i in range(3000)), encoding="utf-8")
    return train(arguments("--run", str(run), "--data", str(data), "--pretrain-data", str(text), "--pretrain-lines", "3000",
                           "--pretrain-steps", "4", "--pretrain-batch-size", "2", "--epochs", "1", "--batch-size", "16",
                           "--size", "tiny", "--vocab-size", "400", "--threads", "1"))


def test_a_run_with_enough_pretraining_text_pretrains_then_fine_tunes(tmp_path):
    """Every pretraining run stopped before its first step (an older check took `not` of the held-out tensor)."""
    run = tmp_path / "run"
    tiny_pretraining_run(tmp_path, run)
    summary = json.loads((run / "summary.json").read_text())
    assert summary["phases"]["pretrain"]["steps"] == 4
    assert "finetune" in summary["phases"]


def test_a_run_stopped_between_its_phases_ends_with_the_weights_of_one_never_stopped(tmp_path):
    """Fine-tuning began from whatever random state the process had: after pretraining's dropout draws, or, resumed
    past pretraining's end, right after seeding; other dropout masks, other weights (up to 0.058 apart)."""
    import shutil

    from transformers import GPT2LMHeadModel

    whole, stopped = tmp_path / "whole", tmp_path / "stopped"
    tiny_pretraining_run(tmp_path, whole)
    tiny_pretraining_run(tmp_path, stopped)
    for phase in ("finetune", "final"):
        shutil.rmtree(stopped / phase)  # as a run killed once pretraining was done, before fine-tuning's first checkpoint
    final = tiny_pretraining_run(tmp_path, stopped)
    expected = GPT2LMHeadModel.from_pretrained(whole / "final").state_dict()
    for name, weights in GPT2LMHeadModel.from_pretrained(final).state_dict().items():
        assert (weights == expected[name]).all(), name
