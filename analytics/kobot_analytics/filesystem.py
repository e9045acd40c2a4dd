"""The Hadoop FileSystem of the archive (a local folder, HDFS), as the erase job and the archive lock use it."""
import os

from py4j.protocol import Py4JJavaError
from pyspark.sql import SparkSession


class FileSystem:
    """The Hadoop FileSystem of the archive (a local folder, HDFS): through it, checksums stay right."""

    def __init__(self, spark: SparkSession, root: str):
        self.jvm = spark.sparkContext._jvm
        conf = spark.sparkContext._jsc.hadoopConfiguration()
        self.fs = self.jvm.org.apache.hadoop.fs.Path(root).getFileSystem(conf)
        self.files = self.jvm.org.apache.hadoop.fs.FileContext.getFileContext(self.fs.getUri(), conf)
        overwrite = spark.sparkContext._gateway.new_array(self.jvm.org.apache.hadoop.fs.Options.Rename, 1)
        overwrite[0] = self.jvm.org.apache.hadoop.fs.Options.Rename.OVERWRITE
        self.overwrite = overwrite

    def _path(self, path: str):
        return self.jvm.org.apache.hadoop.fs.Path(path)

    def qualified(self, path: str) -> str:
        return self.fs.makeQualified(self._path(path)).toString()

    def logged(self, uri: str) -> str:
        """The path of a file a sink log names (a URI, escaped), without scheme or host: as `data_files` keys them, so
        a log written through another name of the same file system still names them."""
        return self._path(self.jvm.java.net.URI(uri)).toUri().getPath()

    def exists(self, path: str) -> bool:
        return self.fs.exists(self._path(path))

    def list(self, folder: str) -> list[str]:
        return [status.getPath().toString() for status in self.fs.listStatus(self._path(folder)) if status.isFile()]

    def data_files(self, folder: str) -> dict[str, str]:
        """The files a sink wrote under `folder` (`part-*`, in its date folders too; not its log or scratch), each by
        its path without scheme or host (as `logged` gives a log's), to its name here."""
        found, files = self.fs.listFiles(self._path(folder), True), {}
        root = len(self.fs.makeQualified(self._path(folder)).toUri().getPath().rstrip("/")) + 1
        while found.hasNext():
            file = found.next().getPath()
            path = file.toUri().getPath()
            inside = path[root:].split("/")
            if inside[-1].startswith("part-") and not any(part.startswith(("_", ".")) for part in inside):
                files[path] = file.toString()
        return files

    def status(self, path: str) -> tuple[int, int]:
        status = self.fs.getFileStatus(self._path(path))
        return status.getLen(), status.getModificationTime()

    def delete(self, path: str) -> None:
        self.fs.delete(self._path(path), True)

    def replace(self, source: str, target: str) -> None:
        """One rename over the old file (atomic on HDFS): a crash leaves the old file or the new, never neither."""
        self.files.rename(self._path(source), self._path(target), self.overwrite)

    def read(self, path: str) -> str:
        stream = self.fs.open(self._path(path))
        try:
            return self.jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8")
        finally:
            stream.close()

    def write(self, path: str, text: str) -> None:
        scratch = f"{path}.erasing"
        stream = self.fs.create(self._path(scratch), True)
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        self.replace(scratch, path)

    def create_new(self, path: str, text: str) -> bool:
        """Writes a file only where none is, in one step no other writer can share: False where one is. HDFS refuses
        a create without overwrite at its namenode; Hadoop's local file system only checks first, so a local path is
        made with O_EXCL."""
        if self.fs.getUri().getScheme() == "file":
            local = self.fs.makeQualified(self._path(path)).toUri().getPath()
            os.makedirs(os.path.dirname(local), exist_ok=True)
            try:
                fd = os.open(local, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                return False
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(text)
            return True
        try:
            stream = self.fs.create(self._path(path), False)
        except Py4JJavaError as error:
            if "AlreadyExists" in error.java_exception.getClass().getName():
                return False
            raise
        try:
            stream.write(bytearray(text.encode("utf-8")))
        finally:
            stream.close()
        return True

    def touch(self, path: str, at_ms: int) -> None:
        self.fs.setTimes(self._path(path), at_ms, -1)
