/* simdepth — tests of agglomerative linkage and Newick trees (suite
 * "linkage").
 *
 * Golden cases: tests/data/linkage/<case>.expected (and <case>.npy, the
 * condensed distances), made by tests/data/linkage/gen_golden.py with
 * Debian's SciPy 1.10.1 (see tests/data/linkage/README.md). For every case
 * and method: the merges of the linkage matrix exactly (pairs, order,
 * sizes), heights to 1e-9 relative, and exactly SciPy's cophenetic
 * correlation, leaves_list, optimal_leaf_ordering leaves and fcluster
 * labels (maxclust and distance). The three real cases read the 100-class
 * Mini-ImageNet ViT-B matrices from ../shared/data through
 * simdepth_test_shared() with distance 1 - S.
 *
 * Newick: SciPy's to_tree written by the generator (newick/NAME.nwk) parses
 * and gives back the golden tree, our writer reproduces those files byte
 * for byte, and every computed tree survives write -> parse -> linkage
 * (same clusters, heights to 1e-12 relative, same leaf order).
 *
 * The float32 path of 'simdepth tree' (issue 9): float32 linkages against
 * SciPy's float64 trees with the tolerance explained at F32_HEIGHT_TOL;
 * the library's nearest-neighbour chain against a plain transcription of
 * SciPy's loop on random inputs full of ties (exactly, float64 and
 * float32); distances straight from templates against the similarity
 * route and, through templates100.expected (gen_templates.py), against
 * SciPy on NumPy's distances; the cophenetic correlation of average
 * linkage from its heights; and, in --enable-fault-injection builds, the
 * float32 paths under a failing allocator.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "simdepth/io.h"
#include "simdepth/linkage.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"
#include "simdepth/similarity.h"
#include "tests.h"

#if defined(__GNUC__)
static void check_at(int ok, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#endif

static void check_at(int ok, unsigned line, const char *fmt, ...)
{
    char msg[700];
    va_list ap;

    if (ok) {
        CU_assertImplementation(CU_TRUE, line, "", __FILE__, "", CU_FALSE);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "  linkage: %s\n", msg);
    CU_assertImplementation(CU_FALSE, line, msg, __FILE__, "", CU_FALSE);
}

#define CHECK(cond, ...) check_at((cond) ? 1 : 0, __LINE__, __VA_ARGS__)

static const simdepth_linkage_method all_methods[] = {
    SIMDEPTH_LINKAGE_SINGLE,   SIMDEPTH_LINKAGE_COMPLETE, SIMDEPTH_LINKAGE_AVERAGE,
    SIMDEPTH_LINKAGE_WEIGHTED, SIMDEPTH_LINKAGE_CENTROID, SIMDEPTH_LINKAGE_MEDIAN,
    SIMDEPTH_LINKAGE_WARD,
};
#define N_METHODS (sizeof all_methods / sizeof all_methods[0])

/* Golden cases; real ones name their shared similarity matrix. */
typedef struct golden_case {
    const char *name;
    const char *shared; /* NULL: tests/data/linkage/<name>.npy */
} golden_case;

static const golden_case golden_cases[] = {
    {"n2", NULL},          /* one pair */
    {"n3", NULL},          /* three items with a tie */
    {"rand10", NULL},      /* uniform distances */
    {"rand50", NULL},      /* uniform distances, centroid/median inversions */
    {"rand200", NULL},     /* uniform distances, n = 200 */
    {"ties60", NULL},      /* four distinct distances: ties everywhere */
    {"ties30", NULL},      /* two distinct distances */
    {"dups40", NULL},      /* duplicate points: zero distances */
    {"euclid50", NULL},    /* Euclidean points */
    {"cos80f32", NULL},    /* float32 input */
    {"neg4", NULL},        /* negative distances: Z only */
    {"vitb_cosine", "mini-imagenet-vitb/vitb_cosine.npy"},
    {"vitb_init_cosine", "mini-imagenet-vitb/vitb_init_cosine.npy"},
    {"wordnet_wup", "mini-imagenet-vitb/wordnet_wup.npy"},
};
#define N_CASES (sizeof golden_cases / sizeof golden_cases[0])

/* ---- inputs ------------------------------------------------------------- */

/* A case's condensed distances as float64 (float32 inputs converted), the
 * original array when it was float32 (else NULL), and n. */
typedef struct input {
    size_t n;
    double *y;
    float *y32;
} input;

static void input_free(input *in)
{
    free(in->y);
    free(in->y32);
    memset(in, 0, sizeof *in);
}

static size_t n_from_pairs(size_t m)
{
    size_t n = 2;

    while (n * (n - 1) / 2 < m)
        n++;
    return n * (n - 1) / 2 == m ? n : 0;
}

static int load_input(const golden_case *c, input *in)
{
    char rel[256];
    simdepth_matrix *m = NULL;
    simdepth_error err;
    size_t i, cnt;

    memset(in, 0, sizeof *in);
    simdepth_error_clear(&err);
    if (c->shared != NULL) {
        void *y = NULL;
        if (simdepth_npy_read(simdepth_test_shared(c->shared), &m, &err) != SIMDEPTH_OK) {
            CHECK(0, "%s: cannot read %s: %s", c->name, c->shared, err.message);
            return -1;
        }
        if (simdepth_linkage_condensed_from_similarity(m, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                       SIMDEPTH_F64, &y, &err) != SIMDEPTH_OK) {
            CHECK(0, "%s: condensed_from_similarity: %s", c->name, err.message);
            simdepth_matrix_free(m);
            return -1;
        }
        in->n = simdepth_matrix_rows(m);
        in->y = y;
        simdepth_matrix_free(m);
        return 0;
    }
    snprintf(rel, sizeof rel, "linkage/%s.npy", c->name);
    if (simdepth_npy_read(simdepth_test_data(rel), &m, &err) != SIMDEPTH_OK) {
        CHECK(0, "%s: cannot read %s: %s", c->name, rel, err.message);
        return -1;
    }
    cnt = simdepth_matrix_rows(m) * simdepth_matrix_cols(m);
    in->n = n_from_pairs(cnt);
    in->y = malloc(cnt * sizeof *in->y);
    if (simdepth_matrix_dtype(m) == SIMDEPTH_F32) {
        in->y32 = malloc(cnt * sizeof *in->y32);
        if (in->y32 != NULL)
            memcpy(in->y32, simdepth_matrix_cdata(m), cnt * sizeof *in->y32);
    }
    if (in->y == NULL || in->n == 0 ||
        (simdepth_matrix_dtype(m) == SIMDEPTH_F32 && in->y32 == NULL)) {
        CHECK(0, "%s: bad input", c->name);
        simdepth_matrix_free(m);
        input_free(in);
        return -1;
    }
    for (i = 0; i < cnt; i++)
        in->y[i] = simdepth_matrix_get(m, 0, i);
    simdepth_matrix_free(m);
    return 0;
}

/* The class names of a real case (names.txt), or NULL for index labels. */
static char **load_names(const golden_case *c, size_t n, char **buf_out)
{
    char *buf, *p, **names;
    size_t i = 0;

    *buf_out = NULL;
    if (c->shared == NULL)
        return NULL;
    buf = simdepth_test_slurp(simdepth_test_shared("mini-imagenet-vitb/names.txt"), NULL);
    names = calloc(n, sizeof *names);
    if (buf == NULL || names == NULL) {
        free(buf);
        free(names);
        return NULL;
    }
    for (p = buf; *p && i < n; i++) {
        char *eol = strchr(p, '\n');
        names[i] = p;
        if (eol == NULL)
            break;
        *eol = '\0';
        p = eol + 1;
    }
    *buf_out = buf;
    return names;
}

/* ---- the .expected file -------------------------------------------------- */

/* Lines of a .expected file; each "method M" starts a block. */
typedef struct expected {
    char *buf;
    char **lines;
    size_t n_lines;
} expected;

static int expected_load(const char *name, expected *e)
{
    char rel[256], *p;
    size_t cap = 0;

    memset(e, 0, sizeof *e);
    snprintf(rel, sizeof rel, "linkage/%s.expected", name);
    e->buf = simdepth_test_slurp(simdepth_test_data(rel), NULL);
    if (e->buf == NULL)
        return -1;
    for (p = e->buf; *p;) {
        char *eol = strchr(p, '\n');
        if (eol != NULL)
            *eol = '\0';
        if (*p != '#' && *p != '\0') {
            if (e->n_lines == cap) {
                char **t = realloc(e->lines, (cap = cap ? 2 * cap : 256) * sizeof *t);
                if (t == NULL)
                    return -1;
                e->lines = t;
            }
            e->lines[e->n_lines++] = p;
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    return 0;
}

static void expected_free(expected *e)
{
    free(e->lines);
    free(e->buf);
    memset(e, 0, sizeof *e);
}

static int starts(const char *line, const char *key)
{
    size_t k = strlen(key);

    return strncmp(line, key, k) == 0 && (line[k] == ' ' || line[k] == '\0');
}

/* Index of the first line after "method M", or n_lines. */
static size_t method_block(const expected *e, const char *method)
{
    size_t i;

    for (i = 0; i < e->n_lines; i++)
        if (starts(e->lines[i], "method") && strcmp(e->lines[i] + 7, method) == 0)
            return i + 1;
    return e->n_lines;
}

/* The golden Z of a block as a matrix (NULL if malformed). */
static simdepth_matrix *expected_z(const expected *e, size_t at, size_t n)
{
    simdepth_matrix *z = NULL;
    simdepth_error err;
    size_t r = 0;

    if (simdepth_matrix_new(n - 1, 4, SIMDEPTH_F64, &z, &err) != SIMDEPTH_OK)
        return NULL;
    for (; at < e->n_lines && starts(e->lines[at], "Z") && r < n - 1; at++, r++) {
        char *p = e->lines[at] + 2, *q;
        int c;
        for (c = 0; c < 4; c++) {
            simdepth_matrix_set(z, r, (size_t)c, strtod(p, &q));
            p = q;
        }
    }
    if (r != n - 1) {
        simdepth_matrix_free(z);
        return NULL;
    }
    return z;
}

/* Parse "v1 v2 ..." of n integers into out; returns the count read. */
static size_t parse_ints(const char *p, long *out, size_t n)
{
    size_t i = 0;
    char *q;

    while (i < n) {
        long v = strtol(p, &q, 10);
        if (q == p)
            break;
        out[i++] = v;
        p = q;
    }
    return i;
}

/* ---- comparisons --------------------------------------------------------- */

static int rel_close(double a, double b, double tol)
{
    if (a == b)
        return 1;
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

/* Merges exact, heights to tol relative; reports the first bad row. */
static int z_equal(const simdepth_matrix *got, const simdepth_matrix *exp, double tol,
                   const char *what)
{
    size_t i, m = simdepth_matrix_rows(exp);

    if (simdepth_matrix_rows(got) != m || simdepth_matrix_cols(got) != 4) {
        CHECK(0, "%s: Z has %zu rows, expected %zu", what, simdepth_matrix_rows(got), m);
        return 0;
    }
    for (i = 0; i < m; i++) {
        double g[4], x[4];
        int c;
        for (c = 0; c < 4; c++) {
            g[c] = simdepth_matrix_get(got, i, (size_t)c);
            x[c] = simdepth_matrix_get(exp, i, (size_t)c);
        }
        if (g[0] != x[0] || g[1] != x[1] || g[3] != x[3] || !rel_close(g[2], x[2], tol)) {
            CHECK(0, "%s: row %zu is [%g %g %.17g %g], SciPy [%g %g %.17g %g]", what, i, g[0],
                  g[1], g[2], g[3], x[0], x[1], x[2], x[3]);
            return 0;
        }
    }
    return 1;
}

static int labels_equal(const simdepth_partition *p, const long *exp, size_t n)
{
    size_t i;
    long mx = 0;

    for (i = 0; i < n; i++) {
        if (p->labels[i] + 1 != exp[i])
            return 0;
        if (exp[i] > mx)
            mx = exp[i];
    }
    return p->n_clusters == (size_t)mx;
}

/* Check the derived outputs of one method block against computed Z. */
static void check_derived(const expected *e, size_t at, const simdepth_matrix *z,
                          const input *in, const char *what)
{
    size_t n = in->n, *order = malloc(n * sizeof *order);
    long *ev = malloc((n + 1) * sizeof *ev);
    simdepth_error err;
    simdepth_status st;

    if (order == NULL || ev == NULL) {
        CHECK(0, "%s: out of memory", what);
        goto out;
    }
    for (; at < e->n_lines && !starts(e->lines[at], "method"); at++) {
        const char *line = e->lines[at];
        if (starts(line, "coph")) {
            double c = 0.0, x = strtod(line + 5, NULL);
            double *coph = NULL;
            st = simdepth_linkage_cophenetic_correlation(z, in->y, SIMDEPTH_F64, &c, &coph, &err);
            CHECK(st == SIMDEPTH_OK, "%s: cophenetic correlation failed", what);
            CHECK(c == x || (isnan(c) && isnan(x)), "%s: cophenetic correlation %.17g, SciPy %.17g",
                  what, c, x);
            if (st == SIMDEPTH_OK && in->y32 != NULL) {
                /* float32 distances are converted exactly: the same value. */
                double c32 = 0.0;
                st = simdepth_linkage_cophenetic_correlation(z, in->y32, SIMDEPTH_F32, &c32,
                                                             NULL, &err);
                CHECK(st == SIMDEPTH_OK && (c32 == x || (isnan(c32) && isnan(x))),
                      "%s: cophenetic correlation from float32 %.17g, SciPy %.17g", what, c32,
                      x);
            }
            free(coph);
        } else if (starts(line, "leaves") || starts(line, "olo")) {
            int olo = line[0] == 'o';
            simdepth_matrix *zo = NULL;
            size_t k, got = parse_ints(line + (olo ? 4 : 7), ev, n);
            int same = got == n;
            if (olo) {
                st = simdepth_linkage_optimal_ordering(z, in->y, SIMDEPTH_F64, &zo, &err);
                CHECK(st == SIMDEPTH_OK, "%s: optimal ordering failed: %s", what, err.message);
                if (st != SIMDEPTH_OK)
                    continue;
            }
            st = simdepth_linkage_leaves(olo ? zo : z, order, &err);
            CHECK(st == SIMDEPTH_OK, "%s: leaves failed", what);
            for (k = 0; same && k < n; k++)
                same = order[k] == (size_t)ev[k];
            CHECK(same, "%s: %s differ from SciPy's", what, olo ? "optimal-order leaves" : "leaves");
            if (olo) {
                /* Only children swap: heights and counts stay. */
                int kept = 1;
                for (k = 0; k + 1 < n; k++)
                    kept = kept && simdepth_matrix_get(zo, k, 2) == simdepth_matrix_get(z, k, 2) &&
                           simdepth_matrix_get(zo, k, 3) == simdepth_matrix_get(z, k, 3);
                CHECK(kept, "%s: optimal ordering changed heights or counts", what);
            }
            simdepth_matrix_free(zo);
        } else if (starts(line, "maxclust") || starts(line, "distance")) {
            int mc = line[0] == 'm';
            simdepth_partition *p = NULL;
            char *q;
            double t = strtod(line + 9, &q);
            size_t got = parse_ints(q, ev, n);
            st = mc ? simdepth_linkage_fcluster_maxclust(z, (size_t)t, &p, &err)
                    : simdepth_linkage_fcluster_distance(z, t, &p, &err);
            CHECK(st == SIMDEPTH_OK && got == n && labels_equal(p, ev, n),
                  "%s: fcluster %s %.17g differs from SciPy's", what,
                  mc ? "maxclust" : "distance", t);
            CHECK(p != NULL && strcmp(p->method, mc ? "fcluster-maxclust" : "fcluster-distance") == 0,
                  "%s: partition method name", what);
            simdepth_partition_free(p);
        } else if (starts(line, "derived")) {
            /* Negative heights: every consumer refuses the matrix. */
            simdepth_partition *p = NULL;
            simdepth_matrix *zo = NULL;
            double *coph = NULL, c = 0.0;
            CHECK(simdepth_linkage_cophenetic(z, &coph, &err) == SIMDEPTH_EINVAL && coph == NULL,
                  "%s: cophenetic of negative heights", what);
            CHECK(strstr(err.message, "negative") != NULL, "%s: message '%s'", what, err.message);
            CHECK(simdepth_linkage_cophenetic_correlation(z, in->y, SIMDEPTH_F64, &c, NULL,
                                                          &err) == SIMDEPTH_EINVAL,
                  "%s: correlation of negative heights", what);
            CHECK(simdepth_linkage_fcluster_maxclust(z, 2, &p, &err) == SIMDEPTH_EINVAL &&
                      p == NULL,
                  "%s: maxclust of negative heights", what);
            CHECK(simdepth_linkage_fcluster_distance(z, 1.0, &p, &err) == SIMDEPTH_EINVAL &&
                      p == NULL,
                  "%s: distance cut of negative heights", what);
            CHECK(simdepth_linkage_leaves(z, order, &err) == SIMDEPTH_EINVAL,
                  "%s: leaves of negative heights", what);
            CHECK(simdepth_linkage_optimal_ordering(z, in->y, SIMDEPTH_F64, &zo, &err) ==
                          SIMDEPTH_EINVAL &&
                      zo == NULL,
                  "%s: optimal ordering of negative heights", what);
        }
    }
out:
    free(ev);
    free(order);
}

/* ---- golden cases --------------------------------------------------------- */

static void golden_case_run(const golden_case *c)
{
    input in;
    expected e;
    size_t mi;

    if (load_input(c, &in) != 0)
        return;
    if (expected_load(c->name, &e) != 0) {
        CHECK(0, "%s: cannot read the .expected file", c->name);
        input_free(&in);
        return;
    }
    for (mi = 0; mi < N_METHODS; mi++) {
        const char *mname = simdepth_linkage_method_name(all_methods[mi]);
        size_t at = method_block(&e, mname);
        simdepth_matrix *zx = expected_z(&e, at, in.n), *z = NULL;
        simdepth_error err;
        char what[128];
        simdepth_status st;

        snprintf(what, sizeof what, "%s/%s", c->name, mname);
        CHECK(zx != NULL, "%s: golden Z missing", what);
        if (zx == NULL)
            continue;
        st = simdepth_linkage_compute(in.y, SIMDEPTH_F64, in.n, all_methods[mi], &z, &err);
        CHECK(st == SIMDEPTH_OK, "%s: compute failed: %s", what, err.message);
        if (st == SIMDEPTH_OK && z_equal(z, zx, 1e-9, what))
            check_derived(&e, at, z, &in, what);
        simdepth_matrix_free(z);
        simdepth_matrix_free(zx);
    }
    expected_free(&e);
    input_free(&in);
}

static void test_golden_synthetic(void)
{
    size_t i;

    for (i = 0; i < N_CASES; i++)
        if (golden_cases[i].shared == NULL)
            golden_case_run(&golden_cases[i]);
}

static void test_golden_real(void)
{
    size_t i;

    for (i = 0; i < N_CASES; i++)
        if (golden_cases[i].shared != NULL)
            golden_case_run(&golden_cases[i]);
}

/* from_similarity on the real matrices equals compute on their 1 - S, and
 * float32 storage keeps single and complete exact. */
static void test_from_similarity_real(void)
{
    size_t ci, mi;

    for (ci = 0; ci < N_CASES; ci++) {
        const golden_case *c = &golden_cases[ci];
        simdepth_matrix *s = NULL;
        simdepth_error err;
        expected e;
        void *y32;
        double *y32d;

        if (c->shared == NULL)
            continue;
        if (simdepth_npy_read(simdepth_test_shared(c->shared), &s, &err) != SIMDEPTH_OK) {
            CHECK(0, "%s: cannot read: %s", c->name, err.message);
            continue;
        }
        if (expected_load(c->name, &e) != 0) {
            CHECK(0, "%s: no .expected", c->name);
            simdepth_matrix_free(s);
            continue;
        }
        y32 = NULL;
        y32d = malloc(simdepth_condensed_size(100) * sizeof *y32d);
        CHECK(simdepth_linkage_condensed_from_similarity(s, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                         SIMDEPTH_F32, &y32, &err) == SIMDEPTH_OK &&
                  y32d != NULL,
              "%s: float32 condensed", c->name);
        for (mi = 0; y32 != NULL && y32d != NULL && mi < simdepth_condensed_size(100); mi++)
            y32d[mi] = ((const float *)y32)[mi];
        for (mi = 0; mi < N_METHODS; mi++) {
            const char *mname = simdepth_linkage_method_name(all_methods[mi]);
            simdepth_matrix *zx = expected_z(&e, method_block(&e, mname), 100), *z = NULL;
            char what[128];
            int exact32 = all_methods[mi] == SIMDEPTH_LINKAGE_SINGLE ||
                          all_methods[mi] == SIMDEPTH_LINKAGE_COMPLETE;

            snprintf(what, sizeof what, "%s/%s from_similarity", c->name, mname);
            CHECK(simdepth_linkage_from_similarity(s, all_methods[mi], SIMDEPTH_DISTANCE_ONE_MINUS,
                                                   SIMDEPTH_F64, &z, &err) == SIMDEPTH_OK,
                  "%s: %s", what, err.message);
            if (z != NULL && zx != NULL)
                z_equal(z, zx, 1e-9, what);
            simdepth_matrix_free(z);
            z = NULL;
            /* float32 storage: 1 - S rounded to float once. Single and
             * complete only compare and copy distances, so they equal the
             * float64 computation on the rounded values; the others round
             * every update and stay close. */
            snprintf(what, sizeof what, "%s/%s float32 storage", c->name, mname);
            CHECK(simdepth_linkage_from_similarity(s, all_methods[mi], SIMDEPTH_DISTANCE_ONE_MINUS,
                                                   SIMDEPTH_F32, &z, &err) == SIMDEPTH_OK,
                  "%s: %s", what, err.message);
            if (z != NULL && y32 != NULL) {
                simdepth_matrix *zr = NULL;
                CHECK(simdepth_linkage_compute(y32, SIMDEPTH_F32, 100, all_methods[mi], &zr,
                                               &err) == SIMDEPTH_OK,
                      "%s: compute", what);
                if (zr != NULL)
                    z_equal(z, zr, 0.0, what);
                simdepth_matrix_free(zr);
                zr = NULL;
                CHECK(simdepth_linkage_compute(y32d, SIMDEPTH_F64, 100, all_methods[mi], &zr,
                                               &err) == SIMDEPTH_OK,
                      "%s: compute", what);
                if (zr != NULL && exact32) {
                    z_equal(z, zr, 0.0, what);
                } else if (zr != NULL) {
                    double a = simdepth_matrix_get(z, 98, 2), b = simdepth_matrix_get(zr, 98, 2);
                    CHECK(rel_close(a, b, 1e-5), "%s: root %.9g vs %.9g", what, a, b);
                }
                simdepth_matrix_free(zr);
            }
            simdepth_matrix_free(z);
            simdepth_matrix_free(zx);
        }
        free(y32d);
        free(y32);
        expected_free(&e);
        simdepth_matrix_free(s);
    }
}

/* The float32 golden case through float32 storage. */
static void test_float32_storage(void)
{
    golden_case c = {"cos80f32", NULL};
    input in;
    expected e;
    size_t mi;

    if (load_input(&c, &in) != 0)
        return;
    CHECK(in.y32 != NULL, "cos80f32.npy is float32");
    if (in.y32 == NULL || expected_load(c.name, &e) != 0) {
        input_free(&in);
        return;
    }
    for (mi = 0; mi < N_METHODS; mi++) {
        const char *mname = simdepth_linkage_method_name(all_methods[mi]);
        simdepth_matrix *zx = expected_z(&e, method_block(&e, mname), in.n), *z = NULL;
        simdepth_error err;
        char what[128];
        int exact = all_methods[mi] == SIMDEPTH_LINKAGE_SINGLE ||
                    all_methods[mi] == SIMDEPTH_LINKAGE_COMPLETE;

        snprintf(what, sizeof what, "cos80f32/%s float32", mname);
        CHECK(simdepth_linkage_compute(in.y32, SIMDEPTH_F32, in.n, all_methods[mi], &z, &err) ==
                  SIMDEPTH_OK,
              "%s: %s", what, err.message);
        if (z != NULL && zx != NULL) {
            if (exact) {
                z_equal(z, zx, 0.0, what);
            } else {
                /* Rounded updates: the root height agrees to float precision. */
                double a = simdepth_matrix_get(z, in.n - 2, 2);
                double b = simdepth_matrix_get(zx, in.n - 2, 2);
                CHECK(rel_close(a, b, 1e-5), "%s: root %.9g, SciPy %.9g", what, a, b);
            }
        }
        simdepth_matrix_free(z);
        simdepth_matrix_free(zx);
    }
    expected_free(&e);
    input_free(&in);
}

/* ---- cophenetic distances against a direct computation --------------------- */

static void test_cophenetic_direct(void)
{
    golden_case c = {"ties60", NULL};
    input in;
    size_t mi;

    if (load_input(&c, &in) != 0)
        return;
    for (mi = 0; mi < N_METHODS; mi++) {
        simdepth_matrix *z = NULL;
        simdepth_error err;
        double *d = NULL;
        size_t n = in.n, i, j, r, bad = 0, *cl = malloc((2 * n - 1) * sizeof *cl);
        const double *zd;

        if (cl == NULL ||
            simdepth_linkage_compute(in.y, SIMDEPTH_F64, n, all_methods[mi], &z, &err) != SIMDEPTH_OK ||
            simdepth_linkage_cophenetic(z, &d, &err) != SIMDEPTH_OK) {
            CHECK(0, "cophenetic setup failed");
            free(cl);
            simdepth_matrix_free(z);
            continue;
        }
        zd = simdepth_matrix_cdata(z);
        /* Replay the merges: the first row that joins i and j. */
        for (i = 0; i < n; i++)
            for (j = i + 1; j < n; j++) {
                size_t k;
                double h = -1.0;
                for (k = 0; k < n; k++)
                    cl[k] = k;
                for (r = 0; r + 1 < n && h < 0.0; r++) {
                    size_t a = (size_t)zd[4 * r], b = (size_t)zd[4 * r + 1];
                    for (k = 0; k < n; k++)
                        if (cl[k] == a || cl[k] == b)
                            cl[k] = n + r;
                    if (cl[i] == cl[j])
                        h = zd[4 * r + 2];
                }
                bad += d[simdepth_condensed_index(n, i, j)] != h;
            }
        CHECK(bad == 0, "ties60/%s: %zu cophenetic distances wrong",
              simdepth_linkage_method_name(all_methods[mi]), bad);
        free(d);
        free(cl);
        simdepth_matrix_free(z);
    }
    input_free(&in);
}

/* ---- Newick ------------------------------------------------------------- */

/* Clusters of a linkage as sorted leaf bitsets with heights, to compare
 * trees whatever their row order. */
typedef struct cluster_set {
    size_t n, words;
    uint64_t *bits; /* (n - 1) * words */
    double *h;
    size_t *perm;
} cluster_set;

static cluster_set *cmp_ctx;

static int cluster_cmp(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b, w;

    for (w = 0; w < cmp_ctx->words; w++) {
        uint64_t p = cmp_ctx->bits[x * cmp_ctx->words + w], q = cmp_ctx->bits[y * cmp_ctx->words + w];
        if (p != q)
            return p < q ? -1 : 1;
    }
    return 0;
}

static int cluster_set_build(const simdepth_matrix *z, cluster_set *s)
{
    size_t n = simdepth_matrix_rows(z) + 1, r, w;
    const double *zd = simdepth_matrix_cdata(z);

    s->n = n;
    s->words = (n + 63) / 64;
    s->bits = calloc((n - 1) * s->words, sizeof *s->bits);
    s->h = malloc((n - 1) * sizeof *s->h);
    s->perm = malloc((n - 1) * sizeof *s->perm);
    if (s->bits == NULL || s->h == NULL || s->perm == NULL)
        return -1;
    for (r = 0; r + 1 < n; r++) {
        int c;
        for (c = 0; c < 2; c++) {
            size_t ch = (size_t)zd[4 * r + c];
            if (ch < n)
                s->bits[r * s->words + ch / 64] |= (uint64_t)1 << (ch % 64);
            else
                for (w = 0; w < s->words; w++)
                    s->bits[r * s->words + w] |= s->bits[(ch - n) * s->words + w];
        }
        s->h[r] = zd[4 * r + 2];
        s->perm[r] = r;
    }
    cmp_ctx = s;
    qsort(s->perm, n - 1, sizeof *s->perm, cluster_cmp);
    return 0;
}

static void cluster_set_free(cluster_set *s)
{
    free(s->bits);
    free(s->h);
    free(s->perm);
}

/* Same clusters with heights to tol relative (with an absolute floor of
 * tol times the largest height, for heights that are differences). */
static int same_tree(const simdepth_matrix *a, const simdepth_matrix *b, double tol,
                     const char *what)
{
    cluster_set x, y;
    size_t i, w;
    double scale = 0.0;
    int ok = 1;

    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    if (simdepth_matrix_rows(a) != simdepth_matrix_rows(b) || cluster_set_build(a, &x) != 0 ||
        cluster_set_build(b, &y) != 0) {
        CHECK(0, "%s: trees of different sizes", what);
        ok = 0;
        goto out;
    }
    for (i = 0; i + 1 < x.n; i++)
        scale = fmax(scale, fabs(x.h[i]));
    for (i = 0; ok && i + 1 < x.n; i++) {
        size_t p = x.perm[i], q = y.perm[i];
        double ha = x.h[p], hb = y.h[q];
        for (w = 0; w < x.words; w++)
            ok = ok && x.bits[p * x.words + w] == y.bits[q * y.words + w];
        if (!ok) {
            CHECK(0, "%s: different topology", what);
            break;
        }
        if (!(fabs(ha - hb) <= tol * fmax(fmax(fabs(ha), fabs(hb)), 1e-3 * scale))) {
            CHECK(0, "%s: cluster height %.17g vs %.17g", what, ha, hb);
            ok = 0;
        }
    }
out:
    cluster_set_free(&x);
    cluster_set_free(&y);
    return ok;
}

static int same_leaves(const simdepth_matrix *a, const simdepth_matrix *b)
{
    size_t n = simdepth_matrix_rows(a) + 1, i;
    size_t *la = malloc(n * sizeof *la), *lb = malloc(n * sizeof *lb);
    simdepth_error err;
    int ok = la != NULL && lb != NULL && simdepth_linkage_leaves(a, la, &err) == SIMDEPTH_OK &&
             simdepth_linkage_leaves(b, lb, &err) == SIMDEPTH_OK;

    for (i = 0; ok && i < n; i++)
        ok = la[i] == lb[i];
    free(la);
    free(lb);
    return ok;
}

/* write -> parse -> linkage gives the same tree and leaf order. */
static void round_trip(const simdepth_matrix *z, const char *const *names, const char *what)
{
    size_t n = simdepth_matrix_rows(z) + 1, len = 0;
    char *text = NULL;
    simdepth_newick_tree *t = NULL;
    simdepth_matrix *back = NULL;
    simdepth_error err;

    if (simdepth_newick_format(z, names, &text, &len, &err) != SIMDEPTH_OK) {
        CHECK(0, "%s: format: %s", what, err.message);
        return;
    }
    CHECK(strlen(text) == len && len > 0 && text[len - 1] == ';', "%s: Newick text shape", what);
    if (simdepth_newick_parse(text, len, what, &t, &err) != SIMDEPTH_OK) {
        CHECK(0, "%s: parse: %s at byte %lld", what, err.message, err.offset);
    } else if (simdepth_newick_to_linkage(t, names, n, &back, &err) != SIMDEPTH_OK) {
        CHECK(0, "%s: to_linkage: %s", what, err.message);
    } else {
        CHECK(t->n_leaves == n && t->n_nodes == 2 * n - 1, "%s: node counts", what);
        CHECK(simdepth_linkage_validate(back, &err) == SIMDEPTH_OK, "%s: parsed Z invalid: %s",
              what, err.message);
        same_tree(z, back, 1e-12, what);
        CHECK(same_leaves(z, back), "%s: leaf order changed", what);
    }
    simdepth_matrix_free(back);
    simdepth_newick_tree_free(t);
    free(text);
}

static void test_newick_round_trip(void)
{
    size_t ci, mi;

    for (ci = 0; ci < N_CASES; ci++) {
        const golden_case *c = &golden_cases[ci];
        input in;
        char *nbuf = NULL, **names;

        if (strcmp(c->name, "neg4") == 0 || load_input(c, &in) != 0)
            continue;
        names = load_names(c, in.n, &nbuf);
        for (mi = 0; mi < N_METHODS; mi++) {
            simdepth_matrix *z = NULL;
            simdepth_error err;
            char what[128];

            snprintf(what, sizeof what, "%s/%s newick", c->name,
                     simdepth_linkage_method_name(all_methods[mi]));
            if (simdepth_linkage_compute(in.y, SIMDEPTH_F64, in.n, all_methods[mi], &z, &err) !=
                SIMDEPTH_OK) {
                CHECK(0, "%s: compute: %s", what, err.message);
                continue;
            }
            round_trip(z, (const char *const *)names, what);
            round_trip(z, NULL, what);
            simdepth_matrix_free(z);
        }
        free(names);
        free(nbuf);
        input_free(&in);
    }
}

/* SciPy's to_tree written by the generator parses back to the golden tree,
 * and our writer produces the same bytes. */
static void test_newick_golden(void)
{
    static const struct {
        const char *c, *m;
    } files[] = {
        {"rand10", "single"},       {"rand10", "complete"},   {"rand10", "average"},
        {"rand10", "weighted"},     {"rand10", "centroid"},   {"rand10", "median"},
        {"rand10", "ward"},         {"ties30", "single"},     {"ties30", "average"},
        {"euclid50", "centroid"},   {"euclid50", "median"},   {"vitb_cosine", "average"},
        {"vitb_cosine", "centroid"}, {"vitb_cosine", "ward"}, {"vitb_init_cosine", "complete"},
        {"vitb_init_cosine", "median"}, {"wordnet_wup", "single"}, {"wordnet_wup", "average"},
        {"wordnet_wup", "weighted"},
    };
    size_t i, ci;

    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        const golden_case *c = NULL;
        char rel[256], what[128], *text, *mine = NULL, *nbuf = NULL, **names = NULL;
        size_t len = 0, mlen = 0, n;
        expected e;
        simdepth_matrix *zx = NULL, *back = NULL;
        simdepth_newick_tree *t = NULL;
        simdepth_error err;

        for (ci = 0; ci < N_CASES; ci++)
            if (strcmp(golden_cases[ci].name, files[i].c) == 0)
                c = &golden_cases[ci];
        snprintf(what, sizeof what, "newick/%s.%s.nwk", files[i].c, files[i].m);
        snprintf(rel, sizeof rel, "linkage/%s", what);
        text = simdepth_test_slurp(simdepth_test_data(rel), &len);
        if (c == NULL || text == NULL || expected_load(files[i].c, &e) != 0) {
            CHECK(0, "%s: missing golden files", what);
            free(text);
            continue;
        }
        n = (size_t)strtoul(e.lines[2] + 2, NULL, 10); /* "n N" */
        zx = expected_z(&e, method_block(&e, files[i].m), n);
        names = load_names(c, n, &nbuf);
        CHECK(zx != NULL, "%s: golden Z", what);
        if (zx != NULL) {
            CHECK(simdepth_newick_parse(text, len, rel, &t, &err) == SIMDEPTH_OK,
                  "%s: parse: %s (byte %lld)", what, err.message, err.offset);
            if (t != NULL) {
                CHECK(simdepth_newick_to_linkage(t, (const char *const *)names, n, &back,
                                                 &err) == SIMDEPTH_OK,
                      "%s: to_linkage: %s", what, err.message);
                if (back != NULL) {
                    same_tree(zx, back, 1e-12, what);
                    CHECK(same_leaves(zx, back), "%s: leaf order", what);
                }
            }
            CHECK(simdepth_newick_format(zx, (const char *const *)names, &mine, &mlen, &err) ==
                      SIMDEPTH_OK,
                  "%s: format", what);
            /* The file ends with a newline that the string lacks. */
            CHECK(mine != NULL && mlen + 1 == len && memcmp(mine, text, mlen) == 0,
                  "%s: our Newick text differs from the generator's", what);
        }
        free(mine);
        simdepth_matrix_free(back);
        simdepth_newick_tree_free(t);
        simdepth_matrix_free(zx);
        free(names);
        free(nbuf);
        expected_free(&e);
        free(text);
    }
}

/* Labels that need quoting, exact writer output, and file round trip. */
static void test_newick_labels(void)
{
    static const double zv[] = {0, 1, 0.25, 2, 2, 3, 1.5, 2, 4, 5, 2, 4};
    static const char *const names[] = {"it's", "a b", "snake_case", "x(1);y,[z]:"};
    static const char *const plain[] = {"A", "B.2", "c-d", "e"};
    const char *expect =
        "(('it''s':0.25,'a b':0.25):1.75,('snake_case':1.5,'x(1);y,[z]:':1.5):0.5);";
    simdepth_matrix *z = NULL, *back = NULL;
    simdepth_newick_tree *t = NULL;
    simdepth_error err;
    char *text = NULL, path[] = "/tmp/simdepth-linkage-XXXXXX";
    size_t len = 0;
    FILE *f;
    int fd;

    CHECK(simdepth_matrix_new(3, 4, SIMDEPTH_F64, &z, &err) == SIMDEPTH_OK, "matrix");
    if (z == NULL)
        return;
    memcpy(simdepth_matrix_data(z), zv, sizeof zv);
    CHECK(simdepth_newick_format(z, names, &text, &len, &err) == SIMDEPTH_OK, "format");
    CHECK(text != NULL && strcmp(text, expect) == 0, "quoted labels: got %s", text ? text : "");
    CHECK(simdepth_newick_parse(text, len, NULL, &t, &err) == SIMDEPTH_OK, "parse quoted");
    if (t != NULL) {
        CHECK(strcmp(t->nodes[2].name, "it's") == 0 && strcmp(t->nodes[3].name, "a b") == 0 &&
                  strcmp(t->nodes[5].name, "snake_case") == 0 &&
                  strcmp(t->nodes[6].name, "x(1);y,[z]:") == 0,
              "unquoted names");
        CHECK(t->nodes[0].parent == SIMDEPTH_NEWICK_NONE && !t->nodes[0].has_length &&
                  t->nodes[1].has_length && t->nodes[1].length == 1.75 &&
                  t->nodes[0].n_children == 2,
              "tree structure");
    }
    simdepth_newick_tree_free(t);
    t = NULL;
    free(text);
    text = NULL;
    CHECK(simdepth_newick_format(z, plain, &text, &len, &err) == SIMDEPTH_OK &&
              strcmp(text, "((A:0.25,B.2:0.25):1.75,(c-d:1.5,e:1.5):0.5);") == 0,
          "bare labels: got %s", text ? text : "");
    free(text);
    text = NULL;
    CHECK(simdepth_newick_format(z, NULL, &text, &len, &err) == SIMDEPTH_OK &&
              strcmp(text, "((0:0.25,1:0.25):1.75,(2:1.5,3:1.5):0.5);") == 0,
          "index labels: got %s", text ? text : "");
    free(text);

    /* Through a file, with simdepth_newick_write and _read. */
    fd = mkstemp(path);
    f = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(f != NULL, "temporary file");
    if (f != NULL) {
        CHECK(simdepth_newick_write(f, z, names, &err) == SIMDEPTH_OK, "write");
        fclose(f);
        CHECK(simdepth_newick_read(path, &t, &err) == SIMDEPTH_OK, "read: %s", err.message);
        if (t != NULL) {
            /* Blanks and underscores count as equal when matching names. */
            static const char *const loose[] = {"it's", "a_b", "snake_case", "x(1);y,[z]:"};
            CHECK(simdepth_newick_to_linkage(t, loose, 4, &back, &err) == SIMDEPTH_OK,
                  "to_linkage: %s", err.message);
            if (back != NULL)
                same_tree(z, back, 0.0, "label file round trip");
        }
        remove(path);
    }
    simdepth_matrix_free(back);
    simdepth_newick_tree_free(t);
    simdepth_matrix_free(z);
}

/* A caterpillar tree (every merge adds one item) n - 1 deep. */
static void test_newick_deep(void)
{
    const size_t n = 3000;
    simdepth_matrix *z = NULL;
    simdepth_error err;
    size_t i;
    double *zd;
    char *text;
    simdepth_newick_tree *t = NULL;
    const size_t depth = SIMDEPTH_NEWICK_MAX_DEPTH + 1;

    CHECK(simdepth_matrix_new(n - 1, 4, SIMDEPTH_F64, &z, &err) == SIMDEPTH_OK, "matrix");
    if (z == NULL)
        return;
    zd = simdepth_matrix_data(z);
    for (i = 0; i + 1 < n; i++) {
        zd[4 * i] = i == 0 ? 0.0 : (double)(n + i - 1);
        zd[4 * i + 1] = (double)(i + 1);
        zd[4 * i + 2] = (double)i * 0.5;
        zd[4 * i + 3] = (double)(i + 2);
    }
    round_trip(z, NULL, "caterpillar n=3000");
    simdepth_matrix_free(z);

    /* One level too deep: refused with the offset of the '(' at the limit. */
    text = malloc(2 * depth + 4);
    if (text == NULL)
        return;
    memset(text, '(', depth);
    text[depth] = 'a';
    memset(text + depth + 1, ')', depth);
    text[2 * depth + 1] = ';';
    CHECK(simdepth_newick_parse(text, 2 * depth + 2, "deep", &t, &err) == SIMDEPTH_EFORMAT &&
              t == NULL,
          "too deep accepted");
    CHECK(err.offset == (long long)SIMDEPTH_NEWICK_MAX_DEPTH && strstr(err.message, "deeper"),
          "too deep: offset %lld, message '%s'", err.offset, err.message);
    /* At the limit it parses. */
    text[0] = ' ';
    CHECK(simdepth_newick_parse(text, 2 * depth + 2, "deep", &t, &err) == SIMDEPTH_EFORMAT,
          "unbalanced accepted");
    text[2 * depth] = ' ';
    CHECK(simdepth_newick_parse(text, 2 * depth + 2, "deep", &t, &err) == SIMDEPTH_OK,
          "nesting at the limit refused: %s", err.message);
    simdepth_newick_tree_free(t);
    free(text);
}

/* Parser errors: status, byte offset and message. */
static void test_newick_errors(void)
{
    static const struct {
        const char *text;
        long long offset;
        const char *msg;
    } cases[] = {
        {"", 0, "empty input"},
        {"   \n", 4, "empty input"},
        {"(a,b)", 5, "expected ';'"},
        {"(a,b);x", 6, "after the tree"},
        {"(a,b;", 4, "expected ',' or ')'"},
        {"(a,(b,c);", 8, "expected ',' or ')'"},
        {"(a,b));", 5, "expected ';'"},
        {"(a:x,b);", 3, "bad branch length 'x'"},
        {"(a:1e999,b);", 3, "bad branch length"},
        {"(a:nan,b);", 3, "bad branch length"},
        {"(a:,b);", 3, "expected a branch length"},
        {"('abc,b);", 1, "unterminated quoted label"},
        {"(a[comment,b);", 2, "unterminated comment"},
        {"(a b,c);", 3, "expected ',' or ')'"},
        {"(a,b)c d;", 7, "expected ';'"},
        {"(", 1, "unexpected end"},
        {"(a:1.0000000000000000000000000000000000000000000000000000000000000000001,b);", 3,
         "too long"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        simdepth_newick_tree *t = NULL;
        simdepth_error err;
        simdepth_status st;

        simdepth_error_clear(&err);
        st = simdepth_newick_parse(cases[i].text, strlen(cases[i].text), "case.nwk", &t, &err);
        CHECK(st == SIMDEPTH_EFORMAT && t == NULL, "newick error %zu '%s': status %d", i,
              cases[i].text, (int)st);
        CHECK(err.offset == cases[i].offset, "newick error %zu '%s': offset %lld, expected %lld",
              i, cases[i].text, err.offset, cases[i].offset);
        CHECK(strstr(err.message, cases[i].msg) != NULL && strcmp(err.file, "case.nwk") == 0,
              "newick error %zu '%s': message '%s'", i, cases[i].text, err.message);
        simdepth_newick_tree_free(t);
    }
}

/* Well-formed Newick that is not a linkage tree, and odd but valid syntax. */
static void test_newick_to_linkage_errors(void)
{
    static const char *const names[] = {"a", "b", "c"};
    static const struct {
        const char *text;
        size_t n;
        const char *msg;
    } cases[] = {
        {"(a:1,b:1,c:1);", 3, "3 children"},
        {"((a:1,b:1):1,c);", 3, "without a branch length"},
        {"((a:1,b:1):1,d:2);", 3, "unknown leaf label 'd'"},
        {"((a:1,a:1):1,c:2);", 3, "appears twice"},
        {"((a:1,b:1):1,c:5);", 3, "disagree"},
        {"((a:1,b:1):-2,c:-1);", 3, "negative"},
        {"((a:1,b:1):1,c:2);", 4, "expected 4"},
        {"a;", 1, "leaves"},
        {"((a:1,:1):1,c:2);", 3, "without a label"},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        simdepth_newick_tree *t = NULL;
        simdepth_matrix *z = NULL;
        simdepth_error err;

        simdepth_error_clear(&err);
        CHECK(simdepth_newick_parse(cases[i].text, strlen(cases[i].text), NULL, &t, &err) ==
                  SIMDEPTH_OK,
              "to_linkage case %zu parses", i);
        if (t == NULL)
            continue;
        CHECK(simdepth_newick_to_linkage(t, cases[i].n <= 3 ? names : NULL, cases[i].n, &z,
                                         &err) == SIMDEPTH_EFORMAT &&
                  z == NULL,
              "to_linkage case %zu '%s' accepted", i, cases[i].text);
        CHECK(strstr(err.message, cases[i].msg) != NULL, "to_linkage case %zu: message '%s'", i,
              err.message);
        simdepth_newick_tree_free(t);
    }

    /* Comments, blanks, internal labels and quoted leaves are fine; an
     * inversion (negative length) keeps post-order rows. */
    {
        const char *ok = " [c] ( (a : 1 , 'b' :1 ) inner:1.5 , c : 2.5 ) root ;\n";
        const char *inv = "((a:2,b:2):-0.5,c:1.5);";
        simdepth_newick_tree *t = NULL;
        simdepth_matrix *z = NULL;
        simdepth_error err;

        CHECK(simdepth_newick_parse(ok, strlen(ok), NULL, &t, &err) == SIMDEPTH_OK,
              "lenient syntax: %s", err.message);
        if (t != NULL) {
            CHECK(strcmp(t->nodes[0].name, "root") == 0 && strcmp(t->nodes[1].name, "inner") == 0,
                  "internal labels");
            CHECK(simdepth_newick_to_linkage(t, names, 3, &z, &err) == SIMDEPTH_OK &&
                      simdepth_matrix_get(z, 0, 2) == 1.0 && simdepth_matrix_get(z, 1, 2) == 2.5,
                  "lenient tree heights");
        }
        simdepth_matrix_free(z);
        z = NULL;
        simdepth_newick_tree_free(t);
        t = NULL;
        CHECK(simdepth_newick_parse(inv, strlen(inv), NULL, &t, &err) == SIMDEPTH_OK, "inversion");
        if (t != NULL) {
            CHECK(simdepth_newick_to_linkage(t, names, 3, &z, &err) == SIMDEPTH_OK &&
                      simdepth_matrix_get(z, 0, 2) == 2.0 && simdepth_matrix_get(z, 1, 2) == 1.5 &&
                      simdepth_matrix_get(z, 1, 0) == 3.0,
                  "inversion rows stay in post-order");
        }
        simdepth_matrix_free(z);
        simdepth_newick_tree_free(t);
    }
}

/* ---- distance rules and argument errors ---------------------------------- */

static simdepth_matrix *square(size_t n, const double *v, simdepth_dtype dt)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;
    size_t i;

    if (simdepth_matrix_new(n, n, dt, &m, &err) != SIMDEPTH_OK)
        return NULL;
    for (i = 0; i < n * n; i++)
        simdepth_matrix_set(m, i / n, i % n, v[i]);
    return m;
}

static void test_distance_rules(void)
{
    const double v[9] = {NAN, 0.5, -0.25, 0.5, 7, 1.0000001, -0.25, 1.0000001, 1};
    simdepth_matrix *s = square(3, v, SIMDEPTH_F64), *s32 = square(3, v, SIMDEPTH_F32);
    simdepth_error err;
    void *y = NULL;
    double *d;

    if (s == NULL || s32 == NULL) {
        CHECK(0, "matrices");
        goto out;
    }
    CHECK(simdepth_linkage_condensed_from_similarity(s, SIMDEPTH_DISTANCE_ONE_MINUS, SIMDEPTH_F64,
                                                     &y, &err) == SIMDEPTH_EINVAL &&
              y == NULL && err.line == 2 && err.column == 3 && strstr(err.message, "above 1"),
          "1 - S refuses S > 1: %s", err.message);
    CHECK(simdepth_linkage_condensed_from_similarity(s, SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP,
                                                     SIMDEPTH_F64, &y, &err) == SIMDEPTH_OK,
          "clamp");
    d = y;
    CHECK(d != NULL && d[0] == 0.5 && d[1] == 1.25 && d[2] == 0.0, "clamped values");
    free(y);
    y = NULL;
    CHECK(simdepth_linkage_condensed_from_similarity(s, SIMDEPTH_DISTANCE_MAX_MINUS, SIMDEPTH_F64,
                                                     &y, &err) == SIMDEPTH_OK,
          "max minus");
    d = y;
    CHECK(d != NULL && d[0] == 1.0000001 - 0.5 && d[1] == 1.0000001 + 0.25 && d[2] == 0.0,
          "max-minus values (diagonal ignored)");
    free(y);
    y = NULL;
    CHECK(simdepth_linkage_condensed_from_similarity(s32, SIMDEPTH_DISTANCE_MAX_MINUS,
                                                     SIMDEPTH_F32, &y, &err) == SIMDEPTH_OK,
          "float32");
    if (y != NULL) {
        const float *f = y;
        double m = (double)(float)1.0000001;
        CHECK(f[0] == (float)(m - 0.5) && f[1] == (float)(m + 0.25) && f[2] == 0.0f,
              "float32 values");
    }
    free(y);
out:
    simdepth_matrix_free(s);
    simdepth_matrix_free(s32);
}

static void test_invalid_input(void)
{
    const double y3[3] = {1, 2, 3}, ynan[3] = {1, NAN, 3}, yinf[3] = {1, 2, INFINITY};
    const double asym[9] = {1, .5, .2, .5, 1, .3, .2, .31, 1};
    const double nanoff[9] = {1, .5, .2, .5, 1, NAN, .2, NAN, 1};
    simdepth_matrix *z = NULL, *s = NULL, *rect = NULL, *one = NULL;
    simdepth_partition *p = NULL;
    simdepth_linkage_method m = SIMDEPTH_LINKAGE_WARD;
    simdepth_error err;
    void *yo = NULL;

#define EXPECT(call, status, text)                                                          \
    do {                                                                                    \
        simdepth_error_clear(&err);                                                         \
        CHECK((call) == (status) && strstr(err.message, (text)) != NULL,                    \
              "%s: got '%s'", #call, err.message);                                          \
    } while (0)

    EXPECT(simdepth_linkage_compute(y3, SIMDEPTH_F64, 1, m, &z, &err), SIMDEPTH_EINVAL,
           "at least 2 items");
    EXPECT(simdepth_linkage_compute(y3, SIMDEPTH_F64, 0, m, &z, &err), SIMDEPTH_EINVAL,
           "at least 2 items");
    EXPECT(simdepth_linkage_compute(NULL, SIMDEPTH_F64, 3, m, &z, &err), SIMDEPTH_EINVAL,
           "no condensed");
    EXPECT(simdepth_linkage_compute(ynan, SIMDEPTH_F64, 3, m, &z, &err), SIMDEPTH_EINVAL,
           "items 0 and 2 is NaN");
    EXPECT(simdepth_linkage_compute(yinf, SIMDEPTH_F64, 3, SIMDEPTH_LINKAGE_SINGLE, &z, &err),
           SIMDEPTH_EINVAL, "items 1 and 2 is infinite");
    EXPECT(simdepth_linkage_compute(y3, SIMDEPTH_F64, 3, (simdepth_linkage_method)7, &z, &err),
           SIMDEPTH_EINVAL, "unknown linkage method");
    EXPECT(simdepth_linkage_compute(y3, (simdepth_dtype)9, 3, m, &z, &err), SIMDEPTH_EINVAL,
           "element type");
    EXPECT(simdepth_linkage_method_parse("wards", &m, &err), SIMDEPTH_EINVAL, "'wards'");
    CHECK(z == NULL && m == SIMDEPTH_LINKAGE_WARD, "outputs untouched on failure");

    /* Negative distances that make the generic algorithm's updates NaN:
     * SciPy 1.10.1 corrupts memory here; we refuse. */
    {
        const double neg[3] = {-5, 1, 1};
        EXPECT(simdepth_linkage_compute(neg, SIMDEPTH_F64, 3, SIMDEPTH_LINKAGE_MEDIAN, &z, &err),
               SIMDEPTH_EINVAL, "no neighbour");
        EXPECT(simdepth_linkage_compute(neg, SIMDEPTH_F64, 3, SIMDEPTH_LINKAGE_WARD, &z, &err),
               SIMDEPTH_EINVAL, "no neighbour");
        CHECK(z == NULL, "no Z on failure");
    }

    s = square(3, asym, SIMDEPTH_F64);
    EXPECT(simdepth_linkage_from_similarity(s, m, SIMDEPTH_DISTANCE_ONE_MINUS, SIMDEPTH_F64, &z,
                                            &err),
           SIMDEPTH_EINVAL, "not symmetric");
    CHECK(err.line == 2 && err.column == 3, "asymmetric pair position %ld %ld", err.line,
          err.column);
    simdepth_matrix_free(s);
    s = square(3, nanoff, SIMDEPTH_F32);
    EXPECT(simdepth_linkage_from_similarity(s, m, SIMDEPTH_DISTANCE_ONE_MINUS, SIMDEPTH_F32, &z,
                                            &err),
           SIMDEPTH_EINVAL, "is NaN");
    EXPECT(simdepth_linkage_condensed_from_similarity(s, (simdepth_distance_rule)5, SIMDEPTH_F64,
                                                      &yo, &err),
           SIMDEPTH_EINVAL, "unknown distance rule");
    simdepth_matrix_free(s);
    s = NULL;
    if (simdepth_matrix_new(2, 3, SIMDEPTH_F64, &rect, &err) == SIMDEPTH_OK)
        EXPECT(simdepth_linkage_from_similarity(rect, m, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                SIMDEPTH_F64, &z, &err),
               SIMDEPTH_EINVAL, "2 x 3");
    if (simdepth_matrix_new(1, 1, SIMDEPTH_F64, &one, &err) == SIMDEPTH_OK)
        EXPECT(simdepth_linkage_from_similarity(one, m, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                SIMDEPTH_F64, &z, &err),
               SIMDEPTH_EINVAL, "at least 2 items");
    CHECK(z == NULL && yo == NULL, "outputs untouched on failure");

    /* fcluster arguments. */
    if (simdepth_linkage_compute(y3, SIMDEPTH_F64, 3, SIMDEPTH_LINKAGE_AVERAGE, &z, &err) ==
        SIMDEPTH_OK) {
        EXPECT(simdepth_linkage_fcluster_maxclust(z, 0, &p, &err), SIMDEPTH_EINVAL,
               "at least 1 cluster");
        EXPECT(simdepth_linkage_fcluster_distance(z, NAN, &p, &err), SIMDEPTH_EINVAL, "NaN");
        CHECK(p == NULL, "partition untouched");
        /* k far above n is SciPy's business as usual. */
        CHECK(simdepth_linkage_fcluster_maxclust(z, 1000, &p, &err) == SIMDEPTH_OK, "k > n");
        simdepth_partition_free(p);
        p = NULL;
    }
    simdepth_matrix_free(z);
    simdepth_matrix_free(rect);
    simdepth_matrix_free(one);
#undef EXPECT
}

/* Malformed linkage matrices, one defect each. */
static void test_validate(void)
{
    static const struct {
        double z[8];
        const char *msg;
    } cases[] = {
        {{0, 1, 1, 2, 2, 3, 2, 3}, NULL},
        {{0, 1, 1, 2, 3, 2, 2, 3}, NULL},
        {{0, 1, 1, 2, 2, 4, 2, 3}, "cluster id 4"},
        {{0, 0, 1, 2, 2, 3, 2, 3}, "more than once"},
        {{0, 1, 1, 2, 1, 3, 2, 3}, "more than once"},
        {{0, 1.5, 1, 2, 2, 3, 2, 3}, "not a whole number"},
        {{0, -1, 1, 2, 2, 3, 2, 3}, "cluster id -1"},
        {{0, 1, -1, 2, 2, 3, 2, 3}, "negative"},
        {{0, 1, NAN, 2, 2, 3, 2, 3}, "finite"},
        {{0, 1, 1, 3, 2, 3, 2, 3}, "count 3"},
        {{0, 1, 1, 2, 2, 3, 2, 4}, "count 4"},
    };
    size_t i;
    simdepth_matrix *z = NULL, *bad = NULL;
    simdepth_error err;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        simdepth_status st;
        if (simdepth_matrix_new(2, 4, SIMDEPTH_F64, &z, &err) != SIMDEPTH_OK)
            return;
        memcpy(simdepth_matrix_data(z), cases[i].z, sizeof cases[i].z);
        simdepth_error_clear(&err);
        st = simdepth_linkage_validate(z, &err);
        if (cases[i].msg == NULL)
            CHECK(st == SIMDEPTH_OK, "validate case %zu: %s", i, err.message);
        else
            CHECK(st == SIMDEPTH_EINVAL && strstr(err.message, cases[i].msg) != NULL,
                  "validate case %zu: status %d, message '%s'", i, (int)st, err.message);
        simdepth_matrix_free(z);
        z = NULL;
    }
    CHECK(simdepth_linkage_validate(NULL, &err) == SIMDEPTH_EINVAL, "NULL Z");
    if (simdepth_matrix_new(2, 3, SIMDEPTH_F64, &bad, &err) == SIMDEPTH_OK)
        CHECK(simdepth_linkage_validate(bad, &err) == SIMDEPTH_EINVAL &&
                  strstr(err.message, "4 columns"),
              "3 columns: %s", err.message);
    simdepth_matrix_free(bad);
    bad = NULL;
    if (simdepth_matrix_new(2, 4, SIMDEPTH_F32, &bad, &err) == SIMDEPTH_OK)
        CHECK(simdepth_linkage_validate(bad, &err) == SIMDEPTH_EINVAL, "float32 Z");
    simdepth_matrix_free(bad);
}

/* Method names, in-place computation, CSV output, condensed indexing. */
static void test_misc(void)
{
    golden_case c = {"rand50", NULL};
    input in;
    size_t mi, i, j, k = 0;
    FILE *f;

    for (mi = 0; mi < N_METHODS; mi++) {
        simdepth_linkage_method m = SIMDEPTH_LINKAGE_SINGLE;
        simdepth_error err;
        CHECK(simdepth_linkage_method_parse(simdepth_linkage_method_name(all_methods[mi]), &m,
                                            &err) == SIMDEPTH_OK &&
                  m == all_methods[mi],
              "method name round trip %zu", mi);
    }
    CHECK(strcmp(simdepth_linkage_method_name((simdepth_linkage_method)42), "unknown") == 0,
          "unknown method name");
    for (i = 0; i < 7; i++)
        for (j = i + 1; j < 7; j++, k++)
            CHECK(simdepth_condensed_index(7, i, j) == k && simdepth_condensed_index(7, j, i) == k,
                  "condensed index (%zu, %zu)", i, j);
    CHECK(simdepth_condensed_size(7) == 21 && simdepth_condensed_size(1) == 0, "condensed size");

    if (load_input(&c, &in) != 0)
        return;
    for (mi = 0; mi < N_METHODS; mi++) {
        simdepth_matrix *a = NULL, *b = NULL;
        simdepth_error err;
        double *copy = malloc(simdepth_condensed_size(in.n) * sizeof *copy);
        if (copy == NULL)
            break;
        memcpy(copy, in.y, simdepth_condensed_size(in.n) * sizeof *copy);
        CHECK(simdepth_linkage_compute(in.y, SIMDEPTH_F64, in.n, all_methods[mi], &a, &err) ==
                      SIMDEPTH_OK &&
                  simdepth_linkage_compute_inplace(copy, SIMDEPTH_F64, in.n, all_methods[mi], &b,
                                                   &err) == SIMDEPTH_OK,
              "in place %zu", mi);
        if (a != NULL && b != NULL)
            z_equal(b, a, 0.0, "in place equals copy");
        free(copy);
        simdepth_matrix_free(b);
        if (a != NULL && mi == 2) {
            char path[] = "/tmp/simdepth-linkage-XXXXXX";
            int fd = mkstemp(path);
            simdepth_matrix *back = NULL;
            f = fd >= 0 ? fdopen(fd, "w") : NULL;
            CHECK(f != NULL && simdepth_linkage_csv_write(f, a, &err) == SIMDEPTH_OK, "csv");
            if (f != NULL)
                fclose(f);
            CHECK(simdepth_csv_read(path, &back, &err) == SIMDEPTH_OK, "csv read: %s",
                  err.message);
            if (back != NULL)
                z_equal(back, a, 0.0, "CSV round trip");
            simdepth_matrix_free(back);
            remove(path);
        }
        simdepth_matrix_free(a);
    }
    input_free(&in);
}

/* ---- float32 path (issue 9): against SciPy with a tolerance -------------- */

/* Tolerance of float32 heights: an absolute 1e-6 times the largest height
 * (at least 1). Float32 values near the largest height are 2^-24 (6e-8) of
 * it apart; a float32 linkage rounds each distance once and each updated
 * cluster distance once more, and averages do not grow those errors, so
 * heights stay within a few such steps (3e-7 measured on the real and the
 * template cases, below 3e-7 relative at 21,843 classes); 1e-6 is about 16
 * steps. A merge is only compared where it is no near-tie: when no other
 * merge of SciPy's tree lies within 1e-5 (relative) of its height, float32
 * rounding cannot reorder it. */
#define F32_HEIGHT_TOL 1e-6
#define F32_NEAR_TIE 1e-5

/* The leaf set of every row of a valid Z, as bit sets of (n + 63) / 64
 * words per row. */
static uint64_t *z_leafsets(const simdepth_matrix *z, size_t n, size_t words)
{
    uint64_t *b = calloc((n - 1) * words, sizeof *b);
    size_t r, w;

    if (b == NULL)
        return NULL;
    for (r = 0; r + 1 < n; r++) {
        int c;
        for (c = 0; c < 2; c++) {
            size_t id = (size_t)simdepth_matrix_get(z, r, (size_t)c);
            if (id < n)
                b[r * words + id / 64] |= (uint64_t)1 << (id % 64);
            else
                for (w = 0; w < words; w++)
                    b[r * words + w] |= b[(id - n) * words + w];
        }
    }
    return b;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* @got against SciPy's @exp as trees: the same clusters (leaf sets) at
 * heights within tol wherever @exp has no near-tie, and the sorted heights
 * within tol. Returns 1 when they agree; *checked gets the number of
 * clusters compared. */
static int tree_close(const simdepth_matrix *got, const simdepth_matrix *exp, double tol,
                      const char *what, size_t *checked)
{
    size_t n = simdepth_matrix_rows(exp) + 1, words = (n + 63) / 64, r, q;
    uint64_t *bg = NULL, *bx = NULL;
    double *hg = NULL, *hx = NULL, scale = 1.0;
    simdepth_error err;
    int ok = 1;

    *checked = 0;
    if (simdepth_linkage_validate(got, &err) != SIMDEPTH_OK ||
        simdepth_matrix_rows(got) != n - 1) {
        CHECK(0, "%s: not a valid linkage of %zu items", what, n);
        return 0;
    }
    bg = z_leafsets(got, n, words);
    bx = z_leafsets(exp, n, words);
    hg = malloc((n - 1) * sizeof *hg);
    hx = malloc((n - 1) * sizeof *hx);
    if (bg == NULL || bx == NULL || hg == NULL || hx == NULL) {
        CHECK(0, "%s: out of memory", what);
        ok = 0;
        goto out;
    }
    for (r = 0; r + 1 < n; r++) {
        hg[r] = simdepth_matrix_get(got, r, 2);
        hx[r] = simdepth_matrix_get(exp, r, 2);
        if (fabs(hx[r]) > scale)
            scale = fabs(hx[r]);
    }
    tol *= scale;
    for (r = 0; ok && r + 1 < n; r++) {
        double h = hx[r];
        int tie = 0, found = 0;
        for (q = 0; q + 1 < n && !tie; q++)
            tie = q != r && fabs(hx[q] - h) <= F32_NEAR_TIE * fmax(fabs(h), 1e-300);
        if (tie)
            continue;
        for (q = 0; q + 1 < n && !found; q++)
            found = memcmp(bg + q * words, bx + r * words, words * sizeof *bg) == 0;
        q--;
        ok = found && fabs(hg[q] - h) <= tol;
        CHECK(ok, "%s: SciPy's row %zu (height %.17g) %s", what, r, h,
              found ? "has another height here" : "is not a cluster here");
        if (ok)
            ++*checked;
    }
    qsort(hg, n - 1, sizeof *hg, cmp_double);
    qsort(hx, n - 1, sizeof *hx, cmp_double);
    for (r = 0; ok && r + 1 < n; r++) {
        ok = fabs(hg[r] - hx[r]) <= tol;
        CHECK(ok, "%s: sorted height %zu is %.17g, SciPy %.17g", what, r, hg[r], hx[r]);
    }
out:
    free(hx);
    free(hg);
    free(bx);
    free(bg);
    return ok;
}

/* Every golden case (distances rounded to float32) through the float32
 * linkage, in place, against SciPy's float64 tree. */
static void test_float32_vs_scipy(void)
{
    size_t ci, mi, i, total = 0, merges = 0;

    for (ci = 0; ci < N_CASES; ci++) {
        const golden_case *c = &golden_cases[ci];
        input in;
        expected e;
        size_t m;

        /* neg4: negative heights, nothing to compare. The cases built of
         * exact ties (ties60, ties30, dups40): float32 rounding of the
         * updates joins or splits ties that float64 does not, and the
         * trees, though equally valid, differ from the first tie on (the
         * tie rules are checked exactly by chain_vs_plain_loop). */
        if (strcmp(c->name, "neg4") == 0 || strncmp(c->name, "ties", 4) == 0 ||
            strcmp(c->name, "dups40") == 0)
            continue;
        if (load_input(c, &in) != 0)
            continue;
        if (expected_load(c->name, &e) != 0) {
            CHECK(0, "%s: no .expected", c->name);
            input_free(&in);
            continue;
        }
        m = simdepth_condensed_size(in.n);
        merges += N_METHODS * (in.n - 1);
        for (mi = 0; mi < N_METHODS; mi++) {
            const char *mname = simdepth_linkage_method_name(all_methods[mi]);
            simdepth_matrix *zx = expected_z(&e, method_block(&e, mname), in.n), *z = NULL;
            float *y = malloc(m * sizeof *y);
            simdepth_error err;
            char what[128];
            size_t checked = 0;

            snprintf(what, sizeof what, "%s/%s float32 in place", c->name, mname);
            if (zx == NULL || y == NULL) {
                CHECK(0, "%s: golden Z or memory missing", what);
                free(y);
                simdepth_matrix_free(zx);
                continue;
            }
            for (i = 0; i < m; i++)
                y[i] = (float)in.y[i];
            CHECK(simdepth_linkage_compute_inplace(y, SIMDEPTH_F32, in.n, all_methods[mi], &z,
                                                   &err) == SIMDEPTH_OK,
                  "%s: %s", what, err.message);
            if (z != NULL)
                tree_close(z, zx, F32_HEIGHT_TOL, what, &checked);
            total += checked;
            free(y);
            simdepth_matrix_free(z);
            simdepth_matrix_free(zx);
        }
        expected_free(&e);
        input_free(&in);
    }
    /* The near-tie rule must leave most merges compared (wordnet_wup's
     * Wu-Palmer similarities take few distinct values: most of its merges
     * are near-ties). */
    CHECK(total >= 3 * merges / 4, "only %zu of %zu merges compared", total, merges);
}

/* ---- the nearest-neighbour chain against a plain transcription ----------- */

/* SciPy's nn_chain as scipy/cluster/_hierarchy.pyx writes it (a scan of
 * the whole row at every step), for float64 or float32 storage, then
 * SciPy's stable sort by height and relabelling: what the library's
 * faster loop must reproduce exactly, ties included. */
static double ref_get(const void *d, int f32, size_t k)
{
    return f32 ? (double)((const float *)d)[k] : ((const double *)d)[k];
}

static void ref_put(void *d, int f32, size_t k, double v)
{
    if (f32)
        ((float *)d)[k] = (float)v;
    else
        ((double *)d)[k] = v;
}

static double ref_update(simdepth_linkage_method m, double dxi, double dyi, double dxy, int nx,
                         int ny, int ni)
{
    double t;

    switch (m) {
    case SIMDEPTH_LINKAGE_COMPLETE:
        return dyi > dxi ? dyi : dxi;
    case SIMDEPTH_LINKAGE_AVERAGE:
        return (nx * dxi + ny * dyi) / (nx + ny);
    case SIMDEPTH_LINKAGE_WEIGHTED:
        return 0.5 * (dxi + dyi);
    default: /* ward */
        t = 1.0 / (nx + ny + ni);
        return sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
    }
}

static simdepth_matrix *ref_chain(void *d, int f32, size_t n, simdepth_linkage_method m)
{
    int *size = malloc(n * sizeof *size), *ra = malloc(n * sizeof *ra);
    int *rb = malloc(n * sizeof *rb);
    size_t *chain = malloc(n * sizeof *chain), *perm = malloc(n * sizeof *perm);
    size_t *parent = malloc(2 * n * sizeof *parent), *cnt = malloc(2 * n * sizeof *cnt);
    double *rh = malloc(n * sizeof *rh);
    size_t len = 0, i, k, x = 0, y = 0;
    simdepth_matrix *z = NULL;
    simdepth_error err;

    if (size == NULL || ra == NULL || rb == NULL || chain == NULL || perm == NULL ||
        parent == NULL || cnt == NULL || rh == NULL ||
        simdepth_matrix_new(n - 1, 4, SIMDEPTH_F64, &z, &err) != SIMDEPTH_OK)
        goto out;
    for (i = 0; i < n; i++)
        size[i] = 1;
    for (k = 0; k + 1 < n; k++) {
        double cur = INFINITY;
        int nx, ny;
        if (len == 0) {
            for (i = 0; size[i] == 0; i++)
                ;
            chain[len++] = i;
        }
        for (;;) {
            x = chain[len - 1];
            if (len > 1) {
                y = chain[len - 2];
                cur = ref_get(d, f32, simdepth_condensed_index(n, x, y));
            } else {
                cur = INFINITY;
            }
            for (i = 0; i < n; i++) {
                double v;
                if (size[i] == 0 || i == x)
                    continue;
                v = ref_get(d, f32, simdepth_condensed_index(n, x, i));
                if (v < cur) {
                    cur = v;
                    y = i;
                }
            }
            if (len > 1 && y == chain[len - 2])
                break;
            chain[len++] = y;
        }
        len -= 2;
        if (x > y) {
            i = x;
            x = y;
            y = i;
        }
        nx = size[x];
        ny = size[y];
        ra[k] = (int)x;
        rb[k] = (int)y;
        rh[k] = cur;
        size[x] = 0;
        size[y] = nx + ny;
        for (i = 0; i < n; i++) {
            size_t ix, iy;
            if (size[i] == 0 || i == y)
                continue;
            ix = simdepth_condensed_index(n, i, x);
            iy = simdepth_condensed_index(n, i, y);
            ref_put(d, f32, iy,
                    ref_update(m, ref_get(d, f32, ix), ref_get(d, f32, iy), cur, nx, ny, size[i]));
        }
    }
    /* Stable sort by height (insertion sort), then union-find labels. */
    for (k = 0; k + 1 < n; k++) {
        size_t j = k;
        while (j > 0 && rh[perm[j - 1]] > rh[k]) {
            perm[j] = perm[j - 1];
            j--;
        }
        perm[j] = k;
    }
    for (i = 0; i < 2 * n; i++) {
        parent[i] = i;
        cnt[i] = 1;
    }
    for (k = 0; k + 1 < n; k++) {
        size_t p = perm[k], a = (size_t)ra[p], b = (size_t)rb[p];
        while (parent[a] != a)
            a = parent[a];
        while (parent[b] != b)
            b = parent[b];
        simdepth_matrix_set(z, k, 0, (double)(a < b ? a : b));
        simdepth_matrix_set(z, k, 1, (double)(a < b ? b : a));
        simdepth_matrix_set(z, k, 2, rh[p]);
        parent[a] = parent[b] = n + k;
        cnt[n + k] = cnt[a] + cnt[b];
        simdepth_matrix_set(z, k, 3, (double)cnt[n + k]);
    }
out:
    free(rh);
    free(cnt);
    free(parent);
    free(perm);
    free(chain);
    free(rb);
    free(ra);
    free(size);
    return z;
}

/* Random inputs, many with ties (few distinct values), up to n = 400 (so
 * that the library compacts its matrix several times): merges and heights
 * equal the plain loop's exactly, float64 and float32. */
static void test_chain_reference(void)
{
    static const size_t sizes[] = {2, 3, 7, 33, 150, 400};
    static const simdepth_linkage_method chain_methods[] = {
        SIMDEPTH_LINKAGE_COMPLETE, SIMDEPTH_LINKAGE_AVERAGE, SIMDEPTH_LINKAGE_WEIGHTED,
        SIMDEPTH_LINKAGE_WARD};
    uint64_t state = 88172645463325252ull;
    size_t si, mi, kind, f32, i;

    for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (kind = 0; kind < 3; kind++) /* uniform, 8 levels, 2 levels */
            for (f32 = 0; f32 < 2; f32++)
                for (mi = 0; mi < 4; mi++) {
                    size_t n = sizes[si], m = simdepth_condensed_size(n);
                    size_t esz = f32 ? sizeof(float) : sizeof(double);
                    void *a = malloc(m * esz), *b = malloc(m * esz);
                    simdepth_matrix *zr = NULL, *z = NULL;
                    simdepth_error err;
                    char what[160];

                    snprintf(what, sizeof what, "n %zu, %s values, %s, %s", n,
                             kind == 0 ? "uniform" : kind == 1 ? "8 distinct" : "2 distinct",
                             f32 ? "float32" : "float64",
                             simdepth_linkage_method_name(chain_methods[mi]));
                    if (a == NULL || b == NULL) {
                        CHECK(0, "%s: out of memory", what);
                        free(a);
                        free(b);
                        continue;
                    }
                    for (i = 0; i < m; i++) {
                        double v;
                        state ^= state << 13; /* xorshift64 */
                        state ^= state >> 7;
                        state ^= state << 17;
                        v = (double)(state >> 11) / 9007199254740992.0;
                        if (kind == 1)
                            v = floor(v * 8.0) / 8.0 + 0.125;
                        else if (kind == 2)
                            v = v < 0.5 ? 1.0 : 2.0;
                        ref_put(a, (int)f32, i, v);
                        ref_put(b, (int)f32, i, v);
                    }
                    zr = ref_chain(a, (int)f32, n, chain_methods[mi]);
                    CHECK(simdepth_linkage_compute_inplace(b, f32 ? SIMDEPTH_F32 : SIMDEPTH_F64,
                                                           n, chain_methods[mi], &z,
                                                           &err) == SIMDEPTH_OK,
                          "%s: %s", what, err.message);
                    if (z != NULL && zr != NULL)
                        z_equal(z, zr, 0.0, what);
                    simdepth_matrix_free(z);
                    simdepth_matrix_free(zr);
                    free(a);
                    free(b);
                }
}

/* ---- distances straight from templates ----------------------------------- */

static simdepth_matrix *load_templates100(void)
{
    simdepth_matrix *w = NULL;
    simdepth_error err;

    if (simdepth_npy_read(simdepth_test_data("linkage/templates100.npy"), &w, &err) !=
        SIMDEPTH_OK) {
        CHECK(0, "templates100.npy: %s", err.message);
        return NULL;
    }
    return w;
}

/* The distances of simdepth_similarity_cosine() + _minmax() +
 * condensed_from_similarity(), the float64 path of 'simdepth tree'. */
static double *route_distances(const simdepth_matrix *w, int minmax,
                               simdepth_distance_rule rule)
{
    simdepth_matrix *s = NULL;
    simdepth_error err;
    void *y = NULL;

    if (simdepth_similarity_cosine(w, &s, &err) != SIMDEPTH_OK ||
        (minmax ? simdepth_similarity_minmax(s, &err)
                : (simdepth_similarity_set_diagonal(s, 1.0), SIMDEPTH_OK)) != SIMDEPTH_OK ||
        simdepth_linkage_condensed_from_similarity(s, rule, SIMDEPTH_F64, &y, &err) !=
            SIMDEPTH_OK)
        y = NULL;
    simdepth_matrix_free(s);
    return y;
}

/* Against the similarity route, for both template types, scalings and
 * rules: float32 templates to 1e-6 (the block products and the symmetric
 * rank update sum in different orders: a few float32 steps of a cosine,
 * divided by the min-max range, about 2); float64 templates to 1e-12.
 * Float32 storage is the float64 result rounded once, bit for bit. */
static void templates_route_check(const simdepth_matrix *w32, const char *name);

static void test_templates_route(void)
{
    simdepth_matrix *w = load_templates100(), *big = NULL;
    simdepth_error err;
    uint64_t state = 0x9E3779B97F4A7C15ull;
    size_t i, j;

    if (w != NULL)
        templates_route_check(w, "templates100");
    simdepth_matrix_free(w);
    /* 2,000 classes: blocks of rows written straight into the distances
     * (templates100 fits one block and goes through the buffer). */
    CHECK(simdepth_matrix_new(2000, 16, SIMDEPTH_F32, &big, &err) == SIMDEPTH_OK, "matrix");
    for (i = 0; big != NULL && i < 2000; i++)
        for (j = 0; j < 16; j++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            simdepth_matrix_set(big, i, j, (double)(state >> 40) / 16777216.0 - 0.5);
        }
    if (big != NULL)
        templates_route_check(big, "random 2000 x 16");
    simdepth_matrix_free(big);
}

static void templates_route_check(const simdepth_matrix *w32, const char *name)
{
    static const struct {
        int minmax;
        simdepth_distance_rule rule;
    } rows[] = {{1, SIMDEPTH_DISTANCE_ONE_MINUS},
                {1, SIMDEPTH_DISTANCE_MAX_MINUS},
                {0, SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP},
                {0, SIMDEPTH_DISTANCE_MAX_MINUS}};
    simdepth_matrix *w64 = NULL;
    simdepth_error err;
    size_t r, t, i, m = simdepth_condensed_size(simdepth_matrix_rows(w32));

    CHECK(simdepth_matrix_convert(w32, SIMDEPTH_F64, &w64, &err) == SIMDEPTH_OK, "convert");
    for (t = 0; t < 2; t++)
        for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            const simdepth_matrix *w = t == 0 ? w32 : w64;
            double tol = t == 0 ? 1e-6 : 1e-12, worst = 0.0, worst32 = 0.0;
            double *ref = route_distances(w, rows[r].minmax, rows[r].rule);
            void *y64 = NULL, *y32 = NULL;
            size_t same32 = 0;

            CHECK(ref != NULL, "%s: route %zu/%zu", name, t, r);
            CHECK(simdepth_linkage_condensed_from_templates(w, rows[r].minmax, rows[r].rule,
                                                            SIMDEPTH_F64, &y64, NULL, &err) ==
                          SIMDEPTH_OK &&
                      simdepth_linkage_condensed_from_templates(w, rows[r].minmax, rows[r].rule,
                                                                SIMDEPTH_F32, &y32, NULL,
                                                                &err) == SIMDEPTH_OK,
                  "%s: from_templates %s templates, row %zu: %s", name,
                  t == 0 ? "float32" : "float64", r, err.message);
            for (i = 0; ref != NULL && y64 != NULL && y32 != NULL && i < m; i++) {
                double a = ((const double *)y64)[i], b = ((const float *)y32)[i];
                if (fabs(a - ref[i]) > worst)
                    worst = fabs(a - ref[i]);
                if (fabs(b - a) > worst32)
                    worst32 = fabs(b - a);
                same32 += b == (double)(float)a;
            }
            CHECK(worst32 <= 1e-6, "%s: %s templates, row %zu: float32 storage %.3g from float64",
                  name, t == 0 ? "float32" : "float64", r, worst32);
            CHECK(worst <= tol, "%s: %s templates, row %zu: %.3g from the similarity route",
                  name, t == 0 ? "float32" : "float64", r, worst);
            /* (float64 templates: the cosines are rounded before the
             * scaling, as documented.) */
            CHECK(t == 1 || same32 == m,
                  "%s: float32 templates, row %zu: float32 storage is not the float64 result "
                  "rounded (%zu of %zu)",
                  name, r, same32, m);
            free(ref);
            free(y64);
            free(y32);
        }
    simdepth_matrix_free(w64);
}

/* The library's float32 path from the templates against SciPy on the
 * distances NumPy computes (templates100.expected): trees as in
 * test_float32_vs_scipy, and the cophenetic correlation from the merge
 * heights. */
static void test_templates_scipy(void)
{
    simdepth_matrix *w = load_templates100();
    expected e;
    size_t mi, n = 100;

    if (w == NULL)
        return;
    if (expected_load("templates100", &e) != 0) {
        CHECK(0, "templates100.expected missing");
        simdepth_matrix_free(w);
        return;
    }
    for (mi = 0; mi < N_METHODS; mi++) {
        const char *mname = simdepth_linkage_method_name(all_methods[mi]);
        size_t at = method_block(&e, mname), checked = 0;
        simdepth_matrix *zx = expected_z(&e, at, n), *z = NULL;
        simdepth_condensed_moments mom, mom2;
        simdepth_error err;
        void *y = NULL;
        char what[128];

        snprintf(what, sizeof what, "templates100/%s float32 from templates", mname);
        CHECK(simdepth_linkage_condensed_from_templates(w, 1, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                        SIMDEPTH_F32, &y, &mom, &err) ==
                      SIMDEPTH_OK &&
                  simdepth_linkage_condensed_moments(y, SIMDEPTH_F32, n, &mom2, &err) ==
                      SIMDEPTH_OK &&
                  memcmp(&mom, &mom2, sizeof mom) == 0 &&
                  simdepth_linkage_compute_inplace(y, SIMDEPTH_F32, n, all_methods[mi], &z,
                                                   &err) == SIMDEPTH_OK,
              "%s: %s (or the moments differ from condensed_moments)", what, err.message);
        if (z != NULL && zx != NULL) {
            tree_close(z, zx, F32_HEIGHT_TOL, what, &checked);
            CHECK(checked == n - 1, "%s: %zu of 99 merges compared", what, checked);
        }
        for (; z != NULL && at < e.n_lines && !starts(e.lines[at], "method"); at++)
            if (starts(e.lines[at], "coph")) {
                double x = strtod(e.lines[at] + 5, NULL), c = 0.0;
                CHECK(simdepth_linkage_cophenetic_correlation_average(z, &mom, &c, &err) ==
                              SIMDEPTH_OK &&
                          fabs(c - x) <= 1e-5,
                      "%s: cophenetic correlation %.9f, SciPy %.9f", what, c, x);
            }
        free(y);
        simdepth_matrix_free(z);
        simdepth_matrix_free(zx);
    }
    expected_free(&e);
    simdepth_matrix_free(w);
}

static void test_templates_errors(void)
{
    simdepth_matrix *w = NULL, *one = NULL, *flat = NULL;
    simdepth_error err;
    void *y = (void *)&err; /* must stay untouched */
    size_t i, j;

    CHECK(simdepth_matrix_new(5, 3, SIMDEPTH_F32, &w, &err) == SIMDEPTH_OK &&
              simdepth_matrix_new(1, 3, SIMDEPTH_F32, &one, &err) == SIMDEPTH_OK &&
              simdepth_matrix_new(4, 3, SIMDEPTH_F64, &flat, &err) == SIMDEPTH_OK,
          "matrices");
    if (w == NULL || one == NULL || flat == NULL)
        goto out;
    for (i = 0; i < 5; i++)
        for (j = 0; j < 3; j++)
            simdepth_matrix_set(w, i, j, i == 3 ? 0.0 : (double)(i + j + 1));
    for (i = 0; i < 4; i++)
        for (j = 0; j < 3; j++)
            simdepth_matrix_set(flat, i, j, (double)(j + 1));
    for (j = 0; j < 3; j++)
        simdepth_matrix_set(one, 0, j, 1.0);
    CHECK(simdepth_linkage_condensed_from_templates(w, 1, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                    SIMDEPTH_F32, &y, NULL, &err) == SIMDEPTH_EINVAL &&
              y == (void *)&err && err.line == 4 && strstr(err.message, "zero norm") != NULL,
          "zero template: '%s' at line %ld", err.message, err.line);
    CHECK(simdepth_linkage_condensed_from_templates(one, 1, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                    SIMDEPTH_F32, &y, NULL, &err) == SIMDEPTH_EINVAL &&
              y == (void *)&err && strstr(err.message, "at least 2") != NULL,
          "one template: '%s'", err.message);
    CHECK(simdepth_linkage_condensed_from_templates(flat, 1, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                    SIMDEPTH_F64, &y, NULL, &err) == SIMDEPTH_EINVAL &&
              y == (void *)&err && strstr(err.message, "constant") != NULL,
          "identical templates under min-max: '%s'", err.message);
    CHECK(simdepth_linkage_condensed_from_templates(NULL, 1, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                    SIMDEPTH_F32, &y, NULL, &err) == SIMDEPTH_EINVAL &&
              y == (void *)&err,
          "no templates");
    CHECK(simdepth_linkage_condensed_from_templates(flat, 0, (simdepth_distance_rule)9,
                                                    SIMDEPTH_F32, &y, NULL, &err) == SIMDEPTH_EINVAL &&
              simdepth_linkage_condensed_from_templates(flat, 0, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                        (simdepth_dtype)7, &y, NULL, &err) ==
                  SIMDEPTH_EINVAL &&
              y == (void *)&err,
          "bad rule or dtype");
out:
    simdepth_matrix_free(flat);
    simdepth_matrix_free(one);
    simdepth_matrix_free(w);
}

#ifdef SIMDEPTH_FAULT_INJECTION
/* Exported only from fault-injection builds (src/lib/internal.h). */
void simdepth_fault_alloc_arm(unsigned long n);
unsigned long simdepth_fault_alloc_count(void);

/* The float32 paths under a failing allocator (--enable-fault-injection;
 * tests/test_alloc.c's protocol): failing the k-th allocation, for every
 * k the path reaches, gives SIMDEPTH_ENOMEM with a message and leaves the
 * outputs untouched (LeakSanitizer in the ASan job checks that nothing
 * leaks); the first run that reaches no failure gives the unarmed result. */
static void test_float32_faults(void)
{
    simdepth_matrix *w = load_templates100();
    size_t n = 100, m = simdepth_condensed_size(100), path;
    void *ref = NULL;
    simdepth_matrix *zref = NULL;
    simdepth_error err;

    if (w == NULL)
        return;
    CHECK(simdepth_linkage_condensed_from_templates(w, 1, SIMDEPTH_DISTANCE_ONE_MINUS,
                                                    SIMDEPTH_F32, &ref, NULL, &err) ==
              SIMDEPTH_OK,
          "unarmed run");
    if (ref == NULL) {
        simdepth_matrix_free(w);
        return;
    }
    for (path = 0; path < 3; path++) {
        unsigned long k;
        for (k = 1; k < 1000; k++) {
            simdepth_condensed_moments mom = {7, 7.0, 7.0};
            void *y = (void *)&err; /* a sentinel: must stay */
            simdepth_matrix *z = (simdepth_matrix *)&err;
            float *copy = NULL;
            simdepth_status st;
            unsigned long seen;

            if (path == 2) { /* the linkage works on a copy made unarmed */
                copy = malloc(m * sizeof *copy);
                if (copy == NULL)
                    break;
                memcpy(copy, ref, m * sizeof *copy);
            }
            simdepth_error_clear(&err);
            simdepth_fault_alloc_arm(k);
            if (path == 2)
                st = simdepth_linkage_compute_inplace(copy, SIMDEPTH_F32, n,
                                                      SIMDEPTH_LINKAGE_AVERAGE, &z, &err);
            else
                st = simdepth_linkage_condensed_from_templates(
                    w, 1, SIMDEPTH_DISTANCE_ONE_MINUS, path == 0 ? SIMDEPTH_F32 : SIMDEPTH_F64,
                    &y, &mom, &err);
            seen = simdepth_fault_alloc_count();
            simdepth_fault_alloc_arm(0);
            free(copy);
            if (st == SIMDEPTH_OK) {
                CHECK(seen < k, "path %zu: success although allocation %lu failed", path, k);
                if (path == 2) {
                    if (zref == NULL) {
                        float *c2 = malloc(m * sizeof *c2);
                        if (c2 != NULL) {
                            memcpy(c2, ref, m * sizeof *c2);
                            CHECK(simdepth_linkage_compute_inplace(
                                      c2, SIMDEPTH_F32, n, SIMDEPTH_LINKAGE_AVERAGE, &zref,
                                      &err) == SIMDEPTH_OK,
                                  "unarmed linkage");
                            free(c2);
                        }
                    }
                    if (zref != NULL)
                        z_equal(z, zref, 0.0, "linkage after the failing allocator");
                    simdepth_matrix_free(z);
                } else {
                    CHECK(path == 1 || memcmp(y, ref, m * sizeof(float)) == 0,
                          "path %zu: result differs from the unarmed one", path);
                    CHECK(mom.count == m, "path %zu: moments", path);
                    free(y);
                }
                break;
            }
            CHECK(st == SIMDEPTH_ENOMEM && err.message[0] != '\0' && y == (void *)&err &&
                      z == (simdepth_matrix *)&err && mom.count == 7,
                  "path %zu, allocation %lu failed: status %d, outputs %s", path, k, (int)st,
                  y == (void *)&err && z == (simdepth_matrix *)&err ? "kept" : "touched");
        }
        CHECK(k < 1000, "path %zu never completed", path);
    }
    simdepth_matrix_free(zref);
    free(ref);
    simdepth_matrix_free(w);
}
#endif

/* ---- cophenetic correlation of average linkage from the heights ---------- */

/* Against SciPy's cophenet on every golden case: 1e-9 relative from the
 * float64 distances (the heights are SciPy's, so only the summation order
 * differs), 1e-5 from the distances rounded to float32 (rounded heights,
 * see F32_HEIGHT_TOL); the moments against a direct long double sum. */
static void test_cophenetic_average(void)
{
    size_t ci, i;

    for (ci = 0; ci < N_CASES; ci++) {
        const golden_case *c = &golden_cases[ci];
        input in;
        expected e;
        size_t at, m;
        simdepth_matrix *z = NULL, *z32 = NULL;
        simdepth_condensed_moments mom, mom32, bad;
        simdepth_error err;
        long double sum = 0.0L, sq = 0.0L;
        float *y32 = NULL;
        double x = NAN, cc = 0.0, c32 = 0.0;

        if (strcmp(c->name, "neg4") == 0 || load_input(c, &in) != 0)
            continue;
        if (expected_load(c->name, &e) != 0) {
            input_free(&in);
            continue;
        }
        m = simdepth_condensed_size(in.n);
        for (at = method_block(&e, "average"); at < e.n_lines; at++)
            if (starts(e.lines[at], "coph")) {
                x = strtod(e.lines[at] + 5, NULL);
                break;
            }
        y32 = malloc(m * sizeof *y32);
        for (i = 0; y32 != NULL && i < m; i++)
            y32[i] = (float)in.y[i];
        CHECK(y32 != NULL &&
                  simdepth_linkage_compute(in.y, SIMDEPTH_F64, in.n, SIMDEPTH_LINKAGE_AVERAGE, &z,
                                           &err) == SIMDEPTH_OK &&
                  simdepth_linkage_condensed_moments(in.y, SIMDEPTH_F64, in.n, &mom, &err) ==
                      SIMDEPTH_OK &&
                  simdepth_linkage_condensed_moments(y32, SIMDEPTH_F32, in.n, &mom32, &err) ==
                      SIMDEPTH_OK &&
                  simdepth_linkage_compute_inplace(y32, SIMDEPTH_F32, in.n,
                                                   SIMDEPTH_LINKAGE_AVERAGE, &z32, &err) ==
                      SIMDEPTH_OK,
              "%s: average linkage and moments", c->name);
        for (i = 0; i < m; i++)
            sum += in.y[i];
        for (i = 0; i < m; i++)
            sq += (in.y[i] - sum / m) * (in.y[i] - sum / m);
        CHECK(mom.count == m && rel_close(mom.mean, (double)(sum / m), 1e-12) &&
                  (rel_close(mom.m2, (double)sq, 1e-10) || fabs(mom.m2 - (double)sq) < 1e-15),
              "%s: moments %.17g %.17g, direct %.17g %.17g", c->name, mom.mean, mom.m2,
              (double)(sum / m), (double)sq);
        if (z != NULL && z32 != NULL) {
            CHECK(simdepth_linkage_cophenetic_correlation_average(z, &mom, &cc, &err) ==
                          SIMDEPTH_OK &&
                      (rel_close(cc, x, 1e-9) || (isnan(cc) && isnan(x))),
                  "%s: cophenetic correlation from the heights %.17g, SciPy %.17g", c->name, cc,
                  x);
            CHECK(simdepth_linkage_cophenetic_correlation_average(z32, &mom32, &c32, &err) ==
                          SIMDEPTH_OK &&
                      (fabs(c32 - x) <= 1e-5 || (isnan(c32) && isnan(x))),
                  "%s: float32 cophenetic correlation %.17g, SciPy %.17g", c->name, c32, x);
            bad = mom;
            bad.count++;
            cc = 42.0;
            CHECK(simdepth_linkage_cophenetic_correlation_average(z, &bad, &cc, &err) ==
                          SIMDEPTH_EINVAL &&
                      cc == 42.0,
                  "%s: moments of another size refused", c->name);
        }
        free(y32);
        simdepth_matrix_free(z32);
        simdepth_matrix_free(z);
        expected_free(&e);
        input_free(&in);
    }
}

int simdepth_test_add_linkage(void)
{
    CU_pSuite s = CU_add_suite("linkage", NULL, NULL);

    if (s == NULL || CU_add_test(s, "golden_scipy_synthetic", test_golden_synthetic) == NULL ||
        CU_add_test(s, "golden_scipy_mini_imagenet", test_golden_real) == NULL ||
        CU_add_test(s, "from_similarity_real", test_from_similarity_real) == NULL ||
        CU_add_test(s, "float32_storage", test_float32_storage) == NULL ||
        CU_add_test(s, "cophenetic_direct", test_cophenetic_direct) == NULL ||
        CU_add_test(s, "newick_golden_scipy", test_newick_golden) == NULL ||
        CU_add_test(s, "newick_round_trip", test_newick_round_trip) == NULL ||
        CU_add_test(s, "newick_labels", test_newick_labels) == NULL ||
        CU_add_test(s, "newick_deep", test_newick_deep) == NULL ||
        CU_add_test(s, "newick_parse_errors", test_newick_errors) == NULL ||
        CU_add_test(s, "newick_to_linkage_errors", test_newick_to_linkage_errors) == NULL ||
        CU_add_test(s, "distance_rules", test_distance_rules) == NULL ||
        CU_add_test(s, "invalid_input", test_invalid_input) == NULL ||
        CU_add_test(s, "validate", test_validate) == NULL ||
        CU_add_test(s, "misc", test_misc) == NULL ||
        CU_add_test(s, "float32_vs_scipy", test_float32_vs_scipy) == NULL ||
        CU_add_test(s, "chain_vs_plain_loop", test_chain_reference) == NULL ||
        CU_add_test(s, "templates_vs_similarity", test_templates_route) == NULL ||
        CU_add_test(s, "templates_vs_scipy", test_templates_scipy) == NULL ||
        CU_add_test(s, "templates_errors", test_templates_errors) == NULL ||
        CU_add_test(s, "cophenetic_average", test_cophenetic_average) == NULL)
        return -1;
#ifdef SIMDEPTH_FAULT_INJECTION
    if (CU_add_test(s, "float32_failing_allocator", test_float32_faults) == NULL)
        return -1;
#endif
    return 0;
}
