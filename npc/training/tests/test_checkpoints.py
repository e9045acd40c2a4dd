"""Checkpoints survive a run killed while saving one."""
import pytest

from kobot_train.trainer import recovered, replace_folder


def write_text(text):
    return lambda folder: (folder / "state.txt").write_text(text)


def test_a_save_that_dies_halfway_leaves_the_checkpoint_before(tmp_path):
    last = tmp_path / "last"
    replace_folder(last, write_text("step 100"))

    def dies(folder):
        (folder / "state.txt").write_text("step 2")  # torn: the run is killed here
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_folder(last, dies)
    assert (recovered(last) / "state.txt").read_text() == "step 100"
    replace_folder(last, write_text("step 200"))
    assert (last / "state.txt").read_text() == "step 200"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last"]


def test_a_run_killed_between_the_renames_finds_the_checkpoint_before(tmp_path):
    last = tmp_path / "last"
    replace_folder(last, write_text("step 100"))
    last.rename(tmp_path / "last.old")  # the first rename done, the second not
    assert (recovered(last) / "state.txt").read_text() == "step 100"
