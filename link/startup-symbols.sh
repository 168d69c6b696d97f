#!/usr/bin/env bash
# Regenerates link/startup-symbols.txt: the functions the release server runs
# while it starts (a first start and a restart) and sits idle, by name, for
# the linker to place together (build.rs). Code run at start stays mapped
# while the server idles; spread over the 40 MB of code, every function
# touched kept ~64 KB of the executable resident around it (the kernel maps
# neighbouring pages with each fault). Needs valgrind (callgrind) and python3.
#   cargo build --release --bin frontline && bash link/startup-symbols.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-${CARGO_TARGET_DIR:-target}/release/frontline}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run() { # $1: output file
  FRONTLINE_DATA_DIR="$work/data" FRONTLINE_ADMIN_EMAIL=order@example.com \
    FRONTLINE_ADMIN_PASSWORD=order-password-1 \
    valgrind --tool=callgrind --demangle=no --dump-instr=no \
    --callgrind-out-file="$1" "$bin" serve --port 0 >"$work/log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    grep -q 'listening on' "$work/log" && break
    sleep 1
  done
  sleep 20 # idle: background jobs' first rounds
  kill -INT "$pid"
  wait "$pid" || true
}
run "$work/first.out"
run "$work/restart.out"
python3 - "$bin" "$work/first.out" "$work/restart.out" >link/startup-symbols.txt <<'PY'
import re, subprocess, sys
binary, outs = sys.argv[1], sys.argv[2:]
defined = set()
for line in subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        defined.add(parts[2])
ran = set()
for out in outs:
    objects, names, current = {}, {}, None
    for line in open(out):
        m = re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(3):
                objects[m.group(2)] = m.group(3)
            if m.group(1) == "ob":
                current = objects.get(m.group(2), "")
            continue
        m = re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(3):
                names[m.group(2)] = re.sub(r"'\d+$", "", m.group(3))
            if m.group(1) == "fn" and current and current.endswith(binary.split("/")[-1]):
                ran.add(names[m.group(2)])
print("\n".join(sorted(n for n in ran if n in defined)))
PY
wc -l link/startup-symbols.txt
