/* simdepth — checked allocation. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *simdepth_i_malloc(size_t size)
{
    return malloc(size == 0 ? 1 : size);
}

void *simdepth_i_calloc(size_t n, size_t size)
{
    if (simdepth_i_mul_overflows(n, size))
        return NULL;
    return calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
}

void *simdepth_i_malloc_array(size_t n, size_t size)
{
    if (simdepth_i_mul_overflows(n, size))
        return NULL;
    return simdepth_i_malloc(n * size);
}

void *simdepth_i_realloc_array(void *p, size_t n, size_t size)
{
    if (simdepth_i_mul_overflows(n, size))
        return NULL;
    return realloc(p, n * size == 0 ? 1 : n * size);
}

char *simdepth_i_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *d = simdepth_i_malloc(len);

    if (d != NULL)
        memcpy(d, s, len);
    return d;
}

simdepth_status simdepth_i_enomem(simdepth_error *err, const char *what)
{
    return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
                                "out of memory while allocating %s", what);
}
