"""Where `npm run train` reads and writes: paths from where it was typed; the test vectors only for the shipped model."""
import os
import shutil
import subprocess
from pathlib import Path

from kobot_train.paths import CHATBOT_CSV, MODEL_DIR, TRAINING_DIR
from kobot_train.pipeline import describes_shipped_model


def test_only_a_run_that_writes_the_shipped_model_rewrites_the_test_vectors(tmp_path):
    assert describes_shipped_model(MODEL_DIR, CHATBOT_CSV)
    assert not describes_shipped_model(tmp_path / "experiment", CHATBOT_CSV)
    assert not describes_shipped_model(MODEL_DIR, tmp_path / "small.csv")


def test_train_sh_reads_relative_paths_from_where_it_was_typed(tmp_path):
    (tmp_path / "mine").mkdir()
    shutil.copy(MODEL_DIR / "eval.json", tmp_path / "mine" / "eval.json")
    env = {k: v for k, v in os.environ.items() if k != "INIT_CWD"}
    subprocess.run(["bash", str(TRAINING_DIR / "train.sh"), "--report-only", "--out", "mine"],
                   cwd=tmp_path, env=env, check=True, capture_output=True)
    assert (tmp_path / "mine" / "EVAL.md").read_text(encoding="utf-8").startswith("# NPC model evaluation")
    # npm runs scripts from the repository root and says where it was called in INIT_CWD.
    (tmp_path / "mine" / "EVAL.md").unlink()
    subprocess.run(["bash", str(TRAINING_DIR / "train.sh"), "--report-only", "--out", "mine"],
                   cwd=TRAINING_DIR, env={**env, "INIT_CWD": str(tmp_path)}, check=True, capture_output=True)
    assert (tmp_path / "mine" / "EVAL.md").exists()
