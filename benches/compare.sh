#!/usr/bin/env bash
# dfaas-run side by side with wrk, oha and hey against one local nginx (loopback only, server and
# client pinned to their own core), repeated and interleaved; prints one table with ratios.
#
#   benches/compare.sh                          3 rounds of 10 s runs, about 17 minutes after the build
#   ROUNDS=1 DURATION=3 RESULTS=200000 benches/compare.sh     a quick look, about 3 minutes
#
# Installs nothing: when a tool is missing it prints the line that installs it and stops.
# Settings (environment): ROUNDS, DURATION (s), LONG_DURATION (s, the memory run), RATES,
# SEARCH_RATES (rates tried once each for the highest one sustained), OVERLOAD_RATE, RESULTS (for merge/report), PORT, SERVER_CPU, CLIENT_CPU, KEEP=1 (keep the
# work folder), DFAAS_RUN (a dfaas-run binary to use instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10}
LONG_DURATION=${LONG_DURATION:-60}
RATES=${RATES:-1000 5000 20000 50000}
SEARCH_RATES=${SEARCH_RATES:-75000 100000 150000 200000 250000}
OVERLOAD_RATE=${OVERLOAD_RATE:-300000}
RESULTS=${RESULTS:-5000000}
PORT=${PORT:-18089}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
CONNECTIONS=50
URL="http://127.0.0.1:$PORT/"

# --- what is needed -------------------------------------------------------------------------
missing_apt=()
have() { command -v "$1" >/dev/null 2>&1; }
have nginx || missing_apt+=(nginx)
have wrk || missing_apt+=(wrk)
have hey || missing_apt+=(hey)
have taskset || missing_apt+=(util-linux)
[ -x /usr/bin/time ] || missing_apt+=(time)
have curl || missing_apt+=(curl)
have jq || missing_apt+=(jq)
missing_oha=false
have oha || missing_oha=true
if [ ${#missing_apt[@]} -gt 0 ] || $missing_oha; then
  echo "compare.sh needs tools that are not installed; it installs nothing itself. Run:" >&2
  [ ${#missing_apt[@]} -gt 0 ] && echo "  apt-get install ${missing_apt[*]}" >&2
  $missing_oha && echo "  cargo install oha --locked" >&2
  exit 2
fi
# shellcheck source=benches/bench-env.sh
source benches/bench-env.sh

# --- dfaas-run: one release build, reused ----------------------------------------------------
echo "== cargo build --release (dfaas-run and the results-files runner)" >&2
cargo build --release --bin dfaas-run --bench results_files --message-format=json-render-diagnostics >"$work/build.json"
artifact() { jq -r --arg n "$1" 'select(.reason == "compiler-artifact" and .target.name == $n and .executable != null) | .executable' "$work/build.json" | tail -1; }
DFAAS=${DFAAS_RUN:-$(artifact dfaas-run)}
RESULTS_RUNNER=$(artifact results_files)

# --- nginx on the server core ----------------------------------------------------------------
start_nginx

# --- one measured run ------------------------------------------------------------------------
# measure ROUND CASE TOOL COMMAND...: runs COMMAND on the client core under /usr/bin/time -v and
# appends: round case tool served cpu_s rss_kb wall_s requests not_sent lateness_p99_ns planned
# load_cpu_s (dfaas-run: the process's CPU time during its attack step, from run.json)
raw="$work/raw.tsv"
: >"$raw"
measure() {
  local round=$1 case=$2 tool=$3
  shift 3
  local before after status=0 start end
  before=$(nginx_requests)
  start=$(date +%s.%N)
  "${priority[@]}" taskset -c "$CLIENT_CPU" /usr/bin/time -v -o "$work/time.txt" "$@" >"$work/out.txt" 2>"$work/err.txt" || status=$?
  end=$(date +%s.%N)
  after=$(nginx_requests)
  if [ "$status" -ne 0 ]; then
    echo "warning: $tool ($case) exited with $status:" >&2
    tail -3 "$work/err.txt" >&2
  fi
  local served=$((after - before - 1)) # the second status request counts itself
  local cpu rss wall
  cpu=$(awk -F': ' '/User time/ { u = $2 } /System time/ { s = $2 } END { printf "%.3f", u + s }' "$work/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
  wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  local requests=- not_sent=- lateness=- planned=- load_cpu=- span=- early=-
  if [ "$tool" = dfaas-run ]; then
    local run_dir summary
    run_dir=$(tail -1 "$work/out.txt")
    summary="$run_dir/bench/summary.json"
    if [ -f "$summary" ]; then
      requests=$(jq .requests "$summary")
      not_sent=$(jq .not_sent "$summary")
      lateness=$(jq .lateness.p99_ns "$summary")
      early=$(jq '.early.max_ns // 0' "$summary")
      planned=$(jq '.attacks[0].expected_requests // "-"' "$run_dir/run.json")
      load_cpu=$(jq '[.steps[] | select(.kind == "attack") | .cpu_ms // empty] | if length > 0 then add / 1000 else "-" end' "$run_dir/run.json")
      # Seconds from the first request sent to the last: longer than the duration when the
      # schedule slipped, and then the achieved rate is counted over this span.
      span=$(jq 'def t: capture("^(?<s>[^.Z]+)(\\.(?<f>[0-9]+))?Z$") | ((.s + "Z") | fromdateiso8601) + ("0." + (.f // "0") | tonumber);
                 if .first_timestamp and .last_timestamp then (.last_timestamp | t) - (.first_timestamp | t) else "-" end' "$summary")
    fi
    rm -rf "$run_dir"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$case" "$tool" "$served" "$cpu" "$rss" "$wall" \
    "$requests" "$not_sent" "$lateness" "$planned" "$load_cpu" "$span" "$early" >>"$raw"
  printf '   %-10s %-12s served %9s  cpu %7ss  rss %7s kB\n' "$case" "$tool" "$served" "$cpu" "$rss" >&2
}

dfaas() { echo "$DFAAS" attack "$URL" --quiet --name bench --out "$work/runs" "$@"; }

echo "== load before measuring: $(uptime)" >&2
load_before=$(uptime | sed 's/.*load average: //')
for round in $(seq "$ROUNDS"); do
  echo "== round $round of $ROUNDS" >&2
  measure "$round" closed wrk wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$URL"
  measure "$round" closed oha oha --no-tui -z "${DURATION}s" -c "$CONNECTIONS" "$URL"
  measure "$round" closed hey hey -z "${DURATION}s" -c "$CONNECTIONS" "$URL"
  # shellcheck disable=SC2046 # word splitting of the command line is intended
  measure "$round" closed dfaas-run $(dfaas --workers "$CONNECTIONS" --duration "${DURATION}s")
  for rate in $RATES; do
    # shellcheck disable=SC2046
    measure "$round" "open$rate" dfaas-run $(dfaas --rate "$rate/s" --duration "${DURATION}s")
    measure "$round" "open$rate" oha oha --no-tui -z "${DURATION}s" -c "$CONNECTIONS" -q "$rate" "$URL"
    measure "$round" "open$rate" hey hey -z "${DURATION}s" -c "$CONNECTIONS" -q "$(awk -v r="$rate" -v c="$CONNECTIONS" 'BEGIN { printf "%.3f", r / c }')" "$URL"
  done
done
echo "== the highest rate dfaas-run sustains: $SEARCH_RATES" >&2
for rate in $SEARCH_RATES; do
  # shellcheck disable=SC2046
  measure 1 "search$rate" dfaas-run $(dfaas --rate "$rate/s" --duration "${DURATION}s")
done
echo "== memory: dfaas-run at 20000/s for ${LONG_DURATION}s" >&2
# shellcheck disable=SC2046
measure 1 long20000 dfaas-run $(dfaas --rate 20000/s --duration "${LONG_DURATION}s")
echo "== overload: dfaas-run at $OVERLOAD_RATE/s on one core" >&2
# shellcheck disable=SC2046
measure 1 overload dfaas-run $(dfaas --rate "$OVERLOAD_RATE/s" --duration "${DURATION}s")
load_after=$(uptime | sed 's/.*load average: //')

echo "== merge and report over $RESULTS results" >&2
"${priority[@]}" taskset -c "$CLIENT_CPU" "$RESULTS_RUNNER" --bench --results "$RESULTS" --dir "$work/results" >"$work/results.txt"
vegeta_line="vegeta report: skipped (no vegeta binary on PATH)"
if have vegeta; then
  "${priority[@]}" taskset -c "$CLIENT_CPU" /usr/bin/time -v -o "$work/time.txt" vegeta report "$work/results/merged.json" >/dev/null
  vegeta_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/time.txt")
  vegeta_line=$(awk -v n="$RESULTS" -v s="$vegeta_wall" 'BEGIN { printf "vegeta report: %.0f results/s (%.2f s)", n / s, s }')
fi
rm -rf "$work/results"

# --- the table -------------------------------------------------------------------------------
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# col CASE TOOL FIELD: the median of a column (4 served, 5 cpu, 6 rss, 7 wall, 8.. dfaas-run's own:
# 8 results, 9 not sent, 10 lateness p99 ns, 11 planned, 12 load-phase CPU s, 13 send span s,
# 14 how early the earliest request was sent, ns)
col() { awk -F'\t' -v c="$1" -v t="$2" -v f="$3" '$2 == c && $3 == t && $f != "-" { print $f }' "$raw" | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }
per_s() { awk -v n="$1" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }'; }
# sent_rate CASE TOOL: requests served per second over the duration, or over the span dfaas-run
# took to send them when its schedule slipped past the duration.
sent_rate() {
  awk -v n="$(col "$1" "$2" 4)" -v s="$(col "$1" "$2" 13)" -v d="$DURATION" \
    'BEGIN { if (n == "-") { print "-"; exit } if (s != "-" && s > d) d = s; printf "%.0f", n / d }'
}
us_per_req() { awk -v c="$1" -v n="$2" 'BEGIN { if (c != "-" && n > 0) printf "%.1f", c * 1e6 / n; else print "-" }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "-") print "-"; else printf "%.1f", k / 1024 }'; }
ms() { awk -v n="$1" 'BEGIN { if (n == "-") print "-"; else printf "%.3f", n / 1e6 }'; }

versions() {
  echo "dfaas-run $("$DFAAS" --version | awk '{ print $2 }'); $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }');" \
    "$(oha --version); hey $(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo '?');" \
    "$(nginx -v 2>&1 | sed 's/nginx version: //')"
}

echo
echo "dfaas-run vs wrk, oha, hey: nginx on CPU $SERVER_CPU, each tool on CPU $CLIENT_CPU, 127.0.0.1, ${DURATION}s runs, medians of $ROUNDS rounds, $priority_note"
echo "$(versions)"
echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')); load average before: $load_before; after: $load_after"
echo
printf '%-34s %10s %12s %12s %10s %8s %8s\n' "closed loop, $CONNECTIONS connections" "req/s" "CPU µs/req" "load phase" "peak RSS" "vs wrk" "vs oha"
wrk_rate=$(per_s "$(col closed wrk 4)")
oha_rate=$(per_s "$(col closed oha 4)")
for tool in wrk oha hey dfaas-run; do
  served=$(col closed "$tool" 4)
  rate=$(per_s "$served")
  printf '  %-32s %10s %12s %12s %9s M %8s %8s\n' "$tool" "$rate" "$(us_per_req "$(col closed "$tool" 5)" "$served")" \
    "$(us_per_req "$(col closed "$tool" 12)" "$served")" "$(mb "$(col closed "$tool" 6)")" "$(ratio "$rate" "$wrk_rate")" "$(ratio "$rate" "$oha_rate")"
done
echo
printf '%-34s %10s %9s %14s %12s %12s %10s %10s %10s\n' "open model, target rate" "achieved" "of target" "exact count" "lateness p99" "earliest" "CPU µs/req" "load phase" "peak RSS"
for rate in $RATES; do
  for tool in dfaas-run oha hey; do
    served=$(col "open$rate" "$tool" 4)
    exact=-
    lateness=-
    early=-
    if [ "$tool" = dfaas-run ]; then
      requests=$(col "open$rate" dfaas-run 8)
      planned=$(col "open$rate" dfaas-run 11)
      not_sent=$(col "open$rate" dfaas-run 9)
      if [ "$requests" = "$planned" ] && [ "$not_sent" = 0 ] && [ "$served" = "$requests" ]; then exact="yes $requests"; else exact="no $served/$planned"; fi
      lateness="$(ms "$(col "open$rate" dfaas-run 10)") ms"
      early="-$(ms "$(col "open$rate" dfaas-run 14)") ms"
    fi
    achieved=$(sent_rate "open$rate" "$tool")
    printf '  %-32s %8s/s %8s%% %14s %12s %12s %10s %10s %8s M\n' "$rate/s $tool" "$achieved" \
      "$(awk -v a="$achieved" -v r="$rate" 'BEGIN { printf "%.2f", 100 * a / r }')" \
      "$exact" "$lateness" "$early" "$(us_per_req "$(col "open$rate" "$tool" 5)" "$served")" \
      "$(us_per_req "$(col "open$rate" "$tool" 12)" "$served")" "$(mb "$(col "open$rate" "$tool" 6)")"
  done
done
echo
sustained=-
for rate in $RATES $SEARCH_RATES; do
  case=open$rate
  [ "$(col "$case" dfaas-run 4)" = - ] && case=search$rate
  served=$(col "$case" dfaas-run 4)
  requests=$(col "$case" dfaas-run 8)
  planned=$(col "$case" dfaas-run 11)
  achieved=$(sent_rate "$case" dfaas-run)
  ok=$(awk -v a="$achieved" -v r="$rate" 'BEGIN { print (a != "-" && a >= 0.999 * r) ? 1 : 0 }')
  line="  $rate/s: $achieved/s achieved, $requests results of $planned planned, $(col "$case" dfaas-run 9) not sent in time, lateness p99 $(ms "$(col "$case" dfaas-run 10)") ms, earliest -$(ms "$(col "$case" dfaas-run 14)") ms"
  if [ "$ok" = 1 ] && [ "$requests" = "$planned" ] && [ "$(col "$case" dfaas-run 9)" = 0 ]; then
    sustained=$rate
    echo "$line: sustained"
  else
    echo "$line: not sustained"
  fi
done
echo "highest rate dfaas-run sustained (≥ 99.9 % of target, exact count, nothing unsent): $sustained/s"
echo
d20=$(us_per_req "$(col open20000 dfaas-run 5)" "$(col open20000 dfaas-run 4)")
o20=$(us_per_req "$(col open20000 oha 5)" "$(col open20000 oha 4)")
h20=$(us_per_req "$(col open20000 hey 5)" "$(col open20000 hey 4)")
l20=$(us_per_req "$(col open20000 dfaas-run 12)" "$(col open20000 dfaas-run 4)")
echo "CPU per request at 20000/s: dfaas-run $d20 µs ($l20 µs in its load phase), oha $o20 µs, hey $h20 µs" \
  "(dfaas-run / oha = $(ratio "$d20" "$o20"), load phase / oha = $(ratio "$l20" "$o20"))"
short=$(col open20000 dfaas-run 6)
long=$(col long20000 dfaas-run 6)
echo "peak RSS of dfaas-run at 20000/s: $(mb "$short") MB for ${DURATION}s, $(mb "$long") MB for ${LONG_DURATION}s (difference $(awk -v a="$long" -v b="$short" 'BEGIN { printf "%.1f", (a - b) / 1024 }') MB)"
o_served=$(col overload dfaas-run 4)
echo "overload, $OVERLOAD_RATE/s planned on one core for ${DURATION}s: dfaas-run sent $o_served ($(sent_rate overload dfaas-run)/s over $(awk -v s="$(col overload dfaas-run 13)" 'BEGIN { if (s == "-") print s; else printf "%.2f", s }') s)," \
  "$(col overload dfaas-run 9) recorded as not sent in time (max-in-flight), $(col overload dfaas-run 8) results of $(col overload dfaas-run 11) planned," \
  "lateness p99 $(ms "$(col overload dfaas-run 10)") ms"
echo
cat "$work/results.txt"
echo "$vegeta_line"
