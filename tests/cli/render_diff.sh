#!/bin/bash
# simdepth — CLI tests of the comparison figures: 'simdepth diff --figure
# graph|tanglegram' on the real 100-class Mini-ImageNet ViT-B similarity
# against WordNet's own Wu-Palmer similarity (both 100 x 100, finite), in
# every format, and 'simdepth track --plots'. SVG well-formed with every
# class label and both model names as <text>; no Type 3 font in any PDF;
# PNG resolution in pHYs and provenance in tEXt; two runs byte-identical
# (SVG, DOT, PNG, and PDF with SOURCE_DATE_EPOCH); DOT only for the graph.
#
# Run by 'make check' (with SIMDEPTH_BIN, SIMDEPTH_TOP_SRCDIR and
# SIMDEPTH_SHARED_DATA set), or by hand:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       SIMDEPTH_SHARED_DATA=/path/to/shared/data \
#       /path/to/src/tests/cli/render_diff.sh
# Writes only under a mktemp directory. Needs xmllint (libxml2-utils) and
# pdffonts (poppler-utils). Exit status: 0 all passed, 1 a check failed, 99
# the test itself cannot run; the real data missing skips everything (77).
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SHARED=${SIMDEPTH_SHARED_DATA:-$SRC/../shared/data}
VIT=$SHARED/mini-imagenet-vitb
T=$T_TMP

SIMDEPTH_THEME_PATH=$SRC/themes
export SIMDEPTH_THEME_PATH

t_need_bin
for tool in xmllint pdffonts od; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "$tool is needed (Debian packages libxml2-utils, poppler-utils, coreutils)" >&2
        exit 99
    fi
done
if [ ! -r "$VIT/vitb_cosine.npy" ] || [ ! -r "$VIT/wordnet_wup.npy" ]; then
    echo "the Mini-ImageNet ViT-B data is not in $VIT; skipped" >&2
    exit 77
fi

# png_dpi FILE: the horizontal pHYs resolution in dots per inch (rounded).
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

# svg_has_labels FILE LABELFILE: every readable name (names.txt: "wnid
# name", underscores as blanks) appears as a whole <text>.
svg_has_labels() {
    local name missing=0
    while IFS= read -r name; do
        [ -z "$name" ] && continue
        case $name in
        n[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]\ *) name=${name#* } ;;
        esac
        name=${name//_/ }
        name=${name//&/&amp;}
        if ! grep -qiF ">$name</text>" "$1"; then
            echo "missing label: $name" >&2
            missing=1
        fi
    done <"$2"
    return $missing
}

# svg_text_has FILE TEXT: TEXT (already XML-escaped) inside some <text>.
svg_text_has() {
    grep -F "<text" "$1" | grep -qF "$2"
}

no_type3() {
    pdffonts "$1" >"$T/.fonts" 2>&1 || return 1
    [ "$(wc -l <"$T/.fonts")" -gt 2 ] || return 1
    ! grep -q "Type 3" "$T/.fonts"
}

A="similarity=$VIT/vitb_cosine.npy,name=ViT-B/16"
B="similarity=$VIT/wordnet_wup.npy,name=WordNet <Wu-Palmer>"
DIFF=(diff -q -l "$VIT/wnids.txt" "$A" "$B")

# ---------------------------------------------------- every figure and format
for fig in graph tanglegram; do
    fmts="svg pdf png"
    [ $fig = graph ] && fmts="$fmts dot"
    for fmt in $fmts; do
        for run in 1 2; do
            desc "diff --figure $fig as $fmt (run $run)"
            SOURCE_DATE_EPOCH=1700000000 expect_ok -- "$BIN" "${DIFF[@]}" --figure $fig \
                --dpi 150 -o "$T/$fig.$run.$fmt"
        done
        check "$fig.$fmt: two runs byte-identical" -- cmp "$T/$fig.1.$fmt" "$T/$fig.2.$fmt"
    done
    check "$fig.svg is well-formed XML" -- xmllint --noout "$T/$fig.1.svg"
    check "$fig.svg has every class label as <text>" -- svg_has_labels "$T/$fig.1.svg" "$VIT/names.txt"
    check "$fig.svg names model A in a <text>" -- svg_text_has "$T/$fig.1.svg" "ViT-B/16"
    check "$fig.svg names model B in a <text>, escaped" -- \
        svg_text_has "$T/$fig.1.svg" "WordNet &lt;Wu-Palmer&gt;"
    check "$fig.svg gives both SDs" -- svg_text_has "$T/$fig.1.svg" "SD 8.77"
    check "$fig.pdf has fonts and no Type 3 font" -- no_type3 "$T/$fig.1.pdf"
    check "$fig.png carries 150 dpi in pHYs" -- test "$(png_dpi "$T/$fig.1.png")" = 150
    check "$fig.png carries provenance in tEXt" -- grep -aq "Software" "$T/$fig.1.png"
done
check "graph.dot is DOT with A's clusters" -- grep -q '^  subgraph "cluster_0"' "$T/graph.1.dot"
check "graph.dot marks shared, only-A and only-B edges" -- \
    sh -c "grep -q 'class=\"shared\"' '$T/graph.1.dot' && grep -q 'class=\"only-a\"' '$T/graph.1.dot' && grep -q 'class=\"only-b\"' '$T/graph.1.dot'"
check "graph.dot is valid DOT for Graphviz" -- sh -c "command -v dot >/dev/null || exit 0; dot -Tcanon '$T/graph.1.dot' >/dev/null"
check "tanglegram.svg reports the entanglement before and after" -- \
    grep -qE 'entanglement 0\.[0-9][0-9] → 0\.[0-9][0-9]' "$T/tanglegram.1.svg"

for theme in paper grayscale colorblind dark; do
    desc "diff --figure graph and tanglegram with --theme $theme"
    expect_ok -- "$BIN" "${DIFF[@]}" --figure graph --theme $theme -o "$T/graph-$theme.svg"
    expect_ok -- "$BIN" "${DIFF[@]}" --figure tanglegram --theme $theme -o "$T/tangle-$theme.svg"
    check "graph-$theme.svg is well-formed" -- xmllint --noout "$T/graph-$theme.svg"
done

desc "a column-width tanglegram"
expect_ok -- "$BIN" "${DIFF[@]}" --figure tanglegram --size ieee-column -o "$T/tangle-col.svg"
check "tangle-col.svg is 252 pt wide" -- grep -q 'width="252.00pt"' "$T/tangle-col.svg"

expect_fail 2 "" -- "$BIN" "${DIFF[@]}" --figure tanglegram -o "$T/x.dot"
check "no tanglegram DOT left behind" -- test ! -e "$T/x.dot"

# ---------------------------------------------------------------- track plots
cat >"$T/models.txt" <<EOF
# three "models": the second and third share SD and accuracy (one spot)
similarity=$VIT/vitb_cosine.npy,confusion=$VIT/vitb_confusion.npy,name=ViT-B/16,accuracy=0.91
similarity=$VIT/wordnet_wup.npy,confusion=$VIT/vitb_confusion.npy,name=WordNet,accuracy=0.80
similarity=$VIT/wordnet_wup.npy,confusion=$VIT/vitb_confusion.npy,name=WordNet again,accuracy=0.80
EOF
desc "track --plots as SVG"
expect_ok -- "$BIN" track -q -l "$VIT/wnids.txt" --plots "$T/plots" -o "$T/table.csv" "$T/models.txt"
for f in "$T"/plots/*.svg; do
    check "$(basename "$f") is well-formed" -- xmllint --noout "$f"
    check "$(basename "$f") labels every model" -- \
        sh -c "grep -qF '>ViT-B/16</text>' '$f' && grep -qF '>WordNet</text>' '$f' && grep -qF '>WordNet again</text>' '$f'"
done
check "track wrote the SD-against-accuracy plot" -- test -s "$T/plots/sd-vs-accuracy.svg"
desc "track --plots as PDF"
SOURCE_DATE_EPOCH=1700000000 expect_ok -- "$BIN" track -q -l "$VIT/wnids.txt" --plots "$T/pdf" -T pdf \
    -o "$T/table2.csv" "$T/models.txt"
check "sd-vs-accuracy.pdf has no Type 3 font" -- no_type3 "$T/pdf/sd-vs-accuracy.pdf"

summary
