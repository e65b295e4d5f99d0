#!/usr/bin/env bash
# Outbound benchmarks of issue 11, against Cloudflare fakes on 127.0.0.1:
#  1. the exporter's CPU seconds while 1, 4 and 16 requests wait on a slow
#     server, beside curl processes doing the same waits in parallel;
#  2. the first full collection of 100 Cloudflare accounts x 3 endpoints
#     (300 targets) answered after 200 ms each, max_concurrency 64 (and 64 per upstream: one token);
#  3. RSS after that collection and the stripped binary's size.
# Usage: scripts/bench_outbound.sh BIN   (scripts/bench.sh calls it)
# Env: WAIT (seconds of the measured window, default 9.5: a request times out
# after 10 s, so the window ends before the exporter's own timeout fires).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: bench_outbound.sh BIN}
window=${WAIT:-9.5}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; return 1; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# A threaded Cloudflare fake: every answer after DELAY seconds (the seed
# fixtures), GET /_inflight tells how many requests are being held.
cat >"$work/slow_fake.py" <<'PY'
import http.server, os, sys, threading, time
delay, port_file = float(sys.argv[1]), sys.argv[2]
fixtures = os.path.join(os.getcwd(), "scripts", "fixtures")
bodies = {p: open(os.path.join(fixtures, f), "rb").read() for p, f in {
    "dex/commands/quota": "cloudflare-dex-commands-quota.json",
    "builds/account/limits": "cloudflare-builds-account-limits.json",
    "ai-gateway/billing/spending-limit": "cloudflare-ai-gateway-spending-limit.json"}.items()}
lock, inflight = threading.Lock(), [0]
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args): pass
    def send(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        if self.path == "/_inflight":
            return self.send(200, str(inflight[0]).encode())
        body = next((b for p, b in bodies.items() if self.path.split("?")[0].endswith(p)), None)
        with lock: inflight[0] += 1
        try:
            time.sleep(delay)
        finally:
            with lock: inflight[0] -= 1
        self.send(200 if body else 404, body or b'{"success":false,"errors":[{"code":7003,"message":"no route"}]}')
class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
s = Server(("127.0.0.1", 0), Handler)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
start_fake() {  # DELAY NAME -> sets fake_url
  python3 "$work/slow_fake.py" "$1" "$work/$2.port" 2>"$work/$2.log" &
  pids+=("$!")
  for _ in $(seq 1 100); do [ -s "$work/$2.port" ] && break; sleep 0.1; done
  fake_url="http://127.0.0.1:$(cat "$work/$2.port")"
}
# config ACCOUNTS COLLECTORS BASE -> JSON config with ACCOUNTS Cloudflare accounts
config() {
  python3 - "$@" <<'PY'
import json, sys
n, collectors, base = int(sys.argv[1]), sys.argv[2].split(","), sys.argv[3]
print(json.dumps({"global": {"min_interval": "1h", "max_staleness": "2h", "timeout": "60s", "max_concurrency": 64, "max_concurrency_per_upstream": 64},
    "cloudflare": [{"account_id": "%032x" % (0xbe0c0000 + i), "api_token": "bench-token",
                    "base_url": base + "/client/v4", "collectors": collectors} for i in range(n)]}))
PY
}
start_exporter() {  # CONFIG -> sets exporter, port
  port=$(free_port)
  "$bin" --config.file="$1" --web.listen-address="127.0.0.1:$port" --log.level=error 2>>"$work/exporter.log" &
  exporter=$!; pids+=("$exporter")
  wait_http "http://127.0.0.1:$port/-/ready"
}

# 1. CPU while N requests wait. The fake holds each answer 30 s; the window
# opens once all N are held and lasts $window s.
start_fake 30 slow; slow_url=$fake_url
echo
printf '%-9s %-10s %12s %10s\n' waiting client cpu_s window_s
for n in 1 4 16; do
  config "$n" dex_commands "$slow_url" >"$work/slow-$n.json"
  start_exporter "$work/slow-$n.json"
  curl -sS -o /dev/null -H 'X-Prometheus-Scrape-Timeout-Seconds: 60' "http://127.0.0.1:$port/metrics" &
  scrape=$!; pids+=("$scrape")
  for _ in $(seq 1 100); do [ "$(curl -fsS "$slow_url/_inflight")" -ge "$n" ] && break; sleep 0.05; done
  c0=$(ticks "$exporter"); sleep "$window"; c1=$(ticks "$exporter")
  printf '%-9s %-10s %12.3f %10s\n' "$n" exporter "$(echo "($c1 - $c0) / $hz" | bc -l)" "$window"
  kill "$exporter" "$scrape" 2>/dev/null || true; wait "$exporter" "$scrape" 2>/dev/null || true
  for _ in $(seq 1 100); do [ "$(curl -fsS "$slow_url/_inflight")" -eq 0 ] && break; sleep 0.05; done
  # The same waits with curl: N processes in parallel, each cut off after
  # $window s; their utime+stime from getrusage(RUSAGE_CHILDREN).
  python3 - "$n" "$window" "$slow_url/client/v4/accounts/$(printf '%032x' 0)/dex/commands/quota" <<'PY'
import resource, subprocess, sys
n, window, url = int(sys.argv[1]), sys.argv[2], sys.argv[3]
procs = [subprocess.Popen(["curl", "-s", "-o", "/dev/null", "--max-time", window, url]) for _ in range(n)]
for p in procs: p.wait()
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%-9d %-10s %12.3f %10s" % (n, "curl x%d" % n, r.ru_utime + r.ru_stime, window))
PY
  for _ in $(seq 1 100); do [ "$(curl -fsS "$slow_url/_inflight")" -eq 0 ] && break; sleep 0.05; done
done

# 2. First full collection: 300 targets at 200 ms each. The exporter starts
# collecting when it starts, so the time runs from its launch until a scrape
# shows all 300 collector_up at 1 (polled every 50 ms, from the launch on:
# no readiness wait, which would add its own 200 ms steps).
start_fake 0.2 fast; fast_url=$fake_url
config 100 dex_commands,workers_builds,ai_gateway_spending "$fast_url" >"$work/fast.json"
port=$(free_port)
t0=$(date +%s.%N)
"$bin" --config.file="$work/fast.json" --web.listen-address="127.0.0.1:$port" --log.level=error 2>>"$work/exporter.log" &
exporter=$!; pids+=("$exporter")
for _ in $(seq 1 1200); do
  curl -fsS -H 'X-Prometheus-Scrape-Timeout-Seconds: 0.2' "http://127.0.0.1:$port/metrics" >"$work/fast.prom" 2>/dev/null || true
  [ "$(grep -c '^quota_exporter_collector_up{.*} 1$' "$work/fast.prom" || true)" -ge 300 ] && break
  sleep 0.05
done
first=$(echo "$(date +%s.%N) - $t0" | bc -l | xargs printf '%.2f')
up=$(grep -c '^quota_exporter_collector_up{.*} 1$' "$work/fast.prom" || true)
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$exporter/status")
echo
echo "first collection: 300 targets (100 accounts x 3) at 200 ms, max_concurrency 64: ${first} s; collector_up 1: $up of 300; RSS after it $(echo "scale=1; $rss / 1024" | bc) MiB"
[ "$up" -eq 300 ] || { echo "bench: not all targets up:"; grep '^quota_exporter_collector_up' "$work/fast.prom" | grep -v ' 1$' | head -3; tail -5 "$work/exporter.log"; }

# 3. The stripped binary, as the Dockerfile ships it.
strip -o "$work/stripped" "$bin"
echo "stripped static binary: $(stat -c %s "$work/stripped") bytes (unstripped $(stat -c %s "$bin"))"
