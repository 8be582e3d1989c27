/* simdepth — similarity tests: cosine against a plain double-precision
 * reference, min-max scaling in float32 arithmetic, functional similarity. */
#include "config.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/simdepth.h"
#include "tests.h"

/* Tolerance of the float32 cosine (sgemm/ssyrk) against double: 1e-6. */
#define COS_TOL 1e-6

static uint64_t rng_state;

static double rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(rng_state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

static void cosine_case(size_t n, size_t d, simdepth_dtype dt, uint64_t seed)
{
    simdepth_matrix *t = NULL, *s = NULL;
    simdepth_error err;
    size_t i, j, k, bad = 0;
    double worst = 0.0;

    rng_state = seed;
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(n, d, dt, &t, &err), SIMDEPTH_OK);
    for (i = 0; i < n; i++)
        for (k = 0; k < d; k++)
            simdepth_matrix_set(t, i, k, rnd() * (1.0 + (double)(i % 7)));
    CU_ASSERT_EQUAL_FATAL(simdepth_similarity_cosine(t, &s, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_dtype(s), dt);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double dot = 0, na = 0, nb = 0, ref, got;
            for (k = 0; k < d; k++) {
                double a = simdepth_matrix_get(t, i, k), b = simdepth_matrix_get(t, j, k);
                dot += a * b;
                na += a * a;
                nb += b * b;
            }
            ref = dot / (sqrt(na) * sqrt(nb));
            got = simdepth_matrix_get(s, i, j);
            if (fabs(got - ref) > worst)
                worst = fabs(got - ref);
            bad += fabs(got - ref) > COS_TOL;
            /* Exactly symmetric by construction. */
            bad += got != simdepth_matrix_get(s, j, i);
        }
    if (bad)
        fprintf(stderr, "cosine %zux%zu: %zu mismatches, worst %.3g\n", n, d, bad, worst);
    CU_ASSERT_EQUAL(bad, 0);
    /* Normalising the caller's templates in place gives the same bytes. */
    {
        simdepth_matrix *s2 = NULL;
        size_t es = dt == SIMDEPTH_F32 ? sizeof(float) : sizeof(double);

        CU_ASSERT_EQUAL_FATAL(simdepth_similarity_cosine_inplace(t, &s2, &err), SIMDEPTH_OK);
        CU_ASSERT_EQUAL(memcmp(simdepth_matrix_cdata(s), simdepth_matrix_cdata(s2), n * n * es),
                        0);
        for (i = 0; i < n && n > 0; i++) { /* the rows now have unit norm */
            double ss = 0.0;
            for (k = 0; k < d; k++)
                ss += simdepth_matrix_get(t, i, k) * simdepth_matrix_get(t, i, k);
            CU_ASSERT_DOUBLE_EQUAL(ss, 1.0, 1e-5);
        }
        simdepth_matrix_free(s2);
    }
    simdepth_matrix_free(t);
    simdepth_matrix_free(s);
}

static void test_cosine(void)
{
    cosine_case(1, 5, SIMDEPTH_F32, 1);
    cosine_case(10, 64, SIMDEPTH_F32, 2);
    cosine_case(100, 768, SIMDEPTH_F32, 3);
    cosine_case(257, 33, SIMDEPTH_F32, 4);
    cosine_case(50, 128, SIMDEPTH_F64, 5);
}

static void test_cosine_zero_row(void)
{
    simdepth_matrix *t = NULL, *s = NULL;
    simdepth_error err;

    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(3, 4, SIMDEPTH_F32, &t, &err), SIMDEPTH_OK);
    simdepth_matrix_set(t, 0, 0, 1.0);
    simdepth_matrix_set(t, 2, 1, 1.0);
    CU_ASSERT_EQUAL(simdepth_similarity_cosine(t, &s, &err), SIMDEPTH_EINVAL);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "row 2"));
    simdepth_matrix_free(t);
}

static void test_minmax_float32(void)
{
    simdepth_matrix *s = NULL;
    simdepth_error err;
    float v[9] = {0.9f, -0.25f, 0.3f, -0.25f, 1.0f, 0.123456789f, 0.3f, 0.123456789f, 0.7f};
    float mn = -0.25f, range = 1.0f - (-0.25f);
    size_t k;

    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(3, 3, SIMDEPTH_F32, &s, &err), SIMDEPTH_OK);
    memcpy(simdepth_matrix_data(s), v, sizeof v);
    CU_ASSERT_EQUAL_FATAL(simdepth_similarity_minmax(s, &err), SIMDEPTH_OK);
    for (k = 0; k < 9; k++) {
        float want = (k % 4 == 0) ? 1.0f : (v[k] - mn) / range;
        CU_ASSERT_EQUAL(((float *)simdepth_matrix_data(s))[k], want);
    }
    /* A constant matrix has no range. */
    for (k = 0; k < 9; k++)
        ((float *)simdepth_matrix_data(s))[k] = 0.5f;
    CU_ASSERT_EQUAL(simdepth_similarity_minmax(s, &err), SIMDEPTH_EINVAL);
    simdepth_matrix_free(s);
}

static void test_functional(void)
{
    simdepth_matrix *c = NULL, *f = NULL;
    simdepth_error err;
    double counts[9] = {8, 2, 0, 1, 9, 0, 0, 5, 5};
    double rates[4] = {0.7, 0.3, 0.1, 0.9};

    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(3, 3, SIMDEPTH_F64, &c, &err), SIMDEPTH_OK);
    memcpy(simdepth_matrix_data(c), counts, sizeof counts);
    CU_ASSERT_EQUAL_FATAL(simdepth_similarity_functional(c, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_get(f, 0, 0), 1.0);
    CU_ASSERT_DOUBLE_EQUAL(simdepth_matrix_get(f, 0, 1), (0.2 + 0.1) / 2, 1e-15);
    CU_ASSERT_EQUAL(simdepth_matrix_get(f, 0, 1), simdepth_matrix_get(f, 1, 0));
    CU_ASSERT_DOUBLE_EQUAL(simdepth_matrix_get(f, 1, 2), (0.0 + 0.5) / 2, 1e-15);
    CU_ASSERT_DOUBLE_EQUAL(simdepth_confusion_rate(c, 2, 1), 0.5, 1e-15);
    simdepth_matrix_free(c);
    simdepth_matrix_free(f);
    /* Rows already summing to 1 are used bit for bit. */
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(2, 2, SIMDEPTH_F64, &c, &err), SIMDEPTH_OK);
    memcpy(simdepth_matrix_data(c), rates, sizeof rates);
    CU_ASSERT_EQUAL_FATAL(simdepth_similarity_functional(c, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_get(f, 0, 1), (0.3 + 0.1) / 2.0);
    simdepth_matrix_set(c, 1, 0, -1.0);
    simdepth_matrix_free(f);
    f = NULL;
    CU_ASSERT_EQUAL(simdepth_similarity_functional(c, &f, &err), SIMDEPTH_EINVAL);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_EQUAL(err.line, 2);
    simdepth_matrix_free(c);
}

/* The tiled functional similarity against the plain definition on
 * matrices whose size is not a multiple of the tile, bit for bit: each row
 * divided by its sum (double accumulation; in float32 by the sum rounded
 * to float32) unless it sums to 0 or to 1 within 1e-6, then (R + R^T) / 2
 * and a diagonal of 1. */
static void functional_case(size_t n, simdepth_dtype dt, uint64_t seed)
{
    simdepth_matrix *c = NULL, *f = NULL;
    simdepth_error err;
    double *r;
    size_t i, j, bad = 0;

    rng_state = seed;
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(n, n, dt, &c, &err), SIMDEPTH_OK);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double v = rnd();
            /* sparse counts; row 3 all zero; row 5 already rates */
            simdepth_matrix_set(c, i, j, i == 3 ? 0.0 : v > 0.6 ? floor(v * 10.0) : 0.0);
        }
    for (j = 0; j < n; j++)
        simdepth_matrix_set(c, 5, j, j == 0 ? 1.0 : 0.0);
    r = calloc(n * n, sizeof *r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (i = 0; i < n; i++) {
        double sum = 0.0;
        for (j = 0; j < n; j++)
            sum += simdepth_matrix_get(c, i, j);
        for (j = 0; j < n; j++) {
            double v = simdepth_matrix_get(c, i, j);
            if (sum > 0.0 && fabs(sum - 1.0) > 1e-6)
                v = dt == SIMDEPTH_F32 ? (double)((float)v / (float)sum) : v / sum;
            r[i * n + j] = v;
        }
    }
    CU_ASSERT_EQUAL_FATAL(simdepth_similarity_functional(c, &f, &err), SIMDEPTH_OK);
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double want = i == j ? 1.0
                          : dt == SIMDEPTH_F32
                              ? (double)(((float)r[i * n + j] + (float)r[j * n + i]) / 2.0f)
                              : (r[i * n + j] + r[j * n + i]) / 2.0;
            bad += simdepth_matrix_get(f, i, j) != want;
        }
    CU_ASSERT_EQUAL(bad, 0);
    free(r);
    simdepth_matrix_free(c);
    simdepth_matrix_free(f);
}

static void test_functional_tiled(void)
{
    functional_case(7, SIMDEPTH_F64, 11);
    functional_case(130, SIMDEPTH_F32, 12);
    functional_case(201, SIMDEPTH_F64, 13);
}

int simdepth_test_add_similarity(void)
{
    CU_pSuite s = CU_add_suite("similarity", NULL, NULL);

    if (s == NULL || CU_add_test(s, "cosine vs double reference (1e-6)", test_cosine) == NULL ||
        CU_add_test(s, "cosine of a zero template", test_cosine_zero_row) == NULL ||
        CU_add_test(s, "min-max in float32 arithmetic", test_minmax_float32) == NULL ||
        CU_add_test(s, "functional similarity", test_functional) == NULL ||
        CU_add_test(s, "functional similarity, tiled, against the definition",
                    test_functional_tiled) == NULL)
        return -1;
    return 0;
}
