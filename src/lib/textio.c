/* simdepth — private file helpers. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "textio.h"

simdepth_status simdepth_i_read_file(const char *path, size_t max_bytes,
                                     char **out, size_t *len,
                                     simdepth_error *err)
{
    FILE *f = NULL;
    char *buf = NULL;
    struct stat stbuf;
    size_t size, got;
    simdepth_status st = SIMDEPTH_OK;

    f = fopen(path, "rb");
    if (f == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                    "cannot open: %s", strerror(errno));
    if (fstat(fileno(f), &stbuf) != 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                  "cannot stat: %s", strerror(errno));
        goto out;
    }
    if (S_ISDIR(stbuf.st_mode)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, -1,
                                  "is a directory; expected a file");
        goto out;
    }
    if (stbuf.st_size < 0 || (unsigned long long)stbuf.st_size > max_bytes) {
        st = simdepth_i_error_set(
            err, SIMDEPTH_EUNSUPPORTED, path, 0, 0, -1,
            "file of %lld bytes is larger than the %zu bytes accepted",
            (long long)stbuf.st_size, max_bytes);
        goto out;
    }
    size = (size_t)stbuf.st_size;
    buf = simdepth_i_malloc(size + 1);
    if (buf == NULL) {
        st = simdepth_i_enomem(err, "a file buffer");
        goto out;
    }
    got = fread(buf, 1, size, f);
    if (got != size || ferror(f)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, path, 0, 0, (long long)got,
                                  "read failed after %zu of %zu bytes", got,
                                  size);
        goto out;
    }
    buf[size] = '\0';
    *out = buf;
    *len = size;
    buf = NULL;
out:
    free(buf);
    if (f != NULL)
        fclose(f);
    return st;
}

const char *simdepth_i_next_line(const char **cursor, const char *end,
                                 size_t *len)
{
    const char *start = *cursor, *nl;

    if (start >= end)
        return NULL;
    nl = memchr(start, '\n', (size_t)(end - start));
    if (nl == NULL) {
        *len = (size_t)(end - start);
        *cursor = end;
    } else {
        *len = (size_t)(nl - start);
        *cursor = nl + 1;
    }
    if (*len > 0 && start[*len - 1] == '\r')
        (*len)--;
    return start;
}
