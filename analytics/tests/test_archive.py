"""The Kafka → Parquet archive on a real broker (scripts/kafka-local.sh): stopped and restarted on
its checkpoint it loses no record and writes none twice; malformed records are quarantined."""
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from kobot_analytics.archive import KAFKA_PACKAGE, start
from kobot_analytics.records import read_chat_log
from kobot_analytics.report import spark_session

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "chat.log.archive-test"


@pytest.fixture(scope="module")
def brokers(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("needs Java for the Kafka broker")
    folder = tmp_path_factory.mktemp("kafka")
    out = subprocess.run(["bash", str(ROOT / "scripts/kafka-local.sh"), "start", str(folder), "0", TOPIC], check=True, capture_output=True, text=True)
    yield out.stdout.strip().splitlines()[-1]
    subprocess.run(["bash", str(ROOT / "scripts/kafka-local.sh"), "stop", str(folder)], check=True)


@pytest.fixture(scope="module")
def spark():
    session = spark_session("kobot-archive-test", packages=[KAFKA_PACKAGE])
    yield session
    session.stop()


def record(i: int, now: int) -> str:
    return json.dumps({"v": 1, "id": f"line-{i}", "roomId": f"room-{i % 7}", "serverId": "s", "kind": "player",
                       "from": f"p{i % 13}", "name": "봇", "text": f"안녕 {i}", "ts": now + i})


def produce(spark, brokers: str, values: list[str]) -> None:
    spark.createDataFrame([(v,) for v in values], "value string").write.format("kafka") \
        .option("kafka.bootstrap.servers", brokers).option("topic", TOPIC).save()


def test_restart_loses_nothing_and_doubles_nothing(spark, brokers, tmp_path):
    archive = str(tmp_path / "archive")
    now = int(time.time() * 1000)
    produce(spark, brokers, [record(i, now) for i in range(1000)] + [record(i, now) for i in range(10)] + ["{not json", '{"v":1,"id":"x"}'])
    for query in start(spark, brokers, TOPIC, archive, once=True):
        query.awaitTermination()
    # Stopped; more lines arrive, some of them re-deliveries of archived ones; started again.
    produce(spark, brokers, [record(i, now) for i in range(1000, 1500)] + [record(i, now) for i in range(995, 1005)])
    for query in start(spark, brokers, TOPIC, archive, once=True):
        query.awaitTermination()

    stored = spark.read.parquet(f"{archive}/chat-log")
    assert stored.count() == 1500
    assert stored.select("id").distinct().count() == 1500
    assert stored.select("date").distinct().count() >= 1
    quarantine = spark.read.json(f"{archive}/quarantine")
    assert sorted(r["reason"] for r in quarantine.collect()) == ["no roomId", "not JSON, or a field of the wrong type"]
    # The report job reads the Parquet archive as it reads the embedded default's files.
    day = time.strftime("%Y-%m-%d", time.gmtime(now / 1000))
    valid, _ = read_chat_log(spark, f"{archive}/chat-log", day, day)
    assert valid.where(F.col("kind") == "player").count() == 1500
