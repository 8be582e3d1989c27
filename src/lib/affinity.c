/* simdepth — affinity propagation on a precomputed similarity matrix.
 *
 * A port of scikit-learn 1.2.1's _affinity_propagation() (sklearn/cluster/
 * _affinity_propagation.py) that reproduces its float64 arithmetic
 * operation for operation, minus the random "degeneracy" noise. Matching
 * the last bit matters: messages are iterated up to max_iter times and
 * exact ties (confusion rates, coarse similarity grids) are common, so a
 * different rounding can change which exemplar wins.
 *
 * What NumPy does, and what this file does instead of materialising each
 * temporary:
 *   - tmp = A + S; per row the first argmax I, its value Y and the largest
 *     other value Y2: one pass per row.
 *   - R = R*damping + (S - Y)*(1 - damping), with S[i,I] - Y2 at I.
 *   - np.sum(Rp, axis=0) on a C-contiguous array adds row after row into
 *     the output vector (no pairwise summation across rows), so the column
 *     sums are accumulated here row by row in the same order, starting from
 *     row 0's values.
 *   - A = A*damping - clip(Rp - colsum, 0)*(1 - damping), diagonal unclipped.
 * Each A row is computed as soon as the column sums of the previous R are
 * complete, and the next R row right after it, so one iteration streams
 * S, A and R once instead of NumPy's dozen passes (at n = 3000 that is
 * memory-bound). When the iterations stop on convergence, the R rows
 * already computed for the next iteration go unused: half a pass.
 *
 * A float32 input is what scikit-learn keeps as float32 too: the median
 * and the preference on the diagonal are float32 values and the exemplar
 * refinement sums in float32; its messages are float64 either way.
 * A float64 input is read in place, a float32 one widened once.
 *
 * A mostly-zero similarity (a confusion graph; SIMDEPTH_AP_STORAGE_SPARSE,
 * or AUTO from three quarters of zeros) runs on sparse messages: the
 * columns of a row that only ever saw S == 0 share one responsibility and
 * the rows of a column one availability, so an iteration touches the
 * nonzeros only, with the same operations on the same values (the top of
 * affinity_msg.h's sparse section says why that is exact). A row whose
 * shared responsibility turns positive ends it: the messages are written
 * out and the dense iterations go on from there.
 *
 * At scale (SIMDEPTH_AP_SINGLE, or AUTO from SIMDEPTH_AP_SINGLE_FROM
 * items) the same updates run in float32 (affinity_msg.h is instantiated
 * for both types): what scikit-learn's code computes on float32 arrays,
 * half the memory and half the bytes streamed per iteration. A float32
 * input is then read in place.
 *
 * Exactness assumes IEEE double arithmetic without excess precision
 * (FLT_EVAL_METHOD 0: any x86-64 or arm64 build; not i386 x87 code).
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simdepth/affinity.h"
#include "internal.h"

/* Every product and sum below must be rounded on its own, as NumPy's
 * separate ufunc calls are. GCC contracts a*b + c into a fused multiply-add
 * by default wherever the target has one (arm64, x86-64 with -march=native),
 * which changes last bits and, over many iterations, ties and labels. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

void simdepth_ap_options_init(simdepth_ap_options *opt)
{
    if (opt == NULL)
        return;
    opt->use_preference = 0;
    opt->preference = 0.0;
    opt->damping = 0.5;
    opt->max_iter = 200;
    opt->convergence_iter = 15;
    opt->precision = SIMDEPTH_AP_AUTO;
    opt->threads = 0;
    opt->storage = SIMDEPTH_AP_STORAGE_AUTO;
    opt->progress = NULL;
    opt->progress_user = NULL;
}

/* ------------------------------------------------------------------ */
/* Reading the input                                                   */

/* The input's elements, whatever their type, with the pointers fetched
 * once. */
typedef struct in_view {
    const float *f;  /* float32 data, or NULL */
    const double *d; /* float64 data, or NULL */
    size_t len;      /* rows * cols */
} in_view;

static in_view view_of(const simdepth_matrix *s)
{
    in_view v;

    v.len = simdepth_matrix_rows(s) * simdepth_matrix_cols(s);
    v.f = NULL;
    v.d = NULL;
    if (simdepth_matrix_dtype(s) == SIMDEPTH_F32)
        v.f = simdepth_matrix_cdata(s);
    else
        v.d = simdepth_matrix_cdata(s);
    return v;
}

static inline double in_get(const in_view *v, size_t k)
{
    return v->f != NULL ? (double)v->f[k] : v->d[k];
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */

static simdepth_status check_args(const simdepth_matrix *s,
                                  const simdepth_ap_options *opt, int f32,
                                  simdepth_error *err)
{
    size_t rows, cols;

    if (s == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "affinity propagation: no similarity "
                                    "matrix given");
    rows = simdepth_matrix_rows(s);
    cols = simdepth_matrix_cols(s);
    if (rows != cols)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: the similarity matrix is %zu x %zu; "
            "expected a square matrix", rows, cols);
    if (rows == 0)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: the similarity matrix is empty; "
            "expected at least 1 x 1");
    if (rows > INT32_MAX)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: %zu items; at most %ld are supported",
            rows, (long)INT32_MAX);
    if (!(opt->damping >= 0.5 && opt->damping < 1.0))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: damping %g; expected a value in "
            "[0.5, 1)", opt->damping);
    if (opt->max_iter < 1)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: max_iter %d; expected at least 1",
            opt->max_iter);
    if (opt->precision != SIMDEPTH_AP_DOUBLE && opt->precision != SIMDEPTH_AP_SINGLE &&
        opt->precision != SIMDEPTH_AP_AUTO)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: precision %d; expected double, single "
            "or auto", (int)opt->precision);
    if (opt->storage != SIMDEPTH_AP_STORAGE_AUTO &&
        opt->storage != SIMDEPTH_AP_STORAGE_DENSE &&
        opt->storage != SIMDEPTH_AP_STORAGE_SPARSE)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: storage %d; expected auto, dense or "
            "sparse", (int)opt->storage);
    if (opt->threads < 0)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: %d threads; expected 0 (automatic) or more",
            opt->threads);
    if (opt->convergence_iter < 1)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: convergence_iter %d; expected at "
            "least 1", opt->convergence_iter);
    if (opt->use_preference) {
        if (!isfinite(opt->preference))
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "affinity propagation: preference %g; expected a finite "
                "number", opt->preference);
        /* scikit-learn stores the preference into the float32 matrix;
         * float32 messages hold it as a float32 too. */
        if ((simdepth_matrix_dtype(s) == SIMDEPTH_F32 || f32) &&
            fabs(opt->preference) > FLT_MAX)
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "affinity propagation: preference %g does not fit the "
                "float32 %s", opt->preference,
                f32 ? "messages" : "similarity matrix");
    }
    return SIMDEPTH_OK;
}

/* ------------------------------------------------------------------ */
/* Median (np.median over all n*n entries)                             */

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* Rearrange v[0 .. len) so that v[k] holds the value of rank k, everything
 * before it is <= v[k] and everything after >= v[k]. Three-way partitioning
 * keeps many equal values linear; pivots come from a fixed xorshift stream
 * (the result does not depend on them), and a rare bad run falls back to a
 * sort of what is left. Expected O(len). */
static void select_kth(double *v, size_t len, size_t k)
{
    size_t lo = 0, hi = len; /* the answer lies in [lo, hi) */
    uint64_t x = 0x9e3779b97f4a7c15u;
    int rounds = 0;

    while (hi - lo > 1) {
        size_t lt, gt, i;
        double pivot, t;

        if (++rounds > 64) {
            qsort(v + lo, hi - lo, sizeof *v, cmp_double);
            return;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pivot = v[lo + (size_t)(x % (hi - lo))];
        /* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot */
        lt = lo;
        gt = hi;
        i = lo;
        while (i < gt) {
            if (v[i] < pivot) {
                t = v[i]; v[i] = v[lt]; v[lt] = t;
                lt++;
                i++;
            } else if (v[i] > pivot) {
                gt--;
                t = v[i]; v[i] = v[gt]; v[gt] = t;
            } else {
                i++;
            }
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return; /* v[lt .. gt) all equal the pivot */
    }
}

/* The values of ranks k0 and k1 = k0 or k0 + 1 among the input's values.
 * A deterministic sample brackets the ranks; one branch-free pass counts
 * the values below the bracket and gathers those inside it (a few percent)
 * at the start of @scratch, where the ranks are then selected. If the
 * bracket misses them (rare), or the input is small, all values are copied
 * and selected. @scratch holds in->len doubles. */
static void ranks_of(const in_view *in, size_t k0, size_t k1,
                     double *scratch, double *v0, double *v1)
{
    const size_t sample = 16384, delta = 256; /* 4 sigma of the rank */
    size_t len = in->len, k, m = 0, below = 0;

    if (len >= 8 * sample) {
        double *smp = scratch + len - sample, lo, hi;
        uint64_t x = 0x2545f4914f6cdd1du;
        size_t ks = (size_t)((double)k0 / (double)len * (double)sample);
        size_t jlo = ks > delta ? ks - delta : 0;
        size_t jhi = ks + delta < sample ? ks + delta : sample - 1;

        for (k = 0; k < sample; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            smp[k] = in_get(in, (size_t)(x % len));
        }
        select_kth(smp, sample, jlo);
        lo = smp[jlo];
        select_kth(smp + jlo, sample - jlo, jhi - jlo);
        hi = smp[jhi];
        /* the sample may be overwritten from here on */
        for (k = 0; k < len; k++) {
            double v = in_get(in, k);

            scratch[m] = v;
            m += (v >= lo) & (v <= hi);
            below += v < lo;
        }
    }
    if (m == 0 || below > k0 || k1 >= below + m) {
        for (k = 0; k < len; k++)
            scratch[k] = in_get(in, k);
        m = len;
        below = 0;
    }
    select_kth(scratch, m, k1 - below);
    *v1 = scratch[k1 - below];
    *v0 = *v1;
    if (k0 < k1) {
        /* everything before position k1 - below is <= *v1 */
        *v0 = scratch[0];
        for (k = 1; k < k1 - below; k++)
            if (scratch[k] > *v0)
                *v0 = scratch[k];
    }
}

/* Whether the median of @len values, @below of them negative and @zeros
 * zero, is 0: the middle rank (both for an even count) falls among the
 * zeros. */
static int median_is_zero(size_t len, size_t below, size_t zeros)
{
    size_t half = len / 2;

    return half >= below + (len % 2 == 0) && half < below + zeros;
}

/* np.median(S) in the matrix's own type: for an even count NumPy takes the
 * mean of the two middle values, (lo + hi) / 2, in float32 for a float32
 * array. When the middle ranks fall among the @zeros zero values, after
 * the @below negative ones (a confusion graph), the median is 0 and
 * nothing is copied; otherwise @scratch, n*n doubles, is used. */
static double median_of(const simdepth_matrix *s, size_t below, size_t zeros,
                        double *scratch)
{
    in_view in = view_of(s);
    size_t half = in.len / 2;
    double lo, hi;

    if (median_is_zero(in.len, below, zeros))
        return 0.0;

    if (in.len % 2 == 1) {
        ranks_of(&in, half, half, scratch, &lo, &hi);
        return hi;
    }
    ranks_of(&in, half - 1, half, scratch, &lo, &hi);
    if (in.f != NULL) {
        float sum = (float)lo + (float)hi;
        return (double)(sum / 2.0f);
    }
    return (lo + hi) / 2.0;
}

/* _equal_similarities_and_preferences() for a scalar preference: every
 * off-diagonal entry equals the first one. */
static int offdiag_all_equal(const simdepth_matrix *s)
{
    in_view in = view_of(s);
    size_t n = simdepth_matrix_rows(s), i, j;
    double first;

    if (n < 2)
        return 1;
    first = in_get(&in, 1);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            if (i != j && in_get(&in, i * n + j) != first)
                return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Message passing                                                      */

/* Threads one run may use, and the fewest items worth a second thread. */
#define SIMDEPTH_I_AP_MAX_THREADS 8
#define AP_ITEMS_PER_THREAD 256

/* The message passing in float64 (scikit-learn's arithmetic) and float32. */
#define AP_REAL double
#define AP_IREAL int64_t
#define AP_LANES 2
#define AP_SFX _d
#include "affinity_msg.h"
#undef AP_REAL
#undef AP_IREAL
#undef AP_LANES
#undef AP_SFX

#define AP_REAL float
#define AP_IREAL int32_t
#define AP_LANES 4
#define AP_SFX _f
#include "affinity_msg.h"
#undef AP_REAL
#undef AP_IREAL
#undef AP_LANES
#undef AP_SFX

/* ------------------------------------------------------------------ */
/* Exemplars and labels                                                 */

typedef struct ex_rank {
    int32_t index;
    int32_t k;
} ex_rank;

static int cmp_ex_rank(const void *pa, const void *pb)
{
    const ex_rank *a = pa, *b = pb;
    return (a->index > b->index) - (a->index < b->index);
}

/* Members of each cluster in increasing index (np.where order): those of
 * cluster k are members[start[k] .. start[k + 1]). */
static void group_members(size_t n, size_t k_count, const int32_t *c,
                          int32_t *members, int32_t *start)
{
    size_t i, k;

    memset(start, 0, (k_count + 1) * sizeof *start);
    for (i = 0; i < n; i++)
        start[c[i] + 1]++;
    for (k = 0; k < k_count; k++)
        start[k + 1] += start[k];
    for (i = 0; i < n; i++)
        members[start[c[i]]++] = (int32_t)i;
    for (k = k_count; k > 0; k--)
        start[k] = start[k - 1];
    start[0] = 0;
}

/* labels = searchsorted(unique(ex[c]), ex[c]): the rank of each exemplar
 * among the (distinct) exemplars; sets p->labels and p->exemplars. @rank
 * holds k_count int32. */
static simdepth_status rank_labels(const int32_t *ex, size_t k_count,
                                   const int32_t *c, int32_t *rank,
                                   simdepth_partition *p, simdepth_error *err)
{
    size_t i, k;
    ex_rank *order = simdepth_i_malloc_array(k_count, sizeof *order);

    p->exemplars = simdepth_i_malloc_array(k_count, sizeof *p->exemplars);
    if (order == NULL || p->exemplars == NULL) {
        free(order);
        return simdepth_i_enomem(err, "affinity propagation exemplars");
    }
    for (k = 0; k < k_count; k++) {
        order[k].index = ex[k];
        order[k].k = (int32_t)k;
    }
    qsort(order, k_count, sizeof *order, cmp_ex_rank);
    for (k = 0; k < k_count; k++) {
        p->exemplars[k] = order[k].index;
        rank[order[k].k] = (int32_t)k; /* rank of ex[k] */
    }
    for (i = 0; i < p->n; i++)
        p->labels[i] = rank[c[i]];
    free(order);
    return SIMDEPTH_OK;
}
/* ------------------------------------------------------------------ */

/* The early return of scikit-learn for n == 1 or all-equal similarities:
 * every item its own exemplar if the preference is at least S[0, n-1]
 * (read before the diagonal is replaced), else one cluster around item 0. */
static simdepth_status ap_trivial(const simdepth_matrix *s, double pref,
                                  simdepth_partition *p, simdepth_error *err)
{
    size_t n = p->n, i;
    in_view in = view_of(s);
    int all = pref >= in_get(&in, n - 1);

    p->exemplars = simdepth_i_malloc_array(all ? n : 1, sizeof *p->exemplars);
    if (p->exemplars == NULL)
        return simdepth_i_enomem(err, "affinity propagation exemplars");
    for (i = 0; i < n; i++) {
        p->labels[i] = all ? (int32_t)i : 0;
        if (all)
            p->exemplars[i] = (int32_t)i;
    }
    p->exemplars[0] = 0;
    p->iterations = 0;
    p->converged = 1;
    return SIMDEPTH_OK;
}

/* How many threads to run: @asked, or with 0 one per online CPU; at most
 * SIMDEPTH_I_AP_MAX_THREADS and one per AP_ITEMS_PER_THREAD items. */
static int ap_threads(int asked, size_t n)
{
    long t = asked;
    size_t cap = n / AP_ITEMS_PER_THREAD;

    if (t <= 0) {
#if defined(_SC_NPROCESSORS_ONLN)
        t = sysconf(_SC_NPROCESSORS_ONLN);
#else
        t = 1;
#endif
    }
    if (t > SIMDEPTH_I_AP_MAX_THREADS)
        t = SIMDEPTH_I_AP_MAX_THREADS;
    if (asked <= 0 && (size_t)t > cap)
        t = (long)cap;
    return t < 1 ? 1 : (int)t;
}

/* A buffer of at least @bytes in *@p, kept from an earlier run if large
 * enough. */
static void *work_buffer(void **p, size_t *have, size_t bytes)
{
    if (*p != NULL && *have >= bytes)
        return *p;
    free(*p);
    *have = 0;
    *p = simdepth_i_malloc(bytes); /* huge pages: see alloc.c */
    if (*p != NULL)
        *have = bytes;
    return *p;
}

void simdepth_i_ap_work_free(simdepth_i_ap_work *work)
{
    free(work->msgs);
    free(work->copy);
    memset(work, 0, sizeof *work);
}

/* The per-item arrays of a run. */
typedef struct ap_items {
    unsigned char *e;
    int *run;
    int32_t *ex, *c, *members, *start;
} ap_items;

static void items_free(ap_items *it)
{
    free(it->start);
    free(it->members);
    free(it->c);
    free(it->ex);
    free(it->run);
    free(it->e);
}

static int items_alloc(ap_items *it, size_t n)
{
    memset(it, 0, sizeof *it);
    it->e = simdepth_i_malloc_array(n, sizeof *it->e);
    it->run = simdepth_i_malloc_array(n, sizeof *it->run);
    it->ex = simdepth_i_malloc_array(n, sizeof *it->ex);
    it->c = simdepth_i_malloc_array(n, sizeof *it->c);
    it->members = simdepth_i_malloc_array(n, sizeof *it->members);
    it->start = simdepth_i_malloc_array(n + 1, sizeof *it->start);
    return it->e != NULL && it->run != NULL && it->ex != NULL &&
           it->c != NULL && it->members != NULL && it->start != NULL;
}

/* The exemplars (e == 1) in increasing index order; their count. */
static size_t exemplars_of(const unsigned char *e, size_t n, int32_t *ex)
{
    size_t i, k = 0;

    for (i = 0; i < n; i++)
        if (e[i] == 1)
            ex[k++] = (int32_t)i;
    return k;
}

/* The first value that is not finite, or (@f32: float32 messages) beyond
 * the float32 range, as an error; SIMDEPTH_OK if there is none. */
static simdepth_status bad_value(double v, size_t k, size_t n, int f32, simdepth_error *err)
{
    if (!isfinite(v))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: similarity at row %zu, column %zu "
            "(1-based) is %s; expected finite similarities",
            k / n + 1, k % n + 1, isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"));
    /* A float64 similarity rounded for float32 messages must stay
     * finite. */
    if (f32 && fabs(v) > FLT_MAX)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "affinity propagation: similarity at row %zu, column %zu "
            "(1-based) is %g, beyond the float32 range of single-precision "
            "messages; expected |s| <= %g (or --ap-precision double)",
            k / n + 1, k % n + 1, v, (double)FLT_MAX);
    return SIMDEPTH_OK;
}

/* One pass over the input: checks every value (bad_value), counts the
 * values below zero and equal to zero (for the median), and per row the
 * off-diagonal values that are nonzero in the messages' type (float32 if
 * @f32) into @nz; *off_zero: the off-diagonal values that are zero in
 * that type. */
static simdepth_status count_zeros(const in_view *in, size_t n, int f32, size_t *nz,
                                   size_t *below, size_t *zeros, size_t *off_zero,
                                   simdepth_error *err)
{
    size_t i, j, neg = 0, zero = 0, off = 0;

    *below = *zeros = *off_zero = 0;
    for (i = 0; i < n; i++) {
        size_t row_nz = 0;

        for (j = 0; j < n; j++) {
            double v = in_get(in, i * n + j);
            int z = f32 ? (float)v == 0.0f : v == 0.0;

            if (!isfinite(v) || (f32 && fabs(v) > FLT_MAX))
                return bad_value(v, i * n + j, n, f32, err);
            neg += v < 0.0;
            zero += v == 0.0;
            row_nz += !z && j != i;
        }
        nz[i] = row_nz;
        off += n - 1 - row_nz;
    }
    *below = neg;
    *zeros = zero;
    *off_zero = off;
    return SIMDEPTH_OK;
}

/* Whether to iterate on sparse messages (affinity_msg.h): asked for, or
 * automatically when at least three quarters of the @zeros off-diagonal
 * similarities are zero, where they take a fraction of the dense
 * iterations' time. Either way the result is the same. */
static int use_sparse(const simdepth_ap_options *opt, size_t n, size_t zeros)
{
    if (opt->storage == SIMDEPTH_AP_STORAGE_SPARSE)
        return 1;
    if (opt->storage == SIMDEPTH_AP_STORAGE_DENSE || n < 2)
        return 0;
    return zeros / 3 >= (n * n - n - zeros);
}

/* The input's values in the messages' type (float32 if @f32) in @work's
 * copy buffer; NULL out of memory. */
static const void *typed_copy(in_view in, int f32, simdepth_i_ap_work *work)
{
    size_t i;
    void *copy = work_buffer(&work->copy, &work->copy_bytes,
                             in.len * (f32 ? sizeof(float) : sizeof(double)));

    if (copy == NULL)
        return NULL;
    if (f32) {
        for (i = 0; i < in.len; i++)
            ((float *)copy)[i] = (float)in_get(&in, i);
    } else {
        for (i = 0; i < in.len; i++)
            ((double *)copy)[i] = in_get(&in, i);
    }
    return copy;
}

/* One precision's run, from fresh (zero) messages to labels; see
 * simdepth_i_affinity_propagation. @msgs holds 2 n*n AP_REAL, @sv the
 * similarities in that type (NULL for sparse messages of an input of the
 * other type, which read @in). */
#define AP_RUN(T, SFX)                                                      \
    do {                                                                    \
        ap_state##SFX w;                                                    \
                                                                            \
        memset(&w, 0, sizeof w);                                            \
        w.n = n;                                                            \
        w.damping = (T)opt->damping;                                        \
        w.omd = (T)(1.0 - opt->damping);                                    \
        w.pref = (T)pref_diag;                                              \
        w.s = (const T *)sv;                                                \
        w.in_f = in.f;                                                      \
        w.in_d = in.d;                                                      \
        w.colsum = (T *)cols;                                               \
        w.colnext = (T *)cols + n;                                          \
        w.e = it.e;                                                         \
        w.run = it.run;                                                     \
        w.progress = opt->progress;                                         \
        w.progress_user = opt->progress_user;                               \
        if (sparse) {                                                       \
            sp_state##SFX sp;                                               \
            int resume = 0, done;                                           \
                                                                            \
            if (sp_init##SFX(&sp, &w, nz, opt->max_iter) != 0) {            \
                st = simdepth_i_enomem(err, "affinity propagation messages"); \
                goto out;                                                   \
            }                                                               \
            done = sp_iterate##SFX(&w, &sp, opt->max_iter,                  \
                                   opt->convergence_iter, &iterations,      \
                                   &converged, &resume);                    \
            if (done == 0) {                                                \
                /* a row turned dense: so do the messages */                \
                if (w.s == NULL)                                            \
                    w.s = typed_copy(in, f32, work);                        \
                if (msgs == NULL)                                           \
                    msgs = work_buffer(&work->msgs, &work->msgs_bytes,      \
                                       2 * nn * sizeof(T));                 \
                if (w.s == NULL || msgs == NULL) {                          \
                    sp_free##SFX(&sp);                                      \
                    st = simdepth_i_enomem(err, "affinity propagation messages"); \
                    goto out;                                               \
                }                                                           \
                w.r = (T *)msgs;                                            \
                w.a = (T *)msgs + nn;                                       \
                sp_spill##SFX(&sp, &w);                                     \
            }                                                               \
            sp_free##SFX(&sp);                                              \
            if (done == 0)                                                  \
                iterations = ap_iterate##SFX(&w, opt->max_iter,             \
                                             opt->convergence_iter, resume, \
                                             threads, &converged);          \
        } else {                                                            \
            w.r = (T *)msgs;                                                \
            w.a = (T *)msgs + nn;                                           \
            memset(msgs, 0, 2 * nn * sizeof(T));                            \
            iterations = ap_iterate##SFX(&w, opt->max_iter,                 \
                                         opt->convergence_iter, 0, threads, \
                                         &converged);                       \
        }                                                                   \
        p->iterations = iterations;                                         \
        p->converged = converged;                                           \
        k_count = exemplars_of(w.e, n, it.ex);                              \
        if (k_count > 0) {                                                  \
            assign##SFX(&w, it.ex, k_count, it.c);                          \
            group_members(n, k_count, it.c, it.members, it.start);          \
            refine##SFX(&w, refine_single, it.ex, k_count, it.members,      \
                        it.start, (T *)cols);                               \
            assign##SFX(&w, it.ex, k_count, it.c);                          \
        }                                                                   \
    } while (0)

simdepth_status simdepth_i_affinity_propagation(const simdepth_matrix *s,
                                                const simdepth_ap_options *opt,
                                                simdepth_i_ap_work *work,
                                                simdepth_partition **out,
                                                simdepth_error *err)
{
    simdepth_ap_options defaults;
    simdepth_partition *p = NULL;
    simdepth_status st;
    ap_items it;
    double pref, pref_diag, *cols = NULL;
    const void *sv;
    void *msgs;
    size_t n, nn, i, k_count, real, below, zeros, off_zero, *nz = NULL;
    int single, f32, converged, refine_single, threads, iterations, sparse;
    in_view in;

    memset(&it, 0, sizeof it);
    if (opt == NULL) {
        simdepth_ap_options_init(&defaults);
        opt = &defaults;
    }
    f32 = s != NULL && (opt->precision == SIMDEPTH_AP_SINGLE ||
                        (opt->precision == SIMDEPTH_AP_AUTO &&
                         simdepth_matrix_rows(s) >= SIMDEPTH_AP_SINGLE_FROM));
    st = check_args(s, opt, f32, err);
    if (st != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(s);
    single = simdepth_matrix_dtype(s) == SIMDEPTH_F32;
    real = f32 ? sizeof(float) : sizeof(double);
    threads = ap_threads(opt->threads, n);
    /* The messages: R and A in one block of 2 n*n reals (at least n*n
     * doubles, the median's scratch space before the iterations). */
    if (simdepth_i_mul_overflows(n, n) || simdepth_i_mul_overflows(n * n, 2 * real)) {
        return simdepth_i_error_set(
            err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
            "affinity propagation: %zu x %zu messages do not fit in memory",
            n, n);
    }
    nn = n * n;

    st = simdepth_partition_new(n, "affinity", &p, err);
    if (st != SIMDEPTH_OK)
        return st;
    nz = simdepth_i_malloc_array(n, sizeof *nz);
    if (nz == NULL) {
        st = simdepth_i_enomem(err, "affinity propagation messages");
        goto out;
    }
    in = view_of(s);
    st = count_zeros(&in, n, f32, nz, &below, &zeros, &off_zero, err);
    if (st != SIMDEPTH_OK)
        goto out;
    sparse = use_sparse(opt, n, off_zero);
    /* Dense messages (and a median that needs scratch space) take the
     * message block now; sparse ones only if they spill, so a block kept
     * from an earlier run is given back first. */
    msgs = NULL;
    if (sparse) {
        free(work->msgs);
        work->msgs = NULL;
        work->msgs_bytes = 0;
    }
    if (!sparse || (!opt->use_preference && !median_is_zero(nn, below, zeros))) {
        msgs = work_buffer(&work->msgs, &work->msgs_bytes, 2 * nn * real);
        if (msgs == NULL) {
            st = simdepth_i_enomem(err, "affinity propagation messages");
            goto out;
        }
    }
    if (opt->use_preference) {
        pref = opt->preference;
        pref_diag = single ? (double)(float)pref : pref;
    } else {
        pref = median_of(s, below, zeros, msgs);
        pref_diag = pref; /* already of the matrix's type */
    }
    if (f32)
        pref_diag = (double)(float)pref_diag;

    if (n == 1 || offdiag_all_equal(s)) {
        st = ap_trivial(s, pref, p, err);
        goto out;
    }

    /* The similarities in the messages' type: read in place when they
     * already are, else converted once (sparse messages read the input
     * until they spill). */
    sv = simdepth_matrix_cdata(s);
    if (f32 != single) {
        sv = sparse ? NULL : typed_copy(in, f32, work);
        if (!sparse && sv == NULL) {
            st = simdepth_i_enomem(err, "affinity propagation similarities");
            goto out;
        }
    }
    cols = simdepth_i_malloc_array(2 * n, sizeof *cols);
    if (cols == NULL || !items_alloc(&it, n)) {
        st = simdepth_i_enomem(err, "affinity propagation messages");
        goto out;
    }
    /* float32 messages sum the refinement in float32 natively; float64
     * messages of a float32 input round each sum to float32. */
    refine_single = !f32 && single;
    if (f32)
        AP_RUN(float, _f);
    else
        AP_RUN(double, _d);
    if (opt->progress != NULL)
        opt->progress(opt->progress_user, "affinity propagation", 1.0);
    if (k_count == 0) {
        /* No exemplar: every label -1, counted as one cluster. */
        for (i = 0; i < n; i++)
            p->labels[i] = -1;
        p->converged = 0;
    } else {
        st = rank_labels(it.ex, k_count, it.c, it.start, p, err);
    }

out:
    items_free(&it);
    free(cols);
    free(nz);
    if (st != SIMDEPTH_OK) {
        simdepth_partition_free(p);
        return st;
    }
    simdepth_partition_recount(p);
    *out = p;
    return SIMDEPTH_OK;
}

#undef AP_RUN

simdepth_status simdepth_affinity_propagation(const simdepth_matrix *s,
                                              const simdepth_ap_options *opt,
                                              simdepth_partition **out,
                                              simdepth_error *err)
{
    simdepth_i_ap_work work;
    simdepth_status st;

    memset(&work, 0, sizeof work);
    st = simdepth_i_affinity_propagation(s, opt, &work, out, err);
    simdepth_i_ap_work_free(&work);
    return st;
}
