/* simdepth — map plain class names ("golden retriever", "mice") to WordNet
 * 3.0 noun synsets, the way NLTK 3.8's wn.synsets(name, pos='n') does. */
#ifndef SIMDEPTH_WNMAP_H
#define SIMDEPTH_WNMAP_H

#include <stddef.h>

#include "simdepth/error.h"
#include "simdepth/taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque name-to-synset map over one WordNet database: the noun
 *  taxonomy, index.noun (lemma -> senses, in sense order) and noun.exc
 *  (irregular plurals). Immutable after simdepth_wnmap_open(), so one map
 *  may be shared by concurrent lookups. @since 0.2 */
typedef struct simdepth_wnmap simdepth_wnmap;

/** One candidate synset. Every string is owned by the map and lives until
 *  simdepth_wnmap_free(). @since 0.2 */
typedef struct simdepth_wnmap_sense {
    const char *wnid;  /**< "n02084071" */
    const char *name;  /**< NLTK's synset name, "dog.n.01" */
    const char *lemma; /**< the index.noun lemma that matched, "dog" */
    const char *gloss; /**< NLTK's definition(), or "" */
} simdepth_wnmap_sense;

/** The candidates for one name, first sense first. Zero-initialise it (or
 *  let simdepth_wnmap_lookup() do so); release with
 *  simdepth_wnmap_result_clear(). @since 0.2 */
typedef struct simdepth_wnmap_result {
    size_t n;                     /**< number of senses; 0 if none */
    simdepth_wnmap_sense *senses; /**< n senses (malloc'd), or NULL */
    char form[256];               /**< the spelling variant that matched
                                       ("golden_retriever"), or "" */
} simdepth_wnmap_result;

/** Open the map on the WordNet database in @p dir (NULL: $WNSEARCHDIR, else
 *  SIMDEPTH_WORDNET_DEFAULT_DIR), reading data.noun, index.noun and
 *  noun.exc. Takes about as long as simdepth_wordnet_open().
 *  @return SIMDEPTH_OK, SIMDEPTH_EIO (missing file), SIMDEPTH_EFORMAT (with
 *  file and line), SIMDEPTH_ENOMEM, SIMDEPTH_EINVAL (@p out NULL). On
 *  failure *out is untouched. @since 0.2 */
simdepth_status simdepth_wnmap_open(const char *dir, simdepth_wnmap **out,
                                    simdepth_error *err);

/** Release @p m. Accepts NULL. @since 0.2 */
void simdepth_wnmap_free(simdepth_wnmap *m);

/** The noun taxonomy the map was built on. Owned by @p m. @since 0.2 */
const simdepth_taxonomy *simdepth_wnmap_taxonomy(const simdepth_wnmap *m);

/** Normalise a class name: strip leading and trailing white space, ASCII
 *  lower case, every run of white space to one '_'. Writes at most @p size
 *  bytes including the NUL; returns the length of the normalised name
 *  (>= size means it was truncated). @since 0.2 */
size_t simdepth_wnmap_key(const char *name, char *buf, size_t size);

/** Find the noun synsets of @p name. The name is normalised
 *  (simdepth_wnmap_key) and then tried as written, with '-' read as '_'
 *  ("golden-retriever"), and with '_' read as '-' ("t shirt"); the first
 *  variant with any synset wins. Each variant goes through NLTK's morphy for
 *  nouns: the noun.exc exception list ("mice" -> "mouse") if it lists the
 *  word, else the detachment rules s->"", ses->s, ves->f, xes->x, zes->z,
 *  ches->ch, shes->sh, men->man, ies->y, applied once and then repeatedly
 *  until some form is an index.noun lemma. The senses of all matching forms
 *  are returned in index.noun order, each synset once; senses[0] is the
 *  first sense. O(length of name) lookups.
 *  @p out is reset first and owns its senses array on return.
 *  @return SIMDEPTH_OK (out->n >= 1), SIMDEPTH_ENOTFOUND (no noun synset;
 *  out->n == 0), SIMDEPTH_EINVAL (empty name, or longer than 255 bytes),
 *  SIMDEPTH_ENOMEM. @since 0.2 */
simdepth_status simdepth_wnmap_lookup(const simdepth_wnmap *m,
                                      const char *name,
                                      simdepth_wnmap_result *out,
                                      simdepth_error *err);

/** Release the senses of @p r and zero it. Accepts NULL. @since 0.2 */
void simdepth_wnmap_result_clear(simdepth_wnmap_result *r);

/** Resolve a synset given as a WordNet id ("n02084071") or an NLTK synset
 *  name ("dog.n.01", case-insensitive) into @p out (lemma = the synset's
 *  first lemma). @return SIMDEPTH_OK, SIMDEPTH_EINVAL (neither form),
 *  SIMDEPTH_ENOTFOUND (no such synset). On failure *out is untouched.
 *  @since 0.2 */
simdepth_status simdepth_wnmap_synset(const simdepth_wnmap *m,
                                      const char *spec,
                                      simdepth_wnmap_sense *out,
                                      simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
