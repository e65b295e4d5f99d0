#!/usr/bin/env bash
# End-to-end checks on the real binary with real tools: the exposition
# through promtool and the Python prometheus-client parsers (text and
# OpenMetrics), the HTTP endpoints with curl, and a real Prometheus (Debian's
# package) scraping the exporter and answering queries about it.
# Everything listens on 127.0.0.1 only. Prints "e2e: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@" >"$work/last.out" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/last.out" | head -40
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # wait_http URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    ((SECONDS > deadline)) && return 1
    sleep 0.2
  done
}

bin=${QUOTA_EXPORTER_BIN:-}
if [ -z "$bin" ]; then
  swift build --product quota_exporter >/dev/null
  bin="$(swift build --show-bin-path)/quota_exporter"
fi

# The configuration example in the README must stay valid.
mkdir -p "$work/readme"
python3 - "$work/readme" <<'PY'
import re, sys
text = open("README.md").read()
block = re.search(r"```json\n(.*?)```", text[text.index("## Configuration"):], re.S).group(1)
open(sys.argv[1] + "/config.json", "w").write(block.replace("/run/secrets/", sys.argv[1] + "/"))
PY
echo token >"$work/readme/cloudflare"; echo secret >"$work/readme/huawei-sk"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/readme/zitadel.pem" 2>/dev/null
check "README configuration example passes --config.check" \
  env HUAWEICLOUD_SDK_AK=ak "$bin" --config.file="$work/readme/config.json" --storage.path="$work/readme" --config.check
for example in examples/*.json; do
  check "$example is valid JSON" python3 -m json.tool "$example"
done

port=$(free_port)
"$bin" --config.file=examples/config.json --web.listen-address="127.0.0.1:$port" --log.level=debug 2>"$work/exporter.log" &
exporter=$!
pids+=("$exporter")
base="http://127.0.0.1:$port"
check "exporter answers /-/healthy" wait_http "$base/-/healthy" 30
check "exporter becomes ready" wait_http "$base/-/ready" 30

curl -fsS "$base/metrics" -o "$work/metrics.prom" -D "$work/metrics.headers"
check "text format content type" grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$work/metrics.headers"
check "promtool check metrics" sh -c "promtool check metrics < '$work/metrics.prom'"
check "prometheus-client text parser" python3 scripts/check_exposition.py --format text "$work/metrics.prom"
check "static quota exported" grep -q '^quota_limit{provider="static",account="acme-contract",quota="seats",unit="seats",team="platform"} 250$' "$work/metrics.prom"

om_accept='application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.1'
curl -fsS -H "Accept: $om_accept" "$base/metrics" -o "$work/metrics.om" -D "$work/metrics.om.headers"
check "OpenMetrics content type" grep -qi '^content-type: application/openmetrics-text; version=1.0.0; charset=utf-8' "$work/metrics.om.headers"
check "OpenMetrics ends with # EOF" sh -c "tail -n 1 '$work/metrics.om' | grep -qx '# EOF'"
check "prometheus-client OpenMetrics parser" python3 scripts/check_exposition.py --format openmetrics "$work/metrics.om"

check "status page lists the quotas" sh -c "curl -fsS '$base/' | grep -q '<strong>seats</strong>'"
check "unknown path is 404" sh -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' '$base/nope')\" = 404"
check "POST /metrics is 405 with Allow" sh -c "curl -s -D - -o /dev/null -X POST '$base/metrics' | grep -qi '^allow: GET, HEAD'"

# A real Prometheus scraping the exporter.
prom_port=$(free_port)
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: quota_exporter
    static_configs:
      - targets: ["127.0.0.1:$port"]
YAML
check "promtool check config" promtool check config "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=("$!")
check "prometheus starts" wait_http "http://127.0.0.1:$prom_port/-/ready" 60

query() { # query PROMQL -> prints the number of series in the result
  curl -fsS --get "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["status"]=="success", d; print(len(d["data"]["result"]))'
}
until_series() { # until_series PROMQL SECONDS: wait until the query returns at least one series
  local deadline=$((SECONDS + $2))
  while ((SECONDS <= deadline)); do
    n=$(query "$1" 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 0 ] && return 0
    sleep 0.5
  done
  echo "no series for: $1"; return 1
}
check "prometheus sees the target up" until_series 'up{job="quota_exporter"} == 1' 30
check "prometheus stores quota_limit" until_series 'quota_limit{quota="seats"} == 250' 30
check "usage ratio query works" until_series 'quota_usage / quota_limit > 0.9' 30
check "collector health in prometheus" until_series 'quota_exporter_collector_up == 1' 30
check "scrape sample count sane" until_series 'scrape_samples_scraped{job="quota_exporter"} > 30' 30

kill -TERM "$exporter"
stopped=0
for _ in $(seq 1 50); do kill -0 "$exporter" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
wait "$exporter"; status=$?
check "SIGTERM exits 0 within 5 s" test "$stopped" = 1 -a "$status" = 0

echo
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
