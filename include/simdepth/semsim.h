/* simdepth — semantic similarity matrices of a class set on a taxonomy.
 *
 * NLTK 3.8's three edge-counting measures, on WordNet or any custom
 * taxonomy (custom_taxonomy.h):
 *
 *   path  1 / (d + 1), d = shortest_path_distance (path_similarity)
 *   wup   Wu-Palmer: 2 D / (len_a + len_b + 2 D), D = max_depth(LCS) + 1
 *         (wup_similarity; the LCS under the chosen rule, see taxonomy.h)
 *   lch   Leacock-Chodorow: -log((d + 1) / (2.0 * depth)), where depth is
 *         simdepth_semsim_lch_depth() (lch_similarity)
 *
 * NLTK's lch depth for nouns is the greatest max_depth of any noun synset
 * (19 for WordNet 3.0), plus 1 only when it simulates a root, which it never
 * does for WordNet 3.0 nouns (one root, entity.n.01). A custom taxonomy with
 * several roots gets a real virtual root instead, which already counts in
 * max_depth; so for every taxonomy depth = max over all nodes of max_depth.
 */
#ifndef SIMDEPTH_SEMSIM_H
#define SIMDEPTH_SEMSIM_H

#include <stddef.h>

#include "simdepth/error.h"
#include "simdepth/matrix.h"
#include "simdepth/taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A semantic similarity measure. @since 0.2 */
typedef enum simdepth_semsim_measure {
    SIMDEPTH_SEMSIM_PATH = 0, /**< NLTK path_similarity */
    SIMDEPTH_SEMSIM_WUP = 1,  /**< NLTK wup_similarity */
    SIMDEPTH_SEMSIM_LCH = 2   /**< NLTK lch_similarity */
} simdepth_semsim_measure;

/** "path", "wup" or "lch"; NULL for an unknown value. @since 0.2 */
const char *simdepth_semsim_measure_name(simdepth_semsim_measure m);

/** Parse "path", "wup" or "lch" into *@p m.
 *  @return SIMDEPTH_OK or SIMDEPTH_EINVAL (*m untouched). @since 0.2 */
simdepth_status simdepth_semsim_measure_parse(const char *s,
                                              simdepth_semsim_measure *m,
                                              simdepth_error *err);

/** The taxonomy depth of Leacock-Chodorow: the greatest max_depth over all
 *  nodes of @p t (19 for WordNet 3.0 nouns), or -1 if @p t is NULL or not
 *  finished. O(nodes). @since 0.2 */
int simdepth_semsim_lch_depth(const simdepth_taxonomy *t);

/** @p m of nodes @p a and @p b of @p t into *@p out, as NLTK's
 *  a.path_similarity(b), a.wup_similarity(b) or a.lch_similarity(b);
 *  @p rule picks the LCS of wup (SIMDEPTH_LCS_REFERENCE is NLTK's).
 *  @return SIMDEPTH_OK; SIMDEPTH_EINVAL (bad arguments or node);
 *  SIMDEPTH_ENOTFOUND when the two have no common subsumer (NLTK: None);
 *  SIMDEPTH_EUNSUPPORTED for lch on a taxonomy of depth 0 (NLTK: None).
 *  *out untouched on failure. @since 0.2 */
simdepth_status simdepth_semsim_pair(const simdepth_taxonomy *t, size_t a,
                                     size_t b, simdepth_semsim_measure m,
                                     simdepth_lcs_rule rule, double *out,
                                     simdepth_error *err);

/** The @p n x @p n float64 matrix of @p m between the classes @p nodes
 *  (class i is node nodes[i] of @p t). Entry (i, j) and (j, i) for i < j are
 *  simdepth_semsim_pair(nodes[i], nodes[j]), so the matrix is symmetric
 *  even where NLTK's tie-breaking is not; the diagonal is a node with
 *  itself (path 1, wup 1, lch -log(1 / (2 depth))). Usable as a similarity
 *  matrix by simdepth_analysis_run() and `simdepth analyze -s`.
 *  @return SIMDEPTH_OK; SIMDEPTH_EINVAL (NULL arguments, n = 0, unknown
 *  measure or rule, node out of range); SIMDEPTH_ENOTFOUND /
 *  SIMDEPTH_EUNSUPPORTED as simdepth_semsim_pair(), the message naming the
 *  pair; SIMDEPTH_ENOMEM. On failure *out is untouched. Free the result
 *  with simdepth_matrix_free(). O(n^2) LCS or path queries. @since 0.2 */
simdepth_status simdepth_semsim_matrix(const simdepth_taxonomy *t,
                                       const size_t *nodes, size_t n,
                                       simdepth_semsim_measure m,
                                       simdepth_lcs_rule rule,
                                       simdepth_matrix **out,
                                       simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
