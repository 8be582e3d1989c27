/* Tests of model specs and track manifests (simdepth/manifest.h): tables of
 * good inputs with every parsed field, and of malformed inputs with the
 * status, the position (line, column) and a piece of the message. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/manifest.h"
#include "tests.h"

#define ROW_CHECK(ok, row, ...) \
    simdepth_test_row_check((ok) != 0, "manifest", (row), __FILE__, __LINE__, __VA_ARGS__)

static int str_eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int num_eq(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

/* ------------------------------------------------------------ single specs */

typedef struct good_spec {
    const char *row;
    const char *text;
    const char *weights, *similarity, *confusion, *labels, *name;
    int name_given;
} good_spec;

static const good_spec good_specs[] = {
    {"weights only", "weights=w.npy", "w.npy", NULL, NULL, NULL, "w", 0},
    {"similarity only", "similarity=s.csv", NULL, "s.csv", NULL, NULL, "s", 0},
    {"issue example", "similarity=vit.npy,confusion=vit_conf.npy,name=ViT-B", NULL, "vit.npy",
     "vit_conf.npy", NULL, "ViT-B", 1},
    {"tensor suffix", "weights=ckpt/ep10.pth:fc.weight", "ckpt/ep10.pth:fc.weight", NULL, NULL,
     NULL, "ep10", 0},
    {"any field order", "name=A,labels=l.txt,weights=/abs/w.safetensors",
     "/abs/w.safetensors", NULL, NULL, "l.txt", "A", 1},
    {"blanks trimmed", "  weights = w.npy ,  name = my model  ", "w.npy", NULL, NULL, NULL,
     "my model", 1},
    {"escaped comma", "weights=a\\,b.npy,name=x\\=y", "a,b.npy", NULL, NULL, NULL, "x=y", 1},
    {"escaped backslash", "similarity=a\\\\b.csv", NULL, "a\\b.csv", NULL, NULL, "a\\b", 0},
    {"escaped trailing blank kept", "weights=w.npy,name=a\\ ", "w.npy", NULL, NULL, NULL, "a ",
     1},
    {"hash kept in a spec", "weights=run#1.npy", "run#1.npy", NULL, NULL, NULL, "run#1", 0},
    {"dot-less name", "similarity=dir/matrix", NULL, "dir/matrix", NULL, NULL, "matrix", 0},
    {"hidden file keeps its name", "similarity=.sim", NULL, ".sim", NULL, NULL, ".sim", 0},
};

static void test_spec_good(void)
{
    for (size_t k = 0; k < sizeof good_specs / sizeof good_specs[0]; k++) {
        const good_spec *g = &good_specs[k];
        simdepth_model_spec *s = NULL;
        simdepth_error err;
        simdepth_status st = simdepth_model_spec_parse(g->text, strlen(g->text), NULL, &s, &err);

        ROW_CHECK(st == SIMDEPTH_OK && s != NULL, g->row, "status %d: %s", (int)st, err.message);
        if (s == NULL)
            continue;
        ROW_CHECK(str_eq(s->weights, g->weights), g->row, "weights '%s', expected '%s'",
                  show(s->weights), show(g->weights));
        ROW_CHECK(str_eq(s->similarity, g->similarity), g->row,
                  "similarity '%s', expected '%s'", show(s->similarity), show(g->similarity));
        ROW_CHECK(str_eq(s->confusion, g->confusion), g->row, "confusion '%s', expected '%s'",
                  show(s->confusion), show(g->confusion));
        ROW_CHECK(str_eq(s->labels, g->labels), g->row, "labels '%s', expected '%s'",
                  show(s->labels), show(g->labels));
        ROW_CHECK(str_eq(s->name, g->name), g->row, "name '%s', expected '%s'", show(s->name),
                  show(g->name));
        ROW_CHECK(s->name_given == g->name_given, g->row, "name_given %d", s->name_given);
        ROW_CHECK(isnan(s->accuracy) && isnan(s->epoch) && s->line == 0, g->row,
                  "accuracy %g epoch %g line %zu", s->accuracy, s->epoch, s->line);
        simdepth_model_spec_free(s);
    }
}

typedef struct bad_input {
    const char *row;
    const char *text;
    size_t len; /* 0: strlen */
    simdepth_status status;
    long line;  /* -1: not checked */
    long column;
    const char *substring;
} bad_input;

static const bad_input bad_specs[] = {
    {"empty", "", 0, SIMDEPTH_EFORMAT, 0, 1, "expected a KEY=VALUE field"},
    {"no equals", "w.npy", 0, SIMDEPTH_EFORMAT, 0, 1, "field 'w.npy' has no '='"},
    {"unknown key", "weights=w.npy,colour=red", 0, SIMDEPTH_EFORMAT, 0, 15,
     "unknown key 'colour'; expected weights, similarity, confusion, labels or name"},
    {"key twice", "weights=a.npy,name=x,name=y", 0, SIMDEPTH_EFORMAT, 0, 22,
     "key 'name' given twice"},
    {"both inputs", "weights=a.npy,similarity=s.npy", 0, SIMDEPTH_EFORMAT, 0, 15,
     "both weights= and similarity="},
    {"neither input", "confusion=c.npy,name=x", 0, SIMDEPTH_EFORMAT, 0, 1,
     "no weights= or similarity="},
    {"empty value", "weights=,name=x", 0, SIMDEPTH_EFORMAT, 0, 9,
     "empty value of 'weights'; expected a file name"},
    {"empty name", "weights=w.npy,name=  ", 0, SIMDEPTH_EFORMAT, 0, 22,
     "empty value of 'name'"},
    {"trailing comma", "weights=w.npy,", 0, SIMDEPTH_EFORMAT, 0, 15,
     "the line ends after ','"},
    {"empty field", "weights=w.npy,,name=x", 0, SIMDEPTH_EFORMAT, 0, 15,
     "expected a KEY=VALUE field"},
    {"missing key", "=w.npy", 0, SIMDEPTH_EFORMAT, 0, 1, "expected a key before '='"},
    {"accuracy outside a manifest", "weights=w.npy,accuracy=0.9", 0, SIMDEPTH_EFORMAT, 0, 15,
     "belongs in a track manifest"},
    {"epoch outside a manifest", "weights=w.npy,epoch=3", 0, SIMDEPTH_EFORMAT, 0, 15,
     "belongs in a track manifest"},
    {"trailing backslash", "weights=w.npy\\", 0, SIMDEPTH_EFORMAT, 0, 14,
     "a backslash ends the field"},
    {"NUL byte", "weights=w\0.npy", 14, SIMDEPTH_EFORMAT, 0, 10, "a NUL byte"},
    {"line break", "weights=w.npy\nname=x", 0, SIMDEPTH_EFORMAT, 0, 14, "a line break"},
    {"key case matters", "Weights=w.npy", 0, SIMDEPTH_EFORMAT, 0, 1, "unknown key 'Weights'"},
    {"name from nothing", "weights=dir/", 0, SIMDEPTH_EFORMAT, 0, 1, "expected name=NAME"},
};

static void test_spec_bad(void)
{
    for (size_t k = 0; k < sizeof bad_specs / sizeof bad_specs[0]; k++) {
        const bad_input *b = &bad_specs[k];
        simdepth_model_spec *s = NULL;
        simdepth_error err;
        size_t len = b->len ? b->len : strlen(b->text);
        simdepth_status st = simdepth_model_spec_parse(b->text, len, "A", &s, &err);

        ROW_CHECK(st == b->status && s == NULL, b->row, "status %d (expected %d), out %s",
                  (int)st, (int)b->status, s ? "set" : "NULL");
        ROW_CHECK(strcmp(err.file, "A") == 0 && err.column == b->column, b->row,
                  "file '%s' column %ld (expected %ld)", err.file, err.column, b->column);
        ROW_CHECK(strstr(err.message, b->substring) != NULL, b->row,
                  "message '%s' (expected '%s')", err.message, b->substring);
        simdepth_model_spec_free(s);
    }
}

/* ------------------------------------------------------------ manifests */

static const char good_manifest[] =
    "# checkpoints of one run\n"
    "\n"
    "weights=ep10.npy,accuracy=0.71,epoch=10   # first\n"
    "   weights=ckpt/ep20.pth:fc.weight , accuracy = 71.5 ,confusion=c20.csv\r\n"
    "similarity=/abs/sim.npy,name=zoo model,labels=../l.txt,epoch=2.5\n"
    "\t# indented comment\n"
    "weights=we\\#ird.npy#not a comment,name=w\\, x\n"
    "weights=last.npy";

static void test_manifest_good(void)
{
    static const struct {
        const char *weights, *similarity, *confusion, *labels, *name;
        double accuracy, epoch;
        size_t line;
    } want[] = {
        {"runs/a/ep10.npy", NULL, NULL, NULL, "ep10", 0.71, 10, 3},
        {"runs/a/ckpt/ep20.pth:fc.weight", NULL, "runs/a/c20.csv", NULL, "ep20", 71.5, NAN, 4},
        {NULL, "/abs/sim.npy", NULL, "runs/a/../l.txt", "zoo model", NAN, 2.5, 5},
        {"runs/a/we#ird.npy#not a comment", NULL, NULL, NULL, "w, x", NAN, NAN, 7},
        {"runs/a/last.npy", NULL, NULL, NULL, "last", NAN, NAN, 8},
    };
    simdepth_manifest *m = NULL;
    simdepth_error err;

    CU_ASSERT_EQUAL_FATAL(simdepth_manifest_parse(good_manifest, strlen(good_manifest),
                                                  "runs/a/models.txt", &m, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(m->n_models, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < m->n_models; i++) {
        const simdepth_model_spec *s = &m->models[i];
        char row[32];
        snprintf(row, sizeof row, "model %zu", i + 1);
        ROW_CHECK(str_eq(s->weights, want[i].weights), row, "weights '%s', expected '%s'",
                  show(s->weights), show(want[i].weights));
        ROW_CHECK(str_eq(s->similarity, want[i].similarity), row, "similarity '%s'",
                  show(s->similarity));
        ROW_CHECK(str_eq(s->confusion, want[i].confusion), row, "confusion '%s'",
                  show(s->confusion));
        ROW_CHECK(str_eq(s->labels, want[i].labels), row, "labels '%s'", show(s->labels));
        ROW_CHECK(str_eq(s->name, want[i].name), row, "name '%s', expected '%s'", show(s->name),
                  want[i].name);
        ROW_CHECK(num_eq(s->accuracy, want[i].accuracy), row, "accuracy %g", s->accuracy);
        ROW_CHECK(num_eq(s->epoch, want[i].epoch), row, "epoch %g", s->epoch);
        ROW_CHECK(s->line == want[i].line, row, "line %zu, expected %zu", s->line, want[i].line);
    }
    simdepth_manifest_free(m);

    /* without a source, names stay as written */
    m = NULL;
    CU_ASSERT_EQUAL_FATAL(simdepth_manifest_parse("weights=a.npy\n", 14, NULL, &m, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(m->models[0].weights, "a.npy");
    simdepth_manifest_free(m);
    simdepth_manifest_free(NULL);
    simdepth_model_spec_free(NULL);
}

static const bad_input bad_manifests[] = {
    {"empty file", "", 0, SIMDEPTH_EFORMAT, 0, 0, "no models"},
    {"only comments", "# nothing\n\n   # here\n", 0, SIMDEPTH_EFORMAT, 0, 0, "no models"},
    {"bad field on line 3", "weights=a.npy\n# c\n  weights=b.npy,bogus\n", 0, SIMDEPTH_EFORMAT,
     3, 17, "field 'bogus' has no '='"},
    {"accuracy not a number", "weights=a.npy,accuracy=high\n", 0, SIMDEPTH_EFORMAT, 1, 24,
     "bad value of 'accuracy'; expected a finite number"},
    {"accuracy infinite", "weights=a.npy,accuracy=inf\n", 0, SIMDEPTH_EFORMAT, 1, 24,
     "expected a finite number"},
    {"epoch with junk", "weights=a.npy,epoch=3x\n", 0, SIMDEPTH_EFORMAT, 1, 21,
     "bad value of 'epoch'"},
    {"duplicate default names", "weights=x/a.npy\nweights=y/a.pth\n", 0, SIMDEPTH_EFORMAT, 2,
     1, "model name 'a' was already used on line 1"},
    {"duplicate given names", "weights=a.npy,name=m\nweights=b.npy\nsimilarity=c.npy,name=m\n",
     0, SIMDEPTH_EFORMAT, 3, 1, "already used on line 1; expected a unique name"},
    {"first repetition reported", "weights=q.npy\nweights=p.npy\nweights=p.npy\nweights=q.npy\n",
     0, SIMDEPTH_EFORMAT, 3, 1, "model name 'p' was already used on line 2"},
    {"unknown key names manifest keys", "weights=a.npy,acc=1\n", 0, SIMDEPTH_EFORMAT, 1, 15,
     "labels, name, accuracy or epoch"},
    {"NUL on line 2", "weights=a.npy\nweights=b\0.npy\n", 29, SIMDEPTH_EFORMAT, 2, 10,
     "a NUL byte"},
    {"missing input after comment", "name=x # weights=a.npy\n", 0, SIMDEPTH_EFORMAT, 1, 1,
     "no weights= or similarity="},
};

static void test_manifest_bad(void)
{
    for (size_t k = 0; k < sizeof bad_manifests / sizeof bad_manifests[0]; k++) {
        const bad_input *b = &bad_manifests[k];
        simdepth_manifest *m = NULL;
        simdepth_error err;
        size_t len = b->len ? b->len : strlen(b->text);
        simdepth_status st = simdepth_manifest_parse(b->text, len, "m.txt", &m, &err);

        ROW_CHECK(st == b->status && m == NULL, b->row, "status %d (expected %d), out %s",
                  (int)st, (int)b->status, m ? "set" : "NULL");
        ROW_CHECK(strcmp(err.file, "m.txt") == 0 && err.line == b->line &&
                      err.column == b->column,
                  b->row, "at %s:%ld:%ld (expected m.txt:%ld:%ld)", err.file, err.line,
                  err.column, b->line, b->column);
        ROW_CHECK(strstr(err.message, b->substring) != NULL, b->row,
                  "message '%s' (expected '%s')", err.message, b->substring);
        simdepth_manifest_free(m);
    }
}

static void test_manifest_read(void)
{
    char dir[512], path[600], msg[1200];
    simdepth_manifest *m = NULL;
    simdepth_error err;
    static const char text[] = "weights=w.npy,name=one\nsimilarity=s.csv\n";

    CU_ASSERT_FATAL(simdepth_test_tmpdir(dir, sizeof dir, "manifest") == 0);
    snprintf(path, sizeof path, "%s/list.txt", dir);
    CU_ASSERT_FATAL(simdepth_test_write_bytes(path, text, sizeof text - 1) == 0);
    CU_ASSERT_EQUAL_FATAL(simdepth_manifest_read(path, &m, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(m->n_models, 2);
    snprintf(msg, sizeof msg, "%s/w.npy", dir);
    CU_ASSERT_STRING_EQUAL(m->models[0].weights, msg);
    CU_ASSERT_STRING_EQUAL(m->models[1].name, "s");
    simdepth_manifest_free(m);
    m = NULL;
    snprintf(path, sizeof path, "%s/missing.txt", dir);
    CU_ASSERT_EQUAL(simdepth_manifest_read(path, &m, &err), SIMDEPTH_EIO);
    CU_ASSERT_PTR_NULL(m);
    CU_ASSERT_STRING_EQUAL(err.file, path);
    /* a formatted message names file, line and column */
    CU_ASSERT_EQUAL(simdepth_manifest_parse("weights=a\nname=b\n", 17, "x/m.txt", &m, &err),
                    SIMDEPTH_EFORMAT);
    simdepth_error_format(&err, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "x/m.txt:2:1: no weights= or similarity="));
    simdepth_test_remove_tree(dir);
}

static void test_default_name(void)
{
    static const struct {
        const char *file, *name;
    } rows[] = {
        {"a.npy", "a"},
        {"dir/ep10.pth:fc.weight", "ep10"},
        {"dir.v2/model", "model"},
        {"/x/y/sim.v1.npy", "sim.v1"},
        {"noext", "noext"},
        {"x/.hidden", ".hidden"},
        {"odd:name", "odd:name"},
    };
    char buf[64], tiny[4];

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        ROW_CHECK(strcmp(simdepth_model_spec_default_name(rows[i].file, buf, sizeof buf),
                         rows[i].name) == 0,
                  rows[i].file, "got '%s', expected '%s'", buf, rows[i].name);
    CU_ASSERT_STRING_EQUAL(simdepth_model_spec_default_name("abcdef.npy", tiny, sizeof tiny),
                           "abc");
}

int simdepth_test_add_manifest(void)
{
    CU_pSuite s = CU_add_suite("manifest", NULL, NULL);

    if (s == NULL || CU_add_test(s, "good specs", test_spec_good) == NULL ||
        CU_add_test(s, "malformed specs", test_spec_bad) == NULL ||
        CU_add_test(s, "good manifest", test_manifest_good) == NULL ||
        CU_add_test(s, "malformed manifests", test_manifest_bad) == NULL ||
        CU_add_test(s, "reading a manifest file", test_manifest_read) == NULL ||
        CU_add_test(s, "default names", test_default_name) == NULL)
        return -1;
    return 0;
}
