/* simdepth — I/O tests: .npy, CSV/TSV and labels readers, the .npy writer.
 *
 * Good inputs come from tests/data/io (see its README.md and gen_npy.py);
 * their values follow v[i][j] = scale * (i * cols + j) + offset, re-derived
 * here, or are listed in a ".expected" file, and are compared exactly.
 * Malformed inputs are built at test time from the bytes in bad_inputs[]
 * inside a mkdtemp directory, so the repository holds no binary junk.
 * Every table-driven assertion names its row in the CUnit failure text and
 * prints the actual values to stderr.
 */
#include "config.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "simdepth/simdepth.h"
#include "tests.h"

/* ------------------------------------------------------------ helpers */

static char tmp_dir[4096];

/* Record a table-row assertion: the CUnit failure text names the row, and
 * stderr gets the detail (actual vs expected) before the assertion. */
#define ROW_CHECK(ok, row, ...) \
    simdepth_test_row_check((ok) != 0, "io", (row), __FILE__, __LINE__, __VA_ARGS__)

static const char *tmp_path(const char *name)
{
    static char buf[4][4200];
    static int slot;
    char *out = buf[slot++ % 4];

    snprintf(out, 4200, "%s/%s", tmp_dir, name);
    return out;
}

/* A file of tests/data/io in the source tree. */
static const char *data_io(const char *file)
{
    char rel[256];

    snprintf(rel, sizeof rel, "io/%s", file);
    return simdepth_test_data(rel);
}

static int suite_init(void)
{
    return simdepth_test_tmpdir(tmp_dir, sizeof tmp_dir, "io");
}

static int suite_clean(void)
{
    simdepth_test_remove_tree(tmp_dir);
    return 0;
}

/* Equal as doubles, and the same sign for zeros (-0.0 must stay -0.0). */
static int same_value(double a, double b)
{
    return a == b && signbit(a) == signbit(b);
}

typedef enum { RD_NPY, RD_CSV, RD_MATRIX, RD_LABELS } reader;

static const char *reader_name(reader rd)
{
    switch (rd) {
    case RD_NPY: return "simdepth_npy_read";
    case RD_CSV: return "simdepth_csv_read";
    case RD_MATRIX: return "simdepth_matrix_read";
    case RD_LABELS: return "simdepth_labels_read";
    }
    return "?";
}

static simdepth_status read_matrix(reader rd, const char *path,
                                   simdepth_matrix **m, simdepth_error *err)
{
    switch (rd) {
    case RD_NPY: return simdepth_npy_read(path, m, err);
    case RD_CSV: return simdepth_csv_read(path, m, err);
    default: return simdepth_matrix_read(path, m, err);
    }
}

/* ------------------------------------------------- (a) good files */

typedef struct good_file {
    const char *file;      /* under tests/data/io */
    reader rd;
    size_t rows, cols;
    simdepth_dtype dtype;
    double scale, offset;  /* v[i][j] = scale * (i * cols + j) + offset */
    const char *expected;  /* or: values listed in this file */
    int last_is_2p40;      /* the last element is 2^40 instead */
} good_file;

static const good_file good_files[] = {
    {"arange_f32_3x4.npy", RD_NPY, 3, 4, SIMDEPTH_F32, 1.0, 0.25, NULL, 0},
    {"arange_f32_3x4.npy", RD_MATRIX, 3, 4, SIMDEPTH_F32, 1.0, 0.25, NULL, 0},
    {"arange_f64_4x5.npy", RD_NPY, 4, 5, SIMDEPTH_F64, 0.5, -7.75, NULL, 0},
    {"arange_f64_4x5.npy", RD_MATRIX, 4, 5, SIMDEPTH_F64, 0.5, -7.75, NULL, 0},
    {"arange_f64_1x1.npy", RD_NPY, 1, 1, SIMDEPTH_F64, 1.0, 0.25, NULL, 0},
    {"arange_f64_2x3_v2.npy", RD_NPY, 2, 3, SIMDEPTH_F64, 1.0, 0.25, NULL, 0},
    {"arange_f32_3x2_v2.npy", RD_MATRIX, 3, 2, SIMDEPTH_F32, 1.0, 0.25, NULL, 0},
    {"counts_i64_4x4.npy", RD_NPY, 4, 4, SIMDEPTH_F64, 3.0, 0.0, NULL, 1},
    {"counts_i32_3x5.npy", RD_NPY, 3, 5, SIMDEPTH_F64, 3.0, 0.0, NULL, 0},
    {"special_f64_3x4.npy", RD_NPY, 3, 4, SIMDEPTH_F64, 0, 0, "special_f64_3x4.expected", 0},
    {"special_f32_3x4.npy", RD_MATRIX, 3, 4, SIMDEPTH_F32, 0, 0, "special_f32_3x4.expected", 0},
    {"arange_4x5.csv", RD_CSV, 4, 5, SIMDEPTH_F64, 0.5, -7.75, NULL, 0},
    {"arange_4x5.csv", RD_MATRIX, 4, 5, SIMDEPTH_F64, 0.5, -7.75, NULL, 0},
    {"special_3x4.csv", RD_CSV, 3, 4, SIMDEPTH_F64, 0, 0, "special_f64_3x4.expected", 0},
    {"header_3x3.tsv", RD_CSV, 3, 3, SIMDEPTH_F64, 1.0, 0.25, NULL, 0},
    {"header_3x3.tsv", RD_MATRIX, 3, 3, SIMDEPTH_F64, 1.0, 0.25, NULL, 0},
    {"semicolon_2x3.csv", RD_CSV, 2, 3, SIMDEPTH_F64, 1.0, 0.25, NULL, 0},
    {"spaces_2x3.txt", RD_MATRIX, 2, 3, SIMDEPTH_F64, 1.0, 0.25, NULL, 0},
};

/* Read "ROWS COLS" then one value per line; NULL on any problem. */
static double *load_expected(const char *path, size_t rows, size_t cols)
{
    char *text = simdepth_test_slurp(path, NULL), *p, *end;
    double *v = NULL;
    size_t k;

    if (text == NULL)
        return NULL;
    p = text;
    if (strtoul(p, &end, 10) != rows || end == p)
        goto fail;
    p = end;
    if (strtoul(p, &end, 10) != cols || end == p)
        goto fail;
    p = end;
    v = malloc(rows * cols * sizeof *v);
    if (v == NULL)
        goto fail;
    for (k = 0; k < rows * cols; k++) {
        v[k] = strtod(p, &end);
        if (end == p)
            goto fail;
        p = end;
    }
    free(text);
    return v;
fail:
    free(v);
    free(text);
    return NULL;
}

static void test_good_files(void)
{
    size_t t;

    for (t = 0; t < sizeof good_files / sizeof good_files[0]; t++) {
        const good_file *g = &good_files[t];
        char row[160];
        simdepth_matrix *m = NULL;
        simdepth_error err;
        simdepth_status st;
        double *want = NULL;
        size_t i, j, bad = 0;

        snprintf(row, sizeof row, "%s via %s", g->file, reader_name(g->rd));
        simdepth_error_clear(&err);
        st = read_matrix(g->rd, data_io(g->file), &m, &err);
        ROW_CHECK(st == SIMDEPTH_OK, row, "status %d (%s), expected OK", (int)st,
                  err.message);
        if (st != SIMDEPTH_OK || m == NULL)
            continue;
        ROW_CHECK(simdepth_matrix_rows(m) == g->rows && simdepth_matrix_cols(m) == g->cols,
                  row, "shape %zu x %zu, expected %zu x %zu", simdepth_matrix_rows(m),
                  simdepth_matrix_cols(m), g->rows, g->cols);
        ROW_CHECK(simdepth_matrix_dtype(m) == g->dtype, row, "dtype %d, expected %d",
                  (int)simdepth_matrix_dtype(m), (int)g->dtype);
        if (g->expected != NULL) {
            want = load_expected(data_io(g->expected), g->rows, g->cols);
            ROW_CHECK(want != NULL, row, "cannot load %s", g->expected);
            if (want == NULL) {
                simdepth_matrix_free(m);
                continue;
            }
        }
        if (simdepth_matrix_rows(m) == g->rows && simdepth_matrix_cols(m) == g->cols) {
            for (i = 0; i < g->rows; i++) {
                for (j = 0; j < g->cols; j++) {
                    size_t k = i * g->cols + j;
                    double e = want ? want[k] : g->scale * (double)k + g->offset;
                    double v = simdepth_matrix_get(m, i, j);
                    if (g->last_is_2p40 && k + 1 == g->rows * g->cols)
                        e = 1099511627776.0;
                    if (g->dtype == SIMDEPTH_F32)
                        e = (double)(float)e;
                    if (!same_value(v, e) && bad++ == 0)
                        ROW_CHECK(0, row, "element (%zu, %zu) is %.17g, expected %.17g",
                                  i, j, v, e);
                }
            }
        }
        ROW_CHECK(bad == 0, row, "%zu element(s) differ", bad);
        free(want);
        simdepth_matrix_free(m);
    }
}

/* A first line that is only partly numeric is data with a bad field, not a
 * header: treating it as a header silently drops a row of the matrix. The
 * same for a UTF-8 byte-order mark (Excel's "CSV UTF-8"): either skip it and
 * read both rows, or refuse the file, but never lose the first row. */
static void test_csv_first_row_not_dropped(void)
{
    static const struct {
        const char *name;
        const char *text;
    } rows[] = {
        {"first row partly numeric", "1,x,3\n4,5,6\n"},
        {"first row with an empty field", "1,,3\n4,5,6\n"},
        {"UTF-8 byte-order mark", "\xEF\xBB\xBF" "1,2\n3,4\n"},
    };
    size_t t;

    for (t = 0; t < sizeof rows / sizeof rows[0]; t++) {
        const char *path = tmp_path("first_row.csv");
        simdepth_matrix *m = NULL;
        simdepth_error err;
        simdepth_status st;

        CU_ASSERT_FATAL(simdepth_test_write_bytes(path, rows[t].text, strlen(rows[t].text)) == 0);
        simdepth_error_clear(&err);
        st = simdepth_csv_read(path, &m, &err);
        if (st == SIMDEPTH_OK) {
            ROW_CHECK(simdepth_matrix_rows(m) == 2, rows[t].name,
                      "read %zu x %zu: the first row was taken for a header and dropped",
                      simdepth_matrix_rows(m), simdepth_matrix_cols(m));
        } else {
            ROW_CHECK(st == SIMDEPTH_EFORMAT && err.line == 1, rows[t].name,
                      "status %d at line %ld, expected EFORMAT at line 1 (%s)", (int)st,
                      err.line, err.message);
            ROW_CHECK(m == NULL, rows[t].name, "*out changed on failure");
        }
        simdepth_matrix_free(m);
    }
}

/* The delimiter comes from the first data line (io.h), so a header whose
 * quoted names hold another delimiter ("crane, bird" in a TSV) must not
 * decide it. Each text holds arange(2, 2, 1, 0.25). */
static void test_csv_delimiter_from_data(void)
{
    static const struct {
        const char *name;
        const char *text;
    } rows[] = {
        {"TSV, comma in a quoted header name",
         "\"crane, bird\"\t\"tench\"\n0.25\t1.25\n2.25\t3.25\n"},
        {"semicolons, commas in the header",
         "crane, bird;tench, fish\r\n0.25;1.25\r\n2.25;3.25\r\n"},
        {"spaces, tab in a comment and in the header",
         "# a\tb\n\"crane\tbird\" tench\n0.25 1.25\n2.25 3.25\n"},
    };
    size_t t;

    for (t = 0; t < sizeof rows / sizeof rows[0]; t++) {
        const char *path = tmp_path("delim.csv");
        simdepth_matrix *m = NULL;
        simdepth_error err;
        simdepth_status st;

        CU_ASSERT_FATAL(simdepth_test_write_bytes(path, rows[t].text, strlen(rows[t].text)) == 0);
        simdepth_error_clear(&err);
        st = simdepth_csv_read(path, &m, &err);
        ROW_CHECK(st == SIMDEPTH_OK, rows[t].name, "status %d at %ld:%ld (%s), expected OK",
                  (int)st, err.line, err.column, err.message);
        if (st != SIMDEPTH_OK)
            continue;
        ROW_CHECK(simdepth_matrix_rows(m) == 2 && simdepth_matrix_cols(m) == 2 &&
                      simdepth_matrix_get(m, 0, 0) == 0.25 &&
                      simdepth_matrix_get(m, 0, 1) == 1.25 &&
                      simdepth_matrix_get(m, 1, 0) == 2.25 &&
                      simdepth_matrix_get(m, 1, 1) == 3.25,
                  rows[t].name, "read %zu x %zu, expected [[0.25, 1.25], [2.25, 3.25]]",
                  simdepth_matrix_rows(m), simdepth_matrix_cols(m));
        simdepth_matrix_free(m);
    }
}

/* ---------------------------------------------- (b) malformed inputs */

#define LC_ANY (-99L)          /* don't check line / column */
#define OFF_ANY (-99LL)        /* don't check the byte offset */
#define OFF_HDR (-98LL)        /* the offset where the header dict starts */
#define OFF_DATA (-97LL)       /* the offset where the data starts */

typedef enum { MK_FILE, MK_DIR, MK_NONE } make_kind;

typedef struct bad_input {
    const char *name;
    reader rd;
    const char *file;      /* name inside the temp dir */
    make_kind make;
    /* Raw content, used when major == 0. */
    const char *bytes;
    size_t len;
    /* Or an .npy built from parts: version major.0, this header dict padded
     * with spaces and '\n' to a 64-byte boundary as numpy does, the declared
     * header length (-1: the real one), then @data bytes of data. */
    int major;
    const char *dict;
    long long hlen;
    size_t data;
    /* Expected. */
    simdepth_status status;
    const char *msg, *msg2; /* substrings of err.message (msg2 may be NULL) */
    long line, column;
    long long offset;
} bad_input;

#define RAW(s) .bytes = (s), .len = sizeof(s) - 1
#define NPY(maj, d, n) .major = (maj), .dict = (d), .hlen = -1, .data = (n)
#define F8_2x3 "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
/* Line, column and offset checks for each reader's kind of error. */
#define AT_OFFSET(o) .line = 0, .column = 0, .offset = (o)
#define AT_LINE(l, c) .line = (l), .column = (c), .offset = -1
#define NOWHERE .line = 0, .column = 0, .offset = -1

static const bad_input bad_inputs[] = {
    /* --- .npy: preamble */
    {"npy empty file", RD_NPY, "empty.npy", MK_FILE, RAW(""),
     .status = SIMDEPTH_EFORMAT, .msg = "not a .npy file", AT_OFFSET(0)},
    {"npy bad magic", RD_NPY, "magic.npy", MK_FILE,
     RAW("\x93NUMPX\x01\x00\x10\x00{'descr': '<f8'}"),
     .status = SIMDEPTH_EFORMAT, .msg = "magic", AT_OFFSET(0)},
    {"npy text file", RD_NPY, "text.npy", MK_FILE, RAW("1.0,2.0\n3.0,4.0\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "magic", AT_OFFSET(0)},
    /* The magic is right: the message should say the file is cut short,
     * like the 2.0 case below, rather than "not a .npy file". */
    {"npy truncated preamble v1", RD_NPY, "pre1.npy", MK_FILE, RAW("\x93NUMPY\x01\x00"),
     .status = SIMDEPTH_EFORMAT, .msg = "ends inside the .npy preamble", AT_OFFSET(8)},
    {"npy truncated preamble v2", RD_NPY, "pre2.npy", MK_FILE,
     RAW("\x93NUMPY\x02\x00\x10\x00"),
     .status = SIMDEPTH_EFORMAT, .msg = "ends inside the .npy preamble", AT_OFFSET(10)},
    {"npy version 4.0", RD_NPY, "v4.npy", MK_FILE, NPY(4, F8_2x3, 48),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "version 4.0", AT_OFFSET(6)},
    {"npy header length past end v1", RD_NPY, "hlen1.npy", MK_FILE,
     RAW("\x93NUMPY\x01\x00\xff\xff{'descr': '<f8', }\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "header length 65535 runs past the end",
     AT_OFFSET(8)},
    {"npy header length past end v2", RD_NPY, "hlen2.npy", MK_FILE,
     RAW("\x93NUMPY\x02\x00\xff\xff\xff\x7f{'descr': '<f8', }\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "runs past the end", AT_OFFSET(8)},
    /* --- .npy: header dict */
    {"npy header not a dict", RD_NPY, "list.npy", MK_FILE,
     NPY(1, "[('descr', '<f8'), ('shape', (2, 3))]", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "not a dict", AT_OFFSET(OFF_HDR)},
    {"npy header empty", RD_NPY, "hdr0.npy", MK_FILE, RAW("\x93NUMPY\x01\x00\x00\x00"),
     .status = SIMDEPTH_EFORMAT, .msg = "not a dict", AT_OFFSET(10)},
    {"npy header unterminated string", RD_NPY, "unterm.npy", MK_FILE,
     NPY(1, "{'descr': '<f8", 0),
     .status = SIMDEPTH_EFORMAT, .msg = "unterminated", AT_OFFSET(OFF_HDR)},
    {"npy missing shape", RD_NPY, "noshape.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, }", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "lacks 'shape'", AT_OFFSET(OFF_HDR)},
    {"npy missing descr", RD_NPY, "nodescr.npy", MK_FILE,
     NPY(1, "{'fortran_order': False, 'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "lacks 'descr'", AT_OFFSET(OFF_HDR)},
    {"npy unexpected key", RD_NPY, "key.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "unexpected key 'x'", AT_OFFSET(OFF_HDR)},
    {"npy fortran_order not a bool", RD_NPY, "fobool.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EFORMAT, .msg = "not True or False", AT_OFFSET(OFF_HDR)},
    /* --- .npy: shape */
    {"npy 3-D shape", RD_NPY, "3d.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2, 2), }", 64),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "more than 2 dimensions", AT_OFFSET(OFF_HDR)},
    {"npy 1-D shape", RD_NPY, "1d.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", 32),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "1 dimension;", .msg2 = "2-D",
     AT_OFFSET(OFF_HDR)},
    {"npy 0-D shape", RD_NPY, "0d.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 8),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "0 dimensions", AT_OFFSET(OFF_HDR)},
    {"npy negative dimension", RD_NPY, "neg.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 2), }", 16),
     .status = SIMDEPTH_EFORMAT, .msg = "non-negative integers", AT_OFFSET(OFF_HDR)},
    {"npy dims overflow size_t", RD_NPY, "ovf.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, "
            "'shape': (18446744073709551615, 2), }", 16),
     .status = SIMDEPTH_EFORMAT, .msg = "overflows the address space", AT_OFFSET(OFF_HDR)},
    {"npy dimension past SIZE_MAX", RD_NPY, "ovf2.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, "
            "'shape': (18446744073709551616, 2), }", 16),
     .status = SIMDEPTH_EFORMAT, .msg = "overflows the address space", AT_OFFSET(OFF_HDR)},
    {"npy dims product overflows", RD_NPY, "ovf3.npy", MK_FILE,
     NPY(1, "{'descr': '<f4', 'fortran_order': False, "
            "'shape': (4294967296, 4294967296), }", 16),
     .status = SIMDEPTH_EFORMAT, .msg = "overflows the address space", AT_OFFSET(OFF_HDR)},
    /* Huge but representable: must be refused against the file size before
     * anything of that size is allocated. */
    {"npy huge shape, tiny file", RD_NPY, "huge.npy", MK_FILE,
     NPY(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }", 16),
     .status = SIMDEPTH_EFORMAT, .msg = "needs 8000000000000 data bytes", .msg2 = "truncated",
     AT_OFFSET(OFF_DATA)},
    /* --- .npy: data size */
    {"npy data truncated by 1 byte", RD_NPY, "short.npy", MK_FILE, NPY(1, F8_2x3, 47),
     .status = SIMDEPTH_EFORMAT, .msg = "needs 48 data bytes but the file has 47",
     .msg2 = "(truncated)", AT_OFFSET(OFF_DATA)},
    {"npy data truncated v2", RD_NPY, "short2.npy", MK_FILE, NPY(2, F8_2x3, 40),
     .status = SIMDEPTH_EFORMAT, .msg = "(truncated)", AT_OFFSET(OFF_DATA)},
    {"npy trailing bytes", RD_NPY, "long.npy", MK_FILE, NPY(1, F8_2x3, 49),
     .status = SIMDEPTH_EFORMAT, .msg = "(trailing bytes)", AT_OFFSET(OFF_DATA)},
    /* --- .npy: dtype and order */
    {"npy dtype <c16", RD_NPY, "c16.npy", MK_FILE,
     NPY(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 3), }", 96),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "dtype '<c16' is not supported",
     AT_OFFSET(OFF_HDR)},
    /* Big-endian is refused for now (not byte-swapped). */
    /* Big-endian, float16 and unsigned arrays are read
     * (tests/test_tensor_npy.c); datetime and complex ones are not. */
    {"npy dtype <M8 (datetime)", RD_NPY, "m8.npy", MK_FILE,
     NPY(1, "{'descr': '<M8[s]', 'fortran_order': False, 'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "'<M8[s]'", AT_OFFSET(OFF_HDR)},
    {"npy dtype <c8", RD_NPY, "c8.npy", MK_FILE,
     NPY(1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "'<c8'", AT_OFFSET(OFF_HDR)},
    {"npy object array", RD_NPY, "obj.npy", MK_FILE,
     NPY(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "pickle", AT_OFFSET(OFF_HDR)},
    /* A structured dtype is a well-formed .npy that we do not support. */
    {"npy structured dtype", RD_NPY, "struct.npy", MK_FILE,
     NPY(1, "{'descr': [('a', '<f4'), ('b', '<f4')], 'fortran_order': False, "
            "'shape': (2, 3), }", 48),
     .status = SIMDEPTH_EUNSUPPORTED, .msg = "descr", AT_OFFSET(OFF_HDR)},
    /* --- .npy: not a readable file */
    {"npy directory", RD_NPY, "dir.npy", MK_DIR,
     .status = SIMDEPTH_EIO, .msg = "is a directory", NOWHERE},
    {"npy missing file", RD_NPY, "missing.npy", MK_NONE,
     .status = SIMDEPTH_EIO, .msg = "cannot open", .msg2 = "No such file", NOWHERE},
    /* --- matrix_read dispatches by extension */
    {"matrix_read: CSV text named .npy", RD_MATRIX, "csv.npy", MK_FILE, RAW("1,2\n3,4\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "magic", AT_OFFSET(0)},
    {"matrix_read: missing file", RD_MATRIX, "missing.csv", MK_NONE,
     .status = SIMDEPTH_EIO, .msg = "cannot open", NOWHERE},
    /* --- CSV */
    {"csv empty file", RD_CSV, "empty.csv", MK_FILE, RAW(""),
     .status = SIMDEPTH_EFORMAT, .msg = "no numeric rows", NOWHERE},
    {"csv comments and blank lines only", RD_CSV, "comments.csv", MK_FILE,
     RAW("# nothing\n\n   \n# here\r\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "no numeric rows", NOWHERE},
    {"csv header only", RD_CSV, "header.csv", MK_FILE, RAW("a,b,c\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "no numeric rows", NOWHERE},
    {"csv ragged row (short)", RD_CSV, "short.csv", MK_FILE,
     RAW("1,2,3\n4,5,6\n7,8\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "row has 2 fields; expected 3", AT_LINE(3, 0)},
    {"csv ragged row (long) after header", RD_CSV, "long.csv", MK_FILE,
     RAW("a,b\r\n# c\r\n1,2\r\n3,4,5\r\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "row has 3 fields; expected 2", AT_LINE(4, 0)},
    {"csv non-numeric field", RD_CSV, "nan.csv", MK_FILE,
     RAW("1,2,3\n4,x5,6\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "field 'x5' is not a number", AT_LINE(2, 2)},
    {"tsv non-numeric field after comments, CRLF", RD_CSV, "bad.tsv", MK_FILE,
     RAW("# c\r\n\r\n1\t2\r\n3\t4\r\n5\t6 7\r\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "'6 7' is not a number", AT_LINE(5, 2)},
    {"csv empty field", RD_CSV, "emptyfield.csv", MK_FILE, RAW("1,2,3\n4,,6\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "field '' is not a number", AT_LINE(2, 2)},
    {"csv second header row", RD_CSV, "twohdr.csv", MK_FILE, RAW("a,b\nc,d\n1,2\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "field 'c' is not a number", AT_LINE(2, 1)},
    {"csv directory", RD_CSV, "dir.csv", MK_DIR,
     .status = SIMDEPTH_EIO, .msg = "is a directory", NOWHERE},
    {"csv missing file", RD_CSV, "missing.csv", MK_NONE,
     .status = SIMDEPTH_EIO, .msg = "No such file", NOWHERE},
    /* --- labels */
    {"labels empty file", RD_LABELS, "empty.txt", MK_FILE, RAW(""),
     .status = SIMDEPTH_EFORMAT, .msg = "no labels", NOWHERE},
    {"labels blank lines only", RD_LABELS, "blank.txt", MK_FILE, RAW("\n  \r\n\t\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "no labels", NOWHERE},
    {"labels duplicate id", RD_LABELS, "dup.txt", MK_FILE,
     RAW("n01440764\nn01443537\nn01484850\nn01440764\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "duplicate label 'n01440764'",
     .msg2 = "first on line 1", AT_LINE(4, 0)},
    {"labels duplicate id with different names", RD_LABELS, "dup2.txt", MK_FILE,
     RAW("n01443537 goldfish\r\nn01440764 tench\r\nn01440764 tinca\r\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "duplicate label 'n01440764'",
     .msg2 = "first on line 2", AT_LINE(3, 0)},
    {"labels duplicate name", RD_LABELS, "dup3.txt", MK_FILE,
     RAW("great white shark\ntench\n  great white shark  \n"),
     .status = SIMDEPTH_EFORMAT, .msg = "duplicate label 'great white shark'",
     .msg2 = "first on line 1", AT_LINE(3, 0)},
    {"labels blank line in the middle", RD_LABELS, "hole.txt", MK_FILE,
     RAW("tench\ngoldfish\n\nshark\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "blank line", AT_LINE(3, 0)},
    {"labels whitespace line in the middle", RD_LABELS, "hole2.txt", MK_FILE,
     RAW("tench\r\n \t\r\ngoldfish\r\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "blank line", AT_LINE(2, 0)},
    {"labels leading blank line", RD_LABELS, "lead.txt", MK_FILE, RAW("\ntench\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "blank line", AT_LINE(1, 0)},
    {"labels NUL byte", RD_LABELS, "nul.txt", MK_FILE, RAW("tench\ngold\0fish\n"),
     .status = SIMDEPTH_EFORMAT, .msg = "NUL byte", AT_OFFSET(10)},
    {"labels directory", RD_LABELS, "dir.txt", MK_DIR,
     .status = SIMDEPTH_EIO, .msg = "is a directory", NOWHERE},
    {"labels missing file", RD_LABELS, "missing.txt", MK_NONE,
     .status = SIMDEPTH_EIO, .msg = "No such file", NOWHERE},
};

/* Build an .npy from parts; returns the byte count, or 0 when @cap is too
 * small. Sets *hdr_at and *data_at to the header and data offsets. */
static size_t build_npy(const bad_input *b, unsigned char *buf, size_t cap,
                        long long *hdr_at, long long *data_at)
{
    size_t pre = b->major == 1 ? 10 : 12, dlen = strlen(b->dict), hlen, k;
    unsigned long long declared;

    hlen = dlen + 1;
    while ((pre + hlen) % 64 != 0)
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
    *hdr_at = (long long)pre;
    *data_at = (long long)(pre + hlen);
    return pre + hlen + b->data;
}

static void check_bad_input(const bad_input *b)
{
    const char *path = tmp_path(b->file);
    unsigned char buf[1024];
    long long hdr_at = OFF_ANY, data_at = OFF_ANY, want_off = b->offset;
    simdepth_matrix *m = NULL;
    simdepth_labels *l = NULL;
    simdepth_error err;
    simdepth_status st;

    simdepth_test_remove_tree(path);
    if (b->make == MK_DIR) {
        CU_ASSERT_FATAL(mkdir(path, 0700) == 0);
    } else if (b->make == MK_FILE && b->major != 0) {
        size_t n = build_npy(b, buf, sizeof buf, &hdr_at, &data_at);
        ROW_CHECK(n > 0, b->name, "test table: .npy too big for the buffer");
        CU_ASSERT_FATAL(n > 0 && simdepth_test_write_bytes(path, buf, n) == 0);
    } else if (b->make == MK_FILE) {
        CU_ASSERT_FATAL(simdepth_test_write_bytes(path, b->bytes, b->len) == 0);
    }
    if (want_off == OFF_HDR)
        want_off = hdr_at;
    else if (want_off == OFF_DATA)
        want_off = data_at;

    /* Garbage in err shows that every field is set, not left over. */
    memset(&err, 0x5a, sizeof err);
    if (b->rd == RD_LABELS)
        st = simdepth_labels_read(path, &l, &err);
    else
        st = read_matrix(b->rd, path, &m, &err);

    ROW_CHECK(st == b->status, b->name, "%s returned status %d (%s), expected %d",
              reader_name(b->rd), (int)st, simdepth_status_string(st), (int)b->status);
    ROW_CHECK(m == NULL && l == NULL, b->name, "*out is not NULL after a failure");
    if (st == SIMDEPTH_OK) {
        simdepth_matrix_free(m);
        simdepth_labels_free(l);
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
    if (b->line != LC_ANY)
        ROW_CHECK(err.line == b->line && err.column == b->column, b->name,
                  "err at line %ld column %ld, expected line %ld column %ld", err.line,
                  err.column, b->line, b->column);
    if (want_off != OFF_ANY)
        ROW_CHECK(err.offset == want_off, b->name, "err.offset %lld, expected %lld",
                  err.offset, want_off);
}

static void test_bad_inputs(void)
{
    size_t t;

    for (t = 0; t < sizeof bad_inputs / sizeof bad_inputs[0]; t++)
        check_bad_input(&bad_inputs[t]);
}

/* A NULL error pointer is allowed everywhere. */
static void test_null_error(void)
{
    simdepth_matrix *m = NULL;
    simdepth_labels *l = NULL;
    const char *path = tmp_path("null_err.npy");

    CU_ASSERT_FATAL(simdepth_test_write_bytes(path, "junk", 4) == 0);
    CU_ASSERT_EQUAL(simdepth_npy_read(path, &m, NULL), SIMDEPTH_EFORMAT);
    CU_ASSERT_EQUAL(simdepth_csv_read(tmp_path("nope.csv"), &m, NULL), SIMDEPTH_EIO);
    CU_ASSERT_EQUAL(simdepth_labels_read(tmp_path("nope.txt"), &l, NULL), SIMDEPTH_EIO);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_PTR_NULL(l);
}

/* ------------------------------------------------------- (c) labels */

typedef struct labels_case {
    const char *name;
    const char *text;
    size_t n;
    const char *keys[4];
    const char *names[4]; /* NULL: no name */
} labels_case;

static const labels_case labels_cases[] = {
    {"one wnid per line", "n01440764\nn01443537\nn01484850\n", 3,
     {"n01440764", "n01443537", "n01484850"}, {NULL, NULL, NULL}},
    {"wnid and name", "n01440764 tench\nn01443537\tgoldfish\n", 2,
     {"n01440764", "n01443537"}, {"tench", "goldfish"}},
    {"names with spaces and commas",
     "n01484850 great white shark\nn01491361   tiger shark, Galeocerdo cuvieri  \n", 2,
     {"n01484850", "n01491361"}, {"great white shark", "tiger shark, Galeocerdo cuvieri"}},
    {"plain names with spaces", "great white shark\n  tiger shark\t\nhammerhead\n", 3,
     {"great white shark", "tiger shark", "hammerhead"}, {NULL, NULL, NULL}},
    {"CRLF, trailing blank lines", "n01440764 tench\r\nn01443537 goldfish\r\n\r\n \r\n\n",
     2, {"n01440764", "n01443537"}, {"tench", "goldfish"}},
    {"no final line ending", "tench\ngoldfish", 2, {"tench", "goldfish"}, {NULL, NULL}},
    {"id-like but not an id", "n0144076 short\nn014407640 long\nN01440764 upper\n", 3,
     {"n0144076 short", "n014407640 long", "N01440764 upper"}, {NULL, NULL, NULL}},
    {"single label", "n01440764\n", 1, {"n01440764"}, {NULL}},
};

static void check_labels(const char *row, const simdepth_labels *l, const labels_case *c)
{
    size_t i;

    ROW_CHECK(simdepth_labels_count(l) == c->n, row, "%zu labels, expected %zu",
              simdepth_labels_count(l), c->n);
    if (simdepth_labels_count(l) != c->n)
        return;
    for (i = 0; i < c->n; i++) {
        const char *k = simdepth_labels_key(l, i), *nm = simdepth_labels_name(l, i);
        ROW_CHECK(k != NULL && strcmp(k, c->keys[i]) == 0, row, "key %zu is '%s', expected '%s'",
                  i, k ? k : "(null)", c->keys[i]);
        if (c->names[i] == NULL)
            ROW_CHECK(nm == NULL, row, "name %zu is '%s', expected none", i, nm ? nm : "");
        else
            ROW_CHECK(nm != NULL && strcmp(nm, c->names[i]) == 0, row,
                      "name %zu is '%s', expected '%s'", i, nm ? nm : "(null)", c->names[i]);
    }
}

static void test_labels_read(void)
{
    size_t t;

    for (t = 0; t < sizeof labels_cases / sizeof labels_cases[0]; t++) {
        const labels_case *c = &labels_cases[t];
        const char *path = tmp_path("labels.txt");
        simdepth_labels *l = NULL;
        simdepth_error err;
        simdepth_status st;

        CU_ASSERT_FATAL(simdepth_test_write_bytes(path, c->text, strlen(c->text)) == 0);
        simdepth_error_clear(&err);
        st = simdepth_labels_read(path, &l, &err);
        ROW_CHECK(st == SIMDEPTH_OK && l != NULL, c->name, "status %d (%s)", (int)st,
                  err.message);
        if (l != NULL)
            check_labels(c->name, l, c);
        simdepth_labels_free(l);
    }
    simdepth_labels_free(NULL);
}

static void test_labels_new(void)
{
    static const char *const good[] = {"n01440764 tench", "  goldfish\t", "n01484850",
                                       "great white shark"};
    static const labels_case want = {"labels_new", NULL, 4,
                                     {"n01440764", "goldfish", "n01484850", "great white shark"},
                                     {"tench", NULL, NULL, NULL}};
    static const char *const dup[] = {"tench", "n01443537 goldfish", "n01443537 other"};
    simdepth_labels *l = NULL;
    simdepth_error err;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_labels_new(good, 4, &l, &err), SIMDEPTH_OK);
    check_labels("labels_new", l, &want);
    simdepth_labels_free(l);
    l = NULL;

    /* Duplicates: no file, so the "lines" are 1-based positions. */
    CU_ASSERT_EQUAL(simdepth_labels_new(dup, 3, &l, &err), SIMDEPTH_EFORMAT);
    CU_ASSERT_PTR_NULL(l);
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_STRING_EQUAL(err.file, "");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "duplicate label 'n01443537'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "first on line 2"));
}

static void test_is_wnid(void)
{
    static const struct {
        const char *s;
        int want;
    } cases[] = {
        {"n01440764", 1}, {"n00000000", 1}, {"n99999999", 1},
        {"", 0}, {"n", 0}, {"n0144076", 0}, {"n014407640", 0},
        {"N01440764", 0}, {"v01440764", 0}, {"n0144076a", 0},
        {"n01440764 ", 0}, {" n01440764", 0}, {"n-1440764", 0},
        {"01440764", 0}, {"n01440764\n", 0},
    };
    size_t t;

    for (t = 0; t < sizeof cases / sizeof cases[0]; t++)
        ROW_CHECK(simdepth_is_wnid(cases[t].s) == cases[t].want, cases[t].s,
                  "simdepth_is_wnid gave %d, expected %d", simdepth_is_wnid(cases[t].s),
                  cases[t].want);
}

/* ---------------------------------------------------- (d) npy_write */

static void check_round_trip(simdepth_dtype dtype, const char *file)
{
    static const double values[] = {0.25, -1.5, 1e-30, 1e30, -0.0, 3.0e-5,
                                    -1e-30, 7.0, 123456.75, -2.5, 0.1, 1.0};
    simdepth_matrix *m = NULL, *r = NULL;
    simdepth_error err;
    const char *path = tmp_path(file);
    size_t i, j, len = 0, hlen;
    unsigned char *raw;
    int is32 = dtype == SIMDEPTH_F32;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(3, 4, dtype, &m, &err), SIMDEPTH_OK);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 4; j++)
            simdepth_matrix_set(m, i, j, values[i * 4 + j]);
    CU_ASSERT_EQUAL_FATAL(simdepth_npy_write(path, m, &err), SIMDEPTH_OK);

    /* What numpy expects: magic, version 1.0, a dict padded to a 64-byte
     * boundary and ending in '\n', then exactly the data. */
    raw = (unsigned char *)simdepth_test_slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(raw);
    CU_ASSERT_FATAL(len >= 10);
    CU_ASSERT(memcmp(raw, "\x93NUMPY\x01\x00", 8) == 0);
    hlen = (size_t)raw[8] | (size_t)raw[9] << 8;
    CU_ASSERT((10 + hlen) % 64 == 0);
    CU_ASSERT_EQUAL(len, 10 + hlen + 12 * (is32 ? 4 : 8));
    if (10 + hlen <= len) {
        CU_ASSERT_EQUAL(raw[10 + hlen - 1], '\n');
        CU_ASSERT_PTR_NOT_NULL(strstr((char *)raw + 10, is32 ? "'descr': '<f4'" : "'descr': '<f8'"));
        CU_ASSERT_PTR_NOT_NULL(strstr((char *)raw + 10, "'fortran_order': False"));
        CU_ASSERT_PTR_NOT_NULL(strstr((char *)raw + 10, "'shape': (3, 4)"));
    }
    free(raw);

    CU_ASSERT_EQUAL_FATAL(simdepth_npy_read(path, &r, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_dtype(r), dtype);
    CU_ASSERT_EQUAL(simdepth_matrix_rows(r), 3);
    CU_ASSERT_EQUAL(simdepth_matrix_cols(r), 4);
    CU_ASSERT(memcmp(simdepth_matrix_cdata(r), simdepth_matrix_cdata(m),
                     12 * (is32 ? 4 : 8)) == 0);
    for (i = 0; i < 3; i++)
        for (j = 0; j < 4; j++) {
            double e = is32 ? (double)(float)values[i * 4 + j] : values[i * 4 + j];
            ROW_CHECK(same_value(simdepth_matrix_get(r, i, j), e), file,
                      "(%zu, %zu) read back as %.17g, expected %.17g", i, j,
                      simdepth_matrix_get(r, i, j), e);
        }
    simdepth_matrix_free(r);

    /* Into a directory that does not exist. */
    r = NULL;
    path = tmp_path("no/such/dir/out.npy");
    CU_ASSERT_EQUAL(simdepth_npy_write(path, m, &err), SIMDEPTH_EIO);
    CU_ASSERT_STRING_EQUAL(err.file, path);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cannot create"));
    simdepth_matrix_free(m);
}

static void test_npy_write_f32(void) { check_round_trip(SIMDEPTH_F32, "rt_f32.npy"); }
static void test_npy_write_f64(void) { check_round_trip(SIMDEPTH_F64, "rt_f64.npy"); }

/* A long shape must still give an aligned, newline-terminated header. */
static void test_npy_write_wide(void)
{
    simdepth_matrix *m = NULL, *r = NULL;
    simdepth_error err;
    const char *path = tmp_path("wide.npy");

    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(1, 100000, SIMDEPTH_F32, &m, &err), SIMDEPTH_OK);
    simdepth_matrix_set(m, 0, 99999, 2.5);
    CU_ASSERT_EQUAL_FATAL(simdepth_npy_write(path, m, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_npy_read(path, &r, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_cols(r), 100000);
    CU_ASSERT_EQUAL(simdepth_matrix_get(r, 0, 99999), 2.5);
    simdepth_matrix_free(r);
    simdepth_matrix_free(m);
}

int simdepth_test_add_io(void)
{
    CU_pSuite s = CU_add_suite("io", suite_init, suite_clean);

    if (s == NULL ||
        CU_add_test(s, "good files: shape, dtype, exact values", test_good_files) == NULL ||
        CU_add_test(s, "csv: the first row is never dropped", test_csv_first_row_not_dropped) == NULL ||
        CU_add_test(s, "csv: delimiter from the first data line", test_csv_delimiter_from_data) == NULL ||
        CU_add_test(s, "malformed inputs table", test_bad_inputs) == NULL ||
        CU_add_test(s, "NULL error pointer", test_null_error) == NULL ||
        CU_add_test(s, "labels_read", test_labels_read) == NULL ||
        CU_add_test(s, "labels_new", test_labels_new) == NULL ||
        CU_add_test(s, "is_wnid", test_is_wnid) == NULL ||
        CU_add_test(s, "npy_write round trip f32", test_npy_write_f32) == NULL ||
        CU_add_test(s, "npy_write round trip f64", test_npy_write_f64) == NULL ||
        CU_add_test(s, "npy_write wide shape", test_npy_write_wide) == NULL)
        return -1;
    return 0;
}
