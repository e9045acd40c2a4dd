#!/usr/bin/env bash
# A real single-node Elasticsearch on loopback, for tests, benchmarks and local runs.
#   scripts/elasticsearch-local.sh fetch              download the node once (~/.cache/kobot/elasticsearch-<v>)
#   scripts/elasticsearch-local.sh start DIR [PORT]   start a node with data and logs in DIR; prints its URL when ready (yellow)
#   scripts/elasticsearch-local.sh stop DIR           stop it (the data stays: start DIR again resumes it)
# Elasticsearch refuses to run as root: as root, the node runs as the system user `kobot-es`.
set -euo pipefail
# shellcheck source=service-lib.sh
source "$(dirname "$0")/service-lib.sh"

ES_VERSION="${ES_VERSION:-8.19.7}"
ES_USER="kobot-es"
# The node's user must be able to read its installation: as root, cache it outside /root.
if [[ "$(id -u)" == "0" ]]; then DEFAULT_CACHE=/var/cache/kobot; else DEFAULT_CACHE="$HOME/.cache/kobot"; fi
CACHE="${KOBOT_ES_CACHE:-$DEFAULT_CACHE}"
HOME_DIR="$CACHE/elasticsearch-$ES_VERSION"
export ES_JAVA_HOME="${ES_JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"

fetch() {
  [[ -x "$HOME_DIR/bin/elasticsearch" ]] && return 0
  with_cache_lock "$HOME_DIR.lock" fetch_locked
}

fetch_locked() {
  [[ -x "$HOME_DIR/bin/elasticsearch" ]] && return 0
  local tmp
  tmp="$(mktemp -d)"
  # Maven Central publishes the node as the integ-test-zip distribution (default modules only).
  mvn -q -B dependency:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$tmp" >&2
  mkdir -p "$CACHE"
  rm -rf "$HOME_DIR.partial" # left by a fetch cut off before: mv would put the new one inside it
  (cd "$tmp" && unzip -q ./*.zip && mv "elasticsearch-$ES_VERSION" "$HOME_DIR.partial")
  mv "$HOME_DIR.partial" "$HOME_DIR"
  rm -rf "$tmp"
}


as_es_user() {
  if [[ "$(id -u)" == "0" ]]; then
    runuser -u "$ES_USER" -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir="$1" port="${2:-}"
  fetch
  mkdir -p "$dir/data" "$dir/logs" "$dir/config"
  dir="$(cd "$dir" && pwd)"
  refuse_second_start "$dir/es.pid" "Elasticsearch"
  if [[ -z "$port" || "$port" == "0" ]]; then
    port="$(cat "$dir/port" 2>/dev/null || free_port)" # a restart keeps its port
  fi
  echo "$port" > "$dir/port"
  # A config folder per node: the node writes a keystore there, so the cached one stays read-only.
  # Copied once (a restart keeps the node's keystore); `cp -n` exits 1 on skipped files with some coreutils.
  [[ -f "$dir/config/elasticsearch.yml" ]] || cp -r "$HOME_DIR/config/." "$dir/config/"
  if [[ "$(id -u)" == "0" ]]; then
    id "$ES_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_USER"
    chown -R "$ES_USER" "$dir"
    chmod -R o+rX "$HOME_DIR"
  fi
  # Until it is ready, any way out of this script (the node failing to start, the wait over, an interrupt) stops it.
  trap "stop_pidfile $(printf %q "$dir/es.pid") 30" EXIT
  ES_PATH_CONF="$dir/config" ES_JAVA_OPTS="${ES_JAVA_OPTS:--Xms512m -Xmx512m}" as_es_user \
    "$HOME_DIR/bin/elasticsearch" -d -p "$dir/es.pid" \
    -E discovery.type=single-node -E xpack.security.enabled=false \
    -E network.host=127.0.0.1 -E http.port="$port" -E transport.port="$(free_port)" \
    -E path.data="$dir/data" -E path.logs="$dir/logs" \
    -E cluster.routing.allocation.disk.threshold_enabled=false \
    -E action.destructive_requires_name=false > "$dir/logs/start.log" 2>&1 || { tail -40 "$dir/logs/start.log" >&2; exit 1; }
  local url="http://127.0.0.1:$port"
  for _ in $(seq 1 180); do
    # Yellow, not green: indices with replicas stay yellow on one node, and that is ready.
    # This node: not another that took the port since free_port.
    if curl -fs "$url/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null | grep -q '"status":"\(green\|yellow\)"' \
      && listens "$(cat "$dir/es.pid" 2>/dev/null)" "$port"; then
      trap - EXIT
      echo "$url"
      return 0
    fi
    sleep 1
  done
  echo "elasticsearch not ready at $url within 180 s (stopped); see $dir/logs" >&2
  exit 1
}

stop() {
  stop_pidfile "$1/es.pid" 30
}

case "${1:-}" in
  fetch) fetch ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 fetch | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
