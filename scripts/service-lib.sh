# Shared by the scripts/*-local.sh service scripts (sourced, not run).

# free_port: a port free now, at random below the kernel's ephemeral range (as tools/processes.ts freePort): one that
# bind(0) gave is in that range, where any client socket could take it in the seconds before the service binds it.
# Where the range leaves fewer than 10,000 ports below it, bind(0) as before; fails when 127.0.0.1 takes no port.
free_port() {
  python3 - <<'PY'
import errno, random, socket
try:
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
except (OSError, ValueError, IndexError):
    low = 32768
for tries in range(1, 101):
    port = random.randrange(10000, low) if low >= 20000 else 0
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        print(s.getsockname()[1])
        break
    except OSError as error:
        if port == 0 or tries == 100 or error.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
    finally:
        s.close()
PY
}

# runs_in DIR PID: whether PID is a service started in DIR (its command line names DIR, or it runs in DIR or a folder
# of it: Redis in DIR, Elasticsearch in DIR/logs), not a process that took the number after the service exited.
runs_in() {
  local dir="$1" pid="$2" real command cwd
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  real="$(cd "$dir" && pwd -P)"
  command="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
  cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
  [[ "$command" == *"$dir"* || "$command" == *"$real"* || "$cwd" == "$real" || "$cwd" == "$real"/* ]]
}

# running_pid PIDFILE: prints the pid in PIDFILE if that process is alive and was started in PIDFILE's folder.
running_pid() {
  local pid_file="$1" dir pid
  [[ -f "$pid_file" ]] || return 1
  dir="$(cd "$(dirname "$pid_file")" && pwd)"
  pid="$(cat "$pid_file" 2>/dev/null)"
  runs_in "$dir" "$pid" || return 1
  echo "$pid"
}

# refuse_second_start PIDFILE NAME: exits if the service of PIDFILE's folder still runs (a second one on the same data
# would fight it, and its pid would take the file), else removes a stale PIDFILE.
refuse_second_start() {
  local pid_file="$1" name="$2" pid
  if pid="$(running_pid "$pid_file")"; then
    echo "$name from $(dirname "$pid_file") already runs (pid $pid): stop it first" >&2
    exit 1
  fi
  rm -f "$pid_file"
}

# listens PID PORT: whether process PID listens on 127.0.0.1:PORT (not another process that took the port).
# Without `ss`, or without pids in its answer: whether PID is alive and something listens there.
listens() {
  local pid="$1" port="$2" owners
  kill -0 "$pid" 2>/dev/null || return 1
  if command -v ss > /dev/null; then
    owners="$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 || true)"
    [[ -n "$owners" ]] && { grep -qx "$pid" <<< "$owners"; return; }
  fi
  (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# stop_pidfile FILE [SECONDS] [children]: TERM the process in FILE (with `children`, its children too: a JVM that runs
# under nohup's shell), wait for them to exit (KILL after SECONDS), remove FILE. Only processes started in FILE's
# folder are signalled: after a crash or a reboot the number may be another process's.
stop_pidfile() {
  local pid_file="$1" wait_s="${2:-10}" dir pid pids=()
  [[ -f "$pid_file" ]] || return 0
  dir="$(cd "$(dirname "$pid_file")" && pwd)"
  if pid="$(running_pid "$pid_file")"; then
    pids=("$pid")
    if [[ "${3:-}" == children ]]; then
      for child in $(pgrep -P "$pid" || true); do if runs_in "$dir" "$child"; then pids+=("$child"); fi; done
    fi
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 $((wait_s * 4))); do
      local alive=""
      for p in "${pids[@]}"; do if kill -0 "$p" 2>/dev/null; then alive=yes; fi; done
      [[ -n "$alive" ]] || break
      sleep 0.25
    done
    for p in "${pids[@]}"; do
      if runs_in "$dir" "$p"; then kill -9 "$p" 2>/dev/null || true; fi
    done
  fi
  rm -f "$pid_file"
}

# with_cache_lock LOCKFILE COMMAND...: COMMAND while holding LOCKFILE, so that two first fetches at once (two checkouts,
# parallel jobs) do not write the same folders; the one that waited then finds the fetch done (COMMAND checks again).
with_cache_lock() {
  local lock="$1"
  shift
  mkdir -p "$(dirname "$lock")"
  (
    flock 9
    "$@"
  ) 9> "$lock"
}

# maven_fetch DIR GROUP:ARTIFACT:VERSION...: the artifacts and their dependencies into DIR, once (Maven Central).
maven_fetch() {
  [[ -f "$1/.complete" ]] && return 0
  with_cache_lock "$1.lock" maven_fetch_locked "$@"
}

maven_fetch_locked() {
  local dir="$1" deps="" pom_dir group artifact version
  shift
  [[ -f "$dir/.complete" ]] && return 0
  for gav in "$@"; do
    IFS=: read -r group artifact version <<< "$gav"
    deps+="<dependency><groupId>$group</groupId><artifactId>$artifact</artifactId><version>$version</version></dependency>"
  done
  pom_dir="$(mktemp -d)"
  cat > "$pom_dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kobot</groupId><artifactId>fetch</artifactId><version>1</version>
  <dependencies>$deps</dependencies>
</project>
POM
  # Into a folder of its own, moved into place once whole: a fetch cut off (disk full, Ctrl-C) left a half-written jar
  # in DIR, which the next fetch kept (copy-dependencies skips a file newer than its source) and marked complete.
  rm -rf "$dir.partial"
  mkdir -p "$dir.partial"
  if ! (cd "$pom_dir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$dir.partial") >&2; then
    rm -rf "$pom_dir" "$dir.partial"
    echo "could not fetch $* from Maven Central" >&2
    return 1
  fi
  rm -rf "$pom_dir"
  touch "$dir.partial/.complete"
  rm -rf "$dir"
  mv "$dir.partial" "$dir"
}
