/* simdepth — private builder API of simdepth_taxonomy. Not installed.
 *
 * Readers (wordnet.c, custom taxonomy readers) build a taxonomy in three
 * steps:
 *
 *   simdepth_i_taxonomy_new()                 an empty, mutable taxonomy
 *   simdepth_i_taxonomy_add_node() ...        nodes, then or meanwhile
 *   simdepth_i_taxonomy_add_parent() ...      child -> parent links and
 *   simdepth_i_taxonomy_add_alias() ...       extra names for find_name
 *   simdepth_i_taxonomy_finish()              freeze: CSR parent lists,
 *                                             depths, cycle check, maps
 *
 * Until finish succeeds only simdepth_taxonomy_size(), _find_id() and the
 * string getters (_id, _name, _label, _gloss) may be used; every measure
 * needs a finished taxonomy. After finish the object is immutable and may be
 * shared by concurrent readers. Whatever fails, the caller releases the
 * object with simdepth_taxonomy_free().
 *
 * The builder reports problems that are about the taxonomy itself
 * (duplicate id, cycle) as SIMDEPTH_EFORMAT without a file or line; a reader
 * that knows where the offending record came from fills err->file and
 * err->line afterwards (simdepth_i_taxonomy_locate).
 */
#ifndef SIMDEPTH_TAXONOMY_I_H
#define SIMDEPTH_TAXONOMY_I_H

#include <stddef.h>

#include "simdepth/error.h"
#include "simdepth/taxonomy.h"

/* Largest number of nodes a taxonomy may hold (indices are stored as 32-bit
 * integers internally). */
#define SIMDEPTH_I_TAXONOMY_MAX_NODES ((size_t)0x7fffffff)

/* Create an empty taxonomy. @size_hint (may be 0) pre-sizes the node arrays
 * and the id map. On failure *out is untouched. */
simdepth_status simdepth_i_taxonomy_new(size_t size_hint,
                                        simdepth_taxonomy **out,
                                        simdepth_error *err);

/* Add a node and return its index (0, 1, 2, ... in call order) in *node
 * (may be NULL). All strings are copied. @id must be non-empty and unique
 * (SIMDEPTH_EFORMAT otherwise). @name NULL means "same as id"; @label NULL
 * means "same as name"; @gloss NULL means "". The name orders LCS candidates,
 * so readers should make it unique. */
simdepth_status simdepth_i_taxonomy_add_node(simdepth_taxonomy *t,
                                             const char *id, const char *name,
                                             const char *label,
                                             const char *gloss, size_t *node,
                                             simdepth_error *err);

/* Replace the name of @node (copied) before finish, for readers that learn
 * names after the nodes (WordNet: sense numbers come from index.noun). The
 * label is left as it was. */
simdepth_status simdepth_i_taxonomy_set_name(simdepth_taxonomy *t,
                                            size_t node, const char *name,
                                            simdepth_error *err);

/* Record that @parent is a direct hypernym of @child. Both must be existing
 * node indices (SIMDEPTH_EINVAL). Duplicate links are merged at finish; a
 * self link is a cycle and makes finish fail. */
simdepth_status simdepth_i_taxonomy_add_parent(simdepth_taxonomy *t,
                                               size_t child, size_t parent,
                                               simdepth_error *err);

/* Make simdepth_taxonomy_find_name(@alias) return @node. The alias is
 * normalised as find_name normalises queries (ASCII lower case, spaces to
 * underscores). When one alias is given twice the first call wins, which is
 * "first sense" for WordNet lemmas. */
simdepth_status simdepth_i_taxonomy_add_alias(simdepth_taxonomy *t,
                                              const char *alias, size_t node,
                                              simdepth_error *err);

/* Freeze @t: build the parent lists, the name and alias maps, and min/max
 * depth of every node (iteratively, in topological order). A cycle gives
 * SIMDEPTH_EFORMAT naming a node on it. Calling it twice is SIMDEPTH_EINVAL.
 */
simdepth_status simdepth_i_taxonomy_finish(simdepth_taxonomy *t,
                                           simdepth_error *err);

/* Set err->file and err->line (if @err is not NULL) after a builder call
 * failed, keeping status and message. */
void simdepth_i_taxonomy_locate(simdepth_error *err, const char *file,
                                 long line);

#endif
