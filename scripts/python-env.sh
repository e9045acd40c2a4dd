#!/usr/bin/env bash
# Creates the training environment once, outside the repository, and prints its python.
# Re-installs when npc/training/requirements.txt changes. KOBOT_VENV overrides the location.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${KOBOT_VENV:-$HOME/.cache/kobot/venv}
requirements=$root/npc/training/requirements.txt
want=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements.sha" 2>/dev/null)" != "$want" ]; then
  echo "python-env: installing $requirements into $venv (PyTorch is large: a few minutes)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check -q -r "$requirements" >&2
  echo "$want" > "$venv/.requirements.sha"
fi
echo "$venv/bin/python"
