"""Reading chat-log records (kafka/chat-log.ts) from the archive, with malformed ones quarantined.

The archive is a folder (or Hadoop FileSystem URI) of `date=YYYY-MM-DD/` partitions holding JSON
lines (the embedded default's DailyFileChatLog) or Parquet (the Kafka archive job).
"""
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

NPC_INFO = T.StructType([
    T.StructField("questionId", T.StringType()),
    T.StructField("question", T.StringType()),
    T.StructField("asker", T.StringType()),  # the asker's account, when signed in (erasure finds the answer by it)
    T.StructField("latencyMs", T.DoubleType()),
    T.StructField("workerMs", T.DoubleType()),
    T.StructField("model", T.StringType()),
    T.StructField("confidence", T.DoubleType()),
    T.StructField("withheld", T.StringType()),
    T.StructField("source", T.StringType()),
    T.StructField("fallback", T.BooleanType()),
    T.StructField("reason", T.StringType()),
    T.StructField("action", T.StringType()),  # the game action its knowledge line named (npc_action)
])

# On a player's report of another (kind "report"): whom it reports, and the lines it points at.
REPORT_INFO = T.StructType([
    T.StructField("player", T.StringType()),
    T.StructField("account", T.StringType()),
    T.StructField("name", T.StringType()),
    T.StructField("lineIds", T.ArrayType(T.StringType())),
])

CHAT_LOG = T.StructType([
    T.StructField("v", T.IntegerType()),
    T.StructField("id", T.StringType()),
    T.StructField("roomId", T.StringType()),
    T.StructField("serverId", T.StringType()),
    T.StructField("kind", T.StringType()),
    T.StructField("from", T.StringType()),
    T.StructField("account", T.StringType()),  # a signed-in player's account (AUTH_SECRET); absent otherwise
    T.StructField("name", T.StringType()),
    T.StructField("text", T.StringType()),
    T.StructField("ts", T.LongType()),
    T.StructField("replyTo", T.StringType()),
    T.StructField("toNpc", T.StringType()),
    T.StructField("moderated", T.BooleanType()),
    T.StructField("toxicity", T.DoubleType()),  # a player line's learned toxicity score (TOXICITY_MODEL)
    T.StructField("unasked", T.StringType()),
    T.StructField("event", T.StringType()),  # with unasked "event": the game event the backend fired
    T.StructField("private", T.BooleanType()),  # a line only one player heard (an NPC that talks in private)
    T.StructField("npc", NPC_INFO),
    T.StructField("report", REPORT_INFO),
    T.StructField("_corrupt", T.StringType()),
])

KINDS = ["player", "npc", "system", "report"]
# The archive job's Parquet: the chat-log fields, partitioned by date.
ARCHIVED = T.StructType([f for f in CHAT_LOG.fields if f.name != "_corrupt"] + [T.StructField("date", T.StringType())])

# The question/answer contract (kafka/contract.ts), archived beside the chat log: every field of it, or the archive
# drops it without a word (tests/test_schemas.py reads the contract's fields from its source).
QUESTION = T.StructType([
    T.StructField("v", T.IntegerType()),
    T.StructField("questionId", T.StringType()),
    T.StructField("roomId", T.StringType()),
    T.StructField("npcId", T.StringType()),
    T.StructField("playerId", T.StringType()),
    T.StructField("playerName", T.StringType()),
    T.StructField("text", T.StringType()),
    T.StructField("ts", T.LongType()),
    T.StructField("deadline", T.LongType()),
    T.StructField("replyTo", T.StringType()),
    T.StructField("model", T.StringType()),  # the model the NPC speaks with in its server's world file, by its name there
    T.StructField("_corrupt", T.StringType()),
])

ANSWER = T.StructType([
    T.StructField("v", T.IntegerType()),
    T.StructField("questionId", T.StringType()),
    T.StructField("roomId", T.StringType()),
    T.StructField("npcId", T.StringType()),
    T.StructField("text", T.StringType()),
    T.StructField("ms", T.DoubleType()),
    T.StructField("model", T.StringType()),
    T.StructField("confidence", T.DoubleType()),
    T.StructField("withheld", T.StringType()),
    T.StructField("source", T.StringType()),
    T.StructField("action", T.StringType()),
    T.StructField("error", T.StructType([T.StructField("code", T.StringType()), T.StructField("message", T.StringType())])),
    T.StructField("replyTo", T.StringType()),
    T.StructField("_corrupt", T.StringType()),
])


def quarantine_reason():
    """Why a record cannot be used (a column, null for a good record); shared by archive and reports."""
    return (
        F.when(F.col("_corrupt").isNotNull(), F.lit("not JSON, or a field of the wrong type"))
        .when(F.col("v").isNull() | (F.col("v") != 1), F.lit("unknown record version"))  # null != 1 is null: none passed
        .when(F.col("id").isNull() | (F.length("id") == 0), F.lit("no id"))
        .when(F.col("roomId").isNull(), F.lit("no roomId"))
        .when(~F.col("kind").isin(KINDS) | F.col("kind").isNull(), F.lit("unknown kind"))
        .when(F.col("ts").isNull(), F.lit("no ts"))
        # An NPC line either answers a question (its npc info) or was said unasked (a greeting, an idle line).
        .when((F.col("kind") == "npc") & F.col("npc").isNull() & F.col("unasked").isNull(),
              F.lit("npc line without its answer info"))
    )


def _contract_reason(required: list[str]):
    reason = F.when(F.col("_corrupt").isNotNull(), F.lit("not JSON, or a field of the wrong type")).when(
        F.col("v") != 1, F.lit("unknown record version"))
    for name in required:
        reason = reason.when(F.col(name).isNull() | (F.length(F.col(name).cast("string")) == 0), F.lit(f"no {name}"))
    return reason


def question_reason():
    return _contract_reason(["questionId", "roomId", "npcId", "text", "ts"])


def answer_reason():
    # An answer that carries an error has empty text, so only a missing text is wrong.
    return _contract_reason(["questionId", "roomId", "npcId"]).when(F.col("text").isNull(), F.lit("no text"))


# What the reports read: column pruning makes a Parquet archive read only these.
# `moderated`, `toxicity` and `private` keep refused, toxic and private lines out of the retraining candidates and
# out of the report's tables (unfit_line).
REPORT_COLUMNS = ["id", "roomId", "kind", "from", "account", "name", "text", "ts", "toNpc", "npc", "unasked", "report",
                  "moderated", "toxicity", "private"]

TOXIC = 0.5  # a player line's logged toxicity score from which it is no retraining data and no report shows it


def unfit_line():
    """Whether a line (a column) is none to learn from nor to print: moderation refused it (a player's) or replaced it (an
    NPC's answer), one player alone heard it (`private`), or it was scored toxic (TOXIC), refused or not. The one rule
    of the retraining candidates and the report's questions (figures.py)."""
    return (F.coalesce("moderated", F.lit(False)) | F.coalesce("private", F.lit(False))
            | (F.coalesce("toxicity", F.lit(0.0)) >= TOXIC))


# A record the archive job set aside (`ARCHIVE_URI/quarantine/<stream>/`, JSON): as it came, why, and when Kafka took
# it (records that older jobs set aside lack it).
SET_ASIDE = "record STRING, reason STRING, kafkaTime TIMESTAMP"


class NoArchive(Exception):
    """The source holds no archive at all: a wrong --input, or nothing archived there yet."""

    def __init__(self, source: str):
        super().__init__(f"no chat-log archive at {source} (no date=YYYY-MM-DD/ files): a wrong --input, or no chat logged yet")


def read_chat_log(spark: SparkSession, source: str, date_from: str, date_to: str) -> tuple[DataFrame, DataFrame]:
    """Records from `source` dated date_from..date_to (UTC, inclusive): (valid, quarantined: `reason`, `file`, `id`).
    Only the date partitions in range are read, so a day's broken line shows in that day's reports only. A quarantined
    record is named by where it lies, not by what it says: a player's erasure reaches the archive, not a report's folder.

    Duplicates (the same line id delivered twice) are kept once, in either format: the archive job drops those
    delivered within a day of each other, not a line redriven later (chatlog:redrive after a long outage), which
    before session 61 every Parquet report counted twice.
    """
    parquet = bool(_archived_files(spark, source, "parquet"))
    checked = _read_checked(spark, source, parquet, date_from, date_to)
    quarantined = checked.where(F.col("reason").isNotNull()).select("reason", "file", "id")
    set_aside = _set_aside(spark, source, date_from, date_to) if parquet else None
    if set_aside is not None:
        quarantined = quarantined.unionByName(set_aside)
    day = F.date_format(F.from_unixtime(F.col("ts") / 1000), "yyyy-MM-dd")
    valid = (
        checked.where(F.col("reason").isNull())
        .select(*REPORT_COLUMNS)
        .withColumn("day", day)
        .where((F.col("day") >= date_from) & (F.col("day") <= date_to))
    )
    return valid.dropDuplicates(["id"]), quarantined


def read_reported(spark: SparkSession, source: str, date_to: str) -> DataFrame:
    """The `report` of each player's report of another (kind "report") filed on any day up to date_to, whatever the
    days a report covers: a player reported yesterday is still one in today's report. Only the columns the checks
    and the report need are read from Parquet; the embedded default's files of every day are read whole."""
    parquet = bool(_archived_files(spark, source, "parquet"))
    checked = _read_checked(spark, source, parquet, "0000-01-01", date_to)
    day = F.date_format(F.from_unixtime(F.col("ts") / 1000), "yyyy-MM-dd")
    return checked.where(F.col("reason").isNull() & (F.col("kind") == "report") & (day <= date_to)).select("report")


def _read_checked(spark: SparkSession, source: str, parquet: bool, date_from: str, date_to: str) -> DataFrame:
    """The records of the date folders date_from..date_to with `file` and `reason` (null for a good record)."""
    if parquet:
        # An explicit schema: no schema-inference pass over the files' footers; the date filter prunes partitions.
        raw = (
            spark.read.schema(ARCHIVED).parquet(source)
            .where(F.col("date").between(date_from, date_to))
            .drop("date")
            .withColumn("_corrupt", F.lit(None).cast("string"))
            .withColumn("file", F.col("_metadata.file_path"))
        )
    else:
        raw = _read_json_lines(spark, source, date_from, date_to)
    return raw.withColumn("reason", quarantine_reason())


def _read_json_lines(spark: SparkSession, source: str, date_from: str, date_to: str) -> DataFrame:
    """The embedded default's files of the days in range (DailyFileChatLog files a line by its ts, UTC)."""
    files = _archived_files(spark, source, "ndjson")
    if not files:
        raise NoArchive(source)
    in_range = [path for day, path in files if date_from <= day <= date_to]
    if not in_range:
        return spark.createDataFrame([], CHAT_LOG).withColumn("file", F.lit(None).cast("string"))  # a day nobody chatted: an empty report
    return (
        spark.read.schema(CHAT_LOG)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", "_corrupt")
        .json(in_range)
        .withColumn("file", F.col("_metadata.file_path"))
    )


def _set_aside(spark: SparkSession, source: str, date_from: str, date_to: str) -> DataFrame | None:
    """The records the archive job set aside of these days (`quarantine/chat-log/` beside `source`, the Parquet
    archive): dated by the time the record gives, else Kafka's; one with neither is in no day's report. Read as the
    ndjson archive's malformed lines are, by where they lie and why: a report of the Parquet archive said "0
    quarantined", whatever the archive had set aside."""
    folder = f"{source.rstrip('/').rsplit('/', 1)[0]}/quarantine/chat-log"
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(folder)
    if not path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(path):
        return None
    records = spark.read.schema(SET_ASIDE).json(folder)
    ts = F.expr("try_cast(get_json_object(record, '$.ts') AS BIGINT)")
    day = F.coalesce(F.from_unixtime(ts / 1000, "yyyy-MM-dd"), F.date_format("kafkaTime", "yyyy-MM-dd"))
    return records.where(day.between(date_from, date_to)).select(
        "reason", F.col("_metadata.file_path").alias("file"), F.get_json_object("record", "$.id").alias("id")
    )


def archived_days(spark: SparkSession, source: str, date_from: str, date_to: str) -> list[str]:
    """The days date_from..date_to the archive at `source` holds files of (either format)."""
    return sorted({day for extension in ("ndjson", "parquet") for day, _ in _archived_files(spark, source, extension) if date_from <= day <= date_to})


def _archived_files(spark: SparkSession, source: str, extension: str) -> list[tuple[str, str]]:
    """(day, path) of each `date=YYYY-MM-DD/*.<extension>` file under `source`, on any Hadoop FileSystem."""
    jvm = spark.sparkContext._jvm
    pattern = jvm.org.apache.hadoop.fs.Path(f"{source}/date=*/*.{extension}")
    found = pattern.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).globStatus(pattern) or []
    return [(status.getPath().getParent().getName().removeprefix("date="), status.getPath().toString()) for status in found]
