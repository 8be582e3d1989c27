#!/bin/bash
# simdepth — CLI tests of 'simdepth render --partition' and '--figure
# clusters' (issue 9: a readable cluster-level figure at ImageNet-21k
# scale, from a saved analysis) on the real 100-class Mini-ImageNet ViT-B
# data, read in place from ../shared/data:
#   - a partition from analyze's JSON report gives the same semantic graph
#     (DOT) and the same cluster graph as clustering again; a text
#     partition (one id per line) the same graph but for the legend's
#     "(a given partition)";
#   - bad partitions (wrong count, non-integers, bad JSON, another model's
#     report, another class order, a missing file) are refused with exit 2,
#     one line naming the file and the line or JSON member, and no output;
#   - the cluster graph has one node per cluster (or the --top-clusters N
#     largest, as the report's partition says, with a note on stderr and
#     in the figure), a tree of nodes - 1 edges, and nodes titled with the
#     common WordNet ancestor derived independently from the report's
#     spanning-tree edges (the shallowest edge LCS of each cluster: in a
#     tree-shaped taxonomy, the LCS of a set joined by a spanning tree);
#   - with NumPy: the drawn clusters, the tree's edges, their mean
#     similarities and misclassification rates equal an independent NumPy
#     computation (Prim on the mean similarity between clusters);
#   - SVG well-formed, text never below 6 pt (also at a column width, and
#     a size too small is refused), PDF fonts, PNG resolution, byte-
#     identical reruns.
#
# Run by 'make check', or by hand from a build directory:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/render_clusters.sh
# Needs jq, xmllint (libxml2-utils) and pdffonts (poppler-utils); the NumPy
# check is skipped without /usr/bin/python3 and python3-numpy. Without the
# shared data the test is skipped (exit 77). Writes only under a mktemp
# directory. Exit status: 0 all passed, 1 a check failed, 77 skipped, 99 the
# test itself cannot run.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SHARED=${SIMDEPTH_SHARED_DATA:-$SRC/../shared/data}
VIT=$SHARED/mini-imagenet-vitb
SAMPLE=$SRC/samples/fashion-mnist
PY=/usr/bin/python3
T=$T_TMP

SIMDEPTH_THEME_PATH=$SRC/themes
export SIMDEPTH_THEME_PATH

t_need_bin
for tool in jq xmllint pdffonts od; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "$tool is needed (Debian packages jq, libxml2-utils, poppler-utils, coreutils)" >&2
        exit 99
    fi
done
if [ ! -r "$VIT/vitb_cosine.npy" ]; then
    echo "SKIP: no shared data at $VIT" >&2
    exit 77
fi

VITARGS=(-s "$VIT/vitb_cosine.npy" -l "$VIT/wnids.txt" -c "$VIT/vitb_confusion.npy")

# dot_nodes FILE / dot_edges FILE: the cluster graph's nodes and edges in
# DOT (agwrite writes one statement per node, "\tkN\t[...", and per edge,
# "\tkA -- kB\t[...").
dot_nodes() {
    grep -cE $'^\tk[0-9]+\t\\[' "$1"
}
dot_edges() {
    grep -cE $'^\tk[0-9]+ -- k[0-9]+\t\\[' "$1"
}

# dot_join FILE: the DOT text with agwrite's line continuations (a
# backslash at the end of a line) undone.
dot_join() {
    sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1"
}

# dot_cluster_ids FILE: the partition labels of the drawn clusters, sorted.
dot_cluster_ids() {
    grep -oE 'id=cluster[0-9]+' "$1" | sed 's/id=cluster//' | sort -n
}

# dot_ancestors FILE: "CLUSTER SYNSET DEPTH" for every drawn cluster with
# a common ancestor, from its tooltip ("cluster C: N classes" then
# "common ancestor SYNSET (ID), depth D: GLOSS").
dot_ancestors() {
    awk '/tooltip="cluster [0-9]+: / { match($0, /cluster [0-9]+:/); c = substr($0, RSTART + 8, RLENGTH - 9); next }
         /^common ancestor / && c != "" { d = $0; sub(/.*, depth /, "", d); sub(/:.*/, "", d)
                                          print c, $3, d; c = "" }' <(dot_join "$1") | sort -n
}

# report_ancestors REPORT: "CLUSTER SYNSET DEPTH" expected from the
# report's spanning-tree edges: the LCS of least depth among each
# cluster's edges, where that LCS is one synset (ties of different synsets
# at the least depth only arise through multiple inheritance).
report_ancestors() {
    jq -r '[.edges | group_by(.cluster)[] | (map(.lcs_depth) | min) as $d
            | {c: .[0].cluster, d: $d, names: (map(select(.lcs_depth == $d) | .lcs) | unique)}]
           | map(select(.names | length == 1)) | .[] | "\(.c) \(.names[0]) \(.d)"' "$1" | sort -n
}

# report_top REPORT N: the labels of the N largest clusters (ties: the
# smaller label), sorted.
report_top() {
    jq -r --argjson n "$2" '.partition.labels | group_by(.) | map({id: .[0], n: length})
                            | sort_by(-.n, .id) | .[:$n][] | .id' "$1" | sort -n
}

svg_min_font_at_least() {
    ! grep -q 'scale(' "$1" || return 1
    grep -o 'font-size="[0-9.]*"' "$1" | tr -dc '0-9.\n' | sort -g | head -n 1 |
        awk -v pt="$2" '{ print "smallest font-size " $1 > "/dev/stderr"; ok = $1 >= pt }
                        END { exit !(NR == 1 && ok) }'
}

no_type3() {
    pdffonts "$1" >"$T/.fonts" 2>&1 || return 1
    [ "$(wc -l <"$T/.fonts")" -gt 2 ] || return 1
    ! grep -q "Type 3" "$T/.fonts"
}

png_dpi() {
    local hex pos ppm
    hex=$(od -An -v -tx1 "$1" | tr -d ' \n')
    pos=${hex%%70485973*}
    [ "$pos" = "$hex" ] && return 0
    pos=${#pos}
    ppm=$((16#${hex:$((pos + 8)):8}))
    [ "${hex:$((pos + 24)):2}" = 01 ] || return 0
    echo $(((ppm * 254 + 5000) / 10000))
}

# ------------------------------------------------------------------ help
desc "render --help documents --partition, --figure clusters and --top-clusters"
expect_ok -- "$BIN" render --help
check "help: --partition" -- grep -q -- '--partition FILE' "$T_OUT"
check "help: --figure clusters" -- grep -q 'clusters' "$T_OUT"
check "help: --top-clusters" -- grep -q -- '--top-clusters N|all' "$T_OUT"

# ----------------------------------------------------------- the report
desc "analyze writes the JSON report whose partition is reused"
expect_ok -- "$BIN" analyze "${VITARGS[@]}" -o "$T/vit.json"
check "the report has 18 clusters" -- jq -e '.partition.clusters == 18' "$T/vit.json"
jq -r '.partition.labels[]' "$T/vit.json" >"$T/part.txt"
check "the text partition has 100 lines" -- test "$(wc -l <"$T/part.txt")" = 100

# ---------------------------------------- the same graph from a partition
desc "semantic graph (DOT), clustering again"
expect_ok -- "$BIN" render "${VITARGS[@]}" -o "$T/g-run.dot"
desc "semantic graph (DOT) from the report's partition"
expect_ok -- "$BIN" render "${VITARGS[@]}" --partition "$T/vit.json" -o "$T/g-json.dot"
check "--partition REPORT.json gives the same semantic graph" -- cmp "$T/g-run.dot" "$T/g-json.dot"
desc "semantic graph (DOT) from a text partition"
expect_ok -- "$BIN" render "${VITARGS[@]}" --partition "$T/part.txt" -o "$T/g-text.dot"
check "a text partition gives the same graph, the legend naming it" -- \
    sh -c "grep -q 'cluster (a given partition)' '$T/g-text.dot' &&
           sed 's/cluster (a given partition)/cluster (affinity propagation)/' '$T/g-text.dot' |
           cmp - '$T/g-run.dot'"
desc "the golden semantic graph from the report's partition"
expect_ok -- "$BIN" render "${VITARGS[@]}" --partition "$T/vit.json" -T dot -o -
check "equals the golden DOT of render.sh" -- cmp "$T_OUT" "$SRC/tests/data/render/mini-imagenet-vitb.dot"
desc "per-cluster graphs from a text partition"
expect_ok -- "$BIN" render "${VITARGS[@]}" -q --partition "$T/part.txt" --per-cluster "$T/per"
check "18 per-cluster graphs" -- test "$(find "$T/per" -name 'cluster-*.svg' | wc -l)" = 18
# a partition unlike affinity propagation's: the classes by index mod 4
awk 'BEGIN { for (i = 0; i < 100; i++) print i % 4 }' >"$T/mod4.txt"
desc "semantic graph of a partition of our own"
expect_ok -- "$BIN" render "${VITARGS[@]}" --partition "$T/mod4.txt" -o "$T/g-mod4.dot"
check "its 4 clusters are the graph's 4 boxes" -- test "$(grep -c 'subgraph cluster_' "$T/g-mod4.dot")" = 4
check "its legend counts 4 clusters" -- grep -q '100 classes &#183; 4 clusters' "$T/g-mod4.dot"
desc "cluster graph of a partition of our own"
expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/mod4.txt" -o "$T/c-mod4.dot"
check "4 nodes of 25 classes" -- test "$(grep -c '25 classes, e.g.' "$T/c-mod4.dot")" = 4
desc "cluster graph (DOT), clustering again"
expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters -o "$T/c-run.dot"
desc "cluster graph (DOT) from the report's partition"
expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" -o "$T/c.dot"
check "--partition REPORT.json gives the same cluster graph" -- cmp "$T/c-run.dot" "$T/c.dot"

# ------------------------------------------------------- bad partitions
head -n 99 "$T/part.txt" >"$T/short.txt"
expect_fail 2 "short.txt: 99 cluster ids for the 100 classes" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/short.txt" -o "$T/bad.svg"
sed '5s/.*/x/' "$T/part.txt" >"$T/word.txt"
expect_fail 2 "word.txt:5: 'x' is not a cluster id" -- \
    "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/word.txt" -o "$T/bad.svg"
sed '7s/$/.5/' "$T/part.txt" >"$T/frac.txt"
expect_fail 2 "frac.txt:7: '" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/frac.txt" -o "$T/bad.svg"
{ cat "$T/part.txt"; echo 3; } >"$T/long.txt"
expect_fail 2 "long.txt:101: more cluster ids than the 100 classes" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/long.txt" -o "$T/bad.svg"
sed '9s/.*/-4/' "$T/part.txt" >"$T/neg.txt"
expect_fail 2 "neg.txt:9: cluster id -4 out of range" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/neg.txt" -o "$T/bad.svg"
head -c 300 "$T/vit.json" >"$T/cut.json"
expect_fail_re 2 '^simdepth: .*cut\.json:[0-9]+:[0-9]+: not valid JSON' "truncated JSON: file, line and column" -- \
    "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/cut.json" -o "$T/bad.svg"
jq '.partition.labels[42] = "7"' "$T/vit.json" >"$T/str.json"
expect_fail 2 "str.json: partition.labels[42] is a string" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/str.json" -o "$T/bad.svg"
jq '.classes[0].label = .classes[1].label' "$T/vit.json" >"$T/order.json"
expect_fail 2 "order.json: classes[0].label is 'n01558993' but line 1 of the labels is 'n01532829'" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/order.json" -o "$T/bad.svg"
desc "the sample's report"
expect_ok -- "$BIN" analyze -w "$SAMPLE/weights.npy" -l "$SAMPLE/labels.txt" -q -o "$T/fm.json"
expect_fail 2 "fm.json: n_classes is 10 but the labels have 100 classes" -- \
    "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/fm.json" -o "$T/bad.svg"
echo '{"edges": []}' >"$T/nopart.json"
expect_fail 2 "nopart.json: no \"partition\" object" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/nopart.json" -o "$T/bad.svg"
expect_fail 2 "no-such.json: cannot open" -- \
    "$BIN" render "${VITARGS[@]}" --partition "$T/no-such.json" -o "$T/bad.svg"
check "no output file after the refusals" -- test ! -e "$T/bad.svg"
check "no temporary file left either" -- test -z "$(ls -A "$T" | grep 'bad\.svg')"
expect_fail 2 "--top-clusters applies to --figure clusters only" -- \
    "$BIN" render "${VITARGS[@]}" --top-clusters 5 -o "$T/bad.svg"
expect_fail 2 "--top-clusters 'none'" -- \
    "$BIN" render "${VITARGS[@]}" --figure clusters --top-clusters none -o "$T/bad.svg"
expect_fail 2 "--top-clusters '0'" -- \
    "$BIN" render "${VITARGS[@]}" --figure clusters --top-clusters 0 -o "$T/bad.svg"

# ----------------------------------------------------- the cluster graph
check "all 18 clusters drawn (fewer than the default 40)" -- test "$(dot_nodes "$T/c.dot")" = 18
check "a tree: 17 edges for 18 nodes" -- test "$(dot_edges "$T/c.dot")" = 17
report_top "$T/vit.json" 18 >"$T/top18"
dot_cluster_ids "$T/c.dot" >"$T/ids18"
check "one node per cluster of the partition" -- cmp "$T/top18" "$T/ids18"
report_ancestors "$T/vit.json" >"$T/anc-expected"
dot_ancestors "$T/c.dot" >"$T/anc-drawn"
check "at least 15 clusters have an unambiguous expected ancestor" -- \
    test "$(wc -l <"$T/anc-expected")" -ge 15
check "every such cluster is titled with that ancestor and its depth" -- \
    sh -c "join '$T/anc-expected' '$T/anc-drawn' >'$T/anc-joined' &&
           test \$(wc -l <'$T/anc-joined') = \$(wc -l <'$T/anc-expected') &&
           awk '\$2 != \$4 || \$3 != \$5 { print; bad = 1 } END { exit bad }' '$T/anc-joined'"
dot_join "$T/c.dot" >"$T/c-joined.dot"
check "node labels show the ancestor's lemma and depth (canine, 13)" -- \
    grep -q 'label="canine · 13\\n' "$T/c-joined.dot"
check "node labels show the class count and a typical class" -- \
    test "$(grep -cE 'label="[^"]*\\n[0-9]+ classes, e\.g\. ' "$T/c-joined.dot")" = 18

desc "the 5 largest clusters, saying how many were left out"
expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" \
    --top-clusters 5 -q -o "$T/c5.dot"
check "5 nodes" -- test "$(dot_nodes "$T/c5.dot")" = 5
check "4 edges" -- test "$(dot_edges "$T/c5.dot")" = 4
report_top "$T/vit.json" 5 >"$T/top5"
dot_cluster_ids "$T/c5.dot" >"$T/ids5"
check "the 5 largest clusters of the report's partition" -- cmp "$T/top5" "$T/ids5"
check "the legend says 13 clusters were left out" -- \
    grep -q 'the&#160;5&#160;largest of&#160;18&#160;clusters' "$T/c5.dot"
desc "the same as SVG, with the note on stderr"
"$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" --top-clusters 5 \
    -o "$T/c5.svg" >"$T/.out" 2>"$T/.err"
check "exit status 0" -- test $? = 0
check "one note on stderr" -- test "$(wc -l <"$T/.err")" = 1
check "the note says what was left out" -- \
    grep -q 'note: the cluster graph shows the 5 largest of 18 clusters (.* of 100 classes)' "$T/.err"
check "the SVG title says it too" -- grep -q '<title>Cluster graph: the 5 largest of 18 clusters</title>' "$T/c5.svg"
check "the SVG names the partition file in its metadata" -- grep -q 'partition=.*vit.json' "$T/c5.svg"
check "5 node groups in the SVG" -- test "$(grep -cE '<g id="cluster[0-9]+">' "$T/c5.svg")" = 5
check "4 edge groups in the SVG" -- test "$(grep -cE '<g id="edge-[0-9]+">' "$T/c5.svg")" = 4
"$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" -q --timings \
    -o "$T/ct.svg" >"$T/.out" 2>"$T/.err"
check "--timings: exit status 0" -- test $? = 0
check "--timings: the partition's and the figure's stages" -- \
    sh -c "grep -q 'timing: read partition ' '$T/.err' && grep -q 'timing: draw cluster graph ' '$T/.err' &&
           grep -q 'timing: total ' '$T/.err'"
desc "--top-clusters all"
expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/part.txt" \
    --top-clusters all -o "$T/call.dot"
check "all 18 clusters" -- test "$(dot_nodes "$T/call.dot")" = 18

if [ -x "$PY" ] && "$PY" -c 'import numpy' >/dev/null 2>&1; then
    cat >"$T/check.py" <<'EOF'
# The cluster graph of a DOT file against NumPy: the N largest clusters of
# the report's partition, the maximum spanning tree (Prim) of their mean
# similarity (the min-max scaled cosine, diagonal 1, mean over all pairs
# across two clusters), and each edge's rates (mean over a cluster's classes
# of the share of its row, confusion rows normalised, predicted into the
# other cluster).
import json, re, sys
import numpy as np
sim_path, conf_path, report_path, dot_path, top = sys.argv[1:6]
lab = np.array(json.load(open(report_path))["partition"]["labels"])
S = np.load(sim_path).astype(np.float64)
S = (S - S.min()) / (S.max() - S.min())
np.fill_diagonal(S, 1.0)
C = np.load(conf_path).astype(np.float64)
C = C / C.sum(axis=1, keepdims=True)
ids, sizes = np.unique(lab, return_counts=True)
drawn = [int(i) for _, i in sorted(zip(-sizes, ids))[:int(top)]]
K = len(drawn)
M = np.zeros((K, K))
E = np.zeros((K, K))
for a in range(K):
    A = lab == drawn[a]
    for b in range(K):
        B = lab == drawn[b]
        M[a, b] = S[np.ix_(A, B)].mean()
        E[a, b] = C[np.ix_(A, B)].sum(axis=1).mean()
W = (M + M.T) / 2
tree, best, parent = [0], W[0].copy(), [0] * K
edges = set()
for _ in range(K - 1):
    v = max((x for x in range(K) if x not in tree), key=lambda x: best[x])
    edges.add(frozenset((drawn[parent[v]], drawn[v])))
    tree.append(v)
    for u in range(K):
        if u not in tree and W[v, u] > best[u]:
            best[u], parent[u] = W[v, u], v
text = open(dot_path).read().replace("\\\n", "")
node = {m.group(1): int(re.search(r"id=cluster(\d+)", m.group(2)).group(1))
        for m in re.finditer(r"\n\t(k\d+)\t\[(.*?)\];(?=\n)", text, re.S)}
bad = []
if sorted(node.values()) != sorted(drawn):
    bad.append("drawn %s, expected %s" % (sorted(node.values()), sorted(drawn)))
got = set()
for m in re.finditer(r"\n\t(k\d+) -- (k\d+)\t\[(.*?)\];(?=\n)", text, re.S):
    a, b = node[m.group(1)], node[m.group(2)]
    got.add(frozenset((a, b)))
    ia, ib = drawn.index(a), drawn.index(b)
    sim = float(re.search(r"mean perceived similarity ([0-9.]+)", m.group(3)).group(1))
    if abs(sim - W[ia, ib]) > 0.0015:
        bad.append("edge %d-%d: similarity %.3f, expected %.4f" % (a, b, sim, W[ia, ib]))
    rates = [float(x) for x in re.findall(r"predicted as a class of [^:\n]*: ([0-9.]+)%", m.group(3))]
    want = [100 * E[ia, ib], 100 * E[ib, ia]]
    if len(rates) != 2 or any(abs(g - w) > 0.051 * max(1.0, w / 10) for g, w in zip(rates, want)):
        bad.append("edge %d-%d: rates %s%%, expected %s%%" % (a, b, rates, want))
if got != edges:
    bad.append("tree edges differ: %s" % sorted(tuple(sorted(e)) for e in got ^ edges))
print("%d clusters, %d edges checked" % (len(node), len(got)), file=sys.stderr)
for line in bad:
    print(line, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
    check "NumPy: the 18 clusters' tree, similarities and rates" -- \
        "$PY" "$T/check.py" "$VIT/vitb_cosine.npy" "$VIT/vitb_confusion.npy" "$T/vit.json" "$T/c.dot" 18
    check "NumPy: the 5 largest clusters' tree, similarities and rates" -- \
        "$PY" "$T/check.py" "$VIT/vitb_cosine.npy" "$VIT/vitb_confusion.npy" "$T/vit.json" "$T/c5.dot" 5
else
    skip "NumPy check of the cluster graph" "no $PY with numpy"
fi

# ---------------------------------------------------- formats and sizes
for fmt in svg pdf png; do
    desc "cluster graph as $fmt"
    SOURCE_DATE_EPOCH=1700000000 expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters \
        --partition "$T/vit.json" --dpi 150 -o "$T/c.$fmt"
done
check "the SVG is well-formed XML" -- xmllint --noout "$T/c.svg"
check "no text below 6 pt in the SVG" -- svg_min_font_at_least "$T/c.svg" 6
check "edges drawn before their labels" -- \
    awk '/<g id="edge-label-/ { if (!first) first = NR } /<g id="edge-[0-9]/ { last = NR }
         END { exit !(first > 0 && last > 0 && last < first) }' "$T/c.svg"
check "the PDF has fonts and no Type 3 font" -- no_type3 "$T/c.pdf"
check "the PNG carries 150 dpi" -- test "$(png_dpi "$T/c.png")" = 150
desc "a second run"
SOURCE_DATE_EPOCH=1700000000 expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters \
    --partition "$T/vit.json" --dpi 150 -o "$T/c2.png"
check "two runs give the same PNG" -- cmp "$T/c.png" "$T/c2.png"
desc "the 8 largest clusters at IEEE column width"
expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" \
    --top-clusters 8 --size ieee-column -q -o "$T/c-col.svg"
check "column width: 252pt wide" -- grep -q 'width="252.00pt"' "$T/c-col.svg"
check "column width: no text below 6 pt" -- svg_min_font_at_least "$T/c-col.svg" 6
expect_fail 2 "does not fit the size asked for with text of at least 6 pt" -- \
    "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" --width 1in \
    -o "$T/c-tiny.svg"
check "the refusal points to --top-clusters" -- grep -q -- '--top-clusters N' "$T_ERR"
check "no file after the refusal" -- test ! -e "$T/c-tiny.svg"
for theme in paper dark grayscale; do
    desc "cluster graph with --theme $theme"
    expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" \
        --theme "$theme" -o "$T/c-$theme.svg"
    check "$theme: no text below 6 pt" -- svg_min_font_at_least "$T/c-$theme.svg" 6
done
for layout in neato fdp sfdp; do
    desc "cluster graph with --layout $layout"
    expect_ok -- "$BIN" render "${VITARGS[@]}" --figure clusters --partition "$T/vit.json" \
        --layout "$layout" -o "$T/c-$layout.svg"
    check "$layout: 17 edges" -- test "$(grep -cE '<g id="edge-[0-9]+">' "$T/c-$layout.svg")" = 17
done

summary
