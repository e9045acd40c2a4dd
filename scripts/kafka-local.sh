#!/usr/bin/env bash
# A real single-node Kafka broker (KRaft, no ZooKeeper) on loopback, for tests, benchmarks and local runs.
#   scripts/kafka-local.sh fetch                         download the broker jars once (~/.cache/kobot/kafka-<v>)
#   scripts/kafka-local.sh start DIR [PORT] [TOPIC...]  start a broker with its data in DIR; prints host:port
#                                                        (DIR used before: the same broker again, its data kept)
#   scripts/kafka-local.sh stop DIR                      stop the broker started in DIR
set -euo pipefail
# shellcheck source=service-lib.sh
source "$(dirname "$0")/service-lib.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
CACHE="${KOBOT_CACHE:-$HOME/.cache/kobot}/kafka-$KAFKA_VERSION"
LIBS="$CACHE/libs"

fetch() {
  maven_fetch "$LIBS" "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" "org.apache.kafka:kafka-tools:$KAFKA_VERSION"
}


start() {
  local dir="$1" port="${2:-}"
  shift $(( $# < 2 ? $# : 2 ))
  fetch
  mkdir -p "$dir/logs"
  dir="$(cd "$dir" && pwd)"
  refuse_second_start "$dir/broker.pid" "a Kafka broker"
  local cport formatted=""
  [[ -f "$dir/data/meta.properties" ]] && formatted=yes
  if [[ -n "$formatted" ]]; then
    # Started here before: the same ports and data, so a restarted broker resumes its topics and offsets.
    [[ -n "$port" && "$port" != "0" ]] || port="$(cat "$dir/port")"
    cport="$(cat "$dir/cport")"
  else
    [[ -n "$port" && "$port" != "0" ]] || port="$(free_port)"
    cport="$(free_port)"
  fi
  echo "$port" > "$dir/port"
  echo "$cport" > "$dir/cport"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/data
num.partitions=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  local java=(java -Xms256m -Xmx512m -cp "$LIBS/*")
  if [[ -z "$formatted" ]]; then
    "${java[@]}" kafka.tools.StorageTool format -t "$("${java[@]}" kafka.tools.StorageTool random-uuid)" \
      -c "$dir/server.properties" > "$dir/logs/format.log" 2>&1 || { cat "$dir/logs/format.log" >&2; exit 1; }
  fi
  nohup "${java[@]}" kafka.Kafka "$dir/server.properties" > "$dir/logs/broker.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$dir/broker.pid"
  # Until it is ready, any way out of this script (a topic not created, the wait over, an interrupt) stops the broker.
  trap "stop_pidfile $(printf %q "$dir/broker.pid") 10" EXIT
  echo "127.0.0.1:$port" > "$dir/brokers"
  for _ in $(seq 1 120); do
    # Ready when this broker listens on the port: not when something else does (the port taken since free_port).
    if listens "$pid" "$port"; then
      for topic in "$@"; do
        "${java[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$port" --create \
          --if-not-exists --topic "$topic" --partitions 4 --replication-factor 1 \
          --config message.timestamp.type=LogAppendTime >> "$dir/logs/topics.log" 2>&1 \
          || { echo "topic $topic not created:" >&2; tail -20 "$dir/logs/topics.log" >&2; exit 1; }
      done
      trap - EXIT
      echo "127.0.0.1:$port"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$dir/logs/broker.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "kafka did not listen on 127.0.0.1:$port within 60 s (stopped); see $dir/logs/broker.log" >&2
  exit 1
}

stop() {
  stop_pidfile "$1/broker.pid" 10
}

case "${1:-}" in
  fetch) fetch ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 fetch | start DIR [PORT] [TOPIC...] | stop DIR" >&2; exit 2 ;;
esac
