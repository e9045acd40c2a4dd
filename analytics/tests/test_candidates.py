"""retrain-candidates.csv as reviewers save it, brought up to date by a refresh or a report run again (candidates.py)."""
import csv
import re

import pytest


def saved_as(path, rows: list[dict], encoding: str = "utf-8-sig") -> None:
    """`rows` saved as a spreadsheet saves CSV ("CSV UTF-8", with a byte order mark, unless `encoding` says otherwise)."""
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def rows_of(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_refresh_keeps_the_questions_a_reviewer_corrected_and_the_rows_they_added(tmp_path):
    from kobot_analytics.candidates import refresh_candidates, write_candidates

    path = tmp_path / "retrain-candidates.csv"
    write_candidates([("=1+2 계산해 줘", "3이에요."), ("밥이 좋아하는 비밀", "글쎄요"), ("우주선 타고 화성 가고 싶어", "먼저 다가가 보세요.")], path)
    rows = rows_of(path)
    assert [row["Q"] for row in rows] == ["'=1+2 계산해 줘", "밥이 좋아하는 비밀", "우주선 타고 화성 가고 싶어"]
    rows[0].update(A="3이에요!", reviewed="yes")
    rows[1].update(Q="밥이 좋아하는 비밀이 뭐야", A="비밀이에요.", reviewed="yes")  # the only player who asked it is erased next
    rows[2].update(Q="우주선 타고 화성에 가고 싶어", A="언젠가 갈 수 있을 거예요!", reviewed="yes")  # the player's typo corrected
    rows.append({"Q": "화성까지 얼마나 걸려?", "A": "우주선으로 몇 달 걸려요.", "label": "0", "reviewed": "yes"})  # one of the reviewer's own
    saved_as(path, rows)

    # The erasure took 밥이's question; one came late.
    assert refresh_candidates([("=1+2 계산해 줘", "3"), ("늦게 온 질문", "늦었네요"), ("우주선 타고 화성 가고 싶어", "먼저 다가가 보세요.")], path) == (4, 1)
    assert rows_of(path) == [
        {"Q": "'=1+2 계산해 줘", "A": "3이에요!", "label": "0", "reviewed": "yes", "asked": "'=1+2 계산해 줘", "players": ""},
        {"Q": "늦게 온 질문", "A": "늦었네요", "label": "0", "reviewed": "no", "asked": "늦게 온 질문", "players": ""},
        {"Q": "우주선 타고 화성에 가고 싶어", "A": "언젠가 갈 수 있을 거예요!", "label": "0", "reviewed": "yes", "asked": "우주선 타고 화성 가고 싶어", "players": ""},
        {"Q": "화성까지 얼마나 걸려?", "A": "우주선으로 몇 달 걸려요.", "label": "0", "reviewed": "yes", "asked": "", "players": ""},
    ]
    assert "밥이" not in path.read_text(encoding="utf-8-sig")


def test_refresh_keeps_what_a_reviewer_saved_while_the_archive_was_read(tmp_path):
    from kobot_analytics.candidates import read_saved, refresh_candidates, stamp, write_candidates

    path = tmp_path / "retrain-candidates.csv"
    write_candidates([("대장간은 어디야", "저기요"), ("여관은 어디야", "몰라요")], path)
    when = stamp(path)
    saved = read_saved(path)  # before Spark reads the archive, for minutes
    rows = rows_of(path)
    rows[0].update(A="마을 동쪽 끝에 있어요.", reviewed="yes")
    saved_as(path, rows)  # the reviewer's save meanwhile
    assert refresh_candidates([("대장간은 어디야", "저기요"), ("여관은 어디야", "몰라요")], path, saved, when) == (2, 0)
    assert rows_of(path)[0] == {"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes", "asked": "대장간은 어디야", "players": ""}


def test_refresh_matches_a_file_from_before_the_asked_column_by_its_questions(tmp_path):
    from kobot_analytics.candidates import refresh_candidates

    path = tmp_path / "retrain-candidates.csv"
    saved_as(path, [
        {"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes"},
        {"Q": "민수만 아는 비밀 질문", "A": "비밀", "label": "0", "reviewed": "yes"},
    ])
    assert refresh_candidates([("대장간은 어디야?", "저기요")], path) == (1, 1)
    # Written with the column from now on: the next refresh keeps a correction to its question.
    assert rows_of(path) == [{"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes", "asked": "대장간은 어디야?", "players": ""}]


def test_refresh_reads_what_korean_excel_saves_and_writes_it_back_as_utf8(tmp_path):
    from kobot_analytics.candidates import refresh_candidates

    path = tmp_path / "retrain-candidates.csv"
    # "CSV (쉼표로 분리)", Korean Excel's default: CP949.
    saved_as(path, [{"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes", "asked": "대장간은 어디야", "players": ""}], "cp949")
    assert refresh_candidates([("대장간은 어디야", "저기요")], path) == (1, 0)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # as write_candidates writes it
    assert rows_of(path) == [{"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes", "asked": "대장간은 어디야", "players": ""}]


def test_a_file_neither_utf8_nor_cp949_is_an_error_naming_it(tmp_path):
    from kobot_analytics.candidates import UnreadableCandidates, read_saved

    path = tmp_path / "retrain-candidates.csv"
    path.write_bytes("Q,A,label,reviewed,asked\r\n대장간은 어디야,저기요,0,yes,대장간은 어디야\r\n".encode("utf-16"))  # "유니코드 텍스트"
    with pytest.raises(UnreadableCandidates, match="^" + re.escape(f"{path}: neither UTF-8 nor CP949")):
        read_saved(path)
    path.write_text("질문,답\n대장간은 어디야,저기요\n", encoding="utf-8")  # read on, every row would count as gone
    with pytest.raises(UnreadableCandidates, match="no Q column"):
        read_saved(path)


@pytest.mark.parametrize("cell", ["=1+1", "＝HYPERLINK(\"http://evil.example/\")", "＋1", "－1", "＠SUM(A1)",
                                  "\u00a0=1+1", "\u200b=1+1", "\ufeff=1+1", "'\u00a0＝1"])
def test_full_width_and_invisibly_led_formulas_are_quoted(cell, tmp_path):
    from kobot_analytics.candidates import _key, normalised, spreadsheet_safe

    assert spreadsheet_safe(cell) == "'" + cell
    assert _key(spreadsheet_safe(cell)) == normalised(cell)  # a refresh still finds its question


def test_candidates_are_written_most_asked_first_with_their_players(tmp_path):
    from kobot_analytics.candidates import refresh_candidates, write_candidates

    path = tmp_path / "retrain-candidates.csv"
    write_candidates([("대장간은 어디야", "저기요", 2)], path)
    assert refresh_candidates([("!!공짜", "네", 2), ("대장간은 어디야", "저기요", 5), ("여관은 어디야", "몰라요", 3)], path) == (3, 0)
    assert [(row["Q"], row["players"]) for row in rows_of(path)] == [("대장간은 어디야", "5"), ("여관은 어디야", "3"), ("!!공짜", "2")]


def test_a_file_from_before_the_players_column_keeps_its_reviews_below_the_bar(tmp_path):
    """Saved before the `players` column and the bar of two players: most of its questions one player asked. A refresh
    dropped them all as no longer asked, the reviews with them."""
    from kobot_analytics.candidates import refresh_candidates

    path = tmp_path / "retrain-candidates.csv"
    saved_as(path, [
        {"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes", "asked": "대장간은 어디야"},
        {"Q": "여관은 어디야", "A": "몰라요", "label": "0", "reviewed": "no", "asked": "여관은 어디야"},
        {"Q": "너네 엄마 어디 사냐", "A": "그래요", "label": "0", "reviewed": "yes", "asked": "너네 엄마 어디 사냐"},  # now no fit asker
        {"Q": "화성까지 얼마나 걸려?", "A": "몇 달 걸려요.", "label": "0", "reviewed": "yes", "asked": ""},  # the reviewer's own
    ])
    below = [("대장간은 어디야", "저기요", 1), ("여관은 어디야", "몰라요", 1), ("상점은 어디야", "저기요", 1)]
    assert refresh_candidates([("우체국은 어디야", "저기요", 2)], path, below=below) == (4, 1)
    assert rows_of(path) == [
        {"Q": "우체국은 어디야", "A": "저기요", "label": "0", "reviewed": "no", "asked": "우체국은 어디야", "players": "2"},
        {"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes", "asked": "대장간은 어디야", "players": "1"},
        {"Q": "여관은 어디야", "A": "몰라요", "label": "0", "reviewed": "no", "asked": "여관은 어디야", "players": "1"},
        {"Q": "화성까지 얼마나 걸려?", "A": "몇 달 걸려요.", "label": "0", "reviewed": "yes", "asked": "", "players": ""},
    ]
