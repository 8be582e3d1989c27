#!/usr/bin/python3
"""Clustering benchmark: simdepth's OPTICS, HDBSCAN, Louvain and Leiden
against scikit-learn, R dbscan and python-louvain (run by hand).

    /usr/bin/python3 bench/cluster/bench.py CLDRIVER [N ...]

Environment: REPEAT (default 3) runs of every measurement, the fastest kept;
LOUVAIN_MAX_N (default 2000): python-louvain only up to this N (its
networkx graph of the complete similarity graph needs about 1 KB per edge:
at N = 5000, 12.5 million edges, more memory and hours than is sensible).

CLDRIVER is the compiled bench/cluster/bench_cluster (README.md says how to
build it). For each N (default 1000 5000) the script draws N unit vectors
of dimension 64 from 20 Gaussian blobs (NumPy seed N), takes their cosine
similarity in float32, min-max scales it in float32 and sets the diagonal
to 1 (the perceived-similarity preprocessing), and saves it once; every
tool then reads that same S from disk, in its own process under
/usr/bin/time -v:

  simdepth     bench_cluster S.npy: simdepth_optics(), simdepth_hdbscan(),
               simdepth_louvain(seed 1), simdepth_leiden(seed 1), each
               timed around the library call only;
  sklearn      OPTICS(metric="precomputed", eps=0.25).fit(1 - S) as the
               reference code calls it (Debian python3-sklearn 1.2.1),
               timed around the 1 - S and the fit;
  R dbscan     hdbscan(as.dist(1 - S), minPts = 5), timed around both
               (r-cran-dbscan 1.1-11); scikit-learn 1.2.1 has no HDBSCAN;
  python-louvain  nx.from_numpy_array(S) (reported separately) and
               community.best_partition(G) (Debian python3-louvain).

Printed: per tool and method the best wall time, the ratio tool / simdepth,
cluster counts, modularity for the community methods, and each process's
peak RSS (it includes loading S).
"""

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

SKLEARN_CODE = r"""
import sys, time, warnings
import numpy as np
from sklearn.cluster import OPTICS
S = np.load(sys.argv[1]).astype(np.float64)
best = None
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lab = OPTICS(metric="precomputed", eps=0.25).fit(1 - S).labels_
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
print("method=optics seconds=%.6f clusters=%d" % (best, len(set(lab))))
"""

LOUVAIN_CODE = r"""
import sys, time
import numpy as np, networkx as nx, community
S = np.load(sys.argv[1]).astype(np.float64)
t0 = time.perf_counter()
G = nx.from_numpy_array(S)
build = time.perf_counter() - t0
best = None
for _ in range(int(sys.argv[2])):
    t0 = time.perf_counter()
    part = community.best_partition(G)
    t = time.perf_counter() - t0
    best = t if best is None else min(best, t)
q = community.modularity(part, G)
print("method=louvain seconds=%.6f build_seconds=%.6f clusters=%d q=%.6f"
      % (best, build, len(set(part.values())), q))
"""

R_CODE = r"""
suppressMessages(library(dbscan))
args <- commandArgs(trailingOnly = TRUE)
con <- file(args[1], "rb")
invisible(readBin(con, "raw", 8))
hlen <- readBin(con, "integer", 1, size = 2, signed = FALSE, endian = "little")
hdr <- rawToChar(readBin(con, "raw", hlen))
n <- as.integer(sub(".*'shape': *\\(([0-9]+),.*", "\\1", hdr))
size <- if (grepl("<f4", hdr)) 4 else 8
S <- matrix(readBin(con, "double", n * n, size = size, endian = "little"),
            n, n, byrow = TRUE)
close(con)
best <- Inf
for (r in seq_len(as.integer(args[2]))) {
  t0 <- proc.time()[["elapsed"]]
  h <- hdbscan(as.dist(1 - S), minPts = 5)
  best <- min(best, proc.time()[["elapsed"]] - t0)
}
cat(sprintf("method=hdbscan seconds=%.6f clusters=%d\n", best,
            length(unique(h$cluster))))
"""


def make_matrix(n, path):
    rng = np.random.default_rng(n)
    centres = rng.normal(size=(20, 64)) * 1.5
    x = centres[rng.integers(0, 20, n)] + rng.normal(size=(n, 64))
    x = x.astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    s = x @ x.T
    mn, mx = np.min(s), np.max(s)
    s = (s - mn) / (mx - mn)
    np.fill_diagonal(s, np.float32(1))
    np.save(path, s.astype(np.float32))


def run_timed(cmd):
    """Run under /usr/bin/time -v; return (stdout lines, peak RSS in MiB)."""
    timev = shutil.which("time") or "/usr/bin/time"
    p = subprocess.run([timev, "-v"] + cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(p.stderr[-2000:])
        return [], None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    rss = int(m.group(1)) / 1024.0 if m else None
    return [l for l in p.stdout.splitlines() if l.startswith("method=")], rss


def parse(line):
    return dict(kv.split("=", 1) for kv in line.split())


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for l in f:
                if l.startswith("model name"):
                    cpu = l.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30
    return "%s, %d CPUs, %.0f GiB RAM, %s %s" % (
        cpu, os.cpu_count(), mem, platform.system(), platform.release())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    driver = os.path.abspath(sys.argv[1])
    sizes = [int(a) for a in sys.argv[2:]] or [1000, 5000]
    repeat = os.environ.get("REPEAT", "3")
    louvain_max = int(os.environ.get("LOUVAIN_MAX_N", "2000"))
    have_r = shutil.which("Rscript") is not None
    print("machine:", machine())
    work = tempfile.mkdtemp(prefix="simdepth-bench-cluster-")
    try:
        for n in sizes:
            path = os.path.join(work, "S%d.npy" % n)
            make_matrix(n, path)
            rows = {}
            out, rss = run_timed([driver, path, repeat])
            for l in out:
                d = parse(l)
                rows[("simdepth", d["method"])] = (d, rss)
            out, rss = run_timed(["/usr/bin/python3", "-c", SKLEARN_CODE,
                                  path, repeat])
            for l in out:
                rows[("scikit-learn", "optics")] = (parse(l), rss)
            if have_r:
                out, rss = run_timed(["Rscript", "-e", R_CODE, path, repeat])
                for l in out:
                    rows[("R dbscan", "hdbscan")] = (parse(l), rss)
            if n <= louvain_max:
                out, rss = run_timed(["/usr/bin/python3", "-c", LOUVAIN_CODE,
                                      path, "1"])
                for l in out:
                    rows[("python-louvain", "louvain")] = (parse(l), rss)
            print("\nn = %d (REPEAT=%s)" % (n, repeat))
            print("%-8s %-15s %10s %8s %9s %9s %9s" % (
                "method", "tool", "seconds", "ratio", "clusters", "Q",
                "RSS MiB"))
            for method in ["optics", "hdbscan", "louvain", "leiden"]:
                base = rows.get(("simdepth", method))
                for tool in ["simdepth", "scikit-learn", "R dbscan",
                             "python-louvain"]:
                    if (tool, method) not in rows:
                        continue
                    d, rss = rows[(tool, method)]
                    sec = float(d["seconds"])
                    ratio = sec / float(base[0]["seconds"]) if base else 0
                    extra = ""
                    if "build_seconds" in d:
                        extra = "  (+ %.3f s building the networkx graph)" \
                            % float(d["build_seconds"])
                    print("%-8s %-15s %10.4f %8.1f %9s %9s %9s%s" % (
                        method, tool, sec, ratio, d.get("clusters", "-"),
                        d.get("q", "-"),
                        "%.0f" % rss if rss is not None else "-", extra))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
