/* simdepth — Similarity Depth and compliance on hand-made graphs. */
#include "config.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/simdepth.h"
#include "tests.h"

static simdepth_forest *forest_of(size_t n, size_t ne, const size_t (*pairs)[2],
                                  const int32_t *cluster)
{
    simdepth_forest *f = calloc(1, sizeof *f);
    size_t k;

    f->n_nodes = n;
    f->n_edges = ne;
    f->edges = calloc(ne ? ne : 1, sizeof *f->edges);
    for (k = 0; k < ne; k++) {
        f->edges[k].a = pairs[k][0];
        f->edges[k].b = pairs[k][1];
        f->edges[k].cluster = cluster[k];
        f->edges[k].weight = 1.0;
    }
    return f;
}

static void test_compliance(void)
{
    /* 6 classes. Perceived: clusters {0,1,2} {3,4} {5}; tree 0-1, 1-2, 3-4.
     * Confusion: clusters {0,1} {2,3,4,5}; tree 0-1, 2-3, 3-4, 4-5. */
    const size_t np[3][2] = {{0, 1}, {1, 2}, {3, 4}};
    const int32_t nc[3] = {0, 0, 1};
    const size_t fp[4][2] = {{0, 1}, {2, 3}, {3, 4}, {4, 5}};
    const int32_t fc[4] = {0, 1, 1, 1};
    simdepth_forest *fn = forest_of(6, 3, np, nc), *ff = forest_of(6, 4, fp, fc);
    simdepth_partition *pn = NULL, *pf = NULL;
    simdepth_compliance c;
    simdepth_error err;
    const int32_t ln[6] = {0, 0, 0, 1, 1, 2}, lf[6] = {0, 0, 1, 1, 1, 1};

    CU_ASSERT_EQUAL_FATAL(simdepth_partition_new(6, "n", &pn, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_partition_new(6, "f", &pf, &err), SIMDEPTH_OK);
    memcpy(pn->labels, ln, sizeof ln);
    memcpy(pf->labels, lf, sizeof lf);
    CU_ASSERT_EQUAL_FATAL(simdepth_compliance_compute(fn, pn, ff, pf, &c, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(c.common_edges, 2); /* 0-1 and 3-4 */
    CU_ASSERT_DOUBLE_EQUAL(c.direct_perceived_in_confusion, 2.0 / 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(c.direct_confusion_explained, 2.0 / 4.0, 1e-15);
    /* N edges inside an F cluster: 0-1 yes, 1-2 no, 3-4 yes. */
    CU_ASSERT_EQUAL(c.extended_perceived_matched, 2);
    /* F edges inside an N cluster: 0-1 yes, 2-3 no, 3-4 yes, 4-5 no (5 is
     * alone, and has no N edge). */
    CU_ASSERT_EQUAL(c.extended_confusion_matched, 2);
    CU_ASSERT_DOUBLE_EQUAL(c.extended_confusion_explained, 0.5, 1e-15);
    simdepth_forest_free(fn);
    simdepth_forest_free(ff);
    simdepth_partition_free(pn);
    simdepth_partition_free(pf);
}

static void test_sd_means(void)
{
    simdepth_edge_info e[3];

    memset(e, 0, sizeof e);
    e[0].lcs_depth = 7;
    e[1].lcs_depth = 8;
    e[2].lcs_depth = 13;
    e[0].wup = 0.5;
    e[1].wup = 0.25;
    e[2].wup = 0.75;
    CU_ASSERT_DOUBLE_EQUAL(simdepth_similarity_depth(e, 3), 28.0 / 3.0, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(simdepth_mean_wup(e, 3), 0.5, 1e-15);
    CU_ASSERT_TRUE(isnan(simdepth_similarity_depth(e, 0)));
}

int simdepth_test_add_metrics(void)
{
    CU_pSuite s = CU_add_suite("metrics", NULL, NULL);

    if (s == NULL || CU_add_test(s, "direct and extended compliance", test_compliance) == NULL ||
        CU_add_test(s, "SD and mean WUP", test_sd_means) == NULL)
        return -1;
    return 0;
}
