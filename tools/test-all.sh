#!/bin/sh
# Build and run every test: the unit suites and CLI tests under
# -Werror, make distcheck, then the whole suite again in a separate build
# under AddressSanitizer + UndefinedBehaviorSanitizer.
# Run from the top of the source tree after tools/install-deps.sh.
set -eu

jobs=${JOBS:-2}
autoreconf -fi
./configure --enable-werror
make -j"$jobs"
make check -j"$jobs" || { cat test-suite.log; exit 1; }
make distcheck

# Sanitizer build, out of tree so it does not disturb the normal one.
rm -rf _build-asan
mkdir _build-asan
cd _build-asan
../configure --enable-werror --enable-asan --enable-ubsan
make -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    make check -j"$jobs" || { cat test-suite.log; exit 1; }
echo "test-all: all test runs passed"
