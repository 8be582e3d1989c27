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
                    double a = sim_at(data, f32, n, i, j), b = sim_at(data, f32, n, j, i), d;
                    if (!(a == b) || !isfinite(a) || (rule == SIMDEPTH_DISTANCE_ONE_MINUS && a > 1.0))
                        return sim_bad(err, i, j, a, b);
                    if (rule == SIMDEPTH_DISTANCE_MAX_MINUS) {
                        d = mx - a;
                    } else {
                        d = 1.0 - a;
                        if (rule == SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP && d < 0.0)
                            d = 0.0;
                    }
                    dput(y, of32, k, d);
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
    if (rule != SIMDEPTH_DISTANCE_ONE_MINUS && rule != SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP &&
        rule != SIMDEPTH_DISTANCE_MAX_MINUS)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown distance rule %d", (int)rule);
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

/* ---- Lance-Williams updates, in SciPy's operand order ------------------ */

static double lw_update(simdepth_linkage_method m, double dxi, double dyi,
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

LK_INLINE simdepth_status chain_body(void *d, int f32, size_t n,
                                     simdepth_linkage_method m, lk_rows *r,
                                     simdepth_error *err)
{
    int *size = simdepth_i_malloc_array(n, sizeof *size);
    size_t *chain = simdepth_i_malloc_array(n, sizeof *chain);
    size_t len = 0, i, k, x = 0, y = 0, idx, t;
    simdepth_status st = SIMDEPTH_OK;

    if (size == NULL || chain == NULL) {
        st = simdepth_i_enomem(err, "nearest-neighbour chain work space");
        goto out;
    }
    for (i = 0; i < n; i++)
        size[i] = 1;
    for (k = 0; k + 1 < n; k++) {
        double cur;
        int nx, ny;

        if (len == 0) {
            len = 1;
            for (i = 0; i < n; i++)
                if (size[i] > 0) {
                    chain[0] = i;
                    break;
                }
        }
        for (;;) {
            int found = 0;
            x = chain[len - 1];
            /* Prefer the previous chain element: no cycles on ties. */
            if (len > 1) {
                y = chain[len - 2];
                cur = dget(d, f32, x < y ? cidx(n, x, y) : cidx(n, y, x));
                found = 1;
            } else {
                cur = INFINITY;
            }
            for (i = 0, idx = x - 1; i < x; idx += n - i - 2, i++) {
                double dist;
                if (size[i] == 0)
                    continue;
                dist = dget(d, f32, idx);
                if (dist < cur) {
                    cur = dist;
                    y = i;
                    found = 1;
                }
            }
            for (i = x + 1, idx = x + 1 < n ? cidx(n, x, x + 1) : 0; i < n; i++, idx++) {
                double dist;
                if (size[i] == 0)
                    continue;
                dist = dget(d, f32, idx);
                if (dist < cur) {
                    cur = dist;
                    y = i;
                    found = 1;
                }
            }
            /* SciPy would go on with a stale y here and return a corrupt
             * matrix; only NaN distances get here. */
            if (!found) {
                st = no_neighbour(err, x);
                goto out;
            }
            if (len > 1 && y == chain[len - 2])
                break;
            if (len == n) { /* cannot happen: the chain's distances decrease */
                st = no_neighbour(err, x);
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
        r->a[k] = (int)x;
        r->b[k] = (int)y;
        r->h[k] = cur;
        size[x] = 0;
        size[y] = nx + ny;
        for (i = 0; i < n; i++) {
            size_t ix, iy;
            int ni = size[i];
            if (ni == 0 || i == y)
                continue;
            ix = i < x ? cidx(n, i, x) : cidx(n, x, i);
            iy = i < y ? cidx(n, i, y) : cidx(n, y, i);
            dput(d, f32, iy,
                 lw_update(m, dget(d, f32, ix), dget(d, f32, iy), cur, nx, ny, ni));
        }
    }
out:
    free(chain);
    free(size);
    return st;
}

static simdepth_status chain_f64(void *d, size_t n, simdepth_linkage_method m,
                                 lk_rows *r, simdepth_error *err)
{
    return chain_body(d, 0, n, m, r, err);
}

static simdepth_status chain_f32(void *d, size_t n, simdepth_linkage_method m,
                                 lk_rows *r, simdepth_error *err)
{
    return chain_body(d, 1, n, m, r, err);
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
        st = f32 ? chain_f32(y, n, method, &r, err) : chain_f64(y, n, method, &r, err);
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
