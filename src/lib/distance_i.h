/* simdepth — private: reading a similarity matrix as the distance 1 - S,
 * row by row, without a copy (OPTICS and HDBSCAN). Not installed. */
#ifndef SIMDEPTH_DISTANCE_I_H
#define SIMDEPTH_DISTANCE_I_H

#include <stddef.h>

#include "simdepth/matrix.h"

typedef struct simdepth_i_dist_view {
    const float *f;  /* float32 similarities, or NULL */
    const double *d; /* float64 similarities, or NULL */
    size_t n;
} simdepth_i_dist_view;

static inline simdepth_i_dist_view simdepth_i_dist_view_of(const simdepth_matrix *s)
{
    simdepth_i_dist_view v;

    v.n = simdepth_matrix_rows(s);
    v.f = NULL;
    v.d = NULL;
    if (simdepth_matrix_dtype(s) == SIMDEPTH_F32)
        v.f = simdepth_matrix_cdata(s);
    else
        v.d = simdepth_matrix_cdata(s);
    return v;
}

/* Row i of the distance 1 - S into @row (n doubles). */
static inline void simdepth_i_dist_row(const simdepth_i_dist_view *v, size_t i, double *row)
{
    size_t j, n = v->n;

    if (v->f != NULL) {
        const float *r = v->f + i * n;
        for (j = 0; j < n; j++)
            row[j] = 1.0 - (double)r[j];
    } else {
        const double *r = v->d + i * n;
        for (j = 0; j < n; j++)
            row[j] = 1.0 - r[j];
    }
}

#endif
