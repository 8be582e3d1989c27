#!/bin/sh
# How docs/figures/diff-graph.png and tanglegram.png (shown in README.md)
# were made: 'simdepth diff --figure' of the authors' ViT-B/16 models,
# trained (vitb_cosine.npy) and at initialisation (vitb_init_cosine.npy),
# from ../shared/data/mini-imagenet-vitb, default theme.
#
# Usage (from the source tree, after 'make'):
#   SIMDEPTH=./simdepth docs/figures/diff-make.sh [SHARED_DATA_DIR]
set -eu
SIMDEPTH=${SIMDEPTH:-simdepth}
V=${1:-../shared/data}/mini-imagenet-vitb
OUT=docs/figures
T=$(mktemp -d "${TMPDIR:-/tmp}/diff-fig.XXXXXX")
trap 'rm -rf "$T"' EXIT
# The initial model's file has NaN on its diagonal; the analysis sets the
# diagonal to 1 anyway, as the reference code does.
/usr/bin/python3 -c "import numpy as np, sys; s = np.load(sys.argv[1]); np.fill_diagonal(s, 1); np.save(sys.argv[2], s)" \
    "$V/vitb_init_cosine.npy" "$T/init.npy"
A="similarity=$V/vitb_cosine.npy,name=ViT-B/16 trained"
B="similarity=$T/init.npy,name=ViT-B/16 at initialisation"
SIMDEPTH_THEME_PATH=themes "$SIMDEPTH" diff -q -l "$V/wnids.txt" --figure graph --dpi 110 \
    -o "$OUT/diff-graph.png" "$A" "$B"
SIMDEPTH_THEME_PATH=themes "$SIMDEPTH" diff -q -l "$V/wnids.txt" --figure tanglegram --dpi 150 \
    -o "$OUT/tanglegram.png" "$A" "$B"
