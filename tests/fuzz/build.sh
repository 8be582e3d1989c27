#!/bin/sh
# Build every libFuzzer target into BUILD_DIR/fuzz/.
# usage: tests/fuzz/build.sh BUILD_DIR
#   BUILD_DIR: a directory configured with simdepth's ./configure (its
#   config.h is used); if it has no config.h, configure is run there with
#   CC=clang. Needs clang and libclang-rt-14-dev (Debian 12).
# The internal simdepth_i_* symbols are not exported from libsimdepth.so,
# so the library sources are compiled into each fuzzer (once, as objects).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
B=$(cd "$1" && pwd)
CC=${CC:-clang}
if [ ! -f "$B/config.h" ]; then
    (cd "$B" && "$SRC/configure" CC="$CC" >configure.log 2>&1) ||
        { echo "configure failed: see $B/configure.log" >&2; exit 1; }
fi
PKGS="openblas jansson igraph libgvc libcgraph libxdot cairo pangocairo libpng libzip"
PKG_CFLAGS=$(pkg-config --cflags $PKGS)
PKG_LIBS=$(pkg-config --libs $PKGS)
SAN=${FUZZ_SANITIZERS:--fsanitize=fuzzer,address,undefined}
CFLAGS="-g -O1 -fno-omit-frame-pointer $SAN -fno-sanitize-recover=undefined ${FUZZ_CFLAGS:-}"
CPP="-DHAVE_CONFIG_H -I$B -I$SRC -I$SRC/include -I$SRC/src/lib $PKG_CFLAGS"
OUT=$B/fuzz
mkdir -p "$OUT/obj"
# The library: every src/lib/*.c, compiled with fuzzer-no-link coverage.
LIBSAN=$(echo "$SAN" | sed 's/fuzzer/fuzzer-no-link/')
OBJS=
for c in "$SRC"/src/lib/*.c; do
    o=$OUT/obj/$(basename "$c" .c).o
    if [ ! -f "$o" ] || [ "$c" -nt "$o" ]; then
        echo "  CC  $(basename "$c")"
        $CC -g -O1 -fno-omit-frame-pointer $LIBSAN -fno-sanitize-recover=undefined \
            ${FUZZ_CFLAGS:-} $CPP -c "$c" -o "$o" &
    fi
    OBJS="$OBJS $o"
done
wait
for t in "$SRC"/tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    echo "  LD  fuzz/$name"
    $CC $CFLAGS $CPP "$t" $OBJS $PKG_LIBS -lm -o "$OUT/$name"
done
echo "fuzzers in $OUT"
