#!/usr/bin/python3
"""Golden files for tests/test_affinity.c (suite "affinity").

How to run (from the repository root; Debian 12's own Python, not a pyenv one,
because it needs Debian's python3-sklearn 1.2.1 and python3-numpy 1.24.2):

    /usr/bin/python3 tests/data/affinity/gen_golden.py

CI does not run this script; its outputs are committed. It rewrites every
<case>.npy and <case>.expected in this directory and is deterministic (fixed
seeds), so rerunning it on the same package versions gives identical files.

How every output is produced:
  <case>.npy       the similarity matrix (little-endian, C order; float64
                   except the one float32 case), built from a fixed seed by
                   the make_* function named in CASES below.
  <case>.expected  the result of scikit-learn's
                   AffinityPropagation(affinity="precomputed", ...) fitted on
                   that exact array, with the options in the file, and with
                   the random "degeneracy" noise switched off: random_state is
                   a RandomState whose standard_normal() returns zeros, so
                   `S += (eps*S + tiny*100) * standard_normal(...)` adds 0.
                   n_iter is n_iter_, exemplars cluster_centers_indices_,
                   labels labels_; converged is 0 when fit() warned
                   ConvergenceWarning, else 1 (also for the early return of
                   _equal_similarities_and_preferences, n_iter 0);
                   n_clusters counts distinct labels with -1 counting as one.
                   same_as_default_noise says whether random_state=0 (the
                   default noise) gives the same labels, exemplars and n_iter;
                   the script asserts it where it must hold (no ties).

Format of <case>.expected: '#' comments, then one `key value...` per line.
"""

import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.cluster import AffinityPropagation
from sklearn.exceptions import ConvergenceWarning

HERE = os.path.dirname(os.path.abspath(__file__))


class ZeroNormal(np.random.RandomState):
    """A RandomState whose Gaussian draws are all zero: no AP noise."""

    def standard_normal(self, size=None):
        return np.zeros(size)


def run_ap(S, random_state, preference=None, damping=0.5, max_iter=200,
           convergence_iter=15):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = AffinityPropagation(
            affinity="precomputed", preference=preference, damping=damping,
            max_iter=max_iter, convergence_iter=convergence_iter,
            random_state=random_state).fit(S)
    converged = not any(issubclass(w.category, ConvergenceWarning)
                        for w in caught)
    labels = np.asarray(model.labels_, dtype=np.int64)
    exemplars = np.asarray(model.cluster_centers_indices_, dtype=np.int64)
    return {
        "n_iter": int(model.n_iter_),
        "converged": int(converged),
        "labels": labels,
        "exemplars": exemplars,
        "n_clusters": len(np.unique(labels)),
        "warnings": sorted({str(w.message).split(".")[0] for w in caught}),
    }


def symmetric_uniform(rng, n):
    x = rng.rand(n, n)
    return (x + x.T) / 2


# ---------------------------------------------------------------- cases

def make_rand30():
    """Uniform [0,1) symmetric, n=30."""
    return symmetric_uniform(np.random.RandomState(30), 30)


def make_blobs60():
    """Negative squared Euclidean distances of 60 points in 4 Gaussian blobs
    in the plane (symmetric, zero diagonal)."""
    rng = np.random.RandomState(60)
    centres = rng.uniform(-10, 10, size=(4, 2))
    pts = centres[rng.randint(0, 4, size=60)] + rng.normal(size=(60, 2))
    d = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)
    return -d


def make_rand150():
    """Uniform [0,1) symmetric, n=150 (180 KB)."""
    return symmetric_uniform(np.random.RandomState(150), 150)


def make_blobs150():
    """Negative squared Euclidean distances of 150 points in 6 Gaussian
    blobs in 3-D (180 KB)."""
    rng = np.random.RandomState(1500)
    centres = rng.uniform(-8, 8, size=(6, 3))
    pts = centres[rng.randint(0, 6, size=150)] + rng.normal(size=(150, 3))
    d = ((pts[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)
    return -d


def make_cosine40():
    """Cosine similarity of 40 standard normal vectors in 16 dimensions."""
    rng = np.random.RandomState(40)
    x = rng.normal(size=(40, 16))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x @ x.T


def make_ties48():
    """Symmetric, n=48, every entry a multiple of 1/8 in [0, 1]: many exact
    ties in the argmax, the second maximum and the refinement."""
    rng = np.random.RandomState(48)
    g = rng.randint(0, 9, size=(48, 48)) / 8.0
    s = np.triu(g) + np.triu(g, 1).T
    np.fill_diagonal(s, 1.0)
    return s


def make_tieblocks40():
    """Symmetric, n=40, 4 blocks of 10: entries within a block drawn from
    {5/8 .. 8/8}, between blocks from {0 .. 3/8}, diagonal 1. Ties again,
    but the messages converge."""
    rng = np.random.RandomState(41)
    block = np.repeat(np.arange(4), 10)
    same = block[:, None] == block[None, :]
    g = np.where(same, rng.randint(5, 9, size=(40, 40)),
                 rng.randint(0, 4, size=(40, 40))) / 8.0
    s = np.triu(g) + np.triu(g, 1).T
    np.fill_diagonal(s, 1.0)
    return s


def make_nonconv():
    """Found by search_nonconv(): symmetric uniform on a 1/4 grid whose
    messages still oscillate after 200 iterations at damping 0.5."""
    return nonconv_candidate(NONCONV_SEED)


def nonconv_candidate(seed):
    rng = np.random.RandomState(seed)
    g = rng.randint(0, 5, size=(24, 24)) / 4.0
    s = np.triu(g) + np.triu(g, 1).T
    return s


NONCONV_SEED = None  # set by search_nonconv()


def search_nonconv():
    for seed in range(1000):
        s = nonconv_candidate(seed)
        r = run_ap(s, ZeroNormal(0))
        if not r["converged"] and r["n_iter"] == 200 and len(r["exemplars"]):
            return seed
    raise SystemExit("no non-converging seed found")


def make_noexemplar():
    """Uniform symmetric n=20 with max_iter=1: after one iteration no
    diagonal A + R is positive, so there is no exemplar (labels all -1)."""
    return symmetric_uniform(np.random.RandomState(20), 20)


def make_equal5():
    """All off-diagonal entries 0.3, diagonal 1: scikit-learn's early return
    (median 0.3 >= S[0, 4], so every item is its own exemplar)."""
    s = np.full((5, 5), 0.3)
    np.fill_diagonal(s, 1.0)
    return s


def make_equal5_lowpref():
    """The same with preference 0.1 < S[0, 4]: one cluster around item 0."""
    return make_equal5()


def make_n1():
    return np.array([[0.7]])


def make_n2sym():
    """n=2 symmetric: equal off-diagonals, so the early return again."""
    return np.array([[1.0, 0.2], [0.2, 1.0]])


def make_n2asym():
    """n=2 with S[0,1] != S[1,0]: the iterations run."""
    return np.array([[1.0, 0.2], [0.45, 1.0]])


def make_pref_damp09():
    """Uniform symmetric n=50 with preference 0.25 and damping 0.9."""
    return symmetric_uniform(np.random.RandomState(50), 50)


def make_f32cos36():
    """float32 input: cosine of 36 random vectors, computed and stored in
    float32 (scikit-learn then keeps S in float32: the median, the
    diagonal and the refinement sums are float32)."""
    rng = np.random.RandomState(36)
    x = rng.normal(size=(36, 8)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return (x @ x.T).astype(np.float32)


# name, builder, options, must equal the default-noise run
CASES = [
    ("rand30", make_rand30, {}, True),
    ("blobs60", make_blobs60, {}, True),
    ("rand150", make_rand150, {}, True),
    ("blobs150", make_blobs150, {}, True),
    ("cosine40", make_cosine40, {}, True),
    ("ties48", make_ties48, {}, False),
    ("tieblocks40", make_tieblocks40, {}, False),
    ("nonconv", make_nonconv, {}, False),
    ("noexemplar", make_noexemplar, {"max_iter": 1}, False),
    ("equal5", make_equal5, {}, True),
    ("equal5_lowpref", make_equal5_lowpref, {"preference": 0.1}, True),
    ("n1", make_n1, {}, True),
    ("n2sym", make_n2sym, {}, True),
    ("n2asym", make_n2asym, {}, True),
    ("pref_damp09", make_pref_damp09, {"preference": 0.25, "damping": 0.9},
     True),
    ("f32cos36", make_f32cos36, {}, True),
]


def same(a, b):
    return (a["n_iter"] == b["n_iter"] and a["converged"] == b["converged"]
            and np.array_equal(a["labels"], b["labels"])
            and np.array_equal(a["exemplars"], b["exemplars"]))


def main():
    global NONCONV_SEED
    NONCONV_SEED = search_nonconv()
    for name, build, opts, must_match in CASES:
        S = np.ascontiguousarray(build())
        assert S.dtype in (np.float64, np.float32)
        path = os.path.join(HERE, name + ".npy")
        np.save(path, S)
        assert os.path.getsize(path) < 200 * 1024, name
        # fit() copies S (copy=True), so both runs see the same input
        r = run_ap(S, ZeroNormal(0), **opts)
        noisy = run_ap(S, 0, **opts)
        match = same(r, noisy)
        if must_match and not match:
            raise SystemExit("%s: default noise changes the result" % name)
        if name == "nonconv":
            assert r["converged"] == 0 and r["n_iter"] == 200, r
        if name == "noexemplar":
            assert len(r["exemplars"]) == 0, r
        doc = " ".join(build.__doc__.split()) if build.__doc__ else ""
        with open(os.path.join(HERE, name + ".expected"), "w") as f:
            f.write("# %s.npy: %s\n" % (name, doc) if doc else
                    "# %s.npy\n" % name)
            if name == "nonconv":
                f.write("# seed %d of nonconv_candidate()\n" % NONCONV_SEED)
            f.write("# produced by gen_golden.py: AffinityPropagation("
                    "affinity='precomputed') without noise\n")
            if r["warnings"]:
                f.write("# sklearn warned: %s\n" % "; ".join(r["warnings"]))
            f.write("sklearn %s\n" % sklearn.__version__)
            f.write("numpy %s\n" % np.__version__)
            f.write("dtype %s\n" % S.dtype.name)
            f.write("n %d\n" % S.shape[0])
            if "preference" in opts:
                f.write("preference %.17g\n" % opts["preference"])
            else:
                f.write("preference median\n")
            f.write("damping %.17g\n" % opts.get("damping", 0.5))
            f.write("max_iter %d\n" % opts.get("max_iter", 200))
            f.write("convergence_iter %d\n" % opts.get("convergence_iter", 15))
            f.write("n_iter %d\n" % r["n_iter"])
            f.write("converged %d\n" % r["converged"])
            f.write("n_clusters %d\n" % r["n_clusters"])
            f.write("exemplars%s\n" % "".join(" %d" % v for v in r["exemplars"]))
            f.write("labels%s\n" % "".join(" %d" % v for v in r["labels"]))
            f.write("same_as_default_noise %d\n" % int(match))
        print("%-15s n=%-4d n_iter=%-3d converged=%d clusters=%-3d "
              "same_as_noise=%d" % (name, S.shape[0], r["n_iter"],
                                    r["converged"], r["n_clusters"], match))
    return 0


if __name__ == "__main__":
    sys.exit(main())
