#!/usr/bin/python3
"""The scale benchmark's driver (run by run.sh; see README.md).

    /usr/bin/python3 bench/scale/bench.py BUILD_DIR SIZE...

BUILD_DIR: a built out-of-tree build directory holding `simdepth` and the
`kernels` program run.sh compiles there. SIZE: `real` (or 100: the 100
real Mini-ImageNet classes) or a class count (random WordNet leaves; 2,048
dims, 1,024 above 10,000 classes).

Environment:
  SCALE_DATA   where generated inputs are cached (default
               /tmp/simdepth-scale; one directory per size, made by gen.py
               with seed 1 and reused while its meta.json exists)
  LIMIT        time limit of each baseline in seconds (default 600)
  BASELINES    which baselines to run (default
               "reference sklearn-ap scipy fastcluster apcluster";
               "none" for none)
  RENDER       0 to skip the three render runs (default 1)
  REPEAT       runs of each kernel timing (default 3, fastest kept)
  OUT          also append the tables to this file
  FORCE        1: run a baseline even when its estimated peak memory
               (MEMORY below) exceeds 80 % of MemAvailable; by default it
               is reported as not run, so that the 21,843-class case does not
               push a shared machine into swap or the OOM killer

Every tool runs in its own process under /usr/bin/time -v: "wall" is the
elapsed time, "CPU" user + system time (all threads; 2 x wall at most on
two cores), "peak RSS" the maximum resident set size. For the baselines the
per-stage rows come from the process itself (baseline.py), and the row
"whole process" is /usr/bin/time's, interpreter start-up included (its peak
RSS is the larger of time's and the stages' peaks: baseline.py resets the
kernel's peak at each stage, which also lowers what time reads at exit).
Prints one Markdown table per size on standard output; progress on stderr.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"


def note(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


def timed(cmd, limit=None, env=None):
    """Run cmd under /usr/bin/time -v. Returns (status, stdout, stderr,
    {wall, cpu, peak_kib}); status None when killed at the limit."""
    fd, tfile = tempfile.mkstemp(prefix="simdepth-scale-time.")
    os.close(fd)
    full = ["/usr/bin/time", "-v", "-o", tfile] + cmd
    p = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env, start_new_session=True)
    killed = False
    try:
        out, err = p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        killed = True
        os.killpg(p.pid, 9)
        out, err = p.communicate()
    stats = {}
    try:
        with open(tfile) as f:
            t = f.read()
        os.unlink(tfile)
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", t)
        parts = [float(x) for x in m.group(1).split(":")]
        wall = 0.0
        for x in parts:
            wall = wall * 60 + x
        user = float(re.search(r"User time \(seconds\): (\S+)", t).group(1))
        system = float(re.search(r"System time \(seconds\): (\S+)", t).group(1))
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
        stats = {"wall": wall, "cpu": user + system, "peak_kib": rss}
    except (OSError, AttributeError):
        pass
    return (None if killed else p.returncode), out, err, stats


def inputs(size, data):
    name = "real" if size in ("real", "100") else str(int(size))
    d = os.path.join(data, name)
    if os.path.exists(os.path.join(d, "meta.json")):
        note("inputs %s: cached in %s" % (name, d))
    else:
        note("inputs %s: generating into %s" % (name, d))
        r = subprocess.run(["nice", "-n", "10", PY, os.path.join(HERE, "gen.py"),
                            "--classes", name, "-o", d, "-q"])
        if r.returncode != 0:
            raise SystemExit("bench: gen.py failed for %s" % name)
    with open(os.path.join(d, "meta.json")) as f:
        return d, json.load(f)


def kv(text):
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition(" ")
        if v:
            out[k] = v.strip()
    return out


def fmt_s(x):
    if x is None:
        return ""
    if x >= 100:
        return "%.0f" % x
    if x >= 10:
        return "%.1f" % x
    if x >= 0.1:
        return "%.2f" % x
    return "%.3f" % x


def fmt_mib(kib):
    return "" if kib is None else "%.0f" % (kib / 1024.0)


def ratio(x, ref):
    if x is None or not ref:
        return ""
    r = x / ref
    return "%.0f×" % r if r >= 10 else "%.1f×" % r


def ratios(st, ref, what):
    """'N× wall, M× CPU <what>' of a run st against a simdepth run ref."""
    if not ref:
        return ""
    out = "%s wall" % ratio(st["wall"], ref["wall"])
    if st.get("cpu") is not None and ref.get("cpu"):
        out += ", %s CPU" % ratio(st["cpu"], ref["cpu"])
    return out + " of " + what


def simdepth_binary(build):
    """The simdepth program of a build directory and the environment to
    run it in. A shared-library build holds a libtool wrapper script at
    BUILD/simdepth that re-executes the real program (a shell start-up,
    two forks and an exec, about 50 ms); the real one is in BUILD/.libs and
    is what an installed simdepth runs, so that is what is measured."""
    real = os.path.join(build, ".libs", "simdepth")
    if os.path.exists(real):
        libs = os.path.join(build, ".libs")
        old = os.environ.get("LD_LIBRARY_PATH")
        return real, dict(os.environ, LD_LIBRARY_PATH=libs + (":" + old if old else ""))
    return os.path.join(build, "simdepth"), None


TIMING = re.compile(r"^simdepth: timing: (.+?)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")


def stage_rows(err, what):
    """Rows of the '--timings' lines in a simdepth run's stderr."""
    rows = []
    for line in err.splitlines():
        m = TIMING.match(line)
        if m and m.group(1) != "total":
            rows.append(("simdepth", "· %s: %s" % (what, m.group(1)), float(m.group(2)),
                         float(m.group(3)), float(m.group(4)) * 1024, "peak so far"))
    return rows


def simdepth_runs(build, d, meta, render, repeat):
    sd, sd_env = simdepth_binary(build)
    w, lab, conf = (os.path.join(d, f) for f in ("weights.npy", "labels.txt", "confusion.npy"))
    work = os.path.join(d, "out")
    os.makedirs(work, exist_ok=True)
    base = [sd, "analyze", "-q", "-w", w, "-l", lab]
    runs = [
        ("analyze", "end to end: confusion, default options (baselines below 8,192 classes)",
         base + ["-c", conf, "--timings", "-o", os.path.join(work, "analyze.json")]),
    ]
    if meta["classes"] < 8192:
        # From 8,192 classes on the default skips the baselines, so these
        # would repeat the first run (five minutes at 21,843 classes).
        runs += [
            ("analyze-nb", "end to end, --no-baselines",
             base + ["-c", conf, "--no-baselines", "-o", os.path.join(work, "analyze-nb.json")]),
            ("analyze-nc", "no confusion, --no-baselines (load, similarity, AP, forest, LCS)",
             base + ["--no-baselines", "-o", os.path.join(work, "analyze-nc.json")]),
        ]
    runs += [
        ("tree", "tree --linkage average (load, similarity, linkage, .npy)",
         [sd, "tree", "-q", "--timings", "-w", w, "-l", lab, "--linkage", "average",
          "-o", os.path.join(work, "tree.npy")]),
    ]
    if render and meta["classes"] < 8192:
        for fig in ("graph", "dendrogram", "heatmap"):
            runs.append(("render-" + fig, "render --figure %s (SVG)" % fig,
                         [sd, "render", "-q", "-w", w, "-l", lab, "-c", conf, "--figure", fig,
                          "-o", os.path.join(work, fig + ".svg")]))
    if render:
        # The cluster-level figure from the saved analysis (the report of
        # the first run): no second affinity propagation.
        runs.append(("render-clusters", "render --figure clusters --partition analyze.json (SVG)",
                     [sd, "render", "-q", "-w", w, "-l", lab, "-c", conf, "--figure", "clusters",
                      "--partition", os.path.join(work, "analyze.json"),
                      "-o", os.path.join(work, "clusters.svg")]))
    rows = []
    res = {}
    for key, what, cmd in runs:
        note("simdepth %s" % what)
        status, out, err, st = timed(cmd, env=sd_env)
        if status != 0:
            rows.append(("simdepth", what, None, None, None, "failed (%s): %s" % (
                status, err.strip().splitlines()[-1] if err.strip() else "")))
            continue
        res[key] = st
        rows.append(("simdepth", what, st["wall"], st["cpu"], st["peak_kib"], ""))
        if "--timings" in cmd:
            rows.extend(stage_rows(err, key))
    if render and all(k in res for k in ("render-graph", "render-dendrogram", "render-heatmap")):
        tot = [sum(res["render-" + f][k] for f in ("graph", "dendrogram", "heatmap"))
               for k in ("wall", "cpu")]
        peak = max(res["render-" + f]["peak_kib"] for f in ("graph", "dendrogram", "heatmap"))
        res["render"] = {"wall": tot[0], "cpu": tot[1], "peak_kib": peak}
        rows.append(("simdepth", "render: the three figures together", tot[0], tot[1], peak, ""))

    # Kernels: simdepth's similarity alone, and OpenBLAS alone on its shape.
    kern = os.path.join(build, "kernels")
    note("kernels: simdepth_similarity_cosine, OpenBLAS sgemm/ssyrk")
    status, out, err, st = timed([kern, "cosine", w, str(repeat)])
    cos_peak = st.get("peak_kib")
    if status == 0:
        res["cosine"] = float(kv(out)["cosine_seconds"])
    status, out, err, st = timed([kern, "blas", str(meta["classes"]), str(meta["dims"]),
                                  str(repeat)])
    k = kv(out) if status == 0 else {}
    if "cosine" in res:
        rows.append(("simdepth", "similarity alone: simdepth_similarity_cosine (fastest of %d)"
                     % repeat, res["cosine"], None, cos_peak,
                     "%s of sgemm" % ratio(res["cosine"], float(k["sgemm_seconds"]))
                     if k else ""))
    if k:
        res["sgemm"] = float(k["sgemm_seconds"])
        res["ssyrk"] = float(k["ssyrk_seconds"])
        rows.append(("OpenBLAS", "sgemm %d×%d×%d alone (%s GFLOP/s, %s threads)" % (
            meta["classes"], meta["dims"], meta["classes"], k["sgemm_gflops"], k["threads"]),
            res["sgemm"], None, None, ""))
        rows.append(("OpenBLAS", "ssyrk, same shape (the routine simdepth calls)",
                     res["ssyrk"], None, None, "%s of sgemm" % ratio(res["ssyrk"], res["sgemm"])))
    return rows, res


def results_line(d):
    try:
        with open(os.path.join(d, "out", "analyze.json")) as f:
            a = json.load(f)
    except (OSError, ValueError):
        return "simdepth: no report"
    nclu = len(set(a["partition"]["labels"]))
    c = a.get("confusion") or {}
    cclu = len(set(c["partition"]["labels"])) if "partition" in c else 0
    b = a.get("baselines") or {}
    return ("simdepth: SD %.4f (%d clusters; chance %s, taxonomy's own %s), "
            "confusion SD %s (%d clusters), %s common edges" % (
                a["similarity_depth"], nclu,
                "%.4f" % b["all_pairs_depth"] if "all_pairs_depth" in b else "not computed",
                "%.4f" % b["taxonomy"]["similarity_depth"] if "taxonomy" in b else "not computed",
                "%.4f" % c["similarity_depth"] if "similarity_depth" in c else "-", cclu,
                a.get("compliance", {}).get("direct", {}).get("common_edges", "-")))


# What each baseline's whole run is compared with (a simdepth row key).
COMPARE = {
    # The reference computes no taxonomy baselines: the same work as
    # analyze --no-baselines.
    "reference": ("analyze-nb", "analyze --no-baselines"),
    "sklearn-ap": ("analyze-nc", "analyze, no confusion"),
    "apcluster": ("analyze-nc", "analyze, no confusion"),
    "scipy": ("tree", "simdepth tree"),
    "fastcluster": ("tree", "simdepth tree"),
}


# Rough peak memory of each baseline in bytes for n classes, from the
# structures it holds (the estimate only decides whether to start it):
# reference: the complete networkx graph and its pandas adjacency, about
# 600 bytes per matrix cell (over 5 GB at 3,000 classes, as the issue says);
# sklearn-ap: S, R, A and a temporary as n x n doubles; apcluster: about six
# n x n doubles in R; scipy: 1 - S, the condensed copy and linkage's
# working copy; fastcluster: S, 1 - S and the dist object in R.
MEMORY = {
    "reference": 600.0,
    "sklearn-ap": 4 * 8 + 4,
    "apcluster": 6 * 8.0,
    "scipy": 8 + 4 + 8.0,
    "fastcluster": 8 + 8 + 4.0,
}


def mem_available():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return None


def baseline_runs(d, names, limit, res, n):
    rows = []
    extra = {}
    avail = mem_available()
    for name in names:
        need = MEMORY[name] * n * n
        if avail is not None and need > 0.8 * avail and os.environ.get("FORCE") != "1":
            note("baseline %s skipped: needs about %.1f GiB" % (name, need / 2**30))
            rows.append((name, "**whole process**", None, None, None,
                         "not run: needs about %.0f GiB (estimate), %.0f GiB available "
                         "(FORCE=1 runs it)" % (need / 2**30, avail / 2**30)))
            continue
        note("baseline %s (limit %g s)" % (name, limit))
        cmd = [PY, os.path.join(HERE, "baseline.py"), name, d,
               "--limit", str(limit)]
        # A fixed hash seed: the reference's tie-breaking in the confusion
        # graph depends on string hashing (see the data README's "Ties").
        status, out, err, st = timed(cmd, limit=limit + 60,
                                     env=dict(os.environ, PYTHONHASHSEED="0"))
        recs = []
        for line in out.splitlines():
            try:
                recs.append(json.loads(line))
            except ValueError:
                pass
        over = [r for r in recs if "limit" in r]
        # Each stage resets the process's peak (clear_refs), and with it the
        # maximum /usr/bin/time sees at exit: the whole run's peak is the
        # largest of the stages' peaks and time's figure.
        stage_peak = max([r.get("peak_kib", 0) for r in recs] + [0])
        if st.get("peak_kib") is not None:
            st["peak_kib"] = max(st["peak_kib"], stage_peak)
        for r in recs:
            if r.get("stage") == "total":
                extra[name] = r
                continue
            if "limit" in r:
                rows.append((name, r["stage"], None, None, None, "> %g s (stopped)" % limit))
                continue
            label = r["stage"] + (" (in R)" if r.get("process") == "R" else "")
            rows.append((name, label, r["wall"], r["cpu"], r["peak_kib"], ""))
        key, what = COMPARE[name]
        if key not in res and key in ("analyze-nc", "analyze-nb") and "analyze" in res:
            # not run at 21,843 classes: the end-to-end analysis, which
            # does more (a confusion graph too), is the reference then
            key, what = "analyze", "analyze end to end (with confusion)"
        ref = res.get(key)
        if status is None or over:
            rows.append((name, "**whole process**", None, None, st.get("peak_kib") or stage_peak,
                         "**> %s** wall of %s (stopped at %g s)" % (
                             ratio(limit, ref["wall"]) if ref else "", what, limit)))
        elif status != 0:
            last = err.strip().splitlines()[-1] if err.strip() else ""
            rows.append((name, "**whole process**", None, None, None,
                         "failed (status %s): %s" % (status, last)))
        else:
            # The work itself: every stage but the Python imports (R's start-up
            # and library loading are not among the stages either).
            stages = [r for r in recs if "wall" in r and r.get("stage") not in
                      ("total", "import libraries")]
            work = {"wall": sum(r["wall"] for r in stages),
                    "cpu": sum(r["cpu"] for r in stages)}
            rows.append((name, "stages without start-up (sum)", work["wall"], work["cpu"],
                         max(r["peak_kib"] for r in stages), ratios(work, ref, what)))
            rows.append((name, "**whole process**", st["wall"], st["cpu"], st["peak_kib"],
                         ratios(st, ref, what)))
    return rows, extra


def table(size, meta, rows):
    head = ("### %s classes × %d dims (%s)\n\n"
            "| tool | stage | wall (s) | CPU (s) | peak RSS (MiB) | ratio |\n"
            "|---|---|--:|--:|--:|---|\n" % (
                "{:,}".format(meta["classes"]), meta["dims"], meta["source"]))
    body = "".join("| %s | %s | %s | %s | %s | %s |\n" % (
        t, s, fmt_s(w), fmt_s(c), fmt_mib(p), r) for t, s, w, c, p, r in rows)
    return head + body


def main():
    if len(sys.argv) < 3:
        raise SystemExit("usage: bench.py BUILD_DIR SIZE...")
    build = os.path.abspath(sys.argv[1])
    sizes = sys.argv[2:]
    data = os.environ.get("SCALE_DATA", "/tmp/simdepth-scale")
    limit = float(os.environ.get("LIMIT", "600"))
    repeat = max(1, int(os.environ.get("REPEAT", "3")))
    render = os.environ.get("RENDER", "1") != "0"
    names = os.environ.get("BASELINES",
                           "reference sklearn-ap scipy fastcluster apcluster").split()
    if names == ["none"]:
        names = []
    for n in names:
        if n not in COMPARE:
            raise SystemExit("bench: unknown baseline %r (BASELINES)" % n)
    if shutil.which("Rscript") is None:
        names = [n for n in names if n not in ("fastcluster", "apcluster")]
        note("Rscript not found: R baselines left out")
    os.makedirs(data, exist_ok=True)
    out_file = os.environ.get("OUT")
    for size in sizes:
        d, meta = inputs(size, data)
        t0 = time.time()
        load = " ".join(open("/proc/loadavg").read().split()[:3])
        rows, res = simdepth_runs(build, d, meta, render, repeat)
        brows, extra = baseline_runs(d, names, limit, res, meta["classes"])
        text = table(size, meta, rows + brows)
        text += "\n" + results_line(d)
        if "reference" in extra:
            r = extra["reference"]
            text += ("; reference: SD %.4f (%d clusters), confusion SD %.4f (%d clusters), "
                     "%d common edges" % (r["sd"], r["clusters"], r["confusion_sd"],
                                          r["confusion_clusters"], r["common_edges"]))
        text += ".  \nRun %s UTC, %.0f s in all; load average before: %s.\n\n" % (
            time.strftime("%Y-%m-%d %H:%M", time.gmtime(t0)), time.time() - t0, load)
        sys.stdout.write(text)
        sys.stdout.flush()
        if out_file:
            with open(out_file, "a") as f:
                f.write(text)
    note("machine: %s, %d cores" % (platform.machine(), os.cpu_count()))


if __name__ == "__main__":
    main()
