/* simdepth — tests of model comparison (suite "compare").
 *
 * Golden files: tests/data/compare/ (see its README.md), made by
 * gen_golden.py (Debian's Python: networkx, scikit-learn 1.2.1, SciPy
 * 1.10.1) and golden.R (R dendextend 1.16.0). What is checked:
 *
 * - forest diff: a model against itself is all shared; the two real
 *   100-class ViT-B models (trained vs initialisation, run through the
 *   pipeline as analyze runs them) give exactly the union of edges, with
 *   origins, that networkx computes per cluster (real_edges.csv), and the
 *   counts of real_edge_counts.csv; a hand-made case checks order,
 *   clusters and weights; bad input is refused.
 * - nearest neighbours and similarity changes against hand-made cases and
 *   a brute-force full sort.
 * - entanglement: 0 for identical orders, 1 for reversed ones, and
 *   dendextend's entanglement(L = 1.5) on golden tree pairs (1e-12).
 * - untangling: on 300 random tree pairs it never increases the
 *   entanglement, reports values that match the returned trees, and keeps
 *   each tree (same rows up to swapped children); on the real models it
 *   lowers the entanglement for real (0.536 -> 0.357); the result is
 *   printed beside dendextend's untangle(step2side) for information.
 * - partition agreement: ARI equals sklearn's adjusted_rand_score and VI a
 *   direct entropy computation (nats) on the cases of
 *   partition_agreement.csv, to 1e-12 absolute.
 * - dendrogram agreement: cophenetic correlation, Baker's gamma and
 *   Fowlkes-Mallows B_k equal dendextend's cor_cophenetic,
 *   cor_bakers_gamma and Bk on the golden tree pairs (1e-12; on trees
 *   with tied heights only what the ties leave unambiguous, see the
 *   README), and are 1 for a tree against itself.
 *
 * Run with SIMDEPTH_TOP_SRCDIR and SIMDEPTH_SHARED_DATA set (make check
 * sets them): tests/runner compare.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "simdepth/analysis.h"
#include "simdepth/compare.h"
#include "simdepth/io.h"
#include "simdepth/linkage.h"
#include "simdepth/similarity.h"
#include "tests.h"

#if defined(__GNUC__)
static void check_at(int ok, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif

static void check_at(int ok, unsigned line, const char *fmt, ...)
{
    char msg[700];
    va_list ap;

    if (ok) {
        CU_assertImplementation(CU_TRUE, line, "", __FILE__, "", CU_FALSE);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "  compare: %s\n", msg);
    CU_assertImplementation(CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

#define CHECK(cond, ...) check_at((cond) ? 1 : 0, __LINE__, __VA_ARGS__)

/* Tolerance of every comparison with a golden value from Python or R. */
#define GOLDEN_TOL 1e-12

static int close_to(double x, double y, double tol)
{
    if (isnan(x) || isnan(y))
        return isnan(x) && isnan(y);
    return fabs(x - y) <= tol;
}

/* ------------------------------------------------------------ fixtures */

/* A small deterministic generator (splitmix64), so tests need no libc
 * random state. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* A random average- or complete-linkage tree of @n leaves (distinct
 * heights almost surely). */
static simdepth_matrix *random_tree(size_t n, uint64_t *seed, int complete)
{
    size_t m = simdepth_condensed_size(n), k;
    double *y = malloc(m * sizeof *y);
    simdepth_matrix *z = NULL;

    if (y == NULL)
        return NULL;
    for (k = 0; k < m; k++)
        y[k] = rng_unit(seed);
    if (simdepth_linkage_compute(y, SIMDEPTH_F64, n,
                                 complete ? SIMDEPTH_LINKAGE_COMPLETE : SIMDEPTH_LINKAGE_AVERAGE,
                                 &z, NULL) != SIMDEPTH_OK)
        z = NULL;
    free(y);
    return z;
}

/* The two real models, run through the pipeline as analyze does. */
typedef struct real_model {
    simdepth_matrix *s; /* scaled similarity */
    simdepth_analysis *a;
    simdepth_matrix *z; /* average linkage of 1 - S */
} real_model;

static real_model real[2];
static int real_state; /* 0 not loaded, 1 loaded, -1 failed */

static int load_real(void)
{
    static const char *files[2] = {"mini-imagenet-vitb/vitb_cosine.npy",
                                   "mini-imagenet-vitb/vitb_init_cosine.npy"};
    simdepth_analysis_options opt;
    simdepth_error err;
    int i;

    if (real_state != 0)
        return real_state;
    real_state = -1;
    simdepth_analysis_options_init(&opt);
    for (i = 0; i < 2; i++) {
        memset(&err, 0, sizeof err);
        if (simdepth_npy_read(simdepth_test_shared(files[i]), &real[i].s, &err) != SIMDEPTH_OK) {
            fprintf(stderr, "  compare: %s: %s\n", files[i], err.message);
            return -1;
        }
        /* The init matrix has a NaN diagonal; analyze (and the reference)
         * set it to 1 before scaling. */
        simdepth_similarity_set_diagonal(real[i].s, 1.0);
        if (simdepth_analysis_run(real[i].s, NULL, NULL, NULL, &opt, &real[i].a, &err) !=
                SIMDEPTH_OK ||
            simdepth_linkage_from_similarity(real[i].s, SIMDEPTH_LINKAGE_AVERAGE,
                                             SIMDEPTH_DISTANCE_ONE_MINUS, SIMDEPTH_F64, &real[i].z,
                                             &err) != SIMDEPTH_OK) {
            fprintf(stderr, "  compare: %s: %s\n", files[i], err.message);
            return -1;
        }
    }
    real_state = 1;
    return 1;
}

static int suite_cleanup(void)
{
    int i;

    for (i = 0; i < 2; i++) {
        simdepth_matrix_free(real[i].z);
        simdepth_analysis_free(real[i].a);
        simdepth_matrix_free(real[i].s);
        memset(&real[i], 0, sizeof real[i]);
    }
    real_state = 0;
    return 0;
}

static simdepth_matrix *read_matrix(const char *rel)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;

    memset(&err, 0, sizeof err);
    if (simdepth_csv_read(simdepth_test_data(rel), &m, &err) != SIMDEPTH_OK) {
        fprintf(stderr, "  compare: %s: %s\n", rel, err.message);
        return NULL;
    }
    return m;
}

static simdepth_matrix *read_tree(const char *name)
{
    char rel[256];

    snprintf(rel, sizeof rel, "compare/trees/%s.csv", name);
    return read_matrix(rel);
}

static simdepth_matrix *square(size_t n, const double *v)
{
    simdepth_matrix *m = NULL;
    size_t i, j;

    if (simdepth_matrix_new(n, n, SIMDEPTH_F64, &m, NULL) != SIMDEPTH_OK)
        return NULL;
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++)
            simdepth_matrix_set(m, i, j, v[i * n + j]);
    return m;
}

/* ------------------------------------------------------------ forest diff */

static void test_forest_diff_self(void)
{
    simdepth_forest_diff *d = NULL;
    const simdepth_forest *f;
    size_t k;

    if (load_real() != 1) {
        CHECK(0, "cannot load the real models");
        return;
    }
    f = real[0].a->perceived.forest;
    CHECK(simdepth_forest_diff_new(f, f, real[0].s, real[0].s, &d, NULL) == SIMDEPTH_OK,
          "diff of A with itself");
    if (d == NULL)
        return;
    CHECK(d->n_nodes == 100 && d->n_edges == f->n_edges && d->n_shared == f->n_edges &&
              d->n_only_a == 0 && d->n_only_b == 0,
          "self diff: %zu edges, %zu shared, %zu only A, %zu only B; expected "
          "all %zu shared",
          d->n_edges, d->n_shared, d->n_only_a, d->n_only_b, f->n_edges);
    for (k = 0; k < d->n_edges; k++) {
        const simdepth_diff_edge *e = &d->edges[k];
        CHECK(e->origin == SIMDEPTH_EDGE_SHARED && e->cluster_a == e->cluster_b &&
                  e->weight_a == e->weight_b && e->a < e->b &&
                  (k == 0 || d->edges[k - 1].a < e->a ||
                   (d->edges[k - 1].a == e->a && d->edges[k - 1].b < e->b)),
              "self diff edge %zu (%zu, %zu)", k, e->a, e->b);
    }
    simdepth_forest_diff_free(d);
}

static void test_forest_diff_real(void)
{
    simdepth_test_csv edges, counts;
    simdepth_forest_diff *d = NULL;
    size_t k;

    if (load_real() != 1) {
        CHECK(0, "cannot load the real models");
        return;
    }
    if (simdepth_test_csv_load(simdepth_test_data("compare/real_edges.csv"), &edges) != 0) {
        CHECK(0, "cannot read compare/real_edges.csv");
        return;
    }
    if (simdepth_test_csv_load(simdepth_test_data("compare/real_edge_counts.csv"), &counts) != 0) {
        simdepth_test_csv_free(&edges);
        CHECK(0, "cannot read compare/real_edge_counts.csv");
        return;
    }
    CHECK(simdepth_forest_diff_new(real[0].a->perceived.forest, real[1].a->perceived.forest,
                                   real[0].s, real[1].s, &d, NULL) == SIMDEPTH_OK,
          "diff of the real models");
    if (d != NULL) {
        size_t shared = strtoul(simdepth_test_csv_get(&counts, 0, "shared"), NULL, 10);
        size_t only_a = strtoul(simdepth_test_csv_get(&counts, 0, "only_a"), NULL, 10);
        size_t only_b = strtoul(simdepth_test_csv_get(&counts, 0, "only_b"), NULL, 10);

        CHECK(d->n_shared == shared && d->n_only_a == only_a && d->n_only_b == only_b,
              "real diff: shared %zu, only A %zu, only B %zu; golden %zu, %zu, %zu", d->n_shared,
              d->n_only_a, d->n_only_b, shared, only_a, only_b);
        CHECK(d->n_edges == edges.n_rows, "real diff: %zu edges, golden %zu", d->n_edges,
              edges.n_rows);
        for (k = 0; k < d->n_edges && k < edges.n_rows; k++) {
            const simdepth_diff_edge *e = &d->edges[k];
            size_t ga = strtoul(simdepth_test_csv_get(&edges, k, "a"), NULL, 10);
            size_t gb = strtoul(simdepth_test_csv_get(&edges, k, "b"), NULL, 10);
            int go = atoi(simdepth_test_csv_get(&edges, k, "origin"));

            CHECK(e->a == ga && e->b == gb && (int)e->origin == go,
                  "real diff edge %zu: (%zu, %zu) origin %d; golden (%zu, %zu) %d", k, e->a, e->b,
                  (int)e->origin, ga, gb, go);
            CHECK(e->weight_a == simdepth_matrix_get(real[0].s, e->b, e->a) &&
                      e->weight_b == simdepth_matrix_get(real[1].s, e->b, e->a),
                  "real diff edge %zu: weights", k);
            CHECK((e->cluster_a >= 0) == (e->origin != SIMDEPTH_EDGE_ONLY_B) &&
                      (e->cluster_b >= 0) == (e->origin != SIMDEPTH_EDGE_ONLY_A),
                  "real diff edge %zu: clusters %d, %d", k, (int)e->cluster_a, (int)e->cluster_b);
        }
        simdepth_forest_diff_free(d);
    }
    simdepth_test_csv_free(&counts);
    simdepth_test_csv_free(&edges);
}

static void test_forest_diff_small(void)
{
    /* 5 classes; distinct values so weights show which triangle is read. */
    static const double va[25] = {1,  10, 11, 12, 13, 20, 1,  14, 15, 16, 21, 22, 1,
                                  17, 18, 23, 24, 25, 1,  19, 26, 27, 28, 29, 1};
    simdepth_edge ea[3] = {{0, 1, 0, 20}, {3, 4, 1, 29}, {1, 2, 0, 22}};
    simdepth_edge eb[3] = {{2, 4, 5, 0}, {0, 1, 2, 0}, {4, 3, 7, 0}};
    simdepth_forest fa = {5, 3, ea}, fb = {5, 3, eb}, f6 = {6, 0, NULL};
    simdepth_edge dup[2] = {{0, 1, 0, 0}, {1, 0, 0, 0}};
    simdepth_edge bad[1] = {{0, 5, 0, 0}};
    simdepth_forest fdup = {5, 2, dup}, fbad = {5, 1, bad}, fempty = {5, 0, NULL};
    static const struct {
        size_t a, b;
        simdepth_edge_origin o;
        int ca, cb;
    } want[4] = {{0, 1, SIMDEPTH_EDGE_SHARED, 0, 2},
                 {1, 2, SIMDEPTH_EDGE_ONLY_A, 0, -1},
                 {2, 4, SIMDEPTH_EDGE_ONLY_B, -1, 5},
                 {3, 4, SIMDEPTH_EDGE_SHARED, 1, 7}};
    simdepth_matrix *s = square(5, va), *s4 = NULL;
    simdepth_forest_diff *d = NULL, *keep = (simdepth_forest_diff *)&fa;
    simdepth_error err;
    size_t k;

    CU_ASSERT_FATAL(s != NULL);
    CHECK(simdepth_forest_diff_new(&fa, &fb, s, s, &d, NULL) == SIMDEPTH_OK, "small diff");
    if (d != NULL) {
        CHECK(d->n_edges == 4 && d->n_shared == 2 && d->n_only_a == 1 && d->n_only_b == 1,
              "small diff counts %zu %zu %zu %zu", d->n_edges, d->n_shared, d->n_only_a,
              d->n_only_b);
        for (k = 0; k < 4 && k < d->n_edges; k++)
            CHECK(d->edges[k].a == want[k].a && d->edges[k].b == want[k].b &&
                      d->edges[k].origin == want[k].o && d->edges[k].cluster_a == want[k].ca &&
                      d->edges[k].cluster_b == want[k].cb &&
                      d->edges[k].weight_a == va[want[k].b * 5 + want[k].a] &&
                      d->edges[k].weight_b == va[want[k].b * 5 + want[k].a],
                  "small diff edge %zu: (%zu, %zu) origin %d clusters %d %d "
                  "weights %g %g",
                  k, d->edges[k].a, d->edges[k].b, (int)d->edges[k].origin,
                  (int)d->edges[k].cluster_a, (int)d->edges[k].cluster_b, d->edges[k].weight_a,
                  d->edges[k].weight_b);
        simdepth_forest_diff_free(d);
        d = NULL;
    }
    CHECK(simdepth_forest_diff_new(&fempty, &fempty, s, s, &d, NULL) == SIMDEPTH_OK && d != NULL &&
              d->n_edges == 0,
          "empty forests");
    simdepth_forest_diff_free(d);
    simdepth_forest_diff_free(NULL);

    /* Refusals leave *out untouched. */
    memset(&err, 0, sizeof err);
    d = keep;
    CHECK(simdepth_forest_diff_new(&fa, &f6, s, s, &d, &err) == SIMDEPTH_EINVAL && d == keep &&
              strstr(err.message, "5 and 6") != NULL,
          "node counts differ: %s", err.message);
    CU_ASSERT_FATAL(simdepth_matrix_new(4, 4, SIMDEPTH_F64, &s4, NULL) == SIMDEPTH_OK);
    CHECK(simdepth_forest_diff_new(&fa, &fb, s, s4, &d, &err) == SIMDEPTH_EINVAL && d == keep,
          "matrix shape: %s", err.message);
    CHECK(simdepth_forest_diff_new(&fa, &fdup, s, s, &d, &err) == SIMDEPTH_EINVAL && d == keep &&
              strstr(err.message, "twice") != NULL,
          "duplicate edge: %s", err.message);
    CHECK(simdepth_forest_diff_new(&fbad, &fa, s, s, &d, &err) == SIMDEPTH_EINVAL && d == keep,
          "edge out of range: %s", err.message);
    simdepth_matrix_free(s4);
    simdepth_matrix_free(s);
}

/* ------------------------------------------------------------ classes */

static void test_nearest_neighbours(void)
{
    /* Row 0: tie between 2 and 3 (smallest wins); row 1 reads its own row,
     * not the column (asymmetric); row 2: NaN is skipped; row 3: all
     * negative; the diagonal is never chosen. */
    static const double v[16] = {9,   0.5, 0.7, 0.7, 0.1, 9,  0.2, 0.3,
                                 0.9, NAN, 9,   0.1, -3,  -1, -2,  9};
    static const size_t want[4] = {2, 3, 0, 1};
    simdepth_matrix *s = square(4, v), *r = NULL;
    size_t nn[4], k, *nnr;

    CU_ASSERT_FATAL(s != NULL);
    CHECK(simdepth_nearest_neighbours(s, nn, NULL) == SIMDEPTH_OK, "nn");
    for (k = 0; k < 4; k++)
        CHECK(nn[k] == want[k], "nn of %zu: %zu, expected %zu", k, nn[k], want[k]);
    simdepth_matrix_free(s);
    CU_ASSERT_FATAL(simdepth_matrix_new(2, 3, SIMDEPTH_F64, &r, NULL) == SIMDEPTH_OK);
    CHECK(simdepth_nearest_neighbours(r, nn, NULL) == SIMDEPTH_EINVAL, "not square");
    simdepth_matrix_free(r);
    CU_ASSERT_FATAL(simdepth_matrix_new(1, 1, SIMDEPTH_F64, &r, NULL) == SIMDEPTH_OK);
    CHECK(simdepth_nearest_neighbours(r, nn, NULL) == SIMDEPTH_EINVAL, "n = 1");
    simdepth_matrix_free(r);

    /* The real trained model: a neighbour is never the class itself and
     * holds the row's largest off-diagonal value. */
    if (load_real() != 1) {
        CHECK(0, "cannot load the real models");
        return;
    }
    nnr = malloc(100 * sizeof *nnr);
    CU_ASSERT_FATAL(nnr != NULL);
    CHECK(simdepth_nearest_neighbours(real[0].s, nnr, NULL) == SIMDEPTH_OK, "real nn");
    for (k = 0; k < 100; k++) {
        size_t j;
        int ok = nnr[k] != k && nnr[k] < 100;

        for (j = 0; ok && j < 100; j++)
            if (j != k &&
                simdepth_matrix_get(real[0].s, k, j) > simdepth_matrix_get(real[0].s, k, nnr[k]))
                ok = 0;
        CHECK(ok, "real nn of %zu: %zu", k, nnr[k]);
    }
    free(nnr);
}

typedef struct full_change {
    size_t a, b;
    double d;
} full_change;

static int cmp_full_change(const void *x, const void *y)
{
    const full_change *p = x, *q = y;

    if (p->d != q->d)
        return p->d > q->d ? -1 : 1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static void test_similarity_changes(void)
{
    /* Lower triangle holds the values; the upper one is noise that must
     * not be read. Changes: (0,1) +0.5, (0,2) -0.5, (1,2) 0, (0,3) +0.2,
     * (1,3) -0.5, (2,3) 0.1. */
    static const double va[16] = {1, 9, 9, 9, 0.5, 1, 9, 9, 0.5, 0.3, 1, 9, 0.1, 0.9, 0.2, 1};
    static const double vb[16] = {1, -9, -9, -9, 1.0, 1, -9, -9, 0.0, 0.3, 1, -9, 0.3, 0.4, 0.3, 1};
    static const size_t want[6][2] = {{0, 1}, {0, 2}, {1, 3}, {0, 3}, {2, 3}, {1, 2}};
    simdepth_matrix *sa = square(4, va), *sb = square(4, vb), *s3 = NULL;
    simdepth_pair_change *c = NULL, *keep = (simdepth_pair_change *)va;
    size_t n = 0, k, top;
    uint64_t seed = 42;

    CU_ASSERT_FATAL(sa != NULL && sb != NULL);
    for (top = 0; top <= 8; top++) {
        c = NULL;
        CHECK(simdepth_similarity_changes(sa, sb, top, &c, &n, NULL) == SIMDEPTH_OK,
              "changes top %zu", top);
        CHECK(n == (top < 6 ? top : 6), "top %zu gives %zu", top, n);
        for (k = 0; k < n; k++)
            CHECK(c[k].a == want[k][0] && c[k].b == want[k][1] &&
                      c[k].before == va[c[k].b * 4 + c[k].a] &&
                      c[k].after == vb[c[k].b * 4 + c[k].a],
                  "top %zu entry %zu: (%zu, %zu), expected (%zu, %zu)", top, k, c[k].a, c[k].b,
                  want[k][0], want[k][1]);
        free(c);
    }
    CU_ASSERT_FATAL(simdepth_matrix_new(3, 3, SIMDEPTH_F64, &s3, NULL) == SIMDEPTH_OK);
    c = keep;
    n = 77;
    CHECK(simdepth_similarity_changes(sa, s3, 3, &c, &n, NULL) == SIMDEPTH_EINVAL && c == keep &&
              n == 77,
          "shapes differ");
    simdepth_matrix_free(s3);
    simdepth_matrix_free(sb);
    simdepth_matrix_free(sa);

    /* Random 60 x 60 values on a coarse grid (many ties): the top 100
     * equal a full sort of all 1,770 pairs. */
    {
        size_t m = 60, p = 0, i, j;
        full_change *all = malloc(simdepth_condensed_size(m) * sizeof *all);
        simdepth_matrix *ra = NULL, *rb = NULL;

        CU_ASSERT_FATAL(all != NULL);
        CU_ASSERT_FATAL(simdepth_matrix_new(m, m, SIMDEPTH_F64, &ra, NULL) == SIMDEPTH_OK);
        CU_ASSERT_FATAL(simdepth_matrix_new(m, m, SIMDEPTH_F64, &rb, NULL) == SIMDEPTH_OK);
        for (i = 0; i < m; i++)
            for (j = 0; j < m; j++) {
                simdepth_matrix_set(ra, i, j, (double)(rng_next(&seed) % 8) / 8.0);
                simdepth_matrix_set(rb, i, j, (double)(rng_next(&seed) % 8) / 8.0);
            }
        for (i = 0; i < m; i++)
            for (j = i + 1; j < m; j++) {
                all[p].a = i;
                all[p].b = j;
                all[p++].d = fabs(simdepth_matrix_get(rb, j, i) - simdepth_matrix_get(ra, j, i));
            }
        qsort(all, p, sizeof *all, cmp_full_change);
        c = NULL;
        CHECK(simdepth_similarity_changes(ra, rb, 100, &c, &n, NULL) == SIMDEPTH_OK && n == 100,
              "random changes");
        for (k = 0; k < n; k++)
            CHECK(c[k].a == all[k].a && c[k].b == all[k].b,
                  "random changes entry %zu: (%zu, %zu), full sort (%zu, %zu)", k, c[k].a, c[k].b,
                  all[k].a, all[k].b);
        free(c);
        free(all);
        simdepth_matrix_free(rb);
        simdepth_matrix_free(ra);
    }
}

/* ------------------------------------------------------------ tanglegrams */

static void test_entanglement_basic(void)
{
    size_t id[7] = {0, 1, 2, 3, 4, 5, 6}, rev[7] = {6, 5, 4, 3, 2, 1, 0};
    size_t sw[7] = {1, 0, 2, 3, 4, 5, 6}, bad[7] = {0, 1, 2, 3, 4, 5, 5};
    size_t big[7] = {0, 1, 2, 3, 4, 5, 7};
    double e = -1, worst = 0, keep;
    simdepth_status st;
    size_t k;

    st = simdepth_entanglement(id, id, 7, &e, NULL);
    CHECK(st == SIMDEPTH_OK && e == 0.0, "identical orders: %g", e);
    st = simdepth_entanglement(rev, rev, 7, &e, NULL);
    CHECK(st == SIMDEPTH_OK && e == 0.0, "identical reversed orders: %g", e);
    st = simdepth_entanglement(id, rev, 7, &e, NULL);
    CHECK(st == SIMDEPTH_OK && e == 1.0, "reversed orders: %g", e);
    /* One adjacent swap: two items each 1 apart, over sum |2k - 6|^1.5. */
    for (k = 0; k < 7; k++)
        worst += pow(fabs(2.0 * (double)k - 6.0), 1.5);
    st = simdepth_entanglement(id, sw, 7, &e, NULL);
    CHECK(st == SIMDEPTH_OK && close_to(e, 2.0 / worst, 1e-15), "one swap: %.17g, expected %.17g",
          e, 2.0 / worst);
    keep = e;
    CHECK(simdepth_entanglement(id, bad, 7, &e, NULL) == SIMDEPTH_EINVAL && e == keep,
          "repeated leaf");
    CHECK(simdepth_entanglement(big, id, 7, &e, NULL) == SIMDEPTH_EINVAL && e == keep,
          "leaf out of range");
    CHECK(simdepth_entanglement(id, id, 1, &e, NULL) == SIMDEPTH_OK && e == 0.0, "one leaf");
}

/* 1 if @za and @zb are the same tree: the same rows up to swapped
 * children, heights and sizes bit for bit. */
static int same_tree(const simdepth_matrix *za, const simdepth_matrix *zb)
{
    size_t r, rows = simdepth_matrix_rows(za);

    if (simdepth_matrix_rows(zb) != rows || simdepth_matrix_cols(zb) != 4)
        return 0;
    for (r = 0; r < rows; r++) {
        double a0 = simdepth_matrix_get(za, r, 0), a1 = simdepth_matrix_get(za, r, 1);
        double b0 = simdepth_matrix_get(zb, r, 0), b1 = simdepth_matrix_get(zb, r, 1);

        if (!((a0 == b0 && a1 == b1) || (a0 == b1 && a1 == b0)) ||
            simdepth_matrix_get(za, r, 2) != simdepth_matrix_get(zb, r, 2) ||
            simdepth_matrix_get(za, r, 3) != simdepth_matrix_get(zb, r, 3))
            return 0;
    }
    return 1;
}

static int tree_entanglement(const simdepth_matrix *za, const simdepth_matrix *zb, double *e)
{
    size_t n = simdepth_matrix_rows(za) + 1;
    size_t *oa = malloc(n * sizeof *oa), *ob = malloc(n * sizeof *ob);
    int ok = oa != NULL && ob != NULL && simdepth_linkage_leaves(za, oa, NULL) == SIMDEPTH_OK &&
             simdepth_linkage_leaves(zb, ob, NULL) == SIMDEPTH_OK &&
             simdepth_entanglement(oa, ob, n, e, NULL) == SIMDEPTH_OK;

    free(ob);
    free(oa);
    return ok ? 0 : -1;
}

static void test_untangle_property(void)
{
    uint64_t seed = 2026;
    size_t rep, improved = 0;

    for (rep = 0; rep < 300; rep++) {
        size_t n = 2 + (size_t)(rng_next(&seed) % 60);
        simdepth_matrix *za = random_tree(n, &seed, 0);
        simdepth_matrix *zb = random_tree(n, &seed, rep % 2 == 1);
        simdepth_matrix *oa = NULL, *ob = NULL;
        double before = -1, after = -1, e0 = -1, e1 = -1;

        CU_ASSERT_FATAL(za != NULL && zb != NULL);
        CHECK(simdepth_tanglegram_untangle(za, zb, &oa, &ob, &before, &after, NULL) == SIMDEPTH_OK,
              "untangle rep %zu", rep);
        if (oa != NULL && ob != NULL) {
            CHECK(tree_entanglement(za, zb, &e0) == 0 && tree_entanglement(oa, ob, &e1) == 0,
                  "rep %zu: entanglement of the trees", rep);
            CHECK(after <= before, "rep %zu (n = %zu): entanglement %.17g -> %.17g", rep, n, before,
                  after);
            CHECK(close_to(before, e0, 1e-12) && close_to(after, e1, 1e-12),
                  "rep %zu: reported %.17g -> %.17g, trees give %.17g -> %.17g", rep, before, after,
                  e0, e1);
            CHECK(same_tree(za, oa) && same_tree(zb, ob) &&
                      simdepth_linkage_validate(oa, NULL) == SIMDEPTH_OK &&
                      simdepth_linkage_validate(ob, NULL) == SIMDEPTH_OK,
                  "rep %zu: untangling changed a tree", rep);
            improved += after < before;
        }
        simdepth_matrix_free(ob);
        simdepth_matrix_free(oa);
        simdepth_matrix_free(zb);
        simdepth_matrix_free(za);
    }
    /* Random pairs are badly tangled: untangling must help most of them. */
    CHECK(improved >= 250, "untangling improved only %zu of 300 pairs", improved);
}

static void test_untangle_errors(void)
{
    uint64_t seed = 5;
    simdepth_matrix *za = random_tree(10, &seed, 0), *zb = random_tree(11, &seed, 0);
    simdepth_matrix *keep = za, *oa = keep, *ob = keep, *bad = NULL;
    double before = 7, after = 7;

    CU_ASSERT_FATAL(za != NULL && zb != NULL);
    CHECK(simdepth_tanglegram_untangle(za, zb, &oa, &ob, &before, &after, NULL) ==
                  SIMDEPTH_EINVAL &&
              oa == keep && ob == keep && before == 7 && after == 7,
          "leaf counts differ");
    CU_ASSERT_FATAL(simdepth_matrix_convert(za, SIMDEPTH_F64, &bad, NULL) == SIMDEPTH_OK);
    simdepth_matrix_set(bad, 3, 0, 1e6);
    CHECK(simdepth_tanglegram_untangle(za, bad, &oa, &ob, NULL, NULL, NULL) == SIMDEPTH_EINVAL &&
              oa == keep && ob == keep,
          "invalid linkage");
    simdepth_matrix_free(bad);
    simdepth_matrix_free(zb);
    simdepth_matrix_free(za);
}

static void test_untangle_real(void)
{
    simdepth_matrix *oa = NULL, *ob = NULL, *oa2 = NULL, *ob2 = NULL;
    double before = -1, after = -1, b2 = -1, a2 = -1;
    simdepth_status st;

    if (load_real() != 1) {
        CHECK(0, "cannot load the real models");
        return;
    }
    CHECK(simdepth_tanglegram_untangle(real[0].z, real[1].z, &oa, &ob, &before, &after, NULL) ==
              SIMDEPTH_OK,
          "untangle real");
    /* The trained and the initial model's trees are very different: the
     * input is tangled and untangling removes a good part of it. */
    CHECK(before > 0.2 && after < 0.8 * before,
          "real models: entanglement %.6f -> %.6f, expected a real decrease", before, after);
    fprintf(stderr, "  compare: real models: entanglement %.6f -> %.6f\n", before, after);
    /* Untangling its own output finds nothing more. */
    st = simdepth_tanglegram_untangle(oa, ob, &oa2, &ob2, &b2, &a2, NULL);
    CHECK(st == SIMDEPTH_OK && b2 == after && a2 == after,
          "untangling again: %.17g -> %.17g (after %.17g)", b2, a2, after);
    /* A tree against itself untangles to 0. */
    simdepth_matrix_free(oa2);
    simdepth_matrix_free(ob2);
    oa2 = ob2 = NULL;
    st = simdepth_tanglegram_untangle(real[0].z, real[0].z, &oa2, &ob2, &b2, &a2, NULL);
    CHECK(st == SIMDEPTH_OK && b2 == 0.0 && a2 == 0.0, "self: %g -> %g", b2, a2);
    simdepth_matrix_free(ob2);
    simdepth_matrix_free(oa2);
    simdepth_matrix_free(ob);
    simdepth_matrix_free(oa);
}

/* ------------------------------------------------------------ partitions */

static simdepth_partition *partition_of(const int32_t *labels, size_t n)
{
    simdepth_partition *p = NULL;

    if (simdepth_partition_new(n, "test", &p, NULL) != SIMDEPTH_OK)
        return NULL;
    memcpy(p->labels, labels, n * sizeof *labels);
    simdepth_partition_recount(p);
    return p;
}

/* partitions/<case>.csv: columns a and b. */
static int load_partition_case(const char *name, simdepth_partition **pa, simdepth_partition **pb)
{
    simdepth_test_csv t;
    char rel[256];
    int32_t *la, *lb;
    size_t i;
    int rc = -1;

    snprintf(rel, sizeof rel, "compare/partitions/%s.csv", name);
    if (simdepth_test_csv_load(simdepth_test_data(rel), &t) != 0)
        return -1;
    la = malloc((t.n_rows + 1) * sizeof *la);
    lb = malloc((t.n_rows + 1) * sizeof *lb);
    if (la != NULL && lb != NULL) {
        for (i = 0; i < t.n_rows; i++) {
            la[i] = (int32_t)atoi(simdepth_test_csv_get(&t, i, "a"));
            lb[i] = (int32_t)atoi(simdepth_test_csv_get(&t, i, "b"));
        }
        *pa = partition_of(la, t.n_rows);
        *pb = partition_of(lb, t.n_rows);
        rc = *pa != NULL && *pb != NULL ? 0 : -1;
    }
    free(lb);
    free(la);
    simdepth_test_csv_free(&t);
    return rc;
}

static void test_partition_golden(void)
{
    simdepth_test_csv g;
    size_t r;

    if (simdepth_test_csv_load(simdepth_test_data("compare/partition_agreement.csv"), &g) != 0) {
        CHECK(0, "cannot read compare/partition_agreement.csv");
        return;
    }
    CHECK(g.n_rows >= 10, "only %zu partition cases", g.n_rows);
    for (r = 0; r < g.n_rows; r++) {
        const char *name = simdepth_test_csv_get(&g, r, "case");
        double ari = strtod(simdepth_test_csv_get(&g, r, "ari"), NULL);
        double vi = strtod(simdepth_test_csv_get(&g, r, "vi"), NULL);
        size_t n = strtoul(simdepth_test_csv_get(&g, r, "n"), NULL, 10);
        simdepth_partition *pa = NULL, *pb = NULL;
        simdepth_partition_agreement x, y;

        if (load_partition_case(name, &pa, &pb) != 0) {
            CHECK(0, "%s: cannot read its partitions", name);
            continue;
        }
        CHECK(pa->n == n, "%s: %zu items, golden %zu", name, pa->n, n);
        memset(&x, 0, sizeof x);
        memset(&y, 0, sizeof y);
        CHECK(simdepth_partition_compare(pa, pb, &x, NULL) == SIMDEPTH_OK &&
                  simdepth_partition_compare(pb, pa, &y, NULL) == SIMDEPTH_OK,
              "%s: compare", name);
        CHECK(close_to(x.ari, ari, GOLDEN_TOL), "%s: ARI %.17g, sklearn %.17g", name, x.ari, ari);
        CHECK(close_to(x.vi, vi, GOLDEN_TOL), "%s: VI %.17g, direct %.17g", name, x.vi, vi);
        CHECK(x.ari == y.ari && close_to(x.vi, y.vi, GOLDEN_TOL),
              "%s: not symmetric: ARI %.17g / %.17g, VI %.17g / %.17g", name, x.ari, y.ari, x.vi,
              y.vi);
        CHECK(x.vi_max == log((double)n) && x.vi <= x.vi_max + 1e-12, "%s: vi_max %.17g", name,
              x.vi_max);
        simdepth_partition_free(pb);
        simdepth_partition_free(pa);
    }
    simdepth_test_csv_free(&g);
}

static void test_partition_self(void)
{
    simdepth_partition *ga = NULL, *gb = NULL;
    simdepth_partition_agreement x;
    unsigned char agree[100];
    int i;
    size_t k;

    if (load_real() != 1) {
        CHECK(0, "cannot load the real models");
        return;
    }
    for (i = 0; i < 2; i++) {
        const simdepth_partition *p = real[i].a->perceived.partition;

        simdepth_status st;

        memset(&x, 0xff, sizeof x);
        st = simdepth_partition_compare(p, p, &x, NULL);
        CHECK(st == SIMDEPTH_OK && x.ari == 1.0 && x.vi == 0.0,
              "model %d with itself: ARI %.17g VI %.17g", i, x.ari, x.vi);
        memset(agree, 7, sizeof agree);
        CHECK(simdepth_partition_item_agreement(p, p, agree, NULL) == SIMDEPTH_OK,
              "item agreement of model %d with itself", i);
        for (k = 0; k < 100; k++)
            CHECK(agree[k] == 1, "model %d item %zu: %d", i, k, agree[k]);
    }
    /* The pipeline's partitions are the reference's (golden, up to label
     * names): ARI 1 against the golden file's labels. */
    if (load_partition_case("real_a_b", &ga, &gb) == 0) {
        simdepth_status st;

        st = simdepth_partition_compare(real[0].a->perceived.partition, ga, &x, NULL);
        CHECK(st == SIMDEPTH_OK && x.ari == 1.0, "A vs golden: ARI %.17g", x.ari);
        st = simdepth_partition_compare(real[1].a->perceived.partition, gb, &x, NULL);
        CHECK(st == SIMDEPTH_OK && x.ari == 1.0, "B vs golden: ARI %.17g", x.ari);
    } else {
        CHECK(0, "cannot read partitions/real_a_b.csv");
    }
    simdepth_partition_free(gb);
    simdepth_partition_free(ga);
}

static void test_item_agreement(void)
{
    /* a's clusters: 0 = {0,1,2} -> b's 5 (two of three); 1 = {3,4} -> 3;
     * 2 = {5,6,7,8} split 2/2 between -1 and 7 -> -1 (smaller label);
     * -1 = {9} -> 3. */
    static const int32_t la[10] = {0, 0, 0, 1, 1, 2, 2, 2, 2, -1};
    static const int32_t lb[10] = {5, 5, 3, 3, 3, -1, -1, 7, 7, 3};
    static const unsigned char want[10] = {1, 1, 0, 1, 1, 1, 1, 0, 0, 1};
    static const int32_t one[3] = {4, 4, 4}, three[3] = {0, 1, 2};
    simdepth_partition *pa = partition_of(la, 10), *pb = partition_of(lb, 10);
    simdepth_partition *p1 = partition_of(one, 3), *p3 = partition_of(three, 3);
    simdepth_partition empty;
    simdepth_partition_agreement x, keep;
    unsigned char agree[10];
    size_t k;

    CU_ASSERT_FATAL(pa != NULL && pb != NULL && p1 != NULL && p3 != NULL);
    CHECK(simdepth_partition_item_agreement(pa, pb, agree, NULL) == SIMDEPTH_OK, "item agreement");
    for (k = 0; k < 10; k++)
        CHECK(agree[k] == want[k], "item %zu: %d, expected %d", k, agree[k], want[k]);
    /* One cluster vs singletons: the one cluster matches singleton 0. */
    CHECK(simdepth_partition_item_agreement(p1, p3, agree, NULL) == SIMDEPTH_OK && agree[0] == 1 &&
              agree[1] == 0 && agree[2] == 0,
          "one vs singletons");
    CHECK(simdepth_partition_item_agreement(p3, p1, agree, NULL) == SIMDEPTH_OK && agree[0] == 1 &&
              agree[1] == 1 && agree[2] == 1,
          "singletons vs one");

    /* Refusals. */
    memset(&keep, 0x5a, sizeof keep);
    x = keep;
    CHECK(simdepth_partition_compare(pa, p1, &x, NULL) == SIMDEPTH_EINVAL &&
              memcmp(&x, &keep, sizeof x) == 0,
          "sizes differ");
    CHECK(simdepth_partition_item_agreement(pa, p1, agree, NULL) == SIMDEPTH_EINVAL,
          "item agreement: sizes differ");
    memset(&empty, 0, sizeof empty);
    CHECK(simdepth_partition_compare(&empty, &empty, &x, NULL) == SIMDEPTH_EINVAL &&
              memcmp(&x, &keep, sizeof x) == 0,
          "n = 0");
    simdepth_partition_free(p3);
    simdepth_partition_free(p1);
    simdepth_partition_free(pb);
    simdepth_partition_free(pa);
}

/* ------------------------------------------------------------ dendrograms */

/* A number of a golden file; R writes NA for an undefined correlation. */
static double golden_num(const char *s)
{
    return strcmp(s, "NA") == 0 ? NAN : strtod(s, NULL);
}

/* Rows of bk.csv for @name, in k order, into @bk (k - 2 indexed). */
static size_t golden_bk(const simdepth_test_csv *t, const char *name, double *bk, size_t cap)
{
    size_t r, got = 0;

    for (r = 0; r < t->n_rows; r++) {
        size_t k;

        if (strcmp(simdepth_test_csv_get(t, r, "case"), name) != 0)
            continue;
        k = strtoul(simdepth_test_csv_get(t, r, "k"), NULL, 10);
        if (k >= 2 && k - 2 < cap) {
            bk[k - 2] = golden_num(simdepth_test_csv_get(t, r, "bk"));
            got++;
        }
    }
    return got;
}

/* Cases whose trees have tied heights: cophenetic correlation and
 * entanglement are compared, B_k only where the cut is unambiguous, and
 * Baker's gamma not at all (see README.md). */
static int has_ties(const char *name)
{
    return strncmp(name, "ties", 4) == 0;
}

static void test_linkage_golden(void)
{
    simdepth_test_csv g, pairs, bkt;
    size_t r;

    if (simdepth_test_csv_load(simdepth_test_data("compare/dendextend.csv"), &g) != 0) {
        CHECK(0, "cannot read compare/dendextend.csv");
        return;
    }
    if (simdepth_test_csv_load(simdepth_test_data("compare/tree_pairs.csv"), &pairs) != 0 ||
        simdepth_test_csv_load(simdepth_test_data("compare/bk.csv"), &bkt) != 0) {
        simdepth_test_csv_free(&g);
        CHECK(0, "cannot read compare/tree_pairs.csv or bk.csv");
        return;
    }
    CHECK(g.n_rows == pairs.n_rows && g.n_rows >= 15, "%zu golden rows, %zu pairs", g.n_rows,
          pairs.n_rows);
    for (r = 0; r < g.n_rows && r < pairs.n_rows; r++) {
        const char *name = simdepth_test_csv_get(&g, r, "case");
        size_t n = strtoul(simdepth_test_csv_get(&g, r, "n"), NULL, 10);
        double ent = golden_num(simdepth_test_csv_get(&g, r, "entanglement"));
        double coph = golden_num(simdepth_test_csv_get(&g, r, "cophenetic"));
        double gam = golden_num(simdepth_test_csv_get(&g, r, "bakers_gamma"));
        simdepth_matrix *za = read_tree(simdepth_test_csv_get(&pairs, r, "tree_a"));
        simdepth_matrix *zb = read_tree(simdepth_test_csv_get(&pairs, r, "tree_b"));
        double *bk = calloc(n, sizeof *bk), *gbk = calloc(n, sizeof *gbk);
        simdepth_tree_agreement t;
        double e = -1, mean = 0, mn = INFINITY;
        size_t k, argmin = 0;

        CHECK(strcmp(simdepth_test_csv_get(&pairs, r, "case"), name) == 0, "row %zu: %s vs %s", r,
              name, simdepth_test_csv_get(&pairs, r, "case"));
        if (za == NULL || zb == NULL || bk == NULL || gbk == NULL) {
            CHECK(0, "%s: cannot read its trees", name);
            goto next;
        }
        CHECK(simdepth_matrix_rows(za) + 1 == n, "%s: n", name);
        k = (size_t)tree_entanglement(za, zb, &e);
        CHECK(k == 0 && close_to(e, ent, GOLDEN_TOL), "%s: entanglement %.17g, dendextend %.17g",
              name, e, ent);
        if (simdepth_linkage_compare(za, zb, &t, bk, NULL) != SIMDEPTH_OK) {
            CHECK(0, "%s: linkage compare", name);
            goto next;
        }
        CHECK(close_to(t.cophenetic_correlation, coph, GOLDEN_TOL),
              "%s: cophenetic correlation %.17g, dendextend %.17g", name, t.cophenetic_correlation,
              coph);
        if (has_ties(name)) {
            /* Where the k-cut is unambiguous in both trees (the last kept
             * merge strictly below the first undone one), B_k must agree;
             * elsewhere dendextend may undo other merges of equal height. */
            size_t checked = 0;

            CHECK(golden_bk(&bkt, name, gbk, n - 2) == n - 2, "%s: golden B_k", name);
            for (k = 2; k <= n - 1; k++)
                if (simdepth_matrix_get(za, n - k - 1, 2) < simdepth_matrix_get(za, n - k, 2) &&
                    simdepth_matrix_get(zb, n - k - 1, 2) < simdepth_matrix_get(zb, n - k, 2)) {
                    CHECK(close_to(bk[k - 2], gbk[k - 2], GOLDEN_TOL),
                          "%s: B_%zu %.17g, dendextend %.17g", name, k, bk[k - 2], gbk[k - 2]);
                    checked++;
                }
            CHECK(checked >= 2, "%s: only %zu unambiguous cuts", name, checked);
            goto next;
        }
        CHECK(close_to(t.bakers_gamma, gam, GOLDEN_TOL),
              "%s: Baker's gamma %.17g, dendextend %.17g", name, t.bakers_gamma, gam);
        if (n >= 3) {
            CHECK(golden_bk(&bkt, name, gbk, n - 2) == n - 2, "%s: %zu golden B_k", name, n - 2);
            for (k = 2; k <= n - 1; k++) {
                CHECK(close_to(bk[k - 2], gbk[k - 2], GOLDEN_TOL),
                      "%s: B_%zu %.17g, dendextend %.17g", name, k, bk[k - 2], gbk[k - 2]);
                mean += gbk[k - 2];
                if (gbk[k - 2] < mn - 1e-14 || argmin == 0) {
                    mn = gbk[k - 2];
                    argmin = k;
                }
            }
            mean /= (double)(n - 2);
            CHECK(close_to(t.fm_bk_mean, mean, GOLDEN_TOL) && close_to(t.fm_bk_min, mn, GOLDEN_TOL),
                  "%s: B_k mean %.17g min %.17g, dendextend %.17g %.17g", name, t.fm_bk_mean,
                  t.fm_bk_min, mean, mn);
            CHECK(t.fm_bk_argmin >= 2 && t.fm_bk_argmin <= n - 1 &&
                      close_to(bk[t.fm_bk_argmin - 2], t.fm_bk_min, 0.0),
                  "%s: argmin %zu", name, t.fm_bk_argmin);
        }
    next:
        free(gbk);
        free(bk);
        simdepth_matrix_free(zb);
        simdepth_matrix_free(za);
    }
    simdepth_test_csv_free(&bkt);
    simdepth_test_csv_free(&pairs);
    simdepth_test_csv_free(&g);
}

static void test_linkage_self(void)
{
    simdepth_tree_agreement t;
    double bk[98];
    size_t k;

    if (load_real() != 1) {
        CHECK(0, "cannot load the real models");
        return;
    }
    memset(bk, 0, sizeof bk);
    CHECK(simdepth_linkage_compare(real[0].z, real[0].z, &t, bk, NULL) == SIMDEPTH_OK,
          "tree with itself");
    CHECK(t.cophenetic_correlation == 1.0 && t.bakers_gamma == 1.0 && t.fm_bk_mean == 1.0 &&
              t.fm_bk_min == 1.0,
          "tree with itself: cophenetic %.17g gamma %.17g B_k mean %.17g min %.17g",
          t.cophenetic_correlation, t.bakers_gamma, t.fm_bk_mean, t.fm_bk_min);
    for (k = 0; k < 98; k++)
        CHECK(bk[k] == 1.0, "B_%zu = %.17g", k + 2, bk[k]);
}

static void test_linkage_small(void)
{
    /* n = 2: one pair, so correlations are undefined: cophenetic NaN (R's
     * cor gives NA), Baker's gamma 1 (dendextend's NA -> 1), no B_k. */
    static const double z2[4] = {0, 1, 0.5, 2};
    simdepth_matrix *a = NULL, *b = NULL;
    simdepth_tree_agreement t, keep;
    uint64_t seed = 9;
    size_t k;

    CU_ASSERT_FATAL(simdepth_matrix_new(1, 4, SIMDEPTH_F64, &a, NULL) == SIMDEPTH_OK);
    for (k = 0; k < 4; k++)
        simdepth_matrix_set(a, 0, k, z2[k]);
    CHECK(simdepth_linkage_compare(a, a, &t, NULL, NULL) == SIMDEPTH_OK &&
              isnan(t.cophenetic_correlation) && t.bakers_gamma == 1.0 && isnan(t.fm_bk_mean) &&
              isnan(t.fm_bk_min) && t.fm_bk_argmin == 0,
          "n = 2");
    b = random_tree(7, &seed, 0);
    CU_ASSERT_FATAL(b != NULL);
    memset(&keep, 0x33, sizeof keep);
    t = keep;
    CHECK(simdepth_linkage_compare(a, b, &t, NULL, NULL) == SIMDEPTH_EINVAL &&
              memcmp(&t, &keep, sizeof t) == 0,
          "leaf counts differ");
    simdepth_matrix_set(b, 2, 3, 99);
    CHECK(simdepth_linkage_compare(b, b, &t, NULL, NULL) == SIMDEPTH_EINVAL &&
              memcmp(&t, &keep, sizeof t) == 0,
          "invalid linkage");
    simdepth_matrix_free(b);
    simdepth_matrix_free(a);
}

/* For information (printed, not compared): our untangling against
 * dendextend's untangle(method = "step2side") on the pairs of
 * untangle.csv. Only "before" must agree (it is the entanglement of the
 * trees as given) and "after" must not exceed it. */
static void test_untangle_vs_dendextend(void)
{
    simdepth_test_csv u, pairs;
    size_t r, p;

    if (simdepth_test_csv_load(simdepth_test_data("compare/untangle.csv"), &u) != 0 ||
        simdepth_test_csv_load(simdepth_test_data("compare/tree_pairs.csv"), &pairs) != 0) {
        CHECK(0, "cannot read compare/untangle.csv or tree_pairs.csv");
        return;
    }
    for (r = 0; r < u.n_rows; r++) {
        const char *name = simdepth_test_csv_get(&u, r, "case");
        double gb = golden_num(simdepth_test_csv_get(&u, r, "before"));
        double ga = golden_num(simdepth_test_csv_get(&u, r, "after"));

        for (p = 0; p < pairs.n_rows; p++) {
            simdepth_matrix *za, *zb, *oa = NULL, *ob = NULL;
            double before = -1, after = -1;

            if (strcmp(simdepth_test_csv_get(&pairs, p, "case"), name) != 0)
                continue;
            za = read_tree(simdepth_test_csv_get(&pairs, p, "tree_a"));
            zb = read_tree(simdepth_test_csv_get(&pairs, p, "tree_b"));
            CHECK(za != NULL && zb != NULL &&
                      simdepth_tanglegram_untangle(za, zb, &oa, &ob, &before, &after, NULL) ==
                          SIMDEPTH_OK,
                  "%s: untangle", name);
            CHECK(close_to(before, gb, GOLDEN_TOL) && after <= before,
                  "%s: %.17g -> %.17g, dendextend %.17g -> %.17g", name, before, after, gb, ga);
            fprintf(stderr,
                    "  compare: untangle %-9s %.4f -> %.4f (dendextend "
                    "step2side %.4f -> %.4f)\n",
                    name, before, after, gb, ga);
            simdepth_matrix_free(ob);
            simdepth_matrix_free(oa);
            simdepth_matrix_free(zb);
            simdepth_matrix_free(za);
        }
    }
    simdepth_test_csv_free(&pairs);
    simdepth_test_csv_free(&u);
}

/* The committed trees/real_{A,B}.csv (SciPy, gen_golden.py) are the trees
 * simdepth builds from the pipeline's scaled matrices: same merges, heights
 * to 1e-12, so the R goldens computed on them apply to our trees. */
static void test_real_trees(void)
{
    static const char *names[2] = {"real_A", "real_B"};
    int i;

    if (load_real() != 1) {
        CHECK(0, "cannot load the real models");
        return;
    }
    for (i = 0; i < 2; i++) {
        simdepth_matrix *g = read_tree(names[i]);
        size_t r, c;
        int ok = g != NULL && simdepth_matrix_rows(g) == 99 && simdepth_matrix_cols(g) == 4;

        for (r = 0; ok && r < 99; r++)
            for (c = 0; c < 4; c++) {
                double x = simdepth_matrix_get(real[i].z, r, c);
                double y = simdepth_matrix_get(g, r, c);
                if (c == 2 ? !close_to(x, y, 1e-12) : x != y) {
                    ok = 0;
                    CHECK(0, "%s row %zu col %zu: %.17g, golden %.17g", names[i], r, c, x, y);
                    break;
                }
            }
        CHECK(ok, "%s equals the tree built from the pipeline's matrix", names[i]);
        simdepth_matrix_free(g);
    }
}

/* ------------------------------------------------------------ registration */

int simdepth_test_add_compare(void)
{
    CU_pSuite s = CU_add_suite("compare", NULL, suite_cleanup);

    if (s == NULL || CU_add_test(s, "forest_diff_self", test_forest_diff_self) == NULL ||
        CU_add_test(s, "forest_diff_real_golden", test_forest_diff_real) == NULL ||
        CU_add_test(s, "forest_diff_small", test_forest_diff_small) == NULL ||
        CU_add_test(s, "nearest_neighbours", test_nearest_neighbours) == NULL ||
        CU_add_test(s, "similarity_changes", test_similarity_changes) == NULL ||
        CU_add_test(s, "entanglement_basic", test_entanglement_basic) == NULL ||
        CU_add_test(s, "untangle_property", test_untangle_property) == NULL ||
        CU_add_test(s, "untangle_errors", test_untangle_errors) == NULL ||
        CU_add_test(s, "untangle_real", test_untangle_real) == NULL ||
        CU_add_test(s, "real_trees_match_golden", test_real_trees) == NULL ||
        CU_add_test(s, "partition_golden_sklearn", test_partition_golden) == NULL ||
        CU_add_test(s, "partition_self", test_partition_self) == NULL ||
        CU_add_test(s, "item_agreement", test_item_agreement) == NULL ||
        CU_add_test(s, "linkage_golden_dendextend", test_linkage_golden) == NULL ||
        CU_add_test(s, "linkage_self", test_linkage_self) == NULL ||
        CU_add_test(s, "linkage_small", test_linkage_small) == NULL ||
        CU_add_test(s, "untangle_vs_dendextend", test_untangle_vs_dendextend) == NULL)
        return -1;
    return 0;
}
