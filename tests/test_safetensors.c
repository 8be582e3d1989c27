/* simdepth — .safetensors through the tensor-file API (suite "safetensors").
 *
 * Good inputs are files written by tests/data/safetensors/gen_safetensors.py
 * (a spec-following writer, since Debian packages none): a toy classifier's
 * state dict, every supported dtype, random F16/BF16/F32/F64 values, and
 * names with dots, non-ASCII text and JSON escapes. Values follow formulas
 * recomputed here or are listed in ".expected" files, and are compared
 * element by element, exactly. Malformed inputs are built at test time from
 * the byte strings in bad_rows[] inside a mkdtemp directory, so the
 * repository holds no binary junk. Table-driven assertions name their row
 * in the CUnit failure text and print the actual values to stderr.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <fcntl.h>
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
    simdepth_test_row_check((ok) != 0, "safetensors", (row), __FILE__, __LINE__, __VA_ARGS__)

static const char *tmp_path(const char *name)
{
    static char buf[4][4200];
    static int slot;
    char *out = buf[slot++ % 4];

    snprintf(out, 4200, "%s/%s", tmp_dir, name);
    return out;
}

static const char *data_st(const char *file)
{
    char rel[256];

    snprintf(rel, sizeof rel, "safetensors/%s", file);
    return simdepth_test_data(rel);
}

static int suite_init(void)
{
    return simdepth_test_tmpdir(tmp_dir, sizeof tmp_dir, "safetensors");
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

/* Value formulas of gen_safetensors.py, k the C-order flat index. */
typedef enum {
    V_FLOAT, V_INT, V_U8, V_WIDE, V_BIG, V_BOOL, V_WEIGHT, V_BIAS, V_EXPECTED, V_NONE
} values_kind;

static double formula(values_kind kind, size_t k)
{
    long long i = (long long)k;

    switch (kind) {
    case V_FLOAT: return (double)i * 0.5 - 3;
    case V_INT: return (double)(i * 7 - 20);
    case V_U8: return (double)(i * 7 + 3);
    case V_WIDE: return (double)(i * 100003 - 700001);
    case V_BIG: return (double)(i * 8589934592LL - 5);
    case V_BOOL: return i % 3 == 0 ? 1.0 : 0.0;
    case V_WEIGHT: return (double)(i % 17 - 8) * 0.125;
    case V_BIAS: return (double)i * 0.25 - 1;
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

/* ------------------------------------------ (a) files the generator wrote */

typedef struct want_tensor {
    const char *name;
    simdepth_tensor_dtype dtype;
    int ndim;
    size_t shape[3];
    values_kind kind;
    const char *expected;
} want_tensor;

typedef struct good_file {
    const char *file;
    size_t n;
    want_tensor t[10];
} good_file;

#define T2(r, c) 2, {(r), (c), 0}
#define T1(n) 1, {(n), 0, 0}

/* Names as UTF-8 bytes, split where a hex escape would run on. */
#define NAME_HEAD "h\xc3\xa9" "ad.w\xc3\xa9" "ight"
#define NAME_CJK "\xe7\xb1\xbb\xe5\x88\xab.\xe6\x9d\x83\xe9\x87\x8d"
#define NAME_EMOJI "emoji.\xf0\x9f\x99\x82"

#define NAMES_TENSORS                                                                  \
    {                                                                                  \
        {"module.encoder.layer.0.attention.weight", SIMDEPTH_TENSOR_F32, T2(2, 3),     \
         V_FLOAT, NULL},                                                               \
        {NAME_HEAD, SIMDEPTH_TENSOR_F32, T2(2, 2), V_FLOAT, NULL},                     \
        {NAME_CJK, SIMDEPTH_TENSOR_F32, T1(3), V_FLOAT, NULL},                         \
        {NAME_EMOJI, SIMDEPTH_TENSOR_F64, T2(1, 1), V_FLOAT, NULL},                    \
        {"empty", SIMDEPTH_TENSOR_F32, T2(0, 4), V_FLOAT, NULL},                       \
        {"scalar", SIMDEPTH_TENSOR_F32, 0, {0, 0, 0}, V_NONE, NULL},                   \
        {"cube", SIMDEPTH_TENSOR_F16, 3, {2, 2, 2}, V_NONE, NULL},                     \
        {"quote\"back\\slash", SIMDEPTH_TENSOR_I32, T1(2), V_WIDE, NULL},              \
    }

static const good_file good_files[] = {
    {"classifier.safetensors", 2,
     {{"fc.weight", SIMDEPTH_TENSOR_F32, T2(10, 64), V_WEIGHT, NULL},
      {"fc.bias", SIMDEPTH_TENSOR_F32, T1(10), V_BIAS, NULL}}},
    {"dtypes.safetensors", 10,
     {{"f16", SIMDEPTH_TENSOR_F16, T2(3, 4), V_FLOAT, NULL},
      {"bf16", SIMDEPTH_TENSOR_BF16, T2(3, 4), V_FLOAT, NULL},
      {"f32", SIMDEPTH_TENSOR_F32, T2(3, 4), V_FLOAT, NULL},
      {"f64", SIMDEPTH_TENSOR_F64, T2(3, 4), V_FLOAT, NULL},
      {"i8", SIMDEPTH_TENSOR_I8, T2(3, 4), V_INT, NULL},
      {"u8", SIMDEPTH_TENSOR_U8, T2(3, 4), V_U8, NULL},
      {"i16", SIMDEPTH_TENSOR_I16, T2(3, 4), V_INT, NULL},
      {"i32", SIMDEPTH_TENSOR_I32, T2(3, 4), V_WIDE, NULL},
      {"i64", SIMDEPTH_TENSOR_I64, T2(3, 4), V_BIG, NULL},
      {"bool", SIMDEPTH_TENSOR_BOOL, T2(3, 4), V_BOOL, NULL}}},
    {"random.safetensors", 5,
     {{"bf16", SIMDEPTH_TENSOR_BF16, T2(4, 5), V_EXPECTED, "random_bf16.expected"},
      {"bf16_ties", SIMDEPTH_TENSOR_BF16, T2(1, 8), V_EXPECTED, "random_bf16_ties.expected"},
      {"f16", SIMDEPTH_TENSOR_F16, T2(4, 5), V_EXPECTED, "random_f16.expected"},
      {"f32", SIMDEPTH_TENSOR_F32, T2(4, 5), V_EXPECTED, "random_f32.expected"},
      {"f64", SIMDEPTH_TENSOR_F64, T2(4, 5), V_EXPECTED, "random_f64.expected"}}},
    {"names.safetensors", 8, NAMES_TENSORS},
    {"names_escaped.safetensors", 8, NAMES_TENSORS},
};

static simdepth_dtype matrix_dtype_of(simdepth_tensor_dtype d)
{
    return d == SIMDEPTH_TENSOR_F16 || d == SIMDEPTH_TENSOR_BF16 || d == SIMDEPTH_TENSOR_F32
               ? SIMDEPTH_F32
               : SIMDEPTH_F64;
}

static void check_values(const char *row, const simdepth_matrix *m, const want_tensor *w)
{
    size_t rows = simdepth_matrix_rows(m), cols = simdepth_matrix_cols(m), i, j, bad = 0;
    double *want = NULL;

    if (w->kind == V_EXPECTED) {
        want = load_expected(data_st(w->expected), rows, cols);
        ROW_CHECK(want != NULL, row, "cannot read %s as %zu x %zu values", w->expected, rows,
                  cols);
        if (want == NULL)
            return;
    }
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            double got = simdepth_matrix_get(m, i, j);
            double e = want ? want[i * cols + j] : formula(w->kind, i * cols + j);
            if (!same_value(got, e) && bad++ < 3)
                ROW_CHECK(0, row, "element (%zu, %zu) is %.17g, expected %.17g", i, j, got, e);
        }
    ROW_CHECK(bad == 0, row, "%zu of %zu elements differ", bad, rows * cols);
    free(want);
}

static void check_tensor(const good_file *g, simdepth_tensor_file *f, size_t i)
{
    const want_tensor *w = &g->t[i];
    const simdepth_tensor_info *info = simdepth_tensor_file_info(f, i);
    simdepth_matrix *m = NULL;
    simdepth_error err;
    simdepth_status st;
    char row[300];
    size_t count = 1, idx = 99;
    int k, shape_ok;

    snprintf(row, sizeof row, "%s: tensor %zu '%s'", g->file, i, w->name);
    ROW_CHECK(info != NULL && strcmp(info->name, w->name) == 0, row,
              "found '%s' at this position (header order)", info ? info->name : "(none)");
    if (info == NULL)
        return;
    ROW_CHECK(info->dtype == w->dtype, row, "dtype %s, expected %s",
              simdepth_tensor_dtype_name(info->dtype), simdepth_tensor_dtype_name(w->dtype));
    shape_ok = info->ndim == w->ndim;
    for (k = 0; shape_ok && k < w->ndim; k++) {
        shape_ok = info->shape[k] == w->shape[k];
        count *= w->shape[k];
    }
    ROW_CHECK(shape_ok, row, "ndim %d shape [%zu, %zu, %zu], expected ndim %d", info->ndim,
              info->shape[0], info->shape[1], info->shape[2], w->ndim);
    ROW_CHECK(info->nbytes == count * simdepth_tensor_dtype_size(w->dtype), row, "nbytes %zu",
              info->nbytes);
    simdepth_error_clear(&err);
    ROW_CHECK(simdepth_tensor_file_find(f, w->name, &idx, &err) == SIMDEPTH_OK && idx == i,
              row, "find gave %zu (%s)", idx, err.message);

    st = simdepth_tensor_file_read(f, i, &m, &err);
    if (w->ndim == 1 || w->ndim == 2) {
        size_t rows = w->ndim == 1 ? 1 : w->shape[0];
        size_t cols = w->ndim == 1 ? w->shape[0] : w->shape[1];
        ROW_CHECK(st == SIMDEPTH_OK, row, "read: status %d (%s)", (int)st, err.message);
        if (st != SIMDEPTH_OK)
            return;
        ROW_CHECK(simdepth_matrix_rows(m) == rows && simdepth_matrix_cols(m) == cols, row,
                  "read as %zu x %zu, expected %zu x %zu", simdepth_matrix_rows(m),
                  simdepth_matrix_cols(m), rows, cols);
        ROW_CHECK(simdepth_matrix_dtype(m) == matrix_dtype_of(w->dtype), row,
                  "matrix dtype %d", (int)simdepth_matrix_dtype(m));
        if (simdepth_matrix_rows(m) == rows && simdepth_matrix_cols(m) == cols)
            check_values(row, m, w);
        simdepth_matrix_free(m);
    } else {
        ROW_CHECK(st == SIMDEPTH_EUNSUPPORTED && m == NULL &&
                      strstr(err.message, "expected a 2-D matrix") != NULL,
                  row, "read of a %d-D tensor: status %d (%s)", w->ndim, (int)st, err.message);
        simdepth_matrix_free(m);
    }
}

static void test_good_files(void)
{
    size_t t, i;

    for (t = 0; t < sizeof good_files / sizeof good_files[0]; t++) {
        const good_file *g = &good_files[t];
        simdepth_tensor_file *f = NULL;
        simdepth_error err;
        simdepth_status st;

        simdepth_error_clear(&err);
        st = simdepth_tensor_file_open(data_st(g->file), &f, &err);
        ROW_CHECK(st == SIMDEPTH_OK, g->file, "open: status %d (%s)", (int)st, err.message);
        if (st != SIMDEPTH_OK)
            continue;
        ROW_CHECK(strcmp(simdepth_tensor_file_format(f), "safetensors") == 0, g->file,
                  "format '%s'", simdepth_tensor_file_format(f));
        ROW_CHECK(simdepth_tensor_file_count(f) == g->n, g->file, "%zu tensors, expected %zu",
                  simdepth_tensor_file_count(f), g->n);
        for (i = 0; i < g->n && i < simdepth_tensor_file_count(f); i++)
            check_tensor(g, f, i);
        CU_ASSERT_PTR_NULL(simdepth_tensor_file_info(f, g->n));
        simdepth_tensor_file_free(f);
    }
}

/* The classifier's weight is picked by name, with and without a class
 * count, and never the bias. */
static void test_pick_classifier(void)
{
    simdepth_tensor_file *f = NULL;
    simdepth_error err;
    size_t idx = 99;
    char why[120];

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_tensor_file_open(data_st("classifier.safetensors"), &f, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_tensor_file_pick(f, 10, &idx, why, sizeof why, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(idx, 0);
    idx = 99;
    CU_ASSERT_EQUAL(simdepth_tensor_file_pick(f, 0, &idx, why, sizeof why, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(idx, 0);
    CU_ASSERT_EQUAL(simdepth_tensor_file_pick(f, 11, &idx, why, sizeof why, &err),
                    SIMDEPTH_ENOTFOUND);
    simdepth_tensor_file_free(f);
}

/* ------------------------------------- (b) inputs built at test time */

#define OFF_ANY (-99LL)

/* How a row's file is made: raw bytes, or an 8-byte little-endian length
 * (the real header length unless @declared is set), the header text, then
 * @data bytes; or a sparse file too large to write out. */
typedef enum { MK_HEADER, MK_RAW, MK_SPARSE_HUGE_HEADER } make_kind;

typedef struct st_row {
    const char *name;
    make_kind make;
    const char *text; /* header JSON (MK_HEADER) or raw bytes (MK_RAW) */
    size_t raw_len;   /* MK_RAW */
    unsigned long long declared; /* 0: the real header length */
    size_t data;      /* data bytes after the header */
    simdepth_status status;
    const char *msg, *msg2;
    /* Expected err.offset: @offset (W_OFFSET), or 8 + the position of the
     * @at_nth (0-based) occurrence of @at in the header text (W_TEXT), or
     * the data area start + @data_rel (W_DATA). */
    enum { W_OFFSET, W_TEXT, W_DATA } where;
    long long offset;
    const char *at;
    int at_nth;
    long long data_rel;
} st_row;

#define HDR(t) .make = MK_HEADER, .text = (t)
#define HDR_DATA(t, n) .make = MK_HEADER, .text = (t), .data = (n)
#define RAWB(s) .make = MK_RAW, .text = (s), .raw_len = sizeof(s) - 1
#define AT(s) .where = W_TEXT, .at = (s)
#define AT_N(s, n) .where = W_TEXT, .at = (s), .at_nth = (n)
#define DATA_AT(n) .where = W_DATA, .data_rel = (n)

#define W16 "\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}"
#define ENTRY(name, dtype, shape, offs) \
    "\"" name "\":{\"dtype\":\"" dtype "\",\"shape\":" shape ",\"data_offsets\":" offs "}"

static const st_row bad_rows[] = {
    /* --- too short for a header */
    {"empty file", RAWB(""), .status = SIMDEPTH_EFORMAT, .msg = "not a tensor file",
     .offset = 0},
    {"7 bytes", RAWB("\x02\0\0\0\0\0\0"), .status = SIMDEPTH_EFORMAT,
     .msg = "not a tensor file", .offset = 0},
    {"8 bytes, header length 0", RAWB("\0\0\0\0\0\0\0\0"), .status = SIMDEPTH_EFORMAT,
     .msg = "not a tensor file", .offset = 0},
    /* --- header length */
    {"header length 0, then JSON", RAWB("\0\0\0\0\0\0\0\0{}"), .status = SIMDEPTH_EFORMAT,
     .msg = "not valid JSON", .offset = 8},
    {"header length past the end", HDR("{}"), .declared = 1000, .status = SIMDEPTH_EFORMAT,
     .msg = "header length 1000 runs past the end of the 10-byte file", .offset = 0},
    {"header length one past the end", HDR_DATA("{}", 5), .declared = 8,
     .status = SIMDEPTH_EFORMAT, .msg = "header length 8 runs past the end of the 15-byte file",
     .offset = 0},
    {"header length 2^63", HDR("{}"), .declared = 0x8000000000000000ULL,
     .status = SIMDEPTH_EFORMAT, .msg = "header length 9223372036854775808 runs past the end",
     .offset = 0},
    {"header length 2^64 - 1", HDR("{}"), .declared = 0xffffffffffffffffULL,
     .status = SIMDEPTH_EFORMAT, .msg = "header length 18446744073709551615 runs past the end",
     .offset = 0},
    {"header over the 100 MB limit", .make = MK_SPARSE_HUGE_HEADER,
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "header length 100000001 is more than the "
                                             "100000000 bytes accepted",
     .offset = 0},
    /* --- JSON */
    {"header not JSON", HDR("{not json}"), .status = SIMDEPTH_EFORMAT,
     .msg = "not valid JSON", .offset = 12},
    {"header JSON cut short", HDR("{\"w\":{\"dtype\":\"F32\""), .status = SIMDEPTH_EFORMAT,
     .msg = "not valid JSON", .offset = OFF_ANY},
    {"header JSON not an object", RAWB("\x02\0\0\0\0\0\0\0[]"), .status = SIMDEPTH_EFORMAT,
     .msg = "not a tensor file", .offset = 0},
    {"text after the JSON object", HDR("{} x"), .status = SIMDEPTH_EFORMAT,
     .msg = "not valid JSON", .msg2 = "end of file expected", .offset = OFF_ANY},
    {"bad UTF-8 in a name", HDR("{\"w\xff\":{\"dtype\":\"F32\",\"shape\":[0],"
                                "\"data_offsets\":[0,0]}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "not valid UTF-8", .offset = 11},
    {"overlong UTF-8 in metadata", HDR("{\"__metadata__\":{\"a\":\"\xc0\xaf\"}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "not valid UTF-8", .offset = OFF_ANY},
    {"NUL escape in a name", HDR("{\"w\\u0000\":{}}"), .status = SIMDEPTH_EFORMAT,
     .msg = "not valid JSON", .offset = OFF_ANY},
    {"integer too big for JSON", HDR("{" ENTRY("w", "U8", "[18446744073709551616]",
                                               "[0,0]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "not valid JSON", .offset = OFF_ANY},
    {"duplicate names", HDR_DATA("{" W16 "," W16 "}", 16), .status = SIMDEPTH_EFORMAT,
     .msg = "the name 'w' twice", AT_N("\"w\"", 1)},
    {"duplicate long name with escapes",
     HDR("{" ENTRY("layer.0.attention.q\\\"proj.weight", "F32", "[0]", "[0,0]") ","
         ENTRY("layer.0.attention.q\\\"proj.weight", "F32", "[0]", "[0,0]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "'layer.0.attention.q\"proj.weight' twice",
     AT_N("\"layer", 1)},
    {"duplicate non-ASCII name",
     HDR("{" ENTRY("h\xc3\xa9" "ad", "F32", "[0]", "[0,0]") ","
         ENTRY("h\\u00e9" "ad", "F32", "[0]", "[0,0]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "'h\xc3\xa9" "ad' twice", AT_N("\"h", 1)},
    {"duplicate key inside an entry",
     HDR("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "'dtype' twice", AT_N("\"dtype\"", 1)},
    /* --- entries */
    {"entry not an object", HDR("{\"w\":[1,2]}"), .status = SIMDEPTH_EFORMAT,
     .msg = "tensor 'w' is a list", AT("\"w\"")},
    {"missing dtype", HDR("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                          "\"w\":{\"shape\":[0],\"data_offsets\":[0,0]}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'w' lacks 'dtype'", AT("\"w\"")},
    {"missing shape", HDR("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,0]}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'w' lacks 'shape'", AT("\"w\"")},
    {"missing data_offsets", HDR("{\"w\":{\"dtype\":\"F32\",\"shape\":[0]}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'w' lacks 'data_offsets'", AT("\"w\"")},
    {"unexpected key", HDR("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],"
                           "\"offsets\":[0,0]}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'w' has the unexpected key 'offsets'",
     AT("\"w\"")},
    {"dtype F8_E4M3", HDR_DATA("{" ENTRY("fc.weight", "F8_E4M3", "[4]", "[0,4]") "}", 4),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "tensor 'fc.weight' has dtype 'F8_E4M3'",
     .msg2 = "not supported", AT("\"fc.weight\"")},
    {"dtype U32", HDR_DATA("{" ENTRY("w", "U32", "[1]", "[0,4]") "}", 4),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "'U32'", AT("\"w\"")},
    {"dtype in lower case", HDR_DATA("{" ENTRY("w", "f32", "[1]", "[0,4]") "}", 4),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "'f32'", AT("\"w\"")},
    {"dtype not a string",
     HDR("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}"),
     .status = SIMDEPTH_EFORMAT, .msg = "'dtype' is an integer", AT("\"w\"")},
    /* --- shape */
    {"shape negative", HDR("{" ENTRY("w", "F32", "[-2,2]", "[0,0]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'w': shape entry 0 is -2",
     .msg2 = "non-negative", AT("\"w\"")},
    {"shape not a list", HDR("{" ENTRY("w", "F32", "4", "[0,16]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "'shape' is an integer; expected a list", AT("\"w\"")},
    {"shape entry a real number", HDR("{" ENTRY("w", "F32", "[4,2.0]", "[0,32]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "shape entry 1 is a real number", AT("\"w\"")},
    {"shape entry a string", HDR("{" ENTRY("w", "F32", "[\"4\"]", "[0,16]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "shape entry 0 is a string", AT("\"w\"")},
    {"9 dimensions", HDR("{" ENTRY("w", "F32", "[1,1,1,1,1,1,1,1,1]", "[0,4]") "}"),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "9 dimensions", AT("\"w\"")},
    {"dims overflow size_t",
     HDR("{" ENTRY("w", "F32", "[4294967296,4294967296,4294967296]", "[0,0]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "overflows the address space", AT("\"w\"")},
    {"byte size overflows size_t",
     HDR("{" ENTRY("w", "F64", "[2305843009213693952]", "[0,0]") "}"),
     .status = SIMDEPTH_EFORMAT, .msg = "of F64 overflows the address space", AT("\"w\"")},
    /* --- data_offsets */
    {"data_offsets end before begin", HDR_DATA("{" ENTRY("w", "U8", "[4]", "[8,4]") "}", 8),
     .status = SIMDEPTH_EFORMAT, .msg = "data_offsets [8, 4] end before they begin",
     AT("\"w\"")},
    {"data_offsets with three entries",
     HDR_DATA("{" ENTRY("w", "U8", "[4]", "[0,4,8]") "}", 4), .status = SIMDEPTH_EFORMAT,
     .msg = "'data_offsets' is a list of another length", AT("\"w\"")},
    {"data_offsets negative", HDR_DATA("{" ENTRY("w", "U8", "[4]", "[-1,3]") "}", 4),
     .status = SIMDEPTH_EFORMAT, .msg = "data_offsets begin is -1", AT("\"w\"")},
    {"data_offsets not a list", HDR_DATA("{" ENTRY("w", "U8", "[4]", "\"0-4\"") "}", 4),
     .status = SIMDEPTH_EFORMAT, .msg = "'data_offsets' is a string", AT("\"w\"")},
    {"offsets outside the file", HDR_DATA("{" ENTRY("w", "F32", "[2]", "[0,8]") "}", 4),
     .status = SIMDEPTH_EFORMAT, .msg = "data_offsets [0, 8] run past the end of the 4-byte "
                                        "data area",
     AT("\"w\"")},
    {"offsets near 2^63",
     HDR_DATA("{" ENTRY("w", "U8", "[7]", "[9223372036854775800,9223372036854775807]") "}", 7),
     .status = SIMDEPTH_EFORMAT, .msg = "run past the end", AT("\"w\"")},
    {"length mismatch with shape", HDR_DATA("{" ENTRY("w", "F32", "[2,2]", "[0,12]") "}", 12),
     .status = SIMDEPTH_EFORMAT, .msg = "shape [2, 2] of F32 needs 16 bytes but data_offsets "
                                        "[0, 12] hold 12",
     AT("\"w\"")},
    {"length mismatch, empty shape",
     HDR_DATA("{" ENTRY("w", "F32", "[0,4]", "[0,4]") "}", 4), .status = SIMDEPTH_EFORMAT,
     .msg = "needs 0 bytes", AT("\"w\"")},
    /* --- layout of the data area */
    {"overlapping buffers",
     HDR_DATA("{" ENTRY("a", "F32", "[4]", "[0,16]") "," ENTRY("b", "F32", "[4]", "[8,24]") "}",
              24),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'b' (data_offsets [8, 24]) overlaps tensor 'a'",
     DATA_AT(8)},
    {"the same buffer twice",
     HDR_DATA("{" ENTRY("b", "F32", "[4]", "[0,16]") "," ENTRY("a", "F32", "[4]", "[0,16]") "}",
              16),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'a' (data_offsets [0, 16]) overlaps tensor 'b'",
     DATA_AT(0)},
    {"empty tensor inside another",
     HDR_DATA("{" ENTRY("a", "F32", "[4]", "[0,16]") "," ENTRY("e", "F32", "[0]", "[8,8]") "}",
              16),
     .status = SIMDEPTH_EFORMAT, .msg = "tensor 'e'", .msg2 = "overlaps tensor 'a'",
     DATA_AT(8)},
    {"hole between buffers",
     HDR_DATA("{" ENTRY("a", "F32", "[4]", "[0,16]") "," ENTRY("b", "F32", "[4]", "[20,36]") "}",
              36),
     .status = SIMDEPTH_EFORMAT, .msg = "data bytes 16 to 20 belong to no tensor",
     .msg2 = "'b'", DATA_AT(16)},
    {"hole before the first buffer", HDR_DATA("{" ENTRY("a", "F32", "[4]", "[4,20]") "}", 20),
     .status = SIMDEPTH_EFORMAT, .msg = "data bytes 0 to 4 belong to no tensor", DATA_AT(0)},
    {"trailing bytes", HDR_DATA("{" W16 "}", 20), .status = SIMDEPTH_EFORMAT,
     .msg = "4 trailing bytes", DATA_AT(16)},
    {"trailing bytes, no tensors", HDR_DATA("{}", 3), .status = SIMDEPTH_EFORMAT,
     .msg = "3 trailing bytes after a header that lists no tensors", DATA_AT(0)},
    /* --- __metadata__ */
    {"__metadata__ not an object", HDR("{\"__metadata__\":\"pt\"}"),
     .status = SIMDEPTH_EFORMAT, .msg = "'__metadata__' is a string", AT("\"__metadata__\"")},
    {"__metadata__ value not a string",
     HDR_DATA("{" W16 ",\"__metadata__\":{\"format\":\"pt\",\"epoch\":3}}", 16),
     .status = SIMDEPTH_EFORMAT, .msg = "'__metadata__' maps 'epoch' to an integer",
     AT("\"__metadata__\"")},
};

/* Valid edge cases the tiling and header rules must accept. */
typedef struct ok_row {
    const char *name;
    const char *text;
    size_t data;
    size_t n;
    const char *names[4]; /* expected order */
} ok_row;

static const ok_row ok_rows[] = {
    {"no tensors", "{}", 0, 0, {NULL}},
    {"no tensors, padded", "{}      ", 0, 0, {NULL}},
    {"metadata only", "{\"__metadata__\":{}}", 0, 0, {NULL}},
    {"whitespace inside the JSON", "{\n\t\"w\" : {\"dtype\" : \"F32\", \"shape\" : [ 4 ],\r\n"
                                   " \"data_offsets\" : [ 0 , 16 ] } }",
     16, 1, {"w"}},
    {"empty tensors at the same offset",
     "{" ENTRY("z", "F32", "[0]", "[0,0]") "," ENTRY("a", "F32", "[4]", "[0,16]") ","
     ENTRY("y", "I64", "[0,3]", "[0,0]") "," ENTRY("b", "BOOL", "[]", "[16,17]") "}",
     17, 4, {"z", "a", "y", "b"}},
    {"empty tensor at the end",
     "{" ENTRY("a", "U8", "[2]", "[0,2]") "," ENTRY("e", "F16", "[0]", "[2,2]") "}", 2, 2,
     {"a", "e"}},
};

static size_t put_le64(unsigned char *p, unsigned long long v)
{
    int k;

    for (k = 0; k < 8; k++)
        p[k] = (unsigned char)(v >> (8 * k));
    return 8;
}

/* Build the row's file at @path; sets *data_at to the data area start. */
static int make_file(const char *path, make_kind make, const char *text, size_t raw_len,
                     unsigned long long declared, size_t data, long long *data_at)
{
    unsigned char buf[2048];
    size_t hlen, n, k;
    int fd, ok;

    if (make == MK_RAW) {
        *data_at = OFF_ANY;
        return simdepth_test_write_bytes(path, text, raw_len);
    }
    if (make == MK_SPARSE_HUGE_HEADER) {
        /* Header length 100000001 in a file that really is that long: a
         * sparse file, so nothing of that size is written. */
        static const unsigned char pre[9] = {0x01, 0xe1, 0xf5, 0x05, 0, 0, 0, 0, '{'};
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            return -1;
        ok = write(fd, pre, sizeof pre) == (ssize_t)sizeof pre &&
             ftruncate(fd, (off_t)(8 + 100000001)) == 0;
        ok &= close(fd) == 0;
        *data_at = OFF_ANY;
        return ok ? 0 : -1;
    }
    hlen = strlen(text);
    if (8 + hlen + data > sizeof buf)
        return -1;
    n = put_le64(buf, declared ? declared : hlen);
    memcpy(buf + n, text, hlen);
    n += hlen;
    for (k = 0; k < data; k++)
        buf[n + k] = (unsigned char)(k * 37 + 1);
    *data_at = (long long)(8 + hlen);
    return simdepth_test_write_bytes(path, buf, n + data);
}

/* 8 + the position of the @nth occurrence of @at in @text, or -1. */
static long long text_offset(const char *text, const char *at, int nth)
{
    const char *p = strstr(text, at);

    while (p != NULL && nth-- > 0)
        p = strstr(p + 1, at);
    return p ? 8 + (long long)(p - text) : -1;
}

static void check_bad_row(const st_row *b)
{
    char file[64];
    const char *path;
    long long data_at = OFF_ANY, want = b->offset;
    simdepth_tensor_file *f = NULL;
    simdepth_error err;
    simdepth_status st;

    snprintf(file, sizeof file, "bad%03d.safetensors", (int)(b - bad_rows));
    path = tmp_path(file);
    CU_ASSERT_FATAL(make_file(path, b->make, b->text, b->raw_len, b->declared, b->data,
                              &data_at) == 0);
    if (b->where == W_TEXT)
        want = text_offset(b->text, b->at, b->at_nth);
    else if (b->where == W_DATA)
        want = data_at + b->data_rel;

    memset(&err, 0x5a, sizeof err);
    st = simdepth_tensor_file_open(path, &f, &err);
    ROW_CHECK(st == b->status, b->name, "status %d (%s: %.300s), expected %d", (int)st,
              simdepth_status_string(st), st == SIMDEPTH_OK ? "" : err.message,
              (int)b->status);
    ROW_CHECK(f == NULL, b->name, "*out is not NULL after a failure");
    if (st == SIMDEPTH_OK) {
        simdepth_tensor_file_free(f);
        unlink(path);
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
    unlink(path);
}

static void test_bad_rows(void)
{
    size_t t;

    for (t = 0; t < sizeof bad_rows / sizeof bad_rows[0]; t++)
        check_bad_row(&bad_rows[t]);
}

static void test_ok_rows(void)
{
    size_t t, i;

    for (t = 0; t < sizeof ok_rows / sizeof ok_rows[0]; t++) {
        const ok_row *o = &ok_rows[t];
        char file[64];
        const char *path;
        long long data_at;
        simdepth_tensor_file *f = NULL;
        simdepth_error err;
        simdepth_status st;

        snprintf(file, sizeof file, "ok%02d.safetensors", (int)t);
        path = tmp_path(file);
        CU_ASSERT_FATAL(make_file(path, MK_HEADER, o->text, 0, 0, o->data, &data_at) == 0);
        simdepth_error_clear(&err);
        st = simdepth_tensor_file_open(path, &f, &err);
        ROW_CHECK(st == SIMDEPTH_OK, o->name, "status %d (%s)", (int)st, err.message);
        if (st != SIMDEPTH_OK)
            continue;
        ROW_CHECK(simdepth_tensor_file_count(f) == o->n, o->name, "%zu tensors, expected %zu",
                  simdepth_tensor_file_count(f), o->n);
        for (i = 0; i < o->n && i < simdepth_tensor_file_count(f); i++)
            ROW_CHECK(strcmp(simdepth_tensor_file_info(f, i)->name, o->names[i]) == 0, o->name,
                      "tensor %zu is '%s', expected '%s'", i,
                      simdepth_tensor_file_info(f, i)->name, o->names[i]);
        simdepth_tensor_file_free(f);
    }
}

/* A NULL error pointer is allowed. */
static void test_null_error(void)
{
    simdepth_tensor_file *f = NULL;
    long long data_at;
    const char *path = tmp_path("null_err.safetensors");

    CU_ASSERT_FATAL(make_file(path, MK_HEADER, "{" W16 "," W16 "}", 0, 0, 16, &data_at) == 0);
    CU_ASSERT_EQUAL(simdepth_tensor_file_open(path, &f, NULL), SIMDEPTH_EFORMAT);
    CU_ASSERT_PTR_NULL(f);
}

/* Declared in tests.h once the suite is registered; repeated here so the
 * file builds warning-free on its own. */
int simdepth_test_add_safetensors(void);

int simdepth_test_add_safetensors(void)
{
    CU_pSuite s = CU_add_suite("safetensors", suite_init, suite_clean);

    if (s == NULL ||
        CU_add_test(s, "generated files: order, dtype, shape, exact values", test_good_files) ==
            NULL ||
        CU_add_test(s, "pick the classifier weight", test_pick_classifier) == NULL ||
        CU_add_test(s, "malformed inputs table", test_bad_rows) == NULL ||
        CU_add_test(s, "valid edge cases", test_ok_rows) == NULL ||
        CU_add_test(s, "NULL error pointer", test_null_error) == NULL)
        return -1;
    return 0;
}
