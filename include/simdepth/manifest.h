/* simdepth — model specs and track manifests.
 *
 * A model spec names one model's inputs in one line of comma-separated
 * KEY=VALUE fields:
 *
 *     weights=FILE[:TENSOR] | similarity=FILE
 *         [,confusion=FILE] [,labels=FILE] [,name=NAME]
 *
 * and, in a manifest only, [,accuracy=X] [,epoch=N]. Exactly one of
 * weights and similarity is given; fields may come in any order; no key
 * appears twice. Blanks around keys and values are ignored; a backslash
 * makes the next character literal, so "\," "\#" "\\" and "\=" put a comma,
 * hash, backslash or equals sign into a value.
 *
 * A manifest is a text file of one spec per line. Blank lines are ignored;
 * '#' at the start of a line or after a blank starts a comment that runs to
 * the end of the line. Relative file names are resolved against the
 * directory of the manifest, so a manifest can be used from anywhere.
 *
 * The parsers only parse: they never open the files a spec names.
 */
#ifndef SIMDEPTH_MANIFEST_H
#define SIMDEPTH_MANIFEST_H

#include <stddef.h>

#include "simdepth/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One model's inputs. Strings are owned by the spec (or by the manifest
 *  holding it). @since 0.2 */
typedef struct simdepth_model_spec {
    char *weights;     /**< "FILE[:TENSOR]" as written (manifest: resolved),
                            or NULL */
    char *similarity;  /**< a similarity matrix file, or NULL; exactly one
                            of weights and similarity is set */
    char *confusion;   /**< confusion matrix file, or NULL */
    char *labels;      /**< the model's own label file (its class order),
                            or NULL: the shared labels */
    char *name;        /**< always set: the name= value, else the default
                            name (see name_given) */
    int name_given;    /**< 1 if the spec had name= */
    double accuracy;   /**< accuracy=; NaN when absent */
    double epoch;      /**< epoch=; NaN when absent */
    size_t line;       /**< 1-based manifest line; 0 for a single spec */
} simdepth_model_spec;

/** The default name of a model whose spec has no name=: the base name of
 *  the weights (without :TENSOR) or similarity file, without its last
 *  extension ("runs/ep10.npy:fc.weight" gives "ep10"). Written to @p buf
 *  (@p size bytes, truncated, always terminated). Returns @p buf.
 *  @since 0.2 */
char *simdepth_model_spec_default_name(const char *file, char *buf,
                                       size_t size);

/** Parse one spec from @p len bytes of @p text (as given on a command
 *  line: paths are kept as written; accuracy= and epoch= are refused
 *  because they belong to manifests). @p source names the text in
 *  messages (NULL: "model spec").
 *  @return SIMDEPTH_OK; SIMDEPTH_EFORMAT with err->column the 1-based
 *  column of the fault and a message saying what was expected (a field
 *  without '=', an unknown or repeated key, an empty value, both or
 *  neither of weights and similarity, a trailing backslash, a NUL byte);
 *  SIMDEPTH_ENOMEM. On failure *out is untouched. Free the result with
 *  simdepth_model_spec_free(). O(len). @since 0.2 */
simdepth_status simdepth_model_spec_parse(const char *text, size_t len,
                                          const char *source,
                                          simdepth_model_spec **out,
                                          simdepth_error *err);

/** Release a spec from simdepth_model_spec_parse(). Accepts NULL.
 *  @since 0.2 */
void simdepth_model_spec_free(simdepth_model_spec *s);

/** A parsed manifest: its models in file order. Read-only for callers.
 *  @since 0.2 */
typedef struct simdepth_manifest {
    size_t n_models;
    simdepth_model_spec *models;
} simdepth_manifest;

/** Parse a manifest from @p len bytes of @p text. @p source is the
 *  manifest's file name: it names the text in messages and its directory
 *  (the part up to the last '/') is prefixed to every relative file name
 *  (NULL: names are kept as written). accuracy= must be a finite number
 *  and epoch= a finite number (not necessarily whole).
 *  @return SIMDEPTH_OK; SIMDEPTH_EFORMAT with err->file = @p source,
 *  err->line and err->column at the fault (any spec error above, a bad
 *  number, two models with the same name — given or default — naming both
 *  lines, a manifest without models); SIMDEPTH_ENOMEM. On failure *out is
 *  untouched. Free with simdepth_manifest_free(). O(len + n log n).
 *  @since 0.2 */
simdepth_status simdepth_manifest_parse(const char *text, size_t len,
                                        const char *source,
                                        simdepth_manifest **out,
                                        simdepth_error *err);

/** Read and parse the manifest file @p path (at most 64 MiB).
 *  @return as simdepth_manifest_parse(), or SIMDEPTH_EIO (cannot read),
 *  SIMDEPTH_EUNSUPPORTED (too large). @since 0.2 */
simdepth_status simdepth_manifest_read(const char *path,
                                       simdepth_manifest **out,
                                       simdepth_error *err);

/** Release @p m. Accepts NULL. @since 0.2 */
void simdepth_manifest_free(simdepth_manifest *m);

#ifdef __cplusplus
}
#endif
#endif
