#!/bin/bash
# simdepth — CLI tests of 'simdepth render': every figure in every format
# from the bundled Fashion-MNIST sample and from the real 100-class
# Mini-ImageNet ViT-B data; SVG well-formed with every class label as text;
# no Type 3 font in any PDF; PNG resolution in pHYs; DOT before layout equal
# to golden files; two runs byte-identical (SVG, DOT, PNG, and PDF with
# SOURCE_DATE_EPOCH); usage errors and exit statuses.
#
# Run by 'make check' (with SIMDEPTH_BIN and SIMDEPTH_TOP_SRCDIR set), or by
# hand:
#   SIMDEPTH_TOP_SRCDIR=/path/to/src SIMDEPTH_BIN=./simdepth \
#       /path/to/src/tests/cli/render.sh
# Writes only under a mktemp directory. Needs xmllint (libxml2-utils) and
# pdffonts (poppler-utils). Exit status: 0 all passed, 1 a check failed, 99
# the test itself cannot run.
set -u

here=$(cd "$(dirname "$0")" && pwd) || exit 99
# shellcheck source=lib.sh
. "$here/lib.sh"

BIN=${SIMDEPTH_BIN:-./simdepth}
SRC=${SIMDEPTH_TOP_SRCDIR:-$here/../..}
SHARED=${SIMDEPTH_SHARED_DATA:-$SRC/../shared/data}
SAMPLE=$SRC/samples/fashion-mnist
GOLDEN=$SRC/tests/data/render
VIT=$SHARED/mini-imagenet-vitb
T=$T_TMP

# The source tree's themes, whatever is installed.
SIMDEPTH_THEME_PATH=$SRC/themes
export SIMDEPTH_THEME_PATH

t_need_bin
for tool in xmllint pdffonts od; do
    if ! command -v $tool >/dev/null 2>&1; then
        echo "$tool is needed (Debian packages libxml2-utils, poppler-utils, coreutils)" >&2
        exit 99
    fi
done

FM=(-w "$SAMPLE/weights.npy" -l "$SAMPLE/labels.txt" -c "$SAMPLE/confusion.csv")

# png_dpi FILE: the horizontal resolution of a PNG's pHYs chunk in dots per
# inch (rounded), or nothing. The chunk is 4-byte length, "pHYs", x ppm,
# y ppm (big-endian), unit (1 = metre).
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

# png_text FILE KEY: the text of a tEXt chunk (crudely: the bytes after KEY\0).
png_has_text() {
    grep -aq "$2" "$1"
}

# svg_has_labels FILE LABELFILE: every readable name appears as <text>.
svg_has_labels() {
    local svg=$T/.svgtext names=$2 name missing=0
    # Graphviz writes '-' as a character reference
    sed 's/&#45;/-/g' "$1" >"$svg"
    while IFS= read -r name; do
        [ -z "$name" ] && continue
        case $name in
        n[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]\ *) name=${name#* } ;;
        esac
        name=${name//_/ }
        name=${name//&/&amp;}
        if ! grep -qiF ">$name</text>" "$svg"; then
            echo "missing label: $name" >&2
            missing=1
        fi
    done <"$names"
    return $missing
}

no_type3() {
    pdffonts "$1" >"$T/.fonts" 2>&1 || return 1
    [ "$(wc -l <"$T/.fonts")" -gt 2 ] || return 1 # at least one font listed
    ! grep -q "Type 3" "$T/.fonts"
}

# svg_aspect_within FILE LO HI: the SVG's width / height (in pt) is within
# [LO, HI].
svg_aspect_within() {
    awk -v lo="$2" -v hi="$3" '
        match($0, /<svg [^>]*width="[0-9.]+pt" height="[0-9.]+pt"/) {
            s = substr($0, RSTART, RLENGTH)
            sub(/.*width="/, "", s); w = s + 0
            sub(/^[0-9.]+pt" height="/, "", s); h = s + 0
            r = w / h
            printf "aspect %.2f (%s x %s pt)\n", r, w, h > "/dev/stderr"
            exit !(h > 0 && r >= lo && r <= hi)
        }
        END { if (!h) exit 1 }' "$1"
}

# svg_min_font_at_least FILE PT: every font-size in the SVG is >= PT (and
# nothing scales them: no transform="scale(...)", so sizes are as printed).
svg_min_font_at_least() {
    ! grep -q 'scale(' "$1" || return 1
    grep -o 'font-size="[0-9.]*"' "$1" | tr -dc '0-9.\n' | sort -g | head -n 1 |
        awk -v pt="$2" '{ print "smallest font-size " $1 > "/dev/stderr"; ok = $1 >= pt }
                        END { exit !(NR == 1 && ok) }'
}

# svg_labels_over_edges FILE: every edge-label group comes after every edge
# group, and each starts with a filled patch (path or rect) before its text,
# so that no edge can be drawn across a label.
svg_labels_over_edges() {
    awk '
        /<g id="edge-label-/ { nl++; if (!first_label) first_label = NR; inlab = 1; patch = 0; next }
        /<g id="edge-/ { last_edge = NR; next }
        inlab && /<(path|rect) / && !/fill="none"/ { patch = 1 }
        inlab && /<text/ { if (!patch) bad++; inlab = 0 }
        END {
            printf "%d labels; last edge line %d, first label line %d; %d without a patch\n",
                nl, last_edge, first_label, bad > "/dev/stderr"
            exit !(nl > 0 && last_edge > 0 && last_edge < first_label && bad == 0)
        }' "$1"
}

# ------------------------------------------------------------------ usage
desc "render --help exits 0"
expect_ok -- "$BIN" render --help
check "render --help prints the usage" -- grep -q '^Usage: simdepth render' "$T_OUT"

expect_fail 2 "missing --output" -- "$BIN" render "${FM[@]}"
expect_fail 2 "--figure 'tree'" -- "$BIN" render "${FM[@]}" --figure tree -o "$T/x.svg"
expect_fail 2 "cannot tell the format" -- "$BIN" render "${FM[@]}" -o "$T/x.jpg"
expect_fail 2 "needs -T" -- "$BIN" render "${FM[@]}" -o -
expect_fail 2 "DOT exists for the graph only" -- "$BIN" render "${FM[@]}" --figure heatmap -o "$T/x.dot"
expect_fail 2 "length '3.5'" -- "$BIN" render "${FM[@]}" --width 3.5 -o "$T/x.svg"
expect_fail 2 "unknown size preset" -- "$BIN" render "${FM[@]}" --size ieee -o "$T/x.svg"
expect_fail 2 "no theme 'nosuch'" -- "$BIN" render "${FM[@]}" --theme nosuch -o "$T/x.svg"
expect_fail 2 "--linkage 'fast'" -- "$BIN" render "${FM[@]}" --figure dendrogram --linkage fast -o "$T/x.svg"
printf 'font-size = 8\nfontsize = 9\n' >"$T/typo.theme"
expect_fail 2 "typo.theme:2: unknown key 'fontsize'" -- "$BIN" render "${FM[@]}" --theme "$T/typo.theme" -o "$T/x.svg"
check "no output left after failures" -- test ! -e "$T/x.svg"
expect_fail 1 "" -- "$BIN" render "${FM[@]}" -o "$T/no/such/dir/x.svg"

# ------------------------------------------------- every figure, every format
# render_all NAME ARGS...: --figure all into $T/NAME in svg, pdf, png, dot.
render_all() {
    local name=$1
    shift
    desc "$name: every figure in svg, pdf, png and dot"
    SOURCE_DATE_EPOCH=1700000000 expect_ok -- "$BIN" render "$@" --figure all -T svg,pdf,png,dot \
        --dpi 150 -q -o "$T/$name"
}

# check_outputs NAME LABELS
check_outputs() {
    local name=$1 labels=$2 f
    for f in graph dendrogram heatmap; do
        check "$name/$f.svg is well-formed XML" -- xmllint --noout "$T/$name/$f.svg"
        check "$name/$f.svg has every class label as <text>" -- svg_has_labels "$T/$name/$f.svg" "$labels"
        check "$name/$f.pdf has fonts and no Type 3 font" -- no_type3 "$T/$name/$f.pdf"
        check "$name/$f.png carries 150 dpi in pHYs" -- test "$(png_dpi "$T/$name/$f.png")" = 150
        check "$name/$f.png carries provenance in tEXt" -- png_has_text "$T/$name/$f.png" "Software"
    done
    check "$name/graph.svg has tooltips" -- grep -q '<g id="class[0-9]*"><title>' "$T/$name/graph.svg"
    check "$name/graph.svg draws every edge label after every edge, on a patch" -- \
        svg_labels_over_edges "$T/$name/graph.svg"
    check "$name: no dendrogram.dot" -- test ! -e "$T/$name/dendrogram.dot"
}

render_all fm "${FM[@]}"
check_outputs fm "$SAMPLE/labels.txt"
check "fm/graph.dot equals the golden file" -- cmp "$T/fm/graph.dot" "$GOLDEN/fashion-mnist.dot"

if [ -r "$VIT/vitb_cosine.npy" ]; then
    VITARGS=(-s "$VIT/vitb_cosine.npy" -l "$VIT/wnids.txt" -c "$VIT/vitb_confusion.npy")
    render_all vit "${VITARGS[@]}"
    check_outputs vit "$VIT/names.txt"
    check "vit/graph.dot equals the golden file" -- cmp "$T/vit/graph.dot" "$GOLDEN/mini-imagenet-vitb.dot"
    # the clusters packed into rows: a page-like figure, not a strip (it was
    # 4.6:1 with dot's one row of clusters)
    check "vit/graph.svg aspect ratio within 1:1 .. 2:1" -- svg_aspect_within "$T/vit/graph.svg" 1.0 2.0
    # 100 classes cannot keep 6 pt text in one column (nor a page width):
    # a clear refusal that names the way out, and no file
    expect_fail 2 "does not fit 3.5in x 9.0in with text of at least 6 pt" -- \
        "$BIN" render "${VITARGS[@]}" -q --size ieee-column -o "$T/vit-col.svg"
    check "vit: the refusal points to --per-cluster" -- grep -q -- '--per-cluster DIR' "$T_ERR"
    check "vit: no column-width file after the refusal" -- test ! -e "$T/vit-col.svg"
    desc "vit: a per-cluster graph at column width"
    expect_ok -- "$BIN" render "${VITARGS[@]}" -q --size ieee-column --per-cluster "$T/vit-col-clusters"
    for f in "$T"/vit-col-clusters/cluster-0[0-4].svg; do
        check "vit: $(basename "$f") at column width keeps text >= 6 pt" -- svg_min_font_at_least "$f" 6
    done
    desc "vit: a graph per cluster"
    expect_ok -- "$BIN" render "${VITARGS[@]}" -q --per-cluster "$T/vit-clusters" -o "$T/vit-g.svg"
    check "vit: 18 per-cluster graphs" -- test "$(find "$T/vit-clusters" -name 'cluster-*.svg' | wc -l)" = 18
    check "vit: per-cluster SVG is well-formed" -- xmllint --noout "$T/vit-clusters/cluster-00.svg"
else
    skip "Mini-ImageNet ViT-B figures" "no shared data at $VIT"
fi

# ------------------------------------------------------------- determinism
desc "second run of every figure"
SOURCE_DATE_EPOCH=1700000000 expect_ok -- "$BIN" render "${FM[@]}" --figure all -T svg,pdf,png,dot \
    --dpi 150 -q -o "$T/fm2"
for f in graph.svg graph.dot graph.pdf graph.png dendrogram.svg dendrogram.pdf dendrogram.png \
    heatmap.svg heatmap.pdf heatmap.png; do
    check "two runs give the same $f" -- cmp "$T/fm/$f" "$T/fm2/$f"
done
check "PDF dates come from SOURCE_DATE_EPOCH" -- grep -aqE "CreationDate \((D:)?20231114" "$T/fm/graph.pdf"

# ------------------------------------------------------- options and themes
for theme in default paper dark colorblind grayscale; do
    desc "heatmap with --theme $theme"
    expect_ok -- "$BIN" render "${FM[@]}" --figure heatmap --theme "$theme" -o "$T/h-$theme.svg"
done
check "themes differ" -- sh -c "! cmp -s '$T/h-default.svg' '$T/h-dark.svg'"
desc "dendrogram, top orientation, cut, node labels, column width"
expect_ok -- "$BIN" render "${FM[@]}" --figure dendrogram --orientation top --cut 4 \
    --node-labels --size ieee-column -o "$T/d.pdf"
check "column-width PDF is 252pt wide" -- sh -c "pdfinfo '$T/d.pdf' 2>/dev/null | grep -q 'Page size: *252 x' || ! command -v pdfinfo >/dev/null"
desc "heatmap lower triangle, raster body, 8.9cm wide PNG at 600 dpi"
expect_ok -- "$BIN" render "${FM[@]}" --figure heatmap --lower-triangle --raster yes \
    --width 8.9cm --dpi 600 -o "$T/h.png"
check "600 dpi in pHYs" -- test "$(png_dpi "$T/h.png")" = 600
desc "graph at column width: trees left to right, legend wrapped"
expect_ok -- "$BIN" render "${FM[@]}" --size ieee-column -o "$T/g-col.dot"
check "column-width DOT lays trees out left to right" -- grep -q 'rankdir=LR' "$T/g-col.dot"
check "column-width DOT wraps the legend title" -- grep -q 'graph</FONT><BR ALIGN="LEFT"/>10 classes' "$T/g-col.dot"
desc "graph at column width as SVG"
expect_ok -- "$BIN" render "${FM[@]}" --size ieee-column -o "$T/g-col.svg"
check "column-width graph is 252pt wide" -- grep -q 'width="252.00pt"' "$T/g-col.svg"
check "column-width graph keeps every text >= 6 pt" -- svg_min_font_at_least "$T/g-col.svg" 6
check "column-width graph has every class label as <text>" -- svg_has_labels "$T/g-col.svg" "$SAMPLE/labels.txt"
desc "heatmap with the confusion matrix at column width"
expect_ok -- "$BIN" render "${FM[@]}" --figure heatmap --size ieee-column -o "$T/h-col.svg"
check "column-width heatmap stacks the confusion matrix" -- grep -q 'dendrogram-confusion' "$T/h-col.svg"
check "column-width heatmap is 252pt wide" -- grep -q 'width="252.00pt"' "$T/h-col.svg"
desc "graph on standard output"
expect_ok -- "$BIN" render "${FM[@]}" -T dot -o -
check "DOT on standard output equals the golden file" -- cmp "$T_OUT" "$GOLDEN/fashion-mnist.dot"
for layout in dot neato fdp sfdp; do
    desc "graph with --layout $layout"
    expect_ok -- "$BIN" render "${FM[@]}" --layout "$layout" --top-errors 2 -o "$T/g-$layout.svg"
done

summary
