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
 * refinement sums in float32; the messages are float64 either way.
 * A float64 input is read in place, a float32 one widened once.
 *
 * Exactness assumes IEEE double arithmetic without excess precision
 * (FLT_EVAL_METHOD 0: any x86-64 or arm64 build; not i386 x87 code).
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

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
                                  const simdepth_ap_options *opt,
                                  simdepth_error *err)
{
    size_t rows, cols, k;
    in_view in;

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
        /* scikit-learn stores the preference into the float32 matrix. */
        if (simdepth_matrix_dtype(s) == SIMDEPTH_F32 &&
            fabs(opt->preference) > FLT_MAX)
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "affinity propagation: preference %g does not fit the "
                "float32 similarity matrix", opt->preference);
    }
    in = view_of(s);
    for (k = 0; k < in.len; k++) {
        double v = in_get(&in, k);
        if (!isfinite(v))
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "affinity propagation: similarity at row %zu, column %zu "
                "(1-based) is %s; expected finite similarities",
                k / cols + 1, k % cols + 1,
                isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf"));
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

/* np.median(S) in the matrix's own type: for an even count NumPy takes the
 * mean of the two middle values, (lo + hi) / 2, in float32 for a float32
 * array. @scratch holds n*n doubles. */
static double median_of(const simdepth_matrix *s, double *scratch)
{
    in_view in = view_of(s);
    size_t half = in.len / 2;
    double lo, hi;

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

/* @nn doubles for a message matrix. Large ones are marked for transparent
 * huge pages, as NumPy marks its large arrays: touching fresh memory one
 * 4 KiB page fault at a time otherwise costs as much as several iterations
 * (far more under some hypervisors). Advice the kernel may ignore. */
static double *alloc_square(size_t nn)
{
    double *p = simdepth_i_malloc_array(nn, sizeof *p);

#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p != NULL && nn >= ((size_t)1 << 19)) { /* 4 MiB */
        long page = sysconf(_SC_PAGESIZE);

        if (page > 0) {
            uintptr_t mask = (uintptr_t)page - 1;
            uintptr_t lo = ((uintptr_t)p + mask) & ~mask;
            uintptr_t hi = (uintptr_t)(p + nn) & ~mask;

            if (hi > lo)
                (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
        }
    }
#endif
    return p;
}

/* Two-lane vectors through GCC's generic vector extension (also in clang):
 * element-wise IEEE operations with the same rounding as the scalar code.
 * 16 bytes is native on every 64-bit target (SSE2, NEON); wider vectors
 * would be lowered lane by lane where the target lacks them. Loads and
 * stores go through memcpy, so no alignment is assumed. Loops take two
 * vectors per step for instruction-level parallelism. */
typedef double vd __attribute__((vector_size(2 * sizeof(double))));
typedef int64_t vi __attribute__((vector_size(2 * sizeof(int64_t))));
#define VLOAD(v, p) memcpy(&(v), (p), sizeof(vd))
#define VSTORE(p, v) memcpy((p), &(v), sizeof(vd))

typedef struct ap_state {
    size_t n;
    double damping;
    double omd;         /* 1 - damping, as Python computes it */
    const double *s;    /* n*n similarities; the diagonal is not read */
    double pref;        /* the diagonal of S: the preference */
    double *r;          /* n*n responsibilities */
    double *a;          /* n*n availabilities */
    double *colsum;     /* column sums of Rp for the current A update */
    double *colnext;    /* column sums of Rp being accumulated */
    unsigned char *e;   /* last exemplar indicator per item */
    int *run;           /* how many iterations e has kept its value */
} ap_state;

static inline double pos(double x)
{
    return x > 0.0 ? x : 0.0;
}

/* S[i, j] with the preference on the diagonal. */
static inline double s_at(const ap_state *w, size_t i, size_t j)
{
    return i == j ? w->pref : w->s[i * w->n + j];
}

/* max(x, 0) of a vector variable, as np.maximum(x, 0) and clip(x, 0, inf)
 * give it (a zero's sign aside, which nothing downstream can see). */
#define VPOS(x) ((vd)((vi)(x) & (vi)((x) > zero)))

/* The largest value of a row, the first index holding it, and the largest
 * of the others (equal to the first if the maximum is tied): np.argmax,
 * tmp[ind, I] and np.max after masking I, computed in one pass that sees
 * the elements in increasing index order. */
typedef struct top2 {
    double best, second;
    size_t idx;
} top2;

static void top2_init(top2 *t)
{
    t->best = -INFINITY;
    t->second = -INFINITY;
    t->idx = 0;
}

static inline void top2_add(top2 *t, double v, size_t j)
{
    if (v > t->best) {
        t->second = t->best;
        t->best = v;
        t->idx = j;
    } else if (v > t->second) {
        t->second = v;
    }
}

/* One vector of the A update; see a_segment. */
#define A_STEP(off, av, v)                                                  \
    do {                                                                    \
        vd rv, cv, sv, tv;                                                  \
        VLOAD(rv, r + j + (off));                                           \
        VLOAD(cv, cs + j + (off));                                          \
        VLOAD(av, a + j + (off));                                           \
        VLOAD(sv, s + j + (off));                                           \
        rv = VPOS(rv);                                                      \
        tv = rv - cv;                                                       \
        tv = VPOS(tv);                                                      \
        av = av * vdamp - tv * vomd;                                        \
        VSTORE(a + j + (off), av);                                          \
        v = av + sv;                                                        \
    } while (0)

/* Availabilities of row i for columns [lo, hi), none of them the diagonal:
 * a = a*d - clip(max(r, 0) - colsum, 0)*(1-d); then track a + s. Only an
 * element above the current second value can change the tracker, which
 * after the first few is rare, so the vector loop compares with that and
 * hands a block of 8 with a hit to top2_add(), in index order. */
static void a_segment(double *restrict a, const double *restrict r,
                      const double *restrict s, const double *restrict cs,
                      size_t lo, size_t hi, double d, double omd, top2 *t)
{
    const vd zero = {0.0, 0.0};
    const vd vdamp = {d, d}, vomd = {omd, omd};
    vd thr = {t->second, t->second};
    size_t j = lo;

    for (; j + 8 <= hi; j += 8) {
        vd av0, av1, av2, av3, v0, v1, v2, v3;
        vi m;

        A_STEP(0, av0, v0);
        A_STEP(2, av1, v1);
        A_STEP(4, av2, v2);
        A_STEP(6, av3, v3);
        m = ((vi)(v0 > thr) | (vi)(v1 > thr)) |
            ((vi)(v2 > thr) | (vi)(v3 > thr));
        if ((m[0] | m[1]) != 0) {
            top2_add(t, v0[0], j);
            top2_add(t, v0[1], j + 1);
            top2_add(t, v1[0], j + 2);
            top2_add(t, v1[1], j + 3);
            top2_add(t, v2[0], j + 4);
            top2_add(t, v2[1], j + 5);
            top2_add(t, v3[0], j + 6);
            top2_add(t, v3[1], j + 7);
            thr[0] = thr[1] = t->second;
        }
    }
    for (; j < hi; j++) {
        double tj = pos(pos(r[j]) - cs[j]);
        a[j] = a[j] * d - tj * omd;
        top2_add(t, a[j] + s[j], j);
    }
}

#undef A_STEP

/* One vector of the R update; see r_segment. */
#define R_STEP(off)                                                         \
    do {                                                                    \
        vd rv, sv, cv;                                                      \
        VLOAD(rv, r + j + (off));                                           \
        VLOAD(sv, s + j + (off));                                           \
        VLOAD(cv, cs + j + (off));                                          \
        rv = rv * vdamp + (sv - vy) * vomd;                                 \
        VSTORE(r + j + (off), rv);                                          \
        cv += VPOS(rv);                                                     \
        VSTORE(cs + j + (off), cv);                                         \
    } while (0)

/* Responsibilities of row i for columns [lo, hi), none of them the argmax
 * or the diagonal: r = r*d + (s - y)*(1-d); then colsum += max(r, 0). */
static void r_segment(double *restrict r, const double *restrict s,
                      double *restrict cs, size_t lo, size_t hi, double y,
                      double d, double omd)
{
    const vd zero = {0.0, 0.0};
    const vd vdamp = {d, d}, vomd = {omd, omd}, vy = {y, y};
    size_t j = lo;

    for (; j + 4 <= hi; j += 4) {
        R_STEP(0);
        R_STEP(2);
    }
    for (; j < hi; j++) {
        r[j] = r[j] * d + (s[j] - y) * omd;
        cs[j] += pos(r[j]);
    }
}

#undef R_STEP

/* R[i, j] at the argmax or the diagonal, one at a time; see update_r_row. */
static void r_point(ap_state *w, size_t i, size_t j, double y, size_t best,
                    double y2, double *cs)
{
    double *rij = w->r + i * w->n + j;

    *rij = *rij * w->damping + (s_at(w, i, j) - (j == best ? y2 : y)) * w->omd;
    cs[j] += j == i ? *rij : pos(*rij);
}

/* Responsibilities of row i given the row's top two of a + s, adding the
 * row's Rp (diagonal unclipped) into @cs. np.sum(Rp, axis=0) starts from
 * row 0 and adds the rows in order; @cs starts at zero and 0 + x == x.
 * The argmax and the diagonal are done one at a time, the runs between
 * them by r_segment(). */
static void update_r_row(ap_state *w, size_t i, double y, size_t best,
                         double y2, double *cs)
{
    size_t n = w->n;
    size_t p = best < i ? best : i, q = best < i ? i : best;
    const double *srow = w->s + i * n;
    double *rrow = w->r + i * n;
    double d = w->damping, omd = w->omd;

    r_segment(rrow, srow, cs, 0, p, y, d, omd);
    r_point(w, i, p, y, best, y2, cs);
    if (q != p) {
        r_segment(rrow, srow, cs, p + 1, q, y, d, omd);
        r_point(w, i, q, y, best, y2, cs);
    }
    r_segment(rrow, srow, cs, q + 1, n, y, d, omd);
}

/* Availabilities of row i from the column sums of the last R, and the top
 * two of the new a + s for the next R. */
static void update_a_row(ap_state *w, size_t i, const double *cs, double *y,
                         size_t *best, double *y2)
{
    size_t n = w->n;
    const double *rrow = w->r + i * n, *srow = w->s + i * n;
    double *arow = w->a + i * n;
    double d = w->damping, omd = w->omd;
    top2 t;

    top2_init(&t);
    a_segment(arow, rrow, srow, cs, 0, i, d, omd, &t);
    arow[i] = arow[i] * d - (rrow[i] - cs[i]) * omd;
    top2_add(&t, arow[i] + w->pref, i);
    a_segment(arow, rrow, srow, cs, i + 1, n, d, omd, &t);
    *y = t.best;
    *best = t.idx;
    *y2 = t.second;
}

/* Run the iterations. Returns the number run (it + 1) and sets
 * *converged; w->e then holds the final exemplar indicators. */
static int ap_iterate(ap_state *w, int max_iter, int convergence_iter,
                      int *converged)
{
    size_t n = w->n, i, j, best, k_count, stable;
    double y, y2, *t;
    int it;

    for (i = 0; i < n; i++) {
        w->e[i] = 2; /* neither 0 nor 1: the first iteration starts a run */
        w->run[i] = 0;
    }
    /* First responsibilities, with A = 0 (0 + s == s). */
    memset(w->colsum, 0, n * sizeof *w->colsum);
    for (i = 0; i < n; i++) {
        top2 tt;

        top2_init(&tt);
        for (j = 0; j < n; j++)
            top2_add(&tt, s_at(w, i, j), j);
        update_r_row(w, i, tt.best, tt.idx, tt.second, w->colsum);
    }

    *converged = 0;
    for (it = 0; it < max_iter; it++) {
        int last = it + 1 == max_iter;

        k_count = 0;
        stable = 0;
        memset(w->colnext, 0, n * sizeof *w->colnext);
        for (i = 0; i < n; i++) {
            unsigned char e;

            update_a_row(w, i, w->colsum, &y, &best, &y2);
            e = (w->a[i * n + i] + w->r[i * n + i]) > 0.0;
            k_count += e;
            if (e == w->e[i]) {
                if (w->run[i] < convergence_iter)
                    w->run[i]++;
            } else {
                w->e[i] = e;
                w->run[i] = 1;
            }
            stable += w->run[i] >= convergence_iter;
            if (!last)
                update_r_row(w, i, y, best, y2, w->colnext);
        }
        /* scikit-learn looks from it >= convergence_iter on, when its ring
         * of the last convergence_iter indicators is full: converged when
         * every item kept one value through the ring and K > 0. */
        if (it >= convergence_iter && stable == n && k_count > 0) {
            *converged = 1;
            break;
        }
        t = w->colsum;
        w->colsum = w->colnext;
        w->colnext = t;
    }
    return it < max_iter ? it + 1 : max_iter;
}

/* ------------------------------------------------------------------ */
/* Exemplars and labels                                                 */

/* c[i] = argmax_k S[i, ex[k]] (first k on ties), then c[ex[k]] = k. */
static void assign(const ap_state *w, const int32_t *ex, size_t k_count,
                   int32_t *c)
{
    size_t n = w->n, i, k;

    for (i = 0; i < n; i++) {
        double best = s_at(w, i, (size_t)ex[0]), v;
        int32_t bk = 0;

        for (k = 1; k < k_count; k++) {
            v = s_at(w, i, (size_t)ex[k]);
            if (v > best) {
                best = v;
                bk = (int32_t)k;
            }
        }
        c[i] = bk;
    }
    for (k = 0; k < k_count; k++)
        c[ex[k]] = (int32_t)k;
}

typedef struct ex_rank {
    int32_t index;
    int32_t k;
} ex_rank;

static int cmp_ex_rank(const void *pa, const void *pb)
{
    const ex_rank *a = pa, *b = pb;
    return (a->index > b->index) - (a->index < b->index);
}

/* The refinement and labelling after the iterations. @ex holds the k_count
 * exemplars in increasing index order and is refined in place; on return
 * p->labels and p->exemplars are set. @acc holds n doubles, @c, @members
 * and @start n + 1 int32 each. */
static simdepth_status ap_labels(const ap_state *w, int single, int32_t *ex,
                                 size_t k_count, double *acc, int32_t *c,
                                 int32_t *members, int32_t *start,
                                 simdepth_partition *p, simdepth_error *err)
{
    size_t n = w->n, i, k, q, r;
    ex_rank *order = NULL;

    assign(w, ex, k_count, c);

    /* Members of each cluster in increasing index (np.where order). */
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

    /* New exemplar: argmax of np.sum(S[ii][:, ii], axis=0), summed row by
     * row; NumPy sums a float32 S in float32. */
    for (k = 0; k < k_count; k++) {
        const int32_t *ii = members + start[k];
        size_t m = (size_t)(start[k + 1] - start[k]), best = 0;

        for (r = 0; r < m; r++) {
            size_t row = (size_t)ii[r];

            for (q = 0; q < m; q++) {
                double v = s_at(w, row, (size_t)ii[q]);

                if (r == 0)
                    acc[q] = v;
                else if (single)
                    acc[q] = (double)((float)acc[q] + (float)v);
                else
                    acc[q] += v;
            }
        }
        for (q = 1; q < m; q++)
            if (acc[q] > acc[best])
                best = q;
        ex[k] = ii[best];
    }

    assign(w, ex, k_count, c);

    /* labels = searchsorted(unique(ex[c]), ex[c]): the rank of each
     * exemplar among the (distinct) exemplars. */
    order = simdepth_i_malloc_array(k_count, sizeof *order);
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
        start[order[k].k] = (int32_t)k; /* rank of ex[k] */
    }
    for (i = 0; i < n; i++)
        p->labels[i] = start[c[i]];
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

simdepth_status simdepth_affinity_propagation(const simdepth_matrix *s,
                                              const simdepth_ap_options *opt,
                                              simdepth_partition **out,
                                              simdepth_error *err)
{
    simdepth_ap_options defaults;
    simdepth_partition *p = NULL;
    simdepth_status st;
    ap_state w;
    double pref, pref_diag, *s_copy = NULL;
    int32_t *ex = NULL, *c = NULL, *members = NULL, *start = NULL;
    size_t n, nn, i, k_count;
    int single, converged;

    memset(&w, 0, sizeof w);
    if (opt == NULL) {
        simdepth_ap_options_init(&defaults);
        opt = &defaults;
    }
    st = check_args(s, opt, err);
    if (st != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(s);
    single = simdepth_matrix_dtype(s) == SIMDEPTH_F32;
    if (simdepth_i_mul_overflows(n, n)) {
        return simdepth_i_error_set(
            err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
            "affinity propagation: %zu x %zu messages do not fit in memory",
            n, n);
    }
    nn = n * n;

    st = simdepth_partition_new(n, "affinity", &p, err);
    if (st != SIMDEPTH_OK)
        return st;

    /* R doubles as the median's scratch space before the iterations. */
    w.r = alloc_square(nn);
    if (w.r == NULL) {
        st = simdepth_i_enomem(err, "affinity propagation messages");
        goto out;
    }
    if (opt->use_preference) {
        pref = opt->preference;
        pref_diag = single ? (double)(float)pref : pref;
    } else {
        pref = median_of(s, w.r);
        pref_diag = pref; /* already of the matrix's type */
    }

    if (n == 1 || offdiag_all_equal(s)) {
        st = ap_trivial(s, pref, p, err);
        goto out;
    }

    w.n = n;
    w.damping = opt->damping;
    w.omd = 1.0 - opt->damping;
    w.pref = pref_diag;
    /* A float64 input is read in place; a float32 one is widened once. */
    if (single) {
        s_copy = alloc_square(nn);
        w.s = s_copy;
    } else {
        w.s = simdepth_matrix_cdata(s);
    }
    w.a = alloc_square(nn);
    w.colsum = simdepth_i_malloc_array(n, sizeof *w.colsum);
    w.colnext = simdepth_i_malloc_array(n, sizeof *w.colnext);
    w.e = simdepth_i_malloc_array(n, sizeof *w.e);
    w.run = simdepth_i_malloc_array(n, sizeof *w.run);
    ex = simdepth_i_malloc_array(n, sizeof *ex);
    c = simdepth_i_malloc_array(n, sizeof *c);
    members = simdepth_i_malloc_array(n, sizeof *members);
    start = simdepth_i_malloc_array(n + 1, sizeof *start);
    if ((single && s_copy == NULL) || w.a == NULL || w.colsum == NULL ||
        w.colnext == NULL || w.e == NULL || w.run == NULL || ex == NULL ||
        c == NULL || members == NULL || start == NULL) {
        st = simdepth_i_enomem(err, "affinity propagation messages");
        goto out;
    }
    memset(w.r, 0, nn * sizeof *w.r);
    memset(w.a, 0, nn * sizeof *w.a);
    if (single) {
        const float *f = simdepth_matrix_cdata(s);
        for (i = 0; i < nn; i++)
            s_copy[i] = f[i];
    }

    p->iterations = ap_iterate(&w, opt->max_iter, opt->convergence_iter,
                               &converged);
    p->converged = converged;

    k_count = 0;
    for (i = 0; i < n; i++)
        if (w.e[i] == 1)
            ex[k_count++] = (int32_t)i;
    if (k_count == 0) {
        /* No exemplar: every label -1, counted as one cluster. */
        for (i = 0; i < n; i++)
            p->labels[i] = -1;
        p->converged = 0;
    } else {
        st = ap_labels(&w, single, ex, k_count, w.colsum, c, members, start,
                       p, err);
        if (st != SIMDEPTH_OK)
            goto out;
    }

out:
    free(start);
    free(members);
    free(c);
    free(ex);
    free(w.run);
    free(w.e);
    free(w.colnext);
    free(w.colsum);
    free(w.a);
    free(s_copy);
    free(w.r);
    if (st != SIMDEPTH_OK) {
        simdepth_partition_free(p);
        return st;
    }
    simdepth_partition_recount(p);
    *out = p;
    return SIMDEPTH_OK;
}
