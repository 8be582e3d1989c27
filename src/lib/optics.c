/* simdepth — OPTICS with xi cluster extraction.
 *
 * A port of scikit-learn 1.2.1's sklearn/cluster/_optics.py for
 * metric="precomputed": compute_optics_graph() and _set_reach_dist() for
 * the ordering, cluster_optics_xi(), _xi_cluster(), _extend_region(),
 * _update_filter_sdas(), _correct_predecessor() and _extract_xi_labels()
 * for the clusters. It keeps NumPy's float64 operations and their order
 * (including np.around(x, 15) = rint(x * 1e15) / 1e15) so that ties in the
 * ordering, and through them the clusters, come out the same.
 *
 * Distances are 1 - S, formed on the fly from the similarity matrix, so no
 * n x n distance matrix is ever allocated.
 *
 * Exactness assumes IEEE double arithmetic without excess precision
 * (FLT_EVAL_METHOD 0: x86-64, arm64) and no contraction into fused
 * multiply-adds.
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

void simdepth_optics_options_init(simdepth_optics_options *opt)
{
    if (opt == NULL)
        return;
    opt->min_samples = 5;
    opt->xi = 0.05;
    opt->min_cluster_size = 0;
    opt->max_eps = INFINITY;
    opt->predecessor_correction = 1;
    opt->noise = SIMDEPTH_NOISE_CLUSTER;
}

/* ------------------------------------------------------------------ */
/* Input                                                               */

static simdepth_status check_args(const simdepth_matrix *s,
                                  const simdepth_optics_options *opt,
                                  simdepth_error *err)
{
    size_t n, k;
    simdepth_i_dist_view v;

    if (s == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "OPTICS: no similarity matrix given");
    n = simdepth_matrix_rows(s);
    if (n != simdepth_matrix_cols(s))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: the similarity matrix is %zu x %zu; expected a square "
            "matrix", n, simdepth_matrix_cols(s));
    if (n == 0)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: the similarity matrix is empty; expected at least "
            "min_samples items");
    if (n > INT32_MAX)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: %zu items; at most %ld are supported", n,
            (long)INT32_MAX);
    if (opt->min_samples < 2 || (size_t)opt->min_samples > n)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: min_samples %d; expected 2 .. %zu (the number of "
            "items)", opt->min_samples, n);
    if (opt->min_cluster_size != 0 &&
        (opt->min_cluster_size < 2 || (size_t)opt->min_cluster_size > n))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: min_cluster_size %d; expected 0 (= min_samples) or "
            "2 .. %zu (the number of items)", opt->min_cluster_size, n);
    if (!(opt->xi >= 0.0 && opt->xi < 1.0))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: xi %g; expected a value in [0, 1)", opt->xi);
    if (!(opt->max_eps >= 0.0))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: max_eps %g; expected a non-negative value or "
            "infinity", opt->max_eps);
    if (opt->noise != SIMDEPTH_NOISE_CLUSTER &&
        opt->noise != SIMDEPTH_NOISE_SINGLETONS)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "OPTICS: unknown noise mode %d", (int)opt->noise);
    v = simdepth_i_dist_view_of(s);
    for (k = 0; k < n * n; k++) {
        double x = v.f != NULL ? (double)v.f[k] : v.d[k];
        if (!isfinite(x))
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "OPTICS: similarity at row %zu, column %zu (1-based) is %s; "
                "expected finite similarities", k / n + 1, k % n + 1,
                isnan(x) ? "NaN" : (x > 0 ? "+Inf" : "-Inf"));
        if (x > 1.0)
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "OPTICS: similarity at row %zu, column %zu (1-based) is "
                "%.17g; expected at most 1, since the distance 1 - S must "
                "not be negative (scale the matrix and set its diagonal "
                "to 1 first)", k / n + 1, k % n + 1, x);
    }
    return SIMDEPTH_OK;
}

/* ------------------------------------------------------------------ */
/* Ordering (compute_optics_graph)                                     */

/* np.around(x, decimals=15) for float64: multiply by 10**15 (exact),
 * round half to even, divide. */
static double around15(double x)
{
    return nearbyint(x * 1e15) / 1e15;
}

/* The k-th smallest (1-based) of row[0 .. n): the value kneighbors()
 * reports for the k-th neighbour. k is small (min_samples), so a sorted
 * buffer of the k smallest seen so far beats a selection. */
static double kth_smallest(const double *row, size_t n, size_t k,
                           double *buf)
{
    size_t i, m = 0;

    for (i = 0; i < n; i++) {
        double x = row[i];
        size_t j;
        if (m == k && !(x < buf[k - 1]))
            continue;
        j = m < k ? m++ : k - 1;
        while (j > 0 && buf[j - 1] > x) {
            buf[j] = buf[j - 1];
            j--;
        }
        buf[j] = x;
    }
    return buf[k - 1];
}

/* Everything the ordering produces, indexed by item. */
typedef struct optics_graph {
    int32_t *ordering;
    double *reach;
    double *core;
    int32_t *pred;
} optics_graph;

static simdepth_status compute_graph(const simdepth_matrix *s,
                                     const simdepth_optics_options *opt,
                                     optics_graph *g, simdepth_error *err)
{
    simdepth_i_dist_view v = simdepth_i_dist_view_of(s);
    size_t n = v.n, i, j, step, k = (size_t)opt->min_samples;
    double *row = NULL, *buf = NULL;
    unsigned char *done = NULL;
    simdepth_status st = SIMDEPTH_OK;

    row = simdepth_i_malloc_array(n, sizeof *row);
    buf = simdepth_i_malloc_array(k, sizeof *buf);
    done = simdepth_i_calloc(n, sizeof *done);
    if (row == NULL || buf == NULL || done == NULL) {
        st = simdepth_i_enomem(err, "OPTICS work space");
        goto out;
    }

    for (i = 0; i < n; i++) {
        double c;
        simdepth_i_dist_row(&v, i, row);
        c = kth_smallest(row, n, k, buf);
        if (c > opt->max_eps)
            c = INFINITY;
        g->core[i] = around15(c);
        g->reach[i] = INFINITY;
        g->pred[i] = -1;
    }

    for (step = 0; step < n; step++) {
        /* np.argmin over the unprocessed: the first smallest. */
        size_t point = n;
        double best = 0.0, core;

        for (i = 0; i < n; i++) {
            if (done[i])
                continue;
            if (point == n || g->reach[i] < best) {
                point = i;
                best = g->reach[i];
            }
        }
        done[point] = 1;
        g->ordering[step] = (int32_t)point;
        core = g->core[point];
        if (isinf(core))
            continue;
        /* _set_reach_dist: the unprocessed within max_eps (<=). */
        simdepth_i_dist_row(&v, point, row);
        for (j = 0; j < n; j++) {
            double d, r;
            if (done[j])
                continue;
            d = row[j];
            if (!(d <= opt->max_eps))
                continue;
            r = around15(d > core ? d : core); /* np.maximum */
            if (r < g->reach[j]) {
                g->reach[j] = r;
                g->pred[j] = (int32_t)point;
            }
        }
    }

out:
    free(done);
    free(buf);
    free(row);
    return st;
}

simdepth_status simdepth_optics_ordering(const simdepth_matrix *s,
                                         const simdepth_optics_options *opt,
                                         int32_t *ordering,
                                         double *reachability,
                                         double *core_distances,
                                         int32_t *predecessor,
                                         simdepth_error *err)
{
    simdepth_optics_options defaults;
    optics_graph g;
    simdepth_status st;
    size_t n;

    if (opt == NULL) {
        simdepth_optics_options_init(&defaults);
        opt = &defaults;
    }
    st = check_args(s, opt, err);
    if (st != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(s);
    g.ordering = simdepth_i_malloc_array(n, sizeof *g.ordering);
    g.reach = simdepth_i_malloc_array(n, sizeof *g.reach);
    g.core = simdepth_i_malloc_array(n, sizeof *g.core);
    g.pred = simdepth_i_malloc_array(n, sizeof *g.pred);
    if (g.ordering == NULL || g.reach == NULL || g.core == NULL ||
        g.pred == NULL) {
        st = simdepth_i_enomem(err, "the OPTICS ordering");
        goto out;
    }
    st = compute_graph(s, opt, &g, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (ordering != NULL)
        memcpy(ordering, g.ordering, n * sizeof *ordering);
    if (reachability != NULL)
        memcpy(reachability, g.reach, n * sizeof *reachability);
    if (core_distances != NULL)
        memcpy(core_distances, g.core, n * sizeof *core_distances);
    if (predecessor != NULL)
        memcpy(predecessor, g.pred, n * sizeof *predecessor);

out:
    free(g.pred);
    free(g.core);
    free(g.reach);
    free(g.ordering);
    return st;
}

/* ------------------------------------------------------------------ */
/* Xi extraction (_xi_cluster)                                         */

/* A steep down area: [start, end] and its maximum in between. */
typedef struct sda {
    size_t start, end;
    double mib;
} sda;

/* A cluster [start, end] in reachability-plot positions, inclusive. */
typedef struct span {
    size_t start, end;
} span;

typedef struct xi_state {
    const double *plot;          /* n + 1 reachabilities, plot[n] = inf */
    const int32_t *pred_plot;    /* predecessors in plot order */
    const int32_t *ordering;
    const unsigned char *sup;    /* steep upward, n */
    const unsigned char *sdown;  /* steep downward, n */
    const unsigned char *up;     /* upward, n */
    const unsigned char *down;   /* downward, n */
    size_t n;
    double xi_complement;
    size_t min_samples, min_cluster_size;
    int predecessor_correction;
    sda *sdas;
    size_t n_sdas;
    span *clusters;
    size_t n_clusters;
} xi_state;

/* _extend_region: the end of the maximal steep region from @start. */
static size_t extend_region(const xi_state *x, const unsigned char *steep,
                            const unsigned char *xward, size_t start)
{
    size_t index = start, end = start, non_xward = 0;

    while (index < x->n) {
        if (steep[index]) {
            non_xward = 0;
            end = index;
        } else if (!xward[index]) {
            /* not steep, but still going the same way */
            non_xward++;
            if (non_xward > x->min_samples)
                break;
        } else {
            return end;
        }
        index++;
    }
    return end;
}

/* _update_filter_sdas, in place. */
static void update_filter_sdas(xi_state *x, double mib)
{
    size_t i, k = 0;

    if (isinf(mib)) {
        x->n_sdas = 0;
        return;
    }
    for (i = 0; i < x->n_sdas; i++) {
        if (mib <= x->plot[x->sdas[i].start] * x->xi_complement)
            x->sdas[k++] = x->sdas[i];
    }
    x->n_sdas = k;
    for (i = 0; i < k; i++)
        if (mib > x->sdas[i].mib) /* Python max(a, b) keeps a on ties */
            x->sdas[i].mib = mib;
}

/* _correct_predecessor. Returns 0 when the cluster vanishes. Like
 * scikit-learn, it looks the predecessor (an item index) up as a position
 * of the ordering, with Python's wrap-around for -1. */
static int correct_predecessor(const xi_state *x, size_t *ps, size_t *pe)
{
    size_t s = *ps, e = *pe, i;

    while (s < e) {
        int32_t pp;
        size_t pos;
        int32_t p_e;
        int found = 0;

        if (x->plot[s] > x->plot[e]) {
            *ps = s;
            *pe = e;
            return 1;
        }
        pp = x->pred_plot[e];
        pos = pp < 0 ? (size_t)((int64_t)x->n + pp) : (size_t)pp;
        p_e = x->ordering[pos];
        for (i = s; i < e; i++) {
            if (p_e == x->ordering[i]) {
                found = 1;
                break;
            }
        }
        if (found) {
            *ps = s;
            *pe = e;
            return 1;
        }
        e--;
    }
    return 0;
}

/* The U-area part of the main loop: clusters ending in [u_start, u_end]. */
static void clusters_at_up(xi_state *x, size_t u_start, size_t u_end,
                           span *found)
{
    const double *r = x->plot;
    size_t i, n_found = 0;

    for (i = 0; i < x->n_sdas; i++) {
        const sda *d = &x->sdas[i];
        size_t c_start = d->start, c_end = u_end;
        double d_max;

        /* line (**), sc2* */
        if (r[c_end + 1] * x->xi_complement < d->mib)
            continue;
        /* Definition 11: criterion 4 */
        d_max = r[d->start];
        if (d_max * x->xi_complement >= r[c_end + 1]) {
            while (r[c_start + 1] > r[c_end + 1] && c_start < d->end)
                c_start++;
        } else if (r[c_end + 1] * x->xi_complement >= d_max) {
            /* scikit-learn evaluates r[c_end - 1] first, which at
             * c_end == 0 reads its appended infinity; the outcome is the
             * same, the order here avoids the out-of-range read. */
            while (c_end > u_start && r[c_end - 1] > d_max)
                c_end--;
        }
        if (x->predecessor_correction &&
            !correct_predecessor(x, &c_start, &c_end))
            continue;
        /* Definition 11: criterion 3.a */
        if (c_end - c_start + 1 < x->min_cluster_size)
            continue;
        /* criterion 1 */
        if (c_start > d->end)
            continue;
        /* criterion 2 */
        if (c_end < u_start)
            continue;
        found[n_found].start = c_start;
        found[n_found].end = c_end;
        n_found++;
    }
    /* U_clusters.reverse(): smaller clusters first. */
    for (i = n_found; i-- > 0;)
        x->clusters[x->n_clusters++] = found[i];
}

/* The main loop of _xi_cluster over the steep points. Each steep point
 * starts at most one area and each area closes at most n_sdas clusters, so
 * the cluster list is bounded by n * n; it grows as needed. */
static simdepth_status xi_cluster(xi_state *x, simdepth_error *err)
{
    const double *r = x->plot;
    size_t n = x->n, index = 0, steep, cap = 0;
    double mib = 0.0;
    span *found = NULL;
    simdepth_status st = SIMDEPTH_OK;

    x->sdas = simdepth_i_malloc_array(n, sizeof *x->sdas);
    found = simdepth_i_malloc_array(n, sizeof *found);
    if (x->sdas == NULL || found == NULL) {
        st = simdepth_i_enomem(err, "OPTICS steep areas");
        goto out;
    }
    x->n_sdas = 0;
    x->n_clusters = 0;

    for (steep = 0; steep < n; steep++) {
        size_t i;

        if (!(x->sup[steep] || x->sdown[steep]))
            continue;
        if (steep < index)
            continue;
        for (i = index; i <= steep; i++)
            if (r[i] > mib)
                mib = r[i];

        if (x->sdown[steep]) {
            size_t d_end;
            update_filter_sdas(x, mib);
            d_end = extend_region(x, x->sdown, x->up, steep);
            x->sdas[x->n_sdas].start = steep;
            x->sdas[x->n_sdas].end = d_end;
            x->sdas[x->n_sdas].mib = 0.0;
            x->n_sdas++;
            index = d_end + 1;
            mib = r[index];
        } else {
            size_t u_end;
            update_filter_sdas(x, mib);
            u_end = extend_region(x, x->sup, x->down, steep);
            index = u_end + 1;
            mib = r[index];
            if (x->n_clusters + x->n_sdas > cap) {
                size_t want = cap ? 2 * cap : 64;
                span *t;
                if (want < x->n_clusters + x->n_sdas)
                    want = x->n_clusters + x->n_sdas;
                t = simdepth_i_realloc_array(x->clusters, want,
                                             sizeof *t);
                if (t == NULL) {
                    st = simdepth_i_enomem(err, "OPTICS clusters");
                    goto out;
                }
                x->clusters = t;
                cap = want;
            }
            clusters_at_up(x, steep, u_end, found);
        }
    }

out:
    free(found);
    free(x->sdas);
    x->sdas = NULL;
    return st;
}

/* ------------------------------------------------------------------ */
/* Labels                                                              */

/* Noise handling shared with the labels: -1 stays (one cluster) or every
 * noise item gets the next free label in index order. */
static void apply_noise_mode(simdepth_partition *p, simdepth_noise_mode mode,
                             int32_t n_labels)
{
    size_t i;

    if (mode == SIMDEPTH_NOISE_SINGLETONS)
        for (i = 0; i < p->n; i++)
            if (p->labels[i] == -1)
                p->labels[i] = n_labels++;
    simdepth_partition_recount(p);
}

simdepth_status simdepth_optics(const simdepth_matrix *s,
                                const simdepth_optics_options *opt,
                                simdepth_partition **out,
                                simdepth_error *err)
{
    simdepth_optics_options defaults;
    simdepth_partition *p = NULL;
    optics_graph g;
    xi_state x;
    simdepth_status st;
    double *plot = NULL;
    int32_t *pred_plot = NULL, *plot_labels = NULL, label = 0;
    unsigned char *flags = NULL;
    size_t n, i, c;

    memset(&g, 0, sizeof g);
    memset(&x, 0, sizeof x);
    if (opt == NULL) {
        simdepth_optics_options_init(&defaults);
        opt = &defaults;
    }
    st = check_args(s, opt, err);
    if (st != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(s);

    st = simdepth_partition_new(n, "optics", &p, err);
    if (st != SIMDEPTH_OK)
        return st;
    g.ordering = simdepth_i_malloc_array(n, sizeof *g.ordering);
    g.reach = simdepth_i_malloc_array(n, sizeof *g.reach);
    g.core = simdepth_i_malloc_array(n, sizeof *g.core);
    g.pred = simdepth_i_malloc_array(n, sizeof *g.pred);
    plot = simdepth_i_malloc_array(n + 1, sizeof *plot);
    pred_plot = simdepth_i_malloc_array(n, sizeof *pred_plot);
    plot_labels = simdepth_i_malloc_array(n, sizeof *plot_labels);
    flags = simdepth_i_malloc_array(n, 4);
    if (g.ordering == NULL || g.reach == NULL || g.core == NULL ||
        g.pred == NULL || plot == NULL || pred_plot == NULL ||
        plot_labels == NULL || flags == NULL) {
        st = simdepth_i_enomem(err, "OPTICS work space");
        goto out;
    }
    st = compute_graph(s, opt, &g, err);
    if (st != SIMDEPTH_OK)
        goto out;

    /* cluster_optics_xi: reachability and predecessors in plot order,
     * with an infinity appended to the plot. */
    for (i = 0; i < n; i++) {
        plot[i] = g.reach[g.ordering[i]];
        pred_plot[i] = g.pred[g.ordering[i]];
    }
    plot[n] = INFINITY;
    x.xi_complement = 1.0 - opt->xi;
    x.sup = flags;
    x.sdown = flags + n;
    x.up = flags + 2 * n;
    x.down = flags + 3 * n;
    for (i = 0; i < n; i++) {
        /* inf / inf and 0 / 0 are NaN: every comparison false, as in
         * NumPy under errstate(invalid="ignore"). */
        double ratio = plot[i] / plot[i + 1];
        flags[i] = ratio <= x.xi_complement;
        flags[n + i] = ratio >= 1.0 / x.xi_complement;
        flags[2 * n + i] = ratio < 1.0;
        flags[3 * n + i] = ratio > 1.0;
    }
    x.plot = plot;
    x.pred_plot = pred_plot;
    x.ordering = g.ordering;
    x.n = n;
    x.min_samples = (size_t)opt->min_samples;
    x.min_cluster_size = opt->min_cluster_size != 0
                             ? (size_t)opt->min_cluster_size
                             : (size_t)opt->min_samples;
    x.predecessor_correction = opt->predecessor_correction != 0;
    st = xi_cluster(&x, err);
    if (st != SIMDEPTH_OK)
        goto out;

    /* _extract_xi_labels: a cluster gets the next label if none of its
     * positions has one yet. */
    for (i = 0; i < n; i++)
        plot_labels[i] = -1;
    for (c = 0; c < x.n_clusters; c++) {
        size_t a = x.clusters[c].start, b = x.clusters[c].end;
        int taken = 0;
        for (i = a; i <= b && !taken; i++)
            taken = plot_labels[i] != -1;
        if (taken)
            continue;
        for (i = a; i <= b; i++)
            plot_labels[i] = label;
        label++;
    }
    for (i = 0; i < n; i++)
        p->labels[g.ordering[i]] = plot_labels[i];
    apply_noise_mode(p, opt->noise, label);
    p->iterations = 0;
    p->converged = 1;
    *out = p;
    p = NULL;

out:
    free(x.clusters);
    free(flags);
    free(plot_labels);
    free(pred_plot);
    free(plot);
    free(g.pred);
    free(g.core);
    free(g.reach);
    free(g.ordering);
    simdepth_partition_free(p);
    return st;
}
