/* simdepth — affinity propagation on a precomputed similarity matrix. */
#ifndef SIMDEPTH_AFFINITY_H
#define SIMDEPTH_AFFINITY_H

#include "simdepth/error.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A report of progress from a long computation: @p stage names what runs
 *  (a static string such as "affinity propagation (perceived)"),
 *  @p fraction lies in [0, 1]: 0 when the stage starts, 1 when it ends, and
 *  values in between as it advances (not every stage reports them; an
 *  iterative stage that stops early jumps to 1). Called synchronously in
 *  the calling thread; it must not call back into the running function.
 *  @since 0.2 */
typedef void (*simdepth_progress_fn)(void *user, const char *stage,
                                     double fraction);

/** Precision of the affinity propagation messages. @since 0.2 */
typedef enum simdepth_ap_precision {
    /** float64 messages: scikit-learn's arithmetic to the last bit */
    SIMDEPTH_AP_DOUBLE = 0,
    /** float32 messages and a float32 similarity read in place: half the
     *  memory and bandwidth; the same updates rounded to float32, so near
     *  ties may resolve differently from scikit-learn */
    SIMDEPTH_AP_SINGLE = 1,
    /** SINGLE from SIMDEPTH_AP_SINGLE_FROM items on, else DOUBLE (default) */
    SIMDEPTH_AP_AUTO = 2
} simdepth_ap_precision;

/** Item count from which SIMDEPTH_AP_AUTO uses float32 messages: the size
 *  where float64 messages and a float64 copy of a float32 input would take
 *  1.2 GB. @since 0.2 */
#define SIMDEPTH_AP_SINGLE_FROM 8192

/** How affinity propagation stores its messages; every choice gives the
 *  same result. @since 0.2 */
typedef enum simdepth_ap_storage {
    /** SPARSE when at least three quarters of the off-diagonal
     *  similarities are zero (a confusion graph), else DENSE (default) */
    SIMDEPTH_AP_STORAGE_AUTO = 0,
    /** two n x n message matrices, O(n^2) per iteration */
    SIMDEPTH_AP_STORAGE_DENSE = 1,
    /** per row, only the messages of its nonzero similarities, its
     *  diagonal and the columns that were once its best; the rest share one
     *  value per row and per column: O(n + nonzeros) per iteration. Falls
     *  back to DENSE, from the iteration it happens, if a row's shared
     *  responsibility turns positive. */
    SIMDEPTH_AP_STORAGE_SPARSE = 2
} simdepth_ap_storage;

/** Options; simdepth_ap_options_init() sets scikit-learn's defaults.
 *  @since 0.1 */
typedef struct simdepth_ap_options {
    int use_preference;    /**< 0: preference = median of all n*n entries */
    double preference;     /**< used when use_preference is 1 */
    double damping;        /**< 0.5; must lie in [0.5, 1) */
    int max_iter;          /**< 200 */
    int convergence_iter;  /**< 15 */
    simdepth_ap_precision precision; /**< SIMDEPTH_AP_AUTO (@since 0.2) */
    int threads;                     /**< 0 (default): one per online CPU,
                                          at most 8 and one per 256 items;
                                          1: none; any count gives the same
                                          result (@since 0.2) */
    simdepth_ap_storage storage;     /**< SIMDEPTH_AP_STORAGE_AUTO
                                          (@since 0.2) */
    simdepth_progress_fn progress;   /**< NULL, or called once per
                                          iteration (@since 0.2) */
    void *progress_user;             /**< passed to progress (@since 0.2) */
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
 *  float64 unless opt->precision selects float32 (then a float64 @p s is
 *  rounded to float32 once and every message update is done in float32, as
 *  scikit-learn's code would with float32 arrays). When every similarity and preference is equal the run returns
 *  at once (iterations 0, converged 1) with n clusters or one, as
 *  scikit-learn does. When no exemplar emerges every label is -1 (one
 *  cluster, as the reference code counts it), exemplars is NULL and
 *  converged is 0. @p opt may be NULL (defaults).
 *
 *  Memory: two n x n float64 message matrices, plus a float64 copy of @p s
 *  when it is float32 (a float64 @p s is read in place); in single
 *  precision two n x n float32 matrices, plus a float32 copy of a float64
 *  @p s (a float32 @p s is read in place). Time: O(n^2) per iteration.
 *  With sparse storage (opt->storage; automatic when at least three
 *  quarters of the off-diagonal similarities are zero, as in a confusion
 *  graph) nothing n x n is allocated and an iteration costs O(n log n +
 *  nonzeros), unless a row's shared message turns positive, when the
 *  dense matrices are built and the iterations go on dense.
 *  opt->progress, when set, hears "affinity propagation" with the fraction
 *  of max_iter done. The iterations run on opt->threads threads: each
 *  updates its own rows, and the column sums are still added in row order,
 *  so the result does not depend on the thread count.
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
