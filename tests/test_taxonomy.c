/* simdepth — tests of the taxonomy measures and the WordNet reader.
 *
 * Golden data (see tests/data/README-taxonomy.md):
 *   - ../shared/data/mini-imagenet-vitb/golden/wordnet_pairs.csv and
 *     classes.csv: the paper's reference code (NLTK 3.8) on the 100
 *     Mini-ImageNet classes; read in place, never copied.
 *   - tests/data/taxonomy/nltk_pairs.tsv: NLTK 3.8 on ~320 more WordNet
 *     pairs (instances, multi-parent synsets, rule disagreements).
 *   - tests/data/taxonomy/synthetic/ + synthetic_pairs.tsv: a small
 *     WordNet-format database built to hit every tie-break and path rule,
 *     with NLTK's answers for all ordered pairs.
 * Malformed databases are written into a mkdtemp() directory at test time.
 *
 * Tolerance: depths, lengths, counts and names must match exactly. Wu-Palmer
 * and path similarity are computed with the same floating-point operations
 * as NLTK, so they are expected to be bit-identical; the tests allow 1e-12.
 */
/* mkdtemp, setenv, strdup even under -std=c99. */
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

#include "simdepth/taxonomy.h"
#include "simdepth/wordnet.h"
#include "tests.h"

#if defined(__GNUC__)
#define TAX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TAX_PRINTF(f, a)
#endif

#define TAX_TOL 1e-12
/* Table-driven tests report this many mismatching rows, then the count. */
#define TAX_MAX_REPORTED 8

/* WordNet 3.0 from $WNSEARCHDIR or /usr/share/wordnet, opened once. */
static simdepth_taxonomy *wn;
static simdepth_error wn_err;

static int suite_init(void)
{
    simdepth_error_clear(&wn_err);
    if (simdepth_wordnet_open(NULL, &wn, &wn_err) != SIMDEPTH_OK)
        wn = NULL; /* each WordNet test fails with wn_err's message */
    return 0;
}

static int suite_clean(void)
{
    simdepth_taxonomy_free(wn);
    wn = NULL;
    return 0;
}

/* ------------------------------------------------------------- helpers */

/* Record a failure with a formatted message (CUnit copies the text). */
static void fail_at(int line, const char *fmt, ...) TAX_PRINTF(2, 3);

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

/* A mismatch in row @row: counted, and reported while few. */
typedef struct tally {
    const char *table;
    long rows;
    long bad;
} tally;

static void mismatch(tally *t, int line, const char *row, const char *fmt, ...)
    TAX_PRINTF(4, 5);

static void mismatch(tally *t, int line, const char *row, const char *fmt, ...)
{
    char what[512];
    va_list ap;

    if (++t->bad > TAX_MAX_REPORTED)
        return;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    fail_at(line, "%s, row %s: %s", t->table, row, what);
}

static void tally_done(const tally *t, int line, long expected_rows)
{
    if (expected_rows >= 0 && t->rows != expected_rows)
        fail_at(line, "%s: checked %ld rows, expected %ld", t->table, t->rows,
                expected_rows);
    if (t->bad > 0)
        fail_at(line, "%s: %ld of %ld rows mismatch", t->table, t->bad,
                t->rows);
    CU_ASSERT_EQUAL(t->bad, 0);
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

static size_t node_of(const simdepth_taxonomy *t, const char *id)
{
    size_t node = (size_t)-1;

    if (simdepth_taxonomy_find_id(t, id, &node, NULL) != SIMDEPTH_OK)
        return (size_t)-1;
    return node;
}

static int str_eq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static int near(double a, double b)
{
    return fabs(a - b) <= TAX_TOL;
}

/* Split @line (modified in place) at @sep into at most @max fields, with
 * CSV double-quote rules when @quoted. Returns the field count. */
static size_t split_fields(char *line, char sep, int quoted, char **field,
                           size_t max)
{
    size_t n = 0;
    char *p = line;

    for (;;) {
        char *w = p;

        if (n == max)
            return n + 1;
        field[n++] = p;
        if (quoted && *p == '"') {
            char *r = p + 1;

            for (;;) {
                if (*r == '\0')
                    break;
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
            p = r;
        } else {
            while (*p != '\0' && *p != sep)
                *w++ = *p++;
        }
        if (*p == sep) {
            *w = '\0';
            p++;
            continue;
        }
        *w = '\0';
        return n;
    }
}

/* Next line of a slurped buffer (NUL-terminated in place); NULL at end. */
static char *next_line(char **cursor)
{
    char *s = *cursor, *nl;

    if (s == NULL || *s == '\0')
        return NULL;
    nl = strchr(s, '\n');
    if (nl != NULL) {
        *nl = '\0';
        *cursor = nl + 1;
        if (nl > s && nl[-1] == '\r')
            nl[-1] = '\0';
    } else {
        *cursor = s + strlen(s);
    }
    return s;
}

/* A fresh directory under $TMPDIR (or /tmp) in @buf; 0 or -1. */
static int make_tmp_dir(char *buf, size_t size)
{
    const char *base = getenv("TMPDIR");

    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    if ((size_t)snprintf(buf, size, "%s/simdepth-wn-XXXXXX", base) >= size ||
        mkdtemp(buf) == NULL) {
        fail_at(__LINE__, "cannot create a temporary directory under %s",
                base);
        return -1;
    }
    return 0;
}

/* --------------------------------------------------- basic WordNet facts */

static void test_wordnet_lookup(void)
{
    size_t dog, node, sentinel = 424242;
    simdepth_error err;
    simdepth_status st;

    if (!need_wordnet(__LINE__))
        return;
    /* NLTK: len(list(wn.all_synsets('n'))) */
    CU_ASSERT_EQUAL(simdepth_taxonomy_size(wn), 82115);

    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_find_id(wn, "n02084071", &dog,
                                                    NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_id(wn, dog), "n02084071");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(wn, dog), "dog.n.01");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_label(wn, dog), "dog");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_gloss(wn, dog),
                           "a member of the genus Canis (probably descended "
                           "from the common wolf) that has been domesticated "
                           "by man since prehistoric times; occurs in many "
                           "breeds");
    CU_ASSERT_EQUAL(simdepth_taxonomy_min_depth(wn, dog), 8);
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(wn, dog), 13);

    /* Names: a lemma (first sense, any case, spaces or underscores), or a
     * canonical synset name. */
    node = sentinel;
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(wn, "dog", &node, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(node, dog);
    node = sentinel;
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(wn, "DOG", &node, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(node, dog);
    node = sentinel;
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(wn, "dog.n.01", &node, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(node, dog);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(wn, "Walker hound", &node,
                                                NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_id(wn, node), "n02089867");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_label(wn, node), "Walker_hound");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(wn, node),
                           "walker_hound.n.01");
    /* NLTK: wn.synsets('bank', 'n')[0] is bank.n.01, n09213565 */
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(wn, "bank", &node, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_id(wn, node), "n09213565");
    /* Instances are nouns too: Paris (France) has only an '@i' link. */
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(wn, "paris", &node, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(wn, node), "paris.n.01");
    CU_ASSERT(simdepth_taxonomy_min_depth(wn, node) > 0);

    node = node_of(wn, "n00001740");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(wn, node), "entity.n.01");
    CU_ASSERT_EQUAL(simdepth_taxonomy_min_depth(wn, node), 0);
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(wn, node), 0);

    /* Unknown id and name: ENOTFOUND, *node untouched, message says what. */
    simdepth_error_clear(&err);
    node = sentinel;
    st = simdepth_taxonomy_find_id(wn, "n99999999", &node, &err);
    CU_ASSERT_EQUAL(st, SIMDEPTH_ENOTFOUND);
    CU_ASSERT_EQUAL(err.status, SIMDEPTH_ENOTFOUND);
    CU_ASSERT_EQUAL(node, sentinel);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "n99999999"));
    simdepth_error_clear(&err);
    st = simdepth_taxonomy_find_name(wn, "no such noun zzq", &node, &err);
    CU_ASSERT_EQUAL(st, SIMDEPTH_ENOTFOUND);
    CU_ASSERT_EQUAL(node, sentinel);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no such noun zzq"));

    /* Out of range. */
    CU_ASSERT_PTR_NULL(simdepth_taxonomy_name(wn, simdepth_taxonomy_size(wn)));
    CU_ASSERT_EQUAL(simdepth_taxonomy_min_depth(wn, (size_t)-1), -1);
    CU_ASSERT_EQUAL(simdepth_taxonomy_path_distance(wn, dog, (size_t)-1), -1);
    {
        simdepth_lcs l;

        simdepth_error_clear(&err);
        CU_ASSERT_EQUAL(simdepth_taxonomy_lcs(wn, dog, (size_t)-1,
                                              SIMDEPTH_LCS_REFERENCE, &l,
                                              &err),
                        SIMDEPTH_EINVAL);
        CU_ASSERT_EQUAL(simdepth_taxonomy_lcs(wn, dog, dog, (simdepth_lcs_rule)7,
                                              &l, &err),
                        SIMDEPTH_EINVAL);
    }
}

/* ------------------------------------------- the paper's 100 classes */

static void test_wordnet_classes(void)
{
    const char *path =
        simdepth_test_shared("mini-imagenet-vitb/classes.csv");
    char *buf, *cur, *line;
    tally t = {"classes.csv", 0, 0};
    long lineno = 0;

    if (!need_wordnet(__LINE__))
        return;
    buf = simdepth_test_slurp(path, NULL);
    if (buf == NULL) {
        fail_at(__LINE__, "cannot read %s", path);
        return;
    }
    cur = buf;
    /* index,wnid,synset,name,lemmas,max_depth,min_depth,n_hypernym_paths,
     * definition */
    while ((line = next_line(&cur)) != NULL) {
        char *f[10], *bar;
        size_t node;
        char row[64];

        if (++lineno == 1 || line[0] == '\0')
            continue;
        if (split_fields(line, ',', 1, f, 10) != 9) {
            mismatch(&t, __LINE__, "?", "line %ld has not 9 fields", lineno);
            continue;
        }
        t.rows++;
        snprintf(row, sizeof row, "%s (%s)", f[0], f[1]);
        node = node_of(wn, f[1]);
        if (node == (size_t)-1) {
            mismatch(&t, __LINE__, row, "id not found");
            continue;
        }
        bar = strchr(f[4], '|');
        if (bar != NULL)
            *bar = '\0';
        if (!str_eq(simdepth_taxonomy_name(wn, node), f[2]))
            mismatch(&t, __LINE__, row, "name %s, expected %s",
                     simdepth_taxonomy_name(wn, node), f[2]);
        if (!str_eq(simdepth_taxonomy_label(wn, node), f[4]))
            mismatch(&t, __LINE__, row, "label %s, expected %s",
                     simdepth_taxonomy_label(wn, node), f[4]);
        if (simdepth_taxonomy_max_depth(wn, node) != atoi(f[5]) ||
            simdepth_taxonomy_min_depth(wn, node) != atoi(f[6]))
            mismatch(&t, __LINE__, row, "depth min %d max %d, expected %s %s",
                     simdepth_taxonomy_min_depth(wn, node),
                     simdepth_taxonomy_max_depth(wn, node), f[6], f[5]);
        if (!str_eq(simdepth_taxonomy_gloss(wn, node), f[8]))
            mismatch(&t, __LINE__, row, "gloss '%s', expected '%s'",
                     simdepth_taxonomy_gloss(wn, node), f[8]);
    }
    free(buf);
    tally_done(&t, __LINE__, 100);
}

/* Reference rule on all 4,950 pairs of the paper's golden file. */
static void test_wordnet_pairs_reference(void)
{
    const char *path = simdepth_test_shared(
        "mini-imagenet-vitb/golden/wordnet_pairs.csv");
    simdepth_test_csv csv;
    tally t = {"wordnet_pairs.csv", 0, 0};
    size_t r;

    if (!need_wordnet(__LINE__))
        return;
    if (simdepth_test_csv_load(path, &csv) != 0) {
        fail_at(__LINE__, "cannot read %s", path);
        return;
    }
    for (r = 0; r < csv.n_rows; r++) {
#define COL(name) simdepth_test_csv_get(&csv, r, name)
        const char *wi = COL("wnid_i"), *wj = COL("wnid_j");
        size_t a = node_of(wn, wi), b = node_of(wn, wj);
        simdepth_lcs l;
        simdepth_status st;
        char row[96];
        double path_sim;

        t.rows++;
        snprintf(row, sizeof row, "%s,%s (%s, %s)", COL("i"), COL("j"),
                 COL("name_i"), COL("name_j"));
        if (a == (size_t)-1 || b == (size_t)-1) {
            mismatch(&t, __LINE__, row, "id not found");
            continue;
        }
        st = simdepth_taxonomy_lcs(wn, a, b, SIMDEPTH_LCS_REFERENCE, &l, NULL);
        if (st != SIMDEPTH_OK) {
            mismatch(&t, __LINE__, row, "lcs status %d", (int)st);
            continue;
        }
        if (l.depth != atoi(COL("lcs_depth")) ||
            !str_eq(simdepth_taxonomy_name(wn, l.lcs), COL("lcs")) ||
            !str_eq(simdepth_taxonomy_id(wn, l.lcs), COL("lcs_offset")) ||
            l.n_candidates != (size_t)atol(COL("n_lcs_candidates")))
            mismatch(&t, __LINE__, row,
                     "LCS %s %s depth %d n %zu, expected %s %s depth %s n %s",
                     simdepth_taxonomy_name(wn, l.lcs),
                     simdepth_taxonomy_id(wn, l.lcs), l.depth, l.n_candidates,
                     COL("lcs"), COL("lcs_offset"), COL("lcs_depth"),
                     COL("n_lcs_candidates"));
        if (l.len_a != atoi(COL("len_i")) || l.len_b != atoi(COL("len_j")))
            mismatch(&t, __LINE__, row, "lengths %d %d, expected %s %s",
                     l.len_a, l.len_b, COL("len_i"), COL("len_j"));
        if (!near(l.wup, strtod(COL("wup"), NULL)) ||
            !near(l.wup, strtod(COL("nltk_wup"), NULL)))
            mismatch(&t, __LINE__, row, "wup %.17g, expected %s", l.wup,
                     COL("nltk_wup"));
        path_sim = simdepth_taxonomy_path_similarity(wn, a, b);
        if (!near(path_sim, strtod(COL("nltk_path"), NULL)))
            mismatch(&t, __LINE__, row, "path similarity %.17g, expected %s",
                     path_sim, COL("nltk_path"));
#undef COL
    }
    simdepth_test_csv_free(&csv);
    tally_done(&t, __LINE__, 4950);
}

/* The "true" rule on two dog breeds, values from NLTK 3.8:
 *   a = wn.synset('walker_hound.n.01'), b = wn.synset('boxer.n.04')
 *   a.lowest_common_hypernyms(b, use_min_depth=True)  -> [canine.n.02]
 *   a.lowest_common_hypernyms(b, use_min_depth=False) -> [dog.n.01]
 *   canine.n.02.max_depth() + 1 = 13, dog.n.01.max_depth() + 1 = 14
 *   shortest_path_distance to canine.n.02: 5, 3; to dog.n.01: 4, 2
 * and walker_hound / golden_retriever: true LCS hunting_dog.n.01, 15, 3, 3. */
static void test_wordnet_true_rule(void)
{
    size_t a, b, c;
    simdepth_lcs l;

    if (!need_wordnet(__LINE__))
        return;
    a = node_of(wn, "n02089867"); /* walker_hound.n.01 */
    b = node_of(wn, "n02108089"); /* boxer.n.04 */
    c = node_of(wn, "n02099601"); /* golden_retriever.n.01 */
    CU_ASSERT_FATAL(a != (size_t)-1 && b != (size_t)-1 && c != (size_t)-1);

    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(wn, a, b,
                                                SIMDEPTH_LCS_REFERENCE, &l,
                                                NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(wn, l.lcs), "canine.n.02");
    CU_ASSERT_EQUAL(l.depth, 13);
    CU_ASSERT_EQUAL(l.len_a, 5);
    CU_ASSERT_EQUAL(l.len_b, 3);
    CU_ASSERT_DOUBLE_EQUAL(l.wup, 26.0 / 34.0, TAX_TOL);

    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(wn, a, b, SIMDEPTH_LCS_TRUE,
                                                &l, NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(wn, l.lcs), "dog.n.01");
    CU_ASSERT_EQUAL(l.depth, 14);
    CU_ASSERT_EQUAL(l.len_a, 4);
    CU_ASSERT_EQUAL(l.len_b, 2);
    CU_ASSERT_EQUAL(l.n_candidates, 1);
    CU_ASSERT_DOUBLE_EQUAL(l.wup, 28.0 / 34.0, TAX_TOL);

    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(wn, a, c, SIMDEPTH_LCS_TRUE,
                                                &l, NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(wn, l.lcs),
                           "hunting_dog.n.01");
    CU_ASSERT_EQUAL(l.depth, 15);
    CU_ASSERT_EQUAL(l.len_a, 3);
    CU_ASSERT_EQUAL(l.len_b, 3);
}

/* ----------------------------------------- NLTK golden TSV (both rules) */

/* Check every row of a gen_nltk_golden.py table against @t. */
static void check_nltk_table(const simdepth_taxonomy *t, const char *table,
                             long expected_rows)
{
    const char *path = simdepth_test_data(table);
    char *buf = simdepth_test_slurp(path, NULL), *cur, *line;
    tally ty;
    int header = 0;

    ty.table = table;
    ty.rows = 0;
    ty.bad = 0;
    if (buf == NULL) {
        fail_at(__LINE__, "cannot read %s", path);
        return;
    }
    cur = buf;
    while ((line = next_line(&cur)) != NULL) {
        /* id_a id_b name_a name_b min_a max_a min_b max_b
         * ref_lcs ref_depth ref_n ref_len_a ref_len_b ref_wup
         * true_lcs true_depth true_n true_len_a true_len_b true_wup
         * nltk_wup path_distance path_similarity */
        char *f[24], row[160];
        size_t a, b;
        int rule, dist;
        double sim;

        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!header) {
            header = 1;
            continue;
        }
        ty.rows++;
        if (split_fields(line, '\t', 0, f, 24) != 23) {
            mismatch(&ty, __LINE__, line, "not 23 fields");
            continue;
        }
        snprintf(row, sizeof row, "%ld (%s, %s)", ty.rows, f[2], f[3]);
        a = node_of(t, f[0]);
        b = node_of(t, f[1]);
        if (a == (size_t)-1 || b == (size_t)-1) {
            mismatch(&ty, __LINE__, row, "id not found");
            continue;
        }
        if (!str_eq(simdepth_taxonomy_name(t, a), f[2]) ||
            !str_eq(simdepth_taxonomy_name(t, b), f[3]))
            mismatch(&ty, __LINE__, row, "names %s %s",
                     simdepth_taxonomy_name(t, a),
                     simdepth_taxonomy_name(t, b));
        if (simdepth_taxonomy_min_depth(t, a) != atoi(f[4]) ||
            simdepth_taxonomy_max_depth(t, a) != atoi(f[5]) ||
            simdepth_taxonomy_min_depth(t, b) != atoi(f[6]) ||
            simdepth_taxonomy_max_depth(t, b) != atoi(f[7]))
            mismatch(&ty, __LINE__, row, "depths %d %d %d %d",
                     simdepth_taxonomy_min_depth(t, a),
                     simdepth_taxonomy_max_depth(t, a),
                     simdepth_taxonomy_min_depth(t, b),
                     simdepth_taxonomy_max_depth(t, b));
        for (rule = 0; rule < 2; rule++) {
            char **g = f + 8 + 6 * rule;
            const char *rname = rule == 0 ? "reference" : "true";
            simdepth_lcs l;
            simdepth_status st;

            st = simdepth_taxonomy_lcs(t, a, b,
                                       rule == 0 ? SIMDEPTH_LCS_REFERENCE
                                                 : SIMDEPTH_LCS_TRUE,
                                       &l, NULL);
            if (strcmp(g[0], "-") == 0) {
                if (st != SIMDEPTH_ENOTFOUND)
                    mismatch(&ty, __LINE__, row,
                             "%s rule: status %d, expected ENOTFOUND", rname,
                             (int)st);
                continue;
            }
            if (st != SIMDEPTH_OK) {
                mismatch(&ty, __LINE__, row, "%s rule: status %d", rname,
                         (int)st);
                continue;
            }
            if (!str_eq(simdepth_taxonomy_name(t, l.lcs), g[0]) ||
                l.depth != atoi(g[1]) || l.n_candidates != (size_t)atol(g[2]) ||
                l.len_a != atoi(g[3]) || l.len_b != atoi(g[4]) ||
                !near(l.wup, strtod(g[5], NULL)))
                mismatch(&ty, __LINE__, row,
                         "%s rule: %s depth %d n %zu len %d %d wup %.17g; "
                         "expected %s %s %s %s %s %s",
                         rname, simdepth_taxonomy_name(t, l.lcs), l.depth,
                         l.n_candidates, l.len_a, l.len_b, l.wup, g[0], g[1],
                         g[2], g[3], g[4], g[5]);
            if (rule == 0 && !near(l.wup, strtod(f[20], NULL)))
                mismatch(&ty, __LINE__, row, "wup %.17g, NLTK %s", l.wup,
                         f[20]);
        }
        dist = simdepth_taxonomy_path_distance(t, a, b);
        sim = simdepth_taxonomy_path_similarity(t, a, b);
        if (dist != atoi(f[21]) || !near(sim, strtod(f[22], NULL)))
            mismatch(&ty, __LINE__, row,
                     "path distance %d similarity %.17g; expected %s %s", dist,
                     sim, f[21], f[22]);
    }
    free(buf);
    tally_done(&ty, __LINE__, expected_rows);
}

static void test_nltk_pairs(void)
{
    if (!need_wordnet(__LINE__))
        return;
    check_nltk_table(wn, "taxonomy/nltk_pairs.tsv", -1);
}

/* The synthetic database: every rule on purpose, all ordered pairs. */
static void test_synthetic(void)
{
    simdepth_taxonomy *t = NULL;
    simdepth_error err;
    size_t node, u, v;
    simdepth_lcs l;

    simdepth_error_clear(&err);
    if (simdepth_wordnet_open(simdepth_test_data("taxonomy/synthetic"), &t,
                              &err) != SIMDEPTH_OK) {
        char buf[1200];

        simdepth_error_format(&err, buf, sizeof buf);
        fail_at(__LINE__, "synthetic database: %s", buf);
        return;
    }
    CU_ASSERT_EQUAL(simdepth_taxonomy_size(t), 26);
    check_nltk_table(t, "taxonomy/synthetic_pairs.tsv", 26 * 26);

    /* Naming: senses follow index.noun, lemma case is kept in the label. */
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "bank", &node, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, node), "bank.n.01");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_label(t, node), "Bank");
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "Charlie Chaplin", &node,
                                                NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_name(t, node),
                           "charlie_chaplin.n.01");
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_label(t, node), "Charlie_Chaplin");
    /* NLTK's definition(): quoted examples removed, nothing else touched. */
    CU_ASSERT_STRING_EQUAL(simdepth_taxonomy_gloss(t, node),
                           "an instance;  kept out of the gloss");

    /* Two separate roots: no subsumer, no path. */
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "oscar", &u, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "root", &v, NULL),
                    SIMDEPTH_OK);
    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_taxonomy_lcs(t, u, v, SIMDEPTH_LCS_REFERENCE, &l,
                                          &err),
                    SIMDEPTH_ENOTFOUND);
    CU_ASSERT_EQUAL(err.status, SIMDEPTH_ENOTFOUND);
    CU_ASSERT_EQUAL(simdepth_taxonomy_path_distance(t, u, v), -1);
    CU_ASSERT_EQUAL(simdepth_taxonomy_path_similarity(t, u, v), 0.0);
    simdepth_taxonomy_free(t);
}

/* --------------------------------------------------------- error paths */

static void test_wordnet_missing(void)
{
    const char *dir = "/nonexistent/simdepth-test/wordnet";
    simdepth_taxonomy *sentinel = (simdepth_taxonomy *)&wn_err;
    simdepth_taxonomy *t = sentinel;
    simdepth_error err;
    char tmpl[512], path[600];
    FILE *f;

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_wordnet_open(dir, &t, &err), SIMDEPTH_EIO);
    CU_ASSERT_PTR_EQUAL(t, sentinel);
    CU_ASSERT_EQUAL(err.status, SIMDEPTH_EIO);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, dir));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "wordnet-base"));
    CU_ASSERT_STRING_EQUAL(err.file, dir);

    /* A directory with index.noun but no data.noun. */
    if (make_tmp_dir(tmpl, sizeof tmpl) != 0)
        return;
    snprintf(path, sizeof path, "%s/index.noun", tmpl);
    f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("dog n 1 1 @ 1 0 00000100  \n", f);
    fclose(f);
    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_wordnet_open(tmpl, &t, &err), SIMDEPTH_EIO);
    CU_ASSERT_PTR_EQUAL(t, sentinel);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "data.noun"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, tmpl));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "wordnet-base"));
    unlink(path);
    rmdir(tmpl);
}

/* $WNSEARCHDIR is used when no directory is given. */
static void test_wordnet_env(void)
{
    const char *old = getenv("WNSEARCHDIR");
    char *saved = old != NULL ? strdup(old) : NULL;
    simdepth_taxonomy *t = NULL;

    setenv("WNSEARCHDIR", simdepth_test_data("taxonomy/synthetic"), 1);
    CU_ASSERT_EQUAL(simdepth_wordnet_open(NULL, &t, NULL), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_size(t), 26);
    simdepth_taxonomy_free(t);
    if (saved != NULL)
        setenv("WNSEARCHDIR", saved, 1);
    else
        unsetenv("WNSEARCHDIR");
    free(saved);
}

/* A tiny valid database the malformed cases start from. */
#define IDX_HDR "  1 test header  \n"
#define IDX_OK                                                                \
    IDX_HDR "animal n 1 1 @ 1 0 00000100  \n"                                 \
            "dog n 1 1 @ 1 0 00000200  \n"
#define DATA_ANIMAL                                                           \
    "00000100 05 n 01 animal 0 001 ~ 00000200 n 0000 | a living thing  \n"
#define DATA_DOG "00000200 05 n 01 dog 0 001 @ 00000100 n 0000 | a pet  \n"

typedef struct bad_db {
    const char *name;
    const char *data;   /* data.noun */
    size_t data_len;    /* 0: strlen(data) */
    const char *index;  /* index.noun */
    const char *file;   /* the file the error must name */
    long line;          /* the line it must give (0: none) */
    const char *needle; /* text the message must contain */
} bad_db;

static const bad_db bad_dbs[] = {
    {"p_cnt larger than the pointers",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 003 @ 00000100 n 0000 | a pet\n",
     0, IDX_OK, "data.noun", 3, "p_cnt"},
    {"p_cnt smaller than the pointers",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 000 @ 00000100 n 0000 | a pet\n",
     0, IDX_OK, "data.noun", 3, "'|'"},
    {"p_cnt not decimal",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 0x1 @ 00000100 n 0000 | a pet\n",
     0, IDX_OK, "data.noun", 3, "p_cnt"},
    {"w_cnt not hexadecimal",
     IDX_HDR DATA_ANIMAL "00000200 05 n 0g dog 0 001 @ 00000100 n 0000 | a pet\n",
     0, IDX_OK, "data.noun", 3, "w_cnt"},
    {"w_cnt zero",
     IDX_HDR DATA_ANIMAL "00000200 05 n 00 001 @ 00000100 n 0000 | a pet\n",
     0, IDX_OK, "data.noun", 3, "w_cnt"},
    {"pointer to a synset that does not exist",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 001 @ 00000999 n 0000 | a pet\n",
     0, IDX_OK, "data.noun", 3, "00000999"},
    {"truncated line",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog", 0, IDX_OK, "data.noun", 3,
     "line ends"},
    {"pointer cut short",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 001 @ 00000100\n", 0, IDX_OK,
     "data.noun", 3, "line ends"},
    {"bad pointer part of speech",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 001 @ 00000100 q 0000 | a\n",
     0, IDX_OK, "data.noun", 3, "part of speech"},
    {"bad source/target",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 001 @ 00000100 n 00z0 | a\n",
     0, IDX_OK, "data.noun", 3, "source/target"},
    {"not a noun", IDX_HDR DATA_ANIMAL "00000200 05 v 01 dog 0 000 | a pet\n",
     0, IDX_OK, "data.noun", 3, "ss_type"},
    {"offset not a number",
     IDX_HDR DATA_ANIMAL "0000020x 05 n 01 dog 0 000 | a pet\n", 0, IDX_OK,
     "data.noun", 3, "synset_offset"},
    {"empty line", IDX_HDR DATA_ANIMAL "\n" DATA_DOG, 0, IDX_OK, "data.noun",
     3, "line ends"},
    {"NUL byte", IDX_HDR DATA_ANIMAL "00000200 05 n 01 d\0g 0 000 | a pet\n",
     sizeof(IDX_HDR DATA_ANIMAL "00000200 05 n 01 d\0g 0 000 | a pet\n") - 1,
     IDX_OK, "data.noun", 3, "NUL"},
    {"first lemma missing from index.noun",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 cat 0 000 | a pet\n", 0, IDX_OK,
     "data.noun", 3, "'cat'"},
    {"synset missing from its lemma's senses",
     IDX_HDR DATA_ANIMAL DATA_DOG "00000300 05 n 01 dog 0 000 | a 2nd dog\n",
     0, IDX_OK, "data.noun", 4, "00000300"},
    {"duplicate offset", IDX_HDR DATA_ANIMAL DATA_DOG DATA_DOG, 0, IDX_OK,
     "data.noun", 4, "n00000200"},
    {"no synsets", IDX_HDR, 0, IDX_OK, "data.noun", 0, "no synsets"},
    {"cycle",
     IDX_HDR "00000100 05 n 01 animal 0 001 @ 00000200 n 0000 | a  \n" DATA_DOG,
     0, IDX_OK, "data.noun", 0, "cycle"},
    {"self loop",
     IDX_HDR DATA_ANIMAL "00000200 05 n 01 dog 0 001 @ 00000200 n 0000 | a\n",
     0, IDX_OK, "data.noun", 0, "n00000200 -> n00000200"},
    {"index: sense_cnt differs from synset_cnt", IDX_HDR DATA_ANIMAL DATA_DOG,
     0, IDX_HDR "animal n 1 1 @ 2 0 00000100  \ndog n 1 1 @ 1 0 00000200  \n",
     "index.noun", 2, "sense_cnt"},
    {"index: synset_cnt not a number", IDX_HDR DATA_ANIMAL DATA_DOG, 0,
     IDX_HDR "animal n one 1 @ 1 0 00000100  \ndog n 1 1 @ 1 0 00000200  \n",
     "index.noun", 2, "synset_cnt"},
    {"index: too few offsets", IDX_HDR DATA_ANIMAL DATA_DOG, 0,
     IDX_HDR "animal n 2 1 @ 2 0 00000100  \ndog n 1 1 @ 1 0 00000200  \n",
     "index.noun", 2, "synset_offset"},
    {"index: trailing field", IDX_HDR DATA_ANIMAL DATA_DOG, 0,
     IDX_HDR "animal n 1 1 @ 1 0 00000100 x  \ndog n 1 1 @ 1 0 00000200  \n",
     "index.noun", 2, "end of the line"},
    {"index: offset not in data.noun", IDX_HDR DATA_ANIMAL DATA_DOG, 0,
     IDX_HDR "animal n 1 1 @ 1 0 00000100  \ndog n 2 1 @ 2 0 00000200 "
             "00000777  \n",
     "index.noun", 3, "00000777"},
    {"index: duplicate lemma", IDX_HDR DATA_ANIMAL DATA_DOG, 0,
     IDX_OK "dog n 1 1 @ 1 0 00000200  \n", "index.noun", 4, "twice"},
    {"index: not a noun", IDX_HDR DATA_ANIMAL DATA_DOG, 0,
     IDX_HDR "animal v 1 1 @ 1 0 00000100  \ndog n 1 1 @ 1 0 00000200  \n",
     "index.noun", 2, "part of speech"},
};

static int write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return -1;
    ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void test_wordnet_malformed(void)
{
    size_t i;
    char good[512], gpath[2][600];
    simdepth_taxonomy *t = NULL;

    /* The base database itself must open. */
    if (make_tmp_dir(good, sizeof good) != 0)
        return;
    snprintf(gpath[0], sizeof gpath[0], "%s/data.noun", good);
    snprintf(gpath[1], sizeof gpath[1], "%s/index.noun", good);
    CU_ASSERT_EQUAL(write_file(gpath[0], IDX_HDR DATA_ANIMAL DATA_DOG,
                               strlen(IDX_HDR DATA_ANIMAL DATA_DOG)),
                    0);
    CU_ASSERT_EQUAL(write_file(gpath[1], IDX_OK, strlen(IDX_OK)), 0);
    CU_ASSERT_EQUAL(simdepth_wordnet_open(good, &t, NULL), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_size(t), 2);
    simdepth_taxonomy_free(t);
    unlink(gpath[0]);
    unlink(gpath[1]);
    rmdir(good);

    for (i = 0; i < sizeof bad_dbs / sizeof bad_dbs[0]; i++) {
        const bad_db *c = &bad_dbs[i];
        char dir[512], data[600], index[600];
        simdepth_taxonomy *sentinel = (simdepth_taxonomy *)&wn_err;
        simdepth_error err;
        simdepth_status st;
        const char *base;
        char text[1200];

        if (make_tmp_dir(dir, sizeof dir) != 0)
            return;
        snprintf(data, sizeof data, "%s/data.noun", dir);
        snprintf(index, sizeof index, "%s/index.noun", dir);
        if (write_file(data, c->data,
                       c->data_len ? c->data_len : strlen(c->data)) != 0 ||
            write_file(index, c->index, strlen(c->index)) != 0) {
            fail_at(__LINE__, "%s: cannot write the test files", c->name);
        } else {
            t = sentinel;
            simdepth_error_clear(&err);
            st = simdepth_wordnet_open(dir, &t, &err);
            simdepth_error_format(&err, text, sizeof text);
            base = strrchr(err.file, '/');
            base = base != NULL ? base + 1 : err.file;
            if (st != SIMDEPTH_EFORMAT || t != sentinel ||
                err.status != SIMDEPTH_EFORMAT || strcmp(base, c->file) != 0 ||
                strncmp(err.file, dir, strlen(dir)) != 0 ||
                err.line != c->line || strstr(err.message, c->needle) == NULL)
                fail_at(__LINE__,
                        "malformed case '%s': status %d, out %s, error \"%s\"; "
                        "expected EFORMAT at %s:%ld mentioning \"%s\"",
                        c->name, (int)st,
                        t == sentinel ? "untouched" : "CHANGED", text, c->file,
                        c->line, c->needle);
            else
                CU_PASS(c->name);
        }
        unlink(data);
        unlink(index);
        rmdir(dir);
    }
}

/* A 5,000-synset chain with a side branch: depths and ancestor sets far
 * beyond WordNet's (~20), so nothing may recurse or assume small sets.
 * c0 is the root, c(i) has parent c(i-1); s hangs under c(K). */
#define CHAIN_N 5000
#define CHAIN_K 1234

static void test_deep_chain(void)
{
    char dir[512], data[600], index[600];
    FILE *fd, *fi;
    simdepth_taxonomy *t = NULL;
    simdepth_error err;
    simdepth_lcs l;
    size_t last, k, s;
    int i;

    if (make_tmp_dir(dir, sizeof dir) != 0)
        return;
    snprintf(data, sizeof data, "%s/data.noun", dir);
    snprintf(index, sizeof index, "%s/index.noun", dir);
    fd = fopen(data, "w");
    fi = fopen(index, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fd);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fi);
    for (i = 0; i < CHAIN_N; i++) {
        if (i == 0)
            fprintf(fd, "%08d 03 n 01 c%d 0 000 | link %d  \n", i + 1, i, i);
        else
            fprintf(fd, "%08d 03 n 01 c%d 0 001 @ %08d n 0000 | link %d  \n",
                    i + 1, i, i, i);
        fprintf(fi, "c%d n 1 1 @ 1 0 %08d  \n", i, i + 1);
    }
    fprintf(fd, "%08d 03 n 01 side 0 001 @ %08d n 0000 | branch  \n",
            CHAIN_N + 1, CHAIN_K + 1);
    fprintf(fi, "side n 1 1 @ 1 0 %08d  \n", CHAIN_N + 1);
    fclose(fd);
    fclose(fi);

    simdepth_error_clear(&err);
    CU_ASSERT_EQUAL(simdepth_wordnet_open(dir, &t, &err), SIMDEPTH_OK);
    if (t == NULL) {
        fail_at(__LINE__, "chain database: %s", err.message);
        goto out;
    }
    CU_ASSERT_EQUAL(simdepth_taxonomy_size(t), CHAIN_N + 1);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "c4999", &last, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "c1234", &k, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_find_name(t, "side", &s, NULL),
                    SIMDEPTH_OK);
    CU_ASSERT_EQUAL(simdepth_taxonomy_min_depth(t, last), CHAIN_N - 1);
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(t, last), CHAIN_N - 1);
    CU_ASSERT_EQUAL(simdepth_taxonomy_max_depth(t, s), CHAIN_K + 1);

    /* last and side meet at c(K): depth K + 1, lengths N-1-K and 1. */
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, last, s,
                                                SIMDEPTH_LCS_REFERENCE, &l,
                                                NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(l.lcs, k);
    CU_ASSERT_EQUAL(l.depth, CHAIN_K + 1);
    CU_ASSERT_EQUAL(l.len_a, CHAIN_N - 1 - CHAIN_K);
    CU_ASSERT_EQUAL(l.len_b, 1);
    CU_ASSERT_EQUAL(l.n_candidates, 1);
    CU_ASSERT_DOUBLE_EQUAL(l.wup,
                           2.0 * (CHAIN_K + 1) /
                               (CHAIN_N - 1 - CHAIN_K + 1 + 2 * (CHAIN_K + 1)),
                           TAX_TOL);
    CU_ASSERT_EQUAL(simdepth_taxonomy_path_distance(t, last, s),
                    CHAIN_N - CHAIN_K);
    /* An ancestor is its own LCS with the descendant. */
    CU_ASSERT_EQUAL_FATAL(simdepth_taxonomy_lcs(t, k, last, SIMDEPTH_LCS_TRUE,
                                                &l, NULL),
                          SIMDEPTH_OK);
    CU_ASSERT_EQUAL(l.lcs, k);
    CU_ASSERT_EQUAL(l.len_a, 0);
    CU_ASSERT_EQUAL(l.len_b, CHAIN_N - 1 - CHAIN_K);
out:
    simdepth_taxonomy_free(t);
    unlink(data);
    unlink(index);
    rmdir(dir);
}

int simdepth_test_add_taxonomy(void)
{
    CU_pSuite s = CU_add_suite("taxonomy", suite_init, suite_clean);

    if (s == NULL ||
        CU_add_test(s, "WordNet lookups and accessors", test_wordnet_lookup) == NULL ||
        CU_add_test(s, "100 classes: names, depths, glosses", test_wordnet_classes) == NULL ||
        CU_add_test(s, "4,950 pairs: reference LCS, lengths, Wu-Palmer, path", test_wordnet_pairs_reference) == NULL ||
        CU_add_test(s, "true LCS rule on dog breeds", test_wordnet_true_rule) == NULL ||
        CU_add_test(s, "NLTK golden pairs, both rules", test_nltk_pairs) == NULL ||
        CU_add_test(s, "synthetic database: every rule", test_synthetic) == NULL ||
        CU_add_test(s, "missing database", test_wordnet_missing) == NULL ||
        CU_add_test(s, "WNSEARCHDIR", test_wordnet_env) == NULL ||
        CU_add_test(s, "malformed databases", test_wordnet_malformed) == NULL ||
        CU_add_test(s, "5,000-deep chain", test_deep_chain) == NULL)
        return -1;
    return 0;
}
