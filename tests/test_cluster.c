/* simdepth — tests of OPTICS, HDBSCAN, Louvain, Leiden and modularity
 * (suite "cluster").
 *
 * Golden cases: tests/data/cluster/<matrix>.npy with
 *   <matrix>.optics[_variant].expected  scikit-learn 1.2.1 OPTICS: ordering,
 *                                       reachability, core distances and
 *                                       predecessors bit for bit, labels;
 *   <matrix>.hdbscan[_variant].expected scikit-learn >= 1.3 HDBSCAN (ported,
 *                                       tests/data/cluster/hdbscan_port.py):
 *                                       labels exactly;
 *   <matrix>.rdbscan.expected           R dbscan::hdbscan(minPts = 5): the
 *                                       same partition (up to numbering,
 *                                       R's 0 = noise) with stable_ties;
 *   louvain_best.csv                    python-louvain / networkx values.
 * All written by tests/data/cluster/gen_golden.py and gen_golden_r.R (see
 * tests/data/cluster/README.md).
 *
 * Real data: the Mini-ImageNet ViT-B and WordNet matrices under
 * ../shared/data, preprocessed as the paper's reference code does, against
 * golden/partitions/<source>__{optics,hdbscan}.csv, exactly.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

/* igraph's headers test an undefined macro with #if (-Wundef). */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#endif
#include <igraph.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "simdepth/cluster.h"
#include "simdepth/io.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"
#include "simdepth/similarity.h"
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

#define VITB "mini-imagenet-vitb/"

/* ------------------------------------------------------------------ */
/* Reading .expected files: '#' comments, then `key value...` lines     */

typedef struct expected {
    char *text;
    size_t n_keys;
    char *keys[32];
    char *values[32];
} expected;

static int expected_read(const char *name, expected *e)
{
    char *line, *save = NULL;

    memset(e, 0, sizeof *e);
    e->text = simdepth_test_slurp(simdepth_test_data(name), NULL);
    if (e->text == NULL)
        return -1;
    for (line = strtok_r(e->text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[len - 1] = '\0';
        if (line[0] == '#' || line[0] == '\0' || e->n_keys == 32)
            continue;
        sp = strchr(line, ' ');
        if (sp != NULL)
            *sp++ = '\0';
        e->keys[e->n_keys] = line;
        e->values[e->n_keys] = sp != NULL ? sp : line + len;
        e->n_keys++;
    }
    return 0;
}

static void expected_free(expected *e)
{
    free(e->text);
    memset(e, 0, sizeof *e);
}

static const char *expected_get(const expected *e, const char *key)
{
    size_t i;

    for (i = 0; i < e->n_keys; i++)
        if (strcmp(e->keys[i], key) == 0)
            return e->values[i];
    return NULL;
}

static long expected_long(const expected *e, const char *key, long dflt)
{
    const char *v = expected_get(e, key);

    return v != NULL ? strtol(v, NULL, 10) : dflt;
}

/* Up to @cap integers; returns the count, or -1 on a parse error. */
static long parse_i32s(const char *p, int32_t *out, size_t cap)
{
    size_t k = 0;
    char *end;

    if (p == NULL)
        return -1;
    for (;;) {
        long x;
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        x = strtol(p, &end, 10);
        if (end == p || k == cap)
            return -1;
        out[k++] = (int32_t)x;
        p = end;
    }
    return (long)k;
}

/* Doubles as Python's repr() prints them ("inf" included): strtod reads
 * them back exactly. */
static long parse_f64s(const char *p, double *out, size_t cap)
{
    size_t k = 0;
    char *end;

    if (p == NULL)
        return -1;
    for (;;) {
        double x;
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        x = strtod(p, &end);
        if (end == p || k == cap)
            return -1;
        out[k++] = x;
        p = end;
    }
    return (long)k;
}

static int same_double(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static simdepth_matrix *load_case_matrix(const char *matrix)
{
    char rel[256];
    simdepth_matrix *m = NULL;
    simdepth_error err;

    memset(&err, 0, sizeof err);
    snprintf(rel, sizeof rel, "cluster/%s.npy", matrix);
    if (simdepth_npy_read(simdepth_test_data(rel), &m, &err) != SIMDEPTH_OK)
        return NULL;
    return m;
}

/* 1 if a and b induce the same partition (a bijection between labels). */
static int same_partition(const int32_t *a, const int32_t *b, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if ((a[i] == a[j]) != (b[i] == b[j]))
                return 0;
    return 1;
}

static size_t count_distinct(const int32_t *v, size_t n)
{
    size_t i, j, k = 0;

    for (i = 0; i < n; i++) {
        for (j = 0; j < i && v[j] != v[i]; j++)
            ;
        k += j == i;
    }
    return k;
}

/* ------------------------------------------------------------------ */
/* The shared data, preprocessed as the reference code does             */

/* NumPy's legacy RandomState: MT19937 seeded by init_genrand (what
 * np.random.seed(int) does) and rand() = 53-bit doubles from two draws. */
typedef struct mt19937 {
    uint32_t key[624];
    int pos;
} mt19937;

static void mt_seed(mt19937 *s, uint32_t seed)
{
    int i;

    s->key[0] = seed;
    for (i = 1; i < 624; i++)
        s->key[i] = 1812433253u * (s->key[i - 1] ^ (s->key[i - 1] >> 30)) +
                    (uint32_t)i;
    s->pos = 624;
}

static uint32_t mt_next32(mt19937 *s)
{
    uint32_t y;

    if (s->pos == 624) {
        int i;
        for (i = 0; i < 624; i++) {
            uint32_t v = (s->key[i] & 0x80000000u) |
                         (s->key[(i + 1) % 624] & 0x7fffffffu);
            s->key[i] = s->key[(i + 397) % 624] ^ (v >> 1) ^
                        ((v & 1u) ? 0x9908b0dfu : 0u);
        }
        s->pos = 0;
    }
    y = s->key[s->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

static double mt_double(mt19937 *s)
{
    uint32_t a = mt_next32(s) >> 5, b = mt_next32(s) >> 6;

    return ((double)a * 67108864.0 + (double)b) / 9007199254740992.0;
}

enum { SRC_NCSM, SRC_NCSM_INIT, SRC_CCSM, SRC_WUP, SRC_NATIVE, N_SOURCES };

static const char *const source_names[N_SOURCES] = {
    "ViTB_NCSM", "ViTB_NCSM_init", "ViTB_CCSM", "WordNet_WUP",
    "WordNet_Native"};

static simdepth_matrix *read_shared(const char *file)
{
    char rel[256];
    simdepth_matrix *m = NULL;
    simdepth_error err;

    memset(&err, 0, sizeof err);
    snprintf(rel, sizeof rel, VITB "%s", file);
    if (simdepth_npy_read(simdepth_test_shared(rel), &m, &err) != SIMDEPTH_OK)
        return NULL;
    return m;
}

/* DeepHierarchy's read_CSM() for the WordNet pickles: np.random.seed(42),
 * noise = (rand(n, n) - 0.5) / 10e6, S += (noise + noise.T) / 2; then
 * process_CSM() scales and sets the diagonal to 1, and compute_stats()
 * scales again (the identity by then). */
static int wordnet_noise(simdepth_matrix *m)
{
    size_t n = simdepth_matrix_rows(m), i, j;
    double *s = simdepth_matrix_data(m), *noise;
    mt19937 mt;

    if (simdepth_matrix_dtype(m) != SIMDEPTH_F64)
        return -1;
    noise = malloc(n * n * sizeof *noise);
    if (noise == NULL)
        return -1;
    mt_seed(&mt, 42);
    for (i = 0; i < n * n; i++)
        noise[i] = (mt_double(&mt) - 0.5) / 10e6;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            s[i * n + j] += (noise[i * n + j] + noise[j * n + i]) / 2;
    free(noise);
    return 0;
}

/* The similarity matrix of a source: perceived ones stay float32 (the
 * reference scales in float32; OPTICS/HDBSCAN widen exactly), the others
 * are float64. */
static simdepth_matrix *shared_source(int src)
{
    simdepth_matrix *m = NULL, *f = NULL;
    simdepth_error err;

    memset(&err, 0, sizeof err);
    switch (src) {
    case SRC_NCSM:
        m = read_shared("vitb_cosine.npy");
        break;
    case SRC_NCSM_INIT:
        m = read_shared("vitb_init_cosine.npy");
        if (m != NULL)
            simdepth_similarity_set_diagonal(m, 1.0);
        break;
    case SRC_CCSM:
        f = read_shared("vitb_confusion.npy");
        if (f != NULL &&
            simdepth_similarity_functional(f, &m, &err) != SIMDEPTH_OK)
            m = NULL;
        simdepth_matrix_free(f);
        break;
    case SRC_WUP:
    case SRC_NATIVE:
        m = read_shared(src == SRC_WUP ? "wordnet_wup.npy"
                                       : "wordnet_path.npy");
        if (m != NULL && wordnet_noise(m) != 0) {
            simdepth_matrix_free(m);
            m = NULL;
        }
        break;
    default:
        break;
    }
    if (m == NULL)
        return NULL;
    /* The reference's min-max scaling and diagonal 1 (a second time for
     * the WordNet sources, as compute_stats() does; for CCSM the identity,
     * since its minimum is 0 and maximum 1). */
    if (simdepth_similarity_minmax(m, &err) != SIMDEPTH_OK ||
        ((src == SRC_WUP || src == SRC_NATIVE) &&
         simdepth_similarity_minmax(m, &err) != SIMDEPTH_OK)) {
        simdepth_matrix_free(m);
        return NULL;
    }
    return m;
}

/* The `label` column of golden/partitions/<source>__<method>.csv into
 * @labels (n entries); returns 0 or -1. */
static int golden_labels(const char *source, const char *method,
                         int32_t *labels, size_t n)
{
    char rel[256];
    simdepth_test_csv t;
    size_t i;
    int rc = 0;

    snprintf(rel, sizeof rel, VITB "golden/partitions/%s__%s.csv", source,
             method);
    if (simdepth_test_csv_load(simdepth_test_shared(rel), &t) != 0)
        return -1;
    if (t.n_rows != n)
        rc = -1;
    for (i = 0; i < n && rc == 0; i++) {
        const char *v = simdepth_test_csv_get(&t, i, "label");
        const char *ix = simdepth_test_csv_get(&t, i, "index");
        if (v == NULL || ix == NULL || strtoul(ix, NULL, 10) != i)
            rc = -1;
        else
            labels[i] = (int32_t)strtol(v, NULL, 10);
    }
    simdepth_test_csv_free(&t);
    return rc;
}

/* ------------------------------------------------------------------ */
/* OPTICS against scikit-learn 1.2.1                                    */

static const char *const optics_cases[] = {
    "blobs120.optics",        /* 5 cosine blobs */
    "rand80.optics",          /* uniform: mostly noise */
    "ties64.optics",          /* 1/8 grid: ties in the ordering */
    "tieblocks90.optics",     /* blocks on a 1/16 grid */
    "geo150.optics",          /* two 2-D blobs: many small xi clusters */
    "f32cos50.optics",        /* float32 input */
    "asym40.optics",          /* asymmetric: rows are read */
    "n5.optics",              /* n = min_samples */
    "dups40.optics",          /* zero distances: 0/0 ratios */
    "blobs100.optics",        /* defaults ... */
    "blobs100.optics_ms3_xi10",  /* ... min_samples 3, xi 0.1 */
    "blobs100.optics_mcs12",     /* ... min_cluster_size 12 */
    "blobs100.optics_nopred",    /* ... no predecessor correction */
    "geo150.optics_maxeps",      /* max_eps 0.12: walks restart */
    "tieblocks90.optics_xi0",    /* xi 0 */
};

static void run_optics_case(const char *name)
{
    char file[256];
    expected e;
    simdepth_matrix *m = NULL;
    simdepth_optics_options opt;
    simdepth_partition *p = NULL;
    simdepth_error err;
    simdepth_status st;
    int32_t *ord = NULL, *pred = NULL, *want_ord = NULL, *want_pred = NULL;
    int32_t *want_labels = NULL;
    double *reach = NULL, *core = NULL, *want_reach = NULL, *want_core = NULL;
    size_t n, i;
    long bad;

    memset(&err, 0, sizeof err);
    snprintf(file, sizeof file, "cluster/%s.expected", name);
    CHECK(expected_read(file, &e) == 0, "%s: cannot read %s", name, file);
    if (e.text == NULL)
        return;
    m = load_case_matrix(expected_get(&e, "matrix") ? expected_get(&e, "matrix")
                                                    : "");
    CHECK(m != NULL, "%s: cannot read the matrix", name);
    if (m == NULL)
        goto out;
    n = simdepth_matrix_rows(m);
    CHECK((long)n == expected_long(&e, "n", -1), "%s: n %zu", name, n);

    simdepth_optics_options_init(&opt);
    opt.min_samples = (int)expected_long(&e, "min_samples", 5);
    opt.min_cluster_size = (int)expected_long(&e, "min_cluster_size", 0);
    opt.predecessor_correction =
        (int)expected_long(&e, "predecessor_correction", 1);
    opt.xi = strtod(expected_get(&e, "xi") ? expected_get(&e, "xi") : "0.05",
                    NULL);
    opt.max_eps = strtod(expected_get(&e, "max_eps")
                             ? expected_get(&e, "max_eps") : "inf", NULL);

    ord = malloc(n * sizeof *ord);
    pred = malloc(n * sizeof *pred);
    want_ord = malloc(n * sizeof *want_ord);
    want_pred = malloc(n * sizeof *want_pred);
    want_labels = malloc(n * sizeof *want_labels);
    reach = malloc(n * sizeof *reach);
    core = malloc(n * sizeof *core);
    want_reach = malloc(n * sizeof *want_reach);
    want_core = malloc(n * sizeof *want_core);
    if (ord == NULL || pred == NULL || want_ord == NULL || want_pred == NULL ||
        want_labels == NULL || reach == NULL || core == NULL ||
        want_reach == NULL || want_core == NULL) {
        CHECK(0, "%s: out of memory", name);
        goto out;
    }
    CHECK(parse_i32s(expected_get(&e, "ordering"), want_ord, n) == (long)n &&
              parse_i32s(expected_get(&e, "predecessor"), want_pred, n) ==
                  (long)n &&
              parse_i32s(expected_get(&e, "labels"), want_labels, n) ==
                  (long)n &&
              parse_f64s(expected_get(&e, "reachability"), want_reach, n) ==
                  (long)n &&
              parse_f64s(expected_get(&e, "core"), want_core, n) == (long)n,
          "%s: malformed expected file", name);

    st = simdepth_optics_ordering(m, &opt, ord, reach, core, pred, &err);
    CHECK(st == SIMDEPTH_OK, "%s: ordering failed: %s", name, err.message);
    if (st != SIMDEPTH_OK)
        goto out;
    for (i = 0, bad = -1; i < n && bad < 0; i++)
        if (ord[i] != want_ord[i])
            bad = (long)i;
    CHECK(bad < 0, "%s: ordering differs at position %ld: %d, expected %d",
          name, bad, bad >= 0 ? ord[bad] : 0, bad >= 0 ? want_ord[bad] : 0);
    for (i = 0, bad = -1; i < n && bad < 0; i++)
        if (!same_double(reach[i], want_reach[i]) ||
            !same_double(core[i], want_core[i]) || pred[i] != want_pred[i])
            bad = (long)i;
    CHECK(bad < 0,
          "%s: item %ld: reachability %.17g core %.17g predecessor %d; "
          "expected %.17g %.17g %d", name, bad,
          bad >= 0 ? reach[bad] : 0.0, bad >= 0 ? core[bad] : 0.0,
          bad >= 0 ? pred[bad] : 0, bad >= 0 ? want_reach[bad] : 0.0,
          bad >= 0 ? want_core[bad] : 0.0, bad >= 0 ? want_pred[bad] : 0);

    st = simdepth_optics(m, &opt, &p, &err);
    CHECK(st == SIMDEPTH_OK, "%s: OPTICS failed: %s", name, err.message);
    if (st != SIMDEPTH_OK)
        goto out;
    for (i = 0, bad = -1; i < n && bad < 0; i++)
        if (p->labels[i] != want_labels[i])
            bad = (long)i;
    CHECK(bad < 0, "%s: label of item %ld is %d; expected %d", name, bad,
          bad >= 0 ? p->labels[bad] : 0, bad >= 0 ? want_labels[bad] : 0);
    CHECK(p->n == n && p->n_clusters == count_distinct(want_labels, n),
          "%s: n_clusters %zu", name, p->n_clusters);
    CHECK(strcmp(p->method, "optics") == 0 && p->exemplars == NULL &&
              p->converged == 1,
          "%s: method '%s'", name, p->method);

out:
    simdepth_partition_free(p);
    free(want_core);
    free(want_reach);
    free(core);
    free(reach);
    free(want_labels);
    free(want_pred);
    free(want_ord);
    free(pred);
    free(ord);
    simdepth_matrix_free(m);
    expected_free(&e);
}

static void test_optics_golden(void)
{
    size_t k;

    for (k = 0; k < sizeof optics_cases / sizeof optics_cases[0]; k++)
        run_optics_case(optics_cases[k]);
}

/* ------------------------------------------------------------------ */
/* HDBSCAN against the scikit-learn >= 1.3 port and R's dbscan          */

static const char *const hdbscan_cases[] = {
    "blobs120.hdbscan",          /* 5 cosine blobs */
    "rand80.hdbscan",            /* uniform; ties decide (vs _stable) */
    "ties64.hdbscan",            /* 1/8 grid: NumPy argsort tie order */
    "tieblocks90.hdbscan",       /* blocks; numbering set by tie order */
    "geo150.hdbscan",            /* two 2-D blobs */
    "f32cos50.hdbscan",          /* float32 input */
    "n5.hdbscan",                /* n = min_cluster_size: all noise */
    "dups40.hdbscan",            /* zero distances: infinite lambdas */
    "blobs100.hdbscan",          /* defaults ... */
    "blobs100.hdbscan_mcs8_ms3", /* ... min_cluster_size 8, min_samples 3 */
    "blobs100.hdbscan_ms1",      /* ... min_samples 1: plain distances */
    "ties64.hdbscan_stable",     /* stable_ties on the same matrices */
    "tieblocks90.hdbscan_stable",
    "rand80.hdbscan_stable",
};

static void run_hdbscan_case(const char *name)
{
    char file[256];
    expected e;
    simdepth_matrix *m = NULL;
    simdepth_hdbscan_options opt;
    simdepth_partition *p = NULL;
    simdepth_error err;
    simdepth_status st;
    int32_t *want = NULL;
    size_t n, i;
    long bad;

    memset(&err, 0, sizeof err);
    snprintf(file, sizeof file, "cluster/%s.expected", name);
    CHECK(expected_read(file, &e) == 0, "%s: cannot read %s", name, file);
    if (e.text == NULL)
        return;
    m = load_case_matrix(expected_get(&e, "matrix") ? expected_get(&e, "matrix")
                                                    : "");
    CHECK(m != NULL, "%s: cannot read the matrix", name);
    if (m == NULL)
        goto out;
    n = simdepth_matrix_rows(m);
    want = malloc(n * sizeof *want);
    if (want == NULL)
        goto out;
    CHECK(parse_i32s(expected_get(&e, "labels"), want, n) == (long)n,
          "%s: malformed expected file", name);
    simdepth_hdbscan_options_init(&opt);
    opt.min_cluster_size = (int)expected_long(&e, "min_cluster_size", 5);
    opt.min_samples = (int)expected_long(&e, "min_samples", 0);
    opt.stable_ties = (int)expected_long(&e, "stable_ties", 0);

    st = simdepth_hdbscan(m, &opt, &p, &err);
    CHECK(st == SIMDEPTH_OK, "%s: HDBSCAN failed: %s", name, err.message);
    if (st != SIMDEPTH_OK)
        goto out;
    for (i = 0, bad = -1; i < n && bad < 0; i++)
        if (p->labels[i] != want[i])
            bad = (long)i;
    CHECK(bad < 0, "%s: label of item %ld is %d; expected %d", name, bad,
          bad >= 0 ? p->labels[bad] : 0, bad >= 0 ? want[bad] : 0);
    CHECK(p->n_clusters == count_distinct(want, n), "%s: n_clusters %zu",
          name, p->n_clusters);
    CHECK(strcmp(p->method, "hdbscan") == 0 && p->exemplars == NULL,
          "%s: method '%s'", name, p->method);

out:
    simdepth_partition_free(p);
    free(want);
    simdepth_matrix_free(m);
    expected_free(&e);
}

static void test_hdbscan_golden(void)
{
    size_t k;

    for (k = 0; k < sizeof hdbscan_cases / sizeof hdbscan_cases[0]; k++)
        run_hdbscan_case(hdbscan_cases[k]);
}

/* R numbers clusters its own way and calls noise 0: compare partitions,
 * and noise with noise. */
static void compare_with_r(const char *name, const simdepth_matrix *m,
                           const int32_t *r_labels)
{
    simdepth_hdbscan_options opt;
    simdepth_partition *p = NULL;
    simdepth_error err;
    size_t n = simdepth_matrix_rows(m), i, noise_ok = 1;

    memset(&err, 0, sizeof err);
    simdepth_hdbscan_options_init(&opt);
    opt.stable_ties = 1;
    CHECK(simdepth_hdbscan(m, &opt, &p, &err) == SIMDEPTH_OK,
          "%s: HDBSCAN failed: %s", name, err.message);
    if (p == NULL)
        return;
    for (i = 0; i < n; i++)
        noise_ok &= (p->labels[i] == -1) == (r_labels[i] == 0);
    CHECK(noise_ok && same_partition(p->labels, r_labels, n),
          "%s: stable_ties partition differs from R dbscan::hdbscan's",
          name);
    simdepth_partition_free(p);
}

static const char *const r_cases[] = {
    "blobs120", "blobs100", "rand80", "ties64", "tieblocks90", "geo150",
    "f32cos50", "dups40",
};

static void test_hdbscan_r(void)
{
    size_t k;

    for (k = 0; k < sizeof r_cases / sizeof r_cases[0]; k++) {
        char file[256];
        expected e;
        simdepth_matrix *m = load_case_matrix(r_cases[k]);
        int32_t *want = NULL;
        size_t n;

        snprintf(file, sizeof file, "cluster/%s.rdbscan.expected",
                 r_cases[k]);
        CHECK(m != NULL && expected_read(file, &e) == 0,
              "%s: cannot read the case", r_cases[k]);
        if (m == NULL)
            continue;
        n = simdepth_matrix_rows(m);
        want = malloc(n * sizeof *want);
        if (want != NULL &&
            parse_i32s(expected_get(&e, "labels"), want, n) == (long)n)
            compare_with_r(r_cases[k], m, want);
        else
            CHECK(0, "%s: malformed %s", r_cases[k], file);
        free(want);
        expected_free(&e);
        simdepth_matrix_free(m);
    }
}

/* ------------------------------------------------------------------ */
/* The shared data: the reference's partitions, exactly                 */

static void test_shared_density(void)
{
    int src;

    for (src = 0; src < N_SOURCES; src++) {
        const char *name = source_names[src];
        simdepth_matrix *m = shared_source(src);
        simdepth_partition *p = NULL;
        simdepth_error err;
        int32_t want[100];
        size_t i, n;
        int method;

        memset(&err, 0, sizeof err);
        CHECK(m != NULL, "%s: cannot build the similarity matrix", name);
        if (m == NULL)
            continue;
        n = simdepth_matrix_rows(m);
        CHECK(n == 100, "%s: %zu classes", name, n);
        for (method = 0; method < 2 && n == 100; method++) {
            const char *mname = method == 0 ? "optics" : "hdbscan";
            simdepth_status st;
            long bad = -1;

            if (golden_labels(name, mname, want, n) != 0) {
                CHECK(0, "%s: cannot read golden %s partition", name, mname);
                continue;
            }
            st = method == 0 ? simdepth_optics(m, NULL, &p, &err)
                             : simdepth_hdbscan(m, NULL, &p, &err);
            CHECK(st == SIMDEPTH_OK, "%s %s: %s", name, mname, err.message);
            if (st != SIMDEPTH_OK)
                continue;
            for (i = 0; i < n && bad < 0; i++)
                if (p->labels[i] != want[i])
                    bad = (long)i;
            CHECK(bad < 0, "%s %s: label of class %ld is %d; golden %d",
                  name, mname, bad, bad >= 0 ? p->labels[bad] : 0,
                  bad >= 0 ? want[bad] : 0);
            CHECK(p->n_clusters == count_distinct(want, n),
                  "%s %s: %zu clusters", name, mname, p->n_clusters);
            simdepth_partition_free(p);
            p = NULL;
        }
        simdepth_matrix_free(m);
    }
}

/* The confusion graph with stable ties is R's partition. */
static void test_shared_hdbscan_r(void)
{
    simdepth_matrix *m = shared_source(SRC_CCSM);
    expected e;
    int32_t want[100];

    CHECK(m != NULL, "ViTB_CCSM: cannot build the similarity matrix");
    CHECK(expected_read("cluster/ViTB_CCSM.rdbscan.expected", &e) == 0,
          "cannot read ViTB_CCSM.rdbscan.expected");
    if (m != NULL && e.text != NULL &&
        parse_i32s(expected_get(&e, "labels"), want, 100) == 100)
        compare_with_r("ViTB_CCSM", m, want);
    expected_free(&e);
    simdepth_matrix_free(m);
}

/* ------------------------------------------------------------------ */
/* Noise modes                                                          */

static void check_singletons(const char *name, const simdepth_partition *a,
                             const simdepth_partition *b)
{
    int32_t top = -1, next;
    size_t i, n_noise = 0;
    int ok = a->n == b->n;

    for (i = 0; i < a->n; i++)
        if (a->labels[i] > top)
            top = a->labels[i];
    next = top + 1;
    for (i = 0; ok && i < a->n; i++) {
        if (a->labels[i] == -1) {
            ok = b->labels[i] == next++;
            n_noise++;
        } else {
            ok = b->labels[i] == a->labels[i];
        }
    }
    CHECK(ok, "%s: singleton labels are not the noise items numbered after "
          "the clusters in index order", name);
    CHECK(n_noise > 0, "%s: the case has no noise", name);
    CHECK(b->n_clusters == (size_t)(top + 1) + n_noise,
          "%s: %zu clusters with singletons", name, b->n_clusters);
    CHECK(a->n_clusters == (size_t)(top + 1) + (n_noise > 0),
          "%s: %zu clusters with noise as one", name, a->n_clusters);
}

static void test_noise_modes(void)
{
    simdepth_matrix *m = shared_source(SRC_NCSM);
    simdepth_matrix *b = load_case_matrix("blobs100");
    simdepth_hdbscan_options ho;
    simdepth_optics_options oo;
    simdepth_partition *p1 = NULL, *p2 = NULL;
    simdepth_error err;

    memset(&err, 0, sizeof err);
    CHECK(m != NULL && b != NULL, "cannot read the matrices");
    if (m == NULL || b == NULL)
        goto out;
    simdepth_hdbscan_options_init(&ho);
    CHECK(simdepth_hdbscan(m, &ho, &p1, &err) == SIMDEPTH_OK, "%s",
          err.message);
    ho.noise = SIMDEPTH_NOISE_SINGLETONS;
    CHECK(simdepth_hdbscan(m, &ho, &p2, &err) == SIMDEPTH_OK, "%s",
          err.message);
    if (p1 != NULL && p2 != NULL)
        check_singletons("ViTB_NCSM hdbscan", p1, p2);
    simdepth_partition_free(p1);
    simdepth_partition_free(p2);
    p1 = p2 = NULL;

    simdepth_optics_options_init(&oo);
    CHECK(simdepth_optics(b, &oo, &p1, &err) == SIMDEPTH_OK, "%s",
          err.message);
    oo.noise = SIMDEPTH_NOISE_SINGLETONS;
    CHECK(simdepth_optics(b, &oo, &p2, &err) == SIMDEPTH_OK, "%s",
          err.message);
    if (p1 != NULL && p2 != NULL)
        check_singletons("blobs100 optics", p1, p2);

out:
    simdepth_partition_free(p1);
    simdepth_partition_free(p2);
    simdepth_matrix_free(b);
    simdepth_matrix_free(m);
}

/* ------------------------------------------------------------------ */
/* Invalid input                                                        */

static simdepth_matrix *small_matrix(size_t n, simdepth_dtype dtype,
                                     const double *v)
{
    simdepth_matrix *m = NULL;
    size_t i, j;

    if (simdepth_matrix_new(n, n, dtype, &m, NULL) != SIMDEPTH_OK)
        return NULL;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            simdepth_matrix_set(m, i, j, v != NULL ? v[i * n + j]
                                                   : (i == j ? 1.0 : 0.5));
    return m;
}

typedef enum which_fn {
    FN_OPTICS, FN_ORDERING, FN_HDBSCAN, FN_LOUVAIN, FN_LEIDEN, FN_MODULARITY
} which_fn;

typedef struct bad_case {
    const char *name;
    which_fn fn;
    int matrix;        /* 0 NULL, 1 6x6 valid, 2 2x3, 3 NaN, 4 S > 1,
                          5 asymmetric, 6 negative, 7 1x1, 8 0x0 */
    int opt_field;     /* which option to break, 0 none */
    double opt_value;
    const char *needle; /* expected in the message */
} bad_case;

static const bad_case bad_cases[] = {
    {"optics NULL", FN_OPTICS, 0, 0, 0, "no similarity matrix"},
    {"optics 2x3", FN_OPTICS, 2, 0, 0, "square"},
    {"optics 0x0", FN_OPTICS, 8, 0, 0, "empty"},
    {"optics NaN", FN_OPTICS, 3, 0, 0, "NaN"},
    {"optics S>1", FN_OPTICS, 4, 0, 0, "at most 1"},
    {"optics n<min_samples", FN_OPTICS, 7, 0, 0, "min_samples 5"},
    {"optics min_samples 1", FN_OPTICS, 1, 1, 1, "min_samples 1"},
    {"optics min_samples 7", FN_OPTICS, 1, 1, 7, "min_samples 7"},
    {"optics xi 1", FN_OPTICS, 1, 2, 1.0, "xi"},
    {"optics xi NaN", FN_OPTICS, 1, 2, NAN, "xi"},
    {"optics min_cluster_size 1", FN_OPTICS, 1, 3, 1, "min_cluster_size"},
    {"optics max_eps -1", FN_OPTICS, 1, 4, -1, "max_eps"},
    {"optics noise mode", FN_OPTICS, 1, 5, 7, "noise mode"},
    {"ordering NaN", FN_ORDERING, 3, 0, 0, "NaN"},
    {"hdbscan NULL", FN_HDBSCAN, 0, 0, 0, "no similarity matrix"},
    {"hdbscan 2x3", FN_HDBSCAN, 2, 0, 0, "square"},
    {"hdbscan 1x1", FN_HDBSCAN, 7, 0, 0, "at least 2"},
    {"hdbscan asymmetric", FN_HDBSCAN, 5, 0, 0, "not symmetric"},
    {"hdbscan S>1", FN_HDBSCAN, 4, 0, 0, "at most 1"},
    {"hdbscan NaN", FN_HDBSCAN, 3, 0, 0, "NaN"},
    {"hdbscan min_cluster_size 1", FN_HDBSCAN, 1, 1, 1, "min_cluster_size"},
    {"hdbscan min_cluster_size 7", FN_HDBSCAN, 1, 1, 7, "min_cluster_size"},
    {"hdbscan min_samples 9", FN_HDBSCAN, 1, 2, 9, "min_samples"},
    {"hdbscan noise mode", FN_HDBSCAN, 1, 5, -1, "noise mode"},
    {"louvain NULL", FN_LOUVAIN, 0, 0, 0, "no similarity matrix"},
    {"louvain 0x0", FN_LOUVAIN, 8, 0, 0, "empty"},
    {"louvain asymmetric", FN_LOUVAIN, 5, 0, 0, "not symmetric"},
    {"louvain negative", FN_LOUVAIN, 6, 0, 0, "non-negative"},
    {"louvain NaN", FN_LOUVAIN, 3, 0, 0, "NaN"},
    {"louvain resolution -1", FN_LOUVAIN, 1, 6, -1, "resolution"},
    {"leiden asymmetric", FN_LEIDEN, 5, 0, 0, "not symmetric"},
    {"leiden resolution inf", FN_LEIDEN, 1, 6, INFINITY, "resolution"},
    {"modularity NULL", FN_MODULARITY, 0, 0, 0, "no similarity matrix"},
    {"modularity size", FN_MODULARITY, 1, 7, 0, "partition has"},
    {"modularity label -2", FN_MODULARITY, 1, 8, 0, "label -2"},
};

static simdepth_matrix *bad_matrix(int kind)
{
    double v[36];
    size_t i, j;

    for (i = 0; i < 6; i++)
        for (j = 0; j < 6; j++)
            v[i * 6 + j] = i == j ? 1.0 : 0.25 + 0.05 * (double)(i + j);
    switch (kind) {
    case 0:
        return NULL;
    case 2: {
        simdepth_matrix *m = NULL;
        simdepth_matrix_new(2, 3, SIMDEPTH_F64, &m, NULL);
        return m;
    }
    case 3:
        v[2 * 6 + 3] = v[3 * 6 + 2] = NAN;
        break;
    case 4:
        v[1 * 6 + 4] = v[4 * 6 + 1] = 1.25;
        break;
    case 5:
        v[1 * 6 + 4] = 0.9;
        break;
    case 6:
        v[1 * 6 + 4] = v[4 * 6 + 1] = -0.25;
        break;
    case 7:
        return small_matrix(1, SIMDEPTH_F64, NULL);
    case 8: {
        simdepth_matrix *m = NULL;
        simdepth_matrix_new(0, 0, SIMDEPTH_F64, &m, NULL);
        return m;
    }
    default:
        break;
    }
    return small_matrix(6, SIMDEPTH_F64, v);
}

/* Where *out points before a call that must fail; never dereferenced. */
static simdepth_partition sentinel_partition;

static void test_invalid_input(void)
{
    size_t k;

    for (k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const bad_case *c = &bad_cases[k];
        simdepth_matrix *m = bad_matrix(c->matrix);
        simdepth_partition *const sentinel = &sentinel_partition;
        simdepth_partition *p = sentinel, part;
        simdepth_optics_options oo;
        simdepth_hdbscan_options ho;
        simdepth_error err;
        simdepth_status st = SIMDEPTH_OK;
        double q = 42.0, resolution = 1.0;
        int32_t labels[7] = {0, 0, 1, 1, 2, 2, 2};
        int32_t ord[6] = {-7, -7, -7, -7, -7, -7};

        memset(&err, 0, sizeof err);
        simdepth_optics_options_init(&oo);
        simdepth_hdbscan_options_init(&ho);
        switch (c->opt_field) {
        case 1:
            oo.min_samples = (int)c->opt_value;
            ho.min_cluster_size = (int)c->opt_value;
            break;
        case 2:
            oo.xi = c->opt_value;
            ho.min_samples = (int)c->opt_value;
            break;
        case 3:
            oo.min_cluster_size = (int)c->opt_value;
            break;
        case 4:
            oo.max_eps = c->opt_value;
            break;
        case 5:
            oo.noise = (simdepth_noise_mode)(int)c->opt_value;
            ho.noise = (simdepth_noise_mode)(int)c->opt_value;
            break;
        case 6:
            resolution = c->opt_value;
            break;
        default:
            break;
        }
        memset(&part, 0, sizeof part);
        part.n = c->opt_field == 7 ? 7 : 6;
        part.labels = labels;
        if (c->opt_field == 8)
            labels[3] = -2;
        switch (c->fn) {
        case FN_OPTICS:
            st = simdepth_optics(m, &oo, &p, &err);
            break;
        case FN_ORDERING:
            st = simdepth_optics_ordering(m, &oo, ord, NULL, NULL, NULL,
                                          &err);
            CHECK(ord[0] == -7, "%s: output written on failure", c->name);
            break;
        case FN_HDBSCAN:
            st = simdepth_hdbscan(m, &ho, &p, &err);
            break;
        case FN_LOUVAIN:
            st = simdepth_louvain(m, resolution, 1, &p, &err);
            break;
        case FN_LEIDEN:
            st = simdepth_leiden(m, resolution, 1, &p, &err);
            break;
        case FN_MODULARITY:
            st = simdepth_modularity(m, &part, resolution, &q, &err);
            CHECK(q == 42.0, "%s: *q written on failure", c->name);
            break;
        }
        CHECK(st == SIMDEPTH_EINVAL, "%s: status %d, expected EINVAL",
              c->name, (int)st);
        CHECK(err.status == st, "%s: err.status %d", c->name,
              (int)err.status);
        CHECK(p == sentinel, "%s: *out changed on failure", c->name);
        CHECK(strstr(err.message, c->needle) != NULL,
              "%s: message '%s' lacks '%s'", c->name, err.message,
              c->needle);
        simdepth_matrix_free(m);
    }
}

/* ------------------------------------------------------------------ */
/* Louvain, Leiden, modularity                                          */

/* The networkx / python-louvain definition, independently of igraph:
 * links = sum of edge weights (i <= j, loops once); a loop adds w to its
 * community's internal weight and 2w to its degree. */
static double plain_modularity(const simdepth_matrix *m, const int32_t *lab,
                               double resolution)
{
    size_t n = simdepth_matrix_rows(m), i, j;
    double links = 0.0, q = 0.0;
    double *inc = calloc(n + 1, sizeof *inc), *deg = calloc(n + 1, sizeof *deg);

    if (inc == NULL || deg == NULL) {
        free(inc);
        free(deg);
        return NAN;
    }
    for (i = 0; i < n; i++) {
        size_t ci = lab[i] < 0 ? n : (size_t)lab[i];
        for (j = i; j < n; j++) {
            double w = simdepth_matrix_get(m, i, j);
            size_t cj = lab[j] < 0 ? n : (size_t)lab[j];
            if (w == 0.0)
                continue;
            links += w;
            deg[ci] += w;
            deg[cj] += w;
            if (ci == cj)
                inc[ci] += w;
        }
    }
    for (i = 0; i <= n; i++)
        q += inc[i] / links -
             resolution * (deg[i] / (2.0 * links)) * (deg[i] / (2.0 * links));
    free(inc);
    free(deg);
    return q;
}

/* igraph's own igraph_modularity() on a graph built here. */
static double igraph_q(const simdepth_matrix *m, const int32_t *lab,
                       double resolution)
{
    size_t n = simdepth_matrix_rows(m), i, j, e = 0;
    igraph_vector_int_t edges, memb;
    igraph_vector_t w;
    igraph_t g;
    igraph_real_t q = NAN;
    int32_t top = -1;

    igraph_vector_int_init(&edges, 0);
    igraph_vector_init(&w, 0);
    igraph_vector_int_init(&memb, (igraph_integer_t)n);
    for (i = 0; i < n; i++) {
        if (lab[i] > top)
            top = lab[i];
        for (j = i; j < n; j++) {
            double x = simdepth_matrix_get(m, i, j);
            if (x == 0.0)
                continue;
            igraph_vector_int_push_back(&edges, (igraph_integer_t)i);
            igraph_vector_int_push_back(&edges, (igraph_integer_t)j);
            igraph_vector_push_back(&w, x);
            e++;
        }
    }
    for (i = 0; i < n; i++)
        VECTOR(memb)[i] = lab[i] >= 0 ? lab[i] : top + 1;
    if (igraph_create(&g, &edges, (igraph_integer_t)n, IGRAPH_UNDIRECTED) ==
        IGRAPH_SUCCESS) {
        igraph_modularity(&g, &memb, &w, resolution, 0, &q);
        igraph_destroy(&g);
    }
    (void)e;
    igraph_vector_int_destroy(&memb);
    igraph_vector_destroy(&w);
    igraph_vector_int_destroy(&edges);
    return q;
}

typedef struct louvain_row {
    double best, worst, ref_louvain, ref_hdbscan, ref_res05, ref_res2;
} louvain_row;

static int read_louvain_row(const char *source, louvain_row *r)
{
    simdepth_test_csv t;
    size_t i;
    int rc = -1;

    if (simdepth_test_csv_load(simdepth_test_data("cluster/louvain_best.csv"),
                               &t) != 0)
        return -1;
    for (i = 0; i < t.n_rows; i++) {
        const char *s = simdepth_test_csv_get(&t, i, "source");
        if (s == NULL || strcmp(s, source) != 0)
            continue;
        r->best = strtod(simdepth_test_csv_get(&t, i, "best_q"), NULL);
        r->worst = strtod(simdepth_test_csv_get(&t, i, "worst_q"), NULL);
        r->ref_louvain =
            strtod(simdepth_test_csv_get(&t, i, "reference_louvain_q"), NULL);
        r->ref_hdbscan =
            strtod(simdepth_test_csv_get(&t, i, "reference_hdbscan_q"), NULL);
        r->ref_res05 = strtod(
            simdepth_test_csv_get(&t, i, "reference_louvain_q_res05"), NULL);
        r->ref_res2 = strtod(
            simdepth_test_csv_get(&t, i, "reference_louvain_q_res2"), NULL);
        rc = 0;
    }
    simdepth_test_csv_free(&t);
    return rc;
}

static int louvain_table_ok(void)
{
    louvain_row r;

    return read_louvain_row("ViTB_NCSM", &r) == 0;
}

static void check_communities(const char *name, const simdepth_matrix *m,
                              const louvain_row *ref, int leiden)
{
    const char *algo = leiden ? "leiden" : "louvain";
    unsigned long seed;

    for (seed = 0; seed < 3; seed++) {
        simdepth_partition *p = NULL, *again = NULL;
        simdepth_error err;
        simdepth_status st;
        double q = NAN, qi, qp;
        size_t n = simdepth_matrix_rows(m);

        memset(&err, 0, sizeof err);
        st = leiden ? simdepth_leiden(m, 1.0, seed, &p, &err)
                    : simdepth_louvain(m, 1.0, seed, &p, &err);
        CHECK(st == SIMDEPTH_OK, "%s %s seed %lu: %s", name, algo, seed,
              err.message);
        if (st != SIMDEPTH_OK)
            continue;
        CHECK(strcmp(p->method, algo) == 0 && p->n == n &&
                  p->n_clusters == count_distinct(p->labels, n),
              "%s %s: partition fields", name, algo);
        CHECK(p->labels[0] == 0, "%s %s: not renumbered", name, algo);
        st = simdepth_modularity(m, p, 1.0, &q, &err);
        CHECK(st == SIMDEPTH_OK, "%s %s: modularity: %s", name, algo,
              err.message);
        qi = igraph_q(m, p->labels, 1.0);
        qp = plain_modularity(m, p->labels, 1.0);
        CHECK(fabs(q - qi) <= 1e-9, "%s %s seed %lu: Q %.17g, igraph's "
              "own %.17g", name, algo, seed, q, qi);
        CHECK(fabs(q - qp) <= 1e-9, "%s %s seed %lu: Q %.17g, networkx "
              "formula %.17g", name, algo, seed, q, qp);
        if (ref != NULL)
            CHECK(q >= ref->best - 0.02 * fabs(ref->best),
                  "%s %s seed %lu: Q %.6f below 98%% of python-louvain's "
                  "best %.6f", name, algo, seed, q, ref->best);
        st = leiden ? simdepth_leiden(m, 1.0, seed, &again, &err)
                    : simdepth_louvain(m, 1.0, seed, &again, &err);
        CHECK(st == SIMDEPTH_OK && again != NULL &&
                  memcmp(again->labels, p->labels,
                         n * sizeof *p->labels) == 0,
              "%s %s seed %lu: a second run differs", name, algo, seed);
        simdepth_partition_free(again);
        simdepth_partition_free(p);
    }
}

static void test_communities_shared(void)
{
    int src;

    CHECK(louvain_table_ok(), "cannot read cluster/louvain_best.csv");
    for (src = 0; src < N_SOURCES; src++) {
        const char *name = source_names[src];
        simdepth_matrix *m = shared_source(src);
        louvain_row ref;
        int have = read_louvain_row(name, &ref) == 0;

        CHECK(m != NULL && have, "%s: cannot read the case", name);
        if (m == NULL)
            continue;
        check_communities(name, m, have ? &ref : NULL, 0);
        check_communities(name, m, have ? &ref : NULL, 1);
        simdepth_matrix_free(m);
    }
}

/* simdepth_modularity() on the reference's own partitions equals
 * python-louvain's community.modularity() (self-loops as networkx counts
 * them), -1 counting as a community, and networkx at resolutions 0.5, 2. */
static void test_modularity_reference(void)
{
    int src;

    for (src = 0; src < N_SOURCES; src++) {
        const char *name = source_names[src];
        simdepth_matrix *m = shared_source(src);
        simdepth_partition part;
        simdepth_error err;
        louvain_row ref;
        int32_t lab[100];
        double q = NAN;

        memset(&err, 0, sizeof err);
        memset(&part, 0, sizeof part);
        part.n = 100;
        part.labels = lab;
        if (m == NULL || read_louvain_row(name, &ref) != 0) {
            CHECK(0, "%s: cannot read the case", name);
            simdepth_matrix_free(m);
            continue;
        }
        if (golden_labels(name, "louvain", lab, 100) == 0) {
            CHECK(simdepth_modularity(m, &part, 1.0, &q, &err) ==
                      SIMDEPTH_OK, "%s: %s", name, err.message);
            CHECK(fabs(q - ref.ref_louvain) <= 1e-9,
                  "%s: Q of the reference louvain partition %.17g; "
                  "python-louvain %.17g", name, q, ref.ref_louvain);
            CHECK(simdepth_modularity(m, &part, 0.5, &q, &err) ==
                          SIMDEPTH_OK &&
                      fabs(q - ref.ref_res05) <= 1e-9,
                  "%s: Q at resolution 0.5 %.17g; networkx %.17g", name, q,
                  ref.ref_res05);
            CHECK(simdepth_modularity(m, &part, 2.0, &q, &err) ==
                          SIMDEPTH_OK &&
                      fabs(q - ref.ref_res2) <= 1e-9,
                  "%s: Q at resolution 2 %.17g; networkx %.17g", name, q,
                  ref.ref_res2);
        } else {
            CHECK(0, "%s: cannot read the golden louvain partition", name);
        }
        if (golden_labels(name, "hdbscan", lab, 100) == 0) {
            CHECK(simdepth_modularity(m, &part, 1.0, &q, &err) ==
                          SIMDEPTH_OK &&
                      fabs(q - ref.ref_hdbscan) <= 1e-9,
                  "%s: Q of the reference hdbscan partition (noise as one "
                  "community) %.17g; python-louvain %.17g", name, q,
                  ref.ref_hdbscan);
        }
        simdepth_matrix_free(m);
    }
}

/* Small graphs: no edge at all, one item, and a float32 matrix. */
static void test_communities_small(void)
{
    double zero[9] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
    double two[16] = {1, 0.9, 0, 0, 0.9, 1, 0, 0, 0, 0, 1, 0.8,
                      0, 0, 0.8, 1};
    simdepth_matrix *z = small_matrix(3, SIMDEPTH_F64, zero);
    simdepth_matrix *one = small_matrix(1, SIMDEPTH_F64, NULL);
    simdepth_matrix *t32 = small_matrix(4, SIMDEPTH_F32, two);
    simdepth_partition *p = NULL;
    simdepth_error err;
    double q = 0.0;

    memset(&err, 0, sizeof err);
    CHECK(z != NULL && one != NULL && t32 != NULL, "cannot make matrices");
    if (z == NULL || one == NULL || t32 == NULL)
        goto out;
    CHECK(simdepth_louvain(z, 1.0, 7, &p, &err) == SIMDEPTH_OK && p != NULL &&
              p->n_clusters == 3 && p->labels[2] == 2,
          "no edges: expected singletons (%s)", err.message);
    CHECK(p != NULL && simdepth_modularity(z, p, 1.0, &q, &err) ==
                           SIMDEPTH_OK && isnan(q),
          "no edges: modularity %g, expected NaN", q);
    simdepth_partition_free(p);
    p = NULL;
    CHECK(simdepth_leiden(z, 1.0, 7, &p, &err) == SIMDEPTH_OK && p != NULL &&
              p->n_clusters == 3,
          "no edges, Leiden: expected singletons (%s)", err.message);
    simdepth_partition_free(p);
    p = NULL;
    CHECK(simdepth_louvain(one, 1.0, 7, &p, &err) == SIMDEPTH_OK &&
              p != NULL && p->n_clusters == 1 && p->labels[0] == 0,
          "one item: %s", err.message);
    simdepth_partition_free(p);
    p = NULL;
    CHECK(simdepth_leiden(t32, 1.0, 7, &p, &err) == SIMDEPTH_OK && p != NULL &&
              p->n_clusters == 2 && p->labels[0] == p->labels[1] &&
              p->labels[2] == p->labels[3] && p->labels[0] == 0,
          "two components, float32: %s", err.message);
    simdepth_partition_free(p);
    p = NULL;
    CHECK(simdepth_louvain(t32, 1.0, 7, &p, &err) == SIMDEPTH_OK &&
              p != NULL && p->n_clusters == 2 &&
              p->labels[0] == p->labels[1] && p->labels[2] == 1,
          "two components, float32, Louvain: %s", err.message);
    if (p != NULL) {
        double want = plain_modularity(t32, p->labels, 1.0);
        CHECK(simdepth_modularity(t32, p, 1.0, &q, &err) == SIMDEPTH_OK &&
                  fabs(q - want) <= 1e-12,
              "two components: Q %.17g, expected %.17g", q, want);
    }
out:
    simdepth_partition_free(p);
    simdepth_matrix_free(t32);
    simdepth_matrix_free(one);
    simdepth_matrix_free(z);
}

/* igraph's process-wide handlers and random generator are put back. */
static int test_error_handler_calls;

static void test_error_handler(const char *reason, const char *file,
                               int line, igraph_error_t code)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)code;
    test_error_handler_calls++;
    IGRAPH_FINALLY_FREE();
}

static void test_warning_handler(const char *reason, const char *file,
                                 int line)
{
    (void)reason;
    (void)file;
    (void)line;
}

static void test_igraph_state_restored(void)
{
    simdepth_matrix *m = load_case_matrix("blobs120");
    igraph_error_handler_t *old_e, *now_e;
    igraph_warning_handler_t *old_w, *now_w;
    igraph_rng_t *rng_before;
    simdepth_partition *p = NULL;
    simdepth_error err;
    igraph_real_t r1, r2;
    double q;

    memset(&err, 0, sizeof err);
    CHECK(m != NULL, "cannot read blobs120");
    if (m == NULL)
        return;
    old_e = igraph_set_error_handler(test_error_handler);
    old_w = igraph_set_warning_handler(test_warning_handler);
    rng_before = igraph_rng_default();
    igraph_rng_seed(rng_before, 12345);
    r1 = igraph_rng_get_unif01(rng_before);
    igraph_rng_seed(rng_before, 12345);

    CHECK(simdepth_louvain(m, 1.0, 3, &p, &err) == SIMDEPTH_OK, "%s",
          err.message);
    CHECK(p != NULL && simdepth_modularity(m, p, 1.0, &q, &err) ==
                           SIMDEPTH_OK, "%s", err.message);
    simdepth_partition_free(p);
    p = NULL;
    CHECK(simdepth_leiden(m, 1.0, 3, &p, &err) == SIMDEPTH_OK, "%s",
          err.message);
    simdepth_partition_free(p);

    CHECK(igraph_rng_default() == rng_before,
          "igraph's default random generator was replaced");
    r2 = igraph_rng_get_unif01(igraph_rng_default());
    CHECK(r1 == r2, "the caller's igraph random stream was consumed");
    now_e = igraph_set_error_handler(old_e);
    now_w = igraph_set_warning_handler(old_w);
    CHECK(now_e == test_error_handler, "igraph's error handler not restored");
    CHECK(now_w == test_warning_handler,
          "igraph's warning handler not restored");
    CHECK(test_error_handler_calls == 0, "the caller's handler was called");
    simdepth_matrix_free(m);
}

/* ------------------------------------------------------------------ */

int simdepth_test_add_cluster(void)
{
    CU_pSuite s = CU_add_suite("cluster", NULL, NULL);

    if (s == NULL)
        return -1;
    if (CU_add_test(s, "OPTICS against scikit-learn 1.2.1",
                    test_optics_golden) == NULL ||
        CU_add_test(s, "HDBSCAN against the scikit-learn >= 1.3 port",
                    test_hdbscan_golden) == NULL ||
        CU_add_test(s, "HDBSCAN stable_ties against R dbscan",
                    test_hdbscan_r) == NULL ||
        CU_add_test(s, "OPTICS and HDBSCAN on the shared data",
                    test_shared_density) == NULL ||
        CU_add_test(s, "HDBSCAN on the confusion graph against R",
                    test_shared_hdbscan_r) == NULL ||
        CU_add_test(s, "noise modes", test_noise_modes) == NULL ||
        CU_add_test(s, "invalid input", test_invalid_input) == NULL ||
        CU_add_test(s, "Louvain and Leiden on the shared data",
                    test_communities_shared) == NULL ||
        CU_add_test(s, "modularity of the reference's partitions",
                    test_modularity_reference) == NULL ||
        CU_add_test(s, "communities of small graphs",
                    test_communities_small) == NULL ||
        CU_add_test(s, "igraph's global state restored",
                    test_igraph_state_restored) == NULL)
        return -1;
    return 0;
}
