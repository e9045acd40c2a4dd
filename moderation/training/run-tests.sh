#!/usr/bin/env bash
# Python tests of the toxicity training script on a tiny set they write (seconds; the real data takes minutes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../../scripts/python-env.sh")
cd "$here"
exec "$python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning tests "$@"
