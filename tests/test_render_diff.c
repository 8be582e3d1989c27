/* simdepth — comparison figures (graph diff, tanglegram) and labelled plots.
 *
 * The two real 100-class models of ../shared/data (ViT-B/16 trained and at
 * initialisation) are rendered in every format. Checks: SVG well-formed
 * (a small XML checker below: balanced tags, quoted attributes, escaped
 * text) with every class label and both model names as <text>; PDF 1.5
 * with embedded fonts and no Type 3 font; PNG with the pHYs resolution
 * asked; DOT with as many shared / only-A / only-B edges as a brute-force
 * comparison of the two spanning forests in this file (independent of
 * compare.c); byte-identical reruns (PDF with a timestamp); entanglement
 * after untangling <= before; a synthetic 1,000-class pair renders in
 * bounded time, and its graph diff renders. The plot's label placement is checked from the SVG, which
 * writes each label's box and each point's marker box as invisible rects
 * (ids label-box-K, point-box-K): no two label boxes overlap, no label box
 * overlaps a point, every labelled point got its label. */
#include "config.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simdepth/compare.h"
#include "simdepth/render.h"
#include "simdepth/simdepth.h"
#include "tests.h"

#define VITB "mini-imagenet-vitb/"
#define N 100

typedef struct fixture {
    simdepth_taxonomy *wn;
    simdepth_labels *labels;
    size_t nodes[N];
    simdepth_matrix *sa, *sb;
    simdepth_analysis *a, *b;
    simdepth_analysis_options opt;
    simdepth_report_info info;
    simdepth_render_model ma, mb;
    char names[N][128]; /* readable names as the figures write them */
} fixture;

static fixture fx;
static char tmp_dir[4096];

static simdepth_matrix *load(const char *rel)
{
    simdepth_matrix *m = NULL;
    simdepth_error err;

    if (simdepth_npy_read(simdepth_test_shared(rel), &m, &err) != SIMDEPTH_OK)
        fprintf(stderr, "%s: %s\n", rel, err.message);
    return m;
}

static int setup(void)
{
    simdepth_error err;
    size_t i;

    memset(&fx, 0, sizeof fx);
    if (simdepth_test_tmpdir(tmp_dir, sizeof tmp_dir, "render-diff") != 0)
        return -1;
    if (simdepth_wordnet_open(NULL, &fx.wn, &err) != SIMDEPTH_OK ||
        simdepth_labels_read(simdepth_test_shared(VITB "wnids.txt"), &fx.labels, &err) !=
            SIMDEPTH_OK ||
        simdepth_labels_count(fx.labels) != N) {
        fprintf(stderr, "render_diff setup: %s\n", err.message);
        return -1;
    }
    for (i = 0; i < N; i++) {
        const char *nm;
        char *p;
        if (simdepth_taxonomy_find_id(fx.wn, simdepth_labels_key(fx.labels, i), &fx.nodes[i],
                                      &err) != SIMDEPTH_OK)
            return -1;
        /* the figures' class name: the WordNet lemma, '_' as blanks */
        nm = simdepth_labels_name(fx.labels, i);
        if (nm == NULL || nm[0] == '\0')
            nm = simdepth_taxonomy_label(fx.wn, fx.nodes[i]);
        snprintf(fx.names[i], sizeof fx.names[i], "%s", nm);
        for (p = fx.names[i]; *p; p++)
            if (*p == '_')
                *p = ' ';
    }
    fx.sa = load(VITB "vitb_cosine.npy");
    fx.sb = load(VITB "vitb_init_cosine.npy");
    if (fx.sa == NULL || fx.sb == NULL)
        return -1;
    simdepth_similarity_set_diagonal(fx.sb, 1.0); /* NaN in the file */
    simdepth_analysis_options_init(&fx.opt);
    if (simdepth_analysis_run(fx.sa, NULL, fx.wn, fx.nodes, &fx.opt, &fx.a, &err) !=
            SIMDEPTH_OK ||
        simdepth_analysis_run(fx.sb, NULL, fx.wn, fx.nodes, &fx.opt, &fx.b, &err) !=
            SIMDEPTH_OK) {
        fprintf(stderr, "render_diff setup: %s\n", err.message);
        return -1;
    }
    fx.info.labels = fx.labels;
    fx.info.tax = fx.wn;
    fx.info.nodes = fx.nodes;
    fx.info.options = &fx.opt;
    fx.ma.name = "ViT-B/16 trained";
    fx.ma.analysis = fx.a;
    fx.ma.similarity = fx.sa;
    fx.mb.name = "ViT-B/16 at init <&>";
    fx.mb.analysis = fx.b;
    fx.mb.similarity = fx.sb;
    return 0;
}

static int teardown(void)
{
    simdepth_analysis_free(fx.a);
    simdepth_analysis_free(fx.b);
    simdepth_matrix_free(fx.sa);
    simdepth_matrix_free(fx.sb);
    simdepth_labels_free(fx.labels);
    simdepth_taxonomy_free(fx.wn);
    simdepth_test_remove_tree(tmp_dir);
    memset(&fx, 0, sizeof fx);
    return 0;
}

/* ------------------------------------------------------------ helpers */

/* Render into a file and read it back (malloc'd; NULL on failure). */
typedef simdepth_status (*render_fn)(FILE *f, const void *arg, const simdepth_render_options *o,
                                     double ent[2], simdepth_error *err);

typedef struct diff_arg {
    simdepth_diff_figure fig;
    const simdepth_render_model *a, *b;
    const simdepth_report_info *info;
} diff_arg;

static simdepth_status diff_fn(FILE *f, const void *arg, const simdepth_render_options *o,
                               double ent[2], simdepth_error *err)
{
    const diff_arg *d = arg;

    return simdepth_render_diff_write(f, d->fig, d->a, d->b, d->info, o, ent, err);
}

static simdepth_status plot_fn(FILE *f, const void *arg, const simdepth_render_options *o,
                               double ent[2], simdepth_error *err)
{
    (void)ent;
    return simdepth_render_plot_write(f, arg, o, err);
}

static char *render(render_fn fn, const void *arg, const simdepth_render_options *o,
                    double ent[2], size_t *len, simdepth_status *st, simdepth_error *err)
{
    char path[4200];
    FILE *f;

    snprintf(path, sizeof path, "%s/out", tmp_dir);
    f = fopen(path, "wb");
    if (f == NULL)
        return NULL;
    *st = fn(f, arg, o, ent, err);
    fclose(f);
    if (*st != SIMDEPTH_OK)
        return NULL;
    return simdepth_test_slurp(path, len);
}

/* A well-formedness check good enough for our SVG: tags balance, the
 * root is <svg>, attribute values are quoted, text has no raw '<' and
 * every '&' starts an entity. Returns NULL or a static message. */
static const char *xml_check(const char *s)
{
    static char msg[200];
    const char *stack[64];
    size_t lens[64], depth = 0, roots = 0;
    const char *p = s;

    while (*p != '\0') {
        if (*p == '<') {
            if (strncmp(p, "<?", 2) == 0) {
                p = strstr(p, "?>");
                if (p == NULL)
                    return "unterminated <?";
                p += 2;
                continue;
            }
            if (strncmp(p, "<!--", 4) == 0) {
                p = strstr(p, "-->");
                if (p == NULL)
                    return "unterminated comment";
                p += 3;
                continue;
            }
            if (p[1] == '/') {
                const char *nm = p + 2;
                size_t l = strcspn(nm, " >");
                if (depth == 0 || lens[depth - 1] != l || strncmp(stack[depth - 1], nm, l) != 0) {
                    snprintf(msg, sizeof msg, "unbalanced </%.*s>", (int)l, nm);
                    return msg;
                }
                depth--;
                p = strchr(p, '>');
                if (p == NULL)
                    return "unterminated end tag";
                p++;
                continue;
            }
            {
                const char *nm = p + 1, *q;
                size_t l = strcspn(nm, " />\n");
                char quote = 0;
                if (l == 0)
                    return "empty tag name";
                for (q = nm + l; *q != '\0'; q++) {
                    if (quote) {
                        if (*q == quote)
                            quote = 0;
                        else if (*q == '<')
                            return "'<' in an attribute value";
                    } else if (*q == '"' || *q == '\'') {
                        if (q[-1] != '=')
                            return "attribute value without '='";
                        quote = *q;
                    } else if (*q == '>') {
                        break;
                    }
                }
                if (*q != '>')
                    return "unterminated tag";
                if (q[-1] != '/') {
                    if (depth == 64)
                        return "too deep";
                    if (depth == 0)
                        roots++;
                    if (depth == 0 && strncmp(nm, "svg", 3) != 0)
                        return "root is not <svg>";
                    stack[depth] = nm;
                    lens[depth++] = l;
                }
                p = q + 1;
                continue;
            }
        }
        if (*p == '&') {
            size_t l = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz#0123456789xABCDEF");
            if (p[1 + l] != ';' || l == 0)
                return "raw '&' in text";
        }
        p++;
    }
    if (depth != 0)
        return "unclosed elements at the end";
    if (roots != 1)
        return "not exactly one root element";
    return NULL;
}

/* XML-escape @s into @out. */
static void xml_escape(const char *s, char *out, size_t size)
{
    size_t k = 0;

    for (; *s && k + 7 < size; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep != NULL) {
            memcpy(out + k, rep, strlen(rep));
            k += strlen(rep);
        } else {
            out[k++] = *s;
        }
    }
    out[k] = '\0';
}

/* Does the text @s (escaped here) appear inside some <text> element? */
static int in_text(const char *svg, const char *s)
{
    char esc[600];
    const char *p;

    xml_escape(s, esc, sizeof esc);
    for (p = strstr(svg, esc); p != NULL; p = strstr(p + 1, esc)) {
        const char *lt = p;
        while (lt > svg && *lt != '<' && *lt != '>')
            lt--;
        if (*lt != '>')
            continue; /* inside a tag: an attribute */
        while (lt > svg && *lt != '<')
            lt--;
        if (strncmp(lt, "<text", 5) == 0)
            return 1;
    }
    return 0;
}

/* The horizontal pHYs resolution of a PNG in dpi (rounded), or -1. */
static long png_dpi(const unsigned char *b, size_t len)
{
    size_t i;

    if (len < 8 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0)
        return -1;
    for (i = 8; i + 12 <= len;) {
        unsigned long l = (unsigned long)b[i] << 24 | (unsigned long)b[i + 1] << 16 |
                          (unsigned long)b[i + 2] << 8 | b[i + 3];
        if (memcmp(b + i + 4, "pHYs", 4) == 0 && l == 9 && i + 17 <= len) {
            unsigned long ppm = (unsigned long)b[i + 8] << 24 | (unsigned long)b[i + 9] << 16 |
                                (unsigned long)b[i + 10] << 8 | b[i + 11];
            if (b[i + 16] != 1)
                return -1;
            return lround((double)ppm * 0.0254);
        }
        i += 12 + l;
    }
    return -1;
}

static int has_bytes(const char *buf, size_t len, const char *s)
{
    size_t l = strlen(s), i;

    for (i = 0; i + l <= len; i++)
        if (memcmp(buf + i, s, l) == 0)
            return 1;
    return 0;
}

static size_t count_str(const char *buf, const char *s)
{
    size_t c = 0;
    const char *p;

    for (p = strstr(buf, s); p != NULL; p = strstr(p + 1, s))
        c++;
    return c;
}

/* Common checks of one format; returns the bytes (malloc'd) for more. */
static char *check_format(render_fn fn, const void *arg, simdepth_image_format fmt,
                          const char *what, double ent[2], size_t *len_out)
{
    static const char *const magic[] = {"<?xml", "%PDF-1.5", "\x89PNG\r\n\x1a\n", "graph"};
    simdepth_render_options o;
    simdepth_error err;
    simdepth_status st = SIMDEPTH_OK;
    char *buf, *again, row[200];
    size_t len = 0, len2 = 0;

    simdepth_render_options_init(&o);
    o.format = fmt;
    o.dpi = 150;
    o.timestamp = 1700000000;
    o.provenance = "test_render_diff";
    snprintf(row, sizeof row, "%s as %s", what, simdepth_image_format_name(fmt));
    buf = render(fn, arg, &o, ent, &len, &st, &err);
    simdepth_test_row_check(buf != NULL, "render_diff", row, __FILE__, __LINE__,
                            "status %d: %s", (int)st, st != SIMDEPTH_OK ? err.message : "");
    if (buf == NULL)
        return NULL;
    simdepth_test_row_check(len > 100 && memcmp(buf, magic[fmt], strlen(magic[fmt])) == 0,
                            "render_diff", row, __FILE__, __LINE__, "bad magic");
    if (fmt == SIMDEPTH_IMAGE_SVG) {
        const char *bad = xml_check(buf);
        simdepth_test_row_check(bad == NULL, "render_diff", row, __FILE__, __LINE__,
                                "not well-formed: %s", bad ? bad : "");
        simdepth_test_row_check(has_bytes(buf, len, "test_render_diff"), "render_diff", row,
                                __FILE__, __LINE__, "no provenance in <desc>");
    } else if (fmt == SIMDEPTH_IMAGE_PDF) {
        simdepth_test_row_check(!has_bytes(buf, len, "/Type3") &&
                                    (has_bytes(buf, len, "/FontFile2") ||
                                     has_bytes(buf, len, "/FontFile3")),
                                "render_diff", row, __FILE__, __LINE__,
                                "a Type 3 font or no embedded font");
        simdepth_test_row_check(has_bytes(buf, len, "20231114221320"), "render_diff",
                                row, __FILE__, __LINE__, "the timestamp is not the date");
    } else if (fmt == SIMDEPTH_IMAGE_PNG) {
        long dpi = png_dpi((const unsigned char *)buf, len);
        simdepth_test_row_check(dpi == 150, "render_diff", row, __FILE__, __LINE__,
                                "pHYs says %ld dpi, asked 150", dpi);
        simdepth_test_row_check(has_bytes(buf, len, "Software") &&
                                    has_bytes(buf, len, "test_render_diff"),
                                "render_diff", row, __FILE__, __LINE__, "no tEXt provenance");
    }
    /* byte-identical rerun */
    again = render(fn, arg, &o, ent, &len2, &st, &err);
    simdepth_test_row_check(again != NULL && len2 == len && memcmp(buf, again, len) == 0,
                            "render_diff", row, __FILE__, __LINE__,
                            "two renders differ (%zu and %zu bytes)", len, len2);
    free(again);
    *len_out = len;
    return buf;
}

/* ---------------------------------------------------------- graph diff */

static int forest_has(const simdepth_forest *f, size_t a, size_t b)
{
    size_t k;

    for (k = 0; k < f->n_edges; k++)
        if ((f->edges[k].a == a && f->edges[k].b == b) ||
            (f->edges[k].a == b && f->edges[k].b == a))
            return 1;
    return 0;
}

static void test_graph_diff(void)
{
    diff_arg d = {SIMDEPTH_DIFF_FIGURE_GRAPH, &fx.ma, &fx.mb, &fx.info};
    const simdepth_forest *fa = fx.a->perceived.forest, *fb = fx.b->perceived.forest;
    size_t shared = 0, k, len;
    double ent[2] = {0, 0};
    char *buf;
    int fmt;

    /* brute force: pairs of A's forest also in B's */
    for (k = 0; k < fa->n_edges; k++)
        shared += forest_has(fb, fa->edges[k].a, fa->edges[k].b);
    for (fmt = SIMDEPTH_IMAGE_SVG; fmt <= SIMDEPTH_IMAGE_DOT; fmt++) {
        buf = check_format(diff_fn, &d, (simdepth_image_format)fmt, "graph diff", ent, &len);
        if (buf == NULL)
            continue;
        CU_ASSERT(isnan(ent[0]) && isnan(ent[1]));
        if (fmt == SIMDEPTH_IMAGE_SVG) {
            size_t i, missing = 0;
            for (i = 0; i < N; i++)
                if (!in_text(buf, fx.names[i])) {
                    fprintf(stderr, "render_diff: graph.svg lacks <text>%s</text>\n",
                            fx.names[i]);
                    missing++;
                }
            CU_ASSERT_EQUAL(missing, 0);
            CU_ASSERT(in_text(buf, fx.ma.name));
            CU_ASSERT(in_text(buf, fx.mb.name));
            CU_ASSERT(in_text(buf, "SD 7.45"));
            CU_ASSERT(in_text(buf, "SD 5.42"));
        }
        if (fmt == SIMDEPTH_IMAGE_DOT) {
            /* every edge of the union once, by origin */
            CU_ASSERT_EQUAL(count_str(buf, "class=\"shared\""), shared);
            CU_ASSERT_EQUAL(count_str(buf, "class=\"only-a\""), fa->n_edges - shared);
            CU_ASSERT_EQUAL(count_str(buf, "class=\"only-b\""), fb->n_edges - shared);
            CU_ASSERT_EQUAL(count_str(buf, "subgraph \"cluster_"),
                            fx.a->perceived.partition->n_clusters);
        }
        free(buf);
    }
}

/* ---------------------------------------------------------- tanglegram */

static void test_tanglegram(void)
{
    diff_arg d = {SIMDEPTH_DIFF_FIGURE_TANGLEGRAM, &fx.ma, &fx.mb, &fx.info};
    double ent[2] = {-1, -1};
    int fmt;
    size_t len;
    char *buf;

    for (fmt = SIMDEPTH_IMAGE_SVG; fmt <= SIMDEPTH_IMAGE_PNG; fmt++) {
        buf = check_format(diff_fn, &d, (simdepth_image_format)fmt, "tanglegram", ent, &len);
        if (buf == NULL)
            continue;
        /* untangling never increases the entanglement */
        CU_ASSERT(ent[0] >= 0.0 && ent[0] <= 1.0);
        CU_ASSERT(ent[1] >= 0.0 && ent[1] <= ent[0]);
        if (fmt == SIMDEPTH_IMAGE_SVG) {
            size_t i, missing = 0;
            char cap[80];
            for (i = 0; i < N; i++)
                missing += !in_text(buf, fx.names[i]);
            CU_ASSERT_EQUAL(missing, 0);
            CU_ASSERT(in_text(buf, fx.ma.name));
            CU_ASSERT(in_text(buf, fx.mb.name));
            /* the caption reports the values returned */
            snprintf(cap, sizeof cap, "%.2f \xe2\x86\x92 %.2f", ent[0], ent[1]);
            CU_ASSERT(in_text(buf, cap));
        }
        free(buf);
    }
    {
        simdepth_render_options o;
        simdepth_error err;
        FILE *f = tmpfile();
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        simdepth_render_options_init(&o);
        o.format = SIMDEPTH_IMAGE_DOT;
        CU_ASSERT_EQUAL(simdepth_render_diff_write(f, SIMDEPTH_DIFF_FIGURE_TANGLEGRAM, &fx.ma,
                                                   &fx.mb, &fx.info, &o, NULL, &err),
                        SIMDEPTH_EINVAL);
        CU_ASSERT_EQUAL(ftell(f), 0);
        fclose(f);
    }
}

/* Time bounds are skipped with SIMDEPTH_TEST_NO_TIMING set (valgrind,
 * sanitizers). */
static int no_timing(void)
{
    const char *v = getenv("SIMDEPTH_TEST_NO_TIMING");

    return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/* 1,000 classes, no taxonomy: clustered random embeddings (B: the same,
 * noisier); the tanglegram must render, labels thinned (every label still
 * in the SVG) within a generous bound of 60 s of CPU on a loaded 2-core
 * machine (it takes a few seconds); the graph diff too (120 s). */
static void test_tanglegram_1000(void)
{
    enum { M = 1000, D = 24 };
    simdepth_matrix *s[2] = {NULL, NULL};
    simdepth_analysis *an[2] = {NULL, NULL};
    simdepth_labels *labels = NULL;
    simdepth_analysis_options opt;
    simdepth_report_info info;
    simdepth_render_model ma, mb;
    simdepth_render_options o;
    simdepth_error err;
    static double emb[2][M][D];
    char **names = malloc(M * sizeof *names);
    unsigned long long rng = 12345;
    size_t i, j, k, len = 0;
    double ent[2] = {-1, -1};
    char *buf;
    simdepth_status st = SIMDEPTH_OK;
    diff_arg d;
    clock_t t0;
    time_t w0;

    CU_ASSERT_PTR_NOT_NULL_FATAL(names);
#define RND() ((rng = rng * 6364136223846793005ull + 1442695040888963407ull), \
               (double)(rng >> 11) / 9007199254740992.0 - 0.5)
    for (i = 0; i < M; i++) {
        names[i] = malloc(32);
        snprintf(names[i], 32, "class %04zu", i);
        for (k = 0; k < D; k++) {
            double centre = (double)((i / 20 * 7 + k * 3) % 11) / 11.0;
            double x = centre + 0.3 * RND();
            emb[0][i][k] = x;
            emb[1][i][k] = x + 0.35 * RND();
        }
    }
#undef RND
    CU_ASSERT_EQUAL_FATAL(simdepth_labels_new((const char *const *)names, M, &labels, &err),
                          SIMDEPTH_OK);
    simdepth_analysis_options_init(&opt);
    for (int m = 0; m < 2; m++) {
        CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(M, M, SIMDEPTH_F64, &s[m], &err), SIMDEPTH_OK);
        for (i = 0; i < M; i++)
            for (j = 0; j < M; j++) {
                double dot = 0, ni = 0, nj = 0;
                for (k = 0; k < D; k++) {
                    dot += emb[m][i][k] * emb[m][j][k];
                    ni += emb[m][i][k] * emb[m][i][k];
                    nj += emb[m][j][k] * emb[m][j][k];
                }
                simdepth_matrix_set(s[m], i, j, dot / sqrt(ni * nj));
            }
        CU_ASSERT_EQUAL_FATAL(simdepth_analysis_run(s[m], NULL, NULL, NULL, &opt, &an[m], &err),
                              SIMDEPTH_OK);
    }
    memset(&info, 0, sizeof info);
    info.labels = labels;
    info.options = &opt;
    ma.name = "model A";
    ma.analysis = an[0];
    ma.similarity = s[0];
    mb.name = "model B";
    mb.analysis = an[1];
    mb.similarity = s[1];
    d.fig = SIMDEPTH_DIFF_FIGURE_TANGLEGRAM;
    d.a = &ma;
    d.b = &mb;
    d.info = &info;
    simdepth_render_options_init(&o);
    t0 = clock();
    w0 = time(NULL);
    buf = render(diff_fn, &d, &o, ent, &len, &st, &err);
    CU_ASSERT_PTR_NOT_NULL(buf);
    if (buf == NULL)
        fprintf(stderr, "render_diff: 1000 leaves: %s\n", err.message);
    if (!no_timing()) {
        CU_ASSERT((double)(clock() - t0) / CLOCKS_PER_SEC < 60.0);
        CU_ASSERT(difftime(time(NULL), w0) < 120.0);
    }
    CU_ASSERT(ent[1] <= ent[0] && ent[1] >= 0.0);
    if (buf != NULL) {
        size_t missing = 0;
        CU_ASSERT_PTR_NULL(xml_check(buf));
        for (i = 0; i < M; i++)
            missing += !in_text(buf, names[i]);
        CU_ASSERT_EQUAL(missing, 0);
        CU_ASSERT(in_text(buf, "leaf labelled")); /* thinned, and says so */
    }
    free(buf);
    /* a PNG at a low resolution */
    o.format = SIMDEPTH_IMAGE_PNG;
    o.dpi = 36;
    buf = render(diff_fn, &d, &o, ent, &len, &st, &err);
    CU_ASSERT(buf != NULL && png_dpi((const unsigned char *)buf, len) == 36);
    free(buf);
    /* the graph diff at 1,000 classes: not broken (SVG, every label) */
    o.format = SIMDEPTH_IMAGE_SVG;
    d.fig = SIMDEPTH_DIFF_FIGURE_GRAPH;
    t0 = clock();
    buf = render(diff_fn, &d, &o, ent, &len, &st, &err);
    CU_ASSERT_PTR_NOT_NULL(buf);
    if (buf == NULL)
        fprintf(stderr, "render_diff: graph at 1000 classes: %s\n", err.message);
    if (!no_timing())
        CU_ASSERT((double)(clock() - t0) / CLOCKS_PER_SEC < 120.0);
    if (buf != NULL) {
        size_t missing = 0;
        CU_ASSERT_PTR_NULL(xml_check(buf));
        for (i = 0; i < M; i++)
            missing += !in_text(buf, names[i]);
        CU_ASSERT_EQUAL(missing, 0);
    }
    free(buf);
    for (int m = 0; m < 2; m++) {
        simdepth_analysis_free(an[m]);
        simdepth_matrix_free(s[m]);
    }
    simdepth_labels_free(labels);
    for (i = 0; i < M; i++)
        free(names[i]);
    free(names);
}

/* ---------------------------------------------------------------- plot */

typedef struct box {
    double x, y, w, h;
} box;

/* The rect after id="PREFIX-K" in @svg into @b; 0 if there is none. */
static int find_box(const char *svg, const char *prefix, size_t k, box *b)
{
    char id[64];
    const char *p;

    snprintf(id, sizeof id, "id=\"%s-%zu\"", prefix, k);
    p = strstr(svg, id);
    if (p == NULL)
        return 0;
    p = strstr(p, "<rect ");
    if (p == NULL)
        return 0;
    return sscanf(p, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\"", &b->x, &b->y,
                  &b->w, &b->h) == 4;
}

static int boxes_overlap(const box *a, const box *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h &&
           b->y < a->y + a->h;
}

static void check_plot_labels(const simdepth_plot *pl, const char *what)
{
    simdepth_render_options o;
    simdepth_error err;
    simdepth_status st = SIMDEPTH_OK;
    size_t len = 0, i, j, nlab = 0, found = 0, bad_ll = 0, bad_lp = 0;
    box lb[64], pb[64];
    int has_l[64] = {0}, has_p[64] = {0};
    char *buf;

    simdepth_render_options_init(&o);
    buf = render(plot_fn, pl, &o, NULL, &len, &st, &err);
    simdepth_test_row_check(buf != NULL, "render_diff", what, __FILE__, __LINE__, "status %d: %s",
                            (int)st, st != SIMDEPTH_OK ? err.message : "");
    if (buf == NULL)
        return;
    CU_ASSERT_PTR_NULL(xml_check(buf));
    for (i = 0; i < pl->n_points && i < 64; i++) {
        const simdepth_plot_point *p = &pl->points[i];
        int want = p->label != NULL && isfinite(p->x) && isfinite(p->y);
        has_l[i] = find_box(buf, "label-box", i, &lb[i]);
        has_p[i] = find_box(buf, "point-box", i, &pb[i]);
        nlab += want;
        found += want && has_l[i];
        if (want)
            simdepth_test_row_check(in_text(buf, p->label), "render_diff", what, __FILE__,
                                    __LINE__, "label '%s' is not a <text>", p->label);
        simdepth_test_row_check(has_p[i] == (isfinite(p->x) && isfinite(p->y)), "render_diff",
                                what, __FILE__, __LINE__, "point %zu drawn: %d", i, has_p[i]);
    }
    for (i = 0; i < pl->n_points && i < 64; i++) {
        if (!has_l[i])
            continue;
        for (j = 0; j < pl->n_points && j < 64; j++) {
            if (j > i && has_l[j] && boxes_overlap(&lb[i], &lb[j]))
                bad_ll++;
            if (has_p[j] && boxes_overlap(&lb[i], &pb[j]))
                bad_lp++;
        }
    }
    simdepth_test_row_check(found == nlab, "render_diff", what, __FILE__, __LINE__,
                            "%zu of %zu labels placed", found, nlab);
    simdepth_test_row_check(bad_ll == 0 && bad_lp == 0, "render_diff", what, __FILE__, __LINE__,
                            "%zu label pairs and %zu label-point pairs overlap", bad_ll, bad_lp);
    free(buf);
}

static void test_plot(void)
{
    /* seven models on one spot, a tight cluster, and spread points */
    static const simdepth_plot_point pts[] = {
        {"resnet18", 0.50, 7.0},     {"resnet34", 0.50, 7.0},  {"resnet50", 0.50, 7.0},
        {"resnet101", 0.50, 7.0},    {"resnet152", 0.50, 7.0}, {"wide_resnet50", 0.50, 7.0},
        {"resnext50", 0.50, 7.0},    {"vit_b_16", 0.512, 7.45}, {"vit_b_32", 0.515, 7.40},
        {"vit_l_16", 0.518, 7.48},   {"deit_s", 0.51, 7.42},   {"init", 0.30, 5.42},
        {"no label", 0.40, 6.0},     {"nan", NAN, 6.5},        {"convnext_t", 0.55, 7.8},
        {"a much longer model name & <variant>", 0.45, 6.6}};
    simdepth_plot pl;
    size_t len = 0;
    double ent[2];
    char *buf;
    int fmt;
    simdepth_plot_point pts2[16];

    memcpy(pts2, pts, sizeof pts);
    pts2[12].label = NULL;
    memset(&pl, 0, sizeof pl);
    pl.title = "SD against compliance";
    pl.x_label = "compliance (extended)";
    pl.y_label = "Similarity Depth";
    pl.points = pts2;
    pl.n_points = sizeof pts / sizeof pts[0];
    check_plot_labels(&pl, "scatter");
    pl.lines = 1;
    pl.title = NULL;
    check_plot_labels(&pl, "lines");
    for (fmt = SIMDEPTH_IMAGE_SVG; fmt <= SIMDEPTH_IMAGE_PNG; fmt++) {
        buf = check_format(plot_fn, &pl, (simdepth_image_format)fmt, "plot", ent, &len);
        if (buf != NULL && fmt == SIMDEPTH_IMAGE_SVG) {
            CU_ASSERT(in_text(buf, "compliance (extended)"));
            CU_ASSERT(in_text(buf, "Similarity Depth"));
        }
        free(buf);
    }
    /* a narrow figure and a single point still place every label */
    {
        simdepth_plot one = pl;
        one.n_points = 1;
        check_plot_labels(&one, "one point");
    }
    {
        simdepth_render_options o;
        simdepth_error err;
        FILE *f = tmpfile();
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        simdepth_render_options_init(&o);
        o.format = SIMDEPTH_IMAGE_DOT;
        CU_ASSERT_EQUAL(simdepth_render_plot_write(f, &pl, &o, &err), SIMDEPTH_EINVAL);
        o.format = SIMDEPTH_IMAGE_SVG;
        o.width = 30;
        CU_ASSERT_EQUAL(simdepth_render_plot_write(f, &pl, &o, &err), SIMDEPTH_EINVAL);
        CU_ASSERT_EQUAL(ftell(f), 0);
        fclose(f);
    }
}

/* -------------------------------------------------------------- errors */

static void test_errors(void)
{
    simdepth_render_options o;
    simdepth_error err;
    simdepth_render_model small = fx.mb;
    simdepth_matrix *m = NULL;
    FILE *f = tmpfile();

    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    simdepth_render_options_init(&o);
    CU_ASSERT_EQUAL_FATAL(simdepth_matrix_new(3, 3, SIMDEPTH_F64, &m, &err), SIMDEPTH_OK);
    small.similarity = m;
    CU_ASSERT_EQUAL(simdepth_render_diff_write(f, SIMDEPTH_DIFF_FIGURE_GRAPH, &fx.ma, &small,
                                               &fx.info, &o, NULL, &err),
                    SIMDEPTH_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "model B"));
    CU_ASSERT_EQUAL(simdepth_render_diff_write(f, SIMDEPTH_DIFF_FIGURE_GRAPH, &fx.ma, NULL,
                                               &fx.info, &o, NULL, &err),
                    SIMDEPTH_EINVAL);
    o.dpi = 1;
    CU_ASSERT_EQUAL(simdepth_render_diff_write(f, SIMDEPTH_DIFF_FIGURE_TANGLEGRAM, &fx.ma, &fx.mb,
                                               &fx.info, &o, NULL, &err),
                    SIMDEPTH_EINVAL);
    CU_ASSERT_EQUAL(ftell(f), 0);
    fclose(f);
    simdepth_matrix_free(m);
}

int simdepth_test_add_render_diff(void)
{
    CU_pSuite s = CU_add_suite("render_diff", setup, teardown);

    if (s == NULL || CU_add_test(s, "graph diff of the two ViT-B models", test_graph_diff) == NULL ||
        CU_add_test(s, "tanglegram of the two ViT-B models", test_tanglegram) == NULL ||
        CU_add_test(s, "tanglegram and graph diff at 1,000 classes", test_tanglegram_1000) == NULL ||
        CU_add_test(s, "plot labels never overlap", test_plot) == NULL ||
        CU_add_test(s, "bad arguments", test_errors) == NULL)
        return -1;
    return 0;
}
