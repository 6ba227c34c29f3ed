#!/usr/bin/env bash
# Renders a scenario highlighted by the TextMate grammar (in headless Chromium, through
# editors/screenshot/index.html) to docs/images/highlighting.png. For the docs, not for CI.
# Usage: editors/screenshot.sh [SCENARIO.dfs] [OUT.png]
set -euo pipefail
cd "$(dirname "$0")/.."

scenario="${1:-editors/test/samples/figlet-spike.dfs}"
out="${2:-docs/images/highlighting.png}"

if ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
  echo "== installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
if [ ! -d editors/test/node_modules/vscode-textmate ]; then
  echo "== npm ci (editors/test)"
  (cd editors/test && npm ci --no-audit --no-fund)
fi

mkdir -p "$(dirname "$out")"
node editors/screenshot/render.mjs "$scenario" "$out"
