/* simdepth — tests of the PyTorch checkpoint reader (suite "pth"):
 * src/lib/io_pth.c and the restricted unpickler src/lib/pickle.c, through
 * the public simdepth_tensor_file_* API.
 *
 * Good inputs are real torch.save() output in tests/data/pth (see its
 * README.md and gen_pth.py); each has a .expected file listing every tensor
 * (name, dtype, shape) and every element of the 1-D and 2-D ones, compared
 * exactly. Malicious pickles there would run `touch MARKER` under Python;
 * the reader must refuse them by name and MARKER must not appear.
 * Malformed and hostile inputs (deep nesting, huge lengths, zip bombs,
 * missing or mis-sized storages, truncations) are built at test time in a
 * mkdtemp directory by the small pickle, zip and legacy-checkpoint writers
 * below. Every table-driven assertion names its row in the failure text.
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

/* Registered by tests/runner.c; the declaration belongs in tests.h. */
int simdepth_test_add_pth(void);

/* The malicious pickles in tests/data/pth run `touch MARKER`. */
#define MARKER "/tmp/simdepth-pwned-pth"

/* ------------------------------------------------------------ helpers */

static char tmp_dir[4096];

#define ROW_CHECK(ok, row, ...) \
    simdepth_test_row_check((ok) != 0, "pth", (row), __FILE__, __LINE__, __VA_ARGS__)

static const char *tmp_path(const char *name)
{
    static char buf[4][4200];
    static int slot;
    char *out = buf[slot++ % 4];

    snprintf(out, 4200, "%s/%s", tmp_dir, name);
    return out;
}

static const char *data_pth(const char *file)
{
    char rel[512];

    snprintf(rel, sizeof rel, "pth/%s", file);
    return simdepth_test_data(rel);
}

static int suite_init(void)
{
    return simdepth_test_tmpdir(tmp_dir, sizeof tmp_dir, "pth");
}

static int suite_clean(void)
{
    simdepth_test_remove_tree(tmp_dir);
    return 0;
}

/* Equal as doubles, and the same sign for zeros. */
static int same_value(double a, double b)
{
    return a == b && signbit(a) == signbit(b);
}

static int marker_exists(void)
{
    struct stat sb;

    return stat(MARKER, &sb) == 0;
}

/* Open @path and expect failure with @want, *out still NULL, err.file the
 * path and @substr (and @substr2 when not NULL) in the message. */
static void expect_error(const char *row, const char *path, simdepth_status want,
                         const char *substr, const char *substr2)
{
    simdepth_tensor_file *f = NULL;
    simdepth_error err;
    simdepth_status st;

    simdepth_error_clear(&err);
    st = simdepth_tensor_file_open(path, &f, &err);
    ROW_CHECK(st == want, row, "status %d (%s), expected %d (%s); message: %s", (int)st,
              simdepth_status_string(st), (int)want, simdepth_status_string(want), err.message);
    ROW_CHECK(f == NULL, row, "*out was set on failure");
    ROW_CHECK(err.status == st, row, "err.status %d, returned %d", (int)err.status, (int)st);
    ROW_CHECK(strcmp(err.file, path) == 0, row, "err.file '%s', expected '%s'", err.file, path);
    ROW_CHECK(strstr(err.message, substr) != NULL, row, "message '%s' lacks '%s'", err.message,
              substr);
    if (substr2 != NULL)
        ROW_CHECK(strstr(err.message, substr2) != NULL, row, "message '%s' lacks '%s'",
                  err.message, substr2);
    if (st == SIMDEPTH_OK)
        simdepth_tensor_file_free(f);
}

/* ------------------------------------------------- byte builders */

typedef struct tbuf {
    unsigned char *p;
    size_t n, cap;
} tbuf;

static void tb_raw(tbuf *b, const void *d, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        unsigned char *np;
        while (cap < b->n + n)
            cap *= 2;
        np = realloc(b->p, cap);
        if (np == NULL) {
            fprintf(stderr, "pth tests: out of memory\n");
            abort();
        }
        b->p = np;
        b->cap = cap;
    }
    if (n > 0)
        memcpy(b->p + b->n, d, n);
    b->n += n;
}

static void tb_u8(tbuf *b, unsigned v)
{
    unsigned char c = (unsigned char)v;

    tb_raw(b, &c, 1);
}

static void tb_le(tbuf *b, uint64_t v, int n)
{
    int i;

    for (i = 0; i < n; i++)
        tb_u8(b, (unsigned)(v >> (8 * i)) & 0xff);
}

static void tb_s(tbuf *b, const char *s)
{
    tb_raw(b, s, strlen(s));
}

static void tb_free(tbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* float32 values 1, 2, ..., n as little- or big-endian bytes */
static void tb_floats(tbuf *b, size_t n, int big_endian)
{
    size_t i;

    for (i = 0; i < n; i++) {
        float v = (float)(i + 1);
        uint32_t u;
        int k;
        memcpy(&u, &v, 4);
        for (k = 0; k < 4; k++)
            tb_u8(b, (u >> (8 * (big_endian ? 3 - k : k))) & 0xff);
    }
}

/* ---- pickles ---- */

static void pk_str(tbuf *b, const char *s)
{
    tb_u8(b, 'X');
    tb_le(b, strlen(s), 4);
    tb_s(b, s);
}

static void pk_int(tbuf *b, long long v)
{
    if (v >= INT32_MIN && v <= INT32_MAX) {
        tb_u8(b, 'J');
        tb_le(b, (uint64_t)v, 4);
    } else {
        tb_u8(b, 0x8a);
        tb_u8(b, 8);
        tb_le(b, (uint64_t)v, 8);
    }
}

static void pk_global(tbuf *b, const char *mod, const char *name)
{
    tb_u8(b, 'c');
    tb_s(b, mod);
    tb_u8(b, '\n');
    tb_s(b, name);
    tb_u8(b, '\n');
}

/* One tensor as torch.save writes it. */
typedef struct tspec {
    const char *name, *key, *stype;
    long long numel, offset;
    int ndim;
    long long shape[9], stride[9];
    int legacy;                    /* 6-field persistent id */
    const char *view_key;          /* legacy view metadata, or NULL */
    long long view_off, view_n;
} tspec;

static void pk_tensor(tbuf *b, const tspec *t)
{
    int k;

    pk_str(b, t->name);
    pk_global(b, "torch._utils", "_rebuild_tensor_v2");
    tb_u8(b, '(');
    tb_u8(b, '(');
    pk_str(b, "storage");
    pk_global(b, "torch", t->stype);
    pk_str(b, t->key);
    pk_str(b, "cpu");
    pk_int(b, t->numel);
    if (t->legacy) {
        if (t->view_key != NULL) {
            tb_u8(b, '(');
            pk_str(b, t->view_key);
            pk_int(b, t->view_off);
            pk_int(b, t->view_n);
            tb_u8(b, 't');
        } else {
            tb_u8(b, 'N');
        }
    }
    tb_u8(b, 't');
    tb_u8(b, 'Q');
    pk_int(b, t->offset);
    tb_u8(b, '(');
    for (k = 0; k < t->ndim; k++)
        pk_int(b, t->shape[k]);
    tb_u8(b, 't');
    tb_u8(b, '(');
    for (k = 0; k < t->ndim; k++)
        pk_int(b, t->stride[k]);
    tb_u8(b, 't');
    tb_u8(b, 0x89);
    pk_global(b, "collections", "OrderedDict");
    tb_u8(b, ')');
    tb_u8(b, 'R');
    tb_u8(b, 't');
    tb_u8(b, 'R');
}

/* OrderedDict of @n tensors, protocol 2. */
static void pk_state_dict(tbuf *b, const tspec *t, size_t n)
{
    size_t i;

    tb_u8(b, 0x80);
    tb_u8(b, 2);
    pk_global(b, "collections", "OrderedDict");
    tb_u8(b, ')');
    tb_u8(b, 'R');
    tb_u8(b, '(');
    for (i = 0; i < n; i++)
        pk_tensor(b, &t[i]);
    tb_u8(b, 'u');
    tb_u8(b, '.');
}

/* The default: "fc.weight", 2 x 2 float32 from storage "0" of 4 elements. */
static const tspec fc_2x2 = {"fc.weight", "0", "FloatStorage", 4, 0, 2, {2, 2}, {2, 1},
                             0, NULL, 0, 0};

/* ---- zip archives (stored, or deflate with one stored block) ---- */

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    size_t i;
    int k;

    for (i = 0; i < n; i++) {
        c ^= p[i];
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return c ^ 0xffffffffu;
}

typedef struct zent {
    const char *name;
    const unsigned char *data;
    size_t len;
    int method;            /* 0 stored, 8 deflate (a stored block), else as given */
    long long declared;    /* uncompressed size written in the headers; -1: real */
} zent;

static void zip_header(tbuf *b, const zent *e, uint32_t crc, size_t comp, uint64_t usize,
                       int central, uint32_t offset)
{
    tb_le(b, central ? 0x02014b50u : 0x04034b50u, 4);
    if (central)
        tb_le(b, 20, 2); /* version made by */
    tb_le(b, 20, 2);     /* version needed */
    tb_le(b, 0, 2);      /* flags */
    tb_le(b, (uint64_t)e->method, 2);
    tb_le(b, 0, 2);      /* time */
    tb_le(b, 0x21, 2);   /* date: 1980-01-01 */
    tb_le(b, crc, 4);
    tb_le(b, comp, 4);
    tb_le(b, usize, 4);
    tb_le(b, strlen(e->name), 2);
    tb_le(b, 0, 2);      /* extra */
    if (central) {
        tb_le(b, 0, 2);  /* comment */
        tb_le(b, 0, 2);  /* disk */
        tb_le(b, 0, 2);  /* internal attributes */
        tb_le(b, 0, 4);  /* external attributes */
        tb_le(b, offset, 4);
    }
    tb_s(b, e->name);
}

static void zip_build(tbuf *b, const zent *e, size_t n)
{
    uint32_t offsets[16], crcs[16];
    size_t comps[16], i, cd_start;

    for (i = 0; i < n && i < 16; i++) {
        tbuf body = {0};
        uint64_t usize = e[i].declared >= 0 ? (uint64_t)e[i].declared : e[i].len;
        if (e[i].method == 8) {
            tb_u8(&body, 0x01); /* final block, stored */
            tb_le(&body, e[i].len, 2);
            tb_le(&body, ~e[i].len & 0xffff, 2);
        }
        tb_raw(&body, e[i].data, e[i].len);
        crcs[i] = crc32_of(e[i].data, e[i].len);
        comps[i] = body.n;
        offsets[i] = (uint32_t)b->n;
        zip_header(b, &e[i], crcs[i], comps[i], usize, 0, 0);
        tb_raw(b, body.p, body.n);
        tb_free(&body);
    }
    cd_start = b->n;
    for (i = 0; i < n && i < 16; i++)
        zip_header(b, &e[i], crcs[i], comps[i],
                   e[i].declared >= 0 ? (uint64_t)e[i].declared : e[i].len, 1, offsets[i]);
    tb_le(b, 0x06054b50u, 4);
    tb_le(b, 0, 2);
    tb_le(b, 0, 2);
    tb_le(b, n, 2);
    tb_le(b, n, 2);
    tb_le(b, b->n - cd_start - 12, 4);
    tb_le(b, cd_start, 4);
    tb_le(b, 0, 2);
}

/* ---- legacy checkpoints ---- */

static const unsigned char legacy_magic[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                             0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.'};

static void legacy_header(tbuf *b)
{
    tb_raw(b, legacy_magic, sizeof legacy_magic);
    tb_raw(b, "\x80\x02M\xe9\x03.", 6); /* protocol 1001 */
    tb_raw(b, "\x80\x02}.", 4);         /* sys_info */
}

/* The keys pickle: a list of the given keys. */
static void legacy_keys(tbuf *b, const char *const *keys, size_t n)
{
    size_t i;

    tb_raw(b, "\x80\x02](", 4);
    for (i = 0; i < n; i++)
        pk_str(b, keys[i]);
    tb_raw(b, "e.", 2);
}

/* One storage: 8-byte count, then @n float32 values 1..n. */
static void legacy_storage(tbuf *b, uint64_t count, size_t n)
{
    tb_le(b, count, 8);
    tb_floats(b, n, 0);
}

/* --------------------------------------------- (a) real checkpoints */

typedef struct good_file {
    const char *stem;      /* <stem>.pth and <stem>.expected in tests/data/pth */
    const char *format;
} good_file;

static const good_file good_files[] = {
    {"sd_f32", "pytorch-zip"},
    {"sd_f32_legacy", "pytorch-legacy"},
    {"sd_f16", "pytorch-zip"},
    {"sd_f16_legacy", "pytorch-legacy"},
    {"sd_bf16", "pytorch-zip"},
    {"sd_bf16_legacy", "pytorch-legacy"},
    {"sd_f64", "pytorch-zip"},
    {"sd_f64_legacy", "pytorch-legacy"},
    {"dtypes", "pytorch-zip"},
    {"nested_state_dict", "pytorch-zip"},
    {"nested_model", "pytorch-legacy"},
    {"nested_net", "pytorch-zip"},
    {"nested_model_state_dict", "pytorch-zip"},
    {"nested_epoch", "pytorch-zip"},
    {"nested_epoch_legacy", "pytorch-legacy"},
    {"flatten", "pytorch-zip"},
    {"dataparallel", "pytorch-zip"},
    {"views", "pytorch-zip"},
    {"views_legacy", "pytorch-legacy"},
    {"resnet18_like", "pytorch-zip"},
    {"resnet18_like_legacy", "pytorch-legacy"},
    {"prefix_archive", "pytorch-zip"},
    {"deflated", "pytorch-zip"},
    {"proto1", "pytorch-zip"},
    {"proto4", "pytorch-zip"},
    {"proto5_legacy", "pytorch-legacy"},
    {"parameter", "pytorch-zip"},
};

static simdepth_tensor_dtype dtype_from_name(const char *s)
{
    static const simdepth_tensor_dtype all[] = {
        SIMDEPTH_TENSOR_F16, SIMDEPTH_TENSOR_BF16, SIMDEPTH_TENSOR_F32, SIMDEPTH_TENSOR_F64,
        SIMDEPTH_TENSOR_I8,  SIMDEPTH_TENSOR_U8,   SIMDEPTH_TENSOR_I16, SIMDEPTH_TENSOR_I32,
        SIMDEPTH_TENSOR_I64, SIMDEPTH_TENSOR_BOOL};
    size_t i;

    for (i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(simdepth_tensor_dtype_name(all[i]), s) == 0)
            return all[i];
    return (simdepth_tensor_dtype)0;
}

/* Compare tensor @idx of @f with a "T name\tdtype\tndim\tshape" line. */
static void check_info(const char *row, const simdepth_tensor_file *f, size_t idx, char *line)
{
    char *name = line + 2, *tab1, *tab2, *tab3, *p;
    const simdepth_tensor_info *t = simdepth_tensor_file_info(f, idx);
    simdepth_tensor_dtype dt;
    size_t count = 1;
    int ndim, k;

    tab1 = strchr(name, '\t');
    tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    tab3 = tab2 ? strchr(tab2 + 1, '\t') : NULL;
    ROW_CHECK(tab3 != NULL && t != NULL, row, "bad T line or tensor %zu missing", idx);
    if (tab3 == NULL || t == NULL)
        return;
    *tab1 = *tab2 = *tab3 = '\0';
    dt = dtype_from_name(tab1 + 1);
    ndim = atoi(tab2 + 1);
    ROW_CHECK(strcmp(t->name, name) == 0, row, "tensor %zu is named '%s', expected '%s'", idx,
              t->name, name);
    ROW_CHECK(t->dtype == dt, row, "tensor '%s' has dtype %s, expected %s", name,
              simdepth_tensor_dtype_name(t->dtype), tab1 + 1);
    ROW_CHECK(t->ndim == ndim, row, "tensor '%s' has %d dims, expected %d", name, t->ndim, ndim);
    p = tab3 + 1;
    for (k = 0; k < ndim && k < t->ndim; k++) {
        size_t d = strtoul(p, &p, 10);
        ROW_CHECK(t->shape[k] == d, row, "tensor '%s' dim %d is %zu, expected %zu", name, k,
                  t->shape[k], d);
        count *= d;
        if (*p == ',')
            p++;
    }
    ROW_CHECK(t->nbytes == count * simdepth_tensor_dtype_size(dt), row,
              "tensor '%s' has nbytes %zu, expected %zu", name, t->nbytes,
              count * simdepth_tensor_dtype_size(dt));
}

/* Compare every element of tensor @idx with a "V v0 v1 ..." line. */
static void check_values(const char *row, const simdepth_tensor_file *f, size_t idx,
                         const char *line)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;
    const simdepth_tensor_info *t = simdepth_tensor_file_info(f, idx);
    const char *p = line + 1;
    size_t rows, cols, r, c, bad = 0;
    simdepth_status st;

    simdepth_error_clear(&err);
    st = simdepth_tensor_file_read(f, idx, &m, &err);
    ROW_CHECK(st == SIMDEPTH_OK, row, "reading '%s' failed: %s", t ? t->name : "?",
              err.message);
    if (st != SIMDEPTH_OK)
        return;
    rows = simdepth_matrix_rows(m);
    cols = simdepth_matrix_cols(m);
    for (r = 0; r < rows; r++)
        for (c = 0; c < cols; c++) {
            char *end;
            double want = strtod(p, &end), got = simdepth_matrix_get(m, r, c);
            if (end == p) {
                ROW_CHECK(0, row, "tensor '%s': .expected has fewer values", t->name);
                simdepth_matrix_free(m);
                return;
            }
            p = end;
            if (!same_value(got, want) && bad++ < 3)
                ROW_CHECK(0, row, "tensor '%s' [%zu,%zu] = %.17g, expected %.17g", t->name, r,
                          c, got, want);
        }
    while (*p == ' ')
        p++;
    ROW_CHECK(*p == '\0', row, "tensor '%s': .expected has more values", t->name);
    ROW_CHECK(bad == 0, row, "tensor '%s': %zu elements differ", t->name, bad);
    simdepth_matrix_free(m);
}

static void check_good_file(const good_file *g)
{
    char file[300], exp[300];
    simdepth_tensor_file *f = NULL;
    simdepth_error err;
    simdepth_status st;
    char *text, *line, *save = NULL;
    size_t idx = 0, count = (size_t)-1;

    snprintf(file, sizeof file, "%s.pth", g->stem);
    snprintf(exp, sizeof exp, "%s.expected", g->stem);
    text = simdepth_test_slurp(data_pth(exp), NULL);
    ROW_CHECK(text != NULL, g->stem, "cannot read %s", data_pth(exp));
    if (text == NULL)
        return;
    simdepth_error_clear(&err);
    st = simdepth_tensor_file_open(data_pth(file), &f, &err);
    ROW_CHECK(st == SIMDEPTH_OK, g->stem, "open failed: %s", err.message);
    if (st != SIMDEPTH_OK) {
        free(text);
        return;
    }
    ROW_CHECK(strcmp(simdepth_tensor_file_format(f), g->format) == 0, g->stem,
              "format '%s', expected '%s'", simdepth_tensor_file_format(f), g->format);
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#')
            continue;
        if (strncmp(line, "count ", 6) == 0) {
            count = strtoul(line + 6, NULL, 10);
            ROW_CHECK(simdepth_tensor_file_count(f) == count, g->stem,
                      "%zu tensors, expected %zu", simdepth_tensor_file_count(f), count);
        } else if (strncmp(line, "T ", 2) == 0) {
            check_info(g->stem, f, idx++, line);
        } else if (line[0] == 'V' && idx > 0) {
            check_values(g->stem, f, idx - 1, line);
        }
    }
    ROW_CHECK(idx == count, g->stem, ".expected lists %zu tensors, count says %zu", idx, count);
    simdepth_tensor_file_free(f);
    free(text);
}

static void test_good_files(void)
{
    size_t i;

    for (i = 0; i < sizeof good_files / sizeof good_files[0]; i++)
        check_good_file(&good_files[i]);
}

/* The classifier is found in real checkpoints; "module." is looked
 * through. */
static void test_pick(void)
{
    static const struct {
        const char *file;
        size_t n_classes;
        const char *want, *find, *found;
    } rows[] = {
        {"resnet18_like.pth", 10, "fc.weight", "layer4.1.bn2.weight", "layer4.1.bn2.weight"},
        {"resnet18_like.pth", 0, "fc.weight", "fc.bias", "fc.bias"},
        {"resnet18_like_legacy.pth", 10, "fc.weight", "conv1.weight", "conv1.weight"},
        {"dataparallel.pth", 10, "module.3.weight", "3.weight", "module.3.weight"},
        {"nested_epoch.pth", 10, "weight", "bias", "bias"},
    };
    size_t i;

    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        simdepth_tensor_file *f = NULL;
        simdepth_error err;
        size_t idx = (size_t)-1;
        char why[200] = "";
        simdepth_status st;

        simdepth_error_clear(&err);
        st = simdepth_tensor_file_open(data_pth(rows[i].file), &f, &err);
        ROW_CHECK(st == SIMDEPTH_OK, rows[i].file, "open failed: %s", err.message);
        if (st != SIMDEPTH_OK)
            continue;
        st = simdepth_tensor_file_pick(f, rows[i].n_classes, &idx, why, sizeof why, &err);
        ROW_CHECK(st == SIMDEPTH_OK && strcmp(simdepth_tensor_file_info(f, idx)->name,
                                              rows[i].want) == 0,
                  rows[i].file, "pick(%zu) gave status %d, '%s'; expected '%s' (%s)",
                  rows[i].n_classes, (int)st,
                  st == SIMDEPTH_OK ? simdepth_tensor_file_info(f, idx)->name : "",
                  rows[i].want, err.message);
        st = simdepth_tensor_file_find(f, rows[i].find, &idx, &err);
        ROW_CHECK(st == SIMDEPTH_OK && strcmp(simdepth_tensor_file_info(f, idx)->name,
                                              rows[i].found) == 0,
                  rows[i].file, "find('%s') gave status %d; expected '%s'", rows[i].find,
                  (int)st, rows[i].found);
        simdepth_tensor_file_free(f);
    }
}

/* --------------------------------- (b) pickles that must be refused */

static void test_refused_files(void)
{
    static const struct {
        const char *file, *global, *more;
    } rows[] = {
        {"evil_posix_system.pth", "'posix.system'", NULL},
        {"evil_os_system.pth", "'os.system'", NULL},
        {"evil_eval.pth", "'builtins.eval'", NULL},
        {"evil_getattr.pth", "'builtins.getattr'", NULL},
        {"evil_stack_global.pth", "'posix.system'", NULL},
        {"evil_legacy_header.pth", "'posix.system'", NULL},
        {"evil_zip_posix_system.pth", "'posix.system'", "archive/data.pkl, byte 2"},
        {"evil_zip_os_system.pth", "'os.system'", "archive/data.pkl"},
        {"evil_zip_eval.pth", "'builtins.eval'", "archive/data.pkl"},
        {"evil_zip_getattr.pth", "'builtins.getattr'", "archive/data.pkl"},
        {"evil_zip_stack_global.pth", "'posix.system'", "archive/data.pkl"},
        /* real torch.save() output outside the allow-list */
        {"refuse_module.pth", "'torch.nn.modules.linear.Linear'", "state_dict()"},
        {"refuse_numpy.pth", "'numpy.core.multiarray.scalar'", NULL},
    };
    size_t i;

    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *path = data_pth(rows[i].file);
        simdepth_tensor_file *f = NULL;
        simdepth_error err;
        simdepth_status st;

        unlink(MARKER);
        expect_error(rows[i].file, path, SIMDEPTH_EUNSUPPORTED, rows[i].global, rows[i].more);
        ROW_CHECK(!marker_exists(), rows[i].file, "%s was created: the pickle ran", MARKER);
        /* The offset of the refused opcode is reported too (legacy files in
         * err.offset, zip entries in the message). */
        simdepth_error_clear(&err);
        st = simdepth_tensor_file_open(path, &f, &err);
        ROW_CHECK(st != SIMDEPTH_OK && (err.offset >= 0 || strstr(err.message, ", byte ")),
                  rows[i].file, "no byte offset (offset %lld, message '%s')", err.offset,
                  err.message);
        if (st == SIMDEPTH_OK)
            simdepth_tensor_file_free(f);
    }
    unlink(MARKER);
}

/* ------------------------ (c) pickles built at test time, table-driven */

typedef enum { WRAP_BARE, WRAP_ZIP, WRAP_LEGACY } wrap_kind;

typedef enum {
    MK_BYTES,        /* .bytes as given */
    MK_DEEP_MARKS,   /* PROTO, then n times "(]" */
    MK_DEEP_LISTS,   /* n EMPTY_LISTs appended into each other, no MARK */
    MK_LONG_STACK,   /* n NONEs */
    MK_DAG,          /* n levels of dicts, each holding the next twice */
    MK_TENSOR,       /* a state dict of .t */
} maker;

typedef struct pickle_case {
    const char *row;
    wrap_kind wrap;
    maker make;
    const char *bytes;
    size_t len;
    size_t n;
    tspec t;
    simdepth_status want;
    const char *substr;
} pickle_case;

#define B(s) .make = MK_BYTES, .bytes = (s), .len = sizeof(s) - 1
#define P2 "\x80\x02"
#define OD "ccollections\nOrderedDict\n"
#define TV2 "ctorch._utils\n_rebuild_tensor_v2\n"
#define FS "ctorch\nFloatStorage\n"
/* ('storage', FloatStorage, '0', 'cpu', 4) as a persistent id */
#define PID "(X\x07\x00\x00\x00storage" FS "X\x01\x00\x00\x00" "0" "X\x03\x00\x00\x00" "cpu" "K\x04tQ"
#define SDT(args) P2 OD ")R(X\x01\x00\x00\x00w" TV2 "(" PID args "tRu."
#define T(...) .make = MK_TENSOR, .t = {__VA_ARGS__}

static const pickle_case pickle_cases[] = {
    /* resource limits */
    {"100000 nested MARK + EMPTY_LIST", WRAP_BARE, .make = MK_DEEP_MARKS, .n = 100000,
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "nests deeper than 1000"},
    {"100000 nested MARKs in data.pkl", WRAP_ZIP, .make = MK_DEEP_MARKS, .n = 100000,
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "nests deeper than 1000"},
    {"100000 lists nested without MARK decode without recursion", WRAP_BARE,
     .make = MK_DEEP_LISTS, .n = 100000, .want = SIMDEPTH_EFORMAT, .substr = "magic number"},
    {"1.2 million values on the stack", WRAP_BARE, .make = MK_LONG_STACK, .n = 1200000,
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "value stack"},
    {"dicts sharing sub-dicts 2^40 paths", WRAP_ZIP, .make = MK_DAG, .n = 40,
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "entries in all"},
    {"LONG_BINPUT 4294967280", WRAP_BARE, B(P2 "Nr\xf0\xff\xff\xff."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "memo index 4294967280"},
    {"BINPUT beyond the pickle's size", WRAP_ZIP, B(P2 "Nq\xc8."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "memo index 200"},
    {"BINUNICODE8 claims 2^40 bytes", WRAP_BARE, B(P2 "\x8d\x00\x00\x00\x00\x00\x01\x00\x00x."),
     .want = SIMDEPTH_EFORMAT, .substr = "claims 1099511627776 bytes"},
    {"BINUNICODE claims 10^9 bytes", WRAP_ZIP, B(P2 "X\x00\xca\x9a\x3bx."),
     .want = SIMDEPTH_EFORMAT, .substr = "claims 1000000000 bytes"},
    {"BINBYTES claims 4 GiB", WRAP_BARE, B(P2 "B\xff\xff\xff\xffx."), .want = SIMDEPTH_EFORMAT,
     .substr = "claims 4294967295 bytes"},
    {"LONG4 with a negative length", WRAP_BARE, B(P2 "\x8b\xff\xff\xff\xff."),
     .want = SIMDEPTH_EFORMAT, .substr = "negative length"},
    {"FRAME claims 2^60 bytes", WRAP_BARE, B("\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x10N."),
     .want = SIMDEPTH_EFORMAT, .substr = "FRAME claims"},
    /* malformed programs */
    {"unknown opcode", WRAP_BARE, B(P2 "\xff."), .want = SIMDEPTH_EFORMAT,
     .substr = "unknown pickle opcode 0xff"},
    {"no STOP", WRAP_BARE, B(P2 "N"), .want = SIMDEPTH_EFORMAT, .substr = "no STOP"},
    {"STOP with two values", WRAP_BARE, B(P2 "NN."), .want = SIMDEPTH_EFORMAT,
     .substr = "STOP with 2 values"},
    {"STOP with an open MARK", WRAP_ZIP, B(P2 "(N."), .want = SIMDEPTH_EFORMAT,
     .substr = "open MARK"},
    {"APPEND on an empty stack", WRAP_BARE, B(P2 "a."), .want = SIMDEPTH_EFORMAT,
     .substr = "underflow"},
    {"POP with an empty frame pops the MARK", WRAP_ZIP, B(P2 "}(0."), .want = SIMDEPTH_OK,
     .substr = NULL},
    /* Found by tests/fuzz: a MARK before anything was pushed, then TUPLE.
     * clang's UBSan flags the NULL + 0 that the decoder computed; gcc's
     * does not check it, so here the row only proves the input decodes. */
    {"MARK and TUPLE on the untouched stack", WRAP_ZIP, B(P2 "(t0}."), .want = SIMDEPTH_OK,
     .substr = NULL},
    {"TUPLE without MARK", WRAP_BARE, B(P2 "Nt."), .want = SIMDEPTH_EFORMAT,
     .substr = "needs a MARK"},
    {"BINGET of an unset memo entry", WRAP_BARE, B(P2 "h\x05."), .want = SIMDEPTH_EFORMAT,
     .substr = "memo entry 5"},
    {"PROTO 6", WRAP_BARE, B(P2 "\x80\x06N."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "protocol 6"},
    {"string that is not UTF-8", WRAP_ZIP, B(P2 "X\x02\x00\x00\x00\xc3\x28."),
     .want = SIMDEPTH_EFORMAT, .substr = "UTF-8"},
    {"EMPTY_SET", WRAP_BARE, B("\x80\x04\x8f."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "set"},
    {"protocol 0 PERSID", WRAP_ZIP, B("P0\n."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "PERSID"},
    {"INST os.system", WRAP_BARE, B(P2 "(X\x01\x00\x00\x00xios\nsystem\n."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "'os.system'"},
    {"EXT1", WRAP_BARE, B(P2 "\x82\x01."), .want = SIMDEPTH_EUNSUPPORTED, .substr = "EXT"},
    {"REDUCE on a string", WRAP_ZIP, B(P2 "X\x01\x00\x00\x00x)R."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "REDUCE calls a str"},
    {"BUILD on a list", WRAP_ZIP, B(P2 "]}b."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "BUILD"},
    {"BUILD on an OrderedDict is accepted", WRAP_ZIP, B(P2 OD ")R}b."), .want = SIMDEPTH_OK,
     .substr = NULL},
    {"NEWOBJ OrderedDict is accepted", WRAP_ZIP, B(P2 OD ")\x81."), .want = SIMDEPTH_OK,
     .substr = NULL},
    {"NEWOBJ of a refused class", WRAP_ZIP, B(P2 "cargparse\nNamespace\n)\x81."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "'argparse.Namespace'"},
    {"OrderedDict with arguments", WRAP_ZIP, B(P2 OD "]\x85R."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "OrderedDict"},
    {"calling a storage type", WRAP_ZIP, B(P2 FS ")R."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "calling torch.FloatStorage"},
    {"_codecs.encode with another codec", WRAP_ZIP,
     B(P2 "c_codecs\nencode\nX\x01\x00\x00\x00xX\x05\x00\x00\x00utf_8\x86R."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "latin1"},
    /* refused globals that real PyTorch 2.x or exotic checkpoints use */
    {"torch.UntypedStorage (PyTorch 2)", WRAP_ZIP,
     B(P2 "(X\x07\x00\x00\x00storagectorch\nUntypedStorage\n"),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "'torch.UntypedStorage'"},
    {"dtype global torch.float32", WRAP_ZIP, B(P2 "ctorch\nfloat32\n."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "'torch.float32'"},
    {"_rebuild_tensor_v3", WRAP_ZIP, B(P2 "ctorch._utils\n_rebuild_tensor_v3\n."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "'torch._utils._rebuild_tensor_v3'"},
    {"_rebuild_qtensor", WRAP_ZIP, B(P2 "ctorch._utils\n_rebuild_qtensor\n."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "'torch._utils._rebuild_qtensor'"},
    {"_load_from_bytes", WRAP_ZIP, B(P2 "ctorch.storage\n_load_from_bytes\n."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "'torch.storage._load_from_bytes'"},
    {"builtins.set", WRAP_ZIP, B(P2 "cbuiltins\nset\n."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "'builtins.set'"},
    {"subprocess.Popen via STACK_GLOBAL", WRAP_ZIP,
     B("\x80\x04\x8c\x0asubprocess\x8c\x05Popen\x93."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "'subprocess.Popen'"},
    /* persistent ids and tensors */
    {"persistent id that is a string", WRAP_ZIP, B(P2 "X\x01\x00\x00\x00" "0" "Q."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "persistent id is a str"},
    {"persistent id naming OrderedDict as its type", WRAP_ZIP,
     B(P2 "(X\x07\x00\x00\x00storage" OD "X\x01\x00\x00\x00" "0" "X\x03\x00\x00\x00" "cpu" "K\x04tQ."),
     .want = SIMDEPTH_EFORMAT, .substr = "where a storage type belongs"},
    {"_rebuild_tensor_v2 with 3 arguments", WRAP_ZIP, B(SDT("K\x00(K\x04t")),
     .want = SIMDEPTH_EFORMAT, .substr = "3 arguments"},
    {"9-dimensional tensor", WRAP_ZIP,
     T("w", "0", "FloatStorage", 4, 0, 9, {1, 1, 1, 1, 1, 1, 1, 1, 4},
       {4, 4, 4, 4, 4, 4, 4, 4, 1}, 0, NULL, 0, 0), .want = SIMDEPTH_EUNSUPPORTED, .substr = "9 dimensions"},
    {"negative stride", WRAP_ZIP, T("w", "0", "FloatStorage", 4, 3, 1, {4}, {-1}, 0, NULL, 0, 0),
     .want = SIMDEPTH_EFORMAT, .substr = "negative integer"},
    {"sizes and strides differ in number", WRAP_ZIP,
     B(SDT("K\x00(K\x02K\x02t(K\x01t\x89" OD ")R")), .want = SIMDEPTH_EFORMAT,
     .substr = "2 sizes but 1 strides"},
    {"tensor reaches past its storage", WRAP_ZIP,
     T("fc.weight", "0", "FloatStorage", 4, 0, 2, {3, 2}, {2, 1}, 0, NULL, 0, 0), .want = SIMDEPTH_EFORMAT,
     .substr = "'fc.weight' needs 24 bytes"},
    {"strides reach past the storage", WRAP_ZIP,
     T("fc.weight", "0", "FloatStorage", 4, 0, 2, {2, 2}, {1, 4}, 0, NULL, 0, 0), .want = SIMDEPTH_EFORMAT,
     .substr = "'fc.weight' needs"},
    {"storage offset past the storage", WRAP_ZIP,
     T("fc.weight", "0", "FloatStorage", 4, 5, 1, {0}, {1}, 0, NULL, 0, 0), .want = SIMDEPTH_EFORMAT,
     .substr = "storage offset 5 lies beyond"},
    {"offset view within the storage", WRAP_LEGACY,
     T("fc.weight", "0", "FloatStorage", 4, 1, 1, {3}, {1}, 1, NULL, 0, 0), .want = SIMDEPTH_OK},
    {"legacy storage view out of range", WRAP_LEGACY,
     T("w", "0", "FloatStorage", 4, 0, 1, {2}, {1}, 1, "v", 3, 2), .want = SIMDEPTH_EFORMAT,
     .substr = "outside its storage"},
    /* the other allow-listed rebuild functions */
    {"_rebuild_tensor (PyTorch < 0.4)", WRAP_ZIP,
     B(P2 OD ")R(X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor\n(" PID
       "K\x00(K\x04t(K\x01ttRu."),
     .want = SIMDEPTH_OK},
    {"_rebuild_parameter_with_state (PyTorch 2)", WRAP_ZIP,
     B(P2 OD ")R(X\x01\x00\x00\x00wctorch._utils\n_rebuild_parameter_with_state\n("
       TV2 "(" PID "K\x00(K\x04t(K\x01t\x89" OD ")RtR\x88" OD ")R}tRu."),
     .want = SIMDEPTH_OK},
    {"_rebuild_parameter of a non-tensor", WRAP_ZIP,
     B(P2 "ctorch._utils\n_rebuild_parameter\n(N\x89}tR."), .want = SIMDEPTH_EFORMAT,
     .substr = "expected a tensor first"},
    /* shapes of the whole object */
    {"top-level list", WRAP_ZIP, B(P2 "]."), .want = SIMDEPTH_EUNSUPPORTED,
     .substr = "holds a list"},
    {"dict that contains itself", WRAP_ZIP, B(P2 "}q\x00X\x01\x00\x00\x00" "ah\x00s."),
     .want = SIMDEPTH_EUNSUPPORTED, .substr = "cycle"},
    {"key with a NUL byte", WRAP_ZIP,
     B(P2 OD ")R(X\x03\x00\x00\x00" "a\0b" TV2 "(" PID "K\x00(K\x04t(K\x01t\x89" OD ")RtRu."),
     .want = SIMDEPTH_EFORMAT, .substr = "NUL byte"},
};

/* The bytes of case @c's pickle. */
static void make_pickle(const pickle_case *c, tbuf *b)
{
    size_t i;

    switch (c->make) {
    case MK_BYTES:
        tb_raw(b, c->bytes, c->len);
        break;
    case MK_DEEP_MARKS:
        tb_raw(b, P2, 2);
        for (i = 0; i < c->n; i++)
            tb_raw(b, "(]", 2);
        break;
    case MK_DEEP_LISTS:
        tb_raw(b, P2, 2);
        for (i = 0; i < c->n; i++)
            tb_u8(b, ']');
        for (i = 1; i < c->n; i++)
            tb_u8(b, 'a');
        tb_u8(b, '.');
        break;
    case MK_LONG_STACK:
        tb_raw(b, P2, 2);
        for (i = 0; i < c->n; i++)
            tb_u8(b, 'N');
        tb_u8(b, '.');
        break;
    case MK_DAG:
        /* memo j holds d_j: d_0 = {}, d_j+1 = {'a': d_j, 'b': d_j}; the top
         * dict reaches d_0 along 2^n paths */
        tb_raw(b, P2, 2);
        tb_u8(b, '}');
        tb_u8(b, 'q');
        tb_u8(b, 0);
        for (i = 0; i < c->n; i++) {
            tb_u8(b, '0'); /* d_i stays in the memo only */
            tb_u8(b, '}');
            pk_str(b, "a");
            tb_u8(b, 'h');
            tb_u8(b, (unsigned)i);
            tb_u8(b, 's');
            pk_str(b, "b");
            tb_u8(b, 'h');
            tb_u8(b, (unsigned)i);
            tb_u8(b, 's');
            tb_u8(b, 'q');
            tb_u8(b, (unsigned)(i + 1));
        }
        tb_u8(b, '.');
        break;
    case MK_TENSOR:
        pk_state_dict(b, &c->t, 1);
        break;
    }
}

/* Write @pkl as case @c's file: bare, as archive/data.pkl next to a
 * 4-float storage "0", or as a legacy checkpoint with that storage. */
static const char *write_case(const pickle_case *c, const tbuf *pkl, size_t k)
{
    tbuf file = {0};
    char name[64];
    const char *path;
    static const char *const keys[] = {"0"};

    snprintf(name, sizeof name, "case%zu.pth", k);
    path = tmp_path(name);
    if (c->wrap == WRAP_BARE) {
        tb_raw(&file, pkl->p, pkl->n);
    } else if (c->wrap == WRAP_ZIP) {
        tbuf st = {0};
        zent e[3];
        tb_floats(&st, 4, 0);
        e[0] = (zent){"archive/data.pkl", pkl->p, pkl->n, 0, -1};
        e[1] = (zent){"archive/data/0", st.p, st.n, 0, -1};
        e[2] = (zent){"archive/version", (const unsigned char *)"3\n", 2, 0, -1};
        zip_build(&file, e, 3);
        tb_free(&st);
    } else {
        legacy_header(&file);
        tb_raw(&file, pkl->p, pkl->n);
        legacy_keys(&file, keys, 1);
        legacy_storage(&file, 4, 4);
    }
    if (simdepth_test_write_bytes(path, file.p, file.n) != 0)
        path = NULL;
    tb_free(&file);
    return path;
}

static void test_pickle_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof pickle_cases / sizeof pickle_cases[0]; i++) {
        const pickle_case *c = &pickle_cases[i];
        tbuf pkl = {0};
        const char *path;

        make_pickle(c, &pkl);
        path = write_case(c, &pkl, i);
        tb_free(&pkl);
        ROW_CHECK(path != NULL, c->row, "cannot write the test file");
        if (path == NULL)
            continue;
        if (c->want != SIMDEPTH_OK) {
            expect_error(c->row, path, c->want, c->substr, NULL);
        } else {
            simdepth_tensor_file *f = NULL;
            simdepth_error err;
            simdepth_status st;
            simdepth_error_clear(&err);
            st = simdepth_tensor_file_open(path, &f, &err);
            ROW_CHECK(st == SIMDEPTH_OK, c->row, "open failed: %s", err.message);
            simdepth_tensor_file_free(f);
        }
    }
}

/* A legacy view: storage "0" of 8 floats 1..8, view "v" = elements 2..5,
 * tensor at offset 1 in the view with 3 elements: 4, 5, 6. */
static void test_legacy_view_values(void)
{
    tspec t = {"w", "0", "FloatStorage", 8, 1, 1, {3}, {1}, 1, "v", 2, 4};
    static const char *const keys[] = {"0"};
    tbuf file = {0};
    const char *path = tmp_path("legacy_view.pth");
    simdepth_tensor_file *f = NULL;
    simdepth_matrix *m = NULL;
    simdepth_error err;

    legacy_header(&file);
    pk_state_dict(&file, &t, 1);
    legacy_keys(&file, keys, 1);
    legacy_storage(&file, 8, 8);
    CU_ASSERT_EQUAL_FATAL(simdepth_test_write_bytes(path, file.p, file.n), 0);
    tb_free(&file);
    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_tensor_file_open(path, &f, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_tensor_file_read(f, 0, &m, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_matrix_cols(m), 3);
    CU_ASSERT_EQUAL(simdepth_matrix_get(m, 0, 0), 4.0);
    CU_ASSERT_EQUAL(simdepth_matrix_get(m, 0, 1), 5.0);
    CU_ASSERT_EQUAL(simdepth_matrix_get(m, 0, 2), 6.0);
    simdepth_matrix_free(m);
    simdepth_tensor_file_free(f);
}

/* ------------------------------------ (d) zip archives built at test time */

typedef enum {
    Z_OK,            /* data.pkl + data/0 + version */
    Z_DEFLATED,      /* the same, every entry deflated */
    Z_BIG_ENDIAN,    /* byteorder "big", storage big-endian */
    Z_BAD_BYTEORDER, /* byteorder "middle" */
    Z_NO_PKL,        /* data.pkl missing */
    Z_ROOT_PKL,      /* data.pkl at the root, not in a directory */
    Z_TWO_PKL,       /* a/data.pkl and b/data.pkl */
    Z_NO_STORAGE,    /* data/0 missing */
    Z_DUP_STORAGE,   /* data/0 twice */
    Z_SHORT_STORAGE, /* data/0 holds 12 bytes */
    Z_LONG_STORAGE,  /* data/0 holds 20 bytes */
    Z_BOMB_PKL,      /* data.pkl deflated, declares 2 GiB from a few bytes */
    Z_BOMB_STORAGE,  /* a storage of 2^29 floats, deflated from 21 bytes */
    Z_SHORT_DEFLATE, /* data.pkl deflated, declares 4 bytes more than it holds */
    Z_METHOD,        /* data.pkl compressed with method 12 (bzip2) */
    Z_TRAILING,      /* bytes after STOP in data.pkl */
    Z_NOT_ZIP,       /* "PK\3\4" and garbage */
    Z_BAD_CRC,       /* one byte of data/0 flipped after the CRC was taken */
    Z_BAD_CD,        /* the central directory offset points past the end */
} zip_case_kind;

static const struct {
    const char *row;
    zip_case_kind kind;
    simdepth_status want;
    const char *substr;
} zip_cases[] = {
    {"well-formed", Z_OK, SIMDEPTH_OK, NULL},
    {"deflated entries", Z_DEFLATED, SIMDEPTH_OK, NULL},
    {"byteorder big", Z_BIG_ENDIAN, SIMDEPTH_OK, NULL},
    {"byteorder middle", Z_BAD_BYTEORDER, SIMDEPTH_EFORMAT, "archive/byteorder"},
    {"data.pkl missing", Z_NO_PKL, SIMDEPTH_EFORMAT, "no '<dir>/data.pkl'"},
    {"data.pkl outside a directory", Z_ROOT_PKL, SIMDEPTH_EFORMAT, "no '<dir>/data.pkl'"},
    {"two data.pkl", Z_TWO_PKL, SIMDEPTH_EFORMAT, "ambiguous"},
    {"storage missing", Z_NO_STORAGE, SIMDEPTH_EFORMAT, "no zip entry 'archive/data/0'"},
    /* libzip itself refuses duplicate names ("File already exists") */
    {"storage entry twice", Z_DUP_STORAGE, SIMDEPTH_EFORMAT, "not a readable zip archive"},
    {"storage too short", Z_SHORT_STORAGE, SIMDEPTH_EFORMAT,
     "'archive/data/0' holds 12 bytes but data.pkl declares 4 elements of F32 (16 bytes)"},
    {"storage too long", Z_LONG_STORAGE, SIMDEPTH_EFORMAT, "holds 20 bytes"},
    {"zip bomb data.pkl", Z_BOMB_PKL, SIMDEPTH_EUNSUPPORTED, "zip bomb"},
    {"zip bomb storage", Z_BOMB_STORAGE, SIMDEPTH_EUNSUPPORTED, "zip bomb"},
    {"deflated entry shorter than declared", Z_SHORT_DEFLATE, SIMDEPTH_EFORMAT,
     "archive/data.pkl"},
    {"compression method 12", Z_METHOD, SIMDEPTH_EUNSUPPORTED, "compression method 12"},
    {"bytes after STOP", Z_TRAILING, SIMDEPTH_EFORMAT, "follow the pickle's STOP"},
    {"not a zip", Z_NOT_ZIP, SIMDEPTH_EFORMAT, "zip archive"},
    {"storage fails its CRC", Z_BAD_CRC, SIMDEPTH_EFORMAT, "zip entry 'archive/data/0'"},
    {"central directory out of bounds", Z_BAD_CD, SIMDEPTH_EFORMAT,
     "not a readable zip archive"},
};

static void build_zip_case(zip_case_kind kind, tbuf *file)
{
    tbuf pkl = {0}, st = {0};
    zent e[4];
    size_t n = 3;
    tspec t = fc_2x2;

    if (kind == Z_BOMB_STORAGE) {
        t.numel = (long long)1 << 29;
        t.shape[0] = t.shape[1] = 1;
    }
    pk_state_dict(&pkl, &t, 1);
    if (kind == Z_TRAILING)
        tb_raw(&pkl, "N.", 2);
    tb_floats(&st, kind == Z_SHORT_STORAGE ? 3 : kind == Z_LONG_STORAGE ? 5 : 4,
              kind == Z_BIG_ENDIAN);
    e[0] = (zent){"archive/data.pkl", pkl.p, pkl.n, 0, -1};
    e[1] = (zent){"archive/data/0", st.p, st.n, 0, -1};
    e[2] = (zent){"archive/version", (const unsigned char *)"3\n", 2, 0, -1};
    switch (kind) {
    case Z_DEFLATED:
        e[0].method = e[1].method = e[2].method = 8;
        break;
    case Z_BIG_ENDIAN:
        e[n++] = (zent){"archive/byteorder", (const unsigned char *)"big", 3, 0, -1};
        break;
    case Z_BAD_BYTEORDER:
        e[n++] = (zent){"archive/byteorder", (const unsigned char *)"middle", 6, 0, -1};
        break;
    case Z_NO_PKL:
        e[0].name = "archive/data.pickle";
        break;
    case Z_ROOT_PKL:
        e[0].name = "data.pkl";
        break;
    case Z_TWO_PKL:
        e[n++] = (zent){"other/data.pkl", pkl.p, pkl.n, 0, -1};
        break;
    case Z_NO_STORAGE:
        e[1].name = "archive/data/1";
        break;
    case Z_DUP_STORAGE:
        e[n++] = e[1];
        break;
    case Z_BOMB_PKL:
        e[0].method = 8;
        e[0].declared = (long long)1 << 31;
        break;
    case Z_BOMB_STORAGE:
        e[1].method = 8;
        e[1].len = 16;
        e[1].declared = (long long)1 << 31;
        break;
    case Z_SHORT_DEFLATE:
        e[0].method = 8;
        e[0].declared = (long long)pkl.n + 4;
        break;
    case Z_METHOD:
        e[0].method = 12;
        break;
    default:
        break;
    }
    if (kind == Z_NOT_ZIP)
        tb_raw(file, "PK\x03\x04garbage", 11);
    else
        zip_build(file, e, n);
    if (kind == Z_BAD_CRC) {
        /* data/0 follows data.pkl's local header, name and bytes and its
         * own 30-byte header and name */
        size_t at = 30 + strlen(e[0].name) + e[0].len + 30 + strlen(e[1].name);
        file->p[at + 1] ^= 0x40;
    }
    if (kind == Z_BAD_CD) /* the EOCD's central directory offset */
        file->p[file->n - 3] = 0x7f;
    tb_free(&pkl);
    tb_free(&st);
}

static void test_zip_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof zip_cases / sizeof zip_cases[0]; i++) {
        tbuf file = {0};
        char name[64];
        const char *path;

        snprintf(name, sizeof name, "zip%zu.pth", i);
        path = tmp_path(name);
        build_zip_case(zip_cases[i].kind, &file);
        ROW_CHECK(simdepth_test_write_bytes(path, file.p, file.n) == 0, zip_cases[i].row, "cannot write");
        tb_free(&file);
        if (zip_cases[i].want != SIMDEPTH_OK) {
            expect_error(zip_cases[i].row, path, zip_cases[i].want, zip_cases[i].substr, NULL);
        } else {
            simdepth_tensor_file *f = NULL;
            simdepth_matrix *m = NULL;
            simdepth_error err;
            simdepth_status st;
            simdepth_error_clear(&err);
            st = simdepth_tensor_file_open(path, &f, &err);
            ROW_CHECK(st == SIMDEPTH_OK, zip_cases[i].row, "open failed: %s", err.message);
            if (st != SIMDEPTH_OK)
                continue;
            st = simdepth_tensor_file_read(f, 0, &m, &err);
            ROW_CHECK(st == SIMDEPTH_OK && simdepth_matrix_get(m, 0, 0) == 1.0 &&
                          simdepth_matrix_get(m, 0, 1) == 2.0 &&
                          simdepth_matrix_get(m, 1, 0) == 3.0 &&
                          simdepth_matrix_get(m, 1, 1) == 4.0,
                      zip_cases[i].row, "values are not 1 2 3 4 (%s)", err.message);
            simdepth_matrix_free(m);
            simdepth_tensor_file_free(f);
        }
    }
}

/* --------------------------- (e) legacy checkpoints built at test time */

typedef enum {
    L_OK,
    L_BAD_MAGIC,
    L_BAD_PROTOCOL,
    L_SYSINFO_LIST,
    L_KEYS_DICT,
    L_COUNT_MISMATCH,
    L_NO_KEYS,
    L_UNUSED_KEY,
    L_KEY_TWICE,
    L_SHORT_DATA,
    L_TRAILING,
    L_CONFLICT,
} legacy_case_kind;

static const struct {
    const char *row;
    legacy_case_kind kind;
    simdepth_status want;
    const char *substr;
} legacy_cases[] = {
    {"well-formed", L_OK, SIMDEPTH_OK, NULL},
    {"wrong magic number", L_BAD_MAGIC, SIMDEPTH_EFORMAT, "not the torch magic number"},
    {"protocol 1000", L_BAD_PROTOCOL, SIMDEPTH_EUNSUPPORTED, "protocol is not 1001"},
    {"sys_info is a list", L_SYSINFO_LIST, SIMDEPTH_EFORMAT, "sys_info is a list"},
    {"storage keys are a dict", L_KEYS_DICT, SIMDEPTH_EFORMAT, "storage keys are a dict"},
    {"element count differs", L_COUNT_MISMATCH, SIMDEPTH_EFORMAT,
     "storage '0' holds 3 elements but the pickle declares 4"},
    {"storage not listed", L_NO_KEYS, SIMDEPTH_EFORMAT, "'0' referenced by the pickle is missing"},
    {"unused storage listed", L_UNUSED_KEY, SIMDEPTH_EFORMAT, "'9' is listed but no tensor"},
    {"storage listed twice", L_KEY_TWICE, SIMDEPTH_EFORMAT, "listed twice"},
    {"storage bytes cut short", L_SHORT_DATA, SIMDEPTH_EFORMAT, "truncated checkpoint"},
    {"trailing bytes", L_TRAILING, SIMDEPTH_EFORMAT, "3 trailing bytes"},
    {"one key, two types", L_CONFLICT, SIMDEPTH_EFORMAT, "declares storage '0' twice"},
};

static void build_legacy_case(legacy_case_kind kind, tbuf *b)
{
    tspec t[2] = {fc_2x2, fc_2x2};
    const char *keys[2] = {"0", "9"};
    size_t n_keys = 1;

    t[0].legacy = t[1].legacy = 1;
    if (kind == L_BAD_MAGIC) {
        tb_raw(b, P2 "K*.", 5);
    } else {
        tb_raw(b, legacy_magic, sizeof legacy_magic);
    }
    tb_raw(b, kind == L_BAD_PROTOCOL ? P2 "M\xe8\x03." : P2 "M\xe9\x03.", 6);
    tb_raw(b, kind == L_SYSINFO_LIST ? P2 "]." : P2 "}.", 4);
    if (kind == L_CONFLICT) {
        t[1].name = "fc.bias";
        t[1].stype = "DoubleStorage";
        t[1].ndim = 1;
        t[1].shape[0] = 2;
        t[1].stride[0] = 1;
    }
    pk_state_dict(b, t, kind == L_CONFLICT ? 2 : 1);
    if (kind == L_NO_KEYS)
        n_keys = 0;
    if (kind == L_UNUSED_KEY)
        n_keys = 2;
    if (kind == L_KEY_TWICE) {
        keys[1] = "0";
        n_keys = 2;
    }
    if (kind == L_KEYS_DICT)
        tb_raw(b, P2 "}.", 4);
    else
        legacy_keys(b, keys, n_keys);
    if (n_keys > 0) {
        if (kind == L_SHORT_DATA) {
            tb_le(b, 4, 8);
            tb_floats(b, 3, 0);
        } else {
            legacy_storage(b, kind == L_COUNT_MISMATCH ? 3 : 4, 4);
        }
    }
    if (kind == L_TRAILING)
        tb_raw(b, "xyz", 3);
}

static void test_legacy_cases(void)
{
    size_t i;

    for (i = 0; i < sizeof legacy_cases / sizeof legacy_cases[0]; i++) {
        tbuf file = {0};
        char name[64];
        const char *path;

        snprintf(name, sizeof name, "legacy%zu.pth", i);
        path = tmp_path(name);
        build_legacy_case(legacy_cases[i].kind, &file);
        ROW_CHECK(simdepth_test_write_bytes(path, file.p, file.n) == 0, legacy_cases[i].row, "cannot write");
        tb_free(&file);
        if (legacy_cases[i].want != SIMDEPTH_OK) {
            expect_error(legacy_cases[i].row, path, legacy_cases[i].want,
                         legacy_cases[i].substr, NULL);
        } else {
            simdepth_tensor_file *f = NULL;
            simdepth_matrix *m = NULL;
            simdepth_error err;
            simdepth_status st;
            simdepth_error_clear(&err);
            st = simdepth_tensor_file_open(path, &f, &err);
            ROW_CHECK(st == SIMDEPTH_OK, legacy_cases[i].row, "open failed: %s", err.message);
            if (st != SIMDEPTH_OK)
                continue;
            st = simdepth_tensor_file_read(f, 0, &m, &err);
            ROW_CHECK(st == SIMDEPTH_OK && simdepth_matrix_get(m, 1, 1) == 4.0,
                      legacy_cases[i].row, "values wrong (%s)", err.message);
            simdepth_matrix_free(m);
            simdepth_tensor_file_free(f);
        }
    }
}

/* --------------------------------------- (f) truncated real checkpoints */

static void check_truncations(const char *file, const char *substr)
{
    size_t len = 0, i;
    char *data = simdepth_test_slurp(data_pth(file), &len);
    /* cut points: inside the first pickle, at and around pickle ends,
     * inside the storages, before the last byte */
    size_t cuts[12];
    size_t n_cuts = 0;

    ROW_CHECK(data != NULL && len > 200, file, "cannot read");
    if (data == NULL || len <= 200)
        return;
    cuts[n_cuts++] = 2;
    cuts[n_cuts++] = 9;
    cuts[n_cuts++] = 15;
    cuts[n_cuts++] = 21;
    cuts[n_cuts++] = 60;
    cuts[n_cuts++] = len / 4;
    cuts[n_cuts++] = len / 2;
    cuts[n_cuts++] = len - 100;
    cuts[n_cuts++] = len - 22;
    cuts[n_cuts++] = len - 8;
    cuts[n_cuts++] = len - 1;
    for (i = 0; i < n_cuts; i++) {
        char row[300], name[64];
        const char *path;

        snprintf(row, sizeof row, "%s cut to %zu of %zu bytes", file, cuts[i], len);
        snprintf(name, sizeof name, "cut%zu_%s", i, file);
        path = tmp_path(name);
        if (simdepth_test_write_bytes(path, data, cuts[i]) != 0) {
            ROW_CHECK(0, row, "cannot write");
            continue;
        }
        expect_error(row, path, SIMDEPTH_EFORMAT, substr, NULL);
    }
    free(data);
}

static void test_truncated(void)
{
    check_truncations("sd_f32_legacy.pth", "truncated");
    check_truncations("views_legacy.pth", "truncated");
    check_truncations("sd_f32.pth", "zip");
    check_truncations("resnet18_like.pth", "zip");
}

/* The error pointer may be NULL. */
static void test_null_error(void)
{
    simdepth_tensor_file *f = NULL;

    CU_ASSERT_EQUAL(simdepth_tensor_file_open(data_pth("evil_posix_system.pth"), &f, NULL),
                    SIMDEPTH_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_EQUAL(simdepth_tensor_file_open(data_pth("evil_zip_eval.pth"), &f, NULL),
                    SIMDEPTH_EUNSUPPORTED);
    CU_ASSERT_PTR_NULL(f);
    CU_ASSERT_EQUAL(simdepth_tensor_file_open(data_pth("sd_f32.pth"), &f, NULL), SIMDEPTH_OK);
    simdepth_tensor_file_free(f);
}

int simdepth_test_add_pth(void)
{
    CU_pSuite s = CU_add_suite("pth", suite_init, suite_clean);

    if (s == NULL ||
        CU_add_test(s, "real checkpoints: names, shapes, exact values", test_good_files) ==
            NULL ||
        CU_add_test(s, "classifier pick and find in checkpoints", test_pick) == NULL ||
        CU_add_test(s, "malicious and refused pickles", test_refused_files) == NULL ||
        CU_add_test(s, "pickles built at test time", test_pickle_cases) == NULL ||
        CU_add_test(s, "legacy storage views", test_legacy_view_values) == NULL ||
        CU_add_test(s, "zip archives built at test time", test_zip_cases) == NULL ||
        CU_add_test(s, "legacy checkpoints built at test time", test_legacy_cases) == NULL ||
        CU_add_test(s, "truncated checkpoints", test_truncated) == NULL ||
        CU_add_test(s, "NULL error pointer", test_null_error) == NULL)
        return -1;
    return 0;
}
