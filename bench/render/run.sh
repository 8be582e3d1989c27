#!/bin/bash
# simdepth — rendering benchmark (by hand, not a test): a 1,000-class
# semantic graph and heatmap on a synthetic similarity matrix.
#
#   bench/render/run.sh [SIMDEPTH_BIN] [N]
#
# Makes N (default 1000) random class templates in 40 groups with Debian's
# python3-numpy, takes the first N noun synsets of WordNet's data.noun as
# labels, and times each figure. Results go to bench/render/README.md by hand.
set -eu
BIN=${1:-./simdepth}
N=${2:-1000}
WN=${WNSEARCHDIR:-/usr/share/wordnet}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/simdepth-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp/sim.npy" "$N" <<'PY'
import sys
import numpy as np
path, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
centres = rng.normal(size=(40, 64))
t = centres[rng.integers(0, 40, n)] + 0.8 * rng.normal(size=(n, 64))
t /= np.linalg.norm(t, axis=1, keepdims=True)
np.save(path, (t @ t.T).astype(np.float32))
PY
grep -v '^ ' "$WN/data.noun" | awk '{print "n" $1}' | head -n "$N" >"$tmp/labels.txt"

# Wall-clock and CPU (user + system) time: on a shared machine the wall
# clock also counts other jobs, the CPU time does not.
run() {
    local name=$1 t
    shift
    t=$( { TIMEFORMAT='%R %U %S'; time "$BIN" render -s "$tmp/sim.npy" -l "$tmp/labels.txt" \
        -q "$@" >/dev/null; } 2>&1 | tail -n 1)
    printf '%-40s wall %6.2f s  cpu %6.2f s  %s\n' "$name" "${t%% *}" \
        "$(echo "$t" | awk '{print $2 + $3}')" "$(du -h "${@: -1}" 2>/dev/null | cut -f1)"
}

run "analysis only (graph as DOT)" -o "$tmp/g.dot"
run "graph SVG (auto: sfdp)" -o "$tmp/g.svg"
run "graph PNG 150 dpi (sfdp)" --dpi 150 -o "$tmp/g.png"
# fdp with cluster boxes at 1,000 classes ran past 9 minutes: not timed
# run "graph SVG (fdp, clusters)" --layout fdp -o "$tmp/gf.svg"
run "heatmap SVG (raster body)" --figure heatmap -o "$tmp/h.svg"
run "heatmap PDF (raster body)" --figure heatmap -o "$tmp/h.pdf"
run "heatmap PNG 300 dpi" --figure heatmap -o "$tmp/h.png"
run "dendrogram PDF" --figure dendrogram -o "$tmp/d.pdf"
