#!/usr/bin/env bash
# Python tests of the Spark analytics (Spark in local mode), in the project's Python environment.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../scripts/python-env.sh")
cd "$here"
PYTHONPATH="$here" exec "$python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning tests "$@"
