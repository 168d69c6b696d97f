#!/usr/bin/env bash
# Browser tests of the admin UI: Debian's chromium driven by playwright-core,
# against the real frontline binary on a free loopback port.
#   FRONTLINE_BIN        the binary (default $CARGO_TARGET_DIR/debug/frontline)
#   E2E_ASSETS_FROM_DISK=1  serve assets/ from disk through tests/e2e/devproxy.mjs
#                        (UI development without rebuilding the binary)
# Screenshots go to tests/e2e/artifacts/. Ends with "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")"
BIN="${FRONTLINE_BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/frontline-target}/debug/frontline}"
if [ ! -x "$BIN" ]; then echo "e2e: frontline binary not found at $BIN" >&2; exit 2; fi

NEED=()
[ -x /usr/bin/chromium ] || NEED+=(chromium)
command -v node >/dev/null 2>&1 || NEED+=(nodejs)
command -v npm >/dev/null 2>&1 || NEED+=(npm)
if [ "${#NEED[@]}" -gt 0 ]; then
  echo "e2e: installing ${NEED[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${NEED[@]}" >/dev/null
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1   # never download a browser; we drive /usr/bin/chromium
npm ci --no-audit --no-fund --loglevel=error

mkdir -p artifacts
rm -f artifacts/*.png
WORK="$(mktemp -d)"
SERVER_PID=""; PROXY_PID=""
cleanup() {
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null || true
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

export FRONTLINE_ADMIN_EMAIL="${FRONTLINE_ADMIN_EMAIL:-e2e-admin@example.com}"
export FRONTLINE_ADMIN_PASSWORD="${FRONTLINE_ADMIN_PASSWORD:-e2e-admin-password-1}"
"$BIN" --host 127.0.0.1 --port 0 --data-dir "$WORK/data" --rate-limits off --demo >"$WORK/server.log" 2>&1 &
SERVER_PID=$!

URL=""
for _ in $(seq 1 240); do
  URL="$(grep -o 'Frontline listening on http://[^ ]*' "$WORK/server.log" | head -1 | sed 's/Frontline listening on //' || true)"
  [ -n "$URL" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then echo "e2e: server exited early:" >&2; cat "$WORK/server.log" >&2; exit 1; fi
  sleep 0.25
done
if [ -z "$URL" ]; then echo "e2e: server did not report its address:" >&2; cat "$WORK/server.log" >&2; exit 1; fi
echo "e2e: server at $URL"

if [ "${E2E_ASSETS_FROM_DISK:-0}" = "1" ]; then
  node devproxy.mjs 0 "$URL" >"$WORK/proxy.log" 2>&1 &
  PROXY_PID=$!
  for _ in $(seq 1 40); do grep -q 'listening on' "$WORK/proxy.log" && break; sleep 0.25; done
  URL="$(grep -o 'http://[^ ]*' "$WORK/proxy.log" | head -1)"
  echo "e2e: assets from disk through $URL"
fi
export FRONTLINE_URL="$URL"

set +e
node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$WORK/tap.txt" \
  ./*.test.mjs
RC=$?
set -e
PASS="$(grep -E '^# pass ' "$WORK/tap.txt" | awk '{print $3}' | tail -1)"
FAIL="$(grep -E '^# fail ' "$WORK/tap.txt" | awk '{print $3}' | tail -1)"
if [ "$RC" -ne 0 ]; then echo "e2e: server log tail:"; tail -n 30 "$WORK/server.log"; fi
echo "Screenshots: $(pwd)/artifacts"
echo "${PASS:-0} passed, ${FAIL:-0} failed"
exit "$RC"
