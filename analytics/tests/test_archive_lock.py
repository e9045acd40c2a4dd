"""The archive job and the erase job never run on one archive together (archive_lock.py): the erasure deletes the
files a batch wrote and has not committed yet, which, beside a running archive job, are that batch's own. Each refuses
to start while the other holds the archive, and a lock left by a killed job is taken over."""
import json
import os
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from pyspark.sql import functions as F

from conftest import ROOT
from kobot_analytics import archive_lock
from kobot_analytics.archive import KAFKA_PACKAGE, start, streams
from kobot_analytics.archive_lock import HELD_EXIT, LOCK, TOUCH_S, WATCH_S, ArchiveHeld, take_archive
from kobot_analytics.filesystem import FileSystem
from kobot_analytics.report import spark_session

TOPICS = ["chat.log.archive-test", "npc.question.archive-test", "npc.answer.archive-test"]


@pytest.fixture(scope="module")
def spark():
    session = spark_session("kobot-archive-lock-test", packages=[KAFKA_PACKAGE])
    yield session
    session.stop()


def job(*args: str) -> subprocess.CompletedProcess:
    """A job as an operator runs it (`npm run analytics -- --job …`), on the test topics."""
    topics = ["--chat-log-topic", TOPICS[0], "--question-topic", TOPICS[1], "--answer-topic", TOPICS[2]]
    return subprocess.run(["bash", str(ROOT / "analytics/run.sh"), "--job", *args, *topics], cwd=ROOT, capture_output=True, text=True, timeout=300)


def archive_lines(spark, brokers: str, archive: str, lines: list[str]) -> None:
    spark.createDataFrame([(line,) for line in lines], "value string").write.format("kafka") \
        .option("kafka.bootstrap.servers", brokers).option("topic", TOPICS[0]).save()
    for query in start(spark, brokers, archive, True, streams(*TOPICS)[:1]):
        query.awaitTermination()


def lock_of(job: str, pid: int, host: str = socket.gethostname()) -> str:
    return json.dumps({"job": job, "pid": pid, "host": host, "since": "2026-12-04T10:00:00Z"})


class WatchClock:
    """The clock another host's lock is watched by, the test's own: each sleep of the watch passes at once, and runs
    the steps in `meanwhile` (what the lock's holder does in that time), given the time watched so far."""

    def __init__(self):
        self.now, self.meanwhile = 0.0, []

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        for step in self.meanwhile:
            step(self.now)


@pytest.fixture
def watch(monkeypatch) -> WatchClock:
    clock = WatchClock()
    monkeypatch.setattr(archive_lock.other_host_watch, "now", lambda: clock.now)
    monkeypatch.setattr(archive_lock.other_host_watch, "sleep", clock.sleep)
    return clock


def test_an_erasure_refuses_to_start_while_the_archive_job_runs_and_deletes_nothing(spark, brokers, tmp_path):
    archive, tag = str(tmp_path / "archive"), uuid.uuid4().hex[:8]
    said = lambda id: json.dumps({"v": 1, "id": f"held-{tag}-{id}", "roomId": "room-h", "serverId": "s", "kind": "player", "from": "p",
                                  "name": "지울이", "text": id, "ts": int(time.time() * 1000), "account": f"acc-held-{tag}"}, ensure_ascii=False)
    archive_lines(spark, brokers, archive, [said("1"), said("2")])
    # The running archive job's batch, its files written and not yet committed to the sink log.
    committed = next((tmp_path / "archive" / "chat-log").glob("date=*/part-*.parquet"))
    writing = committed.with_name(f"part-00000-{uuid.uuid4()}.c000.snappy.parquet")
    shutil.copy(committed, writing)

    with take_archive(spark, archive, "archive"):
        erasure = job("erase", "--account", f"acc-held-{tag}", "--archive", archive, "--brokers", brokers)
        assert erasure.returncode == HELD_EXIT, erasure.stdout + erasure.stderr
        assert f"erase: nothing erased: the archive job holds this archive (process {os.getpid()} on this host" in erasure.stderr, erasure.stderr
        assert "stop it first (`docker compose stop archive`)" in erasure.stderr
        assert writing.exists(), "the batch's files stay"
    stored = spark.read.parquet(f"{archive}/chat-log").where(F.col("account") == f"acc-held-{tag}")
    assert sorted(r.id for r in stored.collect()) == [f"held-{tag}-1", f"held-{tag}-2"], "nothing erased"
    assert not (tmp_path / "archive" / LOCK).exists(), "let go once the archive job stops"


def test_the_archive_job_refuses_to_start_while_an_erasure_runs(spark, brokers, tmp_path):
    archive = str(tmp_path / "archive")
    with take_archive(spark, archive, "erase"):
        archiving = job("archive", "--brokers", brokers, "--archive", archive, "--once", "--only", "chat-log")
    assert archiving.returncode == HELD_EXIT, archiving.stdout + archiving.stderr
    assert "archive: the erase job holds this archive" in archiving.stderr and "let the erasure finish" in archiving.stderr, archiving.stderr
    assert not (tmp_path / "archive" / "chat-log").exists(), "nothing archived"


def test_a_lock_left_by_a_job_that_is_gone_is_taken_over(spark, tmp_path, capsys, watch):
    archive = str(tmp_path / "archive")
    fs, lock = FileSystem(spark, archive), f"{archive}/{LOCK}"
    gone = subprocess.Popen(["true"])
    gone.wait()
    elsewhere = lock_of("erase", 1, "a-container-made-again")
    # Its process gone; this process's own pid (a container started again); another host's; torn as it was written.
    for left in [lock_of("archive", gone.pid), lock_of("archive", os.getpid()), elsewhere, ""]:
        assert fs.create_new(lock, left)
        watch.now = 0.0
        with take_archive(spark, archive, "archive"):
            assert json.loads(fs.read(lock))["pid"] == os.getpid()
        # Whether another host's process runs cannot be asked (nor a torn lock's writer): watched, untouched, first.
        assert watch.now == (WATCH_S if left in (elsewhere, "") else 0.0), left
        assert "was left by a job that is gone" in capsys.readouterr().err
        assert not fs.exists(lock)


def test_another_hosts_job_touching_its_lock_holds_the_archive_however_old_its_mtime_reads(spark, tmp_path, watch):
    archive = str(tmp_path / "archive")
    fs, lock = FileSystem(spark, archive), f"{archive}/{LOCK}"
    behind_ms = int((time.time() - 300) * 1000)  # its holder's clock (or its NameNode's) 5 minutes behind this host's
    assert fs.create_new(lock, lock_of("erase", 4242, "spark-b"))
    fs.touch(lock, behind_ms)
    touches = []

    def holder_touches(watched_s: float) -> None:  # every TOUCH_S, by its own clock
        if watched_s >= TOUCH_S * (len(touches) + 1):
            touches.append(watched_s)
            fs.touch(lock, behind_ms + int(watched_s * 1000))

    watch.meanwhile.append(holder_touches)
    with pytest.raises(ArchiveHeld, match=r"the erase job holds this archive \(process 4242 on spark-b .*touches its lock") as held:
        take_archive(spark, archive, "archive")
    assert "let the erasure finish" in str(held.value)
    assert len(touches) == 1, "found live at its first touch"
    assert json.loads(fs.read(lock))["host"] == "spark-b", "its lock stays"


def test_another_hosts_lock_left_untouched_is_taken_over_after_the_watch_however_recent_its_mtime_reads(spark, tmp_path, capsys, watch):
    archive = str(tmp_path / "archive")
    fs, lock = FileSystem(spark, archive), f"{archive}/{LOCK}"
    assert fs.create_new(lock, lock_of("archive", 4242, "spark-b"))
    fs.touch(lock, int((time.time() + 30) * 1000))  # touched just now by its holder's clock, which ran ahead, and died
    with take_archive(spark, archive, "erase"):
        assert json.loads(fs.read(lock))["pid"] == os.getpid()
    assert watch.now >= WATCH_S, "watched for two of its holder's touches first"
    assert "was left by a job that is gone" in capsys.readouterr().err


def test_a_lock_of_a_live_process_on_this_host_holds_until_it_is_gone(spark, tmp_path):
    archive = str(tmp_path / "archive")
    running = subprocess.Popen(["sleep", "60"])
    try:
        assert FileSystem(spark, archive).create_new(f"{archive}/{LOCK}", lock_of("erase", running.pid))
        with pytest.raises(ArchiveHeld, match=f"the erase job holds this archive \\(process {running.pid} on this host"):
            take_archive(spark, archive, "archive")
    finally:
        running.kill()
        running.wait()
    take_archive(spark, archive, "archive").release()


def test_a_job_whose_lock_was_taken_over_is_told_and_leaves_the_new_lock(spark, tmp_path):
    archive, lost = str(tmp_path / "archive"), []
    fs, lock = FileSystem(spark, archive), f"{archive}/{LOCK}"
    held = take_archive(spark, archive, "archive", on_lost=lost.append, touch_s=0.1)
    touched = fs.status(lock)[1]
    time.sleep(0.5)
    assert fs.status(lock)[1] > touched, "its holder touches it"
    fs.write(lock, lock_of("erase", 1, "another-host"))  # deemed stale elsewhere (HDFS away a while) and taken over
    deadline = time.monotonic() + 10
    while not lost and time.monotonic() < deadline:
        time.sleep(0.1)
    assert lost == [lock]
    held.release()
    assert json.loads(fs.read(lock))["host"] == "another-host"


def test_the_lock_on_hdfs(spark, hdfs):
    archive = f"{hdfs.uri}/lock-test"
    fs, lock = FileSystem(spark, archive), f"{archive}/{LOCK}"
    running = subprocess.Popen(["sleep", "60"])
    try:
        assert fs.create_new(lock, lock_of("archive", running.pid))
        assert not fs.create_new(lock, lock_of("erase", running.pid)), "one lock at a time"
        with pytest.raises(ArchiveHeld, match="the archive job holds this archive"):
            take_archive(spark, archive, "erase")
    finally:
        running.kill()
        running.wait()
    with take_archive(spark, archive, "erase"):
        assert json.loads(fs.read(lock))["job"] == "erase"
    assert not fs.exists(lock)
