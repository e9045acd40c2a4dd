#!/usr/bin/env bash
# npm run analytics -- --from DATE --to DATE [--input DIR|URI] [--out reports]
# npm run archive -- [--brokers host:port] [--archive URI] [--once]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=$("$root/scripts/python-env.sh")
module=kobot_analytics.report
if [[ "${1:-}" == "--job" ]]; then module="kobot_analytics.$2"; shift 2; fi
cd "$root"
PYTHONPATH="$root/analytics${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -m "$module" "$@"
