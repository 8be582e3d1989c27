/* simdepth — the paper's pipeline, end to end. */
#ifndef SIMDEPTH_ANALYSIS_H
#define SIMDEPTH_ANALYSIS_H

#include <stddef.h>

#include "simdepth/affinity.h"
#include "simdepth/error.h"
#include "simdepth/forest.h"
#include "simdepth/matrix.h"
#include "simdepth/metrics.h"
#include "simdepth/partition.h"
#include "simdepth/taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** How a perceived similarity matrix is scaled. @since 0.1 */
typedef enum simdepth_scaling {
    SIMDEPTH_SCALING_MINMAX = 0, /**< the paper: min-max, diagonal := 1 */
    SIMDEPTH_SCALING_NONE = 1    /**< used as given (diagonal := 1) */
} simdepth_scaling;

/** Options of simdepth_analysis_run(). @since 0.1 */
typedef struct simdepth_analysis_options {
    simdepth_scaling scaling;
    simdepth_lcs_rule lcs_rule;
    simdepth_ap_options ap;
} simdepth_analysis_options;

/** Defaults: min-max scaling, the reference LCS rule, scikit-learn's
 *  affinity propagation defaults. @since 0.1 */
void simdepth_analysis_options_init(simdepth_analysis_options *opt);

/** One similarity graph: its partition, spanning forest and metrics.
 *  @since 0.1 */
typedef struct simdepth_graph_result {
    simdepth_partition *partition;
    simdepth_forest *forest;
    simdepth_edge_info *edges;  /**< forest->n_edges annotated edges */
    double similarity_depth;    /**< NaN without edges */
    double mean_wup;            /**< NaN without edges */
} simdepth_graph_result;

/** Result of simdepth_analysis_run(). @since 0.1 */
typedef struct simdepth_analysis {
    size_t n_classes;
    simdepth_graph_result perceived;
    int has_confusion;
    simdepth_graph_result confusion;    /**< valid if has_confusion */
    simdepth_compliance compliance;     /**< valid if has_confusion */
} simdepth_analysis;

/** Run the pipeline: scale @p similarity in place (per @p opt; the caller's
 *  matrix is modified), partition it by affinity propagation, build the
 *  spanning forest, annotate edges with LCS depth and Wu-Palmer on @p t
 *  (class i is taxonomy node @p nodes[i]) and, when @p confusion is not
 *  NULL, with misclassification rates; then do the same for the confusion
 *  graph (functional similarity) and compute compliance. @p t may be NULL:
 *  then no semantic metrics are computed (SD and WUP are NaN).
 *  Values must be finite (checked). O(n^2) memory beyond the inputs.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (shapes), SIMDEPTH_ENOMEM, or the
 *  status of a failing stage. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_analysis_run(simdepth_matrix *similarity,
                                      const simdepth_matrix *confusion,
                                      const simdepth_taxonomy *t,
                                      const size_t *nodes,
                                      const simdepth_analysis_options *opt,
                                      simdepth_analysis **out,
                                      simdepth_error *err);

/** Release @p a. Accepts NULL. @since 0.1 */
void simdepth_analysis_free(simdepth_analysis *a);

#ifdef __cplusplus
}
#endif
#endif
