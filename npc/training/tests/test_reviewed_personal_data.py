"""Reviewed player questions are masked again before training, and a row that still holds contact data is left out
(the review's train_probe.py: a reviewer ticked every row, and a scammer's link and phone number went to training)."""
import csv

from kobot_train.data import load_pairs


def write(tmp_path, rows):
    """`rows` (Q, A) as a reviewer saves them, every one marked reviewed."""
    path = tmp_path / "retrain-candidates.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Q", "A", "label", "reviewed", "asked"])
        writer.writerows([q, a, 0, "yes", q] for q, a in rows)
    return path


def test_reviewed_rows_are_masked_again_and_those_still_holding_contact_data_left_out(tmp_path, capsys):
    path = write(tmp_path, [
        ("골드 받는법 https://scam.example/gold 카톡 scam77 010ㅡ1234ㅡ5678", "여기로 연락해요"),  # written before the masks
        ("메일 알려줘", "chulsoo 골뱅이 naver.com 으로 보내요"),  # typed in by a reviewer
        ("번호 알려줘", "공일공 일이삼사 오육칠팔 로 전화해"),  # no mask reads Hangul digits: left out
        ("링크 줘", "h t t p s : / / scam . example 으로 와"),  # spelled apart: left out
        ("대장간은 어디야", "마을 동쪽 끝에 있어요. 1000골드면 칼을 사요."),
    ])
    pairs = [(p.question, p.answer) for p in load_pairs(path)]
    assert pairs == [
        ("골드 받는법 [링크] [메신저 아이디] [전화번호]", "여기로 연락해요"),
        ("메일 알려줘", "[이메일] 으로 보내요"),
        ("대장간은 어디야", "마을 동쪽 끝에 있어요. 1000골드면 칼을 사요."),
    ]
    assert f"{path}: 2 reviewed row(s) left out" in capsys.readouterr().err


def test_dates_times_prices_and_levels_are_no_contact_data(tmp_path, capsys):
    """`2026-12-01 10:30` has twelve digits: a rule of eight digits with short gaps left the row out."""
    rows = [
        ("이벤트 언제 해?", "2026-12-01 10:30에 광장에서 해요"),
        ("보스는 몇 시에 나와", "2026.12.01 10:30 ~ 2026.12.02 11:45, 3시 15분마다"),
        ("검 얼마야", "10,000,000골드예요. 레벨 30부터 쓸 수 있어요"),
        ("골뱅이 무침 어때", "골뱅이 무침. 맛있죠"),
    ]
    assert [(p.question, p.answer) for p in load_pairs(write(tmp_path, rows))] == rows
    assert "left out" not in capsys.readouterr().err



def test_game_chat_is_neither_masked_nor_left_out(tmp_path, capsys):
    """Lanes, counts, damage, combos, "gg" and laughter read as handles, numbers and links (the review's pd2.py and
    pd3.py): masked, or the whole reviewed row left out."""
    rows = [
        ("라인 top 가자", "탑 라인은 북쪽이에요"),
        ("라인 mid 감", "네"),
        ("라인 bot 밀어", "네"),
        ("1 2 3 4 5 6 7 8 9 10 카운트", "열까지 셌어요"),
        ("10 20 30 40 50 60 70 80 90 100", "100까지요"),
        ("데미지 99999 88888 77777", "세네요"),
        ("딜 12345 67890", "좋아요"),
        ("스탯 12 34 56 78 90 합", "270이에요"),
        ("콤보 1-2-3-4-5-6-7-8-9-10", "멋져요"),
        ("ez.gg", "gg.gg"),
        ("wwww. 개웃기네", "www. ㅋㅋ"),
    ]
    assert [(p.question, p.answer) for p in load_pairs(write(tmp_path, rows))] == rows
    assert "left out" not in capsys.readouterr().err

def test_chatbot_data_itself_is_read_as_it_is(tmp_path):
    path = tmp_path / "ChatbotData.csv"
    path.write_text("Q,A,label\n고객센터 번호 뭐야,1588-1234 예요,0\n", encoding="utf-8")
    assert [(p.question, p.answer) for p in load_pairs(path)] == [("고객센터 번호 뭐야", "1588-1234 예요")]


def test_a_full_width_or_invisibly_led_formula_loses_the_quote_the_job_put_in_front(tmp_path):
    path = write(tmp_path, [("'＝1+1 계산해", "2예요"), ("'\u00a0=SUM(A1)", "네")])
    assert [p.question for p in load_pairs(path)] == ["＝1+1 계산해", "\u00a0=SUM(A1)".strip()]
