#!/bin/bash
# simdepth — CLI tests of 'simdepth track':
#   - a manifest of four "checkpoints" (the sample's weights with seeded
#     noise, tests/data/track/make_checkpoints.py) and one broken model: the
#     broken row is marked with its error, the others are complete, exit 3;
#   - every number of a row equals 'simdepth analyze' run on that model
#     alone (SD and clusters per --cluster method, compliance; 1e-9, the
#     table's 10 significant digits);
#   - -j 2 and -j 4 give the same table as -j 1, byte for byte;
#   - --shard K/N tables merged with --merge equal the unsharded table,
#     whatever the order of the shards; mismatched headers and overlapping
#     shards are refused;
#   - JSON output; relative paths resolved against the manifest's directory;
#     a model with its own class order (labels=) realigned;
#   - plots: SD against each compliance measure and accuracy, SD over epochs
#     (from epoch= or from names ending in a number), SVG that parses and
#     names the models; no epoch plot when names carry no number;
#   - bad manifests and options: one-line errors, exit 2.
# Needs jq, xmllint and /usr/bin/python3 with numpy. Exit status: 0 all
# passed, 1 a check failed, 99 cannot run.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SAMPLE=$SRC/samples/fashion-mnist
DATA=$SRC/tests/data/track
PY=/usr/bin/python3
T=$T_TMP

SIMDEPTH_THEME_PATH=$SRC/themes
export SIMDEPTH_THEME_PATH

t_need_bin
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
for tool in jq xmllint; do
    command -v $tool >/dev/null 2>&1 || { echo "$tool is needed" >&2; exit 99; }
done
$PY -c 'import numpy' 2>/dev/null || { echo "$PY with numpy is needed" >&2; exit 99; }
mkdir -p "$T/run" "$T/elsewhere" || exit 99
$PY "$DATA/make_checkpoints.py" "$T/run" "$SAMPLE" || exit 99
LABELS=$SAMPLE/labels.txt

# cell FILE NAME ROW: a cell of a CSV table by column name and 1-based row.
cell() {
    $PY -c 'import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(rows[int(sys.argv[3]) - 1][sys.argv[2]])' "$1" "$2" "$3"
}
export -f cell
export PY

# Relative paths: resolved against the manifest's directory, not the cwd.
cat >"$T/run/models.txt" <<'EOF'
# four checkpoints of one run, and a broken one
weights=ep10.npy,confusion=conf.npy,accuracy=0.61
weights=ep20.npy , accuracy = 0.70   # trailing comment

weights=missing.npy,accuracy=0.5
weights=ep30.npy,confusion=conf.npy,accuracy=0.80
weights=ep40.npy,confusion=conf.npy,accuracy=0.90
EOF

cd "$T/elsewhere" || exit 99
desc "track with a broken model: exit 3, one stderr line for it"
expect_fail 3 "track: $T/run/models.txt:5: model 'missing' failed: $T/run/missing.npy" -- \
    "$BIN" track -l "$LABELS" --cluster ap,louvain -o "$T/j1.csv" "$T/run/models.txt"
check "table: header and five rows" -- bash -c "[ \$(wc -l <'$T/j1.csv') -eq 6 ] &&
    head -n 1 '$T/j1.csv' | grep -q '^index,name,status,sd_ap,clusters_ap,sd_louvain,clusters_louvain,'"
check "broken row: status error, its message, accuracy kept" -- bash -c "
    [ \"\$(cell '$T/j1.csv' status 3)\" = error ] &&
    cell '$T/j1.csv' error 3 | grep -q 'missing.npy' &&
    [ \"\$(cell '$T/j1.csv' accuracy 3)\" = 0.5 ] && [ -z \"\$(cell '$T/j1.csv' sd_ap 3)\" ]"
check "the other rows are complete, in manifest order" -- bash -c "
    for r in 1 2 4 5; do [ \"\$(cell '$T/j1.csv' status \$r)\" = ok ] &&
        [ -n \"\$(cell '$T/j1.csv' sd_ap \$r)\" ] || exit 1; done
    [ \"\$(cell '$T/j1.csv' name 1)\" = ep10 ] && [ \"\$(cell '$T/j1.csv' name 5)\" = ep40 ] &&
    [ \"\$(cell '$T/j1.csv' index 5)\" = 5 ] && [ \"\$(cell '$T/j1.csv' line 5)\" = 7 ] &&
    [ -z \"\$(cell '$T/j1.csv' sd_confusion 2)\" ] && [ -n \"\$(cell '$T/j1.csv' sd_confusion 4)\" ]"

# Each row against 'simdepth analyze' of the same model alone.
for r in 1 4; do
    case $r in 1) ep=ep10 ;; 4) ep=ep30 ;; esac
    desc "analyze $ep alone (ap, louvain)"
    expect_ok -- "$BIN" analyze -q --no-baselines -w "$T/run/$ep.npy" -l "$LABELS" \
        -c "$T/run/conf.npy" -o "$T/$ep-ap.json"
    expect_ok -- "$BIN" analyze -q --no-baselines --cluster louvain -w "$T/run/$ep.npy" \
        -l "$LABELS" -o "$T/$ep-louvain.json"
    check "row $r ($ep) equals analyze: SD, clusters, compliance (1e-9)" -- bash -c "
        near() { jq -e -n --argjson a \"\$1\" --argjson b \"\$2\" '(\$a - \$b | fabs) < 1e-9' >/dev/null; }
        near \"\$(cell '$T/j1.csv' sd_ap $r)\" \"\$(jq .similarity_depth '$T/$ep-ap.json')\" &&
        [ \"\$(cell '$T/j1.csv' clusters_ap $r)\" = \"\$(jq .partition.clusters '$T/$ep-ap.json')\" ] &&
        near \"\$(cell '$T/j1.csv' sd_louvain $r)\" \"\$(jq .similarity_depth '$T/$ep-louvain.json')\" &&
        [ \"\$(cell '$T/j1.csv' clusters_louvain $r)\" = \"\$(jq .partition.clusters '$T/$ep-louvain.json')\" ] &&
        near \"\$(cell '$T/j1.csv' sd_confusion $r)\" \"\$(jq .confusion.similarity_depth '$T/$ep-ap.json')\" &&
        [ \"\$(cell '$T/j1.csv' common_edges $r)\" = \"\$(jq .compliance.direct.common_edges '$T/$ep-ap.json')\" ] &&
        near \"\$(cell '$T/j1.csv' direct_perceived_in_confusion $r)\" \"\$(jq .compliance.direct.perceived_in_confusion '$T/$ep-ap.json')\" &&
        near \"\$(cell '$T/j1.csv' direct_confusion_explained $r)\" \"\$(jq .compliance.direct.confusion_explained '$T/$ep-ap.json')\" &&
        near \"\$(cell '$T/j1.csv' extended_perceived_in_confusion $r)\" \"\$(jq .compliance.extended.perceived_in_confusion '$T/$ep-ap.json')\" &&
        near \"\$(cell '$T/j1.csv' extended_confusion_explained $r)\" \"\$(jq .compliance.extended.confusion_explained '$T/$ep-ap.json')\""
done
check "the checkpoints differ (the test can see a mix-up)" -- bash -c "
    [ \"\$(cut -d, -f4 '$T/j1.csv' | sort -u | wc -l)\" -ge 3 ]"

# Parallel runs.
for j in 2 4; do
    desc "-j $j"
    "$BIN" track -q -l "$LABELS" --cluster ap,louvain -j $j -o "$T/j$j.csv" "$T/run/models.txt" 2>"$T_ERR"
    check "-j $j exits 3 like -j 1" -- test $? -eq 3
    check "-j $j table equals -j 1's" -- cmp "$T/j1.csv" "$T/j$j.csv"
done

# Shards and merge.
for k in 1 2 3; do
    "$BIN" track -q -l "$LABELS" --cluster ap,louvain --shard $k/3 -o "$T/shard$k.csv" \
        "$T/run/models.txt" 2>/dev/null
done
check "shard 1/3 holds models 1 and 4" -- bash -c "cut -d, -f1 '$T/shard1.csv' | tr '\n' ' ' | grep -qx 'index 1 4 '"
desc "merge of three shards given out of order (one failed model: exit 3)"
expect_fail 3 "track: 1 model of the merged table failed" -- \
    "$BIN" track --merge -q -o "$T/merged.csv" "$T/shard3.csv" "$T/shard1.csv" "$T/shard2.csv"
check "merged table equals the unsharded one" -- cmp "$T/merged.csv" "$T/j1.csv"
desc "merge to JSON"
expect_fail 3 "track: 1 model of the merged table failed" -- \
    "$BIN" track --merge -o "$T/merged.json" "$T/shard2.csv" "$T/shard1.csv" "$T/shard3.csv"
check "merged JSON: 5 models in order, typed" -- \
    jq -e '[.models[].index] == [1,2,3,4,5] and .models[2].status == "error"
           and (.models[0].sd_ap | type) == "number" and .models[2].sd_ap == null' "$T/merged.json"
"$BIN" track -q -l "$LABELS" --shard 1/2 -o "$T/aponly.csv" "$T/run/models.txt" 2>/dev/null
desc "merge refuses tables with other columns"
expect_fail 2 "$T/aponly.csv:1: the header differs from $T/shard2.csv's" -- \
    "$BIN" track --merge "$T/shard2.csv" "$T/aponly.csv"
desc "merge refuses overlapping shards"
expect_fail 2 "model 1 appears in $T/shard1.csv and in $T/j1.csv" -- \
    "$BIN" track --merge "$T/shard1.csv" "$T/j1.csv"
printf 'a,b\n1,2\n' >"$T/other.csv"
desc "merge refuses a table without an index column"
expect_fail 2 "$T/other.csv:1: no 'index' column first" -- "$BIN" track --merge "$T/other.csv"

# JSON, all models fine, realignment.
cat >"$T/run/good.txt" <<EOF
weights=ep30.npy,confusion=conf.npy,name=straight,epoch=30,labels=$LABELS
weights=ep30_rev.npy,labels=labels_rev.txt,confusion=conf_rev.npy,name=reversed,epoch=31
weights=ep10.npy,name=early,epoch=10
EOF
desc "track of good models as JSON"
expect_ok -- "$BIN" track -q -l "$LABELS" -o "$T/good.json" "$T/run/good.txt"
check "JSON: three models, every status ok, epochs kept" -- \
    jq -e '(.models | length) == 3 and ([.models[].status] | unique) == ["ok"]
           and [.models[].epoch] == [30,31,10] and .models[0].line == 1' "$T/good.json"
check "a model in reversed class order (labels=) is realigned: same numbers" -- \
    jq -e '.models[0] as $a | .models[1] as $b | $a.sd_ap == $b.sd_ap
           and $a.clusters_ap == $b.clusters_ap and $a.common_edges == $b.common_edges
           and $a.extended_confusion_explained == $b.extended_confusion_explained' "$T/good.json"
desc "shared labels from the first labels= when -l is absent"
expect_ok -- "$BIN" track -q --format json "$T/run/good.txt"
check "without -l: the first model's labels= is the reference, same table" -- \
    bash -c "cmp <(jq -S '.models' '$T_OUT') <(jq -S '.models' '$T/good.json')"

# Plots.
desc "plots of the checkpoints (names ending in numbers)"
"$BIN" track -q -l "$LABELS" --plots "$T/plots" -o "$T/p.csv" "$T/run/models.txt" 2>/dev/null
for p in sd-vs-accuracy sd-over-epochs sd-vs-direct-perceived-in-confusion \
    sd-vs-direct-confusion-explained sd-vs-extended-perceived-in-confusion \
    sd-vs-extended-confusion-explained; do
    check "$p.svg parses and labels the models" -- \
        bash -c "xmllint --noout '$T/plots/$p.svg' && grep -q '>ep40<' '$T/plots/$p.svg'"
done
check "accuracy plot: one point per analysed model (4; the broken one has no SD)" -- \
    bash -c "[ \$(grep -c '>ep[0-9]*<' '$T/plots/sd-vs-accuracy.svg') -eq 4 ]"
desc "plots from epoch= in PNG"
expect_ok -- "$BIN" track -q -l "$LABELS" --plots "$T/plots2" -T png -o "$T/g.csv" "$T/run/good.txt"
check "epoch plot from epoch= keys" -- \
    bash -c "[ \"\$(head -c 8 '$T/plots2/sd-over-epochs.png' | od -An -tx1 | tr -d ' ')\" = 89504e470d0a1a0a ]"
cat >"$T/run/zoo.txt" <<'EOF'
weights=ep10.npy,name=alpha,accuracy=0.5
weights=ep40.npy,name=beta,accuracy=0.9
EOF
desc "a zoo without epochs"
expect_ok -- "$BIN" track -q -l "$LABELS" --plots "$T/plots3" -o "$T/z.csv" "$T/run/zoo.txt"
check "no epoch plot when names carry no number" -- \
    bash -c "[ -f '$T/plots3/sd-vs-accuracy.svg' ] && [ ! -e '$T/plots3/sd-over-epochs.svg' ]"
"$BIN" track --merge -q --plots "$T/plots4" -o "$T/m.csv" "$T/shard1.csv" "$T/shard2.csv" \
    "$T/shard3.csv" 2>"$T_ERR"
check "merge of a table with a failed row exits 3" -- test $? -eq 3
check "plots from a merged table" -- test -f "$T/plots4/sd-over-epochs.svg"

# Errors.
printf 'weights=ep10.npy\nweights=ep20.npy,bogus\n' >"$T/run/bad.txt"
desc "a malformed manifest line"
expect_fail 2 "$T/run/bad.txt:2:18: field 'bogus' has no '='" -- \
    "$BIN" track -l "$LABELS" -o "$T/elsewhere/bad.csv" "$T/run/bad.txt"
check "nothing written for a malformed manifest" -- test ! -e "$T/elsewhere/bad.csv"
printf 'weights=a/ep10.npy\nweights=b/ep10.npy\n' >"$T/run/dup.txt"
desc "duplicate model names"
expect_fail 2 "$T/run/dup.txt:2:1: model name 'ep10' was already used on line 1" -- \
    "$BIN" track -l "$LABELS" "$T/run/dup.txt"
desc "no labels"
expect_fail 2 "missing -l LABELS (or labels=FILE in the manifest)" -- "$BIN" track "$T/run/models.txt"
desc "-j 0"
expect_fail 2 "--jobs '0'" -- "$BIN" track -l "$LABELS" -j 0 "$T/run/models.txt"
desc "--shard 3/2"
expect_fail 2 "--shard '3/2': expected K/N with 1 <= K <= N" -- "$BIN" track -l "$LABELS" --shard 3/2 "$T/run/models.txt"
desc "bad --cluster list"
expect_fail 2 "--cluster 'ap,bogus'" -- "$BIN" track -l "$LABELS" --cluster ap,bogus "$T/run/models.txt"
desc "missing manifest"
expect_fail 2 "$T/run/none.txt" -- "$BIN" track -l "$LABELS" "$T/run/none.txt"
desc "two manifests"
expect_fail 2 "expected one MANIFEST" -- "$BIN" track -l "$LABELS" "$T/run/good.txt" "$T/run/zoo.txt"

summary
