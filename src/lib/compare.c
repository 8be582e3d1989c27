/* simdepth — comparing two models' learned class hierarchies: spanning-tree
 * edges, partitions, dendrograms, nearest neighbours, similarity changes and
 * tanglegram entanglement. */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/compare.h"
#include "simdepth/linkage.h"
#include "internal.h"

/* ================================================================ edges */

typedef struct edge_ref {
    size_t a, b;
    int32_t cluster;
} edge_ref;

static int cmp_edge_ref(const void *x, const void *y)
{
    const edge_ref *p = x, *q = y;

    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static int is_square(const simdepth_matrix *m, size_t n)
{
    return m != NULL && simdepth_matrix_rows(m) == n && simdepth_matrix_cols(m) == n;
}

/* Copy the edges of @f with a < b into @out (f->n_edges entries), sorted by
 * (a, b); refuse out-of-range ends, loops and repeated pairs. */
static simdepth_status collect_edges(const simdepth_forest *f, const char *which, edge_ref *out,
                                     simdepth_error *err)
{
    size_t k;

    for (k = 0; k < f->n_edges; k++) {
        size_t a = f->edges[k].a, b = f->edges[k].b;

        if (a >= f->n_nodes || b >= f->n_nodes || a == b)
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                        "forest %s: edge %zu joins %zu and %zu; "
                                        "expected two different classes below %zu",
                                        which, k + 1, a, b, f->n_nodes);
        out[k].a = a < b ? a : b;
        out[k].b = a < b ? b : a;
        out[k].cluster = f->edges[k].cluster;
    }
    if (f->n_edges > 1)
        qsort(out, f->n_edges, sizeof *out, cmp_edge_ref);
    for (k = 1; k < f->n_edges; k++)
        if (out[k].a == out[k - 1].a && out[k].b == out[k - 1].b)
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                        "forest %s: edge (%zu, %zu) listed twice; "
                                        "expected each pair at most once",
                                        which, out[k].a, out[k].b);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_forest_diff_new(const simdepth_forest *fa, const simdepth_forest *fb,
                                         const simdepth_matrix *sa, const simdepth_matrix *sb,
                                         simdepth_forest_diff **out, simdepth_error *err)
{
    edge_ref *ea = NULL, *eb = NULL;
    simdepth_forest_diff *d = NULL;
    size_t n, i, j, m, total;
    simdepth_status st = SIMDEPTH_OK;

    if (fa == NULL || fb == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "forest diff: NULL argument");
    n = fa->n_nodes;
    if (fb->n_nodes != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "forest diff: the forests span %zu and %zu "
                                    "classes; expected the same classes",
                                    fa->n_nodes, fb->n_nodes);
    if (!is_square(sa, n) || !is_square(sb, n))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "forest diff: expected two %zu x %zu "
                                    "similarity matrices",
                                    n, n);
    ea = simdepth_i_malloc_array(fa->n_edges ? fa->n_edges : 1, sizeof *ea);
    eb = simdepth_i_malloc_array(fb->n_edges ? fb->n_edges : 1, sizeof *eb);
    d = simdepth_i_calloc(1, sizeof *d);
    if (ea == NULL || eb == NULL || d == NULL) {
        st = simdepth_i_enomem(err, "forest diff");
        goto out;
    }
    if ((st = collect_edges(fa, "A", ea, err)) != SIMDEPTH_OK ||
        (st = collect_edges(fb, "B", eb, err)) != SIMDEPTH_OK)
        goto out;
    total = fa->n_edges + fb->n_edges;
    d->edges = simdepth_i_malloc_array(total ? total : 1, sizeof *d->edges);
    if (d->edges == NULL) {
        st = simdepth_i_enomem(err, "forest diff");
        goto out;
    }
    d->n_nodes = n;
    i = j = m = 0;
    while (i < fa->n_edges || j < fb->n_edges) {
        simdepth_diff_edge *e = &d->edges[m++];
        int c;

        if (i == fa->n_edges)
            c = 1;
        else if (j == fb->n_edges)
            c = -1;
        else
            c = cmp_edge_ref(&ea[i], &eb[j]);
        if (c == 0) {
            e->a = ea[i].a;
            e->b = ea[i].b;
            e->origin = SIMDEPTH_EDGE_SHARED;
            e->cluster_a = ea[i++].cluster;
            e->cluster_b = eb[j++].cluster;
            d->n_shared++;
        } else if (c < 0) {
            e->a = ea[i].a;
            e->b = ea[i].b;
            e->origin = SIMDEPTH_EDGE_ONLY_A;
            e->cluster_a = ea[i++].cluster;
            e->cluster_b = -1;
            d->n_only_a++;
        } else {
            e->a = eb[j].a;
            e->b = eb[j].b;
            e->origin = SIMDEPTH_EDGE_ONLY_B;
            e->cluster_a = -1;
            e->cluster_b = eb[j++].cluster;
            d->n_only_b++;
        }
        e->weight_a = simdepth_matrix_get(sa, e->b, e->a);
        e->weight_b = simdepth_matrix_get(sb, e->b, e->a);
    }
    d->n_edges = m;
    *out = d;
    d = NULL;
out:
    simdepth_forest_diff_free(d);
    free(eb);
    free(ea);
    return st;
}

void simdepth_forest_diff_free(simdepth_forest_diff *d)
{
    if (d == NULL)
        return;
    free(d->edges);
    free(d);
}

/* ================================================================ classes */

simdepth_status simdepth_nearest_neighbours(const simdepth_matrix *s, size_t *nn,
                                            simdepth_error *err)
{
    size_t n, i, j;

    if (s == NULL || nn == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "nearest neighbours: NULL argument");
    n = simdepth_matrix_rows(s);
    if (simdepth_matrix_cols(s) != n || n < 2)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "nearest neighbours: the similarity is "
                                    "%zu x %zu; expected a square matrix of at "
                                    "least 2 classes",
                                    n, simdepth_matrix_cols(s));
    for (i = 0; i < n; i++) {
        size_t best = SIZE_MAX;
        double bv = 0.0;

        for (j = 0; j < n; j++) {
            double v;

            if (j == i)
                continue;
            v = simdepth_matrix_get(s, i, j);
            if (isnan(v))
                continue;
            if (best == SIZE_MAX || v > bv) {
                best = j;
                bv = v;
            }
        }
        /* A row of NaN only: the smallest other index. */
        nn[i] = best != SIZE_MAX ? best : (i == 0 ? 1 : 0);
    }
    return SIMDEPTH_OK;
}

/* Ranking of similarity changes: larger |after - before| first, NaN changes
 * last, then by (a, b). */
typedef struct change {
    double key;
    simdepth_pair_change c;
} change;

static int change_better(const change *x, const change *y)
{
    if (x->key != y->key)
        return x->key > y->key;
    if (x->c.a != y->c.a)
        return x->c.a < y->c.a;
    return x->c.b < y->c.b;
}

static int cmp_change(const void *x, const void *y)
{
    const change *p = x, *q = y;

    if (change_better(p, q))
        return -1;
    return change_better(q, p) ? 1 : 0;
}

/* Restore the min-heap (worst kept change at the root) below @i. */
static void heap_down(change *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        change t;

        if (l < n && change_better(&h[w], &h[l]))
            w = l;
        if (r < n && change_better(&h[w], &h[r]))
            w = r;
        if (w == i)
            return;
        t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void heap_up(change *h, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        change t;

        if (!change_better(&h[p], &h[i]))
            return;
        t = h[i];
        h[i] = h[p];
        h[p] = t;
        i = p;
    }
}

simdepth_status simdepth_similarity_changes(const simdepth_matrix *sa, const simdepth_matrix *sb,
                                            size_t top, simdepth_pair_change **out, size_t *n_out,
                                            simdepth_error *err)
{
    size_t n, pairs, keep, used = 0, i, j;
    change *h = NULL;
    simdepth_pair_change *res = NULL;

    if (sa == NULL || sb == NULL || out == NULL || n_out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "similarity changes: NULL argument");
    n = simdepth_matrix_rows(sa);
    if (!is_square(sa, n) || !is_square(sb, n))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "similarity changes: the matrices are "
                                    "%zu x %zu and %zu x %zu; expected two square "
                                    "matrices of the same size",
                                    n, simdepth_matrix_cols(sa), simdepth_matrix_rows(sb),
                                    simdepth_matrix_cols(sb));
    pairs = simdepth_condensed_size(n);
    keep = top < pairs ? top : pairs;
    if (keep == 0) {
        *out = NULL;
        *n_out = 0;
        return SIMDEPTH_OK;
    }
    h = simdepth_i_malloc_array(keep, sizeof *h);
    res = simdepth_i_malloc_array(keep, sizeof *res);
    if (h == NULL || res == NULL) {
        free(h);
        free(res);
        return simdepth_i_enomem(err, "similarity changes");
    }
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            change c;
            double d;

            c.c.a = i;
            c.c.b = j;
            c.c.before = simdepth_matrix_get(sa, j, i);
            c.c.after = simdepth_matrix_get(sb, j, i);
            d = fabs(c.c.after - c.c.before);
            c.key = isnan(d) ? -1.0 : d;
            if (used < keep) {
                h[used] = c;
                heap_up(h, used++);
            } else if (change_better(&c, &h[0])) {
                h[0] = c;
                heap_down(h, keep, 0);
            }
        }
    qsort(h, keep, sizeof *h, cmp_change);
    for (i = 0; i < keep; i++)
        res[i] = h[i].c;
    free(h);
    *out = res;
    *n_out = keep;
    return SIMDEPTH_OK;
}

/* ================================================================ tanglegrams */

/* |d|^1.5 for d = 0 .. n - 1. */
static double *power_table(size_t n)
{
    double *t = simdepth_i_malloc_array(n ? n : 1, sizeof *t);
    size_t d;

    if (t != NULL)
        for (d = 0; d < n; d++)
            t[d] = pow((double)d, 1.5);
    return t;
}

/* The normalising constant: the sum of |pos_a - pos_b|^1.5 when one side
 * is the other reversed. */
static double worst_entanglement(const double *pw, size_t n)
{
    double s = 0.0;
    size_t k;

    for (k = 0; k < n; k++) {
        size_t r = n - 1 - k;
        s += pw[k > r ? k - r : r - k];
    }
    return s;
}

static double raw_entanglement(const size_t *pos_a, const size_t *pos_b, const double *pw, size_t n)
{
    double s = 0.0;
    size_t x;

    for (x = 0; x < n; x++)
        s += pw[pos_a[x] > pos_b[x] ? pos_a[x] - pos_b[x] : pos_b[x] - pos_a[x]];
    return s;
}

/* pos[order[k]] = k; 0 if @order is a permutation of 0 .. n - 1. */
static int invert_order(const size_t *order, size_t n, size_t *pos)
{
    size_t k;

    for (k = 0; k < n; k++)
        pos[k] = SIZE_MAX;
    for (k = 0; k < n; k++) {
        if (order[k] >= n || pos[order[k]] != SIZE_MAX)
            return -1;
        pos[order[k]] = k;
    }
    return 0;
}

simdepth_status simdepth_entanglement(const size_t *order_a, const size_t *order_b, size_t n,
                                      double *out, simdepth_error *err)
{
    size_t *pa = NULL, *pb = NULL;
    double *pw = NULL;
    simdepth_status st = SIMDEPTH_OK;

    if (out == NULL || (n > 0 && (order_a == NULL || order_b == NULL)))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "entanglement: NULL argument");
    if (n < 2) {
        if (n == 1 && (order_a[0] != 0 || order_b[0] != 0))
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                        "entanglement: expected leaf orders "
                                        "that are permutations of 0 .. 0");
        *out = 0.0;
        return SIMDEPTH_OK;
    }
    pa = simdepth_i_malloc_array(n, sizeof *pa);
    pb = simdepth_i_malloc_array(n, sizeof *pb);
    pw = power_table(n);
    if (pa == NULL || pb == NULL || pw == NULL) {
        st = simdepth_i_enomem(err, "entanglement");
        goto out;
    }
    if (invert_order(order_a, n, pa) != 0 || invert_order(order_b, n, pb) != 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                  "entanglement: leaf order %s is not a "
                                  "permutation of 0 .. %zu",
                                  invert_order(order_a, n, pa) != 0 ? "A" : "B", n - 1);
        goto out;
    }
    *out = raw_entanglement(pa, pb, pw, n) / worst_entanglement(pw, n);
out:
    free(pw);
    free(pb);
    free(pa);
    return st;
}

/* One side of a tanglegram under untangling: the linkage rows (children
 * ids, possibly swapped), the leaf order and its inverse. */
typedef struct tside {
    double *z;     /* the output matrix's data, (n - 1) x 4 */
    size_t *order; /* position -> leaf */
    size_t *pos;   /* leaf -> position */
} tside;

static size_t node_size(const double *z, size_t n, size_t id)
{
    return id < n ? 1 : (size_t)z[4 * (id - n) + 3];
}

/* One greedy pass over the rows of @s, root first (pre-order): swap the
 * children of a row when that lowers the entanglement with @other's
 * positions by more than @eps. The leaves of a node are contiguous in the
 * order, so a swap exchanges two adjacent blocks. Returns the number of
 * swaps; *sum is updated by the accepted changes. */
static size_t untangle_pass(tside *s, const size_t *other_pos, size_t n, const double *pw,
                            double eps, size_t *stack_id, size_t *stack_start, size_t *tmp,
                            double *sum)
{
    size_t top = 0, swaps = 0;

    stack_id[top] = 2 * n - 2;
    stack_start[top++] = 0;
    while (top > 0) {
        size_t id = stack_id[--top], start = stack_start[top];
        double *row, delta = 0.0;
        size_t l, r, k, p;

        if (id < n)
            continue;
        row = s->z + 4 * (id - n);
        l = node_size(s->z, n, (size_t)row[0]);
        r = node_size(s->z, n, (size_t)row[1]);
        for (k = 0; k < l + r; k++) {
            size_t x, q, np;

            p = start + k;
            x = s->order[p];
            q = other_pos[x];
            np = k < l ? p + r : p - l;
            delta += pw[np > q ? np - q : q - np] - pw[p > q ? p - q : q - p];
        }
        if (delta < -eps) {
            double t;

            memcpy(tmp, s->order + start + l, r * sizeof *tmp);
            memcpy(tmp + r, s->order + start, l * sizeof *tmp);
            memcpy(s->order + start, tmp, (l + r) * sizeof *tmp);
            for (k = 0; k < l + r; k++)
                s->pos[s->order[start + k]] = start + k;
            t = row[0];
            row[0] = row[1];
            row[1] = t;
            *sum += delta;
            swaps++;
            k = l;
            l = r;
            r = k;
        }
        /* Children, left one on top of the stack. */
        stack_id[top] = (size_t)row[1];
        stack_start[top++] = start + l;
        stack_id[top] = (size_t)row[0];
        stack_start[top++] = start;
    }
    return swaps;
}

/* Most alternating rounds before untangling stops; each round that swaps
 * anything lowers the entanglement, so this only bounds the time. */
#define UNTANGLE_MAX_ROUNDS 100

simdepth_status simdepth_tanglegram_untangle(const simdepth_matrix *za, const simdepth_matrix *zb,
                                             simdepth_matrix **out_a, simdepth_matrix **out_b,
                                             double *before, double *after, simdepth_error *err)
{
    simdepth_matrix *ma = NULL, *mb = NULL;
    tside a = {NULL, NULL, NULL}, b = {NULL, NULL, NULL};
    size_t *stack_id = NULL, *stack_start = NULL, *tmp = NULL;
    double *pw = NULL, worst, e0, e1, sum, eps;
    size_t n, round;
    simdepth_status st;

    if (za == NULL || zb == NULL || out_a == NULL || out_b == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1, "untangle: NULL argument");
    if ((st = simdepth_linkage_validate(za, err)) != SIMDEPTH_OK ||
        (st = simdepth_linkage_validate(zb, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(za) + 1;
    if (simdepth_matrix_rows(zb) + 1 != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "untangle: the trees have %zu and %zu "
                                    "leaves; expected the same leaves",
                                    n, simdepth_matrix_rows(zb) + 1);
    if ((st = simdepth_matrix_convert(za, SIMDEPTH_F64, &ma, err)) != SIMDEPTH_OK ||
        (st = simdepth_matrix_convert(zb, SIMDEPTH_F64, &mb, err)) != SIMDEPTH_OK)
        goto out;
    a.z = simdepth_matrix_data(ma);
    b.z = simdepth_matrix_data(mb);
    a.order = simdepth_i_malloc_array(n, sizeof *a.order);
    a.pos = simdepth_i_malloc_array(n, sizeof *a.pos);
    b.order = simdepth_i_malloc_array(n, sizeof *b.order);
    b.pos = simdepth_i_malloc_array(n, sizeof *b.pos);
    stack_id = simdepth_i_malloc_array(n + 1, sizeof *stack_id);
    stack_start = simdepth_i_malloc_array(n + 1, sizeof *stack_start);
    tmp = simdepth_i_malloc_array(n, sizeof *tmp);
    pw = power_table(n);
    if (a.order == NULL || a.pos == NULL || b.order == NULL || b.pos == NULL || stack_id == NULL ||
        stack_start == NULL || tmp == NULL || pw == NULL) {
        st = simdepth_i_enomem(err, "untangle");
        goto out;
    }
    if ((st = simdepth_linkage_leaves(ma, a.order, err)) != SIMDEPTH_OK ||
        (st = simdepth_linkage_leaves(mb, b.order, err)) != SIMDEPTH_OK)
        goto out;
    invert_order(a.order, n, a.pos);
    invert_order(b.order, n, b.pos);
    worst = worst_entanglement(pw, n);
    e0 = raw_entanglement(a.pos, b.pos, pw, n);
    sum = e0;
    /* A rotation must gain more than rounding could fake, so every kept
     * one is a real decrease and the search ends. */
    eps = 1e-10 * worst;
    for (round = 0; round < UNTANGLE_MAX_ROUNDS; round++) {
        size_t swaps = untangle_pass(&a, b.pos, n, pw, eps, stack_id, stack_start, tmp, &sum);
        swaps += untangle_pass(&b, a.pos, n, pw, eps, stack_id, stack_start, tmp, &sum);
        if (swaps == 0)
            break;
    }
    e1 = raw_entanglement(a.pos, b.pos, pw, n);
    if (e1 > e0) {
        /* Cannot happen given eps; keep the promise anyway. */
        memcpy(a.z, simdepth_matrix_cdata(za), (n - 1) * 4 * sizeof(double));
        memcpy(b.z, simdepth_matrix_cdata(zb), (n - 1) * 4 * sizeof(double));
        e1 = e0;
    }
    if (before != NULL)
        *before = e0 / worst;
    if (after != NULL)
        *after = e1 / worst;
    *out_a = ma;
    *out_b = mb;
    ma = mb = NULL;
out:
    free(pw);
    free(tmp);
    free(stack_start);
    free(stack_id);
    free(b.pos);
    free(b.order);
    free(a.pos);
    free(a.order);
    simdepth_matrix_free(mb);
    simdepth_matrix_free(ma);
    return st;
}

/* ================================================================ partitions */

typedef struct labelled {
    int32_t label;
    size_t item;
} labelled;

static int cmp_labelled(const void *x, const void *y)
{
    const labelled *p = x, *q = y;

    if (p->label != q->label)
        return p->label < q->label ? -1 : 1;
    return (p->item > q->item) - (p->item < q->item);
}

/* Dense ids of the labels of @p: id[i] in 0 .. *k - 1, in the order of
 * the label values (so a smaller id is a smaller label). @tmp holds n. */
static void dense_ids(const simdepth_partition *p, labelled *tmp, size_t *id, size_t *k)
{
    size_t i, c = 0;

    for (i = 0; i < p->n; i++) {
        tmp[i].label = p->labels[i];
        tmp[i].item = i;
    }
    qsort(tmp, p->n, sizeof *tmp, cmp_labelled);
    for (i = 0; i < p->n; i++) {
        if (i > 0 && tmp[i].label != tmp[i - 1].label)
            c++;
        id[tmp[i].item] = c;
    }
    *k = p->n > 0 ? c + 1 : 0;
}

static int cmp_size(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;

    return (a > b) - (a < b);
}

/* The contingency table of two partitions in sparse form: cells sorted by
 * (id_a, id_b) with their counts; marginal sizes of both sides. */
typedef struct contingency {
    size_t n, ka, kb, n_cells;
    size_t *ida, *idb; /* n dense ids */
    size_t *cell_a, *cell_b, *cell_n;
    size_t *size_a, *size_b;
} contingency;

static void contingency_free(contingency *c)
{
    free(c->ida);
    free(c->idb);
    free(c->cell_a);
    free(c->cell_b);
    free(c->cell_n);
    free(c->size_a);
    free(c->size_b);
}

static simdepth_status contingency_build(const simdepth_partition *a, const simdepth_partition *b,
                                         contingency *c, simdepth_error *err)
{
    labelled *tmp = NULL;
    size_t *keys = NULL, n, i;
    simdepth_status st = SIMDEPTH_OK;

    memset(c, 0, sizeof *c);
    if (a == NULL || b == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "partition compare: NULL argument");
    if (a->n != b->n || a->n == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "partition compare: partitions of %zu and "
                                    "%zu items; expected the same items, at "
                                    "least one",
                                    a->n, b->n);
    n = c->n = a->n;
    tmp = simdepth_i_malloc_array(n, sizeof *tmp);
    keys = simdepth_i_malloc_array(n, sizeof *keys);
    c->ida = simdepth_i_malloc_array(n, sizeof *c->ida);
    c->idb = simdepth_i_malloc_array(n, sizeof *c->idb);
    c->cell_a = simdepth_i_malloc_array(n, sizeof *c->cell_a);
    c->cell_b = simdepth_i_malloc_array(n, sizeof *c->cell_b);
    c->cell_n = simdepth_i_malloc_array(n, sizeof *c->cell_n);
    c->size_a = simdepth_i_calloc(n, sizeof *c->size_a);
    c->size_b = simdepth_i_calloc(n, sizeof *c->size_b);
    if (tmp == NULL || keys == NULL || c->ida == NULL || c->idb == NULL || c->cell_a == NULL ||
        c->cell_b == NULL || c->cell_n == NULL || c->size_a == NULL || c->size_b == NULL) {
        st = simdepth_i_enomem(err, "partition compare");
        goto out;
    }
    dense_ids(a, tmp, c->ida, &c->ka);
    dense_ids(b, tmp, c->idb, &c->kb);
    /* ka, kb <= n, so ida * kb + idb < n * n; n * n fits when n < 2^32 (the
     * labels are int32, and more items than that need 2^32 words anyway). */
    if (simdepth_i_mul_overflows(c->ka, c->kb)) {
        st = simdepth_i_enomem(err, "partition compare");
        goto out;
    }
    for (i = 0; i < n; i++) {
        keys[i] = c->ida[i] * c->kb + c->idb[i];
        c->size_a[c->ida[i]]++;
        c->size_b[c->idb[i]]++;
    }
    qsort(keys, n, sizeof *keys, cmp_size);
    for (i = 0; i < n; i++) {
        if (i == 0 || keys[i] != keys[i - 1]) {
            c->cell_a[c->n_cells] = keys[i] / c->kb;
            c->cell_b[c->n_cells] = keys[i] % c->kb;
            c->cell_n[c->n_cells++] = 0;
        }
        c->cell_n[c->n_cells - 1]++;
    }
out:
    free(keys);
    free(tmp);
    if (st != SIMDEPTH_OK)
        contingency_free(c);
    return st;
}

simdepth_status simdepth_partition_compare(const simdepth_partition *a, const simdepth_partition *b,
                                           simdepth_partition_agreement *out, simdepth_error *err)
{
    contingency c;
    simdepth_partition_agreement r;
    long double sum_sq = 0, sum_a2 = 0, sum_b2 = 0, nn, tp, fp, fn, tn;
    double vi = 0.0, n;
    size_t i;
    simdepth_status st;

    if (out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "partition compare: NULL argument");
    if ((st = contingency_build(a, b, &c, err)) != SIMDEPTH_OK)
        return st;
    n = (double)c.n;
    /* ARI as scikit-learn 1.2.1 computes it, from the pair confusion
     * matrix in exact integers (long double holds these counts exactly for
     * n below 2^32, and the products below 2^64 for n < 65,536). */
    for (i = 0; i < c.n_cells; i++)
        sum_sq += (long double)c.cell_n[i] * c.cell_n[i];
    for (i = 0; i < c.ka; i++)
        sum_a2 += (long double)c.size_a[i] * c.size_a[i];
    for (i = 0; i < c.kb; i++)
        sum_b2 += (long double)c.size_b[i] * c.size_b[i];
    nn = (long double)c.n;
    tp = sum_sq - nn;
    fp = sum_b2 - sum_sq;
    fn = sum_a2 - sum_sq;
    tn = nn * nn - fp - fn - sum_sq;
    if (fn == 0 && fp == 0) {
        r.ari = 1.0;
    } else {
        double num = 2.0 * (double)(tp * tn - fn * fp);
        double den = (double)((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
        r.ari = num / den;
    }
    /* VI = sum over cells of p_ij (log a_i + log b_j - 2 log n_ij) / n. */
    for (i = 0; i < c.n_cells; i++) {
        double nij = (double)c.cell_n[i];
        vi += nij * (log((double)c.size_a[c.cell_a[i]]) + log((double)c.size_b[c.cell_b[i]]) -
                     2.0 * log(nij));
    }
    vi /= n;
    r.vi = vi > 0.0 ? vi : 0.0;
    r.vi_max = log(n);
    contingency_free(&c);
    *out = r;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_partition_item_agreement(const simdepth_partition *a,
                                                  const simdepth_partition *b, unsigned char *agree,
                                                  simdepth_error *err)
{
    contingency c;
    size_t *match = NULL, *best = NULL, i;
    simdepth_status st;

    if (agree == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "item agreement: NULL argument");
    if ((st = contingency_build(a, b, &c, err)) != SIMDEPTH_OK)
        return st;
    match = simdepth_i_malloc_array(c.ka, sizeof *match);
    best = simdepth_i_calloc(c.ka, sizeof *best);
    if (match == NULL || best == NULL) {
        st = simdepth_i_enomem(err, "item agreement");
        goto out;
    }
    /* Cells come sorted by (a, b): a strict > keeps the smallest b label
     * among equally large overlaps. */
    for (i = 0; i < c.n_cells; i++)
        if (c.cell_n[i] > best[c.cell_a[i]]) {
            best[c.cell_a[i]] = c.cell_n[i];
            match[c.cell_a[i]] = c.cell_b[i];
        }
    for (i = 0; i < c.n; i++)
        agree[i] = c.idb[i] == match[c.ida[i]];
out:
    free(best);
    free(match);
    contingency_free(&c);
    return st;
}

/* ================================================================ dendrograms */

/* For every leaf pair (condensed order), the row of @z that joins it.
 * Rows are in merge order, so a cut into k groups undoes rows
 * n - k .. n - 2 and keeps a pair together iff its row is below n - k. */
static simdepth_status join_rows(const simdepth_matrix *z, size_t n, uint32_t *rows,
                                 simdepth_error *err)
{
    const double *d = simdepth_matrix_cdata(z);
    size_t *order = NULL, *start = NULL, *off = NULL, r, i;
    simdepth_status st;

    order = simdepth_i_malloc_array(n, sizeof *order);
    start = simdepth_i_malloc_array(2 * n - 1, sizeof *start);
    off = simdepth_i_malloc_array(n, sizeof *off);
    if (order == NULL || start == NULL || off == NULL) {
        st = simdepth_i_enomem(err, "linkage compare");
        goto out;
    }
    if ((st = simdepth_linkage_leaves(z, order, err)) != SIMDEPTH_OK)
        goto out;
    /* Pair (i, j), i < j, sits at n i - i (i + 1) / 2 + j - i - 1 in
     * condensed order, i.e. off[i] + j (for i = 0 off wraps around and
     * the sum with j >= 1 comes back: unsigned arithmetic is modular). */
    for (i = 0; i < n; i++)
        off[i] = n * i - i * (i + 1) / 2 - i - 1;
    /* Each node's leaves are contiguous in the pre-order leaf order; walk
     * the rows from the root down to place them. */
    start[2 * n - 2] = 0;
    for (r = n - 1; r-- > 0;) {
        size_t l = (size_t)d[4 * r], rt = (size_t)d[4 * r + 1];
        size_t sl = node_size(d, n, l), sr = node_size(d, n, rt);
        size_t s0 = start[n + r], p, q;

        start[l] = s0;
        start[rt] = s0 + sl;
        for (p = s0; p < s0 + sl; p++) {
            size_t x = order[p];

            for (q = s0 + sl; q < s0 + sl + sr; q++) {
                size_t y = order[q];

                rows[x < y ? off[x] + y : off[y] + x] = (uint32_t)r;
            }
        }
    }
out:
    free(off);
    free(start);
    free(order);
    return st;
}

/* Pearson's correlation of x and y (m values each) in long double, two
 * passes with R's mean correction; NaN when either is constant. */
static double pearson(const double *x, const double *y, size_t m)
{
    long double sx = 0, sy = 0, mx, my, cx = 0, cy = 0, sxy = 0, sxx = 0, syy = 0;
    size_t k;

    if (m < 2)
        return NAN;
    for (k = 0; k < m; k++) {
        sx += x[k];
        sy += y[k];
    }
    mx = sx / m;
    my = sy / m;
    for (k = 0; k < m; k++) {
        cx += x[k] - mx;
        cy += y[k] - my;
    }
    mx += cx / m;
    my += cy / m;
    for (k = 0; k < m; k++) {
        long double dx = x[k] - mx, dy = y[k] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0 || syy == 0)
        return NAN;
    return (double)(sxy / sqrtl(sxx * syy));
}

/* Average ranks (1-based, ties share their mean rank, as R's rank()) of
 * the integer values @v in 0 .. k - 1. */
static simdepth_status average_ranks(const uint32_t *v, size_t m, size_t k, double *rank,
                                     simdepth_error *err)
{
    size_t *count = simdepth_i_calloc(k, sizeof *count), i, below = 0;
    double *rk;

    if (count == NULL)
        return simdepth_i_enomem(err, "linkage compare");
    for (i = 0; i < m; i++)
        count[v[i]]++;
    rk = (double *)simdepth_i_malloc_array(k, sizeof *rk);
    if (rk == NULL) {
        free(count);
        return simdepth_i_enomem(err, "linkage compare");
    }
    for (i = 0; i < k; i++) {
        rk[i] = (double)below + ((double)count[i] + 1.0) / 2.0;
        below += count[i];
    }
    for (i = 0; i < m; i++)
        rank[i] = rk[v[i]];
    free(rk);
    free(count);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_linkage_compare(const simdepth_matrix *za, const simdepth_matrix *zb,
                                         simdepth_tree_agreement *out, double *fm_bk,
                                         simdepth_error *err)
{
    uint32_t *ra = NULL, *rb = NULL;
    double *xa = NULL, *xb = NULL;
    size_t *cnt_a = NULL, *cnt_b = NULL, *cnt_ab = NULL;
    simdepth_tree_agreement r;
    size_t n, m, k, i;
    const double *da, *db;
    simdepth_status st;

    if (za == NULL || zb == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "linkage compare: NULL argument");
    if ((st = simdepth_linkage_validate(za, err)) != SIMDEPTH_OK ||
        (st = simdepth_linkage_validate(zb, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(za) + 1;
    if (simdepth_matrix_rows(zb) + 1 != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "linkage compare: the trees have %zu and "
                                    "%zu leaves; expected the same leaves",
                                    n, simdepth_matrix_rows(zb) + 1);
    if (n - 1 > UINT32_MAX)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, "", 0, 0, -1,
                                    "linkage compare: %zu leaves; expected at "
                                    "most 2^32",
                                    n);
    m = simdepth_condensed_size(n);
    da = simdepth_matrix_cdata(za);
    db = simdepth_matrix_cdata(zb);
    ra = simdepth_i_malloc_array(m, sizeof *ra);
    rb = simdepth_i_malloc_array(m, sizeof *rb);
    xa = simdepth_i_malloc_array(m, sizeof *xa);
    xb = simdepth_i_malloc_array(m, sizeof *xb);
    cnt_a = simdepth_i_calloc(n, sizeof *cnt_a);
    cnt_b = simdepth_i_calloc(n, sizeof *cnt_b);
    cnt_ab = simdepth_i_calloc(n, sizeof *cnt_ab);
    if (ra == NULL || rb == NULL || xa == NULL || xb == NULL || cnt_a == NULL || cnt_b == NULL ||
        cnt_ab == NULL) {
        st = simdepth_i_enomem(err, "linkage compare");
        goto out;
    }
    if ((st = join_rows(za, n, ra, err)) != SIMDEPTH_OK ||
        (st = join_rows(zb, n, rb, err)) != SIMDEPTH_OK)
        goto out;

    /* Cophenetic correlation: heights of the joining rows. */
    for (i = 0; i < m; i++) {
        xa[i] = da[4 * (size_t)ra[i] + 2];
        xb[i] = db[4 * (size_t)rb[i] + 2];
    }
    r.cophenetic_correlation = pearson(xa, xb, m);

    /* Baker's gamma: Spearman's correlation of the largest k keeping each
     * pair together, n - 1 - row; ranks of the rows give the same value
     * (both sides reversed). dendextend reports 1 where R's cor is NA. */
    if ((st = average_ranks(ra, m, n - 1, xa, err)) != SIMDEPTH_OK ||
        (st = average_ranks(rb, m, n - 1, xb, err)) != SIMDEPTH_OK)
        goto out;
    r.bakers_gamma = pearson(xa, xb, m);
    if (isnan(r.bakers_gamma))
        r.bakers_gamma = 1.0;

    /* Fowlkes-Mallows B_k = T / sqrt(P Q) over unordered pairs: with j
     * merges kept (k = n - j groups) P counts pairs joined below row j in
     * A, Q in B, T in both (max of the two rows below j). */
    for (i = 0; i < m; i++) {
        cnt_a[ra[i]]++;
        cnt_b[rb[i]]++;
        cnt_ab[ra[i] > rb[i] ? ra[i] : rb[i]]++;
    }
    r.fm_bk_mean = r.fm_bk_min = NAN;
    r.fm_bk_argmin = 0;
    if (n >= 3) {
        double sum = 0.0, p = 0.0, q = 0.0, t = 0.0;
        size_t j;

        /* j = n - k runs 1 .. n - 2 as k runs n - 1 .. 2. */
        for (j = 1; j <= n - 2; j++) {
            double bk;

            p += (double)cnt_a[j - 1];
            q += (double)cnt_b[j - 1];
            t += (double)cnt_ab[j - 1];
            k = n - j;
            bk = t / sqrt(p * q);
            if (fm_bk != NULL)
                fm_bk[k - 2] = bk;
            sum += bk;
            /* k decreases: <= keeps the smallest k among equal minima. */
            if (r.fm_bk_argmin == 0 || bk <= r.fm_bk_min) {
                r.fm_bk_min = bk;
                r.fm_bk_argmin = k;
            }
        }
        r.fm_bk_mean = sum / (double)(n - 2);
    }
    *out = r;
out:
    free(cnt_ab);
    free(cnt_b);
    free(cnt_a);
    free(xb);
    free(xa);
    free(rb);
    free(ra);
    return st;
}
