#!/usr/bin/python3
"""Golden files for the float32 ("--precision single") path of 'simdepth tree -w'
(tests/cli/tree.sh) and of simdepth_linkage_condensed_from_templates()
(tests/test_linkage.c).

How to run (from the repository root; Debian 12's own Python, because it
needs Debian's python3-scipy 1.10.1 and python3-numpy 1.24.2):

    /usr/bin/python3 tests/data/linkage/gen_templates.py

CI does not run this script; its outputs are committed. It is deterministic
(a fixed seed), so a rerun on the same package versions rewrites identical
bytes.

Outputs:
  templates100.npy       100 x 64 float32 class templates: 5 groups of 4
                         subgroups of 5 classes; a template is its group's
                         random direction + 0.6 x its subgroup's + 0.5 x its
                         own (standard normal vectors), so the tree has clear
                         levels. One per class of
                         ../shared/data/mini-imagenet-vitb/wnids.txt (the
                         labels the tests pass; never copied here).
  templates100.expected  what SciPy 1.10.1 returns on the distances that a
                         SciPy user (and bench/scale/baseline.py) computes
                         from these templates: NumPy's float32 cosine
                         (rows divided by their norm, then U @ U.T), the
                         paper's min-max scaling of the whole matrix in
                         float32 with the diagonal set to 1, then
                         y = squareform(1 - S.astype(float64), checks=False).
                         For each method, "method M", then the rows of
                         scipy.cluster.hierarchy.linkage(y, M) as
                         "Z a b h c" (heights as repr(), exact), and for
                         average linkage "coph c" = cophenet(Z, y)[0]. The
                         format of the other <case>.expected files here, so
                         the same readers apply.
"""

import os

import numpy as np
import scipy
from scipy.cluster import hierarchy as H
from scipy.spatial.distance import squareform

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ["single", "complete", "average", "weighted", "centroid", "median",
           "ward"]


def templates():
    rng = np.random.default_rng(20261128)
    dims = 64
    rows = []
    for g in range(5):
        gv = rng.standard_normal(dims)
        for s in range(4):
            sv = rng.standard_normal(dims)
            for _ in range(5):
                rows.append(gv + 0.6 * sv + 0.5 * rng.standard_normal(dims))
    return np.asarray(rows, dtype=np.float32)


def distances(w):
    u = w / np.linalg.norm(w, axis=1, keepdims=True)
    s = u @ u.T
    s = (s - np.min(s)) / (np.max(s) - np.min(s))
    np.fill_diagonal(s, 1)
    return squareform(1.0 - s.astype(np.float64), checks=False)


def main():
    w = templates()
    np.save(os.path.join(HERE, "templates100.npy"), w)
    y = distances(w)
    with open(os.path.join(HERE, "templates100.expected"), "w") as f:
        f.write("# written by tests/data/linkage/gen_templates.py (SciPy %s, NumPy %s)\n"
                % (scipy.__version__, np.__version__))
        f.write("# distances: 1 - minmax(cosine(templates100.npy)) as NumPy computes them "
                "in float32, then float64\n")
        for m in METHODS:
            z = H.linkage(y, m)
            f.write("method %s\n" % m)
            for a, b, h, c in z:
                f.write("Z %d %d %r %d\n" % (int(a), int(b), float(h), int(c)))
            if m == "average":
                f.write("coph %r\n" % float(H.cophenet(z, y)[0]))


if __name__ == "__main__":
    main()
