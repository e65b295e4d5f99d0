#!/usr/bin/env bash
# Benchmark: /metrics of the release binary against nginx serving the very
# same bytes from a file, in one run on this machine, for N synthetic series.
# Prints throughput and latency of both, their ratios, the CPU time each
# server spent per request, and the exporter's memory; then callgrind
# instruction counts (scripts/bench_callgrind.sh) and the outbound
# benchmark (scripts/bench_outbound.sh).
# Usage: scripts/bench.sh [SERIES...]
# Cases are SERIES:CONNECTIONS:SENDFILE[:tls] (nginx's sendfile on or off;
# tls: both serve HTTPS with the same throwaway P-256 certificate, TLS 1.3);
# the default is issue 12's goals and the same over TLS:
# "1000:16:off 1000:1:off 10000:16:on 1000:16:off:tls 1000:1:off:tls". Given
# SERIES, each runs with CONNECTIONS and SENDFILE (default off).
# Env: CASES, DURATION (wrk seconds, default 10), CONNECTIONS (default 16),
# BIN (a built binary; default: build this tree's), THREADS (default 2, at
# most the connections), ROUNDS (alternating
# exporter/nginx runs per case, default 3; the median is shown),
# EXPORTER_FLAGS (more flags for the exporter, e.g. --web.event-loops=1),
# CALLGRIND=0 / OUTBOUND=0 to skip those parts, SERVER_CPUS / CLIENT_CPUS
# (taskset CPU lists) to pin both servers and wrk alike: on a VM, whether a
# request wakes an idle vCPU depends on where the scheduler put the two
# ends, which differs between nginx and the exporter from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (apt-get install wrk nginx-light curl)"; exit 1; }
done
duration=${DURATION:-10}
rounds=${ROUNDS:-3}
if [ $# -gt 0 ]; then
  cases=(); for n in "$@"; do cases+=("$n:${CONNECTIONS:-16}:${SENDFILE:-off}"); done
else
  read -r -a cases <<<"${CASES:-1000:16:off 1000:1:off 10000:16:on 1000:16:off:tls 1000:1:off:tls}"
fi

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run unprivileged and must read the served file
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# The binary the container ships: static Swift runtime, libcurl opened at run
# time. BIN=path benchmarks that binary instead (e.g. an older build, to
# compare two in one sitting).
if [ -n "${BIN:-}" ]; then
  bin=$BIN
else
  echo "building the release binary (--static-swift-stdlib)..."
  nice -n 10 swift build -c release --static-swift-stdlib --product quota_exporter --scratch-path .build-static >/dev/null
  bin="$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)/quota_exporter"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 150); do curl -kfsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.2; done; return 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
chmod 644 "$work/key.pem"  # read by nginx's master (root or not), removed with $work
printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$work/cert.pem" "$work/key.pem" >"$work/web.yml"
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
anon_kib() { awk '/^RssAnon:/ {print $2}' "/proc/$1/status"; }
# cpu_ticks PID... -> "user system" clock ticks of every thread of these processes
cpu_ticks() {
  local user=0 system=0 u s
  for pid in "$@"; do
    for stat in /proc/"$pid"/task/*/stat; do
      read -r u s < <(awk '{ sub(/^.*\) /, ""); print $12, $13 }' "$stat" 2>/dev/null || echo "0 0")
      user=$((user + ${u:-0})); system=$((system + ${s:-0}))
    done
  done
  echo "$user $system"
}
# Clock ticks the hypervisor gave this VM's CPUs to others (steal, in
# /proc/stat): seconds of it in a case mean its ratios are noise.
steal_ticks() { awk '/^cpu / {print $9}' /proc/stat; }
server_pin=(); client_pin=()
[ -z "${SERVER_CPUS:-}" ] || server_pin=(taskset -c "$SERVER_CPUS")
[ -z "${CLIENT_CPUS:-}" ] || client_pin=(taskset -c "$CLIENT_CPUS")
# run_wrk URL -> "requests_per_second avg_latency_ms p99_latency_ms requests"
run_wrk() {
  "${client_pin[@]}" wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$1" >"$work/wrk.txt"
  python3 - "$work/wrk.txt" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    match = re.match(r"([\d.]+)(\w+)$", v)
    if not match:  # e.g. "-nanus" from a wrk thread that got no answer
        print(f"bench: unreadable wrk latency {v!r}:\n" + text, file=sys.stderr)
        return float("nan")
    return float(match.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3, "m": 6e4}[match.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
avg = ms(re.search(r"^\s*Latency\s+(\S+)", text, re.M).group(1))
# Anchored: a Req/Sec line ending in "65.99%" must not be read as the p99.
p99 = ms(re.search(r"^\s*99%\s+(\S+)", text, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors or "Socket errors" in text:
    print("bench: wrk reported errors:\n" + text, file=sys.stderr); sys.exit(1)
total = int(re.search(r"(\d+) requests in", text).group(1))
print(f"{rps:.0f} {avg:.3f} {p99:.3f} {total}")
PY
}

printf '\n%-8s %-9s %10s %10s %10s %10s %12s %12s\n' series server req/s avg_ms p99_ms bytes rss_kib peak_rss_kib
for case in "${cases[@]}"; do
  IFS=: read -r n connections sendfile tls <<<"$case"
  threads=${THREADS:-2}; ((threads <= connections)) || threads=$connections
  scheme=http; exporter_tls=(); nginx_tls=""
  if [ "${tls:-}" = tls ]; then
    scheme=https; exporter_tls=(--web.config.file="$work/web.yml")
    nginx_tls="ssl; ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem; ssl_protocols TLSv1.3"
  fi
  echo "-- $n series, wrk -t$threads -c$connections -d${duration}s, nginx sendfile $sendfile${tls:+, over TLS}"
  python3 scripts/bench_config.py "$n" >"$work/config-$n.json"
  port=$(free_port)
  "${server_pin[@]}" "$bin" --config.file="$work/config-$n.json" --web.listen-address="127.0.0.1:$port" --log.level=warn "${exporter_tls[@]}" ${EXPORTER_FLAGS:-} &
  exporter=$!; pids+=("$exporter")
  wait_http "$scheme://127.0.0.1:$port/-/ready"
  curl -kfsS "$scheme://127.0.0.1:$port/metrics" -o "$work/metrics-$n.prom"
  series=$(grep -vc '^#' "$work/metrics-$n.prom")
  bytes=$(wc -c <"$work/metrics-$n.prom")
  idle_rss=$(rss_kib "$exporter"); idle_anon=$(anon_kib "$exporter")

  nginx_port=$(free_port)
  mkdir -p "$work/nginx-$n/root"
  cp "$work/metrics-$n.prom" "$work/nginx-$n/root/metrics"
  cat >"$work/nginx-$n/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx-$n/nginx.pid;
error_log $work/nginx-$n/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile $sendfile;
  default_type "text/plain; version=0.0.4; charset=utf-8";
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$nginx_port $nginx_tls; root $work/nginx-$n/root; }
}
NGINX
  "${server_pin[@]}" nginx -c "$work/nginx-$n/nginx.conf" -e "$work/nginx-$n/error.log" &
  nginx_pid=$!; pids+=("$nginx_pid")
  wait_http "$scheme://127.0.0.1:$nginx_port/metrics"

  # ROUNDS alternating runs of each, so drift on a shared machine hits both;
  # the median round is printed and the spread of the throughput ratio.
  : >"$work/rounds-$n.txt"
  # CPU time per request of each server (all its threads and processes,
  # user and system, from /proc): what decides throughput when the load
  # generator shares the cores, and steadier than req/s on a shared VM.
  nginx_all=("$nginx_pid" $(pgrep -P "$nginx_pid" | tr '\n' ' '))
  steal0=$(steal_ticks)
  for _ in $(seq 1 "$rounds"); do
    read -r eu0 es0 < <(cpu_ticks "$exporter")
    read -r e_rps e_avg e_p99 e_total < <(run_wrk "$scheme://127.0.0.1:$port/metrics")
    read -r eu1 es1 < <(cpu_ticks "$exporter")
    read -r nu0 ns0 < <(cpu_ticks "${nginx_all[@]}")
    read -r n_rps n_avg n_p99 n_total < <(run_wrk "$scheme://127.0.0.1:$nginx_port/metrics")
    read -r nu1 ns1 < <(cpu_ticks "${nginx_all[@]}")
    echo "$e_rps $e_avg $e_p99 $n_rps $n_avg $n_p99 $((eu1 - eu0)) $((es1 - es0)) $e_total $((nu1 - nu0)) $((ns1 - ns0)) $n_total" >>"$work/rounds-$n.txt"
  done
  steal=$(($(steal_ticks) - steal0))
  e_rss=$(rss_kib "$exporter"); e_hwm=$(hwm_kib "$exporter"); e_anon=$(anon_kib "$exporter")
  python3 - "$work/rounds-$n.txt" "$series" "$bytes" "$idle_rss" "$idle_anon" "$e_rss" "$e_hwm" "$e_anon" "$(getconf CLK_TCK)" "$steal" <<'PY'
import statistics, sys
path, series, size = sys.argv[1:4]
idle, idle_anon, rss, hwm, anon = (int(x) / 1024 for x in sys.argv[4:9])
rounds = [list(map(float, line.split())) for line in open(path)]
tick_us = 1e6 / float(sys.argv[9])
def per_request(r, offset):
    user, system, total = r[offset:offset + 3]
    return user * tick_us / total, system * tick_us / total
cpu_e = sorted((per_request(r, 6) for r in rounds), key=sum)[len(rounds) // 2]
cpu_n = sorted((per_request(r, 9) for r in rounds), key=sum)[len(rounds) // 2]
ratios = sorted(r[0] / r[3] for r in rounds)
median = sorted(rounds, key=lambda r: r[0] / r[3])[len(rounds) // 2]
e_rps, e_avg, e_p99, n_rps, n_avg, n_p99 = median[:6]
print(f"{series:<8} {'exporter':<9} {e_rps:10.0f} {e_avg:10.3f} {e_p99:10.3f} {size:>10} {rss * 1024:12.0f} {hwm * 1024:12.0f}")
print(f"{series:<8} {'nginx':<9} {n_rps:10.0f} {n_avg:10.3f} {n_p99:10.3f} {size:>10} {'-':>12} {'-':>12}")
print(f"{'':8} ratio     throughput {e_rps / n_rps:.2f}x nginx (median of {len(rounds)} rounds, range {ratios[0]:.2f}-{ratios[-1]:.2f}), "
      f"avg latency {e_avg / n_avg:.2f}x, p99 {e_p99 / n_p99:.2f}x; exporter RSS idle {idle:.1f} MiB ({idle_anon:.1f} anonymous), "
      f"after load {rss:.1f} MiB ({anon:.1f} anonymous)")
print(f"{'':8} RSS at {series} series after load: {rss:.1f} MiB, peak {hwm:.1f} MiB")
print(f"{'':8} CPU per request (median round): exporter {cpu_e[0]:.1f} us user + {cpu_e[1]:.1f} us system = {sum(cpu_e):.1f} us; "
      f"nginx {cpu_n[0]:.1f} + {cpu_n[1]:.1f} = {sum(cpu_n):.1f} us ({sum(cpu_e) / sum(cpu_n):.2f}x)")
print(f"{'':8} steal time during the case: {int(sys.argv[10]) / float(sys.argv[9]):.1f} s of {len(rounds) * 2} wrk runs")
PY
  kill "$exporter" "$nginx_pid"; wait "$exporter" "$nginx_pid" 2>/dev/null || true
done
[ "${CALLGRIND:-1}" = 0 ] || scripts/bench_callgrind.sh "$bin"
[ "${OUTBOUND:-1}" = 0 ] || scripts/bench_outbound.sh "$bin"
