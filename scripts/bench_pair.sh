#!/usr/bin/env bash
# Paired throughput runs: two exporter binaries (say, before and after a
# change) and nginx serving the same bytes, each hit by wrk in turn for a
# short run, ROUNDS times, so that drift on a shared VM (steal time comes in
# bursts) lands on all three alike. Prints every round, then for each server
# the median and the geometric mean of its per-round ratio to nginx: a
# change of a few per cent shows there when single runs of bench.sh, whose
# rounds are 10 s apart, scatter by more than that.
# Usage: scripts/bench_pair.sh BEFORE_BINARY AFTER_BINARY
# Env: SERIES (default 1000), CONNECTIONS (default 1), ROUNDS (default 16),
# DURATION (seconds per run, default 2), SERVER_CPUS / CLIENT_CPUS (taskset
# CPU lists for the three servers and for wrk, as in bench.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "bench_pair: $tool is required (apt-get install wrk nginx-light curl)"; exit 1; }
done
[ $# -eq 2 ] || { echo "usage: scripts/bench_pair.sh BEFORE_BINARY AFTER_BINARY"; exit 2; }
series=${SERIES:-1000}
connections=${CONNECTIONS:-1}
rounds=${ROUNDS:-16}
duration=${DURATION:-2}
threads=2; ((threads <= connections)) || threads=$connections
work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run unprivileged and must read the served file
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
server_pin=(); client_pin=()
[ -z "${SERVER_CPUS:-}" ] || server_pin=(taskset -c "$SERVER_CPUS")
[ -z "${CLIENT_CPUS:-}" ] || client_pin=(taskset -c "$CLIENT_CPUS")
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; return 1; }

python3 scripts/bench_config.py "$series" >"$work/config.json"
names=(before after nginx); urls=()
for bin in "$1" "$2"; do
  port=$(free_port)
  "${server_pin[@]}" "$bin" --config.file="$work/config.json" --web.listen-address="127.0.0.1:$port" --log.level=warn &
  pids+=("$!"); urls+=("http://127.0.0.1:$port/metrics")
  wait_http "http://127.0.0.1:$port/-/ready"
done
mkdir -p "$work/root"
curl -fsS "${urls[0]}" -o "$work/root/metrics"
nginx_port=$(free_port)
cat >"$work/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx.pid;
error_log $work/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile off;
  default_type "text/plain; version=0.0.4; charset=utf-8";
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nginx_port; root $work/root; }
}
NGINX
"${server_pin[@]}" nginx -c "$work/nginx.conf" -e "$work/error.log" &
pids+=("$!"); urls+=("http://127.0.0.1:$nginx_port/metrics")
wait_http "${urls[2]}"

echo "$(grep -vc '^#' "$work/root/metrics") series, $(wc -c <"$work/root/metrics") bytes; wrk -t$threads -c$connections, ${duration} s per run, $rounds rounds; req/s:"
printf '%-6s %10s %10s %10s\n' round "${names[@]}"
: >"$work/rounds.txt"
for round in $(seq 1 "$rounds"); do
  line=()
  for url in "${urls[@]}"; do
    line+=("$("${client_pin[@]}" wrk -t"$threads" -c"$connections" -d"${duration}s" "$url" | awk '/^Requests\/sec:/ {print $2}')")
  done
  printf '%-6s %10s %10s %10s\n' "$round" "${line[@]}"
  echo "${line[*]}" >>"$work/rounds.txt"
done
python3 - "$work/rounds.txt" <<'PY'
import math, statistics, sys
rounds = [list(map(float, line.split())) for line in open(sys.argv[1])]
for index, name in enumerate(["before", "after"]):
    ratios = [r[index] / r[2] for r in rounds]
    geomean = math.exp(statistics.mean(math.log(x) for x in ratios))
    print(f"{name:<7} vs nginx: median {statistics.median(ratios):.3f}x, geometric mean {geomean:.3f}x "
          f"(rounds {min(ratios):.2f}-{max(ratios):.2f})")
change = [r[1] / r[0] for r in rounds]
print(f"after vs before: geometric mean {math.exp(statistics.mean(math.log(x) for x in change)):.3f}x "
      f"(rounds {min(change):.2f}-{max(change):.2f})")
PY
