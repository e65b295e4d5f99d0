#!/usr/bin/env bash
# The long fuzzing campaign of issue 10: every harness until it has run
# 10^7 executions or 30 minutes of CPU time, whichever comes first, in
# chunks that resume from one corpus, so the campaign survives being
# stopped and shares a machine with other work (run it under `nice`).
# CPU time, not wall time, is what is counted: a niced harness on a busy
# machine gets less than its wall time, and 30 minutes should mean 30
# minutes of fuzzing.
#
#   nice -n 19 scripts/fuzz-campaign.sh                 # every harness, one after another
#   nice -n 19 scripts/fuzz-campaign.sh FuzzJSON FuzzYAML # these only
#
# Totals per harness are kept in Fuzz/campaign/<harness>.tsv (one line per
# chunk: executions, CPU seconds, wall seconds, exit status, commit), which is
# committed: the record of what was fuzzed against which code outlives the
# machine it ran on, and a later run, here or on a fresh clone, continues
# where the last stopped. The corpus stays in .build-fuzz/corpus-long (a
# fresh machine starts again from the seeds). `--report` prints the table the
# README shows. Builds nothing: run scripts/fuzz.sh -t 1 first.
# FUZZ_CAMPAIGN_STATE=DIR keeps the records elsewhere, FUZZ_CORPUS=DIR the corpus.
# Options: --runs N (10000000), --cpu SECONDS (1800), --chunk SECONDS (300),
# --timeout SECONDS per input (60), --report.
#
# The per-input timeout is libFuzzer's, in wall time: a niced harness that
# other work keeps off the CPU sees an ordinary input "take" many seconds
# (a ZITADEL entry's trial RSA signature, ~50 ms, was once reported as a
# 14 s timeout while a build used both cores), so the campaign allows 60 s
# where the CI run, on a machine of its own, keeps fuzz.sh's 10 s.
set -euo pipefail
cd "$(dirname "$0")/.."

goal_runs=10000000
goal_cpu=1800
chunk=300
timeout_s=60
report=0
selected=()
while (($#)); do
  case "$1" in
    --runs) goal_runs=$2; shift 2 ;;
    --cpu) goal_cpu=$2; shift 2 ;;
    --chunk) chunk=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --report) report=1; shift ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) selected+=("$1"); shift ;;
  esac
done
((${#selected[@]})) || mapfile -t selected < <(scripts/fuzz.sh --list)
scratch=${FUZZ_SCRATCH:-.build-fuzz}
state=${FUZZ_CAMPAIGN_STATE:-Fuzz/campaign}
corpus=${FUZZ_CORPUS:-.build-fuzz/corpus-long}
mkdir -p "$state" "$corpus" "$scratch"

# Sums of a harness's chunks: executions, CPU seconds, wall seconds, failed chunks.
totals() {
  awk -F '\t' '{ r += $1; c += $2; w += $3; if ($4 != 0) f++ } END { printf "%d %d %d %d\n", r, c, w, f }' "$state/$1.tsv" 2>/dev/null || echo "0 0 0 0"
}

if ((report)); then
  printf '| harness | executions | CPU min | exec/CPU-s | corpus | findings | built from |\n|---|---:|---:|---:|---:|---|---|\n'
  for name in "${selected[@]}"; do
    read -r runs cpu _ failed < <(totals "$name")
    [ "$runs" -gt 0 ] || continue
    size=$( (find "$corpus/$name" -type f 2>/dev/null || true) | wc -l)
    commits=$(cut -f5 "$state/$name.tsv" | awk 'NF && !seen[$0]++' | paste -sd, -)
    printf '| %s | %s | %d | %d | %d | %s | %s |\n' "$name" "$runs" $((cpu / 60)) $((runs / (cpu > 0 ? cpu : 1))) "$size" \
      "$([ "$failed" -eq 0 ] && echo none || echo "$failed chunk(s) failed: ci-artifacts/fuzz/$name/")" "${commits:-?}"
  done
  exit 0
fi

for name in "${selected[@]}"; do
  # One campaign per harness at a time: two would fuzz the same corpus and
  # record each other's chunks twice over.
  exec {lock}>"$scratch/campaign-$name.lock"
  if ! flock -n "$lock"; then
    echo "==> $name: another campaign is running it; skipped"
    exec {lock}>&-
    continue
  fi
  while :; do
    read -r runs cpu _ _ < <(totals "$name")
    if ((runs >= goal_runs || cpu >= goal_cpu)); then
      echo "==> $name done: $runs executions, $cpu CPU-s"
      break
    fi
    start=$(date +%s)
    # `times` prints the CPU time of this subshell's children: the harness.
    out=$( (scripts/fuzz.sh --no-build -t "$chunk" --timeout "$timeout_s" --runs $((goal_runs - runs)) --corpus-dir "$corpus" "$name" 2>&1; echo "status $?"; times) )
    status=$(sed -n 's/^status //p' <<<"$out")
    child=$(tail -n 1 <<<"$out")
    cpu_chunk=$(awk '{ n = 0; for (i = 1; i <= 2; i++) { split($i, t, /[ms]/); n += t[1] * 60 + t[2] } printf "%d\n", n }' <<<"$child")
    executed=$(awk -v n="$name" '$1 == n && $2 ~ /^[0-9]+$/ { print $2 }' <<<"$out" | tail -n 1)
    if [ "$status" != 0 ] && [ "$status" != 1 ]; then
      # Not a finding: fuzz.sh itself failed (a missing harness, a bad option).
      printf '%s\n' "$out" | tail -n 20
      echo "==> $name: scripts/fuzz.sh exited $status before fuzzing; nothing recorded"
      break
    fi
    printf '%s\t%s\t%s\t%s\t%s\n' "${executed:-0}" "$cpu_chunk" $(($(date +%s) - start)) "$status" "$(cat "$scratch/built-at" 2>/dev/null || echo unknown)" >>"$state/$name.tsv"
    echo "    $name chunk: ${executed:-0} executions, $cpu_chunk CPU-s, status $status"
    if [ "$status" != 0 ]; then
      grep -A4 -E '^harness' <<<"$out" || true
      echo "==> $name found something; stopping this harness (scripts/fuzz.sh --triage)"
      break
    fi
  done
  exec {lock}>&-
done
