#!/usr/bin/env bash
# A Redis server on loopback (Debian's redis-server), for the scaling tests and local runs.
#   scripts/redis-local.sh start DIR [PORT]   prints redis://127.0.0.1:PORT once it answers
#   scripts/redis-local.sh stop DIR
set -euo pipefail

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local dir="$1" port="${2:-}"
  command -v redis-server > /dev/null || { echo "redis-server not found: apt-get install redis-server" >&2; exit 1; }
  [[ -n "$port" && "$port" != "0" ]] || port="$(free_port)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do
    if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then echo "redis://127.0.0.1:$port"; return 0; fi
    sleep 0.1
  done
  echo "redis did not answer on port $port; see $dir/redis.log" >&2
  exit 1
}

stop() {
  local pid_file="$1/redis.pid"
  [[ -f "$pid_file" ]] || return 0
  kill "$(cat "$pid_file")" 2>/dev/null || true
  rm -f "$pid_file"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
