#!/usr/bin/env bash
# Checks the binary deploy/Dockerfile builds (swift build -c release
# --static-swift-stdlib) on its own, before scripts/container-test.sh runs it in the image:
#  1. it links no Swift runtime, Foundation, Dispatch or ICU shared library,
#     only system libraries that debian:bookworm-slim + libcurl4 provide, and
#     has no Foundation or ICU linked in statically either (symbol table);
#  2. it runs (--version, --config.check, serving /metrics) inside a root
#     filesystem that holds nothing but the binary, the shared libraries it
#     resolves to (glibc, libstdc++, libgcc_s) plus libcurl.so.4, which it
#     opens at run time, and libcurl's dependencies, CA certificates and /etc/passwd: mounted read-only,
#     as uid 65534, with a tmpfs volume at /var/lib/quota_exporter, exactly as
#     the Deployment runs it.
# Needs root and unshare(1) for step 2 (CI runs as root); skips it otherwise.
# Usage: scripts/check_static_binary.sh BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(readlink -f "${1:?usage: check_static_binary.sh BINARY}")
fail() { echo "FAIL: $*"; exit 1; }

echo "== shared libraries the binary asks for (DT_NEEDED)"
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
echo "$needed" | sed 's/^/   /'
# What debian:bookworm-slim's base (libc6, libstdc++6, libgcc-s1, zlib1g) and
# libcurl4 install. Anything else would be missing at run time.
allowed='^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1|libcurl\.so\.4)$'
while read -r lib; do
  [[ $lib =~ $allowed ]] || fail "$lib is not in the runtime image (debian:bookworm-slim + libcurl4 ca-certificates tzdata)"
done <<<"$needed"
if ldd "$bin" | grep -Ei 'libswift|libFoundation|libdispatch|libBlocksRuntime|libicu|libxml2|/opt/swift|\.build/'; then
  fail "the binary loads the Swift toolchain's shared libraries; build with --static-swift-stdlib"
fi
echo "ok   only system libraries, no Swift runtime"

echo "== no Foundation or ICU linked in statically"
# --static-swift-stdlib would link Foundation and ICU into the binary itself
# (34 MB of ICU data and code) if any module imported Foundation; readelf
# above cannot see that, the symbol table can. Swift's mangled names for
# Foundation's module start with $s10Foundation (FoundationEssentials and
# FoundationInternationalization with $s20Foundation... / $s28Foundation...),
# ICU's C symbols carry a version suffix (ucal_open_74, u_strlen_74, ...).
symbols=$(nm --defined-only "$bin" 2>/dev/null || true)
[ -n "$symbols" ] || symbols=$(strings -a "$bin")
if grep -Eq '\$s10Foundation|\$s20FoundationEssentials|\$s28FoundationInternationalization|\$s20FoundationNetworking|(^|[ _])(ucal|ucol|ubrk|unum|udat|uloc)_[A-Za-z]+(_[0-9]+)?$|icudt[0-9]+_dat' <<<"$symbols"; then
  grep -Eo '\$s10Foundation[^ ]*|\$s[0-9]+Foundation[A-Za-z]*[^ ]*|(ucal|ucol|ubrk|unum|udat|uloc)_[A-Za-z]+(_[0-9]+)?|icudt[0-9]+_dat' <<<"$symbols" | sort -u | head -5 | sed 's/^/   /' || true
  fail "the binary contains Foundation or ICU; Sources/ must not import Foundation"
fi
echo "ok   no Foundation, FoundationEssentials or ICU symbols"

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
  echo "skip the minimal-root run: needs root and unshare -m"
  exit 0
fi

echo "== minimal read-only root, uid 65534"
root=$(mktemp -d)
chmod 0755 "$root"
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null; wait 2>/dev/null; rm -rf "$root"; }
trap cleanup EXIT
install -D -m 0755 "$bin" "$root/usr/bin/quota_exporter"
# libcurl is opened at run time (dlopen("libcurl.so.4"), see
# Sources/CQuotaSystem), so the binary's ldd does not list it: add it and
# what it links, as the runtime image's libcurl4t64 package does.
curl_lib=$(ldconfig -p | awk '$1 == "libcurl.so.4" && !found { print $NF; found = 1 }')
[ -n "$curl_lib" ] || fail "libcurl.so.4 is not installed (the runtime image has libcurl4t64)"
# libssl.so.3 too (the listener's TLS, also opened at run time); libcurl
# links it already, named here so the root never depends on that.
ssl_libs=$(ldconfig -p | awk '$1 == "libssl.so.3" || $1 == "libcrypto.so.3" { print $NF }')
[ -n "$ssl_libs" ] || fail "libssl.so.3 is not installed (the runtime image has libssl3)"
# zlib too (dlopen("libz.so.1") for gzip scrapes; zlib1g is in every Debian image).
zlib_lib=$(ldconfig -p | awk '$1 == "libz.so.1" && !found { print $NF; found = 1 }')
[ -n "$zlib_lib" ] || fail "libz.so.1 is not installed (the runtime image has zlib1g)"
for lib in $(ldd "$bin" | grep -o '/[^ ]*') "$curl_lib" $(ldd "$curl_lib" | grep -o '/[^ ]*') $ssl_libs "$zlib_lib"; do
  cp -L --parents "$lib" "$root/"
done
mkdir -p "$root/etc/ssl/certs" "$root/var/lib/quota_exporter" "$root/proc" "$root/dev" "$root/tmp"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
echo 'nogroup:x:65534:' >"$root/etc/group"
# The static example, plus a receive-only ZITADEL instance: its notifications
# are written to the state file on the volume.
python3 - "$root/etc/quota_exporter.json" <<'PY'
import json, sys, yaml
config = yaml.safe_load(open("examples/config.yaml"))
config["zitadel"] = [{"url": "http://127.0.0.1:9", "instance_id": "1", "provisioning": False,
                      "receiver_secret": "static-binary-check-secret",
                      "quotas": [{"unit": "requests_all_authenticated", "amount": 1000,
                                  "from": "2026-01-01T00:00:00Z", "reset_interval": "30d"}]}]
json.dump(config, open(sys.argv[1], "w"))
PY
echo "   $(find "$root" -type f | wc -l) files, $(du -sh "$root" | cut -f1) (binary $(du -h "$bin" | cut -f1))"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
# In a private mount namespace: the root bind-mounted read-only, /proc, /dev
# and a writable tmpfs volume owned by 65534 (an emptyDir in Kubernetes).
unshare -m --propagation private bash -euo pipefail -s "$root" "$port" <<'INNER'
root=$1 port=$2
mount --bind "$root" "$root"
mount -t tmpfs -o mode=0700,uid=65534,gid=65534 tmpfs "$root/var/lib/quota_exporter"
mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -o remount,bind,ro "$root"
run() { chroot --userspec=65534:65534 "$root" /usr/bin/quota_exporter "$@"; }
if touch "$root/usr/bin/x" 2>/dev/null; then echo "FAIL: the root is writable"; exit 1; fi
run --version
run --config.file=/etc/quota_exporter.json --storage.path=/var/lib/quota_exporter --config.check
chroot --userspec=65534:65534 "$root" /usr/bin/quota_exporter --config.file=/etc/quota_exporter.json \
  --storage.path=/var/lib/quota_exporter --web.listen-address="127.0.0.1:$port" 2>"$root/../exporter-$port.log" &
server=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/-/ready" 2>/dev/null && break; sleep 0.1; done
curl -fsS -X POST "http://127.0.0.1:$port/zitadel/notifications/1/static-binary-check-secret" \
  -d '{"unit":1,"id":"n1","callURL":"x","periodStart":"2026-01-01T00:00:00Z","threshold":10,"usage":100}'
test -s "$root/var/lib/quota_exporter/zitadel-state.json" || { echo "FAIL: no state file on the volume"; exit 1; }
curl -fsS "http://127.0.0.1:$port/metrics" >"$root/../metrics-$port.prom"
curl -fsS --compressed -D "$root/../gzip-$port.headers" -o /dev/null "http://127.0.0.1:$port/metrics"
grep -qi '^content-encoding: gzip' "$root/../gzip-$port.headers" || { echo "FAIL: no gzip answer (zlib not loaded?)"; exit 1; }
kill -TERM "$server"
wait "$server" || { echo "FAIL: exit status $? after SIGTERM"; exit 1; }
INNER
metrics="$root/../metrics-$port.prom"
trap 'cleanup; rm -f "$metrics" "$root/../exporter-$port.log" "$root/../gzip-$port.headers"' EXIT
grep -q '^quota_limit{provider="static",account="acme-contract",quota="seats",unit="seats",team="platform"} 250$' "$metrics" || fail "no quota in the scrape"
grep -q '^process_resident_memory_bytes ' "$metrics" || fail "no process metrics in the scrape"
grep -q '^quota_exporter_build_info{' "$metrics" || fail "no build info in the scrape"
echo "ok   --version, --config.check, a ZITADEL notification stored on the volume and a scrape (also gzip),"
echo "     in a read-only root as uid 65534 with only the runtime libraries"
