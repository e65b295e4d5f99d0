#!/usr/bin/env bash
# Measures the release binary's memory and CPU, to size the Kubernetes
# requests/limits in deploy/kubernetes/statefulset.yaml. The exporter collects
# from the fake upstreams (scripts/fake_upstreams.py) every second
# (min_interval 1s: far more often than the 60 s default) for the static
# example, 2 Cloudflare accounts x 3 collectors and 1 Huawei project, while
# curl fetches /metrics and the status page back to back for DURATION seconds
# (default 60), i.e. hundreds of scrapes per second instead of one per 15-60 s.
# Usage: QUOTA_EXPORTER_BIN=... scripts/measure_resources.sh
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-60}
bin=${QUOTA_EXPORTER_BIN:-}
if [ -z "$bin" ]; then
  swift build -c release --static-swift-stdlib --product quota_exporter >/dev/null
  bin="$(swift build -c release --show-bin-path)/quota_exporter"
fi
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

python3 scripts/fake_upstreams.py --port-file "$work/fakes.port" >/dev/null 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do [ -s "$work/fakes.port" ] && break; sleep 0.1; done
fakes="http://127.0.0.1:$(cat "$work/fakes.port")"
python3 - "$work/config.json" "$fakes" <<'PY'
import json, sys, yaml
path, fakes = sys.argv[1:]
cf = lambda a: {"account_id": a, "api_token": "e2e-cloudflare-token", "base_url": fakes + "/client/v4"}
json.dump({
    "global": {"min_interval": "1s", "max_staleness": "10m"},
    "static": yaml.safe_load(open("examples/config.yaml"))["static"],
    "cloudflare": [cf("01a7362d577a6c3019a474fd6f485823"), cf("0123456789abcdef0123456789abcdef")],
    "huaweicloud_ces": [{"region": "ap-southeast-1", "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
                         "endpoint": fakes, "access_key": "E2EACCESSKEY", "secret_key": "measure"}],
}, open(path, "w"))
PY
port=$(free_port)
"$bin" --config.file="$work/config.json" --web.listen-address="127.0.0.1:$port" --log.level=warn 2>"$work/exporter.log" &
pid=$!
pids+=("$pid")
for _ in $(seq 1 150); do curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && break; sleep 0.2; done
kib() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$pid/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
echo "idle after start:  RSS $(( $(kib VmRSS) / 1024 )) MiB"
t0=$(date +%s.%N); c0=$(ticks); n=0
end=$((SECONDS + duration))
while ((SECONDS < end)); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/metrics"
  curl -fsS -o /dev/null "http://127.0.0.1:$port/"
  n=$((n + 2))
done
t1=$(date +%s.%N); c1=$(ticks)
python3 - "$n" "$t0" "$t1" "$c0" "$c1" "$hz" "$(kib VmRSS)" "$(kib VmHWM)" <<'PY'
import sys
n, t0, t1, c0, c1, hz, rss, hwm = sys.argv[1:]
seconds = float(t1) - float(t0)
cpu = (float(c1) - float(c0)) / float(hz)
print("under load:        %d requests in %.0f s (%.0f/s); CPU %.2f s = %.0f millicores; RSS %d MiB, peak %d MiB"
      % (int(n), seconds, int(n) / seconds, cpu, 1000 * cpu / seconds, int(rss) // 1024, int(hwm) // 1024))
PY
t0=$(date +%s.%N); c0=$(ticks)
for _ in $(seq 1 4); do curl -fsS -o /dev/null "http://127.0.0.1:$port/metrics"; sleep 5; done
t1=$(date +%s.%N); c1=$(ticks)
python3 -c "import sys; s=$t1-$t0; c=($c1-$c0)/$hz; print('scraped every 5 s:  CPU %.0f millicores' % (1000*c/s))"
