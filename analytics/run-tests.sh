#!/usr/bin/env bash
# Python tests of the Spark analytics (Spark in local mode), in the project's Python environment. With paths
# (tests/test_report.py, tests/test_erase.py::test_x; from analytics/ or from where it is run) only those run, and
# Kafka and HDFS start only if they need them; pytest's options alone (-k x, -x) still mean the whole folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../scripts/python-env.sh")
args=() named=false value=false
for arg in "$@"; do
  path=${arg%%::*}  # a test's id names its file
  if $value || [[ $arg == -* ]]; then
    [[ $arg =~ ^-[kmpWoc]$ ]] && value=true || value=false  # `-k tests`: a value, not the folder
  elif [[ ! -e $here/$path && -e $path ]]; then
    arg=$(realpath "$path")${arg#"$path"}  # from the caller's folder: pytest runs in analytics/
    named=true
  elif [[ -e $here/$path ]]; then
    named=true
  fi
  args+=("$arg")
done
cd "$here"
$named || args=(tests "${args[@]}")
PYTHONPATH="$here" exec "$python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning "${args[@]}"
