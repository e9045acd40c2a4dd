#!/usr/bin/env bash
# nginx (Debian's) in front of world servers, with one of the project's configs (ops/nginx/*.conf.template): for the
# proxy tests and for trying TRUST_PROXY locally. The template's ${KOBOT_...} variables come from the environment, as
# the nginx image fills them in; KOBOT_PROXY_LISTEN is set here from LISTEN and PORT, KOBOT_ACCESS_LOG (unless set) to
# DIR/access.log, KOBOT_RESOLVER (unless set) to the first nameserver of /etc/resolv.conf.
#   KOBOT_WORLD_SERVER=127.0.0.1:2567 scripts/nginx-local.sh start DIR ops/nginx/world.conf.template [LISTEN] [PORT]
#   scripts/nginx-local.sh stop DIR
# Prints the port once nginx listens. LISTEN: the address it listens on (default 127.0.0.1; 0.0.0.0 to take players
# from other addresses).
set -euo pipefail
# shellcheck source=service-lib.sh
source "$(dirname "$0")/service-lib.sh"

start() {
  local dir="$1" template="$2" listen="${3:-127.0.0.1}" port="${4:-}"
  command -v nginx > /dev/null || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }
  [[ -n "$port" && "$port" != "0" ]] || port="$(free_port)"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  # A second nginx on the same DIR took its pid file: `stop` stopped that one, and the first served on, unrecorded.
  refuse_second_start "$dir/nginx.pid" nginx
  # The template's own variables filled in, as the nginx image does with envsubst; nginx's ($host...) kept.
  local resolver="${KOBOT_RESOLVER:-$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)}"
  # nginx takes an IPv6 nameserver in brackets, without a link-local zone ("fe80::1%eth0").
  if [[ "$resolver" == *:* && "$resolver" != \[* ]]; then resolver="[${resolver%%\%*}]"; fi
  KOBOT_PROXY_LISTEN="$listen:$port" KOBOT_ACCESS_LOG="${KOBOT_ACCESS_LOG:-\"$dir/access.log\"}" KOBOT_RESOLVER="${resolver:-127.0.0.1}" perl -pe \
    's/\$\{(KOBOT_\w+)\}/exists $ENV{$1} ? $ENV{$1} : die "nginx-local.sh: $1 is not set\n"/ge' \
    "$template" > "$dir/world.conf"
  cat > "$dir/nginx.conf" <<CONF
daemon on;
pid "$dir/nginx.pid";
error_log "$dir/error.log" warn;
events { worker_connections 1024; }
http {
  access_log "$dir/access.log";
  client_body_temp_path "$dir/client_body";
  proxy_temp_path "$dir/proxy";
  fastcgi_temp_path "$dir/fastcgi";
  uwsgi_temp_path "$dir/uwsgi";
  scgi_temp_path "$dir/scgi";
  include "$dir/world.conf";
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
  *) echo "usage: [KOBOT_...=…] $0 start DIR TEMPLATE [LISTEN] [PORT] | stop DIR" >&2; exit 2 ;;
esac
