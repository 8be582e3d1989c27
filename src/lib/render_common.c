/* simdepth — figures: the public entry point and what every figure shares
 * (options, lengths, names, cluster ancestors, buffers, PNG encoding).
 *
 * Output design: simdepth_render_write() renders the whole figure into a
 * memory buffer and only then writes it to the caller's FILE *, so a failed
 * render writes nothing. Making the file appear atomically (temporary file
 * in the target directory, then rename) is the caller's job, as for
 * reports; the CLI does it with cli_output_open/commit.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <png.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/render.h"
#include "simdepth/simdepth.h"
#include "render_i.h"

/* ------------------------------------------------------------ byte buffer */

void simdepth_i_buf_append(simdepth_i_buf *b, const void *p, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (n > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *d;
        while (cap < b->len + n + 1)
            cap *= 2;
        d = simdepth_i_realloc_array(b->data, cap, 1);
        if (d == NULL) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void simdepth_i_buf_puts(simdepth_i_buf *b, const char *s)
{
    simdepth_i_buf_append(b, s, strlen(s));
}

void simdepth_i_buf_printf(simdepth_i_buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        simdepth_i_buf_append(b, small, (size_t)n);
    } else {
        char *big = simdepth_i_malloc((size_t)n + 1);
        if (big == NULL) {
            b->failed = 1;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        simdepth_i_buf_append(b, big, (size_t)n);
        free(big);
    }
}

void simdepth_i_buf_xml(simdepth_i_buf *b, const char *s)
{
    const char *run = s;

    for (; *s; s++) {
        const char *rep = NULL;
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default:
            if (c < 0x20 && c != '\t' && c != '\n')
                rep = "";
        }
        if (rep != NULL) {
            simdepth_i_buf_append(b, run, (size_t)(s - run));
            simdepth_i_buf_puts(b, rep);
            run = s + 1;
        }
    }
    simdepth_i_buf_append(b, run, (size_t)(s - run));
}

void simdepth_i_buf_free(simdepth_i_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void simdepth_i_buf_base64(simdepth_i_buf *out, const unsigned char *p, size_t n)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i;
    char q[4];

    for (i = 0; i + 2 < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
        q[0] = tab[v >> 18];
        q[1] = tab[(v >> 12) & 63];
        q[2] = tab[(v >> 6) & 63];
        q[3] = tab[v & 63];
        simdepth_i_buf_append(out, q, 4);
    }
    if (i < n) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
        q[0] = tab[v >> 18];
        q[1] = tab[(v >> 12) & 63];
        q[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        q[3] = '=';
        simdepth_i_buf_append(out, q, 4);
    }
}

/* ----------------------------------------------------------------- names */

/* The readable name, before underscores become blanks. */
static const char *raw_class_name(const simdepth_report_info *info, size_t i)
{
    const char *name = simdepth_labels_name(info->labels, i);

    if (name != NULL && name[0] != '\0')
        return name;
    if (info->tax != NULL && info->nodes != NULL)
        return simdepth_taxonomy_label(info->tax, info->nodes[i]);
    return simdepth_labels_key(info->labels, i);
}

char *simdepth_i_class_name(const simdepth_report_info *info, size_t i)
{
    char *s = simdepth_i_strdup(raw_class_name(info, i)), *p;

    if (s != NULL)
        for (p = s; *p; p++)
            if (*p == '_')
                *p = ' ';
    return s;
}

/* The common ancestor of a set of classes.
 *
 * Definition: among the subsumers common to every member (each synset
 * counts as its own subsumer), the deepest under the analysis's rule
 * (reference: greatest minimum depth; true: greatest maximum depth), ties
 * broken by synset name; its depth is max_depth + 1, as for edges.
 *
 * Computation: by folding simdepth_taxonomy_lcs() over the members,
 * c = lcs(c, m). Each step keeps a subsumer common to the members seen so
 * far, so the result is always a common subsumer. It is the deepest one
 * whenever every common subsumer of the members seen so far is an ancestor
 * of c, which holds where the members' hypernym paths do not branch (no
 * multiple inheritance below the result); WordNet's few multiply-inherited
 * synsets can make it shallower than the definition. The taxonomy module
 * exposes no ancestor sets yet; when it does (simdepth_taxonomy_lcs_set()),
 * this function becomes an exact intersection. */
simdepth_status simdepth_i_common_ancestor(const simdepth_report_info *info,
                                           const size_t *members, size_t n, size_t *node,
                                           int *depth)
{
    simdepth_lcs_rule rule = info->options ? info->options->lcs_rule : SIMDEPTH_LCS_REFERENCE;
    size_t c, k;

    if (info->tax == NULL || info->nodes == NULL || n == 0)
        return SIMDEPTH_ENOTFOUND;
    c = info->nodes[members[0]];
    for (k = 1; k < n; k++) {
        simdepth_lcs l;
        if (simdepth_taxonomy_lcs(info->tax, c, info->nodes[members[k]], rule, &l, NULL) !=
            SIMDEPTH_OK)
            return SIMDEPTH_ENOTFOUND;
        c = l.lcs;
    }
    *node = c;
    *depth = simdepth_taxonomy_max_depth(info->tax, c) + 1;
    return SIMDEPTH_OK;
}

void simdepth_i_format_percent(double v, char *buf, size_t size)
{
    double p = v * 100.0;

    if (!isfinite(p))
        snprintf(buf, size, "n/a");
    else if (p <= 0.0)
        snprintf(buf, size, "0%%");
    else if (p >= 9.95)
        snprintf(buf, size, "%.0f%%", p);
    else if (p >= 0.995)
        snprintf(buf, size, "%.1f%%", p);
    else
        snprintf(buf, size, "%.2g%%", p);
}

/* --------------------------------------------------------------- options */

void simdepth_render_options_init(simdepth_render_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->format = SIMDEPTH_IMAGE_SVG;
    opt->dpi = 300.0;
    opt->timestamp = -1;
    opt->layout = SIMDEPTH_LAYOUT_AUTO;
    opt->cluster = -1;
    opt->linkage = SIMDEPTH_LINKAGE_AVERAGE;
    opt->orientation = SIMDEPTH_ORIENT_LEFT;
    opt->raster = -1;
    opt->top_clusters = 40;
}

simdepth_status simdepth_length_parse(const char *s, double *pt, simdepth_error *err)
{
    static const struct {
        const char *unit;
        double pt;
    } units[] = {{"in", 72.0}, {"cm", 72.0 / 2.54}, {"mm", 72.0 / 25.4}, {"pt", 1.0}};
    char *end;
    double v;
    size_t i;

    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno != 0 || !isfinite(v) || !isdigit((unsigned char)s[0]) ||
        (end[0] == '\0'))
        goto bad;
    for (i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(end, units[i].unit) == 0) {
            double p = v * units[i].pt;
            if (!(p > 0.0) || p > 200.0 * 72.0)
                return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                            "length '%s': expected a positive length of at "
                                            "most 200in",
                                            s);
            *pt = p;
            return SIMDEPTH_OK;
        }
bad:
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                "length '%s': expected a number with a unit, such as 3.5in, "
                                "8.9cm, 80mm or 252pt",
                                s);
}

/* Text widths of common venues (from their author kits). */
static const simdepth_size_preset presets[] = {
    {"ieee-column", 252.0, "IEEE two-column: one column, 3.5in"},
    {"ieee-page", 516.0, "IEEE two-column: full text width, 7.16in"},
    {"acm-column", 241.14, "ACM sigconf: one column, 3.33in"},
    {"acm-page", 506.295, "ACM sigconf: full text width, 7.03in"},
    {"cvpr-column", 237.0, "CVPR/ICCV: one column, 3.29in"},
    {"cvpr-page", 496.0, "CVPR/ICCV: full text width, 6.89in"},
    {"neurips-page", 397.48, "NeurIPS/ICLR/ICML single column: text width, 5.5in"},
    {"lncs-page", 347.12, "Springer LNCS: text width, 12.2cm"},
    {"elsevier-column", 255.12, "Elsevier two-column: one column, 90mm"},
    {"elsevier-page", 538.58, "Elsevier: full width, 190mm"},
    {"nature-column", 252.28, "Nature: one column, 89mm"},
    {"nature-page", 518.74, "Nature: two columns, 183mm"},
    {NULL, 0.0, NULL}};

const simdepth_size_preset *simdepth_size_presets(void)
{
    return presets;
}

simdepth_status simdepth_size_preset_find(const char *name, double *width,
                                          simdepth_error *err)
{
    size_t i;
    char list[600] = "";

    for (i = 0; presets[i].name != NULL; i++) {
        if (strcmp(presets[i].name, name) == 0) {
            *width = presets[i].width;
            return SIMDEPTH_OK;
        }
        if (i > 0)
            strcat(list, ", ");
        strcat(list, presets[i].name);
    }
    return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0, -1,
                                "unknown size preset '%s'; expected one of %s", name, list);
}

const char *simdepth_figure_name(simdepth_figure figure)
{
    switch (figure) {
    case SIMDEPTH_FIGURE_GRAPH: return "graph";
    case SIMDEPTH_FIGURE_DENDROGRAM: return "dendrogram";
    case SIMDEPTH_FIGURE_HEATMAP: return "heatmap";
    case SIMDEPTH_FIGURE_CLUSTERS: return "clusters";
    }
    return "unknown";
}

const char *simdepth_image_format_name(simdepth_image_format format)
{
    switch (format) {
    case SIMDEPTH_IMAGE_SVG: return "svg";
    case SIMDEPTH_IMAGE_PDF: return "pdf";
    case SIMDEPTH_IMAGE_PNG: return "png";
    case SIMDEPTH_IMAGE_DOT: return "dot";
    }
    return "unknown";
}

simdepth_status simdepth_image_format_parse(const char *name, simdepth_image_format *out,
                                            simdepth_error *err)
{
    const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
    const char *ext = name;
    int f;

    if (dot != NULL && (slash == NULL || dot > slash))
        ext = dot + 1;
    for (f = SIMDEPTH_IMAGE_SVG; f <= SIMDEPTH_IMAGE_DOT; f++)
        if (strcasecmp(ext, simdepth_image_format_name((simdepth_image_format)f)) == 0 ||
            (f == SIMDEPTH_IMAGE_DOT && strcasecmp(ext, "gv") == 0)) {
            *out = (simdepth_image_format)f;
            return SIMDEPTH_OK;
        }
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                "cannot tell the format of '%s'; expected svg, pdf, png or dot",
                                name);
}

/* ----------------------------------------------------------- PNG (libpng) */

typedef struct png_sink {
    simdepth_i_buf *buf;
    char message[200];
} png_sink;

static void png_write_cb(png_structp png, png_bytep data, png_size_t len)
{
    png_sink *s = png_get_io_ptr(png);

    simdepth_i_buf_append(s->buf, data, len);
}

static void png_flush_cb(png_structp png)
{
    (void)png;
}

static void png_error_cb(png_structp png, png_const_charp msg)
{
    png_sink *s = png_get_error_ptr(png);

    snprintf(s->message, sizeof s->message, "%s", msg);
    png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg; /* the library never prints */
}

simdepth_status simdepth_i_png_encode(const unsigned char *pix, int w, int h, int channels,
                                      double dpi, const char *software, const char *title,
                                      const char *source, simdepth_i_buf *out,
                                      simdepth_error *err)
{
    png_structp png = NULL;
    png_infop info = NULL;
    png_sink sink;
    png_text text[3];
    volatile int nt = 0;
    /* volatile: modified between setjmp and a possible longjmp. */
    png_bytep *volatile rows = NULL;
    int y;

    memset(&sink, 0, sizeof sink);
    sink.buf = out;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_error_cb, png_warning_cb);
    if (png == NULL)
        return simdepth_i_enomem(err, "a PNG writer");
    info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return simdepth_i_enomem(err, "a PNG writer");
    }
    rows = simdepth_i_malloc_array((size_t)h, sizeof *rows);
    if (rows == NULL) {
        png_destroy_write_struct(&png, &info);
        return simdepth_i_enomem(err, "PNG rows");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows);
        return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1,
                                    "libpng could not encode the image: %s", sink.message);
    }
    png_set_write_fn(png, &sink, png_write_cb, png_flush_cb);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
                 channels == 4 ? PNG_COLOR_TYPE_RGB_ALPHA : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_pHYs(png, info, (png_uint_32)lround(dpi / 0.0254), (png_uint_32)lround(dpi / 0.0254),
                 PNG_RESOLUTION_METER);
    memset(text, 0, sizeof text);
    if (software != NULL) {
        text[nt].compression = PNG_TEXT_COMPRESSION_NONE;
        text[nt].key = (png_charp) "Software";
        text[nt].text = (png_charp)software;
        nt++;
    }
    if (title != NULL) {
        text[nt].compression = PNG_TEXT_COMPRESSION_NONE;
        text[nt].key = (png_charp) "Title";
        text[nt].text = (png_charp)title;
        nt++;
    }
    if (source != NULL) {
        text[nt].compression = PNG_TEXT_COMPRESSION_NONE;
        text[nt].key = (png_charp) "Source";
        text[nt].text = (png_charp)source;
        nt++;
    }
    if (nt > 0)
        png_set_text(png, info, text, nt);
    for (y = 0; y < h; y++)
        rows[y] = (png_bytep)(pix + (size_t)y * (size_t)w * (size_t)channels);
    png_set_rows(png, info, rows);
    png_write_png(png, info, PNG_TRANSFORM_IDENTITY, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    if (out->failed)
        return simdepth_i_enomem(err, "the PNG data");
    return SIMDEPTH_OK;
}

/* ----------------------------------------------------------- entry point */

simdepth_status simdepth_render_write(FILE *f, simdepth_figure figure,
                                      const simdepth_analysis *a,
                                      const simdepth_matrix *similarity,
                                      const simdepth_matrix *confusion,
                                      const simdepth_report_info *info,
                                      const simdepth_render_options *opt,
                                      simdepth_error *err)
{
    simdepth_render_options defaults;
    simdepth_theme *own_theme = NULL;
    simdepth_i_render r;
    simdepth_i_buf out = {0};
    simdepth_status st;
    size_t n, i;

    if (opt == NULL) {
        simdepth_render_options_init(&defaults);
        opt = &defaults;
    }
    if (f == NULL || a == NULL || similarity == NULL || info == NULL || info->labels == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "rendering needs an output stream, an analysis, its "
                                    "similarity matrix and the labels");
    n = a->n_classes;
    if (simdepth_matrix_rows(similarity) != n || simdepth_matrix_cols(similarity) != n ||
        simdepth_labels_count(info->labels) != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "the analysis has %zu classes but the similarity matrix is "
                                    "%zu x %zu and there are %zu labels",
                                    n, simdepth_matrix_rows(similarity),
                                    simdepth_matrix_cols(similarity),
                                    simdepth_labels_count(info->labels));
    if (confusion != NULL &&
        (simdepth_matrix_rows(confusion) != n || simdepth_matrix_cols(confusion) != n))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "confusion matrix is %zu x %zu; expected %zu x %zu",
                                    simdepth_matrix_rows(confusion),
                                    simdepth_matrix_cols(confusion), n, n);
    if (opt->format == SIMDEPTH_IMAGE_DOT && figure != SIMDEPTH_FIGURE_GRAPH &&
        figure != SIMDEPTH_FIGURE_CLUSTERS)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "DOT output exists for the graphs only, not the %s",
                                    simdepth_figure_name(figure));
    if ((unsigned)opt->format > SIMDEPTH_IMAGE_DOT || (unsigned)figure > SIMDEPTH_FIGURE_CLUSTERS)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown figure or format");
    if (!(opt->dpi >= 10.0 && opt->dpi <= 4800.0))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "dpi %g: expected 10 to 4800", opt->dpi);
    if (opt->width < 0.0 || opt->height < 0.0 || !isfinite(opt->width) ||
        !isfinite(opt->height))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "width and height must be positive");
    if (a->perceived.partition == NULL || a->perceived.partition->n != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "the analysis has no partition of its %zu classes", n);
    if (opt->cluster >= 0 && figure != SIMDEPTH_FIGURE_CLUSTERS &&
        (size_t)opt->cluster >= a->perceived.partition->n_clusters)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "cluster %d does not exist; the partition has %zu clusters "
                                    "(0 to %zu)",
                                    opt->cluster, a->perceived.partition->n_clusters,
                                    a->perceived.partition->n_clusters - 1);

    memset(&r, 0, sizeof r);
    r.a = a;
    r.s = similarity;
    r.conf = confusion;
    r.info = info;
    r.opt = opt;
    r.n = n;
    snprintf(r.software, sizeof r.software, "simdepth %s", simdepth_version());
    if (opt->theme != NULL) {
        r.theme = opt->theme;
    } else {
        st = simdepth_theme_new_default(&own_theme, err);
        if (st != SIMDEPTH_OK)
            return st;
        r.theme = own_theme;
    }
    r.names = simdepth_i_malloc_array(n, sizeof *r.names);
    if (r.names == NULL) {
        st = simdepth_i_enomem(err, "class names");
        goto out;
    }
    for (i = 0; i < n; i++)
        r.names[i] = NULL;
    for (i = 0; i < n; i++)
        if ((r.names[i] = simdepth_i_class_name(info, i)) == NULL) {
            st = simdepth_i_enomem(err, "class names");
            goto out;
        }

    switch (figure) {
    case SIMDEPTH_FIGURE_GRAPH:
        st = simdepth_i_render_graph(&r, &out, err);
        break;
    case SIMDEPTH_FIGURE_DENDROGRAM:
        st = simdepth_i_render_dendrogram(&r, &out, err);
        break;
    case SIMDEPTH_FIGURE_CLUSTERS:
        st = simdepth_i_render_clusters(&r, &out, err);
        break;
    case SIMDEPTH_FIGURE_HEATMAP:
    default:
        st = simdepth_i_render_heatmap(&r, &out, err);
        break;
    }
    if (st == SIMDEPTH_OK && out.failed)
        st = simdepth_i_enomem(err, "the figure");
    if (st == SIMDEPTH_OK && (fwrite(out.data, 1, out.len, f) != out.len || ferror(f)))
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, NULL, 0, 0, -1,
                                  "cannot write the figure: %s", strerror(errno));
out:
    simdepth_i_buf_free(&out);
    if (r.names != NULL)
        for (i = 0; i < n; i++)
            free((void *)r.names[i]);
    free((void *)r.names);
    simdepth_theme_free(own_theme);
    return st;
}

/* ------------------------------------------------ axes and text fitting */

/* A "nice" tick step for @range with about @target ticks. */
double simdepth_i_nice_step(double range, int target)
{
    double raw = range / target, mag, f;

    if (!(raw > 0.0) || !isfinite(raw))
        return 1.0;
    mag = pow(10.0, floor(log10(raw)));
    f = raw / mag;
    if (f < 1.5)
        return mag;
    if (f < 3.5)
        return 2.0 * mag;
    if (f < 7.5)
        return 5.0 * mag;
    return 10.0 * mag;
}

void simdepth_i_format_tick(double v, double step, char *buf, size_t size)
{
    int dec = step >= 1.0 ? 0 : (int)ceil(-log10(step) - 1e-9);

    if (fabs(v) < step * 1e-6)
        v = 0.0;
    snprintf(buf, size, "%.*f", dec, v);
}

/* Set @s from (@x, @y) on lines of at most @maxw points, broken at blanks,
 * @lead apart; with @draw 0 only count them. Returns the number of lines.
 * A word that would overflow the line buffer ends the line before it. */
size_t simdepth_i_wrap_text(simdepth_i_canvas *cv, const char *s, double size, double maxw,
                            double x, double y, double lead, simdepth_rgba c, int draw)
{
    char line[512];
    size_t nl = 0, len = 0;

    while (*s != '\0') {
        const char *w = s;
        size_t wl;
        while (*w == ' ')
            w++;
        s = w;
        while (*w != '\0' && *w != ' ')
            w++;
        wl = (size_t)(w - s);
        if (wl == 0)
            break;
        if (len > 0) {
            if (len + 1 + wl < sizeof line) {
                double tw;
                line[len] = ' ';
                memcpy(line + len + 1, s, wl);
                line[len + 1 + wl] = '\0';
                tw = simdepth_i_canvas_text_width(cv, line, size, 0);
                if (tw <= maxw) {
                    len += 1 + wl;
                    s = w;
                    continue;
                }
            }
            /* the word does not fit: the line so far is complete */
            line[len] = '\0';
            if (draw)
                simdepth_i_canvas_text(cv, x, y + nl * lead, line, size, SIMDEPTH_I_START, 0, c,
                                       0);
            nl++;
            len = 0;
        }
        if (wl >= sizeof line)
            wl = sizeof line - 1;
        memcpy(line, s, wl);
        line[wl] = '\0';
        len = wl;
        s = w;
    }
    if (len > 0) {
        if (draw)
            simdepth_i_canvas_text(cv, x, y + nl * lead, line, size, SIMDEPTH_I_START, 0, c, 0);
        nl++;
    }
    return nl;
}

/* Shorten @s to at most @maxw points with a trailing ellipsis. */
void simdepth_i_fit_text(simdepth_i_canvas *cv, const char *s, double size, double maxw,
                         char *buf, size_t bufsize)
{
    size_t len;

    snprintf(buf, bufsize, "%s", s);
    if (simdepth_i_canvas_text_width(cv, buf, size, 0) <= maxw)
        return;
    len = strlen(buf);
    while (len > 1) {
        len--;
        while (len > 0 && ((unsigned char)buf[len] & 0xc0) == 0x80)
            len--; /* stay on a UTF-8 boundary */
        if (len + 4 > bufsize)
            continue;
        memcpy(buf + len, "\xe2\x80\xa6", 4);
        if (simdepth_i_canvas_text_width(cv, buf, size, 0) <= maxw)
            return;
    }
}
