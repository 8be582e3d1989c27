/* simdepth — the paper's pipeline, end to end. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "simdepth/analysis.h"
#include "simdepth/similarity.h"
#include "internal.h"

void simdepth_analysis_options_init(simdepth_analysis_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->scaling = SIMDEPTH_SCALING_MINMAX;
    opt->lcs_rule = SIMDEPTH_LCS_REFERENCE;
    simdepth_ap_options_init(&opt->ap);
    opt->cluster = SIMDEPTH_CLUSTER_AFFINITY;
    opt->seed = 0;
    opt->resolution = 1.0;
    opt->cut_k = 0;
    opt->linkage = SIMDEPTH_LINKAGE_AVERAGE;
    opt->noise = SIMDEPTH_NOISE_CLUSTER;
    opt->baselines = 1;
}

const char *simdepth_cluster_method_name(simdepth_cluster_method m)
{
    switch (m) {
    case SIMDEPTH_CLUSTER_AFFINITY: return "affinity";
    case SIMDEPTH_CLUSTER_LOUVAIN: return "louvain";
    case SIMDEPTH_CLUSTER_LEIDEN: return "leiden";
    case SIMDEPTH_CLUSTER_OPTICS: return "optics";
    case SIMDEPTH_CLUSTER_HDBSCAN: return "hdbscan";
    case SIMDEPTH_CLUSTER_CUT: return "cut";
    case SIMDEPTH_CLUSTER_NONE: return "none";
    }
    return "?";
}

/* A cut of the dendrogram of 1 - S into opt->cut_k clusters. */
static simdepth_status partition_cut(const simdepth_matrix *s,
                                     const simdepth_analysis_options *opt,
                                     simdepth_partition **out, simdepth_error *err)
{
    simdepth_matrix *z = NULL;
    simdepth_status st;
    size_t n = simdepth_matrix_rows(s);

    if (opt->cut_k < 1 || opt->cut_k > n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "a cut into %zu clusters of %zu classes; expected 1 to %zu",
                                    opt->cut_k, n, n);
    if (n == 1)
        return simdepth_partition_new(1, "cut", out, err);
    st = simdepth_linkage_from_similarity(s, opt->linkage, SIMDEPTH_DISTANCE_ONE_MINUS,
                                          SIMDEPTH_F64, &z, err);
    if (st == SIMDEPTH_OK)
        st = simdepth_linkage_fcluster_maxclust(z, opt->cut_k, out, err);
    if (st == SIMDEPTH_OK)
        snprintf((*out)->method, sizeof (*out)->method, "cut");
    simdepth_matrix_free(z);
    return st;
}

/* Which graph a stage works on; names its progress reports. */
typedef enum graph_kind { GRAPH_PERCEIVED, GRAPH_CONFUSION, GRAPH_TAXONOMY } graph_kind;

static const char *const partition_stage[3] = {
    "partition (perceived)", "partition (confusion)", "partition (taxonomy baseline)"};
static const char *const forest_stage[3] = {
    "spanning forest (perceived)", "spanning forest (confusion)",
    "spanning forest (taxonomy baseline)"};
static const char *const annotate_stage[3] = {
    "LCS annotation (perceived)", "LCS annotation (confusion)",
    "LCS annotation (taxonomy baseline)"};

static void progress(const simdepth_analysis_options *opt, const char *stage, double fraction)
{
    if (opt->progress != NULL)
        opt->progress(opt->progress_user, stage, fraction);
}

/* Affinity propagation's per-iteration reports, renamed after the graph. */
typedef struct stage_relay {
    const simdepth_analysis_options *opt;
    const char *stage;
} stage_relay;

static void relay(void *user, const char *stage, double fraction)
{
    const stage_relay *r = user;

    (void)stage;
    progress(r->opt, r->stage, fraction);
}

static simdepth_status partition_of(const simdepth_matrix *s,
                                    const simdepth_analysis_options *opt,
                                    graph_kind kind, simdepth_i_ap_work *work,
                                    simdepth_partition **out, simdepth_error *err)
{
    simdepth_optics_options oo;
    simdepth_hdbscan_options ho;
    simdepth_ap_options ap;
    stage_relay r;
    simdepth_status st;

    switch (opt->cluster) {
    case SIMDEPTH_CLUSTER_AFFINITY:
        ap = opt->ap;
        if (opt->progress != NULL) {
            r.opt = opt;
            r.stage = partition_stage[kind];
            ap.progress = relay;
            ap.progress_user = &r;
        }
        return simdepth_i_affinity_propagation(s, &ap, work, out, err);
    case SIMDEPTH_CLUSTER_LOUVAIN:
        return simdepth_louvain(s, opt->resolution, opt->seed, out, err);
    case SIMDEPTH_CLUSTER_LEIDEN:
        return simdepth_leiden(s, opt->resolution, opt->seed, out, err);
    case SIMDEPTH_CLUSTER_OPTICS:
        simdepth_optics_options_init(&oo);
        oo.noise = opt->noise;
        return simdepth_optics(s, &oo, out, err);
    case SIMDEPTH_CLUSTER_HDBSCAN:
        simdepth_hdbscan_options_init(&ho);
        ho.noise = opt->noise;
        return simdepth_hdbscan(s, &ho, out, err);
    case SIMDEPTH_CLUSTER_CUT:
        return partition_cut(s, opt, out, err);
    case SIMDEPTH_CLUSTER_NONE:
        st = simdepth_partition_new(simdepth_matrix_rows(s), "none", out, err);
        if (st == SIMDEPTH_OK)
            (*out)->converged = 1;
        return st;
    }
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                "unknown clustering method %d", (int)opt->cluster);
}

simdepth_status simdepth_analysis_partition(const simdepth_matrix *s,
                                            const simdepth_analysis_options *opt,
                                            simdepth_partition **out,
                                            simdepth_error *err)
{
    simdepth_i_ap_work work;
    simdepth_status st;

    memset(&work, 0, sizeof work);
    st = partition_of(s, opt, GRAPH_PERCEIVED, &work, out, err);
    simdepth_i_ap_work_free(&work);
    return st;
}

static void graph_result_clear(simdepth_graph_result *g)
{
    simdepth_partition_free(g->partition);
    simdepth_forest_free(g->forest);
    free(g->edges);
    memset(g, 0, sizeof *g);
}

void simdepth_analysis_free(simdepth_analysis *a)
{
    if (a == NULL)
        return;
    graph_result_clear(&a->perceived);
    graph_result_clear(&a->confusion);
    simdepth_severity_clear(&a->severity);
    free(a);
}

/* The taxonomy of a run: given, or asked of opt->taxonomy_source when
 * first needed. */
typedef struct tax_ref {
    const simdepth_taxonomy *t;
    const size_t *nodes;
    const simdepth_analysis_options *opt;
    int pending; /* taxonomy_source not asked yet */
} tax_ref;

static simdepth_status tax_get(tax_ref *x, simdepth_error *err)
{
    simdepth_status st;

    if (!x->pending)
        return SIMDEPTH_OK;
    x->pending = 0;
    st = x->opt->taxonomy_source(x->opt->taxonomy_user, &x->t, &x->nodes, err);
    if (st == SIMDEPTH_OK && (x->t == NULL || x->nodes == NULL))
        st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                  "the taxonomy source gave no taxonomy");
    return st;
}

/* Whether the run has (or will have) a taxonomy. */
static int tax_known(const tax_ref *x)
{
    return x->t != NULL || x->pending;
}

/* Partition and spanning forest of one similarity graph. */
static simdepth_status graph_build(const simdepth_matrix *s,
                                   const simdepth_analysis_options *opt,
                                   graph_kind kind, simdepth_i_ap_work *work,
                                   simdepth_graph_result *g, simdepth_error *err)
{
    simdepth_status st;

    progress(opt, partition_stage[kind], 0.0);
    st = partition_of(s, opt, kind, work, &g->partition, err);
    if (st != SIMDEPTH_OK)
        return st;
    progress(opt, partition_stage[kind], 1.0);
    progress(opt, forest_stage[kind], 0.0);
    st = simdepth_forest_build(s, g->partition, &g->forest, err);
    if (st != SIMDEPTH_OK)
        return st;
    progress(opt, forest_stage[kind], 1.0);
    return SIMDEPTH_OK;
}

/* Annotations and metrics of a built graph. */
static simdepth_status graph_annotate(tax_ref *tx, const simdepth_analysis_options *opt,
                                      const simdepth_matrix *confusion, graph_kind kind,
                                      simdepth_graph_result *g, simdepth_error *err)
{
    simdepth_status st = tax_get(tx, err);

    if (st != SIMDEPTH_OK)
        return st;
    progress(opt, annotate_stage[kind], 0.0);
    st = simdepth_edges_annotate(g->forest, tx->t, tx->nodes, opt->lcs_rule, confusion,
                                 &g->edges, err);
    if (st != SIMDEPTH_OK)
        return st;
    progress(opt, annotate_stage[kind], 1.0);
    if (tx->t != NULL) {
        g->similarity_depth = simdepth_similarity_depth(g->edges, g->forest->n_edges);
        g->mean_wup = simdepth_mean_wup(g->edges, g->forest->n_edges);
    } else {
        g->similarity_depth = g->mean_wup = NAN;
    }
    return SIMDEPTH_OK;
}

/* Partition, forest and annotations of one similarity graph. */
static simdepth_status analyse_graph(const simdepth_matrix *s, tax_ref *tx,
                                     const simdepth_analysis_options *opt,
                                     const simdepth_matrix *confusion,
                                     graph_kind kind, simdepth_i_ap_work *work,
                                     simdepth_graph_result *g,
                                     simdepth_error *err)
{
    simdepth_status st = graph_build(s, opt, kind, work, g, err);

    if (st != SIMDEPTH_OK)
        return st;
    return graph_annotate(tx, opt, confusion, kind, g, err);
}

/* The reference points of an SD value (see simdepth_baselines). The
 * taxonomy's own Wu-Palmer similarity goes through the paper's scaling
 * (min-max, diagonal 1, as the reference code treats its WordNet matrices,
 * without their noise) and the same partition method. */
static simdepth_status compute_baselines(const simdepth_matrix *s, tax_ref *tx,
                                         const simdepth_analysis_options *opt,
                                         simdepth_i_ap_work *work,
                                         simdepth_baselines *b, simdepth_error *err)
{
    size_t n = simdepth_matrix_rows(s);
    simdepth_matrix *w = NULL;
    simdepth_graph_result g;
    simdepth_status st;

    const simdepth_taxonomy *t = tx->t;
    const size_t *nodes = tx->nodes;

    memset(&g, 0, sizeof g);
    b->taxonomy_sd = b->taxonomy_mean_wup = NAN;
    b->taxonomy_clusters = 0;
    b->all_pairs_depth = NAN;
    /* One pass over all pairs gives both the chance level and the
     * taxonomy's own similarity. */
    progress(opt, "Wu-Palmer matrix (taxonomy baseline)", 0.0);
    st = simdepth_taxonomy_wup_matrix(t, nodes, n, opt->lcs_rule, &w, &b->all_pairs_depth, err);
    if (st == SIMDEPTH_OK) {
        progress(opt, "Wu-Palmer matrix (taxonomy baseline)", 1.0);
        progress(opt, "nearest neighbour depth", 0.0);
        st = simdepth_nearest_neighbour_depth(s, t, nodes, opt->lcs_rule,
                                              &b->nearest_neighbour_depth, err);
    }
    if (st == SIMDEPTH_OK && n >= 2) {
        progress(opt, "nearest neighbour depth", 1.0);
        /* A taxonomy in which all classes are equally similar has no
         * range to scale: its own SD is then undefined, not an error. */
        if (simdepth_similarity_minmax(w, NULL) == SIMDEPTH_OK) {
            st = analyse_graph(w, tx, opt, NULL, GRAPH_TAXONOMY, work, &g, err);
            if (st == SIMDEPTH_OK) {
                b->taxonomy_sd = g.similarity_depth;
                b->taxonomy_mean_wup = g.mean_wup;
                b->taxonomy_clusters = g.partition->n_clusters;
            }
        }
    }
    graph_result_clear(&g);
    simdepth_matrix_free(w);
    return st;
}

simdepth_status simdepth_analysis_run(simdepth_matrix *similarity,
                                      const simdepth_matrix *confusion,
                                      const simdepth_taxonomy *t,
                                      const size_t *nodes,
                                      const simdepth_analysis_options *opt,
                                      simdepth_analysis **out,
                                      simdepth_error *err)
{
    simdepth_analysis_options defaults;
    simdepth_analysis *a = NULL;
    simdepth_matrix *functional = NULL;
    simdepth_i_ap_work work;
    size_t n = simdepth_matrix_rows(similarity);
    simdepth_status st;
    const simdepth_matrix *fs = NULL;
    tax_ref tx;
    int annotated = 0;

    if (opt == NULL) {
        simdepth_analysis_options_init(&defaults);
        opt = &defaults;
    }
    tx.t = t;
    tx.nodes = nodes;
    tx.opt = opt;
    tx.pending = t == NULL && opt->taxonomy_source != NULL;
    if (n == 0 || simdepth_matrix_cols(similarity) != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "similarity matrix is %zu x %zu; expected a square matrix",
                                    n, simdepth_matrix_cols(similarity));
    if (confusion != NULL && (simdepth_matrix_rows(confusion) != n ||
                              simdepth_matrix_cols(confusion) != n))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "confusion matrix is %zu x %zu; expected %zu x %zu like the similarity",
                                    simdepth_matrix_rows(confusion),
                                    simdepth_matrix_cols(confusion), n, n);
    st = simdepth_matrix_check_finite(similarity, NULL, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (confusion != NULL) {
        st = simdepth_matrix_check_finite(confusion, NULL, err);
        if (st != SIMDEPTH_OK)
            return st;
    }
    memset(&work, 0, sizeof work);
    a = simdepth_i_calloc(1, sizeof *a);
    if (a == NULL)
        return simdepth_i_enomem(err, "an analysis");
    a->n_classes = n;
    progress(opt, "scaling", 0.0);
    if (opt->scaling == SIMDEPTH_SCALING_MINMAX) {
        st = simdepth_similarity_minmax(similarity, err);
        if (st != SIMDEPTH_OK)
            goto out;
    } else {
        simdepth_similarity_set_diagonal(similarity, 1.0);
    }
    progress(opt, "scaling", 1.0);
    /* The clusterings come before anything that needs the taxonomy, so a
     * taxonomy_source can still be opening it: the perceived graph, then
     * (the baselines need the similarity, which the functional similarity
     * may overwrite) the baselines, then the confusion graph. */
    st = graph_build(similarity, opt, GRAPH_PERCEIVED, &work, &a->perceived, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (tax_known(&tx) && opt->baselines) {
        st = graph_annotate(&tx, opt, confusion, GRAPH_PERCEIVED, &a->perceived, err);
        if (st != SIMDEPTH_OK)
            goto out;
        annotated = 1;
        st = compute_baselines(similarity, &tx, opt, &work, &a->baselines, err);
        if (st != SIMDEPTH_OK)
            goto out;
        a->has_baselines = 1;
    }
    if (confusion != NULL) {
        a->has_confusion = 1;
        progress(opt, "functional similarity", 0.0);
        /* The similarity is no longer needed: with opt->reuse_similarity
         * the functional similarity takes its storage (one n x n matrix
         * fewer at scale). */
        if (opt->reuse_similarity &&
            simdepth_matrix_dtype(similarity) == simdepth_matrix_dtype(confusion)) {
            st = simdepth_i_similarity_functional_into(confusion, similarity, err);
            fs = similarity;
        } else {
            st = simdepth_similarity_functional(confusion, &functional, err);
            fs = functional;
        }
        if (st != SIMDEPTH_OK)
            goto out;
        progress(opt, "functional similarity", 1.0);
        st = graph_build(fs, opt, GRAPH_CONFUSION, &work, &a->confusion, err);
        if (st != SIMDEPTH_OK)
            goto out;
        simdepth_i_ap_work_free(&work);
    }
    if (!annotated) {
        st = graph_annotate(&tx, opt, confusion, GRAPH_PERCEIVED, &a->perceived, err);
        if (st != SIMDEPTH_OK)
            goto out;
    }
    if (confusion != NULL) {
        st = graph_annotate(&tx, opt, confusion, GRAPH_CONFUSION, &a->confusion, err);
        if (st != SIMDEPTH_OK)
            goto out;
        progress(opt, "compliance", 0.0);
        st = simdepth_compliance_compute(a->perceived.forest, a->perceived.partition,
                                         a->confusion.forest, a->confusion.partition,
                                         &a->compliance, err);
        if (st != SIMDEPTH_OK)
            goto out;
        progress(opt, "compliance", 1.0);
        if (tx.t != NULL) {
            progress(opt, "severity", 0.0);
            st = simdepth_severity_compute(confusion, tx.t, tx.nodes, opt->lcs_rule,
                                           a->perceived.partition, &a->severity, err);
            if (st != SIMDEPTH_OK)
                goto out;
            progress(opt, "severity", 1.0);
            a->has_severity = 1;
        }
    }
    *out = a;
    a = NULL;
out:
    simdepth_i_ap_work_free(&work);
    simdepth_matrix_free(functional);
    simdepth_analysis_free(a);
    return st;
}
