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

/** Reference points for an SD value, from the taxonomy alone and from the
 *  model's nearest neighbours. @since 0.1 */
typedef struct simdepth_baselines {
    double all_pairs_depth;         /**< mean LCS depth over all class pairs
                                         (what a random tree would score) */
    double nearest_neighbour_depth; /**< mean LCS depth of each class and its
                                         most similar other class */
    double taxonomy_sd;             /**< SD of the taxonomy's own Wu-Palmer
                                         similarity under the same pipeline */
    double taxonomy_mean_wup;
    size_t taxonomy_clusters;
} simdepth_baselines;

/** Mean LCS depth of every class i and its nearest neighbour: the j != i of
 *  largest similarity s[i][j], the smaller index on ties. NaN for n < 2.
 *  @since 0.1 */
simdepth_status simdepth_nearest_neighbour_depth(const simdepth_matrix *s,
                                                 const simdepth_taxonomy *t,
                                                 const size_t *nodes,
                                                 simdepth_lcs_rule rule, double *out,
                                                 simdepth_error *err);

/** The taxonomy's own similarity of the classes: Wu-Palmer of every pair
 *  (class i is "one" for i < j; mirrored), diagonal 1. *out is a new n x n
 *  float64 matrix. If @p mean_depth is not NULL it receives, from the same
 *  LCS computations, the mean LCS depth over all n (n - 1) / 2 pairs (NaN
 *  for n < 2): the chance level of SD. O(n^2) LCS computations.
 *  @since 0.1 */
simdepth_status simdepth_taxonomy_wup_matrix(const simdepth_taxonomy *t, const size_t *nodes,
                                             size_t n, simdepth_lcs_rule rule,
                                             simdepth_matrix **out, double *mean_depth,
                                             simdepth_error *err);

/** How bad the model's mistakes are, as hierarchical-classification papers
 *  report it. Every off-diagonal confusion entry (true i, predicted j) is a
 *  mistake weighted by its value (counts, or rates when the rows hold
 *  rates). Its LCA is the LCS of i and j under the rule; its depth is the
 *  LCS depth (max_depth + 1) and its height the number of hypernym links
 *  from the true class i up to the LCA. @since 0.1 */
typedef struct simdepth_severity {
    size_t n;                  /**< classes */
    double total;              /**< sum of mistake weights */
    double mean_height;        /**< weighted mean LCA height; NaN without mistakes */
    double mean_depth;         /**< weighted mean LCA depth */
    double same_cluster_share; /**< weight of mistakes inside one perceived cluster */
    double *class_height;      /**< n: per true class (NaN without mistakes) */
    double *class_depth;       /**< n */
} simdepth_severity;

/** Compute @p out (its arrays are malloc'd; release with
 *  simdepth_severity_clear()). @p p (may be NULL) is the partition whose
 *  clusters count as "the same cluster". O(n^2) LCS computations.
 *  @since 0.1 */
simdepth_status simdepth_severity_compute(const simdepth_matrix *confusion,
                                          const simdepth_taxonomy *t, const size_t *nodes,
                                          simdepth_lcs_rule rule, const simdepth_partition *p,
                                          simdepth_severity *out, simdepth_error *err);

/** Free the arrays of @p s and zero it. Accepts NULL. @since 0.1 */
void simdepth_severity_clear(simdepth_severity *s);

#ifdef __cplusplus
}
#endif
#endif
