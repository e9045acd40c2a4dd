# Shared by the scripts/*-local.sh service scripts (sourced, not run).

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# stop_pidfile FILE [SECONDS]: TERM the process in FILE, wait for it to exit (KILL after SECONDS), remove FILE.
stop_pidfile() {
  local pid_file="$1" wait_s="${2:-10}"
  [[ -f "$pid_file" ]] || return 0
  local pid
  pid="$(cat "$pid_file")"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((wait_s * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pid_file"
}

# maven_fetch DIR GROUP:ARTIFACT:VERSION...: the artifacts and their dependencies into DIR, once (Maven Central).
maven_fetch() {
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
  mkdir -p "$dir"
  (cd "$pom_dir" && mvn -q -B dependency:copy-dependencies -DoutputDirectory="$dir") >&2
  rm -rf "$pom_dir"
  touch "$dir/.complete"
}
