#!/usr/bin/env bash
# One command, end to end: npm run train [-- options]; see python -m kobot_train.pipeline --help.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../../scripts/python-env.sh")
cd "$here"
exec "$python" -m kobot_train.pipeline "$@"
