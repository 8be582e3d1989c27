#!/bin/sh
# How docs/figures/graph.*, dendrogram.* and heatmap.* (the figures README.md
# shows) were made: 'simdepth render --figure all' of the bundled
# Fashion-MNIST sample with the default theme, SVG and PNG at 110 dpi, run
# from the top of the source tree so that the files' provenance names
# relative paths.
#
# Usage (from the source tree, after 'make'):
#   SIMDEPTH=./simdepth docs/figures/make.sh
set -eu
SIMDEPTH=${SIMDEPTH:-simdepth}
OUT=docs/figures
T=$(mktemp -d "${TMPDIR:-/tmp}/sample-fig.XXXXXX")
trap 'rm -rf "$T"' EXIT
SIMDEPTH_THEME_PATH=themes "$SIMDEPTH" render -q \
    -w samples/fashion-mnist/weights.npy -l samples/fashion-mnist/labels.txt \
    -c samples/fashion-mnist/confusion.csv --figure all -T svg,png --dpi 110 -o "$T"
for f in graph dendrogram heatmap; do
    cp "$T/$f.svg" "$T/$f.png" "$OUT/"
done
