#!/usr/bin/env bash
# Python tests of the Spark analytics (Spark in local mode), in the project's Python environment. Paths are from
# analytics/ (tests/test_report.py, tests/test_erase.py::test_x): only those run, and Kafka and HDFS start only if
# they need them; with none (pytest's options alone: -k x, -x) the whole folder runs (pytest.ini's testpaths).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../scripts/python-env.sh")
cd "$here"
PYTHONPATH="$here" exec "$python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning "$@"
