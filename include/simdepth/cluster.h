/* simdepth — partitions of a similarity matrix by density (OPTICS,
 * HDBSCAN) and by modularity (Louvain, Leiden).
 *
 * Every function here reads a square similarity matrix S (float32 or
 * float64, row-major), as the paper's reference code builds it: values in
 * [0, 1], 1 on the diagonal. The density methods work on the distance
 * 1 - S computed in float64, as the reference's `1 - similarity` on a
 * float64 DataFrame does; the modularity methods work on the weighted graph
 * with one edge per non-zero S[i][j] (i < j) and a self-loop per non-zero
 * diagonal entry, as networkx's from_pandas_adjacency() builds it.
 */
#ifndef SIMDEPTH_CLUSTER_H
#define SIMDEPTH_CLUSTER_H

#include <stdint.h>

#include "simdepth/error.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/** What the density methods do with the items they call noise.
 *
 *  The reference code keeps scikit-learn's label -1 and, since it counts
 *  clusters as len(set(labels)), treats all noise as one more cluster that
 *  gets a spanning tree and enters SD and compliance like any other. That
 *  is the default here. SIMDEPTH_NOISE_SINGLETONS instead makes every noise
 *  item a cluster of its own: a singleton has no spanning-tree edge, so
 *  noise drops out of SD and never shares a cluster in extended compliance,
 *  without any change to the code that consumes partitions. n_clusters then
 *  counts every noise item.
 *  @since 0.1 */
typedef enum simdepth_noise_mode {
    /** Noise keeps label -1 and counts as one cluster (reference). */
    SIMDEPTH_NOISE_CLUSTER = 0,
    /** Each noise item gets its own label, numbered after the real
     *  clusters in increasing item index; no label is -1. */
    SIMDEPTH_NOISE_SINGLETONS = 1
} simdepth_noise_mode;

/* ------------------------------------------------------------------ */
/* OPTICS                                                              */

/** OPTICS options; simdepth_optics_options_init() sets the values the
 *  reference code runs with (scikit-learn's defaults).
 *
 *  The reference passes eps=0.25, but scikit-learn uses eps only with
 *  cluster_method="dbscan"; with the default "xi" it has no effect, so
 *  there is no eps here. max_eps (scikit-learn's, default infinity) is the
 *  neighbourhood radius of the ordering itself. @since 0.1 */
typedef struct simdepth_optics_options {
    int min_samples;            /**< 5; neighbourhood size incl. the item
                                     itself; 2 .. n */
    double xi;                  /**< 0.05; steepness, in [0, 1) */
    int min_cluster_size;       /**< 0: same as min_samples; else 2 .. n */
    double max_eps;             /**< INFINITY; >= 0 */
    int predecessor_correction; /**< 1: scikit-learn's predecessor fix */
    simdepth_noise_mode noise;  /**< SIMDEPTH_NOISE_CLUSTER */
} simdepth_optics_options;

/** Fill @p opt with the defaults above. Accepts NULL. @since 0.1 */
void simdepth_optics_options_init(simdepth_optics_options *opt);

/** The OPTICS ordering of the distance 1 - @p s, exactly as scikit-learn
 *  1.2.1's compute_optics_graph() with metric="precomputed" computes it.
 *
 *  Core distance: the min_samples-th smallest entry of the item's row,
 *  the zero to itself included, rounded to 15 decimals as NumPy's around()
 *  rounds it (rint(x * 1e15) / 1e15); infinity if above max_eps. The next
 *  item is the unprocessed one with the smallest reachability, the lowest
 *  index among equals (infinity included, so the walk starts at item 0 and
 *  restarts at the lowest unprocessed index). Reachabilities are updated
 *  from the row of the item just processed, max(d, core), rounded the same
 *  way, where strictly smaller. Rows are read, not columns, so an
 *  asymmetric @p s gives scikit-learn's asymmetric result.
 *
 *  Every output array is caller-allocated with n elements and may be NULL
 *  if not wanted: @p ordering (item indices in OPTICS order),
 *  @p reachability and @p core_distances (indexed by item; the first item
 *  of each walk keeps reachability infinity), @p predecessor (indexed by
 *  item; -1 where never reached). Arrays are written only on success.
 *
 *  Time O(n^2) with one pass over @p s for the core distances and one row
 *  per ordering step; memory O(n) besides @p s (no distance matrix).
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (NULL, empty or non-square matrix,
 *  more than INT32_MAX items, a non-finite entry or an entry above 1,
 *  whose distance would be negative — scikit-learn rejects those too —,
 *  options out of range), SIMDEPTH_ENOMEM. @p opt may be NULL (defaults).
 *  @since 0.1 */
simdepth_status simdepth_optics_ordering(const simdepth_matrix *s,
                                         const simdepth_optics_options *opt,
                                         int32_t *ordering,
                                         double *reachability,
                                         double *core_distances,
                                         int32_t *predecessor,
                                         simdepth_error *err);

/** OPTICS with xi cluster extraction on the distance 1 - @p s: the
 *  reference code's OPTICS(metric="precomputed", eps=0.25), i.e.
 *  scikit-learn 1.2.1 with min_samples=5, xi=0.05, min_cluster_size=None,
 *  predecessor_correction=True, max_eps=inf.
 *
 *  After simdepth_optics_ordering(), scikit-learn's _xi_cluster() and
 *  _extract_xi_labels() are reproduced step for step — steep areas with
 *  the infinity appended to the reachability plot, the filtering of steep
 *  down areas, both end corrections, the predecessor correction including
 *  its indexing of the ordering by item index, clusters listed with the
 *  smaller before the enclosing one — so clusters, labels and their
 *  numbering are the same: label k is the k-th cluster of that list that
 *  does not overlap an earlier labelled one. Items in no cluster are noise
 *  (see simdepth_noise_mode). The partition's method is "optics",
 *  iterations 0, converged 1, exemplars NULL.
 *
 *  Time O(n^2), memory O(n) besides @p s. @return as
 *  simdepth_optics_ordering(). On success *out is a new partition to
 *  release with simdepth_partition_free(); on failure it is untouched.
 *  @since 0.1 */
simdepth_status simdepth_optics(const simdepth_matrix *s,
                                const simdepth_optics_options *opt,
                                simdepth_partition **out,
                                simdepth_error *err);

/* ------------------------------------------------------------------ */
/* HDBSCAN                                                             */

/** HDBSCAN options; simdepth_hdbscan_options_init() sets scikit-learn's
 *  (>= 1.3) defaults, which the reference code runs with. Cluster selection
 *  is always excess of mass with allow_single_cluster=False,
 *  cluster_selection_epsilon=0, alpha=1 and no max_cluster_size: the only
 *  setting the reference uses. @since 0.1 */
typedef struct simdepth_hdbscan_options {
    int min_cluster_size;      /**< 5; 2 .. n */
    int min_samples;           /**< 0: same as min_cluster_size; else
                                    1 .. n, the item itself included */
    int stable_ties;           /**< 0: equal MST weights in the order
                                    NumPy 1.24's argsort leaves them
                                    (scikit-learn, the reference); 1: in
                                    the order Prim found them (a stable
                                    sort), as R's dbscan::hdbscan() */
    simdepth_noise_mode noise; /**< SIMDEPTH_NOISE_CLUSTER */
} simdepth_hdbscan_options;

/** Fill @p opt with the defaults above. Accepts NULL. @since 0.1 */
void simdepth_hdbscan_options_init(simdepth_hdbscan_options *opt);

/** HDBSCAN on the distance 1 - @p s: the reference code's
 *  HDBSCAN(metric="precomputed"), reproducing scikit-learn >= 1.3's dense
 *  "brute" path step for step:
 *
 *  - core distance: the min_samples-th smallest entry of each column of
 *    the distances (the zero to itself included; np.partition(axis=0));
 *  - mutual reachability max(core_i, core_j, d_ij), evaluated on the fly;
 *  - Prim's minimum spanning tree as mst_from_mutual_reachability() grows
 *    it: from item 0, always the remaining item of smallest reachability,
 *    the lowest index among equals, each edge recorded from the item added
 *    just before it;
 *  - the edges sorted by weight with NumPy 1.24's argsort (introsort, not
 *    stable: equal weights keep the order that sort leaves them in, which
 *    shapes the single-linkage tree when weights tie — and mutual
 *    reachabilities tie often, since every pair closer than a core distance
 *    gets that core distance); with stable_ties set, equal weights keep
 *    Prim's order instead, which reproduces R's dbscan::hdbscan(minPts =
 *    min_cluster_size) partitions (see tests/data/cluster/README.md);
 *  - the single-linkage tree, the condensed tree (breadth-first, runt
 *    pruning at min_cluster_size), stabilities summed in the condensed
 *    tree's row order, excess-of-mass selection without the root;
 *  - labels 0 .. k-1 by increasing condensed-tree cluster id, the rest
 *    noise (see simdepth_noise_mode).
 *
 *  Asymmetric input is rejected as scikit-learn rejects it (not within
 *  |d_ij - d_ji| <= 1e-9 + 1e-7 |d_ji|). The partition's method is
 *  "hdbscan", iterations 0, converged 1, exemplars NULL.
 *
 *  Time O(n^2) (one pass over @p s for the core distances, one row per
 *  Prim step); memory O(n * min_samples) besides @p s.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (NULL, non-square or asymmetric
 *  matrix, fewer than 2 or more than INT32_MAX items, a non-finite entry
 *  or one above 1, options out of range), SIMDEPTH_ENOMEM. @p opt may be
 *  NULL (defaults). On success *out is a new partition to release with
 *  simdepth_partition_free(); on failure it is untouched. @since 0.1 */
simdepth_status simdepth_hdbscan(const simdepth_matrix *s,
                                 const simdepth_hdbscan_options *opt,
                                 simdepth_partition **out,
                                 simdepth_error *err);

/* ------------------------------------------------------------------ */
/* Modularity communities (igraph)                                     */

/** Louvain communities of the weighted similarity graph through igraph's
 *  igraph_community_multilevel() at @p resolution (1 is classic
 *  modularity), with igraph's Mersenne Twister seeded with @p seed: the
 *  same input and seed give the same partition.
 *
 *  The graph is the reference's: an undirected edge i–j for every
 *  S[i][j] != 0 with i < j, weighted S[i][j], and a self-loop of weight
 *  S[i][i] where that is non-zero. igraph counts a self-loop twice in a
 *  vertex's strength and, in modularity, twice in A_ii, which is how
 *  networkx and python-louvain count it, so the modularity optimised is
 *  the reference's. The algorithm differs from python-louvain's
 *  best_partition() (node order, random stream), so partitions differ; the
 *  modularity reached is comparable (see tests/data/cluster/README.md).
 *
 *  Labels are renumbered 0 .. k-1 in order of first appearance by item
 *  index. iterations is the number of levels igraph ran; converged 1;
 *  method "louvain".
 *
 *  The input must be symmetric (exactly: the graph is undirected), finite
 *  and non-negative; with no edge at all (S all zero) every item is its
 *  own community. Memory and time are those of igraph on a graph with up
 *  to n(n+1)/2 edges: about 110 bytes per edge at the peak (n = 5,000:
 *  12.5 million edges, 1.4 GB; n = 21,843 would need some 26 GB), and
 *  O(edges) per sweep. igraph 0.10's error and warning handlers and
 *  default random generator are process-wide: this function installs its
 *  own for the duration of the call (so igraph neither aborts nor prints,
 *  and the caller's igraph random stream is left alone) and restores the
 *  previous ones before returning. Calls of simdepth_louvain(),
 *  simdepth_leiden() and simdepth_modularity() from several threads are
 *  serialised by a lock inside simdepth (since 0.2); the caller must not
 *  use igraph itself from another thread meanwhile.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (NULL, empty, non-square,
 *  asymmetric, negative or non-finite input, resolution not finite or
 *  negative, an igraph error with its message), SIMDEPTH_ENOMEM. On
 *  success *out is a new partition to release with
 *  simdepth_partition_free(); on failure it is untouched. @since 0.1 */
simdepth_status simdepth_louvain(const simdepth_matrix *s, double resolution,
                                 unsigned long seed,
                                 simdepth_partition **out,
                                 simdepth_error *err);

/** The most iterations simdepth_leiden() runs. @since 0.2 */
#define SIMDEPTH_LEIDEN_MAX_ITER 100

/** Leiden communities of the same graph through igraph's
 *  igraph_community_leiden() optimising modularity: vertex weights are
 *  the strengths (self-loops twice), the resolution parameter is
 *  @p resolution / (2m) with m the total edge weight, beta 0.01, starting
 *  from singletons, one iteration at a time until an iteration changes
 *  nothing or SIMDEPTH_LEIDEN_MAX_ITER iterations have run (the random
 *  refinement can keep some graphs moving forever). iterations is the
 *  number run; converged is 0 when the bound stopped it. Seeded,
 *  renumbered, validated and serialised exactly as simdepth_louvain();
 *  method "leiden". @since 0.1 */
simdepth_status simdepth_leiden(const simdepth_matrix *s, double resolution,
                                unsigned long seed, simdepth_partition **out,
                                simdepth_error *err);

/** Modularity of partition @p p of the graph of @p s (built as for
 *  simdepth_louvain()) at @p resolution, through igraph_modularity():
 *  Q = 1/(2m) sum_ij (A_ij - resolution k_i k_j / (2m)) [c_i = c_j], with
 *  self-loops counted twice in A_ii and k_i. Equal, up to rounding, to
 *  networkx's and python-louvain's community.modularity(). Label -1 is a
 *  community like any other (the reference's convention). NaN when the
 *  graph has no edge (m = 0), as igraph returns it. On success *q
 *  holds the value; on failure it is untouched. Serialised with the other
 *  igraph calls (see simdepth_louvain()). @return SIMDEPTH_OK, SIMDEPTH_EINVAL (as
 *  simdepth_louvain(), or @p p of another size or with labels below -1),
 *  SIMDEPTH_ENOMEM. @since 0.1 */
simdepth_status simdepth_modularity(const simdepth_matrix *s,
                                    const simdepth_partition *p,
                                    double resolution, double *q,
                                    simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
