#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and takes a screenshot, failing when the page logs
# anything to the console or tries to fetch anything over the network (found in Chromium's net
# log). No traffic leaves the machine: every host name resolves to nothing.
#
#   tests/html_screenshot.sh runs/<scenario>/<timestamp>/report.html screenshot.png [WIDTHxHEIGHT]
#
# The test `html_renders_in_headless_chromium` (tests/reports/html.rs) runs it and checks that
# the screenshot is not blank (pixel variance).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 REPORT.html SCREENSHOT.png [WIDTHxHEIGHT]" >&2
  exit 2
fi
html="$1"
png="$2"
size="${3:-1280x2400}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "chromium is not installed (Debian: apt-get install chromium)" >&2
  exit 2
fi
[ -f "$html" ] || { echo "no such file: $html" >&2; exit 2; }

profile="$(mktemp -d)"
log="$(mktemp)"
netlog="$profile/netlog.json"
trap 'rm -rf "$profile" "$log"' EXIT
url="file://$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
rm -f "$png"

"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --disable-default-apps \
  --disable-extensions --user-data-dir="$profile" --host-resolver-rules="MAP * ~NOTFOUND" \
  --hide-scrollbars --window-size="${size/x/,}" --screenshot="$png" \
  --enable-logging=stderr --v=0 --log-level=0 --log-net-log="$netlog" "$url" >"$log" 2>&1 || {
  cat "$log" >&2
  echo "chromium failed" >&2
  exit 1
}

# Console messages (errors, warnings, console.log) are logged as `INFO:CONSOLE:<line>] "..."`.
if grep -E ':CONSOLE[:(]' "$log" >&2; then
  echo "the page logged console messages (above)" >&2
  exit 1
fi
# Requests made for the page (not Chromium's own background ones) carry the page's file://
# origin in their network keys.
if [ -f "$netlog" ] && grep -o -E '"(key|network_anonymization_key)":"[^"]*file://[^"]*"' "$netlog" | grep -E 'https?://|wss?://' >&2; then
  echo "the page tried to fetch something over the network (above)" >&2
  exit 1
fi
if [ ! -s "$png" ]; then
  cat "$log" >&2
  echo "no screenshot was written" >&2
  exit 1
fi
echo "$png"
