/* simdepth — Similarity Depth, compliance and per-edge annotations. */
#ifndef SIMDEPTH_METRICS_H
#define SIMDEPTH_METRICS_H

#include <stddef.h>

#include "simdepth/error.h"
#include "simdepth/forest.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"
#include "simdepth/taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A spanning-tree edge with its semantic annotation. @since 0.1 */
typedef struct simdepth_edge_info {
    simdepth_edge edge;  /**< classes a < b, cluster, similarity */
    size_t lcs;          /**< taxonomy node of the LCS */
    int lcs_depth;       /**< max_depth(LCS) + 1 */
    double wup;          /**< Wu-Palmer similarity */
    double error_ab;     /**< share of true class a predicted as b, or NaN */
    double error_ba;     /**< share of true class b predicted as a, or NaN */
} simdepth_edge_info;

/** Annotate every edge of @p f: the LCS of classes a and b (taxonomy nodes
 *  @p nodes[a], @p nodes[b]; a is "one" in the reference code's call) under
 *  @p rule, and, if @p confusion is not NULL, the observed
 *  misclassification rates both ways. *out gets f->n_edges entries (a
 *  malloc'd array, free with free()). On failure *out is untouched.
 *  @since 0.1 */
simdepth_status simdepth_edges_annotate(const simdepth_forest *f,
                                        const simdepth_taxonomy *t,
                                        const size_t *nodes,
                                        simdepth_lcs_rule rule,
                                        const simdepth_matrix *confusion,
                                        simdepth_edge_info **out,
                                        simdepth_error *err);

/** Similarity Depth: the mean LCS depth over @p n edges pooled across
 *  clusters; NaN when n is 0. @since 0.1 */
double simdepth_similarity_depth(const simdepth_edge_info *edges, size_t n);

/** Mean Wu-Palmer similarity over @p n edges; NaN when n is 0. @since 0.1 */
double simdepth_mean_wup(const simdepth_edge_info *edges, size_t n);

/** Compliance between a perceived graph (N) and a confusion graph (F).
 *  @since 0.1 */
typedef struct simdepth_compliance {
    size_t perceived_edges;   /**< |E_N| */
    size_t confusion_edges;   /**< |E_F| */
    size_t common_edges;      /**< |E_N ∩ E_F| (unordered pairs) */
    double direct_perceived_in_confusion;   /**< common / |E_N| */
    double direct_confusion_explained;      /**< common / |E_F| */
    size_t extended_perceived_matched;      /**< N edges inside an F cluster */
    size_t extended_confusion_matched;      /**< F edges inside an N cluster */
    double extended_perceived_in_confusion; /**< matched / |E_N| */
    double extended_confusion_explained;    /**< matched / |E_F| */
} simdepth_compliance;

/** Direct and extended compliance. An edge of one graph is "inside a
 *  cluster" of the other when both its classes carry the same label there
 *  and both touch at least one tree edge of that graph (the reference code
 *  builds each cluster's class set from its tree edges, so a class without
 *  edges belongs to no cluster). Ratios are NaN when a graph has no edges.
 *  O(|E_N| + |E_F| + n) time. @since 0.1 */
simdepth_status simdepth_compliance_compute(const simdepth_forest *perceived,
                                            const simdepth_partition *pp,
                                            const simdepth_forest *functional,
                                            const simdepth_partition *pf,
                                            simdepth_compliance *out,
                                            simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
