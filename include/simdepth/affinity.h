/* simdepth — affinity propagation on a precomputed similarity matrix. */
#ifndef SIMDEPTH_AFFINITY_H
#define SIMDEPTH_AFFINITY_H

#include "simdepth/error.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options; simdepth_ap_options_init() sets scikit-learn's defaults.
 *  @since 0.1 */
typedef struct simdepth_ap_options {
    int use_preference;    /**< 0: preference = median of all n*n entries */
    double preference;     /**< used when use_preference is 1 */
    double damping;        /**< 0.5; must lie in [0.5, 1) */
    int max_iter;          /**< 200 */
    int convergence_iter;  /**< 15 */
} simdepth_ap_options;

/** Fill @p opt with the defaults of scikit-learn's
 *  AffinityPropagation(affinity="precomputed"). @since 0.1 */
void simdepth_ap_options_init(simdepth_ap_options *opt);

/** Affinity propagation (Frey & Dueck 2007) on the square similarity matrix
 *  @p s, behaving as scikit-learn's AffinityPropagation(affinity=
 *  "precomputed") with the same options except that no random "degeneracy"
 *  noise is added: the same message updates in the same order, the same
 *  convergence test, the same exemplar refinement and label assignment
 *  (labels numbered by exemplar index). When no exemplar emerges every label
 *  is -1 (one cluster, as the reference code counts it).
 *  The partition records iterations and convergence. @p opt may be NULL.
 *  Works in double precision: O(n^2) memory (three n x n doubles) and
 *  O(n^2) time per iteration.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (not square, empty, bad options),
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_affinity_propagation(const simdepth_matrix *s,
                                              const simdepth_ap_options *opt,
                                              simdepth_partition **out,
                                              simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
