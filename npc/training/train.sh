#!/usr/bin/env bash
# One command, end to end: npm run train [-- options]; see python -m kobot_train.pipeline --help.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../../scripts/python-env.sh")
# Paths given are read from where the command was typed (npm runs scripts from the repository root and says
# where it was called in INIT_CWD): `npm run train -- --extra-data reports/<date>/retrain-candidates.csv`.
cd "${INIT_CWD:-$PWD}"
PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m kobot_train.pipeline "$@"
