from kobot_train.data import split_of
from kobot_train.spacing import SPACED_PAIRS, spaced_pairs, write_spaced_pairs


def test_a_pair_is_spaced_where_the_text_mostly_writes_its_syllables_apart():
    lines = ["잠이 안 와", "잠이 안 와서", "잠이 안와", "비가 와", "비가 와서", "안녕 잘 가"]
    # 이안: apart 3 times; 안와: apart twice, together once; 가와: apart twice; 잠이, 비가, 와서: always together.
    assert spaced_pairs(lines, min_count=2) == ["가와", "안와", "이안"]
    assert spaced_pairs(lines, min_count=3) == ["안와", "이안"], "a pair seen fewer times is left out"
    assert spaced_pairs(lines, min_count=1) == ["가와", "녕잘", "안와", "이안", "잘가"]
    assert spaced_pairs(["hi there", "잠 ok", "12 시"], min_count=1) == [], "pairs of Hangul syllables only"
    assert spaced_pairs(["잠이 안 와", "잠이 안와"], min_count=2) == ["안와", "이안"], "spaced in half the lines is at least half"


def test_the_file_holds_one_pair_a_line_from_the_training_split_and_the_text(tmp_path):
    held_out = next(q for q in (f"오늘 {n}번 졌어" for n in range(100)) if split_of(q) != "train")
    assert split_of("12시 땡!") == "train"
    data = tmp_path / "pairs.csv"
    data.write_text(f"Q,A,label\n12시 땡!,하루가 또 가네요.,0\n{held_out},다음엔 이겨요.,0\n", encoding="utf-8")
    reviews = tmp_path / "reviews.txt"
    reviews.write_text("배고파 죽겠다\n\n", encoding="utf-8")
    path = write_spaced_pairs(tmp_path, data, reviews, min_count=1)
    assert path == tmp_path / SPACED_PAIRS
    assert path.read_text(encoding="utf-8").splitlines() == ["가또", "또가", "시땡", "파죽"], "never a held-out question's"
