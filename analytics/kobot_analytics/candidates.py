"""From players back to the model: the questions players asked the NPC that the training data does
not hold, as `retrain-candidates.csv` in Chatbot_data's columns (Q, A, label) plus `reviewed`.

A person reviews the file (fixes the answer, sets `reviewed` to yes); `npm run train -- --extra-data
retrain-candidates.csv` then trains on the reviewed rows only. Personal data never leaves the job:
e-mail addresses, phone numbers and long digit runs are masked before anything is written.
"""
import csv
import re
from pathlib import Path

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"
PHONE = r"(\+?82[- ]?)?0?1[016789][- .]?\d{3,4}[- .]?\d{4}|0\d{1,2}[- .]\d{3,4}[- .]\d{4}"
LONG_DIGITS = r"\d{6,}"


def mask_personal_data(column):
    masked = F.regexp_replace(column, EMAIL, "[이메일]")
    masked = F.regexp_replace(masked, PHONE, "[전화번호]")
    return F.regexp_replace(masked, LONG_DIGITS, "[숫자]")


def normalised(column):
    """The form questions are compared in: lower case, no spaces, no punctuation."""
    return F.regexp_replace(F.lower(column), r"[\s\p{Punct}…~·]+", "")


def known_questions(path: Path) -> set[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return {re.sub(r"[\s\W_]+", "", row["Q"].lower()) for row in csv.DictReader(handle)}


def candidates(records: DataFrame, training_csv: Path) -> DataFrame:
    """Answered player questions (no fallbacks), masked, not in the training data, once each."""
    known = records.sparkSession.createDataFrame([(q,) for q in known_questions(training_csv)], "key string")
    answered = records.where((F.col("kind") == "npc") & ~F.col("npc.fallback"))
    rows = answered.select(
        mask_personal_data(F.trim(F.col("npc.question"))).alias("Q"),
        mask_personal_data(F.trim(F.col("text"))).alias("A"),
        F.col("ts"),
    ).withColumn("key", normalised(F.col("Q")))
    fresh = rows.join(known, "key", "left_anti").where(F.length("key") > 0)
    first = fresh.groupBy("key").agg(F.min_by(F.struct("Q", "A"), F.col("ts")).alias("pair"))
    return first.select("pair.Q", "pair.A", F.lit(0).alias("label"), F.lit("no").alias("reviewed")).orderBy("Q")


def write_candidates(df: DataFrame, path: Path) -> int:
    rows = df.collect()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Q", "A", "label", "reviewed"])
        writer.writerows([(r["Q"], r["A"], r["label"], r["reviewed"]) for r in rows])
    return len(rows)
