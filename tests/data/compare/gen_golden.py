#!/usr/bin/python3
"""Golden files of the "compare" suite (tests/test_compare.c), part 1 of 2.

Run from the repository root with Debian 12's Python and packages
(numpy 1.24, scipy 1.10.1, scikit-learn 1.2.1, networkx 2.8.8):

    /usr/bin/python3 tests/data/compare/gen_golden.py
    Rscript tests/data/compare/golden.R        # part 2, reads trees/*.csv

Fixed seeds: a rerun with the same package versions rewrites the same
bytes. The real matrices are read from ../shared/data (or
$SIMDEPTH_SHARED_DATA), never copied here. See README.md for every file.
"""
import csv
import os
import sys

import networkx as nx
import numpy as np
from scipy.cluster.hierarchy import linkage, leaves_list
from scipy.spatial.distance import pdist
from sklearn.metrics import adjusted_rand_score

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("SIMDEPTH_SHARED_DATA",
                        os.path.join(HERE, "..", "..", "..", "..", "shared", "data"))
VITB = os.path.join(SHARED, "mini-imagenet-vitb")
REAL = [("A", "vitb_cosine.npy", "ViTB_NCSM"),
        ("B", "vitb_init_cosine.npy", "ViTB_NCSM_init")]


def scaled(name):
    """The paper's scaling as simdepth analyze runs it: diagonal := 1 (the
    init matrix has NaN there), min-max over the whole matrix in float32,
    diagonal := 1."""
    s = np.load(os.path.join(VITB, name)).astype(np.float32)
    np.fill_diagonal(s, np.float32(1))
    s = (s - s.min()) / (s.max() - s.min())
    np.fill_diagonal(s, np.float32(1))
    return s


def golden_partition(source):
    path = os.path.join(VITB, "golden", "partitions_ap_noisefree",
                        source + "__affinity.csv")
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return np.array([int(r["label"]) for r in rows])


def spanning_forest(s, labels):
    """networkx's maximum spanning tree of every cluster's subgraph; the
    weight of (i, j), i < j, is s[j][i] (the lower triangle, as the
    reference's from_numpy_array keeps it); zero weights are no edge."""
    edges = set()
    for c in sorted(set(labels)):
        members = [int(i) for i in np.flatnonzero(labels == c)]
        g = nx.Graph()
        g.add_nodes_from(members)
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                i, j = members[x], members[y]
                w = float(s[j, i])
                if w != 0.0:
                    g.add_edge(i, j, weight=w)
        for u, v in nx.maximum_spanning_tree(g).edges():
            edges.add((min(u, v), max(u, v)))
    return edges


def golden_mst(source):
    path = os.path.join(VITB, "golden", "mst_indexorder",
                        source + "__affinity.csv")
    with open(path) as f:
        return {(min(int(r["i"]), int(r["j"])), max(int(r["i"]), int(r["j"])))
                for r in csv.DictReader(f)}


def write_edges(sims, parts):
    ea = spanning_forest(sims["A"], parts["A"])
    eb = spanning_forest(sims["B"], parts["B"])
    # Independent cross-check: the reference code's index-order trees.
    assert ea == golden_mst(REAL[0][2]), "A differs from golden mst_indexorder"
    assert eb == golden_mst(REAL[1][2]), "B differs from golden mst_indexorder"
    with open(os.path.join(HERE, "real_edges.csv"), "w") as f:
        f.write("a,b,origin\n")
        for e in sorted(ea | eb):
            origin = 0 if e in ea and e in eb else (1 if e in ea else 2)
            f.write("%d,%d,%d\n" % (e[0], e[1], origin))
    with open(os.path.join(HERE, "real_edge_counts.csv"), "w") as f:
        f.write("n_edges_a,n_edges_b,shared,only_a,only_b\n")
        f.write("%d,%d,%d,%d,%d\n" % (len(ea), len(eb), len(ea & eb),
                                      len(ea - eb), len(eb - ea)))
    return ea, eb


def vi_direct(a, b):
    """Variation of information in nats, H(A|B) + H(B|A), from the joint
    distribution, written out term by term (not sklearn)."""
    n = len(a)
    la, lb = sorted(set(a)), sorted(set(b))
    pa = {x: np.sum(a == x) / n for x in la}
    pb = {y: np.sum(b == y) / n for y in lb}
    vi = 0.0
    for x in la:
        for y in lb:
            pxy = np.sum((a == x) & (b == y)) / n
            if pxy > 0:
                vi -= pxy * (np.log(pxy / pa[x]) + np.log(pxy / pb[y]))
    return max(vi, 0.0)


def partition_cases(parts):
    rng = np.random.default_rng(7)
    cases = []
    a, b = parts["A"], parts["B"]
    cases.append(("real_a_b", a, b))
    cases.append(("real_a_a", a, a))
    cases.append(("real_b_relabelled", b, (b * 7 + 3) % 101 - 1))
    n = 100
    cases.append(("rand5_rand5", rng.integers(0, 5, n), rng.integers(0, 5, n)))
    cases.append(("rand20_rand3", rng.integers(0, 20, n), rng.integers(0, 3, n)))
    cases.append(("rand_noise", rng.integers(-1, 4, 37), rng.integers(-1, 6, 37)))
    cases.append(("singletons_one", np.arange(50), np.zeros(50, dtype=int)))
    cases.append(("singletons_singletons", np.arange(50), np.arange(50)[::-1]))
    cases.append(("one_one", np.zeros(30, dtype=int), np.full(30, -1)))
    cases.append(("one_rand", np.zeros(30, dtype=int), rng.integers(0, 4, 30)))
    cases.append(("noise_vs_real", np.where(a == 0, -1, a), b))
    cases.append(("n1", np.array([0]), np.array([-1])))
    cases.append(("n2_split", np.array([0, 0]), np.array([0, 1])))
    cases.append(("big_rand", rng.integers(-1, 60, 3000), rng.integers(0, 40, 3000)))
    os.makedirs(os.path.join(HERE, "partitions"), exist_ok=True)
    with open(os.path.join(HERE, "partition_agreement.csv"), "w") as f:
        f.write("case,n,ari,vi\n")
        for name, x, y in cases:
            x, y = np.asarray(x), np.asarray(y)
            with open(os.path.join(HERE, "partitions", name + ".csv"), "w") as g:
                g.write("a,b\n")
                for u, v in zip(x, y):
                    g.write("%d,%d\n" % (u, v))
            f.write("%s,%d,%r,%r\n" % (name, len(x),
                                       float(adjusted_rand_score(x, y)),
                                       float(vi_direct(x, y))))


def write_tree(name, z):
    os.makedirs(os.path.join(HERE, "trees"), exist_ok=True)
    with open(os.path.join(HERE, "trees", name + ".csv"), "w") as f:
        f.write("left,right,height,size\n")
        for row in z:
            f.write("%d,%d,%r,%d\n" % (row[0], row[1], float(row[2]), row[3]))


def random_tree(rng, n, method="average"):
    return linkage(pdist(rng.normal(size=(n, 3))), method)


def tree_cases(sims):
    """Pairs of trees (SciPy linkage matrices) for golden.R."""
    pairs = []
    for key, name, _ in REAL:
        s = sims[key].astype(np.float64)
        y = 1.0 - s[np.triu_indices(s.shape[0], 1)]
        write_tree("real_" + key, linkage(y, "average"))
    pairs.append(("real_a_b", "real_A", "real_B"))
    pairs.append(("real_a_a", "real_A", "real_A"))
    rng = np.random.default_rng(11)
    for n in (3, 4, 7, 12, 30, 60):
        for rep in range(2):
            ta, tb = "rand%d_%da" % (n, rep), "rand%d_%db" % (n, rep)
            write_tree(ta, random_tree(rng, n))
            write_tree(tb, random_tree(rng, n, "complete"))
            pairs.append(("rand%d_%d" % (n, rep), ta, tb))
    # The same leaves with a similar structure: B is A's points jittered.
    pts = rng.normal(size=(40, 2))
    write_tree("jitter40a", linkage(pdist(pts), "average"))
    write_tree("jitter40b", linkage(pdist(pts + 0.3 * rng.normal(size=pts.shape)),
                                    "average"))
    pairs.append(("jitter40", "jitter40a", "jitter40b"))
    # Tied heights (integer distances 1 .. 12, complete linkage, so every
    # height is an integer): cuts into k groups are then ambiguous; see
    # README.md.
    for n in (8, 25):
        ta, tb = "ties%da" % n, "ties%db" % n
        for t in (ta, tb):
            write_tree(t, linkage(rng.integers(1, 13, n * (n - 1) // 2).astype(float),
                                  "complete"))
        pairs.append(("ties%d" % n, ta, tb))
    with open(os.path.join(HERE, "tree_pairs.csv"), "w") as f:
        f.write("case,tree_a,tree_b\n")
        for p in pairs:
            f.write("%s,%s,%s\n" % p)


def main():
    if not os.path.isdir(VITB):
        sys.exit("gen_golden.py: no %s; set SIMDEPTH_SHARED_DATA" % VITB)
    sims = {k: scaled(f) for k, f, _ in REAL}
    parts = {k: golden_partition(src) for k, _, src in REAL}
    write_edges(sims, parts)
    partition_cases(parts)
    tree_cases(sims)


if __name__ == "__main__":
    main()
