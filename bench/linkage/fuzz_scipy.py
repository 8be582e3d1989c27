#!/usr/bin/python3
"""Randomised comparison of simdepth's linkage with SciPy's (run by hand).

    /usr/bin/python3 bench/linkage/fuzz_scipy.py LKDRIVER [CASES] [SEED]

LKDRIVER is the compiled bench/linkage/lkdriver (see README.md). For CASES
random inputs (default 300) of several kinds -- uniform distances, distances
on a coarse grid (many exact ties), duplicated points (zero distances),
Euclidean distances of random points, 1 - cosine of random templates, and
float32 inputs -- and every method, it checks that simdepth's linkage
matrix equals scipy.cluster.hierarchy.linkage's bit for bit (float64
input), and that the cophenetic correlation, leaves_list,
optimal_leaf_ordering leaves and fcluster (maxclust k = 1, 2, 3, 5, 10, n;
distance at 0, at every third height, and above the root) are identical.
With float32 input it checks single and complete bit for bit against SciPy
on the float32 values converted to float64, and the other methods' heights
to 1e-5 relative where the merges agree.
Needs Debian's python3-scipy 1.10.1 and python3-numpy (use /usr/bin/python3).
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import scipy
from scipy.cluster import hierarchy as H
from scipy.spatial.distance import pdist

METHODS = ["single", "complete", "average", "weighted", "centroid", "median",
           "ward"]


def make(rng, kind, n):
    m = n * (n - 1) // 2
    if kind == "uniform":
        return rng.random(m)
    if kind == "grid":
        return rng.integers(0, rng.integers(2, 6), m).astype(float) / 4.0
    if kind == "dups":
        pts = rng.integers(0, 4, (n, 2)).astype(float)
        return pdist(pts)
    if kind == "euclid":
        return pdist(rng.normal(size=(n, 3)))
    if kind == "cosine":
        w = rng.normal(size=(n, 16))
        w /= np.linalg.norm(w, axis=1, keepdims=True)
        s = w @ w.T
        return np.clip(1.0 - s[np.triu_indices(n, 1)], 0, None)
    raise ValueError(kind)


def derive_expected(Z, y, n):
    c = H.cophenet(Z, y)[0]
    lines = ["coph %r" % float(c) if np.isfinite(c) else "coph nan"]
    lines.append("leaves " + " ".join(map(str, H.leaves_list(Z))))
    lines.append("olo " + " ".join(map(str, H.leaves_list(
        H.optimal_leaf_ordering(Z, y)))))
    # n = 2: SciPy 1.10.1's maxclust reads past its array (undefined)
    ks = [] if n == 2 else sorted(set([1, 2, 3, 5, 10, max(1, n - 2),
                                        max(1, n - 1), n, n + 3]))
    hs = sorted(set(Z[:, 2]))
    ts = [0.0] + hs[::3] + [float(Z[:, 2].max()) + 1.0]
    for k in ks:
        lines.append("maxclust %d " % k + " ".join(
            map(str, H.fcluster(Z, k, criterion="maxclust"))))
    for t in ts:
        lines.append("distance %r " % float(t) + " ".join(
            map(str, H.fcluster(Z, t, criterion="distance"))))
    return ks, ts, lines


def normalise(line):
    # the driver prints %.17g, Python repr; compare numerically
    head, _, rest = line.partition(" ")
    if head in ("coph",):
        return head, float(rest)
    if head == "distance":
        t, _, labels = rest.partition(" ")
        return head, float(t), labels
    return head, rest


def main():
    drv = sys.argv[1]
    cases = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    rng = np.random.default_rng(seed)
    kinds = ["uniform", "grid", "dups", "euclid", "cosine"]
    bad = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        yp = os.path.join(tmp, "y.npy")
        zp = os.path.join(tmp, "z.npy")
        for case in range(cases):
            kind = kinds[case % len(kinds)]
            n = int(rng.integers(2, 60 if case % 7 else 300))
            y = make(rng, kind, n)
            f32 = case % 11 == 10
            yin = y.astype(np.float32) if f32 else y
            np.save(yp, yin.reshape(1, -1))
            yref = yin.astype(np.float64)
            for method in METHODS:
                Zs = H.linkage(yref, method)
                r = subprocess.run([drv, "z", yp, method, zp],
                                   capture_output=True, text=True)
                checked += 1
                if r.returncode != 0:
                    if np.isnan(Zs[:, 2]).any():
                        continue  # SciPy's NaN heights (non-Euclidean input)
                    print("case %d %s n=%d %s: driver failed: %s" %
                          (case, kind, n, method, r.stderr.strip()))
                    bad += 1
                    continue
                Zc = np.load(zp)
                exact = not f32 or method in ("single", "complete")
                same_merges = np.array_equal(Zc[:, [0, 1, 3]], Zs[:, [0, 1, 3]])
                if exact:
                    ok = np.array_equal(Zc, Zs, equal_nan=True)
                else:
                    ok = (not same_merges) or np.allclose(
                        Zc[:, 2], Zs[:, 2], rtol=1e-5, atol=1e-6)
                if not ok:
                    bad += 1
                    d = np.nonzero((Zc != Zs).any(axis=1))[0]
                    print("case %d %s n=%d %s f32=%d: Z differs from row %d"
                          % (case, kind, n, method, f32, d[0]))
                    print("  simdepth", Zc[d[0]], " scipy", Zs[d[0]])
                    continue
                if not exact or np.isnan(Zs[:, 2]).any() or (Zs[:, 2] < 0).any():
                    continue
                ks, ts, exp = derive_expected(Zs, yref, n)
                r = subprocess.run(
                    [drv, "derive", zp, yp, ",".join(map(str, ks)),
                     ",".join(repr(float(t)) for t in ts)],
                    capture_output=True, text=True)
                got = r.stdout.strip().split("\n")
                if r.returncode != 0 or len(got) != len(exp):
                    bad += 1
                    print("case %d %s n=%d %s: derive failed: %s" %
                          (case, kind, n, method, r.stderr.strip()))
                    continue
                for g, e in zip(got, exp):
                    gn, en = normalise(g), normalise(e)
                    if gn != en and not (gn[0] == "coph" and np.isnan(gn[1])
                                         and np.isnan(en[1])):
                        bad += 1
                        print("case %d %s n=%d %s:\n  simdepth %s\n  scipy    %s"
                              % (case, kind, n, method, g[:200], e[:200]))
                        break
    print("scipy %s: %d linkages checked, %d mismatches" %
          (scipy.__version__, checked, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
