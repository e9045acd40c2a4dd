"""`npm run bench:analytics`: the report job's time on generated archives of N records, Spark start
included, with local[1] and local[2]. Table + bench/results/analytics.json + a PNG.

  npm run bench:analytics -- --records 1000000 [--records 10000000]
"""
import argparse
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from .bench_output import figure, print_table, save, write_results

ROOT = Path(__file__).resolve().parents[2]


# Questions made of these parts: 97 × 5 × 89 = 43,165 distinct ones, and one in ten carrying a number of its own (an
# order number, a phone number: masked), as players' questions are mostly distinct. Five questions in all (as older
# versions of this benchmark asked) left the driver's share (masking, keywords, candidates, each per distinct question)
# out of the time.
SUBJECTS = [f"{word}{n}" for word in ["친구", "강아지", "고양이", "동생", "엄마", "아빠", "선생님", "상점", "마을", "대장간", "빵집",
            "던전", "보스", "퀘스트", "아이템", "무기", "방패", "물약", "지도", "보물"] for n in ("", "가", "는", "랑", "한테")][:97]
BASES = ["배고파", "오늘 날씨 어때", "게임 재밌다", "잠이 안 와", "주말에 뭐 하지"]
ENDINGS = [f"{ending}{mark}" for ending in ["요", "어", "네", "지", "까", "다", "니", "야", "죠", "고", "는데", "거든", "잖아",
           "래", "대", "냐", "자", "게", "군", "걸", "데", "나", "세", "라", "랴", "며", "면", "서", "자고", "라고"] for mark in ("", "?", "!")][:89]


def generate(path: Path, n: int) -> None:
    """n chat-log records over one day as a Parquet archive: 40% questions (mostly distinct, SUBJECTS), 40% answers
    (5% fallbacks; of the others a third composed, the rest copied), 20% chat."""
    from pyspark.sql import functions as F

    from .report import spark_session

    spark = spark_session("kobot-bench-generate")
    day_start = int(datetime(2026, 11, 25, tzinfo=timezone.utc).timestamp() * 1000)
    i = F.col("id")
    kind = F.when(i % 5 < 2, "player").when(i % 5 < 4, "npc").otherwise("system")
    pick = lambda words, at: F.element_at(F.array(*[F.lit(w) for w in words]), (at % len(words) + 1).cast("int"))
    asked = lambda at: F.concat_ws(" ", pick(SUBJECTS, at), pick(BASES, at / 97), pick(ENDINGS, at / 485),
                                   F.when(at % 10 == 0, F.concat(F.lit("주문번호 "), (at * 7919 % 100_000_000).cast("string"))))
    question = asked(i)
    # An answer (i % 5 of 2 or 3) answers the question line two before it (0 or 1), by its id and text, as a room
    # logs them: the report prints only questions whose own line it read (figures.py).
    answered = i - 2
    fallback = (i % 100) < 5
    df = spark.range(n).select(
        F.lit(1).alias("v"), F.concat(F.lit("line-"), i.cast("string")).alias("id"),
        F.concat(F.lit("room-"), (i % 200).cast("string")).alias("roomId"), F.lit("bench").alias("serverId"),
        kind.alias("kind"), F.concat(F.lit("p"), (i % 5000).cast("string")).alias("from"), F.lit("봇").alias("name"),
        F.when(kind == "npc", F.lit("맛있는 거 드세요")).otherwise(question).alias("text"),
        (F.lit(day_start) + (i * 86_400_000 / n).cast("long")).alias("ts"),
        F.lit(None).cast("string").alias("replyTo"),
        F.when(kind == "player", F.lit("kobot")).alias("toNpc"),
        F.when(kind == "npc", F.struct(
            F.concat(F.lit("line-"), answered.cast("string")).alias("questionId"), asked(answered).alias("question"), (50 + i % 250).cast("double").alias("latencyMs"),
            F.lit(20.0).alias("workerMs"), F.lit("kobot-gpt2-tiny").alias("model"), fallback.alias("fallback"),
            F.when(fallback, F.lit("npc_timeout")).alias("reason"),
            F.when(~fallback, F.when(i % 3 == 0, F.lit("composed")).otherwise(F.lit("copied"))).alias("source"))).alias("npc"),
    ).withColumn("date", F.lit("2026-11-25"))
    df.write.mode("overwrite").partitionBy("date").parquet(str(path))
    spark.stop()


def timed_report(archive: Path, master: str, out: Path) -> float:
    env = {**os.environ, "SPARK_MASTER": master, "PYTHONPATH": str(ROOT / "analytics")}
    started = time.perf_counter()
    # The whole job, retrain-candidates.csv included (it reads the Chatbot_data CSV when ../shared has it).
    subprocess.run([sys.executable, "-m", "kobot_analytics.report", "--input", str(archive), "--from", "2026-11-25",
                    "--to", "2026-11-25", "--out", str(out)],
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, action="append")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kobot-bench-analytics"))
    args = parser.parse_args()
    rows = []
    for n in args.records or [1_000_000]:
        archive = args.work / f"archive-{n}-v2"  # v2: answers name their question line (an archive before did not)
        if not archive.exists():
            generate(archive, n)
        for master in ("local[1]", "local[2]"):
            seconds = timed_report(archive, master, args.work / "reports")
            rows.append({"records": n, "master": master, "reportSeconds": round(seconds, 1)})
            print(rows[-1], flush=True)
    write_results("analytics", rows)
    fig, ax = figure((6, 3.5))
    for master in ("local[1]", "local[2]"):
        points = [r for r in rows if r["master"] == master]
        ax.plot([r["records"] for r in points], [r["reportSeconds"] for r in points], marker="o", label=master)
    ax.axhline(30, color="red", linestyle="--", linewidth=1, label="target 30 s at 1M")
    ax.set_xscale("log")
    ax.set_xlabel("records in the archive")
    ax.set_ylabel("report job, s (Spark start included)")
    ax.legend()
    save(fig, "analytics.png")
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
