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
 * S, A and R once instead of NumPy's dozen passes. The last iteration's
 * extra R update is never used; it costs half a pass.
 */
#include "config.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
/* Validation                                                          */

static double input_at(const simdepth_matrix *s, size_t k)
{
    if (simdepth_matrix_dtype(s) == SIMDEPTH_F32)
        return ((const float *)simdepth_matrix_cdata(s))[k];
    return ((const double *)simdepth_matrix_cdata(s))[k];
}

static simdepth_status check_args(const simdepth_matrix *s,
                                  const simdepth_ap_options *opt,
                                  simdepth_error *err)
{
    size_t rows, cols, k;

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
    for (k = 0; k < rows * cols; k++) {
        double v = input_at(s, k);
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

/* np.median(S) in the matrix's own type: for an even count NumPy takes the
 * mean of the two middle values, (lo + hi) / 2, in float32 for a float32
 * array. @scratch holds n*n doubles. */
static double median_of(const simdepth_matrix *s, double *scratch)
{
    size_t len = simdepth_matrix_rows(s) * simdepth_matrix_cols(s);
    size_t k, half = len / 2;
    double lo, hi;

    for (k = 0; k < len; k++)
        scratch[k] = input_at(s, k);
    select_kth(scratch, len, half);
    hi = scratch[half];
    if (len % 2 == 1)
        return hi;
    lo = scratch[0];
    for (k = 1; k < half; k++)
        if (scratch[k] > lo)
            lo = scratch[k];
    if (simdepth_matrix_dtype(s) == SIMDEPTH_F32) {
        float sum = (float)lo + (float)hi;
        return (double)(sum / 2.0f);
    }
    return (lo + hi) / 2.0;
}

/* _equal_similarities_and_preferences() for a scalar preference: every
 * off-diagonal entry equals the first one. */
static int offdiag_all_equal(const simdepth_matrix *s)
{
    size_t n = simdepth_matrix_rows(s), i, j;
    double first;

    if (n < 2)
        return 1;
    first = input_at(s, 1);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            if (i != j && input_at(s, i * n + j) != first)
                return 0;
    return 1;
}

/* ------------------------------------------------------------------ */
/* Message passing                                                      */

typedef struct ap_state {
    size_t n;
    double damping;
    double omd;         /* 1 - damping, as Python computes it */
    double *s;          /* n*n, preference on the diagonal */
    double *r;          /* n*n responsibilities */
    double *a;          /* n*n availabilities */
    double *colsum;     /* column sums of Rp for the next A update */
    double *colnext;    /* column sums being accumulated */
    unsigned char *e;   /* last exemplar indicator per item */
    int *run;           /* how many iterations e has kept its value */
} ap_state;

static inline double pos(double x)
{
    return x > 0.0 ? x : 0.0;
}

/* Responsibilities of row i from A and S (rows of this iteration), then
 * add the row's Rp into @cs (assigning for row 0, as np.sum starts from
 * the first row). */
static void update_r_row(ap_state *w, size_t i, double *cs)
{
    size_t n = w->n, j, best = 0;
    const double *srow = w->s + i * n, *arow = w->a + i * n;
    double *rrow = w->r + i * n;
    double d = w->damping, omd = w->omd;
    double y = arow[0] + srow[0], y2 = -INFINITY, v, rbest;

    for (j = 1; j < n; j++) {
        v = arow[j] + srow[j];
        if (v > y) {
            y2 = y;
            y = v;
            best = j;
        } else if (v > y2) {
            y2 = v;
        }
    }
    rbest = rrow[best];
    for (j = 0; j < n; j++)
        rrow[j] = rrow[j] * d + (srow[j] - y) * omd;
    rrow[best] = rbest * d + (srow[best] - y2) * omd;

    if (i == 0) {
        cs[0] = rrow[0];
        for (j = 1; j < n; j++)
            cs[j] = pos(rrow[j]);
        return;
    }
    for (j = 0; j < i; j++)
        cs[j] += pos(rrow[j]);
    cs[i] += rrow[i];
    for (j = i + 1; j < n; j++)
        cs[j] += pos(rrow[j]);
}

/* Availabilities of row i from R and the column sums of its Rp. */
static void update_a_row(ap_state *w, size_t i, const double *cs)
{
    size_t n = w->n, j;
    const double *rrow = w->r + i * n;
    double *arow = w->a + i * n;
    double d = w->damping, omd = w->omd;
    double aii = arow[i], t;

    for (j = 0; j < n; j++) {
        t = pos(rrow[j]) - cs[j];
        t = pos(t);
        arow[j] = arow[j] * d - t * omd;
    }
    t = rrow[i] - cs[i];
    arow[i] = aii * d - t * omd;
}

/* Run the iterations. Returns the number run (it + 1) and sets
 * *converged; w->e then holds the final exemplar indicators. */
static int ap_iterate(ap_state *w, int max_iter, int convergence_iter,
                      int *converged)
{
    size_t n = w->n, i, k_count, stable;
    int it;
    double *t;

    for (i = 0; i < n; i++) {
        w->e[i] = 2; /* neither 0 nor 1: the first iteration starts a run */
        w->run[i] = 0;
    }
    for (i = 0; i < n; i++)
        update_r_row(w, i, w->colsum);

    *converged = 0;
    for (it = 0; it < max_iter; it++) {
        int last = it + 1 == max_iter;

        k_count = 0;
        stable = 0;
        for (i = 0; i < n; i++) {
            unsigned char e;

            update_a_row(w, i, w->colsum);
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
                update_r_row(w, i, w->colnext);
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
        const double *srow = w->s + i * n;
        double best = srow[ex[0]];
        int32_t bk = 0;

        for (k = 1; k < k_count; k++) {
            if (srow[ex[k]] > best) {
                best = srow[ex[k]];
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
            const double *srow = w->s + (size_t)ii[r] * n;
            if (r == 0) {
                for (q = 0; q < m; q++)
                    acc[q] = srow[ii[q]];
            } else if (single) {
                for (q = 0; q < m; q++)
                    acc[q] = (double)((float)acc[q] + (float)srow[ii[q]]);
            } else {
                for (q = 0; q < m; q++)
                    acc[q] += srow[ii[q]];
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
    int all = pref >= input_at(s, n - 1);

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
    double pref, pref_diag;
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
    w.r = simdepth_i_malloc_array(nn, sizeof *w.r);
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
    w.s = simdepth_i_malloc_array(nn, sizeof *w.s);
    w.a = simdepth_i_calloc(nn, sizeof *w.a);
    w.colsum = simdepth_i_malloc_array(n, sizeof *w.colsum);
    w.colnext = simdepth_i_malloc_array(n, sizeof *w.colnext);
    w.e = simdepth_i_malloc_array(n, sizeof *w.e);
    w.run = simdepth_i_malloc_array(n, sizeof *w.run);
    ex = simdepth_i_malloc_array(n, sizeof *ex);
    c = simdepth_i_malloc_array(n, sizeof *c);
    members = simdepth_i_malloc_array(n, sizeof *members);
    start = simdepth_i_malloc_array(n + 1, sizeof *start);
    if (w.s == NULL || w.a == NULL || w.colsum == NULL || w.colnext == NULL ||
        w.e == NULL || w.run == NULL || ex == NULL || c == NULL ||
        members == NULL || start == NULL) {
        st = simdepth_i_enomem(err, "affinity propagation messages");
        goto out;
    }
    memset(w.r, 0, nn * sizeof *w.r);
    if (single) {
        const float *f = simdepth_matrix_cdata(s);
        for (i = 0; i < nn; i++)
            w.s[i] = f[i];
    } else {
        memcpy(w.s, simdepth_matrix_cdata(s), nn * sizeof *w.s);
    }
    for (i = 0; i < n; i++)
        w.s[i * n + i] = pref_diag;

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
    free(w.s);
    free(w.r);
    if (st != SIMDEPTH_OK) {
        simdepth_partition_free(p);
        return st;
    }
    simdepth_partition_recount(p);
    *out = p;
    return SIMDEPTH_OK;
}
