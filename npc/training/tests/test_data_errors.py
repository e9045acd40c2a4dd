"""Training data a person made by hand (a spreadsheet, reviewed candidates): every mistake named in one line."""
import subprocess

import pytest

from kobot_train.data import DataError, load_pairs
from kobot_train.paths import TRAINING_DIR


def write(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "pairs.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_a_spreadsheets_byte_order_mark_is_not_part_of_the_first_column(tmp_path):
    assert [(p.question, p.answer) for p in load_pairs(write(tmp_path, "\ufeffQ,A,label\n배고파,밥 먹어요,0\n"))] == [("배고파", "밥 먹어요")]


@pytest.mark.parametrize("text, error", [
    ("Q,A,label\n질문만 있는 줄\n", r"pairs\.csv:2: a row needs a question and an answer"),
    ("Q,A,label\n배고파,밥 먹어요,슬픔\n", r"pairs\.csv:2: label '슬픔' is not a whole number"),
    ("Q,A,label\n", r"no question and answer rows"),
    ("Question,Answer\n배고파,밥\n", r"missing columns \['A', 'Q'\]"),
])
def test_names_the_file_and_line_of_what_is_wrong(tmp_path, text, error):
    with pytest.raises(DataError, match=error):
        load_pairs(write(tmp_path, text))


def test_a_file_that_is_not_utf8_or_cp949_or_not_there(tmp_path):
    with pytest.raises(DataError, match="neither UTF-8 nor CP949 text"):
        load_pairs(write(tmp_path, "Q,A\n배고파,밥\n", encoding="utf-16"))
    with pytest.raises(DataError, match="cannot read it"):
        load_pairs(tmp_path / "none.csv")


def test_the_pipeline_says_it_in_one_line_before_training(tmp_path):
    bad = write(tmp_path, "Q,A,label\n질문만 있는 줄\n")
    for args, said in [(["--data", str(bad)], "pairs.csv:2: a row needs"),
                       (["--data", str(tmp_path / "none.csv")], "none.csv: no such file")]:
        done = subprocess.run(["bash", str(TRAINING_DIR / "train.sh"), *args, "--run", str(tmp_path / "run"), "--out", str(tmp_path / "out")],
                              capture_output=True, text=True)
        assert done.returncode == 1
        assert done.stderr.strip().splitlines()[-1].startswith("train: ") and said in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()
