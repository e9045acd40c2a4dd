#!/usr/bin/env bash
# npm run analytics -- --from DATE --to DATE [--input DIR|URI] [--out reports]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=$("$root/scripts/python-env.sh")
cd "$root"
PYTHONPATH="$root/analytics${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m kobot_analytics.report "$@"
