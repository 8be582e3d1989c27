/* simdepth — affinity propagation message passing, one precision.
 *
 * Included twice by affinity.c: with AP_REAL double (scikit-learn's float64
 * arithmetic, AP_SFX _d) and with AP_REAL float (the same operations in
 * float32, AP_SFX _f). Every name defined here carries the suffix, so the
 * two instances live side by side; AP_LANES is the number of AP_REAL in a
 * 16-byte vector and AP_IREAL the integer of the same width. See the top of
 * affinity.c for what each update reproduces.
 */

#define AP_CAT2(a, b) a##b
#define AP_CAT(a, b) AP_CAT2(a, b)
#define AP_(name) AP_CAT(name, AP_SFX)

/* Two-lane (double) or four-lane (float) vectors through GCC's generic
 * vector extension (also in clang): element-wise IEEE operations with the
 * same rounding as the scalar code. 16 bytes is native on every 64-bit
 * target (SSE2, NEON). Loads and stores go through memcpy, so no alignment
 * is assumed. Loops take four vectors per step for instruction-level
 * parallelism. */
typedef AP_REAL AP_(vr) __attribute__((vector_size(16)));
typedef AP_IREAL AP_(vm) __attribute__((vector_size(16)));

typedef struct AP_(ap_state) {
    size_t n;
    AP_REAL damping;
    AP_REAL omd;          /* 1 - damping, as Python computes it */
    const AP_REAL *s;     /* n*n similarities; the diagonal is not read;
                             NULL: read in_f or in_d (sparse messages) */
    const float *in_f;    /* the input, float32 ... */
    const double *in_d;   /* ... or float64 */
    AP_REAL pref;         /* the diagonal of S: the preference */
    AP_REAL *r;           /* n*n responsibilities */
    AP_REAL *a;           /* n*n availabilities */
    AP_REAL *colsum;      /* column sums of Rp for the current A update */
    AP_REAL *colnext;     /* column sums of Rp being accumulated */
    unsigned char *e;     /* last exemplar indicator per item */
    int *run;             /* how many iterations e has kept its value */
    simdepth_progress_fn progress;
    void *progress_user;
} AP_(ap_state);

static inline AP_REAL AP_(pos)(AP_REAL x)
{
    return x > 0 ? x : 0;
}

/* Element k of S in the messages' type, as the dense iterations' copy
 * holds it. */
static inline AP_REAL AP_(s_in)(const AP_(ap_state) *w, size_t k)
{
    if (w->s != NULL)
        return w->s[k];
    return w->in_f != NULL ? (AP_REAL)w->in_f[k] : (AP_REAL)w->in_d[k];
}

/* S[i, j] with the preference on the diagonal. */
static inline AP_REAL AP_(s_at)(const AP_(ap_state) *w, size_t i, size_t j)
{
    return i == j ? w->pref : AP_(s_in)(w, i * w->n + j);
}

/* The largest value of a row, the first index holding it, and the largest
 * of the others (equal to the first if the maximum is tied): np.argmax,
 * tmp[ind, I] and np.max after masking I, computed in one pass that sees
 * the elements in increasing index order. */
typedef struct AP_(top2) {
    AP_REAL best, second;
    size_t idx;
} AP_(top2);

static void AP_(top2_init)(AP_(top2) *t)
{
    t->best = -INFINITY;
    t->second = -INFINITY;
    t->idx = 0;
}

static inline void AP_(top2_add)(AP_(top2) *t, AP_REAL v, size_t j)
{
    if (v > t->best) {
        t->second = t->best;
        t->best = v;
        t->idx = j;
    } else if (v > t->second) {
        t->second = v;
    }
}

#define AP_VLOAD(v, p) memcpy(&(v), (p), sizeof(v))
#define AP_VSTORE(p, v) memcpy((p), &(v), sizeof(v))
/* max(x, 0) of a vector variable, as np.maximum(x, 0) and clip(x, 0, inf)
 * give it (a zero's sign aside, which nothing downstream can see). */
#define AP_VPOS(x) ((AP_(vr))((AP_(vm))(x) & (AP_(vm))((x) > zero)))

/* One vector of the A update; see a_segment. */
#define AP_A_STEP(off, av, v)                                               \
    do {                                                                    \
        AP_(vr) rv, cv, sv, tv;                                             \
        AP_VLOAD(rv, r + j + (off));                                        \
        AP_VLOAD(cv, cs + j + (off));                                       \
        AP_VLOAD(av, a + j + (off));                                        \
        AP_VLOAD(sv, s + j + (off));                                        \
        rv = AP_VPOS(rv);                                                   \
        tv = rv - cv;                                                       \
        tv = AP_VPOS(tv);                                                   \
        av = av * vdamp - tv * vomd;                                        \
        AP_VSTORE(a + j + (off), av);                                       \
        v = av + sv;                                                        \
    } while (0)

/* Availabilities of row i for columns [lo, hi), none of them the diagonal:
 * a = a*d - clip(max(r, 0) - colsum, 0)*(1-d); then track a + s. Only an
 * element above the current second value can change the tracker, which
 * after the first few is rare, so the vector loop compares with that and
 * hands a block with a hit to top2_add(), in index order. */
static void AP_(a_segment)(AP_REAL *restrict a, const AP_REAL *restrict r,
                           const AP_REAL *restrict s,
                           const AP_REAL *restrict cs, size_t lo, size_t hi,
                           AP_REAL d, AP_REAL omd, AP_(top2) *t)
{
    const AP_(vr) zero = {0};
    const AP_(vr) vdamp = d - zero, vomd = omd - zero;
    AP_(vr) thr = t->second - zero;
    size_t j = lo, l;

    for (; j + 4 * AP_LANES <= hi; j += 4 * AP_LANES) {
        AP_(vr) av0, av1, av2, av3, v[4];
        AP_(vm) m;
        AP_IREAL any = 0;

        AP_A_STEP(0, av0, v[0]);
        AP_A_STEP(AP_LANES, av1, v[1]);
        AP_A_STEP(2 * AP_LANES, av2, v[2]);
        AP_A_STEP(3 * AP_LANES, av3, v[3]);
        m = ((AP_(vm))(v[0] > thr) | (AP_(vm))(v[1] > thr)) |
            ((AP_(vm))(v[2] > thr) | (AP_(vm))(v[3] > thr));
        for (l = 0; l < AP_LANES; l++)
            any |= m[l];
        if (any != 0) {
            size_t q;

            for (q = 0; q < 4; q++)
                for (l = 0; l < AP_LANES; l++)
                    AP_(top2_add)(t, v[q][l], j + q * AP_LANES + l);
            thr = t->second - zero;
        }
    }
    for (; j < hi; j++) {
        AP_REAL tj = AP_(pos)(AP_(pos)(r[j]) - cs[j]);
        a[j] = a[j] * d - tj * omd;
        AP_(top2_add)(t, a[j] + s[j], j);
    }
}

/* One vector of the R update; see r_segment. */
#define AP_R_STEP(off)                                                      \
    do {                                                                    \
        AP_(vr) rv, sv, cv;                                                 \
        AP_VLOAD(rv, r + j + (off));                                        \
        AP_VLOAD(sv, s + j + (off));                                        \
        AP_VLOAD(cv, cs + j + (off));                                       \
        rv = rv * vdamp + (sv - vy) * vomd;                                 \
        AP_VSTORE(r + j + (off), rv);                                       \
        cv += AP_VPOS(rv);                                                  \
        AP_VSTORE(cs + j + (off), cv);                                      \
    } while (0)

/* Responsibilities of row i for columns [lo, hi), none of them the argmax
 * or the diagonal: r = r*d + (s - y)*(1-d); then colsum += max(r, 0)
 * unless @cs is NULL (a row whose sums another pass adds). */
static void AP_(r_segment)(AP_REAL *restrict r, const AP_REAL *restrict s,
                           AP_REAL *restrict cs, size_t lo, size_t hi,
                           AP_REAL y, AP_REAL d, AP_REAL omd)
{
    const AP_(vr) zero = {0};
    const AP_(vr) vdamp = d - zero, vomd = omd - zero, vy = y - zero;
    size_t j = lo;

    if (cs == NULL) {
        for (; j + 2 * AP_LANES <= hi; j += 2 * AP_LANES) {
            AP_(vr) rv0, rv1, sv0, sv1;
            AP_VLOAD(rv0, r + j);
            AP_VLOAD(rv1, r + j + AP_LANES);
            AP_VLOAD(sv0, s + j);
            AP_VLOAD(sv1, s + j + AP_LANES);
            rv0 = rv0 * vdamp + (sv0 - vy) * vomd;
            rv1 = rv1 * vdamp + (sv1 - vy) * vomd;
            AP_VSTORE(r + j, rv0);
            AP_VSTORE(r + j + AP_LANES, rv1);
        }
        for (; j < hi; j++)
            r[j] = r[j] * d + (s[j] - y) * omd;
        return;
    }
    for (; j + 2 * AP_LANES <= hi; j += 2 * AP_LANES) {
        AP_R_STEP(0);
        AP_R_STEP(AP_LANES);
    }
    for (; j < hi; j++) {
        r[j] = r[j] * d + (s[j] - y) * omd;
        cs[j] += AP_(pos)(r[j]);
    }
}

/* cs[j] += max(r[j], 0) for j in [lo, hi): the column sums of a row whose
 * responsibilities were updated without them. */
static void AP_(acc_segment)(AP_REAL *restrict cs, const AP_REAL *restrict r,
                             size_t lo, size_t hi)
{
    const AP_(vr) zero = {0};
    size_t j = lo;

    for (; j + 2 * AP_LANES <= hi; j += 2 * AP_LANES) {
        AP_(vr) rv0, rv1, cv0, cv1;
        AP_VLOAD(rv0, r + j);
        AP_VLOAD(rv1, r + j + AP_LANES);
        AP_VLOAD(cv0, cs + j);
        AP_VLOAD(cv1, cs + j + AP_LANES);
        cv0 += AP_VPOS(rv0);
        cv1 += AP_VPOS(rv1);
        AP_VSTORE(cs + j, cv0);
        AP_VSTORE(cs + j + AP_LANES, cv1);
    }
    for (; j < hi; j++)
        cs[j] += AP_(pos)(r[j]);
}

#undef AP_A_STEP
#undef AP_R_STEP
#undef AP_VPOS
#undef AP_VLOAD
#undef AP_VSTORE

/* R[i, j] at the argmax or the diagonal, one at a time; see update_r_row. */
static void AP_(r_point)(AP_(ap_state) *w, size_t i, size_t j, AP_REAL y,
                         size_t best, AP_REAL y2, AP_REAL *cs)
{
    AP_REAL *rij = w->r + i * w->n + j;

    *rij = *rij * w->damping +
           (AP_(s_at)(w, i, j) - (j == best ? y2 : y)) * w->omd;
    if (cs != NULL)
        cs[j] += j == i ? *rij : AP_(pos)(*rij);
}

/* Responsibilities of row i given the row's top two of a + s, adding the
 * row's Rp (diagonal unclipped) into @cs (unless NULL). np.sum(Rp, axis=0) starts from
 * row 0 and adds the rows in order; @cs starts at zero and 0 + x == x.
 * The argmax and the diagonal are done one at a time, the runs between
 * them by r_segment(). */
static void AP_(update_r_row)(AP_(ap_state) *w, size_t i, AP_REAL y,
                              size_t best, AP_REAL y2, AP_REAL *cs)
{
    size_t n = w->n;
    size_t p = best < i ? best : i, q = best < i ? i : best;
    const AP_REAL *srow = w->s + i * n;
    AP_REAL *rrow = w->r + i * n;
    AP_REAL d = w->damping, omd = w->omd;

    AP_(r_segment)(rrow, srow, cs, 0, p, y, d, omd);
    AP_(r_point)(w, i, p, y, best, y2, cs);
    if (q != p) {
        AP_(r_segment)(rrow, srow, cs, p + 1, q, y, d, omd);
        AP_(r_point)(w, i, q, y, best, y2, cs);
    }
    AP_(r_segment)(rrow, srow, cs, q + 1, n, y, d, omd);
}

/* Availabilities of row i from the column sums of the last R, and the top
 * two of the new a + s for the next R. */
static void AP_(update_a_row)(AP_(ap_state) *w, size_t i, const AP_REAL *cs,
                              AP_REAL *y, size_t *best, AP_REAL *y2)
{
    size_t n = w->n;
    const AP_REAL *rrow = w->r + i * n, *srow = w->s + i * n;
    AP_REAL *arow = w->a + i * n;
    AP_REAL d = w->damping, omd = w->omd;
    AP_(top2) t;

    AP_(top2_init)(&t);
    AP_(a_segment)(arow, rrow, srow, cs, 0, i, d, omd, &t);
    arow[i] = arow[i] * d - (rrow[i] - cs[i]) * omd;
    AP_(top2_add)(&t, arow[i] + w->pref, i);
    AP_(a_segment)(arow, rrow, srow, cs, i + 1, n, d, omd, &t);
    *y = t.best;
    *best = t.idx;
    *y2 = t.second;
}

/* Record item i's exemplar indicator @e of this iteration; 1 if it has
 * now kept one value for convergence_iter iterations. */
static int AP_(track_e)(AP_(ap_state) *w, size_t i, unsigned char e,
                        int convergence_iter)
{
    if (e == w->e[i]) {
        if (w->run[i] < convergence_iter)
            w->run[i]++;
    } else {
        w->e[i] = e;
        w->run[i] = 1;
    }
    return w->run[i] >= convergence_iter;
}

/* The iterations, run by team->threads threads (thread 0 the caller).
 * Thread t owns rows [row[t], row[t + 1]): their A and R updates and
 * exemplar bookkeeping are independent of other rows. The column sums of
 * Rp must be added row after row, as NumPy does: thread 0 adds its rows
 * as it updates them; the other threads' rows are added after a barrier,
 * still in row order, each thread doing a range of columns [col[t],
 * col[t + 1]). The sums, and so every message, are therefore bit for bit
 * those of one thread. Two barriers per iteration. */
typedef struct AP_(ap_team) {
    AP_(ap_state) *w;
    int threads;
    int max_iter, convergence_iter;
    int start_it; /* > 0: resume there from w's messages and colsum */
    size_t row[SIMDEPTH_I_AP_MAX_THREADS + 1];
    size_t col[SIMDEPTH_I_AP_MAX_THREADS + 1];
    size_t k_count[SIMDEPTH_I_AP_MAX_THREADS];
    size_t stable[SIMDEPTH_I_AP_MAX_THREADS];
    pthread_barrier_t barrier;
    pthread_mutex_t gate_lock; /* the start gate: go 1 run, -1 leave */
    pthread_cond_t gate;
    int go;
    int iterations, converged; /* set by thread 0 */
} AP_(ap_team);

typedef struct AP_(team_arg) {
    AP_(ap_team) *team;
    int tid;
} AP_(team_arg);

static void AP_(team_wait)(AP_(ap_team) *team)
{
    if (team->threads > 1)
        pthread_barrier_wait(&team->barrier);
}

/* Add rows [row[1], n) of R (diagonal unclipped) into @cs, columns
 * [col[tid], col[tid + 1]). */
static void AP_(team_sums)(AP_(ap_team) *team, int tid, AP_REAL *cs)
{
    const AP_(ap_state) *w = team->w;
    size_t n = w->n, i, lo = team->col[tid], hi = team->col[tid + 1];

    for (i = team->row[1]; i < n; i++) {
        const AP_REAL *rrow = w->r + i * n;

        if (i >= lo && i < hi) {
            AP_(acc_segment)(cs, rrow, lo, i);
            cs[i] += rrow[i];
            AP_(acc_segment)(cs, rrow, i + 1, hi);
        } else {
            AP_(acc_segment)(cs, rrow, lo, hi);
        }
    }
}

static void AP_(team_run)(AP_(ap_team) *team, int tid)
{
    AP_(ap_state) *w = team->w;
    size_t n = w->n, i, j, best, k_count, stable;
    size_t lo = team->row[tid], hi = team->row[tid + 1];
    int max_iter = team->max_iter, convergence_iter = team->convergence_iter;
    AP_REAL y, y2, *t, *colsum = w->colsum, *colnext = w->colnext;
    int it, q;

    if (team->start_it == 0) {
        for (i = lo; i < hi; i++) {
            w->e[i] = 2; /* neither 0 nor 1: the first iteration starts a run */
            w->run[i] = 0;
        }
        /* First responsibilities, with A = 0 (0 + s == s). */
        if (tid == 0)
            memset(colsum, 0, n * sizeof *colsum);
        for (i = lo; i < hi; i++) {
            AP_(top2) tt;

            AP_(top2_init)(&tt);
            for (j = 0; j < n; j++)
                AP_(top2_add)(&tt, AP_(s_at)(w, i, j), j);
            AP_(update_r_row)(w, i, tt.best, tt.idx, tt.second, tid == 0 ? colsum : NULL);
        }
        AP_(team_wait)(team);
        AP_(team_sums)(team, tid, colsum);
        AP_(team_wait)(team);
    }

    for (it = team->start_it; it < max_iter; it++) {
        int last = it + 1 == max_iter, stop = 0;

        if (tid == 0 && w->progress != NULL)
            w->progress(w->progress_user, "affinity propagation",
                        (double)it / (double)max_iter);
        k_count = 0;
        stable = 0;
        /* Only thread 0 writes colnext before the barrier; the others
         * read colsum. */
        if (tid == 0)
            memset(colnext, 0, n * sizeof *colnext);
        for (i = lo; i < hi; i++) {
            unsigned char e;

            AP_(update_a_row)(w, i, colsum, &y, &best, &y2);
            e = (w->a[i * n + i] + w->r[i * n + i]) > 0;
            k_count += e;
            stable += AP_(track_e)(w, i, e, convergence_iter);
            if (!last)
                AP_(update_r_row)(w, i, y, best, y2, tid == 0 ? colnext : NULL);
        }
        team->k_count[tid] = k_count;
        team->stable[tid] = stable;
        AP_(team_wait)(team);
        /* Every thread reaches the same decision from the same counts.
         * scikit-learn looks from it >= convergence_iter on, when its ring
         * of the last convergence_iter indicators is full: converged when
         * every item kept one value through the ring and K > 0. */
        k_count = 0;
        stable = 0;
        for (q = 0; q < team->threads; q++) {
            k_count += team->k_count[q];
            stable += team->stable[q];
        }
        if (it >= convergence_iter && stable == n && k_count > 0)
            stop = 1;
        if (!stop && !last) {
            AP_(team_sums)(team, tid, colnext);
            /* The counts are read again only after this barrier's
             * successor; the next iteration's writes come after it. */
        }
        AP_(team_wait)(team);
        if (stop) {
            if (tid == 0)
                team->converged = 1;
            break;
        }
        t = colsum;
        colsum = colnext;
        colnext = t;
    }
    if (tid == 0) {
        team->iterations = it < max_iter ? it + 1 : max_iter;
        /* The refinement reuses colsum as scratch: hand back whichever
         * buffer is which. */
        w->colsum = colsum;
        w->colnext = colnext;
    }
}

static void *AP_(team_thread)(void *arg)
{
    AP_(team_arg) *ta = arg;
    AP_(ap_team) *team = ta->team;
    int go;

    pthread_mutex_lock(&team->gate_lock);
    while (team->go == 0)
        pthread_cond_wait(&team->gate, &team->gate_lock);
    go = team->go;
    pthread_mutex_unlock(&team->gate_lock);
    if (go > 0)
        AP_(team_run)(team, ta->tid);
    return NULL;
}

/* Open the start gate: @go 1 runs the started threads, -1 sends them
 * away. */
static void AP_(team_gate)(AP_(ap_team) *team, int go)
{
    pthread_mutex_lock(&team->gate_lock);
    team->go = go;
    pthread_cond_broadcast(&team->gate);
    pthread_mutex_unlock(&team->gate_lock);
}

/* The row and column ranges of @threads threads. */
static void AP_(team_split)(AP_(ap_team) *team, int threads)
{
    size_t n = team->w->n;
    int t;

    team->threads = threads;
    for (t = 0; t <= threads; t++) {
        /* Column ranges on 64-byte boundaries: no two threads write one
         * cache line of the sums. */
        size_t c = n * (size_t)t / (size_t)threads;

        team->row[t] = n * (size_t)t / (size_t)threads;
        team->col[t] = t == threads ? n : (c + 15) / 16 * 16;
        if (team->col[t] > n)
            team->col[t] = n;
    }
}

/* Run the iterations on @threads threads (one if the others cannot be
 * started), from iteration 0 or, with @start_it > 0, from there on w's
 * messages, exemplar runs and w->colsum (the column sums of w->r) as the
 * sparse iterations leave them. Returns the number run (it + 1) and sets
 * *converged; w->e then holds the final exemplar indicators. */
static int AP_(ap_iterate)(AP_(ap_state) *w, int max_iter,
                           int convergence_iter, int start_it, int threads,
                           int *converged)
{
    AP_(ap_team) team;
    AP_(team_arg) args[SIMDEPTH_I_AP_MAX_THREADS];
    pthread_t tids[SIMDEPTH_I_AP_MAX_THREADS];
    int t, started = 0, gate = 0;

    memset(&team, 0, sizeof team);
    team.w = w;
    team.max_iter = max_iter;
    team.convergence_iter = convergence_iter;
    team.start_it = start_it;
    if (threads < 1)
        threads = 1;
    if (threads > SIMDEPTH_I_AP_MAX_THREADS)
        threads = SIMDEPTH_I_AP_MAX_THREADS;
    if (threads > 1) {
        if (pthread_mutex_init(&team.gate_lock, NULL) != 0)
            threads = 1;
        else if (pthread_cond_init(&team.gate, NULL) != 0) {
            pthread_mutex_destroy(&team.gate_lock);
            threads = 1;
        } else
            gate = 1;
    }
    if (threads > 1) {
        for (t = 1; t < threads; t++) {
            args[t].team = &team;
            args[t].tid = t;
            if (pthread_create(&tids[t], NULL, AP_(team_thread), &args[t]) != 0)
                break;
            started++;
        }
        if (started == threads - 1 &&
            pthread_barrier_init(&team.barrier, NULL, (unsigned)threads) == 0) {
            AP_(team_split)(&team, threads);
            AP_(team_gate)(&team, 1);
        } else {
            AP_(team_gate)(&team, -1);
            for (t = 1; t <= started; t++)
                pthread_join(tids[t], NULL);
            started = 0;
            threads = 1;
        }
    }
    if (threads == 1)
        AP_(team_split)(&team, 1);
    AP_(team_run)(&team, 0);
    for (t = 1; t <= started; t++)
        pthread_join(tids[t], NULL);
    if (started > 0)
        pthread_barrier_destroy(&team.barrier);
    if (gate) {
        pthread_cond_destroy(&team.gate);
        pthread_mutex_destroy(&team.gate_lock);
    }
    *converged = team.converged;
    return team.iterations;
}

/* ------------------------------------------------------------------ */
/* Sparse messages                                                      */

/* A confusion graph's similarity is mostly zero: a class is mistaken for a
 * few others. In a row i, every column j != i with S[i, j] == 0 obeys the
 * same R update, so those that were never the row's argmax (its "group")
 * share one responsibility rho_i; the others are the row's exceptions,
 * kept with their own S, R and A. While rho_i <= 0 the group adds nothing
 * to the column sums (x + 0 == x), and A[i, j] of a group column follows
 * A = A*d - clip(0 - colsum[j], 0)*(1-d) from A = 0 like every other such
 * row: one value alpha[j] per column. The top two of a + s over the group
 * are then the two first group columns in the order of alpha (value
 * descending, index ascending on ties, as the dense scan picks them; and
 * when the top value is tied, y == y2, so which of the tied columns is
 * the argmax changes no value). So an iteration costs O(n log K +
 * exceptions), K the longest exception list, instead of O(n^2), with every
 * operation the dense code does on the values that differ, in the same
 * order: the same bits, up to the sign of a zero, which no comparison and
 * no later operation on a nonzero value can see.
 *
 * A row whose rho turns positive would spread a nonzero R over its group;
 * then the messages are written out in full and the dense iterations go
 * on from the next iteration (ap_iterate with start_it). */

/* The exceptions of one row, by increasing column. */
typedef struct AP_(sp_row) {
    size_t len;
    int32_t *col;
    AP_REAL *s, *r, *a;
} AP_(sp_row);

typedef struct AP_(sp_state) {
    AP_(sp_row) *rows;
    AP_REAL *rho;       /* n: the group responsibility of each row */
    AP_REAL *alpha;     /* n: the group availability of each column */
    int32_t *order;     /* the top columns by alpha (K of them) */
    int32_t *stamp;     /* n: i + 1 where column is an exception of row i */
    void *block;        /* every row's arrays */
    size_t maxlen;      /* the longest exception list */
} AP_(sp_state);

/* 1 if column a comes before column b in the group order. */
static inline int AP_(sp_before)(const AP_REAL *alpha, int32_t a, int32_t b)
{
    return alpha[a] > alpha[b] || (alpha[a] == alpha[b] && a < b);
}

/* order[0 .. k) = the first k columns in the group order, sorted: a heap
 * of the k best so far whose root is the worst of them, then sorted. */
static void AP_(sp_top)(const AP_REAL *alpha, size_t n, size_t k,
                        int32_t *order)
{
    size_t j, m = 0, p, c;
    int32_t x;

    for (j = 0; j < n; j++) {
        if (m == k) {
            if (!AP_(sp_before)(alpha, (int32_t)j, order[0]))
                continue;
            p = 0; /* replace the root and sift it down */
            for (;;) {
                c = 2 * p + 1;
                if (c >= k)
                    break;
                if (c + 1 < k && AP_(sp_before)(alpha, order[c], order[c + 1]))
                    c++;
                if (!AP_(sp_before)(alpha, (int32_t)j, order[c]))
                    break;
                order[p] = order[c];
                p = c;
            }
            order[p] = (int32_t)j;
            continue;
        }
        p = m++; /* sift up */
        while (p > 0 && AP_(sp_before)(alpha, order[(p - 1) / 2], (int32_t)j)) {
            order[p] = order[(p - 1) / 2];
            p = (p - 1) / 2;
        }
        order[p] = (int32_t)j;
    }
    /* insertion sort of the k (few dozen) kept */
    for (j = 1; j < m; j++) {
        x = order[j];
        for (p = j; p > 0 && AP_(sp_before)(alpha, x, order[p - 1]); p--)
            order[p] = order[p - 1];
        order[p] = x;
    }
}

static void AP_(sp_free)(AP_(sp_state) *sp)
{
    free(sp->block);
    free(sp->rows);
    free(sp->rho);
    free(sp->alpha);
    free(sp->order);
    free(sp->stamp);
    memset(sp, 0, sizeof *sp);
}

/* The exceptions of every row: its @nz[i] nonzero similarities and the
 * diagonal, with room for one more per iteration (a group column that
 * becomes the argmax), up to n. R and A start at 0. 0 on success, -1 out
 * of memory. */
static int AP_(sp_init)(AP_(sp_state) *sp, const AP_(ap_state) *w,
                        const size_t *nz, int max_iter)
{
    size_t n = w->n, i, j, total = 0, bytes;
    unsigned char *p;

    memset(sp, 0, sizeof *sp);
    sp->rows = simdepth_i_calloc(n, sizeof *sp->rows);
    sp->rho = simdepth_i_calloc(n, sizeof *sp->rho);
    sp->alpha = simdepth_i_calloc(n, sizeof *sp->alpha);
    sp->order = simdepth_i_malloc_array(n, sizeof *sp->order);
    sp->stamp = simdepth_i_calloc(n, sizeof *sp->stamp);
    if (sp->rows == NULL || sp->rho == NULL || sp->alpha == NULL ||
        sp->order == NULL || sp->stamp == NULL)
        goto fail;
    /* the capacity of row i, kept in its len field until the block is cut */
    for (i = 0; i < n; i++) {
        size_t c = nz[i] + 1 + (size_t)max_iter + 1;

        sp->rows[i].len = c < n ? c : n;
        total += sp->rows[i].len;
    }
    /* total <= n * n, which fits with its two message matrices */
    bytes = total * (3 * sizeof(AP_REAL) + sizeof(int32_t)) + n * sizeof(int32_t);
    sp->block = simdepth_i_malloc(bytes);
    if (sp->block == NULL)
        goto fail;
    p = sp->block;
    for (i = 0; i < n; i++) {
        AP_(sp_row) *row = &sp->rows[i];
        size_t c = row->len, k = 0;

        row->s = (AP_REAL *)(void *)p;
        row->r = row->s + c;
        row->a = row->r + c;
        row->col = (int32_t *)(void *)(row->a + c);
        p = (unsigned char *)(row->col + c + (c & 1));
        for (j = 0; j < n; j++) {
            AP_REAL v = j == i ? w->pref : AP_(s_in)(w, i * n + j);

            if (j == i || v != 0) {
                row->col[k] = (int32_t)j;
                row->s[k] = v;
                row->r[k] = 0;
                row->a[k] = 0;
                k++;
            }
        }
        row->len = k;
        if (k > sp->maxlen)
            sp->maxlen = k;
    }
    return 0;
fail:
    AP_(sp_free)(sp);
    return -1;
}

/* Write the messages out in full into w->r and w->a, and the column sums
 * of R into w->colsum, as the dense iterations would hold them. */
static void AP_(sp_spill)(const AP_(sp_state) *sp, AP_(ap_state) *w)
{
    size_t n = w->n, i, j, k;
    AP_REAL *cs = w->colsum;

    memset(cs, 0, n * sizeof *cs);
    for (i = 0; i < n; i++) {
        const AP_(sp_row) *row = &sp->rows[i];
        AP_REAL *rrow = w->r + i * n, *arow = w->a + i * n;

        for (j = 0; j < n; j++) {
            rrow[j] = sp->rho[i];
            arow[j] = sp->alpha[j];
        }
        for (k = 0; k < row->len; k++) {
            rrow[row->col[k]] = row->r[k];
            arow[row->col[k]] = row->a[k];
        }
        AP_(acc_segment)(cs, rrow, 0, i);
        cs[i] += rrow[i];
        AP_(acc_segment)(cs, rrow, i + 1, n);
    }
}

/* One row's step of iteration @it (-1: the first responsibilities, from
 * A = 0): the exceptions' A from @cs, the exemplar indicator, then (unless
 * @last) R and its column sums into @cnext. Sets *dirty when rho turns
 * positive; adds to *k_count and *stable. */
static void AP_(sp_row_step)(AP_(sp_state) *sp, AP_(ap_state) *w, size_t i,
                             int first, int last, size_t k_top,
                             const AP_REAL *cs, AP_REAL *cnext,
                             int convergence_iter, size_t *k_count,
                             size_t *stable, int *dirty)
{
    AP_(sp_row) *row = &sp->rows[i];
    AP_REAL d = w->damping, omd = w->omd, y, y2, rho;
    int32_t stamp = (int32_t)i + 1, g[2];
    size_t k, m = 0, dk = 0, q, best, len = row->len;
    AP_(top2) t;

    for (k = 0; k < len; k++) {
        size_t j = (size_t)row->col[k];

        sp->stamp[j] = stamp;
        if (j == i) {
            dk = k;
            if (!first)
                row->a[k] = row->a[k] * d - (row->r[k] - cs[i]) * omd;
        } else if (!first) {
            row->a[k] = row->a[k] * d - AP_(pos)(AP_(pos)(row->r[k]) - cs[j]) * omd;
        }
    }
    if (!first) {
        unsigned char e = (row->a[dk] + row->r[dk]) > 0;

        *k_count += e;
        *stable += (size_t)AP_(track_e)(w, i, e, convergence_iter);
    }
    if (last)
        return;
    /* the group's first two columns */
    for (q = 0; q < k_top && m < 2; q++)
        if (sp->stamp[sp->order[q]] != stamp)
            g[m++] = sp->order[q];
    if (m == 2 && g[1] < g[0]) {
        int32_t x = g[0];
        g[0] = g[1];
        g[1] = x;
    }
    /* the top two of a + s in index order: the exceptions merged with the
     * group's two (a + 0 == a) */
    AP_(top2_init)(&t);
    q = 0;
    for (k = 0; k < len; k++) {
        for (; q < m && g[q] < row->col[k]; q++)
            AP_(top2_add)(&t, sp->alpha[g[q]], (size_t)g[q]);
        AP_(top2_add)(&t, first ? row->s[k] : row->a[k] + row->s[k],
                      (size_t)row->col[k]);
    }
    for (; q < m; q++)
        AP_(top2_add)(&t, sp->alpha[g[q]], (size_t)g[q]);
    y = t.best;
    y2 = t.second;
    best = t.idx;
    if (sp->stamp[best] != stamp) {
        /* a group column becomes an exception, with the group's values */
        for (k = len; k > 0 && (size_t)row->col[k - 1] > best; k--) {
            row->col[k] = row->col[k - 1];
            row->s[k] = row->s[k - 1];
            row->r[k] = row->r[k - 1];
            row->a[k] = row->a[k - 1];
        }
        row->col[k] = (int32_t)best;
        row->s[k] = 0;
        row->r[k] = sp->rho[i];
        row->a[k] = sp->alpha[best];
        sp->stamp[best] = stamp;
        len = ++row->len;
        if (len > sp->maxlen)
            sp->maxlen = len;
    }
    rho = sp->rho[i] * d + ((AP_REAL)0 - y) * omd;
    sp->rho[i] = rho;
    if (rho > 0 && len < w->n)
        *dirty = 1;
    for (k = 0; k < len; k++) {
        size_t j = (size_t)row->col[k];
        AP_REAL r = row->r[k] * d + (row->s[k] - (j == best ? y2 : y)) * omd;

        row->r[k] = r;
        cnext[j] += j == i ? r : AP_(pos)(r);
    }
}

/* The iterations on sparse messages (see above), single-threaded, on
 * @sp as sp_init() left it. Returns 1 when they ran to the end
 * (*iterations, *converged set), 0 when a row's rho turned positive: then
 * sp_spill() must write the messages out and ap_iterate() go on from
 * *resume_it. */
static int AP_(sp_iterate)(AP_(ap_state) *w, AP_(sp_state) *sp, int max_iter,
                           int convergence_iter, int *iterations,
                           int *converged, int *resume_it)
{
    size_t n = w->n, i, j, k_count = 0, stable = 0, k_top;
    AP_REAL d = w->damping, omd = w->omd, *colsum = w->colsum,
            *colnext = w->colnext, *t;
    int it, dirty = 0, done = 1;

    for (i = 0; i < n; i++) {
        w->e[i] = 2; /* neither 0 nor 1: the first iteration starts a run */
        w->run[i] = 0;
    }
    /* First responsibilities, with A = 0: alpha is 0, so the group's order
     * is the index order. */
    memset(colsum, 0, n * sizeof *colsum);
    k_top = sp->maxlen + 2 < n ? sp->maxlen + 2 : n;
    for (i = 0; i < k_top; i++)
        sp->order[i] = (int32_t)i;
    for (i = 0; i < n; i++)
        AP_(sp_row_step)(sp, w, i, 1, 0, k_top, NULL, colsum,
                         convergence_iter, &k_count, &stable, &dirty);
    *converged = 0;
    for (it = 0; it < max_iter; it++) {
        int last = it + 1 == max_iter;

        if (dirty) {
            *resume_it = it;
            done = 0;
            break;
        }
        if (w->progress != NULL)
            w->progress(w->progress_user, "affinity propagation",
                        (double)it / (double)max_iter);
        for (j = 0; j < n; j++) {
            AP_REAL tj = AP_(pos)((AP_REAL)0 - colsum[j]);
            sp->alpha[j] = sp->alpha[j] * d - tj * omd;
        }
        /* the rows' exceptions grow by at most one each: room for the
         * longest list after this iteration, plus the group's two */
        k_top = sp->maxlen + 3 < n ? sp->maxlen + 3 : n;
        AP_(sp_top)(sp->alpha, n, k_top, sp->order);
        memset(colnext, 0, n * sizeof *colnext);
        k_count = 0;
        stable = 0;
        for (i = 0; i < n; i++)
            AP_(sp_row_step)(sp, w, i, 0, last, k_top, colsum, colnext,
                             convergence_iter, &k_count, &stable, &dirty);
        t = colsum;
        colsum = colnext;
        colnext = t;
        if (it >= convergence_iter && stable == n && k_count > 0) {
            *converged = 1;
            break;
        }
    }
    *iterations = it < max_iter ? it + 1 : max_iter;
    /* hand back whichever buffer is which (the refinement reuses colsum
     * as scratch; a spill rewrites w->colsum) */
    w->colsum = colsum;
    w->colnext = colnext;
    return done;
}

/* c[i] = argmax_k S[i, ex[k]] (first k on ties), then c[ex[k]] = k. */
static void AP_(assign)(const AP_(ap_state) *w, const int32_t *ex,
                        size_t k_count, int32_t *c)
{
    size_t n = w->n, i, k;

    for (i = 0; i < n; i++) {
        AP_REAL best = AP_(s_at)(w, i, (size_t)ex[0]), v;
        int32_t bk = 0;

        for (k = 1; k < k_count; k++) {
            v = AP_(s_at)(w, i, (size_t)ex[k]);
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

/* The exemplar refinement: the new exemplar of each cluster is the argmax
 * of np.sum(S[ii][:, ii], axis=0), summed row by row; NumPy sums a float32
 * S in float32 (@single: float32 sums of a float64 copy). @members and
 * @start list each cluster's members in increasing index order; @acc holds
 * n values. */
static void AP_(refine)(const AP_(ap_state) *w, int single, int32_t *ex,
                        size_t k_count, const int32_t *members,
                        const int32_t *start, AP_REAL *acc)
{
    size_t k, q, r;

    for (k = 0; k < k_count; k++) {
        const int32_t *ii = members + start[k];
        size_t m = (size_t)(start[k + 1] - start[k]), best = 0;

        for (r = 0; r < m; r++) {
            size_t row = (size_t)ii[r];

            for (q = 0; q < m; q++) {
                AP_REAL v = AP_(s_at)(w, row, (size_t)ii[q]);

                if (r == 0)
                    acc[q] = v;
                else if (single)
                    acc[q] = (AP_REAL)((float)acc[q] + (float)v);
                else
                    acc[q] += v;
            }
        }
        for (q = 1; q < m; q++)
            if (acc[q] > acc[best])
                best = q;
        ex[k] = ii[best];
    }
}

#undef AP_
#undef AP_CAT
#undef AP_CAT2
