#!/bin/bash
# simdepth — CLI tests of 'simdepth analyze': usage errors, the bundled
# sample, the real Mini-ImageNet ViT-B data, and a table of bad inputs.
#
# Run by 'make check' (with SIMDEPTH_BIN and SIMDEPTH_TOP_SRCDIR set), or by
# hand from a build directory:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/analyze.sh
# Writes only under a mktemp directory (the source tree may be read-only, as
# in 'make distcheck'). Needs jq. Exit status: 0 all passed, 1 a check
# failed, 99 the test itself cannot run.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SHARED=${SIMDEPTH_SHARED_DATA:-$SRC/../shared/data}
SAMPLE=$SRC/samples/fashion-mnist
T=$T_TMP

t_need_bin
if ! command -v jq >/dev/null 2>&1; then
    echo "jq is needed to check the JSON reports (Debian package jq)" >&2
    exit 99
fi
VERSION=$(sed -n 's/^AC_INIT(\[simdepth\], *\[\([^]]*\)\].*/\1/p' "$SRC/configure.ac")
if [ -z "$VERSION" ]; then
    echo "cannot read the version from $SRC/configure.ac" >&2
    exit 99
fi

W=$SAMPLE/weights.npy
L=$SAMPLE/labels.txt
C=$SAMPLE/confusion.csv

# make_npy FILE DICT DATA_BYTES: a version 1.0 .npy with this header dict
# (padded to a 64-byte boundary as numpy does) and DATA_BYTES zero bytes.
make_npy() {
    local file=$1 dict=$2 n=$3 hlen
    hlen=$((${#dict} + 1))
    while [ $(((10 + hlen) % 64)) -ne 0 ]; do
        hlen=$((hlen + 1))
    done
    {
        printf '\223NUMPY\001\000'
        # shellcheck disable=SC2059
        printf "\\$(printf %03o $((hlen & 255)))\\$(printf %03o $((hlen >> 8)))"
        printf '%s%*s\n' "$dict" $((hlen - ${#dict} - 1)) ''
        head -c "$n" /dev/zero
    } >"$file"
}

# jq_ok NAME FILTER FILE: jq -e FILTER holds on FILE.
jq_ok() {
    check "$1" -- jq -e "$2" "$3"
}

# --------------------------------------------------------------- usage
desc "simdepth --help exits 0"
expect_ok -- "$BIN" --help
check "--help prints the command table" -- grep -q '^  analyze ' "$T_OUT"

desc "simdepth --version exits 0"
expect_ok -- "$BIN" --version
check "--version prints $VERSION" -- grep -qE "^simdepth $VERSION( |\$)" "$T_OUT"

desc "simdepth analyze --help exits 0"
expect_ok -- "$BIN" analyze --help
check "analyze --help prints the usage" -- grep -q '^Usage: simdepth analyze' "$T_OUT"

# No arguments: the usage goes to stderr (several lines) and the status is 2.
_t_run "$BIN"
if [ "$T_STATUS" -eq 2 ] && grep -q '^Usage: simdepth' "$T_ERR" && [ ! -s "$T_OUT" ]; then
    _t_pass "no arguments: usage on stderr, exit 2"
else
    _t_fail "no arguments: usage on stderr, exit 2" "exit status $T_STATUS" show
fi

expect_fail 2 "unknown command 'frobnicate'" -- "$BIN" frobnicate
expect_fail 2 "unknown option '--bogus'" -- "$BIN" analyze --bogus -w "$W" -l "$L"
expect_fail 2 "unknown option '-x'" -- "$BIN" analyze -x -w "$W" -l "$L"
desc "unknown short option in a cluster is named"
expect_fail 2 "unknown option '-Z'" -- "$BIN" analyze -Zw "$W" -l "$L"
expect_fail 2 "option '-l' needs an argument" -- "$BIN" analyze -w "$W" -l
expect_fail 2 "option '--format' needs an argument" -- "$BIN" analyze -w "$W" -l "$L" --format
expect_fail 2 "not both" -- "$BIN" analyze -w "$W" -s "$W" -l "$L"
expect_fail 2 "missing input" -- "$BIN" analyze -l "$L"
expect_fail 2 "missing --labels" -- "$BIN" analyze -w "$W"
expect_fail 2 "--format 'yaml': expected json, text, csv or latex" -- \
    "$BIN" analyze -w "$W" -l "$L" --format yaml
expect_fail 2 "--scaling 'zscore': expected minmax or none" -- \
    "$BIN" analyze -w "$W" -l "$L" --scaling zscore
expect_fail 2 "--lcs 'wrong': expected reference or true" -- \
    "$BIN" analyze -w "$W" -l "$L" --lcs wrong
expect_fail 2 "--damping '1.0': expected a number in [0.5, 1)" -- \
    "$BIN" analyze -w "$W" -l "$L" --damping 1.0
expect_fail 2 "--damping 'abc'" -- "$BIN" analyze -w "$W" -l "$L" --damping=abc
expect_fail 2 "--max-iter '0': expected a positive integer" -- \
    "$BIN" analyze -w "$W" -l "$L" --max-iter 0
expect_fail 2 "--preference 'nan': expected a finite number" -- \
    "$BIN" analyze -w "$W" -l "$L" --preference nan
expect_fail 2 "unexpected argument 'extra'" -- "$BIN" analyze -w "$W" -l "$L" extra

# ------------------------------------------------------- bundled sample
R=$T/r.json
desc "sample: analyze -w -l -c -o r.json"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" -o "$R"
check "sample: r.json is JSON" -- jq -e . "$R"
jq_ok "sample: version" ".version == \"$VERSION\"" "$R"
jq_ok "sample: default name is the input's base name" '.name == "weights"' "$R"
jq_ok "sample: classes is an array of 10" \
    '(.classes | type == "array" and length == 10) and .n_classes == 10' "$R"
jq_ok "sample: classes in label order" \
    '[.classes[].index] == [range(10)] and .classes[0].id == "n03595614"' "$R"
jq_ok "sample: partition.method, clusters, iterations, converged" \
    '.partition | (.method | type == "string") and (.clusters | type == "number")
       and (.iterations | type == "number") and (.converged | type == "boolean")' "$R"
jq_ok "sample: partition.clusters counts the classes' clusters" \
    '.partition.clusters == ([.classes[].cluster] | unique | length)' "$R"
jq_ok "sample: similarity_depth and mean_wup are numbers" \
    '(.similarity_depth | type == "number") and (.mean_wup | type == "number")' "$R"
jq_ok "sample: edges have every field" \
    '(.edges | type == "array" and length > 0) and all(.edges[];
       (.a | type == "string") and (.b | type == "string")
       and (.a_index | type == "number") and (.b_index | type == "number")
       and (.cluster | type == "number") and (.similarity | type == "number")
       and (.lcs | type == "string") and (.lcs_depth | type == "number")
       and (.wup | type == "number") and (.error_ab | type == "number")
       and (.error_ba | type == "number"))' "$R"
# shellcheck disable=SC2016 # $r is a jq variable
jq_ok "sample: every edge lies inside its cluster and names its classes" \
    '. as $r | all($r.edges[];
       $r.classes[.a_index].cluster == .cluster and $r.classes[.b_index].cluster == .cluster
       and $r.classes[.a_index].id == .a and $r.classes[.b_index].id == .b)' "$R"
jq_ok "sample: SD is the mean LCS depth of the edges" \
    '((([.edges[].lcs_depth] | add) / (.edges | length)) - .similarity_depth)
       | (. < 1e-12 and . > -1e-12)' "$R"
jq_ok "sample: confusion.similarity_depth and clusters" \
    '(.confusion.similarity_depth | type == "number") and (.confusion.clusters | type == "number")' "$R"
jq_ok "sample: compliance.direct fields" \
    '.compliance.direct | (.common_edges | type == "number")
       and (.perceived_in_confusion | type == "number") and (.confusion_explained | type == "number")' "$R"
jq_ok "sample: compliance.extended fields" \
    '.compliance.extended | (.perceived_in_confusion | type == "number")
       and (.confusion_explained | type == "number")' "$R"
jq_ok "sample: compliance ratios lie in [0, 1]" \
    '[.compliance.direct.perceived_in_confusion, .compliance.direct.confusion_explained,
      .compliance.extended.perceived_in_confusion, .compliance.extended.confusion_explained]
       | all(. >= 0 and . <= 1)' "$R"

desc "sample: a second run"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" -o "$T/r2.json"
check "sample: two runs give byte-identical JSON" -- cmp "$R" "$T/r2.json"
check "sample: no temporary files are left beside the output" -- \
    test -z "$(find "$T" -maxdepth 1 -name '.r*.json.*')"

desc "sample: -o - writes JSON to standard output"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" -o -
check "sample: -o - gives the same JSON as -o FILE" -- cmp "$R" "$T_OUT"
desc "sample: no -o, standard output not a terminal"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C"
check "sample: no -o gives JSON on a pipe" -- cmp "$R" "$T_OUT"

SD=$(jq .similarity_depth "$R")
K=$(jq .partition.clusters "$R")
NEDGES=$(jq '(.edges | length) + (.confusion.edges | length)' "$R")
# shellcheck disable=SC1003 # a LaTeX row ends in two backslashes
LATEX_MYNET=$(printf '%s & %.2f (%d) \\\\' MyNet "$SD" "$K")
# shellcheck disable=SC1003
LATEX_WEIGHTS=$(printf '%s & %.2f (%d) \\\\' weights "$SD" "$K")
CSV_HEADER='graph,cluster,a_index,b_index,a,b,similarity,lcs,lcs_depth,wup,error_ab,error_ba'

desc "sample: --format latex --name MyNet"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" --format latex --name MyNet
check "sample: latex row has the form 'NAME & SD (K) \\\\'" -- \
    grep -qE '^MyNet & [0-9]+\.[0-9]{2} \([0-9]+\) \\\\$' "$T_OUT"
check "sample: latex row is '$LATEX_MYNET'" -- test "$(cat "$T_OUT")" = "$LATEX_MYNET"

desc "sample: --format text"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" --format text --name MyNet
check "sample: text report names the model" -- grep -q 'MyNet' "$T_OUT"
check "sample: text report gives the SD" -- grep -q 'Similarity Depth (SD)' "$T_OUT"
check "sample: text report gives compliance" -- grep -q '^Compliance' "$T_OUT"

desc "sample: --format csv"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" --format csv
check "sample: csv header" -- test "$(head -n 1 "$T_OUT")" = "$CSV_HEADER"
check "sample: csv has one row per edge of both graphs" -- \
    test "$(($(wc -l <"$T_OUT") - 1))" -eq "$NEDGES"
check "sample: csv rows have 12 fields" -- \
    awk -F, 'NF != 12 { bad = 1 } END { exit bad }' "$T_OUT"

desc "sample: --format json --name MyNet"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" --format json --name MyNet
jq_ok "sample: --name sets .name" '.name == "MyNet"' "$T_OUT"

# The format follows the output's extension.
for ext in csv tex txt out; do
    desc "sample: -o r.$ext"
    expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" -o "$T/r.$ext"
done
check "sample: .csv output is CSV" -- test "$(head -n 1 "$T/r.csv")" = "$CSV_HEADER"
check "sample: .tex output is the LaTeX row" -- test "$(cat "$T/r.tex")" = "$LATEX_WEIGHTS"
check "sample: .txt output is text" -- grep -q 'Similarity Depth (SD)' "$T/r.txt"
check "sample: another extension gives JSON" -- cmp "$R" "$T/r.out"
desc "sample: --format overrides the extension"
expect_ok -- "$BIN" analyze -w "$W" -l "$L" -c "$C" --format json -o "$T/r2.csv"
check "sample: --format json into r2.csv is JSON" -- cmp "$R" "$T/r2.csv"

# -------------------------------------------------- real data (ViT-B)
# Leiden on the sample's confusion graph used to iterate forever (igraph's
# n_iterations = -1 never settles there); the iterations are bounded now.
# timeout(1) turns a regression into a failure instead of a hung test run.
desc "leiden on the sample with its confusion matrix finishes"
expect_ok -- timeout 300 "$BIN" analyze -w "$W" -l "$L" -c "$C" --cluster leiden \
    -o "$T/leiden.json"
jq_ok "leiden: partition converged within the bound" \
    '.partition.converged == true and .partition.iterations <= 100' "$T/leiden.json"

V=$SHARED/mini-imagenet-vitb
if [ -r "$V/vitb_cosine.npy" ] && [ -r "$V/vitb_cosine.csv" ]; then
    desc "vitb: analyze -s vitb_cosine.npy -c vitb_confusion.npy"
    expect_ok -- "$BIN" analyze -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" \
        -c "$V/vitb_confusion.npy" -o "$T/vitb.json"
    jq_ok "vitb: similarity_depth = 7.451219512195122 (1e-12)" \
        '(.similarity_depth - 7.451219512195122) | (. < 1e-12 and . > -1e-12)' "$T/vitb.json"
    jq_ok "vitb: partition.clusters = 18" '.partition.clusters == 18' "$T/vitb.json"
    jq_ok "vitb: confusion.clusters = 24" '.confusion.clusters == 24' "$T/vitb.json"
    jq_ok "vitb: confusion.similarity_depth = 7.4605263157894735 (1e-12)" \
        '(.confusion.similarity_depth - 7.4605263157894735) | (. < 1e-12 and . > -1e-12)' \
        "$T/vitb.json"
    jq_ok "vitb: compliance.direct.common_edges = 33" \
        '.compliance.direct.common_edges == 33' "$T/vitb.json"

    # The CSV holds the same float32 values printed in decimal, read as
    # float64: the partition and SD come out the same.
    desc "vitb: analyze -s vitb_cosine.csv"
    expect_ok -- "$BIN" analyze -s "$V/vitb_cosine.csv" -l "$V/wnids.txt" \
        -c "$V/vitb_confusion.npy" -o "$T/vitb_csv.json"
    jq_ok "vitb csv: similarity_depth = 7.451219512195122 (1e-12)" \
        '(.similarity_depth - 7.451219512195122) | (. < 1e-12 and . > -1e-12)' "$T/vitb_csv.json"
    jq_ok "vitb csv: partition.clusters = 18" '.partition.clusters == 18' "$T/vitb_csv.json"
    check "vitb csv: same partition and edges as the .npy" -- \
        test "$(jq -c '[.partition.labels, [.edges[] | [.a_index, .b_index]]]' "$T/vitb.json")" \
        = "$(jq -c '[.partition.labels, [.edges[] | [.a_index, .b_index]]]' "$T/vitb_csv.json")"

    # vitb_init_cosine.npy (the model at initialisation) has NaN on its
    # diagonal: set to 1 with a note, and the reference's SD at
    # initialisation comes out (5.4217, 17 clusters; golden/sd_table.csv).
    desc "vitb init: analyze -s vitb_init_cosine.npy (NaN diagonal)"
    _t_run "$BIN" analyze -s "$V/vitb_init_cosine.npy" -l "$V/wnids.txt" -o "$T/init.json"
    check "vitb init: exit 0" -- test "$T_STATUS" -eq 0
    expect_stderr_has "100 non-finite diagonal entries set to 1"
    jq_ok "vitb init: similarity_depth = 5.421686746987952 (1e-12)" \
        '(.similarity_depth - 5.421686746987952) | (. < 1e-12 and . > -1e-12)' "$T/init.json"
    jq_ok "vitb init: partition.clusters = 17" '.partition.clusters == 17' "$T/init.json"
    desc "vitb init: -q silences the note"
    expect_ok -- "$BIN" analyze -q -s "$V/vitb_init_cosine.npy" -l "$V/wnids.txt" -o "$T/init2.json"
else
    skip "vitb: real-data checks" "$V not found (set SIMDEPTH_SHARED_DATA)"
fi

# --------------------------------------------------------- bad inputs
# Each: exit status 2, one stderr line naming the offending file and the
# problem, and no output file.

# Inputs made from the sample.
head -n 9 "$L" >"$T/labels9.txt"
(cat "$L"; head -n 1 "$L") >"$T/labels_dup.txt"
sed 's/^n04021028 /n99999999 /' "$L" >"$T/labels_unknown_id.txt"
cut -d' ' -f2 "$L" | sed 's/^ankle_boot$/qwertyzzz/' >"$T/labels_unknown_name.txt"
(head -n 5 "$L"; echo; tail -n 5 "$L") >"$T/labels_hole.txt"
# 10 x 9 similarity, weights with a NaN, confusion with an Inf, 9 x 9
# confusion (from the sample's 10 x 10 confusion.csv).
for i in 0 1 2 3 4 5 6 7 8 9; do
    printf '1,0,0,0,0,0,0,0,%d\n' "$i"
done >"$T/sim_10x9.csv"
for i in 0 1 2 3 4 5 6 7 8 9; do
    if [ "$i" -eq 4 ]; then printf '1,nan,3\n'; else printf '1,2,3\n'; fi
done >"$T/weights_nan.csv"
sed '3s/^[0-9]*,/inf,/' "$C" >"$T/confusion_inf.csv"
head -n 9 "$C" | cut -d, -f1-9 >"$T/confusion_9x9.csv"
printf 'JUNK, not a .npy file\n' >"$T/bad_magic.npy"
: >"$T/empty.csv"
head -c "$(($(wc -c <"$W") - 1))" "$W" >"$T/weights_truncated.npy"
make_npy "$T/weights_c8.npy" "{'descr': '<c8', 'fortran_order': False, 'shape': (10, 64), }" 5120
make_npy "$T/weights_obj.npy" "{'descr': '|O', 'fortran_order': False, 'shape': (10, 64), }" 16

# bad NAME SUBSTRING FILE -- ARGS...: 'simdepth analyze ARGS -o bad.json'
# exits 2 with one stderr line containing SUBSTRING and FILE, and writes
# no bad.json.
bad() {
    local name=$1 substring=$2 file=$3
    shift 3
    shift # --
    rm -f "$T/bad.json"
    desc "bad input: $name: exit 2, one line with '$substring'"
    expect_fail 2 "$substring" -- "$BIN" analyze "$@" -o "$T/bad.json"
    desc "bad input: $name: the message names $file"
    expect_stderr_has "$file"
    check "bad input: $name: no output file" -- test ! -e "$T/bad.json"
    check "bad input: $name: no temporary file left" -- \
        test -z "$(find "$T" -maxdepth 1 -name '.bad.json.*')"
}

bad "missing weights" "cannot open: No such file" "$T/nope.npy" -- \
    -w "$T/nope.npy" -l "$L"
bad "missing labels" "cannot open: No such file" "$T/nope.txt" -- \
    -w "$W" -l "$T/nope.txt"
bad "labels count != rows" "10 rows but" "$T/labels9.txt has 9 labels" -- \
    -w "$W" -l "$T/labels9.txt"
bad "non-square similarity" "is 10 x 9; expected a square 10 x 10" "$T/sim_10x9.csv" -- \
    -s "$T/sim_10x9.csv" -l "$L"
bad "NaN in weights" "value NaN at row 5, column 2" "$T/weights_nan.csv:5:2:" -- \
    -w "$T/weights_nan.csv" -l "$L"
bad "Inf in confusion" "value +Inf at row 3, column 1" "$T/confusion_inf.csv:3:1:" -- \
    -w "$W" -l "$L" -c "$T/confusion_inf.csv"
bad "confusion of the wrong size" "confusion matrix is 9 x 9; expected 10 x 10" \
    "$T/confusion_9x9.csv" -- -w "$W" -l "$L" -c "$T/confusion_9x9.csv"
bad "unknown WordNet id" "synset id 'n99999999' is not in WordNet" \
    "$T/labels_unknown_id.txt:3:" -- -w "$W" -l "$T/labels_unknown_id.txt"
bad "name not in WordNet" "noun 'qwertyzzz' is not in WordNet" \
    "$T/labels_unknown_name.txt:10:" -- -w "$W" -l "$T/labels_unknown_name.txt"
bad "missing WordNet (--wordnet-dir)" "wordnet-base" "/nonexistent-wordnet" -- \
    -w "$W" -l "$L" --wordnet-dir /nonexistent-wordnet
# WNSEARCHDIR is read when --wordnet-dir is absent.
rm -f "$T/bad.json"
desc "bad input: WNSEARCHDIR=/nonexistent-wordnet: exit 2, one line"
expect_fail 2 "wordnet-base" -- env WNSEARCHDIR=/nonexistent-wordnet \
    "$BIN" analyze -w "$W" -l "$L" -o "$T/bad.json"
desc "bad input: WNSEARCHDIR=/nonexistent-wordnet: names the directory"
expect_stderr_has "/nonexistent-wordnet"
check "bad input: WNSEARCHDIR: no output file" -- test ! -e "$T/bad.json"
bad "duplicate labels" "duplicate label 'n03595614' (first on line 1)" \
    "$T/labels_dup.txt:11:" -- -w "$W" -l "$T/labels_dup.txt"
bad "blank line in labels" "blank line" "$T/labels_hole.txt:6:" -- \
    -w "$W" -l "$T/labels_hole.txt"
bad "malformed .npy (bad magic)" "not a .npy file" "$T/bad_magic.npy: byte 0:" -- \
    -w "$T/bad_magic.npy" -l "$L"
bad "truncated .npy" "(truncated)" "$T/weights_truncated.npy" -- \
    -w "$T/weights_truncated.npy" -l "$L"
bad "complex .npy" "'<c8'" "$T/weights_c8.npy" -- -w "$T/weights_c8.npy" -l "$L"
bad "object .npy" "pickle" "$T/weights_obj.npy" -- -w "$T/weights_obj.npy" -l "$L"
bad "empty CSV" "no numeric rows" "$T/empty.csv" -- -w "$T/empty.csv" -l "$L"
bad "empty CSV confusion" "no numeric rows" "$T/empty.csv" -- \
    -w "$W" -l "$L" -c "$T/empty.csv"
bad "weights file is a directory" "is a directory" "$T" -- -w "$T" -l "$L"

# ------------------------------------------------------------ outputs
# A failed run leaves an existing output untouched.
printf 'precious\n' >"$T/keep.json"
cp "$T/keep.json" "$T/keep.orig"
desc "failed run with an existing output file"
expect_fail 2 "cannot open" -- "$BIN" analyze -w "$W" -l "$T/nope.txt" -o "$T/keep.json"
check "failed run: existing output untouched" -- cmp "$T/keep.orig" "$T/keep.json"
desc "failed run late (missing WordNet) with an existing output file"
expect_fail 2 "wordnet-base" -- "$BIN" analyze -w "$W" -l "$L" \
    --wordnet-dir /nonexistent-wordnet -o "$T/keep.json"
check "failed late run: existing output untouched" -- cmp "$T/keep.orig" "$T/keep.json"
check "failed runs: no temporary files left" -- \
    test -z "$(find "$T" -maxdepth 1 -name '.keep.json.*')"
# WordNet still opening when the inputs are in: analyze starts the
# clusterings and waits for WordNet when it needs it. Here data.noun is a
# FIFO, so the opening thread waits in open(2) until this script opens the
# FIFO a second later, and then fails (not a regular file): the failure
# comes after the clusterings, and must still be one line, exit 2, the
# existing output untouched.
WNF=$T/wnfifo
mkdir "$WNF"
ln -s "${WNSEARCHDIR:-/usr/share/wordnet}/index.noun" "$WNF/index.noun"
mkfifo "$WNF/data.noun"
(sleep 1 && : >"$WNF/data.noun") &
desc "WordNet failing while the clusterings run"
expect_fail 2 "data.noun' is not a regular file" -- "$BIN" analyze -w "$W" -l "$L" \
    --wordnet-dir "$WNF" -o "$T/keep.json"
wait
check "WordNet failing late: existing output untouched" -- cmp "$T/keep.orig" "$T/keep.json"

# Into a directory that does not exist.
desc "output into a missing directory fails with one line"
expect_fail '!0' "$T/nodir/r.json" -- "$BIN" analyze -w "$W" -l "$L" -o "$T/nodir/r.json"
expect_stderr_has "cannot create output"
check "missing directory: nothing created" -- test ! -e "$T/nodir"
check "missing directory: no temporary files left" -- \
    test -z "$(find "$T" -name '.r.json.*')"

# Onto an existing directory.
mkdir "$T/outdir"
desc "output onto a directory fails with one line"
expect_fail '!0' "$T/outdir" -- "$BIN" analyze -w "$W" -l "$L" -o "$T/outdir"
check "onto a directory: no temporary files left" -- \
    test -z "$(find "$T" -maxdepth 1 -name '.outdir.*')"
check "onto a directory: directory still empty" -- test -z "$(ls -A "$T/outdir")"

# Into a FIFO (as with /dev/stdout or a shell's >(...)): the report must go
# through the FIFO, not replace it with a regular file.
if mkfifo "$T/fifo" 2>/dev/null; then
    timeout 20 cat "$T/fifo" >"$T/fifo.out" &
    reader=$!
    desc "output into a FIFO"
    expect_ok -- timeout 20 "$BIN" analyze -w "$W" -l "$L" -c "$C" -o "$T/fifo"
    if [ ! -p "$T/fifo" ]; then
        # The reader is still waiting on the FIFO that was replaced: free it.
        kill "$reader" 2>/dev/null
    fi
    wait "$reader" 2>/dev/null
    check "FIFO output: still a FIFO, not replaced by a file" -- test -p "$T/fifo"
    check "FIFO output: the reader got the JSON report" -- cmp "$R" "$T/fifo.out"
else
    skip "FIFO output" "cannot create a FIFO in $T"
fi

summary
