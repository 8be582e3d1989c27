/* simdepth — agglomerative hierarchical clustering (linkage), its derived
 * quantities (cophenetic distances, flat clusters, leaf orders) and Newick
 * trees.
 *
 * Everything here reproduces SciPy's scipy.cluster.hierarchy (checked
 * against Debian's python3-scipy 1.10.1): the same merges in the same order,
 * the same heights (bit for bit on x86-64 with -ffp-contract=off; the tests
 * allow 1e-9 relative), the same tie handling, the same cluster ids and the
 * same flat-cluster numbering. Where SciPy's behaviour is surprising it is
 * reproduced and documented rather than "fixed".
 *
 * Linkage matrices are SciPy's: an (n - 1) x 4 float64 simdepth_matrix whose
 * row i merges clusters Z[i][0] and Z[i][1] (ids below n are the items,
 * id n + i is the cluster formed by row i) at height Z[i][2] into a cluster
 * of Z[i][3] items. simdepth_npy_write() saves one as SciPy reads it.
 *
 * Condensed distances are SciPy's too: the n (n - 1) / 2 values d(i, j),
 * i < j, row by row (the order of scipy.spatial.distance.squareform), held
 * as float64 or, to halve the memory at scale, float32.
 */
#ifndef SIMDEPTH_LINKAGE_H
#define SIMDEPTH_LINKAGE_H

#include <stddef.h>
#include <stdio.h>

#include "simdepth/error.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Linkage methods, with SciPy's names and Lance-Williams updates.
 *
 *  | method   | algorithm (as SciPy)            | d(i, x ∪ y)                      |
 *  |----------|---------------------------------|----------------------------------|
 *  | single   | minimum spanning tree (Prim)    | min(d_xi, d_yi)                  |
 *  | complete | nearest-neighbour chain         | max(d_xi, d_yi)                  |
 *  | average  | nearest-neighbour chain         | (n_x d_xi + n_y d_yi)/(n_x+n_y)  |
 *  | weighted | nearest-neighbour chain         | (d_xi + d_yi) / 2                |
 *  | centroid | generic algorithm (Müllner)     | centroid distance (Euclidean)    |
 *  | median   | generic algorithm (Müllner)     | WPGMC distance (Euclidean)       |
 *  | ward     | nearest-neighbour chain         | Ward's variance criterion        |
 *
 *  Single, complete, average, weighted and ward give monotone dendrograms
 *  whose rows SciPy sorts by height (a stable sort) before relabelling;
 *  centroid and median can give inversions (a merge lower than an earlier
 *  one) and their rows stay in merge order, as SciPy's do.
 *  @since 0.1 */
typedef enum simdepth_linkage_method {
    SIMDEPTH_LINKAGE_SINGLE = 0,
    SIMDEPTH_LINKAGE_COMPLETE,
    SIMDEPTH_LINKAGE_AVERAGE,
    SIMDEPTH_LINKAGE_WEIGHTED,
    SIMDEPTH_LINKAGE_CENTROID,
    SIMDEPTH_LINKAGE_MEDIAN,
    SIMDEPTH_LINKAGE_WARD
} simdepth_linkage_method;

/** How a similarity S becomes a distance. Only the strict upper triangle of
 *  S is read (i < j, SciPy's squareform order); the diagonal is ignored, so
 *  a NaN or non-unit diagonal does no harm. Values are computed in double
 *  from the stored element.
 *
 *  - SIMDEPTH_DISTANCE_ONE_MINUS: d = 1 - S, for similarities at most 1
 *    (cosine, Wu-Palmer, the paper's min-max scaled CSM). An off-diagonal
 *    S above 1 would give a negative distance and is refused
 *    (SIMDEPTH_EINVAL naming the pair).
 *  - SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP: d = max(0, 1 - S): the same, but
 *    similarities a rounding error above 1 (duplicate templates) give 0.
 *  - SIMDEPTH_DISTANCE_MAX_MINUS: d = m - S with m the largest off-diagonal
 *    similarity, for similarities in any range (dot products, negative
 *    squared distances); the most similar pair gets distance 0.
 *
 *  For the paper's scaled distance, run simdepth_similarity_minmax() first
 *  and use ONE_MINUS. @since 0.1 */
typedef enum simdepth_distance_rule {
    SIMDEPTH_DISTANCE_ONE_MINUS = 0,
    SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP,
    SIMDEPTH_DISTANCE_MAX_MINUS
} simdepth_distance_rule;

/** SciPy's name of @p method ("single", "complete", "average", "weighted",
 *  "centroid", "median", "ward"), or "unknown". @since 0.1 */
const char *simdepth_linkage_method_name(simdepth_linkage_method method);

/** Parse a method name as accepted by simdepth_linkage_method_name()
 *  (exact, lower case). @return SIMDEPTH_OK or SIMDEPTH_EINVAL (message
 *  lists the valid names); on failure *out is untouched. @since 0.1 */
simdepth_status simdepth_linkage_method_parse(const char *name,
                                              simdepth_linkage_method *out,
                                              simdepth_error *err);

/** Number of pairs of @p n items, n (n - 1) / 2; 0 for n < 2. The caller
 *  keeps n small enough for the product not to overflow. @since 0.1 */
size_t simdepth_condensed_size(size_t n);

/** Position of pair (i, j), i != j, both < n, in a condensed array (the
 *  order of scipy.spatial.distance.squareform). @since 0.1 */
size_t simdepth_condensed_index(size_t n, size_t i, size_t j);

/** The condensed distances of the square similarity matrix @p s under
 *  @p rule, as an array of n (n - 1) / 2 doubles (@p dtype SIMDEPTH_F64)
 *  or floats (SIMDEPTH_F32, each value rounded once from double).
 *  *out is a malloc'd array, free it with free(). O(n^2) time.
 *  @return SIMDEPTH_OK; SIMDEPTH_EINVAL when @p s is not square, has fewer
 *  than 2 rows, is not exactly symmetric off the diagonal, holds a NaN or
 *  infinity off the diagonal, or (ONE_MINUS) a value above 1 off the
 *  diagonal, each named by row and column (1-based in err->line/column);
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_linkage_condensed_from_similarity(
    const simdepth_matrix *s, simdepth_distance_rule rule,
    simdepth_dtype dtype, void **out, simdepth_error *err);

/** What the cophenetic correlation of an average-linkage tree needs of
 *  its distances. @since 0.2 */
typedef struct simdepth_condensed_moments {
    size_t count; /**< number of distances, n (n - 1) / 2 */
    double mean;  /**< their mean */
    double m2;    /**< sum of their squared deviations from the mean */
} simdepth_condensed_moments;

/** The condensed distances of the cosine similarity of the rows of
 *  @p templates (C x D, one class template per row, float32 or float64),
 *  without the C x C similarity matrix: the product of each block of rows
 *  with the rows from it on (cblas ?gemm, at most about 32 MiB) is written
 *  into the condensed array and moved into condensed order there. With
 *  @p minmax non-zero the similarity is first scaled as
 *  simdepth_similarity_minmax() scales it
 *  (smallest and largest cosine of the whole matrix, diagonal included, in
 *  the templates' precision); then @p rule applies as in
 *  simdepth_linkage_condensed_from_similarity(). For float32 templates
 *  with @p dtype SIMDEPTH_F64 the result is what
 *  simdepth_similarity_cosine(), simdepth_similarity_minmax() and
 *  simdepth_linkage_condensed_from_similarity() give, up to the rounding
 *  of the BLAS kernels (a few units in the last place of a cosine); with
 *  SIMDEPTH_F32 it is that rounded once to float32. (Float64 templates
 *  with float32 storage: the cosines are rounded to float32 before the
 *  scaling.)
 *
 *  If @p moments is not NULL it receives what
 *  simdepth_linkage_condensed_moments() gives for the result (the same
 *  values, computed on the way, which saves a pass over the distances).
 *
 *  Memory: the n (n - 1) / 2 distances (the products are written into
 *  them and moved into place) and a unit-norm copy of the templates; n =
 *  21,843 classes at float32: 0.95 GB instead of 1.9 GB for the similarity
 *  matrix plus the distances. O(C^2 D) time. *out is a malloc'd array,
 *  free it with free().
 *  @return SIMDEPTH_OK; SIMDEPTH_EINVAL (fewer than 2 rows, no columns, a
 *  template of zero or non-finite norm named by row, a constant similarity
 *  under min-max scaling, an off-diagonal similarity above 1 under
 *  SIMDEPTH_DISTANCE_ONE_MINUS named by pair, unknown rule or dtype);
 *  SIMDEPTH_EUNSUPPORTED (dimensions beyond BLAS's int); SIMDEPTH_ENOMEM.
 *  On failure *out and *moments are untouched. @since 0.2 */
simdepth_status simdepth_linkage_condensed_from_templates(
    const simdepth_matrix *templates, int minmax, simdepth_distance_rule rule,
    simdepth_dtype dtype, void **out, simdepth_condensed_moments *moments,
    simdepth_error *err);

/** Agglomerative clustering of @p n items from their condensed distances
 *  @p y (@p dtype SIMDEPTH_F64: const double *, SIMDEPTH_F32: const float *),
 *  as scipy.cluster.hierarchy.linkage(y, method) does on the same values
 *  converted to double.
 *
 *  As SciPy, the input is not checked for being a metric: negative
 *  distances are accepted, and centroid, median and ward (whose updates
 *  assume Euclidean distances) may then take square roots of negative
 *  numbers. SciPy's nearest-neighbour chain carries the resulting NaN into
 *  the heights, and so does this function; SciPy's generic algorithm fails
 *  when every remaining distance is NaN, and so does this one
 *  (SIMDEPTH_EINVAL). Downstream functions refuse linkages with negative
 *  or NaN heights (simdepth_linkage_validate()).
 *
 *  Precision. With float64 input every height equals SciPy's bit for bit on
 *  x86-64. With float32 input the working copy is float32 too, half the
 *  memory (n = 21,843: 0.95 GB instead of 1.9 GB): single and complete
 *  linkage, which never compute new distances, still equal SciPy run on the
 *  float32 values converted to double; the other methods round each
 *  updated cluster distance to float32, so their heights agree with that
 *  SciPy run to about 1e-7 relative, and merge orders can differ where two
 *  candidate merges are that close.
 *
 *  Cost: O(n^2) time (single, and the chain methods complete, average,
 *  weighted, ward), O(n^2) typical and O(n^3) worst case (centroid,
 *  median); memory one copy of @p y plus O(n). *Z is a new (n - 1) x 4
 *  float64 matrix, free it with simdepth_matrix_free().
 *  @return SIMDEPTH_OK; SIMDEPTH_EINVAL (n < 2, n above INT_MAX, unknown
 *  method or dtype, a NaN or infinite distance named by pair, y NULL);
 *  SIMDEPTH_ENOMEM. On failure *Z is untouched. @since 0.1 */
simdepth_status simdepth_linkage_compute(const void *y, simdepth_dtype dtype,
                                         size_t n,
                                         simdepth_linkage_method method,
                                         simdepth_matrix **Z,
                                         simdepth_error *err);

/** As simdepth_linkage_compute(), but works in @p y itself, which is left
 *  holding unspecified values (single linkage leaves it intact): no copy of
 *  the n (n - 1) / 2 distances is made. @since 0.1 */
simdepth_status simdepth_linkage_compute_inplace(void *y, simdepth_dtype dtype,
                                                 size_t n,
                                                 simdepth_linkage_method method,
                                                 simdepth_matrix **Z,
                                                 simdepth_error *err);

/** simdepth_linkage_condensed_from_similarity() then
 *  simdepth_linkage_compute_inplace() on that buffer, which is freed: the
 *  peak is @p s plus one condensed array of @p storage type. With
 *  SIMDEPTH_DISTANCE_ONE_MINUS and float64 storage the result is SciPy's
 *  linkage(squareform(1 - S.astype(float64), checks=False), method).
 *  Statuses and failure behaviour as the two functions. @since 0.1 */
simdepth_status simdepth_linkage_from_similarity(const simdepth_matrix *s,
                                                 simdepth_linkage_method method,
                                                 simdepth_distance_rule rule,
                                                 simdepth_dtype storage,
                                                 simdepth_matrix **Z,
                                                 simdepth_error *err);

/** Check that @p Z is a linkage matrix every function here accepts: a
 *  float64 matrix with at least one row and 4 columns whose ids are whole
 *  numbers, each id below n + i in row i (formed before use), no id used
 *  twice nor merged with itself, heights finite and not negative, and
 *  counts equal to the sizes of the merged clusters. This is SciPy's
 *  is_valid_linkage() plus to_tree()'s count check, and stricter than it
 *  on NaN heights (SciPy lets them through). O(n).
 *  @return SIMDEPTH_OK or SIMDEPTH_EINVAL naming the row (1-based in
 *  err->line) and what is wrong. @since 0.1 */
simdepth_status simdepth_linkage_validate(const simdepth_matrix *Z,
                                          simdepth_error *err);

/** Cophenetic distances of the n items of @p Z: entry (i, j) of the
 *  condensed result is the height of the row that first joins i and j, as
 *  scipy.cluster.hierarchy.cophenet(Z). *out is a malloc'd array of
 *  n (n - 1) / 2 doubles, free it with free(). O(n^2) time.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z), SIMDEPTH_ENOMEM.
 *  On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_linkage_cophenetic(const simdepth_matrix *Z,
                                            double **out,
                                            simdepth_error *err);

/** Cophenetic correlation coefficient of @p Z with the condensed distances
 *  @p y (@p dtype F64 or F32, values converted to double), as
 *  scipy.cluster.hierarchy.cophenet(Z, y)[0]: Pearson's correlation with
 *  NumPy's summation order reproduced (pairwise sums in blocks of 8192), so
 *  the value is SciPy's to the last bit. NaN when either set of distances
 *  is constant (e.g. n = 2), as SciPy. If @p coph is not NULL, *coph
 *  receives the cophenetic distances as from simdepth_linkage_cophenetic().
 *  O(n^2) time. @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z, @p y
 *  NULL, bad dtype), SIMDEPTH_ENOMEM. On failure *c and *coph are
 *  untouched. @since 0.1 */
simdepth_status simdepth_linkage_cophenetic_correlation(
    const simdepth_matrix *Z, const void *y, simdepth_dtype dtype, double *c,
    double **coph, simdepth_error *err);

/** The moments of the @p n (n - 1) / 2 condensed distances @p y (@p dtype
 *  F64 or F32, values converted to double), accumulated row by row without
 *  cancellation. Take them before simdepth_linkage_compute_inplace()
 *  consumes @p y. O(n^2) time, O(1) memory.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (@p y or @p out NULL, bad dtype,
 *  n < 2). On failure *out is untouched. @since 0.2 */
simdepth_status simdepth_linkage_condensed_moments(const void *y, simdepth_dtype dtype, size_t n,
                                                   simdepth_condensed_moments *out,
                                                   simdepth_error *err);

/** The cophenetic correlation of an average-linkage (UPGMA) tree @p Z
 *  with its distances, from the tree and @p mom alone, without the
 *  distances and without the n (n - 1) / 2 cophenetic distances that
 *  simdepth_linkage_cophenetic_correlation() builds. In UPGMA the w pairs
 *  that a row first joins (the product of the sizes of its two clusters)
 *  have mean distance equal to the row's height h, so sum(y c) =
 *  sum(w h^2) and the coefficient is sum(w (h - cm) (h - ym)) /
 *  sqrt(m2 * sum(w (h - cm)^2)), cm the mean cophenetic distance, ym and
 *  m2 from @p mom. This is scipy.cluster.hierarchy.cophenet(Z, y)[0] up to
 *  the rounding of the heights: within 1e-9 for float64 distances; for
 *  float32 distances each height carries the rounding of float32 updates
 *  (about 1e-7 relative) and the coefficient agrees to about 1e-6. Only
 *  for average linkage: for other methods the heights are not mean
 *  distances and the value means nothing. NaN when either set of
 *  distances is constant, as SciPy. O(n) time.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z, moments of another
 *  number of distances, NULL arguments). On failure *c is untouched.
 *  @since 0.2 */
simdepth_status simdepth_linkage_cophenetic_correlation_average(
    const simdepth_matrix *Z, const simdepth_condensed_moments *mom, double *c,
    simdepth_error *err);

/** Flat clusters: at most @p k clusters, as
 *  scipy.cluster.hierarchy.fcluster(Z, k, criterion='maxclust') in SciPy
 *  1.10.1. SciPy takes, for every row, the largest height in its subtree
 *  and binary-searches the row positions for the smallest such threshold
 *  that leaves at most @p k clusters, then cuts there (a node whose subtree
 *  stays at or below the threshold is one cluster). Its search never
 *  evaluates the first row, so the cut is never below the second row's
 *  value: any @p k >= n - 1 gives the cut at row 1 (n - 2 clusters for a
 *  monotone tree unless later rows share that height), and n = 2 gives one
 *  cluster (SciPy reads past its array there; one cluster is what it
 *  returns in practice). Later SciPy releases changed this; 1.10.1 is
 *  reproduced.
 *  Equal heights can leave fewer than @p k clusters, and for centroid and
 *  median trees with inversions the search is over unsorted values, as in
 *  SciPy.
 *
 *  Labels are SciPy's minus one: 0 .. n_clusters - 1, numbered in the
 *  order SciPy's depth-first walk from the root meets the clusters. (That
 *  walk finishes a node's internal children before its leaf children, so
 *  a singleton hanging off the left of a node is numbered after the
 *  clusters inside the node's right child.) *out->method is
 *  "fcluster-maxclust". O(n log n) time. Free with simdepth_partition_free().
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z; @p k = 0, which SciPy
 *  does not define), SIMDEPTH_ENOMEM. On failure *out is untouched.
 *  @since 0.1 */
simdepth_status simdepth_linkage_fcluster_maxclust(const simdepth_matrix *Z,
                                                   size_t k,
                                                   simdepth_partition **out,
                                                   simdepth_error *err);

/** Flat clusters: cut at height @p t, as
 *  scipy.cluster.hierarchy.fcluster(Z, t, criterion='distance'): a node
 *  whose subtree's largest height is <= @p t becomes one cluster. Labels
 *  and numbering as simdepth_linkage_fcluster_maxclust(); *out->method is
 *  "fcluster-distance". O(n) time.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z, @p t NaN),
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_linkage_fcluster_distance(const simdepth_matrix *Z,
                                                   double t,
                                                   simdepth_partition **out,
                                                   simdepth_error *err);

/** The leaves of @p Z left to right, as scipy.cluster.hierarchy.leaves_list
 *  (pre-order, left child first): @p order (n entries, caller-owned)
 *  receives the item indices. O(n) time.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z, @p order NULL),
 *  SIMDEPTH_ENOMEM. On failure @p order is unspecified. @since 0.1 */
simdepth_status simdepth_linkage_leaves(const simdepth_matrix *Z,
                                        size_t *order, simdepth_error *err);

/** Optimal leaf ordering (Bar-Joseph, Gifford, Jaakkola 2001): a copy of
 *  @p Z with the children of some rows swapped so that the sum of the
 *  distances @p y between neighbouring leaves is minimal, as
 *  scipy.cluster.hierarchy.optimal_leaf_ordering(Z, y). SciPy keeps the
 *  partial sums in float32 and sorts candidates with an unstable quicksort;
 *  both are reproduced, so ties resolve as in SciPy. Read the new order
 *  with simdepth_linkage_leaves(). @p y is F64 or F32 (converted to
 *  double). Distances must stay below 2^30, SciPy's "infinity".
 *  O(n^3) time in the worst case (much less in practice thanks to the
 *  paper's pruning), 5 bytes per pair of items of memory. *out is a new
 *  matrix, free it with simdepth_matrix_free().
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z, @p y NULL or with a
 *  NaN, infinity or a value >= 2^30, bad dtype), SIMDEPTH_ENOMEM. On
 *  failure *out is untouched. @since 0.1 */
simdepth_status simdepth_linkage_optimal_ordering(const simdepth_matrix *Z,
                                                  const void *y,
                                                  simdepth_dtype dtype,
                                                  simdepth_matrix **out,
                                                  simdepth_error *err);

/** Write @p Z as CSV: a header "left,right,height,size", then one line per
 *  row with ids and sizes as integers and heights with 17 significant
 *  digits (they read back exactly; simdepth_csv_read() skips the header).
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z), SIMDEPTH_EIO.
 *  @since 0.1 */
simdepth_status simdepth_linkage_csv_write(FILE *f, const simdepth_matrix *Z,
                                           simdepth_error *err);

/* ---- Newick ---------------------------------------------------------- */

/** Write @p Z as a Newick tree into a new NUL-terminated string: children
 *  in the row's order (left, then right), so the leaves appear in
 *  simdepth_linkage_leaves() order; each branch length is the parent's
 *  height minus the child's (items have height 0) with 17 significant
 *  digits, negative for the inversions of centroid and median; the root
 *  has no branch length; no whitespace; a final ";" and no newline.
 *
 *  Leaf labels are @p names[i] (n strings) or, when @p names is NULL, the
 *  decimal index. A label is written bare when it is non-empty and made of
 *  printable ASCII other than blank and ( ) [ ] ' : ; , _ ; otherwise it is
 *  quoted ('...') with inner quotes doubled, as the Newick standard wants
 *  (in particular a bare '_' would read back as a blank).
 *
 *  *out is malloc'd, free it with free(); *len (if not NULL) gets its
 *  length. O(n + total name length) time, iterative (no recursion).
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (invalid @p Z, a NULL name),
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_newick_format(const simdepth_matrix *Z,
                                       const char *const *names, char **out,
                                       size_t *len, simdepth_error *err);

/** simdepth_newick_format() followed by a newline, written to @p f.
 *  @return as simdepth_newick_format(), or SIMDEPTH_EIO. @since 0.1 */
simdepth_status simdepth_newick_write(FILE *f, const simdepth_matrix *Z,
                                      const char *const *names,
                                      simdepth_error *err);

/** No parent, child or sibling. @since 0.1 */
#define SIMDEPTH_NEWICK_NONE ((size_t)-1)

/** Deepest nesting simdepth_newick_parse() accepts (a caterpillar tree of
 *  n leaves nests n - 1 deep). @since 0.1 */
#define SIMDEPTH_NEWICK_MAX_DEPTH 1000000

/** One node of a parsed Newick tree. @since 0.1 */
typedef struct simdepth_newick_node {
    size_t parent;        /**< index of the parent, or SIMDEPTH_NEWICK_NONE */
    size_t first_child;   /**< first child, or SIMDEPTH_NEWICK_NONE (a leaf) */
    size_t next_sibling;  /**< next child of the parent, or ..._NONE */
    size_t n_children;    /**< number of children */
    const char *name;     /**< label after unquoting, or NULL if none */
    double length;        /**< branch length to the parent */
    int has_length;       /**< 1 if a ":length" was given */
    long long offset;     /**< byte offset where the node starts */
} simdepth_newick_node;

/** A parsed Newick tree; read-only for callers, released with
 *  simdepth_newick_tree_free(). Nodes are in the order their text starts
 *  (pre-order), so nodes[0] is the root. @since 0.1 */
typedef struct simdepth_newick_tree {
    size_t n_nodes;
    size_t n_leaves;
    simdepth_newick_node *nodes;
    char *arena;          /**< storage of the names (private) */
} simdepth_newick_tree;

/** Parse one Newick tree from @p len bytes at @p text (no NUL needed).
 *  Accepted: nested "(child,child,...)" with any number of children,
 *  labels bare (underscores become blanks, as the standard says) or
 *  'quoted' ('' is a quote), ":length" in any strtod() notation (finite),
 *  [comments] and whitespace between tokens, a final ';' followed only by
 *  whitespace. Iterative: nesting deeper than SIMDEPTH_NEWICK_MAX_DEPTH is
 *  refused rather than exhausting the stack. @p source names the input in
 *  error messages (may be NULL).
 *  @return SIMDEPTH_OK; SIMDEPTH_EFORMAT with the byte offset in
 *  err->offset and what was expected (empty input, unexpected character,
 *  unbalanced parentheses, unterminated quote or comment, bad length,
 *  missing ';', text after ';', too deep); SIMDEPTH_ENOMEM. On failure
 *  *out is untouched. O(len) time. @since 0.1 */
simdepth_status simdepth_newick_parse(const char *text, size_t len,
                                      const char *source,
                                      simdepth_newick_tree **out,
                                      simdepth_error *err);

/** Read and parse the Newick file @p path (at most 1 GiB).
 *  @return as simdepth_newick_parse(), or SIMDEPTH_EIO. @since 0.1 */
simdepth_status simdepth_newick_read(const char *path,
                                     simdepth_newick_tree **out,
                                     simdepth_error *err);

/** Release @p t. Accepts NULL. @since 0.1 */
void simdepth_newick_tree_free(simdepth_newick_tree *t);

/** The linkage matrix of a binary, ultrametric-by-lengths tree, e.g. one
 *  written by simdepth_newick_format(). Leaf labels are looked up in
 *  @p names (@p n strings, blank and underscore counting as equal) or,
 *  when @p names is NULL, must be the decimal indices 0 .. n - 1. A node's
 *  height is its first child's height plus that child's branch length
 *  (leaves have height 0); every other child must agree within 1e-9 of the
 *  tree's largest height. Rows keep each node's child order (so the leaf
 *  order survives) and are sorted by height, ties in post-order, unless
 *  negative branch lengths make that invalid, in which case they stay in
 *  post-order. Leaf ids are the item indices. *Z is a new matrix, free it
 *  with simdepth_matrix_free(). O(n log n) time.
 *  @return SIMDEPTH_OK; SIMDEPTH_EFORMAT (byte offset of the offending
 *  node: not binary, missing or inconsistent branch length, unknown,
 *  missing or repeated leaf label, leaf count other than @p n, fewer than
 *  2 leaves); SIMDEPTH_ENOMEM. On failure *Z is untouched. @since 0.1 */
simdepth_status simdepth_newick_to_linkage(const simdepth_newick_tree *t,
                                           const char *const *names, size_t n,
                                           simdepth_matrix **Z,
                                           simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
