#!/bin/sh
# How docs/figures/diff-graph.png and tanglegram.png (shown in README.md)
# were made: 'simdepth diff --figure' of the authors' ViT-B/16 models,
# trained (vitb_cosine.npy) and at initialisation (vitb_init_cosine.npy,
# whose NaN diagonal simdepth sets to 1),
# from ../shared/data/mini-imagenet-vitb, default theme.
#
# Usage (from the source tree, after 'make'):
#   SIMDEPTH=./simdepth docs/figures/diff-make.sh [SHARED_DATA_DIR]
set -eu
SIMDEPTH=${SIMDEPTH:-simdepth}
V=${1:-../shared/data}/mini-imagenet-vitb
OUT=docs/figures
A="similarity=$V/vitb_cosine.npy,name=ViT-B/16 trained"
B="similarity=$V/vitb_init_cosine.npy,name=ViT-B/16 at initialisation"
SIMDEPTH_THEME_PATH=themes "$SIMDEPTH" diff -q -l "$V/wnids.txt" --figure graph --dpi 110 \
    -o "$OUT/diff-graph.png" "$A" "$B"
SIMDEPTH_THEME_PATH=themes "$SIMDEPTH" diff -q -l "$V/wnids.txt" --figure tanglegram --dpi 150 \
    -o "$OUT/tanglegram.png" "$A" "$B"
