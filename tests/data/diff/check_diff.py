#!/usr/bin/python3
"""Independent check of a 'simdepth diff' JSON report (tests/cli/diff.sh).

usage: check_diff.py DIFF.json ANALYZE_A.json ANALYZE_B.json SIM_A.npy SIM_B.npy [LINKAGE]

Recomputes, without simdepth's comparison code, from the two models'
'simdepth analyze' reports (spanning-tree edges, partitions) and their
similarity matrices:
  - shared / only-A / only-B spanning-tree edges (set operations);
  - ARI (scikit-learn adjusted_rand_score) and VI = H(A|B) + H(B|A) in nats;
  - cophenetic correlation (Pearson of the two trees' cophenetic distances,
    R dendextend's cor_cophenetic) and Baker's gamma (Spearman of the
    largest k keeping each pair together under cut_tree, dendextend's
    cor_bakers_gamma), SciPy trees of 1 - S (S min-max scaled over the whole
    matrix, diagonal 1, symmetrised);
  - each class's nearest neighbour (largest scaled similarity, smallest index
    on ties) and how many changed;
  - the largest |change| of the scaled similarity over all pairs.
Prints one line per mismatch and exits 1 if any. Tolerance 1e-9 absolute on
SD, ARI, VI and the tree correlations (double precision on both sides; only
the summation order differs); 1e-6 on scaled similarities, which simdepth
keeps in float32 for a float32 input.
"""
import json
import sys

import numpy as np
from scipy.cluster.hierarchy import cophenet, cut_tree, linkage
from scipy.spatial.distance import squareform
from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import adjusted_rand_score

TOL = 1e-9


def scaled(path):
    s = np.load(path).astype(np.float64)
    np.fill_diagonal(s, np.nan)
    lo, hi = np.nanmin(s), np.nanmax(s)
    # the paper scales over the whole matrix, diagonal included
    d = np.load(path).astype(np.float64).diagonal()
    d = d[np.isfinite(d)]
    if d.size:
        lo, hi = min(lo, d.min()), max(hi, d.max())
    s = (s - lo) / (hi - lo)
    np.fill_diagonal(s, 1.0)
    return s


def tree(s, method):
    sym = (s + s.T) / 2
    d = np.maximum(0.0, 1.0 - sym)
    np.fill_diagonal(d, 0.0)
    return linkage(squareform(d, checks=False), method)


def together_k(z, n):
    # k = 1 .. n-1 (every pair is apart at k = n; SciPy 1.10's cut_tree also
    # leaves the k = n column unfilled)
    cuts = cut_tree(z, n_clusters=list(range(1, n)))  # column k-1
    iu = np.triu_indices(n, 1)
    best = np.zeros(len(iu[0]))
    for k in range(1, n):
        lab = cuts[:, k - 1]
        same = lab[iu[0]] == lab[iu[1]]
        best[same] = k
    return best


def vi(a, b):
    a, b = np.asarray(a), np.asarray(b)
    n = len(a)
    h = 0.0
    for x in np.unique(a):
        for y in np.unique(b):
            nxy = np.sum((a == x) & (b == y))
            if nxy:
                pxy = nxy / n
                h -= pxy * (np.log(pxy / (np.sum(a == x) / n)) + np.log(pxy / (np.sum(b == y) / n)))
    return h


def main():
    docs = []
    for p in sys.argv[1:4]:
        with open(p) as f:
            docs.append(json.load(f))
    diff, ra, rb = docs
    sa, sb = scaled(sys.argv[4]), scaled(sys.argv[5])
    method = sys.argv[6] if len(sys.argv) > 6 else "average"
    n = sa.shape[0]
    bad = []

    def near(name, got, want):
        if got is None or not np.isfinite(want) or abs(got - want) > TOL:
            bad.append(f"{name}: simdepth {got}, independent {want}")

    def equal(name, got, want):
        if got != want:
            bad.append(f"{name}: simdepth {got}, independent {want}")

    ea = {(e["a_index"], e["b_index"]) for e in ra["edges"]}
    eb = {(e["a_index"], e["b_index"]) for e in rb["edges"]}
    equal("edges.shared", diff["edges"]["shared"], len(ea & eb))
    equal("edges.only_a", diff["edges"]["only_a"], len(ea - eb))
    equal("edges.only_b", diff["edges"]["only_b"], len(eb - ea))
    listed = {(e["a_index"], e["b_index"]): e["origin"] for e in diff["edges"]["list"]}
    want = {e: "shared" for e in ea & eb}
    want.update({e: "only_a" for e in ea - eb})
    want.update({e: "only_b" for e in eb - ea})
    equal("edges.list", listed, want)
    near("a.similarity_depth", diff["a"]["similarity_depth"], ra["similarity_depth"])
    near("b.similarity_depth", diff["b"]["similarity_depth"], rb["similarity_depth"])

    pa, pb = ra["partition"]["labels"], rb["partition"]["labels"]
    near("agreement.ari", diff["agreement"]["ari"], adjusted_rand_score(pa, pb))
    near("agreement.vi", diff["agreement"]["vi"], vi(pa, pb))

    za, zb = tree(sa, method), tree(sb, method)
    near("agreement.cophenetic_correlation", diff["agreement"]["cophenetic_correlation"],
         pearsonr(cophenet(za), cophenet(zb))[0])
    near("agreement.bakers_gamma", diff["agreement"]["bakers_gamma"],
         spearmanr(together_k(za, n), together_k(zb, n))[0])

    def nn(s):
        t = s.copy()
        np.fill_diagonal(t, -np.inf)
        return t.argmax(axis=1)  # first maximum: the smallest index on ties

    na, nb = nn(sa), nn(sb)
    got = diff["nearest_neighbours"]
    equal("nearest_neighbours.a", [g["a"] for g in got], [ra["classes"][j]["label"] for j in na])
    equal("nearest_neighbours.b", [g["b"] for g in got], [rb["classes"][j]["label"] for j in nb])
    equal("agreement.nearest_neighbours_changed",
          diff["agreement"]["nearest_neighbours_changed"], int(np.sum(na != nb)))

    delta = np.abs(np.tril(sb, -1) - np.tril(sa, -1))
    if diff["similarity_changes"]:
        top = diff["similarity_changes"][0]
        # simdepth keeps a float32 matrix float32 after scaling: 1e-6 here
        if abs(abs(top["change"]) - delta.max()) > 1e-6:
            bad.append(f"similarity_changes[0]: |change| {top['change']}, largest {delta.max()}")
        if abs(top["similarity_a"] - sa[top["b_index"], top["a_index"]]) > 1e-6:
            bad.append(f"similarity_changes[0]: similarity_a {top['similarity_a']}")
    elif delta.max() != 0:
        bad.append("similarity_changes is empty but similarities changed")

    for b in bad:
        print("check_diff: " + b)
    print(f"check_diff: {n} classes, shared {len(ea & eb)}, only A {len(ea - eb)}, only B "
          f"{len(eb - ea)}, {len(bad)} mismatches")
    sys.exit(1 if bad else 0)


main()
