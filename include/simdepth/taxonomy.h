/* simdepth — a taxonomy (a DAG of concepts) and the WordNet measures on it.
 *
 * WordNet 3.0's noun hierarchy is one taxonomy (see wordnet.h); user
 * taxonomies are others. Depth, lowest common subsumer (LCS), Wu-Palmer and
 * path similarity are defined on the DAG exactly as NLTK defines them for
 * WordNet synsets, so every taxonomy gets the same rules.
 */
#ifndef SIMDEPTH_TAXONOMY_H
#define SIMDEPTH_TAXONOMY_H

#include <stddef.h>

#include "simdepth/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque, immutable taxonomy. Read-only after construction, so it may be
 *  shared by concurrent readers. @since 0.1 */
typedef struct simdepth_taxonomy simdepth_taxonomy;

/** Which common subsumer is "the" LCS. @since 0.1 */
typedef enum simdepth_lcs_rule {
    /** The paper's reference code (NLTK lowest_common_hypernyms with
     *  use_min_depth=True): among common hypernyms (each node counts as its
     *  own hypernym) keep those of greatest min_depth, sort them by name,
     *  take u itself if it is among them, else the first. */
    SIMDEPTH_LCS_REFERENCE = 0,
    /** The deepest common subsumer by max_depth (use_min_depth=False), ties
     *  resolved the same way. */
    SIMDEPTH_LCS_TRUE = 1
} simdepth_lcs_rule;

/** The LCS of two nodes and the measures derived from it. @since 0.1 */
typedef struct simdepth_lcs {
    size_t lcs;           /**< node index of the LCS */
    int depth;            /**< max_depth(lcs) + 1, as the reference code */
    int len_a;            /**< shortest_path_distance(a, lcs) */
    int len_b;            /**< shortest_path_distance(b, lcs) */
    double wup;           /**< 2*depth / (len_a + len_b + 2*depth): NLTK's
                               wup_similarity under the reference rule, the
                               same formula on the true LCS otherwise */
    size_t n_candidates;  /**< how many subsumers tied under the rule */
} simdepth_lcs;

/** Release @p t. Accepts NULL. @since 0.1 */
void simdepth_taxonomy_free(simdepth_taxonomy *t);

/** Number of nodes. @since 0.1 */
size_t simdepth_taxonomy_size(const simdepth_taxonomy *t);

/** Find a node by its id (WordNet: "n01440764"). SIMDEPTH_ENOTFOUND if
 *  absent; *node untouched on failure. @since 0.1 */
simdepth_status simdepth_taxonomy_find_id(const simdepth_taxonomy *t,
                                          const char *id, size_t *node,
                                          simdepth_error *err);

/** Find a node by a readable name (WordNet: a noun lemma, case-insensitive,
 *  spaces or underscores, first sense; or a canonical name such as
 *  "dog.n.01"). No morphological reduction ("dogs" is not found).
 *  SIMDEPTH_ENOTFOUND if absent. @since 0.1 */
simdepth_status simdepth_taxonomy_find_name(const simdepth_taxonomy *t,
                                            const char *name, size_t *node,
                                            simdepth_error *err);

/** Canonical node name, used to order LCS candidates (WordNet:
 *  "dog.n.01"). Owned by @p t. @since 0.1 */
const char *simdepth_taxonomy_name(const simdepth_taxonomy *t, size_t node);
/** Node id (WordNet: "n02084071"). Owned by @p t. @since 0.1 */
const char *simdepth_taxonomy_id(const simdepth_taxonomy *t, size_t node);
/** Readable label (WordNet: first lemma, "dog"). Owned by @p t. @since 0.1 */
const char *simdepth_taxonomy_label(const simdepth_taxonomy *t, size_t node);
/** Gloss or "" (WordNet: the definition without its quoted examples, as
 *  NLTK's definition()). Owned by @p t. The string getters return NULL and
 *  the depth getters -1 for an out-of-range node. @since 0.1 */
const char *simdepth_taxonomy_gloss(const simdepth_taxonomy *t, size_t node);

/** Shortest / longest number of hypernym links to a root. @since 0.1 */
int simdepth_taxonomy_min_depth(const simdepth_taxonomy *t, size_t node);
int simdepth_taxonomy_max_depth(const simdepth_taxonomy *t, size_t node);

/** LCS of @p a and @p b under @p rule, its depth, the two path lengths and
 *  Wu-Palmer similarity (NLTK's wup_similarity). SIMDEPTH_ENOTFOUND when the
 *  two share no subsumer. O(size of the two ancestor sets). @since 0.1 */
simdepth_status simdepth_taxonomy_lcs(const simdepth_taxonomy *t, size_t a,
                                      size_t b, simdepth_lcs_rule rule,
                                      simdepth_lcs *out, simdepth_error *err);

/** NLTK's shortest_path_distance through a common subsumer, or -1 if none
 *  (also for an out-of-range node, or when memory for unusually large
 *  ancestor sets cannot be had). @since 0.1 */
int simdepth_taxonomy_path_distance(const simdepth_taxonomy *t, size_t a,
                                    size_t b);

/** NLTK's path_similarity: 1 / (path_distance + 1), or 0 if no path.
 *  @since 0.1 */
double simdepth_taxonomy_path_similarity(const simdepth_taxonomy *t, size_t a,
                                         size_t b);

#ifdef __cplusplus
}
#endif
#endif
