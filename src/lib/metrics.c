/* simdepth — Similarity Depth, compliance and per-edge annotations. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/metrics.h"
#include "simdepth/similarity.h"
#include "internal.h"

/* simdepth_confusion_rate() with each row's sum computed once, when first
 * needed (NaN in @rowsum: not yet): the same sum in the same order. */
static double cached_rate(const simdepth_matrix *confusion, double *rowsum, size_t a, size_t b)
{
    if (isnan(rowsum[a])) {
        size_t j, n = simdepth_matrix_cols(confusion);
        double sum = 0.0;

        if (simdepth_matrix_dtype(confusion) == SIMDEPTH_F32) {
            const float *row = (const float *)simdepth_matrix_cdata(confusion) + a * n;
            for (j = 0; j < n; j++)
                sum += row[j];
        } else {
            const double *row = (const double *)simdepth_matrix_cdata(confusion) + a * n;
            for (j = 0; j < n; j++)
                sum += row[j];
        }
        rowsum[a] = sum;
    }
    return rowsum[a] > 0.0 ? simdepth_matrix_get(confusion, a, b) / rowsum[a] : 0.0;
}

simdepth_status simdepth_edges_annotate(const simdepth_forest *f,
                                        const simdepth_taxonomy *t,
                                        const size_t *nodes,
                                        simdepth_lcs_rule rule,
                                        const simdepth_matrix *confusion,
                                        simdepth_edge_info **out,
                                        simdepth_error *err)
{
    simdepth_edge_info *e;
    double *rowsum = NULL;
    size_t k;
    simdepth_status st;

    e = simdepth_i_calloc(f->n_edges, sizeof *e);
    if (e == NULL)
        return simdepth_i_enomem(err, "edge annotations");
    if (confusion != NULL) {
        size_t n = simdepth_matrix_rows(confusion);

        rowsum = simdepth_i_malloc_array(n > 0 ? n : 1, sizeof *rowsum);
        if (rowsum == NULL) {
            free(e);
            return simdepth_i_enomem(err, "edge annotations");
        }
        for (k = 0; k < n; k++)
            rowsum[k] = NAN;
    }
    for (k = 0; k < f->n_edges; k++) {
        simdepth_lcs lcs;

        e[k].edge = f->edges[k];
        e[k].error_ab = e[k].error_ba = NAN;
        if (t != NULL) {
            st = simdepth_taxonomy_lcs(t, nodes[e[k].edge.a], nodes[e[k].edge.b],
                                       rule, &lcs, err);
            if (st != SIMDEPTH_OK) {
                free(rowsum);
                free(e);
                return st;
            }
            e[k].lcs = lcs.lcs;
            e[k].lcs_depth = lcs.depth;
            e[k].wup = lcs.wup;
        } else {
            e[k].lcs = SIZE_MAX;
            e[k].lcs_depth = 0;
            e[k].wup = NAN;
        }
        if (confusion != NULL) {
            e[k].error_ab = cached_rate(confusion, rowsum, e[k].edge.a, e[k].edge.b);
            e[k].error_ba = cached_rate(confusion, rowsum, e[k].edge.b, e[k].edge.a);
        }
    }
    free(rowsum);
    *out = e;
    return SIMDEPTH_OK;
}

double simdepth_similarity_depth(const simdepth_edge_info *edges, size_t n)
{
    double sum = 0.0;
    size_t k;

    if (n == 0)
        return NAN;
    for (k = 0; k < n; k++)
        sum += edges[k].lcs_depth;
    return sum / (double)n;
}

double simdepth_mean_wup(const simdepth_edge_info *edges, size_t n)
{
    double sum = 0.0;
    size_t k;

    if (n == 0)
        return NAN;
    for (k = 0; k < n; k++)
        sum += edges[k].wup;
    return sum / (double)n;
}

typedef struct pair {
    size_t a, b;
} pair;

static int cmp_pair(const void *x, const void *y)
{
    const pair *p = x, *q = y;

    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

/* Count edges of @f whose ends share a label in @p and are both covered
 * (touch an edge) in @cover. */
static size_t count_inside(const simdepth_forest *f, const simdepth_partition *p,
                           const unsigned char *cover)
{
    size_t k, c = 0;

    for (k = 0; k < f->n_edges; k++) {
        size_t a = f->edges[k].a, b = f->edges[k].b;
        c += cover[a] && cover[b] && p->labels[a] == p->labels[b];
    }
    return c;
}

simdepth_status simdepth_compliance_compute(const simdepth_forest *perceived,
                                            const simdepth_partition *pp,
                                            const simdepth_forest *functional,
                                            const simdepth_partition *pf,
                                            simdepth_compliance *out,
                                            simdepth_error *err)
{
    size_t n = pp->n, k, i, j, common = 0;
    pair *pn = NULL, *pfe = NULL;
    unsigned char *cover_n = NULL, *cover_f = NULL;
    simdepth_compliance c;
    simdepth_status st = SIMDEPTH_OK;

    if (pf->n != n || perceived->n_nodes != n || functional->n_nodes != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "perceived and confusion graphs have different class counts");
    pn = simdepth_i_malloc_array(perceived->n_edges, sizeof *pn);
    pfe = simdepth_i_malloc_array(functional->n_edges, sizeof *pfe);
    cover_n = simdepth_i_calloc(n, 1);
    cover_f = simdepth_i_calloc(n, 1);
    if (pn == NULL || pfe == NULL || cover_n == NULL || cover_f == NULL) {
        st = simdepth_i_enomem(err, "compliance");
        goto out;
    }
    for (k = 0; k < perceived->n_edges; k++) {
        pn[k].a = perceived->edges[k].a;
        pn[k].b = perceived->edges[k].b;
        cover_n[pn[k].a] = cover_n[pn[k].b] = 1;
    }
    for (k = 0; k < functional->n_edges; k++) {
        pfe[k].a = functional->edges[k].a;
        pfe[k].b = functional->edges[k].b;
        cover_f[pfe[k].a] = cover_f[pfe[k].b] = 1;
    }
    qsort(pn, perceived->n_edges, sizeof *pn, cmp_pair);
    qsort(pfe, functional->n_edges, sizeof *pfe, cmp_pair);
    for (i = 0, j = 0; i < perceived->n_edges && j < functional->n_edges;) {
        int cm = cmp_pair(&pn[i], &pfe[j]);
        if (cm == 0) {
            common++;
            i++;
            j++;
        } else if (cm < 0)
            i++;
        else
            j++;
    }
    memset(&c, 0, sizeof c);
    c.perceived_edges = perceived->n_edges;
    c.confusion_edges = functional->n_edges;
    c.common_edges = common;
    c.extended_perceived_matched = count_inside(perceived, pf, cover_f);
    c.extended_confusion_matched = count_inside(functional, pp, cover_n);
    c.direct_perceived_in_confusion =
        c.perceived_edges ? (double)common / (double)c.perceived_edges : NAN;
    c.direct_confusion_explained =
        c.confusion_edges ? (double)common / (double)c.confusion_edges : NAN;
    c.extended_perceived_in_confusion =
        c.perceived_edges ? (double)c.extended_perceived_matched / (double)c.perceived_edges : NAN;
    c.extended_confusion_explained =
        c.confusion_edges ? (double)c.extended_confusion_matched / (double)c.confusion_edges : NAN;
    *out = c;
out:
    free(pn);
    free(pfe);
    free(cover_n);
    free(cover_f);
    return st;
}

simdepth_status simdepth_nearest_neighbour_depth(const simdepth_matrix *s,
                                                 const simdepth_taxonomy *t,
                                                 const size_t *nodes,
                                                 simdepth_lcs_rule rule, double *out,
                                                 simdepth_error *err)
{
    size_t i, j, n = simdepth_matrix_rows(s);
    double sum = 0.0;
    simdepth_lcs l;
    simdepth_status st;

    if (n < 2) {
        *out = NAN;
        return SIMDEPTH_OK;
    }
    for (i = 0; i < n; i++) {
        size_t best = i == 0 ? 1 : 0;
        for (j = 0; j < n; j++)
            if (j != i && simdepth_matrix_get(s, i, j) > simdepth_matrix_get(s, i, best))
                best = j;
        st = simdepth_taxonomy_lcs(t, nodes[i], nodes[best], rule, &l, err);
        if (st != SIMDEPTH_OK)
            return st;
        sum += l.depth;
    }
    *out = sum / (double)n;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_taxonomy_wup_matrix(const simdepth_taxonomy *t, const size_t *nodes,
                                             size_t n, simdepth_lcs_rule rule,
                                             simdepth_matrix **out, double *mean_depth,
                                             simdepth_error *err)
{
    simdepth_matrix *m = NULL;
    simdepth_status st;
    size_t i, j;
    double *d, depth_sum = 0.0;
    simdepth_lcs l;

    st = simdepth_matrix_new(n, n, SIMDEPTH_F64, &m, err);
    if (st != SIMDEPTH_OK)
        return st;
    d = simdepth_matrix_data(m);
    for (i = 0; i < n; i++) {
        d[i * n + i] = 1.0;
        for (j = i + 1; j < n; j++) {
            st = simdepth_taxonomy_lcs(t, nodes[i], nodes[j], rule, &l, err);
            if (st != SIMDEPTH_OK) {
                simdepth_matrix_free(m);
                return st;
            }
            d[i * n + j] = d[j * n + i] = l.wup;
            depth_sum += l.depth;
        }
    }
    if (mean_depth != NULL)
        *mean_depth = n < 2 ? NAN : depth_sum / ((double)n * (double)(n - 1) / 2.0);
    *out = m;
    return SIMDEPTH_OK;
}

void simdepth_severity_clear(simdepth_severity *s)
{
    if (s == NULL)
        return;
    free(s->class_height);
    free(s->class_depth);
    memset(s, 0, sizeof *s);
}

simdepth_status simdepth_severity_compute(const simdepth_matrix *confusion,
                                          const simdepth_taxonomy *t, const size_t *nodes,
                                          simdepth_lcs_rule rule, const simdepth_partition *p,
                                          simdepth_severity *out, simdepth_error *err)
{
    size_t i, j, n = simdepth_matrix_rows(confusion);
    simdepth_severity s;
    double wh = 0.0, wd = 0.0, same = 0.0;
    simdepth_lcs l;
    simdepth_status st;

    memset(&s, 0, sizeof s);
    s.n = n;
    s.class_height = simdepth_i_malloc_array(n, sizeof *s.class_height);
    s.class_depth = simdepth_i_malloc_array(n, sizeof *s.class_depth);
    if (s.class_height == NULL || s.class_depth == NULL) {
        simdepth_severity_clear(&s);
        return simdepth_i_enomem(err, "mistake severity");
    }
    for (i = 0; i < n; i++) {
        double rw = 0.0, rh = 0.0, rd = 0.0;
        for (j = 0; j < n; j++) {
            double w = simdepth_matrix_get(confusion, i, j);
            if (j == i || !(w > 0.0))
                continue;
            st = simdepth_taxonomy_lcs(t, nodes[i], nodes[j], rule, &l, err);
            if (st != SIMDEPTH_OK) {
                simdepth_severity_clear(&s);
                return st;
            }
            rw += w;
            rh += w * l.len_a;
            rd += w * l.depth;
            if (p != NULL && p->labels[i] == p->labels[j])
                same += w;
        }
        s.class_height[i] = rw > 0.0 ? rh / rw : NAN;
        s.class_depth[i] = rw > 0.0 ? rd / rw : NAN;
        s.total += rw;
        wh += rh;
        wd += rd;
    }
    s.mean_height = s.total > 0.0 ? wh / s.total : NAN;
    s.mean_depth = s.total > 0.0 ? wd / s.total : NAN;
    s.same_cluster_share = s.total > 0.0 && p != NULL ? same / s.total : NAN;
    *out = s;
    return SIMDEPTH_OK;
}
