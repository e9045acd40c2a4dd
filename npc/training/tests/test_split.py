import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from kobot_train.data import DataError, Pair, asked_as, distinct_extra, load_pairs, split_of, split_pairs
from kobot_train.paths import CHATBOT_CSV


def test_split_is_a_pure_function_of_the_question():
    # The same in every process: no per-process salt (Python's own hash() of a string has one).
    questions = [f"질문 {i}번" for i in range(30)]
    code = "import sys; from kobot_train.data import split_of; print(' '.join(split_of(q) for q in sys.argv[1:]))"
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code, *questions], capture_output=True, text=True, check=True,
                             cwd=Path(__file__).resolve().parents[1], env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        assert out.split() == [split_of(q) for q in questions]
    # Whitespace does not move a question: hashed as typed, these two would land in train.
    assert split_of("  너무  심심해 ") == split_of("너무 심심해") == "validation"
    assert split_of("가스비 장난 아님\t") == split_of(" 가스비 장난  아님") == "test"


def test_repeated_questions_never_straddle_splits():
    pairs = [Pair("같은 질문", f"답 {i}", 0) for i in range(5)]
    splits = split_pairs(pairs)
    assert sorted(len(v) for v in splits.values()) == [0, 0, 5]


def test_reviewed_extra_rows_are_all_trained_on_but_a_question_the_data_holds_out():
    held = Pair("가스비 장난 아님", "아껴 써요", 0)  # a test question of the data
    extra = [Pair(f"대장간은 어디 {i} 번째야", "마을 동쪽 끝이에요", 0) for i in range(200)] + [Pair(" 가스비  장난 아님", "어쩌나", 0)]
    splits = split_pairs([held], extra)
    assert len(splits["train"]) == 200, "every reviewed row but the held-out question (by hash, a fifth went elsewhere)"
    assert splits["test"] == [held] and splits["validation"] == []


def test_a_reviewed_question_held_out_in_the_data_is_held_out_however_it_is_spaced_or_marked():
    held = Pair("가스비 장난 아님.", "아껴 써요", 0)  # a test question of the data, as Chatbot_data writes it
    extra = [Pair("가스비장난아님", "어쩌나", 0), Pair("가스비 장난 아님?!", "어쩌나", 0), Pair("대장간은 어디야", "동쪽 끝이에요", 0)]
    assert [pair.question for pair in split_pairs([held], extra)["train"]] == ["대장간은 어디야"]


def test_a_question_in_decomposed_jamo_is_the_same_question():
    """NFD (macOS, some IMEs) spells 가스비 apart from NFC: its own split, and past the held-out question it repeats."""
    held = Pair("가스비 장난 아님.", "아껴 써요", 0)
    typed = unicodedata.normalize("NFD", held.question)
    assert typed != held.question and asked_as(typed) == asked_as(held.question) and split_of(typed) == split_of(held.question)
    assert split_pairs([held], [Pair(typed, "어쩌나", 0)])["train"] == []


def test_a_training_question_asked_as_a_held_out_one_is_left_out():
    held = Pair("가스비 장난 아님", "아껴 써요", 0)  # a test question (by its hash)
    twins = [Pair("가스비 장난 아님.", "아껴 써요", 0), Pair("가스비장난 아님!", "어쩌나", 0)]
    assert {split_of(pair.question) for pair in twins} != {"test"}, "a twin the hash puts elsewhere"
    splits = split_pairs([held, *twins, Pair("12시 땡!", "하루가 또 가네요.", 0)])
    assert [pair.question for pair in splits["train"]] == ["12시 땡!"]
    assert held in splits["test"]


def test_a_question_reviewed_twice_trains_once_with_the_last_review_and_says_its_answers_differed():
    extra = [Pair("오늘 날씨 어때?", "날씨 어플에 물어보세요.", 0), Pair("대장간은 어디야", "동쪽 끝이에요", 0),
             Pair("오늘 날씨 어때", "맑고 따뜻해요!", 0), Pair("대장간은 어디야?", "동쪽 끝이에요", 0)]
    kept, conflicts = distinct_extra(extra)
    assert [(p.question, p.answer) for p in kept] == [("오늘 날씨 어때", "맑고 따뜻해요!"), ("대장간은 어디야?", "동쪽 끝이에요")]
    assert conflicts == [("오늘 날씨 어때", ["날씨 어플에 물어보세요.", "맑고 따뜻해요!"])]
    assert [p.answer for p in split_pairs([], extra)["train"]] == ["맑고 따뜻해요!", "동쪽 끝이에요"]


def test_known_questions_keep_their_split():
    # Literal expectations: a change to the split function would silently move test data into training.
    assert [split_of(q) for q in ["12시 땡!", "너무 심심해", "가스비 장난 아님"]] == ["train", "validation", "test"]


@pytest.mark.skipif(not CHATBOT_CSV.exists(), reason="Chatbot_data not beside the project")
def test_chatbot_data_splits_80_10_10_without_shared_questions():
    pairs = load_pairs(CHATBOT_CSV)
    splits = split_pairs(pairs)
    total = sum(len(v) for v in splits.values())
    assert len(pairs) == 11823
    assert 11823 - 30 < total < 11823, "training's twins of held-out questions left out (19 pairs)"
    # 80 / 10 / 10 by hash, within a point (the data's shares: 80.0 / 10.1 / 9.9).
    assert 0.79 < len(splits["train"]) / total < 0.81
    assert 0.09 < len(splits["validation"]) / total < 0.11
    assert 0.09 < len(splits["test"]) / total < 0.11
    questions = {name: {asked_as(p.question) for p in v} for name, v in splits.items()}
    assert not questions["train"] & questions["test"], "no test question is a training one, spaces and marks aside"
    assert not questions["train"] & questions["validation"]
    assert split_pairs(load_pairs(CHATBOT_CSV)) == splits


def test_load_pairs_rejects_a_csv_without_q_and_a(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text("question,answer\n안녕,반가워\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing columns"):
        load_pairs(bad)


def test_player_questions_train_only_when_reviewed(tmp_path):
    from kobot_train.data import load_pairs

    path = tmp_path / "retrain-candidates.csv"
    path.write_text("Q,A,label,reviewed\n게임 재밌다,저도 좋아해요,0,yes\n아무 말,아무 답,0,no\n뭐 해?,쉬어요,0,\n", encoding="utf-8")
    assert [(p.question, p.answer) for p in load_pairs(path)] == [("게임 재밌다", "저도 좋아해요")]


def test_a_reviewers_yes_or_no_is_read_as_typed_in_korean_or_with_a_tick_and_any_other_mark_is_named(tmp_path):
    path = tmp_path / "retrain-candidates.csv"
    yes = ["yes", "Y", " TRUE ", "1", "예", "네", "O", "✓", "✔"]
    no = ["no", "N", "false", "0", "아니오", "아니요", "x", ""]
    path.write_text("Q,A,label,reviewed\n" + "".join(f"질문 {i},답 {i},0,{mark}\n" for i, mark in enumerate(yes + no)), encoding="utf-8")
    assert [p.question for p in load_pairs(path)] == [f"질문 {i}" for i in range(len(yes))]
    path.write_text("Q,A,label,reviewed\n좋아,좋아요,0,yes\n싫어,싫어요,0,yes.\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"retrain-candidates.csv:3: reviewed 'yes\.' is neither a yes .*nor a no"):
        load_pairs(path)
    path.write_text("Q,A,label,reviewed\n좋아,좋아요,0,yes\n싫어,,0,예\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"retrain-candidates.csv:3: marked reviewed, but its answer is empty"):
        load_pairs(path)


def test_reviewed_candidates_lose_the_quote_that_kept_spreadsheets_from_running_them(tmp_path):
    # As the analytics job writes them (analytics/kobot_analytics/candidates.py write_candidates).
    path = tmp_path / "retrain-candidates.csv"
    path.write_text(
        "Q,A,label,reviewed\n"
        "'=1+1 계산해줘,'-2 예요,0,yes\n"
        "'@코봇 안녕,'+ 반가워요,0,yes\n"
        "''=이미 따옴표,'그냥 따옴표,0,yes\n",
        encoding="utf-8",
    )
    assert [(p.question, p.answer) for p in load_pairs(path)] == [
        ("=1+1 계산해줘", "-2 예요"), ("@코봇 안녕", "+ 반가워요"), ("'=이미 따옴표", "'그냥 따옴표"),
    ]


def test_chatbot_data_keeps_its_cells_as_they_are(tmp_path):
    path = tmp_path / "ChatbotData.csv"
    path.write_text("Q,A,label\n'=그대로,'-그대로,0\n", encoding="utf-8")  # no `reviewed`: not the job's file
    assert [(p.question, p.answer) for p in load_pairs(path)] == [("'=그대로", "'-그대로")]


def test_the_index_and_the_answers_learnt_hold_the_extra_datas_training_pairs_as_training_did(tmp_path: Path):
    """--extra-data's training pairs were in the model's index and answers as it learnt (train.py): the shipped
    knowledge.jsonl and the evaluation's index hold them too, and the test split stays Chatbot_data's."""
    from kobot_train.evaluate import trained_pairs

    extra = tmp_path / "retrain-candidates.csv"
    questions = [f"마을 대장장이 {i}번 어디 있어?" for i in range(40)]
    extra.write_text("Q,A,label,reviewed\n" + "".join(f"{q},광장 옆이에요.,0,yes\n" for q in questions), encoding="utf-8")
    base = trained_pairs(CHATBOT_CSV)
    with_extra = trained_pairs(CHATBOT_CSV, [extra])
    added = [p for p in with_extra if p.question in questions]
    assert len(added) == len(questions), "every reviewed row, whichever split its hash names"
    assert len(with_extra) == len(base) + len(added)
    assert [p for p in with_extra if p.question not in questions] == base


def test_a_reviewed_file_korean_excel_saved_is_read(tmp_path):
    path = tmp_path / "retrain-candidates.csv"
    path.write_bytes("Q,A,label,reviewed,asked\n대장간은 어디야,동쪽 끝이에요,0,예,대장간은 어디야\n".encode("cp949"))
    assert [(p.question, p.answer) for p in load_pairs(path)] == [("대장간은 어디야", "동쪽 끝이에요")]
    path.write_bytes("Q,A\n안녕,반가워\n".encode("utf-16"))
    with pytest.raises(DataError, match="neither UTF-8 nor CP949 text"):
        load_pairs(path)
