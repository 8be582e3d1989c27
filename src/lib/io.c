/* simdepth — reader dispatch by file name. */
#include "config.h"

#include <string.h>

#include "simdepth/io.h"

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

simdepth_status simdepth_matrix_read(const char *path, simdepth_matrix **out,
                                     simdepth_error *err)
{
    if (has_suffix(path, ".npy") || has_suffix(path, ".NPY"))
        return simdepth_npy_read(path, out, err);
    return simdepth_csv_read(path, out, err);
}
