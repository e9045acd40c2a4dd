"""The Kafka → Parquet archive on a real broker (scripts/kafka-local.sh): stopped and restarted on
its checkpoint it loses no record and writes none twice; malformed records are quarantined; the
question and answer topics are archived beside the chat log."""
import glob
import json
import os
import subprocess
import time

import pytest
from pyspark.sql import functions as F

from kobot_analytics.archive import KAFKA_PACKAGE, DataLost, run, start, streams
from kobot_analytics.erase import erase
from kobot_analytics.filesystem import FileSystem
from kobot_analytics.records import read_chat_log
from kobot_analytics.report import spark_session

STREAMS = {s.name: s for s in streams("chat.log.archive-test", "npc.question.archive-test", "npc.answer.archive-test")}


@pytest.fixture(scope="module")
def spark():
    session = spark_session("kobot-archive-test", packages=[KAFKA_PACKAGE])
    yield session
    session.stop()


def record(i: int, now: int) -> str:
    """Every other line a signed-in player's, with their account; every third one heard by them alone (`private`)."""
    return json.dumps({"v": 1, "id": f"line-{i}", "roomId": f"room-{i % 7}", "serverId": "s", "kind": "player",
                       "from": f"p{i % 13}", "name": "봇", "text": f"안녕 {i}", "ts": now + i,
                       **({"account": f"acc-{i % 5}"} if i % 2 == 0 else {}), **({"private": True} if i % 3 == 0 else {})})


def produce(spark, brokers: str, topic: str, values: list[str]) -> None:
    spark.createDataFrame([(v,) for v in values], "value string").write.format("kafka") \
        .option("kafka.bootstrap.servers", brokers).option("topic", topic).save()


def archive_once(spark, brokers: str, archive: str, *names: str) -> None:
    for query in start(spark, brokers, archive, True, [STREAMS[n] for n in names]):
        query.awaitTermination()


def test_restart_loses_nothing_and_doubles_nothing(spark, brokers, tmp_path):
    topic = STREAMS["chat-log"].topic
    archive = str(tmp_path / "archive")
    now = int(time.time() * 1000)
    produce(spark, brokers, topic, [record(i, now) for i in range(1000)] + [record(i, now) for i in range(10)] + ["{not json", '{"v":1,"id":"x"}'])
    archive_once(spark, brokers, archive, "chat-log")
    # Stopped; more lines arrive, some of them re-deliveries of archived ones; started again.
    produce(spark, brokers, topic, [record(i, now) for i in range(1000, 1500)] + [record(i, now) for i in range(995, 1005)])
    archive_once(spark, brokers, archive, "chat-log")

    stored = spark.read.parquet(f"{archive}/chat-log")
    assert stored.count() == 1500
    assert stored.select("id").distinct().count() == 1500
    # Each record under the UTC day of its ts (1,500 ms of them: two days when run just before midnight).
    days = {time.strftime("%Y-%m-%d", time.gmtime((now + i) / 1000)) for i in range(1500)}
    assert {str(r.date) for r in stored.select("date").distinct().collect()} == days
    assert stored.where(F.col("account").isNotNull()).count() == 750, "signed-in players' accounts are kept"
    assert stored.where(F.col("private")).count() == 500, "lines heard by one player alone keep their flag"
    quarantine = spark.read.json(f"{archive}/quarantine/chat-log")
    assert sorted(r["reason"] for r in quarantine.collect()) == ["no roomId", "not JSON, or a field of the wrong type"]
    # The report job reads the Parquet archive as it reads the embedded default's files.
    day = time.strftime("%Y-%m-%d", time.gmtime(now / 1000))
    valid, _ = read_chat_log(spark, f"{archive}/chat-log", day, day)
    assert valid.where(F.col("kind") == "player").count() == 1500


def test_records_gone_from_the_topic_stop_the_job_and_say_what_to_do(spark, brokers, tmp_path):
    """Past the topic's retention: it retried for ever, and `--once` never ended."""
    stream = streams("chat.log.loss-test", "npc.question.loss-test", "npc.answer.loss-test")[0]
    archive = str(tmp_path / "archive")
    now = int(time.time() * 1000)
    produce(spark, brokers, stream.topic, [record(i, now) for i in range(8)])
    run(spark, brokers, archive, True, [stream])
    produce(spark, brokers, stream.topic, [record(i, now) for i in range(8, 40)])
    # What retention does to records the archive had not reached: gone from the topic's start.
    offsets = tmp_path / "delete.json"
    offsets.write_text(json.dumps({"version": 1, "partitions": [{"topic": stream.topic, "partition": p, "offset": -1} for p in range(4)]}))
    libs = glob.glob(os.path.join(os.environ.get("KOBOT_CACHE", os.path.expanduser("~/.cache/kobot")), "kafka-*", "libs"))[0]
    subprocess.run(["java", "-cp", f"{libs}/*", "org.apache.kafka.tools.DeleteRecordsCommand", "--bootstrap-server", brokers,
                    "--offset-json-file", str(offsets)], check=True, capture_output=True, timeout=120)
    with pytest.raises(DataLost, match=f"gone from Kafka.*move {archive}/_checkpoints/chat-log"):
        run(spark, brokers, archive, True, [stream], retry_s=0.1)


def test_a_line_days_late_is_archived_under_its_own_day(spark, brokers, tmp_path):
    """A dead letter redriven after a long outage reaches Kafka days after its time: not dropped as late."""
    topic = "chat.log.archive-late-test"
    stream = streams(topic, "unused-q", "unused-a")[0]
    archive = str(tmp_path / "archive")
    now = int(time.time() * 1000)
    produce(spark, brokers, topic, [record(i, now) for i in range(5)])
    for query in start(spark, brokers, archive, True, [stream]):
        query.awaitTermination()
    three_days_ago = now - 3 * 86_400_000
    produce(spark, brokers, topic, [record(i, three_days_ago) for i in range(100, 103)] + [record(0, now)])
    for query in start(spark, brokers, archive, True, [stream]):
        query.awaitTermination()
    stored = spark.read.parquet(f"{archive}/chat-log")
    assert stored.count() == 8, "the late lines kept, the re-delivered one not twice"
    late_day = time.strftime("%Y-%m-%d", time.gmtime(three_days_ago / 1000))
    assert sorted(r.id for r in stored.where(F.col("date") == late_day).collect()) == ["line-100", "line-101", "line-102"]


def question(i: int, now: int) -> str:
    return json.dumps({"v": 1, "questionId": f"q-{i}", "roomId": "room-1", "npcId": "kobot", "playerId": f"p{i}",
                       "playerName": "민수", "text": f"배고파 {i}", "ts": now + i, "replyTo": "server-1"}, ensure_ascii=False)


def answer(i: int, text: str = "밥 먹어요", error: dict | None = None) -> str:
    body = {"v": 1, "questionId": f"q-{i}", "roomId": "room-1", "npcId": "kobot", "text": text, "ms": 42.5,
            "model": "kobot-gpt2-tiny", "replyTo": "server-1"}
    return json.dumps({**body, "error": error} if error else body, ensure_ascii=False)


def test_questions_and_answers_are_archived_once_each(spark, brokers, tmp_path):
    archive = str(tmp_path / "archive")
    now = int(time.time() * 1000)
    produce(spark, brokers, STREAMS["questions"].topic, [question(i, now) for i in range(200)] + [question(7, now), '{"v":1,"questionId":"q-x"}'])
    # q-3 answered twice (a worker restarted before committing); q-9 answered with an error and no text.
    produce(spark, brokers, STREAMS["answers"].topic, [answer(i) for i in range(200) if i != 9] + [answer(3, "또 답"), answer(9, "", {"code": "model_unavailable", "message": "no model"}), "[1,2]"])
    archive_once(spark, brokers, archive, "questions", "answers")

    questions = spark.read.parquet(f"{archive}/questions")
    answers = spark.read.parquet(f"{archive}/answers")
    assert (questions.count(), questions.select("questionId").distinct().count()) == (200, 200)
    assert (answers.count(), answers.select("questionId").distinct().count()) == (200, 200)
    assert answers.where(F.col("questionId") == "q-3").first()["text"] in ("밥 먹어요", "또 답")  # one of the two kept
    assert answers.where(F.col("questionId") == "q-9").first()["error"]["code"] == "model_unavailable"
    assert str(questions.first()["date"]) == time.strftime("%Y-%m-%d", time.gmtime(now / 1000))
    assert [r["reason"] for r in spark.read.json(f"{archive}/quarantine/questions").collect()] == ["no roomId"]
    assert [r["reason"] for r in spark.read.json(f"{archive}/quarantine/answers").collect()] == ["not JSON, or a field of the wrong type"]


def test_erasure_takes_a_players_records_out_of_every_stream_and_the_archive_goes_on(spark, brokers, tmp_path):
    erasure_case(spark, brokers, str(tmp_path / "archive"), "local")


def test_erasure_stopped_midway_is_finished_by_running_it_again(spark, brokers, tmp_path, monkeypatch):
    """Stopped at its third file (a killed driver, HDFS away): run again, it erases the rest, and the archive reads."""
    replace = FileSystem.replace
    calls = []

    def stopping(self, source, target):
        calls.append(target)
        if len(calls) == 3:
            raise RuntimeError("the driver was stopped")
        return replace(self, source, target)

    erasure_case(spark, brokers, str(tmp_path / "archive"), "stopped", stop=lambda: monkeypatch.setattr(FileSystem, "replace", stopping),
                 go_on=lambda: monkeypatch.setattr(FileSystem, "replace", replace))


def test_erasure_on_hdfs(spark, brokers, hdfs):
    erasure_case(spark, brokers, f"{hdfs.uri}/erasure", "hdfs")


def erasure_case(spark, brokers: str, archive: str, tag: str, stop=None, go_on=None) -> None:
    """A player's records erased from a real archive job's Parquet (the file-sink log updated), which reads on."""
    now = int(time.time() * 1000)

    def chat(id: str, account: str | None = None, reply_to: str | None = None) -> str:
        npc = {"kind": "npc", "from": "kobot", "replyTo": reply_to,
               "npc": {"questionId": reply_to, "question": "물어본 말", "latencyMs": 9.5, "fallback": False}} if reply_to else {}
        return json.dumps({"v": 1, "id": id, "roomId": "room-e", "serverId": "s", "kind": "player", "from": "p", "name": "지울이",
                           "text": id, "ts": now, **({"account": account} if account else {}), **npc}, ensure_ascii=False)

    def asked(id: str) -> str:
        return json.dumps({"v": 1, "questionId": id, "roomId": "room-e", "npcId": "kobot", "playerId": "p", "playerName": "지울이",
                           "text": "물어본 말", "ts": now, "replyTo": "s"}, ensure_ascii=False)

    def answered(id: str) -> str:
        return json.dumps({"v": 1, "questionId": id, "roomId": "room-e", "npcId": "kobot", "text": "답", "ms": 9.5, "replyTo": "s"})

    produce(spark, brokers, STREAMS["chat-log"].topic, [
        chat(f"{tag}-erase-q1", f"acc-erase-{tag}"), chat(f"{tag}-erase-said", f"acc-erase-{tag}"), chat(f"{tag}-erase-a1", reply_to=f"{tag}-erase-q1"),
        chat(f"{tag}-erase-keep", "acc-keep"), chat(f"{tag}-erase-a2", reply_to=f"{tag}-erase-keep"), chat(f"{tag}-erase-anonymous")])
    # Set aside (quarantine): theirs, with no roomId; broken JSON naming their account; another player's.
    broken = lambda line: json.dumps({k: v for k, v in json.loads(line).items() if k != "roomId"}, ensure_ascii=False)
    produce(spark, brokers, STREAMS["chat-log"].topic, [
        broken(chat(f"{tag}-erase-bad", f"acc-erase-{tag}")), f'{{"account": "acc-erase-{tag}", "text": ', broken(chat(f"{tag}-erase-bad-keep", "acc-keep"))])
    # Question records of their line and of another's, set aside too (no roomId): theirs named by its questionId only.
    produce(spark, brokers, STREAMS["questions"].topic, [asked(f"{tag}-erase-q1"), asked(f"{tag}-erase-keep"),
                                                         broken(asked(f"{tag}-erase-q1")), broken(asked(f"{tag}-erase-keep"))])
    produce(spark, brokers, STREAMS["answers"].topic, [answered(f"{tag}-erase-q1"), answered(f"{tag}-erase-keep")])
    archive_once(spark, brokers, archive, "chat-log", "questions", "answers")
    ours = lambda stream, column: sorted(r[column] for r in spark.read.parquet(f"{archive}/{stream}").collect() if r[column].startswith(f"{tag}-erase-"))
    archived = spark.read.parquet(f"{archive}/chat-log").count()

    if stop:
        stop()
        with pytest.raises(Exception, match="the driver was stopped"):
            erase(spark, archive, f"acc-erase-{tag}")
        go_on()
        erase(spark, archive, f"acc-erase-{tag}")  # finishes what the first run began
    else:
        assert erase(spark, archive, f"acc-erase-{tag}") == {"chat-log": 3, "questions": 1, "answers": 1, "quarantine": 3}
    assert ours("chat-log", "id") == [f"{tag}-erase-a2", f"{tag}-erase-anonymous", f"{tag}-erase-keep"]
    assert ours("questions", "questionId") == [f"{tag}-erase-keep"]
    assert ours("answers", "questionId") == [f"{tag}-erase-keep"]
    assert spark.read.parquet(f"{archive}/chat-log").count() == archived - 3, "every other record stays"
    set_aside = [r["record"] for r in spark.read.json(f"{archive}/quarantine/chat-log").collect()]
    assert [record for record in set_aside if f"acc-erase-{tag}" in record] == [], set_aside
    assert any(f"{tag}-erase-bad-keep" in record for record in set_aside), "another player's stays"
    set_aside = [r["record"] for r in spark.read.json(f"{archive}/quarantine/questions").collect() if f"{tag}-erase-" in (r["record"] or "")]
    assert [json.loads(record)["questionId"] for record in set_aside] == [f"{tag}-erase-keep"], set_aside
    assert erase(spark, archive, f"acc-erase-{tag}") == {"chat-log": 0, "questions": 0, "answers": 0, "quarantine": 0}

    # The archive job goes on from its checkpoint, and the reports read every file, the rewritten ones too.
    produce(spark, brokers, STREAMS["chat-log"].topic, [chat(f"{tag}-erase-later", "acc-keep")])
    archive_once(spark, brokers, archive, "chat-log")
    day = time.strftime("%Y-%m-%d", time.gmtime(now / 1000))
    valid, _ = read_chat_log(spark, f"{archive}/chat-log", day, day)
    assert sorted(r.id for r in valid.where(F.col("id").startswith(f"{tag}-erase-")).collect()) == [f"{tag}-erase-a2", f"{tag}-erase-anonymous", f"{tag}-erase-keep", f"{tag}-erase-later"]



def test_erasure_reaches_a_batch_the_archive_job_wrote_but_had_not_committed(spark, brokers, tmp_path):
    uncommitted_case(spark, brokers, str(tmp_path / "archive"), "local")


def test_erasure_reaches_a_batch_not_committed_on_hdfs(spark, brokers, hdfs):
    uncommitted_case(spark, brokers, f"{hdfs.uri}/uncommitted", "hdfs")


def uncommitted_case(spark, brokers: str, archive: str, tag: str) -> None:
    """A driver stopped after a micro-batch's tasks wrote its files, before it committed them to the sink log: no
    reader lists those files, and the batch runs again when the archive job starts. Neither may keep the player's words."""
    fs = FileSystem(spark, archive)
    now = int(time.time() * 1000)
    said = lambda id, account: json.dumps({"v": 1, "id": f"{tag}-uncommitted-{id}", "roomId": "room-u", "serverId": "s", "kind": "player", "from": "p",
                                           "name": "지울이", "text": f"{id} 내 번호 010-1234-5678", "ts": now, "account": account}, ensure_ascii=False)
    topic = STREAMS["chat-log"].topic
    produce(spark, brokers, topic, [said("q1", f"acc-uncommitted-{tag}"), said("keep1", "acc-keep")])
    archive_once(spark, brokers, archive, "chat-log")
    batches = lambda folder: sorted(int(name) for name in (path.rsplit("/", 1)[1] for path in fs.list(folder)) if name.isdigit())
    before = batches(f"{archive}/_checkpoints/chat-log/commits")[-1]
    produce(spark, brokers, topic, [said("q2", f"acc-uncommitted-{tag}"), said("keep2", "acc-keep")])
    archive_once(spark, brokers, archive, "chat-log")
    # Undone: the second run's entries in the sink log and its commits, and its offsets past its first batch.
    for folder, past in ((f"{archive}/chat-log/_spark_metadata", before), (f"{archive}/_checkpoints/chat-log/commits", before),
                         (f"{archive}/_checkpoints/chat-log/offsets", before + 1)):
        for batch in batches(folder):
            if batch > past:
                fs.delete(f"{folder}/{batch}")
    pattern = spark.sparkContext._jvm.org.apache.hadoop.fs.Path(f"{archive}/chat-log/date=*/part-*")
    on_disk = lambda: [status.getPath().toString() for status in fs.fs.globStatus(pattern)]
    ours = lambda frame: sorted(r.id.removeprefix(f"{tag}-uncommitted-") for r in frame.collect() if r.id.startswith(f"{tag}-uncommitted-"))
    assert ours(spark.read.parquet(f"{archive}/chat-log")) == ["keep1", "q1"], "the second batch unread"
    assert "q2" in ours(spark.read.parquet(*on_disk())), "its files on disk"

    assert erase(spark, archive, f"acc-uncommitted-{tag}", brokers, list(STREAMS.values()))["chat-log"] == 2
    archive_once(spark, brokers, archive, "chat-log")  # the archive job started again

    assert ours(spark.read.parquet(f"{archive}/chat-log")) == ["keep1", "keep2"]
    assert ours(spark.read.parquet(*on_disk())) == ["keep1", "keep2"], "no file on disk holds their words"
