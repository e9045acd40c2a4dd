"""The jobs as spark-submit runs them on a cluster (docs/analytics.md): the package in analytics.zip, a launcher file."""
import os
import subprocess
import sys
from pathlib import Path

ANALYTICS = Path(__file__).resolve().parents[1]


def spark_submit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    package = tmp_path / "analytics.zip"
    if not package.exists():  # as the docs build it
        subprocess.run([sys.executable, "-m", "zipfile", "-c", str(package), "kobot_analytics"], cwd=ANALYTICS, check=True)
    bin = Path(sys.executable).parent  # spark-submit finds Spark by the python on PATH, as with the venv activated
    env = {**os.environ, "PATH": f"{bin}{os.pathsep}{os.environ['PATH']}", "PYSPARK_PYTHON": sys.executable}
    env.pop("PYTHONPATH", None)  # the package from analytics.zip only
    env.pop("SPARK_MASTER", None)
    return subprocess.run([str(bin / "spark-submit"), "--master", "local[1]", "--py-files", str(package), *args],
                          cwd=ANALYTICS.parent, env=env, capture_output=True, text=True, timeout=180)


def test_the_archive_job_starts_under_spark_submit(tmp_path):
    """archive.py as spark-submit's file failed at its relative imports."""
    job = spark_submit(tmp_path, "analytics/archive_main.py", "--help")
    assert job.returncode == 0 and "--once" in job.stdout, job.stderr[-2000:]


def test_spark_submit_s_master_is_the_jobs(tmp_path):
    """spark_session set local[2] over spark-submit's --master: a job submitted to a cluster ran on its driver alone."""
    script = tmp_path / "master.py"
    script.write_text('from kobot_analytics.report import spark_session\n'
                      'spark = spark_session("kobot-submit-test")\nprint("master", spark.sparkContext.master)\nspark.stop()\n')
    job = spark_submit(tmp_path, str(script))
    assert "master local[1]" in job.stdout, job.stderr[-2000:]
