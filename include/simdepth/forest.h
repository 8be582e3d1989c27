/* simdepth — maximum spanning forest: one maximum spanning tree per cluster. */
#ifndef SIMDEPTH_FOREST_H
#define SIMDEPTH_FOREST_H

#include <stddef.h>
#include <stdint.h>

#include "simdepth/error.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One spanning-tree edge; always a < b. @since 0.1 */
typedef struct simdepth_edge {
    size_t a;         /**< smaller class index */
    size_t b;         /**< larger class index */
    int32_t cluster;  /**< the partition label both ends share */
    double weight;    /**< similarity of the pair */
} simdepth_edge;

/** The edges of all clusters' trees, ordered by cluster label, then in the
 *  order Kruskal accepted them. @since 0.1 */
typedef struct simdepth_forest {
    size_t n_nodes;
    size_t n_edges;
    simdepth_edge *edges;
} simdepth_forest;

/** Build the maximum spanning tree of every cluster of @p p on the weighted
 *  graph of the square similarity matrix @p s, by Kruskal.
 *
 *  The graph is the one the reference code builds with networkx: the weight
 *  of pair (i, j), i < j, is s[j][i] (networkx keeps the last entry it
 *  reads, the lower triangle) or s[i][j] where s[j][i] is 0, and pairs whose
 *  weight is 0 are not edges. Ties are broken by class index: edges are
 *  sorted by weight, descending, and among equal weights the smaller (i, j)
 *  in lexicographic order comes first. A cluster whose graph is disconnected
 *  gets a spanning forest. O(sum over clusters of k^2) time (Prim under the same strict order,
 *  which yields the tree Kruskal would), O(n) extra memory.
 *  @return SIMDEPTH_OK, SIMDEPTH_EINVAL (sizes disagree), SIMDEPTH_ENOMEM.
 *  On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_forest_build(const simdepth_matrix *s,
                                      const simdepth_partition *p,
                                      simdepth_forest **out,
                                      simdepth_error *err);

/** Release @p f. Accepts NULL. @since 0.1 */
void simdepth_forest_free(simdepth_forest *f);

#ifdef __cplusplus
}
#endif
#endif
