#!/usr/bin/env bash
# Python tests of the training pipeline (split, tokenizer, export), in the cached environment.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=$("$here/../../scripts/python-env.sh")
cd "$here"
exec "$python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning tests "$@"
