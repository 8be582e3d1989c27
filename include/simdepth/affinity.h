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
 *  noise is added: the same message updates in the same order with the same
 *  float64 rounding, the same convergence test, the same exemplar
 *  refinement and label assignment (labels numbered by increasing exemplar
 *  index; exemplars[k] is the exemplar of label k).
 *
 *  As in scikit-learn, a float32 matrix keeps float32 for the median, the
 *  preference written on the diagonal and the refinement sums; messages are
 *  float64. When every similarity and preference is equal the run returns
 *  at once (iterations 0, converged 1) with n clusters or one, as
 *  scikit-learn does. When no exemplar emerges every label is -1 (one
 *  cluster, as the reference code counts it), exemplars is NULL and
 *  converged is 0. @p opt may be NULL (defaults).
 *
 *  Memory: two n x n float64 message matrices, plus a float64 copy of @p s
 *  when it is float32 (a float64 @p s is read in place). Time: O(n^2) per
 *  iteration.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (not square, empty, non-finite
 *  values, bad options), SIMDEPTH_ENOMEM. On failure *out is untouched.
 *  @since 0.1 */
simdepth_status simdepth_affinity_propagation(const simdepth_matrix *s,
                                              const simdepth_ap_options *opt,
                                              simdepth_partition **out,
                                              simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
