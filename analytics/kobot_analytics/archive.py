"""`npm run archive`: the chat-log, question and answer topics, archived as Parquet partitioned by date.

A Spark Structured Streaming job: Kafka → `ARCHIVE_URI/<stream>/date=YYYY-MM-DD/` for the streams
`chat-log`, `questions` and `answers` (any Hadoop FileSystem URI: a local folder by default,
`hdfs://namenode:8020/kobot` in a deployment). Checkpointed in `ARCHIVE_URI/_checkpoints`: stopped and
restarted, it goes on from the last committed offsets, losing nothing and writing nothing twice (the
file sink's log makes each micro-batch land once; a record delivered twice to Kafka is dropped by its
id). Records that break their contract go to `ARCHIVE_URI/quarantine/<stream>/` with the
reason, and the job keeps running. When the file system goes away (an HDFS restart) the queries fail;
the job waits and starts them again from the checkpoint. It holds `ARCHIVE_URI/_lock` while it runs, and
refuses to start (exit 75) while an erasure holds it (archive_lock.py).
"""
import argparse
import os
import signal
import sys
import time
from dataclasses import dataclass
from typing import Callable

from py4j.protocol import Py4JJavaError
from pyspark.errors import StreamingQueryException
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from .archive_lock import HELD_EXIT, ArchiveHeld, take_archive
from .records import ANSWER, CHAT_LOG, QUESTION, answer_reason, question_reason, quarantine_reason
from .report import spark_session

KAFKA_PACKAGE = "org.apache.spark:spark-sql-kafka-0-10_2.13:4.2.0"
# Re-deliveries come within minutes (a publisher retry, a consumer restart); a day bounds the state. Counted in the
# record's Kafka timestamp (when it was produced), not its own time: a line redriven days late (a dead letter kept
# through a long outage) would be older than the watermark by its own time, and Spark drops records older than the
# watermark, not only their duplicates. Our topics are stamped by the broker as it appends (LogAppendTime, kafka-client.ts
# ensureTopics, scripts/kafka-local.sh), so a producer whose clock is a day behind no longer writes records that old;
# topics created otherwise (by hand, or by older servers) still take the producer's clock.
DEDUPE_WITHIN = "1 day"


@dataclass(frozen=True)
class Stream:
    name: str  # folder under ARCHIVE_URI
    topic: str
    schema: T.StructType
    id_column: str
    reason: Callable[[], Column]


def streams(chat_log_topic: str, question_topic: str, answer_topic: str) -> list[Stream]:
    return [
        Stream("chat-log", chat_log_topic, CHAT_LOG, "id", quarantine_reason),
        Stream("questions", question_topic, QUESTION, "questionId", question_reason),
        # A worker may answer a question twice (at-least-once): the room shows one, the archive keeps one.
        Stream("answers", answer_topic, ANSWER, "questionId", answer_reason),
    ]


def parsed(kafka: DataFrame, stream: Stream) -> DataFrame:
    value = F.col("value").cast("string")
    records = kafka.select(
        value.alias("raw"),
        F.col("timestamp").alias("kafkaTime"),
        F.from_json(value, stream.schema, {"columnNameOfCorruptRecord": "_corrupt", "mode": "PERMISSIVE"}).alias("r"),
    ).select("raw", "kafkaTime", "r.*")
    # A JSON value that is not an object (a bare string, a number) parses to all nulls: corrupt too.
    return records.withColumn(
        "_corrupt", F.when(F.col(stream.id_column).isNull() & F.col("v").isNull(), F.col("raw")).otherwise(F.col("_corrupt"))
    )


def start_stream(spark, brokers: str, stream: Stream, archive: str, once: bool):
    kafka = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", brokers)
        .option("subscribe", stream.topic)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true")
        .load()
    )
    records = parsed(kafka, stream).withColumn("reason", stream.reason())
    # The record's own time where it has one (answers have none: the time Kafka took them).
    event_time = F.timestamp_millis("ts") if "ts" in stream.schema.fieldNames() else F.col("kafkaTime")
    good = (
        records.where(F.col("reason").isNull())
        .withColumn("date", F.date_format(event_time, "yyyy-MM-dd"))
        .drop("reason", "_corrupt", "raw")
        .withWatermark("kafkaTime", DEDUPE_WITHIN)
        .dropDuplicatesWithinWatermark([stream.id_column])
        .drop("kafkaTime")
    )
    # With Kafka's time: a report of that day counts it, where the record gives no time of its own it can read.
    bad = records.where(F.col("reason").isNotNull()).select(F.col("raw").alias("record"), "reason", "kafkaTime")
    trigger = {"availableNow": True} if once else {"processingTime": "5 seconds"}
    archived = (
        good.writeStream.format("parquet")
        .queryName(stream.name)
        .partitionBy("date")
        .option("path", f"{archive}/{stream.name}")
        .option("checkpointLocation", f"{archive}/_checkpoints/{stream.name}")
        .trigger(**trigger)
        .start()
    )
    quarantined = (
        bad.writeStream.format("json")
        .queryName(f"{stream.name}-quarantine")
        .option("path", f"{archive}/quarantine/{stream.name}")  # one folder per query: a file sink's log has one writer
        .option("checkpointLocation", f"{archive}/_checkpoints/quarantine-{stream.name}")
        .trigger(**trigger)
        .start()
    )
    return [archived, quarantined]


def start(spark, brokers: str, archive: str, once: bool, selected: list[Stream]):
    return [query for stream in selected for query in start_stream(spark, brokers, stream, archive, once)]


def await_all(spark, queries) -> None:
    """Returns when every query has finished; raises as soon as one fails."""
    while any(query.isActive for query in queries):
        spark.streams.awaitAnyTermination()  # raises the failed query's error
        spark.streams.resetTerminated()
    for query in queries:
        if query.exception():
            raise query.exception()


# Spark's Kafka source (failOnDataLoss): records the checkpoint had not reached are gone from the topic.
DATA_LOSS = "Some data may have been lost"


class DataLost(Exception):
    """Records the archive had not reached left their topic (its retention passed while the job was stopped): starting
    again cannot bring them back, where `run` tried for ever (`--once` never ended)."""


def run(spark, brokers: str, archive: str, once: bool, selected: list[Stream], retry_s: float = 5.0) -> None:
    """Runs the queries; when one fails or cannot start (the file system or the broker went away) stops
    them all, waits and starts again from the checkpoints, so nothing is lost and nothing written twice.
    Holds the archive meanwhile (archive_lock.py): raises ArchiveHeld while an erasure runs on it."""
    held = None
    try:
        while True:
            queries = []
            try:
                held = held or take_archive(spark, archive, "archive")
                for stream in selected:
                    queries += start_stream(spark, brokers, stream, archive, once)
                await_all(spark, queries)
                return
            except (StreamingQueryException, Py4JJavaError) as error:
                lost = [query.name for query in queries if query.exception() and DATA_LOSS in str(query.exception())]
                for query in queries:
                    query.stop()
                spark.streams.resetTerminated()  # or the next wait, this session's next job's too, would see this failure again
                if lost or DATA_LOSS in str(error):
                    raise DataLost(_data_lost(archive, lost)) from error
                first_line = str(error).strip().splitlines()[0][:300]
                print(f"archive: {first_line}; starting again from the checkpoint in {retry_s:.0f} s", flush=True)
                time.sleep(retry_s)
                retry_s = min(retry_s * 2, 30.0)
    finally:
        if held:
            held.release()


def _data_lost(archive: str, queries: list[str]) -> str:
    checkpoints = " and ".join(f"{archive}/_checkpoints/{name}" for name in queries) or f"the checkpoints under {archive}/_checkpoints"
    return (f"records this archive had not reached are gone from Kafka (the topics' retention passed while the job was "
            f"stopped); the job stops rather than skip them. To archive on from what the topics hold now, those records "
            f"lost: move {checkpoints} aside and start it again")


def add_kafka_arguments(parser: argparse.ArgumentParser) -> None:
    """The broker and the topics the archive job reads (its command line, and the erase job's)."""
    parser.add_argument("--brokers", default=os.environ.get("KAFKA_BROKERS"))
    parser.add_argument("--chat-log-topic", default=os.environ.get("CHAT_LOG_TOPIC", "chat.log"))
    parser.add_argument("--question-topic", default=os.environ.get("KAFKA_QUESTION_TOPIC", "npc.question"))
    parser.add_argument("--answer-topic", default=os.environ.get("KAFKA_ANSWER_TOPIC", "npc.answer"))


def streams_of(args: argparse.Namespace) -> list[Stream]:
    return streams(args.chat_log_topic, args.question_topic, args.answer_topic)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    add_kafka_arguments(parser)
    parser.add_argument("--archive", default=os.environ.get("ARCHIVE_URI", "data/archive"))
    parser.add_argument("--only", action="append", choices=["chat-log", "questions", "answers"], help="archive these streams only")
    parser.add_argument("--once", action="store_true", help="archive what is in the topics now, then stop")
    args = parser.parse_args(argv)
    if not args.brokers:
        parser.error("needs --brokers or KAFKA_BROKERS (the embedded default archives to DATA_DIR by itself)")
    selected = [s for s in streams_of(args) if not args.only or s.name in args.only]
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `docker compose stop`: let go of the archive as Ctrl-C does
    spark = spark_session("kobot-chat-archive", packages=[KAFKA_PACKAGE])
    try:
        run(spark, args.brokers, args.archive, args.once, selected)
    except ArchiveHeld as held:
        print(f"archive: {held}", file=sys.stderr)
        return HELD_EXIT
    except DataLost as lost:
        print(f"archive: {lost}", file=sys.stderr)
        return 1
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
