#!/bin/sh
# The scale benchmark of issue 9 (run by hand, not in CI; see README.md).
#
#   bench/scale/run.sh [-b BUILD_DIR] SIZE...
#
# SIZE: real (or 100: the 100 real Mini-ImageNet classes), or a class count
# (1000, 3000, 21843: random WordNet leaves). For each size: generate the
# inputs once (gen.py, cached in $SCALE_DATA, default /tmp/simdepth-scale),
# run simdepth analyze / tree / render and the similarity kernel against
# OpenBLAS sgemm alone, then the baselines (baseline.py) with a time limit
# ($LIMIT seconds, default 600), and print one Markdown table per size.
#
# BUILD_DIR: a configured and built out-of-tree build directory (default
# $SIMDEPTH_BUILD, else the current directory); kernels.c is compiled there
# with its libtool against libsimdepth.la and OpenBLAS (pkg-config openblas).
# Needs /usr/bin/time (package time), Debian's /usr/bin/python3 with
# python3-numpy, python3-scipy, python3-sklearn, python3-networkx,
# python3-pandas and python3-nltk, wordnet-base, and for the R baselines
# Rscript with r-cran-fastcluster and r-cran-apcluster (left out without
# Rscript). Other settings (BASELINES, RENDER, REPEAT, OUT): see bench.py.
#
# On a shared machine run it under nice -n 10 (generation is niced anyway); run the
# 21,843-class case only when the machine is otherwise idle (it needs about
# 8 GiB for simdepth and much more for the baselines).
set -eu

build=${SIMDEPTH_BUILD:-.}
if [ "${1:-}" = -b ]; then
    [ $# -ge 2 ] || { echo "usage: $0 [-b BUILD_DIR] SIZE..." >&2; exit 2; }
    build=$2
    shift 2
fi
if [ $# -lt 1 ]; then
    echo "usage: $0 [-b BUILD_DIR] SIZE..." >&2
    exit 2
fi
build=$(cd "$build" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -x "$build/simdepth" ] || [ ! -x "$build/libtool" ]; then
    echo "$0: $build: no simdepth or libtool here; give a built build directory with -b" >&2
    exit 2
fi
for tool in /usr/bin/time /usr/bin/python3 pkg-config; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: $tool is needed" >&2
        exit 2
    fi
done

blas_cflags=$(pkg-config --cflags openblas)
blas_libs=$(pkg-config --libs openblas)
# shellcheck disable=SC2086 # the pkg-config flags are several words
nice -n 10 "$build/libtool" --mode=link --tag=CC gcc -std=gnu11 -O2 -Wall -Wextra \
    -I"$top/include" $blas_cflags "$top/bench/scale/kernels.c" \
    "$build/libsimdepth.la" $blas_libs -no-install -o "$build/kernels" >/dev/null

exec /usr/bin/python3 "$top/bench/scale/bench.py" "$build" "$@"
