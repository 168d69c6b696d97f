#!/usr/bin/env bash
# The operator's view, checked by Prometheus' own tool: the real binary's
# /metrics passes `promtool check metrics` (format and naming lint), and the
# shipped scrape config and alert rules load (`promtool check config`).
#   tests/ops/metrics.sh [BINARY]
# Ends with "N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-${FRONTLINE_BIN:-${CARGO_TARGET_DIR:-target}/debug/frontline}}"

if ! command -v promtool >/dev/null 2>&1; then
  echo "ops: installing prometheus (promtool) from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null \
    || { echo "ops: cannot install promtool"; echo "0 passed, 1 failed"; exit 1; }
fi

data="$(mktemp -d)"
log="$(mktemp)"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; wait "${pid:-}" 2>/dev/null; rm -rf "$data" "$log"; }
trap cleanup EXIT

FRONTLINE_ADMIN_EMAIL=ops@example.com FRONTLINE_ADMIN_PASSWORD=ops-pass-12345 \
  "$bin" --port 0 --data-dir "$data" >"$log" 2>&1 &
pid=$!
base=""
for _ in $(seq 1 300); do
  base="$(sed -n 's/^Frontline listening on //p' "$log" | head -1)"
  [ -n "$base" ] && break
  sleep 0.2
done
[ -n "$base" ] || { echo "ops: server did not start"; cat "$log"; echo "0 passed, 1 failed"; exit 1; }

# Some traffic, so every family has samples: a good and a bad sign-in, a 404.
curl -s -o /dev/null "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"ops@example.com","password":"ops-pass-12345"}'
curl -s -o /dev/null "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"ops@example.com","password":"wrong-password"}'
curl -s -o /dev/null "$base/healthz"

passed=0; failed=0
check() {
  local name="$1"; shift
  if out="$("$@" 2>&1)"; then
    echo "ops: ok   $name"; passed=$((passed + 1))
  else
    echo "ops: FAIL $name"; echo "$out" | head -40; failed=$((failed + 1))
  fi
}
scrape="$(mktemp)"
curl -sf "$base/metrics" >"$scrape" || echo "ops: /metrics did not answer"
check "/metrics passes promtool check metrics" bash -c "promtool check metrics <'$scrape'"
check "/metrics has process, database, job, search, webhook and sign-in series" bash -c "
  for m in process_resident_memory_bytes frontline_db_write_lock_hold_seconds \
           frontline_jobs frontline_search_outbox_backlog frontline_webhook_deliveries_waiting \
           frontline_sign_ins_total frontline_data_dir_available_bytes; do
    grep -q \"^# TYPE \$m \" '$scrape' || { echo \"missing \$m\"; exit 1; }
  done"
check "scrape config and alert rules load" promtool check config "$root/examples/monitoring/prometheus.yml"
check "alert rules are valid" promtool check rules "$root/examples/monitoring/alerts.yml"
check "Grafana dashboard is JSON with panels" python3 -c "
import json,sys; d=json.load(open('$root/examples/monitoring/grafana-dashboard.json'))
assert d['panels'] and all(p['targets'] for p in d['panels'])"
rm -f "$scrape"
echo "ops: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
