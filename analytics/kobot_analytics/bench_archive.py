"""`npm run bench:archive`: how many chat-log records/s the archive job writes, from a real Kafka broker
to Parquet on a local folder and on a real single-node HDFS (the scripts/*-local.sh services).

N records are put in the topic first; the job then archives the backlog (`--once`, a fresh checkpoint each
pass) and the rate is records / seconds of archiving (the Spark session already up). Table + bench/results/archive.json + PNG.

  npm run bench:archive -- [--records 500000]
"""
import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from pyspark.sql import functions as F

from .archive import KAFKA_PACKAGE, start, streams
from .bench_output import figure, print_table, save, write_results
from .report import spark_session

ROOT = Path(__file__).resolve().parents[2]
TARGET = 20_000


def service(script: str, *args: str) -> str:
    out = subprocess.run(["bash", str(ROOT / "scripts" / script), *args], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def produce(spark, brokers: str, topic: str, n: int) -> None:
    """n chat-log records of realistic size (~300 bytes), one day, 200 rooms, keyed by room."""
    now = int(time.time() * 1000)
    i = F.col("id")
    record = F.to_json(F.struct(
        F.lit(1).alias("v"), F.concat(F.lit("line-"), i.cast("string")).alias("id"),
        F.concat(F.lit("room-"), (i % 200).cast("string")).alias("roomId"), F.lit("server-1").alias("serverId"),
        F.lit("player").alias("kind"), F.concat(F.lit("p"), (i % 5000).cast("string")).alias("from"), F.lit("민수").alias("name"),
        F.lit("@kobot 오늘 저녁 뭐 먹을까? 배고파서 아무것도 못 하겠어").alias("text"), (F.lit(now) + i).alias("ts"),
        F.lit("kobot").alias("toNpc"),
    ))
    spark.range(n).select(F.concat(F.lit("room-"), (i % 200).cast("string")).alias("key"), record.alias("value")) \
        .write.format("kafka").option("kafka.bootstrap.servers", brokers).option("topic", topic).save()


def archive_rate(spark, brokers: str, topic: str, target: str, n: int) -> dict:
    started = time.perf_counter()
    queries = start(spark, brokers, target, True, streams(topic, "unused", "unused")[:1])
    for query in queries:
        query.awaitTermination()
    seconds = time.perf_counter() - started
    stored = spark.read.parquet(f"{target}/chat-log").count()
    assert stored == n, f"archived {stored} of {n}"
    return {"records": n, "seconds": round(seconds, 1), "recordsPerSecond": round(n / seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=500_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kobot-bench-archive-"))
    topic = "chat.log.bench"
    brokers = service("kafka-local.sh", "start", str(work / "kafka"), "0", topic)
    hdfs = service("hdfs-local.sh", "start", str(work / "hdfs"))
    spark = spark_session("kobot-bench-archive", packages=[KAFKA_PACKAGE])
    rows = []
    try:
        produce(spark, brokers, topic, args.records)
        # The first pass also pays for the JVM's warm-up (JIT); a long-running archive job is past that.
        passes = [("local folder", "cold", f"file://{work}/archive-cold"), ("local folder", "warm", f"file://{work}/archive"),
                  ("HDFS", "warm", f"{hdfs}/archive")]
        for name, jvm, target in passes:
            rows.append({"target": name, "jvm": jvm, **archive_rate(spark, brokers, topic, target, args.records)})
            print(rows[-1], flush=True)
    finally:
        spark.stop()
        service("hdfs-local.sh", "stop", str(work / "hdfs"))
        service("kafka-local.sh", "stop", str(work / "kafka"))
        subprocess.run(["rm", "-rf", str(work)], check=False)
    write_results("archive", rows, targetRecordsPerSecond=TARGET)
    fig, ax = figure((5, 3.2))
    ax.bar([f"{r['target']}\n({r['jvm']} JVM)" for r in rows], [r["recordsPerSecond"] for r in rows])
    ax.axhline(TARGET, color="red", linestyle="--", linewidth=1, label=f"target {TARGET:,}/s")
    ax.set_ylabel("records/s archived")
    ax.set_title(f"Kafka → Parquet archive, {args.records:,} records")
    ax.legend()
    save(fig, "archive.png")
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
