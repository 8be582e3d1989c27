#!/bin/bash
# simdepth — CLI tests of 'simdepth tree' and of 'simdepth analyze
# --cluster': linkage matrices equal SciPy's golden ones for every method on
# the real ViT-B matrix, the float32 path (--precision single, and the
# automatic switch above 8,192 classes) against SciPy within a stated
# tolerance, Newick output, the paper's SD table row, and bad options.
#
# Run by 'make check', or by hand from a build directory:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/tree.sh
# Writes only under a mktemp directory. Needs jq and awk.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SHARED=${SIMDEPTH_SHARED_DATA:-$SRC/../shared/data}
V=$SHARED/mini-imagenet-vitb
GOLD=$SRC/tests/data/linkage/vitb_cosine.expected
T=$T_TMP

t_need_bin
command -v jq >/dev/null 2>&1 || { echo "jq is needed" >&2; exit 99; }
[ -f "$V/vitb_cosine.npy" ] || { echo "shared data not found at $V" >&2; exit 99; }

# ---- linkage matrices equal SciPy's (tests/data/linkage/README.md says how
# the golden file was made: scipy.cluster.hierarchy.linkage on 1 - S of the
# raw cosine matrix, hence --scaling none here).
for m in single complete average weighted centroid median ward; do
    desc "tree --linkage $m (CSV)"
    expect_ok -- "$BIN" tree -q -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --scaling none \
        --linkage "$m" -o "$T/$m.csv"
    awk -v m="$m" '$1 == "method" { on = ($2 == m) } on && $1 == "Z" { print $2, $3, $4, $5 }' \
        "$GOLD" > "$T/$m.gold"
    check "$m: 99 merges in the golden file" -- test "$(wc -l < "$T/$m.gold")" -eq 99
    check "$m: same merges, same order, heights to 1e-9 relative" -- awk -F'[ ,]' '
        NR == FNR { a[FNR] = $1; b[FNR] = $2; h[FNR] = $3; c[FNR] = $4; next }
        FNR == 1 { next }                       # CSV header
        { r = FNR - 1
          if ($1 != a[r] || $2 != b[r] || $4 != c[r]) { print "row " r ": ids " $1 "," $2 "," $4; bad = 1 }
          d = $3 - h[r]; if (d < 0) d = -d
          s = h[r] < 0 ? -h[r] : h[r]
          if (d > 1e-9 * (s > 1e-300 ? s : 1)) { print "row " r ": height " $3 " vs " h[r]; bad = 1 } }
        END { exit bad }' "$T/$m.gold" "$T/$m.csv"
done

desc "tree: .npy output"
expect_ok -- "$BIN" tree -q -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" -o "$T/z.npy"
check ".npy: NumPy magic and a (99, 4) float64 header" -- bash -c \
    "head -c 128 '$T/z.npy' | grep -a -q \"'descr': '<f8', 'fortran_order': False, 'shape': (99, 4)\""
desc "tree: Newick with optimal leaf order"
expect_ok -- "$BIN" tree -q -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --order optimal -o "$T/t.nwk"
check "Newick: one tree ending in ';'" -- bash -c "test \"\$(tail -c 2 '$T/t.nwk')\" = ';'"
check "Newick: every class name appears (names.txt is lower case)" -- bash -c \
    "while read -r name; do grep -qiF -- \"\$name\" '$T/t.nwk' || exit 1; done < '$V/names.txt'"
desc "tree: the cophenetic correlation is reported"
"$BIN" tree -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" -o "$T/c.csv" 2> "$T/err"
check "stderr names the cophenetic correlation" -- grep -q "cophenetic correlation 0\.[0-9]" "$T/err"

desc "tree: unknown linkage"
expect_fail 2 "--linkage 'bogus'" -- "$BIN" tree -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --linkage bogus -o "$T/x.csv"
desc "tree: missing output"
expect_fail 2 "missing --output" -- "$BIN" tree -s "$V/vitb_cosine.npy" -l "$V/wnids.txt"
desc "tree: unknown extension"
expect_fail 2 "extension" -- "$BIN" tree -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" -o "$T/x.dat"
check "no output for the failed runs" -- bash -c "! ls '$T'/x.* >/dev/null 2>&1"

# ---- --precision: float32 distances (issue 9). The float32 path is
# compared with SciPy's float64 trees as trees: every cluster (leaf set) of
# SciPy's tree whose height has no other merge within 1e-5 (relative), a
# near-tie that float32 rounding could reorder, must be a cluster of ours at
# a height within 1e-6 times the largest height (at least 1), and the sorted
# heights must agree to that too. Float32 values are 6e-8 apart near 1; each
# distance and each updated cluster distance is rounded once, and the -w
# path's float32 cosines differ from NumPy's by a few such steps (different
# summation orders), so heights stay within about 3e-7 (measured); 1e-6 is
# about 16 steps. tests/test_linkage.c (F32_HEIGHT_TOL) applies the same rule.
#
# same_tree GOLD METHOD CSV: the CSV linkage against METHOD's block of GOLD.
same_tree() {
    awk -v m="$2" '
    function bor(x, y,   i, s) {
        s = ""
        for (i = 1; i <= n; i++)
            s = s ((substr(x, i, 1) == "1" || substr(y, i, 1) == "1") ? "1" : "0")
        return s
    }
    function sets(A, B, k, S,   i) {
        for (i = 0; i < n; i++)
            S[i] = substr(zero, 1, i) "1" substr(zero, i + 2)
        for (i = 1; i <= k; i++)
            S[n + i - 1] = bor(S[A[i]], S[B[i]])
    }
    function isort(H, k,   i, j, t) {
        for (i = 2; i <= k; i++)
            for (j = i; j > 1 && H[j - 1] > H[j]; j--) { t = H[j]; H[j] = H[j - 1]; H[j - 1] = t }
    }
    function abs(x) { return x < 0 ? -x : x }
    NR == FNR {
        if ($1 == "method") on = ($2 == m)
        else if (on && $1 == "Z") { ga[++ng] = $2; gb[ng] = $3; gh[ng] = $4 + 0 }
        next
    }
    FNR > 1 { split($0, f, ","); oa[++no] = f[1]; ob[no] = f[2]; oh[no] = f[3] + 0 }
    END {
        if (ng == 0 || no != ng) { print "rows: " no " here, " ng " in the golden file"; exit 1 }
        n = ng + 1; zero = ""
        for (i = 0; i < n; i++) zero = zero "0"
        sets(ga, gb, ng, G); sets(oa, ob, no, O)
        scale = 1
        for (i = 1; i <= ng; i++) if (abs(gh[i]) > scale) scale = abs(gh[i])
        tol = 1e-6 * scale
        for (i = 1; i <= no; i++) at[O[n + i - 1]] = i
        for (r = 1; r <= ng; r++) {
            tie = 0
            for (q = 1; q <= ng && !tie; q++)
                tie = q != r && abs(gh[q] - gh[r]) <= 1e-5 * abs(gh[r])
            if (tie) continue
            k = at[G[n + r - 1]]
            if (k == "") { print "golden row " r " (height " gh[r] ") is not a cluster here"; bad = 1 }
            else if (abs(oh[k] - gh[r]) > tol) { print "golden row " r ": height " oh[k] " vs " gh[r]; bad = 1 }
            else compared++
        }
        isort(gh, ng); isort(oh, no)
        for (i = 1; i <= ng; i++)
            if (abs(oh[i] - gh[i]) > tol) { print "sorted height " i ": " oh[i] " vs " gh[i]; bad = 1 }
        if (compared < ng / 2) { print "only " compared " merges compared"; bad = 1 }
        exit bad
    }' "$1" "$3"
}

TPL=$SRC/tests/data/linkage/templates100.npy
TPLGOLD=$SRC/tests/data/linkage/templates100.expected
for m in single complete average weighted centroid median ward; do
    desc "tree --precision single -s (float32 distances), $m"
    expect_ok -- "$BIN" tree -q --precision single -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" \
        --scaling none --linkage "$m" -o "$T/s32_$m.csv"
    check "$m, float32 from -s: SciPy's tree, heights to 1e-6" -- same_tree "$GOLD" "$m" "$T/s32_$m.csv"
    desc "tree --precision single -w (distances straight from the templates), $m"
    expect_ok -- "$BIN" tree -q --precision single -w "$TPL" -l "$V/wnids.txt" --linkage "$m" \
        -o "$T/w32_$m.csv"
    check "$m, float32 from -w: SciPy's tree on NumPy's distances, heights to 1e-6" -- \
        same_tree "$TPLGOLD" "$m" "$T/w32_$m.csv"
done
desc "tree --precision single: the cophenetic correlation of average linkage"
"$BIN" tree --precision single -w "$TPL" -l "$V/wnids.txt" -o "$T/c32.npy" 2> "$T/err32"
check "float32 note, and the correlation within 2e-6 of SciPy's $(awk '$1 == "coph" { print $2 }' "$TPLGOLD")" -- \
    awk -v x="$(awk '$1 == "coph" { print $2 }' "$TPLGOLD")" '
        /average linkage of 100 classes \(float32 distances\); cophenetic correlation / {
            c = $NF; d = c - x; if (d < 0) d = -d; found = d <= 2e-6 }
        END { exit !found }' "$T/err32"
desc "tree --precision single --linkage ward: no cophenetic correlation"
"$BIN" tree --precision single -w "$TPL" -l "$V/wnids.txt" --linkage ward -o "$T/ward32.npy" 2> "$T/errw"
check "the note says it is not computed" -- grep -q "cophenetic correlation not computed" "$T/errw"
desc "tree --precision single --order optimal (the distances are kept)"
expect_ok -- "$BIN" tree -q --precision single -w "$TPL" -l "$V/wnids.txt" --order optimal \
    -o "$T/olo32.nwk"
check "optimal order: a Newick tree naming every class" -- bash -c \
    "while read -r name; do grep -qiF -- \"\$name\" '$T/olo32.nwk' || exit 1; done < '$V/names.txt'"
desc "tree --precision auto at 100 classes is the float64 path"
"$BIN" tree -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" -o "$T/auto.npy" 2> "$T/errauto"
expect_ok -- "$BIN" tree -q --precision double -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" -o "$T/dbl.npy"
check "auto and double write the same bytes" -- cmp "$T/auto.npy" "$T/dbl.npy"
check "no float32 note at 100 classes" -- bash -c "! grep -q float32 '$T/errauto'"
desc "tree --timings"
"$BIN" tree --timings --precision single -w "$TPL" -l "$V/wnids.txt" -o "$T/tim.npy" 2> "$T/errtim"
check "--timings: one line per stage, from reading the labels to writing the tree" -- bash -c \
    "for s in 'read labels' 'read weights' 'open WordNet' distances linkage 'write tree' total; do
         grep -q \"^simdepth: timing: \$s  \" '$T/errtim' || exit 1; done"
desc "tree --precision bogus"
expect_fail 2 "--precision 'bogus'" -- "$BIN" tree -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" \
    --precision bogus -o "$T/x.csv"
if t_quick; then
    skip "tree --precision auto above 8192 classes" "SIMDEPTH_TEST_SUBSET=quick"
else
    # 8,193 WordNet noun synsets and random 3-dimensional templates: the
    # automatic switch, without checking the (tie-ridden) tree itself.
    awk '/^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9] / && k < 8193 { print "n" $1; k++ }' \
        "${WNSEARCHDIR:-/usr/share/wordnet}/data.noun" > "$T/big.txt"
    awk 'BEGIN { srand(7); for (i = 0; i < 8193; i++) printf "%.6f,%.6f,%.6f\n", rand() - 0.5, rand() - 0.5, rand() - 0.5 }' \
        > "$T/big.csv"
    desc "tree --precision auto above 8192 classes"
    "$BIN" tree -w "$T/big.csv" -l "$T/big.txt" -o "$T/big.npy" 2> "$T/errbig"
    check "8193 classes: the float32 note" -- grep -q "8193 classes: float32 distances (above 8192 classes" "$T/errbig"
    check "8193 classes: a (8192, 4) float64 linkage matrix" -- bash -c \
        "head -c 128 '$T/big.npy' | grep -a -q \"'descr': '<f8', 'fortran_order': False, 'shape': (8192, 4)\""
fi

# ---- analyze --cluster: the paper's table (golden/sd_table.csv, ViTB_NCSM)
desc "analyze --cluster all"
expect_ok -- "$BIN" analyze -q -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --cluster all -o "$T/all.json"
check "AP: SD 7.451219512195122, 18 clusters" -- jq -e \
    '(.methods.ap.similarity_depth - 7.451219512195122 | fabs) < 1e-12 and .methods.ap.clusters == 18' "$T/all.json"
check "OPTICS: SD 7.636363636363637, 1 cluster" -- jq -e \
    '(.methods.optics.similarity_depth - 7.636363636363637 | fabs) < 1e-12 and .methods.optics.clusters == 1' "$T/all.json"
check "HDBSCAN: SD 7.402061855670103, 3 clusters" -- jq -e \
    '(.methods.hdbscan.similarity_depth - 7.402061855670103 | fabs) < 1e-12 and .methods.hdbscan.clusters == 3' "$T/all.json"
check "Louvain and Leiden: several clusters, SD in the golden range" -- jq -e \
    '[.methods.louvain, .methods.leiden] | all(.clusters > 1 and .similarity_depth > 7 and .similarity_depth < 8.5)' "$T/all.json"
desc "analyze --cluster all --format latex"
expect_ok -- "$BIN" analyze -q -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --cluster all --format latex --name ViT-B
check "the paper's row: Louvain, OPTICS, AP, HDBSCAN" -- grep -Eq \
    '^ViT-B & [0-9]\.[0-9]{2} \([0-9]+\) & 7\.64 \(1\) & 7\.45 \(18\) & 7\.40 \(3\) \\\\$' "$T_OUT"
for m in louvain leiden optics hdbscan cut:18 none; do
    desc "analyze --cluster $m with a confusion matrix"
    expect_ok -- "$BIN" analyze -q -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" -c "$V/vitb_confusion.npy" \
        --cluster "$m" -o "$T/m.json"
    check "$m: method recorded and compliance present" -- jq -e \
        --arg m "${m%%:*}" '.partition.method == $m and .options.cluster == $m and (.compliance.direct.common_edges >= 0)' "$T/m.json"
done
desc "analyze --cluster louvain is reproducible for a seed"
expect_ok -- bash -c "'$BIN' analyze -q -s '$V/vitb_cosine.npy' -l '$V/wnids.txt' --cluster louvain --seed 7 -o '$T/l1.json' && '$BIN' analyze -q -s '$V/vitb_cosine.npy' -l '$V/wnids.txt' --cluster louvain --seed 7 -o '$T/l2.json' && cmp '$T/l1.json' '$T/l2.json'"
desc "analyze --cluster none: one tree of n - 1 edges"
expect_ok -- "$BIN" analyze -q -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --cluster none -o "$T/none.json"
check "99 edges" -- jq -e '(.edges | length) == 99 and .partition.clusters == 1' "$T/none.json"
desc "analyze --cluster cut:0"
expect_fail 2 "--cluster 'cut:0'" -- "$BIN" analyze -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --cluster cut:0
desc "analyze --cluster bogus"
expect_fail 2 "--cluster 'bogus'" -- "$BIN" analyze -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --cluster bogus
desc "analyze --resolution 0"
expect_fail 2 "--resolution '0'" -- "$BIN" analyze -s "$V/vitb_cosine.npy" -l "$V/wnids.txt" --cluster louvain --resolution 0

# ---- analyze --taxonomy: a custom taxonomy instead of WordNet (CIFAR-100)
CIFAR=$SRC/samples/cifar100/taxonomy.tsv
printf '%s\n' beaver dolphin otter seal whale bee beetle butterfly caterpillar cockroach > "$T/c10.txt"
# Ten templates: five aquatic mammals near one direction, five insects near another.
{
    for k in 0 1 2 3 4; do echo "1,0.$k,0,0.1"; done
    for k in 0 1 2 3 4; do echo "0,0.1,1,0.$k"; done
} > "$T/c10.csv"
desc "analyze --taxonomy samples/cifar100/taxonomy.tsv"
expect_ok -- "$BIN" analyze -q -w "$T/c10.csv" -l "$T/c10.txt" --taxonomy "$CIFAR" -o "$T/cifar.json"
check "two clusters of superclass siblings: every edge's LCS is a superclass (depth 2)" -- jq -e \
    '.partition.clusters == 2 and (.edges | all(.lcs_depth == 2)) and .similarity_depth == 2' "$T/cifar.json"
check "the taxonomy is named in the report" -- jq -e '.inputs.taxonomy | test("custom taxonomy")' "$T/cifar.json"
desc "analyze --taxonomy with a label the taxonomy lacks"
printf 'beaver\ndolphin\nunicorn\n' > "$T/c3.txt"
printf '1,0\n0.9,0.1\n0,1\n' > "$T/c3.csv"
expect_fail 2 "unicorn" -- "$BIN" analyze -w "$T/c3.csv" -l "$T/c3.txt" --taxonomy "$CIFAR"
desc "analyze --taxonomy and --wordnet-dir together"
expect_fail 2 "not both" -- "$BIN" analyze -w "$T/c3.csv" -l "$T/c3.txt" --taxonomy "$CIFAR" --wordnet-dir /usr/share/wordnet

summary
