#!/usr/bin/python3
"""Golden files for tests/test_linkage.c (suite "linkage").

How to run (from the repository root; Debian 12's own Python, not a pyenv one,
because it needs Debian's python3-scipy 1.10.1 and python3-numpy 1.24.2):

    /usr/bin/python3 tests/data/linkage/gen_golden.py

CI does not run this script; its outputs are committed. It rewrites every
<case>.npy, <case>.expected and newick/*.nwk in this directory and is
deterministic (fixed seeds), so rerunning it on the same package versions
gives identical files. The real 100-class matrices are read from
../shared/data/mini-imagenet-vitb (never copied here); set
SIMDEPTH_SHARED_DATA to read them from elsewhere.

How every output is produced:
  <case>.npy       the condensed distances y (a 1 x m array, SciPy's
                   squareform order; float64 except cos80f32, float32),
                   built by the make_* function named in CASES. The real
                   cases have no .npy: their y is 1 - S[i][j] (i < j) of
                   the shared similarity S converted to float64 (the
                   diagonal, NaN in vitb_init_cosine, is never read).
  <case>.expected  for each of the seven methods, what SciPy 1.10.1 gives
                   on y converted to float64:
                     Z ...      scipy.cluster.hierarchy.linkage(y, method),
                                one row per line (ids and counts as integers,
                                heights as repr(), which reads back exactly);
                     coph       cophenet(Z, y)[0] (repr, or "nan");
                     leaves     leaves_list(Z);
                     olo        leaves_list(optimal_leaf_ordering(Z, y));
                     maxclust K fcluster(Z, K, 'maxclust') for K = 2, 5, 10
                                (SciPy's 1-based labels; left out for n = 2,
                                where SciPy 1.10.1 reads past its array);
                     distance T fcluster(Z, T, 'distance') for T = 0, the
                                heights of rows (n-1)//4 and (n-1)//2 (exact
                                heights, to exercise "<="), the midpoint of
                                rows 3(n-1)//4 and the next, and max + 1.
                   For the case with negative distances only Z is given
                   ("derived invalid"): SciPy's cophenet, fcluster,
                   leaves_list and optimal_leaf_ordering refuse a linkage
                   with negative heights, and so must simdepth.
  newick/<case>.<method>.nwk
                   scipy.cluster.hierarchy.to_tree(Z) written as Newick by
                   newick() below: children left then right, branch length
                   = parent.dist - child.dist written as the shortest of
                   %.15g, %.16g, %.17g that reads back exactly, no length
                   on the root; leaf labels are the class names of
                   names.txt (real cases) or the item index, bare when made
                   of printable ASCII other than blank and ( ) [ ] ' : ; , _
                   and quoted ('...', quotes doubled) otherwise.

Format of <case>.expected: '#' comments, then one `key value...` per line;
"method M" starts each method's block.
"""

import os
import sys

import numpy as np
import scipy
from scipy.cluster import hierarchy as H
from scipy.spatial.distance import pdist

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
SHARED = os.environ.get("SIMDEPTH_SHARED_DATA") or os.path.join(
    TOP, "..", "shared", "data")
METHODS = ["single", "complete", "average", "weighted", "centroid", "median",
           "ward"]
NEWICK_SYNTHETIC = {"rand10": METHODS, "ties30": ["single", "average"],
                    "euclid50": ["centroid", "median"]}


def condensed_uniform(n, seed):
    return np.random.default_rng(seed).random(n * (n - 1) // 2)


def make_n2():
    """n = 2: one pair."""
    return np.array([0.5])


def make_n3():
    """n = 3 with a tie: d(0,1) = d(1,2) = 0.3, d(0,2) = 0.7."""
    return np.array([0.3, 0.7, 0.3])


def make_rand10():
    """n = 10, uniform [0, 1) distances (seed 10)."""
    return condensed_uniform(10, 10)


def make_rand50():
    """n = 50, uniform [0, 1) distances (seed 50)."""
    return condensed_uniform(50, 50)


def make_rand200():
    """n = 200, uniform [0, 1) distances (seed 200)."""
    return condensed_uniform(200, 200)


def make_ties60():
    """n = 60, distances on the grid {0.25, 0.5, 0.75, 1}: exact ties everywhere (seed 60)."""
    rng = np.random.default_rng(60)
    return rng.integers(1, 5, 60 * 59 // 2).astype(float) / 4.0


def make_ties30():
    """n = 30, distances 1 or 2 only (seed 30)."""
    rng = np.random.default_rng(30)
    return rng.integers(1, 3, 30 * 29 // 2).astype(float)


def make_dups40():
    """n = 40 points on a 3 x 3 integer grid: duplicate rows, zero distances (seed 40)."""
    rng = np.random.default_rng(40)
    return pdist(rng.integers(0, 3, (40, 2)).astype(float))


def make_euclid50():
    """n = 50 Gaussian points in 3-D, Euclidean distances: centroid/median inversions (seed 51)."""
    rng = np.random.default_rng(51)
    return pdist(rng.normal(size=(50, 3)))


def make_cos80f32():
    """n = 80, float32: 1 - cosine of 80 Gaussian templates of dimension 32, all in float32 (seed 80)."""
    rng = np.random.default_rng(80)
    w = rng.normal(size=(80, 32)).astype(np.float32)
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    s = w @ w.T
    y = np.float32(1) - s[np.triu_indices(80, 1)]
    return np.maximum(y, np.float32(0))


def make_neg4():
    """n = 4 with negative distances: SciPy accepts them; its Z has negative heights."""
    return np.array([1.0, -2.0, 3.0, -1.0, 2.0, 0.5])


def shared_matrix(name):
    def make():
        s = np.load(os.path.join(SHARED, "mini-imagenet-vitb", name))
        n = s.shape[0]
        off = s[np.triu_indices(n, 1)].astype(np.float64)
        assert np.array_equal(s[np.triu_indices(n, 1)], s.T[np.triu_indices(n, 1)])
        assert off.max() <= 1.0
        return 1.0 - off
    make.__doc__ = ("shared mini-imagenet-vitb/%s: y = 1 - S (i < j) in float64"
                    % name)
    return make


CASES = [
    ("n2", make_n2, None),
    ("n3", make_n3, None),
    ("rand10", make_rand10, None),
    ("rand50", make_rand50, None),
    ("rand200", make_rand200, None),
    ("ties60", make_ties60, None),
    ("ties30", make_ties30, None),
    ("dups40", make_dups40, None),
    ("euclid50", make_euclid50, None),
    ("cos80f32", make_cos80f32, None),
    ("neg4", make_neg4, None),
    ("vitb_cosine", shared_matrix("vitb_cosine.npy"), "vitb_cosine.npy"),
    ("vitb_init_cosine", shared_matrix("vitb_init_cosine.npy"),
     "vitb_init_cosine.npy"),
    ("wordnet_wup", shared_matrix("wordnet_wup.npy"), "wordnet_wup.npy"),
]


def fmt_len(v):
    for prec in (15, 16, 17):
        s = "%.*g" % (prec, v)
        if float(s) == v:
            return s
    raise AssertionError(v)


def label(s):
    if s and all(0x20 < ord(c) < 0x7F and c not in "()[]':;,_" for c in s):
        return s
    return "'" + s.replace("'", "''") + "'"


def newick(Z, names):
    out = []

    def walk(node, parent_dist):
        if node.is_leaf():
            out.append(label(names[node.id]))
        else:
            out.append("(")
            walk(node.get_left(), node.dist)
            out.append(",")
            walk(node.get_right(), node.dist)
            out.append(")")
        if parent_dist is not None:
            out.append(":" + fmt_len(parent_dist - node.dist))

    sys.setrecursionlimit(10000)
    walk(H.to_tree(Z), None)
    return "".join(out) + ";"


def thresholds(Z):
    h = Z[:, 2]
    m = len(h)
    q3 = 3 * m // 4
    t = [0.0, h[m // 4], h[m // 2]]
    if q3 + 1 < m:
        t.append((h[q3] + h[q3 + 1]) / 2.0)
    t.append(float(h.max()) + 1.0)
    out = []
    for v in t:
        if float(v) not in out:
            out.append(float(v))
    return out


def write_case(name, make, real):
    y_in = make()
    y = y_in.astype(np.float64)
    n = int(round((1 + np.sqrt(1 + 8 * len(y))) / 2))
    assert n * (n - 1) // 2 == len(y)
    if not real:
        np.save(os.path.join(HERE, name + ".npy"), y_in.reshape(1, -1))
    names = [str(i) for i in range(n)]
    if real:
        with open(os.path.join(SHARED, "mini-imagenet-vitb", "names.txt")) as f:
            names = [line.rstrip("\n") for line in f]
        assert len(names) == n
    lines = [
        "# Golden output of SciPy's scipy.cluster.hierarchy for "
        "tests/test_linkage.c.",
        "# Written by tests/data/linkage/gen_golden.py; do not edit.",
        "# case %s: %s" % (name, " ".join(make.__doc__.split())),
        "scipy %s" % scipy.__version__,
        "numpy %s" % np.__version__,
        "n %d" % n,
        "input %s" % ("shared mini-imagenet-vitb/" + real if real
                      else name + ".npy"),
    ]
    for method in METHODS:
        Z = H.linkage(y, method)
        lines.append("method %s" % method)
        for a, b, h, c in Z:
            lines.append("Z %d %d %r %d" % (a, b, float(h), c))
        if (Z[:, 2] < 0).any():
            lines.append("derived invalid")
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            c = H.cophenet(Z, y)[0]  # nan when a side is constant, as n = 2
        lines.append("coph %s" % (repr(float(c)) if np.isfinite(c) else "nan"))
        lines.append("leaves " + " ".join(map(str, H.leaves_list(Z))))
        Zo = H.optimal_leaf_ordering(Z, y)
        lines.append("olo " + " ".join(map(str, H.leaves_list(Zo))))
        if n > 2:
            for k in (2, 5, 10):
                lines.append("maxclust %d " % k + " ".join(
                    map(str, H.fcluster(Z, k, criterion="maxclust"))))
        for t in thresholds(Z):
            lines.append("distance %r " % t + " ".join(
                map(str, H.fcluster(Z, t, criterion="distance"))))
        if real or method in NEWICK_SYNTHETIC.get(name, []):
            os.makedirs(os.path.join(HERE, "newick"), exist_ok=True)
            with open(os.path.join(HERE, "newick", "%s.%s.nwk" % (name, method)),
                      "w") as f:
                f.write(newick(Z, names) + "\n")
    with open(os.path.join(HERE, name + ".expected"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    for name, make, real in CASES:
        write_case(name, make, real)
    print("wrote %d cases with scipy %s, numpy %s" %
          (len(CASES), scipy.__version__, np.__version__))


if __name__ == "__main__":
    main()
