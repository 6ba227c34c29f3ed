#!/usr/bin/env bash
# Several dfaas-run builds side by side, to measure what one change buys: for each binary, a
# closed loop of 50 workers and the open model at RATE against the pinned local nginx of
# compare.sh, interleaved and repeated; prints the medians and each build's ratio to the first.
#
#   benches/ab.sh OLD_DFAAS_RUN NEW_DFAAS_RUN [MORE...]
#   ROUNDS=5 DURATION=10 RATE=20000 benches/ab.sh ...
#
# Build an older revision beside the work tree, for instance:
#   git worktree add /tmp/old REV && cargo build --release --manifest-path /tmp/old/Cargo.toml
# Needs nginx, taskset, /usr/bin/time, curl and jq, like compare.sh; installs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
  echo "usage: benches/ab.sh DFAAS_RUN_BINARY [DFAAS_RUN_BINARY...]" >&2
  exit 2
fi
for binary in "$@"; do
  [ -x "$binary" ] || { echo "error: $binary is not an executable" >&2; exit 2; }
done
for tool in nginx taskset curl jq; do
  command -v "$tool" >/dev/null || { echo "ab.sh needs $tool; it installs nothing. Run: apt-get install nginx util-linux curl jq" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "ab.sh needs /usr/bin/time; it installs nothing. Run: apt-get install time" >&2; exit 2; }

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
RATE=${RATE:-20000}
PORT=${PORT:-18089}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
URL="http://127.0.0.1:$PORT/"

# shellcheck source=benches/bench-env.sh
source benches/bench-env.sh
start_nginx

# run BINARY CASE ARGS...: one measured run; appends: binary case served cpu_s rss_kb lateness_p99_ns
raw="$work/raw.tsv"
: >"$raw"
run() {
  local binary=$1 case=$2
  shift 2
  local before after status=0
  before=$(nginx_requests)
  "${priority[@]}" taskset -c "$CLIENT_CPU" /usr/bin/time -v -o "$work/time.txt" \
    "$binary" attack "$URL" --quiet --name ab --out "$work/runs" "$@" >"$work/out.txt" 2>"$work/err.txt" || status=$?
  after=$(nginx_requests)
  [ "$status" -eq 0 ] || { echo "warning: $binary ($case) exited with $status" >&2; tail -3 "$work/err.txt" >&2; }
  local cpu rss lateness=- run_dir
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.3f", u + s }' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
  run_dir=$(tail -1 "$work/out.txt")
  [ -f "$run_dir/ab/summary.json" ] && lateness=$(jq '.lateness.p99_ns // "-"' "$run_dir/ab/summary.json")
  rm -rf "$work/runs"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$binary" "$case" "$((after - before - 1))" "$cpu" "$rss" "$lateness" >>"$raw"
  printf '   %-8s %-40s served %9s  cpu %7ss\n' "$case" "$binary" "$((after - before - 1))" "$cpu" >&2
}

for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS" >&2
  for binary in "$@"; do
    run "$binary" closed --workers 50 --duration "${DURATION}s"
    run "$binary" open --rate "$RATE/s" --duration "${DURATION}s"
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v b="$1" -v c="$2" -v f="$3" '$1 == b && $2 == c && $f != "-" { print $f }' "$raw" | median; }
per_req() { awk -v c="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f", c * 1e6 / n; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

echo
echo "dfaas-run builds side by side: nginx on CPU $SERVER_CPU, dfaas-run on CPU $CLIENT_CPU, ${DURATION}s runs, medians of $ROUNDS rounds, $priority_note"
printf '%-44s %10s %8s %12s %8s %12s %8s %12s\n' "build" "closed r/s" "ratio" "closed µs/r" "ratio" "open µs/r" "ratio" "lateness p99"
first=$1
for binary in "$@"; do
  closed=$(awk -v n="$(col "$binary" closed 3)" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }')
  closed_us=$(per_req "$(col "$binary" closed 4)" "$(col "$binary" closed 3)")
  open_us=$(per_req "$(col "$binary" open 4)" "$(col "$binary" open 3)")
  first_closed=$(awk -v n="$(col "$first" closed 3)" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }')
  lateness=$(awk -v n="$(col "$binary" open 6)" 'BEGIN { if (n == "-") print "-"; else printf "%.3f ms", n / 1e6 }')
  printf '%-44s %10s %8s %12s %8s %12s %8s %12s\n' "$(basename "$binary")" "$closed" "$(ratio "$closed" "$first_closed")" \
    "$closed_us" "$(ratio "$closed_us" "$(per_req "$(col "$first" closed 4)" "$(col "$first" closed 3)")")" \
    "$open_us" "$(ratio "$open_us" "$(per_req "$(col "$first" open 4)" "$(col "$first" open 3)")")" "$lateness"
done
