#!/usr/bin/python3
"""Baselines of the scale benchmark: the reference pipeline and engine stages.

    /usr/bin/python3 bench/scale/baseline.py MODE DIR [--limit SECONDS]

DIR holds weights.npy, labels.txt and confusion.npy as gen.py writes them.
Every stage prints one JSON line on standard output as soon as it ends:

    {"tool": T, "stage": S, "wall": seconds, "cpu": seconds, "peak_kib": K}

wall = time.perf_counter(), cpu = time.process_time() (user + system of every
thread of the process), peak_kib = the process's peak resident set size
during the stage (Linux VmHWM, reset through /proc/self/clear_refs when the
stage starts, so it counts what is resident plus what the stage adds; if
the reset is refused, the peak since the start, with "peak_cumulative":
true). A last line has stage "total". At --limit seconds (wall, whole run;
default 600) the run stops with {"stage": S, "limit": L} for the stage that
was running and exit status 3. bench.py also kills the process some time
after the limit, in case a C extension does not return to the interpreter.

MODE
  reference    the reference pipeline of "Semantic Depth Matters" as the
               authors' code (DeepHierarchy, c49d14b) runs it for one model,
               with the libraries they used, on NumPy 1.24 / scikit-learn
               1.2.1 / networkx 2.8 / pandas 1.5 / NLTK 3.8 (Debian 12):
      import libraries    networkx, pandas, scikit-learn, NLTK
      load            np.load of the templates and the confusion counts,
                      labels; NLTK WordNetCorpusReader on /usr/share/wordnet
                      (wnreader.py: no nltk_data)
      similarity      cosine of the float32 templates (row-normalised
                      W W^T through NumPy/OpenBLAS), then the reference's
                      process_CSM: min-max over the whole matrix, diagonal 1
      perceived: graph    pandas DataFrame indexed by wnid, then
                      nx.from_pandas_adjacency (the complete graph, self
                      loops included, as the reference builds it)
      perceived: AP   nx.to_pandas_adjacency, then
                      sklearn AffinityPropagation(affinity="precomputed")
                      .fit_predict (defaults: damping 0.5, 200 iterations,
                      convergence 15, median preference), NumPy seeded 42
      perceived: MST  per cluster: G.subgraph + nx.maximum_spanning_tree
      perceived: LCS  per tree edge: synset_from_pos_and_offset, then the
                      reference rule: lowest_common_hypernyms(
                      use_min_depth=True), the first synset itself if it is
                      a candidate else the first candidate, depth =
                      max_depth() + 1, shortest_path_distance to it (for
                      Wu-Palmer); the rows go into a pandas DataFrame
                      (node1, node2, depth, subsumer, simi, ID), SD = mean
      confusion: ...  the same four stages on the functional similarity:
                      counts to rates (rows sum to 1; the authors' matrices
                      were rates already), (M + M^T) / 2, diagonal 1
      compliance: direct    sets of frozenset edges from both DataFrames,
                      intersection (the reference's compute_direct_compliance)
      compliance: extended  the reference's loops: for every edge of one
                      DataFrame (iterrows), for every cluster ID of the
                      other, filter that cluster's rows, build every pair of
                      its nodes, test membership; both directions. This is
                      the O(E x clusters x pairs) loop of the issue.
               The reference writes each DataFrame to results.csv and reads
               it back before the compliance; here they stay in memory, and
               each graph is analysed once (the reference's
               get_ncsm_depths runs compute_stats twice and plots every
               cluster), so these times are a lower bound of the reference.
  sklearn-ap   scikit-learn AffinityPropagation alone on S (similarity as
               above, a NumPy array, no networkx): stages load, similarity,
               affinity propagation.
  scipy        SciPy's average linkage of 1 - S: stages load, similarity,
               distances (squareform(1 - S, checks=False)), linkage
               (scipy.cluster.hierarchy.linkage(y, "average")).
  fastcluster  R (Rscript, r-cran-fastcluster): as.dist(1 - S) then
               fastcluster::hclust(d, "average"); S is computed here and
               handed over as a raw float64 file (not timed in R's stages).
  apcluster    R (r-cran-apcluster): apcluster::apcluster(S) with
               scikit-learn's settings (median preference q = 0.5, lam 0.5,
               maxits 200, convits 15), details off.
For the R modes the stages are timed inside R (proc.time: elapsed and
user + system) and the peak comes from R's own /proc/self/status; the lines
are relayed with tool "fastcluster"/"apcluster". The similarity stage is
also reported (Python side).
"""

import argparse
import itertools
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # never write into the source tree
sys.path.insert(0, HERE)


class TimeLimit(Exception):
    pass


class Stages:
    """Times stages and prints one JSON line per stage."""

    def __init__(self, tool, limit):
        self.tool = tool
        self.limit = limit
        self.t0 = time.perf_counter()
        self.c0 = time.process_time()
        self.current = None
        self.max_peak = 0
        self.can_reset = self._reset()

    @staticmethod
    def _reset():
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            return True
        except OSError:
            return False

    @staticmethod
    def hwm_kib():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM"):
                    return int(line.split()[1])
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def emit(self, rec):
        if "peak_kib" in rec and rec.get("stage") != "total":
            self.max_peak = max(self.max_peak, rec["peak_kib"])
        rec = dict({"tool": self.tool}, **rec)
        sys.stdout.write(json.dumps(rec) + "\n")
        sys.stdout.flush()

    def run(self, name, fn, *args):
        self.current = name
        if self.can_reset:
            self._reset()
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn(*args)
        rec = {"stage": name, "wall": time.perf_counter() - w0,
               "cpu": time.process_time() - c0, "peak_kib": self.hwm_kib()}
        if not self.can_reset:
            rec["peak_cumulative"] = True
        self.emit(rec)
        self.current = None
        return out

    def total(self, extra=None):
        # The resets lower ru_maxrss too: the largest stage peak counts.
        rec = {"stage": "total", "wall": time.perf_counter() - self.t0,
               "cpu": time.process_time() - self.c0,
               "peak_kib": max(self.max_peak,
                               resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)}
        if extra:
            rec.update(extra)
        self.emit(rec)


# ---------------------------------------------------------------- inputs

def load_inputs(d):
    w = np.load(os.path.join(d, "weights.npy"))
    conf = np.load(os.path.join(d, "confusion.npy"))
    with open(os.path.join(d, "labels.txt")) as f:
        wnids = [line.split()[0] for line in f if line.strip()]
    if w.shape[0] != len(wnids) or conf.shape != (len(wnids), len(wnids)):
        raise SystemExit("baseline.py: %s: shapes disagree (weights %s, %d labels, "
                         "confusion %s)" % (d, w.shape, len(wnids), conf.shape))
    return w, conf, wnids


def cosine(w):
    u = w / np.linalg.norm(w, axis=1, keepdims=True)
    return u @ u.T


def process_ncsm(s):
    """The reference's min-max scaling (whole matrix, in S's precision),
    diagonal 1."""
    s = (s - np.min(s)) / (np.max(s) - np.min(s))
    np.fill_diagonal(s, 1)
    return s


def similarity(w):
    return process_ncsm(cosine(w))


def process_ccsm(counts):
    m = counts.astype(np.float64)
    sums = m.sum(axis=1, keepdims=True)
    sums[sums == 0] = 1.0
    m /= sums
    m = (m + m.T) / 2
    np.fill_diagonal(m, 1)
    return m


# ---------------------------------------------------------------- reference

def reference(a, st):
    def imports():
        import networkx
        import pandas
        import sklearn.cluster
        import wnreader
        return networkx, pandas, sklearn.cluster.AffinityPropagation, wnreader.open_wordnet

    nx, pd, AffinityPropagation, open_wordnet = st.run("import libraries", imports)

    def load():
        w, conf, wnids = load_inputs(a.dir)
        wn = open_wordnet()
        return w, conf, wnids, wn

    w, conf, wnids, wn = st.run("load", load)

    def lcs_row(n1, n2):
        sa = wn.synset_from_pos_and_offset(n1[0], int(n1[1:]))
        sb = wn.synset_from_pos_and_offset(n2[0], int(n2[1:]))
        cands = sa.lowest_common_hypernyms(sb, use_min_depth=True)
        if not cands:
            return (n1, n2, np.nan, None, np.nan)
        sub = sa if sa in cands else cands[0]
        depth = sub.max_depth() + 1
        la = sa.shortest_path_distance(sub) + depth
        lb = sb.shortest_path_distance(sub) + depth
        return (n1, n2, depth, sub, (2.0 * depth) / (la + lb))

    def graph(s):
        df = pd.DataFrame(s, columns=wnids)
        df.index = df.columns
        return nx.from_pandas_adjacency(df)

    def affinity(g):
        adj = nx.to_pandas_adjacency(g)
        np.random.seed(42)
        labels = AffinityPropagation(affinity="precomputed").fit_predict(adj)
        return dict(zip(adj.columns, labels))

    def msts(g, part):
        trees = []
        for cid in set(part.values()):
            nodes = [n for n, c in part.items() if c == cid]
            trees.append(nx.maximum_spanning_tree(g.subgraph(nodes), weight="weight"))
        return trees

    def lcs(trees):
        frames = []
        for idx, t in enumerate(trees):
            df = pd.DataFrame([lcs_row(u, v) for u, v in t.edges()],
                              columns=["node1", "node2", "depth", "subsumer", "simi"])
            df["ID"] = idx
            frames.append(df)
        return pd.concat(frames, axis=0)

    results = {}
    s = st.run("similarity", similarity, w)
    for tag, make in (("perceived", lambda: s), ("confusion", lambda: process_ccsm(conf))):
        if tag == "confusion":
            m = st.run("confusion: functional similarity", make)
        else:
            m = make()
        g = st.run(tag + ": graph", graph, m)
        part = st.run(tag + ": AP", affinity, g)
        trees = st.run(tag + ": MST", msts, g, part)
        df = st.run(tag + ": LCS", lcs, trees)
        results[tag] = df
        results[tag + "_sd"] = float(df["depth"].mean())
        results[tag + "_clusters"] = len(set(part.values()))
        results[tag + "_edges"] = len(df)
        del g, m

    def direct(df1, df2):
        s1 = set(df1.apply(lambda r: frozenset([r["node1"], r["node2"]]), axis=1))
        s2 = set(df2.apply(lambda r: frozenset([r["node1"], r["node2"]]), axis=1))
        common = s1 & s2
        return len(common) / len(s1), len(common) / len(s2), len(common)

    def all_pairs(group):
        nodes = set(group["node1"]).union(set(group["node2"]))
        return {frozenset(p) for p in itertools.combinations(nodes, 2)}

    def inside(source, target):
        matched = unmatched = 0
        for _, row in source.iterrows():
            t = frozenset([row["node1"], row["node2"]])
            found = False
            for gid in target["ID"].unique():
                if t in all_pairs(target[target["ID"] == gid]):
                    found = True
                    break
            if found:
                matched += 1
            else:
                unmatched += 1
        return matched / (matched + unmatched)

    def extended(df1, df2):
        return inside(df1, df2), inside(df2, df1)

    dp, dc, common = st.run("compliance: direct", direct, results["perceived"],
                            results["confusion"])
    ep, ec = st.run("compliance: extended", extended, results["perceived"],
                    results["confusion"])
    st.total({"sd": results["perceived_sd"], "clusters": results["perceived_clusters"],
              "edges": results["perceived_edges"],
              "confusion_sd": results["confusion_sd"],
              "confusion_clusters": results["confusion_clusters"],
              "common_edges": common, "direct": [dp, dc], "extended": [ep, ec]})


# ---------------------------------------------------------------- engines

def sklearn_ap(a, st):
    def imports():
        from sklearn.cluster import AffinityPropagation
        return AffinityPropagation

    AffinityPropagation = st.run("import libraries", imports)
    w, _, _ = st.run("load", load_inputs, a.dir)
    s = st.run("similarity", similarity, w)

    def ap():
        np.random.seed(42)
        return AffinityPropagation(affinity="precomputed").fit_predict(s)

    labels = st.run("affinity propagation", ap)
    st.total({"clusters": int(len(set(labels.tolist())))})


def scipy_linkage(a, st):
    def imports():
        from scipy.cluster.hierarchy import linkage
        from scipy.spatial.distance import squareform
        return linkage, squareform

    linkage, squareform = st.run("import libraries", imports)
    w, _, _ = st.run("load", load_inputs, a.dir)
    s = st.run("similarity", similarity, w)
    y = st.run("distances", lambda m: squareform(1.0 - m.astype(np.float64), checks=False), s)
    del s
    z = st.run("linkage", linkage, y, "average")
    st.total({"height_sum": float(z[:, 2].sum())})


R_COMMON = r"""
args <- commandArgs(trailingOnly = TRUE)
n <- as.integer(args[2])
hwm <- function() {
  l <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(l, "[[:space:]]+")[[1]][2])
}
reset <- function() try(cat("5", file = "/proc/self/clear_refs"), silent = TRUE)
stage <- function(name, expr) {
  reset()
  p0 <- proc.time()
  v <- force(expr)
  p <- proc.time() - p0
  cat(sprintf('{"stage": "%s", "wall": %.6f, "cpu": %.6f, "peak_kib": %.0f}\n',
              name, p[["elapsed"]], p[["user.self"]] + p[["sys.self"]], hwm()))
  flush(stdout())
  v
}
S <- stage("read S", matrix(readBin(args[1], "double", n * n, size = 8,
                                      endian = "little"), n, n))
"""

R_FASTCLUSTER = R_COMMON + r"""
suppressPackageStartupMessages(library(fastcluster))
d <- stage("distances", as.dist(1 - S))
rm(S); invisible(gc())
h <- stage("linkage", fastcluster::hclust(d, method = "average"))
cat(sprintf('{"stage": "result", "height_sum": %.17g}\n', sum(h$height)))
"""

R_APCLUSTER = R_COMMON + r"""
suppressPackageStartupMessages(library(apcluster))
r <- stage("affinity propagation",
           apcluster::apcluster(S, q = 0.5, lam = 0.5, maxits = 200,
                                convits = 15, details = FALSE))
cat(sprintf('{"stage": "result", "clusters": %d}\n', length(r@clusters)))
"""


def r_engine(a, st, code, package):
    w, _, _ = st.run("load", load_inputs, a.dir)
    s = st.run("similarity", similarity, w)
    n = s.shape[0]
    fd, raw = tempfile.mkstemp(prefix="simdepth-scale-", suffix=".f64",
                               dir=os.environ.get("TMPDIR", "/tmp"))
    os.close(fd)
    try:
        s.astype("<f8").tofile(raw)
        del s, w
        remaining = max(1.0, a.limit - (time.perf_counter() - st.t0))
        try:
            p = subprocess.Popen(["Rscript", "-e", code, raw, str(n)],
                                 stdout=subprocess.PIPE, text=True)
        except OSError as e:
            raise SystemExit("baseline.py: Rscript: %s (install r-base-core)" % e.strerror)
        r_peak = 0
        extra = {}
        signal.setitimer(signal.ITIMER_REAL, 0)  # R has its own timeout
        try:
            out, _ = p.communicate(timeout=remaining)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            st.emit({"stage": "R (%s)" % package, "limit": a.limit})
            raise SystemExit(3)
        if p.returncode != 0:
            raise SystemExit("baseline.py: Rscript (%s) failed with status %d (is "
                             "r-cran-%s installed?)" % (package, p.returncode, package))
        for line in out.splitlines():
            rec = json.loads(line)
            if rec["stage"] == "result":
                rec.pop("stage")
                extra.update(rec)
                continue
            r_peak = max(r_peak, rec["peak_kib"])
            rec["process"] = "R"
            st.emit(rec)
        extra["r_peak_kib"] = r_peak
        st.total(extra)
    finally:
        os.unlink(raw)


MODES = {
    "reference": reference,
    "sklearn-ap": sklearn_ap,
    "scipy": scipy_linkage,
    "fastcluster": lambda a, st: r_engine(a, st, R_FASTCLUSTER, "fastcluster"),
    "apcluster": lambda a, st: r_engine(a, st, R_APCLUSTER, "apcluster"),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=sorted(MODES))
    ap.add_argument("dir", help="a directory written by gen.py")
    ap.add_argument("--limit", type=float, default=600.0,
                    help="stop after this many seconds (default 600)")
    a = ap.parse_args()
    st = Stages(a.mode, a.limit)

    def on_alarm(signum, frame):
        raise TimeLimit()

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, a.limit)
    try:
        MODES[a.mode](a, st)
    except TimeLimit:
        st.emit({"stage": st.current or "?", "limit": a.limit})
        sys.exit(3)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


if __name__ == "__main__":
    main()
