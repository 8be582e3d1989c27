/* simdepth — user-supplied taxonomies: edge lists and Newick trees.
 *
 * A custom taxonomy is a simdepth_taxonomy like WordNet's (taxonomy.h), so
 * depth, LCS, Wu-Palmer, path similarity and every analysis work on it with
 * the same NLTK rules:
 *
 *   - min_depth / max_depth of a node are the shortest / longest chain of
 *     parent links to a root (root = 0), taken over all parent paths when a
 *     node has several parents;
 *   - LCS candidates are the common ancestors (each node its own ancestor)
 *     of greatest min_depth (SIMDEPTH_LCS_REFERENCE) or max_depth
 *     (SIMDEPTH_LCS_TRUE); ties go to the first node itself if it is a
 *     candidate, else to the candidate whose name sorts first (strcmp).
 *
 * Several roots: when the file has more than one node without a parent, a
 * virtual root named SIMDEPTH_TAXONOMY_VIRTUAL_ROOT ("<root>") is added as
 * the parent of all of them (the analogue of NLTK's simulate_root), so every
 * pair of nodes has an LCS. That node is one level above the file's roots
 * and therefore counts in every depth. With a single root nothing is added.
 * The name "<root>" is reserved: a file that uses it is rejected.
 */
#ifndef SIMDEPTH_CUSTOM_TAXONOMY_H
#define SIMDEPTH_CUSTOM_TAXONOMY_H

#include <stddef.h>

#include "simdepth/error.h"
#include "simdepth/labels.h"
#include "simdepth/taxonomy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Name (and id) of the virtual root joining several roots. @since 0.2 */
#define SIMDEPTH_TAXONOMY_VIRTUAL_ROOT "<root>"

/** Build a taxonomy from @p len bytes of text at @p text (no NUL needed).
 *  The format is detected by content:
 *
 *  - Newick, when the first character that is not white space is '(': one
 *    tree as simdepth_newick_parse() reads it (bare labels turn '_' into a
 *    blank). Every node becomes a taxonomy node whose parent is its Newick
 *    parent; leaves are the classes. An unnamed internal node gets the name
 *    "nodeK", K its pre-order index (the root is node0), with "_2", "_3"...
 *    appended if that name is taken. Branch lengths are ignored. An unnamed
 *    leaf, or a name used twice, is SIMDEPTH_EFORMAT with the byte offset.
 *  - Otherwise an edge list: one "child<TAB>parent" per line, blanks around
 *    each field trimmed; lines that are blank or whose first non-blank
 *    character is '#' are skipped; CRLF accepted. A node is every name that
 *    appears on either side, so a parent never listed as a child is simply
 *    a root. Several parents per node (a DAG) are allowed. Rejected with
 *    SIMDEPTH_EFORMAT, @p source and the line: a line without exactly two
 *    non-empty tab-separated fields; an edge given twice (the message names
 *    both lines); a cycle (the message prints it, "a -> b -> c -> a", each
 *    arrow pointing from a child to its parent; no line).
 *
 *  Node id, name and label are the given name (after Newick unquoting);
 *  the gloss is "". Every name is also an alias, so
 *  simdepth_taxonomy_find_name() finds it case-insensitively with blanks
 *  and underscores counting as equal. Text without any node is
 *  SIMDEPTH_EFORMAT ("empty taxonomy").
 *
 *  @param source names the input in error messages (may be NULL).
 *  @return SIMDEPTH_OK, SIMDEPTH_EFORMAT, SIMDEPTH_EINVAL (NULL arguments),
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. Free the result with
 *  simdepth_taxonomy_free(). O(len + nodes + edges). @since 0.2 */
simdepth_status simdepth_taxonomy_parse(const char *text, size_t len,
                                        const char *source,
                                        simdepth_taxonomy **out,
                                        simdepth_error *err);

/** Read the taxonomy file @p path (at most 1 GiB) as
 *  simdepth_taxonomy_parse() does, with @p path as the source.
 *  @return as simdepth_taxonomy_parse(), or SIMDEPTH_EIO (missing or
 *  unreadable file), SIMDEPTH_EUNSUPPORTED (too large). On failure *out is
 *  untouched. @since 0.2 */
simdepth_status simdepth_taxonomy_read(const char *path,
                                       simdepth_taxonomy **out,
                                       simdepth_error *err);

/** Map every label of @p labels to a node of @p t: by id first
 *  (simdepth_taxonomy_find_id() on simdepth_labels_key(); a WordNet id for
 *  WordNet), then by name (simdepth_taxonomy_find_name() on the key, then on
 *  the readable name after a WordNet id, if any). Writes
 *  simdepth_labels_count(@p labels) node indices to @p nodes, which the
 *  caller allocates.
 *  @param labels_path the labels file, for err->file (may be NULL).
 *  @return SIMDEPTH_OK; SIMDEPTH_ENOTFOUND for a label that is no node
 *  ("unknown leaf 'x'"), with err->line = the label's 1-based line (labels
 *  files have one label per line); SIMDEPTH_EINVAL for NULL arguments. On
 *  failure the contents of @p nodes are unspecified. O(labels). @since 0.2 */
simdepth_status simdepth_taxonomy_resolve_labels(const simdepth_taxonomy *t,
                                                 const simdepth_labels *labels,
                                                 const char *labels_path,
                                                 size_t *nodes,
                                                 simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
