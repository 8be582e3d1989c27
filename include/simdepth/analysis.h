/* simdepth — the paper's pipeline, end to end. */
#ifndef SIMDEPTH_ANALYSIS_H
#define SIMDEPTH_ANALYSIS_H

#include <stddef.h>

#include "simdepth/affinity.h"
#include "simdepth/cluster.h"
#include "simdepth/linkage.h"
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

/** How the classes are partitioned before the spanning trees are built.
 *  @since 0.1 */
typedef enum simdepth_cluster_method {
    SIMDEPTH_CLUSTER_AFFINITY = 0, /**< affinity propagation (the paper's default) */
    SIMDEPTH_CLUSTER_LOUVAIN,      /**< Louvain modularity (igraph), seeded */
    SIMDEPTH_CLUSTER_LEIDEN,       /**< Leiden modularity (igraph), seeded */
    SIMDEPTH_CLUSTER_OPTICS,       /**< OPTICS, xi extraction, on 1 - S */
    SIMDEPTH_CLUSTER_HDBSCAN,      /**< HDBSCAN, excess of mass, on 1 - S */
    SIMDEPTH_CLUSTER_CUT,          /**< a dendrogram cut into cut_k clusters */
    SIMDEPTH_CLUSTER_NONE          /**< one cluster: a single spanning tree */
} simdepth_cluster_method;

/** Options of simdepth_analysis_run(). @since 0.1 */
/** Supplies the taxonomy of simdepth_analysis_run() late (see
 *  simdepth_analysis_options.taxonomy_source): sets *t and *nodes (class i
 *  is node (*nodes)[i]; both must outlive the run) and returns
 *  SIMDEPTH_OK, or returns another status with @p err set, which fails the
 *  run. @since 0.2 */
typedef simdepth_status (*simdepth_taxonomy_source)(void *user,
                                                    const simdepth_taxonomy **t,
                                                    const size_t **nodes,
                                                    simdepth_error *err);

typedef struct simdepth_analysis_options {
    simdepth_scaling scaling;
    simdepth_lcs_rule lcs_rule;
    simdepth_cluster_method cluster;
    simdepth_ap_options ap;
    unsigned long seed;              /**< Louvain / Leiden; 0 by default */
    double resolution;               /**< Louvain / Leiden; 1 by default */
    size_t cut_k;                    /**< clusters of a dendrogram cut */
    simdepth_linkage_method linkage; /**< linkage of the cut; average */
    simdepth_noise_mode noise;       /**< OPTICS / HDBSCAN noise handling */
    int baselines;                   /**< 1 (default): compute the baselines */
    /** 0 (default), or 1: simdepth_analysis_run() may overwrite the
     *  similarity matrix once the perceived graph and the baselines are
     *  done; the confusion graph's functional similarity is then built in
     *  its storage when both matrices have one type (an n x n matrix fewer
     *  at scale), and the caller finds it there on return. @since 0.2 */
    int reuse_similarity;
    /** NULL, or told each stage's start (fraction 0), advance and end (1):
     *  "scaling", "partition (perceived)" (affinity propagation reports
     *  each iteration), "spanning forest (perceived)", "LCS annotation
     *  (perceived)", the same for "(taxonomy baseline)" and "(confusion)",
     *  "Wu-Palmer matrix (taxonomy baseline)", "nearest neighbour depth",
     *  "functional similarity", "compliance", "severity". @since 0.2 */
    simdepth_progress_fn progress;
    void *progress_user;             /**< passed to progress @since 0.2 */
    /** NULL, or, when simdepth_analysis_run() is given no taxonomy (t and
     *  nodes NULL), called once from the calling thread when the taxonomy
     *  is first needed: after the perceived graph's partition and spanning
     *  forest, and with the baselines off after the confusion graph's
     *  too. A caller can so open WordNet while the clustering runs.
     *  @since 0.2 */
    simdepth_taxonomy_source taxonomy_source;
    void *taxonomy_user;             /**< passed to taxonomy_source
                                          @since 0.2 */
} simdepth_analysis_options;

/** Name of a method: "affinity", "louvain", "leiden", "optics", "hdbscan",
 *  "cut", "none". @since 0.1 */
const char *simdepth_cluster_method_name(simdepth_cluster_method m);

/** Partition the (already scaled) similarity @p s as @p opt says. On
 *  failure *out is untouched. @since 0.1 */
simdepth_status simdepth_analysis_partition(const simdepth_matrix *s,
                                            const simdepth_analysis_options *opt,
                                            simdepth_partition **out,
                                            simdepth_error *err);

/** Defaults: min-max scaling, the reference LCS rule, affinity
 *  propagation with scikit-learn's defaults; seed 0, resolution 1, average
 *  linkage for cuts, noise as one cluster. @since 0.1 */
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
    int has_baselines;                  /**< with a taxonomy and opt->baselines */
    simdepth_baselines baselines;
    int has_severity;                   /**< with a taxonomy and a confusion matrix */
    simdepth_severity severity;
} simdepth_analysis;

/** Run the pipeline: scale @p similarity in place (per @p opt; the caller's
 *  matrix is modified), partition it (opt->cluster), build the
 *  spanning forest, annotate edges with LCS depth and Wu-Palmer on @p t
 *  (class i is taxonomy node @p nodes[i]) and, when @p confusion is not
 *  NULL, with misclassification rates; then do the same for the confusion
 *  graph (functional similarity) and compute compliance. With a taxonomy,
 *  also the baselines (the taxonomy's own Wu-Palmer similarity through the
 *  same scaling, partition and trees; the mean LCS depth over all pairs
 *  and over nearest neighbours; O(n^2) LCS computations) and, with a
 *  confusion matrix, the severity of the mistakes. @p t may be NULL:
 *  then no semantic metrics are computed (SD and WUP are NaN), unless
 *  opt->taxonomy_source supplies the taxonomy when it is first needed.
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
