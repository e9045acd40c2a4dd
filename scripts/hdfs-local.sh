#!/usr/bin/env bash
# A real single-node HDFS (namenode + one datanode, hadoop-client-minicluster from Maven Central) on
# loopback, for the archive tests and local runs. Same Hadoop version as pyspark's bundled client.
#   scripts/hdfs-local.sh fetch                 download the jars once (~/.cache/kobot/hadoop-minicluster-<v>)
#   scripts/hdfs-local.sh start DIR [PORT]      start it with its blocks in DIR; prints hdfs://127.0.0.1:PORT
#   scripts/hdfs-local.sh stop DIR              stop it (the data stays in DIR; start DIR again reuses it and its port)
set -euo pipefail
# shellcheck source=service-lib.sh
source "$(dirname "$0")/service-lib.sh"

HADOOP_VERSION="${HADOOP_VERSION:-3.5.0}"
CACHE="${KOBOT_CACHE:-$HOME/.cache/kobot}/hadoop-minicluster-$HADOOP_VERSION"
LIBS="$CACHE/libs"

fetch() {
  maven_fetch "$LIBS" "org.apache.hadoop:hadoop-client-minicluster:$HADOOP_VERSION"
}

start() {
  local dir="$1" port="${2:-}"
  # The minicluster writes its folders under DIR percent-encoded ("a%20b"), and never comes up.
  [[ "$dir" != *[[:space:]]* ]] || { echo "hdfs-local.sh: DIR cannot hold a space (the minicluster never starts there): $dir" >&2; exit 1; }
  fetch
  mkdir -p "$dir/logs"
  dir="$(cd "$dir" && pwd)"
  refuse_second_start "$dir/hdfs.pid" "HDFS"
  # -format only the first time: a restart on the same DIR keeps what was written (the restart test needs that), on
  # its port (an ARCHIVE_URI names it). Formatted means a namenode image was written: a first start stopped during
  # its format left data/ without one, and every later start failed ("No valid image files found").
  local format=()
  if ! compgen -G "$dir/data/name-*/current/fsimage_[0-9]*" > /dev/null; then
    rm -rf "$dir/data"
    format=(-format)
  elif [[ -z "$port" || "$port" == "0" ]] && [[ -f "$dir/port" ]]; then
    port="$(cat "$dir/port")"
  fi
  [[ -n "$port" && "$port" != "0" ]] || port="$(free_port)"
  echo "$port" > "$dir/port"
  rm -f "$dir/conf.xml"  # written by the cluster once it is up: the readiness signal
  nohup java -Xms128m -Xmx512m -cp "$LIBS/*" org.apache.hadoop.mapreduce.MiniHadoopClusterManager \
    -nomr "${format[@]}" -nnport "$port" -nnhttpport "$(free_port)" -datanodes 1 -writeConfig "$dir/conf.xml" \
    -D "hdfs.minidfs.basedir=$dir/data" -D dfs.permissions.enabled=false -D dfs.replication=1 \
    > "$dir/logs/hdfs.log" 2>&1 &
  local wrapper=$!
  echo "$wrapper" > "$dir/hdfs.pid"
  # Until it is up, any way out of this script (the wait over, an interrupt) stops what it started.
  trap "stop_pidfile $(printf %q "$dir/hdfs.pid") 15 children" EXIT
  for _ in $(seq 1 240); do
    if [[ -s "$dir/conf.xml" ]]; then
      # The JVM is a child of nohup's shell on some systems: record the process that listens, the wrapper or its child
      # (not another process that took the port since free_port).
      local pid=""
      for candidate in "$wrapper" $(pgrep -P "$wrapper" || true); do
        if listens "$candidate" "$port"; then pid="$candidate"; break; fi
      done
      if [[ -n "$pid" ]]; then
        echo "$pid" > "$dir/hdfs.pid"
        trap - EXIT
        echo "hdfs://127.0.0.1:$port"
        return 0
      fi
    fi
    kill -0 "$wrapper" 2>/dev/null || { tail -40 "$dir/logs/hdfs.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "HDFS did not come up on 127.0.0.1:$port within 120 s (stopped); see $dir/logs/hdfs.log" >&2
  exit 1
}

stop() {
  stop_pidfile "$1/hdfs.pid" 15
}

case "${1:-}" in
  fetch) fetch ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 fetch | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
