/* simdepth — rendering tests: theme parsing (a good file, the shipped
 * themes, and a table of malformed files written at test time), lengths,
 * colour maps, and a smoke render of every figure in every format on a
 * small synthetic analysis, and the graph's 6 pt floor (refused when a size
 * would break it); the cluster graph's numbers (mean similarities, error
 * rates, the tree) worked out by hand on the same analysis; saved
 * partitions (good files and a table of malformed ones). Figures are not
 * compared pixel by pixel: the smoke test checks magic bytes and sizes
 * (STYLE.md practice 13); the CLI tests (tests/cli/render.sh,
 * render_clusters.sh) validate SVG, PDF fonts and PNG resolution. */
#include "config.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simdepth/render.h"
#include "simdepth/simdepth.h"
#include "simdepth/theme.h"
#include "tests.h"

static char tmp_dir[4096];

static int suite_init(void)
{
    const char *t = getenv("TMPDIR");

    snprintf(tmp_dir, sizeof tmp_dir, "%s/simdepth-render-XXXXXX",
             t != NULL && t[0] != '\0' ? t : "/tmp");
    return mkdtemp(tmp_dir) != NULL ? 0 : -1;
}

static const char *tmp_path(const char *name)
{
    static char out[4200];

    snprintf(out, sizeof out, "%s/%s", tmp_dir, name);
    return out;
}

static int write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return -1;
    ok = fwrite(text, 1, len, f) == len;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int suite_clean(void)
{
    char cmd[4300];

    if (tmp_dir[0] == '\0')
        return 0;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int same_colour(simdepth_rgba c, const char *hex)
{
    char buf[10];

    return strcmp(simdepth_rgba_format(c, buf), hex) == 0;
}

/* ------------------------------------------------------------------ themes */

static void test_theme_good(void)
{
    static const char text[] =
        "# a comment\n"
        "\n"
        "  name = mine  \n"
        "font = DejaVu Serif\r\n"
        "font-size = 9.5\n"
        "sequential = cividis\n"
        "background=#000\n"
        "error-edge = #12345678\n"
        "categorical = #ff0000 #00ff00 #0000ff\n"
        "diverging = #111111 #eeeeee #999999\n";
    simdepth_theme *t = NULL;
    simdepth_error err;

    CU_ASSERT_EQUAL_FATAL(simdepth_theme_parse(text, sizeof text - 1, "mine.theme", &t, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_theme_name(t), "mine");
    CU_ASSERT_STRING_EQUAL(simdepth_theme_font(t), "DejaVu Serif");
    CU_ASSERT_DOUBLE_EQUAL(simdepth_theme_font_size(t), 9.5, 1e-12);
    CU_ASSERT_EQUAL(simdepth_theme_sequential(t), SIMDEPTH_COLORMAP_CIVIDIS);
    CU_ASSERT(same_colour(simdepth_theme_color_get(t, SIMDEPTH_THEME_BACKGROUND), "#000000"));
    CU_ASSERT(same_colour(simdepth_theme_color_get(t, SIMDEPTH_THEME_ERROR_EDGE), "#12345678"));
    CU_ASSERT_EQUAL(simdepth_theme_categorical_count(t), 3);
    CU_ASSERT(same_colour(simdepth_theme_categorical(t, 4), "#00ff00")); /* cycles */
    CU_ASSERT(same_colour(simdepth_theme_diverging(t, -1.0, 1.0), "#111111"));
    CU_ASSERT(same_colour(simdepth_theme_diverging(t, 0.0, 1.0), "#eeeeee"));
    CU_ASSERT(same_colour(simdepth_theme_diverging(t, 5.0, 1.0), "#999999"));
    /* keys left out keep the default theme's values */
    CU_ASSERT_DOUBLE_EQUAL(simdepth_theme_title_size(t), 9.0, 1e-12);
    CU_ASSERT(same_colour(simdepth_theme_color_get(t, SIMDEPTH_THEME_MUTED), "#666666"));
    simdepth_theme_free(t);

    /* no name key: the file name without ".theme" */
    t = NULL;
    CU_ASSERT_EQUAL_FATAL(simdepth_theme_parse("font-size = 7\n", 14, "dir/x-y.theme", &t, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_theme_name(t), "x-y");
    /* the default minimum is 6 pt (nothing printed smaller) */
    CU_ASSERT_DOUBLE_EQUAL(simdepth_theme_min_font_size(t), 6.0, 1e-12);
    simdepth_theme_free(t);

    /* a font below the default minimum, minimum not given: the font's size
     * is the minimum (not an error about a key the file does not have) */
    t = NULL;
    CU_ASSERT_EQUAL_FATAL(simdepth_theme_parse("font-size = 5\n", 14, "small.theme", &t, &err),
                          SIMDEPTH_OK);
    CU_ASSERT_DOUBLE_EQUAL(simdepth_theme_min_font_size(t), 5.0, 1e-12);
    simdepth_theme_free(t);
    simdepth_theme_free(NULL);
}

typedef struct bad_theme {
    const char *name;
    const char *text;
    size_t len; /* 0: strlen */
    simdepth_status status;
    long line;
    const char *message;
} bad_theme;

static void test_theme_malformed(void)
{
    static const bad_theme rows[] = {
        {"no equals sign", "font-size = 8\nfont-size 9\n", 0, SIMDEPTH_EFORMAT, 2,
         "expected KEY = VALUE"},
        {"unknown key", "# x\nfontsize = 9\n", 0, SIMDEPTH_EFORMAT, 2, "unknown key 'fontsize'"},
        {"key twice", "muted = #000\nmuted = #111\n", 0, SIMDEPTH_EFORMAT, 2, "given twice"},
        {"missing value", "\n\nbackground =\n", 0, SIMDEPTH_EFORMAT, 3, "missing value"},
        {"missing key", "= #fff\n", 0, SIMDEPTH_EFORMAT, 1, "missing key"},
        {"bad colour", "foreground = red\n", 0, SIMDEPTH_EFORMAT, 1, "bad colour 'red'"},
        {"bad hex digit", "foreground = #12345g\n", 0, SIMDEPTH_EFORMAT, 1, "bad colour"},
        {"size not a number", "font-size = big\n", 0, SIMDEPTH_EFORMAT, 1, "font-size 'big'"},
        {"size too large", "font-size = 100\n", 0, SIMDEPTH_EFORMAT, 1, "from 2 to 72"},
        {"line width zero", "line-width = 0\n", 0, SIMDEPTH_EFORMAT, 1, "line-width '0'"},
        {"rainbow map", "sequential = jet\n", 0, SIMDEPTH_EFORMAT, 1, "sequential 'jet'"},
        {"two diverging colours", "diverging = #000 #fff\n", 0, SIMDEPTH_EFORMAT, 1,
         "three colours"},
        {"too many categorical",
         "categorical = #000 #000 #000 #000 #000 #000 #000 #000 #000 #000 #000 #000 #000 #000 "
         "#000 #000 #000\n",
         0, SIMDEPTH_EFORMAT, 1, "1 to 16 colours"},
        {"bad categorical", "categorical = #000 blue\n", 0, SIMDEPTH_EFORMAT, 1,
         "bad colour 'blue'"},
        {"bad name", "name = my theme\n", 0, SIMDEPTH_EFORMAT, 1, "expected letters"},
        {"min above base", "font-size = 6\nmin-font-size = 7\n", 0, SIMDEPTH_EFORMAT, 2,
         "larger than font-size"},
        {"NUL byte", "font = A\nfo\0nt = B\n", 20, SIMDEPTH_EFORMAT, 2, "NUL byte"},
    };
    size_t i;

    for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const bad_theme *row = &rows[i];
        char fname[64], where[80];
        const char *path;
        simdepth_theme *t = NULL;
        simdepth_error err;
        simdepth_status st;

        snprintf(fname, sizeof fname, "bad%02zu.theme", i);
        path = tmp_path(fname);
        CU_ASSERT_FATAL(write_file(path, row->text, row->len ? row->len : strlen(row->text)) == 0);
        simdepth_error_clear(&err);
        st = simdepth_theme_read(path, &t, &err);
        if (st != row->status || t != NULL || err.line != row->line ||
            strstr(err.message, row->message) == NULL ||
            strstr(err.file, fname) == NULL) {
            char msg[1400];
            snprintf(msg, sizeof msg, "%s: status %d line %ld file '%s' message '%s'", row->name,
                     (int)st, err.line, err.file, err.message);
            CU_FAIL(msg);
            fprintf(stderr, "\n  %s\n", msg);
        }
        /* formatted as FILE:LINE: MESSAGE */
        {
            char line[1200];
            simdepth_error_format(&err, line, sizeof line);
            snprintf(where, sizeof where, "%s:%ld: ", fname, row->line);
            CU_ASSERT_PTR_NOT_NULL(strstr(line, where));
        }
        simdepth_theme_free(t);
    }
}

static void test_theme_load(void)
{
    simdepth_theme *t = NULL, *d = NULL;
    simdepth_error err;
    const char *top = getenv("SIMDEPTH_TOP_SRCDIR");
    char dir[4200], search[8500];
    static const char *const shipped[] = {"default", "paper", "dark", "colorblind", "grayscale"};
    size_t i;
    int c;

    /* built-in default without any directory */
    CU_ASSERT_EQUAL_FATAL(simdepth_theme_load("default", NULL, &t, &err), SIMDEPTH_OK);
    CU_ASSERT_STRING_EQUAL(simdepth_theme_name(t), "default");
    simdepth_theme_free(t);
    t = NULL;
    CU_ASSERT_EQUAL(simdepth_theme_load("nosuch", tmp_dir, &t, &err), SIMDEPTH_ENOTFOUND);
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nosuch"));
    CU_ASSERT_EQUAL(simdepth_theme_load("a b", NULL, &t, &err), SIMDEPTH_EINVAL);
    CU_ASSERT_EQUAL(simdepth_theme_load("missing/x.theme", NULL, &t, &err), SIMDEPTH_EIO);
    CU_ASSERT_PTR_NULL(t);

    /* a name found in the second directory of a search path */
    CU_ASSERT_FATAL(write_file(tmp_path("mine.theme"), "font-size = 11\n", 15) == 0);
    snprintf(search, sizeof search, "/nonexistent:%s", tmp_dir);
    CU_ASSERT_EQUAL_FATAL(simdepth_theme_load("mine", search, &t, &err), SIMDEPTH_OK);
    CU_ASSERT_DOUBLE_EQUAL(simdepth_theme_font_size(t), 11.0, 1e-12);
    simdepth_theme_free(t);
    t = NULL;

    /* the shipped themes parse; default.theme is the built-in theme */
    snprintf(dir, sizeof dir, "%s/themes", top != NULL && top[0] ? top : ".");
    CU_ASSERT_EQUAL_FATAL(simdepth_theme_new_default(&d, &err), SIMDEPTH_OK);
    for (i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        t = NULL;
        if (simdepth_theme_load(shipped[i], dir, &t, &err) != SIMDEPTH_OK) {
            char msg[700];
            snprintf(msg, sizeof msg, "theme %s: %s", shipped[i], err.message);
            CU_FAIL(msg);
            continue;
        }
        CU_ASSERT_STRING_EQUAL(simdepth_theme_name(t), shipped[i]);
        if (strcmp(shipped[i], "default") == 0) {
            for (c = 0; c < SIMDEPTH_THEME_N_COLORS; c++) {
                char a[10], b[10];
                simdepth_rgba_format(simdepth_theme_color_get(t, (simdepth_theme_color)c), a);
                simdepth_rgba_format(simdepth_theme_color_get(d, (simdepth_theme_color)c), b);
                CU_ASSERT_STRING_EQUAL(a, b);
            }
            CU_ASSERT_EQUAL(simdepth_theme_categorical_count(t),
                            simdepth_theme_categorical_count(d));
            CU_ASSERT_DOUBLE_EQUAL(simdepth_theme_font_size(t), simdepth_theme_font_size(d), 0);
            CU_ASSERT_DOUBLE_EQUAL(simdepth_theme_line_width(t), simdepth_theme_line_width(d), 0);
        }
        simdepth_theme_free(t);
    }
    simdepth_theme_free(d);
}

/* ----------------------------------------------------------------- lengths */

static void test_lengths(void)
{
    static const struct {
        const char *s;
        double pt;
    } good[] = {{"3.5in", 252.0}, {"8.9cm", 252.283464566929}, {"80mm", 226.771653543307},
                {"252pt", 252.0}, {"1in", 72.0}, {"0.5cm", 14.1732283464567}};
    static const char *const bad[] = {"",      "3.5",    "in",     "-1in", "3.5 in", "3.5km",
                                      "0mm",   "1e9in",  "nanin",  "3.5inch", ".5in",  "+3in",
                                      "3.5IN", "infpt", "201in"};
    size_t i;
    simdepth_error err;
    double pt;

    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        pt = -1;
        if (simdepth_length_parse(good[i].s, &pt, &err) != SIMDEPTH_OK ||
            fabs(pt - good[i].pt) > 1e-9) {
            char msg[200];
            snprintf(msg, sizeof msg, "length '%s': got %g, expected %g", good[i].s, pt,
                     good[i].pt);
            CU_FAIL(msg);
        }
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pt = -1;
        simdepth_error_clear(&err);
        if (simdepth_length_parse(bad[i], &pt, &err) != SIMDEPTH_EINVAL || pt != -1 ||
            strstr(err.message, "length") == NULL) {
            char msg[200];
            snprintf(msg, sizeof msg, "length '%s' was accepted (or *pt touched)", bad[i]);
            CU_FAIL(msg);
        }
    }
    CU_ASSERT_EQUAL(simdepth_size_preset_find("ieee-column", &pt, &err), SIMDEPTH_OK);
    CU_ASSERT_DOUBLE_EQUAL(pt, 252.0, 1e-9);
    CU_ASSERT_EQUAL(simdepth_size_preset_find("ieee", &pt, &err), SIMDEPTH_ENOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "nature-page"));
}

/* ------------------------------------------------------------- colour maps */

static void test_colormaps(void)
{
    static const struct {
        simdepth_colormap map;
        const char *lo, *hi;
    } ends[] = {{SIMDEPTH_COLORMAP_VIRIDIS, "#440154", "#fde725"},
                {SIMDEPTH_COLORMAP_CIVIDIS, "#00224e", "#fee838"},
                {SIMDEPTH_COLORMAP_GRAY, "#000000", "#ffffff"}};
    size_t i;
    int k;
    simdepth_colormap m;
    simdepth_error err;

    for (i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        double prev = -1.0;
        char msg[200];
        if (!same_colour(simdepth_colormap_eval(ends[i].map, 0.0), ends[i].lo) ||
            !same_colour(simdepth_colormap_eval(ends[i].map, 1.0), ends[i].hi) ||
            !same_colour(simdepth_colormap_eval(ends[i].map, -3.0), ends[i].lo) ||
            !same_colour(simdepth_colormap_eval(ends[i].map, NAN), ends[i].lo) ||
            !same_colour(simdepth_colormap_eval(ends[i].map, 7.0), ends[i].hi)) {
            snprintf(msg, sizeof msg, "%s: wrong end colours",
                     simdepth_colormap_name(ends[i].map));
            CU_FAIL(msg);
        }
        /* perceptual maps: lightness rises monotonically (8-bit tables:
         * allow 0.2 L* of rounding) */
        for (k = 0; k <= 512; k++) {
            double l = simdepth_rgba_lightness(simdepth_colormap_eval(ends[i].map, k / 512.0));
            if (l < prev - 0.2) {
                snprintf(msg, sizeof msg, "%s: lightness falls at %d/512 (%g after %g)",
                         simdepth_colormap_name(ends[i].map), k, l, prev);
                CU_FAIL(msg);
                break;
            }
            if (l > prev)
                prev = l;
        }
        CU_ASSERT(simdepth_rgba_lightness(simdepth_colormap_eval(ends[i].map, 1.0)) -
                      simdepth_rgba_lightness(simdepth_colormap_eval(ends[i].map, 0.0)) >
                  60.0);
    }
    /* grey ramp: linear in L* */
    CU_ASSERT_DOUBLE_EQUAL(
        simdepth_rgba_lightness(simdepth_colormap_eval(SIMDEPTH_COLORMAP_GRAY, 0.5)), 50.0, 0.01);
    CU_ASSERT_EQUAL(simdepth_colormap_parse("grey", &m, &err), SIMDEPTH_OK);
    CU_ASSERT_EQUAL(m, SIMDEPTH_COLORMAP_GRAY);
    CU_ASSERT_EQUAL(simdepth_colormap_parse("jet", &m, &err), SIMDEPTH_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "rainbow"));
    {
        simdepth_rgba c;
        CU_ASSERT_EQUAL(simdepth_rgba_parse("#ABC", &c, &err), SIMDEPTH_OK);
        CU_ASSERT(same_colour(c, "#aabbcc"));
        CU_ASSERT_EQUAL(simdepth_rgba_parse("abc", &c, &err), SIMDEPTH_EINVAL);
        CU_ASSERT_EQUAL(simdepth_rgba_parse("#abcd", &c, &err), SIMDEPTH_EINVAL);
    }
}

/* ------------------------------------------------------------ smoke render */

/* A 6-class analysis without taxonomy: two groups of three, and a
 * confusion matrix with one error across the groups. */
typedef struct fixture {
    simdepth_matrix *s, *c;
    simdepth_labels *labels;
    simdepth_analysis *a;
    simdepth_analysis_options opt;
    simdepth_report_info info;
} fixture;

static int fixture_make(fixture *fx)
{
    static const double s[36] = {
        1.0, 0.9, 0.8, 0.1, 0.2, 0.1, 0.9, 1.0, 0.7, 0.2, 0.1, 0.1,
        0.8, 0.7, 1.0, 0.1, 0.1, 0.2, 0.1, 0.2, 0.1, 1.0, 0.9, 0.8,
        0.2, 0.1, 0.1, 0.9, 1.0, 0.85, 0.1, 0.1, 0.2, 0.8, 0.85, 1.0};
    static const double c[36] = {
        90, 5, 3, 0, 2, 0, 4, 92, 4, 0, 0, 0, 3, 3, 94, 0, 0, 0,
        0, 0, 0, 95, 4, 1, 0, 0, 6, 3, 90, 1, 0, 0, 0, 2, 2, 96};
    static const char *const names[] = {"alpha", "beta & <gamma>", "delta", "eps_ilon",
                                        "zeta", "eta"};
    simdepth_error err;

    memset(fx, 0, sizeof *fx);
    if (simdepth_matrix_new(6, 6, SIMDEPTH_F64, &fx->s, &err) != SIMDEPTH_OK ||
        simdepth_matrix_new(6, 6, SIMDEPTH_F64, &fx->c, &err) != SIMDEPTH_OK ||
        simdepth_labels_new(names, 6, &fx->labels, &err) != SIMDEPTH_OK)
        return -1;
    memcpy(simdepth_matrix_data(fx->s), s, sizeof s);
    memcpy(simdepth_matrix_data(fx->c), c, sizeof c);
    simdepth_analysis_options_init(&fx->opt);
    if (simdepth_analysis_run(fx->s, fx->c, NULL, NULL, &fx->opt, &fx->a, &err) != SIMDEPTH_OK)
        return -1;
    fx->info.labels = fx->labels;
    fx->info.options = &fx->opt;
    return 0;
}

static void fixture_free(fixture *fx)
{
    simdepth_analysis_free(fx->a);
    simdepth_labels_free(fx->labels);
    simdepth_matrix_free(fx->s);
    simdepth_matrix_free(fx->c);
}

static void test_smoke(void)
{
    static const char *const magic[] = {"<?xml", "%PDF-", "\x89PNG\r\n\x1a\n", "graph"};
    fixture fx;
    simdepth_render_options opt;
    simdepth_error err;
    int fig, fmt;

    CU_ASSERT_FATAL(fixture_make(&fx) == 0);
    simdepth_render_options_init(&opt);
    opt.dpi = 72;
    opt.timestamp = 0;
    for (fig = SIMDEPTH_FIGURE_GRAPH; fig <= SIMDEPTH_FIGURE_CLUSTERS; fig++)
        for (fmt = SIMDEPTH_IMAGE_SVG; fmt <= SIMDEPTH_IMAGE_DOT; fmt++) {
            const char *path = tmp_path("smoke.out");
            FILE *f = fopen(path, "wb");
            simdepth_status st;
            char *buf;
            size_t len = 0;
            char name[80];

            snprintf(name, sizeof name, "%s as %s",
                     simdepth_figure_name((simdepth_figure)fig),
                     simdepth_image_format_name((simdepth_image_format)fmt));
            CU_ASSERT_PTR_NOT_NULL_FATAL(f);
            opt.format = (simdepth_image_format)fmt;
            st = simdepth_render_write(f, (simdepth_figure)fig, fx.a, fx.s, fx.c, &fx.info, &opt,
                                       &err);
            fclose(f);
            if (fmt == SIMDEPTH_IMAGE_DOT && fig != SIMDEPTH_FIGURE_GRAPH &&
                fig != SIMDEPTH_FIGURE_CLUSTERS) {
                CU_ASSERT_EQUAL(st, SIMDEPTH_EINVAL);
                continue;
            }
            buf = simdepth_test_slurp(path, &len);
            if (st != SIMDEPTH_OK || buf == NULL || len < 100 ||
                memcmp(buf, magic[fmt], strlen(magic[fmt])) != 0) {
                char msg[700];
                snprintf(msg, sizeof msg, "%s: status %d (%s), %zu bytes", name, (int)st,
                         err.message, len);
                CU_FAIL(msg);
            } else if (fmt == SIMDEPTH_IMAGE_SVG && fig != SIMDEPTH_FIGURE_CLUSTERS) {
                /* labels are escaped text */
                CU_ASSERT_PTR_NOT_NULL(strstr(buf, "beta &amp; &lt;gamma&gt;"));
            }
            free(buf);
        }
    /* options checked */
    {
        FILE *f = fopen(tmp_path("bad.out"), "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        opt.format = SIMDEPTH_IMAGE_SVG;
        opt.cluster = 99;
        CU_ASSERT_EQUAL(simdepth_render_write(f, SIMDEPTH_FIGURE_GRAPH, fx.a, fx.s, fx.c, &fx.info,
                                              &opt, &err),
                        SIMDEPTH_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cluster 99"));
        opt.cluster = -1;
        opt.dpi = 1;
        CU_ASSERT_EQUAL(simdepth_render_write(f, SIMDEPTH_FIGURE_HEATMAP, fx.a, fx.s, fx.c,
                                              &fx.info, &opt, &err),
                        SIMDEPTH_EINVAL);
        fclose(f);
    }
    /* a graph that cannot keep 6 pt text at the size asked for is refused,
     * saying so and pointing to --per-cluster, and nothing is written; at a
     * width it fits, no text is below 6 pt (SVG sizes are absolute) */
    {
        static const simdepth_image_format fmts[] = {SIMDEPTH_IMAGE_SVG, SIMDEPTH_IMAGE_PNG};
        const char *path = tmp_path("tiny.out");
        size_t k, len = 0;
        char *buf, *p;
        double smallest = 1e9;
        opt.dpi = 72;
        for (k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
            FILE *f = fopen(path, "wb");
            CU_ASSERT_PTR_NOT_NULL_FATAL(f);
            opt.format = fmts[k];
            opt.width = 36.0; /* half an inch */
            CU_ASSERT_EQUAL(simdepth_render_write(f, SIMDEPTH_FIGURE_GRAPH, fx.a, fx.s, fx.c,
                                                  &fx.info, &opt, &err),
                            SIMDEPTH_EINVAL);
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "at least 6 pt"));
            CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--per-cluster"));
            CU_ASSERT_EQUAL(ftell(f), 0);
            fclose(f);
        }
        {
            FILE *f = fopen(path, "wb");
            CU_ASSERT_PTR_NOT_NULL_FATAL(f);
            opt.format = SIMDEPTH_IMAGE_SVG;
            opt.width = 252.0; /* a column */
            CU_ASSERT_EQUAL(simdepth_render_write(f, SIMDEPTH_FIGURE_GRAPH, fx.a, fx.s, fx.c,
                                                  &fx.info, &opt, &err),
                            SIMDEPTH_OK);
            fclose(f);
        }
        buf = simdepth_test_slurp(path, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
        CU_ASSERT_PTR_NOT_NULL(strstr(buf, "width=\"252.00pt\""));
        CU_ASSERT_PTR_NULL(strstr(buf, "scale("));
        for (p = strstr(buf, "font-size=\""); p != NULL; p = strstr(p + 1, "font-size=\""))
            smallest = fmin(smallest, atof(p + 11));
        CU_ASSERT(smallest >= 6.0 - 1e-9 && smallest < 100.0);
        free(buf);
        opt.width = 0;
    }
    fixture_free(&fx);
}

/* ------------------------------------------------------------ cluster graph */

/* Render @fig of the fixture as DOT into a malloc'd string. */
static char *render_dot(const fixture *fx, simdepth_figure fig, simdepth_render_options *opt)
{
    const char *path = tmp_path("clusters.dot");
    FILE *f = fopen(path, "wb");
    simdepth_error err;
    simdepth_status st;
    size_t len = 0;

    if (f == NULL)
        return NULL;
    opt->format = SIMDEPTH_IMAGE_DOT;
    st = simdepth_render_write(f, fig, fx->a, fx->s, fx->c, &fx->info, opt, &err);
    fclose(f);
    if (st != SIMDEPTH_OK) {
        fprintf(stderr, "render: %s\n", err.message);
        return NULL;
    }
    return simdepth_test_slurp(path, &len);
}

static size_t count_of(const char *s, const char *what)
{
    size_t k = 0;

    for (s = strstr(s, what); s != NULL; s = strstr(s + 1, what))
        k++;
    return k;
}

/* The fixture's two groups, by hand. After the analysis's min-max scaling
 * S' = (S - 0.1) / 0.9:
 *   mean similarity between the groups: the 9 cross values sum to 1.2,
 *     (1.2 - 9 * 0.1) / 0.9 / 9 = 0.0370;
 *   inside {alpha, beta, delta}: (0.8 + 0.7 + 0.6) / 0.9 / 3 = 0.778;
 *   inside {eps, zeta, eta}: (0.8 + 0.7 + 0.75) / 0.9 / 3 = 0.833;
 *   the first group's test images predicted as a class of the second:
 *     (2/100 + 0 + 0) / 3 = 0.67%; the reverse (0 + 6/100 + 0) / 3 = 2.0%;
 *   predicted as another class of their own group: (8 + 8 + 6) / 300 =
 *     7.3% and (5 + 4 + 4) / 300 = 4.3%;
 *   most typical classes (largest summed similarity to the others):
 *     alpha (0.9 + 0.8) and zeta (0.9 + 0.85). */
static void test_cluster_graph(void)
{
    fixture fx;
    simdepth_render_options opt;
    char *dot;

    CU_ASSERT_FATAL(fixture_make(&fx) == 0);
    CU_ASSERT_EQUAL_FATAL(fx.a->perceived.partition->n_clusters, 2);
    CU_ASSERT_EQUAL_FATAL(fx.a->perceived.partition->labels[0], 0);
    CU_ASSERT_EQUAL_FATAL(fx.a->perceived.partition->labels[3], 1);
    simdepth_render_options_init(&opt);
    CU_ASSERT_EQUAL(opt.top_clusters, 40);
    dot = render_dot(&fx, SIMDEPTH_FIGURE_CLUSTERS, &opt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    /* one node per cluster, one tree edge */
    CU_ASSERT_EQUAL(count_of(dot, "[height="), 2);
    CU_ASSERT_EQUAL(count_of(dot, " -- "), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "k0 -- k1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "id=cluster0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "id=cluster1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "mean perceived similarity 0.037"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "mean similarity inside 0.778"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "mean similarity inside 0.833"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "class of cluster 1: 0.67%"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "class of cluster 0: 2.0%"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "another class of it: 7.3%"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "another class of it: 4.3%"));
    /* the edge label: the mean similarity, the rates down and up */
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "0.04<BR/>\xe2\x86\x93" "0.67% \xe2\x86\x91" "2.0%"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "3 classes, e.g. alpha"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "3 classes, e.g. zeta"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(dot, "Cluster graph</FONT> &#183; 2&#160;clusters &#183; 6&#160;classes"));
    free(dot);
    /* the largest cluster only (sizes tie: the smaller label), saying so */
    opt.top_clusters = 1;
    dot = render_dot(&fx, SIMDEPTH_FIGURE_CLUSTERS, &opt);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    CU_ASSERT_EQUAL(count_of(dot, "[height="), 1);
    CU_ASSERT_EQUAL(count_of(dot, " -- "), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "id=cluster0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "the&#160;1&#160;largest of&#160;2&#160;clusters &#183; "
                                       "3&#160;of&#160;6&#160;classes"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "smaller clusters (3 classes) not drawn"));
    free(dot);
    /* a size at which the text would fall below 6 pt is refused, pointing
     * to --top-clusters, and nothing is written */
    {
        FILE *f = fopen(tmp_path("tiny-clusters.svg"), "wb");
        simdepth_error err;
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        opt.top_clusters = 0;
        opt.format = SIMDEPTH_IMAGE_SVG;
        opt.width = 20.0;
        CU_ASSERT_EQUAL(simdepth_render_write(f, SIMDEPTH_FIGURE_CLUSTERS, fx.a, fx.s, fx.c,
                                              &fx.info, &opt, &err),
                        SIMDEPTH_EINVAL);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "cluster graph of 2 clusters"));
        CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "--top-clusters"));
        CU_ASSERT_EQUAL(ftell(f), 0);
        fclose(f);
    }
    fixture_free(&fx);
}

/* ------------------------------------------------------- saved partitions */

static void test_partition_read(void)
{
    static const char *const keys[] = {"n01", "n02", "n03", "n04", "n05", "n06"};
    static const char report[] =
        "{\"n_classes\": 6, \"classes\": [{\"label\": \"n01\"}, {\"label\": \"n02\"}, "
        "{\"label\": \"n03\"}, {\"label\": \"n04\"}, {\"label\": \"n05\"}, "
        "{\"label\": \"n06\"}],\n"
        " \"partition\": {\"method\": \"affinity\", \"clusters\": 4, \"iterations\": 17, "
        "\"converged\": true, \"labels\": [0, 0, 1, 1, 2, -1]},\n"
        " \"confusion\": {\"partition\": {\"method\": \"affinity\", \"labels\": [1, 0, 1, 0, 1, "
        "0]}}}\n";
    static const struct {
        const char *name, *text;
        long line;
        const char *message;
    } bad[] = {
        {"empty file", "", 0, "0 cluster ids for the 6 classes"},
        {"too few ids", "0\n0\n1\n1\n2\n", 0, "5 cluster ids for the 6 classes"},
        {"too many ids", "0\n0\n1\n1\n2\n2\n3\n", 7, "more cluster ids than the 6 classes"},
        {"a fraction", "0\n0\n1.5\n1\n2\n2\n", 3, "'1.5' is not a cluster id"},
        {"a word", "0\n0\n1\nten\n2\n2\n", 4, "'ten' is not a cluster id"},
        {"two ids on a line", "0\n0 1\n1\n1\n2\n2\n", 2, "'0 1' is not a cluster id"},
        {"a plus sign", "+0\n0\n1\n1\n2\n2\n", 1, "is not a cluster id"},
        {"empty line", "0\n\n1\n1\n2\n2\n", 2, "empty line"},
        {"below -1", "0\n0\n-2\n1\n2\n2\n", 3, "cluster id -2 out of range"},
        {"above int32", "0\n0\n2147483648\n1\n2\n2\n", 3, "out of range"},
        {"huge", "0\n0\n99999999999999999999999\n1\n2\n2\n", 3, "is not a cluster id"},
        {"bad JSON", "{\"partition\": {\"labels\": [0, 0,\n", 2, "not valid JSON"},
        {"duplicate key", "{\"partition\": {}, \"partition\": {}}", 1, "duplicate"},
        {"no partition", "{\"edges\": []}", 0, "no \"partition\" object"},
        {"labels missing", "{\"partition\": {\"clusters\": 2}}", 0,
         "partition.labels is missing"},
        {"labels too short", "{\"partition\": {\"labels\": [0, 0, 1, 1, 2]}}", 0,
         "partition.labels has 5 cluster ids for the 6 classes"},
        {"a string label", "{\"partition\": {\"labels\": [0, 0, \"1\", 1, 2, 2]}}", 0,
         "partition.labels[2] is a string"},
        {"a real label", "{\"partition\": {\"labels\": [0, 0, 1, 1.0, 2, 2]}}", 0,
         "partition.labels[3] is a number with a fraction"},
        {"label below -1", "{\"partition\": {\"labels\": [0, 0, 1, 1, -7, 2]}}", 0,
         "partition.labels[4] is -7"},
        {"clusters disagree", "{\"partition\": {\"clusters\": 2, \"labels\": [0, 0, 1, 1, 2, 2]}}",
         0, "partition.clusters does not match"},
        {"other model", "{\"n_classes\": 7, \"partition\": {\"labels\": [0, 0, 1, 1, 2, 2]}}", 0,
         "n_classes is 7 but the labels have 6 classes"},
        {"other class order",
         "{\"classes\": [{\"label\": \"n01\"}, {\"label\": \"n03\"}, {\"label\": \"n02\"}, "
         "{\"label\": \"n04\"}, {\"label\": \"n05\"}, {\"label\": \"n06\"}], "
         "\"partition\": {\"labels\": [0, 0, 1, 1, 2, 2]}}",
         0, "classes[1].label is 'n03' but line 2 of the labels is 'n02'"},
        {"bad confusion partition",
         "{\"partition\": {\"labels\": [0, 0, 1, 1, 2, 2]}, \"confusion\": {\"partition\": "
         "{\"labels\": [0, 0, 1, null, 2, 2]}}}",
         0, "confusion.partition.labels[3] is null"},
    };
    simdepth_labels *labels = NULL;
    simdepth_partition *p = NULL, *c = NULL;
    simdepth_error err;
    const char *path = tmp_path("partition.txt");
    size_t k;

    CU_ASSERT_FATAL(simdepth_labels_new(keys, 6, &labels, &err) == SIMDEPTH_OK);
    /* text: ids renumbered in increasing order, -1 kept, comments skipped */
    {
        static const char text[] = "# k-means\n7\n 7\r\n3\n3\t\n-1\n9";
        CU_ASSERT_FATAL(write_file(path, text, sizeof text - 1) == 0);
    }
    CU_ASSERT_EQUAL_FATAL(simdepth_partition_read(path, labels, &p, &c, &err), SIMDEPTH_OK);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL(p->n, 6);
    CU_ASSERT_EQUAL(p->n_clusters, 4);
    CU_ASSERT(p->labels[0] == 1 && p->labels[1] == 1 && p->labels[2] == 0 && p->labels[3] == 0 &&
              p->labels[4] == -1 && p->labels[5] == 2);
    CU_ASSERT_STRING_EQUAL(p->method, "file");
    simdepth_partition_free(p);
    p = NULL;
    /* a report: both partitions, as written */
    CU_ASSERT_FATAL(write_file(path, report, sizeof report - 1) == 0);
    CU_ASSERT_EQUAL_FATAL(simdepth_partition_read(path, labels, &p, &c, &err), SIMDEPTH_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT(p->labels[0] == 0 && p->labels[2] == 1 && p->labels[4] == 2 && p->labels[5] == -1);
    CU_ASSERT_EQUAL(p->n_clusters, 4);
    CU_ASSERT_EQUAL(p->iterations, 17);
    CU_ASSERT_STRING_EQUAL(p->method, "affinity");
    CU_ASSERT(c->labels[0] == 1 && c->labels[1] == 0 && c->n_clusters == 2);
    simdepth_partition_free(p);
    simdepth_partition_free(c);
    p = c = NULL;
    /* without asking for the confusion partition */
    CU_ASSERT_EQUAL(simdepth_partition_read(path, labels, &p, NULL, &err), SIMDEPTH_OK);
    simdepth_partition_free(p);
    p = NULL;
    /* malformed files: EFORMAT, the line where there is one, the message,
     * and the outputs untouched */
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        simdepth_status st;
        simdepth_partition *sentinel = (simdepth_partition *)&err;
        p = c = sentinel;
        CU_ASSERT_FATAL(write_file(path, bad[k].text, strlen(bad[k].text)) == 0);
        simdepth_error_clear(&err);
        st = simdepth_partition_read(path, labels, &p, &c, &err);
        simdepth_test_row_check(st == SIMDEPTH_EFORMAT && p == sentinel && c == sentinel &&
                                    err.line == bad[k].line &&
                                    strstr(err.message, bad[k].message) != NULL &&
                                    strcmp(err.file, path) == 0,
                                "render", bad[k].name, __FILE__, __LINE__,
                                "status %d, line %ld, message '%s'", (int)st, err.line,
                                err.message);
    }
    p = NULL;
    /* a file that cannot be read, and NUL bytes */
    CU_ASSERT_EQUAL(simdepth_partition_read(tmp_path("no-such-file"), labels, &p, NULL, &err),
                    SIMDEPTH_EIO);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_FATAL(write_file(path, "0\n0\n1\0\n1\n2\n2\n", 13) == 0);
    CU_ASSERT_EQUAL(simdepth_partition_read(path, labels, &p, NULL, &err), SIMDEPTH_EFORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "NUL byte"));
    CU_ASSERT_EQUAL(err.offset, 5);
    simdepth_labels_free(labels);
}

int simdepth_test_add_render(void)
{
    CU_pSuite s = CU_add_suite("render", suite_init, suite_clean);

    if (s == NULL || CU_add_test(s, "theme: a good file", test_theme_good) == NULL ||
        CU_add_test(s, "theme: malformed files", test_theme_malformed) == NULL ||
        CU_add_test(s, "theme: names, paths, shipped themes", test_theme_load) == NULL ||
        CU_add_test(s, "lengths and presets", test_lengths) == NULL ||
        CU_add_test(s, "colour maps", test_colormaps) == NULL ||
        CU_add_test(s, "smoke render of every figure and format", test_smoke) == NULL ||
        CU_add_test(s, "cluster graph: numbers by hand", test_cluster_graph) == NULL ||
        CU_add_test(s, "saved partitions: good and malformed files", test_partition_read) == NULL)
        return -1;
    return 0;
}
