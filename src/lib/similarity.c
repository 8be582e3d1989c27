/* simdepth — class similarity matrices. */
#include "config.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/similarity.h"
#include "internal.h"

/* Normalise every row to unit L2 norm (accumulating in double). */
simdepth_status simdepth_i_normalise_rows(simdepth_matrix *t, simdepth_error *err)
{
    size_t r, c, rows = simdepth_matrix_rows(t), cols = simdepth_matrix_cols(t);

    for (r = 0; r < rows; r++) {
        double ss = 0.0, inv;
        if (simdepth_matrix_dtype(t) == SIMDEPTH_F32) {
            float *row = (float *)simdepth_matrix_data(t) + r * cols;
            for (c = 0; c < cols; c++)
                ss += (double)row[c] * row[c];
            if (!(ss > 0.0) || !isfinite(ss))
                goto bad;
            inv = 1.0 / sqrt(ss);
            for (c = 0; c < cols; c++)
                row[c] = (float)(row[c] * inv);
        } else {
            double *row = (double *)simdepth_matrix_data(t) + r * cols;
            for (c = 0; c < cols; c++)
                ss += row[c] * row[c];
            if (!(ss > 0.0) || !isfinite(ss))
                goto bad;
            inv = 1.0 / sqrt(ss);
            for (c = 0; c < cols; c++)
                row[c] *= inv;
        }
        continue;
    bad:
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, (long)r + 1, 0, -1,
            "template of class %zu (row %zu) has %s norm; cosine similarity needs non-zero finite rows",
            r, r + 1, ss > 0.0 ? "an infinite" : "zero");
    }
    return SIMDEPTH_OK;
}

/* Tiles of this many rows and columns keep a transposed access within the
 * cache: an element-by-element mirror of a 21,843-class matrix misses on
 * every read. */
#define TILE 64

/* o[i][j] = o[j][i] for j < i, tile by tile. */
#define MIRROR(o)                                                           \
    do {                                                                    \
        size_t ib_, jb_, i_, j_;                                            \
        for (ib_ = 0; ib_ < n; ib_ += TILE)                                 \
            for (jb_ = 0; jb_ <= ib_; jb_ += TILE)                          \
                for (i_ = ib_; i_ < n && i_ < ib_ + TILE; i_++)             \
                    for (j_ = jb_; j_ < i_ && j_ < jb_ + TILE; j_++)        \
                        (o)[i_ * n + j_] = (o)[j_ * n + i_];                \
    } while (0)

/* The cosine matrix of the rows of @t, normalised here in place. */
static simdepth_status cosine_of(simdepth_matrix *t, simdepth_matrix **out, simdepth_error *err)
{
    simdepth_matrix *s = NULL;
    simdepth_dtype dt = simdepth_matrix_dtype(t);
    size_t n = simdepth_matrix_rows(t), d = simdepth_matrix_cols(t);
    simdepth_status st;

    if (n == 0 || d == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "templates matrix is empty (%zu x %zu)", n, d);
    if (n > (size_t)INT32_MAX || d > (size_t)INT32_MAX)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, NULL, 0, 0, -1,
                                    "templates matrix %zu x %zu exceeds BLAS index range",
                                    n, d);
    st = simdepth_i_normalise_rows(t, err);
    if (st != SIMDEPTH_OK)
        return st;
    st = simdepth_matrix_new(n, n, dt, &s, err);
    if (st != SIMDEPTH_OK)
        return st;
    /* Upper triangle of T T^T, then mirrored: exact symmetry. */
    if (dt == SIMDEPTH_F32) {
        float *o = simdepth_matrix_data(s);
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d,
                    1.0f, simdepth_matrix_cdata(t), (int)d, 0.0f, o, (int)n);
        MIRROR(o);
    } else {
        double *o = simdepth_matrix_data(s);
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d,
                    1.0, simdepth_matrix_cdata(t), (int)d, 0.0, o, (int)n);
        MIRROR(o);
    }
    *out = s;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_similarity_cosine(const simdepth_matrix *templates,
                                           simdepth_matrix **out,
                                           simdepth_error *err)
{
    simdepth_matrix *t = NULL;
    simdepth_status st;

    if (simdepth_matrix_rows(templates) == 0 || simdepth_matrix_cols(templates) == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "templates matrix is empty (%zu x %zu)",
                                    simdepth_matrix_rows(templates),
                                    simdepth_matrix_cols(templates));
    st = simdepth_matrix_convert(templates, simdepth_matrix_dtype(templates), &t, err);
    if (st == SIMDEPTH_OK)
        st = cosine_of(t, out, err);
    simdepth_matrix_free(t);
    return st;
}

simdepth_status simdepth_similarity_cosine_inplace(simdepth_matrix *templates,
                                                   simdepth_matrix **out,
                                                   simdepth_error *err)
{
    return cosine_of(templates, out, err);
}

void simdepth_similarity_set_diagonal(simdepth_matrix *s, double value)
{
    size_t i, n = simdepth_matrix_rows(s);

    for (i = 0; i < n && i < simdepth_matrix_cols(s); i++)
        simdepth_matrix_set(s, i, i, value);
}

simdepth_status simdepth_similarity_minmax(simdepth_matrix *s,
                                           simdepth_error *err)
{
    size_t k, n = simdepth_matrix_rows(s), count;

    if (n == 0 || n != simdepth_matrix_cols(s))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "similarity matrix is %zu x %zu; expected a square matrix",
                                    n, simdepth_matrix_cols(s));
    count = n * n;
    if (simdepth_matrix_dtype(s) == SIMDEPTH_F32) {
        float *v = simdepth_matrix_data(s), mn = v[0], mx = v[0], range;
        for (k = 1; k < count; k++) {
            if (v[k] < mn)
                mn = v[k];
            if (v[k] > mx)
                mx = v[k];
        }
        range = mx - mn;
        if (!(range > 0.0f))
            goto constant;
        for (k = 0; k < count; k++)
            v[k] = (v[k] - mn) / range;
    } else {
        double *v = simdepth_matrix_data(s), mn = v[0], mx = v[0], range;
        for (k = 1; k < count; k++) {
            if (v[k] < mn)
                mn = v[k];
            if (v[k] > mx)
                mx = v[k];
        }
        range = mx - mn;
        if (!(range > 0.0))
            goto constant;
        for (k = 0; k < count; k++)
            v[k] = (v[k] - mn) / range;
    }
    simdepth_similarity_set_diagonal(s, 1.0);
    return SIMDEPTH_OK;
constant:
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                "similarity matrix is constant; min-max scaling needs a range "
                                "(use --scaling none)");
}

/* 1 and the first (row-major) position of a negative value of the square
 * matrix @m, or 0. */
static int first_negative(const simdepth_matrix *m, size_t *row, size_t *col)
{
    size_t k, n = simdepth_matrix_rows(m), len = n * n;

    if (simdepth_matrix_dtype(m) == SIMDEPTH_F32) {
        const float *v = simdepth_matrix_cdata(m);
        for (k = 0; k < len && !(v[k] < 0.0f); k++)
            ;
    } else {
        const double *v = simdepth_matrix_cdata(m);
        for (k = 0; k < len && !(v[k] < 0.0); k++)
            ;
    }
    if (k == len)
        return 0;
    *row = k / n;
    *col = k % n;
    return 1;
}

/* (R + R^T) / 2 of the row-normalised confusion matrix into @o, one type
 * T. A row is divided by its sum (accumulated in double, in column order)
 * unless the sum is 0 or within 1e-6 of 1; in float32 the division is by
 * the sum rounded to float32. Element (i, j) is (r_ij + r_ji) / 2 computed
 * from the normalised values, exactly as normalising a copy first would;
 * @scale holds n values. */
#define FUNCTIONAL_INTO(T)                                                  \
    do {                                                                    \
        const T *a = simdepth_matrix_cdata(confusion);                      \
        T *o = simdepth_matrix_data(dst);                                   \
        T *inv = (T *)scale;                                                \
        unsigned char *keep = flags;                                        \
                                                                            \
        for (i = 0; i < n; i++) {                                           \
            double sum = 0.0;                                               \
            for (j = 0; j < n; j++)                                         \
                sum += a[i * n + j];                                        \
            keep[i] = !(sum > 0.0 && fabs(sum - 1.0) > 1e-6);               \
            inv[i] = (T)sum;                                                \
        }                                                                   \
        for (ib = 0; ib < n; ib += TILE)                                    \
            for (jb = ib; jb < n; jb += TILE)                               \
                for (i = ib; i < n && i < ib + TILE; i++)                   \
                    for (j = jb > i ? jb : i; j < n && j < jb + TILE; j++) { \
                        T x = keep[i] ? a[i * n + j] : a[i * n + j] / inv[i]; \
                        T y = keep[j] ? a[j * n + i] : a[j * n + i] / inv[j]; \
                        o[i * n + j] = o[j * n + i] = (x + y) / (T)2;       \
                    }                                                       \
    } while (0)

simdepth_status simdepth_i_similarity_functional_into(const simdepth_matrix *confusion,
                                                      simdepth_matrix *dst,
                                                      simdepth_error *err)
{
    size_t i, j, ib, jb, n = simdepth_matrix_rows(confusion);
    simdepth_dtype dt = simdepth_matrix_dtype(confusion);
    double *scale = NULL;
    unsigned char *flags = NULL;

    if (n == 0 || n != simdepth_matrix_cols(confusion))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "confusion matrix is %zu x %zu; expected a square matrix",
                                    n, simdepth_matrix_cols(confusion));
    if (simdepth_matrix_rows(dst) != n || simdepth_matrix_cols(dst) != n ||
        simdepth_matrix_dtype(dst) != dt)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "functional similarity: the output is not a %zu x %zu "
                                    "matrix of the confusion matrix's type", n, n);
    if (first_negative(confusion, &i, &j))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, (long)i + 1, (long)j + 1, -1,
            "negative confusion value at row %zu, column %zu; expected counts or rates",
            i + 1, j + 1);
    scale = simdepth_i_malloc_array(n, sizeof *scale);
    flags = simdepth_i_malloc_array(n, sizeof *flags);
    if (scale == NULL || flags == NULL) {
        free(scale);
        free(flags);
        return simdepth_i_enomem(err, "functional similarity");
    }
    if (dt == SIMDEPTH_F32)
        FUNCTIONAL_INTO(float);
    else
        FUNCTIONAL_INTO(double);
    free(scale);
    free(flags);
    simdepth_similarity_set_diagonal(dst, 1.0);
    return SIMDEPTH_OK;
}

#undef FUNCTIONAL_INTO

simdepth_status simdepth_similarity_functional(const simdepth_matrix *confusion,
                                               simdepth_matrix **out,
                                               simdepth_error *err)
{
    simdepth_matrix *s = NULL;
    size_t n = simdepth_matrix_rows(confusion);
    simdepth_status st;

    if (n == 0 || n != simdepth_matrix_cols(confusion))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "confusion matrix is %zu x %zu; expected a square matrix",
                                    n, simdepth_matrix_cols(confusion));
    st = simdepth_matrix_new(n, n, simdepth_matrix_dtype(confusion), &s, err);
    if (st == SIMDEPTH_OK)
        st = simdepth_i_similarity_functional_into(confusion, s, err);
    if (st != SIMDEPTH_OK) {
        simdepth_matrix_free(s);
        return st;
    }
    *out = s;
    return SIMDEPTH_OK;
}

double simdepth_confusion_rate(const simdepth_matrix *confusion, size_t a,
                               size_t b)
{
    size_t j, n = simdepth_matrix_cols(confusion);
    double sum = 0.0;

    for (j = 0; j < n; j++)
        sum += simdepth_matrix_get(confusion, a, j);
    return sum > 0.0 ? simdepth_matrix_get(confusion, a, b) / sum : 0.0;
}
