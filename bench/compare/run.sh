#!/bin/sh
# Build bench/compare/bench_compare against a built libsimdepth and run it.
# Run by hand, not in CI; see bench/compare/README.md.
#
#   bench/compare/run.sh BUILD_DIR [N ...]
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [N ...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
shift
top=$(cd "$(dirname "$0")/../.." && pwd)

"$build/libtool" --mode=link --tag=CC gcc -std=gnu11 -O2 -Wall -Wextra \
    -I"$top/include" "$top/bench/compare/bench_compare.c" "$build/libsimdepth.la" \
    -lm -no-install -o "$build/bench_compare" >/dev/null
"$build/bench_compare" "$@"
