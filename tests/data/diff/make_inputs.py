#!/usr/bin/python3
"""Inputs of tests/cli/diff.sh, made at test time in a temporary directory
(never committed): usage: make_inputs.py OUTDIR VITB_DIR SAMPLE_DIR

  init.npy         vitb_init_cosine.npy with its NaN diagonal set to 1 (the
                   reference code does the same before use)
  perm_sim.npy, perm_conf.npy, perm_wnids.txt
                   vitb_cosine / vitb_confusion / wnids with the classes in a
                   seeded random order (rows and columns permuted together)
  other_wnids.txt  wnids.txt with its 7th label replaced by n01440764
                   (tench), not one of the 100 classes
  dist_a.csv, dist_b.csv
                   1 - S of vitb_cosine and init.npy (S min-max scaled over the
                   whole matrix, diagonal 1, symmetrised), for dendextend.R
  sample_perm.npy, sample_perm_labels.txt
                   the Fashion-MNIST sample's weights and labels in reversed
                   row order
"""
import sys

import numpy as np

out, vit, sample = sys.argv[1:4]
init = np.load(f"{vit}/vitb_init_cosine.npy")
np.fill_diagonal(init, 1.0)
np.save(f"{out}/init.npy", init)

rng = np.random.default_rng(7)
sim = np.load(f"{vit}/vitb_cosine.npy")
conf = np.load(f"{vit}/vitb_confusion.npy")
wnids = open(f"{vit}/wnids.txt").read().split()
p = rng.permutation(len(wnids))
np.save(f"{out}/perm_sim.npy", sim[np.ix_(p, p)])
np.save(f"{out}/perm_conf.npy", conf[np.ix_(p, p)])
with open(f"{out}/perm_wnids.txt", "w") as f:
    f.write("".join(wnids[i] + "\n" for i in p))
other = list(wnids)
other[6] = "n01440764"
with open(f"{out}/other_wnids.txt", "w") as f:
    f.write("".join(w + "\n" for w in other))

def scaled(s):
    s = s.astype(np.float64)
    lo, hi = s.min(), s.max()
    s = (s - lo) / (hi - lo)
    np.fill_diagonal(s, 1.0)
    return (s + s.T) / 2


for name, s in [("a", sim), ("b", init)]:
    np.savetxt(f"{out}/dist_{name}.csv", 1.0 - scaled(s), delimiter=",", fmt="%.17g")

w = np.load(f"{sample}/weights.npy")
np.save(f"{out}/sample_perm.npy", w[::-1].copy())
labels = open(f"{sample}/labels.txt").read().splitlines()
with open(f"{out}/sample_perm_labels.txt", "w") as f:
    f.write("".join(l + "\n" for l in labels[::-1]))
