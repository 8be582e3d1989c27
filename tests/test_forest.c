/* simdepth — spanning forest tests: hand-made cases with ties and zero
 * weights, and agreement with an independent Kruskal written here (sort all
 * edges by weight descending then (i, j), union-find) on random matrices
 * whose values sit on a coarse grid so that ties are frequent. */
#include "config.h"

#include <CUnit/CUnit.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/simdepth.h"
#include "tests.h"

static simdepth_matrix *matrix_from(size_t n, const double *v)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;

    if (simdepth_matrix_new(n, n, SIMDEPTH_F64, &m, &err) != SIMDEPTH_OK)
        return NULL;
    memcpy(simdepth_matrix_data(m), v, n * n * sizeof *v);
    return m;
}

static void test_ties_by_index(void)
{
    /* All off-diagonal weights equal: the tree is the star from class 0,
     * edges (0,1), (0,2), (0,3) in that order. */
    double v[16] = {1, .5, .5, .5, .5, 1, .5, .5, .5, .5, 1, .5, .5, .5, .5, 1};
    simdepth_matrix *s = matrix_from(4, v);
    simdepth_partition *p = NULL;
    simdepth_forest *f = NULL;
    simdepth_error err;
    size_t k;

    CU_ASSERT_EQUAL_FATAL(simdepth_partition_new(4, "test", &p, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_forest_build(s, p, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(f->n_edges, 3);
    for (k = 0; k < 3; k++) {
        CU_ASSERT_EQUAL(f->edges[k].a, 0);
        CU_ASSERT_EQUAL(f->edges[k].b, k + 1);
    }
    simdepth_forest_free(f);
    simdepth_partition_free(p);
    simdepth_matrix_free(s);
}

static void test_clusters_and_zeros(void)
{
    /* Two clusters {0,2,4} and {1,3}; inside the first, 0-4 has weight 0
     * and 2 is tied to both. */
    double v[25] = {
        1,  .9, .3, .1, 0,
        .9, 1,  .2, .8, .2,
        .3, .2, 1,  .1, .3,
        .1, .8, .1, 1,  .1,
        0,  .2, .3, .1, 1,
    };
    simdepth_matrix *s = matrix_from(5, v);
    simdepth_partition *p = NULL;
    simdepth_forest *f = NULL;
    simdepth_error err;

    CU_ASSERT_EQUAL_FATAL(simdepth_partition_new(5, "test", &p, &err), SIMDEPTH_OK);
    p->labels[1] = p->labels[3] = 1;
    simdepth_partition_recount(p);
    CU_ASSERT_EQUAL(p->n_clusters, 2);
    CU_ASSERT_EQUAL_FATAL(simdepth_forest_build(s, p, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(f->n_edges, 3);
    CU_ASSERT_EQUAL(f->edges[0].a, 0);
    CU_ASSERT_EQUAL(f->edges[0].b, 2);
    CU_ASSERT_EQUAL(f->edges[1].a, 2);
    CU_ASSERT_EQUAL(f->edges[1].b, 4);
    CU_ASSERT_EQUAL(f->edges[2].a, 1);
    CU_ASSERT_EQUAL(f->edges[2].b, 3);
    CU_ASSERT_EQUAL(f->edges[2].cluster, 1);
    simdepth_forest_free(f);

    /* All weights zero in a cluster: no edges at all (a forest of points). */
    memset(simdepth_matrix_data(s), 0, 25 * sizeof(double));
    CU_ASSERT_EQUAL_FATAL(simdepth_forest_build(s, p, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(f->n_edges, 0);
    simdepth_forest_free(f);
    simdepth_partition_free(p);
    simdepth_matrix_free(s);
}

/* ---- independent Kruskal ---- */
typedef struct kedge {
    double w;
    size_t a, b;
} kedge;

static int kcmp(const void *x, const void *y)
{
    const kedge *p = x, *q = y;
    if (p->w != q->w)
        return p->w > q->w ? -1 : 1;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

static size_t kfind(size_t *par, size_t x)
{
    while (par[x] != x)
        x = par[x];
    return x;
}

static uint64_t st;

static unsigned rnd(unsigned mod)
{
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)(st >> 33) % mod;
}

static void random_case(size_t n, unsigned grid, unsigned k, uint64_t seed)
{
    simdepth_matrix *s = NULL;
    simdepth_partition *p = NULL;
    simdepth_forest *f = NULL;
    simdepth_error err;
    kedge *e = malloc(n * n * sizeof *e), *res = malloc(n * sizeof *res);
    size_t *par = malloc(n * sizeof *par);
    size_t i, j, ne = 0, nr = 0, bad = 0;

    st = seed;
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(n, n, SIMDEPTH_F64, &s, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_partition_new(n, "test", &p, &err), SIMDEPTH_OK);
    for (i = 0; i < n; i++) {
        p->labels[i] = (int32_t)rnd(k);
        par[i] = i;
        for (j = 0; j < i; j++) {
            double w = (double)rnd(grid) / grid; /* includes 0: non-edges */
            simdepth_matrix_set(s, i, j, w);
            simdepth_matrix_set(s, j, i, w);
        }
        simdepth_matrix_set(s, i, i, 1.0);
    }
    simdepth_partition_recount(p);
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            if (p->labels[i] == p->labels[j] && simdepth_matrix_get(s, j, i) != 0.0) {
                e[ne].w = simdepth_matrix_get(s, j, i);
                e[ne].a = i;
                e[ne].b = j;
                ne++;
            }
    qsort(e, ne, sizeof *e, kcmp);
    for (i = 0; i < ne; i++) {
        size_t ra = kfind(par, e[i].a), rb = kfind(par, e[i].b);
        if (ra != rb) {
            par[ra] = rb;
            res[nr++] = e[i];
        }
    }
    CU_ASSERT_EQUAL_FATAL(simdepth_forest_build(s, p, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(f->n_edges, nr);
    for (i = 0; i < nr; i++) {
        int found = 0;
        for (j = 0; j < f->n_edges; j++)
            found |= f->edges[j].a == res[i].a && f->edges[j].b == res[i].b;
        bad += !found;
    }
    if (bad)
        fprintf(stderr, "random forest n=%zu grid=%u k=%u seed=%llu: %zu edges differ\n", n,
                grid, k, (unsigned long long)seed, bad);
    CU_ASSERT_EQUAL(bad, 0);
    simdepth_forest_free(f);
    simdepth_partition_free(p);
    simdepth_matrix_free(s);
    free(e);
    free(res);
    free(par);
}

static void test_against_kruskal(void)
{
    uint64_t seed;

    for (seed = 1; seed <= 20; seed++) {
        random_case(2 + (size_t)seed * 3, 4, 1, seed);     /* heavy ties, one cluster */
        random_case(40, 8, 3 + (unsigned)seed % 4, seed); /* ties, several clusters */
        random_case(60, 1000, 5, seed);                    /* few ties */
    }
}

int simdepth_test_add_forest(void)
{
    CU_pSuite s = CU_add_suite("forest", NULL, NULL);

    if (s == NULL || CU_add_test(s, "ties broken by class index", test_ties_by_index) == NULL ||
        CU_add_test(s, "clusters and zero weights", test_clusters_and_zeros) == NULL ||
        CU_add_test(s, "equals an independent Kruskal", test_against_kruskal) == NULL)
        return -1;
    return 0;
}
