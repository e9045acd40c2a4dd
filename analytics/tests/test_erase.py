"""A player's erasure on a Parquet archive written here (no broker: nothing to catch up with), for the cases the
archive job's own tests (test_archive.py) do not reach."""
import json

import pytest
from pyspark.sql import types as T

from kobot_analytics.erase import erase
from kobot_analytics.records import ANSWER, ARCHIVED, QUESTION
from kobot_analytics.report import spark_session

DAY = "2026-12-05"
TS = 1_796_500_000_000  # 2026-12-05 UTC


@pytest.fixture(scope="module")
def spark():
    session = spark_session("kobot-erase-test")
    yield session
    session.stop()


def said(id: str, account: str | None = None) -> dict:
    return {"v": 1, "id": id, "roomId": "room-e", "serverId": "s", "kind": "player", "from": "p", "name": "지울이",
            "text": f"{id} 내 번호 010-1234-5678", "ts": TS, "account": account, "date": DAY}


def answered(id: str, question_id: str, asker: str | None) -> dict:
    return {"v": 1, "id": id, "roomId": "room-e", "serverId": "s", "kind": "npc", "from": "kobot", "name": "코봇",
            "text": "답", "ts": TS, "replyTo": question_id, "date": DAY,
            "npc": {"questionId": question_id, "question": "내 번호 010-1234-5678", "asker": asker, "latencyMs": 9.5}}


def contract(schema, question_id: str, **fields) -> dict:
    return {name: None for name in schema.fieldNames() if name != "_corrupt"} | {"v": 1, "questionId": question_id, "roomId": "room-e",
                                                                                 "npcId": "kobot", "ts": TS, **fields, "date": DAY}


def test_erasure_finds_an_answer_whose_question_line_the_archive_never_got_by_its_asker(spark, tmp_path):
    """A long broker outage dropped the question line from the server's buffer; its answer, naming its asker, was
    archived with the question's words. Found before only by the question line's id, it stayed."""
    archive = str(tmp_path / "archive")
    chat = [said("kept-q", "acc-keep"), answered("kept-a", "kept-q", "acc-keep"),
            said("their-q", "acc-gone"), answered("their-a", "their-q", "acc-gone"),
            answered("lost-a", "lost-q", "acc-gone")]  # lost-q: their line, never archived
    spark.createDataFrame(chat, schema=ARCHIVED).write.partitionBy("date").parquet(f"{archive}/chat-log")
    for stream, schema, extra in (("questions", QUESTION, {"text": "내 번호"}), ("answers", ANSWER, {"text": "답"})):
        rows = [contract(schema, id, **extra) for id in ("kept-q", "their-q", "lost-q")]
        spark.createDataFrame(rows, schema=T.StructType([*[f for f in schema.fields if f.name != "_corrupt"], ARCHIVED["date"]])) \
            .write.partitionBy("date").parquet(f"{archive}/{stream}")
    (tmp_path / "archive" / "quarantine" / "answers").mkdir(parents=True)
    (tmp_path / "archive" / "quarantine" / "answers" / "part-0.json").write_text(
        json.dumps({"record": json.dumps({"v": 1, "questionId": "lost-q", "text": "답"}), "reason": "no roomId"}) + "\n")

    assert erase(spark, archive, "acc-gone") == {"chat-log": 3, "questions": 2, "answers": 2, "quarantine": 1}
    left = lambda stream, column: sorted(r[column] for r in spark.read.parquet(f"{archive}/{stream}").collect())
    assert left("chat-log", "id") == ["kept-a", "kept-q"]
    assert left("questions", "questionId") == ["kept-q"]
    assert left("answers", "questionId") == ["kept-q"]


def test_lines_of_nobody_in_the_same_file_as_the_players_survive_the_erasure(spark, tmp_path):
    """A row whose test is null (no account, no asker) is no one's, not doomed: an anonymous player's line and the
    answer to it, in the file rewritten without the player's rows, stay."""
    archive = str(tmp_path / "archive")
    chat = [said("their-q", "acc-gone"), answered("their-a", "their-q", "acc-gone"),
            said("anon-q"), answered("anon-a", "anon-q", None)]
    spark.createDataFrame(chat, schema=ARCHIVED).coalesce(1).write.partitionBy("date").parquet(f"{archive}/chat-log")  # one file
    assert erase(spark, archive, "acc-gone")["chat-log"] == 2
    assert sorted(r.id for r in spark.read.parquet(f"{archive}/chat-log").collect()) == ["anon-a", "anon-q"]


def test_a_set_aside_answer_naming_no_asker_is_erased_by_the_line_it_replies_to(spark, tmp_path):
    """An NPC answer the archive set aside (no roomId), written before answers named their asker, holds the player's
    question: only its replyTo, their line's id, finds it."""
    archive = str(tmp_path / "archive")
    spark.createDataFrame([said("their-q", "acc-gone"), said("kept-q", "acc-keep")], schema=ARCHIVED) \
        .coalesce(1).write.partitionBy("date").parquet(f"{archive}/chat-log")
    set_aside = tmp_path / "archive" / "quarantine" / "chat-log"
    set_aside.mkdir(parents=True)
    record = lambda id, reply_to: json.dumps({"v": 1, "id": id, "kind": "npc", "from": "kobot", "text": "답", "ts": TS, "replyTo": reply_to,
                                              "npc": {"questionId": reply_to, "question": "내 번호 010-1234-5678"}}, ensure_ascii=False)
    (set_aside / "part-0.json").write_text("".join(json.dumps({"record": record(id, reply_to), "reason": "no roomId"}, ensure_ascii=False) + "\n"
                                                   for id, reply_to in (("their-a", "their-q"), ("kept-a", "kept-q"))))
    assert erase(spark, archive, "acc-gone")["quarantine"] == 1
    assert [json.loads(r.record)["id"] for r in spark.read.json(str(set_aside)).collect()] == ["kept-a"]
