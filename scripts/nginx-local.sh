#!/usr/bin/env bash
# nginx (Debian's) in front of a world server, with the project's config (ops/nginx/world.conf.template): for
# the proxy test and for trying TRUST_PROXY locally.
#   scripts/nginx-local.sh start DIR WORLD_HOST:PORT [LISTEN] [PORT]   prints the port once it answers
#   scripts/nginx-local.sh stop DIR
# LISTEN: the address nginx listens on (default 127.0.0.1; 0.0.0.0 to take players from other addresses).
set -euo pipefail
# shellcheck source=service-lib.sh
source "$(dirname "$0")/service-lib.sh"
root=$(cd "$(dirname "$0")/.." && pwd)

start() {
  local dir="$1" world="$2" listen="${3:-127.0.0.1}" port="${4:-}"
  command -v nginx > /dev/null || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }
  [[ -n "$port" && "$port" != "0" ]] || port="$(free_port)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  # The template's own variables filled in, as the nginx image does with envsubst; nginx's ($host...) kept.
  sed -e "s|\${KOBOT_WORLD_SERVER}|$world|g" -e "s|\${KOBOT_PROXY_LISTEN}|$listen:$port|g" \
    "$root/ops/nginx/world.conf.template" > "$dir/world.conf"
  cat > "$dir/nginx.conf" <<CONF
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  include $dir/world.conf;
}
CONF
  nginx -c "$dir/nginx.conf" -p "$dir" -e "$dir/error.log"
  for _ in $(seq 1 50); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; then echo "$port"; return 0; fi
    sleep 0.1
  done
  echo "nginx did not listen on port $port; see $dir/error.log" >&2
  exit 1
}

stop() {
  stop_pidfile "$1/nginx.pid" 5
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start DIR WORLD_HOST:PORT [LISTEN] [PORT] | stop DIR" >&2; exit 2 ;;
esac
