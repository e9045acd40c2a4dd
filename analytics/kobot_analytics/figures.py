"""The report's figures, computed from valid chat-log records. Exact, not approximate: percentiles
use Spark's exact `percentile`, counts are counts.

Seven Spark jobs, each one pass over the archive (column-pruned Parquet is cheaper to scan again than
to cache), submitted together so one's planning overlaps another's scan: totals and latency by model;
questions and player lines per hour and room; busiest players; players reported most; answers by NPC and
source; answers per question and outcome (joined with the players reported on any day up to the report's last, a
pass over those days' reports); questions asked, each once, by question. The rest is derived from those small
results on the driver, where player questions and the answers shown with them are masked (personal_data.py).

The tables that print players' questions (top questions and keywords, failed questions) show only those whose
question line the report read and that retraining could learn from (records.unfit_line: not refused, private nor
toxic), and say how many they left out: they printed refused abuse and lines only one player heard.
"""
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from .keywords import top_keywords
from .personal_data import mask_personal_data
from .records import unfit_line

SHORT_ANSWER_CHARS = 4
TOP = 10


def _rows(df: DataFrame) -> list[dict]:
    return [row.asDict(recursive=True) for row in df.collect()]


def _count_if(condition) -> F.Column:
    return F.sum(F.when(condition, 1).otherwise(0))


def _masked(text: str | None) -> str | None:
    return mask_personal_data(text) if text else text


def _question(text: str | None) -> str | None:
    """A question as the report counts it: masked, its Hangul composed (NFC): one typed in decomposed jamo (NFD:
    macOS, some IMEs) and the same one typed as syllables are one question, and the analyser reads both."""
    return _masked(unicodedata.normalize("NFC", text)) if text else text


def _top(counts: dict, n: int) -> list[tuple]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def queries(records: DataFrame, reports: DataFrame | None = None) -> dict[str, DataFrame]:
    """`reports`: the `report` column of players' reports of others to leave out of the retraining candidates by
    (records.read_reported: of every day up to the report's last); by default those among `records`."""
    player = F.col("kind") == "player"
    report = F.col("kind") == "report"  # a player's report of another: not a line anyone said
    # Who a player is across their sessions: their account when signed in, else their session.
    speaker = F.coalesce("account", "from")
    reported_player = F.coalesce("report.account", "report.player")
    question = player & F.col("toNpc").isNotNull()
    answer = (F.col("kind") == "npc") & F.col("unasked").isNull()  # greetings and idle lines answer nothing
    fallback = answer & F.col("npc.fallback")
    # Latency of real answers only: percentile skips the nulls of every other line.
    latency = F.when(answer & ~F.col("npc.fallback"), F.col("npc.latencyMs"))
    hour = F.date_format(F.from_unixtime(F.col("ts") / 1000), "yyyy-MM-dd'T'HH")
    why = (
        F.when(F.col("npc.fallback"), F.coalesce(F.col("npc.reason"), F.lit("fallback")))
        .when(F.length(F.trim("text")) < SHORT_ANSWER_CHARS, F.lit("short_answer"))
    )
    # Questions asked by players others reported (by account when signed in): no retraining data, however answered,
    # nor reported on a day before the report's: the report's days alone let yesterday's troll back in today.
    reported = (records.where(report) if reports is None else reports).select(reported_player.alias("who"), F.lit(True).alias("askerReported")).distinct()
    # Each question line with its asker (account, else session: a guest who rejoins is a new asker, the log carries
    # no address) and whether it is no data to learn from: refused, heard by one player only, or scored toxic.
    asks = (
        records.where(question).select(F.col("id").alias("askId"), speaker.alias("who"), unfit_line().alias("unfitAsk"))
        .join(F.broadcast(reported), "who", "left")
    )
    answers = records.where(answer).join(asks, F.col("npc.questionId") == F.col("askId"), "left")
    asker = F.coalesce("who", "npc.asker")
    # A question the report's tables may print: its line read and fit. Without the line (asked before the report's
    # first day, a record lost) nothing says whether it was toxic, refused or private, nor, for a guest, who asked.
    shown = F.col("askId").isNotNull() & ~F.col("unfitAsk")
    # Its asking counts towards training too when nobody reported the asker and the answer line is fit as well (the
    # model's answer not replaced by moderation, not said in private).
    fit = shown & F.col("askerReported").isNull() & ~unfit_line()
    return {
        "byModel": records.groupBy(F.when(answer & ~F.col("npc.fallback"), F.coalesce("npc.model", F.lit("unknown"))).alias("model")).agg(
            _count_if(~report).alias("lines"),
            _count_if(report).alias("reports"),
            _count_if(question).alias("questions"),
            _count_if(answer).alias("answers"),
            _count_if(fallback).alias("fallbacks"),
            _count_if(answer & (F.col("npc.reason") == "npc_timeout")).alias("timeouts"),
            F.count(latency).alias("answered"),
            F.percentile(latency, 0.5).alias("p50"),
            F.percentile(latency, 0.95).alias("p95"),
            F.percentile(latency, 0.99).alias("p99"),
        ),
        "byHourAndRoom": records.where(player).groupBy(hour.alias("hour"), "roomId").agg(
            _count_if(question).alias("questions"), F.count("*").alias("lines")
        ),
        # By account when signed in, as below: each visit is a session of its own, and one player was split across them.
        "busiestPlayers": records.where(player).groupBy(speaker.alias("player")).agg(
            F.max_by("name", "ts").alias("name"), F.count("*").alias("count")
        ).orderBy(F.desc("count"), "player").limit(TOP),
        # Where each NPC's answers came from (older workers' lines have no source).
        "bySource": records.where(answer & F.col("npc.source").isNotNull()).groupBy(
            F.col("from").alias("npc"), F.col("npc.source").alias("source")
        ).count(),
        # Players others reported most, each counted by their account when signed in (their sessions change), with
        # how many players reported them: one player's many reports are not many players'.
        "mostReported": records.where(report).groupBy(reported_player.alias("player")).agg(
            F.max("report.name").alias("name"),
            F.count("*").alias("reports"),
            F.countDistinct(speaker).alias("reporters"),
        ).orderBy(F.desc("reporters"), F.desc("reports"), "player").limit(TOP),
        # Every answer by its question and outcome, with the first answer given (to a question shown, if any: a
        # private answer is not printed), how many of them answered shown questions and players nobody reported, and
        # the distinct askers fit to learn from (`players`: not reported, their line neither moderated, private nor
        # toxic): failures and retraining candidates.
        "outcomes": answers.groupBy(F.trim(F.col("npc.question")).alias("question"), why.alias("why")).agg(
            F.min_by(F.struct(F.col("text").alias("answer"), F.col("npc.withheld").alias("withheld"), "ts"), F.struct(~shown, F.col("ts"))).alias("first"),
            _count_if(shown).alias("shown"),
            _count_if(F.col("askerReported").isNull()).alias("askedByUnreported"),
            F.collect_set(F.when(fit, asker)).alias("players"),  # those whose asking may become training data
        ),
        # Each question asked once, however many answers it had (a fallback then an answer, an answer logged twice),
        # by its text: how many were shown and how many left out. Answers, counted instead, counted a question twice.
        "asked": answers.select(
            F.coalesce("npc.questionId", "id").alias("questionId"), F.trim(F.col("npc.question")).alias("question"), shown.alias("shown")
        ).distinct().groupBy("question").agg(_count_if(F.col("shown")).alias("asked"), _count_if(~F.col("shown")).alias("leftOut")),
    }


def collect_all(records: DataFrame, reports: DataFrame | None = None) -> dict[str, list[dict]]:
    jobs = queries(records, reports)
    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = {name: pool.submit(_rows, df) for name, df in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def figures(results: dict[str, list[dict]]) -> dict:
    """The report's figures from collect_all's results."""
    by_model = results["byModel"]
    total = {key: sum(row[key] for row in by_model) for key in ("lines", "reports", "questions", "answers", "fallbacks", "timeouts")}

    per_hour, per_room, room_lines = Counter(), Counter(), Counter()
    for row in results["byHourAndRoom"]:
        if row["questions"]:
            per_hour[row["hour"]] += row["questions"]
            per_room[row["roomId"]] += row["questions"]
        room_lines[row["roomId"]] += row["lines"]

    # Player text leaves the job masked: questions that differ only in a phone number count as one.
    per_question, left_out = Counter(), 0
    for row in results["asked"]:
        if row["asked"]:
            per_question[_question(row["question"])] += row["asked"]
        left_out += row["leftOut"]
    # The answers to shown questions alone: a refusal's row printed the abuse it refused.
    outcomes = [{**r, "question": _question(r["question"]), "answer": _masked(r["first"]["answer"])} for r in results["outcomes"] if r["shown"]]
    failed = sorted((r for r in outcomes if r["why"]), key=lambda r: (-r["shown"], r["question"], r["why"]))[:50]

    answered = total["answers"]
    return {
        "lines": total["lines"],
        "questions": total["questions"],
        "answers": answered,
        "questionsPerHour": dict(sorted(per_hour.items())),
        "questionsPerRoom": dict(sorted(per_room.items())),
        "latencyByModel": [
            {"model": r["model"], "answers": r["answered"], "p50": r["p50"], "p95": r["p95"], "p99": r["p99"]}
            for r in sorted((r for r in by_model if r["model"] is not None), key=lambda r: r["model"])
        ],
        "fallbackRate": total["fallbacks"] / answered if answered else 0.0,
        "timeoutRate": total["timeouts"] / answered if answered else 0.0,
        "busiestRooms": [{"roomId": room, "count": n} for room, n in _top(room_lines, TOP)],
        "busiestPlayers": [{**r, "name": _masked(r["name"])} for r in results["busiestPlayers"]],  # names are typed too
        "answersBySource": sorted(results["bySource"], key=lambda r: (r["npc"], -r["count"], r["source"])),
        "reports": total["reports"],
        "mostReported": [{**r, "name": _masked(r["name"])} for r in results["mostReported"]],
        "topQuestions": [{"question": q, "count": n} for q, n in _top(per_question, TOP * 2)],
        "topKeywords": top_keywords(per_question, TOP * 2),
        "questionsLeftOut": left_out,  # not in the tables above nor below: refused, private, toxic, or their line unread
        "failedQuestions": [
            {"question": r["question"], "why": r["why"], "count": r["shown"], "answer": r["answer"]} for r in failed
        ],
    }
