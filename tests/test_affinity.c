/* simdepth — tests of affinity propagation (suite "affinity").
 *
 * Golden cases: tests/data/affinity/<case>.npy and <case>.expected, made by
 * tests/data/affinity/gen_golden.py with scikit-learn 1.2.1 run without its
 * random degeneracy noise (see tests/data/affinity/README.md). The match is
 * exact: labels, exemplars, iteration count and convergence.
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
static void check_at(int ok, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif

static void check_at(int ok, unsigned line, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    if (ok) {
        CU_assertImplementation(CU_TRUE, line, "", __FILE__, "", CU_FALSE);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    CU_assertImplementation(CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

#define CHECK(cond, ...) check_at((cond) ? 1 : 0, __LINE__, __VA_ARGS__)

/* ------------------------------------------------------------------ */
/* Golden cases from scikit-learn                                        */

static const char *const golden_cases[] = {
    "rand30",         /* uniform symmetric; oscillates for 200 iterations */
    "blobs60",        /* -squared distances, 4 blobs */
    "rand150",        /* uniform symmetric, n = 150, 200 iterations */
    "blobs150",       /* -squared distances, 6 blobs, n = 150 */
    "cosine40",       /* cosine of random vectors */
    "ties48",         /* entries on a 1/8 grid: exact ties everywhere */
    "tieblocks40",    /* 1/8 grid in 4 blocks: ties, and it converges */
    "nonconv",        /* 1/4 grid, never converges at damping 0.5 */
    "noexemplar",     /* max_iter 1: no exemplar, labels -1 */
    "equal5",         /* early return: every item an exemplar */
    "equal5_lowpref", /* early return: one cluster around item 0 */
    "n1",             /* single item */
    "n2sym",          /* n = 2, symmetric: early return */
    "n2asym",         /* n = 2, asymmetric: iterates */
    "pref_damp09",    /* preference 0.25, damping 0.9 */
    "f32cos36",       /* float32 input: float32 median and refinement */
};

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

static void run_golden_case(const char *name)
{
    char rel[128], why[600], emsg[700];
    expected e;
    simdepth_matrix *m = NULL;
    simdepth_partition *p = NULL;
    simdepth_error err;
    simdepth_status st;
    size_t i, bad;

    snprintf(rel, sizeof rel, "affinity/%s.expected", name);
    if (expected_read(simdepth_test_data(rel), &e, why, sizeof why) != 0) {
        CHECK(0, "%s: %s", name, why);
        return;
    }
    snprintf(rel, sizeof rel, "affinity/%s.npy", name);
    simdepth_error_clear(&err);
    st = simdepth_npy_read(simdepth_test_data(rel), &m, &err);
    simdepth_error_format(&err, emsg, sizeof emsg);
    CHECK(st == SIMDEPTH_OK, "%s: reading %s: %s", name, rel, emsg);
    if (st != SIMDEPTH_OK)
        goto out;
    CHECK(simdepth_matrix_dtype(m) ==
              (strcmp(e.dtype, "float32") == 0 ? SIMDEPTH_F32 : SIMDEPTH_F64),
          "%s: .npy dtype is not %s", name, e.dtype);
    CHECK(simdepth_matrix_rows(m) == (size_t)e.n, "%s: %zu rows, expected %ld",
          name, simdepth_matrix_rows(m), e.n);

    simdepth_error_clear(&err);
    st = simdepth_affinity_propagation(m, &e.opt, &p, &err);
    simdepth_error_format(&err, emsg, sizeof emsg);
    CHECK(st == SIMDEPTH_OK, "%s: affinity propagation failed: %s", name, emsg);
    if (st != SIMDEPTH_OK)
        goto out;

    CHECK(strcmp(p->method, "affinity") == 0, "%s: method \"%s\"", name,
          p->method);
    CHECK(p->n == (size_t)e.n, "%s: partition of %zu items, expected %ld",
          name, p->n, e.n);
    CHECK(p->iterations == e.n_iter, "%s: %d iterations, scikit-learn %d",
          name, p->iterations, e.n_iter);
    CHECK(p->converged == e.converged, "%s: converged %d, scikit-learn %d",
          name, p->converged, e.converged);
    CHECK(p->n_clusters == (size_t)e.n_clusters,
          "%s: %zu clusters, scikit-learn %ld", name, p->n_clusters,
          e.n_clusters);
    for (i = 0, bad = (size_t)-1; i < p->n && i < e.n_labels; i++)
        if (p->labels[i] != e.labels[i]) {
            bad = i;
            break;
        }
    CHECK(bad == (size_t)-1, "%s: label of item %zu is %d, scikit-learn %d",
          name, bad, bad == (size_t)-1 ? 0 : p->labels[bad],
          bad == (size_t)-1 ? 0 : e.labels[bad]);
    if (e.n_exemplars == 0) {
        CHECK(p->exemplars == NULL, "%s: exemplars set with no exemplar",
              name);
    } else {
        CHECK(p->exemplars != NULL, "%s: no exemplars array", name);
        CHECK(p->n_clusters == e.n_exemplars,
              "%s: %zu clusters but %zu exemplars", name, p->n_clusters,
              e.n_exemplars);
        for (i = 0, bad = (size_t)-1;
             p->exemplars != NULL && i < e.n_exemplars && i < p->n_clusters;
             i++)
            if (p->exemplars[i] != e.exemplars[i]) {
                bad = i;
                break;
            }
        CHECK(bad == (size_t)-1, "%s: exemplar %zu is %d, scikit-learn %d",
              name, bad, bad == (size_t)-1 ? 0 : p->exemplars[bad],
              bad == (size_t)-1 ? 0 : e.exemplars[bad]);
    }

out:
    simdepth_partition_free(p);
    simdepth_matrix_free(m);
    expected_clear(&e);
}

static void test_golden(void)
{
    size_t k;

    for (k = 0; k < sizeof golden_cases / sizeof golden_cases[0]; k++)
        run_golden_case(golden_cases[k]);
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
    BAD_PREFERENCE
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
        CU_add_test(suite, "mini_imagenet_vitb", test_real_data) == NULL ||
        CU_add_test(suite, "defaults_and_dtypes",
                    test_defaults_and_dtypes) == NULL ||
        CU_add_test(suite, "invalid_input", test_invalid) == NULL)
        return -1;
    return 0;
}
