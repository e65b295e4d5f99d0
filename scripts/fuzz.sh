#!/usr/bin/env bash
# Builds the libFuzzer harnesses under Fuzz/ and runs each (or the ones
# named) for a bounded time, then prints executions, exec/s, corpus size and
# findings per harness. Exits non-zero if any harness found a crash, leak,
# timeout or out-of-memory input; those inputs are kept under the artifact
# directory (default ci-artifacts/fuzz/<harness>/), which `.ci/run` keeps.
#
#   scripts/fuzz.sh                      # every harness, 20 s each (the CI campaign)
#   scripts/fuzz.sh --long               # every harness, 30 min each
#   scripts/fuzz.sh -t 300 FuzzJSON      # one harness, 5 minutes
#   scripts/fuzz.sh --list
#   scripts/fuzz.sh --no-build -t 60 FuzzHTTPRequest FuzzChunkedBody
#   scripts/fuzz.sh --reproduce FuzzHTTPRequest ci-artifacts/fuzz/FuzzHTTPRequest/crash-…
#   scripts/fuzz.sh --keep-going -t 600  # past the first finding (libFuzzer -fork=1)
#   scripts/fuzz.sh --no-build --triage  # replay saved findings, one line per distinct cause
#
# New corpus entries go to a scratch directory (--corpus-dir, default
# .build-fuzz/corpus/<harness>), never into Fuzz/corpus/, which holds the
# committed seeds; pass the same --corpus-dir to resume a long campaign.
#
# Options: -t|--time SECONDS, --runs N (stop after N executions, whichever
# comes first), --short (20), --long (1800), --keep-going,
# --no-build, --no-leaks, --corpus-dir DIR, --artifacts DIR (ci-artifacts/fuzz),
# --rss-limit-mb N (2048), --timeout SECONDS per input (10), --max-len N (8192),
# FUZZ_SCRATCH=DIR (environment; build directory, default .build-fuzz),
# --reproduce HARNESS FILE, --triage, --list.
set -euo pipefail
cd "$(dirname "$0")/.."

harnesses=(
  FuzzHTTPRequest FuzzHTTPHead FuzzChunkedBody FuzzJSON FuzzConfig FuzzAccept FuzzAcceptEncoding
  FuzzCloudflare FuzzHuaweiCES FuzzIAMToken FuzzZitadel FuzzRSAKey
  FuzzRFC3339 FuzzDuration FuzzRetryAfter FuzzScrape FuzzYAML
  FuzzBasicAuth FuzzWebConfig FuzzTLSServer
)

# The dictionary for each harness: HTTP syntax or JSON syntax and field names.
dictionary() {
  case "$1" in
    FuzzHTTPRequest | FuzzHTTPHead | FuzzChunkedBody | FuzzAccept | FuzzAcceptEncoding | FuzzRetryAfter | FuzzScrape | FuzzBasicAuth) echo Fuzz/dict/http.dict ;;
    FuzzRSAKey | FuzzTLSServer) echo "" ;;
    FuzzYAML) echo Fuzz/dict/yaml.dict ;;
    FuzzWebConfig) echo Fuzz/dict/webconfig.dict ;;
    *) echo Fuzz/dict/json.dict ;;
  esac
}

seconds=20
runs_limit=""
build=1
scratch=${FUZZ_SCRATCH:-.build-fuzz}
corpus_root=""
artifacts=ci-artifacts/fuzz
rss_limit_mb=2048
timeout_s=10
max_len=8192
leaks=1
keep_going=0
triage=0
reproduce=""
selected=()

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

while (($#)); do
  case "$1" in
    -t | --time) seconds=$2; shift 2 ;;
    --runs) runs_limit=$2; shift 2 ;;
    --short) seconds=20; shift ;;
    --long) seconds=1800; shift ;;
    --no-build) build=0; shift ;;
    --corpus-dir) corpus_root=$2; shift 2 ;;
    --artifacts) artifacts=$2; shift 2 ;;
    --rss-limit-mb) rss_limit_mb=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --max-len) max_len=$2; shift 2 ;;
    --no-leaks) leaks=0; shift ;;
    --keep-going) keep_going=1; shift ;;
    --reproduce) reproduce=$3; selected=("$2"); shift 3 ;;
    --triage) triage=1; shift ;;
    --list) printf '%s\n' "${harnesses[@]}"; exit 0 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) selected+=("$1"); shift ;;
  esac
done
((${#selected[@]})) || selected=("${harnesses[@]}")
for name in "${selected[@]}"; do
  [[ " ${harnesses[*]} " == *" $name "* ]] || { echo "no harness $name (see --list)" >&2; exit 2; }
done
corpus_root=${corpus_root:-$scratch/corpus}

build_flags=(--scratch-path "$scratch" -c release -Xswiftc -enable-testing -Xswiftc -sanitize=fuzzer,address)
if ((build)); then
  echo "==> building ${#selected[@]} harness(es) (release, -sanitize=fuzzer,address, -enable-testing)"
  mkdir -p "$scratch"
  for name in "${selected[@]}"; do
    if ! QUOTA_EXPORTER_FUZZ=1 swift build "${build_flags[@]}" --product "$name" >"$scratch/build-$name.log" 2>&1; then
      grep -E 'error:' "$scratch/build-$name.log" | head -20 || tail -n 30 "$scratch/build-$name.log"
      echo "build of $name failed (log: $scratch/build-$name.log)"; exit 1
    fi
    rm -f "$scratch/build-$name.log"
  done
fi
bin=$(QUOTA_EXPORTER_FUZZ=1 swift build "${build_flags[@]}" --show-bin-path)
# The commit the harnesses were built from, for a campaign's records.
if ((build)); then
  { git rev-parse --short HEAD 2>/dev/null || echo unknown; } | tr -d '\n' >"$scratch/built-at"
  # The campaign's own records (Fuzz/campaign) change while it runs; they
  # are not what the harnesses are built from.
  git diff --quiet HEAD -- Sources Fuzz ':!Fuzz/campaign' 2>/dev/null || printf -- '-dirty' >>"$scratch/built-at"
fi

# The Swift runtime's own crash handler would race ASan's and libFuzzer's
# (it reads the crashed process's memory and ASan then reports its own
# reads); with it off, a trap gives libFuzzer's stack and a saved input.
export SWIFT_BACKTRACE=enable=no
# LeakSanitizer runs after every input that allocated more than it freed,
# as libFuzzer does by default; it found nothing in the Swift runtime's or
# Foundation's one-time allocations (still reachable, so not leaks). It
# costs speed on harnesses whose inputs allocate for later (FuzzScrape runs
# at a sixth of its speed): --no-leaks for a faster look.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=$leaks:allocator_may_return_null=1}

if [ -n "$reproduce" ]; then
  name=${selected[0]}
  exec "$bin/$name" -runs=1 -detect_leaks="$leaks" -rss_limit_mb="$rss_limit_mb" -timeout="$timeout_s" "$reproduce"
fi

# Replays every saved finding of the selected harnesses and groups them by
# cause: the invariant that failed (its file:line) or the first frame in
# Sources/ (a trap in the exporter's own code).
if ((triage)); then
  for name in "${selected[@]}"; do
    for file in $(find "$artifacts/$name" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) 2>/dev/null | sort); do
      out=$("$bin/$name" -runs=1 -detect_leaks="$leaks" -rss_limit_mb="$rss_limit_mb" -timeout="$timeout_s" "$file" 2>&1 || true)
      cause=$(printf '%s\n' "$out" | grep -m1 -oE 'Fatal error: fuzz invariant violated|Fatal error: [^:]*|ERROR: AddressSanitizer: [a-z-]+|ERROR: libFuzzer: [a-z -]+' || echo "no longer reproduces")
      where=$(printf '%s\n' "$out" | grep -m1 -oE '^[A-Za-z]+/[A-Za-z0-9+]+\.swift:[0-9]+' || true)
      [ -n "$where" ] || where=$(printf '%s\n' "$out" | grep -E '^ +#[0-9]+ .* in .*/Sources/' | head -n 1 | sed -E 's/.* in ([^ ]+) .*/\1/' | swift demangle --simplified | cut -c1-120)
      printf '%s\t%s\t%s\n' "$name" "$cause at ${where:-?}" "$file"
    done
  done | sort -t $'\t' -k1,2 | awk -F '\t' '{ key = $1 "\t" $2; if (!(key in n)) { order[++k] = key; first[key] = $3 } n[key]++ }
    END { for (i = 1; i <= k; i++) { split(order[i], f, "\t"); printf "%-16s %4d x  %s\n%22s e.g. %s\n", f[1], n[order[i]], f[2], "", first[order[i]] } }'
  exit 0
fi

# The kind of finding and the first frames of the stack, demangled.
report() {
  set +e +o pipefail
  grep -m2 -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|Fatal error' "$1" | cut -c1-300
  grep -E '^ +#[0-9]+ .* in \$s' "$1" | grep -v FuzzSupport | head -n 4 | swift demangle --simplified | cut -c1-220
  set -e -o pipefail
}

summary=()
failed=0
for name in "${selected[@]}"; do
  corpus="$corpus_root/$name"
  artifact_dir="$artifacts/$name"
  mkdir -p "$corpus" "$artifact_dir"
  findings() { find "$artifact_dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \); }
  before=$(findings | wc -l)
  # One log per run: two runs of one harness at once (a campaign beside a
  # CI run) once truncated each other's and lost their execution counts.
  log="$artifact_dir/fuzz-$$.log"
  dict=$(dictionary "$name")
  args=(
    -max_total_time="$seconds" -rss_limit_mb="$rss_limit_mb" -timeout="$timeout_s" -max_len="$max_len"
    -detect_leaks="$leaks" -print_final_stats=1 -artifact_prefix="$artifact_dir/"
  )
  [ -n "$dict" ] && args+=(-dict="$dict")
  [ -n "$runs_limit" ] && args+=(-runs="$runs_limit")
  # Past the first finding: a child process fuzzes, the parent restarts it.
  ((keep_going)) && args+=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  seeds=()
  [ -d "Fuzz/corpus/$name" ] && seeds=("Fuzz/corpus/$name")
  echo "==> $name for ${seconds}s (corpus $corpus, seeds ${seeds[*]:-none})"
  status=0
  "$bin/$name" "${args[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?

  # Final stats; in fork mode only the parent's last status line has them.
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9][0-9]*\)[: ].*/\1/p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  [ -n "$speed" ] || speed=$((${runs:-0} / (seconds > 0 ? seconds : 1)))
  corp=$( (grep -oE 'corp: [0-9]+(/[0-9]+[a-zA-Z]*)?' "$log" || true) | tail -n 1 | cut -d' ' -f2)
  count=$(findings | wc -l)
  new=$((count - before))
  result="none"
  if ((status != 0)) || ((new > 0)); then
    failed=1
    if ((new > 0)); then
      result="$new new in $artifact_dir/: $(findings | sort | head -n 3 | xargs -n1 basename | tr '\n' ' ')"
    else
      result="exit status $status, no input saved (see $log)"
    fi
    report "$log"
  else
    rm -f "$log"
  fi
  summary+=("$(printf '%-16s %12s %8s %12s  %s' "$name" "${runs:-?}" "${speed:-?}" "${corp:-?}" "$result")")
done

echo
printf '%-16s %12s %8s %12s  %s\n' harness executions exec/s corpus findings
printf '%s\n' "${summary[@]}"
if ((failed)); then
  echo
  echo "fuzzing found something: inputs and logs under $artifacts/<harness>/;"
  echo "replay one with: scripts/fuzz.sh --no-build --reproduce <harness> <file>"
  exit 1
fi
