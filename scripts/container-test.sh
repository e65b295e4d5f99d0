#!/usr/bin/env bash
# Builds the container image from deploy/Dockerfile with podman and runs it
# the way deploy/ runs it: read-only root filesystem, uid 65534, all
# capabilities dropped, ZITADEL's state on a named volume, the port published
# on 127.0.0.1 only. Checks:
#  - /-/ready, and /metrics through `promtool check metrics`;
#  - a ZITADEL notification POSTed to the receiver is stored on the volume and
#    still served after the container is replaced by a new one;
#  - with the fake ZITADEL of scripts/fake_upstreams.py (host network, on
#    127.0.0.1): the exporter provisions its quota over HTTP from inside the
#    image, a notification the fake sends to the provisioned callUrl is
#    stored, and the replacement container keeps the generated receiver
#    secret, so ZITADEL's callUrl stays valid;
#  - `podman stop` (SIGTERM) ends every container with exit code 0 in < 5 s.
# Prints the image reference on its LAST line and exits 0 only when every
# check passed.
#
# No registry is reachable from CI, so nothing is pulled:
#  - the runtime base (the Dockerfile's debian:bookworm-slim) is made from
#    Debian's archive with debootstrap --variant=minbase, slimmed the way the
#    official image is (no docs, man pages, locales), and kept in podman's
#    store as localhost/quota_exporter-base:bookworm-<ISO week>: rebuilt once
#    a week, reused otherwise. QUOTA_EXPORTER_BASE_IMAGE names another base
#    (e.g. docker.io/library/debian:bookworm-slim if you have it).
#  - the binary is built on the host (the Swift image cannot be pulled) with
#    the Dockerfile's command, or taken from QUOTA_EXPORTER_BIN, and goes in
#    through the Dockerfile's `prebuilt` target. The runtime stage,
#    and so the image, is the one `docker build` makes.
#
# Needs root (rootful podman, debootstrap); installs podman, runc, debootstrap,
# uidmap, the CNI plugins, iptables, promtool and curl when missing.
# Usage: [QUOTA_EXPORTER_BIN=path] scripts/container-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*"; }
die() { echo "container-test: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (rootful podman and debootstrap)"

# What a fresh Debian machine lacks. podman's own dependency would pull crun,
# which fails on hybrid cgroups; runc is what this script runs containers with.
missing=()
command -v podman >/dev/null || missing+=(podman)
[ -x /usr/sbin/runc ] || missing+=(runc)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v newuidmap >/dev/null || missing+=(uidmap)
[ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
command -v iptables >/dev/null || missing+=(iptables)
command -v promtool >/dev/null || missing+=(prometheus)
command -v curl >/dev/null || missing+=(curl)
command -v openssl >/dev/null || missing+=(openssl)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  (export DEBIAN_FRONTEND=noninteractive
   apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null) ||
    die "cannot install ${missing[*]}"
fi

# runc instead of crun, cgroupfs instead of systemd, and no default ulimits:
# podman's defaults exceed this kind of machine's hard limits and raising
# them is not permitted here.
conf_dir=${XDG_CACHE_HOME:-$HOME/.cache}/quota_exporter
mkdir -p "$conf_dir"
export CONTAINERS_CONF="$conf_dir/containers.conf"
cat >"$CONTAINERS_CONF" <<'EOF'
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
[containers]
default_ulimits = []
EOF
runtime=(--runtime /usr/sbin/runc)

artifacts=ci-artifacts
mkdir -p "$artifacts"
work=$(mktemp -d /var/tmp/quota_exporter-container-test.XXXXXX)
containers=()
volumes=()
fakes_pid=
prebuilt=deploy/prebuilt/quota_exporter
cleanup() {
  for c in "${containers[@]}"; do
    podman logs "$c" >"$artifacts/container-$c.log" 2>&1 || true
    podman rm -f -v "$c" >/dev/null 2>&1 || true
  done
  for v in "${volumes[@]}"; do podman volume rm -f "$v" >/dev/null 2>&1 || true; done
  [ -n "$fakes_pid" ] && kill "$fakes_pid" 2>/dev/null
  [ -f "$work/fakes.log" ] && cp "$work/fakes.log" "$artifacts/container-fakes.log"
  rm -f "$prebuilt"
  rmdir deploy/prebuilt 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@" >"$work/last.out" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$work/last.out" | head -40
  fi
}
until_ok() { # until_ok SECONDS COMMAND...: retry until the command succeeds; show its last output
  local deadline=$((SECONDS + $1)); shift
  until "$@" >"$work/until.out" 2>&1; do
    ((SECONDS > deadline)) && { cat "$work/until.out"; return 1; }
    sleep 0.5
  done
  cat "$work/until.out"
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# --- the binary -------------------------------------------------------------
bin=${QUOTA_EXPORTER_BIN:-}
if [ -z "$bin" ]; then
  log "swift build -c release --static-swift-stdlib --product quota_exporter"
  swift build -c release --static-swift-stdlib --product quota_exporter >"$work/swift-build.log" 2>&1 ||
    { tail -n 30 "$work/swift-build.log"; die "release build failed"; }
  bin="$(swift build -c release --show-bin-path)/quota_exporter"
fi
[ -x "$bin" ] || die "no executable at $bin"
mkdir -p deploy/prebuilt
# Stripped, as the Dockerfile's build stage does (`install --strip`).
install -m 0755 --strip "$bin" "$prebuilt"

# --- the runtime base -------------------------------------------------------
# The mirror apt uses on this machine (deb822 or one-line format), else Debian's CDN.
apt_uri() { # apt_uri SUITE: the first URI serving SUITE
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null; echo; } | awk -v suite="$1" '
    /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) found = uri }
    /^$/ { if (found) { print found; exit } uri = "" }'
  grep -hs "^deb .* $1 " /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' || true
}
mirror=$(apt_uri bookworm | head -n 1); mirror=${mirror:-http://deb.debian.org/debian}
security=$(apt_uri bookworm-security | head -n 1); security=${security:-http://deb.debian.org/debian-security}
base=${QUOTA_EXPORTER_BASE_IMAGE:-localhost/quota_exporter-base:bookworm-$(date -u +%Gw%V)}
if podman image exists "$base"; then
  log "runtime base $base (cached)"
elif [ -n "${QUOTA_EXPORTER_BASE_IMAGE:-}" ]; then
  die "QUOTA_EXPORTER_BASE_IMAGE=$base is not in podman's store (nothing is pulled)"
else
  log "runtime base $base: debootstrap --variant=minbase bookworm from $mirror"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log"; die "debootstrap failed"; }
  # What debian:bookworm-slim has: deb822 sources with updates and security,
  # dpkg told to skip docs, man pages and translations, no apt caches.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
EOF
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  rm -rf "$rootfs"/usr/share/{man,info,groff,lintian,locale}/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | podman import --change 'CMD ["bash"]' - "$base" >/dev/null 2>&1
  rm -rf "$rootfs"
  # Older weeks' bases; one still used by an image stays.
  podman images --format '{{.Repository}}:{{.Tag}}' localhost/quota_exporter-base |
    grep -vxF "$base" | xargs -r podman rmi >/dev/null 2>&1 || true
fi

# --- the image --------------------------------------------------------------
revision=$(git rev-parse --short HEAD 2>/dev/null || echo local)
image=localhost/quota_exporter:$revision
log "podman build -f deploy/Dockerfile --target prebuilt -> $image"
dangling_before=$(podman images -q --filter dangling=true | sort)
if ! podman build "${runtime[@]}" --pull=never -f deploy/Dockerfile --ignorefile deploy/Dockerfile.dockerignore \
    --target prebuilt --build-arg RUNTIME_IMAGE="$base" --build-arg REVISION="$revision" \
    --label quota_exporter.container-test=true -t "$image" . >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log"; die "podman build failed"
fi
cp "$work/build.log" "$artifacts/container-build.log"
# Earlier runs' images (other revisions), the image this tag named before and
# intermediate images: only this run's image stays.
podman images --filter label=quota_exporter.container-test=true --format '{{.Repository}}:{{.Tag}}' |
  grep -vxF "$image" | xargs -r podman rmi >/dev/null 2>&1 || true
comm -13 <(echo "$dangling_before") <(podman images -q --filter dangling=true | sort) | xargs -r podman rmi >/dev/null 2>&1 || true
size=$(podman image inspect --format '{{.Size}}' "$image")
echo "   $image: $((size / 1000000)) MB ($size bytes)"
check "image runs as 65534:65534 with the volume and port" test \
  "$(podman image inspect --format '{{.Config.User}} {{range $k, $v := .Config.Volumes}}{{$k}}{{end}} {{range $k, $v := .Config.ExposedPorts}}{{$k}}{{end}}' "$image")" \
  = "65534:65534 /var/lib/quota_exporter 8795/tcp"
check "--version in the image" podman run --rm "${runtime[@]}" --read-only "$image" --version

# --- running it -------------------------------------------------------------
start() { # start NAME VOLUME CONFIG [podman run options...] -- [exporter flags...]
  local name=$1 volume=$2 config=$3; shift 3
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done; shift
  containers+=("$name")
  podman run -d --name "$name" "${runtime[@]}" --read-only --read-only-tmpfs=false --user 65534:65534 --cap-drop ALL \
    --security-opt no-new-privileges -v "$volume:/var/lib/quota_exporter" \
    -v "$config:/etc/quota_exporter/config.json:ro" "${opts[@]}" "$image" \
    --config.file=/etc/quota_exporter/config.json --storage.path=/var/lib/quota_exporter "$@" >/dev/null
}
is_nonroot() { # the container's process, seen from the host, is uid 65534
  local pid; pid=$(podman inspect --format '{{.State.Pid}}' "$1")
  grep -E '^Uid:' "/proc/$pid/status"; grep -qE '^Uid:\s+65534\s+65534\s+65534\s+65534$' "/proc/$pid/status"
}
root_is_readonly() { # even root in the container gets EROFS
  ! podman exec --user 0 "$1" touch /etc/container-test 2>"$work/erofs.out"; cat "$work/erofs.out"
  grep -q 'Read-only file system' "$work/erofs.out"
}
published_on_loopback() { # only 127.0.0.1:PORT -> 8795
  podman port "$1"; test "$(podman port "$1")" = "8795/tcp -> 127.0.0.1:$2"
}
stops_cleanly() { # podman stop sends SIGTERM; exit code 0 well before its 5 s SIGKILL
  local t0 t1 code
  t0=$(date +%s%N); podman stop --time 5 "$1" >/dev/null; t1=$(date +%s%N)
  code=$(podman inspect --format '{{.State.ExitCode}}' "$1")
  echo "exit code $code after $(((t1 - t0) / 1000000)) ms"
  [ "$code" = 0 ] && (((t1 - t0) < 5000000000))
}
scrape() { curl -fsS "http://127.0.0.1:$1/metrics" -o "$work/metrics-$1.prom" && cat "$work/metrics-$1.prom"; }
has_sample() { # has_sample PORT REGEX: the scrape has a line matching REGEX; else show the quota_usage lines
  scrape "$1" >/dev/null || return 1
  grep -E "$2" "$work/metrics-$1.prom" || { echo "no line matches $2 in:"; grep '^quota_usage' "$work/metrics-$1.prom"; return 1; }
}

today=$(date -u +%Y-%m-%dT00:00:00Z)

# 1. As deploy/ runs it: published on 127.0.0.1, a receive-only ZITADEL
#    instance that the test POSTs a notification to, as ZITADEL would.
instance=231848297847848901
secret=container-test-receiver-secret
python3 - "$work/config.json" "$instance" "$secret" "$today" <<'PY'
import json, sys, yaml
path, instance, secret, today = sys.argv[1:]
config = {"static": yaml.safe_load(open("examples/config.yaml"))["static"],
          "zitadel": [{"url": "http://127.0.0.1:9", "instance_id": instance, "provisioning": False,
                       "receiver_secret": secret,
                       "quotas": [{"unit": "requests_all_authenticated", "amount": 1000,
                                   "from": today, "reset_interval": "30d"}]}]}
json.dump(config, open(path, "w"), indent=2)
PY
chmod 0644 "$work/config.json"
volume=quota_exporter-test-$$
podman volume create "$volume" >/dev/null; volumes+=("$volume")
port=$(free_port)
usage_line="^quota_usage\{provider=\"zitadel\",account=\"$instance\",quota=\"requests_all_authenticated\",unit=\"requests\"\} 150$"
notification="{\"unit\":1,\"id\":\"${instance}10\",\"callURL\":\"http://127.0.0.1:$port/zitadel/notifications/$instance/$secret\",\"periodStart\":\"$today\",\"threshold\":15,\"usage\":150}"

log "run 1: -p 127.0.0.1:$port:8795, --read-only, uid 65534, volume $volume"
start qe-test-$$-a "$volume" "$work/config.json" -p "127.0.0.1:$port:8795" --
check "becomes ready (/-/ready)" until_ok 30 curl -fsS "http://127.0.0.1:$port/-/ready"
check "runs as uid 65534" is_nonroot qe-test-$$-a
check "root filesystem is read-only" root_is_readonly qe-test-$$-a
check "port published on 127.0.0.1 only" published_on_loopback qe-test-$$-a "$port"
check "promtool check metrics" sh -c "curl -fsS 'http://127.0.0.1:$port/metrics' | promtool check metrics"
check "static quota in the scrape" has_sample "$port" '^quota_limit\{provider="static",account="acme-contract",quota="seats",unit="seats",team="platform"\} 250$'
check "ZITADEL notification accepted (200)" test "$(curl -sS -o /dev/null -w '%{http_code}' -X POST \
  -H 'Content-Type: application/json' -d "$notification" "http://127.0.0.1:$port/zitadel/notifications/$instance/$secret")" = 200
check "notification's usage in the scrape" has_sample "$port" "$usage_line"
check "SIGTERM: exit code 0 within 5 s" stops_cleanly qe-test-$$-a
podman rm -v qe-test-$$-a >/dev/null

log "run 2: a new container on the same volume"
start qe-test-$$-b "$volume" "$work/config.json" -p "127.0.0.1:$port:8795" --
check "replacement becomes ready" until_ok 30 curl -fsS "http://127.0.0.1:$port/-/ready"
check "stored notification survives the replacement" has_sample "$port" "$usage_line"
check "replacement: SIGTERM, exit code 0 within 5 s" stops_cleanly qe-test-$$-b

# 2. Outbound HTTP from the image and the generated secret: the fake ZITADEL
#    on 127.0.0.1, so these containers share the host's network.
python3 scripts/fake_upstreams.py --port-file "$work/fakes.port" >"$work/fakes.log" 2>&1 &
fakes_pid=$!
for _ in $(seq 1 100); do [ -s "$work/fakes.port" ] && break; sleep 0.1; done
fakes="http://127.0.0.1:$(cat "$work/fakes.port")"
openssl genrsa -out "$work/zitadel.pem" 2048 2>/dev/null
chmod 0644 "$work/zitadel.pem"
port2=$(free_port)
instance2=231848297847848902
python3 - "$work/config2.json" "$instance2" "$fakes" "$port2" "$today" <<'PY'
import json, sys
path, instance, fakes, port, today = sys.argv[1:]
config = {"zitadel": [{"url": fakes, "instance_id": instance, "system_user": "quota-exporter",
                       "private_key_file": "/etc/quota_exporter/zitadel.pem",
                       "receiver_url": "http://127.0.0.1:%s" % port,
                       "notifications": [{"percent": 5, "repeat": True}],
                       "quotas": [{"unit": "requests_all_authenticated", "amount": 1000,
                                   "from": today, "reset_interval": "30d", "limit": True}]}]}
json.dump(config, open(path, "w"), indent=2)
PY
chmod 0644 "$work/config2.json"
volume2=quota_exporter-test-$$-provisioning
podman volume create "$volume2" >/dev/null; volumes+=("$volume2")
provisioned() { # provisioned N: the fake got N SetQuota calls; prints the callUrl
  curl -fsS "$fakes/_control/zitadel/quotas" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d["calls"]) >= int(sys.argv[1]), d["calls"]
print(d["quotas"][0]["notifications"][0]["callUrl"])' "$1"
}
fake_notifies() { # the fake, as ZITADEL, POSTs usage 150 to the provisioned callUrl; the receiver answers 200
  curl -fsS -X POST "$fakes/_control/zitadel/notify" -d "{\"instance\":\"$instance2\",\"unit\":\"UNIT_REQUESTS_ALL_AUTHENTICATED\",\"usage\":150}" |
    tee /dev/stderr | grep -q '"receiver_status": 200'
}
usage_line2="^quota_usage\{provider=\"zitadel\",account=\"$instance2\",quota=\"requests_all_authenticated\",unit=\"requests\"\} 150$"
run_provisioning() {
  start "$1" "$volume2" "$work/config2.json" --network host -v "$work/zitadel.pem:/etc/quota_exporter/zitadel.pem:ro" \
    -- --web.listen-address="127.0.0.1:$port2"
}

log "run 3: --network host, provisioning at the fake ZITADEL $fakes"
run_provisioning qe-test-$$-c
check "provisioning container becomes ready" until_ok 30 curl -fsS "http://127.0.0.1:$port2/-/ready"
check "quota provisioned at the fake ZITADEL (outbound HTTP, JWT)" until_ok 30 provisioned 1
call_url=$(provisioned 1 2>/dev/null || true)
check "notification from the fake to the callUrl stored" fake_notifies
check "provisioned quota's usage in the scrape" has_sample "$port2" "$usage_line2"
check "SIGTERM, exit code 0 within 5 s" stops_cleanly qe-test-$$-c
podman rm -v qe-test-$$-c >/dev/null

log "run 4: a new container on the same volume"
calls_before=$(curl -fsS "$fakes/_control/zitadel/quotas" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["calls"]))')
run_provisioning qe-test-$$-d
check "replacement becomes ready" until_ok 30 curl -fsS "http://127.0.0.1:$port2/-/ready"
check "replacement provisions the same callUrl (secret kept on the volume)" \
  until_ok 30 sh -c "test \"\$(curl -fsS '$fakes/_control/zitadel/quotas' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d[\"calls\"]) > $calls_before; print(d[\"quotas\"][0][\"notifications\"][0][\"callUrl\"])')\" = '$call_url'"
check "stored usage survives the replacement" has_sample "$port2" "$usage_line2"
check "the old callUrl still works" fake_notifies
check "replacement: SIGTERM, exit code 0 within 5 s" stops_cleanly qe-test-$$-d

echo "container-test: $passed passed, $failed failed in ${SECONDS} s"
((failed == 0)) || exit 1
echo "$image"
