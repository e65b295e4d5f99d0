#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer and ThreadSanitizer
# (`swift test --sanitize=address|thread`), each in its own scratch path
# (.build-asan, .build-tsan) so the normal .build stays as it is, and reports
# how long each took and what the sanitizer said. Exits non-zero when a
# sanitizer reported anything or a test failed.
#
#   scripts/sanitize.sh                  # both
#   scripts/sanitize.sh address          # one
#   scripts/sanitize.sh thread --filter QuotaHTTPTests
#
# Logs: ci-artifacts/sanitize/<sanitizer>.log (override with SANITIZE_LOG_DIR).
set -uo pipefail
cd "$(dirname "$0")/.."

sanitizers=()
while (($#)) && [[ "$1" != -* ]]; do sanitizers+=("$1"); shift; done
((${#sanitizers[@]})) || sanitizers=(address thread)
extra=("$@")
logs=${SANITIZE_LOG_DIR:-ci-artifacts/sanitize}
mkdir -p "$logs"

# As in scripts/fuzz.sh: the Swift runtime's crash handler and the
# sanitizers' own reports get in each other's way.
export SWIFT_BACKTRACE=enable=no
# LeakSanitizer is off: the test runner and the Swift runtime keep
# allocations to exit on purpose, and every one would be reported.
# scripts/asan.supp lists the reports from code that is not ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:suppressions=$PWD/scripts/asan.supp}
# Keep going after the first report so one run lists everything.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0}

failed=0
results=()
for sanitizer in "${sanitizers[@]}"; do
  case "$sanitizer" in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "unknown sanitizer $sanitizer (address or thread)" >&2; exit 2 ;;
  esac
  log="$logs/$sanitizer.log"
  echo "==> swift test --sanitize=$sanitizer (scratch $scratch, log $log)"
  start=$(date +%s)
  swift test --scratch-path "$scratch" --sanitize="$sanitizer" "${extra[@]}" >"$log" 2>&1
  status=$?
  elapsed=$(($(date +%s) - start))
  reports=$(grep -cE '^(==[0-9]+==ERROR: AddressSanitizer|WARNING: ThreadSanitizer|SUMMARY: (AddressSanitizer|ThreadSanitizer|UndefinedBehaviorSanitizer))' "$log" || true)
  summary=$(grep -E 'Test run with .* (passed|failed)' "$log" | tail -n 1)
  if ((status != 0)) || ((reports > 0)); then
    failed=1
    echo "   exit status $status, $reports sanitizer report(s); first ones:"
    grep -E -A12 '^(==[0-9]+==ERROR: AddressSanitizer|WARNING: ThreadSanitizer)' "$log" | grep -E 'ERROR|WARNING|^ +#[0-9] ' | head -30 | cut -c1-200
  fi
  results+=("$(printf '%-8s %6ss  exit %-3s reports %-3s %s' "$sanitizer" "$elapsed" "$status" "$reports" "$summary")")
done

echo
printf '%s\n' "${results[@]}"
exit "$failed"
