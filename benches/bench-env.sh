# Shared by the benchmark scripts (sourced, not run): the CPU split, the run priority, a work
# folder removed on exit, and nginx started on the server CPU. Expects PORT, SERVER_CPU,
# CLIENT_CPU and URL to be set; sets `priority`, `priority_note`, `work`, `nginx_pid`.

if [ "$(nproc)" -lt 2 ]; then
  echo "warning: fewer than 2 CPUs: server and client share CPU 0, ratios mean little" >&2
  SERVER_CPU=0 CLIENT_CPU=0
fi
if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then
  echo "error: something already listens on 127.0.0.1:$PORT; set PORT=..." >&2
  exit 2
fi

# As root, server and clients run at nice -10 (all alike), so that other processes on the
# machine disturb the measurements less.
priority=()
priority_note="default priority"
if [ "$(id -u)" = 0 ]; then
  priority=(nice -n -10)
  priority_note="nice -10 for nginx and every tool"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dfaas-bench.XXXXXX")
nginx_pid=""
cleanup() {
  if [ -n "$nginx_pid" ]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_nginx: nginx from benches/nginx.conf on 127.0.0.1:$PORT, pinned to SERVER_CPU.
start_nginx() {
  mkdir -p "$work/nginx/tmp"
  sed "s/__PORT__/$PORT/" benches/nginx.conf >"$work/nginx/nginx.conf"
  "${priority[@]}" taskset -c "$SERVER_CPU" nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 100); do
    curl -fs -o /dev/null "${URL}nginx_status" && break
    sleep 0.05
  done
  curl -fs -o /dev/null "${URL}nginx_status" || { echo "error: nginx did not start:" >&2; cat "$work/nginx/error.log" >&2; exit 3; }
}

# nginx_requests: the requests nginx has served so far (stub_status), this request included.
nginx_requests() { curl -fs "${URL}nginx_status" | awk 'NR == 3 { print $3 }'; }
