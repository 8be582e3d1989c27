#!/bin/bash
# simdepth — CLI tests of 'simdepth semsim': WordNet Wu-Palmer, path and
# Leacock-Chodorow matrices of the 100 mini-imagenet-vitb classes that
# 'simdepth analyze -s' accepts, CSV output, the CIFAR-100 sample taxonomy,
# and bad options.
#
# Run by 'make check', or by hand from a build directory:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/semsim.sh
# Writes only under a mktemp directory. Needs awk.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SHARED=${SIMDEPTH_SHARED_DATA:-$SRC/../shared/data}
V=$SHARED/mini-imagenet-vitb
CIFAR=$SRC/samples/cifar100/taxonomy.tsv
T=$T_TMP

t_need_bin
[ -f "$V/wnids.txt" ] || { echo "shared data not found at $V" >&2; exit 99; }

# ---- WordNet, 100 classes
desc "semsim --measure wup -o x.npy"
expect_ok -- "$BIN" semsim -q -l "$V/wnids.txt" --measure wup -o "$T/x.npy"
check ".npy: a (100, 100) float64 header" -- bash -c \
    "head -c 128 '$T/x.npy' | grep -a -q \"'descr': '<f8', 'fortran_order': False, 'shape': (100, 100)\""
desc "analyze -s x.npy accepts the matrix"
"$BIN" analyze -s "$T/x.npy" -l "$V/wnids.txt" >"$T/an.json" 2>"$T/an.err"
check "analyze -s x.npy exits 0" -- test $? -eq 0
check "analyze wrote a report" -- test -s "$T/an.json"

desc "semsim --measure path -o x.csv"
expect_ok -- "$BIN" semsim -q -l "$V/wnids.txt" --measure path -o "$T/x.csv"
check "CSV: 100 rows of 100 fields, diagonal 1" -- awk -F, '
    NF != 100 { bad = 1 } $(NR) != 1 { bad = 1 } END { exit bad || NR != 100 }' "$T/x.csv"
check "CSV: house_finch/robin path = 0.2 (NLTK)" -- awk -F, 'NR == 1 { exit ($2 != 0.20000000000000001) }' "$T/x.csv"
desc "analyze -s x.csv accepts the CSV"
"$BIN" analyze -s "$T/x.csv" -l "$V/wnids.txt" >/dev/null 2>&1
check "analyze -s x.csv exits 0" -- test $? -eq 0

desc "semsim --measure lch to stdout"
expect_ok -- "$BIN" semsim -l "$V/wnids.txt" --measure lch
check "lch diagonal = log(38) = 3.6375861597263857 (NLTK)" -- awk -F, 'NR == 1 { exit ($1 != "3.6375861597263857") }' "$T_OUT"

# ---- the CIFAR-100 sample taxonomy
awk -F'\t' '!/^#/ && NF == 2 && $2 != "cifar100" { print $1 }' "$CIFAR" | LC_ALL=C sort >"$T/cifar.txt"
check "CIFAR-100: 100 class names" -- test "$(wc -l <"$T/cifar.txt")" -eq 100
desc "semsim --taxonomy cifar100"
expect_ok -- "$BIN" semsim -q -l "$T/cifar.txt" --taxonomy "$CIFAR" -m wup -o "$T/c.csv"
check "CIFAR-100: apple/aquarium_fish meet at the root (1/3), apple/orange at fruit (2/3)" -- \
    awk -F, 'NR == 1 { exit !($2 == 0.33333333333333331 && $0 ~ /0.66666666666666663/) }' "$T/c.csv"
printf 'apple\nunicorn\n' >"$T/bad-labels.txt"
desc "semsim: unknown leaf"
expect_fail 2 "bad-labels.txt:2" -- "$BIN" semsim -q -l "$T/bad-labels.txt" --taxonomy "$CIFAR"
expect_stderr_has "unknown leaf 'unicorn'"
printf 'a\tb\nb\ta\n' >"$T/cycle.tsv"
desc "semsim: a cyclic taxonomy"
expect_fail 2 "a -> b -> a" -- "$BIN" semsim -q -l "$T/cifar.txt" --taxonomy "$T/cycle.tsv"

# ---- bad options
desc "semsim: unknown measure"
expect_fail 2 "--measure 'jcn'" -- "$BIN" semsim -l "$V/wnids.txt" --measure jcn
desc "semsim: missing labels"
expect_fail 2 "missing --labels" -- "$BIN" semsim --measure wup
desc "semsim: --taxonomy and --wordnet-dir"
expect_fail 2 "not both" -- "$BIN" semsim -l "$T/cifar.txt" --taxonomy "$CIFAR" --wordnet-dir /usr/share/wordnet
desc "semsim: unknown extension"
expect_fail 2 "cannot tell the format" -- "$BIN" semsim -l "$V/wnids.txt" -o "$T/x.bin"
desc "semsim: .npy to stdout"
expect_fail 2 "binary" -- "$BIN" semsim -l "$V/wnids.txt" --format npy
desc "semsim: unknown option"
expect_fail 2 "unknown option" -- "$BIN" semsim --bogus
desc "semsim: bad --lcs"
expect_fail 2 "--lcs 'min'" -- "$BIN" semsim -l "$V/wnids.txt" --lcs min
desc "semsim: missing taxonomy file"
expect_fail 2 "/nonexistent.tsv" -- "$BIN" semsim -l "$T/cifar.txt" --taxonomy /nonexistent.tsv
check "no output file left behind by failures" -- test ! -e "$T/x.bin"

summary
