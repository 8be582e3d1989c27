/* simdepth — dense matrices. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/matrix.h"
#include "internal.h"

struct simdepth_matrix {
    size_t rows;
    size_t cols;
    simdepth_dtype dtype;
    void *data;
};

static size_t dtype_size(simdepth_dtype dtype)
{
    return dtype == SIMDEPTH_F32 ? sizeof(float) : sizeof(double);
}

simdepth_status simdepth_matrix_new(size_t rows, size_t cols,
                                    simdepth_dtype dtype,
                                    simdepth_matrix **out,
                                    simdepth_error *err)
{
    simdepth_matrix *m;

    if (dtype != SIMDEPTH_F32 && dtype != SIMDEPTH_F64)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown matrix element type %d",
                                    (int)dtype);
    if (simdepth_i_mul_overflows(rows, cols) ||
        simdepth_i_mul_overflows(rows * cols, dtype_size(dtype)))
        return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
                                    "a %zu x %zu matrix does not fit in memory",
                                    rows, cols);
    m = simdepth_i_malloc(sizeof *m);
    if (m == NULL)
        return simdepth_i_enomem(err, "a matrix");
    m->data = simdepth_i_calloc(rows * cols, dtype_size(dtype));
    if (m->data == NULL) {
        free(m);
        return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
                                    "out of memory for a %zu x %zu matrix",
                                    rows, cols);
    }
    m->rows = rows;
    m->cols = cols;
    m->dtype = dtype;
    *out = m;
    return SIMDEPTH_OK;
}

void simdepth_matrix_free(simdepth_matrix *m)
{
    if (m == NULL)
        return;
    free(m->data);
    free(m);
}

size_t simdepth_matrix_rows(const simdepth_matrix *m) { return m->rows; }
size_t simdepth_matrix_cols(const simdepth_matrix *m) { return m->cols; }
simdepth_dtype simdepth_matrix_dtype(const simdepth_matrix *m) { return m->dtype; }
void *simdepth_matrix_data(simdepth_matrix *m) { return m->data; }
const void *simdepth_matrix_cdata(const simdepth_matrix *m) { return m->data; }

double simdepth_matrix_get(const simdepth_matrix *m, size_t i, size_t j)
{
    size_t k = i * m->cols + j;

    if (m->dtype == SIMDEPTH_F32)
        return ((const float *)m->data)[k];
    return ((const double *)m->data)[k];
}

void simdepth_matrix_set(simdepth_matrix *m, size_t i, size_t j, double v)
{
    size_t k = i * m->cols + j;

    if (m->dtype == SIMDEPTH_F32)
        ((float *)m->data)[k] = (float)v;
    else
        ((double *)m->data)[k] = v;
}

simdepth_status simdepth_matrix_convert(const simdepth_matrix *m,
                                        simdepth_dtype dtype,
                                        simdepth_matrix **out,
                                        simdepth_error *err)
{
    simdepth_matrix *c = NULL;
    simdepth_status st;
    size_t k, n = m->rows * m->cols;

    st = simdepth_matrix_new(m->rows, m->cols, dtype, &c, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (dtype == m->dtype) {
        memcpy(c->data, m->data, n * dtype_size(dtype));
    } else if (dtype == SIMDEPTH_F64) {
        const float *s = m->data;
        double *d = c->data;
        for (k = 0; k < n; k++)
            d[k] = s[k];
    } else {
        const double *s = m->data;
        float *d = c->data;
        for (k = 0; k < n; k++)
            d[k] = (float)s[k];
    }
    *out = c;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_matrix_check_finite(const simdepth_matrix *m,
                                             const char *name,
                                             simdepth_error *err)
{
    size_t k, n = m->rows * m->cols;

    for (k = 0; k < n; k++) {
        double v = simdepth_matrix_get(m, k / m->cols, k % m->cols);
        if (!isfinite(v))
            return simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, name, (long)(k / m->cols + 1),
                (long)(k % m->cols + 1), -1,
                "value %s at row %zu, column %zu; expected a finite number",
                isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"),
                k / m->cols + 1, k % m->cols + 1);
    }
    return SIMDEPTH_OK;
}
