/* simdepth — tests of affinity propagation (suite "affinity").
 *
 * Golden cases: tests/data/affinity/<case>.npy and <case>.expected, made by
 * tests/data/affinity/gen_golden.py with scikit-learn 1.2.1 run without its
 * random degeneracy noise (see tests/data/affinity/README.md). The match is
 * exact: labels, exemplars, iteration count and convergence, with float64
 * messages on any number of threads. <case>.f32.expected is the same for
 * float32 messages (SIMDEPTH_AP_SINGLE), from the script's own NumPy port
 * of the iterations run on float32 arrays (the port run in float64
 * reproduces scikit-learn on every case, which the script asserts). A few
 * cases build their matrix instead of reading <case>.npy: the cosine of
 * stored vectors, or a Mini-ImageNet ViT-B matrix from ../shared/data
 * prepared as the real data tests below prepare it.
 *
 * Real data: the Mini-ImageNet ViT-B matrices under ../shared/data, processed
 * as the paper's reference code does, against the noise-free partitions in
 * golden/partitions_ap_noisefree/.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "simdepth/affinity.h"
#include "simdepth/io.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"
#include "tests.h"

/* An assertion whose failure message is formatted (and names the case). */
#if defined(__GNUC__)
static int check_at(int ok, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif

/* Returns @ok. */
static int check_at(int ok, unsigned line, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    if (ok) {
        CU_assertImplementation(CU_TRUE, line, "", __FILE__, "", CU_FALSE);
        return 1;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    CU_assertImplementation(CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
    return 0;
}

#define CHECK(cond, ...) check_at((cond) ? 1 : 0, __LINE__, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Golden cases from scikit-learn                                        */

/* Where a case's similarity matrix comes from. */
typedef enum case_source {
    SRC_NPY,              /* affinity/<case>.npy */
    SRC_COSINE32,         /* float32 cosine of affinity/<case>.vectors.npy */
    SRC_SHARED_MINMAX32,  /* a shared float32 cosine matrix, min-max scaled */
    SRC_SHARED_FUNCTIONAL /* a shared confusion matrix, (M + M^T) / 2 */
} case_source;

static const struct golden_case {
    const char *name;
    case_source src;
    const char *shared; /* under ../shared/data, for SRC_SHARED_* */
} golden_cases[] = {
    /* uniform symmetric; oscillates for 200 iterations */
    {"rand30", SRC_NPY, NULL},
    {"blobs60", SRC_NPY, NULL},     /* -squared distances, 4 blobs */
    /* uniform symmetric, n = 150, 200 iterations; float32 messages give
     * 18 clusters, float64 17 */
    {"rand150", SRC_NPY, NULL},
    {"blobs150", SRC_NPY, NULL},    /* -squared distances, 6 blobs, n = 150 */
    {"cosine40", SRC_NPY, NULL},    /* cosine of random vectors */
    {"ties48", SRC_NPY, NULL},      /* entries on a 1/8 grid: exact ties */
    /* 1/8 grid in 4 blocks: ties, converges (float32: later, 6 clusters) */
    {"tieblocks40", SRC_NPY, NULL},
    {"nonconv", SRC_NPY, NULL},     /* 1/4 grid, never converges */
    {"noexemplar", SRC_NPY, NULL},  /* max_iter 1: no exemplar, labels -1 */
    {"equal5", SRC_NPY, NULL},      /* early return: every item an exemplar */
    {"equal5_lowpref", SRC_NPY, NULL}, /* early return: one cluster */
    {"n1", SRC_NPY, NULL},          /* single item */
    {"n2sym", SRC_NPY, NULL},       /* n = 2, symmetric: early return */
    {"n2asym", SRC_NPY, NULL},      /* n = 2, asymmetric: iterates */
    {"pref_damp09", SRC_NPY, NULL}, /* preference 0.25, damping 0.9 */
    {"f32cos36", SRC_NPY, NULL},    /* float32 input: float32 median etc. */
    /* confusion-like (R + R^T) / 2, 94 % zeros: sparse messages by
     * default; the second hands over to the dense iterations midway */
    {"confusion100", SRC_NPY, NULL},
    {"confusion100_negpref", SRC_NPY, NULL},
    /* float32 cosine of 600 rank-4 integer vectors: n >= 512, so automatic
     * threads run two; float32 messages converge after 47 iterations,
     * float64 after 72 */
    {"lowrank600", SRC_COSINE32, NULL},
    /* the real data, prepared as test_real_data() does */
    {"vitb_ncsm", SRC_SHARED_MINMAX32, "mini-imagenet-vitb/vitb_cosine.npy"},
    {"vitb_ccsm", SRC_SHARED_FUNCTIONAL,
     "mini-imagenet-vitb/vitb_confusion.npy"},
};

#define N_GOLDEN (sizeof golden_cases / sizeof golden_cases[0])

typedef struct expected {
    char dtype[16];
    long n;
    simdepth_ap_options opt;
    int n_iter;
    int converged;
    long n_clusters;
    int32_t *labels;
    size_t n_labels;
    int32_t *exemplars;
    size_t n_exemplars;
    int single;         /* "precision single": a .f32.expected file */
    int same_as_double; /* its same_as_double, or -1 */
    int have_hash;      /* matrix_fnv1a64 given */
    unsigned long long hash;
    int have; /* bit mask of the keys seen */
} expected;

enum {
    HAVE_N = 1, HAVE_PREF = 2, HAVE_DAMPING = 4, HAVE_MAX_ITER = 8,
    HAVE_CONV_ITER = 16, HAVE_N_ITER = 32, HAVE_CONVERGED = 64,
    HAVE_CLUSTERS = 128, HAVE_LABELS = 256, HAVE_EXEMPLARS = 512,
    HAVE_DTYPE = 1024, HAVE_ALL = 2047
};

static void expected_clear(expected *e)
{
    free(e->labels);
    free(e->exemplars);
    memset(e, 0, sizeof *e);
}

/* Parse the integers after the key into a malloc'd array. */
static int parse_ints(const char *p, int32_t **out, size_t *count)
{
    size_t cap = 16, k = 0;
    int32_t *v = malloc(cap * sizeof *v);
    char *end;

    if (v == NULL)
        return -1;
    for (;;) {
        long x;
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        x = strtol(p, &end, 10);
        if (end == p) {
            free(v);
            return -1;
        }
        if (k == cap) {
            int32_t *nv = realloc(v, 2 * cap * sizeof *v);
            if (nv == NULL) {
                free(v);
                return -1;
            }
            v = nv;
            cap *= 2;
        }
        v[k++] = (int32_t)x;
        p = end;
    }
    *out = v;
    *count = k;
    return 0;
}

/* Read <case>.expected; returns 0, or -1 with a reason in @why. */
static int expected_read(const char *path, expected *e, char *why,
                         size_t why_size)
{
    size_t text_len = 0;
    char *text = simdepth_test_slurp(path, &text_len), *line, *save = NULL;
    int rc = 0;

    memset(e, 0, sizeof *e);
    simdepth_ap_options_init(&e->opt);
    e->same_as_double = -1;
    if (text == NULL) {
        snprintf(why, why_size, "cannot read %s", path);
        return -1;
    }
    for (line = strtok_r(text, "\n", &save); line != NULL && rc == 0;
         line = strtok_r(NULL, "\n", &save)) {
        char *val = strchr(line, ' ');
        size_t len = strlen(line);

        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (val == NULL) {
            val = line + strlen(line); /* "exemplars" with none */
        } else {
            *val++ = '\0';
        }
        if (strcmp(line, "dtype") == 0) {
            snprintf(e->dtype, sizeof e->dtype, "%s", val);
            e->have |= HAVE_DTYPE;
        } else if (strcmp(line, "n") == 0) {
            e->n = strtol(val, NULL, 10);
            e->have |= HAVE_N;
        } else if (strcmp(line, "preference") == 0) {
            if (strcmp(val, "median") != 0) {
                e->opt.use_preference = 1;
                e->opt.preference = strtod(val, NULL);
            }
            e->have |= HAVE_PREF;
        } else if (strcmp(line, "damping") == 0) {
            e->opt.damping = strtod(val, NULL);
            e->have |= HAVE_DAMPING;
        } else if (strcmp(line, "max_iter") == 0) {
            e->opt.max_iter = (int)strtol(val, NULL, 10);
            e->have |= HAVE_MAX_ITER;
        } else if (strcmp(line, "convergence_iter") == 0) {
            e->opt.convergence_iter = (int)strtol(val, NULL, 10);
            e->have |= HAVE_CONV_ITER;
        } else if (strcmp(line, "n_iter") == 0) {
            e->n_iter = (int)strtol(val, NULL, 10);
            e->have |= HAVE_N_ITER;
        } else if (strcmp(line, "converged") == 0) {
            e->converged = (int)strtol(val, NULL, 10);
            e->have |= HAVE_CONVERGED;
        } else if (strcmp(line, "n_clusters") == 0) {
            e->n_clusters = strtol(val, NULL, 10);
            e->have |= HAVE_CLUSTERS;
        } else if (strcmp(line, "labels") == 0) {
            rc = parse_ints(val, &e->labels, &e->n_labels);
            e->have |= HAVE_LABELS;
        } else if (strcmp(line, "exemplars") == 0) {
            rc = parse_ints(val, &e->exemplars, &e->n_exemplars);
            e->have |= HAVE_EXEMPLARS;
        } else if (strcmp(line, "precision") == 0) {
            e->single = strcmp(val, "single") == 0;
        } else if (strcmp(line, "same_as_double") == 0) {
            e->same_as_double = (int)strtol(val, NULL, 10);
        } else if (strcmp(line, "matrix_fnv1a64") == 0) {
            e->hash = strtoull(val, NULL, 16);
            e->have_hash = 1;
        }
    }
    free(text);
    if (rc != 0) {
        snprintf(why, why_size, "%s: bad list of integers", path);
    } else if (e->have != HAVE_ALL) {
        snprintf(why, why_size, "%s: missing keys (mask %#x)", path, e->have);
        rc = -1;
    } else if (e->n_labels != (size_t)e->n) {
        snprintf(why, why_size, "%s: %zu labels for n = %ld", path,
                 e->n_labels, e->n);
        rc = -1;
    }
    if (rc != 0)
        expected_clear(e);
    return rc;
}

/* The preparations of the Mini-ImageNet matrices, defined with the real
 * data tests below. */
static simdepth_matrix *prep_minmax32(simdepth_matrix *in, int diag_first);
static simdepth_matrix *prep_functional(const simdepth_matrix *in);

/* 64-bit FNV-1a of the matrix's element bytes, as gen_golden.py hashes
 * ndarray.tobytes() (little-endian: every target the suite runs on). */
static unsigned long long matrix_fnv1a64(const simdepth_matrix *m)
{
    const unsigned char *b = simdepth_matrix_cdata(m);
    size_t len = simdepth_matrix_rows(m) * simdepth_matrix_cols(m) *
                 (simdepth_matrix_dtype(m) == SIMDEPTH_F32 ? 4 : 8);
    unsigned long long h = 0xcbf29ce484222325ULL;
    size_t k;

    for (k = 0; k < len; k++) {
        h ^= b[k];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* gen_golden.py's cosine32(): the float32 cosine of the rows of @x, whose
 * entries are small integers, so every dot product is exact; the square
 * root, the product of the norms and the quotient are each rounded to
 * float32 as NumPy rounds them. */
static simdepth_matrix *cosine32(const simdepth_matrix *x)
{
    size_t n = simdepth_matrix_rows(x), d = simdepth_matrix_cols(x), i, j, k;
    const float *v = simdepth_matrix_cdata(x);
    simdepth_matrix *out = NULL;
    float *norm, *s;

    if (simdepth_matrix_dtype(x) != SIMDEPTH_F32)
        return NULL;
    norm = malloc(n * sizeof *norm);
    if (norm == NULL ||
        simdepth_matrix_new(n, n, SIMDEPTH_F32, &out, NULL) != SIMDEPTH_OK) {
        free(norm);
        return NULL;
    }
    s = simdepth_matrix_data(out);
    for (i = 0; i < n; i++) {
        float dot = 0.0f;

        for (k = 0; k < d; k++)
            dot += v[i * d + k] * v[i * d + k];
        norm[i] = sqrtf(dot);
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            float dot = 0.0f, den = norm[i] * norm[j];

            for (k = 0; k < d; k++)
                dot += v[i * d + k] * v[j * d + k];
            s[i * n + j] = dot / den;
        }
    free(norm);
    return out;
}

/* The similarity matrix of @gc, or NULL with the reason in @why. */
static simdepth_matrix *golden_matrix(const struct golden_case *gc,
                                      char *why, size_t why_size)
{
    char rel[160], emsg[400];
    simdepth_matrix *raw = NULL, *m = NULL;
    simdepth_error err;
    const char *path;
    int square;

    if (gc->src == SRC_NPY || gc->src == SRC_COSINE32) {
        snprintf(rel, sizeof rel, "affinity/%s%s", gc->name,
                 gc->src == SRC_NPY ? ".npy" : ".vectors.npy");
        path = simdepth_test_data(rel);
    } else {
        path = simdepth_test_shared(gc->shared);
    }
    simdepth_error_clear(&err);
    if (simdepth_npy_read(path, &raw, &err) != SIMDEPTH_OK) {
        simdepth_error_format(&err, emsg, sizeof emsg);
        snprintf(why, why_size, "reading %s: %s", path, emsg);
        return NULL;
    }
    square = simdepth_matrix_rows(raw) == simdepth_matrix_cols(raw);
    switch (gc->src) {
    case SRC_NPY:
        return raw;
    case SRC_COSINE32:
        m = cosine32(raw);
        break;
    case SRC_SHARED_MINMAX32:
        if (square && simdepth_matrix_dtype(raw) == SIMDEPTH_F32)
            m = prep_minmax32(raw, 0);
        break;
    case SRC_SHARED_FUNCTIONAL:
        if (square)
            m = prep_functional(raw);
        break;
    }
    if (m == NULL)
        snprintf(why, why_size, "cannot build the similarity matrix from %s",
                 path);
    simdepth_matrix_free(raw);
    return m;
}

/* A case: its matrix and both references. */
typedef struct loaded_case {
    const char *name;
    simdepth_matrix *m;
    expected dbl; /* <case>.expected: scikit-learn, float64 messages */
    expected sgl; /* <case>.f32.expected: float32 messages */
} loaded_case;

static void golden_free(loaded_case *g)
{
    simdepth_matrix_free(g->m);
    expected_clear(&g->dbl);
    expected_clear(&g->sgl);
    memset(g, 0, sizeof *g);
}

/* Does the matrix match what expectation @e was computed on? */
static int golden_check_input(const loaded_case *g, const expected *e,
                              const char *file)
{
    int ok = 1;

    ok &= CHECK(simdepth_matrix_dtype(g->m) ==
                       (strcmp(e->dtype, "float32") == 0 ? SIMDEPTH_F32
                                                         : SIMDEPTH_F64),
                   "%s: the matrix is not %s as %s says", g->name,
                   e->dtype, file);
    ok &= CHECK(simdepth_matrix_rows(g->m) == (size_t)e->n,
                   "%s: %zu rows, %s says %ld", g->name,
                   simdepth_matrix_rows(g->m), file, e->n);
    if (e->have_hash)
        ok &= CHECK(matrix_fnv1a64(g->m) == e->hash,
                       "%s: the matrix hashes to %016llx, %s says %016llx "
                       "(not the matrix gen_golden.py built)",
                       g->name, matrix_fnv1a64(g->m), file, e->hash);
    return ok;
}

/* Load case @gc: 0, or -1 after recording a failure. */
static int golden_load(const struct golden_case *gc, loaded_case *g)
{
    char rel[160], why[700];

    memset(g, 0, sizeof *g);
    g->name = gc->name;
    snprintf(rel, sizeof rel, "affinity/%s.expected", gc->name);
    if (expected_read(simdepth_test_data(rel), &g->dbl, why, sizeof why) !=
        0) {
        CHECK(0, "%s: %s", gc->name, why);
        return -1;
    }
    snprintf(rel, sizeof rel, "affinity/%s.f32.expected", gc->name);
    if (expected_read(simdepth_test_data(rel), &g->sgl, why, sizeof why) !=
        0) {
        CHECK(0, "%s: %s", gc->name, why);
        golden_free(g);
        return -1;
    }
    CHECK(!g->dbl.single && g->sgl.single,
          "%s: .expected must be double, .f32.expected \"precision single\"",
          gc->name);
    g->m = golden_matrix(gc, why, sizeof why);
    if (g->m == NULL) {
        CHECK(0, "%s: %s", gc->name, why);
        golden_free(g);
        return -1;
    }
    if (!golden_check_input(g, &g->dbl, ".expected") ||
        !golden_check_input(g, &g->sgl, ".f32.expected")) {
        golden_free(g);
        return -1;
    }
    return 0;
}

/* Compare partition @p of run @what with reference @e (named @ref). */
static void check_partition(const char *what, const simdepth_partition *p,
                            const expected *e, const char *ref)
{
    size_t i, bad;

    CHECK(strcmp(p->method, "affinity") == 0, "%s: method \"%s\"", what,
          p->method);
    CHECK(p->n == (size_t)e->n, "%s: partition of %zu items, expected %ld",
          what, p->n, e->n);
    CHECK(p->iterations == e->n_iter, "%s: %d iterations, %s %d", what,
          p->iterations, ref, e->n_iter);
    CHECK(p->converged == e->converged, "%s: converged %d, %s %d", what,
          p->converged, ref, e->converged);
    CHECK(p->n_clusters == (size_t)e->n_clusters, "%s: %zu clusters, %s %ld",
          what, p->n_clusters, ref, e->n_clusters);
    for (i = 0, bad = (size_t)-1; i < p->n && i < e->n_labels; i++)
        if (p->labels[i] != e->labels[i]) {
            bad = i;
            break;
        }
    CHECK(bad == (size_t)-1, "%s: label of item %zu is %d, %s %d", what, bad,
          bad == (size_t)-1 ? 0 : p->labels[bad], ref,
          bad == (size_t)-1 ? 0 : e->labels[bad]);
    if (e->n_exemplars == 0) {
        CHECK(p->exemplars == NULL, "%s: exemplars set with no exemplar",
              what);
        return;
    }
    CHECK(p->exemplars != NULL, "%s: no exemplars array", what);
    CHECK(p->n_clusters == e->n_exemplars, "%s: %zu clusters but %zu exemplars",
          what, p->n_clusters, e->n_exemplars);
    for (i = 0, bad = (size_t)-1;
         p->exemplars != NULL && i < e->n_exemplars && i < p->n_clusters; i++)
        if (p->exemplars[i] != e->exemplars[i]) {
            bad = i;
            break;
        }
    CHECK(bad == (size_t)-1, "%s: exemplar %zu is %d, %s %d", what, bad,
          bad == (size_t)-1 ? 0 : p->exemplars[bad], ref,
          bad == (size_t)-1 ? 0 : e->exemplars[bad]);
}

static const char *precision_name(simdepth_ap_precision pr)
{
    return pr == SIMDEPTH_AP_DOUBLE   ? "double"
           : pr == SIMDEPTH_AP_SINGLE ? "single"
                                      : "auto";
}

/* Run @g with its reference's options and @precision, @threads; returns
 * the partition (NULL after recording a failure); @what receives the name
 * of the run. */
static simdepth_partition *golden_run_storage(const loaded_case *g,
                                              simdepth_ap_precision precision,
                                              int threads,
                                              simdepth_ap_storage storage,
                                              char *what, size_t what_size)
{
    static const char *const storage_names[] = {"auto", "dense", "sparse"};
    simdepth_ap_options opt = g->dbl.opt;
    simdepth_partition *p = NULL;
    simdepth_error err;
    simdepth_status st;
    char emsg[700];

    opt.precision = precision;
    opt.threads = threads;
    opt.storage = storage;
    snprintf(what, what_size, "%s (precision %s, threads %d, storage %s)",
             g->name, precision_name(precision), threads,
             storage_names[storage]);
    simdepth_error_clear(&err);
    st = simdepth_affinity_propagation(g->m, &opt, &p, &err);
    simdepth_error_format(&err, emsg, sizeof emsg);
    CHECK(st == SIMDEPTH_OK, "%s: affinity propagation failed: %s", what,
          emsg);
    return st == SIMDEPTH_OK ? p : NULL;
}

static simdepth_partition *golden_run(const loaded_case *g,
                                      simdepth_ap_precision precision,
                                      int threads, char *what,
                                      size_t what_size)
{
    return golden_run_storage(g, precision, threads,
                              SIMDEPTH_AP_STORAGE_AUTO, what, what_size);
}

/* Run @g and compare with @e. */
static void golden_expect(const loaded_case *g, simdepth_ap_precision precision,
                          int threads, const expected *e, const char *ref)
{
    char what[200];
    simdepth_partition *p = golden_run(g, precision, threads, what,
                                       sizeof what);

    if (p != NULL)
        check_partition(what, p, e, ref);
    simdepth_partition_free(p);
}

#define SKLEARN "scikit-learn"
#define F32REF "the float32 reference"

/* The defaults (precision auto, automatic threads) give scikit-learn's
 * result: below SIMDEPTH_AP_SINGLE_FROM items auto is double. */
static void test_golden(void)
{
    size_t k;
    loaded_case g;

    for (k = 0; k < N_GOLDEN; k++) {
        if (golden_load(&golden_cases[k], &g) != 0)
            continue;
        golden_expect(&g, SIMDEPTH_AP_AUTO, 0, &g.dbl, SKLEARN);
        golden_free(&g);
    }
}

/* Double precision is scikit-learn's result whatever the thread count;
 * 64 is more than the 8 a run may use. */
static void test_golden_double_threads(void)
{
    static const int threads[] = {1, 2, 3, 4, 8, 64};
    size_t k, t;
    loaded_case g;

    for (k = 0; k < N_GOLDEN; k++) {
        if (golden_load(&golden_cases[k], &g) != 0)
            continue;
        for (t = 0; t < sizeof threads / sizeof threads[0]; t++)
            golden_expect(&g, SIMDEPTH_AP_DOUBLE, threads[t], &g.dbl,
                          SKLEARN);
        golden_free(&g);
    }
}

/* Single precision is the float32 reference's result, on any thread
 * count. */
static void test_golden_single(void)
{
    static const int threads[] = {0, 1, 2, 3, 4};
    size_t k, t;
    loaded_case g;

    for (k = 0; k < N_GOLDEN; k++) {
        if (golden_load(&golden_cases[k], &g) != 0)
            continue;
        for (t = 0; t < sizeof threads / sizeof threads[0]; t++)
            golden_expect(&g, SIMDEPTH_AP_SINGLE, threads[t], &g.sgl, F32REF);
        golden_free(&g);
    }
}

/* Either message storage gives the reference's result, in both
 * precisions and on one thread or two: sparse storage on a dense matrix
 * keeps every message as an exception, and on the cases with negative
 * similarities or a negative preference a row's shared responsibility
 * turns positive, which hands the run to the dense iterations midway
 * (confusion100_negpref at iteration 11). */
static void test_golden_storage(void)
{
    static const simdepth_ap_storage storages[] = {SIMDEPTH_AP_STORAGE_DENSE,
                                                   SIMDEPTH_AP_STORAGE_SPARSE};
    char what[200];
    size_t k, q, t;
    loaded_case g;

    for (k = 0; k < N_GOLDEN; k++) {
        if (golden_load(&golden_cases[k], &g) != 0)
            continue;
        for (q = 0; q < 2; q++)
            for (t = 1; t <= 2; t++) {
                simdepth_partition *pd, *ps;

                pd = golden_run_storage(&g, SIMDEPTH_AP_DOUBLE, (int)t,
                                        storages[q], what, sizeof what);
                if (pd != NULL)
                    check_partition(what, pd, &g.dbl, SKLEARN);
                ps = golden_run_storage(&g, SIMDEPTH_AP_SINGLE, (int)t,
                                        storages[q], what, sizeof what);
                if (ps != NULL)
                    check_partition(what, ps, &g.sgl, F32REF);
                simdepth_partition_free(ps);
                simdepth_partition_free(pd);
            }
        golden_free(&g);
    }
}

/* Are two references different results? */
static int expected_differ(const expected *a, const expected *b)
{
    return a->n_iter != b->n_iter || a->converged != b->converged ||
           a->n_labels != b->n_labels || a->n_exemplars != b->n_exemplars ||
           memcmp(a->labels, b->labels, a->n_labels * sizeof *a->labels) != 0 ||
           (a->n_exemplars > 0 &&
            memcmp(a->exemplars, b->exemplars,
                   a->n_exemplars * sizeof *a->exemplars) != 0);
}

/* Below SIMDEPTH_AP_SINGLE_FROM items, auto is double: on the cases where
 * float32 and float64 messages give different results, auto gives the
 * float64 one (on one thread and on three). */
static void test_auto_precision(void)
{
    size_t k, differing = 0;
    loaded_case g;

    CU_ASSERT_EQUAL(SIMDEPTH_AP_SINGLE_FROM, 8192);
    for (k = 0; k < N_GOLDEN; k++) {
        if (golden_load(&golden_cases[k], &g) != 0)
            continue;
        CHECK(g.sgl.same_as_double == !expected_differ(&g.dbl, &g.sgl),
              "%s: .f32.expected says same_as_double %d", g.name,
              g.sgl.same_as_double);
        if (expected_differ(&g.dbl, &g.sgl)) {
            differing++;
            CHECK(g.dbl.n < SIMDEPTH_AP_SINGLE_FROM, "%s: n = %ld", g.name,
                  g.dbl.n);
            golden_expect(&g, SIMDEPTH_AP_AUTO, 1, &g.dbl, SKLEARN);
            golden_expect(&g, SIMDEPTH_AP_AUTO, 3, &g.dbl, SKLEARN);
        }
        golden_free(&g);
    }
    /* rand150, tieblocks40, lowrank600: without them this test proves
     * nothing */
    CHECK(differing >= 3, "only %zu cases where float32 and float64 differ",
          differing);
}

/* Two partitions are the same result. */
static void check_same_partition(const char *what, const simdepth_partition *a,
                                 const simdepth_partition *b)
{
    size_t i, bad;

    CHECK(a->iterations == b->iterations && a->converged == b->converged &&
              a->n_clusters == b->n_clusters,
          "%s: %d iterations, converged %d, %zu clusters against %d, %d, %zu",
          what, a->iterations, a->converged, a->n_clusters, b->iterations,
          b->converged, b->n_clusters);
    for (i = 0, bad = (size_t)-1; i < a->n && i < b->n; i++)
        if (a->labels[i] != b->labels[i]) {
            bad = i;
            break;
        }
    CHECK(a->n == b->n && bad == (size_t)-1, "%s: item %zu: label %d against %d",
          what, bad, bad == (size_t)-1 ? 0 : a->labels[bad],
          bad == (size_t)-1 ? 0 : b->labels[bad]);
    for (i = 0, bad = (size_t)-1;
         a->exemplars != NULL && b->exemplars != NULL && i < a->n_clusters &&
         i < b->n_clusters;
         i++)
        if (a->exemplars[i] != b->exemplars[i]) {
            bad = i;
            break;
        }
    CHECK((a->exemplars == NULL) == (b->exemplars == NULL) &&
              bad == (size_t)-1,
          "%s: exemplars differ (at %zu)", what, bad);
}

/* lowrank600 has n >= 2 * 256, so automatic threads (0) run two of them
 * on a machine with two CPUs or more: the same result as one thread, in
 * both precisions. */
static void test_auto_threads(void)
{
    static const simdepth_ap_precision precisions[] = {SIMDEPTH_AP_DOUBLE,
                                                       SIMDEPTH_AP_SINGLE};
    char what0[200], what1[200];
    size_t k, q;
    loaded_case g;

    for (k = 0; k < N_GOLDEN; k++)
        if (strcmp(golden_cases[k].name, "lowrank600") == 0)
            break;
    CU_ASSERT_FATAL(k < N_GOLDEN);
    if (golden_load(&golden_cases[k], &g) != 0)
        return;
    CHECK(g.dbl.n >= 512, "%s: n = %ld is too small for two automatic threads",
          g.name, g.dbl.n);
    for (q = 0; q < 2; q++) {
        simdepth_partition *p0 = golden_run(&g, precisions[q], 0, what0,
                                            sizeof what0);
        simdepth_partition *p1 = golden_run(&g, precisions[q], 1, what1,
                                            sizeof what1);

        if (p0 != NULL && p1 != NULL) {
            check_same_partition(what0, p0, p1);
            check_partition(what0, p0,
                            q == 0 ? &g.dbl : &g.sgl,
                            q == 0 ? SKLEARN : F32REF);
        }
        simdepth_partition_free(p1);
        simdepth_partition_free(p0);
    }
    golden_free(&g);
}

/* ------------------------------------------------------------------ */
/* Real data: Mini-ImageNet ViT-B                                        */

typedef enum prep {
    PREP_MINMAX32,       /* float32 min-max over all entries, diagonal 1 */
    PREP_DIAG1_MINMAX32, /* diagonal 1 first (it is NaN), then the same */
    PREP_FUNCTIONAL      /* (M + M^T) / 2 in float64, diagonal 1 */
} prep;

static const struct real_case {
    const char *name;
    const char *input;
    prep how;
    size_t n_clusters;
    int iterations;
    const char *golden;
} real_cases[] = {
    {"ViTB_NCSM", "mini-imagenet-vitb/vitb_cosine.npy", PREP_MINMAX32, 18, 22,
     "mini-imagenet-vitb/golden/partitions_ap_noisefree/ViTB_NCSM__affinity.csv"},
    {"ViTB_NCSM_init", "mini-imagenet-vitb/vitb_init_cosine.npy",
     PREP_DIAG1_MINMAX32, 17, 50,
     "mini-imagenet-vitb/golden/partitions_ap_noisefree/"
     "ViTB_NCSM_init__affinity.csv"},
    {"ViTB_CCSM", "mini-imagenet-vitb/vitb_confusion.npy", PREP_FUNCTIONAL,
     24, 24,
     "mini-imagenet-vitb/golden/partitions_ap_noisefree/ViTB_CCSM__affinity.csv"},
};

/* The paper's perceived similarity: (S - min) / (max - min) with float32
 * arithmetic as the reference ran it (NumPy on a float32 array), then the
 * diagonal 1; returned as float64 for AP. */
static simdepth_matrix *prep_minmax32(simdepth_matrix *in, int diag_first)
{
    size_t n = simdepth_matrix_rows(in), k;
    float *f = simdepth_matrix_data(in);
    float mn, mx, range;
    simdepth_matrix *out = NULL;

    if (diag_first)
        for (k = 0; k < n; k++)
            f[k * n + k] = 1.0f;
    mn = mx = f[0];
    for (k = 1; k < n * n; k++) {
        if (f[k] < mn)
            mn = f[k];
        if (f[k] > mx)
            mx = f[k];
    }
    range = mx - mn;
    for (k = 0; k < n * n; k++)
        f[k] = (f[k] - mn) / range;
    for (k = 0; k < n; k++)
        f[k * n + k] = 1.0f;
    if (simdepth_matrix_convert(in, SIMDEPTH_F64, &out, NULL) != SIMDEPTH_OK)
        return NULL;
    return out;
}

/* The paper's functional similarity of a row-normalised confusion matrix. */
static simdepth_matrix *prep_functional(const simdepth_matrix *in)
{
    size_t n = simdepth_matrix_rows(in), i, j;
    simdepth_matrix *out = NULL;

    if (simdepth_matrix_new(n, n, SIMDEPTH_F64, &out, NULL) != SIMDEPTH_OK)
        return NULL;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            simdepth_matrix_set(out, i, j,
                                i == j ? 1.0
                                       : (simdepth_matrix_get(in, i, j) +
                                          simdepth_matrix_get(in, j, i)) /
                                             2.0);
    return out;
}

/* Read the label column (the last of index,wnid,name,label) of a golden
 * partition file; returns the number of labels or -1. */
static long read_golden_labels(const char *path, int32_t *labels, size_t max)
{
    size_t text_len = 0;
    char *text = simdepth_test_slurp(path, &text_len), *line, *save = NULL;
    long count = 0;
    int header = 1;

    if (text == NULL)
        return -1;
    for (line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *comma = strrchr(line, ',');
        if (header) {
            header = 0;
            continue;
        }
        if (comma == NULL || (size_t)count >= max) {
            count = -1;
            break;
        }
        labels[count++] = (int32_t)strtol(comma + 1, NULL, 10);
    }
    free(text);
    return count;
}

static void run_real_case(const struct real_case *rc)
{
    char emsg[700];
    simdepth_matrix *raw = NULL, *s = NULL;
    simdepth_partition *p = NULL;
    simdepth_error err;
    simdepth_status st;
    int32_t golden[100];
    long ng;
    size_t i, bad;

    simdepth_error_clear(&err);
    st = simdepth_npy_read(simdepth_test_shared(rc->input), &raw, &err);
    simdepth_error_format(&err, emsg, sizeof emsg);
    CHECK(st == SIMDEPTH_OK, "%s: reading shared %s: %s", rc->name, rc->input,
          emsg);
    if (st != SIMDEPTH_OK)
        return;
    CHECK(simdepth_matrix_rows(raw) == 100 && simdepth_matrix_cols(raw) == 100,
          "%s: input is not 100 x 100", rc->name);
    if (simdepth_matrix_rows(raw) != 100 || simdepth_matrix_cols(raw) != 100)
        goto out;
    if (rc->how == PREP_FUNCTIONAL) {
        s = prep_functional(raw);
    } else {
        CHECK(simdepth_matrix_dtype(raw) == SIMDEPTH_F32,
              "%s: expected a float32 cosine matrix", rc->name);
        if (simdepth_matrix_dtype(raw) != SIMDEPTH_F32)
            goto out;
        s = prep_minmax32(raw, rc->how == PREP_DIAG1_MINMAX32);
    }
    CHECK(s != NULL, "%s: preprocessing failed", rc->name);
    if (s == NULL)
        goto out;

    simdepth_error_clear(&err);
    st = simdepth_affinity_propagation(s, NULL, &p, &err);
    simdepth_error_format(&err, emsg, sizeof emsg);
    CHECK(st == SIMDEPTH_OK, "%s: affinity propagation failed: %s", rc->name,
          emsg);
    if (st != SIMDEPTH_OK)
        goto out;
    CHECK(p->n_clusters == rc->n_clusters, "%s: %zu clusters, expected %zu",
          rc->name, p->n_clusters, rc->n_clusters);
    CHECK(p->iterations == rc->iterations, "%s: %d iterations, expected %d",
          rc->name, p->iterations, rc->iterations);
    CHECK(p->converged == 1, "%s: did not converge", rc->name);

    /* The noise-free reference numbers clusters as scikit-learn does (by
     * exemplar index), so the labels must agree exactly, not only up to
     * renaming. */
    ng = read_golden_labels(simdepth_test_shared(rc->golden), golden, 100);
    CHECK(ng == 100, "%s: cannot read 100 labels from shared %s", rc->name,
          rc->golden);
    if (ng != 100)
        goto out;
    for (i = 0, bad = (size_t)-1; i < 100; i++)
        if (p->labels[i] != golden[i]) {
            bad = i;
            break;
        }
    CHECK(bad == (size_t)-1, "%s: class %zu has label %d, golden %d",
          rc->name, bad, bad == (size_t)-1 ? 0 : p->labels[bad],
          bad == (size_t)-1 ? 0 : golden[bad]);

out:
    simdepth_partition_free(p);
    simdepth_matrix_free(s);
    simdepth_matrix_free(raw);
}

static void test_real_data(void)
{
    size_t k;

    for (k = 0; k < sizeof real_cases / sizeof real_cases[0]; k++)
        run_real_case(&real_cases[k]);
}

/* ------------------------------------------------------------------ */
/* Invalid input                                                         */

typedef enum bad_kind {
    BAD_NOT_SQUARE, BAD_EMPTY, BAD_NAN, BAD_INF, BAD_DAMPING_1,
    BAD_DAMPING_LOW, BAD_DAMPING_NAN, BAD_MAX_ITER, BAD_CONV_ITER,
    BAD_PREFERENCE, BAD_PRECISION_HIGH, BAD_PRECISION_NEG, BAD_THREADS,
    BAD_SINGLE_PREF_RANGE, BAD_SINGLE_VALUE_RANGE, BAD_STORAGE
} bad_kind;

static const struct bad_case {
    const char *name;
    bad_kind kind;
    const char *message; /* a substring of the error message */
} bad_cases[] = {
    {"not square 3 x 4", BAD_NOT_SQUARE, "3 x 4"},
    {"empty 0 x 0", BAD_EMPTY, "empty"},
    {"NaN at (2, 3)", BAD_NAN, "row 2, column 3"},
    {"-Inf at (3, 1)", BAD_INF, "row 3, column 1"},
    {"damping 1.0", BAD_DAMPING_1, "damping"},
    {"damping 0.4", BAD_DAMPING_LOW, "damping"},
    {"damping NaN", BAD_DAMPING_NAN, "damping"},
    {"max_iter 0", BAD_MAX_ITER, "max_iter"},
    {"convergence_iter 0", BAD_CONV_ITER, "convergence_iter"},
    {"preference NaN", BAD_PREFERENCE, "preference"},
    {"precision 3", BAD_PRECISION_HIGH, "precision 3"},
    {"precision -1", BAD_PRECISION_NEG, "precision -1"},
    {"threads -1", BAD_THREADS, "-1 threads"},
    {"single: preference 1e39 of a float64 matrix", BAD_SINGLE_PREF_RANGE,
     "does not fit the float32 messages"},
    {"single: float64 similarity 1e39 at (1, 3)", BAD_SINGLE_VALUE_RANGE,
     "row 1, column 3"},
    {"storage 3", BAD_STORAGE, "storage 3"},
};

static void run_bad_case(const struct bad_case *bc)
{
    simdepth_matrix *m = NULL;
    simdepth_partition *p = NULL;
    simdepth_ap_options opt;
    simdepth_error err;
    simdepth_status st;
    size_t rows = 3, cols = 3, i;

    simdepth_ap_options_init(&opt);
    if (bc->kind == BAD_NOT_SQUARE)
        cols = 4;
    else if (bc->kind == BAD_EMPTY)
        rows = cols = 0;
    st = simdepth_matrix_new(rows, cols, SIMDEPTH_F64, &m, NULL);
    CHECK(st == SIMDEPTH_OK, "%s: cannot build the matrix", bc->name);
    if (st != SIMDEPTH_OK)
        return;
    for (i = 0; i < rows * cols; i++)
        simdepth_matrix_set(m, i / cols, i % cols, (double)(i % 5) / 4.0);
    switch (bc->kind) {
    case BAD_NAN: simdepth_matrix_set(m, 1, 2, NAN); break;
    case BAD_INF: simdepth_matrix_set(m, 2, 0, -INFINITY); break;
    case BAD_DAMPING_1: opt.damping = 1.0; break;
    case BAD_DAMPING_LOW: opt.damping = 0.4; break;
    case BAD_DAMPING_NAN: opt.damping = NAN; break;
    case BAD_MAX_ITER: opt.max_iter = 0; break;
    case BAD_CONV_ITER: opt.convergence_iter = 0; break;
    case BAD_PREFERENCE:
        opt.use_preference = 1;
        opt.preference = NAN;
        break;
    case BAD_PRECISION_HIGH: opt.precision = (simdepth_ap_precision)3; break;
    case BAD_PRECISION_NEG: opt.precision = (simdepth_ap_precision)-1; break;
    case BAD_THREADS: opt.threads = -1; break;
    case BAD_STORAGE: opt.storage = (simdepth_ap_storage)3; break;
    /* float64 values beyond float32 would become infinite in float32
     * messages (found by review: NaN messages, a meaningless partition). */
    case BAD_SINGLE_PREF_RANGE:
        opt.precision = SIMDEPTH_AP_SINGLE;
        opt.use_preference = 1;
        opt.preference = 1e39;
        break;
    case BAD_SINGLE_VALUE_RANGE:
        opt.precision = SIMDEPTH_AP_SINGLE;
        simdepth_matrix_set(m, 0, 2, 1e39);
        simdepth_matrix_set(m, 2, 0, 1e39);
        break;
    default: break;
    }
    simdepth_error_clear(&err);
    st = simdepth_affinity_propagation(m, &opt, &p, &err);
    CHECK(st == SIMDEPTH_EINVAL, "%s: status %d (%s), expected EINVAL",
          bc->name, (int)st, simdepth_status_string(st));
    CHECK(p == NULL, "%s: *out was written on failure", bc->name);
    CHECK(err.status == SIMDEPTH_EINVAL, "%s: err.status %d", bc->name,
          (int)err.status);
    CHECK(strstr(err.message, bc->message) != NULL,
          "%s: message \"%s\" does not mention \"%s\"", bc->name, err.message,
          bc->message);
    simdepth_partition_free(p);
    simdepth_matrix_free(m);
}

static void test_invalid(void)
{
    size_t k;

    for (k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++)
        run_bad_case(&bad_cases[k]);
}

/* ------------------------------------------------------------------ */
/* Sparse against dense messages                                         */

static uint64_t xs_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* A value in [0, 1) from the stream. */
static double xs_unit(uint64_t *x)
{
    return (double)(xs_next(x) >> 11) / 9007199254740992.0;
}

/* An n x n similarity of density @density (the fraction of nonzero
 * off-diagonal entries), symmetric or not, on a 1/8 grid (exact ties) or
 * continuous, some entries negative when @negative; diagonal 1. */
static simdepth_matrix *random_sparse(uint64_t *x, size_t n, double density,
                                      int symmetric, int grid, int negative,
                                      simdepth_dtype dt)
{
    simdepth_matrix *m = NULL;
    size_t i, j;

    if (simdepth_matrix_new(n, n, dt, &m, NULL) != SIMDEPTH_OK)
        return NULL;
    for (i = 0; i < n; i++)
        for (j = symmetric ? i : 0; j < n; j++) {
            double v = 0.0;

            if (i == j)
                v = 1.0;
            else if (xs_unit(x) < density) {
                v = grid ? (double)(1 + xs_next(x) % 8) / 8.0
                         : 0.01 + xs_unit(x);
                if (negative && xs_unit(x) < 0.3)
                    v = -v;
            }
            simdepth_matrix_set(m, i, j, v);
            if (symmetric)
                simdepth_matrix_set(m, j, i, v);
        }
    return m;
}

/* Sparse and dense storage give the same partition, iteration count and
 * convergence on 240 seeded random sparse matrices: sizes 2 to 300,
 * densities 1 % to 50 %, ties, negative entries, float32 and float64
 * inputs, both precisions, preferences from the median and given ones
 * (negative ones make rows hand over to the dense iterations), damping
 * 0.5 to 0.9, max_iter 1 to 200, convergence_iter 1 to 15, one thread or
 * two. */
static void test_sparse_random(void)
{
    static const size_t sizes[] = {2, 3, 7, 16, 50, 130, 300};
    static const double densities[] = {0.01, 0.05, 0.2, 0.5};
    static const double prefs[] = {-0.5, -0.15, -0.05, 0.0, 0.1};
    static const double dampings[] = {0.5, 0.7, 0.9};
    static const int max_iters[] = {1, 2, 30, 200, 200};
    static const int conv_iters[] = {1, 3, 15, 15};
    uint64_t x = 0x5eed5eed1234abcdu;
    size_t k, cases = 240;

    for (k = 0; k < cases; k++) {
        size_t n = sizes[xs_next(&x) % 7];
        double density = densities[xs_next(&x) % 4];
        int symmetric = (int)(xs_next(&x) % 2), grid = (int)(xs_next(&x) % 2);
        int negative = xs_next(&x) % 4 == 0;
        simdepth_dtype dt = xs_next(&x) % 2 ? SIMDEPTH_F32 : SIMDEPTH_F64;
        simdepth_ap_options opt;
        simdepth_partition *pd = NULL, *ps = NULL;
        simdepth_matrix *m;
        char what[300];

        simdepth_ap_options_init(&opt);
        if (xs_next(&x) % 3 != 0) {
            opt.use_preference = 1;
            opt.preference = prefs[xs_next(&x) % 5];
        }
        opt.damping = dampings[xs_next(&x) % 3];
        opt.max_iter = max_iters[xs_next(&x) % 5];
        opt.convergence_iter = conv_iters[xs_next(&x) % 4];
        opt.precision = xs_next(&x) % 2 ? SIMDEPTH_AP_SINGLE : SIMDEPTH_AP_DOUBLE;
        opt.threads = 1 + (int)(xs_next(&x) % 2);
        m = random_sparse(&x, n, density, symmetric, grid, negative, dt);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        snprintf(what, sizeof what,
                 "random case %zu (n %zu, density %g, symmetric %d, grid %d, "
                 "negative %d, %s, preference %s%g, damping %g, max_iter %d, "
                 "convergence_iter %d, %s, %d threads)",
                 k, n, density, symmetric, grid, negative,
                 dt == SIMDEPTH_F32 ? "float32" : "float64",
                 opt.use_preference ? "" : "median, not ",
                 opt.use_preference ? opt.preference : 0.0, opt.damping,
                 opt.max_iter, opt.convergence_iter,
                 precision_name(opt.precision), opt.threads);
        opt.storage = SIMDEPTH_AP_STORAGE_DENSE;
        CHECK(simdepth_affinity_propagation(m, &opt, &pd, NULL) == SIMDEPTH_OK,
              "%s: dense run failed", what);
        opt.storage = SIMDEPTH_AP_STORAGE_SPARSE;
        CHECK(simdepth_affinity_propagation(m, &opt, &ps, NULL) == SIMDEPTH_OK,
              "%s: sparse run failed", what);
        if (pd != NULL && ps != NULL)
            check_same_partition(what, ps, pd);
        simdepth_partition_free(ps);
        simdepth_partition_free(pd);
        simdepth_matrix_free(m);
    }
}

/* ------------------------------------------------------------------ */
/* Options and small properties                                          */

static void test_options_init(void)
{
    simdepth_ap_options opt;

    memset(&opt, 0xab, sizeof opt);
    simdepth_ap_options_init(&opt);
    CU_ASSERT_EQUAL(opt.use_preference, 0);
    CU_ASSERT_DOUBLE_EQUAL(opt.damping, 0.5, 0.0);
    CU_ASSERT_EQUAL(opt.max_iter, 200);
    CU_ASSERT_EQUAL(opt.convergence_iter, 15);
    CU_ASSERT_EQUAL(opt.precision, SIMDEPTH_AP_AUTO);
    CU_ASSERT_EQUAL(opt.threads, 0);
    CU_ASSERT_EQUAL(opt.storage, SIMDEPTH_AP_STORAGE_AUTO);
    CU_ASSERT_PTR_NULL(opt.progress);
    CU_ASSERT_PTR_NULL(opt.progress_user);
    simdepth_ap_options_init(NULL); /* accepted */
}

/* NULL options mean the defaults; the err argument may be NULL; a float32
 * copy of a float64 matrix whose values are exact in float32 (a 1/8 grid)
 * gives the same partition. */
static void test_defaults_and_dtypes(void)
{
    simdepth_matrix *m64 = NULL, *m32 = NULL;
    simdepth_partition *p1 = NULL, *p2 = NULL, *p3 = NULL;
    simdepth_ap_options opt;
    size_t i;

    if (simdepth_npy_read(simdepth_test_data("affinity/ties48.npy"), &m64,
                          NULL) != SIMDEPTH_OK) {
        CU_FAIL("cannot read affinity/ties48.npy");
        return;
    }
    simdepth_ap_options_init(&opt);
    CU_ASSERT_EQUAL_FATAL(simdepth_affinity_propagation(m64, NULL, &p1, NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_affinity_propagation(m64, &opt, &p2, NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_convert(m64, SIMDEPTH_F32, &m32,
                                                  NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_affinity_propagation(m32, &opt, &p3, NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(p1->iterations, p2->iterations);
    CU_ASSERT_EQUAL(p1->n_clusters, p2->n_clusters);
    CU_ASSERT_EQUAL(p1->iterations, p3->iterations);
    CU_ASSERT_EQUAL(p1->n_clusters, p3->n_clusters);
    for (i = 0; i < p1->n; i++) {
        CU_ASSERT_EQUAL(p1->labels[i], p2->labels[i]);
        CU_ASSERT_EQUAL(p1->labels[i], p3->labels[i]);
    }
    simdepth_partition_free(p3);
    simdepth_partition_free(p2);
    simdepth_partition_free(p1);
    simdepth_matrix_free(m32);
    simdepth_matrix_free(m64);
}

int simdepth_test_add_affinity(void)
{
    CU_pSuite suite = CU_add_suite("affinity", NULL, NULL);

    if (suite == NULL)
        return -1;
    if (CU_add_test(suite, "options_init", test_options_init) == NULL ||
        CU_add_test(suite, "golden_sklearn", test_golden) == NULL ||
        CU_add_test(suite, "golden_double_threads",
                    test_golden_double_threads) == NULL ||
        CU_add_test(suite, "golden_single_f32", test_golden_single) == NULL ||
        CU_add_test(suite, "golden_storage", test_golden_storage) == NULL ||
        CU_add_test(suite, "sparse_random", test_sparse_random) == NULL ||
        CU_add_test(suite, "auto_precision_below_8192",
                    test_auto_precision) == NULL ||
        CU_add_test(suite, "auto_threads_n600", test_auto_threads) == NULL ||
        CU_add_test(suite, "mini_imagenet_vitb", test_real_data) == NULL ||
        CU_add_test(suite, "defaults_and_dtypes",
                    test_defaults_and_dtypes) == NULL ||
        CU_add_test(suite, "invalid_input", test_invalid) == NULL)
        return -1;
    return 0;
}
