"""The archive on a real single-node HDFS (scripts/hdfs-local.sh) fed by a real Kafka broker: lines
chatted in a live room (server and NPC worker processes, a real client) land in it, and neither an
archive restart nor an HDFS restart under a running archive loses or doubles a record."""
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from conftest import ROOT
from kobot_analytics.archive import KAFKA_PACKAGE, start, streams
from kobot_analytics.report import spark_session

NODE_ENV = {**os.environ, "PATH": f"{ROOT / 'node_modules/.bin'}:{os.environ['PATH']}", "LOG_LEVEL": "warn", "DATA_DIR": "off"}


@pytest.fixture(scope="module")
def spark():
    session = spark_session("kobot-hdfs-archive-test", packages=[KAFKA_PACKAGE])
    yield session
    session.stop()


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node(script: str, env: dict, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([str(ROOT / "node_modules/.bin/tsx"), script], cwd=ROOT, env={**NODE_ENV, **env}, **kwargs)


def until(what: str, check, timeout_s: float = 120.0, every_s: float = 1.0):
    deadline = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every_s)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_lines_chatted_in_a_live_room_end_up_in_the_hdfs_archive(spark, brokers, hdfs):
    port = free_port()
    env = {"KAFKA_BROKERS": brokers, "PORT": str(port), "SERVER_ID": "archive-test-server"}
    server, worker = node("server/main.ts", env), node("npc/worker/worker-main.ts", env)
    try:
        until("the server", lambda: healthy(port), 90)
        asked = subprocess.run([str(ROOT / "node_modules/.bin/tsx"), "examples/ask-npc.ts", f"ws://127.0.0.1:{port}", "배고파"],
                               cwd=ROOT, env=NODE_ENV, capture_output=True, text=True, timeout=120, check=True)
        npc_line = asked.stdout.strip().splitlines()[-1]  # "<npc name>: <answer>"
    finally:
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
            process.wait(30)
    archive = f"{hdfs.uri}/live"
    for query in start(spark, brokers, archive, True, streams("chat.log", "npc.question", "npc.answer")):
        query.awaitTermination()

    chat = spark.read.parquet(f"{archive}/chat-log")
    question = chat.where((F.col("kind") == "player") & (F.col("toNpc") == "kobot")).collect()
    assert [q["text"] for q in question] == ["배고파"] and question[0]["name"] == "손님"
    answer = chat.where((F.col("kind") == "npc") & (F.col("replyTo") == question[0]["id"])).collect()
    assert len(answer) == 1 and f"{answer[0]['name']}: {answer[0]['text']}" == npc_line
    assert answer[0]["npc"]["question"] == "배고파" and not answer[0]["npc"]["fallback"]
    questions = spark.read.parquet(f"{archive}/questions").collect()
    answers = spark.read.parquet(f"{archive}/answers").collect()
    assert [q["text"] for q in questions] == ["배고파"]
    assert [(a["questionId"], a["text"]) for a in answers] == [(questions[0]["questionId"], answer[0]["text"])]


def record(i: int, now: int) -> str:
    return json.dumps({"v": 1, "id": f"line-{i}", "roomId": f"room-{i % 7}", "serverId": "s", "kind": "player",
                       "from": f"p{i % 13}", "name": "봇", "text": f"안녕 {i}", "ts": now + i}, ensure_ascii=False)


def test_archive_and_hdfs_restarts_lose_nothing_and_double_nothing(spark, brokers, hdfs, tmp_path):
    topic, archive = "chat.log.hdfs-test", f"{hdfs.uri}/restarts"
    now = int(time.time() * 1000)

    def produce(ids) -> None:
        spark.createDataFrame([(record(i, now),) for i in ids], "value string").write.format("kafka") \
            .option("kafka.bootstrap.servers", brokers).option("topic", topic).save()

    def archived() -> int:
        try:
            return spark.read.parquet(f"{archive}/chat-log").count()
        except Exception:  # not written yet, or HDFS down
            return 0

    log = open(tmp_path / "archive.log", "w")
    job = subprocess.Popen(["bash", str(ROOT / "analytics/run.sh"), "--job", "archive", "--brokers", brokers, "--archive", archive,
                            "--only", "chat-log", "--chat-log-topic", topic], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    try:
        produce(range(1000))
        until("the first 1000 records", lambda: archived() == 1000, 180, 3)
        hdfs.stop()  # the running archive loses its file system…
        produce(list(range(1000, 1500)) + list(range(990, 1010)))  # …while lines, and re-deliveries, keep coming
        time.sleep(8)
        hdfs.start()
        until("the records sent while HDFS was down", lambda: archived() == 1500, 240, 3)
    finally:
        os.killpg(job.pid, signal.SIGINT)  # the archive job is stopped (Ctrl-C)…
        job.wait(60)
        log.close()
    produce(list(range(1500, 2000)) + list(range(1490, 1510)))  # …more lines come…
    for query in start(spark, brokers, archive, True, streams(topic, "unused", "unused")[:1]):  # …and it starts again
        query.awaitTermination()

    stored = spark.read.parquet(f"{archive}/chat-log")
    assert stored.count() == 2000, (Path(tmp_path / "archive.log").read_text()[-3000:])
    assert stored.select("id").distinct().count() == 2000
