#!/bin/bash
# simdepth — CLI tests of 'simdepth diff':
#   - a model diffed with itself is empty (no only-A/only-B edges, no
#     changed neighbour or similarity) with agreement at its maxima (ARI 1,
#     VI 0, cophenetic correlation 1, Baker's gamma 1, FM B_k 1,
#     entanglement 0);
#   - the two real 100-class ViT-B models (trained vs at initialisation):
#     SD and clusters equal the reference's (7.4512 / 18, 5.4217 / 17), and
#     edges, ARI, VI, cophenetic correlation, Baker's gamma, nearest
#     neighbours and the largest similarity change equal an independent
#     recomputation (tests/data/diff/check_diff.py: set operations on the
#     edges of 'simdepth analyze', scikit-learn, SciPy; 1e-9, and 1e-6 on
#     float32 similarities), and cophenetic correlation and Baker's gamma
#     equal R dendextend's cor_cophenetic and cor_bakers_gamma (1e-8);
#   - untangling never increases the entanglement;
#   - a model whose classes come in another order (labels=) is realigned:
#     the report is the same as for the original order;
#   - a class-set mismatch, bad specs and bad options are one-line errors
#     with exit status 2;
#   - figures (graph, tanglegram) in SVG, PDF and PNG parse and name both
#     models; DOT of the graph; text report.
# Needs jq, xmllint, pdftotext and /usr/bin/python3 with numpy, scipy and
# scikit-learn; R with dendextend is used when present (else that check is
# skipped). Exit status: 0 all passed, 1 a check failed, 99 cannot run.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SHARED=${SIMDEPTH_SHARED_DATA:-$SRC/../shared/data}
SAMPLE=$SRC/samples/fashion-mnist
VIT=$SHARED/mini-imagenet-vitb
DATA=$SRC/tests/data/diff
PY=/usr/bin/python3
T=$T_TMP

SIMDEPTH_THEME_PATH=$SRC/themes
export SIMDEPTH_THEME_PATH

t_need_bin
for tool in jq xmllint pdftotext; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is needed" >&2; exit 99; }
done
$PY -c 'import numpy, scipy, sklearn' 2>/dev/null ||
    { echo "$PY with numpy, scipy and scikit-learn is needed" >&2; exit 99; }
$PY "$DATA/make_inputs.py" "$T" "$VIT" "$SAMPLE" || exit 99

FM="weights=$SAMPLE/weights.npy,confusion=$SAMPLE/confusion.csv"
LBL=(-l "$SAMPLE/labels.txt")

# ---------------------------------------------------------------- itself
desc "diff of the sample with itself"
expect_ok -- "$BIN" diff -q "${LBL[@]}" --format json "$FM,name=cnn" "$FM,name=cnn"
cp "$T_OUT" "$T/self.json"
check "itself: no only-A or only-B edge, every edge shared" -- \
    jq -e '.edges.only_a == 0 and .edges.only_b == 0 and .edges.shared == .a.edges
           and .edges.shared > 0 and ([.edges.list[] | select(.origin != "shared")] | length == 0)' \
    "$T/self.json"
check "itself: ARI 1, VI 0" -- jq -e '.agreement.ari == 1 and .agreement.vi == 0' "$T/self.json"
check "itself: cophenetic correlation 1, Baker's gamma 1 (1e-12)" -- \
    jq -e '(.agreement.cophenetic_correlation - 1 | fabs) < 1e-12
           and (.agreement.bakers_gamma - 1 | fabs) < 1e-12' "$T/self.json"
check "itself: Fowlkes-Mallows B_k all 1, entanglement 0" -- \
    jq -e '.agreement.fowlkes_mallows.min == 1 and .agreement.fowlkes_mallows.mean == 1
           and .agreement.entanglement.before == 0 and .agreement.entanglement.after == 0' \
    "$T/self.json"
check "itself: no nearest neighbour or similarity changed, SD difference 0" -- \
    jq -e '.agreement.nearest_neighbours_changed == 0
           and ([.nearest_neighbours[] | select(.changed)] | length == 0)
           and (.similarity_changes | length == 0) and .difference.similarity_depth == 0
           and .difference.clusters == 0 and .agreement.cluster_membership_agreement == 1' \
    "$T/self.json"
check "itself: compliance of both from the confusion matrix, equal" -- \
    jq -e '.a.compliance.direct.common_edges > 0 and .b.compliance == .a.compliance
           and .a.confusion == "'"$SAMPLE/confusion.csv"'"' "$T/self.json"
desc "B without a confusion matrix"
expect_ok -- "$BIN" diff -q "${LBL[@]}" --format json "$FM" "weights=$SAMPLE/weights.npy"
check "no compliance for B without a confusion matrix" -- \
    jq -e '.a.compliance != null and .b.compliance == null and .b.confusion == null' "$T_OUT"

desc "text report of the sample with itself"
expect_ok -- "$BIN" diff -q "${LBL[@]}" --format text "$FM,name=cnn" "weights=$SAMPLE/weights.npy"
check "text: edges line" -- grep -q "^Spanning-tree edges: [0-9]* shared, 0 only in A, 0 only in B" "$T_OUT"
check "text: names both models" -- grep -q "A = cnn, B = weights" "$T_OUT"

# ---------------------------------------------------------------- real models
REAL_A="similarity=$VIT/vitb_cosine.npy,confusion=$VIT/vitb_confusion.npy,name=ViT-B"
REAL_B="similarity=$T/init.npy,name=ViT-B init"
desc "diff of the two real ViT-B models"
expect_ok -- "$BIN" diff -q -l "$VIT/wnids.txt" -o "$T/real.json" "$REAL_A" "$REAL_B"
check "real: SD and clusters of both equal the reference's (1e-4)" -- \
    jq -e '(.a.similarity_depth - 7.4512 | fabs) < 1e-4 and .a.clusters == 18
           and (.b.similarity_depth - 5.4217 | fabs) < 1e-4 and .b.clusters == 17
           and (.difference.similarity_depth - (.b.similarity_depth - .a.similarity_depth) | fabs) < 1e-12' \
    "$T/real.json"
check "real: extended compliance of A equals the reference's 0.5122 / 0.5658 (1e-4)" -- \
    jq -e '(.a.compliance.extended.perceived_in_confusion - 0.5122 | fabs) < 1e-4
           and (.a.compliance.extended.confusion_explained - 0.5658 | fabs) < 1e-4' "$T/real.json"
check "real: untangling does not increase the entanglement" -- \
    jq -e '.agreement.entanglement.after <= .agreement.entanglement.before
           and .agreement.entanglement.after >= 0' "$T/real.json"
check "real: edge counts add up" -- \
    jq -e '.edges.shared + .edges.only_a == .a.edges and .edges.shared + .edges.only_b == .b.edges
           and (.edges.list | length) == .edges.shared + .edges.only_a + .edges.only_b' \
    "$T/real.json"
desc "analyze of each real model (for the independent check)"
expect_ok -- "$BIN" analyze -q --no-baselines -s "$VIT/vitb_cosine.npy" -l "$VIT/wnids.txt" -o "$T/ra.json"
expect_ok -- "$BIN" analyze -q --no-baselines -s "$T/init.npy" -l "$VIT/wnids.txt" -o "$T/rb.json"
check "real: edges, ARI, VI, cophenetic, Baker's gamma, neighbours equal an independent computation" -- \
    $PY -W error "$DATA/check_diff.py" "$T/real.json" "$T/ra.json" "$T/rb.json" \
    "$VIT/vitb_cosine.npy" "$T/init.npy"
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(dendextend)' >/dev/null 2>&1; then
    Rscript "$DATA/dendextend.R" "$T/dist_a.csv" "$T/dist_b.csv" >"$T/dendextend.txt" 2>/dev/null
    read -r r_coph r_gamma <"$T/dendextend.txt"
    check "real: cophenetic correlation and Baker's gamma equal R dendextend's (1e-8)" -- \
        jq -e --argjson c "${r_coph:-null}" --argjson g "${r_gamma:-null}" \
        '(.agreement.cophenetic_correlation - $c | fabs) < 1e-8
         and (.agreement.bakers_gamma - $g | fabs) < 1e-8' "$T/real.json"
else
    skip "real: agreement against R dendextend" "Rscript with dendextend (r-cran-dendextend) not found"
fi
desc "real, complete linkage"
expect_ok -- "$BIN" diff -q -l "$VIT/wnids.txt" --linkage complete -o "$T/real_c.json" "$REAL_A" "$REAL_B"
check "real, complete linkage: tree agreement equals the independent computation" -- \
    $PY -W error "$DATA/check_diff.py" "$T/real_c.json" "$T/ra.json" "$T/rb.json" \
    "$VIT/vitb_cosine.npy" "$T/init.npy" complete

# ---------------------------------------------------------------- realignment
desc "A in a shuffled class order with its own labels= is realigned"
expect_ok -- "$BIN" diff -q -l "$VIT/wnids.txt" -o "$T/perm.json" \
    "similarity=$T/perm_sim.npy,confusion=$T/perm_conf.npy,labels=$T/perm_wnids.txt,name=ViT-B" "$REAL_B"
check "realigned: a.realigned is true" -- jq -e '.a.realigned == true and .b.realigned == false' "$T/perm.json"
check "realigned: the report equals the original order's" -- bash -c "
    f='del(.a.input, .a.confusion, .a.labels, .a.realigned)'
    cmp <(jq \"\$f\" '$T/perm.json') <(jq \"\$f\" '$T/real.json')"
desc "shared labels taken from A's labels= when -l is absent"
expect_ok -- "$BIN" diff -q --format json "weights=$T/sample_perm.npy,labels=$T/sample_perm_labels.txt" \
    "weights=$SAMPLE/weights.npy,labels=$SAMPLE/labels.txt"
cp "$T_OUT" "$T/sperm.json"
check "sample reversed vs original: B realigned to A's order, diff empty" -- \
    jq -e '.b.realigned == true and .a.realigned == false and .edges.only_a == 0
           and .edges.only_b == 0 and .agreement.ari == 1 and (.similarity_changes | length) == 0' \
    "$T/sperm.json"
last=$(tail -n 1 "$SAMPLE/labels.txt" | cut -d' ' -f1)
check "sample reversed: classes listed in A's (reversed) order" -- \
    jq -e --arg l "$last" '.nearest_neighbours[0].label == $l' "$T/sperm.json"
desc "realignment note on stderr"
"$BIN" diff -l "$VIT/wnids.txt" "similarity=$T/perm_sim.npy,labels=$T/perm_wnids.txt" "$REAL_B" \
    >/dev/null 2>"$T_ERR"
expect_stderr_has "classes reordered from $T/perm_wnids.txt"

# ---------------------------------------------------------------- errors
seventh=$(sed -n 7p "$VIT/wnids.txt")
desc "class-set mismatch lists the differing labels"
expect_fail 2 "only in $T/other_wnids.txt: 'n01440764'; only in $VIT/wnids.txt: '$seventh'" -- \
    "$BIN" diff -l "$VIT/wnids.txt" "similarity=$VIT/vitb_cosine.npy,labels=$T/other_wnids.txt" "$REAL_B"
expect_stderr_has "expected the same classes (in any order)"
desc "a labels= file of another size"
expect_fail 2 "(10 vs 100 labels)" -- \
    "$BIN" diff -l "$VIT/wnids.txt" "weights=$SAMPLE/weights.npy,labels=$SAMPLE/labels.txt" "$REAL_B"
desc "a labels= file holding the shared classes and more"
# (its matches used to be written past the end of the class permutation:
# the ASan job catches a regression)
{ echo "n00000001 extra"; cat "$SAMPLE/labels.txt"; } >"$T/own11.txt"
expect_fail 2 "(11 vs 10 labels)" -- \
    "$BIN" diff "${LBL[@]}" "weights=$SAMPLE/weights.npy,labels=$T/own11.txt" "$FM"
desc "matrix of the wrong size without labels="
expect_fail 2 "10 rows but $VIT/wnids.txt has 100 labels" -- \
    "$BIN" diff -l "$VIT/wnids.txt" "weights=$SAMPLE/weights.npy" "$REAL_B"
prefix="weights=$SAMPLE/w.npy,"
desc "unknown key in spec B"
expect_fail 2 "diff: model spec B, column $((${#prefix} + 1)): unknown key 'colour'" -- \
    "$BIN" diff "${LBL[@]}" "$FM" "${prefix}colour=red"
desc "both weights and similarity"
expect_fail 2 "model spec A, column" -- "$BIN" diff "${LBL[@]}" "weights=a.npy,similarity=b.npy" "$FM"
expect_stderr_has "expected exactly one of them"
desc "accuracy= in a diff spec"
expect_fail 2 "belongs in a track manifest" -- "$BIN" diff "${LBL[@]}" "$FM,accuracy=0.9" "$FM"
desc "spec without '='"
expect_fail 2 "field 'model.npy' has no '='" -- "$BIN" diff "${LBL[@]}" model.npy "$FM"
desc "spec without '=', a long field is shortened with '...'"
long=a-very-long-file-name-of-a-model-given-without-any-key.npy
expect_fail 2 "field '$(printf '%.44s' "$long")...' has no '='" -- \
    "$BIN" diff "${LBL[@]}" "$long" "$FM"
desc "missing file"
expect_fail 2 "$T/none.npy" -- "$BIN" diff "${LBL[@]}" "$FM" "weights=$T/none.npy"
expect_stderr_has "model B (none)"
desc "no labels anywhere"
expect_fail 2 "missing -l LABELS (or labels=FILE in a model spec)" -- "$BIN" diff "$FM" "$FM"
desc "one spec only"
expect_fail 2 "expected two model specs A and B" -- "$BIN" diff "${LBL[@]}" "$FM"
desc "bad --cluster"
expect_fail 2 "--cluster 'all'" -- "$BIN" diff "${LBL[@]}" --cluster all "$FM" "$FM"
desc "--figure without -o"
expect_fail 2 "--figure needs -o FILE" -- "$BIN" diff "${LBL[@]}" --figure graph "$FM" "$FM"
desc "tanglegram as DOT"
expect_fail 2 "DOT exists for the graph only" -- \
    "$BIN" diff "${LBL[@]}" --figure tanglegram -o "$T/x.dot" "$FM" "$FM"
check "no figure left behind by a usage error" -- test ! -e "$T/x.dot"

# ---------------------------------------------------------------- figures
for fig in graph tanglegram; do
    for fmt in svg pdf png; do
        out=$T/real-$fig.$fmt
        desc "figure $fig as $fmt"
        expect_ok -- "$BIN" diff -q -l "$VIT/wnids.txt" --figure $fig -o "$out" "$REAL_A" "$REAL_B"
        case $fmt in
        svg)
            check "$fig.svg parses (xmllint)" -- xmllint --noout "$out"
            check "$fig.svg names both models" -- \
                bash -c "grep -q 'ViT-B init' '$out' && grep -q 'ViT-B\([^ ]\| [^i]\)' '$out'"
            ;;
        pdf)
            check "$fig.pdf starts with %PDF" -- bash -c "head -c 5 '$out' | grep -q '^%PDF-'"
            check "$fig.pdf names both models (pdftotext)" -- \
                bash -c "pdftotext '$out' - | grep -q 'ViT-B init'"
            ;;
        png)
            check "$fig.png has the PNG signature" -- \
                bash -c "[ \"\$(head -c 8 '$out' | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ]"
            ;;
        esac
    done
done
desc "graph as DOT via -T, with a report beside it"
expect_ok -- "$BIN" diff -q "${LBL[@]}" --figure graph -T dot -o "$T/g.out" --report "$T/g.json" \
    "$FM,name=cnn" "weights=$SAMPLE/weights.npy,name=other"
check "DOT output is a graph" -- grep -q "graph" "$T/g.out"
check "--report beside the figure is the JSON report" -- jq -e '.edges.only_a == 0' "$T/g.json"
desc "a model diffed with itself: the legend tells A from B"
expect_ok -- "$BIN" diff -q "${LBL[@]}" --figure graph -o "$T/same.svg" "$FM,name=cnn" "$FM,name=cnn"
check "same names get (A) and (B)" -- bash -c "grep -q 'cnn (A)' '$T/same.svg' && grep -q 'cnn (B)' '$T/same.svg'"
desc "a bad theme is reported before loading"
expect_fail 2 "nosuchtheme" -- "$BIN" diff "${LBL[@]}" --figure graph --theme nosuchtheme -o "$T/t.svg" "$FM" "$FM"

summary
