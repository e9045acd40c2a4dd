#!/usr/bin/env bash
# A Redis server on loopback (Debian's redis-server), for the scaling tests and local runs.
#   scripts/redis-local.sh start DIR [PORT]   prints redis://127.0.0.1:PORT once it answers
#   scripts/redis-local.sh stop DIR
set -euo pipefail
# shellcheck source=service-lib.sh
source "$(dirname "$0")/service-lib.sh"


start() {
  local dir="$1" port="${2:-}"
  command -v redis-server > /dev/null || { echo "redis-server not found: apt-get install redis-server" >&2; exit 1; }
  [[ -n "$port" && "$port" != "0" ]] || port="$(free_port)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  refuse_second_start "$dir/redis.pid" "Redis"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log"
  for _ in $(seq 1 50); do
    # Ready when this Redis answers on the port: another one there (the port was taken) would answer PONG too, and
    # the tests would write into it, while this one failed to bind and exited.
    if listens "$(cat "$dir/redis.pid" 2>/dev/null)" "$port" && redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then
      echo "redis://127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  echo "redis did not answer on port $port; see $dir/redis.log" >&2
  exit 1
}

stop() {
  stop_pidfile "$1/redis.pid" 5
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
