"""The report's figures, computed from valid chat-log records. Exact, not approximate: percentiles
use Spark's exact `percentile`, counts are counts."""
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .keywords import top_keywords

SHORT_ANSWER_CHARS = 4
TOP = 10


def _rows(df: DataFrame) -> list[dict]:
    return [row.asDict(recursive=True) for row in df.collect()]


def figures(records: DataFrame) -> dict:
    records = records.cache()  # every figure below reads it again
    questions = records.where((F.col("kind") == "player") & F.col("toNpc").isNotNull())
    answers = records.where(F.col("kind") == "npc")
    players = records.where(F.col("kind") == "player")
    answered = answers.count()

    per_hour = questions.groupBy(F.date_format(F.from_unixtime(F.col("ts") / 1000), "yyyy-MM-dd'T'HH").alias("hour")).count()
    per_room = questions.groupBy("roomId").count()
    latency = (
        answers.where(~F.col("npc.fallback"))
        .groupBy(F.col("npc.model").alias("model"))
        .agg(
            F.count("*").alias("answers"),
            F.percentile("npc.latencyMs", 0.5).alias("p50"),
            F.percentile("npc.latencyMs", 0.95).alias("p95"),
            F.percentile("npc.latencyMs", 0.99).alias("p99"),
        )
        .orderBy("model")
    )
    fallbacks = answers.where(F.col("npc.fallback")).count()
    timeouts = answers.where(F.col("npc.reason") == "npc_timeout").count()
    busiest_rooms = players.groupBy("roomId").count().orderBy(F.desc("count"), "roomId").limit(TOP)
    busiest_players = players.groupBy("from", "name").count().orderBy(F.desc("count"), "from").limit(TOP)
    question_text = F.trim(F.col("npc.question"))
    top_questions = (
        answers.groupBy(question_text.alias("question")).count().orderBy(F.desc("count"), "question").limit(TOP * 2)
    )
    failed = (
        answers.where(F.col("npc.fallback") | (F.length(F.trim("text")) < SHORT_ANSWER_CHARS))
        .select(
            question_text.alias("question"),
            F.col("text").alias("answer"),
            F.when(F.col("npc.fallback"), F.col("npc.reason")).otherwise(F.lit("short_answer")).alias("why"),
        )
        .groupBy("question", "why")
        .agg(F.count("*").alias("count"), F.first("answer").alias("answer"))
        .orderBy(F.desc("count"), "question")
        .limit(50)
    )
    return {
        "lines": records.count(),
        "questions": questions.count(),
        "answers": answered,
        "questionsPerHour": {r["hour"]: r["count"] for r in _rows(per_hour.orderBy("hour"))},
        "questionsPerRoom": {r["roomId"]: r["count"] for r in _rows(per_room.orderBy("roomId"))},
        "latencyByModel": _rows(latency),
        "fallbackRate": fallbacks / answered if answered else 0.0,
        "timeoutRate": timeouts / answered if answered else 0.0,
        "busiestRooms": _rows(busiest_rooms),
        "busiestPlayers": _rows(busiest_players),
        "topQuestions": _rows(top_questions),
        "topKeywords": top_keywords(answers.select(question_text.alias("question")), TOP * 2),
        "failedQuestions": _rows(failed),
    }
