"""`npm run analytics -- --job erase --account ID [--archive URI] [--brokers host:port]`: a player's erasure request,
carried out on the Parquet archive the archive job writes (ARCHIVE_URI; the embedded default's files are erased by the
server's `POST /api/erasures`).

First the archive is brought up to date, as the archive job would at its next start (its queries once, from their
checkpoints, KAFKA_BROKERS): a batch a stopped job wrote but had not committed is written again and committed, and
what the topics hold now is archived; else both would land after the erasure, their words in them. Then the files a
batch wrote without committing them (no reader lists them; the batch wrote its records anew) are deleted.

Erased: the records the signed-in player wrote (`chat-log` rows with their `account`), the NPCs' answers to their
lines (which carry their question) or naming them as asker (`npc.asker`: the answer to a question line the archive
never got, a long broker outage having dropped it from the server's buffer), and the question and answer records of those lines (`questions` and `answers`
by questionId, which is the line's id), and the records of theirs the archive set aside as breaking their contract
(`quarantine/<stream>`: the raw record names their account, or one of those ids). Each file holding one is rewritten
without it, under its own name,
and the archive job's file-sink log (`_spark_metadata`, which readers list files by) is brought up to date with the
file's new size: a log naming the old size makes every reader fail on that file. Stop the archive job while this
runs (`docker compose stop archive`): it writes that log too, the catch-up runs from its checkpoints, and the files
of the batch it is writing are not committed yet. While the archive job runs, this job refuses to start (exit 75,
nothing erased), and the archive job refuses to start while this one runs (archive_lock.py).
"""
import argparse
import json
import os
import re
import signal
import sys
import uuid

from pyspark.sql import Column, SparkSession
from pyspark.sql import functions as F

from .archive import KAFKA_PACKAGE, Stream, add_kafka_arguments, await_all, start, streams_of
from .archive_lock import HELD_EXIT, ArchiveHeld, take_archive
from .filesystem import FileSystem
from .records import SET_ASIDE
from .report import spark_session

STREAMS = ["chat-log", "questions", "answers"]


def erase(spark: SparkSession, archive: str, account: str, brokers: str | None = None, archived: list[Stream] | None = None) -> dict[str, int]:
    """Records erased per stream. With `brokers`, the `archived` streams the archive job has run (a checkpoint) are
    brought up to date first. A job stopped midway (a killed driver, HDFS away) is finished by running it again: the
    player's own lines, whose ids find everything else, go last. Raises ArchiveHeld, having touched nothing, while
    the archive job runs on `archive` (archive_lock.py): it would delete the files of the batch it is writing."""
    with take_archive(spark, archive, "erase"):
        return _erase(spark, archive, account, brokers, archived)


def _erase(spark: SparkSession, archive: str, account: str, brokers: str | None, archived: list[Stream] | None) -> dict[str, int]:
    fs = FileSystem(spark, archive)
    if brokers:
        _catch_up(spark, brokers, archive, [s for s in archived or [] if fs.exists(f"{archive}/_checkpoints/{s.name}")])
    for folder in [*STREAMS, *[f"quarantine/{stream}" for stream in STREAMS]]:
        _drop_uncommitted(fs, f"{archive}/{folder}")
    chat = spark.read.parquet(f"{archive}/chat-log") if fs.exists(f"{archive}/chat-log") else None
    theirs = [] if chat is None else _their_lines(chat, account)
    # (folder under the archive, its format, the records to erase, counted as)
    steps = [
        ("questions", "parquet", F.col("questionId").isin(theirs), "questions"),
        ("answers", "parquet", F.col("questionId").isin(theirs), "answers"),
        *[(f"quarantine/{stream}", "json", _set_aside_of(account, theirs), "quarantine") for stream in STREAMS],
        # Last but their own lines: an answer may be all that names a line of theirs, and a job run again finds it so.
        ("chat-log", "parquet", (F.col("kind") == "npc") & (F.col("replyTo").isin(theirs) | (F.col("npc.asker") == account)), "chat-log"),
        ("chat-log", "parquet", F.col("account") == account, "chat-log"),
    ]
    erased = {stream: 0 for stream in [*STREAMS, "quarantine"]}
    for folder, fmt, doomed, counted_as in steps:
        erased[counted_as] += _erase_in(spark, fs, f"{archive}/{folder}", doomed, fmt)
    return erased


def _their_lines(chat, account: str) -> list[str]:
    """The ids of the player's lines: those they wrote, and those the NPCs' answers name them as asker of. A question
    line a long broker outage dropped from the server's buffer is not archived while its answer is: only the answer's
    `npc.asker` and `npc.questionId` (the line's id) find it and its question and answer records (as erasedWith,
    kafka/chat-log.ts, finds it)."""
    written = chat.where(F.col("account") == account).select("id")
    answered = chat.where((F.col("kind") == "npc") & (F.col("npc.asker") == account)).select(F.col("npc.questionId").alias("id"))
    return [row.id for row in written.union(answered).where(F.col("id").isNotNull()).distinct().collect()]


def _set_aside_of(account: str, theirs: list[str]) -> Column:
    """A raw record set aside (quarantine) that is theirs: as JSON, their account or one of their lines' ids in its
    fields; as broken JSON, their account named in so many characters."""
    raw = F.col("record")
    field = lambda name: F.get_json_object(raw, f"$.{name}")
    as_json = ((field("account") == account) | (field("npc.asker") == account) | field("questionId").isin(theirs)
               | field("replyTo").isin(theirs) | field("id").isin(theirs))
    named = raw.rlike('"account"\\s*:\\s*"' + re.escape(account) + '"')
    return F.coalesce(as_json, F.lit(False)) | named


def _catch_up(spark: SparkSession, brokers: str, archive: str, archived: list[Stream]) -> None:
    """The archive job's queries once, from its checkpoints: what it would write at its next start, written now."""
    queries = start(spark, brokers, archive, True, archived)
    try:
        await_all(spark, queries)
    finally:
        for query in queries:
            query.stop()


def _drop_uncommitted(fs: FileSystem, folder: str) -> None:
    """Deletes the files under `folder` its file-sink log does not name: a batch's, written by a driver stopped before
    it committed them. No reader lists them, and the batch, run again from the checkpoint, wrote its records anew."""
    log = f"{folder}/_spark_metadata"
    if not fs.exists(log):
        return  # not written by a streaming query: every file is read
    named = {fs.logged(entry["path"]) for entry_file in _log_files(fs, log) for _, entry in _entries(fs.read(entry_file).split("\n"))}
    written = fs.data_files(folder)
    if not named.intersection(written):
        return  # a log naming none of them names another folder (a copied archive): deleting would empty this one
    for path, file in written.items():
        if path not in named:
            fs.delete(file)


def _log_files(fs: FileSystem, log: str) -> list[str]:
    """A sink log's batch files (`N`, `N.compact`), as Spark reads it: not a batch's file half written (`.….tmp`)."""
    return [file for file in fs.list(log) if re.fullmatch(r"\d+(\.compact)?", file.rsplit("/", 1)[1])]


def _entries(lines: list[str]):
    """(index, entry) of each file named in a sink log file's lines (after its version line, "v1")."""
    return ((i, json.loads(line)) for i, line in enumerate(lines) if line.startswith("{"))


def _erase_in(spark: SparkSession, fs: FileSystem, folder: str, doomed: Column, fmt: str = "parquet") -> int:
    doomed = F.coalesce(doomed, F.lit(False))  # a record without an account is no one's: SQL's null would drop it
    if not fs.exists(folder):
        return 0
    read = spark.read.format(fmt)
    if fmt == "json":
        read = read.schema(SET_ASIDE)  # as the archive sets records aside; none yet reads as none
    files = read.load(folder).where(doomed).groupBy(F.col("_metadata.file_path").alias("file")).count().collect()
    for row in files:
        file = fs.qualified(row.file)
        kept = read.load(file).where(~doomed)  # the file alone: no `date` column, as the sink wrote it
        scratch = f"{folder}/_erasing/{uuid.uuid4().hex}"
        kept.coalesce(1).write.format(fmt).save(scratch)
        written = [path for path in fs.list(scratch) if path.endswith(f".{fmt}")]
        if written:
            fs.replace(written[0], file)
        else:
            fs.write(file, "")  # JSON of no records is no file at all: the file stays, empty, as the sink log names it
        fs.delete(scratch)
        # At once, file by file: a log naming an old size makes every reader fail, the job run again included.
        _update_sink_log(fs, f"{folder}/_spark_metadata", {file: fs.status(file)})
    if files:
        fs.delete(f"{folder}/_erasing")
    return sum(row["count"] for row in files)


def _update_sink_log(fs: FileSystem, log: str, resized: dict[str, tuple[int, int]]) -> None:
    """Each entry of the file-sink log naming a rewritten file gets its size and time now: readers trust both."""
    if not fs.exists(log):
        return  # not written by a streaming query: readers list the folder itself
    for entry_file in _log_files(fs, log):
        lines = fs.read(entry_file).split("\n")
        changed = False
        for i, entry in _entries(lines):
            status = resized.get(fs.qualified(entry["path"]))
            if status:
                entry["size"], entry["modificationTime"] = status
                lines[i] = json.dumps(entry, separators=(",", ":"))
                changed = True
        if changed:
            fs.write(entry_file, "\n".join(lines))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--account", required=True, help="the signed-in player's account")
    parser.add_argument("--archive", default=os.environ.get("ARCHIVE_URI", "data/archive"))
    add_kafka_arguments(parser)
    args = parser.parse_args(argv)
    if not args.brokers:
        parser.error("needs --brokers or KAFKA_BROKERS: what the archive job has not committed yet is archived first, or it lands after the erasure")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stopped, it lets go of the archive as Ctrl-C does
    spark = spark_session("kobot-erase", packages=[KAFKA_PACKAGE])
    try:
        erased = erase(spark, args.archive, args.account, args.brokers, streams_of(args))
    except ArchiveHeld as held:
        print(f"erase: nothing erased: {held}", file=sys.stderr)
        return HELD_EXIT
    finally:
        spark.stop()
    print(f"erased {args.account} from {args.archive}: " + ", ".join(f"{stream} {count}" for stream, count in erased.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
