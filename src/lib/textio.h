/* simdepth — private file helpers shared by the readers. */
#ifndef SIMDEPTH_TEXTIO_H
#define SIMDEPTH_TEXTIO_H

#include <stddef.h>

#include "simdepth/error.h"

/* Read the whole of @path into a NUL-terminated malloc'd buffer. Files
 * larger than @max_bytes are refused with SIMDEPTH_EUNSUPPORTED before any
 * large allocation. Missing or unreadable files give SIMDEPTH_EIO with the
 * path and strerror in the message. */
simdepth_status simdepth_i_read_file(const char *path, size_t max_bytes,
                                     char **out, size_t *len,
                                     simdepth_error *err);

/* Iterate over lines of a NUL-terminated buffer. *cursor starts at the
 * buffer; each call returns the next line start and sets *len to its length
 * without the line ending ("\n" or "\r\n"); returns NULL at the end. */
const char *simdepth_i_next_line(const char **cursor, const char *end,
                                 size_t *len);

#endif
