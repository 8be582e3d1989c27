#!/bin/sh
# Run every fuzzer built by build.sh for SECONDS each, JOBS (default 2) at a
# time, starting from a copy of its seed corpus (tests/fuzz/corpus/<name>/ is
# never written). Crash/leak/timeout/OOM inputs go to
# tests/fuzz/crashers/<name>/. Prints a table: seconds, executions, cov, ft.
# usage: tests/fuzz/run.sh SECONDS [BUILD_DIR] [target...]
set -eu
[ $# -ge 1 ] || { echo "usage: $0 SECONDS [BUILD_DIR] [target...]" >&2; exit 2; }
SECS=$1; B=${2:-build}; [ $# -ge 2 ] && shift 2 || shift 1
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "$B" && pwd)/fuzz
JOBS=${JOBS:-2}
if [ $# -eq 0 ]; then
    set -- $(cd "$HERE/corpus" && ls)
fi
mkdir -p "$OUT/logs" "$OUT/work"
for n in "$@"; do
    mkdir -p "$OUT/work/$n" "$HERE/crashers/$n"
done
printf '%s\n' "$@" | xargs -P "$JOBS" -I{} sh -c '
    n={}
    "$0/fuzz_$n" -max_total_time=$1 -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$2/crashers/$n/" \
        "$0/work/$n" "$2/corpus/$n" >"$0/logs/$n.log" 2>&1 || true
' "$OUT" "$SECS" "$HERE"
printf '| target | seconds | executions | cov | ft | result |\n|---|---|---|---|---|---|\n'
for n in "$@"; do
    L=$OUT/logs/$n.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$L" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$L" | tail -1)
    # "Done N runs in S second(s)" only on a clean finish; after a finding
    # estimate the time as executions / average exec/s.
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$L" | tail -1)
    if [ -z "$secs" ] && [ -n "${execs:-}" ] && [ -n "${eps:-}" ] && [ "$eps" -gt 0 ]; then
        secs="~$((execs / eps))"
    fi
    last=$(grep -E '^#[0-9]+' "$L" | grep -o 'cov: [0-9]* ft: [0-9]*' | tail -1)
    cov=$(echo "$last" | awk '{print $2}'); ft=$(echo "$last" | awk '{print $4}')
    res=$(grep -m1 -oE 'ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer|LeakSanitizer|libFuzzer)[^(]*|SUMMARY: [A-Za-z]+: [a-z-]+|runtime error: .*' "$L" | head -1)
    [ -n "$res" ] || res="no finding"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "${secs:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$res"
done
