"""Real services for the archive tests, started with the same scripts operators use (scripts/*-local.sh):
a Kafka broker and a single-node HDFS on free loopback ports."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The live-room test's server uses the default topics; the other tests have topics of their own.
TOPICS = ["chat.log", "npc.question", "npc.answer", "chat.log.archive-test", "npc.question.archive-test",
          "npc.answer.archive-test", "chat.log.hdfs-test", "chat.log.archive-late-test", "chat.log.loss-test"]


def service(script: str, *args: str) -> str:
    out = subprocess.run(["bash", str(ROOT / "scripts" / script), *args], check=True, capture_output=True, text=True, timeout=300)
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


@pytest.fixture(scope="session")
def brokers(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("needs Java for the Kafka broker")
    folder = tmp_path_factory.mktemp("kafka")
    yield service("kafka-local.sh", "start", str(folder), "0", *TOPICS)
    service("kafka-local.sh", "stop", str(folder))


class Hdfs:
    """A single-node HDFS whose data survives stop() and start() (same folder, same port)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.uri = service("hdfs-local.sh", "start", str(folder))
        self.port = self.uri.rsplit(":", 1)[1]

    def stop(self) -> None:
        service("hdfs-local.sh", "stop", str(self.folder))

    def start(self) -> None:
        service("hdfs-local.sh", "start", str(self.folder), self.port)


@pytest.fixture(scope="session")
def hdfs(tmp_path_factory):
    if shutil.which("java") is None:
        pytest.skip("needs Java for HDFS")
    cluster = Hdfs(tmp_path_factory.mktemp("hdfs"))
    yield cluster
    cluster.stop()
