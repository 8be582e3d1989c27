#!/usr/bin/python3
"""Golden files for tests/test_cluster.c (suite "cluster").

How to run (from the repository root; Debian 12's own Python, not a pyenv
one, because it needs Debian's python3-sklearn 1.2.1, python3-numpy 1.24.2,
python3-networkx 2.8.8 and python3-louvain):

    /usr/bin/python3 tests/data/cluster/gen_golden.py

then, for the R golden files (Debian's r-base-core and r-cran-dbscan):

    Rscript tests/data/cluster/gen_golden_r.R

CI runs neither; the outputs are committed. Both are deterministic (fixed
seeds), so a rerun with the same package versions rewrites identical files.

What this script writes (see README.md for the format):
  <matrix>.npy                 a similarity matrix S built by make_<matrix>()
  <matrix>.optics[_v].expected scikit-learn 1.2.1 OPTICS(metric="precomputed",
                               ...) on the float64 array 1 - S: ordering_,
                               reachability_, core_distances_, predecessor_,
                               labels_
  <matrix>.hdbscan[_v].expected  hdbscan_port.py (scikit-learn >= 1.3's
                               HDBSCAN(metric="precomputed"), ported) on 1 - S
  louvain_best.csv             python-louvain / networkx modularity on the
                               shared Mini-ImageNet matrices
It also checks, when ../shared/data is present, that sklearn OPTICS and the
HDBSCAN port reproduce the shared golden partitions it can reproduce.
"""

import csv
import os
import random
import sys
import warnings

import numpy as np
import sklearn
from sklearn.cluster import OPTICS

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import hdbscan_port  # noqa: E402

SHARED = os.path.join(HERE, "..", "..", "..", "..", "shared", "data",
                      "mini-imagenet-vitb")


# ---------------------------------------------------------------- matrices

def _finish(s):
    s = np.array(s, dtype=np.float64)
    np.fill_diagonal(s, 1.0)
    return s


def _cosine_blobs(rng, n, k, dim=16, spread=3.0):
    centres = rng.normal(size=(k, dim)) * spread
    x = centres[rng.integers(0, k, n)] + rng.normal(size=(n, dim))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    s = x @ x.T
    return (s - s.min()) / (s.max() - s.min())


def make_blobs120():
    """Cosine similarity of 120 vectors from 5 Gaussian blobs in 16-D,
    min-max scaled, diagonal 1 (float64)."""
    return _finish(_cosine_blobs(np.random.default_rng(101), 120, 5))


def make_blobs100():
    """Cosine similarity of 100 vectors from 4 Gaussian blobs in 16-D,
    min-max scaled, diagonal 1; used with non-default options."""
    return _finish(_cosine_blobs(np.random.default_rng(102), 100, 4,
                                 spread=2.0))


def make_rand80():
    """Uniform [0, 1) symmetric, n = 80, diagonal 1."""
    a = np.random.default_rng(103).random((80, 80))
    return _finish((a + a.T) / 2)


def make_ties64():
    """Symmetric entries on a 1/8 grid in [0, 7/8], n = 64, diagonal 1:
    exact ties in distances, core distances and mutual reachabilities."""
    a = np.random.default_rng(104).integers(0, 8, (64, 64)) / 8
    return _finish(np.triu(a) + np.triu(a, 1).T)


def make_tieblocks90():
    """4 blocks (0.625 inside, 0.125 outside) plus 0 .. 3/16 on a 1/16 grid,
    symmetric, n = 90, diagonal 1: structure with many ties."""
    rng = np.random.default_rng(105)
    lab = rng.integers(0, 4, 90)
    s = np.where(lab[:, None] == lab[None, :], 0.625, 0.125)
    s = s + rng.integers(0, 4, (90, 90)) / 16
    return _finish(np.triu(s) + np.triu(s, 1).T)


def make_geo150():
    """1 - d / max(d) for Euclidean distances of 150 points in two 2-D
    Gaussian blobs of different spread, diagonal 1."""
    rng = np.random.default_rng(106)
    x = np.concatenate([rng.normal(size=(75, 2)) * 0.3,
                        rng.normal(size=(75, 2)) * 0.7 + 3.0])
    d = np.sqrt(((x[:, None] - x[None]) ** 2).sum(-1))
    return _finish(1 - d / d.max())


def make_f32cos50():
    """float32: cosine of 50 vectors from 3 blobs computed in float32,
    min-max scaled in float32, diagonal 1 (scikit-learn sees the float64
    values of these float32 numbers)."""
    rng = np.random.default_rng(107)
    x = (rng.normal(size=(3, 12)) * 2.5)[rng.integers(0, 3, 50)]
    x = (x + rng.normal(size=(50, 12))).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    s = x @ x.T
    mn, mx = np.min(s), np.max(s)
    s = (s - mn) / (mx - mn)
    np.fill_diagonal(s, np.float32(1))
    return s.astype(np.float32)


def make_asym40():
    """Asymmetric: uniform [0, 1), n = 40, diagonal 1 (OPTICS reads rows,
    as scikit-learn does)."""
    return _finish(np.random.default_rng(108).random((40, 40)))


def make_n5():
    """n = 5 (= min_samples): the smallest input the defaults accept."""
    a = np.random.default_rng(109).random((5, 5))
    return _finish((a + a.T) / 2)


def make_dups40():
    """10 groups of 4 identical items (similarity 1, distance 0 between
    them), else uniform: zero core distances, 0/0 reachability ratios and
    infinite lambdas."""
    rng = np.random.default_rng(110)
    g = np.repeat(np.arange(10), 4)
    a = rng.random((10, 10)) * 0.9
    a = (a + a.T) / 2
    return _finish(a[g][:, g] + np.where(g[:, None] == g[None, :], 1.0, 0.0)
                   * (1 - a[g][:, g]))


MATRICES = ["blobs120", "blobs100", "rand80", "ties64", "tieblocks90",
            "geo150", "f32cos50", "asym40", "n5", "dups40"]

# (matrix, variant, OPTICS keyword arguments)
OPTICS_CASES = [
    ("blobs120", "", {}),
    ("rand80", "", {}),
    ("ties64", "", {}),
    ("tieblocks90", "", {}),
    ("geo150", "", {}),
    ("f32cos50", "", {}),
    ("asym40", "", {}),
    ("n5", "", {}),
    ("dups40", "", {}),
    ("blobs100", "", {}),
    ("blobs100", "_ms3_xi10", {"min_samples": 3, "xi": 0.1}),
    ("blobs100", "_mcs12", {"min_cluster_size": 12}),
    ("blobs100", "_nopred", {"predecessor_correction": False}),
    ("geo150", "_maxeps", {"max_eps": 0.12}),
    ("tieblocks90", "_xi0", {"xi": 0.0}),
]

# (matrix, variant, port keyword arguments)
HDBSCAN_CASES = [
    ("blobs120", "", {}),
    ("rand80", "", {}),
    ("ties64", "", {}),
    ("tieblocks90", "", {}),
    ("geo150", "", {}),
    ("f32cos50", "", {}),
    ("n5", "", {}),
    ("dups40", "", {}),
    ("blobs100", "", {}),
    ("blobs100", "_mcs8_ms3", {"min_cluster_size": 8, "min_samples": 3}),
    ("blobs100", "_ms1", {"min_samples": 1}),
    ("ties64", "_stable", {"stable": True}),
    ("tieblocks90", "_stable", {"stable": True}),
    ("rand80", "_stable", {"stable": True}),
]


# ---------------------------------------------------------------- writing

def fmt_float(x):
    x = float(x)
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def header(f, matrix, what):
    doc = globals()["make_" + matrix].__doc__.split("\n")
    f.write("# %s.npy: %s\n" % (matrix, " ".join(d.strip() for d in doc)))
    f.write("# produced by gen_golden.py: %s\n" % what)
    f.write("sklearn %s\nnumpy %s\n" % (sklearn.__version__, np.__version__))
    f.write("matrix %s\n" % matrix)


def write_optics(matrix, variant, kw, S):
    D = 1.0 - S.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OPTICS(metric="precomputed", eps=0.25, **kw).fit(D)
    opts = {"min_samples": 5, "xi": 0.05, "min_cluster_size": 0,
            "max_eps": np.inf, "predecessor_correction": True}
    opts.update(kw)
    path = os.path.join(HERE, "%s.optics%s.expected" % (matrix, variant))
    with open(path, "w") as f:
        header(f, matrix, "OPTICS(metric='precomputed', eps=0.25%s) on "
               "1 - S" % "".join(", %s=%r" % kv for kv in kw.items()))
        f.write("method optics\n")
        f.write("min_samples %d\n" % opts["min_samples"])
        f.write("xi %s\n" % fmt_float(opts["xi"]))
        f.write("min_cluster_size %d\n" % (opts["min_cluster_size"] or 0))
        f.write("max_eps %s\n" % fmt_float(opts["max_eps"]))
        f.write("predecessor_correction %d\n"
                % int(opts["predecessor_correction"]))
        f.write("n %d\n" % len(S))
        f.write("ordering %s\n" % " ".join(map(str, model.ordering_)))
        f.write("reachability %s\n"
                % " ".join(map(fmt_float, model.reachability_)))
        f.write("core %s\n" % " ".join(map(fmt_float, model.core_distances_)))
        f.write("predecessor %s\n" % " ".join(map(str, model.predecessor_)))
        f.write("labels %s\n" % " ".join(map(str, model.labels_)))


def write_hdbscan(matrix, variant, kw, S):
    D = 1.0 - S.astype(np.float64)
    with np.errstate(invalid="ignore"):
        labels = hdbscan_port.hdbscan(D, **kw)
    path = os.path.join(HERE, "%s.hdbscan%s.expected" % (matrix, variant))
    with open(path, "w") as f:
        header(f, matrix, "hdbscan_port.hdbscan(1 - S%s), scikit-learn >= "
               "1.3's HDBSCAN(metric='precomputed') ported"
               % "".join(", %s=%r" % kv for kv in kw.items()))
        f.write("method hdbscan\n")
        f.write("min_cluster_size %d\n" % kw.get("min_cluster_size", 5))
        f.write("min_samples %d\n" % (kw.get("min_samples") or 0))
        f.write("stable_ties %d\n" % int(kw.get("stable", False)))
        f.write("n %d\n" % len(S))
        f.write("labels %s\n" % " ".join(map(str, labels)))


# ---------------------------------------------------------------- shared data

def _perceived(a):
    a = a.astype(np.float32)
    mn, mx = np.min(a), np.max(a)
    s = (a - mn) / (mx - mn)
    np.fill_diagonal(s, 1)
    return s.astype(np.float64)


def _functional(m):
    m = m.astype(np.float64)
    s = (m + m.T) / 2
    np.fill_diagonal(s, 1)
    return (s - np.min(s)) / (np.max(s) - np.min(s))


def _wordnet(sim):
    # DeepHierarchy's read_CSM(): seeded symmetric noise, then process_CSM()
    # and compute_stats() scale twice (the second time is a no-op).
    np.random.seed(42)
    noise = (np.random.rand(*sim.shape) - 0.5) / 10e6
    s = sim + (noise + noise.T) / 2
    s = (s - np.min(s)) / (np.max(s) - np.min(s))
    np.fill_diagonal(s, 1)
    return (s - np.min(s)) / (np.max(s) - np.min(s))


def shared_sources():
    load = lambda f: np.load(os.path.join(SHARED, f))  # noqa: E731
    init = load("vitb_init_cosine.npy").copy()
    np.fill_diagonal(init, 1)
    return {
        "ViTB_NCSM": _perceived(load("vitb_cosine.npy")),
        "ViTB_NCSM_init": _perceived(init),
        "ViTB_CCSM": _functional(load("vitb_confusion.npy")),
        "WordNet_WUP": _wordnet(load("wordnet_wup.npy")),
        "WordNet_Native": _wordnet(load("wordnet_path.npy")),
    }


def golden_labels(source, method):
    path = os.path.join(SHARED, "golden", "partitions",
                        "%s__%s.csv" % (source, method))
    with open(path) as f:
        return np.array([int(r["label"]) for r in csv.DictReader(f)])


def louvain_table(sources):
    import community as community_louvain
    import networkx as nx

    rows = []
    for name, S in sources.items():
        G = nx.from_numpy_array(S)  # zero entries are non-edges, loops kept
        qs = []
        for seed in range(10):
            # Debian's python3-louvain (2018 snapshot) has no random_state;
            # randomize=True shuffles with the random module.
            random.seed(seed)
            part = community_louvain.best_partition(G, randomize=True)
            qs.append(community_louvain.modularity(part, G))
        ref = golden_labels(name, "louvain")
        ref_q = community_louvain.modularity(
            {i: int(c) for i, c in enumerate(ref)}, G)
        hdb = golden_labels(name, "hdbscan")
        hdb_q = community_louvain.modularity(
            {i: int(c) for i, c in enumerate(hdb)}, G)
        comms = [set(np.flatnonzero(ref == c)) for c in np.unique(ref)]
        q05 = nx.algorithms.community.modularity(G, comms, resolution=0.5)
        q2 = nx.algorithms.community.modularity(G, comms, resolution=2.0)
        rows.append((name, max(qs), min(qs), ref_q, hdb_q, q05, q2))
    path = os.path.join(HERE, "louvain_best.csv")
    with open(path, "w") as f:
        f.write("source,best_q,worst_q,reference_louvain_q,"
                "reference_hdbscan_q,reference_louvain_q_res05,"
                "reference_louvain_q_res2\n")
        for r in rows:
            f.write("%s,%s\n" % (r[0], ",".join(fmt_float(x) for x in r[1:])))


# ---------------------------------------------------------------- main

def main():
    made = {}
    for m in MATRICES:
        S = globals()["make_" + m]()
        if S.dtype != np.float32:
            assert np.all(S <= 1.0) and np.all(S >= 0.0), m
        np.save(os.path.join(HERE, m + ".npy"), S)
        made[m] = S
    for m, v, kw in OPTICS_CASES:
        write_optics(m, v, kw, made[m])
    for m, v, kw in HDBSCAN_CASES:
        write_hdbscan(m, v, kw, made[m])

    if os.path.isdir(SHARED):
        sources = shared_sources()
        for name, S in sources.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                opt = OPTICS(metric="precomputed", eps=0.25).fit_predict(1 - S)
            assert np.array_equal(opt, golden_labels(name, "optics")), name
            hdb = hdbscan_port.hdbscan(1 - S)
            assert np.array_equal(hdb, golden_labels(name, "hdbscan")), name
        louvain_table(sources)
    else:
        print("shared data not found; louvain_best.csv left as it is",
              file=sys.stderr)


if __name__ == "__main__":
    main()
