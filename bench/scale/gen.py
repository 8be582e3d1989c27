#!/usr/bin/python3
"""Seeded generator of realistic synthetic classifier models (bench/scale).

    /usr/bin/python3 bench/scale/gen.py --classes real|C [--dims D] [--seed N]
                                        [-o OUTDIR] [options]

Writes into OUTDIR (default ./scale-C):
  weights.npy    float32, C x D: the final layer's class templates (rows)
  labels.txt     'wnid name' per line, row order (what 'simdepth analyze -l'
                 reads; name = the synset's first lemma)
  confusion.npy  float32, C x C: synthetic confusion COUNTS (integers stored
                 exactly in float32), row = true class, column = predicted;
                 every row sums to --images (simdepth and baseline.py
                 normalise rows to rates)
  meta.json      the parameters, WordNet facts and a few statistics

Needs Debian's /usr/bin/python3 with python3-numpy and python3-nltk, and
WordNet 3.0 in /usr/share/wordnet (wordnet-base) or $WNSEARCHDIR; nothing is
downloaded (see wnreader.py).

The model
---------
Classes. `--classes real` takes the 100 WordNet ids of the authors'
Mini-ImageNet ViT-B model from $SIMDEPTH_SHARED_DATA/mini-imagenet-vitb/
wnids.txt (default /work/shared/data; read at run time, never copied), in
that order. `--classes C` draws C distinct leaf noun synsets (no hyponym and
no instance-hyponym pointer) below --root (default physical_entity.n.01, as
ImageNet's classes are things; 'entity.n.01' takes every noun), by a seeded
shuffle of WordNet's noun offsets; instance synsets (people, places: '@i'
links) are allowed, so those paths are exercised. They are then sorted by
WordNet id, as ImageNet orders its classes. There are 36,750 such leaves
under physical_entity.n.01, so C = 21,843 is possible.

Templates. Every synset s that is a class or an ancestor of one (the union
of all its hypernym paths, '@' and '@i' links, so multiple inheritance adds
every parent) gets a random direction g_s ~ N(0, I/D) and a magnitude
a(s) = decay ** min_depth(s) (the root has depth 0). A class template is

    w_c = sum over s in {c} + ancestors(c) of a(s) g_s  +  noise * e_c,

e_c ~ N(0, I/D), then the mean template is subtracted from every row (a
softmax classifier is blind to a shift shared by all classes, and trained
templates are close to centred). Two classes are therefore similar in
proportion to the weight of the ancestors they share: siblings share
everything down to their parent, an animal and a tool only the top of the
hierarchy. The cosine similarity of the templates thus follows WordNet, and
Similarity Depth is well above the chance level, while the noise keeps it
below the taxonomy's own SD. The defaults (decay 0.9, noise 3.0) were set
so that the 100 real classes give cosine similarities of the spread of the
authors' real ViT-B model: off-diagonal standard deviation 0.054 (real:
0.047), median nearest-neighbour cosine 0.12 (real: about 0.15); SD 8.52
there against the real model's 7.45, the chance level 5.03 and WordNet's
own 8.77. At 1,000 random leaves: SD 7.47, chance 3.65, WordNet's own 7.98.
meta.json records these statistics for every run.

Confusion. Each true class i gets an accuracy acc_i ~ Beta(k m, k (1 - m))
with mean m = --accuracy (default 0.75; k = 8). Its errors go to class j != i
with probability proportional to exp(beta * z_ij), z_ij being the cosine
similarity of templates i and j standardised over row i (off-diagonal mean
and standard deviation), beta = --beta (default 2.5): errors are far more
likely between similar classes, and every class can be mistaken for any
other. The counts are one multinomial draw of --images (default 50, as the
ImageNet validation set) images per class: a sparse matrix with many exactly
equal entries, as real confusion matrices have, so tie handling is
exercised.

Everything random comes from one numpy.random.default_rng(--seed) stream, in
a fixed order: the same arguments give byte-identical files. Memory: the
C x C cosine similarity is produced in row blocks of float32 (the confusion
matrix is written through a memory map), so C = 21,843 needs about 2 GB.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

sys.dont_write_bytecode = True  # never write into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wnreader import open_wordnet, synset_of, wnid_of  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def log(quiet, fmt, *args):
    if not quiet:
        sys.stderr.write("gen.py: " + (fmt % args) + "\n")


def real_wnids():
    shared = os.environ.get("SIMDEPTH_SHARED_DATA", "/work/shared/data")
    path = os.path.join(shared, "mini-imagenet-vitb", "wnids.txt")
    try:
        with open(path) as f:
            ids = [line.split()[0] for line in f if line.strip()]
    except OSError as e:
        raise SystemExit("gen.py: %s: %s (set SIMDEPTH_SHARED_DATA)" % (path, e.strerror))
    return ids


def noun_leaf_offsets(root):
    """Offsets of noun synsets with no hyponym pointer ('~', '~i'), read
    straight from data.noun (a linear scan: much faster than building every
    NLTK synset), in file order."""
    out = []
    with open(os.path.join(root, "data.noun"), "rb") as f:
        for line in f:
            if line.startswith(b"  "):  # licence header
                continue
            fields = line.split(b" | ")[0].split()
            nw = int(fields[3], 16)
            k = 4 + 2 * nw
            npt = int(fields[k])
            ptrs = fields[k + 1:k + 1 + 4 * npt]
            symbols = ptrs[0::4]
            if b"~" not in symbols and b"~i" not in symbols:
                out.append(int(fields[0]))
    return out


def parents(s):
    return s.hypernyms() + s.instance_hypernyms()


def ancestors(s):
    """s and every synset above it, over all hypernym paths."""
    seen = {s}
    stack = [s]
    while stack:
        for p in parents(stack.pop()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def choose_classes(wn, wnroot, c, root_name, rng, quiet):
    root = wn.synset(root_name)
    offsets = np.array(noun_leaf_offsets(wnroot), dtype=np.int64)
    log(quiet, "%d leaf noun synsets in WordNet", len(offsets))
    order = rng.permutation(len(offsets))
    chosen = []
    for idx in order:
        s = wn.synset_from_pos_and_offset("n", int(offsets[idx]))
        if root in ancestors(s):
            chosen.append(s)
            if len(chosen) == c:
                break
    if len(chosen) < c:
        raise SystemExit("gen.py: only %d leaf synsets below %s; asked for %d"
                         % (len(chosen), root_name, c))
    chosen.sort(key=lambda s: s.offset())
    return chosen


def templates(classes, dims, decay, noise, rng):
    anc = [ancestors(s) for s in classes]
    nodes = sorted(set().union(*anc), key=lambda s: s.offset())
    index = {s: i for i, s in enumerate(nodes)}
    depth = np.array([s.min_depth() for s in nodes], dtype=np.float64)
    mag = decay ** depth
    g = rng.standard_normal((len(nodes), dims), dtype=np.float32)
    g *= (mag / np.sqrt(dims)).astype(np.float32)[:, None]
    w = np.empty((len(classes), dims), dtype=np.float32)
    for c, a in enumerate(anc):
        rows = sorted(index[s] for s in a)
        w[c] = g[rows].sum(axis=0, dtype=np.float64)
    w += rng.standard_normal(w.shape, dtype=np.float32) * np.float32(noise / np.sqrt(dims))
    w -= w.mean(axis=0, dtype=np.float64).astype(np.float32)
    return w, len(nodes)


def unit_rows(w):
    return w / np.linalg.norm(w, axis=1, keepdims=True).astype(np.float32)


def confusion(w, images, accuracy, beta, rng, out_path, block=512):
    """Multinomial confusion counts (see the header), written to out_path
    (.npy, float32) through a memory map; returns statistics."""
    c = w.shape[0]
    u = unit_rows(w)
    kappa = 8.0
    acc = rng.beta(kappa * accuracy, kappa * (1.0 - accuracy), size=c)
    m = np.lib.format.open_memmap(out_path, mode="w+", dtype=np.float32, shape=(c, c))
    nn_cos = np.empty(c)
    off_mean = off_sq = 0.0
    for r0 in range(0, c, block):
        r1 = min(c, r0 + block)
        s = (u[r0:r1] @ u.T).astype(np.float64)
        for k, i in enumerate(range(r0, r1)):
            row = s[k]
            row[i] = np.nan
            mu = np.nanmean(row)
            sd = np.nanstd(row)
            off_mean += np.nansum(row)
            off_sq += np.nansum(row * row)
            nn_cos[i] = np.nanmax(row)
            z = (row - mu) / (sd if sd > 0 else 1.0)
            z[i] = -np.inf
            p = np.exp(beta * (z - np.nanmax(z[np.isfinite(z)])))
            p[i] = 0.0
            p *= (1.0 - acc[i]) / p.sum()
            p[i] = acc[i]
            p /= p.sum()
            m[i] = rng.multinomial(images, p).astype(np.float32)
    m.flush()
    diag = np.array([m[i, i] for i in range(c)], dtype=np.float64) / images
    n_off = c * (c - 1)
    mean = off_mean / n_off
    stats = {
        "cosine_offdiag_mean": mean,
        "cosine_offdiag_std": float(np.sqrt(max(off_sq / n_off - mean * mean, 0.0))),
        "cosine_nearest_neighbour_quartiles": [float(q) for q in
                                               np.percentile(nn_cos, [25, 50, 75])],
        "accuracy_mean": float(diag.mean()),
        "confusion_nonzero_offdiag": int(np.count_nonzero(m) - np.count_nonzero(diag)),
    }
    del m
    return stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--classes", required=True,
                    help="'real' (the 100 Mini-ImageNet classes) or a class count")
    ap.add_argument("--dims", type=int, default=None,
                    help="template dimension (default 2048; 1024 above 10,000 classes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--root", default="physical_entity.n.01",
                    help="draw leaves below this synset (default physical_entity.n.01)")
    ap.add_argument("--decay", type=float, default=0.9,
                    help="ancestor magnitude = decay ** depth (default 0.9)")
    ap.add_argument("--noise", type=float, default=3.0,
                    help="per-class noise magnitude (default 3.0)")
    ap.add_argument("--accuracy", type=float, default=0.75,
                    help="mean per-class accuracy of the confusion (default 0.75)")
    ap.add_argument("--beta", type=float, default=2.5,
                    help="error concentration on similar classes (default 2.5)")
    ap.add_argument("--images", type=int, default=50,
                    help="test images per class in the confusion (default 50)")
    ap.add_argument("-o", "--output", default=None, help="output directory")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args()

    if a.classes != "real":
        try:
            n = int(a.classes)
        except ValueError:
            ap.error("--classes: expected 'real' or a count, got %r" % a.classes)
        if n < 2:
            ap.error("--classes: expected at least 2")
    dims = a.dims or (1024 if a.classes != "real" and int(a.classes) > 10000 else 2048)
    if not 0.0 < a.decay <= 1.0 or a.noise < 0 or not 0.0 < a.accuracy < 1.0 \
            or a.images < 1 or dims < 1:
        ap.error("a parameter is out of range (0 < decay <= 1, noise >= 0, "
                 "0 < accuracy < 1, images >= 1, dims >= 1)")
    out = a.output or ("scale-%s" % a.classes)
    os.makedirs(out, exist_ok=True)

    t0 = time.time()
    rng = np.random.default_rng(a.seed)
    wnroot = os.environ.get("WNSEARCHDIR") or "/usr/share/wordnet"
    wn = open_wordnet(wnroot)
    if a.classes == "real":
        classes = [synset_of(wn, i) for i in real_wnids()]
    else:
        classes = choose_classes(wn, wnroot, int(a.classes), a.root, rng, a.quiet)
    log(a.quiet, "%d classes chosen (%.1f s)", len(classes), time.time() - t0)

    w, n_nodes = templates(classes, dims, a.decay, a.noise, rng)
    np.save(os.path.join(out, "weights.npy"), w)
    with open(os.path.join(out, "labels.txt"), "w") as f:
        for s in classes:
            f.write("%s %s\n" % (wnid_of(s), s.lemma_names()[0]))
    log(a.quiet, "templates %d x %d from %d synsets (%.1f s)", w.shape[0], w.shape[1],
        n_nodes, time.time() - t0)

    stats = confusion(w, a.images, a.accuracy, a.beta, rng,
                      os.path.join(out, "confusion.npy"))
    depths = [s.max_depth() + 1 for s in classes]
    meta = {
        "generator": "bench/scale/gen.py",
        "classes": len(classes), "dims": dims, "seed": a.seed,
        "source": "mini-imagenet-vitb/wnids.txt" if a.classes == "real" else
                  "random leaf noun synsets below " + a.root,
        "decay": a.decay, "noise": a.noise, "accuracy": a.accuracy, "beta": a.beta,
        "images_per_class": a.images, "synsets_in_union": n_nodes,
        "instance_synsets": sum(1 for s in classes if s.instance_hypernyms()),
        "multi_parent_classes": sum(1 for s in classes if len(parents(s)) > 1),
        "class_depth_mean": float(np.mean(depths)),
    }
    meta.update(stats)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    log(a.quiet, "done in %.1f s: %s", time.time() - t0, out)


if __name__ == "__main__":
    main()
