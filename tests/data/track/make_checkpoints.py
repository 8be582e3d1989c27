#!/usr/bin/python3
"""Models of tests/cli/track.sh, made at test time in a temporary directory
(never committed): usage: make_checkpoints.py OUTDIR SAMPLE_DIR

  ep10.npy ep20.npy ep30.npy ep40.npy
      "checkpoints": the Fashion-MNIST sample's weights plus seeded Gaussian
      noise shrinking with the epoch (sd 1.2, 0.8, 0.4, 0.1 times the weights'
      sd), so SD and clusters differ between them
  conf.npy
      the sample's confusion matrix as .npy
  ep30_rev.npy, conf_rev.npy, labels_rev.txt
      ep30.npy, conf.npy (rows and columns) and the sample's labels in
      reversed class order (realignment)
"""
import sys

import numpy as np

out, sample = sys.argv[1:3]
w = np.load(f"{sample}/weights.npy")
rng = np.random.default_rng(2026)
for epoch, scale in [(10, 1.2), (20, 0.8), (30, 0.4), (40, 0.1)]:
    noisy = (w + rng.normal(0.0, scale * w.std(), w.shape)).astype(np.float32)
    np.save(f"{out}/ep{epoch}.npy", noisy)
    if epoch == 30:
        np.save(f"{out}/ep30_rev.npy", noisy[::-1].copy())
conf = np.loadtxt(f"{sample}/confusion.csv", delimiter=",")
np.save(f"{out}/conf.npy", conf)
np.save(f"{out}/conf_rev.npy", conf[::-1, ::-1].copy())
labels = open(f"{sample}/labels.txt").read().splitlines()
with open(f"{out}/labels_rev.txt", "w") as f:
    f.write("".join(l + "\n" for l in labels[::-1]))
