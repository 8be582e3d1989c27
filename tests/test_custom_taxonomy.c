/* simdepth — tests of custom taxonomies (custom_taxonomy.h) and of the
 * semantic similarity matrices (semsim.h). Suite "custom_taxonomy".
 *
 * Golden data:
 *   - tests/data/custom_taxonomy/wordnet_copy.tsv: WordNet's hypernym
 *     graph above the 100 mini-imagenet-vitb classes as an edge list, and
 *     lch_pairs.tsv: NLTK 3.8's lch_similarity of all pairs i <= j. Both are
 *     written by gen_wordnet_copy.py in the same directory (how to run it
 *     is in its docstring); CI only reads them.
 *   - ../shared/data/mini-imagenet-vitb/golden/wordnet_pairs.csv (nltk_path,
 *     nltk_wup), wnids.txt and vitb_cosine.npy, read in place.
 *   - samples/cifar100/taxonomy.tsv.
 * Malformed taxonomies are written into a mkdtemp() directory at test time.
 *
 * Tolerance: names and depths exact; WUP and SD of the WordNet copy exact
 * (same operations on the same integers); path, WUP and LCH against NLTK
 * 1e-12.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "simdepth/analysis.h"
#include "simdepth/custom_taxonomy.h"
#include "simdepth/io.h"
#include "simdepth/labels.h"
#include "simdepth/semsim.h"
#include "simdepth/taxonomy.h"
#include "simdepth/wordnet.h"
#include "tests.h"

#if defined(__GNUC__)
#define CT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CT_PRINTF(f, a)
#endif

#define CT_TOL 1e-12
#define CT_MAX_REPORTED 8
#define CT_N 100

static simdepth_taxonomy *wn;
static simdepth_error wn_err;
static char tmpdir[256];

static int suite_init(void)
{
    const char *base = getenv("TMPDIR");

    simdepth_error_clear(&wn_err);
    if (simdepth_wordnet_open(NULL, &wn, &wn_err) != SIMDEPTH_OK)
        wn = NULL;
    snprintf(tmpdir, sizeof tmpdir, "%s/simdepth-ct.XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL)
        tmpdir[0] = '\0';
    return 0;
}

static int suite_clean(void)
{
    simdepth_taxonomy_free(wn);
    wn = NULL;
    if (tmpdir[0] != '\0') {
        char cmd[300];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "cannot remove %s\n", tmpdir);
    }
    return 0;
}

/* ------------------------------------------------------------- helpers */

static void fail_at(int line, const char *fmt, ...) CT_PRINTF(2, 3);

static void fail_at(int line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    CU_assertImplementation(CU_FALSE, (unsigned)line, msg, __FILE__, "",
                            CU_FALSE);
}

static int need_wordnet(int line)
{
    char buf[1200];

    if (wn != NULL)
        return 1;
    simdepth_error_format(&wn_err, buf, sizeof buf);
    fail_at(line, "WordNet 3.0 did not open: %s", buf);
    return 0;
}

/* The 100 wnids of mini-imagenet-vitb, in class order; 0 or -1. */
static int read_wnids(char ids[CT_N][16])
{
    size_t len, n = 0;
    char *buf = simdepth_test_slurp(
        simdepth_test_shared("mini-imagenet-vitb/wnids.txt"), &len);
    char *p, *save = NULL;

    if (buf == NULL)
        return -1;
    for (p = strtok_r(buf, "\n", &save); p != NULL && n < CT_N;
         p = strtok_r(NULL, "\n", &save))
        snprintf(ids[n++], 16, "%.9s", p);
    free(buf);
    return n == CT_N ? 0 : -1;
}

/* WordNet nodes of the 100 classes and the same classes in @copy (by the
 * WordNet synset name). 0 or -1 (after recording a failure). */
static int class_nodes(const simdepth_taxonomy *copy, size_t *wn_nodes,
                       size_t *copy_nodes)
{
    char ids[CT_N][16];
    size_t i;

    if (read_wnids(ids) != 0) {
        fail_at(__LINE__, "cannot read mini-imagenet-vitb/wnids.txt");
        return -1;
    }
    for (i = 0; i < CT_N; i++) {
        if (simdepth_taxonomy_find_id(wn, ids[i], &wn_nodes[i], NULL) !=
            SIMDEPTH_OK) {
            fail_at(__LINE__, "class %zu: %s not in WordNet", i, ids[i]);
            return -1;
        }
        if (copy != NULL &&
            simdepth_taxonomy_find_id(copy,
                                      simdepth_taxonomy_name(wn, wn_nodes[i]),
                                      &copy_nodes[i], NULL) != SIMDEPTH_OK) {
            fail_at(__LINE__, "class %zu: %s not in the copy", i,
                    simdepth_taxonomy_name(wn, wn_nodes[i]));
            return -1;
        }
    }
    return 0;
}

static simdepth_taxonomy *load_copy(void)
{
    simdepth_taxonomy *t = NULL;
    simdepth_error err;
    char buf[1200];

    simdepth_error_clear(&err);
    if (simdepth_taxonomy_read(
            simdepth_test_data("custom_taxonomy/wordnet_copy.tsv"), &t,
            &err) != SIMDEPTH_OK) {
        simdepth_error_format(&err, buf, sizeof buf);
        fail_at(__LINE__, "wordnet_copy.tsv: %s", buf);
        return NULL;
    }
    return t;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    size_t len = strlen(text);

    if (f == NULL)
        return -1;
    if (fwrite(text, 1, len, f) != len) {
        fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

/* --------------------------------------------- the WordNet copy equals WordNet */

static void test_wordnet_copy_pairs(void)
{
    simdepth_taxonomy *copy;
    size_t wnn[CT_N], cpn[CT_N], i, j, bad = 0, rows = 0;
    int r;

    if (!need_wordnet(__LINE__) || (copy = load_copy()) == NULL)
        return;
    if (class_nodes(copy, wnn, cpn) != 0)
        goto out;
    for (i = 0; i < CT_N; i++) {
        if (simdepth_taxonomy_min_depth(copy, cpn[i]) !=
                simdepth_taxonomy_min_depth(wn, wnn[i]) ||
            simdepth_taxonomy_max_depth(copy, cpn[i]) !=
                simdepth_taxonomy_max_depth(wn, wnn[i])) {
            fail_at(__LINE__, "class %zu (%s): depths differ", i,
                    simdepth_taxonomy_name(wn, wnn[i]));
            bad++;
        }
    }
    for (r = 0; r < 2; r++) {
        simdepth_lcs_rule rule = r == 0 ? SIMDEPTH_LCS_REFERENCE
                                        : SIMDEPTH_LCS_TRUE;

        for (i = 0; i < CT_N; i++) {
            for (j = i + 1; j < CT_N; j++) {
                simdepth_lcs a, b;

                if (r == 0)
                    rows++;
                if (simdepth_taxonomy_lcs(wn, wnn[i], wnn[j], rule, &a,
                                          NULL) != SIMDEPTH_OK ||
                    simdepth_taxonomy_lcs(copy, cpn[i], cpn[j], rule, &b,
                                          NULL) != SIMDEPTH_OK) {
                    fail_at(__LINE__, "rule %d, pair %zu,%zu: no LCS", r, i,
                            j);
                    bad++;
                    continue;
                }
                if (strcmp(simdepth_taxonomy_name(wn, a.lcs),
                           simdepth_taxonomy_name(copy, b.lcs)) != 0 ||
                    a.depth != b.depth || a.len_a != b.len_a ||
                    a.len_b != b.len_b || a.wup != b.wup ||
                    simdepth_taxonomy_path_distance(wn, wnn[i], wnn[j]) !=
                        simdepth_taxonomy_path_distance(copy, cpn[i],
                                                        cpn[j])) {
                    if (++bad <= CT_MAX_REPORTED)
                        fail_at(__LINE__,
                                "rule %d, pair %zu,%zu: WordNet %s depth %d "
                                "wup %.17g, copy %s depth %d wup %.17g",
                                r, i, j, simdepth_taxonomy_name(wn, a.lcs),
                                a.depth, a.wup,
                                simdepth_taxonomy_name(copy, b.lcs), b.depth,
                                b.wup);
                }
            }
        }
    }
    CU_ASSERT_EQUAL(rows, 4950);
    CU_ASSERT_EQUAL(bad, 0);
out:
    simdepth_taxonomy_free(copy);
}

static void test_wordnet_copy_sd(void)
{
    simdepth_taxonomy *copy;
    simdepth_matrix *s1 = NULL, *s2 = NULL;
    simdepth_analysis *a1 = NULL, *a2 = NULL;
    simdepth_analysis_options opt;
    simdepth_error err;
    size_t wnn[CT_N], cpn[CT_N];
    const char *npy = simdepth_test_shared("mini-imagenet-vitb/vitb_cosine.npy");

    if (!need_wordnet(__LINE__) || (copy = load_copy()) == NULL)
        return;
    if (class_nodes(copy, wnn, cpn) != 0)
        goto out;
    simdepth_error_clear(&err);
    simdepth_analysis_options_init(&opt);
    CU_ASSERT_EQUAL_FATAL(simdepth_npy_read(npy, &s1, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_npy_read(npy, &s2, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(
        simdepth_analysis_run(s1, NULL, wn, wnn, &opt, &a1, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(
        simdepth_analysis_run(s2, NULL, copy, cpn, &opt, &a2, &err),
        SIMDEPTH_OK);
    CU_ASSERT(!isnan(a1->perceived.similarity_depth));
    CU_ASSERT(a1->perceived.similarity_depth ==
              a2->perceived.similarity_depth);
    CU_ASSERT(a1->perceived.mean_wup == a2->perceived.mean_wup);
    if (a1->perceived.similarity_depth != a2->perceived.similarity_depth ||
        a1->perceived.mean_wup != a2->perceived.mean_wup)
        fail_at(__LINE__, "SD %.17g vs %.17g, WUP %.17g vs %.17g",
                a1->perceived.similarity_depth,
                a2->perceived.similarity_depth, a1->perceived.mean_wup,
                a2->perceived.mean_wup);
out:
    simdepth_analysis_free(a1);
    simdepth_analysis_free(a2);
    simdepth_matrix_free(s1);
    simdepth_matrix_free(s2);
    simdepth_taxonomy_free(copy);
}

/* ----------------------------------------------------- NLTK golden values */

static void test_nltk_path_wup(void)
{
    simdepth_test_csv csv;
    simdepth_matrix *path = NULL, *wup = NULL;
    simdepth_error err;
    size_t wnn[CT_N], r, bad = 0;

    if (!need_wordnet(__LINE__))
        return;
    if (class_nodes(NULL, wnn, NULL) != 0)
        return;
    CU_ASSERT_EQUAL_FATAL(
        simdepth_test_csv_load(simdepth_test_shared(
                                   "mini-imagenet-vitb/golden/wordnet_pairs.csv"),
                               &csv),
        0);
    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_semsim_matrix(wn, wnn, CT_N, SIMDEPTH_SEMSIM_PATH,
                                           SIMDEPTH_LCS_REFERENCE, &path, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_semsim_matrix(wn, wnn, CT_N, SIMDEPTH_SEMSIM_WUP,
                                           SIMDEPTH_LCS_REFERENCE, &wup, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(csv.n_rows, 4950);
    if (path != NULL && wup != NULL) {
        for (r = 0; r < csv.n_rows; r++) {
            size_t i = strtoul(simdepth_test_csv_get(&csv, r, "i"), NULL, 10);
            size_t j = strtoul(simdepth_test_csv_get(&csv, r, "j"), NULL, 10);
            double p = strtod(simdepth_test_csv_get(&csv, r, "nltk_path"), NULL);
            double w = strtod(simdepth_test_csv_get(&csv, r, "nltk_wup"), NULL);

            if (i >= CT_N || j >= CT_N ||
                fabs(simdepth_matrix_get(path, i, j) - p) > CT_TOL ||
                fabs(simdepth_matrix_get(path, j, i) - p) > CT_TOL ||
                fabs(simdepth_matrix_get(wup, i, j) - w) > CT_TOL) {
                if (++bad <= CT_MAX_REPORTED)
                    fail_at(__LINE__, "wordnet_pairs.csv row %zu (%zu,%zu): "
                            "path %.17g vs %.17g, wup %.17g vs %.17g", r + 1,
                            i, j, i < CT_N && j < CT_N ? simdepth_matrix_get(path, i, j) : NAN,
                            p, i < CT_N && j < CT_N ? simdepth_matrix_get(wup, i, j) : NAN, w);
            }
        }
        for (r = 0; r < CT_N; r++) {
            CU_ASSERT_EQUAL(simdepth_matrix_get(path, r, r), 1.0);
            simdepth_lcs self;

            /* Not always 1: under the min-depth rule a synset with a short
             * and a long path up can have a deeper-by-min_depth ancestor
             * as its own LCS, and NLTK's wup_similarity(a, a) is then < 1. */
            CU_ASSERT_EQUAL(simdepth_taxonomy_lcs(wn, wnn[r], wnn[r],
                                                  SIMDEPTH_LCS_REFERENCE,
                                                  &self, NULL),
                            SIMDEPTH_OK);
            CU_ASSERT_EQUAL(simdepth_matrix_get(wup, r, r), self.wup);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    simdepth_matrix_free(path);
    simdepth_matrix_free(wup);
    simdepth_test_csv_free(&csv);
}

static void test_nltk_lch(void)
{
    simdepth_matrix *lch = NULL;
    simdepth_error err;
    size_t wnn[CT_N], len, rows = 0, bad = 0;
    char *buf, *line, *save = NULL;

    if (!need_wordnet(__LINE__))
        return;
    if (class_nodes(NULL, wnn, NULL) != 0)
        return;
    CU_ASSERT_EQUAL(simdepth_semsim_lch_depth(wn), 19);
    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_semsim_matrix(wn, wnn, CT_N,
                                                 SIMDEPTH_SEMSIM_LCH,
                                                 SIMDEPTH_LCS_REFERENCE, &lch,
                                                 &err),
                          SIMDEPTH_OK);
    buf = simdepth_test_slurp(simdepth_test_data("custom_taxonomy/lch_pairs.tsv"),
                              &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
    for (line = strtok_r(buf, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save)) {
        unsigned long i, j;
        int dist;
        double v;
        char wi[16], wj[16], ni[128], nj[128];

        if (line[0] == '#' || line[0] == 'i')
            continue;
        if (sscanf(line, "%lu\t%lu\t%15s\t%15s\t%127s\t%127s\t%d\t%lf", &i, &j,
                   wi, wj, ni, nj, &dist, &v) != 8 ||
            i >= CT_N || j >= CT_N) {
            fail_at(__LINE__, "lch_pairs.tsv: bad line '%s'", line);
            bad++;
            continue;
        }
        rows++;
        if (fabs(simdepth_matrix_get(lch, i, j) - v) > CT_TOL ||
            fabs(simdepth_matrix_get(lch, j, i) - v) > CT_TOL ||
            simdepth_taxonomy_path_distance(wn, wnn[i], wnn[j]) != dist) {
            if (++bad <= CT_MAX_REPORTED)
                fail_at(__LINE__, "lch %s %s: %.17g, NLTK %.17g", ni, nj,
                        simdepth_matrix_get(lch, i, j), v);
        }
    }
    CU_ASSERT_EQUAL(rows, 5050);
    CU_ASSERT_EQUAL(bad, 0);
    free(buf);
    simdepth_matrix_free(lch);
}

/* ------------------------------------------------------------ error table */

typedef struct bad_case {
    const char *name;
    const char *text;
    simdepth_status status;
    long line; /* expected err.line, or -1 for "any" */
    const char *substring;
} bad_case;

static const bad_case bad_cases[] = {
    {"cycle", "# a cycle\na\tb\nb\tc\nc\ta\nd\ta\n", SIMDEPTH_EFORMAT, 0,
     "a -> b -> c -> a"},
    {"self loop", "a\ta\n", SIMDEPTH_EFORMAT, 0, "a -> a"},
    {"duplicate edge", "a\tb\n\nc\tb\na\tb\n", SIMDEPTH_EFORMAT, 4,
     "line 4 repeats line 1"},
    {"three fields", "a\tb\nc\td\te\n", SIMDEPTH_EFORMAT, 2,
     "3 tab-separated fields; expected exactly two"},
    {"one field", "a\tb\nc d\n", SIMDEPTH_EFORMAT, 2,
     "1 tab-separated field; expected exactly two"},
    {"empty parent", "a\t  \n", SIMDEPTH_EFORMAT, 1, "empty parent name"},
    {"empty file", "", SIMDEPTH_EFORMAT, 0, "empty taxonomy"},
    {"only comments", "# nothing\n\n   \n", SIMDEPTH_EFORMAT, 0,
     "empty taxonomy"},
    {"reserved name", "a\t<root>\n", SIMDEPTH_EFORMAT, 1, "reserved"},
    {"Newick unbalanced", "((a,b),c;\n", SIMDEPTH_EFORMAT, -1,
     "expected ',' or ')'"},
    {"Newick unnamed leaf", "((a,),c);\n", SIMDEPTH_EFORMAT, 0,
     "leaf without a name"},
    {"Newick repeated name", "((a,b)x,(a,c));\n", SIMDEPTH_EFORMAT, 0,
     "'a' appears twice"},
};

static void test_malformed(void)
{
    size_t k;

    CU_ASSERT_FATAL(tmpdir[0] != '\0');
    for (k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; k++) {
        const bad_case *c = &bad_cases[k];
        char path[512];
        simdepth_taxonomy *t = NULL;
        simdepth_error err;
        simdepth_status st;

        snprintf(path, sizeof path, "%s/bad%zu.tsv", tmpdir, k);
        if (write_file(path, c->text) != 0) {
            fail_at(__LINE__, "%s: cannot write %s", c->name, path);
            continue;
        }
        simdepth_error_clear(&err);
        st = simdepth_taxonomy_read(path, &t, &err);
        if (st != c->status || t != NULL || strcmp(err.file, path) != 0 ||
            (c->line >= 0 && err.line != c->line) ||
            strstr(err.message, c->substring) == NULL)
            fail_at(__LINE__,
                    "%s: status %d (expected %d), out %s, file '%s', line %ld "
                    "(expected %ld), message '%s' (expected '%s')",
                    c->name, (int)st, (int)c->status, t ? "set" : "NULL",
                    err.file, err.line, c->line, err.message, c->substring);
        simdepth_taxonomy_free(t);
    }
}

static void test_missing_file(void)
{
    simdepth_taxonomy *t = NULL;
    simdepth_error err;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_taxonomy_read("/nonexistent/tax.tsv", &t, &err),
                    SIMDEPTH_EIO);
    CU_ASSERT_PTR_NULL(t);
}

static void test_unknown_leaf(void)
{
    static const char *lines[] = {"beaver", "Sweet Pepper", "unicorn"};
    simdepth_taxonomy *t = NULL;
    simdepth_labels *labels = NULL;
    simdepth_error err;
    size_t nodes[3];

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_read(
                              simdepth_test_data("../../samples/cifar100/taxonomy.tsv"),
                              &t, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_labels_new(lines, 3, &labels, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_resolve_labels(t, labels, "labels.txt",
                                                     nodes, &err),
                    SIMDEPTH_ENOTFOUND);
    CU_ASSERT_STRING_EQUAL(err.file, "labels.txt");
    CU_ASSERT_EQUAL(err.line, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "unknown leaf 'unicorn'"));
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, nodes[1]), "sweet_pepper");
    simdepth_labels_free(labels);
    simdepth_taxonomy_free(t);
}

/* ------------------------------------------------------- valid taxonomies */

static void test_cifar100(void)
{
    simdepth_taxonomy *t = NULL;
    simdepth_error err;
    simdepth_lcs lcs;
    size_t u, n, leaves = 0, roots = 0, a, b, c;
    double v;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_read(
                              simdepth_test_data("../../samples/cifar100/taxonomy.tsv"),
                              &t, &err),
                          SIMDEPTH_OK);
    n = simdepth_taxonomy_size(t);
    CU_ASSERT_EQUAL(n, 121);
    for (u = 0; u < n; u++) {
        leaves += simdepth_taxonomy_max_depth(t, u) == 2;
        roots += simdepth_taxonomy_max_depth(t, u) == 0;
    }
    CU_ASSERT_EQUAL(leaves, 100);
    CU_ASSERT_EQUAL(roots, 1);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "maple tree", &a, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_min_depth(t, a), 2);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "Oak_Tree", &b, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_id(t, "rocket", &c, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, a, b, SIMDEPTH_LCS_REFERENCE,
                                                &lcs, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, lcs.lcs), "trees");
    CU_ASSERT_EQUAL(lcs.depth, 2);
    CU_ASSERT_DOUBLE_EQUAL(lcs.wup, 2.0 / 3.0, CT_TOL);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, a, c, SIMDEPTH_LCS_TRUE,
                                                &lcs, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, lcs.lcs), "cifar100");
    CU_ASSERT_EQUAL(simdepth_semsim_lch_depth(t), 2);
    CU_ASSERT_EQUAL(simdepth_semsim_pair(t, a, c, SIMDEPTH_SEMSIM_LCH,
                                         SIMDEPTH_LCS_REFERENCE, &v, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, -log(5.0 / 4.0), CT_TOL);
    CU_ASSERT_EQUAL(simdepth_semsim_pair(t, a, b, SIMDEPTH_SEMSIM_PATH,
                                         SIMDEPTH_LCS_REFERENCE, &v, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_DOUBLE_EQUAL(v, 1.0 / 3.0, CT_TOL);
    simdepth_taxonomy_free(t);
}

static void test_newick(void)
{
    static const char text[] =
        "  [a comment]\n((Golden_Retriever:1,poodle)dog,('house cat',lion)):2;";
    simdepth_taxonomy *t = NULL;
    simdepth_error err;
    simdepth_lcs lcs;
    size_t a, b, c;

    simdepth_error_clear(&err);
    /* Leading "[comment]" is not '(': read as an edge list and refused. */
    CU_ASSERT_EQUAL(simdepth_taxonomy_parse(text, strlen(text), "x", &t, &err),
                    SIMDEPTH_EFORMAT);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_parse(text + 14, strlen(text + 14),
                                                  "x", &t, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_size(t), 7);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "golden retriever", &a, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "House_Cat", &b, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_id(t, "node0", &c, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(t, c), 0);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_id(t, "node4", &c, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(t, a), 2);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, a, b, SIMDEPTH_LCS_REFERENCE,
                                                &lcs, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, lcs.lcs), "node0");
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "poodle", &b, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, a, b, SIMDEPTH_LCS_REFERENCE,
                                                &lcs, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, lcs.lcs), "dog");
    simdepth_taxonomy_free(t);
}

/* A DAG with two roots: the virtual root joins them; depths over all
 * parent paths. */
static void test_dag_virtual_root(void)
{
    static const char text[] = "# two roots\r\n"
                               "x\tmammal\r\n"
                               "x\tpet\r\n"
                               " mammal \t animal\r\n"
                               "rock\tmineral\n"
                               "y\tanimal\n";
    simdepth_taxonomy *t = NULL;
    simdepth_error err;
    simdepth_lcs lcs;
    size_t x, y, rock, root;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_parse(text, strlen(text), "dag",
                                                  &t, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_size(t), 8);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_find_id(
                              t, SIMDEPTH_TAXONOMY_VIRTUAL_ROOT, &root, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_id(t, "x", &x, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_id(t, "y", &y, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_id(t, "rock", &rock, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(t, root), 0);
    CU_ASSERT_EQUAL(simdepth_taxonomy_min_depth(t, x), 2); /* via pet */
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(t, x), 3); /* via mammal */
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, x, rock,
                                                SIMDEPTH_LCS_REFERENCE, &lcs,
                                                &err),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(lcs.lcs, root);
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, x, y, SIMDEPTH_LCS_REFERENCE,
                                                &lcs, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, lcs.lcs), "animal");
    CU_ASSERT_EQUAL(simdepth_semsim_lch_depth(t), 3);
    simdepth_taxonomy_free(t);
}

static void test_semsim_args(void)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;
    simdepth_semsim_measure meas = SIMDEPTH_SEMSIM_PATH;
    size_t nodes[2] = {0, 99999999};

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_semsim_measure_parse("lch", &meas, &err),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(meas, SIMDEPTH_SEMSIM_LCH);
    CU_ASSERT_EQUAL(simdepth_semsim_measure_parse("jcn", &meas, &err),
                    SIMDEPTH_EINVAL);
    CU_ASSERT_STRING_EQUAL(simdepth_semsim_measure_name(SIMDEPTH_SEMSIM_WUP),
                           "wup");
    CU_ASSERT_EQUAL(simdepth_semsim_matrix(NULL, nodes, 2, SIMDEPTH_SEMSIM_WUP,
                                           SIMDEPTH_LCS_REFERENCE, &m, &err),
                    SIMDEPTH_EINVAL);
    if (wn != NULL)
        CU_ASSERT_EQUAL(simdepth_semsim_matrix(wn, nodes, 2, SIMDEPTH_SEMSIM_WUP,
                                               SIMDEPTH_LCS_REFERENCE, &m, &err),
                        SIMDEPTH_EINVAL);
    CU_ASSERT_PTR_NULL(m);
}

int simdepth_test_add_custom_taxonomy(void)
{
    CU_pSuite s = CU_add_suite("custom_taxonomy", suite_init, suite_clean);

    if (s == NULL ||
        CU_add_test(s, "WordNet copy: 4,950 pairs equal WordNet", test_wordnet_copy_pairs) == NULL ||
        CU_add_test(s, "WordNet copy: same SD and WUP", test_wordnet_copy_sd) == NULL ||
        CU_add_test(s, "path and wup matrices equal NLTK", test_nltk_path_wup) == NULL ||
        CU_add_test(s, "lch matrix equals NLTK", test_nltk_lch) == NULL ||
        CU_add_test(s, "malformed taxonomies", test_malformed) == NULL ||
        CU_add_test(s, "missing file", test_missing_file) == NULL ||
        CU_add_test(s, "unknown leaf", test_unknown_leaf) == NULL ||
        CU_add_test(s, "CIFAR-100 sample", test_cifar100) == NULL ||
        CU_add_test(s, "Newick", test_newick) == NULL ||
        CU_add_test(s, "DAG with two roots", test_dag_virtual_root) == NULL ||
        CU_add_test(s, "semsim arguments", test_semsim_args) == NULL)
        return -1;
    return 0;
}
