/* simdepth — matrix and error-model tests. */
#include "config.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "simdepth/simdepth.h"
#include "tests.h"

static void test_new_and_access(void)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;

    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(2, 3, SIMDEPTH_F32, &m, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_rows(m), 2);
    CU_ASSERT_EQUAL(simdepth_matrix_cols(m), 3);
    CU_ASSERT_EQUAL(simdepth_matrix_get(m, 1, 2), 0.0);
    simdepth_matrix_set(m, 1, 2, 0.1);
    CU_ASSERT_EQUAL(simdepth_matrix_get(m, 1, 2), (double)0.1f);
    simdepth_matrix_free(m);
    simdepth_matrix_free(NULL);
}

static void test_overflow(void)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;

    CU_ASSERT_EQUAL(simdepth_matrix_new(SIZE_MAX / 2, 3, SIMDEPTH_F64, &m, &err), SIMDEPTH_ENOMEM);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "does not fit"));
    CU_ASSERT_EQUAL(simdepth_matrix_new(2, 2, (simdepth_dtype)7, &m, &err), SIMDEPTH_EINVAL);
    CU_ASSERT_PTR_NULL(m);
}

static void test_convert_and_finite(void)
{
    simdepth_matrix *m = NULL, *c = NULL;
    simdepth_error err;

    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(2, 2, SIMDEPTH_F32, &m, &err), SIMDEPTH_OK);
    simdepth_matrix_set(m, 0, 1, 1.5);
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_convert(m, SIMDEPTH_F64, &c, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_dtype(c), SIMDEPTH_F64);
    CU_ASSERT_EQUAL(simdepth_matrix_get(c, 0, 1), 1.5);
    CU_ASSERT_EQUAL(simdepth_matrix_check_finite(c, "x.npy", &err), SIMDEPTH_OK);
    simdepth_matrix_set(c, 1, 0, INFINITY);
    CU_ASSERT_EQUAL(simdepth_matrix_check_finite(c, "x.npy", &err), SIMDEPTH_EFORMAT);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.column, 1);
    CU_ASSERT_STRING_EQUAL(err.file, "x.npy");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "+Inf"));
    simdepth_matrix_free(m);
    simdepth_matrix_free(c);
}

static void test_error_format(void)
{
    simdepth_error err;
    char buf[256];

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(err.offset, -1);
    err.status = SIMDEPTH_EFORMAT;
    strcpy(err.file, "a.csv");
    err.line = 3;
    err.column = 2;
    strcpy(err.message, "field 'x' is not a number");
    simdepth_error_format(&err, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "a.csv:3:2: field 'x' is not a number");
    err.line = 0;
    err.offset = 10;
    simdepth_error_format(&err, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "a.csv: byte 10: field 'x' is not a number");
    CU_ASSERT_STRING_EQUAL(simdepth_status_string(SIMDEPTH_ENOMEM), "out of memory");
}

int simdepth_test_add_matrix(void)
{
    CU_pSuite s = CU_add_suite("matrix", NULL, NULL);

    if (s == NULL || CU_add_test(s, "new, get, set", test_new_and_access) == NULL ||
        CU_add_test(s, "size overflow and bad dtype", test_overflow) == NULL ||
        CU_add_test(s, "convert and finiteness", test_convert_and_finite) == NULL ||
        CU_add_test(s, "error formatting", test_error_format) == NULL)
        return -1;
    return 0;
}
