/* simdepth — agglomerative hierarchical clustering equal to SciPy's
 * scipy.cluster.hierarchy (Debian python3-scipy 1.10.1), and what is derived
 * from a linkage matrix: cophenetic distances and correlation, flat clusters,
 * leaf orders and the optimal leaf ordering.
 *
 * Exact agreement with SciPy, ties included, comes from running the same
 * algorithms with the same loop orders, strict comparisons and
 * floating-point expressions:
 *   - single: Prim's minimum spanning tree grown from item 0
 *     (mst_single_linkage), rows then stably sorted by height and relabelled;
 *   - complete, average, weighted, ward: the nearest-neighbour chain
 *     (nn_chain), started at the lowest live index, preferring the previous
 *     chain element on ties, then the same sort and relabelling;
 *   - centroid, median: Müllner's generic algorithm (fast_linkage) with
 *     SciPy's binary heap, rows in merge order.
 * The Lance-Williams updates keep SciPy's operand order, so the heights are
 * equal bit for bit when the compiler does not contract a*b+c into an FMA
 * (the build uses -ffp-contract=off).
 *
 * The working distances live in a condensed array of double or float; the
 * algorithm bodies are written once with a constant "f32" flag and forced
 * inline into one wrapper per type, so the inner loops carry no type test.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "simdepth/linkage.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"
#include "internal.h"

#if defined(__GNUC__)
#define LK_INLINE static inline __attribute__((always_inline))
#else
#define LK_INLINE static inline
#endif

/* SciPy's "infinity" in the optimal leaf ordering: 2^30 as a float. */
#define OLO_BIG 1073741824.0f

/* NumPy's reduction buffer: sums run pairwise inside blocks of this many
 * elements and sequentially across blocks. */
#define NP_BUFSIZE 8192
/* NumPy's pairwise-summation block (PW_BLOCKSIZE). */
#define NP_PW_BLOCK 128

static const char *const method_names[] = {
    "single", "complete", "average", "weighted", "centroid", "median", "ward",
};

const char *simdepth_linkage_method_name(simdepth_linkage_method method)
{
    if ((unsigned)method < sizeof method_names / sizeof method_names[0])
        return method_names[method];
    return "unknown";
}

simdepth_status simdepth_linkage_method_parse(const char *name,
                                              simdepth_linkage_method *out,
                                              simdepth_error *err)
{
    size_t i;

    for (i = 0; name != NULL && i < sizeof method_names / sizeof method_names[0]; i++)
        if (strcmp(name, method_names[i]) == 0) {
            *out = (simdepth_linkage_method)i;
            return SIMDEPTH_OK;
        }
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                "unknown linkage method '%s'; expected single, complete, "
                                "average, weighted, centroid, median or ward",
                                name != NULL ? name : "(null)");
}

size_t simdepth_condensed_size(size_t n)
{
    return n < 2 ? 0 : n * (n - 1) / 2;
}

/* Position of (i, j), i < j. */
static inline size_t cidx(size_t n, size_t i, size_t j)
{
    return n * i - i * (i + 1) / 2 + (j - i - 1);
}

size_t simdepth_condensed_index(size_t n, size_t i, size_t j)
{
    return i < j ? cidx(n, i, j) : cidx(n, j, i);
}

/* ---- condensed storage ------------------------------------------------ */

LK_INLINE double dget(const void *d, int f32, size_t k)
{
    return f32 ? (double)((const float *)d)[k] : ((const double *)d)[k];
}

LK_INLINE void dput(void *d, int f32, size_t k, double v)
{
    if (f32)
        ((float *)d)[k] = (float)v;
    else
        ((double *)d)[k] = v;
}

static simdepth_status check_dtype(simdepth_dtype dtype, simdepth_error *err)
{
    if (dtype != SIMDEPTH_F64 && dtype != SIMDEPTH_F32)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown element type %d for condensed distances; "
                                    "expected SIMDEPTH_F64 or SIMDEPTH_F32",
                                    (int)dtype);
    return SIMDEPTH_OK;
}

static simdepth_status check_rule(simdepth_distance_rule rule, simdepth_error *err)
{
    if (rule != SIMDEPTH_DISTANCE_ONE_MINUS && rule != SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP &&
        rule != SIMDEPTH_DISTANCE_MAX_MINUS)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown distance rule %d", (int)rule);
    return SIMDEPTH_OK;
}

/* n must allow int cluster sizes (as SciPy's) and n * n in size_t, so that
 * every condensed index computation is exact. */
static simdepth_status check_n(size_t n, simdepth_error *err)
{
    if (n < 2)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "linkage needs at least 2 items, got %zu", n);
    if (n > (size_t)INT_MAX || simdepth_i_mul_overflows(n, n))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "too many items for a linkage: %zu", n);
    return SIMDEPTH_OK;
}

/* ---- from similarity --------------------------------------------------- */

LK_INLINE double sim_at(const void *data, int f32, size_t n, size_t i, size_t j)
{
    return dget(data, f32, i * n + j);
}

static simdepth_status sim_bad(simdepth_error *err, size_t i, size_t j, double a, double b)
{
    if (!isfinite(a) || !isfinite(b)) {
        size_t r = isfinite(a) ? j : i, c = isfinite(a) ? i : j;
        double v = isfinite(a) ? b : a;
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)r + 1, (long)c + 1, -1,
                                    "similarity S[%zu][%zu] is %s; linkage needs finite values "
                                    "off the diagonal",
                                    r, c, isnan(v) ? "NaN" : "infinite");
    }
    if (a != b)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1, (long)j + 1, -1,
                                    "similarity is not symmetric: S[%zu][%zu] = %.17g but "
                                    "S[%zu][%zu] = %.17g",
                                    i, j, a, j, i, b);
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1, (long)j + 1, -1,
                                "similarity S[%zu][%zu] = %.17g is above 1, so 1 - S would be "
                                "a negative distance; use the clamped or max-minus rule",
                                i, j, a);
}

/* The distance of similarity @a under @rule; @top is the largest
 * similarity off the diagonal (max-minus). */
LK_INLINE double rule_distance(simdepth_distance_rule rule, double a, double top)
{
    double d;

    if (rule == SIMDEPTH_DISTANCE_MAX_MINUS)
        return top - a;
    d = 1.0 - a;
    if (rule == SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP && d < 0.0)
        d = 0.0;
    return d;
}

/* One pass over the strict upper triangle in tiles (so the transposed reads
 * S[j][i] stay in cache): check finiteness and symmetry, and write the
 * distances. f32 and of32 are constants in each inlined copy. */
LK_INLINE simdepth_status sim_fill(const void *data, int f32, int of32, size_t n,
                                   simdepth_distance_rule rule, double mx, void *y,
                                   simdepth_error *err)
{
    const size_t B = 64;
    size_t bi, bj, i, j;

    for (bi = 0; bi < n; bi += B)
        for (bj = bi; bj < n; bj += B)
            for (i = bi; i < bi + B && i < n; i++) {
                size_t j0 = bj > i + 1 ? bj : i + 1, k;
                if (j0 >= n || j0 >= bj + B)
                    continue;
                k = cidx(n, i, j0);
                for (j = j0; j < bj + B && j < n; j++, k++) {
                    double a = sim_at(data, f32, n, i, j), b = sim_at(data, f32, n, j, i);
                    if (!(a == b) || !isfinite(a) || (rule == SIMDEPTH_DISTANCE_ONE_MINUS && a > 1.0))
                        return sim_bad(err, i, j, a, b);
                    dput(y, of32, k, rule_distance(rule, a, mx));
                }
            }
    return SIMDEPTH_OK;
}

static simdepth_status sim_fill_any(const void *data, int f32, int of32, size_t n,
                                    simdepth_distance_rule rule, double mx, void *y,
                                    simdepth_error *err)
{
    if (f32)
        return of32 ? sim_fill(data, 1, 1, n, rule, mx, y, err)
                    : sim_fill(data, 1, 0, n, rule, mx, y, err);
    return of32 ? sim_fill(data, 0, 1, n, rule, mx, y, err)
                : sim_fill(data, 0, 0, n, rule, mx, y, err);
}

simdepth_status simdepth_linkage_condensed_from_similarity(
    const simdepth_matrix *s, simdepth_distance_rule rule,
    simdepth_dtype dtype, void **out, simdepth_error *err)
{
    size_t n, i, j;
    const void *data;
    int f32, of32;
    double mx = -INFINITY;
    void *y;
    simdepth_status st;

    if (s == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no similarity matrix or output given");
    if ((st = check_dtype(dtype, err)) != SIMDEPTH_OK)
        return st;
    if ((st = check_rule(rule, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(s);
    if (simdepth_matrix_cols(s) != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "similarity matrix is %zu x %zu; expected a square one",
                                    n, simdepth_matrix_cols(s));
    if ((st = check_n(n, err)) != SIMDEPTH_OK)
        return st;
    data = simdepth_matrix_cdata(s);
    f32 = simdepth_matrix_dtype(s) == SIMDEPTH_F32;
    of32 = dtype == SIMDEPTH_F32;
    if (rule == SIMDEPTH_DISTANCE_MAX_MINUS)
        for (i = 0; i + 1 < n; i++)
            for (j = i + 1; j < n; j++) {
                double v = sim_at(data, f32, n, i, j);
                if (v > mx)
                    mx = v; /* NaN is caught by sim_fill */
            }
    y = simdepth_i_malloc_array(simdepth_condensed_size(n), of32 ? sizeof(float) : sizeof(double));
    if (y == NULL)
        return simdepth_i_enomem(err, "condensed distances");
    if ((st = sim_fill_any(data, f32, of32, n, rule, mx, y, err)) != SIMDEPTH_OK) {
        free(y);
        return st;
    }
    *out = y;
    return SIMDEPTH_OK;
}

/* ---- from templates ---------------------------------------------------- */

/* The templates' rows scaled to unit L2 norm, in their own element type,
 * with the arithmetic of simdepth_similarity_cosine() (sum of squares in
 * double, each element multiplied by 1 / sqrt of it and rounded once), so
 * that the products are the cosines that function computes. */
static simdepth_status unit_rows(const simdepth_matrix *t, simdepth_matrix **out,
                                 simdepth_error *err)
{
    simdepth_matrix *u = NULL;
    simdepth_status st;

    if ((st = simdepth_matrix_convert(t, simdepth_matrix_dtype(t), &u, err)) != SIMDEPTH_OK)
        return st;
    if ((st = simdepth_i_normalise_rows(u, err)) != SIMDEPTH_OK) {
        simdepth_matrix_free(u);
        return st;
    }
    *out = u;
    return SIMDEPTH_OK;
}

/* Rows of templates per product: block rows i0 .. i0 + B - 1 against rows
 * i0 .. n - 1 (their part of the upper triangle, plus a B x B corner below
 * the diagonal that is thrown away), at most about 32 MiB of product. */
static size_t tblock_rows(size_t n, size_t esz)
{
    size_t b = ((size_t)32 << 20) / (n * esz);

    if (b > 512)
        b = 512;
    if (b < 64)
        b = 64;
    return b < n ? b : n;
}

/* Pass 1: the raw cosines of the upper triangle into y, and the smallest
 * and largest cosine (diagonal included, as simdepth_similarity_minmax()
 * scans the whole matrix) and the largest off the diagonal.
 *
 * A block's product (rows x cols, cols = n - i0) is written by ?gemm
 * straight into y where the block's condensed rows begin, when y has room
 * for it there (it overruns the block's own rows by a triangle of
 * rows (rows + 1) / 2 elements, which later blocks overwrite), and then
 * moved down into condensed order: every element moves to a lower or
 * equal position, row after row, so one forward copy suffices. BLAS's own
 * threads thus touch y first, sharing the cost of the fresh pages, and no
 * copy buffer is needed but for the last blocks (and for a y of another
 * element type than the templates). */
static simdepth_status cosines_pass(const simdepth_matrix *u, int of32, void *y, double *mn,
                                    double *mx, double *omx, simdepth_error *err)
{
    size_t n = simdepth_matrix_rows(u), dd = simdepth_matrix_cols(u);
    size_t m = simdepth_condensed_size(n);
    int tf32 = simdepth_matrix_dtype(u) == SIMDEPTH_F32, same = tf32 == of32;
    size_t esz = tf32 ? sizeof(float) : sizeof(double), b = tblock_rows(n, esz);
    size_t i0, r, j, k = 0;
    /* Same types: only blocks within 2b + 1 rows of the end need it. */
    void *buf = simdepth_i_malloc_array(b * (same && 2 * b + 1 < n ? 2 * b + 1 : n), esz);

    if (buf == NULL)
        return simdepth_i_enomem(err, "cosine block buffer");
    *mn = INFINITY;
    *mx = -INFINITY;
    *omx = -INFINITY;
    for (i0 = 0; i0 < n; i0 += b) {
        size_t rows = n - i0 < b ? n - i0 : b, cols = n - i0;
        int direct = same && k + rows * cols <= m; /* k: where row i0 begins */
        void *c = direct ? (char *)y + k * esz : buf;
        if (tf32) {
            const float *a = (const float *)simdepth_matrix_cdata(u) + i0 * dd;
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)cols, (int)dd,
                        1.0f, a, (int)dd, a, (int)dd, 0.0f, c, (int)cols);
        } else {
            const double *a = (const double *)simdepth_matrix_cdata(u) + i0 * dd;
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)cols, (int)dd,
                        1.0, a, (int)dd, a, (int)dd, 0.0, c, (int)cols);
        }
        for (r = 0; r < rows; r++) {
            size_t i = i0 + r, off = r * cols + r; /* the diagonal element */
            double v = dget(c, tf32, off);
            double lo = v < *mn ? v : *mn, hi = v > *mx ? v : *mx, ohi = *omx;
            if (!isfinite(v)) { /* cannot happen with finite unit rows */
                free(buf);
                return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1,
                                            (long)i + 1, -1,
                                            "cosine similarity of class %zu with itself is "
                                            "not finite", i);
            }
            /* In place (direct), position k <= off + j: never ahead. */
            for (j = 1; i + j < n; j++, k++) {
                v = dget(c, tf32, off + j);
                if (v < lo)
                    lo = v;
                if (v > hi)
                    hi = v;
                if (v > ohi)
                    ohi = v;
                dput(y, of32, k, v);
            }
            *mn = lo;
            *mx = hi;
            *omx = ohi;
        }
    }
    free(buf);
    return SIMDEPTH_OK;
}

/* The mean and the sum of squared deviations of len values of y from k,
 * two passes (the values are in cache for the second), folded into the
 * running (count, mean, m2) as Chan, Golub and LeVeque's pairwise update:
 * no cancellation however large the mean. */
static void moments_add(const void *y, int f32, size_t k, size_t len, size_t *count,
                        double *mean, double *m2)
{
    double s = 0.0, rm, rm2 = 0.0, delta;
    size_t j, tot = *count + len;

    for (j = 0; j < len; j++)
        s += dget(y, f32, k + j);
    rm = s / (double)len;
    for (j = 0; j < len; j++) {
        double v = dget(y, f32, k + j) - rm;
        rm2 += v * v;
    }
    delta = rm - *mean;
    *mean += delta * ((double)len / (double)tot);
    *m2 += rm2 + delta * delta * ((double)*count * (double)len / (double)tot);
    *count = tot;
}

/* Pass 2: raw cosines to distances in place, with the scaling and the
 * checks of simdepth_similarity_minmax() and
 * simdepth_linkage_condensed_from_similarity(). tf32: the scaling in
 * float arithmetic, as for a float32 similarity matrix. With mom, the
 * moments of the result, row by row while the row is in cache. */
LK_INLINE simdepth_status distances_pass(void *y, int of32, int tf32, size_t n, int minmax,
                                         simdepth_distance_rule rule, double mn, double mx,
                                         double omx, simdepth_condensed_moments *mom,
                                         simdepth_error *err)
{
    float fmn = (float)mn, frange = (float)mx - (float)mn;
    double range = mx - mn, top, mean = 0.0, m2 = 0.0;
    size_t i, j, k = 0, count = 0;

    if (minmax && (tf32 ? !(frange > 0.0f) : !(range > 0.0)))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "similarity matrix is constant; min-max scaling needs a "
                                    "range (use --scaling none)");
    /* The largest scaled similarity off the diagonal, for max-minus: the
     * scaling is monotone, so it is the scaled largest cosine. */
    if (!minmax)
        top = omx;
    else
        top = tf32 ? (double)(((float)omx - fmn) / frange) : (omx - mn) / range;
    for (i = 0; i + 1 < n; i++) {
        size_t k0 = k;
        for (j = i + 1; j < n; j++, k++) {
            double a = dget(y, of32, k);
            if (minmax)
                a = tf32 ? (double)(((float)a - fmn) / frange) : (a - mn) / range;
            if (!isfinite(a) || (rule == SIMDEPTH_DISTANCE_ONE_MINUS && a > 1.0))
                return sim_bad(err, i, j, a, a);
            dput(y, of32, k, rule_distance(rule, a, top));
        }
        if (mom != NULL)
            moments_add(y, of32, k0, k - k0, &count, &mean, &m2);
    }
    if (mom != NULL) {
        mom->count = count;
        mom->mean = mean;
        mom->m2 = m2;
    }
    return SIMDEPTH_OK;
}

simdepth_status simdepth_linkage_condensed_from_templates(
    const simdepth_matrix *templates, int minmax, simdepth_distance_rule rule,
    simdepth_dtype dtype, void **out, simdepth_condensed_moments *moments,
    simdepth_error *err)
{
    simdepth_matrix *u = NULL;
    size_t n, dd;
    int of32, tf32;
    double mn = 0.0, mx = 0.0, omx = 0.0;
    simdepth_condensed_moments mom;
    void *y = NULL;
    simdepth_status st;

    if (templates == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no templates or output given");
    if ((st = check_dtype(dtype, err)) != SIMDEPTH_OK)
        return st;
    if ((st = check_rule(rule, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(templates);
    dd = simdepth_matrix_cols(templates);
    if (dd == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "templates matrix is empty (%zu x %zu)", n, dd);
    if ((st = check_n(n, err)) != SIMDEPTH_OK)
        return st;
    if (dd > (size_t)INT_MAX)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, NULL, 0, 0, -1,
                                    "templates matrix %zu x %zu exceeds BLAS index range", n,
                                    dd);
    of32 = dtype == SIMDEPTH_F32;
    tf32 = simdepth_matrix_dtype(templates) == SIMDEPTH_F32;
    if ((st = unit_rows(templates, &u, err)) != SIMDEPTH_OK)
        return st;
    y = simdepth_i_malloc_array(simdepth_condensed_size(n), of32 ? sizeof(float) : sizeof(double));
    if (y == NULL) {
        st = simdepth_i_enomem(err, "condensed distances");
        goto out;
    }
    if ((st = cosines_pass(u, of32, y, &mn, &mx, &omx, err)) != SIMDEPTH_OK)
        goto out;
    simdepth_matrix_free(u);
    u = NULL;
    if (tf32)
        st = of32 ? distances_pass(y, 1, 1, n, minmax, rule, mn, mx, omx, &mom, err)
                  : distances_pass(y, 0, 1, n, minmax, rule, mn, mx, omx, &mom, err);
    else
        st = of32 ? distances_pass(y, 1, 0, n, minmax, rule, mn, mx, omx, &mom, err)
                  : distances_pass(y, 0, 0, n, minmax, rule, mn, mx, omx, &mom, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (moments != NULL)
        *moments = mom;
    *out = y;
    y = NULL;
out:
    free(y);
    simdepth_matrix_free(u);
    return st;
}

/* ---- Lance-Williams updates, in SciPy's operand order ------------------ */

LK_INLINE double lw_update(simdepth_linkage_method m, double dxi, double dyi,
                        double dxy, int nx, int ny, int ni)
{
    double t;

    switch (m) {
    case SIMDEPTH_LINKAGE_SINGLE:
        return dyi < dxi ? dyi : dxi;
    case SIMDEPTH_LINKAGE_COMPLETE:
        return dyi > dxi ? dyi : dxi;
    case SIMDEPTH_LINKAGE_AVERAGE:
        return (nx * dxi + ny * dyi) / (nx + ny);
    case SIMDEPTH_LINKAGE_WEIGHTED:
        return 0.5 * (dxi + dyi);
    case SIMDEPTH_LINKAGE_CENTROID:
        return sqrt((((nx * dxi * dxi) + (ny * dyi * dyi)) -
                     ((double)nx * ny * dxy * dxy) / (nx + ny)) /
                    (nx + ny));
    case SIMDEPTH_LINKAGE_MEDIAN:
        return sqrt(0.5 * (dxi * dxi + dyi * dyi) - 0.25 * dxy * dxy);
    case SIMDEPTH_LINKAGE_WARD:
        t = 1.0 / (nx + ny + ni);
        return sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi -
                    ni * t * dxy * dxy);
    }
    return NAN;
}

/* Raw merges before SciPy's sort and relabelling: positions a, b (items
 * standing for their clusters), height. */
typedef struct lk_rows {
    int *a;
    int *b;
    double *h;
} lk_rows;

static simdepth_status no_neighbour(simdepth_error *err, size_t x)
{
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                "cluster of item %zu has no neighbour at a finite distance: "
                                "the updates produced NaN (centroid, median and ward assume "
                                "Euclidean distances)",
                                x);
}

/* ---- single: Prim's MST from item 0 (SciPy's mst_single_linkage) ------- */

LK_INLINE simdepth_status mst_body(const void *d, int f32, size_t n, lk_rows *r,
                                   simdepth_error *err)
{
    unsigned char *merged = simdepth_i_calloc(n, 1);
    double *dm = simdepth_i_malloc_array(n, sizeof *dm);
    size_t i, k, x = 0, y = 0, idx;
    simdepth_status st = SIMDEPTH_OK;

    if (merged == NULL || dm == NULL) {
        st = simdepth_i_enomem(err, "single linkage work space");
        goto out;
    }
    for (i = 0; i < n; i++)
        dm[i] = INFINITY;
    for (k = 0; k + 1 < n; k++) {
        double cur = INFINITY;
        merged[x] = 1;
        for (i = 0, idx = x - 1; i < x; idx += n - i - 2, i++) {
            double dist;
            if (merged[i])
                continue;
            dist = dget(d, f32, idx);
            if (dm[i] > dist)
                dm[i] = dist;
            if (dm[i] < cur) {
                y = i;
                cur = dm[i];
            }
        }
        for (i = x + 1, idx = x + 1 < n ? cidx(n, x, x + 1) : 0; i < n; i++, idx++) {
            double dist;
            if (merged[i])
                continue;
            dist = dget(d, f32, idx);
            if (dm[i] > dist)
                dm[i] = dist;
            if (dm[i] < cur) {
                y = i;
                cur = dm[i];
            }
        }
        r->a[k] = (int)x;
        r->b[k] = (int)y;
        r->h[k] = cur;
        x = y;
    }
out:
    free(dm);
    free(merged);
    return st;
}

static simdepth_status mst_f64(const void *d, size_t n, lk_rows *r, simdepth_error *err)
{
    return mst_body(d, 0, n, r, err);
}

static simdepth_status mst_f32(const void *d, size_t n, lk_rows *r, simdepth_error *err)
{
    return mst_body(d, 1, n, r, err);
}

/* ---- nearest-neighbour chain (SciPy's nn_chain) ------------------------ */

/* SciPy's nn_chain gives the merges and heights, but its loop scans a
 * whole row of the condensed matrix at every step of the chain, about
 * three rows per merge; a row x is (i, x) for i < x, one entry in each
 * condensed row above it, then (x, j) for j > x, contiguous, so each scan
 * costs about n/2 cache misses. This version takes the same steps with
 * the same comparisons and updates, so float64 heights stay bit for bit
 * SciPy's and ties resolve as in SciPy, but it
 *  - keeps each row's nearest live neighbour (the first strict minimum in
 *    index order, which is what SciPy's scan returns) or, when the merge
 *    of that neighbour leaves it unknown, a lower bound of the row, and
 *    scans a row again only when the chain reaches it while it is stale
 *    (about 1.8 scans per merge besides the update, against 3);
 *  - scans the contiguous part of a row four lanes at a time;
 *  - compacts the live clusters into a smaller condensed matrix, in place
 *    and in the same order, each time half of them have died, so that the
 *    scans and updates stay on dense memory as the clusters merge;
 *  - inlines the Lance-Williams update for each method. */

#define LK_COMPACT_MIN 16 /* no compaction below this many rows */

/* The first position p of the smallest value strictly below *cur among
 * the live entries (live[p] != 0) of v[0 .. len), or -1 when there is none
 * (a NaN never is); *cur then holds that value. The same answer as the
 * scalar loop "if (live[p] && v[p] < cur) cur = v[p], found = p", in two
 * passes: the smallest value (four lanes through GCC's vector extension,
 * as affinity.c does), then its first position. */
#if defined(__GNUC__)
typedef float lk_vf __attribute__((vector_size(4 * sizeof(float))));
typedef int32_t lk_vi __attribute__((vector_size(4 * sizeof(int32_t))));
#endif

static ptrdiff_t argmin_live_f32(const float *v, const int *live, size_t len, double *cur)
{
    float c = (float)*cur, m = c; /* *cur came from a float, or is inf */
    size_t i = 0;

#if defined(__GNUC__)
    if (len >= 8 && sizeof(int) == sizeof(int32_t)) {
        lk_vf a0 = {c, c, c, c}, a1 = a0, x0, x1;
        lk_vi l0, l1, t0, t1;
        float t[4];
        for (; i + 8 <= len; i += 8) {
            memcpy(&x0, v + i, sizeof x0);
            memcpy(&x1, v + i + 4, sizeof x1);
            memcpy(&l0, live + i, sizeof l0);
            memcpy(&l1, live + i + 4, sizeof l1);
            t0 = (x0 < a0) & (l0 != 0); /* a NaN compares false */
            t1 = (x1 < a1) & (l1 != 0);
            a0 = (lk_vf)(((lk_vi)x0 & t0) | ((lk_vi)a0 & ~t0));
            a1 = (lk_vf)(((lk_vi)x1 & t1) | ((lk_vi)a1 & ~t1));
        }
        t0 = a1 < a0;
        a0 = (lk_vf)(((lk_vi)a1 & t0) | ((lk_vi)a0 & ~t0));
        memcpy(t, &a0, sizeof t);
        m = t[0];
        if (t[1] < m)
            m = t[1];
        if (t[2] < m)
            m = t[2];
        if (t[3] < m)
            m = t[3];
    }
#endif
    for (; i < len; i++)
        if (live[i] && v[i] < m)
            m = v[i];
    if (!(m < c))
        return -1;
    for (i = 0; !(live[i] && v[i] == m); i++)
        ;
    *cur = m;
    return (ptrdiff_t)i;
}

static ptrdiff_t argmin_live_f64(const double *v, const int *live, size_t len, double *cur)
{
    ptrdiff_t p = -1;
    size_t i;

    for (i = 0; i < len; i++)
        if (live[i] && v[i] < *cur) {
            *cur = v[i];
            p = (ptrdiff_t)i;
        }
    return p;
}

/* The nearest live neighbour of x (first strict minimum in index order):
 * 1 and *y, *dist set if there is one. The contiguous part (x, j), j > x,
 * is scanned first; the scattered part (i, x), i < x, only when its lower
 * bound lcol[x] does not already exceed the contiguous minimum (its
 * entries come first in index order, so a tie goes to them). A scan of the
 * scattered part makes lcol[x] exact. */
LK_INLINE int chain_rescan(const void *d, int f32, size_t n, const int *size, double *lcol,
                           size_t x, double *dist, size_t *y)
{
    size_t i, idx, sy = 0;
    double cmin = INFINITY, smin = INFINITY;
    ptrdiff_t p = -1;
    int sfound = 0;

    if (x + 1 < n)
        p = f32 ? argmin_live_f32((const float *)d + cidx(n, x, x + 1), size + x + 1,
                                  n - x - 1, &cmin)
                : argmin_live_f64((const double *)d + cidx(n, x, x + 1), size + x + 1,
                                  n - x - 1, &cmin);
    if (!(lcol[x] > cmin)) {
        for (i = 0, idx = x - 1; i < x; idx += n - i - 2, i++) {
            double v;
            if (size[i] == 0)
                continue;
            v = dget(d, f32, idx);
            if (v < smin) {
                smin = v;
                sy = i;
                sfound = 1;
            }
        }
        lcol[x] = smin;
        if (sfound && !(cmin < smin)) {
            *dist = smin;
            *y = sy;
            return 1;
        }
    }
    if (p < 0)
        return 0;
    *dist = cmin;
    *y = x + 1 + (size_t)p;
    return 1;
}

/* The nearest neighbour of every row (first strict minimum in index
 * order, nb -1 when there is none, e.g. all NaN), in one pass: row i's
 * entries (i, j) are seen by row j in increasing i; and the minimum of
 * each row's scattered part (lcol). */
LK_INLINE void nn_init(const void *d, int f32, size_t n, int *nb, double *mind, double *lcol)
{
    size_t i, j, k = 0;

    for (i = 0; i < n; i++) {
        nb[i] = -1;
        mind[i] = INFINITY;
    }
    for (i = 0; i < n; i++) {
        double mi = mind[i];
        int bi = nb[i];
        lcol[i] = mi; /* all of (h, i), h < i, seen: the scattered part */
        for (j = i + 1; j < n; j++, k++) {
            double v = dget(d, f32, k);
            if (v < mi) {
                mi = v;
                bi = (int)j;
            }
            if (v < mind[j]) {
                mind[j] = v;
                nb[j] = (int)i;
            }
        }
        mind[i] = mi;
        nb[i] = bi;
    }
}

/* Row i's new distance v to the merged cluster y (x merged into y, x < y).
 * A row is either exact (nb[i] is the first strict minimum of the row in
 * index order, -1 if there is none) or stale: mind[i] is then only a lower
 * bound of the row, and the row is scanned again if the chain asks for it.
 * Rows whose neighbour was x or y may have another one now and go stale,
 * unless v settles it; a value below a stale row's bound settles it too. */
LK_INLINE void nn_note(int *nb, double *mind, unsigned char *stale, size_t i, size_t x,
                       size_t y, double v)
{
    if (stale[i]) {
        if (v < mind[i]) {
            mind[i] = v;
            nb[i] = (int)y;
            stale[i] = 0;
        }
    } else if (nb[i] == (int)x || nb[i] == (int)y) {
        /* Entries between x and y may equal mind[i]: y is first only if
         * it was the neighbour already. */
        if (v < mind[i] || (v == mind[i] && nb[i] == (int)y))
            mind[i] = v, nb[i] = (int)y;
        else
            stale[i] = 1;
    } else if (v < mind[i] || (v == mind[i] && (int)y < nb[i])) {
        mind[i] = v;
        nb[i] = (int)y;
    }
}

/* d(i, x ∪ y) into (i, y) for every live i, in increasing i (SciPy's
 * order), x < y, size[x] already 0; (i, x) becomes +inf. Keeps the
 * neighbours of the other rows (nn_note) and finds y's. */
LK_INLINE void chain_update(void *d, int f32, size_t n, simdepth_linkage_method m,
                            const int *size, size_t x, size_t y, double dxy, int nx, int ny,
                            int *nb, double *mind, unsigned char *stale, double *lcol)
{
    size_t i, ix, iy;
    double v, best = INFINITY;
    int arg = -1;

    for (i = 0, ix = x - 1, iy = y - 1; i < x; ix += n - i - 2, iy += n - i - 2, i++) {
        if (size[i] == 0)
            continue;
        dput(d, f32, iy, lw_update(m, dget(d, f32, ix), dget(d, f32, iy), dxy, nx, ny, size[i]));
        v = dget(d, f32, iy);
        nn_note(nb, mind, stale, i, x, y, v);
        if (v < best) {
            best = v;
            arg = (int)i;
        }
    }
    if (x + 1 < y) {
        ix = cidx(n, x, x + 1);
        iy = cidx(n, x + 1, y);
        for (i = x + 1; i < y; ix++, iy += n - i - 2, i++) {
            if (size[i] == 0)
                continue;
            dput(d, f32, iy,
                 lw_update(m, dget(d, f32, ix), dget(d, f32, iy), dxy, nx, ny, size[i]));
            v = dget(d, f32, iy);
            nn_note(nb, mind, stale, i, x, y, v);
            if (v < best) {
                best = v;
                arg = (int)i;
            }
        }
    }
    lcol[y] = best; /* y's scattered part is all new */
    if (y + 1 < n) {
        ix = cidx(n, x, y + 1);
        iy = cidx(n, y, y + 1);
        for (i = y + 1; i < n; ix++, iy++, i++) {
            if (size[i] == 0)
                continue;
            dput(d, f32, iy,
                 lw_update(m, dget(d, f32, ix), dget(d, f32, iy), dxy, nx, ny, size[i]));
            v = dget(d, f32, iy);
            nn_note(nb, mind, stale, i, x, y, v);
            if (v < lcol[i]) /* (y, i) is in i's scattered part */
                lcol[i] = v;
            if (v < best) {
                best = v;
                arg = (int)i;
            }
        }
    }
    nb[y] = arg;
    mind[y] = best;
    stale[y] = 0;
}

/* Drop the dead clusters: the live ones keep their order and move to
 * positions 0 .. nl - 1 (pos[] maps old to new) of a condensed matrix of
 * nl rows written over the old one. Each pair moves to its rank among the
 * live pairs, never above its old position, so one forward pass suffices. */
LK_INLINE void chain_compact(void *d, int f32, size_t n, size_t nl, int *size, int *item,
                             int *nb, double *mind, unsigned char *stale, double *lcol,
                             size_t *chain, size_t len, size_t *live, int *pos)
{
    size_t i, a, b, w = 0;

    for (i = 0, a = 0; i < n; i++) {
        pos[i] = size[i] > 0 ? (int)a : -1;
        if (size[i] > 0)
            live[a++] = i;
    }
    for (a = 0; a + 1 < nl; a++) {
        size_t row = live[a], base = cidx(n, row, row + 1) - row - 1; /* (row, j) at base + j */
        if (f32) {
            float *v = d;
            for (b = a + 1; b < nl; b++)
                v[w++] = v[base + live[b]];
        } else {
            double *v = d;
            for (b = a + 1; b < nl; b++)
                v[w++] = v[base + live[b]];
        }
    }
    for (a = 0; a < nl; a++) {
        i = live[a];
        size[a] = size[i];
        item[a] = item[i];
        nb[a] = nb[i] >= 0 ? pos[nb[i]] : -1; /* stale rows may name dead ones */
        mind[a] = mind[i];
        stale[a] = stale[i];
        lcol[a] = lcol[i];
    }
    for (i = 0; i < len; i++)
        chain[i] = (size_t)pos[chain[i]];
}

/* The chain itself follows exact nearest neighbours kept per row (nb,
 * mind): the first strict minimum in index order, which is what SciPy's
 * scan of the row returns, so a chain step costs O(1) instead of a scan
 * of the row; only the rows whose neighbour was merged are scanned again. */
LK_INLINE simdepth_status chain_body(void *d, int f32, size_t n,
                                     simdepth_linkage_method m, lk_rows *r,
                                     simdepth_error *err)
{
    int *size = simdepth_i_malloc_array(n, sizeof *size);
    int *item = simdepth_i_malloc_array(n, sizeof *item); /* an item of each row's cluster */
    int *nb = simdepth_i_malloc_array(n, sizeof *nb);
    int *pos = simdepth_i_malloc_array(n, sizeof *pos);
    double *mind = simdepth_i_malloc_array(n, sizeof *mind);
    double *lcol = simdepth_i_malloc_array(n, sizeof *lcol); /* see chain_rescan */
    size_t *chain = simdepth_i_malloc_array(n, sizeof *chain);
    size_t *live = simdepth_i_malloc_array(n, sizeof *live);
    unsigned char *stale = simdepth_i_calloc(n, 1);
    size_t len = 0, i, k, x = 0, y = 0, t, dim = n, nlive = n;
    simdepth_status st = SIMDEPTH_OK;

    if (size == NULL || item == NULL || nb == NULL || pos == NULL || mind == NULL ||
        lcol == NULL || chain == NULL || live == NULL || stale == NULL) {
        st = simdepth_i_enomem(err, "nearest-neighbour chain work space");
        goto out;
    }
    for (i = 0; i < n; i++) {
        size[i] = 1;
        item[i] = (int)i;
    }
    nn_init(d, f32, n, nb, mind, lcol);
    for (k = 0; k + 1 < n; k++) {
        double cur;
        int nx, ny;

        if (len == 0) {
            len = 1;
            for (i = 0; i < dim; i++)
                if (size[i] > 0) {
                    chain[0] = i;
                    break;
                }
        }
        for (;;) {
            int found = 0;
            x = chain[len - 1];
            if (stale[x]) {
                mind[x] = INFINITY;
                nb[x] = chain_rescan(d, f32, dim, size, lcol, x, &mind[x], &y) ? (int)y : -1;
                stale[x] = 0;
            }
            /* Prefer the previous chain element: no cycles on ties. */
            if (len > 1) {
                y = chain[len - 2];
                cur = dget(d, f32, x < y ? cidx(dim, x, y) : cidx(dim, y, x));
                found = 1;
            } else {
                cur = INFINITY;
            }
            if (nb[x] >= 0 && mind[x] < cur) {
                cur = mind[x];
                y = (size_t)nb[x];
                found = 1;
            }
            /* SciPy would go on with a stale y here and return a corrupt
             * matrix; only NaN distances get here. */
            if (!found) {
                st = no_neighbour(err, (size_t)item[x]);
                goto out;
            }
            if (len > 1 && y == chain[len - 2])
                break;
            if (len == dim) { /* cannot happen: the chain's distances decrease */
                st = no_neighbour(err, (size_t)item[x]);
                goto out;
            }
            chain[len++] = y;
        }
        len -= 2;
        if (x > y) {
            t = x;
            x = y;
            y = t;
        }
        nx = size[x];
        ny = size[y];
        r->a[k] = item[x];
        r->b[k] = item[y];
        r->h[k] = cur;
        size[x] = 0;
        size[y] = nx + ny;
        chain_update(d, f32, dim, m, size, x, y, cur, nx, ny, nb, mind, stale, lcol);
        nlive--;
        if (2 * nlive <= dim && dim >= LK_COMPACT_MIN) {
            chain_compact(d, f32, dim, nlive, size, item, nb, mind, stale, lcol, chain, len,
                          live, pos);
            dim = nlive;
        }
    }
out:
    free(stale);
    free(live);
    free(chain);
    free(lcol);
    free(mind);
    free(pos);
    free(nb);
    free(item);
    free(size);
    return st;
}

/* One copy of the loop per type and method, so that the update inlines. */
static simdepth_status chain_run(void *d, int f32, size_t n, simdepth_linkage_method m,
                                 lk_rows *r, simdepth_error *err)
{
    switch (m) {
    case SIMDEPTH_LINKAGE_COMPLETE:
        return f32 ? chain_body(d, 1, n, SIMDEPTH_LINKAGE_COMPLETE, r, err)
                   : chain_body(d, 0, n, SIMDEPTH_LINKAGE_COMPLETE, r, err);
    case SIMDEPTH_LINKAGE_AVERAGE:
        return f32 ? chain_body(d, 1, n, SIMDEPTH_LINKAGE_AVERAGE, r, err)
                   : chain_body(d, 0, n, SIMDEPTH_LINKAGE_AVERAGE, r, err);
    case SIMDEPTH_LINKAGE_WEIGHTED:
        return f32 ? chain_body(d, 1, n, SIMDEPTH_LINKAGE_WEIGHTED, r, err)
                   : chain_body(d, 0, n, SIMDEPTH_LINKAGE_WEIGHTED, r, err);
    default:
        return f32 ? chain_body(d, 1, n, SIMDEPTH_LINKAGE_WARD, r, err)
                   : chain_body(d, 0, n, SIMDEPTH_LINKAGE_WARD, r, err);
    }
}

/* ---- SciPy's binary heap (cluster/_structures.pxi) --------------------- */

/* Keys 0 .. size-1 with values; the same sift rules as SciPy's Heap, so that
 * equal values surface in the same order. */
typedef struct lk_heap {
    int *index_by_key;
    int *key_by_index;
    double *values;
    int size;
} lk_heap;

static void heap_swap(lk_heap *h, int i, int j)
{
    double v = h->values[i];
    int ki = h->key_by_index[i], kj = h->key_by_index[j];

    h->values[i] = h->values[j];
    h->values[j] = v;
    h->key_by_index[i] = kj;
    h->key_by_index[j] = ki;
    h->index_by_key[ki] = j;
    h->index_by_key[kj] = i;
}

static void heap_sift_up(lk_heap *h, int index)
{
    int parent = (index - 1) >> 1;

    while (index > 0 && h->values[parent] > h->values[index]) {
        heap_swap(h, index, parent);
        index = parent;
        parent = (index - 1) >> 1;
    }
}

static void heap_sift_down(lk_heap *h, int index)
{
    int child = (index << 1) + 1;

    while (child < h->size) {
        if (child + 1 < h->size && h->values[child + 1] < h->values[child])
            child++;
        if (h->values[index] > h->values[child]) {
            heap_swap(h, index, child);
            index = child;
            child = (index << 1) + 1;
        } else {
            break;
        }
    }
}

static void heap_change(lk_heap *h, int key, double value)
{
    int index = h->index_by_key[key];
    double old = h->values[index];

    h->values[index] = value;
    if (value < old)
        heap_sift_up(h, index);
    else
        heap_sift_down(h, index);
}

static void heap_remove_min(lk_heap *h)
{
    heap_swap(h, 0, h->size - 1);
    h->size--;
    heap_sift_down(h, 0);
}

/* ---- generic algorithm (SciPy's fast_linkage) -------------------------- */

/* Nearest live cluster above x: the first strict minimum. */
LK_INLINE int gen_find(const void *d, int f32, size_t n, const int *size, size_t x,
                       double *dist_out)
{
    double cur = INFINITY;
    int y = -1;
    size_t i, idx = cidx(n, x, x + 1);

    for (i = x + 1; i < n; i++, idx++) {
        double dist;
        if (size[i] == 0)
            continue;
        dist = dget(d, f32, idx);
        if (dist < cur) {
            cur = dist;
            y = (int)i;
        }
    }
    *dist_out = cur;
    return y;
}

LK_INLINE simdepth_status generic_body(void *d, int f32, size_t n,
                                       simdepth_linkage_method m, double *z,
                                       simdepth_error *err)
{
    int *size = simdepth_i_malloc_array(n, sizeof *size);
    int *id = simdepth_i_malloc_array(n, sizeof *id);
    int *nb = simdepth_i_malloc_array(n, sizeof *nb);
    double *mind = simdepth_i_malloc_array(n, sizeof *mind);
    lk_heap h = {NULL, NULL, NULL, 0};
    size_t i, k, x = 0, y = 0, zz;
    double dist = 0.0;
    simdepth_status st = SIMDEPTH_OK;

    h.index_by_key = simdepth_i_malloc_array(n, sizeof *h.index_by_key);
    h.key_by_index = simdepth_i_malloc_array(n, sizeof *h.key_by_index);
    h.values = simdepth_i_malloc_array(n, sizeof *h.values);
    if (size == NULL || id == NULL || nb == NULL || mind == NULL ||
        h.index_by_key == NULL || h.key_by_index == NULL || h.values == NULL) {
        st = simdepth_i_enomem(err, "generic linkage work space");
        goto out;
    }
    for (i = 0; i < n; i++) {
        size[i] = 1;
        id[i] = (int)i;
    }
    for (x = 0; x + 1 < n; x++) {
        nb[x] = gen_find(d, f32, n, size, x, &mind[x]);
        if (nb[x] < 0) {
            st = no_neighbour(err, x);
            goto out;
        }
    }
    h.size = (int)(n - 1);
    for (i = 0; i + 1 < n; i++) {
        h.index_by_key[i] = h.key_by_index[i] = (int)i;
        h.values[i] = mind[i];
    }
    for (i = (size_t)(h.size / 2); i-- > 0;)
        heap_sift_down(&h, (int)i);

    for (k = 0; k + 1 < n; k++) {
        int nx, ny, idx_, idy;
        /* Lazy lower bounds: at most n - k refreshes find the true pair. */
        for (i = 0; i < n - k; i++) {
            int yy;
            x = (size_t)h.key_by_index[0];
            dist = h.values[0];
            y = (size_t)nb[x];
            if (dist == dget(d, f32, cidx(n, x, y)))
                break;
            yy = gen_find(d, f32, n, size, x, &dist);
            if (yy < 0) {
                st = no_neighbour(err, x);
                goto out;
            }
            y = (size_t)yy;
            nb[x] = yy;
            mind[x] = dist;
            heap_change(&h, (int)x, dist);
        }
        heap_remove_min(&h);

        idx_ = id[x];
        idy = id[y];
        nx = size[x];
        ny = size[y];
        if (idx_ > idy) {
            int t = idx_;
            idx_ = idy;
            idy = t;
        }
        z[4 * k + 0] = idx_;
        z[4 * k + 1] = idy;
        z[4 * k + 2] = dist;
        z[4 * k + 3] = nx + ny;
        size[x] = 0;
        size[y] = nx + ny;
        id[y] = (int)(n + k);

        for (zz = 0; zz < n; zz++) {
            size_t ix, iy;
            int nz = size[zz];
            if (nz == 0 || zz == y)
                continue;
            ix = zz < x ? cidx(n, zz, x) : cidx(n, x, zz);
            iy = zz < y ? cidx(n, zz, y) : cidx(n, y, zz);
            dput(d, f32, iy,
                 lw_update(m, dget(d, f32, ix), dget(d, f32, iy), dist, nx, ny, nz));
        }
        /* Neighbour candidates of x move to y (a guess, checked lazily). */
        for (zz = 0; zz < x; zz++)
            if (size[zz] > 0 && nb[zz] == (int)x)
                nb[zz] = (int)y;
        for (zz = 0; zz < y; zz++) {
            double dz;
            if (size[zz] == 0)
                continue;
            dz = dget(d, f32, cidx(n, zz, y));
            if (dz < mind[zz]) {
                nb[zz] = (int)y;
                mind[zz] = dz;
                heap_change(&h, (int)zz, dz);
            }
        }
        if (y + 1 < n) {
            double dy;
            int yy = gen_find(d, f32, n, size, y, &dy);
            if (yy < 0) {
                st = no_neighbour(err, y);
                goto out;
            }
            nb[y] = yy;
            mind[y] = dy;
            heap_change(&h, (int)y, dy);
        }
    }
out:
    free(h.values);
    free(h.key_by_index);
    free(h.index_by_key);
    free(mind);
    free(nb);
    free(id);
    free(size);
    return st;
}

static simdepth_status generic_f64(void *d, size_t n, simdepth_linkage_method m,
                                   double *z, simdepth_error *err)
{
    return generic_body(d, 0, n, m, z, err);
}

static simdepth_status generic_f32(void *d, size_t n, simdepth_linkage_method m,
                                   double *z, simdepth_error *err)
{
    return generic_body(d, 1, n, m, z, err);
}

/* ---- SciPy's stable sort by height and union-find relabelling ---------- */

/* NumPy's order for floats: NaN after everything. */
static int np_less(double a, double b)
{
    return a < b || (isnan(b) && !isnan(a));
}

/* Stable merge sort of perm[0..n) by key[perm[i]] (np.argsort kind=mergesort). */
static void stable_argsort(const double *key, size_t *perm, size_t *tmp, size_t n)
{
    size_t width, i;

    for (width = 1; width < n; width *= 2) {
        for (i = 0; i < n; i += 2 * width) {
            size_t lo = i, mid = i + width < n ? i + width : n;
            size_t hi = i + 2 * width < n ? i + 2 * width : n;
            size_t a = lo, b = mid, o = lo;
            while (a < mid && b < hi)
                tmp[o++] = np_less(key[perm[b]], key[perm[a]]) ? perm[b++] : perm[a++];
            while (a < mid)
                tmp[o++] = perm[a++];
            while (b < hi)
                tmp[o++] = perm[b++];
        }
        memcpy(perm, tmp, n * sizeof *perm);
    }
}

static size_t uf_find(size_t *parent, size_t x)
{
    size_t root = x, next;

    while (parent[root] != root)
        root = parent[root];
    while (parent[x] != root) {
        next = parent[x];
        parent[x] = root;
        x = next;
    }
    return root;
}

static simdepth_status sort_and_label(const lk_rows *r, size_t n, double *z,
                                      simdepth_error *err)
{
    size_t m = n - 1, i;
    size_t *perm = simdepth_i_malloc_array(m, sizeof *perm);
    size_t *tmp = simdepth_i_malloc_array(m, sizeof *tmp);
    size_t *parent = simdepth_i_malloc_array(2 * n - 1, sizeof *parent);
    size_t *usize = simdepth_i_malloc_array(2 * n - 1, sizeof *usize);
    simdepth_status st = SIMDEPTH_OK;

    if (perm == NULL || tmp == NULL || parent == NULL || usize == NULL) {
        st = simdepth_i_enomem(err, "linkage relabelling");
        goto out;
    }
    for (i = 0; i < m; i++)
        perm[i] = i;
    stable_argsort(r->h, perm, tmp, m);
    for (i = 0; i < 2 * n - 1; i++) {
        parent[i] = i;
        usize[i] = 1;
    }
    for (i = 0; i < m; i++) {
        size_t p = perm[i];
        size_t xr = uf_find(parent, (size_t)r->a[p]), yr = uf_find(parent, (size_t)r->b[p]);
        size_t lbl = n + i;
        z[4 * i + 0] = (double)(xr < yr ? xr : yr);
        z[4 * i + 1] = (double)(xr < yr ? yr : xr);
        z[4 * i + 2] = r->h[p];
        parent[xr] = parent[yr] = lbl;
        usize[lbl] = usize[xr] + usize[yr];
        z[4 * i + 3] = (double)usize[lbl];
    }
out:
    free(usize);
    free(parent);
    free(tmp);
    free(perm);
    return st;
}

/* ---- entry points ------------------------------------------------------ */

static simdepth_status check_finite_input(const void *y, int f32, size_t n,
                                          simdepth_error *err)
{
    size_t i, j, k = 0;

    for (i = 0; i + 1 < n; i++)
        for (j = i + 1; j < n; j++, k++)
            if (!isfinite(dget(y, f32, k)))
                return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                            "distance between items %zu and %zu is %s; "
                                            "linkage needs finite distances",
                                            i, j, isnan(dget(y, f32, k)) ? "NaN" : "infinite");
    return SIMDEPTH_OK;
}

static simdepth_status check_method(simdepth_linkage_method m, simdepth_error *err)
{
    if ((unsigned)m > (unsigned)SIMDEPTH_LINKAGE_WARD)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown linkage method %d", (int)m);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_linkage_compute_inplace(void *y, simdepth_dtype dtype,
                                                 size_t n,
                                                 simdepth_linkage_method method,
                                                 simdepth_matrix **Z,
                                                 simdepth_error *err)
{
    simdepth_matrix *zm = NULL;
    lk_rows r = {NULL, NULL, NULL};
    int f32 = dtype == SIMDEPTH_F32;
    double *z;
    simdepth_status st;

    if (y == NULL || Z == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no condensed distances or output given");
    if ((st = check_dtype(dtype, err)) != SIMDEPTH_OK || (st = check_n(n, err)) != SIMDEPTH_OK ||
        (st = check_method(method, err)) != SIMDEPTH_OK ||
        (st = check_finite_input(y, f32, n, err)) != SIMDEPTH_OK)
        return st;
    if ((st = simdepth_matrix_new(n - 1, 4, SIMDEPTH_F64, &zm, err)) != SIMDEPTH_OK)
        return st;
    z = simdepth_matrix_data(zm);
    if (method == SIMDEPTH_LINKAGE_CENTROID || method == SIMDEPTH_LINKAGE_MEDIAN) {
        st = f32 ? generic_f32(y, n, method, z, err) : generic_f64(y, n, method, z, err);
        goto out;
    }
    r.a = simdepth_i_malloc_array(n - 1, sizeof *r.a);
    r.b = simdepth_i_malloc_array(n - 1, sizeof *r.b);
    r.h = simdepth_i_malloc_array(n - 1, sizeof *r.h);
    if (r.a == NULL || r.b == NULL || r.h == NULL) {
        st = simdepth_i_enomem(err, "linkage rows");
        goto out;
    }
    if (method == SIMDEPTH_LINKAGE_SINGLE)
        st = f32 ? mst_f32(y, n, &r, err) : mst_f64(y, n, &r, err);
    else
        st = chain_run(y, f32, n, method, &r, err);
    if (st == SIMDEPTH_OK)
        st = sort_and_label(&r, n, z, err);
out:
    free(r.h);
    free(r.b);
    free(r.a);
    if (st == SIMDEPTH_OK)
        *Z = zm;
    else
        simdepth_matrix_free(zm);
    return st;
}

simdepth_status simdepth_linkage_compute(const void *y, simdepth_dtype dtype,
                                         size_t n,
                                         simdepth_linkage_method method,
                                         simdepth_matrix **Z,
                                         simdepth_error *err)
{
    void *work;
    size_t esz;
    simdepth_status st;

    if (y == NULL || Z == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no condensed distances or output given");
    if ((st = check_dtype(dtype, err)) != SIMDEPTH_OK || (st = check_n(n, err)) != SIMDEPTH_OK ||
        (st = check_method(method, err)) != SIMDEPTH_OK)
        return st;
    if (method == SIMDEPTH_LINKAGE_SINGLE) /* reads y only */
        return simdepth_linkage_compute_inplace((void *)(uintptr_t)y, dtype, n, method, Z, err);
    esz = dtype == SIMDEPTH_F32 ? sizeof(float) : sizeof(double);
    work = simdepth_i_malloc_array(simdepth_condensed_size(n), esz);
    if (work == NULL)
        return simdepth_i_enomem(err, "a copy of the condensed distances");
    memcpy(work, y, simdepth_condensed_size(n) * esz);
    st = simdepth_linkage_compute_inplace(work, dtype, n, method, Z, err);
    free(work);
    return st;
}

simdepth_status simdepth_linkage_from_similarity(const simdepth_matrix *s,
                                                 simdepth_linkage_method method,
                                                 simdepth_distance_rule rule,
                                                 simdepth_dtype storage,
                                                 simdepth_matrix **Z,
                                                 simdepth_error *err)
{
    void *y = NULL;
    simdepth_status st;

    if (Z == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no output given");
    if ((st = check_method(method, err)) != SIMDEPTH_OK)
        return st;
    st = simdepth_linkage_condensed_from_similarity(s, rule, storage, &y, err);
    if (st != SIMDEPTH_OK)
        return st;
    st = simdepth_linkage_compute_inplace(y, storage, simdepth_matrix_rows(s), method, Z, err);
    free(y);
    return st;
}

/* ---- validation and tree helpers --------------------------------------- */

simdepth_status simdepth_linkage_validate(const simdepth_matrix *Z, simdepth_error *err)
{
    const double *z;
    size_t m, n, i, c;
    unsigned char *used = NULL;
    size_t *sz = NULL;
    simdepth_status st = SIMDEPTH_OK;

    if (Z == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no linkage matrix given");
    if (simdepth_matrix_dtype(Z) != SIMDEPTH_F64 || simdepth_matrix_cols(Z) != 4 ||
        simdepth_matrix_rows(Z) < 1)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "a linkage matrix is a float64 matrix of at least one "
                                    "row and 4 columns; got %zu x %zu %s",
                                    simdepth_matrix_rows(Z), simdepth_matrix_cols(Z),
                                    simdepth_matrix_dtype(Z) == SIMDEPTH_F64 ? "float64"
                                                                             : "float32");
    m = simdepth_matrix_rows(Z);
    n = m + 1;
    if (n > (size_t)INT_MAX || simdepth_i_mul_overflows(n, n))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "linkage matrix too large: %zu rows", m);
    z = simdepth_matrix_cdata(Z);
    used = simdepth_i_calloc(2 * n - 1, 1);
    sz = simdepth_i_malloc_array(2 * n - 1, sizeof *sz);
    if (used == NULL || sz == NULL) {
        st = simdepth_i_enomem(err, "linkage validation");
        goto out;
    }
    for (i = 0; i < n; i++)
        sz[i] = 1;
    for (i = 0; i < m; i++) {
        size_t ids[2];
        double h = z[4 * i + 2], cnt = z[4 * i + 3];
        for (c = 0; c < 2; c++) {
            double v = z[4 * i + c];
            if (!(v >= 0.0 && v < (double)(n + i)) || v != floor(v)) {
                st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1, (long)c + 1, -1,
                                          "linkage row %zu: cluster id %.17g is not a whole "
                                          "number in 0 .. %zu (formed before the row)",
                                          i, v, n + i - 1);
                goto out;
            }
            ids[c] = (size_t)v;
        }
        if (ids[0] == ids[1] || used[ids[0]] || used[ids[1]]) {
            st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1, 0, -1,
                                      "linkage row %zu uses cluster %zu more than once", i,
                                      ids[0] == ids[1] || used[ids[0]] ? ids[0] : ids[1]);
            goto out;
        }
        if (!isfinite(h) || h < 0.0) {
            st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1, 3, -1,
                                      "linkage row %zu has height %g; expected a finite, "
                                      "non-negative distance",
                                      i, h);
            goto out;
        }
        used[ids[0]] = used[ids[1]] = 1;
        sz[n + i] = sz[ids[0]] + sz[ids[1]];
        if (cnt != (double)sz[n + i]) {
            st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, (long)i + 1, 4, -1,
                                      "linkage row %zu has count %.17g; its clusters hold %zu "
                                      "items",
                                      i, cnt, sz[n + i]);
            goto out;
        }
    }
out:
    free(sz);
    free(used);
    return st;
}

/* The leaves in pre-order, left child first (SciPy's prelist), and where
 * each node's leaves start in that order. Z must be valid. */
static void tree_layout(const double *z, size_t n, size_t *start, size_t *order)
{
    size_t i = n - 1;

    start[2 * n - 2] = 0;
    while (i-- > 0) {
        size_t v = n + i, l = (size_t)z[4 * i], r = (size_t)z[4 * i + 1];
        size_t nl = l < n ? 1 : (size_t)z[4 * (l - n) + 3];
        start[l] = start[v];
        start[r] = start[v] + nl;
    }
    for (i = 0; i < n; i++)
        order[start[i]] = i;
}

simdepth_status simdepth_linkage_leaves(const simdepth_matrix *Z, size_t *order,
                                        simdepth_error *err)
{
    size_t n, *start;
    simdepth_status st;

    if (order == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no output array given");
    if ((st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(Z) + 1;
    start = simdepth_i_malloc_array(2 * n - 1, sizeof *start);
    if (start == NULL)
        return simdepth_i_enomem(err, "leaf order");
    tree_layout(simdepth_matrix_cdata(Z), n, start, order);
    free(start);
    return SIMDEPTH_OK;
}

/* ---- cophenetic distances and correlation ----------------------------- */

static void cophenetic_fill(const double *z, size_t n, const size_t *start,
                            const size_t *order, double *d)
{
    size_t i;

    for (i = 0; i + 1 < n; i++) {
        size_t l = (size_t)z[4 * i], r = (size_t)z[4 * i + 1];
        size_t nl = l < n ? 1 : (size_t)z[4 * (l - n) + 3];
        size_t nr = r < n ? 1 : (size_t)z[4 * (r - n) + 3];
        size_t a, b;
        double h = z[4 * i + 2];
        for (a = start[l]; a < start[l] + nl; a++)
            for (b = start[r]; b < start[r] + nr; b++) {
                size_t p = order[a], q = order[b];
                d[p < q ? cidx(n, p, q) : cidx(n, q, p)] = h;
            }
    }
}

static simdepth_status cophenetic_alloc(const simdepth_matrix *Z, double **out,
                                        simdepth_error *err)
{
    size_t n = simdepth_matrix_rows(Z) + 1;
    size_t *start = simdepth_i_malloc_array(2 * n - 1, sizeof *start);
    size_t *order = simdepth_i_malloc_array(n, sizeof *order);
    double *d = simdepth_i_malloc_array(simdepth_condensed_size(n), sizeof *d);
    simdepth_status st = SIMDEPTH_OK;

    if (start == NULL || order == NULL || d == NULL) {
        free(d);
        st = simdepth_i_enomem(err, "cophenetic distances");
        goto out;
    }
    tree_layout(simdepth_matrix_cdata(Z), n, start, order);
    cophenetic_fill(simdepth_matrix_cdata(Z), n, start, order, d);
    *out = d;
out:
    free(order);
    free(start);
    return st;
}

simdepth_status simdepth_linkage_cophenetic(const simdepth_matrix *Z, double **out,
                                            simdepth_error *err)
{
    simdepth_status st;

    if (out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no output given");
    if ((st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    return cophenetic_alloc(Z, out, err);
}

/* NumPy's pairwise summation (pairwise_sum_DOUBLE) of one buffer. */
static double np_pairwise(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.0;
        size_t i;
        for (i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= NP_PW_BLOCK) {
        double r[8], res;
        size_t i, j;
        for (j = 0; j < 8; j++)
            r[j] = a[j];
        for (i = 8; i < n - (n % 8); i += 8)
            for (j = 0; j < 8; j++)
                r[j] += a[i + j];
        res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    } else {
        size_t n2 = n / 2;
        n2 -= n2 % 8;
        return np_pairwise(a, n2) + np_pairwise(a + n2, n - n2);
    }
}

/* What ndarray.sum() gives for the n values f(i): the reduction starts at 0
 * and adds the pairwise sum of each buffer of NP_BUFSIZE elements. */
typedef double (*np_term)(const void *ctx, size_t i);

static double np_sum(np_term f, const void *ctx, size_t n, double *buf)
{
    double total = 0.0;
    size_t s, i;

    for (s = 0; s < n; s += NP_BUFSIZE) {
        size_t len = n - s < NP_BUFSIZE ? n - s : NP_BUFSIZE;
        for (i = 0; i < len; i++)
            buf[i] = f(ctx, s + i);
        total += np_pairwise(buf, len);
    }
    return total;
}

typedef struct corr_ctx {
    const void *y;
    int f32;
    const double *c;
    double ym;  /* mean of y */
    double cm;  /* mean of c */
} corr_ctx;

static double t_y(const void *p, size_t i)
{
    const corr_ctx *x = p;
    return dget(x->y, x->f32, i);
}

static double t_c(const void *p, size_t i)
{
    return ((const corr_ctx *)p)->c[i];
}

static double t_prod(const void *p, size_t i)
{
    const corr_ctx *x = p;
    return (dget(x->y, x->f32, i) - x->ym) * (x->c[i] - x->cm);
}

static double t_ysq(const void *p, size_t i)
{
    const corr_ctx *x = p;
    double v = dget(x->y, x->f32, i) - x->ym;
    return v * v;
}

static double t_csq(const void *p, size_t i)
{
    const corr_ctx *x = p;
    double v = x->c[i] - x->cm;
    return v * v;
}

simdepth_status simdepth_linkage_cophenetic_correlation(
    const simdepth_matrix *Z, const void *y, simdepth_dtype dtype, double *c,
    double **coph, simdepth_error *err)
{
    double *d = NULL, *buf = NULL;
    size_t n, m;
    corr_ctx x;
    double num, da, db;
    simdepth_status st;

    if (y == NULL || c == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no distances or output given");
    if ((st = check_dtype(dtype, err)) != SIMDEPTH_OK ||
        (st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(Z) + 1;
    m = simdepth_condensed_size(n);
    if ((st = cophenetic_alloc(Z, &d, err)) != SIMDEPTH_OK)
        return st;
    buf = simdepth_i_malloc_array(NP_BUFSIZE, sizeof *buf);
    if (buf == NULL) {
        st = simdepth_i_enomem(err, "summation buffer");
        goto out;
    }
    /* SciPy: z = zz.mean(); y = Y.mean(); Yy = Y - y; Zz = zz - z;
     * c = (Yy*Zz).sum() / sqrt((Yy**2).sum() * (Zz**2).sum()). */
    x.y = y;
    x.f32 = dtype == SIMDEPTH_F32;
    x.c = d;
    x.cm = np_sum(t_c, &x, m, buf) / (double)m;
    x.ym = np_sum(t_y, &x, m, buf) / (double)m;
    num = np_sum(t_prod, &x, m, buf);
    da = np_sum(t_ysq, &x, m, buf);
    db = np_sum(t_csq, &x, m, buf);
    *c = num / sqrt(da * db);
    if (coph != NULL) {
        *coph = d;
        d = NULL;
    }
out:
    free(buf);
    free(d);
    return st;
}

/* Row by row through moments_add(), as distances_pass() computes them. */
simdepth_status simdepth_linkage_condensed_moments(const void *y, simdepth_dtype dtype, size_t n,
                                                   simdepth_condensed_moments *out,
                                                   simdepth_error *err)
{
    double mean = 0.0, m2 = 0.0;
    size_t i, k = 0, count = 0;
    simdepth_status st;

    if (y == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no distances or output given");
    if ((st = check_dtype(dtype, err)) != SIMDEPTH_OK || (st = check_n(n, err)) != SIMDEPTH_OK)
        return st;
    for (i = 0; i + 1 < n; k += n - i - 1, i++)
        moments_add(y, dtype == SIMDEPTH_F32, k, n - i - 1, &count, &mean, &m2);
    out->count = count;
    out->mean = mean;
    out->m2 = m2;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_linkage_cophenetic_correlation_average(
    const simdepth_matrix *Z, const simdepth_condensed_moments *mom, double *c,
    simdepth_error *err)
{
    const double *z;
    size_t n, i;
    double pairs, cm = 0.0, vc = 0.0, num = 0.0;
    simdepth_status st;

    if (mom == NULL || c == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no moments or output given");
    if ((st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(Z) + 1;
    if (mom->count != simdepth_condensed_size(n))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "moments of %zu distances given for a tree of %zu items "
                                    "(%zu pairs)",
                                    mom->count, n, simdepth_condensed_size(n));
    z = simdepth_matrix_cdata(Z);
    pairs = (double)mom->count;
    /* Row i first joins w_i = |left| |right| pairs, at height h_i; with
     * UPGMA h_i is their mean distance, so sum over them of y = w_i h_i. */
#define LK_W(i)                                                                              \
    ((z[4 * (i)] < (double)n ? 1.0 : z[4 * ((size_t)z[4 * (i)] - n) + 3]) *                 \
     (z[4 * (i) + 1] < (double)n ? 1.0 : z[4 * ((size_t)z[4 * (i) + 1] - n) + 3]))
    for (i = 0; i + 1 < n; i++)
        cm += LK_W(i) * z[4 * i + 2];
    cm /= pairs;
    for (i = 0; i + 1 < n; i++) {
        double h = z[4 * i + 2], w = LK_W(i);
        vc += w * (h - cm) * (h - cm);
        num += w * (h - cm) * (h - mom->mean);
    }
#undef LK_W
    *c = num / sqrt(mom->m2 * vc);
    return SIMDEPTH_OK;
}

/* ---- flat clusters (SciPy's cluster_monocrit and friends) -------------- */

static int bit_get(const unsigned char *b, size_t i)
{
    return (b[i >> 3] >> (i & 7)) & 1;
}

static void bit_set(unsigned char *b, size_t i)
{
    b[i >> 3] |= (unsigned char)(1u << (i & 7));
}

/* Largest height in each row's subtree (get_max_dist_for_each_cluster). */
static void max_dists(const double *z, size_t n, double *md)
{
    size_t i;

    for (i = 0; i + 1 < n; i++) {
        size_t l = (size_t)z[4 * i], r = (size_t)z[4 * i + 1];
        double v = z[4 * i + 2];
        if (l >= n && md[l - n] > v)
            v = md[l - n];
        if (r >= n && md[r - n] > v)
            v = md[r - n];
        md[i] = v;
    }
}

/* SciPy's cluster_monocrit: walk from the root, left first; the first node
 * whose criterion is <= cutoff starts a cluster; leaves get the current
 * cluster number when their parent is finished. T gets 1-based labels. */
static void monocrit(const double *z, size_t n, const double *mc, double cutoff,
                     int *T, size_t *stack, unsigned char *visited)
{
    long k = 0;
    long leader = -1;
    int nc = 0;

    memset(visited, 0, ((2 * n - 1) >> 3) + 1);
    stack[0] = 2 * n - 2;
    while (k >= 0) {
        size_t root = stack[k] - n;
        size_t l = (size_t)z[4 * root], r = (size_t)z[4 * root + 1];
        if (leader == -1 && mc[root] <= cutoff) {
            leader = (long)root;
            nc++;
        }
        if (l >= n && !bit_get(visited, l)) {
            bit_set(visited, l);
            stack[++k] = l;
            continue;
        }
        if (r >= n && !bit_get(visited, r)) {
            bit_set(visited, r);
            stack[++k] = r;
            continue;
        }
        if (l < n) {
            if (leader == -1)
                nc++;
            T[l] = nc;
        }
        if (r < n) {
            if (leader == -1)
                nc++;
            T[r] = nc;
        }
        if (leader == (long)root)
            leader = -1;
        k--;
    }
}

/* How many clusters cutting at thresh gives, stopping once above max_nc
 * (the counting walk of SciPy's cluster_maxclust_monocrit). */
static int count_clusters(const double *z, size_t n, const double *mc, double thresh,
                          int max_nc, size_t *stack, unsigned char *visited)
{
    long k = 0;
    int nc = 0;

    memset(visited, 0, ((2 * n - 1) >> 3) + 1);
    stack[0] = 2 * n - 2;
    while (k >= 0) {
        size_t root = stack[k] - n;
        size_t l = (size_t)z[4 * root], r = (size_t)z[4 * root + 1];
        if (mc[root] <= thresh) {
            if (++nc > max_nc)
                break;
            k--;
            bit_set(visited, l);
            bit_set(visited, r);
            continue;
        }
        if (!bit_get(visited, l)) {
            bit_set(visited, l);
            if (l >= n) {
                stack[++k] = l;
                continue;
            }
            if (++nc > max_nc)
                break;
        }
        if (!bit_get(visited, r)) {
            bit_set(visited, r);
            if (r >= n) {
                stack[++k] = r;
                continue;
            }
            if (++nc > max_nc)
                break;
        }
        k--;
    }
    return nc;
}

typedef struct fc_work {
    double *md;
    int *T;
    size_t *stack;
    unsigned char *visited;
} fc_work;

static simdepth_status fc_begin(const simdepth_matrix *Z, simdepth_partition **out,
                                fc_work *w, simdepth_error *err)
{
    size_t n;
    simdepth_status st;

    memset(w, 0, sizeof *w);
    if (out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no output given");
    if ((st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(Z) + 1;
    w->md = simdepth_i_malloc_array(n, sizeof *w->md);
    w->T = simdepth_i_malloc_array(n, sizeof *w->T);
    w->stack = simdepth_i_malloc_array(n, sizeof *w->stack);
    w->visited = simdepth_i_malloc(((2 * n - 1) >> 3) + 1);
    if (w->md == NULL || w->T == NULL || w->stack == NULL || w->visited == NULL)
        return simdepth_i_enomem(err, "flat clusters");
    max_dists(simdepth_matrix_cdata(Z), n, w->md);
    return SIMDEPTH_OK;
}

static simdepth_status fc_end(fc_work *w, size_t n, const char *method,
                              simdepth_partition **out, simdepth_status st,
                              simdepth_error *err)
{
    simdepth_partition *p = NULL;
    size_t i;
    int mx = 0;

    if (st == SIMDEPTH_OK)
        st = simdepth_partition_new(n, method, &p, err);
    if (st == SIMDEPTH_OK) {
        for (i = 0; i < n; i++) {
            p->labels[i] = w->T[i] - 1;
            if (w->T[i] > mx)
                mx = w->T[i];
        }
        p->n_clusters = (size_t)mx;
        p->converged = 1;
        *out = p;
    }
    free(w->visited);
    free(w->stack);
    free(w->T);
    free(w->md);
    return st;
}

simdepth_status simdepth_linkage_fcluster_distance(const simdepth_matrix *Z, double t,
                                                   simdepth_partition **out,
                                                   simdepth_error *err)
{
    fc_work w;
    simdepth_status st;
    size_t n;

    if (isnan(t))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "the cut height is NaN");
    st = fc_begin(Z, out, &w, err);
    n = st == SIMDEPTH_OK ? simdepth_matrix_rows(Z) + 1 : 0;
    if (st == SIMDEPTH_OK)
        monocrit(simdepth_matrix_cdata(Z), n, w.md, t, w.T, w.stack, w.visited);
    return fc_end(&w, n, "fcluster-distance", out, st, err);
}

simdepth_status simdepth_linkage_fcluster_maxclust(const simdepth_matrix *Z, size_t k,
                                                   simdepth_partition **out,
                                                   simdepth_error *err)
{
    fc_work w;
    simdepth_status st;
    size_t n = 0;
    const double *z;

    if (k == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "maxclust needs at least 1 cluster, got 0");
    st = fc_begin(Z, out, &w, err);
    if (st != SIMDEPTH_OK)
        return fc_end(&w, 0, "fcluster-maxclust", out, st, err);
    n = simdepth_matrix_rows(Z) + 1;
    z = simdepth_matrix_cdata(Z);
    {
        /* SciPy 1.10.1's binary search over row positions for the smallest
         * threshold md[i] that leaves at most k clusters. It starts at
         * position 0 as the lower end and never evaluates it, so the cut is
         * never below md[1]; for n = 2 it reads md[1] past the end of its
         * array, which in practice gives one cluster: +inf here. */
        long lo = 0, hi = (long)n - 1;
        int kk = k > (size_t)INT_MAX ? INT_MAX : (int)k;
        while (hi - lo > 1) {
            long mid = (lo + hi) >> 1;
            if (count_clusters(z, n, w.md, w.md[mid], kk, w.stack, w.visited) > kk)
                lo = mid;
            else
                hi = mid;
        }
        monocrit(z, n, w.md, hi < (long)n - 1 ? w.md[hi] : INFINITY, w.T, w.stack, w.visited);
    }
    return fc_end(&w, n, "fcluster-maxclust", out, SIMDEPTH_OK, err);
}

/* ---- optimal leaf ordering (SciPy's _optimal_leaf_ordering) ------------ */

static void olo_swap(float *v, int *ix, int i, int j)
{
    float t = v[i];
    int u = ix[i];

    v[i] = v[j];
    v[j] = t;
    ix[i] = ix[j];
    ix[j] = u;
}

/* SciPy's _simultaneous_sort: quicksort with median-of-three pivot, the
 * pivot parked at the end, and special cases for 2 and 3 elements. The two
 * parts are independent, so recursing into the smaller one and looping on
 * the larger one gives the same result with a logarithmic stack. */
static void olo_sort(float *v, int *ix, int size)
{
    while (size > 1) {
        int pivot, store, i;
        float pv;

        if (size == 2) {
            if (v[0] > v[1])
                olo_swap(v, ix, 0, 1);
            return;
        }
        if (size == 3) {
            if (v[0] > v[1])
                olo_swap(v, ix, 0, 1);
            if (v[1] > v[2]) {
                olo_swap(v, ix, 1, 2);
                if (v[0] > v[1])
                    olo_swap(v, ix, 0, 1);
            }
            return;
        }
        pivot = size / 2;
        if (v[0] > v[size - 1])
            olo_swap(v, ix, 0, size - 1);
        if (v[size - 1] > v[pivot]) {
            olo_swap(v, ix, size - 1, pivot);
            if (v[0] > v[size - 1])
                olo_swap(v, ix, 0, size - 1);
        }
        pv = v[size - 1];
        store = 0;
        for (i = 0; i < size - 1; i++)
            if (v[i] < pv) {
                olo_swap(v, ix, i, store);
                store++;
            }
        olo_swap(v, ix, store, size - 1);
        pivot = store;
        /* Left part [0, pivot) is sorted when pivot > 1, right part
         * [pivot + 1, size) when it has at least 2 elements. */
        if (pivot < size - pivot - 1) {
            if (pivot > 1)
                olo_sort(v, ix, pivot);
            v += pivot + 1;
            ix += pivot + 1;
            size -= pivot + 1;
        } else {
            if (pivot + 2 < size)
                olo_sort(v + pivot + 1, ix + pivot + 1, size - pivot - 1);
            size = pivot;
        }
    }
}

typedef struct olo {
    size_t n;
    const void *y;      /* condensed distances of the items */
    int f32;
    const size_t *order; /* sorted position -> item */
    float *M;           /* condensed over positions: best partial sums */
    unsigned char *sw;  /* condensed over positions: bit 0 swap_L, bit 1 swap_R */
} olo;

static inline float olo_M(const olo *o, int a, int b)
{
    if (a == b)
        return 0.0f;
    return a < b ? o->M[cidx(o->n, (size_t)a, (size_t)b)] : o->M[cidx(o->n, (size_t)b, (size_t)a)];
}

static inline double olo_D(const olo *o, int a, int b)
{
    size_t p = o->order[a], q = o->order[b];

    return dget(o->y, o->f32, p < q ? cidx(o->n, p, q) : cidx(o->n, q, p));
}

/* One (swap_L, swap_R) combination of SciPy's identify_swaps: for every u in
 * [u0,u1) and w in [w0,w1), the best M[u, w] through m in [m0,m1) and k in
 * [k0,k1). */
static simdepth_status olo_block(olo *o, int u0, int u1, int m0, int m1, int w0, int w1,
                                 int k0, int k1, unsigned char code, simdepth_error *err)
{
    int nm = m1 - m0, nk = k1 - k0, nw = w1 - w0;
    float *mv = simdepth_i_malloc_array((size_t)nm, sizeof *mv);
    int *mi = simdepth_i_malloc_array((size_t)nm, sizeof *mi);
    /* The sorted M[{k}, w] depends on w only: cache it when affordable. */
    int cache = (size_t)nw * (size_t)nk <= ((size_t)1 << 22);
    size_t kcount = cache ? (size_t)nw * (size_t)nk : (size_t)nk;
    float *kv = simdepth_i_malloc_array(kcount, sizeof *kv);
    int *ki = simdepth_i_malloc_array(kcount, sizeof *ki);
    unsigned char *ksorted = simdepth_i_calloc((size_t)nw, 1);
    float min_km = OLO_BIG;
    int u, w, m, k, a, b;
    simdepth_status st = SIMDEPTH_OK;

    if (mv == NULL || mi == NULL || kv == NULL || ki == NULL || ksorted == NULL) {
        st = simdepth_i_enomem(err, "optimal leaf ordering");
        goto out;
    }
    for (m = m0; m < m1; m++)
        for (k = k0; k < k1; k++) {
            double dv = olo_D(o, m, k);
            if (dv < (double)min_km)
                min_km = (float)dv;
        }
    for (u = u0; u < u1; u++) {
        for (a = 0; a < nm; a++) {
            mv[a] = olo_M(o, m0 + a, u);
            mi[a] = m0 + a;
        }
        olo_sort(mv, mi, nm);
        for (w = w0; w < w1; w++) {
            float *kvw = cache ? kv + (size_t)(w - w0) * (size_t)nk : kv;
            int *kiw = cache ? ki + (size_t)(w - w0) * (size_t)nk : ki;
            float cur = OLO_BIG;
            if (!cache || !ksorted[w - w0]) {
                for (b = 0; b < nk; b++) {
                    kvw[b] = olo_M(o, k0 + b, w);
                    kiw[b] = k0 + b;
                }
                olo_sort(kvw, kiw, nk);
                ksorted[w - w0] = 1;
            }
            for (a = 0; a < nm; a++) {
                float mum = olo_M(o, u, mi[a]);
                float bound = mum + olo_M(o, w, kiw[0]);
                bound = bound + min_km;
                if (bound >= cur)
                    break;
                for (b = 0; b < nk; b++) {
                    float mwk = olo_M(o, w, kiw[b]);
                    float s = mum + mwk;
                    float lb = s + min_km;
                    double tot;
                    float val;
                    if (lb >= cur)
                        break;
                    tot = (double)s + olo_D(o, mi[a], kiw[b]);
                    val = (float)tot;
                    if (val < cur)
                        cur = val;
                }
            }
            o->M[cidx(o->n, (size_t)u, (size_t)w)] = cur;
            o->sw[cidx(o->n, (size_t)u, (size_t)w)] = code;
        }
    }
out:
    free(ksorted);
    free(ki);
    free(kv);
    free(mi);
    free(mv);
    return st;
}

static simdepth_status olo_run(olo *o, const int *sz, const int *range, int *must_swap,
                               simdepth_error *err)
{
    int np = (int)o->n, i;
    simdepth_status st = SIMDEPTH_OK;

    for (i = 0; i + 1 < np; i++) {
        int vl = sz[2 * i], vr = sz[2 * i + 1];
        int uc[2], mc[2], wc[2], kc[2], tu, tw, sl, sr, u, w, bu = 0, bw = 0;
        float cur;
        unsigned char s;

        if (vl < np) {
            tu = 1;
            uc[0] = mc[0] = vl;
        } else {
            tu = 2;
            uc[0] = sz[2 * (vl - np)];
            mc[0] = sz[2 * (vl - np) + 1];
            uc[1] = sz[2 * (vl - np) + 1];
            mc[1] = sz[2 * (vl - np)];
        }
        if (vr < np) {
            tw = 1;
            wc[0] = kc[0] = vr;
        } else {
            tw = 2;
            wc[0] = sz[2 * (vr - np) + 1];
            wc[1] = sz[2 * (vr - np)];
            kc[0] = sz[2 * (vr - np)];
            kc[1] = sz[2 * (vr - np) + 1];
        }
        for (sl = 0; sl < tu; sl++)
            for (sr = 0; sr < tw; sr++) {
                st = olo_block(o, range[2 * uc[sl]], range[2 * uc[sl] + 1], range[2 * mc[sl]],
                               range[2 * mc[sl] + 1], range[2 * wc[sr]], range[2 * wc[sr] + 1],
                               range[2 * kc[sr]], range[2 * kc[sr] + 1],
                               (unsigned char)(sl | (sr << 1)), err);
                if (st != SIMDEPTH_OK)
                    return st;
            }
        cur = OLO_BIG;
        for (u = range[2 * vl]; u < range[2 * vl + 1]; u++)
            for (w = range[2 * vr]; w < range[2 * vr + 1]; w++) {
                float v = o->M[cidx(o->n, (size_t)u, (size_t)w)];
                if (v < cur) {
                    cur = v;
                    bu = u;
                    bw = w;
                }
            }
        if (!(cur < OLO_BIG))
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                        "optimal leaf ordering: a partial path length reached "
                                        "2^30, SciPy's bound; scale the distances down");
        s = o->sw[cidx(o->n, (size_t)bu, (size_t)bw)];
        if (vl >= np)
            must_swap[vl - np] = s & 1;
        if (vr >= np)
            must_swap[vr - np] = (s >> 1) & 1;
    }
    return SIMDEPTH_OK;
}

simdepth_status simdepth_linkage_optimal_ordering(const simdepth_matrix *Z,
                                                  const void *y,
                                                  simdepth_dtype dtype,
                                                  simdepth_matrix **out,
                                                  simdepth_error *err)
{
    simdepth_matrix *res = NULL;
    size_t n, m, i, *order = NULL, *start = NULL, *pos = NULL;
    int *sz = NULL, *range = NULL, *must = NULL, *par = NULL;
    const double *z;
    double *rz;
    olo o;
    simdepth_status st;

    memset(&o, 0, sizeof o);
    if (y == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "no distances or output given");
    if ((st = check_dtype(dtype, err)) != SIMDEPTH_OK ||
        (st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(Z) + 1;
    m = simdepth_condensed_size(n);
    for (i = 0; i < m; i++) {
        double v = dget(y, dtype == SIMDEPTH_F32, i);
        if (!isfinite(v) || v >= (double)OLO_BIG)
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                        "condensed distance %zu is %g; optimal leaf ordering "
                                        "needs finite distances below 2^30",
                                        i, v);
    }
    z = simdepth_matrix_cdata(Z);
    order = simdepth_i_malloc_array(n, sizeof *order);
    start = simdepth_i_malloc_array(2 * n - 1, sizeof *start);
    pos = simdepth_i_malloc_array(n, sizeof *pos);
    sz = simdepth_i_malloc_array(2 * (n - 1), sizeof *sz);
    range = simdepth_i_malloc_array(2 * (2 * n - 1), sizeof *range);
    must = simdepth_i_calloc(n - 1, sizeof *must);
    par = simdepth_i_calloc(n - 1, sizeof *par);
    o.M = simdepth_i_calloc(m, sizeof *o.M);
    o.sw = simdepth_i_calloc(m, 1);
    if (order == NULL || start == NULL || pos == NULL || sz == NULL || range == NULL ||
        must == NULL || par == NULL || o.M == NULL || o.sw == NULL) {
        st = simdepth_i_enomem(err, "optimal leaf ordering");
        goto out;
    }
    o.n = n;
    o.y = y;
    o.f32 = dtype == SIMDEPTH_F32;
    o.order = order;
    /* Relabel the items by their position in the current leaf order, so
     * that every cluster is a range of positions. */
    tree_layout(z, n, start, order);
    for (i = 0; i < n; i++)
        pos[order[i]] = i;
    for (i = 0; i < n; i++) {
        range[2 * i] = (int)i;
        range[2 * i + 1] = (int)i + 1;
    }
    for (i = 0; i + 1 < n; i++) {
        size_t l = (size_t)z[4 * i], r = (size_t)z[4 * i + 1];
        sz[2 * i] = (int)(l < n ? pos[l] : l);
        sz[2 * i + 1] = (int)(r < n ? pos[r] : r);
        range[2 * (n + i)] = range[2 * (size_t)sz[2 * i]];
        range[2 * (n + i) + 1] = range[2 * (size_t)sz[2 * i + 1] + 1];
    }
    if ((st = olo_run(&o, sz, range, must, err)) != SIMDEPTH_OK)
        goto out;
    /* A row is flipped when an odd number of its ancestors-or-self must
     * swap; parents come after their children, so go top down. */
    if ((st = simdepth_matrix_new(n - 1, 4, SIMDEPTH_F64, &res, err)) != SIMDEPTH_OK)
        goto out;
    rz = simdepth_matrix_data(res);
    memcpy(rz, z, (n - 1) * 4 * sizeof *rz);
    i = n - 1;
    while (i-- > 0) {
        size_t c;
        par[i] ^= must[i];
        for (c = 0; c < 2; c++) {
            size_t ch = (size_t)z[4 * i + c];
            if (ch >= n)
                par[ch - n] = par[i];
        }
        if (par[i]) {
            rz[4 * i] = z[4 * i + 1];
            rz[4 * i + 1] = z[4 * i];
        }
    }
    *out = res;
    res = NULL;
out:
    simdepth_matrix_free(res);
    free(o.sw);
    free(o.M);
    free(par);
    free(must);
    free(range);
    free(sz);
    free(pos);
    free(start);
    free(order);
    return st;
}

/* ---- CSV --------------------------------------------------------------- */

simdepth_status simdepth_linkage_csv_write(FILE *f, const simdepth_matrix *Z,
                                           simdepth_error *err)
{
    const double *z;
    size_t i, m;
    simdepth_status st;

    if (f == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "no output stream");
    if ((st = simdepth_linkage_validate(Z, err)) != SIMDEPTH_OK)
        return st;
    z = simdepth_matrix_cdata(Z);
    m = simdepth_matrix_rows(Z);
    fputs("left,right,height,size\n", f);
    for (i = 0; i < m; i++)
        fprintf(f, "%zu,%zu,%.17g,%zu\n", (size_t)z[4 * i], (size_t)z[4 * i + 1], z[4 * i + 2],
                (size_t)z[4 * i + 3]);
    if (ferror(f))
        return simdepth_i_error_set(err, SIMDEPTH_EIO, NULL, 0, 0, -1,
                                    "cannot write the linkage matrix: %s", strerror(errno));
    return SIMDEPTH_OK;
}
