/* simdepth — comparing two models' learned class hierarchies: spanning-tree
 * edges, partitions, dendrograms, nearest neighbours, similarity changes,
 * and the entanglement of a tanglegram.
 *
 * Every function takes the two models' objects over the same n classes in
 * the same order (the caller realigns classes first). All functions are
 * pure: they may run concurrently on different or shared const inputs.
 */
#ifndef SIMDEPTH_COMPARE_H
#define SIMDEPTH_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "simdepth/error.h"
#include "simdepth/forest.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------ edges */

/** Where an edge of a forest diff comes from. @since 0.2 */
typedef enum simdepth_edge_origin {
    SIMDEPTH_EDGE_SHARED = 0, /**< in both forests */
    SIMDEPTH_EDGE_ONLY_A = 1, /**< only in the first */
    SIMDEPTH_EDGE_ONLY_B = 2  /**< only in the second */
} simdepth_edge_origin;

/** One edge of the union of two forests. @since 0.2 */
typedef struct simdepth_diff_edge {
    size_t a;                   /**< smaller class index */
    size_t b;                   /**< larger class index */
    simdepth_edge_origin origin;
    int32_t cluster_a;          /**< cluster in A's forest, -1 if not in A */
    int32_t cluster_b;          /**< cluster in B's forest, -1 if not in B */
    double weight_a;            /**< similarity of the pair in A's matrix */
    double weight_b;            /**< similarity of the pair in B's matrix */
} simdepth_diff_edge;

/** The union of two spanning forests over the same classes. Edges are
 *  ordered by (a, b); @c edges is never NULL, even with no edge.
 *  Read-only for callers. @since 0.2 */
typedef struct simdepth_forest_diff {
    size_t n_nodes;
    size_t n_edges;             /**< n_shared + n_only_a + n_only_b */
    size_t n_shared;
    size_t n_only_a;
    size_t n_only_b;
    simdepth_diff_edge *edges;
} simdepth_forest_diff;

/** Compare the edge sets of forests @p fa and @p fb (an edge is an
 *  unordered class pair; cluster labels are not compared). weight_a and
 *  weight_b are read from the square matrices @p sa and @p sb (entry
 *  [b][a], the lower triangle, as the forests' weights are) for every
 *  edge, whichever forest it comes from. Release *out with
 *  simdepth_forest_diff_free(). O(E log E) time.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (node counts or matrix shapes
 *  disagree; an edge with an end out of range, a loop, or a pair listed
 *  twice in one forest), SIMDEPTH_ENOMEM. On failure *out is untouched.
 *  @since 0.2 */
simdepth_status simdepth_forest_diff_new(const simdepth_forest *fa,
                                         const simdepth_forest *fb,
                                         const simdepth_matrix *sa,
                                         const simdepth_matrix *sb,
                                         simdepth_forest_diff **out,
                                         simdepth_error *err);

/** Release @p d. Accepts NULL. @since 0.2 */
void simdepth_forest_diff_free(simdepth_forest_diff *d);

/* ------------------------------------------------------------ partitions */

/** Agreement of two flat partitions of the same items. @since 0.2 */
typedef struct simdepth_partition_agreement {
    double ari;     /**< adjusted Rand index, as sklearn's
                         adjusted_rand_score (1 for identical partitions,
                         also when both are a single cluster) */
    double vi;      /**< variation of information in nats:
                         H(A|B) + H(B|A) (0 for identical partitions) */
    double vi_max;  /**< log(n), the largest VI possible for n items */
} simdepth_partition_agreement;

/** Compare the labels of @p a and @p b (label -1 is a cluster like any
 *  other, as everywhere in simdepth). ARI is computed from exact pair
 *  counts as scikit-learn 1.2.1 does (bit for bit below 65,536 items);
 *  VI as the sum over cells of the contingency table of
 *  n_ij (log a_i + log b_j - 2 log n_ij) / n, clamped at 0. Tested
 *  against sklearn.metrics.adjusted_rand_score and a direct entropy
 *  computation to 1e-12. O(n log n) time, O(n) memory.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (sizes differ, n = 0),
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.2 */
simdepth_status simdepth_partition_compare(const simdepth_partition *a,
                                           const simdepth_partition *b,
                                           simdepth_partition_agreement *out,
                                           simdepth_error *err);

/** Per item: whether its cluster membership agrees between @p a and
 *  @p b. Each cluster of @p a is matched to the cluster of @p b that
 *  holds most of its items (ties: the smaller label); item i agrees when
 *  its cluster in @p b is the match of its cluster in @p a. @p agree
 *  (caller-owned, n entries) receives 1 or 0. O(n log n).
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL, SIMDEPTH_ENOMEM. @since 0.2 */
simdepth_status simdepth_partition_item_agreement(const simdepth_partition *a,
                                                  const simdepth_partition *b,
                                                  unsigned char *agree,
                                                  simdepth_error *err);

/* ------------------------------------------------------------ dendrograms */

/** Agreement of two dendrograms (SciPy linkage matrices) of the same
 *  leaves. @since 0.2 */
typedef struct simdepth_tree_agreement {
    double cophenetic_correlation; /**< Pearson correlation of the two
                                        trees' cophenetic distances over all
                                        leaf pairs, as R dendextend's
                                        cor_cophenetic */
    double bakers_gamma;           /**< Spearman correlation, over all leaf
                                        pairs, of the largest k for which
                                        cutting each tree into k groups keeps
                                        the pair together, as dendextend's
                                        cor_bakers_gamma */
    double fm_bk_mean;             /**< mean of Fowlkes-Mallows B_k over
                                        k = 2 .. n-1 (NaN for n < 3) */
    double fm_bk_min;              /**< the smallest B_k */
    size_t fm_bk_argmin;           /**< the k where it occurs */
} simdepth_tree_agreement;

/** Compare dendrograms @p za and @p zb ((n-1) x 4 linkage matrices of the
 *  same n leaves, leaf i of one being leaf i of the other). Cuts into k
 *  groups follow the rows' order (the last k - 1 rows undone), as R's
 *  cutree(k =) on an hclust with the same merge matrix. On trees with
 *  distinct heights this equals dendextend to 1e-12 (tested: 15 tree
 *  pairs, n = 3 .. 100). Where heights tie, the cut into k groups is
 *  ambiguous: dendextend rebuilds the merge order from the heights
 *  (as.hclust of a dendrogram) and may undo other merges of the same
 *  height, so Baker's gamma and the B_k of such cuts can differ from
 *  dendextend's; the cophenetic correlation never does.
 *
 *  The cophenetic correlation is NaN when either tree's cophenetic
 *  distances are constant (n = 2, or all heights equal), as R's cor();
 *  Baker's gamma is then 1, as dendextend reports it. For n < 3 there is
 *  no B_k: fm_bk_mean and fm_bk_min are NaN and fm_bk_argmin is 0; ties
 *  of the minimum go to the smallest k.
 *
 *  If @p fm_bk is not NULL it receives n - 2 values: B_k for
 *  k = 2 .. n-1 at index k - 2 (caller-owned), written only on success.
 *  O(n^2) time and 24 bytes per leaf pair of memory (about 0.2 s and
 *  12 MB at 1,000 leaves). @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid
 *  linkage, leaf counts differ), SIMDEPTH_ENOMEM. On failure *out is
 *  untouched. @since 0.2 */
simdepth_status simdepth_linkage_compare(const simdepth_matrix *za,
                                         const simdepth_matrix *zb,
                                         simdepth_tree_agreement *out,
                                         double *fm_bk,
                                         simdepth_error *err);

/** Entanglement of a tanglegram whose left leaves read @p order_a and
 *  right leaves @p order_b top to bottom (each a permutation of 0..n-1),
 *  as dendextend's entanglement(L = 1.5): the sum over items of
 *  |pos_a - pos_b|^1.5 divided by its value for the reversed order; 0 is
 *  no crossing, 1 the worst. With n < 2 the result is 0 (dendextend
 *  divides 0 by 0 there). O(n).
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (not permutations, NULL),
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.2 */
simdepth_status simdepth_entanglement(const size_t *order_a,
                                      const size_t *order_b, size_t n,
                                      double *out, simdepth_error *err);

/** Untangle a tanglegram: rotate subtrees of @p za and @p zb (swap the two
 *  children of a row, which keeps the tree and its heights) to lower the
 *  entanglement of their leaf orders (simdepth_linkage_leaves() of each),
 *  alternating sides until a pass over both trees improves nothing (a
 *  greedy "step2side" search). A pass visits one tree's rows from the
 *  root down (pre-order) and swaps a row's children when that lowers the
 *  entanglement against the other tree's current order by more than
 *  1e-10 of the worst value (so rounding never fakes a gain); at most
 *  100 rounds. Never increases the entanglement. Deterministic. On the
 *  tested pairs (the two real ViT-B models, random trees of 30 and 60
 *  leaves, a jittered pair of 40) the result equals dendextend's
 *  untangle(method = "step2side") to 4 decimals.
 *
 *  *out_a and *out_b are new linkage matrices equal to the inputs but for
 *  swapped columns 0 and 1 in some rows (free with
 *  simdepth_matrix_free()); @p before and @p after (either may be NULL)
 *  receive the entanglement of the input and of the result. O(sum of
 *  subtree sizes) per pass, O(n^2) at worst (a caterpillar tree); a few
 *  milliseconds at 1,000 leaves.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL, SIMDEPTH_ENOMEM. On failure the
 *  outputs are untouched. @since 0.2 */
simdepth_status simdepth_tanglegram_untangle(const simdepth_matrix *za,
                                             const simdepth_matrix *zb,
                                             simdepth_matrix **out_a,
                                             simdepth_matrix **out_b,
                                             double *before, double *after,
                                             simdepth_error *err);

/* ------------------------------------------------------------ classes */

/** Each class's nearest neighbour in the square similarity @p s: the
 *  j != i with the largest s[i][j] (ties: the smallest j; NaN entries are
 *  skipped, and a row of NaN only gets the smallest j != i). @p nn
 *  (caller-owned, n entries) receives the indices. O(n^2).
 *  @return SIMDEPTH_OK or SIMDEPTH_EINVAL (not square, n < 2). @since 0.2 */
simdepth_status simdepth_nearest_neighbours(const simdepth_matrix *s,
                                            size_t *nn, simdepth_error *err);

/** A class pair whose similarity changed between two models. @since 0.2 */
typedef struct simdepth_pair_change {
    size_t a;        /**< smaller class index */
    size_t b;        /**< larger class index */
    double before;   /**< similarity in A (lower triangle, [b][a]) */
    double after;    /**< similarity in B */
} simdepth_pair_change;

/** The @p top pairs i < j with the largest |sb - sa| (ties: by (a, b);
 *  pairs whose change is NaN rank after all others), largest first. *out
 *  is a malloc'd array of *n_out = min(top, n(n-1)/2) entries; free it
 *  with free(). When that is 0 (top = 0, n < 2), *out is NULL.
 *  O(n^2 log top).
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (shapes), SIMDEPTH_ENOMEM. On
 *  failure the outputs are untouched. @since 0.2 */
simdepth_status simdepth_similarity_changes(const simdepth_matrix *sa,
                                            const simdepth_matrix *sb,
                                            size_t top,
                                            simdepth_pair_change **out,
                                            size_t *n_out,
                                            simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
