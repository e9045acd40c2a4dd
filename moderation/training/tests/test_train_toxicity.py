"""train_toxicity.py on a tiny labelled set written here: seconds, where the real data takes minutes."""
from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable, Hashable

import pytest

import train_toxicity
from train_toxicity import ROOT, held_out, ngrams_of, split_of

# Paths the process opens while a training run is watched: the audit hook sees every open, by any library.
opened: list[str] = []
watching = False


def _record_open(event: str, args: tuple) -> None:
    if watching and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened.append(os.fsdecode(args[0]))


sys.addaudithook(_record_open)


def texts_by_bucket(make: Callable[[int], str], bucket_of: Callable[[str], Hashable], quotas: dict) -> dict:
    """`make(0)`, `make(1)`, … sorted by `bucket_of` until each bucket holds its quota: the script's own hash splits
    decide which texts are held out, so the tiny set is picked to have some on each side."""
    taken: dict = {bucket: [] for bucket in quotas}
    for i in range(10_000):
        text = make(i)
        bucket = bucket_of(text)
        if bucket in taken and len(taken[bucket]) < quotas[bucket]:
            taken[bucket].append(text)
        if all(len(taken[bucket]) == quota for bucket, quota in quotas.items()):
            return taken
    raise AssertionError(f"no tiny set with {quotas}")


def write_tiny_set(folder: Path) -> dict[str, list[str]]:
    """Korean HateSpeech's and Chatbot_data's layouts with a few dozen lines, a dev.tsv and a test split among them."""
    toxic = texts_by_bucket(lambda i: f"{i}번 씨발 병신 새끼 꺼져", held_out, {False: 6, True: 2})
    clean = texts_by_bucket(lambda i: f"{i}번 오늘 경기 정말 감동이었어요", held_out, {False: 6, True: 2})
    comments = [(text, "hate" if i % 2 else "offensive") for i, text in enumerate(toxic[False] + toxic[True])]
    comments += [(text, "none") for text in clean[False] + clean[True]]
    comments.sort(key=lambda row: row[0])  # toxic and clean mixed, as a real file has them
    data = folder / "korean_hate_speech"
    data.mkdir()
    header = "comments\tcontain_gender_bias\tbias\thate\n"
    (data / "train.tsv").write_text(header + "".join(f"{text}\tFalse\tnone\t{label}\n" for text, label in comments), encoding="utf-8")
    dev = [f"{i}번 개발셋 댓글 멍청이" for i in range(4)]
    (data / "dev.tsv").write_text(header + "".join(f"{text}\tFalse\tnone\thate\n" for text in dev), encoding="utf-8")

    # The question's split by Chatbot_data's hash, and for the train split whether it is held out, so both sides have lines.
    questions = texts_by_bucket(
        lambda i: f"{i}번 버스 언제 와?",
        lambda q: (split_of(q), split_of(q) == "train" and held_out(q)),
        {("train", False): 8, ("train", True): 2, ("validation", False): 3, ("test", False): 2},
    )
    rows = [(q, f"{q.split('번')[0]}번 곧 올 거예요.") for bucket in questions.values() for q in bucket]
    with (folder / "ChatbotData.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Q", "A", "label"])
        writer.writerows([q, a, 0] for q, a in rows)
    return {
        "toxic": toxic[False] + toxic[True],
        "clean": clean[False] + clean[True],
        "dev": dev,
        "validation questions": questions[("validation", False)],
        "test questions": questions[("test", False)],
    }


def finite_number(value: object) -> bool:
    """A JSON number JSON.parse reads (Python writes NaN and Infinity, which it refuses)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def train(folder: Path, out: Path) -> tuple[Path, Path]:
    out.mkdir()
    model, vectors = out / "toxicity.json", out / "toxicity-vectors.json"
    train_toxicity.main(["--data", str(folder / "korean_hate_speech"), "--chatbot-data", str(folder / "ChatbotData.csv"), "--out", str(model), "--vectors", str(vectors)])
    return model, vectors


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One training run on the tiny set, watched: the paths it opened and the texts it had normalised (what it reads)."""
    global watching
    folder = tmp_path_factory.mktemp("tiny-set")
    tiny = write_tiny_set(folder)
    read: list[str] = []
    real_normalised = train_toxicity.normalised

    def recorded(texts: list[str]) -> list[str]:
        read.extend(texts)
        return real_normalised(texts)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train_toxicity, "normalised", recorded)
        opened.clear()
        watching = True
        try:
            model, vectors = train(folder, folder / "first")
        finally:
            watching = False
    return {"folder": folder, "tiny": tiny, "model": model, "vectors": vectors, "opened": list(opened), "read": read}


def test_ngrams_are_the_distinct_code_point_ngrams_of_the_text_with_a_space_each_side():
    assert ngrams_of("ab", 1, 3) == {" ", "a", "b", " a", "ab", "b ", " ab", "ab "}
    assert ngrams_of("abc", 2, 2) == {" a", "ab", "bc", "c "}
    assert ngrams_of("씨발", 3, 3) == {" 씨발", "씨발 "}
    assert ngrams_of("😀", 1, 2) == {" ", "😀", " 😀", "😀 "}, "an emoji is one code point, as moderation/toxicity.ts counts it"
    assert ngrams_of("", 1, 3) == {" ", "  "}


def test_training_twice_on_the_same_data_writes_the_same_bytes(trained):
    model, vectors = train(trained["folder"], trained["folder"] / "second")
    assert model.read_bytes() == trained["model"].read_bytes()
    assert vectors.read_bytes() == trained["vectors"].read_bytes()


def test_the_export_has_the_format_moderation_toxicity_ts_reads(trained):
    model = json.loads(trained["model"].read_text(encoding="utf-8"))
    assert model["format"] == "kobot-toxicity-1"
    lo, hi = model["ngrams"]
    assert isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi
    assert finite_number(model["bias"])
    assert model["weights"], "some n-grams kept"
    assert all(isinstance(gram, str) and finite_number(weight) for gram, weight in model["weights"].items())
    assert finite_number(model["bar"]) and 0 < model["bar"] <= 1


def test_it_never_reads_dev_or_chatbot_datas_test_split(trained):
    assert not [path for path in trained["opened"] if Path(path).name == "dev.tsv"]
    read = set(trained["read"])
    assert read.isdisjoint(trained["tiny"]["dev"])
    assert read.isdisjoint(trained["tiny"]["test questions"])
    assert set(trained["tiny"]["toxic"]) <= read, "what it was given it read"


def test_a_toxic_line_scores_above_a_clean_one_and_the_bar_parts_them_by_the_servers_scorer(trained):
    # The server's own scorer (the moderator with moderation/toxicity.ts) on the file: it loads it, and the weights point the right way.
    toxic, clean, questions = trained["tiny"]["toxic"][0], trained["tiny"]["clean"][0], trained["tiny"]["validation questions"]
    script = (
        f'import {{ ToxicityModel }} from {json.dumps((ROOT / "moderation" / "toxicity.ts").as_uri())};'
        f'import {{ Moderator }} from {json.dumps((ROOT / "moderation" / "moderator.ts").as_uri())};'
        "const model = ToxicityModel.fromFile(process.argv[1]);"
        "const moderator = Moderator.fromFile(undefined, 0, { model });"
        "const scores = JSON.parse(process.argv[2]).map((text) => moderator.checkPlayerLine(text).toxicity);"
        "console.log(JSON.stringify({ scores, bar: model.suggestedBar }));"
    )
    done = subprocess.run(
        [*train_toxicity.node_with_tsx(), "--input-type=module", "-e", script, str(trained["model"]), json.dumps([toxic, clean, *questions])],
        cwd=ROOT, capture_output=True, check=True, text=True,
    )
    scored = json.loads(done.stdout)
    (toxic_score, clean_score, *question_scores), bar = scored["scores"], scored["bar"]
    assert toxic_score > clean_score, (toxic, toxic_score, clean, clean_score)
    # The bar keeps the validation questions (everyday lines) below it, and the abuse it was trained on above.
    assert max(question_scores) < bar <= toxic_score, (question_scores, bar, toxic_score)
