"""A NumPy port of scikit-learn >= 1.3's HDBSCAN(metric="precomputed") on a
dense distance matrix, used by gen_golden.py because Debian 12 ships
scikit-learn 1.2.1, which has no HDBSCAN.

It follows, step by step, the code path scikit-learn takes for a dense
precomputed matrix (algorithm "auto" resolves to "brute"):

  hdbscan.py       _hdbscan_brute, _process_mst (np.argsort of the weights)
  _reachability.pyx _dense_mutual_reachability_graph
                   (np.partition(D, k - 1, axis=0)[k - 1], max of three)
  _linkage.pyx     mst_from_mutual_reachability (Prim over the remaining
                   items, np.argmin), make_single_linkage with
                   _hierarchical_fast.UnionFind
  _tree.pyx        _condense_tree (bfs_from_hierarchy), _compute_stability,
                   _get_clusters ("eom", allow_single_cluster=False,
                   cluster_selection_epsilon=0, max_cluster_size=None),
                   do_labelling

It reproduces every partition in ../shared/data/mini-imagenet-vitb/golden/
partitions/*__hdbscan.csv (which the reference produced through another port
of the same code) exactly; gen_golden.py asserts that when the shared data
is present.

stable=True replaces the unstable np.argsort by a stable one (equal weights
keep Prim's order), which is what R's dbscan::hdbscan() amounts to; see
README.md.
"""

import numpy as np


def hdbscan(D, min_cluster_size=5, min_samples=None, stable=False):
    D = np.array(D, dtype=np.float64, copy=True)
    n = D.shape[0]
    k = min_cluster_size if min_samples is None else min_samples
    core = np.partition(D, k - 1, axis=0)[k - 1]
    mr = np.maximum(np.maximum(core[:, None], core[None, :]), D)

    # mst_from_mutual_reachability
    cur_labels = np.arange(n, dtype=np.int64)
    cur = 0
    minr = np.full(n, np.inf)
    mst = []
    for _ in range(n - 1):
        f = cur_labels != cur
        cur_labels = cur_labels[f]
        minr = np.minimum(minr[f], mr[cur][cur_labels])
        ni = np.argmin(minr)
        new = cur_labels[ni]
        mst.append((cur, new, minr[ni]))
        cur = new

    # _process_mst
    w = np.array([e[2] for e in mst])
    order = np.argsort(w, kind="stable" if stable else "quicksort")
    mst = [mst[i] for i in order]

    # make_single_linkage with UnionFind (the find's path shortcut does not
    # change what it returns)
    parent = np.full(2 * n - 1, -1, dtype=np.int64)
    size = np.concatenate([np.ones(n, dtype=np.int64),
                           np.zeros(n - 1, dtype=np.int64)])
    nxt = n

    def find(x):
        while parent[x] != -1:
            x = parent[x]
        return x

    slt = []
    for (a, b, d) in mst:
        ra, rb = find(a), find(b)
        slt.append((ra, rb, d, size[ra] + size[rb]))
        parent[ra] = nxt
        parent[rb] = nxt
        size[nxt] = size[ra] + size[rb]
        nxt += 1
    return _tree_to_labels(slt, n, min_cluster_size)


def _bfs(slt, n, root):
    queue, result = [root], []
    while queue:
        result.extend(queue)
        queue = [x - n for x in queue if x >= n]
        if queue:
            nq = []
            for x in queue:
                nq.extend([slt[x][0], slt[x][1]])
            queue = nq
    return result


def _tree_to_labels(slt, n, mcs):
    # _condense_tree
    root = 2 * (n - 1)
    node_list = _bfs(slt, n, root)
    relabel = np.empty(root + 1, dtype=np.int64)
    relabel[root] = n
    nxt = n + 1
    ignore = np.zeros(len(node_list), dtype=bool)
    rows = []
    for node in node_list:
        if ignore[node] or node < n:
            continue
        left, right, dist, _ = slt[node - n]
        lam = 1.0 / dist if dist > 0.0 else np.inf
        lc = slt[left - n][3] if left >= n else 1
        rc = slt[right - n][3] if right >= n else 1
        if lc >= mcs and rc >= mcs:
            relabel[left] = nxt
            nxt += 1
            rows.append((relabel[node], relabel[left], lam, lc))
            relabel[right] = nxt
            nxt += 1
            rows.append((relabel[node], relabel[right], lam, rc))
            continue
        if lc < mcs <= rc:
            relabel[right] = relabel[node]
        elif rc < mcs <= lc:
            relabel[left] = relabel[node]
        for side, cnt in ((left, lc), (right, rc)):
            if cnt >= mcs:
                continue
            for sub in _bfs(slt, n, side):
                if sub < n:
                    rows.append((relabel[node], sub, lam, 1))
                ignore[sub] = True

    # _compute_stability (each child appears in exactly one row)
    parents = [r[0] for r in rows]
    smallest, largest = min(parents), max(parents)
    births = {r[1]: r[2] for r in rows}
    births[smallest] = 0.0
    stab = np.zeros(largest - smallest + 1)
    for p, c, lam, s in rows:
        stab[p - smallest] += (lam - births[p]) * float(s)
    stability = {c: stab[c - smallest] for c in range(smallest, largest + 1)}

    # _get_clusters, "eom", root excluded
    node_list = sorted(stability.keys(), reverse=True)[:-1]
    ctree = [r for r in rows if r[3] > 1]
    is_cluster = {c: True for c in node_list}
    for node in node_list:
        children = [c for (p, c, _, _) in ctree if p == node]
        subtree = np.sum([stability[c] for c in children])
        if subtree > stability[node]:
            is_cluster[node] = False
            stability[node] = subtree
        else:
            todo = list(children)
            while todo:
                x = todo.pop()
                is_cluster[x] = False
                todo.extend(c for (p, c, _, _) in ctree if p == x)
    clusters = sorted(c for c in is_cluster if is_cluster[c])
    cluster_map = {c: i for i, c in enumerate(clusters)}

    # do_labelling: the nearest selected ancestor, else noise
    up = {c: p for (p, c, _, _) in rows}
    labels = np.full(n, -1)
    for i in range(n):
        x = up[i]
        while x not in cluster_map and x != smallest:
            x = up[x]
        labels[i] = cluster_map.get(x, -1)
    return labels
