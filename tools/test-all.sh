#!/bin/sh
# Build and run every test: the unit suites and CLI tests under -Werror,
# make distcheck, then the whole suite again in a separate build under
# AddressSanitizer + UndefinedBehaviorSanitizer with the failing-allocator
# hook compiled in (the "alloc" suite fails every allocation of the main
# paths in turn; LeakSanitizer fails the run on any leak), then the CLI
# tests under valgrind memcheck. All builds are out of tree (_build,
# _build-asan, _build-vg). Run from the top of the source tree after
# tools/install-deps.sh. Each job prints its wall time.
set -eu

jobs=${JOBS:-2}
top=$(pwd)
autoreconf -fi
# An in-tree configuration (README's first command) blocks out-of-tree ones.
if [ -f config.status ]; then
    make distclean
fi

stamp() {
    echo "test-all: $1 took $(($(date +%s) - $2)) s"
}

rm -rf _build _build-asan _build-vg
t0=$(date +%s)
mkdir _build
cd _build
../configure --enable-werror
make -j"$jobs"
make check -j"$jobs" || { cat test-suite.log; exit 1; }
make distcheck
cd "$top"
stamp "build, make check and distcheck" "$t0"

t0=$(date +%s)
mkdir _build-asan
cd _build-asan
../configure --enable-werror --enable-asan --enable-ubsan --enable-fault-injection
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
# The alloc suite must have run, not reported itself skipped.
grep -q 'allocation failures injected' tests/runner.log || {
    echo "test-all: the failing-allocator suite did not run (--enable-fault-injection)" >&2
    exit 1
}
cd "$top"
stamp "ASan + UBSan + failing-allocator job" "$t0"

# Valgrind memcheck over the CLI tests. A static build, so that valgrind
# runs simdepth itself and not libtool's wrapper script. Every simdepth run
# of the scripts below goes through vg-simdepth (tests/cli/lib.sh honours
# SIMDEPTH_TEST_WRAPPER): definite and indirect leaks count as errors, and
# tools/valgrind.supp holds narrow, explained third-party suppressions only.
# Valgrind writes one log per process; a line in any log fails the job, and
# --error-exitcode makes the affected check fail as well. render.sh,
# diff.sh and track.sh draw 100-class figures that take minutes each under
# valgrind: they run in full in the two jobs above and are left out here
# (VALGRIND_TESTS overrides the list); SIMDEPTH_TEST_SUBSET=quick lets
# scripts that honour it (lib.sh's t_quick) leave out their slowest cases.
t0=$(date +%s)
mkdir _build-vg
cd _build-vg
../configure --enable-werror --disable-shared
make -j"$jobs"
vglogs=$(pwd)/valgrind-logs
mkdir "$vglogs"
{
    echo '#!/bin/sh'
    echo "exec valgrind -q --error-exitcode=97 --leak-check=full \\"
    echo "    --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\"
    echo "    --suppressions='$top/tools/valgrind.supp' --log-file='$vglogs/vg.%p.log' \"\$@\""
} >vg-simdepth
chmod +x vg-simdepth
vgtests=${VALGRIND_TESTS:-"tests/cli/analyze.sh tests/cli/inspect.sh tests/cli/tree.sh \
tests/cli/labels.sh tests/cli/semsim.sh tests/cli/errors.sh tests/cli/atomic.sh"}
SIMDEPTH_TEST_WRAPPER=$(pwd)/vg-simdepth SIMDEPTH_TEST_SUBSET=quick \
    make check -j"$jobs" TESTS="$vgtests" || { cat test-suite.log; exit 1; }
if [ -n "$(find "$vglogs" -name 'vg.*.log' -size +0c)" ]; then
    find "$vglogs" -name 'vg.*.log' -size +0c -exec cat {} +
    echo "test-all: valgrind reported errors or leaks" >&2
    exit 1
fi
echo "test-all: valgrind: $(find "$vglogs" -name 'vg.*.log' | wc -l) simdepth runs, no errors, no leaks"
cd "$top"
stamp "valgrind job" "$t0"
echo "test-all: all test runs passed"
