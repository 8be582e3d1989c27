#!/bin/sh
# Build bench/linkage/lkdriver against a built libsimdepth and run the
# linkage benchmark (and, with --fuzz, the randomised SciPy comparison).
# Run by hand, not in CI; see bench/linkage/README.md.
#
#   bench/linkage/run.sh BUILD_DIR [--fuzz] [N ...]
#
# BUILD_DIR is a configured and built (make) out-of-tree build directory,
# e.g. /tmp/build. Needs /usr/bin/time, Debian's /usr/bin/python3 with
# python3-scipy and python3-numpy, and optionally Rscript with
# r-cran-fastcluster.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [--fuzz] [N ...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
fuzz=0
if [ "${1:-}" = "--fuzz" ]; then
    fuzz=1
    shift
fi

"$build/libtool" --mode=link --tag=CC gcc -std=gnu11 -O2 -Wall -Wextra \
    -I"$top/include" "$top/bench/linkage/lkdriver.c" "$build/libsimdepth.la" \
    -no-install -o "$build/lkdriver" >/dev/null

/usr/bin/python3 "$top/bench/linkage/bench.py" "$build/lkdriver" "$@"
if [ "$fuzz" = 1 ]; then
    /usr/bin/python3 "$top/bench/linkage/fuzz_scipy.py" "$build/lkdriver" 700 2
fi
