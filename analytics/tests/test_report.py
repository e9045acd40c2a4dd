"""The report's figures on a generated archive whose answers are known by hand."""
import json
from datetime import datetime, timezone

import pytest

from kobot_analytics.figures import collect_all, figures
from kobot_analytics.records import CHAT_LOG, read_chat_log
from kobot_analytics.report import main, spark_session


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
    line("old", "r1", "player", "p1", "민수", "@kobot 어제 질문", ts("23:00", "2026-11-24"), toNpc="kobot"),
]
DUPLICATE = RECORDS[1]  # delivered twice
MALFORMED = [
    "{not json",
    json.dumps(line("bad1", "r1", "emote", "p1", "민수", "춤춘다", ts("10:30"))),
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
    assert result["lines"] == 11  # 12 records, one from the day before; the duplicate kept once
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
    assert result["busiestPlayers"] == [{"from": "p2", "name": "지영", "count": 3}, {"from": "p1", "name": "민수", "count": 2}]
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
    ]
    records = spark.createDataFrame(
        [
            answer(f"a{i}", "r1", f"q{i}", q, a, ts("10:00") + i, 100.0, "m1", reason is not None, reason,
                   withheld="우선물 해주세요." if reason == "unsure" else None)
            for i, (q, a, reason) in enumerate(asked)
        ],
        schema=CHAT_LOG,
    )
    path = tmp_path / "retrain-candidates.csv"
    assert write_candidates(candidates(collect_all(records)["outcomes"], training), path) == 5
    text = path.read_text(encoding="utf-8")
    assert text.splitlines() == [
        "Q,A,label,reviewed",
        "게임 재밌다,저도 좋아해요,0,no",
        "내 번호는 [전화번호] 이야,알겠어요,0,no",
        "메일 [이메일] 으로 보내줘,보낼게요,0,no",
        "비 와서 우울해,우선물 해주세요.,0,no",
        "주문번호 [숫자] 확인해줘,확인할게요,0,no",
    ]
    assert "@" not in text and "010" not in text and "12345678" not in text


# Last in this file: the job stops the Spark session when it is done, as a job should.
def test_job_writes_report_charts_and_quarantine(spark, archive, tmp_path):
    assert main(["--input", str(archive), "--from", "2026-11-25", "--to", "2026-11-25", "--out", str(tmp_path)]) == 0
    out = tmp_path / "2026-11-25"
    report = json.loads((out / "report.json").read_text())
    assert report["questions"] == 4 and report["quarantined"] == 3
    assert (out / "questions-per-hour.png").stat().st_size > 1000
    assert (out / "latency-by-model.png").stat().st_size > 1000
    markdown = (out / "report.md").read_text()
    assert "fallback rate 25.0%" in markdown
    assert "| kobot | composed | 1 |" in markdown, "where the answers came from"
    quarantine = [json.loads(line) for line in (out / "quarantine.ndjson").read_text().splitlines()]
    assert len(quarantine) == 3 and all(q["reason"] for q in quarantine)
