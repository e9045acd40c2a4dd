#!/usr/bin/env bash
# Creates the project's Python environment once, outside the repository, and prints its python:
# the training pipeline's packages, the benchmark plots' and the Spark analytics'. Re-installs when a requirements file
# changes. KOBOT_VENV overrides the location.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${KOBOT_VENV:-$HOME/.cache/kobot/venv}
requirements=("$root/npc/training/requirements.txt" "$root/bench/requirements.txt" "$root/analytics/requirements.txt")
want=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
# One install at a time: two at once (a second checkout, a parallel job) broke each other's packages. The one that
# waited then finds the environment made.
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements.sha" 2>/dev/null)" != "$want" ]; then
  echo "python-env: installing ${requirements[*]} into $venv (PyTorch is large: a few minutes)" >&2
  python3 -m venv "$venv"
  for file in "${requirements[@]}"; do "$venv/bin/pip" install --disable-pip-version-check -q -r "$file" >&2; done
  echo "$want" > "$venv/.requirements.sha"
fi
echo "$venv/bin/python"
