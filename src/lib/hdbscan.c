/* simdepth — HDBSCAN on a precomputed distance 1 - S.
 *
 * A port of scikit-learn >= 1.3's dense precomputed path ("brute"):
 * sklearn/cluster/_hdbscan/hdbscan.py (_hdbscan_brute, _process_mst),
 * _reachability.pyx (_dense_mutual_reachability_graph), _linkage.pyx
 * (mst_from_mutual_reachability, make_single_linkage) with the UnionFind of
 * _hierarchical_fast.pyx, and _tree.pyx (_condense_tree,
 * _compute_stability, _get_clusters with "eom", do_labelling).
 *
 * Every tie is broken as there: Prim picks the first minimum among the
 * remaining items in increasing index, the MST edges are sorted with
 * NumPy's (unstable) argsort, which is ported below because the order of
 * equal weights decides the shape of the single-linkage tree, and the
 * condensed tree is built breadth first. Stabilities are summed in the
 * same order with the same float64 operations, since excess-of-mass
 * compares them with '>'. Option stable_ties swaps the argsort for a
 * stable merge sort (equal weights in Prim's order), which is what R's
 * dbscan::hdbscan() amounts to.
 *
 * The mutual reachability matrix is never stored: one row of 1 - S is
 * formed per Prim step.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/cluster.h"
#include "distance_i.h"
#include "internal.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

void simdepth_hdbscan_options_init(simdepth_hdbscan_options *opt)
{
    if (opt == NULL)
        return;
    opt->min_cluster_size = 5;
    opt->min_samples = 0;
    opt->stable_ties = 0;
    opt->noise = SIMDEPTH_NOISE_CLUSTER;
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static inline double dist_at(const simdepth_i_dist_view *v, size_t i, size_t j)
{
    size_t k = i * v->n + j;

    return v->f != NULL ? 1.0 - (double)v->f[k] : 1.0 - v->d[k];
}

static simdepth_status check_args(const simdepth_matrix *s,
                                  const simdepth_hdbscan_options *opt,
                                  simdepth_error *err)
{
    size_t n, i, j;
    int min_samples;
    simdepth_i_dist_view v;

    if (s == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "HDBSCAN: no similarity matrix given");
    n = simdepth_matrix_rows(s);
    if (n != simdepth_matrix_cols(s))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "HDBSCAN: the similarity matrix is %zu x %zu; expected a square "
            "matrix", n, simdepth_matrix_cols(s));
    if (n < 2)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "HDBSCAN: %zu item%s; expected at least 2", n,
            n == 1 ? "" : "s");
    if (n > INT32_MAX)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "HDBSCAN: %zu items; at most %ld are supported", n,
            (long)INT32_MAX);
    if (opt->min_cluster_size < 2 || (size_t)opt->min_cluster_size > n)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "HDBSCAN: min_cluster_size %d; expected 2 .. %zu (the number "
            "of items)", opt->min_cluster_size, n);
    min_samples = opt->min_samples != 0 ? opt->min_samples
                                        : opt->min_cluster_size;
    if (min_samples < 1 || (size_t)min_samples > n)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "HDBSCAN: min_samples %d; expected 0 (= min_cluster_size) or "
            "1 .. %zu (the number of items)", opt->min_samples, n);
    if (opt->noise != SIMDEPTH_NOISE_CLUSTER &&
        opt->noise != SIMDEPTH_NOISE_SINGLETONS)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "HDBSCAN: unknown noise mode %d", (int)opt->noise);
    v = simdepth_i_dist_view_of(s);
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            double x = v.f != NULL ? (double)v.f[i * n + j] : v.d[i * n + j];
            if (!isfinite(x))
                return simdepth_i_error_set(
                    err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                    "HDBSCAN: similarity at row %zu, column %zu (1-based) "
                    "is %s; expected finite similarities", i + 1, j + 1,
                    isnan(x) ? "NaN" : (x > 0 ? "+Inf" : "-Inf"));
            if (x > 1.0)
                return simdepth_i_error_set(
                    err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                    "HDBSCAN: similarity at row %zu, column %zu (1-based) "
                    "is %.17g; expected at most 1, since the distance 1 - S "
                    "must not be negative (scale the matrix and set its "
                    "diagonal to 1 first)", i + 1, j + 1, x);
        }
    }
    /* scikit-learn: _allclose_dense_sparse(X, X.T), i.e. np.allclose with
     * rtol 1e-7 and atol 1e-9, on the distances. */
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            double a = dist_at(&v, i, j), b = dist_at(&v, j, i);
            if (!(fabs(a - b) <= 1e-9 + 1e-7 * fabs(b)))
                return simdepth_i_error_set(
                    err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                    "HDBSCAN: the similarity matrix is not symmetric: "
                    "(%zu, %zu) is %.17g but (%zu, %zu) is %.17g (1-based); "
                    "expected equal values within 1e-9 + 1e-7 |value|",
                    i + 1, j + 1, 1.0 - a, j + 1, i + 1, 1.0 - b);
        }
    }
    return SIMDEPTH_OK;
}

/* ------------------------------------------------------------------ */
/* NumPy 1.24's argsort for float64 (kind="quicksort": introsort)      */

/* npy::double_tag::less: NaN sorts last. */
static inline int np_less(double a, double b)
{
    return a < b || (b != b && a == a);
}

static void np_aheapsort(const double *v, size_t *tosort, size_t n)
{
    size_t *a = tosort - 1, i, j, l, tmp;

    for (l = n >> 1; l > 0; --l) {
        tmp = a[l];
        for (i = l, j = l << 1; j <= n;) {
            if (j < n && np_less(v[a[j]], v[a[j + 1]]))
                j += 1;
            if (np_less(v[tmp], v[a[j]])) {
                a[i] = a[j];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        a[i] = tmp;
    }
    for (; n > 1;) {
        tmp = a[n];
        a[n] = a[1];
        n -= 1;
        for (i = 1, j = 2; j <= n;) {
            if (j < n && np_less(v[a[j]], v[a[j + 1]]))
                j++;
            if (np_less(v[tmp], v[a[j]])) {
                a[i] = a[j];
                i = j;
                j += j;
            } else {
                break;
            }
        }
        a[i] = tmp;
    }
}

#define NP_SMALL_QUICKSORT 15 /* npysort_common.h */
#define NP_STACK 128          /* PYA_QS_STACK: 2 * bits of npy_intp */
#define NP_SWAP(a, b)        \
    do {                     \
        size_t t_ = (a);     \
        (a) = (b);           \
        (b) = t_;            \
    } while (0)

/* aquicksort_<npy::double_tag>: median of three, Hoare partition with the
 * pivot parked at pr - 1, the larger part pushed, insertion sort below 16
 * elements, heapsort past a depth of 2 floor(log2 n). @tosort holds the
 * indices 0 .. num-1 on entry. */
static void np_aquicksort(const double *v, size_t *tosort, size_t num)
{
    size_t *pl = tosort, *pr = tosort + num - 1;
    size_t *stack[NP_STACK], **sptr = stack;
    size_t *pm, *pi, *pj, *pk, vi;
    int depth[NP_STACK], *psdepth = depth, cdepth = 0;
    double vp;
    size_t m = num;

    if (num < 2)
        return;
    while (m >>= 1)
        cdepth++;
    cdepth *= 2;
    for (;;) {
        if (cdepth < 0) {
            np_aheapsort(v, pl, (size_t)(pr - pl) + 1);
            goto stack_pop;
        }
        while ((pr - pl) > NP_SMALL_QUICKSORT) {
            pm = pl + ((pr - pl) >> 1);
            if (np_less(v[*pm], v[*pl]))
                NP_SWAP(*pm, *pl);
            if (np_less(v[*pr], v[*pm]))
                NP_SWAP(*pr, *pm);
            if (np_less(v[*pm], v[*pl]))
                NP_SWAP(*pm, *pl);
            vp = v[*pm];
            pi = pl;
            pj = pr - 1;
            NP_SWAP(*pm, *pj);
            for (;;) {
                do {
                    ++pi;
                } while (np_less(v[*pi], vp));
                do {
                    --pj;
                } while (np_less(vp, v[*pj]));
                if (pi >= pj)
                    break;
                NP_SWAP(*pi, *pj);
            }
            pk = pr - 1;
            NP_SWAP(*pi, *pk);
            /* push the larger partition on the stack */
            if (pi - pl < pr - pi) {
                *sptr++ = pi + 1;
                *sptr++ = pr;
                pr = pi - 1;
            } else {
                *sptr++ = pl;
                *sptr++ = pi - 1;
                pl = pi + 1;
            }
            *psdepth++ = --cdepth;
        }
        /* insertion sort */
        for (pi = pl + 1; pi <= pr; ++pi) {
            vi = *pi;
            vp = v[vi];
            pj = pi;
            pk = pi - 1;
            while (pj > pl && np_less(vp, v[*pk]))
                *pj-- = *pk--;
            *pj = vi;
        }
    stack_pop:
        if (sptr == stack)
            break;
        pr = *(--sptr);
        pl = *(--sptr);
        cdepth = *(--psdepth);
    }
}

/* The alternative: a stable sort (equal weights keep Prim's order), by
 * bottom-up merge sort of the indices. @tmp has room for @num indices. */
static void stable_argsort(const double *v, size_t *idx, size_t *tmp,
                           size_t num)
{
    size_t width, i;

    for (width = 1; width < num; width *= 2) {
        for (i = 0; i < num; i += 2 * width) {
            size_t lo = i, mid = i + width, hi = i + 2 * width, a, b, k;
            if (mid > num)
                mid = num;
            if (hi > num)
                hi = num;
            a = lo;
            b = mid;
            for (k = lo; k < hi; k++) {
                if (a < mid && (b >= hi || !np_less(v[idx[b]], v[idx[a]])))
                    tmp[k] = idx[a++];
                else
                    tmp[k] = idx[b++];
            }
        }
        memcpy(idx, tmp, num * sizeof *idx);
    }
}

/* ------------------------------------------------------------------ */
/* Core distances, MST, single linkage                                 */

/* The k-th smallest distance of every column (np.partition(D, k - 1,
 * axis=0)[k - 1]), streaming the rows once: per column a sorted buffer
 * of the k smallest seen so far. */
static void core_distances(const simdepth_i_dist_view *v, size_t k, double *row,
                           double *buf, double *core)
{
    size_t n = v->n, i, j;

    for (i = 0; i < n; i++) {
        simdepth_i_dist_row(v, i, row);
        for (j = 0; j < n; j++) {
            double x = row[j], *b = buf + j * k;
            size_t m = i < k ? i : k, p;
            if (m == k && !(x < b[k - 1]))
                continue;
            p = m < k ? m : k - 1;
            while (p > 0 && b[p - 1] > x) {
                b[p] = b[p - 1];
                p--;
            }
            b[p] = x;
        }
    }
    for (j = 0; j < n; j++)
        core[j] = buf[j * k + k - 1];
}

/* Cython's max(a, b, c) on doubles. */
static inline double max3(double a, double b, double c)
{
    double r = a;

    if (b > r)
        r = b;
    if (c > r)
        r = c;
    return r;
}

typedef struct mst_edge {
    size_t a, b; /* current_node, next_node */
    double w;
} mst_edge;

/* mst_from_mutual_reachability: the remaining items are kept in
 * increasing index (as the boolean filtering keeps them), the first
 * minimum wins, and each edge starts at the item added last. */
static void prim(const simdepth_i_dist_view *v, const double *core, size_t *remaining,
                 double *minr, double *row, mst_edge *mst)
{
    size_t n = v->n, n_rem = n, i, k, cur = 0;

    for (i = 0; i < n; i++) {
        remaining[i] = i;
        minr[i] = INFINITY;
    }
    for (i = 0; i + 1 < n; i++) {
        size_t w = 0, best_k = 0;
        double best = 0.0, cc = core[cur];

        simdepth_i_dist_row(v, cur, row);
        for (k = 0; k < n_rem; k++) {
            size_t j = remaining[k];
            double r, m;
            if (j == cur)
                continue;
            r = max3(cc, core[j], row[j]);
            m = minr[k] < r ? minr[k] : r; /* np.minimum */
            remaining[w] = j;
            minr[w] = m;
            if (w == 0 || m < best) {
                best = m;
                best_k = w;
            }
            w++;
        }
        n_rem = w;
        mst[i].a = cur;
        mst[i].b = remaining[best_k];
        mst[i].w = minr[best_k];
        cur = remaining[best_k];
    }
}

/* The single-linkage tree: rows of (left, right, distance, size), node
 * n + i made by row i. */
typedef struct slt_row {
    size_t left, right;
    double value;
    size_t size;
} slt_row;

/* make_single_linkage with _hierarchical_fast.UnionFind (find with path
 * shortcut, union always to a new label). @parent holds 2n - 1 entries,
 * @size as many. */
static size_t uf_find(size_t *parent, size_t x)
{
    size_t p = x, t;

    while (parent[x] != SIZE_MAX)
        x = parent[x];
    while (p != x && parent[p] != x) {
        t = parent[p];
        parent[p] = x;
        p = t;
    }
    return x;
}

static void single_linkage(const mst_edge *mst, const size_t *order,
                           size_t n, size_t *parent, size_t *size,
                           slt_row *slt)
{
    size_t i, next = n;

    for (i = 0; i < 2 * n - 1; i++) {
        parent[i] = SIZE_MAX;
        size[i] = i < n ? 1 : 0;
    }
    for (i = 0; i + 1 < n; i++) {
        const mst_edge *e = &mst[order[i]];
        size_t a = uf_find(parent, e->a), b = uf_find(parent, e->b);
        slt[i].left = a;
        slt[i].right = b;
        slt[i].value = e->w;
        slt[i].size = size[a] + size[b];
        parent[a] = next;
        parent[b] = next;
        size[next] = size[a] + size[b];
        next++;
    }
}

/* ------------------------------------------------------------------ */
/* Condensed tree, stability, excess of mass                           */

typedef struct cond_row {
    size_t parent, child;
    double lambda;
    size_t size;
} cond_row;

/* bfs_from_hierarchy: breadth first from @root, leaves listed but not
 * expanded. Writes into @out (room for 2n - 1) and returns the count. */
static size_t bfs_hierarchy(const slt_row *slt, size_t n, size_t root,
                            size_t *out)
{
    size_t head = 0, tail = 0;

    out[tail++] = root;
    while (head < tail) {
        size_t x = out[head++];
        if (x >= n) {
            out[tail++] = slt[x - n].left;
            out[tail++] = slt[x - n].right;
        }
    }
    return tail;
}

/* _condense_tree. @rows has room for 2n rows (each point leaves once,
 * each cluster is born once). Returns the number of rows. */
static size_t condense(const slt_row *slt, size_t n, size_t mcs,
                       size_t *nodes, size_t *sub, size_t *relabel,
                       unsigned char *ignore, cond_row *rows)
{
    size_t root = 2 * (n - 1), next_label = n + 1, n_nodes, t, r = 0;

    n_nodes = bfs_hierarchy(slt, n, root, nodes);
    memset(ignore, 0, 2 * n - 1);
    relabel[root] = n;
    for (t = 0; t < n_nodes; t++) {
        size_t node = nodes[t], left, right, lc, rc, side;
        double distance, lambda;

        if (ignore[node] || node < n)
            continue;
        left = slt[node - n].left;
        right = slt[node - n].right;
        distance = slt[node - n].value;
        lambda = distance > 0.0 ? 1.0 / distance : INFINITY;
        lc = left >= n ? slt[left - n].size : 1;
        rc = right >= n ? slt[right - n].size : 1;

        if (lc >= mcs && rc >= mcs) {
            relabel[left] = next_label++;
            rows[r].parent = relabel[node];
            rows[r].child = relabel[left];
            rows[r].lambda = lambda;
            rows[r].size = lc;
            r++;
            relabel[right] = next_label++;
            rows[r].parent = relabel[node];
            rows[r].child = relabel[right];
            rows[r].lambda = lambda;
            rows[r].size = rc;
            r++;
            continue;
        }
        if (lc < mcs && rc >= mcs)
            relabel[right] = relabel[node];
        else if (rc < mcs && lc >= mcs)
            relabel[left] = relabel[node];
        /* The small side(s) fall out point by point, left before right. */
        for (side = 0; side < 2; side++) {
            size_t top = side == 0 ? left : right;
            size_t cnt = side == 0 ? lc : rc, m, q;
            if (cnt >= mcs)
                continue;
            m = bfs_hierarchy(slt, n, top, sub);
            for (q = 0; q < m; q++) {
                if (sub[q] < n) {
                    rows[r].parent = relabel[node];
                    rows[r].child = sub[q];
                    rows[r].lambda = lambda;
                    rows[r].size = 1;
                    r++;
                }
                ignore[sub[q]] = 1;
            }
        }
    }
    return r;
}

/* _compute_stability, _get_clusters ("eom", no root) and do_labelling.
 * Cluster ids run from n (the root) to n + n_cl - 1. */
static simdepth_status select_and_label(const cond_row *rows, size_t n_rows,
                                        size_t n, int32_t *labels,
                                        int32_t *n_labels,
                                        simdepth_error *err)
{
    size_t n_cl = 0, i, c;
    double *birth = NULL, *stab = NULL;
    size_t *cparent = NULL, *ptparent = NULL, *first = NULL, *second = NULL;
    unsigned char *selected = NULL, *won = NULL, *blocked = NULL;
    int32_t *label_of = NULL, next = 0;
    simdepth_status st = SIMDEPTH_OK;

    for (i = 0; i < n_rows; i++)
        if (rows[i].parent - n + 1 > n_cl)
            n_cl = rows[i].parent - n + 1;
    for (i = 0; i < n_rows; i++)
        if (rows[i].child >= n && rows[i].child - n + 1 > n_cl)
            n_cl = rows[i].child - n + 1;
    birth = simdepth_i_calloc(n_cl, sizeof *birth);
    stab = simdepth_i_calloc(n_cl, sizeof *stab);
    first = simdepth_i_malloc_array(n_cl, sizeof *first);
    second = simdepth_i_malloc_array(n_cl, sizeof *second);
    won = simdepth_i_calloc(n_cl, 1);
    blocked = simdepth_i_calloc(n_cl, 1);
    cparent = simdepth_i_malloc_array(n_cl, sizeof *cparent);
    ptparent = simdepth_i_malloc_array(n, sizeof *ptparent);
    selected = simdepth_i_calloc(n_cl, 1);
    label_of = simdepth_i_malloc_array(n_cl, sizeof *label_of);
    if (birth == NULL || stab == NULL || first == NULL || second == NULL ||
        won == NULL || blocked == NULL || cparent == NULL ||
        ptparent == NULL || selected == NULL || label_of == NULL) {
        st = simdepth_i_enomem(err, "the HDBSCAN cluster tree");
        goto out;
    }

    /* Every cluster is the child of exactly one row (the root of none):
     * its birth is that row's lambda, and the root's is 0. */
    cparent[0] = SIZE_MAX;
    for (i = 0; i < n_rows; i++) {
        if (rows[i].child >= n) {
            birth[rows[i].child - n] = rows[i].lambda;
            cparent[rows[i].child - n] = rows[i].parent - n;
        } else {
            ptparent[rows[i].child] = rows[i].parent - n;
        }
    }
    birth[0] = 0.0;
    for (i = 0; i < n_rows; i++) {
        size_t p = rows[i].parent - n;
        stab[p] += (rows[i].lambda - birth[p]) * (double)rows[i].size;
    }

    /* Excess of mass, from the highest id down (children before their
     * parents), root excluded. A cluster's subtree stability is the sum
     * of its two children's (np.sum over a two-element list: c1 + c2, in
     * row order) or 0.0 for a leaf. scikit-learn marks a cluster that
     * beats its subtree and unmarks all its descendants; a cluster is thus
     * selected iff it won its own comparison and no ancestor won later.
     * won[] records the comparisons, and one pass in increasing id (parents
     * before children) applies the ancestors' verdicts. */
    for (c = 0; c < n_cl; c++)
        first[c] = second[c] = SIZE_MAX;
    for (i = 0; i < n_rows; i++) {
        if (rows[i].child >= n && rows[i].size > 1) {
            size_t pa = rows[i].parent - n, ch = rows[i].child - n;
            if (first[pa] == SIZE_MAX)
                first[pa] = ch;
            else
                second[pa] = ch;
        }
    }
    won[0] = 0;
    for (c = n_cl; c-- > 1;) {
        double subtree = 0.0;
        if (first[c] != SIZE_MAX) {
            subtree = stab[first[c]];
            if (second[c] != SIZE_MAX)
                subtree = subtree + stab[second[c]];
        }
        if (subtree > stab[c]) {
            won[c] = 0;
            stab[c] = subtree;
        } else {
            won[c] = 1;
        }
    }
    blocked[0] = 0;
    for (c = 1; c < n_cl; c++) {
        size_t pa = cparent[c];
        blocked[c] = blocked[pa] || won[pa];
    }
    for (c = 0; c < n_cl; c++)
        selected[c] = won[c] && !blocked[c];

    /* do_labelling: a point belongs to its nearest selected ancestor; if
     * it reaches the root without one, it is noise. Labels follow the
     * sorted ids of the selected clusters. */
    for (c = 0; c < n_cl; c++)
        label_of[c] = selected[c] ? next++ : -1;
    for (i = 0; i < n; i++) {
        size_t a = ptparent[i];
        while (a != 0 && !selected[a])
            a = cparent[a];
        labels[i] = a == 0 ? -1 : label_of[a];
    }
    *n_labels = next;

out:
    free(label_of);
    free(selected);
    free(ptparent);
    free(cparent);
    free(blocked);
    free(won);
    free(second);
    free(first);
    free(stab);
    free(birth);
    return st;
}

/* ------------------------------------------------------------------ */
/* Driver                                                              */

simdepth_status simdepth_hdbscan(const simdepth_matrix *s,
                                 const simdepth_hdbscan_options *opt,
                                 simdepth_partition **out,
                                 simdepth_error *err)
{
    simdepth_hdbscan_options defaults;
    simdepth_partition *p = NULL;
    simdepth_status st;
    simdepth_i_dist_view v;
    size_t n, k, i, n_rows;
    double *row = NULL, *buf = NULL, *core = NULL, *minr = NULL, *w = NULL;
    size_t *remaining = NULL, *order = NULL, *parent = NULL, *size = NULL;
    size_t *nodes = NULL, *sub = NULL, *relabel = NULL;
    unsigned char *ignore = NULL;
    mst_edge *mst = NULL;
    slt_row *slt = NULL;
    cond_row *rows = NULL;
    int32_t n_labels = 0;

    if (opt == NULL) {
        simdepth_hdbscan_options_init(&defaults);
        opt = &defaults;
    }
    st = check_args(s, opt, err);
    if (st != SIMDEPTH_OK)
        return st;
    v = simdepth_i_dist_view_of(s);
    n = v.n;
    k = (size_t)(opt->min_samples != 0 ? opt->min_samples
                                       : opt->min_cluster_size);
    if (simdepth_i_mul_overflows(n, k) || n > SIZE_MAX / 4)
        return simdepth_i_enomem(err, "HDBSCAN work space");

    st = simdepth_partition_new(n, "hdbscan", &p, err);
    if (st != SIMDEPTH_OK)
        return st;
    row = simdepth_i_malloc_array(n, sizeof *row);
    buf = simdepth_i_malloc_array(n * k, sizeof *buf);
    core = simdepth_i_malloc_array(n, sizeof *core);
    minr = simdepth_i_malloc_array(n, sizeof *minr);
    remaining = simdepth_i_malloc_array(n, sizeof *remaining);
    mst = simdepth_i_malloc_array(n - 1, sizeof *mst);
    w = simdepth_i_malloc_array(n - 1, sizeof *w);
    order = simdepth_i_malloc_array(n - 1, sizeof *order);
    parent = simdepth_i_malloc_array(2 * n - 1, sizeof *parent);
    size = simdepth_i_malloc_array(2 * n - 1, sizeof *size);
    slt = simdepth_i_malloc_array(n - 1, sizeof *slt);
    nodes = simdepth_i_malloc_array(2 * n - 1, sizeof *nodes);
    sub = simdepth_i_malloc_array(2 * n - 1, sizeof *sub);
    relabel = simdepth_i_malloc_array(2 * n - 1, sizeof *relabel);
    ignore = simdepth_i_malloc_array(2 * n - 1, 1);
    rows = simdepth_i_malloc_array(2 * n, sizeof *rows);
    if (row == NULL || buf == NULL || core == NULL || minr == NULL ||
        remaining == NULL || mst == NULL || w == NULL || order == NULL ||
        parent == NULL || size == NULL || slt == NULL || nodes == NULL ||
        sub == NULL || relabel == NULL || ignore == NULL || rows == NULL) {
        st = simdepth_i_enomem(err, "HDBSCAN work space");
        goto out;
    }

    core_distances(&v, k, row, buf, core);
    prim(&v, core, remaining, minr, row, mst);
    /* _process_mst: np.argsort(mst["distance"]) */
    for (i = 0; i + 1 < n; i++) {
        w[i] = mst[i].w;
        order[i] = i;
    }
    if (opt->stable_ties)
        stable_argsort(w, order, remaining, n - 1);
    else
        np_aquicksort(w, order, n - 1);
    single_linkage(mst, order, n, parent, size, slt);
    n_rows = condense(slt, n, (size_t)opt->min_cluster_size, nodes, sub,
                      relabel, ignore, rows);
    st = select_and_label(rows, n_rows, n, p->labels, &n_labels, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (opt->noise == SIMDEPTH_NOISE_SINGLETONS)
        for (i = 0; i < n; i++)
            if (p->labels[i] == -1)
                p->labels[i] = n_labels++;
    simdepth_partition_recount(p);
    p->iterations = 0;
    p->converged = 1;
    *out = p;
    p = NULL;

out:
    free(rows);
    free(ignore);
    free(relabel);
    free(sub);
    free(nodes);
    free(slt);
    free(size);
    free(parent);
    free(order);
    free(w);
    free(mst);
    free(remaining);
    free(minr);
    free(core);
    free(buf);
    free(row);
    simdepth_partition_free(p);
    return st;
}
