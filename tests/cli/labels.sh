#!/bin/bash
# simdepth — CLI tests of 'simdepth labels': class names to WordNet synsets.
#
# Run by 'make check', or by hand from a build directory:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/labels.sh
# Writes only under a mktemp directory. Needs jq and WordNet 3.0
# (wordnet-base, or $WNSEARCHDIR).
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
NAMES=$SRC/samples/cifar100/names.txt
OVR=$SRC/tests/data/labels/cifar100_overrides.tsv
T=$T_TMP

t_need_bin
command -v jq >/dev/null 2>&1 || { echo "jq is needed" >&2; exit 99; }

# A random symmetric 100 x 100 similarity with a unit diagonal.
awk -v seed="$$" 'BEGIN { srand(seed)
    for (i = 0; i < 100; i++) for (j = i + 1; j < 100; j++) m[i, j] = sprintf("%.4f", rand())
    for (i = 0; i < 100; i++) for (j = 0; j < 100; j++)
        printf "%s%s", (i == j ? "1" : (j > i ? m[i, j] : m[j, i])), (j < 99 ? "," : "\n") }' > "$T/sim.csv"

desc "labels --help"
expect_ok -- "$BIN" labels --help
check "help names --overrides" -- grep -q -- '--overrides' "$T_OUT"

# ---- CIFAR-100 with the overrides
desc "labels: CIFAR-100 with overrides (-q)"
expect_ok -- "$BIN" labels -q --overrides "$OVR" -o "$T/cifar.txt" "$NAMES"
check "100 labels" -- test "$(wc -l < "$T/cifar.txt")" -eq 100
check "every line is 'wnid name'" -- bash -c "! grep -vqE '^n[0-9]{8} [A-Za-z0-9_-]+\$' '$T/cifar.txt'"
check "names in input order" -- bash -c "diff <(cut -d' ' -f2 '$T/cifar.txt') '$NAMES'"
check "overrides used: aquarium_fish -> fish.n.01, maple_tree -> maple.n.02" -- \
    grep -qx -e 'n02512053 aquarium_fish' "$T/cifar.txt"
check "maple_tree -> n12752205" -- grep -qx 'n12752205 maple_tree' "$T/cifar.txt"
check "first sense by default: bear -> bear.n.01" -- grep -qx 'n02131653 bear' "$T/cifar.txt"
desc "analyze accepts the labels"
expect_ok -- "$BIN" analyze -q -s "$T/sim.csv" -l "$T/cifar.txt" -o "$T/report.json"
check "report has 100 classes" -- jq -e '.classes | length == 100' "$T/report.json"

# ---- ambiguity listing
"$BIN" labels --overrides "$OVR" -o "$T/c2.txt" --report "$T/rep.txt" "$NAMES" 2> "$T/notes"
check "exit 0 with notes" -- test $? -eq 0
check "one note per ambiguous name (74)" -- test "$(grep -c "has [0-9]* noun senses" "$T/notes")" -eq 74
check "note names file, line, senses and choice" -- \
    grep -qF "names.txt:4: 'bear' has 2 noun senses; using bear.n.01 (n02131653)" "$T/notes"
check "text report lists bear's candidates with glosses" -- \
    grep -qP '^-\tn09845191\tbear\.n\.02\tan investor with a pessimistic' "$T/rep.txt"
check "text report marks the override" -- grep -qP '^2\taquarium_fish\toverride\t0$' "$T/rep.txt"
desc "labels --report-format json"
expect_ok -- "$BIN" labels -q --overrides "$OVR" -o "$T/c3.txt" --report "$T/rep.json" --report-format json "$NAMES"
check "json: 74 ambiguous, 2 overrides, 24 mapped" -- jq -e \
    '[.classes[] | .status] | (map(select(. == "ambiguous")) | length) == 74
     and (map(select(. == "override")) | length) == 2
     and (map(select(. == "mapped")) | length) == 24' "$T/rep.json"
check "json: mouse candidates" -- jq -e \
    '.classes[] | select(.name == "mouse") | (.candidates | length) == 4 and .chosen.synset == "mouse.n.01"' "$T/rep.json"

# ---- unmappable names
"$BIN" labels -q -o "$T/none.txt" "$NAMES" 2> "$T/unmapped"
check "unmappable without overrides: exit 2" -- test $? -eq 2
check "no labels file written" -- test ! -e "$T/none.txt"
check "one line per unmappable name" -- test "$(wc -l < "$T/unmapped")" -eq 2
check "aquarium_fish reported with file and line" -- \
    grep -qF "names.txt:2: no WordNet noun synset for 'aquarium_fish'" "$T/unmapped"
check "maple_tree reported with file and line" -- \
    grep -qF "names.txt:48: no WordNet noun synset for 'maple_tree'" "$T/unmapped"

# ---- variants and a small file on standard output
printf 'Dogs\ngolden-retriever\n  Golden   Retriever  \ngeese\nmice\nboxes\nchurches\n' > "$T/variants.txt"
desc "variants: only the duplicate synset is an error"
expect_fail 2 "like 'golden-retriever' on line 2" -- "$BIN" labels -q "$T/variants.txt"
sed -i 3d "$T/variants.txt"
desc "variants to standard output"
expect_ok -- "$BIN" labels -q "$T/variants.txt"
check "variants map right" -- diff "$T_OUT" - <<'EOF2'
n02084071 Dogs
n02099601 golden-retriever
n01855672 geese
n02330245 mice
n02883344 boxes
n08082602 churches
EOF2

# ---- overrides file errors
printf 'aquarium_fish fish.n.01\n' > "$T/bad1.tsv"
desc "override without a TAB"
expect_fail 2 "bad1.tsv:1: expected NAME<TAB>WNID" -- "$BIN" labels --overrides "$T/bad1.tsv" "$NAMES"
printf '# c\naquarium_fish\tfish\n' > "$T/bad2.tsv"
desc "override that is not a synset"
expect_fail 2 "bad2.tsv:2: 'fish' is neither a WordNet id" -- "$BIN" labels --overrides "$T/bad2.tsv" "$NAMES"
printf 'aquarium_fish\tn99999999\n' > "$T/bad3.tsv"
desc "override naming no synset"
expect_fail 2 "no WordNet noun synset 'n99999999'" -- "$BIN" labels --overrides "$T/bad3.tsv" "$NAMES"

# ---- usage errors
desc "no NAMES"
expect_fail 2 "missing NAMES" -- "$BIN" labels
desc "unknown option"
expect_fail 2 "unknown option '--bogus'" -- "$BIN" labels --bogus "$NAMES"
desc "bad --report-format"
expect_fail 2 "--report-format 'xml'" -- "$BIN" labels --report-format xml "$NAMES"
desc "missing option argument"
expect_fail 2 "needs an argument" -- "$BIN" labels "$NAMES" -o
desc "missing NAMES file"
expect_fail 2 "cannot open" -- "$BIN" labels "$T/nope.txt"
: > "$T/empty.txt"
desc "empty NAMES file"
expect_fail 2 "no class names" -- "$BIN" labels "$T/empty.txt"
desc "missing WordNet"
expect_fail 2 "wordnet-base" -- "$BIN" labels --wordnet-dir "$T/nowhere" "$NAMES"

summary
