#!/usr/bin/python3
"""Golden files for tests/test_affinity.c (suite "affinity").

How to run (from the repository root; Debian 12's own Python, not a pyenv one,
because it needs Debian's python3-sklearn 1.2.1 and python3-numpy 1.24.2):

    /usr/bin/python3 tests/data/affinity/gen_golden.py

CI does not run this script; its outputs are committed. It rewrites every
output in this directory and is deterministic (fixed seeds), so rerunning it
on the same package versions gives identical files. The vitb_* cases read the
Mini-ImageNet ViT-B matrices in place from ../shared/data (or
$SIMDEPTH_SHARED_DATA) at generation time, as the test does at run time;
nothing of them is copied here.

How every output is produced:
  <case>.npy       the similarity matrix (little-endian, C order; float64
                   except the one float32 case), built from a fixed seed by
                   the make_* function named in CASES below. Cases whose
                   matrix is built otherwise have no <case>.npy:
  <case>.vectors.npy  (lowrank600) small-integer vectors, float32; the
                   similarity is their cosine computed in float32 by
                   cosine32(), elementwise IEEE operations that the test
                   repeats bit for bit (dot products of small integers are
                   exact; sqrt, product and quotient are correctly rounded).
                   The .expected files then carry matrix_fnv1a64, the 64-bit
                   FNV-1a hash of the matrix's bytes, which the test checks.
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
  <case>.f32.expected  the same keys for affinity propagation with float32
                   messages (simdepth's SIMDEPTH_AP_SINGLE), from ap_port()
                   below with messages=np.float32: every array float32, a
                   float64 S rounded to float32 once, the median (or the
                   given preference) taken in the input's dtype and then
                   rounded to float32, the refinement sums in float32.
                   ap_port() is written from the algorithm, not copied from
                   scikit-learn; with messages=np.float64 it must give
                   exactly scikit-learn's result on every case, which the
                   script asserts before writing anything for that case.
                   same_as_double says whether the float32 result equals the
                   .expected one.

Format of the .expected files: '#' comments, then one `key value...` per line.
"""

import csv
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.cluster import AffinityPropagation
from sklearn.exceptions import ConvergenceWarning

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SIMDEPTH_SHARED_DATA") or os.path.join(
    HERE, "..", "..", "..", "..", "shared", "data")


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


# ------------------------------------------------- independent port of AP

def ap_port(S_in, preference=None, damping=0.5, max_iter=200,
            convergence_iter=15, messages=np.float64):
    """Noise-free affinity propagation written from the algorithm as
    scikit-learn 1.2.1's _affinity_propagation() performs it (same update
    order, damping, first-index argmax, column sums np.sum(axis=0), the
    test over the last convergence_iter exemplar indicators, refinement and
    labels), with the messages in the dtype `messages`.

    np.float64: scikit-learn's arithmetic (S kept in its own dtype, A and R
    float64); main() asserts it returns scikit-learn's result.
    np.float32: every array float32; a float64 S is rounded to float32 once;
    the median (or the preference) is taken in the input's dtype, then
    rounded to float32; the refinement sums are float32 sums.
    The early return for equal similarities is decided on the input, as
    scikit-learn decides it, whatever the message dtype."""
    n = S_in.shape[0]
    pref = np.median(S_in) if preference is None else np.float64(preference)
    off = S_in[~np.eye(n, dtype=bool)]
    if n == 1 or np.all(off == off[0]):
        if pref >= S_in.flat[n - 1]:
            return ap_result(0, 1, np.arange(n), np.arange(n))
        return ap_result(0, 1, np.zeros(n), [0])
    if messages == np.float32:
        S = S_in.astype(np.float32)
        pref = np.float32(pref)
    else:
        S = S_in.copy()
    diag = np.diag_indices(n)
    S[diag] = pref  # in S's dtype
    A = np.zeros((n, n), dtype=messages)
    R = np.zeros((n, n), dtype=messages)
    rows = np.arange(n)
    keep = 1 - damping  # a Python float: NumPy rounds it to float32 arrays
    recent = []  # the exemplar indicators of the last iterations
    converged = 0
    for it in range(max_iter):
        # responsibilities: s(i,k) - max over k' != k of a(i,k') + s(i,k')
        T = A + S
        top = T.argmax(axis=1)
        y = T[rows, top]
        T[rows, top] = -np.inf
        y2 = T.max(axis=1)
        fresh = S - y[:, None]
        fresh[rows, top] = S[rows, top] - y2
        R = R * damping + fresh * keep
        # availabilities: column sums of max(R, 0) with R's own diagonal
        Rp = np.maximum(R, 0)
        Rp[diag] = R[diag]
        minus_a = Rp - Rp.sum(axis=0)
        self_a = minus_a[diag].copy()
        minus_a = np.maximum(minus_a, 0)
        minus_a[diag] = self_a
        A = A * damping - minus_a * keep
        E = (A[diag] + R[diag]) > 0
        recent.append(E)
        if len(recent) > convergence_iter:
            del recent[0]
        if it >= convergence_iter:
            H = np.array(recent)
            if np.all(H == H[0]) and E.any():
                converged = 1
                break
    n_iter = it + 1
    ex = np.flatnonzero(E)
    if ex.size == 0:
        return ap_result(n_iter, 0, np.full(n, -1), [])

    def nearest(ex):
        c = S[:, ex].argmax(axis=1)
        c[ex] = np.arange(ex.size)
        return c

    c = nearest(ex)
    for k in range(ex.size):
        members = np.flatnonzero(c == k)
        sums = S[np.ix_(members, members)].sum(axis=0)  # in S's dtype
        ex[k] = members[sums.argmax()]
    chosen = ex[nearest(ex)]
    centres = np.unique(chosen)
    return ap_result(n_iter, converged, np.searchsorted(centres, chosen),
                     centres)


def ap_result(n_iter, converged, labels, exemplars):
    labels = np.asarray(labels, dtype=np.int64)
    return {"n_iter": int(n_iter), "converged": int(converged),
            "labels": labels,
            "exemplars": np.asarray(exemplars, dtype=np.int64),
            "n_clusters": len(np.unique(labels)), "warnings": []}


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


def cosine32(x):
    """Cosine similarity of the rows of the float32 small-integer array x,
    in float32, by operations the test repeats bit for bit in C: exact dot
    products, then sqrt, product and quotient, each correctly rounded."""
    assert x.dtype == np.float32
    g = x @ x.T
    exact = x.astype(np.int64) @ x.T.astype(np.int64)
    assert np.array_equal(g, exact) and np.abs(exact).max() < 2 ** 24
    norm = np.sqrt(np.diag(g))
    return g / (norm[:, None] * norm[None, :])


def make_lowrank600():
    """float32 cosine of 600 vectors of rank 4 with integer entries in
    [-4, 4] (seed 601; stored as lowrank600.vectors.npy, 9.7 KB; the test
    builds the 600 x 600 matrix, 1.4 MB). Parallel vectors give exact ties;
    converges, in float32 after fewer iterations than in float64."""
    rng = np.random.RandomState(601)
    x = rng.randint(-4, 5, size=(600, 4))
    x[np.all(x == 0, axis=1), 0] = 1
    return x.astype(np.float32)


def confusion_like(seed, n, images=50, block=10, accuracy=0.7):
    """The functional similarity (R + R^T) / 2, diagonal 1, of synthetic
    confusion counts: each class has `images` test images, misclassified
    with probability 1 - accuracy, among 1-4 classes of its own block of
    10 and up to one other class. Mostly zeros, with ties: what
    simdepth's sparse message storage is for."""
    rng = np.random.RandomState(seed)
    c = np.zeros((n, n))
    for i in range(n):
        errs = rng.binomial(images, 1 - accuracy)
        c[i, i] = images - errs
        b0 = (i // block) * block
        pool = [j for j in range(b0, min(n, b0 + block)) if j != i]
        far = rng.randint(0, n, size=2)
        cand = list(rng.choice(pool, size=min(len(pool), rng.randint(1, 5)),
                               replace=False))
        cand += [f for f in far if f != i][:rng.randint(0, 2)]
        for _ in range(errs):
            c[i, cand[rng.randint(len(cand))]] += 1
    r = c / images
    s = (r + r.T) / 2
    np.fill_diagonal(s, 1.0)
    return s


def make_confusion100():
    """confusion_like(seed 1, n=100): 94 % zeros, median preference 0;
    does not converge in 200 iterations."""
    return confusion_like(1, 100)


def make_confusion100_negpref():
    """confusion_like(seed 2, n=100) with preference -0.12: the shared
    responsibility of a row of zeros turns positive at iteration 11, where
    simdepth's sparse storage hands over to the dense iterations."""
    return confusion_like(2, 100)


def shared_path(rel):
    return os.path.join(SHARED, "mini-imagenet-vitb", rel)


def make_vitb_ncsm():
    """Mini-ImageNet ViT-B class-template cosines (shared
    mini-imagenet-vitb/vitb_cosine.npy, read in place) min-max scaled in
    float32, diagonal 1, then float64: the suite's PREP_MINMAX32."""
    f = np.load(shared_path("vitb_cosine.npy"))
    assert f.dtype == np.float32 and f.shape == (100, 100)
    lo, hi = f.min(), f.max()
    s = (f - lo) / (hi - lo)
    assert s.dtype == np.float32
    np.fill_diagonal(s, 1.0)
    return s.astype(np.float64)


def make_vitb_ccsm():
    """Mini-ImageNet ViT-B confusion rates (shared
    mini-imagenet-vitb/vitb_confusion.npy, read in place): (M + M^T) / 2 in
    float64, diagonal 1: the suite's PREP_FUNCTIONAL."""
    m = np.load(shared_path("vitb_confusion.npy"))
    assert m.dtype == np.float64 and m.shape == (100, 100)
    s = (m + m.T) / 2.0
    np.fill_diagonal(s, 1.0)
    return s


# The labels of the noise-free reference partitions under ../shared/data
# that the vitb_* cases must reproduce.
VITB_GOLDEN = {
    "vitb_ncsm": "golden/partitions_ap_noisefree/ViTB_NCSM__affinity.csv",
    "vitb_ccsm": "golden/partitions_ap_noisefree/ViTB_CCSM__affinity.csv",
}


# name, builder, options, must equal the default-noise run, where the matrix
# comes from: "npy" (the builder's matrix, saved as <case>.npy), "vectors"
# (the builder's vectors, saved as <case>.vectors.npy; the matrix is their
# cosine32()), "shared" (the builder reads ../shared/data; nothing saved)
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
    ("confusion100", make_confusion100, {}, False),
    ("confusion100_negpref", make_confusion100_negpref,
     {"preference": -0.12}, False),
    ("lowrank600", make_lowrank600, {}, False, "vectors"),
    ("vitb_ncsm", make_vitb_ncsm, {}, False, "shared"),
    ("vitb_ccsm", make_vitb_ccsm, {}, False, "shared"),
]


def same(a, b):
    return (a["n_iter"] == b["n_iter"] and a["converged"] == b["converged"]
            and np.array_equal(a["labels"], b["labels"])
            and np.array_equal(a["exemplars"], b["exemplars"]))


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
    return h


def write_expected(path, head, S, opts, r, tail):
    with open(path, "w") as f:
        for line in head:
            f.write("# %s\n" % line)
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
        for line in tail:
            f.write("%s\n" % line)


def main():
    global NONCONV_SEED
    NONCONV_SEED = search_nonconv()
    for case in CASES:
        name, build, opts, must_match = case[:4]
        kind = case[4] if len(case) > 4 else "npy"
        built = np.ascontiguousarray(build())
        extra = []
        if kind == "vectors":
            path = os.path.join(HERE, name + ".vectors.npy")
            np.save(path, built)
            assert os.path.getsize(path) < 200 * 1024, name
            S = np.ascontiguousarray(cosine32(built))
        else:
            S = built
        if kind == "npy":
            path = os.path.join(HERE, name + ".npy")
            np.save(path, S)
            assert os.path.getsize(path) < 200 * 1024, name
        else:
            extra.append("matrix_fnv1a64 %016x" % fnv1a64(S.tobytes()))
        assert S.dtype in (np.float64, np.float32)
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
        if name in VITB_GOLDEN:
            with open(shared_path(VITB_GOLDEN[name])) as f:
                gold = [int(row["label"]) for row in csv.DictReader(f)]
            assert np.array_equal(gold, r["labels"]), name
        # the port, validated against scikit-learn, then in float32
        port64 = ap_port(S, **opts)
        if not same(port64, r):
            raise SystemExit("%s: ap_port(float64) differs from scikit-learn"
                             % name)
        r32 = ap_port(S, messages=np.float32, **opts)
        same32 = same(r32, r)

        doc = " ".join(build.__doc__.split()) if build.__doc__ else ""
        src = {"npy": "%s.npy" % name,
               "vectors": "cosine32(%s.vectors.npy)" % name,
               "shared": "the matrix of make_%s()" % name}[kind]
        head = ["%s: %s" % (src, doc) if doc else src]
        if name == "nonconv":
            head.append("seed %d of nonconv_candidate()" % NONCONV_SEED)
        write_expected(
            os.path.join(HERE, name + ".expected"),
            head + ["produced by gen_golden.py: AffinityPropagation("
                    "affinity='precomputed') without noise"],
            S, opts, r, extra + ["same_as_default_noise %d" % int(match)])
        write_expected(
            os.path.join(HERE, name + ".f32.expected"),
            head + ["produced by gen_golden.py: ap_port(messages=float32), "
                    "affinity propagation in float32 (SIMDEPTH_AP_SINGLE); "
                    "ap_port(messages=float64) gives scikit-learn's "
                    "%s.expected" % name],
            S, opts, r32,
            extra + ["precision single", "same_as_double %d" % int(same32)])
        print("%-15s n=%-4d n_iter=%-3d converged=%d clusters=%-3d "
              "same_as_noise=%d | float32: n_iter=%-3d converged=%d "
              "clusters=%-3d same_as_double=%d"
              % (name, S.shape[0], r["n_iter"], r["converged"],
                 r["n_clusters"], match, r32["n_iter"], r32["converged"],
                 r32["n_clusters"], same32))
    return 0


if __name__ == "__main__":
    sys.exit(main())
