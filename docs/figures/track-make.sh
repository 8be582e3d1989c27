#!/bin/sh
# How docs/figures/track-sd-compliance.png and track-sd-epochs.png were made.
#
# They show 'simdepth track --plots' on six stand-in "checkpoints": NOT real
# training checkpoints but similarity matrices interpolated between the
# authors' ViT-B/16 at initialisation (t = 0, diagonal set to 1 as their
# golden files do) and trained (t = 1):  S_t = (1 - t) S_init + t S_trained,
# t = 0, 0.2, ..., 1, each analysed with the trained model's confusion
# matrix (so compliance varies only through the perceived graph).
#
# Usage (from the source tree, after 'make'):
#   SIMDEPTH=./simdepth docs/figures/track-make.sh [SHARED_DATA_DIR]
# Needs python3 with numpy (Debian: /usr/bin/python3 + python3-numpy).
set -eu
SIMDEPTH=${SIMDEPTH:-simdepth}
PY=${PYTHON:-/usr/bin/python3}
DATA=${1:-../shared/data}/mini-imagenet-vitb
OUT=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/track-fig.XXXXXX")
trap 'rm -rf "$T"' EXIT

"$PY" - "$DATA" "$T" <<'PYEOF'
import sys
import numpy as np
data, tmp = sys.argv[1], sys.argv[2]
init = np.load(data + "/vitb_init_cosine.npy").astype(np.float64)
np.fill_diagonal(init, 1.0)
trained = np.load(data + "/vitb_cosine.npy").astype(np.float64)
for k in range(6):
    t = k / 5
    np.save("%s/s%d.npy" % (tmp, k), (1 - t) * init + t * trained)
PYEOF

: >"$T/models.txt"
for k in 0 1 2 3 4 5; do
    case $k in
    0) name="t=0 (init)" ;;
    5) name="t=1 (trained)" ;;
    *) name="t=0.$((2 * k))" ;;
    esac
    echo "similarity=$T/s$k.npy,confusion=$DATA/vitb_confusion.npy,name=$name,epoch=$k" >>"$T/models.txt"
done
"$SIMDEPTH" track -q -l "$DATA/wnids.txt" --plots "$T/plots" -T png --dpi 110 \
    -o "$T/table.csv" "$T/models.txt"
ls "$T/plots" >&2
cp "$T/plots/sd-vs-extended-confusion-explained.png" "$OUT/track-sd-compliance.png"
if [ -e "$T/plots/sd-over-epochs.png" ]; then
    cp "$T/plots/sd-over-epochs.png" "$OUT/track-sd-epochs.png"
fi
