/* simdepth — class labels. */
#ifndef SIMDEPTH_LABELS_H
#define SIMDEPTH_LABELS_H

#include <stddef.h>

#include "simdepth/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque list of class labels in matrix order. @since 0.1 */
typedef struct simdepth_labels simdepth_labels;

/** Read labels, one per line, in row order. A line is either a single label
 *  (a WordNet id such as n01440764, or a name, which may contain spaces) or
 *  a WordNet id followed by whitespace and a readable name
 *  ("n01440764 tench"). CRLF accepted; trailing whitespace trimmed; blank
 *  lines at the end ignored. A blank line before the last label, or a label
 *  that appears twice, is SIMDEPTH_EFORMAT with the line numbers.
 *  On failure *out is untouched. @since 0.1 */
simdepth_status simdepth_labels_read(const char *path, simdepth_labels **out,
                                     simdepth_error *err);

/** Build labels from @p n strings (copied), each parsed like a file line.
 *  @since 0.1 */
simdepth_status simdepth_labels_new(const char *const *lines, size_t n,
                                    simdepth_labels **out,
                                    simdepth_error *err);

/** Release @p l. Accepts NULL. @since 0.1 */
void simdepth_labels_free(simdepth_labels *l);

/** Number of labels. @since 0.1 */
size_t simdepth_labels_count(const simdepth_labels *l);

/** The key of label @p i: the WordNet id if the line starts with one, else
 *  the whole line. Owned by @p l. @since 0.1 */
const char *simdepth_labels_key(const simdepth_labels *l, size_t i);

/** The readable name given after a WordNet id, or NULL. Owned by @p l.
 *  @since 0.1 */
const char *simdepth_labels_name(const simdepth_labels *l, size_t i);

/** 1 if @p s has the form of a WordNet noun id: 'n' and eight digits.
 *  @since 0.1 */
int simdepth_is_wnid(const char *s);

#ifdef __cplusplus
}
#endif
#endif
