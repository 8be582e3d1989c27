/* simdepth — partitions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "simdepth/partition.h"
#include "internal.h"

simdepth_status simdepth_partition_new(size_t n, const char *method,
                                       simdepth_partition **out,
                                       simdepth_error *err)
{
    simdepth_partition *p = simdepth_i_calloc(1, sizeof *p);

    if (p == NULL)
        return simdepth_i_enomem(err, "a partition");
    p->labels = simdepth_i_calloc(n, sizeof *p->labels);
    if (p->labels == NULL) {
        free(p);
        return simdepth_i_enomem(err, "partition labels");
    }
    p->n = n;
    p->n_clusters = n > 0 ? 1 : 0;
    snprintf(p->method, sizeof p->method, "%s", method ? method : "");
    *out = p;
    return SIMDEPTH_OK;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void simdepth_partition_recount(simdepth_partition *p)
{
    int32_t *tmp;
    size_t i, k = 0;

    if (p->n == 0) {
        p->n_clusters = 0;
        return;
    }
    tmp = simdepth_i_malloc_array(p->n, sizeof *tmp);
    if (tmp == NULL) {
        /* Quadratic fallback needs no memory. */
        size_t j;
        for (i = 0; i < p->n; i++) {
            for (j = 0; j < i && p->labels[j] != p->labels[i]; j++)
                ;
            k += (j == i);
        }
        p->n_clusters = k;
        return;
    }
    memcpy(tmp, p->labels, p->n * sizeof *tmp);
    qsort(tmp, p->n, sizeof *tmp, cmp_i32);
    for (i = 0; i < p->n; i++)
        k += (i == 0 || tmp[i] != tmp[i - 1]);
    free(tmp);
    p->n_clusters = k;
}

void simdepth_partition_free(simdepth_partition *p)
{
    if (p == NULL)
        return;
    free(p->labels);
    free(p->exemplars);
    free(p);
}
