#!/usr/bin/env bash
# End-to-end checks on the real binary with real tools: the exposition
# through promtool and the Python prometheus-client parsers (text and
# OpenMetrics), the HTTP endpoints with curl, and a real Prometheus (Debian's
# package) scraping the exporter every second with the shipped alerting and
# recording rules (a test-only copy with `for: 0s`, see scripts/e2e_checks.py).
#
# The exporter collects from fake Cloudflare, Huawei CES and ZITADEL upstreams
# (scripts/fake_upstreams.py, serving the seed examples verbatim) plus the
# static provider. Through Prometheus' HTTP API the script asserts that every
# dashboard query and every rule returns data, and that each alert fires: the
# fakes drive quotas to exhaustion, grow a ZITADEL quota towards its limit,
# fail a collector, and finally the exporter is stopped. Chromium renders the
# status page (skipped with E2E_SKIP_BROWSER=1).
#
# Two more exporters run as replicas (--cluster.replicas=2, one ZITADEL
# instance, receiver_urls naming both): the fake ZITADEL calls each, retries
# one that is down like ZITADEL does, and both must show the same quota_usage,
# also after one was down during a notification; Prometheus scrapes both and
# must fire one alert per quota (deploy/README.md "Two replicas").
#
# The exporter Prometheus scrapes first serves TLS and basic auth from a web
# config (certificates made with openssl in the temp dir): Prometheus scrapes
# it with scheme https, tls_config and basic_auth, curl with --cacert,
# Chromium pins its certificate, and the fake ZITADEL posts to an https
# receiver_url trusting the test CA.
#
# One more exporter has two Cloudflare accounts whose API hangs and one whose
# token only gets 429: its first scrape must have every healthy target up,
# and the 429s must log one line per pause (issue 12).
#
# Everything listens on 127.0.0.1 only. Artifacts (screenshot, DOM, metrics,
# alerts, logs) go to ci-artifacts/. Prints "e2e: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

# What a fresh Debian machine lacks (.ci/run installs the same up front).
missing=()
command -v prometheus >/dev/null || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl)
if [ -z "${E2E_SKIP_BROWSER:-}" ]; then command -v chromium >/dev/null || missing+=(chromium fonts-dejavu-core); fi
if ((${#missing[@]})); then
  echo "e2e: installing ${missing[*]}"
  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null) ||
    { echo "e2e: cannot install ${missing[*]} (run as root, or install them)"; exit 1; }
fi
python3 -c 'import prometheus_client, yaml' 2>/dev/null || pip install -q prometheus-client pyyaml ||
  { echo "e2e: needs the Python packages prometheus-client and pyyaml"; exit 1; }

artifacts=ci-artifacts
mkdir -p "$artifacts"

passed=0
failed=0
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  for f in exporter.log replica-0.log replica-1.log prometheus.log fakes.log config.json ha.json metrics.prom proxy.log encoding.jsonl; do
    [ -f "$work/$f" ] && cp "$work/$f" "$artifacts/e2e-$f"
  done
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

until_ok() { # until_ok SECONDS COMMAND...: retry until the command succeeds; show its last output
  local deadline=$((SECONDS + $1)); shift
  until "$@" >"$work/until.out" 2>&1; do
    ((SECONDS > deadline)) && { cat "$work/until.out"; return 1; }
    sleep 1
  done
  cat "$work/until.out"
}

wait_http() { # wait_http URL SECONDS (https URLs: the test CA's, see below)
  local deadline=$((SECONDS + $2))
  until curl -fsS ${ca:+--cacert "$ca"} -o /dev/null "$1" 2>/dev/null; do
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
section = text[text.index("## Configuration"):]
for kind in ("yaml", "json"):
    block = re.search(r"```%s\n(.*?)```" % kind, section, re.S).group(1)
    open(sys.argv[1] + "/config." + kind, "w").write(block.replace("/run/secrets/", sys.argv[1] + "/"))
PY
echo token >"$work/readme/cloudflare"; echo secret >"$work/readme/huawei-sk"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/readme/zitadel.pem" 2>/dev/null
for kind in yaml json; do
  check "README configuration example ($kind) passes --config.check" \
    env HUAWEICLOUD_SDK_AK=ak "$bin" --config.file="$work/readme/config.$kind" --storage.path="$work/readme" --config.check
done
for example in examples/*.yaml; do
  check "$example is valid YAML" python3 -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$example"
done

# The test CA and the listener's certificate (see "TLS and basic auth" below).
mkdir -p "$work/tls"
(
  cd "$work/tls" || exit 1
  ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 2 -subj '/CN=quota_exporter e2e CA' &&
    openssl req "${ec[@]}" -keyout server.key -out server.csr -subj '/CN=127.0.0.1' &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext
) >"$work/openssl.log" 2>&1 || { cat "$work/openssl.log"; echo "e2e: openssl cannot make the test certificates"; exit 1; }
ca="$work/tls/ca.pem"
tls=(--cacert "$ca")

# Fake upstreams, one process for all three providers.
python3 scripts/fake_upstreams.py --port-file "$work/fakes.port" --ca-file "$work/tls/ca.pem" >"$work/fakes.log" 2>&1 &
pids+=("$!")
for _ in $(seq 1 100); do [ -s "$work/fakes.port" ] && break; sleep 0.1; done
fakes="http://127.0.0.1:$(cat "$work/fakes.port")"

# The configuration: the static example plus every provider against the fakes.
# min_interval 1s so that what the fakes change shows up at the next scrape.
port=$(free_port)
base="https://127.0.0.1:$port"
openssl genrsa -out "$work/zitadel-system-user.pem" 2048 2>/dev/null
printf 'E2ESECRETKEY0123456789' >"$work/huawei-sk"
zitadel_from=$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:00Z)
seed_account=01a7362d577a6c3019a474fd6f485823
live_account=0123456789abcdef0123456789abcdef
denied_account=fedcba9876543210fedcba9876543210
zitadel_instance=231848297847848958
python3 - "$work/config.json" <<PY
import json, sys, yaml
static = yaml.safe_load(open("examples/config.yaml"))["static"]
cloudflare = lambda account, **extra: dict(account_id=account, base_url="$fakes/client/v4", **extra)
config = {
    "global": {"min_interval": "1s", "max_staleness": "10m", "timeout": "10s"},
    "static": static,
    "cloudflare": [
        cloudflare("$seed_account", api_token="\${E2E_CLOUDFLARE_TOKEN}"),
        cloudflare("$live_account", api_token="\${E2E_CLOUDFLARE_TOKEN}", labels={"team": "edge"}),
        cloudflare("$denied_account", api_token="not-the-token-the-fake-wants", collectors=["workers_builds"]),
    ],
    "huaweicloud_ces": [{
        "region": "ap-southeast-1", "project_id": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "endpoint": "$fakes", "access_key": "E2EACCESSKEY", "secret_key_file": "$work/huawei-sk",
    }],
    "zitadel": [{
        "url": "$fakes", "instance_id": "$zitadel_instance", "system_user": "quota-exporter",
        "private_key_file": "$work/zitadel-system-user.pem", "receiver_url": "$base",
        "notifications": [{"percent": 5, "repeat": True}],
        "quotas": [
            {"unit": "requests_all_authenticated", "amount": 1000, "from": "$zitadel_from", "reset_interval": "30d", "limit": True},
            {"unit": "actions_all_run_seconds", "amount": 100, "from": "$zitadel_from", "reset_interval": "30d"},
        ],
    }],
}
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
mkdir -p "$work/state"   # --storage.path must exist (a volume in the container)
export E2E_CLOUDFLARE_TOKEN=e2e-cloudflare-token
check "config check accepts the e2e configuration" "$bin" --config.file="$work/config.json" --storage.path="$work/state" --config.check

# Isolation and rate limits (issue 12), on an exporter of its own: beside the
# static targets, Huawei and the Cloudflare seed account, two Cloudflare
# accounts on the same token never get an answer, and one account's token
# only ever gets 429 with Retry-After: 4. The first scrape, taken as soon as
# the exporter listens, must have every healthy target up (before, the
# hanging collections held all four slots of one FIFO through their timeout);
# the 429s must log one warn line per pause, not one per refused attempt.
hang_prefix=aaaaaaaa
limited_account=bbbbbbbb000000000000000000000003
python3 - "$work/isolation.json" "$work/config.json" <<PY
import json, sys
config = json.load(open(sys.argv[2]))
cloudflare = lambda account, token: dict(account_id=account, base_url="$fakes/client/v4", api_token=token)
json.dump({
    "global": {"min_interval": "1s", "max_staleness": "10m", "timeout": "60s"},
    "static": config["static"],
    "cloudflare": [cloudflare("${hang_prefix}000000000000000000000001", "\${E2E_CLOUDFLARE_TOKEN}"),
                   cloudflare("${hang_prefix}000000000000000000000002", "\${E2E_CLOUDFLARE_TOKEN}"),
                   cloudflare("$seed_account", "\${E2E_CLOUDFLARE_TOKEN}"),
                   cloudflare("$limited_account", "\${E2E_LIMITED_TOKEN}")],
    "huaweicloud_ces": config["huaweicloud_ces"],
}, open(sys.argv[1], "w"), indent=2)
PY
export E2E_LIMITED_TOKEN=e2e-limited-token
mkdir -p "$work/state-isolation"
iso_port=$(free_port)
iso_url="http://127.0.0.1:$iso_port"
"$bin" --config.file="$work/isolation.json" --storage.path="$work/state-isolation" --web.listen-address="127.0.0.1:$iso_port" \
  --log.level=info 2>"$work/isolation.log" &
iso=$!
pids+=("$iso")
check "isolation exporter listens" wait_http "$iso_url/-/healthy" 30
# Prometheus' default scrape timeout: the exporter gives the scrape 9.5 s.
curl -sS --max-time 30 -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' "$iso_url/metrics" -o "$work/isolation-first.prom"
check "first scrape has every healthy target up while two accounts hang" \
  python3 scripts/e2e_checks.py isolation "$work/isolation-first.prom" "$hang_prefix" "$limited_account"
cloudflare_calls() { curl -fsS "$fakes/_control/cloudflare/calls" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
check "the hanging accounts' six calls are held by the fake" until_ok 10 test "$(cloudflare_calls hanging)" -ge 6
# Those calls timed out (10 s) or the first scrape gave up on them at its
# deadline, whichever came first; either way a later scrape starts the
# accounts' next attempts without waiting for them: with 30 s to spare it is
# answered at once (5 s is against the 29.5 s it would wait otherwise, not a
# latency goal).
check "a later scrape does not wait again for the hanging accounts" \
  curl -fsS --max-time 5 -H 'X-Prometheus-Scrape-Timeout-Seconds: 30' -o /dev/null "$iso_url/metrics"
# Six more scrapes about a second apart (min_interval 1s: each one is due
# again): a pause of 4 s refuses some of them and ends before others.
for _ in 1 2 3 4 5 6; do
  sleep 1
  curl -sS --max-time 30 -H 'X-Prometheus-Scrape-Timeout-Seconds: 1' "$iso_url/metrics" -o "$work/isolation.prom"
done
check "429: one warn line per pause, no calls during one, refusals counted" \
  python3 scripts/e2e_checks.py rate-limit "$work/isolation.log" "$work/isolation.prom" "$limited_account" "$(cloudflare_calls limited)"
check "no token in the isolation exporter's metrics or log" \
  sh -c "! grep -F -e e2e-cloudflare-token -e e2e-limited-token '$work/isolation.prom' '$work/isolation.log'"
kill "$iso" 2>/dev/null; wait "$iso" 2>/dev/null
cp "$work/isolation.log" "$artifacts/e2e-isolation.log"

# TLS and basic auth from exporter-toolkit's web config: the test CA made
# above signs the listener's certificate (127.0.0.1); Prometheus scrapes with
# scheme https, that CA in tls_config and basic_auth; curl trusts the CA
# (--cacert), Chromium pins the certificate's key, the fake ZITADEL trusts
# the CA for its https callUrl. ZITADEL's receiver is exempt from basic auth
# (its URL has its own secret), so the fake's notifications below travel
# without credentials, as ZITADEL's would.
scrape_password=e2e-scrape-password-4711
scrape_hash=$(python3 scripts/e2e_checks.py bcrypt "$scrape_password")
cat >"$work/web.yml" <<YAML
tls_server_config:
  cert_file: $work/tls/server.pem
  key_file: $work/tls/server.key
http_server_config:
  headers:
    X-Content-Type-Options: nosniff
    X-Frame-Options: deny
basic_auth_users:
  prometheus: $scrape_hash
YAML
auth=(-u "prometheus:$scrape_password")
check "config check validates the web config" sh -c "'$bin' --config.file='$work/config.json' --storage.path='$work/state' --web.config.file='$work/web.yml' --config.check | grep -q 'web configuration OK: .* tls=on basic_auth_users=1 headers=2'"
echo 'basic_auth_users: {prometheus: plain-text}' >"$work/web-bad.yml"
web_check_fails() { # a bad web config: exit status 1, the field and its position on stderr
  "$bin" --config.file="$work/config.json" --storage.path="$work/state" --web.config.file="$work/web-bad.yml" --config.check 2>"$work/web-bad.err"
  local status=$?
  cat "$work/web-bad.err"
  [ "$status" = 1 ] && grep -q 'basic_auth_users.prometheus (line 1, column 20)' "$work/web-bad.err"
}
check "config check names the web config's bad field" web_check_fails

"$bin" --config.file="$work/config.json" --storage.path="$work/state" --web.config.file="$work/web.yml" --web.enable-lifecycle \
  --web.listen-address="127.0.0.1:$port" --log.level=debug 2>"$work/exporter.log" &
exporter=$!
pids+=("$exporter")
check "exporter answers /-/healthy" wait_http "$base/-/healthy" 30
check "exporter becomes ready" wait_http "$base/-/ready" 30

curl -fsS "${tls[@]}" "${auth[@]}" "$base/metrics" -o "$work/metrics.prom" -D "$work/metrics.headers"
check "text format content type" grep -qi '^content-type: text/plain; version=0.0.4; charset=utf-8' "$work/metrics.headers"
check "promtool check metrics" sh -c "promtool check metrics < '$work/metrics.prom'"
check "prometheus-client text parser" python3 scripts/check_exposition.py --format text "$work/metrics.prom"
check "static quota exported" grep -q '^quota_limit{provider="static",account="acme-contract",quota="seats",unit="seats",team="platform"} 250$' "$work/metrics.prom"
check "Cloudflare seed examples exported" grep -q "^quota_reset_timestamp_seconds{provider=\"cloudflare\",account=\"$seed_account\",quota=\"dex_commands\",unit=\"commands\"} 1577470279.117\$" "$work/metrics.prom"
check "Huawei CES seed example exported" grep -q '^quota_remaining{provider="huaweicloud_ces",account="0a1b2c3d4e5f60718293a4b5c6d7e8f9",quota="ces_alarm",unit="count",region="ap-southeast-1"} 990$' "$work/metrics.prom"
check "ZITADEL quotas exported" grep -q "^quota_limit{provider=\"zitadel\",account=\"$zitadel_instance\",quota=\"requests_all_authenticated\",unit=\"requests\"} 1000\$" "$work/metrics.prom"
check "denied Cloudflare token is a down collector" grep -q "^quota_exporter_collector_up{provider=\"cloudflare\",account=\"$denied_account\",collector=\"workers_builds\"} 0\$" "$work/metrics.prom"

om_accept='application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.1'
curl -fsS "${tls[@]}" "${auth[@]}" -H "Accept: $om_accept" "$base/metrics" -o "$work/metrics.om" -D "$work/metrics.om.headers"
check "OpenMetrics content type" grep -qi '^content-type: application/openmetrics-text; version=1.0.0; charset=utf-8' "$work/metrics.om.headers"
check "OpenMetrics ends with # EOF" sh -c "tail -n 1 '$work/metrics.om' | grep -qx '# EOF'"
check "prometheus-client OpenMetrics parser" python3 scripts/check_exposition.py --format openmetrics "$work/metrics.om"

curl -fsS "${tls[@]}" "${auth[@]}" --compressed "$base/metrics" -o "$work/metrics.gz.prom" -D "$work/metrics.gz.headers"
check "gzip when asked (curl --compressed)" grep -qi '^content-encoding: gzip' "$work/metrics.gz.headers"
check "Vary: Accept-Encoding" grep -qi '^vary: Accept-Encoding' "$work/metrics.gz.headers"
check "gzip body decompresses to the exposition" python3 scripts/check_exposition.py --format text "$work/metrics.gz.prom"
check "identity when not asked" sh -c "! grep -qi '^content-encoding' '$work/metrics.headers'"

check "status page lists the quotas" sh -c "curl -fsS --cacert '$ca' -u 'prometheus:$scrape_password' '$base/' | grep -q '<strong>seats</strong>'"
check "unknown path is 404" sh -c "test \"\$(curl -s --cacert '$ca' -u 'prometheus:$scrape_password' -o /dev/null -w '%{http_code}' '$base/nope')\" = 404"
check "POST /metrics is 405 with Allow" sh -c "curl -s --cacert '$ca' -u 'prometheus:$scrape_password' -D - -o /dev/null -X POST '$base/metrics' | grep -qi '^allow: GET, HEAD'"
check "no credentials: 401 with WWW-Authenticate" sh -c "curl -s --cacert '$ca' -D - -o /dev/null '$base/metrics' | grep -q '^HTTP/1.1 401' && curl -s --cacert '$ca' -D - -o /dev/null '$base/metrics' | grep -qi '^www-authenticate: Basic realm=\"quota_exporter\"'"
check "wrong password: 401" sh -c "test \"\$(curl -s --cacert '$ca' -u prometheus:wrong -o /dev/null -w '%{http_code}' '$base/metrics')\" = 401"
check "web config headers on every answer" sh -c "curl -s --cacert '$ca' -D - -o /dev/null '$base/metrics' | grep -qi '^x-content-type-options: nosniff' && curl -s --cacert '$ca' -u 'prometheus:$scrape_password' -D - -o /dev/null '$base/' | grep -qi '^x-frame-options: deny'"
check "TLS: without the test CA curl refuses the certificate" sh -c "curl -s -o /dev/null '$base/-/healthy'; test \$? = 60"
check "TLS: plain HTTP to the TLS port gets 400" sh -c "test \"\$(curl -s -o /dev/null -w '%{http_code}' 'http://127.0.0.1:$port/-/healthy')\" = 400"
check "probes answer without credentials" sh -c "test \"\$(curl -s --cacert '$ca' -o /dev/null -w '%{http_code}' '$base/-/ready')\" = 200"

# Two replicas (deploy/README.md#two-replicas): two more exporters with one
# ZITADEL instance, --cluster.replicas=2, each its own state directory, both
# provisioning the same two callUrls with one shared secret. Prometheus
# scrapes them as a second job, so the rules must not count a quota twice.
ha_instance=231848297847848960
ha_secret=e2eSharedReceiverSecret0123456789
r0_port=$(free_port)
r1_port=$(free_port)
r0="http://127.0.0.1:$r0_port"
r1="http://127.0.0.1:$r1_port"
python3 - "$work/ha.json" <<PY
import json, sys
json.dump({
    "global": {"min_interval": "1s", "max_staleness": "10m", "timeout": "10s"},
    "zitadel": [{
        "url": "$fakes", "instance_id": "$ha_instance", "system_user": "quota-exporter",
        "private_key_file": "$work/zitadel-system-user.pem",
        "receiver_urls": ["$r0", "$r1"], "receiver_secret": "$ha_secret",
        "notifications": [{"percent": 10, "repeat": True}],
        "quotas": [{"unit": "requests_all_authenticated", "amount": 1000, "from": "$zitadel_from", "reset_interval": "30d", "limit": True}],
    }],
}, open(sys.argv[1], "w"), indent=2)
PY
replica_pid=()
start_replica() { # start_replica N: replica N on its own port and state directory
  local port=$r0_port
  [ "$1" = 1 ] && port=$r1_port
  mkdir -p "$work/state-$1"
  "$bin" --config.file="$work/ha.json" --storage.path="$work/state-$1" --cluster.replicas=2 \
    --web.listen-address="127.0.0.1:$port" --log.level=debug 2>>"$work/replica-$1.log" &
  replica_pid[$1]=$!
  pids+=("$!")
}
stop_replica() { # stop_replica N: SIGTERM and wait
  kill -TERM "${replica_pid[$1]}" 2>/dev/null
  wait "${replica_pid[$1]}" 2>/dev/null
}
check "config check refuses one receiver for two replicas" sh -c "! '$bin' --config.file='$work/config.json' --storage.path='$work/state' --cluster.replicas=2 --config.check"
check "config check accepts the replicas' configuration" "$bin" --config.file="$work/ha.json" --storage.path="$work/state" --cluster.replicas=2 --config.check
start_replica 0
start_replica 1

# A real Prometheus scraping the exporter.
prom_port=$(free_port)
# Prometheus also scrapes through a pass-through proxy that logs what it
# asked for and got (job gzip_probe): it sends Accept-Encoding: gzip, so the
# exporter answers gzip. Only quota_limit is kept, renamed, so the rules
# and dashboards see nothing of the second job.
proxy_port=$(free_port)
python3 scripts/e2e_checks.py encoding-proxy "$proxy_port" "$base" "$work/encoding.jsonl" "$ca" 2>"$work/proxy.log" &
pids+=("$!")
check "test copy of the rules" python3 scripts/e2e_checks.py test-rules deploy/prometheus/quota-exporter.rules.yml "$work/rules.yml"
cat >"$work/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - rules.yml
scrape_configs:
  - job_name: quota_exporter
    scheme: https
    tls_config:
      ca_file: $ca
    basic_auth:
      username: prometheus
      password: $scrape_password
    static_configs:
      - targets: ["127.0.0.1:$port"]
  # The same target with a wrong password: down, with the 401 as its error.
  - job_name: quota_exporter_wrong_password
    scheme: https
    tls_config:
      ca_file: $ca
    basic_auth:
      username: prometheus
      password: not-$scrape_password
    static_configs:
      - targets: ["127.0.0.1:$port"]
  - job_name: quota_exporter_replicas
    static_configs:
      - targets: ["127.0.0.1:$r0_port", "127.0.0.1:$r1_port"]
  - job_name: gzip_probe
    basic_auth:
      username: prometheus
      password: $scrape_password
    static_configs:
      - targets: ["127.0.0.1:$proxy_port"]
    metric_relabel_configs:
      - source_labels: [__name__]
        regex: quota_limit
        action: keep
      - source_labels: [__name__]
        target_label: __name__
        replacement: e2e_gzip_quota_limit
YAML
check "promtool check config" promtool check config "$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
pids+=("$!")
check "prometheus starts" wait_http "http://127.0.0.1:$prom_port/-/ready" 60

prom="http://127.0.0.1:$prom_port"
query() { # query PROMQL -> prints the number of series in the result
  curl -fsS --get "$prom/api/v1/query" --data-urlencode "query=$1" |
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
check "prometheus scrapes it over https" sh -c "curl -fsS '$prom/api/v1/targets' | python3 -c 'import json,sys; t=[t for t in json.load(sys.stdin)[\"data\"][\"activeTargets\"] if t[\"labels\"][\"job\"] == \"quota_exporter\"]; assert t and all(x[\"scrapeUrl\"].startswith(\"https://\") and x[\"health\"] == \"up\" for x in t), t'"
check "prometheus stores quota_limit" until_series 'quota_limit{quota="seats"} == 250' 30
check "usage ratio query works" until_series 'quota_usage / quota_limit > 0.9' 30
check "collector health in prometheus" until_series 'quota_exporter_collector_up == 1' 30
check "scrape sample count sane" until_series 'scrape_samples_scraped{job="quota_exporter"} > 30' 30
check "a wrong scrape password is a down target" until_series 'up{job="quota_exporter_wrong_password"} == 0' 30
check "its scrape error is the 401" until_ok 30 python3 scripts/e2e_checks.py target-error "$prom" quota_exporter_wrong_password 401
check "data scraped with gzip arrives in prometheus" until_series 'e2e_gzip_quota_limit{job="gzip_probe",quota="seats"} == 250' 30
check "the gzip scrape has every sample" until_series 'scrape_samples_scraped{job="gzip_probe"} == on() scrape_samples_scraped{job="quota_exporter"}' 30
check "prometheus asked for gzip and got it" python3 scripts/e2e_checks.py encoding-log "$work/encoding.jsonl"

check "rules loaded and healthy, recording rules have series" until_ok 30 python3 scripts/e2e_checks.py rules "$prom" deploy/prometheus/quota-exporter.rules.yml

# Two replicas: ZITADEL (the fake, retrying like ZITADEL) calls both.
ha_notify() { # ha_notify USAGE: prints the receivers' first statuses, e.g. "200 200"
  curl -fsS -X POST "$fakes/_control/zitadel/notify" -d "{\"instance\":\"$ha_instance\",\"unit\":\"UNIT_REQUESTS_ALL_AUTHENTICATED\",\"usage\":$1}" |
    python3 -c 'import json,sys; print(*json.load(sys.stdin)["receiver_statuses"])'
}
check "replica 0 ready" wait_http "$r0/-/ready" 30
check "replica 1 ready" wait_http "$r1/-/ready" 30
check "replicas provision one list with both callUrls" until_ok 30 python3 scripts/e2e_checks.py ha-provisioned "$fakes" "$ha_instance" "$r0" "$r1"
check "a notification reaches both replicas" test "$(ha_notify 100)" = "200 200"
check "both replicas show the same quota_usage" until_ok 10 python3 scripts/e2e_checks.py usage "$ha_instance" 100 "$r0" "$r1"
stop_replica 1
check "with replica 1 down, ZITADEL's first try reaches only replica 0" test "$(ha_notify 200)" = "200 0"
start_replica 1
check "ZITADEL's retries reach replica 1 once it is back" until_ok 20 python3 scripts/e2e_checks.py delivered "$fakes" "$ha_instance" "127.0.0.1:$r1_port" delivered 200 --retried
check "both replicas show the same quota_usage after the outage" until_ok 10 python3 scripts/e2e_checks.py usage "$ha_instance" 200 "$r0" "$r1"
stop_replica 1
check "replica 1 down longer than ZITADEL retries" test "$(ha_notify 300)" = "200 0"
check "ZITADEL gives up after MaxFailureCount attempts" until_ok 30 python3 scripts/e2e_checks.py delivered "$fakes" "$ha_instance" "127.0.0.1:$r1_port" skipped 300
start_replica 1
check "replica 1 back" wait_http "$r1/-/ready" 30
check "the missed notification stays missed on replica 1" until_ok 10 python3 scripts/e2e_checks.py usage "$ha_instance" 200 "$r1"
check "max across replicas shows the latest usage" until_series "max without (instance, pod) (quota_usage{account=\"$ha_instance\"}) == 300" 30
check "the next notification reaches both again" test "$(ha_notify 400)" = "200 200"
check "replicas converge at the next notification" until_ok 10 python3 scripts/e2e_checks.py usage "$ha_instance" 400 "$r0" "$r1"
check "restarts did not renew ZITADEL's notification list" python3 scripts/e2e_checks.py ha-provisioned "$fakes" "$ha_instance" "$r0" "$r1"
check "exhaustion reaches both replicas" test "$(ha_notify 1000)" = "200 200"
check "QuotaExhausted fires for the replicated quota" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExhausted account=$ha_instance --timeout 60
check "prometheus scrapes both replicas" until_series "count(quota_exhausted{account=\"$ha_instance\"} == 1) == 2" 30
check "one QuotaExhausted alert for two replicas" python3 scripts/e2e_checks.py alert-count "$prom" QuotaExhausted 1 account=$ha_instance
check "one QuotaAlmostExhausted alert for two replicas" until_ok 30 python3 scripts/e2e_checks.py alert-count "$prom" QuotaAlmostExhausted 1 account=$ha_instance severity=critical
check "one quota:usage_ratio series for two replicas" test "$(query "quota:usage_ratio{account=\"$ha_instance\"}")" = 1

# ZITADEL: the exporter provisioned its quotas at the fake; the fake then acts
# as ZITADEL and posts usage notifications to the provisioned callUrl.
check "ZITADEL quotas provisioned (SetQuota)" until_ok 30 sh -c "curl -fsS '$fakes/_control/zitadel/quotas' | python3 -c 'import json,sys; d=json.load(sys.stdin); mine=[q for q in d[\"quotas\"] if \"/$zitadel_instance/\" in q[\"notifications\"][0][\"callUrl\"]]; calls=[c for c in d[\"calls\"] if c[\"instance\"] == \"$zitadel_instance\"]; assert len(mine) == 2 and calls[0][\"method\"] == \"PUT\", d'"
notify() { # notify UNIT USAGE: prints the receiver's status
  curl -fsS -X POST "$fakes/_control/zitadel/notify" -d "{\"instance\":\"$zitadel_instance\",\"unit\":\"$1\",\"usage\":$2}" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["receiver_status"])'
}
check "receiver stores a ZITADEL notification" test "$(notify UNIT_REQUESTS_ALL_AUTHENTICATED 100)" = 200
# Requests grow by 10 every second from 100 (of 1000): the trend passes the
# limit long before the reset in 30 days.
(usage=110; while [ $usage -lt 990 ]; do notify UNIT_REQUESTS_ALL_AUTHENTICATED $usage >/dev/null 2>&1; usage=$((usage + 10)); sleep 1; done) &
pids+=("$!")
check "ZITADEL usage reaches Prometheus" until_series "quota_usage{provider=\"zitadel\",quota=\"requests_all_authenticated\"} >= 100" 30

# Drive quotas to exhaustion: the Cloudflare live account's DEX commands, and
# ZITADEL's action seconds (a notification with usage = amount).
check "live DEX quota not exhausted at first" until_series "quota_exhausted{account=\"$live_account\",quota=\"dex_commands\"} == 0" 30
check "QuotaExhausted not firing for it" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExhausted account=$live_account quota=dex_commands --absent
check "fake drives DEX to exhaustion" curl -fsS -X POST "$fakes/_control/cloudflare/$live_account/exhaust"
check "QuotaExhausted fires for DEX" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExhausted account=$live_account quota=dex_commands --timeout 60
check "QuotaAlmostExhausted critical fires for DEX" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaAlmostExhausted severity=critical account=$live_account quota=dex_commands --timeout 60
check "receiver stores ZITADEL exhaustion" test "$(notify UNIT_ACTIONS_ALL_RUN_SECONDS 100)" = 200
check "QuotaExhausted fires for ZITADEL actions" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExhausted provider=zitadel quota=actions_all_run_seconds --timeout 60
check "QuotaAlmostExhausted warning fires for static seats (92 %)" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaAlmostExhausted severity=warning quota=seats --timeout 60
check "QuotaPredictedToRunOut fires for ZITADEL requests" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaPredictedToRunOut provider=zitadel quota=requests_all_authenticated --timeout 60
check "QuotaExporterCollectorDown fires for the denied token" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExporterCollectorDown account=$denied_account collector=workers_builds --timeout 60

check "every dashboard query returns data" until_ok 60 python3 scripts/e2e_checks.py dashboard "$prom" dashboards/quota-exporter.json
ratio_consistent() { # the dashboard's inline ratio and the recording rule cover the same quotas
  local recorded inline
  recorded=$(query 'quota:usage_ratio') inline=$(query 'max without (instance, pod) (quota_usage) / (max without (instance, pod) (quota_limit) > 0) or 1 - min without (instance, pod) (quota_remaining) / (max without (instance, pod) (quota_limit) > 0)')
  echo "recorded $recorded, inline $inline"
  [ "$recorded" -gt 0 ] && [ "$recorded" = "$inline" ]
}
check "dashboard usage ratio covers what quota:usage_ratio covers" until_ok 30 ratio_consistent

# Secrets stay out of everything the exporter shows.
curl -fsS "${tls[@]}" "${auth[@]}" "$base/metrics" -o "$work/metrics.prom"
curl -fsS "${tls[@]}" "${auth[@]}" "$base/" -o "$work/status.html"
tls_key_line=$(sed -n 2p "$work/tls/server.key")
receiver_secret=$(curl -fsS "$fakes/_control/zitadel/quotas" | python3 -c 'import json,sys; print(next(q for q in json.load(sys.stdin)["quotas"] if "/'"$zitadel_instance"'/" in q["notifications"][0]["callUrl"])["notifications"][0]["callUrl"].rsplit("/", 1)[1])')
curl -fsS "$r0/metrics" -o "$work/replica-0.prom"
check "no secret in metrics, status page or log" sh -c "! grep -F -e e2e-cloudflare-token -e not-the-token-the-fake-wants -e E2ESECRETKEY0123456789 -e '$receiver_secret' -e '$ha_secret' -e '$scrape_password' -e '$tls_key_line' '$work/metrics.prom' '$work/status.html' '$work/exporter.log' '$work/replica-0.prom' '$work/replica-0.log' '$work/replica-1.log'"

# The status page in a real browser.
if [ "${E2E_SKIP_BROWSER:-}" = 1 ]; then
  echo "skip status page in Chromium (E2E_SKIP_BROWSER=1)"
else
  chromium=$(command -v chromium || command -v chromium-browser || echo chromium)
  # Chromium has no --cacert: it trusts exactly the listener's certificate by
  # the SHA-256 of its public key (honoured only with --user-data-dir); any
  # other certificate, or an error other than the unknown issuer, still fails.
  spki=$(openssl x509 -in "$work/tls/server.pem" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
  browser=(timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$work/chromium"
    --ignore-certificate-errors-spki-list="$spki")
  # Chromium sends a top-level URL's userinfo as basic auth.
  page="https://prometheus:$scrape_password@127.0.0.1:$port/"
  dump_dom() { "${browser[@]}" --dump-dom "$page" >"$artifacts/status-page.html" 2>"$work/chromium.log"; }
  screenshot() { "${browser[@]}" --screenshot="$artifacts/status-page.png" --window-size=1400,1000 "$page" >>"$work/chromium.log" 2>&1; }
  rm -f "$artifacts/status-page.png" "$artifacts/status-page.html"
  check "Chromium dumps the status page DOM" dump_dom
  check "status page renders every quota" python3 scripts/e2e_checks.py status-page "$artifacts/status-page.html" "$work/metrics.prom"
  unpinned() { # the same page without the pin: Chromium refuses the unknown CA and shows no quota
    timeout 90 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$work/chromium-unpinned" \
      --dump-dom "$page" >"$work/unpinned.html" 2>>"$work/chromium.log"
    ! grep -q '<strong>seats</strong>' "$work/unpinned.html"
  }
  check "Chromium without the pin does not load the status page" unpinned
  check "Chromium screenshots the status page" screenshot
  check "screenshot is not blank" python3 scripts/e2e_checks.py png-nonblank "$artifacts/status-page.png"
fi

# A collector that stops succeeding goes stale (10 s in the test copy).
check "fake Huawei CES starts failing" curl -fsS -X POST "$fakes/_control/huawei/fail"
check "QuotaExporterValuesStale fires for Huawei" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExporterValuesStale provider=huaweicloud_ces --timeout 60
check "Huawei values still served from cache" until_series 'quota_limit{provider="huaweicloud_ces"} == 1000 and on(provider) quota_exporter_collector_up{provider="huaweicloud_ces"} == 0' 30

# A broken configuration is refused on reload; the old one keeps running.
cp "$work/config.json" "$work/config.good.json"
echo '{"cloudflare": [' >"$work/config.json"
check "reload of a broken config answers 500" sh -c "test \"\$(curl -s --cacert '$ca' -u 'prometheus:$scrape_password' -o /dev/null -w '%{http_code}' -X POST '$base/-/reload')\" = 500"
check "QuotaExporterConfigReloadFailed fires" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExporterConfigReloadFailed --timeout 60
cp "$work/config.good.json" "$work/config.json"

curl -fsS "$prom/api/v1/alerts" -o "$artifacts/e2e-alerts.json"
kill -TERM "$exporter"
stopped=0
for _ in $(seq 1 50); do kill -0 "$exporter" 2>/dev/null || { stopped=1; break; }; sleep 0.1; done
wait "$exporter"; status=$?
check "SIGTERM exits 0 within 5 s" test "$stopped" = 1 -a "$status" = 0
check "QuotaExporterAbsent fires once the exporter is gone" python3 scripts/e2e_checks.py wait-alert "$prom" QuotaExporterAbsent --timeout 60
check "every alert (and severity) fired during the run" python3 scripts/e2e_checks.py fired-all "$prom" deploy/prometheus/quota-exporter.rules.yml

echo
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
