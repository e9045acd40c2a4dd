"""One job at a time on an archive. The archive job and the erase job both write its files and their file-sink logs
(`_spark_metadata`), and the erase job deletes the files a batch wrote and has not committed yet: run beside a running
archive job, it deleted that batch's files. Each holds `ARCHIVE_URI/_lock` while it runs, a file made only where none
is (in one step: HDFS's namenode refuses a second, a local disk's O_EXCL too), naming its job, process and host; the
other refuses to start while it is there, saying who holds it (exit HELD_EXIT).

A job killed without stopping leaves its lock. It is taken over at once on its own host when its process is gone (or
is this process's own pid, reused by a container started again), and from any host once untouched for STALE_S: its
holder touches it every TOUCH_S. A holder that finds its lock gone or another's (it could not touch it for STALE_S:
the file system away) stops at once, as the other job may be writing by then.
"""
import json
import os
import socket
import sys
import threading
import time
from typing import Callable

from pyspark.sql import SparkSession

from .filesystem import FileSystem

LOCK = "_lock"
TOUCH_S = 10.0
STALE_S = 60.0
HELD_EXIT = 75  # EX_TEMPFAIL: run again later

# What the job refused is told to do, by the job that holds the archive.
_WAIT_FOR = {
    "archive": "stop it first (`docker compose stop archive`), then run this again",
    "erase": "let the erasure finish, then start this again",
}


class ArchiveHeld(Exception):
    """Another job holds the archive: this one must not start."""

    def __init__(self, lock: str, job: str, holder: str):
        self.lock, self.job, self.holder = lock, job, holder
        wait = _WAIT_FOR.get(job, "run this again once it has finished")
        super().__init__(f"the {job} job holds this archive ({holder}; its lock: {lock}): {wait}")


class HeldArchive:
    """The archive, held by this process until `release()` (or the end of a `with`)."""

    def __init__(self, fs: FileSystem, lock: str, mine: str, on_lost: Callable[[str], None], touch_s: float):
        self._fs, self.lock, self._mine = fs, lock, mine
        self._stop = threading.Event()
        self._keeper = threading.Thread(target=self._keep, args=(on_lost, touch_s), name="archive-lock", daemon=True)
        self._keeper.start()

    def _keep(self, on_lost: Callable[[str], None], touch_s: float) -> None:
        while not self._stop.wait(touch_s):
            try:
                ours = self._fs.exists(self.lock) and self._fs.read(self.lock) == self._mine
                if ours:
                    self._fs.touch(self.lock, _now_ms())
            except Exception:  # the file system away: touched again once it is back
                continue
            if not ours:
                return on_lost(self.lock)

    def release(self) -> None:
        self._stop.set()
        self._keeper.join()
        try:
            # Only our own: a lock taken over after ours was deemed stale stays.
            if self._fs.exists(self.lock) and self._fs.read(self.lock) == self._mine:
                self._fs.delete(self.lock)
        except Exception as error:  # the file system away: this host takes it over once our process is gone
            print(f"{self.lock} not let go ({(str(error).strip().splitlines() or [repr(error)])[0][:200]})", file=sys.stderr, flush=True)

    def __enter__(self) -> "HeldArchive":
        return self

    def __exit__(self, *_) -> None:
        self.release()


def take_archive(spark: SparkSession, archive: str, job: str, on_lost: Callable[[str], None] | None = None, touch_s: float = TOUCH_S) -> HeldArchive:
    """Holds `archive` for `job` ("archive", "erase"), or raises ArchiveHeld naming the job that holds it."""
    fs = FileSystem(spark, archive)
    lock = f"{archive.rstrip('/')}/{LOCK}"
    mine = json.dumps({"job": job, "pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    for attempt in range(3):
        if fs.create_new(lock, mine):
            return HeldArchive(fs, lock, mine, on_lost or _stop_at_once, touch_s)
        try:
            text, touched_ms_ago = fs.read(lock), _now_ms() - fs.status(lock)[1]
        except Exception:
            if fs.exists(lock):
                raise
            continue  # let go meanwhile
        held = _held_by(text, touched_ms_ago)
        if held or attempt > 0:
            raise ArchiveHeld(lock, *(held or ("other", "another process")))
        print(f"{job}: {lock} was left by a job that is gone ({text.strip() or 'empty'}): taken over", file=sys.stderr, flush=True)
        fs.delete(lock)
    raise ArchiveHeld(lock, "other", "another process")


def _held_by(text: str, touched_ms_ago: int) -> tuple[str, str] | None:
    """(job, who) holding a lock with this text, or None when no one can: its process is gone."""
    left_s = max(1, round(STALE_S - touched_ms_ago / 1000))
    try:
        held = json.loads(text)
        job, pid, host, since = held["job"], int(held["pid"]), str(held["host"]), held.get("since", "?")
    except (ValueError, KeyError, TypeError):
        # Being written (HDFS shows a file's bytes once it is closed), or torn as it was: its writer may be starting.
        if touched_ms_ago > STALE_S * 1000:
            return None
        return "other", f"a lock still being written; if no job is starting, it is taken over {left_s} s from now"
    if host != socket.gethostname():
        if touched_ms_ago > STALE_S * 1000:
            return None
        return str(job), f"process {pid} on {host} since {since}; if it is gone, its lock is taken over {left_s} s from now"
    return (str(job), f"process {pid} on this host since {since}") if pid != os.getpid() and _running(pid) else None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True  # it runs, as another user
    except OSError:
        return False


def _stop_at_once(lock: str) -> None:
    print(f"{lock} was taken over while this job ran (untouched for {STALE_S:.0f} s: the file system away?): stopping "
          "at once, as the other job may be writing the archive now; run this again once it has finished", file=sys.stderr, flush=True)
    os._exit(HELD_EXIT)


def _now_ms() -> int:
    return int(time.time() * 1000)
