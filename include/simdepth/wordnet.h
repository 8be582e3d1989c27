/* simdepth — the WordNet 3.0 noun hierarchy as a taxonomy. */
#ifndef SIMDEPTH_WORDNET_H
#define SIMDEPTH_WORDNET_H

#include "simdepth/error.h"
#include "simdepth/taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The default database directory when neither an argument nor the
 *  WNSEARCHDIR environment variable names one. @since 0.1 */
#define SIMDEPTH_WORDNET_DEFAULT_DIR "/usr/share/wordnet"

/** Read WordNet's noun database (data.noun and index.noun) from @p dir, or,
 *  if @p dir is NULL, from $WNSEARCHDIR, or else
 *  SIMDEPTH_WORDNET_DEFAULT_DIR. Nodes are noun synsets; their parents are
 *  the hypernym ("@") and instance-hypernym ("@i") links; ids are
 *  "n" + the 8-digit offset; names are NLTK's ("dog.n.01": first lemma,
 *  lower-cased, and its sense number in index.noun).
 *  @return SIMDEPTH_OK, SIMDEPTH_EIO (missing database: the message names
 *  the path and the Debian package wordnet-base), SIMDEPTH_EFORMAT (with
 *  file and line), SIMDEPTH_ENOMEM. On failure *out is untouched.
 *  @since 0.1 */
simdepth_status simdepth_wordnet_open(const char *dir,
                                      simdepth_taxonomy **out,
                                      simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
