/* simdepth — partitions of the classes into clusters. */
#ifndef SIMDEPTH_PARTITION_H
#define SIMDEPTH_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "simdepth/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A partition of n items. Produced by a clustering function, released with
 *  simdepth_partition_free(). Fields are read-only for callers.
 *
 *  labels[i] is item i's cluster. Methods that can leave items unassigned
 *  (affinity propagation that finds no exemplar, density methods' noise)
 *  use -1, and, as the paper's reference code does, -1 then counts as one
 *  more cluster in n_clusters and in every per-cluster computation.
 *  @since 0.1 */
typedef struct simdepth_partition {
    size_t n;            /**< number of items */
    size_t n_clusters;   /**< number of distinct labels (-1 included) */
    int32_t *labels;     /**< n labels, -1 or 0 .. n_clusters-1 */
    int32_t *exemplars;  /**< exemplar methods: exemplars[k] is the class index of
                              label k's exemplar, ascending; else NULL */
    int iterations;      /**< iterations run, or 0 where not applicable */
    int converged;       /**< 1 if the method converged, 0 if not */
    char method[32];     /**< "affinity", "louvain", ... */
} simdepth_partition;

/** Allocate a partition of @p n items with all labels 0 and one cluster.
 *  On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_partition_new(size_t n, const char *method,
                                       simdepth_partition **out,
                                       simdepth_error *err);

/** Recount n_clusters from labels (distinct values, -1 included).
 *  @since 0.1 */
void simdepth_partition_recount(simdepth_partition *p);

/** Release @p p. Accepts NULL. @since 0.1 */
void simdepth_partition_free(simdepth_partition *p);

#ifdef __cplusplus
}
#endif
#endif
