#!/usr/bin/python3
"""Linkage benchmark: simdepth against SciPy and R fastcluster (run by hand).

    /usr/bin/python3 bench/linkage/bench.py LKDRIVER [N ...]

Environment: REPEAT (default 3, at least 2) runs of every measurement, the
fastest kept.

LKDRIVER is the compiled bench/linkage/lkdriver (README.md says how to
build it). For each N (default 1000 5000) the script draws N random class
templates of dimension 256 (NumPy seed N, Gaussian), takes their cosine
similarity S in float64 and saves it once; every tool then reads that same
S from disk and computes the linkage of the distance 1 - S, each in its
own process under /usr/bin/time -v, for average, complete, single and ward:

  simdepth-f64  lkdriver time S.npy METHOD f64: the condensed distances
                (float64) built from S, then the linkage in place;
  simdepth-f32  the same with float32 storage (half the memory);
  scipy         squareform(1 - S, checks=False) then
                scipy.cluster.hierarchy.linkage(y, METHOD)
                (Debian python3-scipy 1.10.1);
  fastcluster   as.dist(1 - S) then fastcluster::hclust(d, METHOD)
                (R, r-cran-fastcluster; "ward" is "ward.D2"), if Rscript
                and the package are installed.

Reported per run: the wall time of building the distances and of the
linkage call (each tool times itself around exactly those calls), their
sum, the process's peak RSS (/usr/bin/time -v "Maximum resident set
size" of the first run; it includes reading S, 8 N^2 bytes, which
simdepth's .npy reader briefly holds twice), the peak RSS of the work itself
("work peak", from the other runs: Linux VmHWM reset through
/proc/self/clear_refs after S is loaded and read after the linkage, so it
counts S, resident, plus what the distances and the linkage add), the
ratios to SciPy, and how
the heights compare with SciPy's: "identical" when bit for bit equal (in
row order for simdepth, sorted for fastcluster, whose rows are in another
order), else the largest relative difference.
"""

import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import scipy

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ["average", "complete", "single", "ward"]

SCIPY_CODE = r"""
import os, sys, time
import numpy as np
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import squareform
S = np.load(sys.argv[1])
if os.environ.get("SIMDEPTH_BENCH_RESET_PEAK") == "1":
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
t0 = time.perf_counter()
y = squareform(1.0 - S, checks=False)
t1 = time.perf_counter()
Z = linkage(y, sys.argv[2])
t2 = time.perf_counter()
print("distance_seconds %.6f" % (t1 - t0))
print("linkage_seconds %.6f" % (t2 - t1))
print("checksum %r" % float(Z[:, 2].sum()))
with open("/proc/self/status") as f:
    print("phase_peak_kib %s" % [l.split()[1] for l in f if l.startswith("VmHWM")][0])
with open(sys.argv[3], "w") as f:
    f.write("".join("%r\n" % float(h) for h in Z[:, 2]))
"""

R_CODE = r"""
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[2])
suppressPackageStartupMessages(library(fastcluster))
S <- matrix(readBin(args[1], "double", n * n, size = 8, endian = "little"), n, n)
invisible(gc())
if (Sys.getenv("SIMDEPTH_BENCH_RESET_PEAK") == "1") cat("5", file = "/proc/self/clear_refs")
t0 <- proc.time()[["elapsed"]]
d <- as.dist(1 - S)
t1 <- proc.time()[["elapsed"]]
m <- if (args[3] == "ward") "ward.D2" else args[3]
h <- fastcluster::hclust(d, method = m)
t2 <- proc.time()[["elapsed"]]
cat(sprintf("distance_seconds %.6f\nlinkage_seconds %.6f\nchecksum %.17g\n",
            t1 - t0, t2 - t1, sum(h$height)))
hwm <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
cat(sprintf("phase_peak_kib %s\n", strsplit(hwm, "[[:space:]]+")[[1]][2]))
writeLines(sprintf("%.17g", h$height), args[4])
"""


def make_input(n, tmp):
    rng = np.random.default_rng(n)
    w = rng.normal(size=(n, 256))
    w /= np.linalg.norm(w, axis=1, keepdims=True)
    s = w @ w.T
    s = (s + s.T) / 2.0  # exactly symmetric
    np.fill_diagonal(s, 1.0)
    path = os.path.join(tmp, "S%d.npy" % n)
    np.save(path, s)
    s.astype("<f8").tofile(os.path.join(tmp, "S%d.f64" % n))
    return path


def heights(path):
    with open(path) as f:
        return np.array([float(line) for line in f if line.strip()])


def agreement(h, ref, ordered):
    """'identical' when every height equals SciPy's bit for bit (in row
    order when ordered, else sorted), else the largest relative difference."""
    a, b = (h, ref) if ordered else (np.sort(h), np.sort(ref))
    if np.array_equal(a, b):
        return "identical"
    return "max rel diff %.1e" % float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def run(cmd):
    """The fastest of REPEAT runs (at least 2) by total time; the process
    peak RSS from the first run, the work peak from the others (which reset
    the peak after loading S)."""
    best = None
    whole = work = 0.0
    for i in range(max(2, int(os.environ.get("REPEAT", "3")))):
        r = run_once(cmd, reset=i > 0)
        if i == 0:
            whole = r[3]
        else:
            work = max(work, r[4])
        if best is None or r[0] + r[1] < best[0] + best[1]:
            best = r
    return best[:3] + (whole, work)


def run_once(cmd, reset):
    env = dict(os.environ, SIMDEPTH_BENCH_RESET_PEAK="1" if reset else "0")
    r = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True,
                       text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), r.stderr[-500:]))
    vals = dict(line.split(" ", 1) for line in r.stdout.strip().split("\n"))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                        r.stderr).group(1))
    return (float(vals["distance_seconds"]), float(vals["linkage_seconds"]),
            float(vals["checksum"]), rss / 1024.0,
            int(vals["phase_peak_kib"]) / 1024.0)


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%s, nproc %d, %s, Python %s, NumPy %s, SciPy %s" % (
        model, os.cpu_count(), platform.platform(), platform.python_version(),
        np.__version__, scipy.__version__)


def main():
    drv = os.path.abspath(sys.argv[1])
    sizes = [int(a) for a in sys.argv[2:]] or [1000, 5000]
    have_r = shutil.which("Rscript") is not None and subprocess.run(
        ["Rscript", "-e", "library(fastcluster)"], capture_output=True
    ).returncode == 0
    print("machine: " + machine())
    if have_r:
        v = subprocess.run(["Rscript", "-e",
                            "cat(as.character(packageVersion('fastcluster')))"],
                           capture_output=True, text=True).stdout.strip()
        print("R fastcluster %s" % v)
    print()
    print("| n | method | tool | distances s | linkage s | total s | time / SciPy "
          "| peak RSS MB | RSS / SciPy | work peak MB | work / SciPy | heights vs SciPy |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        rscript = os.path.join(tmp, "fc.R")
        with open(rscript, "w") as f:
            f.write(R_CODE)
        for n in sizes:
            s_npy = make_input(n, tmp)
            s_raw = s_npy[:-4] + ".f64"
            for method in METHODS:
                rows = []
                hp = {t: os.path.join(tmp, t + ".txt") for t in
                      ("scipy", "simdepth-f64", "simdepth-f32", "fastcluster")}
                ref = run(["/usr/bin/python3", "-c", SCIPY_CODE, s_npy, method,
                           hp["scipy"]])
                rows.append(("scipy", ref))
                rows.append(("simdepth-f64", run([drv, "time", s_npy, method, "f64",
                                                  hp["simdepth-f64"]])))
                rows.append(("simdepth-f32", run([drv, "time", s_npy, method, "f32",
                                                  hp["simdepth-f32"]])))
                if have_r:
                    rows.append(("fastcluster", run(
                        ["Rscript", rscript, s_raw, str(n), method,
                         hp["fastcluster"]])))
                href = heights(hp["scipy"])
                for tool, (dt, lt, cs, rss, work) in rows:
                    tot = dt + lt
                    ref_tot = ref[0] + ref[1]
                    same = agreement(heights(hp[tool]), href,
                                     tool.startswith("simdepth"))
                    print("| %d | %s | %s | %.3f | %.3f | %.3f | %.2f | %.0f | %.2f "
                          "| %.0f | %.2f | %s |"
                          % (n, method, tool, dt, lt, tot, tot / ref_tot, rss,
                             rss / ref[3], work, work / ref[4], same))
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
