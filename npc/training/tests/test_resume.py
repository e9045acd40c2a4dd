"""A run folder resumes only the run it holds: other training arguments are refused, runtime flags are not."""
import argparse
import json

import pytest

from kobot_train.data import DataError
from kobot_train.train import ResumeError, add_arguments, train


def arguments(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(list(flags))


def started(run, *flags: str) -> None:
    """A run folder as train() leaves it: args.json holds the arguments it was started with."""
    run.mkdir()
    (run / "args.json").write_text(json.dumps({k: str(v) for k, v in vars(arguments("--run", str(run), *flags)).items()}))


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
