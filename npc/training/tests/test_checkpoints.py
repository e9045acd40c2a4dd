"""Checkpoints survive a run killed while saving one."""
import pytest

from kobot_train.whole_writes import recovered, replace_folder


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


def test_a_run_that_stopped_early_and_died_before_done_json_resumes_stopped(tmp_path):
    import torch

    from kobot_train.trainer import PhaseConfig, run_phase
    from tests.test_export import random_gpt2

    ids = torch.tensor([[1, 5, 6, 7, 0]])
    steps_taken = []

    def batch_at(step):
        steps_taken.append(step)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids}

    losses = iter([1.0, 2.0])  # the second evaluation gains nothing: patience 1 stops at step 4 of 10
    cfg = PhaseConfig("finetune", max_steps=10, lr=1e-3, warmup=1, eval_every=2, checkpoint_every=100, patience=1)
    _, first = run_phase(random_gpt2(16, eos=0, pad=3), cfg, batch_at, lambda m: next(losses), tmp_path)
    assert (first.steps, first.stopped_early) == (4, True)
    (tmp_path / "done.json").unlink()  # killed after the last checkpoint, before done.json was written

    steps_taken.clear()
    _, resumed = run_phase(random_gpt2(16, eos=0, pad=3), cfg, batch_at, lambda m: 0.5, tmp_path)
    assert steps_taken == [], "the stop is honoured, not trained past"
    assert (resumed.steps, resumed.best_step, resumed.stopped_early) == (4, 2, True)


def test_a_folder_reached_by_a_link_is_replaced_through_it_run_after_run(tmp_path):
    release = tmp_path / "releases" / "v3"
    release.mkdir(parents=True)
    (release / "state.txt").write_text("v3")
    model = tmp_path / "model"
    model.symlink_to(release, target_is_directory=True)
    for text in ("step 100", "step 200"):
        replace_folder(model, write_text(text))
        assert model.is_symlink() and (model / "state.txt").read_text() == text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "releases"]
    assert sorted(p.name for p in release.parent.iterdir()) == ["v3"]
