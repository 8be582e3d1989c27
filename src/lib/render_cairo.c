/* simdepth — the drawing canvas (SVG text or cairo), the dendrogram and the
 * heatmap.
 *
 * One drawing interface, two backends: SVG is written as text so that every
 * label stays an SVG <text> element (cairo's SVG surface would turn glyphs
 * into paths); PDF and PNG are drawn with cairo. Pango lays out and
 * measures all text, with hinting off so that measurements do not depend on
 * the output resolution, and both backends place text from the same
 * measurements.
 */
#include "config.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simdepth/simdepth.h"
#include "render_i.h"

/* Secondary text (captions, axis labels): a fraction @k of the theme's
 * size, but not below 6 pt unless the theme's size itself is (a reviewer
 * flags smaller print). */
#define SMALL(base, k) fmax((base) * (k), fmin((base), 6.0))

/* ------------------------------------------------------------------ canvas */

struct simdepth_i_canvas {
    const simdepth_i_render *r;
    simdepth_image_format format;
    double w, h;
    /* SVG */
    simdepth_i_buf svg;
    /* cairo */
    cairo_surface_t *surface;
    cairo_t *cr;
    simdepth_i_buf pdf;
    double scale;
    int alpha;
    /* pango */
    PangoFontMap *fontmap;
    PangoContext *pctx;
    PangoLayout *layout;
    PangoFontDescription *fd;
    double fd_size;
    int fd_bold;
    int hidden; /* cairo: draw nothing (SVG: inside display="none") */
};

static cairo_status_t pdf_write_cb(void *closure, const unsigned char *data, unsigned int len)
{
    simdepth_i_buf *b = closure;

    simdepth_i_buf_append(b, data, len);
    return b->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

static void set_font(simdepth_i_canvas *cv, double size, int bold)
{
    if (cv->fd_size == size && cv->fd_bold == bold)
        return;
    pango_font_description_set_absolute_size(cv->fd, size * PANGO_SCALE);
    pango_font_description_set_weight(cv->fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(cv->layout, cv->fd);
    cv->fd_size = size;
    cv->fd_bold = bold;
}

static void iso_date(long long t, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void svg_color(simdepth_i_buf *b, const char *attr, const simdepth_rgba *c)
{
    char hex[10];
    simdepth_rgba o;

    if (c == NULL) {
        simdepth_i_buf_printf(b, " %s=\"none\"", attr);
        return;
    }
    o = *c;
    o.a = 1.0;
    simdepth_i_buf_printf(b, " %s=\"%s\"", attr, simdepth_rgba_format(o, hex));
    if (c->a < 1.0)
        simdepth_i_buf_printf(b, " %s-opacity=\"%.3f\"", attr, c->a);
}

simdepth_status simdepth_i_canvas_new(const simdepth_i_render *r, double w, double h,
                                      const char *title, simdepth_i_canvas **out,
                                      simdepth_error *err)
{
    simdepth_i_canvas *cv = simdepth_i_calloc(1, sizeof *cv);
    const simdepth_theme *th = r->theme;
    simdepth_rgba bg = simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND);
    cairo_font_options_t *fo;

    if (cv == NULL)
        return simdepth_i_enomem(err, "a canvas");
    cv->r = r;
    cv->format = r->opt->format;
    cv->w = w;
    cv->h = h;
    cv->fd_size = -1.0;
    cv->fontmap = pango_cairo_font_map_new();
    cv->pctx = cv->fontmap ? pango_font_map_create_context(cv->fontmap) : NULL;
    fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    if (cv->pctx != NULL)
        pango_cairo_context_set_font_options(cv->pctx, fo);
    cairo_font_options_destroy(fo);
    cv->layout = cv->pctx ? pango_layout_new(cv->pctx) : NULL;
    cv->fd = pango_font_description_from_string(simdepth_theme_font(th));
    if (cv->layout == NULL || cv->fd == NULL) {
        simdepth_i_canvas_free(cv);
        return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1,
                                    "pango could not create a text layout");
    }
    set_font(cv, simdepth_theme_font_size(th), 0);

    if (cv->format == SIMDEPTH_IMAGE_SVG) {
        simdepth_i_buf *b = &cv->svg;
        simdepth_i_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        simdepth_i_buf_printf(b,
                              "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                              "xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" "
                              "width=\"%.2fpt\" height=\"%.2fpt\" viewBox=\"0 0 %.2f %.2f\">\n",
                              w, h, w, h);
        simdepth_i_buf_puts(b, "<title>");
        simdepth_i_buf_xml(b, title);
        simdepth_i_buf_puts(b, "</title>\n<desc>");
        simdepth_i_buf_xml(b, r->software);
        if (r->opt->provenance != NULL) {
            simdepth_i_buf_puts(b, "; ");
            simdepth_i_buf_xml(b, r->opt->provenance);
        }
        simdepth_i_buf_puts(b, "</desc>\n<g font-family=\"");
        simdepth_i_buf_xml(b, simdepth_theme_font(th));
        simdepth_i_buf_puts(b, "\" stroke-linecap=\"butt\" stroke-linejoin=\"round\">\n");
        simdepth_i_canvas_rect(cv, 0, 0, w, h, &bg, NULL, 0);
        return *out = cv, SIMDEPTH_OK;
    }
    if (cv->format == SIMDEPTH_IMAGE_PDF) {
        cv->scale = 1.0;
        cv->surface = cairo_pdf_surface_create_for_stream(pdf_write_cb, &cv->pdf, w, h);
        if (cairo_surface_status(cv->surface) == CAIRO_STATUS_SUCCESS) {
            char date[40];
            cairo_pdf_surface_restrict_to_version(cv->surface, CAIRO_PDF_VERSION_1_5);
            cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_TITLE, title);
            cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_CREATOR, r->software);
            if (r->opt->provenance != NULL)
                cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_SUBJECT,
                                               r->opt->provenance);
            if (r->opt->timestamp >= 0) {
                iso_date(r->opt->timestamp, date, sizeof date);
                cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                               date);
                cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_MOD_DATE, date);
            }
        }
    } else {
        double pw = ceil(w * r->opt->dpi / 72.0), ph = ceil(h * r->opt->dpi / 72.0);
        if (pw > 32767 || ph > 32767) {
            simdepth_i_canvas_free(cv);
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                        "a %.0f x %.0f pixel PNG is too large (cairo's limit is "
                                        "32767); lower --dpi or the size",
                                        pw, ph);
        }
        cv->scale = r->opt->dpi / 72.0;
        cv->alpha = bg.a < 1.0;
        cv->surface = cairo_image_surface_create(cv->alpha ? CAIRO_FORMAT_ARGB32
                                                           : CAIRO_FORMAT_RGB24,
                                                 (int)pw, (int)ph);
    }
    cv->cr = cairo_create(cv->surface);
    if (cairo_status(cv->cr) != CAIRO_STATUS_SUCCESS) {
        simdepth_status st = simdepth_i_error_set(
            err, SIMDEPTH_ERENDER, NULL, 0, 0, -1, "cairo could not create a %s surface: %s",
            cv->format == SIMDEPTH_IMAGE_PDF ? "PDF" : "image",
            cairo_status_to_string(cairo_status(cv->cr)));
        simdepth_i_canvas_free(cv);
        return st;
    }
    cairo_scale(cv->cr, cv->scale, cv->scale);
    if (cv->format == SIMDEPTH_IMAGE_PNG) {
        cairo_set_source_rgba(cv->cr, bg.r, bg.g, bg.b, bg.a);
        cairo_set_operator(cv->cr, CAIRO_OPERATOR_SOURCE);
        cairo_paint(cv->cr);
        cairo_set_operator(cv->cr, CAIRO_OPERATOR_OVER);
    } else {
        simdepth_i_canvas_rect(cv, 0, 0, w, h, &bg, NULL, 0);
    }
    *out = cv;
    return SIMDEPTH_OK;
}

void simdepth_i_canvas_free(simdepth_i_canvas *cv)
{
    if (cv == NULL)
        return;
    if (cv->cr != NULL)
        cairo_destroy(cv->cr);
    if (cv->surface != NULL)
        cairo_surface_destroy(cv->surface);
    if (cv->fd != NULL)
        pango_font_description_free(cv->fd);
    if (cv->layout != NULL)
        g_object_unref(cv->layout);
    if (cv->pctx != NULL)
        g_object_unref(cv->pctx);
    if (cv->fontmap != NULL)
        g_object_unref(cv->fontmap);
    simdepth_i_buf_free(&cv->svg);
    simdepth_i_buf_free(&cv->pdf);
    free(cv);
}

/* The image surface's pixels as RGB or RGBA bytes (un-premultiplied). */
static unsigned char *surface_pixels(cairo_surface_t *s, int alpha, int *w, int *h)
{
    int x, y, stride, ch = alpha ? 4 : 3;
    unsigned char *src, *pix;

    cairo_surface_flush(s);
    *w = cairo_image_surface_get_width(s);
    *h = cairo_image_surface_get_height(s);
    stride = cairo_image_surface_get_stride(s);
    src = cairo_image_surface_get_data(s);
    pix = simdepth_i_malloc_array((size_t)*w * (size_t)*h, (size_t)ch);
    if (pix == NULL || src == NULL) {
        free(pix);
        return NULL;
    }
    for (y = 0; y < *h; y++) {
        const uint32_t *row = (const uint32_t *)(src + (size_t)y * (size_t)stride);
        unsigned char *d = pix + (size_t)y * (size_t)*w * (size_t)ch;
        for (x = 0; x < *w; x++) {
            uint32_t p = row[x];
            unsigned a = alpha ? p >> 24 : 255, r = (p >> 16) & 255, g = (p >> 8) & 255,
                     b = p & 255;
            if (alpha && a != 0 && a != 255) {
                r = (r * 255 + a / 2) / a;
                g = (g * 255 + a / 2) / a;
                b = (b * 255 + a / 2) / a;
            }
            d[0] = (unsigned char)r;
            d[1] = (unsigned char)g;
            d[2] = (unsigned char)b;
            if (alpha)
                d[3] = (unsigned char)a;
            d += ch;
        }
    }
    return pix;
}

simdepth_status simdepth_i_canvas_finish(simdepth_i_canvas *cv, simdepth_i_buf *out,
                                         simdepth_error *err)
{
    cairo_status_t cs;

    if (cv->format == SIMDEPTH_IMAGE_SVG) {
        simdepth_i_buf_puts(&cv->svg, "</g>\n</svg>\n");
        if (cv->svg.failed)
            return simdepth_i_enomem(err, "the SVG text");
        simdepth_i_buf_append(out, cv->svg.data, cv->svg.len);
        return SIMDEPTH_OK;
    }
    cs = cairo_status(cv->cr);
    if (cs != CAIRO_STATUS_SUCCESS)
        return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1,
                                    "cairo failed while drawing: %s", cairo_status_to_string(cs));
    cairo_destroy(cv->cr);
    cv->cr = NULL;
    if (cv->format == SIMDEPTH_IMAGE_PDF) {
        cairo_surface_finish(cv->surface);
        cs = cairo_surface_status(cv->surface);
        if (cs != CAIRO_STATUS_SUCCESS || cv->pdf.failed)
            return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1,
                                        "cairo could not write the PDF: %s",
                                        cairo_status_to_string(cs));
        simdepth_i_buf_append(out, cv->pdf.data, cv->pdf.len);
        return SIMDEPTH_OK;
    } else {
        int w, h;
        unsigned char *pix;
        simdepth_status st;
        cs = cairo_surface_status(cv->surface);
        if (cs != CAIRO_STATUS_SUCCESS)
            return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1,
                                        "cairo failed on the image: %s",
                                        cairo_status_to_string(cs));
        pix = surface_pixels(cv->surface, cv->alpha, &w, &h);
        if (pix == NULL)
            return simdepth_i_enomem(err, "the PNG pixels");
        st = simdepth_i_png_encode(pix, w, h, cv->alpha ? 4 : 3, cv->r->opt->dpi,
                                   cv->r->software, NULL, cv->r->opt->provenance, out, err);
        free(pix);
        return st;
    }
}

static void cairo_stroke_with(simdepth_i_canvas *cv, const simdepth_rgba *fill,
                              const simdepth_rgba *stroke, double lw, int dash)
{
    cairo_t *cr = cv->cr;

    if (fill != NULL) {
        cairo_set_source_rgba(cr, fill->r, fill->g, fill->b, fill->a);
        if (stroke != NULL)
            cairo_fill_preserve(cr);
        else
            cairo_fill(cr);
    }
    if (stroke != NULL) {
        double d[2] = {3.0 * lw + 1.0, 2.0 * lw + 1.0};
        cairo_set_source_rgba(cr, stroke->r, stroke->g, stroke->b, stroke->a);
        cairo_set_line_width(cr, lw);
        cairo_set_dash(cr, d, dash ? 2 : 0, 0);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
}

static void svg_stroke_attrs(simdepth_i_buf *b, const simdepth_rgba *fill,
                             const simdepth_rgba *stroke, double lw, int dash)
{
    svg_color(b, "fill", fill);
    svg_color(b, "stroke", stroke);
    if (stroke != NULL) {
        simdepth_i_buf_printf(b, " stroke-width=\"%.2f\"", lw);
        if (dash)
            simdepth_i_buf_printf(b, " stroke-dasharray=\"%.2f %.2f\"", 3.0 * lw + 1.0,
                                  2.0 * lw + 1.0);
    }
}

void simdepth_i_canvas_rect(simdepth_i_canvas *cv, double x, double y, double w, double h,
                            const simdepth_rgba *fill, const simdepth_rgba *stroke, double lw)
{
    if (cv->hidden && cv->format != SIMDEPTH_IMAGE_SVG)
        return;
    if (cv->format == SIMDEPTH_IMAGE_SVG) {
        simdepth_i_buf_printf(&cv->svg, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"",
                              x, y, w, h);
        svg_stroke_attrs(&cv->svg, fill, stroke, lw, 0);
        simdepth_i_buf_puts(&cv->svg, "/>\n");
        return;
    }
    cairo_rectangle(cv->cr, x, y, w, h);
    cairo_stroke_with(cv, fill, stroke, lw, 0);
}

void simdepth_i_canvas_polyline(simdepth_i_canvas *cv, const double *xy, size_t n,
                                const simdepth_rgba *stroke, double lw, int dash)
{
    simdepth_i_canvas_path(cv, xy, n, 0, 0, NULL, stroke, lw, dash);
}

void simdepth_i_canvas_path(simdepth_i_canvas *cv, const double *xy, size_t n, int bezier,
                            int closed, const simdepth_rgba *fill,
                            const simdepth_rgba *stroke, double lw, int dash)
{
    if (cv->hidden && cv->format != SIMDEPTH_IMAGE_SVG)
        return;
    size_t i;

    if (n < 2)
        return;
    if (cv->format == SIMDEPTH_IMAGE_SVG) {
        simdepth_i_buf *b = &cv->svg;
        simdepth_i_buf_printf(b, "<path d=\"M%.2f %.2f", xy[0], xy[1]);
        for (i = 1; i < n; i++) {
            if (bezier && (i - 1) % 3 == 0)
                simdepth_i_buf_puts(b, " C");
            else if (!bezier)
                simdepth_i_buf_puts(b, " L");
            simdepth_i_buf_printf(b, " %.2f %.2f", xy[2 * i], xy[2 * i + 1]);
        }
        if (closed)
            simdepth_i_buf_puts(b, " Z");
        simdepth_i_buf_puts(b, "\"");
        svg_stroke_attrs(b, fill, stroke, lw, dash);
        simdepth_i_buf_puts(b, "/>\n");
        return;
    }
    cairo_move_to(cv->cr, xy[0], xy[1]);
    if (bezier) {
        for (i = 1; i + 2 < n; i += 3)
            cairo_curve_to(cv->cr, xy[2 * i], xy[2 * i + 1], xy[2 * i + 2], xy[2 * i + 3],
                           xy[2 * i + 4], xy[2 * i + 5]);
    } else {
        for (i = 1; i < n; i++)
            cairo_line_to(cv->cr, xy[2 * i], xy[2 * i + 1]);
    }
    if (closed)
        cairo_close_path(cv->cr);
    cairo_stroke_with(cv, fill, stroke, lw, dash);
}

void simdepth_i_canvas_ellipse(simdepth_i_canvas *cv, double cx, double cy, double rx,
                               double ry, const simdepth_rgba *fill,
                               const simdepth_rgba *stroke, double lw)
{
    if (cv->hidden && cv->format != SIMDEPTH_IMAGE_SVG)
        return;
    if (!(rx > 0.0 && ry > 0.0))
        return;
    if (cv->format == SIMDEPTH_IMAGE_SVG) {
        simdepth_i_buf_printf(&cv->svg,
                              "<ellipse cx=\"%.2f\" cy=\"%.2f\" rx=\"%.2f\" ry=\"%.2f\"", cx, cy,
                              rx, ry);
        svg_stroke_attrs(&cv->svg, fill, stroke, lw, 0);
        simdepth_i_buf_puts(&cv->svg, "/>\n");
        return;
    }
    cairo_save(cv->cr);
    cairo_translate(cv->cr, cx, cy);
    cairo_scale(cv->cr, rx, ry);
    cairo_arc(cv->cr, 0, 0, 1, 0, 2 * M_PI);
    cairo_restore(cv->cr);
    cairo_stroke_with(cv, fill, stroke, lw, 0);
}

double simdepth_i_canvas_text_width(simdepth_i_canvas *cv, const char *s, double size,
                                    int bold)
{
    PangoRectangle logical;

    set_font(cv, size, bold);
    pango_layout_set_text(cv->layout, s, -1);
    pango_layout_get_extents(cv->layout, NULL, &logical);
    return (double)logical.width / PANGO_SCALE;
}

void simdepth_i_canvas_text(simdepth_i_canvas *cv, double x, double y, const char *s,
                            double size, simdepth_i_anchor anchor, int vertical,
                            simdepth_rgba color, int bold)
{
    if (cv->hidden && cv->format != SIMDEPTH_IMAGE_SVG)
        return;
    if (s == NULL || s[0] == '\0')
        return;
    if (cv->format == SIMDEPTH_IMAGE_SVG) {
        simdepth_i_buf *b = &cv->svg;
        static const char *const anchors[] = {"start", "middle", "end"};
        simdepth_i_buf_printf(b, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\"", x, y, size);
        if (anchor != SIMDEPTH_I_START)
            simdepth_i_buf_printf(b, " text-anchor=\"%s\"", anchors[anchor]);
        if (bold)
            simdepth_i_buf_puts(b, " font-weight=\"bold\"");
        if (vertical)
            simdepth_i_buf_printf(b, " transform=\"rotate(-90 %.2f %.2f)\"", x, y);
        svg_color(b, "fill", &color);
        simdepth_i_buf_puts(b, ">");
        simdepth_i_buf_xml(b, s);
        simdepth_i_buf_puts(b, "</text>\n");
        return;
    }
    {
        PangoRectangle logical;
        double wd, base;
        cairo_t *cr = cv->cr;

        set_font(cv, size, bold);
        pango_layout_set_text(cv->layout, s, -1);
        pango_layout_get_extents(cv->layout, NULL, &logical);
        wd = (double)logical.width / PANGO_SCALE;
        base = (double)pango_layout_get_baseline(cv->layout) / PANGO_SCALE;
        cairo_save(cr);
        cairo_translate(cr, x, y);
        if (vertical)
            cairo_rotate(cr, -M_PI / 2.0);
        cairo_move_to(cr, anchor == SIMDEPTH_I_START ? 0.0 : anchor == SIMDEPTH_I_MIDDLE ? -wd / 2.0 : -wd,
                      -base);
        cairo_set_source_rgba(cr, color.r, color.g, color.b, color.a);
        pango_cairo_update_layout(cr, cv->layout);
        pango_cairo_show_layout(cr, cv->layout);
        cairo_restore(cr);
        /* Measurements must stay in points, whatever cairo's matrix was. */
        pango_context_set_matrix(cv->pctx, NULL);
        pango_layout_context_changed(cv->layout);
    }
}

void simdepth_i_canvas_image(simdepth_i_canvas *cv, double x, double y, double w, double h,
                             const unsigned char *rgb, int iw, int ih)
{
    if (cv->hidden && cv->format != SIMDEPTH_IMAGE_SVG)
        return;
    if (cv->format == SIMDEPTH_IMAGE_SVG) {
        simdepth_i_buf png = {0};
        simdepth_i_buf *b = &cv->svg;
        if (simdepth_i_png_encode(rgb, iw, ih, 3, 72.0, NULL, NULL, NULL, &png, NULL) !=
            SIMDEPTH_OK) {
            b->failed = 1;
            simdepth_i_buf_free(&png);
            return;
        }
        simdepth_i_buf_printf(b,
                              "<image x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                              "preserveAspectRatio=\"none\" style=\"image-rendering:pixelated;"
                              "image-rendering:crisp-edges\" xlink:href=\"data:image/png;base64,",
                              x, y, w, h);
        simdepth_i_buf_base64(b, (const unsigned char *)png.data, png.len);
        simdepth_i_buf_puts(b, "\"/>\n");
        simdepth_i_buf_free(&png);
        return;
    }
    {
        cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, iw, ih);
        int yy, xx, stride;
        unsigned char *d;
        cairo_t *cr = cv->cr;
        cairo_pattern_t *pat;

        if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(img);
            return;
        }
        cairo_surface_flush(img);
        stride = cairo_image_surface_get_stride(img);
        d = cairo_image_surface_get_data(img);
        for (yy = 0; yy < ih; yy++) {
            uint32_t *row = (uint32_t *)(d + (size_t)yy * (size_t)stride);
            const unsigned char *s = rgb + (size_t)yy * (size_t)iw * 3;
            for (xx = 0; xx < iw; xx++)
                row[xx] = 0xff000000u | (uint32_t)s[3 * xx] << 16 | (uint32_t)s[3 * xx + 1] << 8 |
                          s[3 * xx + 2];
        }
        cairo_surface_mark_dirty(img);
        cairo_save(cr);
        cairo_rectangle(cr, x, y, w, h);
        cairo_clip(cr);
        cairo_translate(cr, x, y);
        cairo_scale(cr, w / iw, h / ih);
        cairo_set_source_surface(cr, img, 0, 0);
        pat = cairo_get_source(cr);
        cairo_pattern_set_filter(pat, CAIRO_FILTER_NEAREST);
        cairo_pattern_set_extend(pat, CAIRO_EXTEND_PAD);
        cairo_paint(cr);
        cairo_restore(cr);
        cairo_surface_destroy(img);
    }
}

void simdepth_i_canvas_group_begin(simdepth_i_canvas *cv, const char *id, const char *tooltip)
{
    if (cv->format != SIMDEPTH_IMAGE_SVG)
        return;
    simdepth_i_buf_puts(&cv->svg, "<g");
    if (id != NULL) {
        simdepth_i_buf_puts(&cv->svg, " id=\"");
        simdepth_i_buf_xml(&cv->svg, id);
        simdepth_i_buf_puts(&cv->svg, "\"");
    }
    simdepth_i_buf_puts(&cv->svg, ">");
    if (tooltip != NULL) {
        simdepth_i_buf_puts(&cv->svg, "<title>");
        simdepth_i_buf_xml(&cv->svg, tooltip);
        simdepth_i_buf_puts(&cv->svg, "</title>");
    }
    simdepth_i_buf_puts(&cv->svg, "\n");
}

void simdepth_i_canvas_hide(simdepth_i_canvas *cv, int on)
{
    if (cv->format == SIMDEPTH_IMAGE_SVG)
        simdepth_i_buf_puts(&cv->svg, on ? "<g display=\"none\">\n" : "</g>\n");
    cv->hidden = on;
}

void simdepth_i_canvas_group_end(simdepth_i_canvas *cv)
{
    if (cv->format == SIMDEPTH_IMAGE_SVG)
        simdepth_i_buf_puts(&cv->svg, "</g>\n");
}

/* ------------------------------------------------------------- dendrogram */

/* The tree both figures draw: a linkage of 1 - S in optimal leaf order,
 * node positions along the leaf axis, and each node's cluster when all its
 * leaves share one (else MIXED). */
#define MIXED INT32_MIN

typedef struct tree {
    size_t n;
    simdepth_matrix *Z;
    size_t *order;     /* position -> class */
    size_t *pos_of;    /* class -> position */
    int32_t *label;    /* class -> cluster label */
    double *pos;       /* node (0 .. 2n-2) -> position along the leaf axis */
    double *height;    /* node -> merge height */
    int32_t *cl;       /* node -> cluster or MIXED */
    size_t *colour;    /* class -> categorical index, by first appearance */
    size_t n_clusters;
    double max_h;
    const char *how;   /* "affinity propagation, 18 clusters" etc. */
    char how_buf[96];
} tree;

static void tree_free(tree *t)
{
    simdepth_matrix_free(t->Z);
    free(t->order);
    free(t->pos_of);
    free(t->label);
    free(t->pos);
    free(t->height);
    free(t->cl);
    free(t->colour);
    memset(t, 0, sizeof *t);
}

#define OPTIMAL_ORDER_MAX 2000

static simdepth_status tree_build(const simdepth_i_render *r, tree *t, simdepth_error *err)
{
    size_t n = r->n, i, j, k, m;
    simdepth_dtype dt = n > 4096 ? SIMDEPTH_F32 : SIMDEPTH_F64;
    void *y = NULL;
    simdepth_matrix *Z = NULL;
    simdepth_partition *cut = NULL;
    simdepth_status st = SIMDEPTH_OK;
    int32_t *seen = NULL;

    memset(t, 0, sizeof *t);
    t->n = n;
    if (n < 2)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "a dendrogram needs at least 2 classes");
    m = simdepth_condensed_size(n);
    y = simdepth_i_malloc_array(m, dt == SIMDEPTH_F32 ? sizeof(float) : sizeof(double));
    t->order = simdepth_i_malloc_array(n, sizeof *t->order);
    t->pos_of = simdepth_i_malloc_array(n, sizeof *t->pos_of);
    t->label = simdepth_i_malloc_array(n, sizeof *t->label);
    t->pos = simdepth_i_malloc_array(2 * n - 1, sizeof *t->pos);
    t->height = simdepth_i_malloc_array(2 * n - 1, sizeof *t->height);
    t->cl = simdepth_i_malloc_array(2 * n - 1, sizeof *t->cl);
    t->colour = simdepth_i_malloc_array(n, sizeof *t->colour);
    if (y == NULL || t->order == NULL || t->pos_of == NULL || t->label == NULL ||
        t->pos == NULL || t->height == NULL || t->cl == NULL || t->colour == NULL) {
        st = simdepth_i_enomem(err, "the dendrogram");
        goto out;
    }
    /* d = 1 - (S_ij + S_ji) / 2, at least 0: for a symmetric S exactly
     * 1 - S_ij. */
    for (i = 0, k = 0; i < n; i++)
        for (j = i + 1; j < n; j++, k++) {
            double s = 0.5 * (simdepth_matrix_get(r->s, i, j) + simdepth_matrix_get(r->s, j, i));
            double d = 1.0 - s;
            if (!(d > 0.0))
                d = 0.0;
            if (dt == SIMDEPTH_F32)
                ((float *)y)[k] = (float)d;
            else
                ((double *)y)[k] = d;
        }
    st = simdepth_linkage_compute(y, dt, n, r->opt->linkage, &Z, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (n <= OPTIMAL_ORDER_MAX && n > 2) {
        st = simdepth_linkage_optimal_ordering(Z, y, dt, &t->Z, err);
        if (st != SIMDEPTH_OK)
            goto out;
    } else {
        t->Z = Z;
        Z = NULL;
    }
    st = simdepth_linkage_leaves(t->Z, t->order, err);
    if (st != SIMDEPTH_OK)
        goto out;
    for (i = 0; i < n; i++)
        t->pos_of[t->order[i]] = i;

    if (r->opt->cut > 0) {
        st = simdepth_linkage_fcluster_maxclust(t->Z, r->opt->cut, &cut, err);
        if (st != SIMDEPTH_OK)
            goto out;
        memcpy(t->label, cut->labels, n * sizeof *t->label);
        snprintf(t->how_buf, sizeof t->how_buf, "dendrogram cut into %zu clusters",
                 cut->n_clusters);
    } else {
        const simdepth_partition *p = r->a->perceived.partition;
        memcpy(t->label, p->labels, n * sizeof *t->label);
        snprintf(t->how_buf, sizeof t->how_buf, "%s, %zu clusters",
                 strcmp(p->method, "affinity") == 0 ? "affinity propagation" : p->method,
                 p->n_clusters);
    }
    t->how = t->how_buf;

    /* Colours by first appearance in leaf order, so neighbours differ. */
    seen = simdepth_i_malloc_array(n + 1, sizeof *seen);
    if (seen == NULL) {
        st = simdepth_i_enomem(err, "the dendrogram");
        goto out;
    }
    for (i = 0; i <= n; i++)
        seen[i] = -1;
    t->n_clusters = 0;
    for (i = 0; i < n; i++) {
        size_t c = t->order[i];
        size_t slot = t->label[c] < 0 ? n : (size_t)t->label[c];
        if (slot > n)
            slot = n;
        if (seen[slot] < 0)
            seen[slot] = (int32_t)t->n_clusters++;
        t->colour[c] = (size_t)seen[slot];
    }

    for (i = 0; i < n; i++) {
        t->pos[i] = (double)t->pos_of[i];
        t->height[i] = 0.0;
        t->cl[i] = t->label[i];
    }
    t->max_h = 0.0;
    for (k = 0; k + 1 < n; k++) {
        size_t a = (size_t)simdepth_matrix_get(t->Z, k, 0);
        size_t b = (size_t)simdepth_matrix_get(t->Z, k, 1);
        double h = simdepth_matrix_get(t->Z, k, 2);
        t->pos[n + k] = 0.5 * (t->pos[a] + t->pos[b]);
        t->height[n + k] = h;
        t->cl[n + k] = (t->cl[a] == t->cl[b] && t->cl[a] != MIXED) ? t->cl[a] : MIXED;
        if (h > t->max_h)
            t->max_h = h;
    }
    if (!(t->max_h > 0.0))
        t->max_h = 1.0;
out:
    free(seen);
    free(y);
    simdepth_matrix_free(Z);
    simdepth_partition_free(cut);
    if (st != SIMDEPTH_OK)
        tree_free(t);
    return st;
}

/* Labels along an axis of @n positions @pitch apart: the font size and the
 * stride (every @stride-th label is shown) that keep them readable. */
static void label_fit(const simdepth_theme *th, size_t n, double pitch, double *size,
                      size_t *stride)
{
    double base = simdepth_theme_font_size(th), minf = simdepth_theme_min_font_size(th);
    double f = pitch / 1.2;

    (void)n;
    *stride = 1;
    if (f >= base) {
        *size = base;
        return;
    }
    if (f >= minf) {
        *size = f;
        return;
    }
    *size = minf;
    *stride = (size_t)ceil(minf * 1.2 / pitch);
}

/* Geometry of a tree drawing: leaf axis u in [u0, u0 + n*pitch], height
 * axis from v_leaf (height 0) to v_root (max height). */
typedef struct tree_geom {
    int top;          /* 1: root on top (u = x, v = y); 0: root left */
    double u0, pitch;
    double v_leaf, v_root;
} tree_geom;

static void tree_xy(const tree_geom *g, const tree *t, double pos, double h, double *x,
                    double *y)
{
    double u = g->u0 + (pos + 0.5) * g->pitch;
    double v = g->v_leaf + (g->v_root - g->v_leaf) * (h / t->max_h);

    if (g->top) {
        *x = u;
        *y = v;
    } else {
        *x = v;
        *y = u;
    }
}

static simdepth_rgba node_colour(const simdepth_i_render *r, const tree *t, size_t node)
{
    if (t->cl[node] == MIXED)
        return simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_MUTED);
    while (node >= t->n)
        node = (size_t)simdepth_matrix_get(t->Z, node - t->n, 0);
    return simdepth_theme_categorical(r->theme, t->colour[node]);
}

/* A theme whose categorical colours are all greys cannot tell many
 * clusters apart by colour alone: there every second round through the
 * colours is dashed (grayscale: black, light grey, black dashed, light
 * grey dashed, ...). */
static int theme_achromatic(const simdepth_theme *th)
{
    size_t i, nc = simdepth_theme_categorical_count(th);

    for (i = 0; i < nc; i++) {
        simdepth_rgba c = simdepth_theme_categorical(th, i);
        if (fabs(c.r - c.g) > 0.02 || fabs(c.g - c.b) > 0.02)
            return 0;
    }
    return nc > 0;
}

static int node_dash(const simdepth_i_render *r, const tree *t, size_t node)
{
    size_t nc = simdepth_theme_categorical_count(r->theme);

    if (t->cl[node] == MIXED || nc == 0 || !theme_achromatic(r->theme))
        return 0;
    while (node >= t->n)
        node = (size_t)simdepth_matrix_get(t->Z, node - t->n, 0);
    return (int)((t->colour[node] / nc) % 2);
}

/* Draw the links of @t: each merge as a U from its two children. Each
 * leg is the branch of its child, coloured by the child's cluster when all
 * leaves under it share one (so a leaf's own branch always shows its
 * cluster, also where it joins the rest of its cluster only higher up);
 * the crossbar is the merge, coloured by cluster only when both sides
 * belong to the same cluster, grey otherwise. Merges across clusters are
 * also thinner, so that they stay apart from a grey cluster colour. */
static void tree_draw(simdepth_i_canvas *cv, const simdepth_i_render *r, const tree *t,
                      const tree_geom *g, double lw)
{
    size_t k, n = t->n;
    double lm = lw * 0.6;

    for (k = 0; k + 1 < n; k++) {
        size_t a = (size_t)simdepth_matrix_get(t->Z, k, 0);
        size_t b = (size_t)simdepth_matrix_get(t->Z, k, 1);
        size_t node = n + k;
        double xy[4];
        simdepth_rgba ca = node_colour(r, t, a), cb = node_colour(r, t, b),
                      cm = node_colour(r, t, node);

        tree_xy(g, t, t->pos[a], t->height[a], &xy[0], &xy[1]);
        tree_xy(g, t, t->pos[a], t->height[node], &xy[2], &xy[3]);
        simdepth_i_canvas_polyline(cv, xy, 2, &ca, t->cl[a] == MIXED ? lm : lw,
                                   node_dash(r, t, a));
        tree_xy(g, t, t->pos[b], t->height[b], &xy[0], &xy[1]);
        tree_xy(g, t, t->pos[b], t->height[node], &xy[2], &xy[3]);
        simdepth_i_canvas_polyline(cv, xy, 2, &cb, t->cl[b] == MIXED ? lm : lw,
                                   node_dash(r, t, b));
        tree_xy(g, t, t->pos[a], t->height[node], &xy[0], &xy[1]);
        tree_xy(g, t, t->pos[b], t->height[node], &xy[2], &xy[3]);
        simdepth_i_canvas_polyline(cv, xy, 2, &cm, t->cl[node] == MIXED ? lm : lw,
                                   node_dash(r, t, node));
    }
}

/* The leaves under @node (into @out, returns the count). */
static size_t tree_leaves_under(const tree *t, size_t node, size_t *out, size_t *stack)
{
    size_t sp = 0, cnt = 0, n = t->n;

    stack[sp++] = node;
    while (sp > 0) {
        size_t v = stack[--sp];
        if (v < n) {
            out[cnt++] = v;
        } else {
            stack[sp++] = (size_t)simdepth_matrix_get(t->Z, v - n, 1);
            stack[sp++] = (size_t)simdepth_matrix_get(t->Z, v - n, 0);
        }
    }
    return cnt;
}

/* Label the root of every pure cluster subtree of 2+ leaves with the
 * members' common WordNet ancestor. */
static void tree_node_labels(simdepth_i_canvas *cv, const simdepth_i_render *r, const tree *t,
                             const tree_geom *g, double size)
{
    size_t n = t->n, k, *leaves, *stack, *parent;
    simdepth_rgba fg = simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_FOREGROUND);
    simdepth_rgba bg = simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_BACKGROUND);

    if (r->info->tax == NULL)
        return;
    leaves = simdepth_i_malloc_array(n, sizeof *leaves);
    stack = simdepth_i_malloc_array(2 * n, sizeof *stack);
    parent = simdepth_i_malloc_array(2 * n - 1, sizeof *parent);
    if (leaves == NULL || stack == NULL || parent == NULL)
        goto out;
    for (k = 0; k < 2 * n - 1; k++)
        parent[k] = SIZE_MAX;
    for (k = 0; k + 1 < n; k++) {
        parent[(size_t)simdepth_matrix_get(t->Z, k, 0)] = n + k;
        parent[(size_t)simdepth_matrix_get(t->Z, k, 1)] = n + k;
    }
    for (k = 0; k + 1 < n; k++) {
        size_t node = n + k, cnt, anc;
        int depth;
        char text[160];
        double x, y, w;
        if (t->cl[node] == MIXED || (parent[node] != SIZE_MAX && t->cl[parent[node]] != MIXED))
            continue;
        cnt = tree_leaves_under(t, node, leaves, stack);
        if (simdepth_i_common_ancestor(r->info, leaves, cnt, &anc, &depth) != SIMDEPTH_OK)
            continue;
        snprintf(text, sizeof text, "%s \xc2\xb7 %d", simdepth_taxonomy_label(r->info->tax, anc),
                 depth);
        for (char *u = text; *u; u++)
            if (*u == '_')
                *u = ' ';
        tree_xy(g, t, t->pos[node], t->height[node], &x, &y);
        w = simdepth_i_canvas_text_width(cv, text, size, 0);
        if (!g->top && x - w - 3 < 2.0) {
            /* no room left of the node: above its first branch, rightwards */
            simdepth_i_canvas_rect(cv, x + 1.5, y - size * 1.2 - 0.5, w + 2, size + 1, &bg, NULL,
                                   0);
            simdepth_i_canvas_text(cv, x + 2.5, y - size * 0.45, text, size, SIMDEPTH_I_START, 0,
                                   fg, 0);
        } else if (g->top) {
            simdepth_i_canvas_rect(cv, x - w / 2 - 1, y - size - 1.5, w + 2, size + 1, &bg, NULL,
                                   0);
            simdepth_i_canvas_text(cv, x, y - 2.2, text, size, SIMDEPTH_I_MIDDLE, 0, fg, 0);
        } else {
            simdepth_i_canvas_rect(cv, x - w - 3, y - size * 0.5 - 0.5, w + 2, size + 1, &bg,
                                   NULL, 0);
            simdepth_i_canvas_text(cv, x - 2, y + size * 0.36, text, size, SIMDEPTH_I_END, 0,
                                   fg, 0);
        }
    }
out:
    free(leaves);
    free(stack);
    free(parent);
}

/* The dendrogram's colour note at (@x, @y), centred; @two: on two lines. */
static void colour_note(simdepth_i_canvas *cv, const tree *t, int two, double x, double y,
                        double base, simdepth_rgba muted)
{
    char buf[256];

    if (two) {
        snprintf(buf, sizeof buf, "branch colour: cluster (%s);", t->how);
        simdepth_i_canvas_text(cv, x, y, buf, SMALL(base, 0.8), SIMDEPTH_I_MIDDLE, 0, muted, 0);
        simdepth_i_canvas_text(cv, x, y + base, "thin grey: merges across clusters", SMALL(base, 0.8),
                               SIMDEPTH_I_MIDDLE, 0, muted, 0);
    } else {
        snprintf(buf, sizeof buf, "branch colour: cluster (%s); thin grey: merges across clusters",
                 t->how);
        simdepth_i_canvas_text(cv, x, y, buf, SMALL(base, 0.8), SIMDEPTH_I_MIDDLE, 0, muted, 0);
    }
}

static const char *linkage_label(simdepth_linkage_method m)
{
    return simdepth_linkage_method_name(m);
}

simdepth_status simdepth_i_render_dendrogram(const simdepth_i_render *r, simdepth_i_buf *out,
                                             simdepth_error *err)
{
    const simdepth_theme *th = r->theme;
    const simdepth_render_options *opt = r->opt;
    tree t;
    tree_geom g;
    simdepth_i_canvas *cv = NULL;
    simdepth_status st;
    size_t n = r->n, i, stride;
    double base = simdepth_theme_font_size(th), lw = simdepth_theme_line_width(th);
    double W, H, margin = 6.0, label_w = 0.0, pitch, fsize, axis_h, tree_len, step, v;
    int top = opt->orientation == SIMDEPTH_ORIENT_TOP, note2 = 0;
    simdepth_rgba fg = simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND);
    simdepth_rgba muted = simdepth_theme_color_get(th, SIMDEPTH_THEME_MUTED);
    char buf[256], title[200];

    st = tree_build(r, &t, err);
    if (st != SIMDEPTH_OK)
        return st;
    axis_h = base * 3.6 + 4.0; /* ticks, tick labels, axis title, colour note */

    /* Size: the leaf axis gets a comfortable pitch unless the user fixed it. */
    if (!top) {
        W = opt->width > 0 ? opt->width : 360.0;
        H = opt->height > 0 ? opt->height : fmin(648.0, fmax(144.0, n * base * 1.3 + axis_h + 2 * margin));
        pitch = (H - axis_h - 2 * margin) / n;
    } else {
        W = opt->width > 0 ? opt->width : 468.0;
        pitch = (W - 2 * margin - base * 3.0) / n;
        H = 0; /* below, once labels are measured */
    }
    if (!(pitch > 0.05)) {
        tree_free(&t);
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "the figure is too small for %zu leaves", n);
    }
    label_fit(th, n, pitch, &fsize, &stride);
    if (!top && stride > 1) {
        /* a line at the top for "every k-th leaf labelled", so that it
         * cannot sit on the first label */
        pitch = (H - axis_h - 2 * margin - base * 1.2) / n;
        if (pitch > 0.05)
            label_fit(th, n, pitch, &fsize, &stride);
    }
    /* Measure shown labels with a throw-away SVG canvas's pango layout. */
    {
        simdepth_render_options o2 = *opt;
        simdepth_i_render r2 = *r;
        simdepth_i_canvas *m = NULL;
        o2.format = SIMDEPTH_IMAGE_SVG;
        r2.opt = &o2;
        st = simdepth_i_canvas_new(&r2, 10, 10, "", &m, err);
        if (st != SIMDEPTH_OK) {
            tree_free(&t);
            return st;
        }
        for (i = 0; i < n; i += stride) {
            double w = simdepth_i_canvas_text_width(m, r->names[t.order[i]], fsize, 0);
            if (w > label_w)
                label_w = w;
        }
        /* the colour note: on two lines when it is wider than the figure */
        snprintf(buf, sizeof buf, "branch colour: cluster (%s); thin grey: merges across clusters",
                 t.how);
        if (simdepth_i_canvas_text_width(m, buf, SMALL(base, 0.8), 0) > W - 2 * margin) {
            note2 = 1;
            axis_h += base;
            if (!top && opt->height > 0)
                pitch = (H - axis_h - 2 * margin) / n;
            else if (!top)
                H += base;
        }
        simdepth_i_canvas_free(m);
    }
    if (label_w > 0.35 * (top ? 432.0 : W))
        label_w = 0.35 * (top ? 432.0 : W);
    if (top && H == 0)
        H = opt->height > 0 ? opt->height : 180.0 + label_w + axis_h;

    snprintf(title, sizeof title, "Dendrogram of %zu classes (%s linkage on 1 - similarity)", n,
             linkage_label(opt->linkage));
    st = simdepth_i_canvas_new(r, W, H, title, &cv, err);
    if (st != SIMDEPTH_OK) {
        tree_free(&t);
        return st;
    }
    memset(&g, 0, sizeof g);
    g.top = top;
    g.pitch = pitch;
    if (!top) {
        /* root at the left, leaves at the right, labels right of the leaves */
        g.u0 = margin + (stride > 1 ? base * 1.2 : 0.0);
        g.v_root = margin + base * 1.5;
        g.v_leaf = W - margin - label_w - 3.0;
        tree_len = g.v_leaf - g.v_root;
    } else {
        g.u0 = margin + base * 3.0;
        g.v_root = margin + base * 0.5;
        g.v_leaf = H - margin - axis_h + base * 1.2 - label_w - 3.0;
        tree_len = g.v_leaf - g.v_root;
    }
    if (!(tree_len > 20.0)) {
        simdepth_i_canvas_free(cv);
        tree_free(&t);
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "the figure is too small: the labels leave no room for the "
                                    "tree; give a larger --width/--height");
    }

    /* leaf labels */
    simdepth_i_canvas_group_begin(cv, "leaves", NULL);
    for (i = 0; i < n; i++) {
        size_t c = t.order[i];
        double x, y;
        char tip[600];
        int thinned = i % stride != 0;
        if (thinned && cv->format != SIMDEPTH_IMAGE_SVG)
            continue;
        if (thinned)
            simdepth_i_canvas_hide(cv, 1);
        if (thinned)
            snprintf(buf, sizeof buf, "%s", r->names[c]);
        else
            simdepth_i_fit_text(cv, r->names[c], fsize, label_w, buf, sizeof buf);
        tree_xy(&g, &t, (double)i, 0.0, &x, &y);
        snprintf(tip, sizeof tip, "%s (%s), cluster %d", r->names[c],
                 simdepth_labels_key(r->info->labels, c), t.label[c]);
        simdepth_i_canvas_group_begin(cv, NULL, tip);
        if (!top)
            simdepth_i_canvas_text(cv, x + 3.0, y + fsize * 0.36, buf, fsize, SIMDEPTH_I_START,
                                   0, simdepth_theme_categorical(th, t.colour[c]).a > 0 ? fg : fg,
                                   0);
        else
            simdepth_i_canvas_text(cv, x + fsize * 0.36, y + 3.0, buf, fsize, SIMDEPTH_I_END, 1,
                                   fg, 0);
        simdepth_i_canvas_group_end(cv);
        if (thinned)
            simdepth_i_canvas_hide(cv, 0);
    }
    simdepth_i_canvas_group_end(cv);

    simdepth_i_canvas_group_begin(cv, "tree", NULL);
    tree_draw(cv, r, &t, &g, lw * 1.1);
    simdepth_i_canvas_group_end(cv);
    if (opt->node_labels)
        tree_node_labels(cv, r, &t, &g, fmax(simdepth_theme_min_font_size(th), base * 0.8));

    /* height axis */
    step = simdepth_i_nice_step(t.max_h, 5);
    {
        double ax0, ay0, ax1, ay1, a[4], tick = 3.0;
        double lab_off;
        if (!top) {
            double yaxis = g.u0 + n * pitch + 2.0;
            tree_xy(&g, &t, 0, 0.0, &ax0, &ay0);
            tree_xy(&g, &t, 0, t.max_h, &ax1, &ay1);
            a[0] = ax1;
            a[1] = yaxis;
            a[2] = ax0;
            a[3] = yaxis;
            simdepth_i_canvas_polyline(cv, a, 2, &fg, lw * 0.8, 0);
            for (v = 0.0; v <= t.max_h + step * 1e-6; v += step) {
                double x, y;
                tree_xy(&g, &t, 0, v, &x, &y);
                a[0] = x;
                a[1] = yaxis;
                a[2] = x;
                a[3] = yaxis + tick;
                simdepth_i_canvas_polyline(cv, a, 2, &fg, lw * 0.8, 0);
                simdepth_i_format_tick(v, step, buf, sizeof buf);
                simdepth_i_canvas_text(cv, x, yaxis + tick + base, buf, SMALL(base, 0.9),
                                       SIMDEPTH_I_MIDDLE, 0, fg, 0);
            }
            lab_off = yaxis + tick + base * 2.2;
            snprintf(buf, sizeof buf, "distance 1 \xe2\x88\x92 similarity (%s linkage)",
                     linkage_label(opt->linkage));
            simdepth_i_canvas_text(cv, (ax0 + ax1) / 2, lab_off, buf, SMALL(base, 0.9),
                                   SIMDEPTH_I_MIDDLE, 0, fg, 0);
            colour_note(cv, &t, note2, (ax0 + ax1) / 2, lab_off + base * 1.2, base, muted);
        } else {
            double xaxis = margin + base * 3.0 - 2.0;
            tree_xy(&g, &t, 0, 0.0, &ax0, &ay0);
            tree_xy(&g, &t, 0, t.max_h, &ax1, &ay1);
            a[0] = xaxis;
            a[1] = ay1;
            a[2] = xaxis;
            a[3] = ay0;
            simdepth_i_canvas_polyline(cv, a, 2, &fg, lw * 0.8, 0);
            for (v = 0.0; v <= t.max_h + step * 1e-6; v += step) {
                double x, y;
                tree_xy(&g, &t, 0, v, &x, &y);
                a[0] = xaxis - tick;
                a[1] = y;
                a[2] = xaxis;
                a[3] = y;
                simdepth_i_canvas_polyline(cv, a, 2, &fg, lw * 0.8, 0);
                simdepth_i_format_tick(v, step, buf, sizeof buf);
                simdepth_i_canvas_text(cv, xaxis - tick - 1.5, y + base * 0.32, buf, SMALL(base, 0.9),
                                       SIMDEPTH_I_END, 0, fg, 0);
            }
            snprintf(buf, sizeof buf, "1 \xe2\x88\x92 similarity (%s linkage)",
                     linkage_label(opt->linkage));
            simdepth_i_canvas_text(cv, margin + base * 0.8, (ay0 + ay1) / 2, buf, SMALL(base, 0.9),
                                   SIMDEPTH_I_MIDDLE, 1, fg, 0);
            colour_note(cv, &t, note2, W / 2, H - margin - (note2 ? base : 0.0), base, muted);
        }
        if (stride > 1) {
            snprintf(buf, sizeof buf, "every %zu%s leaf labelled", stride,
                     stride == 2 ? "nd" : stride == 3 ? "rd" : "th");
            simdepth_i_canvas_text(cv, W - margin, margin + base * 0.2, buf, SMALL(base, 0.8),
                                   SIMDEPTH_I_END, 0, muted, 0);
        }
    }
    st = simdepth_i_canvas_finish(cv, out, err);
    simdepth_i_canvas_free(cv);
    tree_free(&t);
    return st;
}

/* ---------------------------------------------------------------- heatmap */

/* Colour scale of one panel. */
typedef struct scale {
    int diverging;     /* signed values: diverging map over [-max, max] */
    int sqrt_scale;    /* confusion: square-root scale */
    double lo, hi;     /* sequential range */
    int invert;        /* strong = dark on light backgrounds */
} scale;

static simdepth_rgba scale_colour(const simdepth_theme *th, const scale *sc, double v)
{
    double t;

    if (sc->diverging)
        return simdepth_theme_diverging(th, v, sc->hi);
    t = sc->hi > sc->lo ? (v - sc->lo) / (sc->hi - sc->lo) : 1.0;
    if (t < 0.0)
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    if (sc->sqrt_scale)
        t = sqrt(t);
    return simdepth_colormap_eval(simdepth_theme_sequential(th), sc->invert ? 1.0 - t : t);
}

static void colour_bar(simdepth_i_canvas *cv, const simdepth_i_render *r, const scale *sc,
                       double x, double y, double w, double h, const char *title, double size,
                       int percent)
{
    const simdepth_theme *th = r->theme;
    simdepth_rgba fg = simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND);
    double lo = sc->diverging ? -sc->hi : sc->lo, hi = sc->hi, step, v;
    int steps = 64, i;
    char buf[64];
    unsigned char pix[64 * 3];
    double last = -INFINITY;

    simdepth_i_canvas_text(cv, x, y - size * 0.6, title, size, SIMDEPTH_I_START, 0, fg, 0);
    /* as an image: a smooth ramp, one pixel column high */
    for (i = 0; i < steps; i++) {
        double f = 1.0 - (i + 0.5) / steps, val;
        simdepth_rgba c;
        if (sc->sqrt_scale)
            val = lo + (hi - lo) * f * f;
        else
            val = lo + (hi - lo) * f;
        c = scale_colour(th, sc, val);
        pix[3 * i] = (unsigned char)lround(c.r * 255);
        pix[3 * i + 1] = (unsigned char)lround(c.g * 255);
        pix[3 * i + 2] = (unsigned char)lround(c.b * 255);
    }
    simdepth_i_canvas_image(cv, x, y, w, h, pix, 1, steps);
    simdepth_i_canvas_rect(cv, x, y, w, h, NULL, &fg, 0.4);
    step = simdepth_i_nice_step(hi - lo, sc->sqrt_scale ? 4 : 5);
    /* from the top down, so that the end of the range is always labelled;
     * a label closer than a line to the one above is left out (its tick
     * stays) */
    for (v = floor(hi / step + 1e-6) * step; v >= lo - step * 1e-6; v -= step) {
        double f = hi > lo ? (v - lo) / (hi - lo) : 0.0, yy, a[4];
        if (fabs(v) < step * 1e-6) { /* the sum of steps from the top */
            v = 0.0;
            f = hi > lo ? (v - lo) / (hi - lo) : 0.0;
        }
        f = fmin(1.0, fmax(0.0, f));
        if (sc->sqrt_scale)
            f = sqrt(f);
        yy = y + h - f * h;
        a[0] = x + w;
        a[1] = yy;
        a[2] = x + w + 2.5;
        a[3] = yy;
        simdepth_i_canvas_polyline(cv, a, 2, &fg, 0.5, 0);
        if (yy - last < size * 1.05)
            continue;
        last = yy;
        if (percent) {
            double p = v * 100.0;
            if (fabs(p) < 1e-9)
                p = 0.0;
            snprintf(buf, sizeof buf, step * 100 >= 1.0 ? "%.0f%%" : "%.1f%%", p);
        } else {
            simdepth_i_format_tick(v, step, buf, sizeof buf);
        }
        simdepth_i_canvas_text(cv, x + w + 4.0, yy + size * 0.35, buf, size, SIMDEPTH_I_START, 0,
                               fg, 0);
    }
}

/* Draw one n x n panel: @val(i, j) for the classes at positions i (row)
 * and j (column); @skip(i, j) leaves a cell empty. */
typedef struct panel {
    const simdepth_i_render *r;
    const tree *t;
    const scale *sc;
    int kind;           /* 0 similarity, 1 confusion */
    const double *rowsum;
    int lower;
} panel;

static int panel_value(const panel *p, size_t pi, size_t pj, double *v, int *masked)
{
    size_t a = p->t->order[pi], b = p->t->order[pj];

    *masked = 0;
    if (p->kind == 0) {
        if (p->lower && pj > pi)
            return 0;
        *v = simdepth_matrix_get(p->r->s, a, b);
        return 1;
    }
    if (a == b) {
        *masked = 1;
        *v = 0.0;
        return 1;
    }
    *v = p->rowsum[a] > 0 ? simdepth_matrix_get(p->r->conf, a, b) / p->rowsum[a] : 0.0;
    return 1;
}

/* Mark the masked diagonal cells (correct predictions) so that they cannot
 * pass for a low rate, even in grayscale where their grey is close to the
 * light end of the map: a cross in each cell, or, when cells are too small
 * for one, a stroke corner to corner (which reads as one line along the
 * diagonal). */
static void diagonal_marks(simdepth_i_canvas *cv, const panel *p, double x0, double y0,
                           double M)
{
    size_t n = p->t->n, i;
    double cell = M / n, lw = fmin(0.6, fmax(0.25, cell * 0.08)), in = cell >= 8.0 ? 0.22 : 0.0;
    simdepth_rgba fg = simdepth_theme_color_get(p->r->theme, SIMDEPTH_THEME_FOREGROUND);

    simdepth_i_canvas_group_begin(cv, "diagonal", "diagonal: correct predictions");
    for (i = 0; i < n; i++) {
        double v, xy[4];
        int masked = 0;
        if (!panel_value(p, i, i, &v, &masked) || !masked)
            continue;
        xy[0] = x0 + (i + in) * cell;
        xy[1] = y0 + (i + in) * cell;
        xy[2] = x0 + (i + 1 - in) * cell;
        xy[3] = y0 + (i + 1 - in) * cell;
        simdepth_i_canvas_polyline(cv, xy, 2, &fg, lw, 0);
        if (in > 0) {
            xy[0] = x0 + (i + 1 - in) * cell;
            xy[2] = x0 + (i + in) * cell;
            simdepth_i_canvas_polyline(cv, xy, 2, &fg, lw, 0);
        }
    }
    simdepth_i_canvas_group_end(cv);
}

static void panel_draw(simdepth_i_canvas *cv, const panel *p, double x0, double y0, double M,
                       int raster)
{
    const simdepth_theme *th = p->r->theme;
    size_t n = p->t->n, i, j;
    double cell = M / n;
    simdepth_rgba diag = simdepth_theme_color_get(th, SIMDEPTH_THEME_DIAGONAL);
    simdepth_rgba bg = simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND);

    if (raster) {
        unsigned char *pix = simdepth_i_malloc_array(n * n, 3);
        if (pix == NULL)
            return;
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++) {
                double v;
                int masked;
                simdepth_rgba c = bg;
                if (panel_value(p, i, j, &v, &masked))
                    c = masked ? diag : scale_colour(th, p->sc, v);
                pix[3 * (i * n + j)] = (unsigned char)lround(c.r * 255);
                pix[3 * (i * n + j) + 1] = (unsigned char)lround(c.g * 255);
                pix[3 * (i * n + j) + 2] = (unsigned char)lround(c.b * 255);
            }
        simdepth_i_canvas_image(cv, x0, y0, M, M, pix, (int)n, (int)n);
        free(pix);
        diagonal_marks(cv, p, x0, y0, M);
        return;
    }
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double v;
            int masked;
            simdepth_rgba c;
            char tip[400], val[32];
            size_t a = p->t->order[i], b = p->t->order[j];
            if (!panel_value(p, i, j, &v, &masked))
                continue;
            c = masked ? diag : scale_colour(th, p->sc, v);
            if (p->kind == 0)
                snprintf(val, sizeof val, "%.3f", v);
            else
                simdepth_i_format_percent(v, val, sizeof val);
            if (p->kind == 0)
                snprintf(tip, sizeof tip, "%s \xe2\x80\x93 %s: similarity %s", p->r->names[a],
                         p->r->names[b], val);
            else
                snprintf(tip, sizeof tip, "%s predicted as %s: %s", p->r->names[a],
                         p->r->names[b], masked ? "(correct)" : val);
            simdepth_i_canvas_group_begin(cv, NULL, tip);
            /* a hair of overlap hides anti-aliasing seams between cells */
            simdepth_i_canvas_rect(cv, x0 + j * cell, y0 + i * cell, cell + 0.05, cell + 0.05, &c,
                                   NULL, 0);
            simdepth_i_canvas_group_end(cv);
        }
    diagonal_marks(cv, p, x0, y0, M);
}

/* Boxes around runs of one cluster along the diagonal. */
static void cluster_boxes(simdepth_i_canvas *cv, const simdepth_i_render *r, const tree *t,
                          double x0, double y0, double M, double lw)
{
    size_t n = t->n, i = 0;
    double cell = M / n;
    simdepth_rgba fg = simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_FOREGROUND);

    while (i < n) {
        size_t j = i + 1;
        while (j < n && t->label[t->order[j]] == t->label[t->order[i]])
            j++;
        if (j - i >= 2)
            simdepth_i_canvas_rect(cv, x0 + i * cell, y0 + i * cell, (j - i) * cell,
                                   (j - i) * cell, NULL, &fg, lw);
        i = j;
    }
}

/* How many clusters of 2+ members are not one run of the leaf order (so
 * that cluster_boxes draws them in pieces, or not at all for lone leaves);
 * SIZE_MAX when out of memory. */
static size_t clusters_split(const tree *t)
{
    size_t n = t->n, i, k, split = 0;
    size_t *members = simdepth_i_calloc(t->n_clusters + 1, sizeof *members);
    size_t *runs = simdepth_i_calloc(t->n_clusters + 1, sizeof *runs);

    if (members == NULL || runs == NULL) {
        free(members);
        free(runs);
        return SIZE_MAX;
    }
    for (i = 0; i < n; i++) {
        size_t c = t->colour[t->order[i]];
        if (c > t->n_clusters)
            continue;
        members[c]++;
        if (i == 0 || t->label[t->order[i - 1]] != t->label[t->order[i]])
            runs[c]++;
    }
    for (k = 0; k <= t->n_clusters; k++)
        split += members[k] >= 2 && runs[k] > 1;
    free(members);
    free(runs);
    return split;
}

simdepth_status simdepth_i_render_heatmap(const simdepth_i_render *r, simdepth_i_buf *out,
                                          simdepth_error *err)
{
    const simdepth_theme *th = r->theme;
    const simdepth_render_options *opt = r->opt;
    tree t;
    tree_geom g;
    simdepth_i_canvas *cv = NULL;
    simdepth_status st;
    size_t n = r->n, i, j, stride, P = r->conf ? 2 : 1;
    double base = simdepth_theme_font_size(th), lw = simdepth_theme_line_width(th);
    double W, H, margin = 6.0, M, D, L = 0, CB, gap = 6.0, pitch, fsize, titles, x0, y0, py;
    int stack; /* a narrow figure: the confusion matrix under the similarity */
    size_t cap_lines = 0, k;
    char caps[3][320];
    simdepth_render_options o2;
    simdepth_i_render r2;
    simdepth_i_canvas *m = NULL;
    double *rowsum = NULL, minv = INFINITY, maxv = -INFINITY, maxconf = 0.0;
    int raster = opt->raster < 0 ? n > 64 : opt->raster;
    size_t split = 0;
    scale ss, cs;
    simdepth_rgba fg = simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND);
    simdepth_rgba muted = simdepth_theme_color_get(th, SIMDEPTH_THEME_MUTED);
    int dark = simdepth_rgba_lightness(simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND)) <
               50.0;
    char buf[256], title[200];

    st = tree_build(r, &t, err);
    if (st != SIMDEPTH_OK)
        return st;
    /* scales */
    for (i = 0; i < n; i++)
        for (j = 0; j < n; j++) {
            double v = simdepth_matrix_get(r->s, i, j);
            if (i == j)
                continue;
            if (v < minv)
                minv = v;
            if (v > maxv)
                maxv = v;
        }
    memset(&ss, 0, sizeof ss);
    ss.invert = !dark;
    if (minv < 0.0) {
        ss.diverging = 1;
        ss.hi = fmax(fabs(minv), fabs(maxv));
        ss.hi = fmax(ss.hi, 1.0);
    } else {
        ss.lo = minv < 0.05 ? 0.0 : minv;
        ss.hi = fmax(1.0, maxv);
    }
    memset(&cs, 0, sizeof cs);
    cs.invert = !dark;
    cs.sqrt_scale = 1;
    if (r->conf != NULL) {
        rowsum = simdepth_i_calloc(n, sizeof *rowsum);
        if (rowsum == NULL) {
            tree_free(&t);
            return simdepth_i_enomem(err, "the heatmap");
        }
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                rowsum[i] += simdepth_matrix_get(r->conf, i, j);
        for (i = 0; i < n; i++)
            for (j = 0; j < n; j++)
                if (i != j && rowsum[i] > 0) {
                    double v = simdepth_matrix_get(r->conf, i, j) / rowsum[i];
                    if (v > maxconf)
                        maxconf = v;
                }
        cs.lo = 0.0;
        cs.hi = maxconf > 0 ? maxconf : 1.0;
    }

    /* Layout: [dendrogram D][matrix M]([gap][matrix M])[labels L][bars CB] */
    W = opt->width > 0 ? opt->width : (P == 2 ? 468.0 : 360.0);
    CB = base * 4.2 + 8.0;
    titles = base * 2.0;
    /* first guess of M without labels, then with measured labels */
    stack = P == 2 && W < 400.0;
    M = (W - 2 * margin - CB - gap * (P + 1)) / (P + 0.18);
    if (stack)
        M = (W - 2 * margin - CB - gap * 2) / 1.18;
    for (int pass = 0; pass < 2; pass++) {
        pitch = M / n;
        label_fit(th, n, pitch, &fsize, &stride);
        if (pass == 0) {
            o2 = *opt;
            r2 = *r;
            o2.format = SIMDEPTH_IMAGE_SVG;
            r2.opt = &o2;
            st = simdepth_i_canvas_new(&r2, 10, 10, "", &m, err);
            if (st != SIMDEPTH_OK)
                goto out;
            /* every label: the second pass may show others (a new stride) */
            for (i = 0; i < n; i++) {
                double w = simdepth_i_canvas_text_width(m, r->names[t.order[i]], fsize, 0);
                if (w > L)
                    L = w;
            }
            L = fmin(L, 0.22 * W) + 3.0;
            M = (W - 2 * margin - CB - L - gap * (P + 1)) / (P + 0.18);
            if (stack)
                M = (W - 2 * margin - CB - L - gap * 2) / 1.18;
        }
    }
    /* the captions, wrapped to the figure's width */
    split = clusters_split(&t);
    if (split == SIZE_MAX)
        split = 0;
    caps[0][0] = caps[1][0] = caps[2][0] = '\0';
    if (split > 0)
        snprintf(caps[0], sizeof caps[0],
                 "boxes: runs of one cluster in leaf order; %zu of the clusters are split "
                 "by the order into several boxes (a lone leaf gets none)",
                 split);
    snprintf(caps[1], sizeof caps[1], "%s (%s); order: %s linkage, optimal leaf order%s",
             split > 0 ? "clusters" : "boxes: clusters", t.how,
             linkage_label(opt->linkage), stride > 1 ? "; every " : "");
    if (stride > 1) {
        char more[64];
        snprintf(more, sizeof more, "%zu%s label shown", stride,
                 stride == 2 ? "nd" : stride == 3 ? "rd" : "th");
        strncat(caps[1], more, sizeof caps[1] - strlen(caps[1]) - 1);
    }
    if (r->conf != NULL)
        snprintf(caps[2], sizeof caps[2], "%s",
                 "confusion: rows are true classes; error rates on a square-root "
                 "scale; diagonal (correct) grey, struck through");
    for (k = 0; k < 3; k++)
        if (caps[k][0] != '\0')
            cap_lines += simdepth_i_wrap_text(m, caps[k], SMALL(base, 0.8), W - 2 * margin, 0,
                                              0, 0, fg, 0);
    simdepth_i_canvas_free(m);
    m = NULL;
    if (!(M > 20.0)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                  "the figure is too narrow for the heatmap; give a larger "
                                  "--width");
        goto out;
    }
    D = 0.18 * M;
    pitch = M / n;
    H = opt->height > 0 ? opt->height
                        : margin + (stack ? 2.0 : 1.0) * (titles + M + 3.0 + L) +
                              base * (0.6 + (double)cap_lines) + margin;

    snprintf(title, sizeof title, "Similarity heatmap of %zu classes%s", n,
             r->conf ? " with the confusion matrix" : "");
    st = simdepth_i_canvas_new(r, W, H, title, &cv, err);
    if (st != SIMDEPTH_OK)
        goto out;
    x0 = margin + D + gap;
    y0 = margin + titles;

    /* dendrogram on the left, leaves at the rows */
    memset(&g, 0, sizeof g);
    g.top = 0;
    g.u0 = y0;
    g.pitch = pitch;
    g.v_root = margin;
    g.v_leaf = x0 - 1.5;
    simdepth_i_canvas_group_begin(cv, "dendrogram", NULL);
    tree_draw(cv, r, &t, &g, fmax(0.3, lw * (n > 200 ? 0.5 : 0.9)));
    simdepth_i_canvas_group_end(cv);
    if (stack) { /* again left of the confusion matrix */
        g.u0 = y0 + titles + M + 3.0 + L;
        simdepth_i_canvas_group_begin(cv, "dendrogram-confusion", NULL);
        tree_draw(cv, r, &t, &g, fmax(0.3, lw * (n > 200 ? 0.5 : 0.9)));
        simdepth_i_canvas_group_end(cv);
    }

    for (size_t p = 0; p < P; p++) {
        panel pn;
        double px = stack ? x0 : x0 + p * (M + gap);
        py = stack && p == 1 ? y0 + titles + M + 3.0 + L : y0;
        memset(&pn, 0, sizeof pn);
        pn.r = r;
        pn.t = &t;
        pn.sc = p == 0 ? &ss : &cs;
        pn.kind = (int)p;
        pn.rowsum = rowsum;
        pn.lower = p == 0 && opt->lower_triangle;
        simdepth_i_canvas_group_begin(cv, p == 0 ? "similarity" : "confusion", NULL);
        panel_draw(cv, &pn, px, py, M, raster);
        simdepth_i_canvas_group_end(cv);
        cluster_boxes(cv, r, &t, px, py, M, fmax(0.4, lw * 0.8));
        simdepth_i_canvas_rect(cv, px, py, M, M, NULL, &muted, 0.4);
        simdepth_i_canvas_text(cv, stack ? margin : px + M / 2, py - base * 0.6,
                               p == 0 ? (ss.diverging ? "Perceived similarity (signed)"
                                                      : "Perceived similarity")
                                      : "Confusion: row class predicted as column",
                               base, stack ? SIMDEPTH_I_START : SIMDEPTH_I_MIDDLE, 0, fg, 0);
        /* column labels, reading upwards, below the matrix */
        for (i = 0; i < n; i++) {
            int thinned = i % stride != 0;
            if (thinned && cv->format != SIMDEPTH_IMAGE_SVG)
                continue;
            if (thinned)
                simdepth_i_canvas_hide(cv, 1);
            if (thinned) /* hidden: keep the whole name */
                snprintf(buf, sizeof buf, "%s", r->names[t.order[i]]);
            else
                simdepth_i_fit_text(cv, r->names[t.order[i]], fsize, L - 3.0, buf, sizeof buf);
            simdepth_i_canvas_text(cv, px + (i + 0.5) * pitch + fsize * 0.36, py + M + 3.0, buf,
                                   fsize, SIMDEPTH_I_END, 1, fg, 0);
            if (thinned)
                simdepth_i_canvas_hide(cv, 0);
        }
    }
    /* row labels right of the last matrix (of each, when stacked) */
    for (size_t p = 0; p < (stack ? P : 1); p++) {
        double lx = stack ? x0 + M + 3.0 : x0 + P * M + (P - 1) * gap + 3.0;
        py = p == 1 ? y0 + titles + M + 3.0 + L : y0;
        for (i = 0; i < n; i++) {
            int thinned = i % stride != 0;
            if (thinned && cv->format != SIMDEPTH_IMAGE_SVG)
                continue;
            if (thinned)
                simdepth_i_canvas_hide(cv, 1);
            if (thinned) /* hidden: keep the whole name */
                snprintf(buf, sizeof buf, "%s", r->names[t.order[i]]);
            else
                simdepth_i_fit_text(cv, r->names[t.order[i]], fsize, L - 3.0, buf, sizeof buf);
            simdepth_i_canvas_text(cv, lx, py + (i + 0.5) * pitch + fsize * 0.36, buf, fsize,
                                   SIMDEPTH_I_START, 0, fg, 0);
            if (thinned)
                simdepth_i_canvas_hide(cv, 0);
        }
    }
    /* colour bars */
    {
        double bx = W - margin - CB + 4.0, bh = P == 2 && !stack ? M * 0.4 : M * 0.6;
        colour_bar(cv, r, &ss, bx, y0 + base, base * 0.9, bh, "similarity", SMALL(base, 0.85), 0);
        if (P == 2)
            colour_bar(cv, r, &cs, bx,
                       stack ? y0 + titles + M + 3.0 + L + base : y0 + M * 0.55 + base,
                       base * 0.9, bh, "error rate", SMALL(base, 0.85), 1);
    }
    /* captions; the boxes are runs of one cluster along the leaf order:
     * when a cluster is split by that order, a line of its own says so */
    {
        double cy = H - margin - base * (double)(cap_lines - 1);
        for (k = 0; k < 3; k++)
            if (caps[k][0] != '\0') {
                size_t nl = simdepth_i_wrap_text(cv, caps[k], SMALL(base, 0.8),
                                                 W - 2 * margin, margin, cy, base, muted, 1);
                cy += base * (double)nl;
            }
    }
    st = simdepth_i_canvas_finish(cv, out, err);
out:
    simdepth_i_canvas_free(m);
    simdepth_i_canvas_free(cv);
    free(rowsum);
    tree_free(&t);
    return st;
}
