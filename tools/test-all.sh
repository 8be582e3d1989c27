#!/bin/sh
# Build and run every test: the unit suites and CLI tests under -Werror,
# make distcheck, then the whole suite again in a separate build under
# AddressSanitizer + UndefinedBehaviorSanitizer. Both builds are out of
# tree (_build, _build-asan). Run from the top of the source tree after
# tools/install-deps.sh.
set -eu

jobs=${JOBS:-2}
top=$(pwd)
autoreconf -fi
# An in-tree configuration (README's first command) blocks out-of-tree ones.
if [ -f config.status ]; then
    make distclean
fi

rm -rf _build _build-asan
mkdir _build
cd _build
../configure --enable-werror
make -j"$jobs"
make check -j"$jobs" || { cat test-suite.log; exit 1; }
make distcheck
cd "$top"

mkdir _build-asan
cd _build-asan
../configure --enable-werror --enable-asan --enable-ubsan
make -j"$jobs"
# Graphviz 2.42's pango plugin reads freed memory on a second layout in one
# process, and Graphviz/fontconfig keep caches: suppressed by library name
# only (tests/data/render/asan.supp, lsan.supp), as is a glibc/ASan thread
# start-up allocation LSan sometimes reports; our own code gets none.
supp=$top/tests/data/render
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:suppressions=$supp/asan.supp \
LSAN_OPTIONS=suppressions=$supp/lsan.supp:print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    make check -j"$jobs" || { cat test-suite.log; exit 1; }
echo "test-all: all test runs passed"
