"""`npm run archive`: the chat-log topic, archived as Parquet partitioned by date.

A Spark Structured Streaming job: Kafka (chat-log topic) → `ARCHIVE_URI/chat-log/date=YYYY-MM-DD/`
(any Hadoop FileSystem URI: a local folder by default, `hdfs://namenode:8020/kobot` in a deployment).
Checkpointed in `ARCHIVE_URI/_checkpoints`: stopped and restarted, it goes on from the last committed
offsets, losing nothing and writing nothing twice (the file sink's log makes each micro-batch land
once; a record delivered twice to Kafka is dropped by its id). Records that are not chat-log records go
to `ARCHIVE_URI/quarantine/` with the reason, and the job keeps running.
"""
import argparse
import os

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .records import CHAT_LOG, quarantine_reason
from .report import spark_session

KAFKA_PACKAGE = "org.apache.spark:spark-sql-kafka-0-10_2.13:4.2.0"
# Re-deliveries come within minutes (a publisher retry, a consumer restart); a day bounds the state.
DEDUPE_WITHIN = "1 day"


def parsed(stream: DataFrame) -> DataFrame:
    records = stream.select(
        F.col("value").cast("string").alias("raw"),
        F.from_json(F.col("value").cast("string"), CHAT_LOG, {"columnNameOfCorruptRecord": "_corrupt", "mode": "PERMISSIVE"}).alias("r"),
    ).select("raw", "r.*")
    return records.withColumn("_corrupt", F.when(F.col("id").isNull() & F.col("v").isNull(), F.col("raw")).otherwise(F.col("_corrupt")))


def start(spark, brokers: str, topic: str, archive: str, once: bool):
    stream = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", brokers)
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true")
        .load()
    )
    records = parsed(stream).withColumn("reason", quarantine_reason())
    good = (
        records.where(F.col("reason").isNull())
        .drop("reason", "_corrupt", "raw")
        .withColumn("eventTime", F.timestamp_millis("ts"))
        .withWatermark("eventTime", DEDUPE_WITHIN)
        .dropDuplicatesWithinWatermark(["id"])
        .withColumn("date", F.date_format("eventTime", "yyyy-MM-dd"))
        .drop("eventTime")
    )
    bad = records.where(F.col("reason").isNotNull()).select(F.col("raw").alias("record"), "reason")
    trigger = {"availableNow": True} if once else {"processingTime": "5 seconds"}
    archived = (
        good.writeStream.format("parquet")
        .partitionBy("date")
        .option("path", f"{archive}/chat-log")
        .option("checkpointLocation", f"{archive}/_checkpoints/chat-log")
        .trigger(**trigger)
        .start()
    )
    quarantined = (
        bad.writeStream.format("json")
        .option("path", f"{archive}/quarantine")
        .option("checkpointLocation", f"{archive}/_checkpoints/quarantine")
        .trigger(**trigger)
        .start()
    )
    return archived, quarantined


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--brokers", default=os.environ.get("KAFKA_BROKERS"))
    parser.add_argument("--topic", default=os.environ.get("CHAT_LOG_TOPIC", "chat.log"))
    parser.add_argument("--archive", default=os.environ.get("ARCHIVE_URI", "data/archive"))
    parser.add_argument("--once", action="store_true", help="archive what is in the topic now, then stop")
    args = parser.parse_args(argv)
    if not args.brokers:
        parser.error("needs --brokers or KAFKA_BROKERS (the embedded default archives to DATA_DIR by itself)")
    spark = spark_session("kobot-chat-archive", packages=[KAFKA_PACKAGE])
    try:
        queries = start(spark, args.brokers, args.topic, args.archive, args.once)
        for query in queries:
            query.awaitTermination()
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
