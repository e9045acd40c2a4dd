"""One job at a time on an archive. The archive job and the erase job both write its files and their file-sink logs
(`_spark_metadata`), and the erase job deletes the files a batch wrote and has not committed yet: run beside a running
archive job, it deleted that batch's files. Each holds `ARCHIVE_URI/_lock` while it runs, a file made only where none
is (in one step: HDFS's namenode refuses a second, a local disk's O_EXCL too), naming its job, process and host; the
other refuses to start while it is there, saying who holds it (exit HELD_EXIT).

A job killed without stopping leaves its lock. It is taken over at once on its own host when its process is gone (or
is this process's own pid, reused by a container started again). Whether another host's process runs cannot be asked:
its holder touches the lock every TOUCH_S, and a job starting watches another host's lock for WATCH_S by its own
monotonic clock; touched meanwhile, it is held, untouched, taken over. Its age said nothing: the lock's mtime is by the
holder's clock (on HDFS, the NameNode's), and a clock stepped or skewed by over a minute let a second job take a live
holder's archive (two writers), or kept a dead one's that long. A holder that finds its lock gone or another's (it
could not touch it while another job watched: the file system away) stops at once, as the other job may be writing by
then.
"""
import json
import os
import socket
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable

from pyspark.sql import SparkSession

from .filesystem import FileSystem

LOCK = "_lock"
TOUCH_S = 10.0
# Two touches missed (a holder's timer may fire late under load): a dead holder's lock costs a start this wait.
WATCH_S = 2 * TOUCH_S + 1
HELD_EXIT = 75  # EX_TEMPFAIL: run again later

# What the job refused is told to do, by the job that holds the archive.
_WAIT_FOR = {
    "archive": "stop it first (`docker compose stop archive`), then run this again",
    "erase": "let the erasure finish, then start this again",
}


@dataclass
class Watch:
    """How another host's lock is watched: its mtime and text read every `poll_s` for `window_s` of `now()`."""

    window_s: float = WATCH_S
    poll_s: float = 0.5
    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


other_host_watch = Watch()  # a test runs it on a clock of its own


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
        touched_ms = 0
        while not self._stop.wait(touch_s):
            try:
                ours = self._fs.exists(self.lock) and self._fs.read(self.lock) == self._mine
                if ours:
                    # Each touch a new mtime, even with this host's clock stepped back: a watcher sees a change, not a time.
                    touched_ms = max(int(time.time() * 1000), touched_ms + 1)
                    self._fs.touch(self.lock, touched_ms)
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
            text, mtime_ms = fs.read(lock), fs.status(lock)[1]
            # Taken over, then made by a job that got in first: that one holds it, and is not watched again.
            held = _named(text) if attempt > 0 else _held_by(fs, lock, text, mtime_ms)
        except Exception:
            if fs.exists(lock):
                raise
            continue  # let go meanwhile
        if held:
            raise ArchiveHeld(lock, *held)
        print(f"{job}: {lock} was left by a job that is gone ({text.strip() or 'empty'}): taken over", file=sys.stderr, flush=True)
        fs.delete(lock)
    raise ArchiveHeld(lock, "other", "another process")


def _held_by(fs: FileSystem, lock: str, text: str, mtime_ms: int) -> tuple[str, str] | None:
    """(job, who) holding the lock read as `text`, last touched at `mtime_ms`, or None when no one can: its process is
    gone (this host), or it was not touched while watched (another host's, or one torn as it was written)."""
    watched = f"if it is gone, the next job to start takes its lock over, having watched it {WATCH_S:.0f} s untouched"
    holder = _holder(text)
    if holder is None:
        # Being written (HDFS shows a file's bytes once it is closed), or torn as it was: its writer, starting, closes it.
        return ("other", f"a lock being written meanwhile; {watched}") if _touched_while_watched(fs, lock, text, mtime_ms) else None
    job, who = _named(text)
    if holder[2] != socket.gethostname():
        return (job, f"{who}, which touches its lock as a live job does; {watched}") if _touched_while_watched(fs, lock, text, mtime_ms) else None
    return (job, who) if holder[1] != os.getpid() and _running(holder[1]) else None


def _holder(text: str) -> tuple[str, int, str, str] | None:
    """(job, pid, host, since) a lock's text names, or None where it names none: being written, or torn."""
    try:
        held = json.loads(text)
        return str(held["job"]), int(held["pid"]), str(held["host"]), str(held.get("since", "?"))
    except (ValueError, KeyError, TypeError):
        return None


def _named(text: str) -> tuple[str, str]:
    """(job, who) a lock's text names, unjudged."""
    holder = _holder(text)
    if holder is None:
        return "other", "another process"
    job, pid, host, since = holder
    return job, f"process {pid} on {'this host' if host == socket.gethostname() else host} since {since}"


def _touched_while_watched(fs: FileSystem, lock: str, text: str, mtime_ms: int) -> bool:
    """Whether the lock changed (touched, written, or made anew) while watched for other_host_watch.window_s: its mtime
    and text against their first reading, so neither host's wall clock matters. Raises where it is let go meanwhile."""
    watch = other_host_watch
    since = watch.now()
    while (waited := watch.now() - since) < watch.window_s:
        watch.sleep(min(watch.poll_s, watch.window_s - waited))
        if fs.status(lock)[1] != mtime_ms or fs.read(lock) != text:
            return True
    return False


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True  # it runs, as another user
    except OSError:
        return False


def _stop_at_once(lock: str) -> None:
    print(f"{lock} was taken over while this job ran (untouched while another job watched it {WATCH_S:.0f} s: the file system away?): stopping "
          "at once, as the other job may be writing the archive now; run this again once it has finished", file=sys.stderr, flush=True)
    os._exit(HELD_EXIT)
