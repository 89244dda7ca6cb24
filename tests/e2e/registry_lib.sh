# Helpers for the registry e2e scripts (sourced after lib.sh): Debian's
# docker-registry on 127.0.0.1 with filesystem storage under $WORK, started in
# the background and stopped by its PID when the script exits.
command -v docker-registry >/dev/null || skip "docker-registry is not installed (scripts/install-deps.sh)"
command -v skopeo >/dev/null || skip "skopeo is not installed (scripts/install-deps.sh)"

stop_registries() {
  local pidfile
  for pidfile in "$WORK"/*/pid; do
    [[ -f $pidfile ]] && stop_registry "$(basename "$(dirname "$pidfile")")"
  done
  rm -rf "$WORK"
}
trap stop_registries EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_registry NAME [HTPASSWD_FILE [PORT]]: sets REGISTRY to 127.0.0.1:PORT.
# The registry's data stays in $WORK/NAME across restarts. Call it directly,
# not in $(...), so the registry stays this shell's child.
start_registry() {
  local name=$1 htpasswd=${2:-} dir=$WORK/$1 port
  port=${3:-$(free_port)}
  mkdir -p "$dir/storage"
  {
    printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n'
    printf 'storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n' "$dir/storage"
    printf 'http:\n  addr: 127.0.0.1:%s\n' "$port"
    if [[ -n $htpasswd ]]; then
      printf 'auth:\n  htpasswd:\n    realm: cbuild-test\n    path: %s\n' "$htpasswd"
    fi
  } > "$dir/config.yml"
  docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
  echo "$!" > "$dir/pid"
  local i code
  for i in $(seq 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" || true)
    [[ $code == 200 || $code == 401 ]] && { REGISTRY=127.0.0.1:$port; return 0; }
    sleep 0.1
  done
  cat "$dir/log" >&2
  fail "docker-registry $name did not start"
}

# stop_registry NAME: kills that registry by the PID it was started with.
stop_registry() {
  local pid
  pid=$(cat "$WORK/$1/pid")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -f "$WORK/$1/pid"
}
