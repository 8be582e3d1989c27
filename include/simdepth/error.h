/* simdepth — error model.
 *
 * Every fallible library call returns a simdepth_status and, when the caller
 * passes a non-NULL simdepth_error, fills it with what went wrong, where
 * (file, line, column or byte offset) and what was expected. The library never
 * prints, exits or aborts, and keeps no global error state.
 */
#ifndef SIMDEPTH_ERROR_H
#define SIMDEPTH_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes. SIMDEPTH_OK is 0; all others are failures. @since 0.1 */
typedef enum simdepth_status {
    SIMDEPTH_OK = 0,
    SIMDEPTH_ENOMEM,       /**< an allocation failed or would overflow */
    SIMDEPTH_EINVAL,       /**< an argument or option is invalid */
    SIMDEPTH_EIO,          /**< a file could not be opened, read or written */
    SIMDEPTH_EFORMAT,      /**< input is malformed (bad magic, shape, value) */
    SIMDEPTH_EUNSUPPORTED, /**< input is well-formed but not supported */
    SIMDEPTH_ENOTFOUND,    /**< a named item (synset, tensor) does not exist */
    SIMDEPTH_ERENDER       /**< rendering failed */
} simdepth_status;

/** Detail of a failure. Zero-initialise or call simdepth_error_clear().
 *  Fields that do not apply are empty (file) or 0 (line, column) or -1
 *  (offset). @since 0.1 */
typedef struct simdepth_error {
    simdepth_status status;
    char file[512];     /**< the file involved, or "" */
    long line;          /**< 1-based line, or 0 */
    long column;        /**< 1-based column (field), or 0 */
    long long offset;   /**< byte offset, or -1 */
    char message[512];  /**< what was wrong and what was expected */
} simdepth_error;

/** Reset @p err to "no error". Accepts NULL. @since 0.1 */
void simdepth_error_clear(simdepth_error *err);

/** A short constant name for @p status ("out of memory", ...). @since 0.1 */
const char *simdepth_status_string(simdepth_status status);

/** Format @p err as one line: "FILE:LINE:COL: MESSAGE" or
 *  "FILE: byte OFFSET: MESSAGE", leaving out the parts that are unset.
 *  Writes at most @p size bytes including the terminating NUL; returns the
 *  length snprintf would have produced. @since 0.1 */
int simdepth_error_format(const simdepth_error *err, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
