/* simdepth — .npy through the tensor-file API (suite "npy").
 *
 * Good inputs are files numpy itself wrote (tests/data/npy, see
 * gen_npy.py): format versions 1.0, 2.0 and 3.0, every supported dtype in
 * both byte orders, C and Fortran order, other ranks, an object array.
 * Their values follow formulas recomputed here or are listed in
 * ".expected" files, and are compared element by element, exactly.
 * Malformed inputs are built at test time from the byte strings in
 * bad_npy[] inside a mkdtemp directory, so the repository holds no binary
 * junk. Table-driven assertions name their row in the CUnit failure text
 * and print the actual values to stderr.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simdepth/simdepth.h"
#include "simdepth/tensor.h"
#include "tests.h"

/* ------------------------------------------------------------ helpers */

static char tmp_dir[4096];

#define ROW_CHECK(ok, row, ...) \
    simdepth_test_row_check((ok) != 0, "npy", (row), __FILE__, __LINE__, __VA_ARGS__)

static const char *tmp_path(const char *name)
{
    static char buf[4][4200];
    static int slot;
    char *out = buf[slot++ % 4];

    snprintf(out, 4200, "%s/%s", tmp_dir, name);
    return out;
}

static const char *data_npy(const char *file)
{
    char rel[256];

    snprintf(rel, sizeof rel, "npy/%s", file);
    return simdepth_test_data(rel);
}

static int suite_init(void)
{
    return simdepth_test_tmpdir(tmp_dir, sizeof tmp_dir, "npy");
}

static int suite_clean(void)
{
    simdepth_test_remove_tree(tmp_dir);
    return 0;
}

/* Equal as doubles with the same sign for zeros, or both NaN. */
static int same_value(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return a == b && signbit(a) == signbit(b);
}

/* Value formulas of gen_npy.py, k the C-order flat index. */
typedef enum { V_FLOAT, V_INT, V_BIG, V_WIDE, V_U8, V_BOOL, V_EXPECTED, V_NONE } values_kind;

static double formula(values_kind kind, size_t k)
{
    long long i = (long long)k;

    switch (kind) {
    case V_FLOAT: return (double)i * 0.5 - 3;
    case V_INT: return (double)(i * 7 - 20);
    case V_BIG: return (double)(i * 8589934592LL - 5);
    case V_WIDE: return (double)(i * 100003 - 700001);
    case V_U8: return (double)(i * 7 + 3);
    case V_BOOL: return i % 3 == 0 ? 1.0 : 0.0;
    default: return NAN;
    }
}

/* "ROWS COLS" then one value per line; NULL on any problem. */
static double *load_expected(const char *path, size_t rows, size_t cols)
{
    char *text = simdepth_test_slurp(path, NULL), *p, *end;
    double *v = NULL;
    size_t k;

    if (text == NULL)
        return NULL;
    if (strtoul(text, &p, 10) != rows || strtoul(p, &p, 10) != cols)
        goto out;
    v = malloc((rows * cols + 1) * sizeof *v);
    if (v == NULL)
        goto out;
    for (k = 0; k < rows * cols; k++) {
        v[k] = strtod(p, &end);
        if (end == p) {
            free(v);
            v = NULL;
            goto out;
        }
        p = end;
    }
out:
    free(text);
    return v;
}

/* Compare @m element by element with the formula or the .expected file. */
static void check_values(const char *row, const simdepth_matrix *m, values_kind kind,
                         const char *expected_file)
{
    size_t rows = simdepth_matrix_rows(m), cols = simdepth_matrix_cols(m), i, j, bad = 0;
    double *want = NULL;

    if (kind == V_EXPECTED) {
        want = load_expected(data_npy(expected_file), rows, cols);
        ROW_CHECK(want != NULL, row, "cannot read %s as %zu x %zu values", expected_file, rows,
                  cols);
        if (want == NULL)
            return;
    }
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            double got = simdepth_matrix_get(m, i, j);
            double e = want ? want[i * cols + j] : formula(kind, i * cols + j);
            if (!same_value(got, e) && bad++ < 3)
                ROW_CHECK(0, row, "element (%zu, %zu) is %.17g, expected %.17g", i, j, got, e);
        }
    ROW_CHECK(bad == 0, row, "%zu of %zu elements differ", bad, rows * cols);
    free(want);
}

/* ------------------------------------------ (a) files numpy wrote */

typedef struct good_npy {
    const char *file;
    simdepth_tensor_dtype dtype;
    int ndim;
    size_t shape[3];
    values_kind kind;
    const char *expected;
    long long header_at; /* where the header dict starts: 10 (1.0) or 12 */
} good_npy;

#define D3x4 2, {3, 4, 0}
#define D3x5 2, {3, 5, 0}

static const good_npy good_files[] = {
    /* format versions */
    {"v1_f8.npy", SIMDEPTH_TENSOR_F64, D3x4, V_FLOAT, NULL, 10},
    {"v2_f8.npy", SIMDEPTH_TENSOR_F64, D3x4, V_FLOAT, NULL, 12},
    {"v3_f8.npy", SIMDEPTH_TENSOR_F64, D3x4, V_FLOAT, NULL, 12},
    {"v3_be_f4_fortran.npy", SIMDEPTH_TENSOR_F32, D3x5, V_FLOAT, NULL, 12},
    /* every dtype, both byte orders */
    {"f2_le.npy", SIMDEPTH_TENSOR_F16, D3x4, V_FLOAT, NULL, 10},
    {"f2_be.npy", SIMDEPTH_TENSOR_F16, D3x4, V_FLOAT, NULL, 10},
    {"f4_le.npy", SIMDEPTH_TENSOR_F32, D3x4, V_FLOAT, NULL, 10},
    {"f4_be.npy", SIMDEPTH_TENSOR_F32, D3x4, V_FLOAT, NULL, 10},
    {"f8_le.npy", SIMDEPTH_TENSOR_F64, D3x4, V_FLOAT, NULL, 10},
    {"f8_be.npy", SIMDEPTH_TENSOR_F64, D3x4, V_FLOAT, NULL, 10},
    {"i8_le.npy", SIMDEPTH_TENSOR_I64, D3x4, V_BIG, NULL, 10},
    {"i8_be.npy", SIMDEPTH_TENSOR_I64, D3x4, V_BIG, NULL, 10},
    {"i4_le.npy", SIMDEPTH_TENSOR_I32, D3x4, V_WIDE, NULL, 10},
    {"i4_be.npy", SIMDEPTH_TENSOR_I32, D3x4, V_WIDE, NULL, 10},
    {"i2_le.npy", SIMDEPTH_TENSOR_I16, D3x4, V_INT, NULL, 10},
    {"i2_be.npy", SIMDEPTH_TENSOR_I16, D3x4, V_INT, NULL, 10},
    {"i1.npy", SIMDEPTH_TENSOR_I8, D3x4, V_INT, NULL, 10},
    {"u1.npy", SIMDEPTH_TENSOR_U8, D3x4, V_U8, NULL, 10},
    {"b1.npy", SIMDEPTH_TENSOR_BOOL, D3x4, V_BOOL, NULL, 10},
    /* Fortran order */
    {"f8_le_fortran.npy", SIMDEPTH_TENSOR_F64, D3x5, V_FLOAT, NULL, 10},
    {"f2_be_fortran.npy", SIMDEPTH_TENSOR_F16, D3x5, V_FLOAT, NULL, 10},
    {"i8_le_fortran.npy", SIMDEPTH_TENSOR_I64, D3x5, V_BIG, NULL, 10},
    {"u1_fortran.npy", SIMDEPTH_TENSOR_U8, D3x5, V_U8, NULL, 10},
    /* exact values from .expected files */
    {"random_f8.npy", SIMDEPTH_TENSOR_F64, 2, {4, 6, 0}, V_EXPECTED, "random_f8.expected", 10},
    {"random_f8_be_fortran.npy", SIMDEPTH_TENSOR_F64, 2, {4, 6, 0}, V_EXPECTED,
     "random_f8.expected", 10},
    {"random_f4.npy", SIMDEPTH_TENSOR_F32, 2, {5, 3, 0}, V_EXPECTED, "random_f4.expected", 10},
    {"random_f2.npy", SIMDEPTH_TENSOR_F16, 2, {4, 5, 0}, V_EXPECTED, "random_f2.expected", 10},
    {"special_f2.npy", SIMDEPTH_TENSOR_F16, D3x4, V_EXPECTED, "special_f2.expected", 10},
    /* other ranks */
    {"f8_1d.npy", SIMDEPTH_TENSOR_F64, 1, {7, 0, 0}, V_FLOAT, NULL, 10},
    {"f4_empty.npy", SIMDEPTH_TENSOR_F32, 2, {0, 4, 0}, V_FLOAT, NULL, 10},
    {"f4_3d.npy", SIMDEPTH_TENSOR_F32, 3, {2, 3, 4}, V_NONE, NULL, 10},
    {"f4_3d_fortran.npy", SIMDEPTH_TENSOR_F32, 3, {2, 3, 4}, V_NONE, NULL, 10},
    {"f8_0d.npy", SIMDEPTH_TENSOR_F64, 0, {0, 0, 0}, V_NONE, NULL, 10},
};

static simdepth_dtype matrix_dtype_of(simdepth_tensor_dtype d)
{
    return d == SIMDEPTH_TENSOR_F16 || d == SIMDEPTH_TENSOR_BF16 || d == SIMDEPTH_TENSOR_F32
               ? SIMDEPTH_F32
               : SIMDEPTH_F64;
}

static void check_good_open(const good_npy *g)
{
    const char *path = data_npy(g->file);
    simdepth_tensor_file *f = NULL;
    simdepth_matrix *m = NULL;
    const simdepth_tensor_info *info;
    simdepth_error err;
    simdepth_status st;
    size_t count = 1, idx = 99;
    char why[100];
    int k, shape_ok;

    simdepth_error_clear(&err);
    st = simdepth_tensor_file_open(path, &f, &err);
    ROW_CHECK(st == SIMDEPTH_OK, g->file, "open: status %d (%s)", (int)st, err.message);
    if (st != SIMDEPTH_OK)
        return;
    ROW_CHECK(strcmp(simdepth_tensor_file_format(f), "npy") == 0, g->file, "format '%s'",
              simdepth_tensor_file_format(f));
    ROW_CHECK(simdepth_tensor_file_count(f) == 1, g->file, "%zu tensors, expected 1",
              simdepth_tensor_file_count(f));
    info = simdepth_tensor_file_info(f, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(info);
    CU_ASSERT_PTR_NULL(simdepth_tensor_file_info(f, 1));
    ROW_CHECK(strcmp(info->name, "") == 0, g->file, "name '%s', expected ''", info->name);
    ROW_CHECK(info->dtype == g->dtype, g->file, "dtype %s, expected %s",
              simdepth_tensor_dtype_name(info->dtype), simdepth_tensor_dtype_name(g->dtype));
    shape_ok = info->ndim == g->ndim;
    for (k = 0; shape_ok && k < g->ndim; k++) {
        shape_ok = info->shape[k] == g->shape[k];
        count *= g->shape[k];
    }
    ROW_CHECK(shape_ok, g->file, "ndim %d shape (%zu, %zu, %zu), expected ndim %d", info->ndim,
              info->shape[0], info->shape[1], info->shape[2], g->ndim);
    ROW_CHECK(info->nbytes == count * simdepth_tensor_dtype_size(g->dtype), g->file,
              "nbytes %zu", info->nbytes);
    /* The array is the classifier exactly when it is a matrix. */
    if (g->ndim == 2)
        ROW_CHECK(simdepth_tensor_file_pick(f, 0, &idx, why, sizeof why, &err) == SIMDEPTH_OK &&
                      idx == 0,
                  g->file, "pick chose %zu", idx);
    else
        ROW_CHECK(simdepth_tensor_file_pick(f, 0, &idx, why, sizeof why, &err) ==
                      SIMDEPTH_ENOTFOUND,
                  g->file, "pick accepted a %d-D array", g->ndim);

    st = simdepth_tensor_file_read(f, 0, &m, &err);
    if (g->ndim == 1 || g->ndim == 2) {
        ROW_CHECK(st == SIMDEPTH_OK, g->file, "read: status %d (%s)", (int)st, err.message);
        if (st == SIMDEPTH_OK) {
            size_t rows = g->ndim == 1 ? 1 : g->shape[0];
            size_t cols = g->ndim == 1 ? g->shape[0] : g->shape[1];
            ROW_CHECK(simdepth_matrix_rows(m) == rows && simdepth_matrix_cols(m) == cols,
                      g->file, "read as %zu x %zu, expected %zu x %zu",
                      simdepth_matrix_rows(m), simdepth_matrix_cols(m), rows, cols);
            ROW_CHECK(simdepth_matrix_dtype(m) == matrix_dtype_of(g->dtype), g->file,
                      "matrix dtype %d", (int)simdepth_matrix_dtype(m));
            if (simdepth_matrix_rows(m) == rows && simdepth_matrix_cols(m) == cols)
                check_values(g->file, m, g->kind, g->expected);
        }
    } else {
        ROW_CHECK(st == SIMDEPTH_EUNSUPPORTED, g->file, "read of a %d-D array: status %d",
                  g->ndim, (int)st);
        ROW_CHECK(m == NULL, g->file, "*out set after a failed read");
        ROW_CHECK(strstr(err.message, "expected a 2-D matrix") != NULL &&
                      strcmp(err.file, path) == 0,
                  g->file, "read error '%s' in '%s'", err.message, err.file);
    }
    simdepth_matrix_free(m);
    simdepth_tensor_file_free(f);
}

static void test_good_open(void)
{
    size_t t;

    for (t = 0; t < sizeof good_files / sizeof good_files[0]; t++)
        check_good_open(&good_files[t]);
}

/* simdepth_npy_read: 2-D arrays become matrices, other ranks are refused
 * at the header. */
static void check_good_npy_read(const good_npy *g)
{
    const char *path = data_npy(g->file);
    simdepth_matrix *m = NULL;
    simdepth_error err;
    simdepth_status st;

    memset(&err, 0x5a, sizeof err);
    st = simdepth_npy_read(path, &m, &err);
    if (g->ndim == 2) {
        ROW_CHECK(st == SIMDEPTH_OK, g->file, "npy_read: status %d (%s)", (int)st,
                  st == SIMDEPTH_OK ? "" : err.message);
        if (st != SIMDEPTH_OK)
            return;
        ROW_CHECK(simdepth_matrix_rows(m) == g->shape[0] &&
                      simdepth_matrix_cols(m) == g->shape[1] &&
                      simdepth_matrix_dtype(m) == matrix_dtype_of(g->dtype),
                  g->file, "npy_read gave %zu x %zu dtype %d", simdepth_matrix_rows(m),
                  simdepth_matrix_cols(m), (int)simdepth_matrix_dtype(m));
        check_values(g->file, m, g->kind, g->expected);
        simdepth_matrix_free(m);
        return;
    }
    ROW_CHECK(st == SIMDEPTH_EUNSUPPORTED, g->file, "npy_read of a %d-D array: status %d",
              g->ndim, (int)st);
    ROW_CHECK(m == NULL, g->file, "*out set after a failure");
    ROW_CHECK(strstr(err.message, "expected a 2-D matrix") != NULL, g->file,
              "message '%s'", err.message);
    ROW_CHECK(strcmp(err.file, path) == 0, g->file, "err.file '%s'", err.file);
    ROW_CHECK(err.offset == g->header_at, g->file, "err.offset %lld, expected %lld",
              err.offset, g->header_at);
    simdepth_matrix_free(m);
}

static void test_good_npy_read(void)
{
    size_t t;

    for (t = 0; t < sizeof good_files / sizeof good_files[0]; t++)
        check_good_npy_read(&good_files[t]);
}

static void test_object_array(void)
{
    const char *path = data_npy("object.npy");
    simdepth_tensor_file *f = NULL;
    simdepth_matrix *m = NULL;
    simdepth_error err;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_tensor_file_open(path, &f, &err), SIMDEPTH_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "pickle"));
    CU_ASSERT_STRING_EQUAL(err.file, path);
    CU_ASSERT_EQUAL(err.offset, 10);
    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_npy_read(path, &m, &err), SIMDEPTH_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "pickle"));
}

/* ------------------------------------- (b) headers built at test time */

/* An .npy from parts: version major.0, the dict padded with spaces and
 * '\n' to a 64-byte boundary as numpy does (or not padded at all), the
 * declared header length (-1: the real one), @data bytes, then the file
 * cut to @cut bytes (0: not cut). */
typedef struct npy_parts {
    int major;
    const char *dict;
    long long hlen;
    size_t data;
    size_t cut;
    int no_pad;
    size_t dict_len; /* 0: strlen(dict); set when the dict holds a NUL */
} npy_parts;

/* Data bytes: the float formula as '<f8' when @f8 is set, else a pattern. */
static size_t build_npy(const npy_parts *b, int f8, unsigned char *buf, size_t cap,
                        long long *hdr_at, long long *data_at)
{
    size_t pre = b->major == 1 ? 10 : 12, hlen, k, n;
    size_t dlen = b->dict_len ? b->dict_len : strlen(b->dict);
    unsigned long long declared;

    hlen = dlen + 1;
    while (!b->no_pad && (pre + hlen) % 64 != 0)
        hlen++;
    if (pre + hlen + b->data > cap)
        return 0;
    memcpy(buf, "\x93NUMPY", 6);
    buf[6] = (unsigned char)b->major;
    buf[7] = 0;
    declared = b->hlen >= 0 ? (unsigned long long)b->hlen : hlen;
    for (k = 0; k < pre - 8; k++)
        buf[8 + k] = (unsigned char)(declared >> (8 * k));
    memcpy(buf + pre, b->dict, dlen);
    memset(buf + pre + dlen, ' ', hlen - dlen - 1);
    buf[pre + hlen - 1] = '\n';
    for (k = 0; k < b->data; k++)
        buf[pre + hlen + k] = (unsigned char)(k * 37 + 1);
    if (f8)
        for (k = 0; k + 8 <= b->data; k += 8) {
            double v = formula(V_FLOAT, k / 8);
            uint64_t bits;
            int i;
            memcpy(&bits, &v, 8);
            for (i = 0; i < 8; i++)
                buf[pre + hlen + k + (size_t)i] = (unsigned char)(bits >> (8 * i));
        }
    *hdr_at = (long long)pre;
    *data_at = (long long)(pre + hlen);
    n = pre + hlen + b->data;
    return b->cut != 0 && b->cut < n ? b->cut : n;
}

#define OFF_ANY (-99LL)
#define OFF_HDR (-98LL)
#define OFF_DATA (-97LL)

typedef struct bad_npy {
    const char *name;
    const char *bytes; /* raw content when parts.major == 0 */
    size_t len;
    npy_parts parts;
    simdepth_status status;
    const char *msg, *msg2;
    long long offset;
} bad_npy;

#define RAW(s) .bytes = (s), .len = sizeof(s) - 1
#define NPY(maj, d, n) .parts = {(maj), (d), -1, (n), 0, 0}
#define NPY_CUT(maj, d, n, c) .parts = {(maj), (d), -1, (n), (c), 0}
#define NPY_HLEN(maj, d, h, n) .parts = {(maj), (d), (h), (n), 0, 0}
#define F8_2x3 "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
#define F8(shape) "{'descr': '<f8', 'fortran_order': False, 'shape': " shape ", }"
#define DESCR(d) "{'descr': '" d "', 'fortran_order': False, 'shape': (2, 3), }"
#define DICT_NUL "{'descr': '\0f8', 'fortran_order': False, 'shape': (2, 3), }"

static const bad_npy bad_npy_rows[] = {
    /* --- truncated at every structural boundary */
    {"4 bytes of the magic", RAW("\x93NUM"), .status = SIMDEPTH_EFORMAT,
     .msg = "not a tensor file", .offset = 0},
    {"bad magic", RAW("\x93NUMPX\x01\x00\x10\x00{'descr': '<f8'}"),
     .status = SIMDEPTH_EFORMAT, .msg = "not a tensor file", .offset = 0},
    {"ends after the magic", RAW("\x93NUMPY"), .status = SIMDEPTH_EFORMAT,
     .msg = "ends inside the .npy preamble", .msg2 = "version", .offset = 6},
    {"ends inside the version", RAW("\x93NUMPY\x01"), .status = SIMDEPTH_EFORMAT,
     .msg = "ends inside the .npy preamble", .offset = 7},
    {"ends after the version (1.0)", RAW("\x93NUMPY\x01\x00"), .status = SIMDEPTH_EFORMAT,
     .msg = "ends inside the .npy preamble", .msg2 = "2-byte header length", .offset = 8},
    {"ends inside the header length (1.0)", RAW("\x93NUMPY\x01\x00\x76"),
     .status = SIMDEPTH_EFORMAT, .msg = "ends inside the .npy preamble", .offset = 9},
    {"ends inside the header length (2.0)", RAW("\x93NUMPY\x02\x00\x76\x00"),
     .status = SIMDEPTH_EFORMAT, .msg = "ends inside the .npy preamble",
     .msg2 = "4-byte header length", .offset = 10},
    {"ends after the header length (3.0)", RAW("\x93NUMPY\x03\x00\x74\x00\x00\x00"),
     .status = SIMDEPTH_EFORMAT, .msg = "header length 116 runs past the end of the 12-byte file",
     .offset = 8},
    {"ends inside the header (1.0)", NPY_CUT(1, F8_2x3, 48, 30), .status = SIMDEPTH_EFORMAT,
     .msg = "header length 118 runs past the end of the 30-byte file", .offset = 8},
    {"ends inside the header (2.0)", NPY_CUT(2, F8_2x3, 48, 40), .status = SIMDEPTH_EFORMAT,
     .msg = "header length 116 runs past the end of the 40-byte file", .offset = 8},
    {"ends inside the data (1.0)", NPY(1, F8_2x3, 47), .status = SIMDEPTH_EFORMAT,
     .msg = "shape (2, 3) needs 48 data bytes but the file has 47", .msg2 = "(truncated)",
     .offset = OFF_DATA},
    {"ends before the data", NPY(1, F8_2x3, 0), .status = SIMDEPTH_EFORMAT,
     .msg = "needs 48 data bytes but the file has 0", .offset = OFF_DATA},
    {"ends inside the data (3.0)", NPY(3, F8_2x3, 20), .status = SIMDEPTH_EFORMAT,
     .msg = "(truncated)", .offset = OFF_DATA},
    /* --- declared lengths */
    {"header length past end (1.0)", NPY_HLEN(1, F8_2x3, 65535, 48),
     .status = SIMDEPTH_EFORMAT, .msg = "header length 65535 runs past the end", .offset = 8},
    {"header length past end (3.0)", NPY_HLEN(3, F8_2x3, 0xffffffffLL, 48),
     .status = SIMDEPTH_EFORMAT, .msg = "header length 4294967295 runs past the end",
     .offset = 8},
    {"header length short of the dict", NPY_HLEN(1, F8_2x3, 15, 48),
     .status = SIMDEPTH_EFORMAT, .msg = "expected ',' or '}'", .offset = 10},
    {"trailing bytes", NPY(1, F8_2x3, 49), .status = SIMDEPTH_EFORMAT,
     .msg = "needs 48 data bytes but the file has 49", .msg2 = "(trailing bytes)",
     .offset = OFF_DATA},
    {"trailing bytes after an empty array", NPY(1, F8("(0, 3)"), 1),
     .status = SIMDEPTH_EFORMAT, .msg = "(trailing bytes)", .offset = OFF_DATA},
    /* --- shape */
    {"dims overflow size_t", NPY(1, F8("(4294967296, 4294967296, 4294967296)"), 16),
     .status = SIMDEPTH_EFORMAT, .msg = "overflows the address space", .offset = OFF_HDR},
    {"dimension past SIZE_MAX", NPY(1, F8("(18446744073709551616,)"), 16),
     .status = SIMDEPTH_EFORMAT, .msg = "overflows the address space", .offset = OFF_HDR},
    {"byte size overflows", NPY(1, F8("(2305843009213693952,)"), 16),
     .status = SIMDEPTH_EFORMAT, .msg = "of F64 overflows the address space",
     .offset = OFF_HDR},
    {"huge shape, tiny file", NPY(1, F8("(1000000, 1000000)"), 16),
     .status = SIMDEPTH_EFORMAT, .msg = "needs 8000000000000 data bytes",
     .msg2 = "(truncated)", .offset = OFF_DATA},
    {"negative dimension", NPY(1, F8("(-1, 2)"), 16), .status = SIMDEPTH_EFORMAT,
     .msg = "non-negative integers", .offset = OFF_HDR},
    {"9 dimensions", NPY(1, F8("(1, 1, 1, 1, 1, 1, 1, 1, 1)"), 8),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "more than 8 dimensions", .offset = OFF_HDR},
    {"shape (4) is an int, not a tuple", NPY(1, F8("(4)"), 32), .status = SIMDEPTH_EFORMAT,
     .msg = "(4,)", .offset = OFF_HDR},
    {"shape is a list", NPY(1, F8("[2, 3]"), 48), .status = SIMDEPTH_EFORMAT,
     .msg = "'shape' is not a tuple", .offset = OFF_HDR},
    {"shape tuple cut short", NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, ",
                                  48),
     .status = SIMDEPTH_EFORMAT, .msg = "unterminated 'shape'", .offset = OFF_HDR},
    /* --- dtype */
    {"unknown dtype <c8", NPY(1, DESCR("<c8"), 48), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "dtype '<c8' is not supported", .offset = OFF_HDR},
    {"complex <c8", NPY(1, DESCR("<c8"), 48), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "dtype '<c8' is not supported", .offset = OFF_HDR},
    {"long double <f16", NPY(1, DESCR("<f16"), 96), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "'<f16'", .offset = OFF_HDR},
    {"datetime <M8[ns]", NPY(1, DESCR("<M8[ns]"), 48), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "'<M8[ns]'", .offset = OFF_HDR},
    {"byte string |S3", NPY(1, DESCR("|S3"), 18), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "'|S3'", .offset = OFF_HDR},
    {"NUL byte as the byte order", .parts = {1, DICT_NUL, -1, 48, 0, 0, sizeof DICT_NUL - 1},
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "is not supported", .offset = OFF_HDR},
    {"object dtype |O", NPY(1, DESCR("|O"), 48), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "would need pickle", .offset = OFF_HDR},
    {"structured dtype",
     NPY(1, "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2, 3), }",
         48),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "structured dtype", .msg2 = "'descr'",
     .offset = OFF_HDR},
    {"descr is not a string", NPY(1, "{'descr': 8, 'fortran_order': False, 'shape': (2, 3), }",
                                  48),
     .status = SIMDEPTH_EFORMAT, .msg = "'descr' is not a string", .offset = OFF_HDR},
    /* --- version and dict */
    {"version 4.0", NPY(4, F8_2x3, 48), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "version 4.0", .offset = 6},
    {"version 0.0", RAW("\x93NUMPY\x00\x00\x10\x00{}"), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "version 0.0", .offset = 6},
    {"version 1.1", RAW("\x93NUMPY\x01\x01\x10\x00{}"), .status = SIMDEPTH_EUNSUPPORTED,
     .msg = "version 1.1", .offset = 6},
    {"header is not a dict", NPY(1, "[('descr', '<f8'), ('shape', (2, 3))]", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "not a dict", .offset = OFF_HDR},
    {"header empty", RAW("\x93NUMPY\x01\x00\x00\x00"), .status = SIMDEPTH_EFORMAT,
     .msg = "not a dict", .offset = 10},
    {"dict cut inside a key", NPY(1, "{'descr': '<f8', 'fortran_", 0),
     .status = SIMDEPTH_EFORMAT, .msg = "unterminated key", .offset = OFF_HDR},
    {"dict without closing brace",
     NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), ", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "expected a quoted key", .offset = OFF_HDR},
    {"duplicate key", NPY(1, "{'descr': '<f8', 'descr': '<f4', 'fortran_order': False, "
                             "'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "key 'descr' appears twice", .offset = OFF_HDR},
    {"unexpected key", NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), "
                              "'x': 1}", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "unexpected key 'x'", .offset = OFF_HDR},
    {"missing fortran_order", NPY(1, "{'descr': '<f8', 'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "lacks 'fortran_order'", .offset = OFF_HDR},
    {"fortran_order true (lowercase)",
     NPY(1, "{'descr': '<f8', 'fortran_order': true, 'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "not True or False", .offset = OFF_HDR},
    {"junk after the dict", NPY(1, F8_2x3 "x", 48), .status = SIMDEPTH_EFORMAT,
     .msg = "unexpected bytes after the dict", .offset = OFF_HDR},
};

static void check_bad_npy(const bad_npy *b)
{
    char file[64];
    const char *path;
    unsigned char buf[1024];
    long long hdr_at = OFF_ANY, data_at = OFF_ANY, want = b->offset;
    simdepth_tensor_file *f = NULL;
    simdepth_error err;
    simdepth_status st;
    size_t n;

    snprintf(file, sizeof file, "bad%03d.npy", (int)(b - bad_npy_rows));
    path = tmp_path(file);
    if (b->parts.major != 0) {
        n = build_npy(&b->parts, 0, buf, sizeof buf, &hdr_at, &data_at);
        ROW_CHECK(n > 0, b->name, "test table: .npy too big for the buffer");
        CU_ASSERT_FATAL(n > 0 && simdepth_test_write_bytes(path, buf, n) == 0);
    } else {
        CU_ASSERT_FATAL(simdepth_test_write_bytes(path, b->bytes, b->len) == 0);
    }
    if (want == OFF_HDR)
        want = hdr_at;
    else if (want == OFF_DATA)
        want = data_at;

    memset(&err, 0x5a, sizeof err);
    st = simdepth_tensor_file_open(path, &f, &err);
    ROW_CHECK(st == b->status, b->name, "status %d (%s: %.300s), expected %d", (int)st,
              simdepth_status_string(st), st == SIMDEPTH_OK ? "" : err.message,
              (int)b->status);
    ROW_CHECK(f == NULL, b->name, "*out is not NULL after a failure");
    if (st == SIMDEPTH_OK) {
        simdepth_tensor_file_free(f);
        return;
    }
    ROW_CHECK(err.status == st, b->name, "err.status %d, returned %d", (int)err.status,
              (int)st);
    ROW_CHECK(memchr(err.file, '\0', sizeof err.file) != NULL && strcmp(err.file, path) == 0,
              b->name, "err.file is '%.200s', expected '%s'",
              memchr(err.file, '\0', sizeof err.file) ? err.file : "(unterminated)", path);
    ROW_CHECK(memchr(err.message, '\0', sizeof err.message) != NULL &&
                  strstr(err.message, b->msg) != NULL,
              b->name, "err.message '%.300s' lacks '%s'", err.message, b->msg);
    if (b->msg2 != NULL)
        ROW_CHECK(strstr(err.message, b->msg2) != NULL, b->name,
                  "err.message '%.300s' lacks '%s'", err.message, b->msg2);
    if (want != OFF_ANY)
        ROW_CHECK(err.offset == want, b->name, "err.offset %lld, expected %lld", err.offset,
                  want);
}

static void test_bad_npy(void)
{
    size_t t;

    for (t = 0; t < sizeof bad_npy_rows / sizeof bad_npy_rows[0]; t++)
        check_bad_npy(&bad_npy_rows[t]);
}

/* Headers numpy accepts though np.save never writes them this way. */
typedef struct odd_npy {
    const char *name;
    npy_parts parts; /* the data is always the float formula as '<f8' */
    size_t rows, cols;
} odd_npy;

#define ODD(maj, d, nopad) {.major = (maj), .dict = (d), .hlen = -1, .data = 48, .no_pad = (nopad)}

static const odd_npy odd_rows[] = {
    {"'=' byte order (native)", ODD(1, DESCR("=f8"), 0), 2, 3},
    {"'|' byte order on f8", ODD(1, DESCR("|f8"), 0), 2, 3},
    {"double quotes, no trailing comma",
     ODD(1, "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3)}", 0), 2, 3},
    {"keys in another order, no spaces",
     ODD(1, "{'shape':(2,3),'fortran_order':False,'descr':'<f8'}", 0), 2, 3},
    {"Python 2 long literals", ODD(1, F8("(2L, 3L)"), 0), 2, 3},
    {"no alignment padding", ODD(1, F8_2x3, 1), 2, 3},
    {"version 2.0 with tabs and newlines",
     ODD(2, "{\n\t'descr': '<f8',\n\t'fortran_order': False,\n\t'shape': ( 2 , 3 , ),\n}", 0),
     2, 3},
    {"1-D with trailing comma", ODD(1, F8("(6,)"), 0), 1, 6},
};

static void test_odd_headers(void)
{
    size_t t;

    for (t = 0; t < sizeof odd_rows / sizeof odd_rows[0]; t++) {
        const odd_npy *o = &odd_rows[t];
        unsigned char buf[512];
        long long hdr_at, data_at;
        char file[64];
        const char *path;
        simdepth_tensor_file *f = NULL;
        simdepth_matrix *m = NULL;
        simdepth_error err;
        simdepth_status st;
        size_t n;

        snprintf(file, sizeof file, "odd%02d.npy", (int)t);
        path = tmp_path(file);
        n = build_npy(&o->parts, 1, buf, sizeof buf, &hdr_at, &data_at);
        CU_ASSERT_FATAL(n > 0 && simdepth_test_write_bytes(path, buf, n) == 0);
        simdepth_error_clear(&err);
        st = simdepth_tensor_file_open(path, &f, &err);
        ROW_CHECK(st == SIMDEPTH_OK, o->name, "open: status %d (%s)", (int)st, err.message);
        if (st != SIMDEPTH_OK)
            continue;
        ROW_CHECK(simdepth_tensor_file_info(f, 0)->dtype == SIMDEPTH_TENSOR_F64, o->name, "dtype %s",
                  simdepth_tensor_dtype_name(simdepth_tensor_file_info(f, 0)->dtype));
        st = simdepth_tensor_file_read(f, 0, &m, &err);
        ROW_CHECK(st == SIMDEPTH_OK, o->name, "read: status %d (%s)", (int)st, err.message);
        if (st == SIMDEPTH_OK) {
            ROW_CHECK(simdepth_matrix_rows(m) == o->rows && simdepth_matrix_cols(m) == o->cols,
                      o->name, "read as %zu x %zu", simdepth_matrix_rows(m),
                      simdepth_matrix_cols(m));
            check_values(o->name, m, V_FLOAT, NULL);
        }
        simdepth_matrix_free(m);
        simdepth_tensor_file_free(f);
    }
}

/* ------------------------------------------------ (c) the writer */

static void check_write_open(simdepth_dtype dtype, const char *file)
{
    simdepth_matrix *m = NULL, *r = NULL;
    simdepth_tensor_file *f = NULL;
    simdepth_error err;
    const char *path = tmp_path(file);
    size_t i, j;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(3, 5, dtype, &m, &err), SIMDEPTH_OK);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 5; j++)
            simdepth_matrix_set(m, i, j, formula(V_FLOAT, i * 5 + j));
    CU_ASSERT_EQUAL_FATAL(simdepth_npy_write(path, m, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_tensor_file_open(path, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_tensor_file_format(f), "npy");
    CU_ASSERT_EQUAL(simdepth_tensor_file_info(f, 0)->dtype,
                    dtype == SIMDEPTH_F32 ? SIMDEPTH_TENSOR_F32 : SIMDEPTH_TENSOR_F64);
    CU_ASSERT_EQUAL_FATAL(simdepth_tensor_file_read(f, 0, &r, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_dtype(r), dtype);
    CU_ASSERT_EQUAL(simdepth_matrix_rows(r), 3);
    CU_ASSERT_EQUAL(simdepth_matrix_cols(r), 5);
    check_values(file, r, V_FLOAT, NULL);
    simdepth_matrix_free(r);
    simdepth_tensor_file_free(f);
    simdepth_matrix_free(m);
}

static void test_write_open(void)
{
    check_write_open(SIMDEPTH_F32, "w32.npy");
    check_write_open(SIMDEPTH_F64, "w64.npy");
}

/* A NULL error pointer is allowed. */
static void test_null_error(void)
{
    simdepth_tensor_file *f = NULL;
    simdepth_matrix *m = NULL;
    const char *path = tmp_path("null_err.npy");

    CU_ASSERT_FATAL(simdepth_test_write_bytes(path, "\x93NUMPY\x01\x00\x05\x00{}", 12) == 0);
    CU_ASSERT_EQUAL(simdepth_tensor_file_open(path, &f, NULL), SIMDEPTH_EFORMAT);
    CU_ASSERT_EQUAL(simdepth_npy_read(path, &m, NULL), SIMDEPTH_EFORMAT);
    CU_ASSERT_EQUAL(simdepth_npy_read(data_npy("f8_1d.npy"), &m, NULL), SIMDEPTH_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_PTR_NULL(m);
}

/* simdepth_npy_read opens .npy only: other content is "not a .npy file". */
static void test_npy_read_not_npy(void)
{
    static const char *const others[] = {"classifier.safetensors", "dtypes.safetensors"};
    size_t t;

    for (t = 0; t < sizeof others / sizeof others[0]; t++) {
        char rel[128];
        const char *path;
        simdepth_matrix *m = NULL;
        simdepth_error err;

        snprintf(rel, sizeof rel, "safetensors/%s", others[t]);
        path = simdepth_test_data(rel);
        simdepth_error_clear(&err);
        ROW_CHECK(simdepth_npy_read(path, &m, &err) == SIMDEPTH_EFORMAT, others[t],
                  "npy_read accepted a safetensors file");
        ROW_CHECK(m == NULL && strstr(err.message, "not a .npy file") != NULL &&
                      err.offset == 0,
                  others[t], "message '%s' at %lld", err.message, err.offset);
        simdepth_matrix_free(m);
    }
}

/* Declared in tests.h once the suite is registered; repeated here so the
 * file builds warning-free on its own. */
int simdepth_test_add_npy(void);

int simdepth_test_add_npy(void)
{
    CU_pSuite s = CU_add_suite("npy", suite_init, suite_clean);

    if (s == NULL ||
        CU_add_test(s, "tensor_file_open: files numpy wrote, exact values", test_good_open) ==
            NULL ||
        CU_add_test(s, "npy_read: 2-D files, other ranks refused", test_good_npy_read) ==
            NULL ||
        CU_add_test(s, "object array refused (pickle)", test_object_array) == NULL ||
        CU_add_test(s, "malformed inputs table", test_bad_npy) == NULL ||
        CU_add_test(s, "headers numpy accepts but does not write", test_odd_headers) == NULL ||
        CU_add_test(s, "npy_write then tensor_file_open", test_write_open) == NULL ||
        CU_add_test(s, "NULL error pointer", test_null_error) == NULL ||
        CU_add_test(s, "npy_read refuses other formats", test_npy_read_not_npy) == NULL)
        return -1;
    return 0;
}
