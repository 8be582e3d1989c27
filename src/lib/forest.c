/* simdepth — maximum spanning forest (Kruskal per cluster). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "simdepth/forest.h"
#include "internal.h"

void simdepth_forest_free(simdepth_forest *f)
{
    if (f == NULL)
        return;
    free(f->edges);
    free(f);
}

/* Kruskal's order: weight descending, then (a, b) ascending. A strict total
 * order, so the maximum spanning forest is unique and Prim's algorithm below
 * finds the same one Kruskal would, in O(k^2) time and O(k) memory. */
static int edge_before(double w1, size_t a1, size_t b1, double w2, size_t a2,
                       size_t b2)
{
    if (w1 != w2)
        return w1 > w2;
    if (a1 != a2)
        return a1 < a2;
    return b1 < b2;
}

static int cmp_edge(const void *x, const void *y)
{
    const simdepth_edge *a = x, *b = y;

    if (edge_before(a->weight, a->a, a->b, b->weight, b->a, b->b))
        return -1;
    if (edge_before(b->weight, b->a, b->b, a->weight, a->a, a->b))
        return 1;
    return 0;
}

typedef struct member {
    int32_t label;
    size_t index;
} member;

static int cmp_member(const void *x, const void *y)
{
    const member *a = x, *b = y;

    if (a->label != b->label)
        return a->label < b->label ? -1 : 1;
    return (a->index > b->index) - (a->index < b->index);
}

static double pair_weight(const simdepth_matrix *s, size_t i, size_t j)
{
    double w;

    if (i > j) {
        size_t t = i;
        i = j;
        j = t;
    }
    w = simdepth_matrix_get(s, j, i);
    return w != 0.0 ? w : simdepth_matrix_get(s, i, j);
}

/* Prim on the k members idx[0..k-1] (ascending class indices). Appends the
 * tree edges to res (at *n_out). Work arrays: best_w, best_u (k each),
 * in_tree (k). */
static void prim_cluster(const simdepth_matrix *s, const size_t *idx, size_t k,
                         int32_t label, double *best_w, size_t *best_u,
                         unsigned char *in_tree, simdepth_edge *res,
                         size_t *n_out)
{
    size_t t, v, added = 0;

    for (v = 0; v < k; v++) {
        in_tree[v] = 0;
        best_w[v] = 0.0;
        best_u[v] = SIZE_MAX;
    }
    while (added < k) {
        size_t pick = SIZE_MAX;

        /* The best crossing edge; none left means a new component, started
         * from its smallest class index. */
        for (v = 0; v < k; v++) {
            size_t pa, pb, qa, qb;
            if (in_tree[v] || best_u[v] == SIZE_MAX)
                continue;
            if (pick == SIZE_MAX) {
                pick = v;
                continue;
            }
            pa = idx[v] < idx[best_u[v]] ? idx[v] : idx[best_u[v]];
            pb = idx[v] < idx[best_u[v]] ? idx[best_u[v]] : idx[v];
            qa = idx[pick] < idx[best_u[pick]] ? idx[pick] : idx[best_u[pick]];
            qb = idx[pick] < idx[best_u[pick]] ? idx[best_u[pick]] : idx[pick];
            if (edge_before(best_w[v], pa, pb, best_w[pick], qa, qb))
                pick = v;
        }
        if (pick == SIZE_MAX) {
            for (v = 0; v < k && in_tree[v]; v++)
                ;
            pick = v;
        } else {
            simdepth_edge *e = &res[(*n_out)++];
            size_t u = best_u[pick];
            e->a = idx[pick] < idx[u] ? idx[pick] : idx[u];
            e->b = idx[pick] < idx[u] ? idx[u] : idx[pick];
            e->cluster = label;
            e->weight = best_w[pick];
        }
        in_tree[pick] = 1;
        added++;
        for (t = 0; t < k; t++) {
            double w;
            size_t na, nb, oa, ob;
            if (in_tree[t])
                continue;
            w = pair_weight(s, idx[pick], idx[t]);
            if (w == 0.0)
                continue;
            if (best_u[t] == SIZE_MAX) {
                best_w[t] = w;
                best_u[t] = pick;
                continue;
            }
            na = idx[pick] < idx[t] ? idx[pick] : idx[t];
            nb = idx[pick] < idx[t] ? idx[t] : idx[pick];
            oa = idx[best_u[t]] < idx[t] ? idx[best_u[t]] : idx[t];
            ob = idx[best_u[t]] < idx[t] ? idx[t] : idx[best_u[t]];
            if (edge_before(w, na, nb, best_w[t], oa, ob)) {
                best_w[t] = w;
                best_u[t] = pick;
            }
        }
    }
}

simdepth_status simdepth_forest_build(const simdepth_matrix *s,
                                      const simdepth_partition *p,
                                      simdepth_forest **out,
                                      simdepth_error *err)
{
    size_t n = p->n, i, start, n_out = 0;
    member *mem = NULL;
    simdepth_edge *res = NULL;
    size_t *idx = NULL, *best_u = NULL;
    double *best_w = NULL;
    unsigned char *in_tree = NULL;
    simdepth_forest *f = NULL;
    simdepth_status st = SIMDEPTH_OK;

    if (simdepth_matrix_rows(s) != n || simdepth_matrix_cols(s) != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "similarity is %zu x %zu but the partition has %zu items",
                                    simdepth_matrix_rows(s), simdepth_matrix_cols(s), n);
    mem = simdepth_i_malloc_array(n, sizeof *mem);
    idx = simdepth_i_malloc_array(n, sizeof *idx);
    best_u = simdepth_i_malloc_array(n, sizeof *best_u);
    best_w = simdepth_i_malloc_array(n, sizeof *best_w);
    in_tree = simdepth_i_malloc(n);
    res = simdepth_i_malloc_array(n, sizeof *res);
    f = simdepth_i_calloc(1, sizeof *f);
    if (mem == NULL || idx == NULL || best_u == NULL || best_w == NULL ||
        in_tree == NULL || res == NULL || f == NULL) {
        st = simdepth_i_enomem(err, "a spanning forest");
        goto out;
    }
    for (i = 0; i < n; i++) {
        mem[i].label = p->labels[i];
        mem[i].index = i;
    }
    qsort(mem, n, sizeof *mem, cmp_member);
    for (start = 0; start < n;) {
        size_t end = start, k, first = n_out;

        while (end < n && mem[end].label == mem[start].label)
            end++;
        k = end - start;
        for (i = 0; i < k; i++)
            idx[i] = mem[start + i].index;
        prim_cluster(s, idx, k, mem[start].label, best_w, best_u, in_tree, res,
                     &n_out);
        /* Report each tree in the order Kruskal would accept its edges. */
        qsort(res + first, n_out - first, sizeof *res, cmp_edge);
        start = end;
    }
    f->n_nodes = n;
    f->n_edges = n_out;
    f->edges = res;
    res = NULL;
    *out = f;
    f = NULL;
out:
    free(mem);
    free(idx);
    free(best_u);
    free(best_w);
    free(in_tree);
    free(res);
    simdepth_forest_free(f);
    return st;
}
