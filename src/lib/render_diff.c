/* simdepth — comparison figures of two models (a graph diff and a
 * tanglegram) and labelled scatter / line plots (SD against compliance or
 * accuracy, SD over epochs).
 *
 * Everything is drawn on the canvas of render_cairo.c (SVG as text, every
 * label an SVG <text>; PDF and PNG through cairo), so themes, sizes,
 * metadata and determinism work as for simdepth_render_write().
 *
 * Graph diff: the union of both models' spanning-tree edges
 * (simdepth_forest_diff_new()) over the classes, A's clusters as boxes.
 * Graphviz (dot) only lays the graph out: the DOT text is written here
 * (it is also the DOT output), read back with sequential object ids (so
 * the layout does not depend on heap addresses); dot lays out each of A's
 * clusters on its own, they are packed in rows here, and the positions
 * Graphviz returns
 * (node "pos", edge splines, cluster "bb") are drawn on the canvas; the
 * dropped edges are drawn as arcs over the layout; the legend and the
 * caption go below. Dotted lines (only-B edges) are drawn as short
 * segments, since the canvas knows solid and dashed only.
 *
 * Tanglegram: each model's dendrogram of 1 - S (as the dendrogram figure:
 * opt->linkage, optimal leaf order up to 2,000 leaves), untangled by
 * simdepth_tanglegram_untangle(), facing each other; leaves joined by
 * lines that say whether the class's cluster membership agrees
 * (simdepth_partition_item_agreement()).
 *
 * Plot: nice ticks, points, optional lines in point order, and labels
 * placed greedily at the first free candidate position around each point
 * (rings of growing distance; beyond the first ring a leader line joins
 * label and point). Free means: inside the plot area, not over another
 * label, any point, or (first choice) the plotted line, with a leader
 * that crosses no label or other point. In SVG each label's box is written
 * as an invisible rect in a group with id "label-box-K" and each point's
 * marker box in "point-box-K" (K: the point's index), so that tests (and
 * users) can check the placement.
 *
 * Helpers duplicated from render_cairo.c / render_gv.c (static there):
 * label_fit, the linkage part of tree_build (linkage_of), and from
 * render_gv.c the Graphviz error collection (gv_errf/gv_fail) and gv_get;
 * the axis, tick and text helpers are shared (render_common.c). DOT is read back through
 * render_gv.c's simdepth_i_gv_read() (sequential ids).
 */
#include "config.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/compare.h"
#include "simdepth/render.h"
#include "simdepth/simdepth.h"
#include "render_i.h"

/* ------------------------------------------------------------ shared bits */

/* Labels along an axis @pitch apart: the font size and the stride (every
 * @stride-th label shown) that keep them readable. */
static void label_fit(const simdepth_theme *th, double pitch, double *size, size_t *stride)
{
    double base = simdepth_theme_font_size(th), minf = simdepth_theme_min_font_size(th);
    double f = pitch / 1.2;

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

static const char *ordinal_suffix(size_t k)
{
    return k % 100 >= 11 && k % 100 <= 13 ? "th"
         : k % 10 == 1                    ? "st"
         : k % 10 == 2                    ? "nd"
         : k % 10 == 3                    ? "rd"
                                          : "th";
}

/* The context every figure needs; names are filled only with @info. */
static simdepth_status ctx_init(simdepth_i_render *r, const simdepth_render_options *opt,
                                const simdepth_report_info *info, size_t n,
                                simdepth_theme **own, simdepth_error *err)
{
    size_t i;
    simdepth_status st;

    memset(r, 0, sizeof *r);
    *own = NULL;
    r->opt = opt;
    r->info = info;
    r->n = n;
    snprintf(r->software, sizeof r->software, "simdepth %s", simdepth_version());
    if (opt->theme != NULL) {
        r->theme = opt->theme;
    } else {
        st = simdepth_theme_new_default(own, err);
        if (st != SIMDEPTH_OK)
            return st;
        r->theme = *own;
    }
    if (info == NULL)
        return SIMDEPTH_OK;
    r->names = simdepth_i_malloc_array(n ? n : 1, sizeof *r->names);
    if (r->names == NULL) {
        simdepth_theme_free(*own);
        *own = NULL;
        return simdepth_i_enomem(err, "class names");
    }
    for (i = 0; i < n; i++)
        r->names[i] = NULL;
    for (i = 0; i < n; i++)
        if ((r->names[i] = simdepth_i_class_name(info, i)) == NULL) {
            size_t j;
            for (j = 0; j < i; j++)
                free((void *)r->names[j]);
            free((void *)r->names);
            r->names = NULL;
            simdepth_theme_free(*own);
            *own = NULL;
            return simdepth_i_enomem(err, "class names");
        }
    return SIMDEPTH_OK;
}

static void ctx_free(simdepth_i_render *r, simdepth_theme *own)
{
    size_t i;

    if (r->names != NULL)
        for (i = 0; i < r->n; i++)
            free((void *)r->names[i]);
    free((void *)r->names);
    r->names = NULL;
    simdepth_theme_free(own);
}

static simdepth_status check_options(const simdepth_render_options *opt, simdepth_error *err)
{
    if ((unsigned)opt->format > SIMDEPTH_IMAGE_DOT)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "unknown format");
    if (!(opt->dpi >= 10.0 && opt->dpi <= 4800.0))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "dpi %g: expected 10 to 4800", opt->dpi);
    if (opt->width < 0.0 || opt->height < 0.0 || !isfinite(opt->width) ||
        !isfinite(opt->height))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "width and height must be positive");
    return SIMDEPTH_OK;
}

static simdepth_status write_out(FILE *f, const simdepth_i_buf *out, simdepth_error *err)
{
    if (out->failed)
        return simdepth_i_enomem(err, "the figure");
    if (fwrite(out->data, 1, out->len, f) != out->len || ferror(f))
        return simdepth_i_error_set(err, SIMDEPTH_EIO, NULL, 0, 0, -1,
                                    "cannot write the figure: %s", strerror(errno));
    return SIMDEPTH_OK;
}

/* A measuring canvas (SVG, never finished). */
static simdepth_status measurer(const simdepth_i_render *r, simdepth_render_options *o2,
                                simdepth_i_render *r2, simdepth_i_canvas **m,
                                simdepth_error *err)
{
    *o2 = *r->opt;
    *r2 = *r;
    o2->format = SIMDEPTH_IMAGE_SVG;
    r2->opt = o2;
    return simdepth_i_canvas_new(r2, 10, 10, "", m, err);
}

/* Line patterns the canvas lacks: a dotted (@pattern 2: dots) or finely
 * dashed line along the polyline @xy of @n points, as separate short
 * segments. */
static void patterned_polyline(simdepth_i_canvas *cv, const double *xy, size_t n,
                               const simdepth_rgba *c, double lw, double on, double off)
{
    double phase = 0.0; /* distance into the current on+off period */
    size_t i;

    for (i = 0; i + 1 < n; i++) {
        double x0 = xy[2 * i], y0 = xy[2 * i + 1], x1 = xy[2 * i + 2], y1 = xy[2 * i + 3];
        double len = hypot(x1 - x0, y1 - y0), t = 0.0;
        if (!(len > 0.0))
            continue;
        while (t < len) {
            double step;
            if (phase < on) {
                double seg[4], e;
                step = fmin(on - phase, len - t);
                e = t + step;
                seg[0] = x0 + (x1 - x0) * t / len;
                seg[1] = y0 + (y1 - y0) * t / len;
                seg[2] = x0 + (x1 - x0) * e / len;
                seg[3] = y0 + (y1 - y0) * e / len;
                simdepth_i_canvas_polyline(cv, seg, 2, c, lw, 0);
            } else {
                step = fmin(on + off - phase, len - t);
            }
            t += step;
            phase += step;
            if (phase >= on + off - 1e-9)
                phase = 0.0;
        }
    }
}

/* Flatten a cubic Bézier path (point 0, then 3 per segment) into a
 * polyline of @per points per segment; *out malloc'd. */
static double *bezier_flatten(const double *xy, size_t n, size_t per, size_t *n_out)
{
    size_t segs = n >= 4 ? (n - 1) / 3 : 0, s, k, m = 0;
    double *o = simdepth_i_malloc_array(segs * per + 1, 2 * sizeof *o);

    if (o == NULL)
        return NULL;
    o[m * 2] = xy[0];
    o[m * 2 + 1] = xy[1];
    m++;
    for (s = 0; s < segs; s++) {
        const double *p = xy + 6 * s;
        for (k = 1; k <= per; k++) {
            double t = (double)k / per, u = 1.0 - t;
            double b0 = u * u * u, b1 = 3 * u * u * t, b2 = 3 * u * t * t, b3 = t * t * t;
            o[m * 2] = b0 * p[0] + b1 * p[2] + b2 * p[4] + b3 * p[6];
            o[m * 2 + 1] = b0 * p[1] + b1 * p[3] + b2 * p[5] + b3 * p[7];
            m++;
        }
    }
    *n_out = m;
    return o;
}

/* Line styles of the comparison figures: 0 solid, 1 dashed, 2 dotted. */
static void styled_path(simdepth_i_canvas *cv, const double *xy, size_t n, int bezier,
                        const simdepth_rgba *c, double lw, int style)
{
    if (style == 2) {
        size_t m = n;
        double *flat = bezier ? bezier_flatten(xy, n, 16, &m) : NULL;
        patterned_polyline(cv, flat != NULL ? flat : xy, m, c, lw * 1.25, lw * 1.25,
                           lw * 1.9 + 0.6);
        free(flat);
        return;
    }
    simdepth_i_canvas_path(cv, xy, n, bezier, 0, NULL, c, lw, style == 1);
}

/* A rectangle with rounded corners (radius @rad), as a Bézier path. */
static void round_rect(simdepth_i_canvas *cv, double x, double y, double w, double h, double rad,
                       const simdepth_rgba *fill, const simdepth_rgba *stroke, double lw)
{
    double k = 0.5523 * rad, p[2 * 25];
    size_t i = 0;

    rad = fmin(rad, fmin(w, h) / 2);
    k = 0.5523 * rad;
#define PT(a, b) (p[2 * i] = (a), p[2 * i + 1] = (b), i++)
    PT(x + rad, y);
    PT(x + rad, y), PT(x + w - rad, y), PT(x + w - rad, y);
    PT(x + w - rad + k, y), PT(x + w, y + rad - k), PT(x + w, y + rad);
    PT(x + w, y + rad), PT(x + w, y + h - rad), PT(x + w, y + h - rad);
    PT(x + w, y + h - rad + k), PT(x + w - rad + k, y + h), PT(x + w - rad, y + h);
    PT(x + w - rad, y + h), PT(x + rad, y + h), PT(x + rad, y + h);
    PT(x + rad - k, y + h), PT(x, y + h - rad + k), PT(x, y + h - rad);
    PT(x, y + h - rad), PT(x, y + rad), PT(x, y + rad);
    PT(x, y + rad - k), PT(x + rad - k, y), PT(x + rad, y);
#undef PT
    simdepth_i_canvas_path(cv, p, i, 1, 1, fill, stroke, lw, 0);
}

/* ------------------------------------------------------------------ plot */

typedef struct lbox {
    double x, y, w, h;
} lbox;

static int box_overlap(const lbox *a, const lbox *b)
{
    return a->x < b->x + b->w && b->x < a->x + a->w && a->y < b->y + b->h &&
           b->y < a->y + a->h;
}

static int box_inside(const lbox *a, const lbox *area)
{
    return a->x >= area->x && a->y >= area->y && a->x + a->w <= area->x + area->w &&
           a->y + a->h <= area->y + area->h;
}

/* Does the segment (x0, y0)-(x1, y1) cross box @b (Liang-Barsky)? */
static int segment_hits_box(double x0, double y0, double x1, double y1, const lbox *b)
{
    double t0 = 0.0, t1 = 1.0, dx = x1 - x0, dy = y1 - y0;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {x0 - b->x, b->x + b->w - x0, y0 - b->y, b->y + b->h - y0};
    int k;

    for (k = 0; k < 4; k++) {
        if (p[k] == 0.0) {
            if (q[k] < 0.0)
                return 0;
        } else {
            double t = q[k] / p[k];
            if (p[k] < 0.0) {
                if (t > t1)
                    return 0;
                if (t > t0)
                    t0 = t;
            } else {
                if (t < t0)
                    return 0;
                if (t < t1)
                    t1 = t;
            }
        }
    }
    return t0 < t1;
}

/* The point on box @b's border closest to (@px, @py): where a leader line
 * ends. */
static void box_anchor(const lbox *b, double px, double py, double *ax, double *ay)
{
    *ax = fmin(fmax(px, b->x), b->x + b->w);
    *ay = fmin(fmax(py, b->y), b->y + b->h);
}

typedef struct plot_label {
    int placed;   /* 0: no label or not placed */
    int leader;
    lbox box;
} plot_label;

/* Place the labels of @n points at (@px, @py) (points with label width
 * @lw[i] < 0 have no label; @pbox[i] is each point's marker box), all of
 * height @h, inside @area. Greedy: points in the order of how crowded
 * their neighbourhood is (most first), each at the first free candidate. */
static simdepth_status place_labels(size_t n, const double *px, const double *py,
                                    const double *lw, double h, const lbox *pbox,
                                    const lbox *area, double r, const double *lxy, size_t nl,
                                    plot_label *out, simdepth_error *err)
{
    static const double dir[16][2] = {
        {1, 0}, {-1, 0}, {0, -1}, {0, 1}, {1, -1}, {-1, -1}, {1, 1}, {-1, 1},
        {1, -0.5}, {-1, -0.5}, {1, 0.5}, {-1, 0.5}, {0.5, -1}, {-0.5, -1}, {0.5, 1}, {-0.5, 1}};
    size_t *order = simdepth_i_malloc_array(n ? n : 1, sizeof *order);
    double *crowd = simdepth_i_calloc(n ? n : 1, sizeof *crowd);
    size_t i, j, k;

    if (order == NULL || crowd == NULL) {
        free(order);
        free(crowd);
        return simdepth_i_enomem(err, "the plot labels");
    }
    for (i = 0; i < n; i++) {
        order[i] = i;
        out[i].placed = 0;
        out[i].leader = 0;
        for (j = 0; j < n; j++)
            if (j != i && fabs(px[i] - px[j]) < 60.0 && fabs(py[i] - py[j]) < 3 * h)
                crowd[i] += 1.0;
    }
    /* insertion sort: crowded first, then index (stable, deterministic) */
    for (i = 1; i < n; i++) {
        size_t v = order[i];
        for (j = i; j > 0 && crowd[order[j - 1]] < crowd[v]; j--)
            order[j] = order[j - 1];
        order[j] = v;
    }
    for (k = 0; k < n; k++) {
        size_t p = order[k];
        double w = lw[p];
        int ring, found = 0;
        lbox best = {0, 0, 0, 0};
        if (w < 0.0)
            continue;
        /* strict: leaders cross no label and no other point; then any
         * free box, whatever its leader crosses */
        for (int strict = 1; strict >= 0 && !found; strict--)
        for (ring = 0; ring < 60 && !found; ring++) {
            double d = r + 1.5 + ring * h * 0.9;
            int nd = ring == 0 ? 8 : 16, q;
            for (q = 0; q < nd && !found; q++) {
                double dx = dir[q][0], dy = dir[q][1], cx, cy, ax, ay;
                lbox b;
                int ok = 1;
                /* the box touches the circle of radius d in direction q */
                cx = px[p] + dx * d;
                cy = py[p] + dy * d;
                b.w = w;
                b.h = h;
                b.x = dx > 0.2 ? cx : dx < -0.2 ? cx - w : cx - w / 2;
                b.y = dy > 0.2 ? cy : dy < -0.2 ? cy - h : cy - h / 2;
                if (!box_inside(&b, area))
                    continue;
                for (i = 0; i < n && ok; i++)
                    if (box_overlap(&b, &pbox[i]))
                        ok = 0;
                for (i = 0; i < n && ok; i++)
                    if (out[i].placed && box_overlap(&b, &out[i].box))
                        ok = 0;
                /* strict: nor over the lines joining the points */
                for (i = 0; strict && ok && i + 1 < nl; i++)
                    if (segment_hits_box(lxy[2 * i], lxy[2 * i + 1], lxy[2 * i + 2],
                                         lxy[2 * i + 3], &b))
                        ok = 0;
                if (!ok)
                    continue;
                if (ring > 0 && strict) {
                    /* the leader must not cross other labels or points */
                    box_anchor(&b, px[p], py[p], &ax, &ay);
                    for (i = 0; i < n && ok; i++) {
                        if (out[i].placed && segment_hits_box(px[p], py[p], ax, ay, &out[i].box))
                            ok = 0;
                        if (i != p && ok && segment_hits_box(px[p], py[p], ax, ay, &pbox[i]) &&
                            !(fabs(px[i] - px[p]) < 1e-9 && fabs(py[i] - py[p]) < 1e-9))
                            ok = 0;
                    }
                    if (!ok)
                        continue;
                }
                best = b;
                found = 1;
                out[p].leader = ring > 0;
            }
        }
        if (found) {
            out[p].placed = 1;
            out[p].box = best;
        }
    }
    free(order);
    free(crowd);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_render_plot_write(FILE *f, const simdepth_plot *plot,
                                           const simdepth_render_options *opt,
                                           simdepth_error *err)
{
    simdepth_render_options defaults, o2;
    simdepth_theme *own = NULL;
    simdepth_i_render r, r2;
    simdepth_i_canvas *cv = NULL, *m = NULL;
    simdepth_i_buf out = {0};
    simdepth_status st;
    const simdepth_theme *th;
    size_t i, np, nfin = 0;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    double W, H, base, lw, margin = 6.0, xstep, ystep, x0, x1, y0, y1, v;
    double left, right, top, bottom, ytick_w = 0.0, lh, R;
    double *px = NULL, *py = NULL, *lwid = NULL, *lxy = NULL;
    size_t nlxy = 0;
    lbox *pbox = NULL, area;
    plot_label *lab = NULL;
    simdepth_rgba fg, muted, pc, bg, grid;
    char buf[128];

    if (opt == NULL) {
        simdepth_render_options_init(&defaults);
        opt = &defaults;
    }
    if (f == NULL || plot == NULL || (plot->n_points > 0 && plot->points == NULL))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "a plot needs an output stream and its points");
    st = check_options(opt, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (opt->format == SIMDEPTH_IMAGE_DOT)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "DOT output exists for the graph only, not for a plot");
    np = plot->n_points;
    for (i = 0; i < np; i++) {
        const simdepth_plot_point *p = &plot->points[i];
        if (!isfinite(p->x) || !isfinite(p->y))
            continue;
        nfin++;
        xmin = fmin(xmin, p->x);
        xmax = fmax(xmax, p->x);
        ymin = fmin(ymin, p->y);
        ymax = fmax(ymax, p->y);
    }
    if (nfin == 0) {
        xmin = ymin = 0.0;
        xmax = ymax = 1.0;
    }
    /* a flat range gets a unit (or 10%) of room */
    if (!(xmax > xmin)) {
        double d = xmin == 0.0 ? 0.5 : fabs(xmin) * 0.1;
        xmin -= d;
        xmax += d;
    }
    if (!(ymax > ymin)) {
        double d = ymin == 0.0 ? 0.5 : fabs(ymin) * 0.1;
        ymin -= d;
        ymax += d;
    }
    st = ctx_init(&r, opt, NULL, 0, &own, err);
    if (st != SIMDEPTH_OK)
        return st;
    th = r.theme;
    base = simdepth_theme_font_size(th);
    lw = simdepth_theme_line_width(th);
    fg = simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND);
    muted = simdepth_theme_color_get(th, SIMDEPTH_THEME_MUTED);
    bg = simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND);
    pc = simdepth_theme_categorical(th, 0);
    grid = muted;
    grid.a = 0.18;
    W = opt->width > 0 ? opt->width : 360.0;
    H = opt->height > 0 ? opt->height : fmax(180.0, W * 0.72);
    R = fmax(1.6, base * 0.28);
    lh = base * 1.15;

    /* axis ranges: padded by 6%, extended to whole ticks */
    {
        double pad = 0.06 * (xmax - xmin);
        xmin -= pad;
        xmax += pad;
        pad = 0.08 * (ymax - ymin);
        ymin -= pad;
        ymax += pad;
    }
    xstep = simdepth_i_nice_step(xmax - xmin, W < 300 ? 4 : 5);
    ystep = simdepth_i_nice_step(ymax - ymin, H < 220 ? 4 : 5);
    /* the axes span the padded data range; ticks fall inside */
    x0 = xmin;
    x1 = xmax;
    y0 = ymin;
    y1 = ymax;

    st = measurer(&r, &o2, &r2, &m, err);
    if (st != SIMDEPTH_OK)
        goto out;
    for (v = ceil(y0 / ystep - 1e-9) * ystep; v <= y1 + ystep * 1e-6; v += ystep) {
        simdepth_i_format_tick(v, ystep, buf, sizeof buf);
        ytick_w = fmax(ytick_w, simdepth_i_canvas_text_width(m, buf, base * 0.9, 0));
    }
    left = margin + (plot->y_label != NULL ? base * 1.5 : 0.0) + ytick_w + 6.0;
    right = margin + base * 1.5; /* half of the last x tick label */
    top = margin + (plot->title != NULL ? simdepth_theme_title_size(th) * 1.6 : base * 0.6);
    bottom = margin + base * 1.5 + (plot->x_label != NULL ? base * 1.4 : 0.0) + 3.0;
    area.x = left;
    area.y = top;
    area.w = W - left - right;
    area.h = H - top - bottom;
    if (!(area.w > 40.0 && area.h > 40.0)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                  "the figure is too small for the plot; give a larger "
                                  "--width/--height");
        goto out;
    }
    /* x tick labels at least a blank apart: a coarser step if needed */
    for (int tries = 0; tries < 4; tries++) {
        double widest = 0.0, count = floor((x1 - x0) / xstep) + 1.0;
        for (v = ceil(x0 / xstep - 1e-9) * xstep; v <= x1 + xstep * 1e-6; v += xstep) {
            simdepth_i_format_tick(v, xstep, buf, sizeof buf);
            widest = fmax(widest, simdepth_i_canvas_text_width(m, buf, base * 0.9, 0));
        }
        if (count * (widest + base) <= area.w)
            break;
        xstep = simdepth_i_nice_step(xstep * 2.0 * 0.99, 1);
    }
    px = simdepth_i_malloc_array(np ? np : 1, sizeof *px);
    py = simdepth_i_malloc_array(np ? np : 1, sizeof *py);
    lwid = simdepth_i_malloc_array(np ? np : 1, sizeof *lwid);
    pbox = simdepth_i_malloc_array(np ? np : 1, sizeof *pbox);
    lab = simdepth_i_calloc(np ? np : 1, sizeof *lab);
    if (px == NULL || py == NULL || lwid == NULL || pbox == NULL || lab == NULL) {
        st = simdepth_i_enomem(err, "the plot");
        goto out;
    }
    for (i = 0; i < np; i++) {
        const simdepth_plot_point *p = &plot->points[i];
        int fin = isfinite(p->x) && isfinite(p->y);
        px[i] = fin ? area.x + (p->x - x0) / (x1 - x0) * area.w : -1e9;
        py[i] = fin ? area.y + area.h - (p->y - y0) / (y1 - y0) * area.h : -1e9;
        pbox[i].x = px[i] - R - 0.5;
        pbox[i].y = py[i] - R - 0.5;
        pbox[i].w = pbox[i].h = 2 * R + 1.0;
        lwid[i] = fin && p->label != NULL && p->label[0] != '\0'
                      ? simdepth_i_canvas_text_width(m, p->label, base * 0.9, 0) + 1.0
                      : -1.0;
    }
    if (plot->lines && nfin >= 2) {
        size_t q = 0;
        lxy = simdepth_i_malloc_array(nfin, 2 * sizeof *lxy);
        if (lxy == NULL) {
            st = simdepth_i_enomem(err, "the plot");
            goto out;
        }
        for (i = 0; i < np; i++)
            if (px[i] > -1e8) {
                lxy[2 * q] = px[i];
                lxy[2 * q + 1] = py[i];
                q++;
            }
        nlxy = q;
    }
    st = place_labels(np, px, py, lwid, lh, pbox, &area, R, lxy, nlxy, lab, err);
    if (st != SIMDEPTH_OK)
        goto out;

    st = simdepth_i_canvas_new(&r, W, H, plot->title != NULL ? plot->title : "Plot", &cv, err);
    if (st != SIMDEPTH_OK)
        goto out;
    /* grid, axes, ticks */
    simdepth_i_canvas_group_begin(cv, "axes", NULL);
    for (v = ceil(x0 / xstep - 1e-9) * xstep; v <= x1 + xstep * 1e-6; v += xstep) {
        double x = area.x + (v - x0) / (x1 - x0) * area.w, a[4];
        a[0] = x;
        a[1] = area.y;
        a[2] = x;
        a[3] = area.y + area.h;
        simdepth_i_canvas_polyline(cv, a, 2, &grid, 0.5, 0);
        a[1] = area.y + area.h;
        a[3] = area.y + area.h + 3.0;
        simdepth_i_canvas_polyline(cv, a, 2, &fg, lw * 0.8, 0);
        simdepth_i_format_tick(v, xstep, buf, sizeof buf);
        simdepth_i_canvas_text(cv, x, area.y + area.h + 3.0 + base, buf, base * 0.9,
                               SIMDEPTH_I_MIDDLE, 0, fg, 0);
    }
    for (v = ceil(y0 / ystep - 1e-9) * ystep; v <= y1 + ystep * 1e-6; v += ystep) {
        double y = area.y + area.h - (v - y0) / (y1 - y0) * area.h, a[4];
        a[0] = area.x;
        a[1] = y;
        a[2] = area.x + area.w;
        a[3] = y;
        simdepth_i_canvas_polyline(cv, a, 2, &grid, 0.5, 0);
        a[0] = area.x - 3.0;
        a[2] = area.x;
        simdepth_i_canvas_polyline(cv, a, 2, &fg, lw * 0.8, 0);
        simdepth_i_format_tick(v, ystep, buf, sizeof buf);
        simdepth_i_canvas_text(cv, area.x - 4.5, y + base * 0.32, buf, base * 0.9,
                               SIMDEPTH_I_END, 0, fg, 0);
    }
    {
        double a[6] = {area.x, area.y, area.x, area.y + area.h, area.x + area.w,
                       area.y + area.h};
        simdepth_i_canvas_polyline(cv, a, 3, &fg, lw * 0.8, 0);
    }
    if (plot->x_label != NULL)
        simdepth_i_canvas_text(cv, area.x + area.w / 2, H - margin - base * 0.25, plot->x_label,
                               base, SIMDEPTH_I_MIDDLE, 0, fg, 0);
    if (plot->y_label != NULL)
        simdepth_i_canvas_text(cv, margin + base * 0.9, area.y + area.h / 2, plot->y_label, base,
                               SIMDEPTH_I_MIDDLE, 1, fg, 0);
    if (plot->title != NULL)
        simdepth_i_canvas_text(cv, area.x, margin + simdepth_theme_title_size(th), plot->title,
                               simdepth_theme_title_size(th), SIMDEPTH_I_START, 0, fg, 1);
    simdepth_i_canvas_group_end(cv);

    /* lines in point order */
    if (nlxy >= 2) {
        simdepth_i_canvas_group_begin(cv, "lines", NULL);
        simdepth_i_canvas_polyline(cv, lxy, nlxy, &pc, lw * 1.2, 0);
        simdepth_i_canvas_group_end(cv);
    }
    /* leader lines, then points, then labels */
    simdepth_i_canvas_group_begin(cv, "leaders", NULL);
    for (i = 0; i < np; i++)
        if (lab[i].placed && lab[i].leader) {
            double a[4];
            box_anchor(&lab[i].box, px[i], py[i], &a[2], &a[3]);
            a[0] = px[i];
            a[1] = py[i];
            simdepth_i_canvas_polyline(cv, a, 2, &muted, 0.5, 0);
        }
    simdepth_i_canvas_group_end(cv);
    simdepth_i_canvas_group_begin(cv, "points", NULL);
    for (i = 0; i < np; i++) {
        const simdepth_plot_point *p = &plot->points[i];
        char tip[300];
        if (px[i] < -1e8)
            continue;
        snprintf(tip, sizeof tip, "%s%s(%g, %g)", p->label ? p->label : "", p->label ? " " : "",
                 p->x, p->y);
        simdepth_i_canvas_group_begin(cv, NULL, tip);
        simdepth_i_canvas_ellipse(cv, px[i], py[i], R, R, &pc, &bg, 0.6);
        if (opt->format == SIMDEPTH_IMAGE_SVG) {
            /* the marker's box, invisible (see the file comment) */
            char id[40];
            snprintf(id, sizeof id, "point-box-%zu", i);
            simdepth_i_canvas_group_begin(cv, id, NULL);
            simdepth_i_canvas_rect(cv, pbox[i].x, pbox[i].y, pbox[i].w, pbox[i].h, NULL, NULL, 0);
            simdepth_i_canvas_group_end(cv);
        }
        simdepth_i_canvas_group_end(cv);
    }
    simdepth_i_canvas_group_end(cv);
    simdepth_i_canvas_group_begin(cv, "labels", NULL);
    for (i = 0; i < np; i++) {
        const lbox *b = &lab[i].box;
        if (!lab[i].placed)
            continue;
        if (opt->format == SIMDEPTH_IMAGE_SVG) {
            char id[40];
            snprintf(id, sizeof id, "label-box-%zu", i);
            simdepth_i_canvas_group_begin(cv, id, NULL);
            simdepth_i_canvas_rect(cv, b->x, b->y, b->w, b->h, NULL, NULL, 0);
            simdepth_i_canvas_group_end(cv);
        }
        simdepth_i_canvas_text(cv, b->x + 0.5, b->y + base * 0.9 * 0.95, plot->points[i].label,
                               base * 0.9, SIMDEPTH_I_START, 0, fg, 0);
    }
    simdepth_i_canvas_group_end(cv);
    st = simdepth_i_canvas_finish(cv, &out, err);
    if (st == SIMDEPTH_OK)
        st = write_out(f, &out, err);
out:
    simdepth_i_canvas_free(m);
    simdepth_i_canvas_free(cv);
    simdepth_i_buf_free(&out);
    free(px);
    free(py);
    free(lwid);
    free(lxy);
    free(pbox);
    free(lab);
    ctx_free(&r, own);
    return st;
}

/* ------------------------------------------------------------ tanglegram */

#define OPTIMAL_ORDER_MAX 2000

/* The linkage of 1 - (S + S^T) / 2 (at least 0) with @method, in optimal
 * leaf order up to OPTIMAL_ORDER_MAX leaves: as the dendrogram figure. */
static simdepth_status linkage_of(const simdepth_matrix *s, simdepth_linkage_method method,
                                  simdepth_matrix **out, simdepth_error *err)
{
    size_t n = simdepth_matrix_rows(s), i, j, k;
    simdepth_dtype dt = n > 4096 ? SIMDEPTH_F32 : SIMDEPTH_F64;
    void *y = simdepth_i_malloc_array(simdepth_condensed_size(n),
                                      dt == SIMDEPTH_F32 ? sizeof(float) : sizeof(double));
    simdepth_matrix *Z = NULL;
    simdepth_status st;

    if (y == NULL)
        return simdepth_i_enomem(err, "the tanglegram's distances");
    for (i = 0, k = 0; i < n; i++)
        for (j = i + 1; j < n; j++, k++) {
            double d = 1.0 - 0.5 * (simdepth_matrix_get(s, i, j) + simdepth_matrix_get(s, j, i));
            if (!(d > 0.0))
                d = 0.0;
            if (dt == SIMDEPTH_F32)
                ((float *)y)[k] = (float)d;
            else
                ((double *)y)[k] = d;
        }
    st = simdepth_linkage_compute(y, dt, n, method, &Z, err);
    if (st == SIMDEPTH_OK && n > 2 && n <= OPTIMAL_ORDER_MAX) {
        simdepth_matrix *O = NULL;
        st = simdepth_linkage_optimal_ordering(Z, y, dt, &O, err);
        simdepth_matrix_free(Z);
        Z = st == SIMDEPTH_OK ? O : NULL;
    }
    free(y);
    if (st == SIMDEPTH_OK)
        *out = Z;
    return st;
}

/* Node positions of a linkage along the leaf axis, and heights. */
typedef struct ttree {
    size_t n;
    size_t *order;   /* position -> class */
    size_t *pos_of;  /* class -> position */
    double *pos;     /* node -> position */
    double *height;  /* node -> height */
    double max_h;
} ttree;

static void ttree_free(ttree *t)
{
    free(t->order);
    free(t->pos_of);
    free(t->pos);
    free(t->height);
    memset(t, 0, sizeof *t);
}

static simdepth_status ttree_build(const simdepth_matrix *Z, size_t n, ttree *t,
                                   simdepth_error *err)
{
    size_t i, k;
    simdepth_status st;

    memset(t, 0, sizeof *t);
    t->n = n;
    t->order = simdepth_i_malloc_array(n, sizeof *t->order);
    t->pos_of = simdepth_i_malloc_array(n, sizeof *t->pos_of);
    t->pos = simdepth_i_malloc_array(2 * n - 1, sizeof *t->pos);
    t->height = simdepth_i_malloc_array(2 * n - 1, sizeof *t->height);
    if (t->order == NULL || t->pos_of == NULL || t->pos == NULL || t->height == NULL) {
        ttree_free(t);
        return simdepth_i_enomem(err, "the tanglegram");
    }
    st = simdepth_linkage_leaves(Z, t->order, err);
    if (st != SIMDEPTH_OK) {
        ttree_free(t);
        return st;
    }
    for (i = 0; i < n; i++) {
        t->pos_of[t->order[i]] = i;
        t->pos[i] = (double)i;
        t->height[i] = 0.0;
    }
    for (i = 0; i < n; i++)
        t->pos[i] = (double)t->pos_of[i];
    t->max_h = 0.0;
    for (k = 0; k + 1 < n; k++) {
        size_t a = (size_t)simdepth_matrix_get(Z, k, 0), b = (size_t)simdepth_matrix_get(Z, k, 1);
        t->pos[n + k] = 0.5 * (t->pos[a] + t->pos[b]);
        t->height[n + k] = simdepth_matrix_get(Z, k, 2);
        t->max_h = fmax(t->max_h, t->height[n + k]);
    }
    if (!(t->max_h > 0.0))
        t->max_h = 1.0;
    return SIMDEPTH_OK;
}

/* Draw @t with the root at x = @x_root and the leaves at x = @x_leaf
 * (either side), leaf i at y = @y0 + (i + 0.5) * @pitch. */
static void ttree_draw(simdepth_i_canvas *cv, const simdepth_matrix *Z, const ttree *t,
                       double x_root, double x_leaf, double y0, double pitch,
                       const simdepth_rgba *c, double lw)
{
    size_t k, n = t->n;

    for (k = 0; k + 1 < n; k++) {
        size_t a = (size_t)simdepth_matrix_get(Z, k, 0), b = (size_t)simdepth_matrix_get(Z, k, 1);
        size_t node = n + k;
        double xn = x_leaf + (x_root - x_leaf) * t->height[node] / t->max_h;
        double xa = x_leaf + (x_root - x_leaf) * t->height[a] / t->max_h;
        double xb = x_leaf + (x_root - x_leaf) * t->height[b] / t->max_h;
        double ya = y0 + (t->pos[a] + 0.5) * pitch, yb = y0 + (t->pos[b] + 0.5) * pitch;
        double xy[8] = {xa, ya, xn, ya, xn, yb, xb, yb};
        simdepth_i_canvas_polyline(cv, xy, 4, c, lw, 0);
    }
}

static const char *method_label(const simdepth_partition *p)
{
    return strcmp(p->method, "affinity") == 0 ? "affinity propagation" : p->method;
}

static simdepth_status render_tanglegram(const simdepth_i_render *r, const simdepth_render_model *A,
                                         const simdepth_render_model *B, double ent[2],
                                         simdepth_i_buf *out, simdepth_error *err)
{
    const simdepth_theme *th = r->theme;
    const simdepth_render_options *opt = r->opt;
    size_t n = r->n, i, stride, n_dis = 0, cap_lines = 0, k;
    simdepth_matrix *ZA = NULL, *ZB = NULL, *UA = NULL, *UB = NULL;
    ttree ta, tb;
    unsigned char *agree = NULL;
    simdepth_i_canvas *cv = NULL, *m = NULL;
    simdepth_render_options o2;
    simdepth_i_render r2;
    simdepth_status st;
    double before = NAN, after = NAN;
    double base = simdepth_theme_font_size(th), lw = simdepth_theme_line_width(th);
    double minf = simdepth_theme_min_font_size(th), tsz = simdepth_theme_title_size(th);
    double W, H, margin = 6.0, pitch, fsize, L = 0.0, head, tree_w, conn_w, y0, capsz;
    double xa_root, xa_leaf, xb_root, xb_leaf, ca, cb;
    simdepth_rgba fg = simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND);
    simdepth_rgba muted = simdepth_theme_color_get(th, SIMDEPTH_THEME_MUTED);
    simdepth_rgba dis = simdepth_theme_color_get(th, SIMDEPTH_THEME_ERROR_EDGE);
    simdepth_rgba agr = muted, treec = fg, guide = muted;
    char buf[300], cap[1200], title[300];

    memset(&ta, 0, sizeof ta);
    memset(&tb, 0, sizeof tb);
    if (n < 2)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "a tanglegram needs at least 2 classes");
    agr.a = 0.6;
    treec.a = 0.85;
    guide.a = 0.3;
    agree = simdepth_i_malloc_array(n, 1);
    if (agree == NULL)
        return simdepth_i_enomem(err, "the tanglegram");
    st = simdepth_partition_item_agreement(A->analysis->perceived.partition,
                                           B->analysis->perceived.partition, agree, err);
    if (st != SIMDEPTH_OK)
        goto out;
    for (i = 0; i < n; i++)
        n_dis += !agree[i];
    st = linkage_of(A->similarity, opt->linkage, &ZA, err);
    if (st == SIMDEPTH_OK)
        st = linkage_of(B->similarity, opt->linkage, &ZB, err);
    if (st == SIMDEPTH_OK)
        st = simdepth_tanglegram_untangle(ZA, ZB, &UA, &UB, &before, &after, err);
    if (st == SIMDEPTH_OK)
        st = ttree_build(UA, n, &ta, err);
    if (st == SIMDEPTH_OK)
        st = ttree_build(UB, n, &tb, err);
    if (st != SIMDEPTH_OK)
        goto out;
    ent[0] = before;
    ent[1] = after;

    /* size: a comfortable pitch up to a page's height, thinner beyond */
    W = opt->width > 0 ? opt->width : 468.0;
    head = tsz * 1.4 + base * 1.3 + 4.0;
    capsz = base * 0.8;
    st = measurer(r, &o2, &r2, &m, err);
    if (st != SIMDEPTH_OK)
        goto out;
    snprintf(cap, sizeof cap,
             "Lines join each class's two leaves: solid grey when its cluster membership agrees "
             "(its cluster in %s is matched to the cluster of %s that holds most of its members), "
             "dashed when it does not (%zu of %zu classes). Trees: %s linkage on 1 \xe2\x88\x92 "
             "similarity, optimal leaf order, each scaled to its own height; subtrees rotated to "
             "untangle: entanglement %.2f \xe2\x86\x92 %.2f.",
             A->name, B->name, n_dis, n, simdepth_linkage_method_name(opt->linkage), before,
             after);
    cap_lines = simdepth_i_wrap_text(m, cap, capsz, W - 2 * margin, 0, 0, 0, fg, 0);
    if (opt->height > 0) {
        H = opt->height;
        pitch = (H - 2 * margin - head - capsz * 1.25 * (double)(cap_lines + 1)) / n;
    } else {
        double want = fmin(base * 1.25, fmax(minf * 1.2, 600.0 / n));
        if (n * want > 1296.0)
            want = 1296.0 / n;
        pitch = want;
        H = 2 * margin + head + n * pitch + capsz * 1.25 * (double)(cap_lines + 1);
    }
    if (!(pitch > 0.2)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                  "the figure is too small for %zu leaves; give a larger "
                                  "--height",
                                  n);
        goto out;
    }
    label_fit(th, pitch, &fsize, &stride);
    for (i = 0; i < n; i++)
        L = fmax(L, simdepth_i_canvas_text_width(m, r->names[i], fsize, 0));
    L = fmin(L, 0.17 * W) + 1.0;
    conn_w = fmax(0.2 * W, 24.0);
    tree_w = (W - 2 * margin - 2 * (L + 3.0) - conn_w) / 2;
    if (!(tree_w > 20.0)) {
        st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                  "the figure is too narrow for the tanglegram; give a larger "
                                  "--width");
        goto out;
    }
    xa_root = margin;
    xa_leaf = margin + tree_w;
    ca = xa_leaf + 3.0 + L + 1.0;
    xb_root = W - margin;
    xb_leaf = W - margin - tree_w;
    cb = xb_leaf - 3.0 - L - 1.0;
    y0 = margin + head;

    snprintf(title, sizeof title, "Tanglegram of %s and %s (%zu classes)", A->name, B->name, n);
    st = simdepth_i_canvas_new(r, W, H, title, &cv, err);
    if (st != SIMDEPTH_OK)
        goto out;
    /* headers: name, SD, clusters */
    for (k = 0; k < 2; k++) {
        const simdepth_render_model *M = k == 0 ? A : B;
        const simdepth_analysis *an = M->analysis;
        double x = k == 0 ? margin : W - margin;
        simdepth_i_anchor an_ = k == 0 ? SIMDEPTH_I_START : SIMDEPTH_I_END;
        simdepth_i_fit_text(cv, M->name, tsz, 0.45 * W, buf, sizeof buf);
        simdepth_i_canvas_text(cv, x, margin + tsz, buf, tsz, an_, 0, fg, 1);
        if (isfinite(an->perceived.similarity_depth))
            snprintf(buf, sizeof buf, "SD %.2f \xc2\xb7 %zu clusters (%s)",
                     an->perceived.similarity_depth, an->perceived.partition->n_clusters,
                     method_label(an->perceived.partition));
        else
            snprintf(buf, sizeof buf, "%zu clusters (%s)", an->perceived.partition->n_clusters,
                     method_label(an->perceived.partition));
        simdepth_i_canvas_text(cv, x, margin + tsz * 1.4 + base * 0.9, buf, base * 0.9, an_, 0,
                               muted, 0);
    }
    /* connectors: agreeing first, disagreeing on top */
    simdepth_i_canvas_group_begin(cv, "connectors", NULL);
    for (int pass = 0; pass < 2; pass++)
        for (i = 0; i < n; i++) {
            double xy[4];
            char tip[400];
            if ((pass == 0) != (agree[i] != 0))
                continue;
            xy[0] = ca;
            xy[1] = y0 + (ta.pos_of[i] + 0.5) * pitch;
            xy[2] = cb;
            xy[3] = y0 + (tb.pos_of[i] + 0.5) * pitch;
            snprintf(tip, sizeof tip, "%s: cluster %d in %s, %d in %s (%s)", r->names[i],
                     A->analysis->perceived.partition->labels[i], A->name,
                     B->analysis->perceived.partition->labels[i], B->name,
                     agree[i] ? "agrees" : "does not agree");
            simdepth_i_canvas_group_begin(cv, NULL, tip);
            if (agree[i])
                simdepth_i_canvas_polyline(cv, xy, 2, &agr, fmax(0.3, lw * 0.6), 0);
            else
                simdepth_i_canvas_polyline(cv, xy, 2, &dis, fmax(0.45, lw * 0.9), 1);
            simdepth_i_canvas_group_end(cv);
        }
    simdepth_i_canvas_group_end(cv);
    /* trees */
    simdepth_i_canvas_group_begin(cv, "tree-a", NULL);
    ttree_draw(cv, UA, &ta, xa_root, xa_leaf, y0, pitch, &treec, fmax(0.3, lw * (n > 300 ? 0.4 : 0.8)));
    simdepth_i_canvas_group_end(cv);
    simdepth_i_canvas_group_begin(cv, "tree-b", NULL);
    ttree_draw(cv, UB, &tb, xb_root, xb_leaf, y0, pitch, &treec, fmax(0.3, lw * (n > 300 ? 0.4 : 0.8)));
    simdepth_i_canvas_group_end(cv);
    /* leaf labels; thinned ones stay in the SVG, hidden */
    for (k = 0; k < 2; k++) {
        const ttree *t = k == 0 ? &ta : &tb;
        simdepth_i_canvas_group_begin(cv, k == 0 ? "leaves-a" : "leaves-b", NULL);
        for (i = 0; i < n; i++) {
            size_t c = t->order[i];
            int thinned = i % stride != 0;
            double y = y0 + (i + 0.5) * pitch + fsize * 0.36;
            if (thinned && cv == NULL)
                continue;
            if (thinned && opt->format != SIMDEPTH_IMAGE_SVG)
                continue;
            if (thinned)
                simdepth_i_canvas_hide(cv, 1);
            if (thinned)
                snprintf(buf, sizeof buf, "%s", r->names[c]);
            else
                simdepth_i_fit_text(cv, r->names[c], fsize, L, buf, sizeof buf);
            if (!thinned) {
                /* a faint guide from the label to where its line starts */
                double tw = simdepth_i_canvas_text_width(cv, buf, fsize, 0), gl[4];
                gl[0] = k == 0 ? xa_leaf + 3.0 + tw + 1.0 : xb_leaf - 3.0 - tw - 1.0;
                gl[1] = gl[3] = y0 + (i + 0.5) * pitch;
                gl[2] = k == 0 ? ca : cb;
                if (fabs(gl[2] - gl[0]) > 2.0)
                    simdepth_i_canvas_polyline(cv, gl, 2, &guide, 0.3, 0);
            }
            if (k == 0)
                simdepth_i_canvas_text(cv, xa_leaf + 3.0, y, buf, fsize, SIMDEPTH_I_START, 0, fg, 0);
            else
                simdepth_i_canvas_text(cv, xb_leaf - 3.0, y, buf, fsize, SIMDEPTH_I_END, 0, fg, 0);
            if (thinned)
                simdepth_i_canvas_hide(cv, 0);
        }
        simdepth_i_canvas_group_end(cv);
    }
    /* caption */
    {
        double cy = y0 + n * pitch + capsz * 1.25 + capsz;
        if (stride > 1) {
            snprintf(buf, sizeof buf, "every %zu%s leaf labelled", stride, ordinal_suffix(stride));
            simdepth_i_canvas_text(cv, W / 2, margin + tsz, buf, capsz, SIMDEPTH_I_MIDDLE, 0,
                                   muted, 0);
        }
        simdepth_i_wrap_text(cv, cap, capsz, W - 2 * margin, margin, cy, capsz * 1.25, muted, 1);
    }
    st = simdepth_i_canvas_finish(cv, out, err);
out:
    simdepth_i_canvas_free(m);
    simdepth_i_canvas_free(cv);
    ttree_free(&ta);
    ttree_free(&tb);
    simdepth_matrix_free(ZA);
    simdepth_matrix_free(ZB);
    simdepth_matrix_free(UA);
    simdepth_matrix_free(UB);
    free(agree);
    return st;
}

/* ------------------------------------------------------------ graph diff */

/* Graphviz errors, collected for our message (the library never prints). */
static char dgv_errbuf[512];

static int dgv_errf(char *msg)
{
    size_t len = strlen(dgv_errbuf);

    if (len + 1 < sizeof dgv_errbuf)
        snprintf(dgv_errbuf + len, sizeof dgv_errbuf - len, "%s", msg);
    return 0;
}

static simdepth_status dgv_fail(simdepth_error *err, const char *what)
{
    size_t len = strlen(dgv_errbuf);

    while (len > 0 && (dgv_errbuf[len - 1] == '\n' || dgv_errbuf[len - 1] == ' '))
        dgv_errbuf[--len] = '\0';
    return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1, "Graphviz: %s failed%s%s",
                                what, dgv_errbuf[0] ? ": " : "", dgv_errbuf);
}

/* A DOT double-quoted string. */
static void dot_quote(simdepth_i_buf *b, const char *s)
{
    simdepth_i_buf_puts(b, "\"");
    for (; *s; s++) {
        if (*s == '\\')
            simdepth_i_buf_puts(b, "\\\\");
        else if (*s == '"')
            simdepth_i_buf_puts(b, "\\\"");
        else if (*s == '\n')
            simdepth_i_buf_puts(b, "\\n");
        else if ((unsigned char)*s >= 0x20)
            simdepth_i_buf_append(b, s, 1);
    }
    simdepth_i_buf_puts(b, "\"");
}

static const char *hexc(simdepth_rgba c, char *buf)
{
    return simdepth_rgba_format(c, buf);
}

typedef struct diff_style {
    simdepth_rgba colour[3]; /* by simdepth_edge_origin */
    int style[3];            /* 0 solid, 1 dashed, 2 dotted */
    double width[3];
} diff_style;

static void diff_style_get(const simdepth_theme *th, diff_style *ds)
{
    double lw = simdepth_theme_line_width(th);

    ds->colour[SIMDEPTH_EDGE_SHARED] = simdepth_theme_color_get(th, SIMDEPTH_THEME_MUTED);
    ds->colour[SIMDEPTH_EDGE_ONLY_A] = simdepth_theme_categorical(th, 1);
    ds->colour[SIMDEPTH_EDGE_ONLY_B] = simdepth_theme_categorical(th, 0);
    ds->style[SIMDEPTH_EDGE_SHARED] = 0;
    ds->style[SIMDEPTH_EDGE_ONLY_A] = 1;
    ds->style[SIMDEPTH_EDGE_ONLY_B] = 2;
    ds->width[SIMDEPTH_EDGE_SHARED] = lw * 1.1;
    ds->width[SIMDEPTH_EDGE_ONLY_A] = lw * 1.6;
    ds->width[SIMDEPTH_EDGE_ONLY_B] = lw * 1.6;
}

typedef struct diff_model {
    const simdepth_i_render *r;
    const simdepth_render_model *A, *B;
    simdepth_forest_diff *d;
    diff_style ds;
    const char *engine;
    int clusters;          /* draw A's clusters as boxes */
    size_t cols;           /* dot: A's clusters packed in rows of this many */
} diff_model;

/* With dot, B's edges between two of A's clusters are left out of the
 * layout (each cluster is laid out on its own; the DOT output keeps them)
 * and drawn over it as arcs between their classes. Laid out together, dot
 * would rank all clusters side by side, a strip many times wider than
 * tall. */
static int cross_edge(const diff_model *dm, const simdepth_diff_edge *e)
{
    const simdepth_partition *p = dm->A->analysis->perceived.partition;

    return strcmp(dm->engine, "dot") == 0 &&
           p->labels[e->a] != p->labels[e->b];
}

/* The DOT text of the diff graph (before layout); with @one, only the
 * classes of A's cluster @only and the edges among them. */
static void diff_dot(const diff_model *dm, simdepth_i_buf *b, int one, int32_t only)
{
    const simdepth_i_render *r = dm->r;
    const simdepth_theme *th = r->theme;
    const simdepth_partition *p = dm->A->analysis->perceived.partition;
    size_t n = r->n, ncl = p->n_clusters, i, k, *members;
    double fs = simdepth_theme_font_size(th), lw = simdepth_theme_line_width(th);
    char h1[10], h2[10], tip[900];
    static const char *const style_name[3] = {"solid", "dashed", "dotted"};
    static const char *const origin_name[3] = {"shared", "only-a", "only-b"};

    members = simdepth_i_malloc_array(n ? n : 1, sizeof *members);
    if (members == NULL) {
        b->failed = 1;
        return;
    }
    simdepth_i_buf_puts(b, "graph \"diff\" {\n");
    simdepth_i_buf_puts(b, "  graph [layout=");
    simdepth_i_buf_puts(b, dm->engine);
    simdepth_i_buf_puts(b, ", fontname=");
    dot_quote(b, simdepth_theme_font(th));
    simdepth_i_buf_printf(b, ", fontsize=%.1f, bgcolor=\"%s\", pad=0.1, outputorder=edgesfirst",
                          fs, hexc(simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND), h1));
    if (strcmp(dm->engine, "dot") == 0)
        simdepth_i_buf_puts(b, ", nodesep=0.3, ranksep=0.32");
    else
        simdepth_i_buf_puts(b, ", overlap=false, splines=true, sep=\"+4\"");
    simdepth_i_buf_puts(b, "];\n  node [shape=box, style=\"rounded,filled\", fontname=");
    dot_quote(b, simdepth_theme_font(th));
    simdepth_i_buf_printf(b,
                          ", fontsize=%.1f, fillcolor=\"%s\", color=\"%s\", penwidth=%.2f, "
                          "margin=\"0.05,0.02\", width=0.3, height=0.2];\n",
                          fs, hexc(simdepth_theme_color_get(th, SIMDEPTH_THEME_NODE_FILL), h1),
                          hexc(simdepth_theme_color_get(th, SIMDEPTH_THEME_NODE_BORDER), h2), lw);
    /* clusters of A (2+ members) in label order, then the other classes */
    for (k = 0; k <= ncl; k++) {
        int32_t lab = k == ncl ? -1 : (int32_t)k;
        size_t cnt = 0, anc;
        int depth, boxed;
        for (i = 0; i < n; i++)
            if (p->labels[i] == lab)
                members[cnt++] = i;
        if (cnt == 0 || (one && lab != only))
            continue;
        boxed = dm->clusters && cnt >= 2;
        if (boxed) {
            char title[200];
            simdepth_i_buf_printf(b, "  subgraph \"cluster_%zu\" {\n    graph [label=", k);
            if (simdepth_i_common_ancestor(r->info, members, cnt, &anc, &depth) == SIMDEPTH_OK) {
                snprintf(title, sizeof title, "%s \xc2\xb7 %d",
                         simdepth_taxonomy_label(r->info->tax, anc), depth);
                for (char *u = title; *u; u++)
                    if (*u == '_')
                        *u = ' ';
                snprintf(tip, sizeof tip, "cluster %d of %s: %zu classes; common ancestor %s (%s)",
                         (int)lab, dm->A->name, cnt, simdepth_taxonomy_name(r->info->tax, anc),
                         simdepth_taxonomy_id(r->info->tax, anc));
            } else {
                snprintf(title, sizeof title, "cluster %d", (int)lab);
                snprintf(tip, sizeof tip, "cluster %d of %s: %zu classes", (int)lab, dm->A->name,
                         cnt);
            }
            dot_quote(b, title);
            simdepth_i_buf_puts(b, ", tooltip=");
            dot_quote(b, tip);
            simdepth_i_buf_printf(
                b,
                ", labeljust=l, labelloc=t, style=\"rounded,filled\", fillcolor=\"%s\", "
                "color=\"%s\", penwidth=%.2f];\n",
                hexc(simdepth_theme_color_get(th, SIMDEPTH_THEME_CLUSTER_FILL), h1),
                hexc(simdepth_theme_color_get(th, SIMDEPTH_THEME_CLUSTER_BORDER), h2), lw * 0.8);
        }
        for (i = 0; i < cnt; i++) {
            size_t c = members[i];
            simdepth_i_buf_printf(b, "%s  c%zu [label=", boxed ? "  " : "", c);
            dot_quote(b, r->names[c]);
            if (r->info->tax != NULL && r->info->nodes != NULL)
                snprintf(tip, sizeof tip, "%s (%s): cluster %d in %s, %d in %s", r->names[c],
                         simdepth_taxonomy_id(r->info->tax, r->info->nodes[c]),
                         (int)p->labels[c], dm->A->name,
                         (int)dm->B->analysis->perceived.partition->labels[c], dm->B->name);
            else
                snprintf(tip, sizeof tip, "%s (%s): cluster %d in %s, %d in %s", r->names[c],
                         simdepth_labels_key(r->info->labels, c), (int)p->labels[c],
                         dm->A->name, (int)dm->B->analysis->perceived.partition->labels[c],
                         dm->B->name);
            simdepth_i_buf_puts(b, ", tooltip=");
            dot_quote(b, tip);
            simdepth_i_buf_puts(b, "];\n");
        }
        if (boxed)
            simdepth_i_buf_puts(b, "  }\n");
    }
    /* edges in (a, b) order; B's own edges do not rank the layout */
    for (k = 0; k < dm->d->n_edges; k++) {
        const simdepth_diff_edge *e = &dm->d->edges[k];
        int o = (int)e->origin;
        if (one && (p->labels[e->a] != only || p->labels[e->b] != only))
            continue;
        snprintf(tip, sizeof tip, "%s \xe2\x80\x94 %s: %s; similarity %.3f in %s, %.3f in %s",
                 r->names[e->a], r->names[e->b],
                 o == SIMDEPTH_EDGE_SHARED ? "in both trees"
                 : o == SIMDEPTH_EDGE_ONLY_A ? "only in A's tree"
                                             : "only in B's tree",
                 e->weight_a, dm->A->name, e->weight_b, dm->B->name);
        simdepth_i_buf_printf(b, "  c%zu -- c%zu [class=\"%s\", color=\"%s\", style=%s, penwidth=%.2f",
                              e->a, e->b, origin_name[o], hexc(dm->ds.colour[o], h1),
                              style_name[dm->ds.style[o]], dm->ds.width[o]);
        if (o == SIMDEPTH_EDGE_ONLY_B)
            simdepth_i_buf_puts(b, ", constraint=false");
        if (cross_edge(dm, e))
            simdepth_i_buf_puts(b, ", comment=\"across A's clusters: left out of their "
                                   "layout, drawn as an arc\"");
        simdepth_i_buf_puts(b, ", tooltip=");
        dot_quote(b, tip);
        simdepth_i_buf_puts(b, "];\n");
    }
    simdepth_i_buf_puts(b, "}\n");
    free(members);
}

/* Parse "x,y" pairs separated by blanks (skipping "s,"/"e," arrow
 * points) into *xy (malloc'd); returns the count or 0. */
static size_t parse_points(const char *s, double **xy)
{
    size_t cnt = 0, cap = 0;
    double *o = NULL;

    *xy = NULL;
    while (s != NULL && *s != '\0') {
        double x, y;
        int used = 0;
        while (*s == ' ' || *s == '\n' || *s == '\\')
            s++;
        if (*s == '\0')
            break;
        if ((s[0] == 's' || s[0] == 'e') && s[1] == ',') {
            /* an arrowhead end point: skip it */
            s += 2;
            if (sscanf(s, "%lf,%lf%n", &x, &y, &used) != 2)
                break;
            s += used;
            continue;
        }
        if (sscanf(s, "%lf,%lf%n", &x, &y, &used) != 2)
            break;
        s += used;
        if (cnt + 1 > cap) {
            size_t nc = cap ? 2 * cap : 16;
            double *d = simdepth_i_realloc_array(o, nc, 2 * sizeof *d);
            if (d == NULL) {
                free(o);
                return 0;
            }
            o = d;
            cap = nc;
        }
        o[2 * cnt] = x;
        o[2 * cnt + 1] = y;
        cnt++;
    }
    *xy = o;
    return cnt;
}

static const char *gv_get(void *obj, const char *name)
{
    return agget(obj, (char *)name);
}

/* Geometry of the laid-out graph in canvas points. */
typedef struct diff_geom {
    double llx, ury, s, ox, oy;
} diff_geom;

static void geom_xy(const diff_geom *g, double x, double y, double *cx, double *cy)
{
    *cx = g->ox + (x - g->llx) * g->s;
    *cy = g->oy + (g->ury - y) * g->s;
}

/* A's cluster boxes (@titles 0) or their titles on a patch of the box's
 * fill, so that arcs drawn in between cannot cross them (@titles 1). */
static int draw_clusters(simdepth_i_canvas *cv, const diff_model *dm, Agraph_t *g,
                         const diff_geom *geo, int titles)
{
    const simdepth_theme *th = dm->r->theme;
    simdepth_rgba fill = simdepth_theme_color_get(th, SIMDEPTH_THEME_CLUSTER_FILL);
    simdepth_rgba border = simdepth_theme_color_get(th, SIMDEPTH_THEME_CLUSTER_BORDER);
    simdepth_rgba fg = simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND);
    double fs = simdepth_theme_font_size(th);
    Agraph_t *sg;

    for (sg = agfstsubg(g); sg != NULL; sg = agnxtsubg(sg)) {
        const char *bb = gv_get(sg, "bb"), *lp = gv_get(sg, "lp"), *lab = gv_get(sg, "label");
        const char *tip = gv_get(sg, "tooltip");
        double x0, y0, x1, y1, ax, ay, bx, by;
        if (bb == NULL || sscanf(bb, "%lf,%lf,%lf,%lf", &x0, &y0, &x1, &y1) != 4)
            return -1;
        geom_xy(geo, x0, y1, &ax, &ay);
        geom_xy(geo, x1, y0, &bx, &by);
        simdepth_i_canvas_group_begin(cv, NULL, tip != NULL && tip[0] ? tip : NULL);
        if (!titles)
            round_rect(cv, ax, ay, bx - ax, by - ay, 4.0 * geo->s, &fill, &border,
                       simdepth_theme_line_width(th) * 0.8 * geo->s);
        if (titles && lp != NULL && lab != NULL && sscanf(lp, "%lf,%lf", &x0, &y0) == 2) {
            double tw = simdepth_i_canvas_text_width(cv, lab, fs * geo->s, 0);
            geom_xy(geo, x0, y0, &ax, &ay);
            simdepth_i_canvas_rect(cv, ax - tw / 2 - 1.5, ay - fs * 0.6 * geo->s, tw + 3.0,
                                   fs * 1.2 * geo->s, &fill, NULL, 0);
            simdepth_i_canvas_text(cv, ax, ay + fs * 0.36 * geo->s, lab, fs * geo->s,
                                   SIMDEPTH_I_MIDDLE, 0, fg, 0);
        }
        simdepth_i_canvas_group_end(cv);
    }
    return 0;
}

/* A sample of an edge style: a short line at (@x, @y). */
static void legend_line(simdepth_i_canvas *cv, const diff_style *ds, int o, double x, double y,
                        double len)
{
    double xy[4] = {x, y, x + len, y};

    styled_path(cv, xy, 2, 0, &ds->colour[o], ds->width[o], ds->style[o]);
}

/* One separately laid-out part of the graph: with dot, one of A's
 * clusters (or a lone class); with the other engines, the whole graph.
 * x, y: its place in the packed figure, in layout points. */
typedef struct dblock {
    Agraph_t *g;
    int32_t label;
    double llx, lly, urx, ury;
    double x, y;
    diff_geom geo;
} dblock;

/* The blocks: A's clusters of 2+ classes in label order, then the lone
 * classes; *nb receives the count. */
static dblock *diff_blocks(const diff_model *dm, size_t *nb)
{
    const simdepth_partition *p = dm->A->analysis->perceived.partition;
    size_t n = dm->r->n, ncl = p->n_clusters, i, k, m = 0;
    dblock *b = simdepth_i_calloc(ncl + 2, sizeof *b);

    if (b == NULL)
        return NULL;
    for (int single = 0; single < 2; single++)
        for (k = 0; k <= ncl; k++) {
            int32_t lab = k == ncl ? -1 : (int32_t)k;
            size_t cnt = 0;
            for (i = 0; i < n; i++)
                cnt += p->labels[i] == lab;
            if (cnt == 0 || (cnt == 1) != (single == 1))
                continue;
            b[m++].label = lab;
        }
    *nb = m;
    return b;
}

/* Place the blocks in rows of @cols, left to right, @gap apart; the size
 * of the whole in *w, *h (layout points). */
static void pack_blocks(dblock *b, size_t nb, size_t cols, double gap, double *w, double *h)
{
    size_t k;
    double x = 0, y = 0, row_h = 0;

    *w = 0;
    for (k = 0; k < nb; k++) {
        double bw = b[k].urx - b[k].llx, bh = b[k].ury - b[k].lly;
        if (k > 0 && k % cols == 0) {
            y += row_h + gap;
            x = 0;
            row_h = 0;
        }
        b[k].x = x;
        b[k].y = y;
        x += bw + gap;
        row_h = fmax(row_h, bh);
        *w = fmax(*w, x - gap);
    }
    *h = y + row_h;
}

/* Read the DOT text back (sequential ids), drop the edges across A's
 * clusters and lay it out; *g is laid out on success. */
static simdepth_status diff_layout(const diff_model *dm, GVC_t *gvc, const simdepth_i_buf *dot,
                                   Agraph_t **out, simdepth_error *err)
{
    Agraph_t *g;
    size_t k;

    g = simdepth_i_gv_read(dot->data, dot->len);
    if (g == NULL)
        return dgv_fail(err, "agread");
    for (k = 0; k < dm->d->n_edges; k++) {
        const simdepth_diff_edge *e = &dm->d->edges[k];
        char na[32], nb[32];
        Agnode_t *ta, *tb;
        Agedge_t *ed;
        if (!cross_edge(dm, e))
            continue;
        snprintf(na, sizeof na, "c%zu", e->a);
        snprintf(nb, sizeof nb, "c%zu", e->b);
        ta = agnode(g, na, 0);
        tb = agnode(g, nb, 0);
        ed = ta != NULL && tb != NULL ? agedge(g, ta, tb, NULL, 0) : NULL;
        if (ed != NULL)
            agdeledge(g, ed);
    }
    if (gvLayout(gvc, g, dm->engine) != 0) {
        agclose(g);
        return dgv_fail(err, "gvLayout");
    }
    /* attach the positions as attributes; no output */
    if (gvRender(gvc, g, "dot", NULL) != 0) {
        gvFreeLayout(gvc, g);
        agclose(g);
        return dgv_fail(err, "gvRender(dot)");
    }
    *out = g;
    return SIMDEPTH_OK;
}

static simdepth_status render_graph_diff(const simdepth_i_render *r,
                                         const simdepth_render_model *A,
                                         const simdepth_render_model *B, simdepth_i_buf *out,
                                         simdepth_error *err)
{
    const simdepth_theme *th = r->theme;
    const simdepth_render_options *opt = r->opt;
    diff_model dm;
    simdepth_i_buf dot = {0};
    GVC_t *gvc = NULL;
    agusererrf saved = NULL;
    int gv_on = 0;
    simdepth_status st;
    simdepth_i_canvas *cv = NULL, *m = NULL;
    simdepth_render_options o2;
    simdepth_i_render r2;
    double gw = 0, gh = 0, W, H, margin = 8.0, gap = 10.0, s = 1.0;
    double base = simdepth_theme_font_size(th), tsz = simdepth_theme_title_size(th);
    double legend_h, cap_w, x, y, head;
    double *npx = NULL, *npy = NULL, *nw = NULL, *nh = NULL;
    dblock *blk = NULL;
    size_t nb = 0, bi;
    simdepth_rgba fg = simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND);
    simdepth_rgba muted = simdepth_theme_color_get(th, SIMDEPTH_THEME_MUTED);
    simdepth_rgba nfill = simdepth_theme_color_get(th, SIMDEPTH_THEME_NODE_FILL);
    simdepth_rgba nborder = simdepth_theme_color_get(th, SIMDEPTH_THEME_NODE_BORDER);
    char line[3][600], title[300];
    size_t nl, k, n = r->n, n_cross = 0;
    Agnode_t *nd;
    Agedge_t *e;
    int per_block;

    memset(&dm, 0, sizeof dm);
    dm.r = r;
    dm.A = A;
    dm.B = B;
    diff_style_get(th, &dm.ds);
    st = simdepth_forest_diff_new(A->analysis->perceived.forest, B->analysis->perceived.forest,
                                  A->similarity, B->similarity, &dm.d, err);
    if (st != SIMDEPTH_OK)
        return st;
    switch (opt->layout) {
    case SIMDEPTH_LAYOUT_DOT: dm.engine = "dot"; break;
    case SIMDEPTH_LAYOUT_NEATO: dm.engine = "neato"; break;
    case SIMDEPTH_LAYOUT_FDP: dm.engine = "fdp"; break;
    case SIMDEPTH_LAYOUT_SFDP: dm.engine = "sfdp"; break;
    case SIMDEPTH_LAYOUT_AUTO:
    default: dm.engine = n <= 1000 ? "dot" : "sfdp"; break;
    }
    dm.clusters = strcmp(dm.engine, "dot") == 0 || strcmp(dm.engine, "fdp") == 0;
    per_block = strcmp(dm.engine, "dot") == 0;
    for (k = 0; k < dm.d->n_edges; k++)
        n_cross += cross_edge(&dm, &dm.d->edges[k]);
    diff_dot(&dm, &dot, 0, 0);
    if (dot.failed) {
        st = simdepth_i_enomem(err, "the DOT text");
        goto out;
    }
    if (opt->format == SIMDEPTH_IMAGE_DOT) {
        simdepth_i_buf_append(out, dot.data, dot.len);
        goto out;
    }
    if (per_block) {
        blk = diff_blocks(&dm, &nb);
    } else {
        blk = simdepth_i_calloc(1, sizeof *blk);
        nb = 1;
    }
    if (blk == NULL) {
        st = simdepth_i_enomem(err, "the graph");
        goto out;
    }
    dgv_errbuf[0] = '\0';
    saved = agseterrf(dgv_errf);
    gv_on = 1;
    gvc = simdepth_i_gv_context();
    if (gvc == NULL) {
        st = dgv_fail(err, "gvContext");
        goto out;
    }
    /* dot lays out each of A's clusters on its own (B's edges between
     * clusters are arcs drawn over the result); we pack them into rows.
     * (dot's own packing, pack/packmode, reads freed memory in Graphviz
     * 2.42/2.43 when the graph has clusters.) */
    for (bi = 0; bi < nb; bi++) {
        const char *bb;
        if (per_block) {
            simdepth_i_buf_free(&dot);
            diff_dot(&dm, &dot, 1, blk[bi].label);
            if (dot.failed) {
                st = simdepth_i_enomem(err, "the DOT text");
                goto out;
            }
        }
        st = diff_layout(&dm, gvc, &dot, &blk[bi].g, err);
        if (st != SIMDEPTH_OK)
            goto out;
        bb = gv_get(blk[bi].g, "bb");
        if (bb == NULL || sscanf(bb, "%lf,%lf,%lf,%lf", &blk[bi].llx, &blk[bi].lly, &blk[bi].urx,
                                 &blk[bi].ury) != 4) {
            st = dgv_fail(err, "reading the layout's bounding box");
            goto out;
        }
    }
    /* a portrait grid: about 1.5 times as many rows as columns; for a
     * given width, fewer columns rather than text below the theme's
     * minimum size */
    dm.cols = per_block ? (size_t)fmax(1.0, floor(sqrt((double)nb / 1.5) + 0.5)) : 1;
    for (;;) {
        double need = simdepth_theme_min_font_size(th) / base;
        pack_blocks(blk, nb, dm.cols, per_block ? gap : 0.0, &gw, &gh);
        if (opt->width <= 0 || dm.cols <= 1 || (opt->width - 2 * margin) / gw >= need)
            break;
        dm.cols--;
    }

    /* the caption lines */
    for (k = 0; k < 2; k++) {
        const simdepth_render_model *M = k == 0 ? A : B;
        const simdepth_analysis *an = M->analysis;
        if (isfinite(an->perceived.similarity_depth))
            snprintf(line[k], sizeof line[k], "%s: %s \xe2\x80\x94 SD %.2f, %zu clusters (%s)",
                     k == 0 ? "A" : "B", M->name, an->perceived.similarity_depth,
                     an->perceived.partition->n_clusters, method_label(an->perceived.partition));
        else
            snprintf(line[k], sizeof line[k], "%s: %s \xe2\x80\x94 %zu clusters (%s)",
                     k == 0 ? "A" : "B", M->name, an->perceived.partition->n_clusters,
                     method_label(an->perceived.partition));
    }
    if (per_block)
        snprintf(line[2], sizeof line[2],
                 "Boxes: the clusters of A%s. Inside a box, Graphviz dot lays out A's tree; "
                 "B's edges between two boxes (%zu) are drawn as arcs over the layout.",
                 r->info->tax != NULL ? ", titled with their members' common WordNet ancestor "
                                        "\xc2\xb7 its depth"
                                      : "",
                 n_cross);
    else
        snprintf(line[2], sizeof line[2], "%s%s. Layout: Graphviz %s.",
                 dm.clusters ? "Boxes: the clusters of A" : "No cluster boxes at this size",
                 dm.clusters && r->info->tax != NULL
                     ? ", titled with their members' common WordNet ancestor \xc2\xb7 its depth"
                     : "",
                 dm.engine);
    st = measurer(r, &o2, &r2, &m, err);
    if (st != SIMDEPTH_OK)
        goto out;
    cap_w = 0.0;
    for (k = 0; k < 2; k++)
        cap_w = fmax(cap_w, simdepth_i_canvas_text_width(m, line[k], base, 0));
    cap_w = fmax(cap_w + 2 * margin, 300.0);
    if (opt->width > 0) {
        W = opt->width;
        s = fmin(1.0, (W - 2 * margin) / gw);
    } else {
        W = fmax(gw + 2 * margin, cap_w);
    }
    nl = simdepth_i_wrap_text(m, line[2], base * 0.85, W - 2 * margin, 0, 0, 0, fg, 0);
    head = tsz * 1.5 + base * 1.3 * 2 + base * 0.4;
    legend_h = base * 1.2 + base * 1.4 * 3 + base * 1.1 * (double)nl;
    if (opt->height > 0) {
        H = opt->height;
        s = fmin(s, (H - 2 * margin - head - legend_h) / gh);
        if (!(s > 0.05)) {
            st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                      "the figure is too small for the graph; give a larger "
                                      "--height");
            goto out;
        }
    } else {
        H = 2 * margin + head + gh * s + legend_h;
    }
    for (bi = 0; bi < nb; bi++) {
        diff_geom *g = &blk[bi].geo;
        g->s = s;
        g->llx = blk[bi].llx;
        g->ury = blk[bi].ury;
        g->ox = (W - gw * s) / 2 + blk[bi].x * s;
        g->oy = margin + head + blk[bi].y * s;
    }

    /* node boxes by class */
    npx = simdepth_i_malloc_array(n, sizeof *npx);
    npy = simdepth_i_malloc_array(n, sizeof *npy);
    nw = simdepth_i_calloc(n, sizeof *nw);
    nh = simdepth_i_calloc(n, sizeof *nh);
    if (npx == NULL || npy == NULL || nw == NULL || nh == NULL) {
        st = simdepth_i_enomem(err, "the graph");
        goto out;
    }
    for (bi = 0; bi < nb; bi++)
        for (nd = agfstnode(blk[bi].g); nd != NULL; nd = agnxtnode(blk[bi].g, nd)) {
            const char *pos = gv_get(nd, "pos"), *wd = gv_get(nd, "width");
            const char *ht = gv_get(nd, "height"), *nm = agnameof(nd);
            double px, py;
            size_t c;
            if (nm == NULL || nm[0] != 'c' || pos == NULL || wd == NULL || ht == NULL ||
                sscanf(pos, "%lf,%lf", &px, &py) != 2)
                continue;
            c = (size_t)strtoul(nm + 1, NULL, 10);
            if (c >= n)
                continue;
            geom_xy(&blk[bi].geo, px, py, &npx[c], &npy[c]);
            nw[c] = atof(wd) * 72.0 * s;
            nh[c] = atof(ht) * 72.0 * s;
        }

    snprintf(title, sizeof title, "Spanning-tree edges of %s and %s", A->name, B->name);
    st = simdepth_i_canvas_new(r, W, H, title, &cv, err);
    if (st != SIMDEPTH_OK)
        goto out;
    simdepth_i_canvas_text(cv, margin, margin + tsz, title, tsz, SIMDEPTH_I_START, 0, fg, 1);
    for (k = 0; k < 2; k++)
        simdepth_i_canvas_text(cv, margin, margin + tsz * 1.5 + base * 1.3 * (double)k + base * 0.9,
                               line[k], base, SIMDEPTH_I_START, 0, fg, 0);
    for (bi = 0; bi < nb; bi++)
        if (draw_clusters(cv, &dm, blk[bi].g, &blk[bi].geo, 0) != 0) {
            st = dgv_fail(err, "reading the clusters' bounding boxes");
            goto out;
        }
    /* edges: shared under only-A under only-B; arcs across clusters last */
    simdepth_i_canvas_group_begin(cv, "edges", NULL);
    for (int pass = 0; pass < 3; pass++)
        for (bi = 0; bi < nb; bi++)
            for (nd = agfstnode(blk[bi].g); nd != NULL; nd = agnxtnode(blk[bi].g, nd))
                for (e = agfstout(blk[bi].g, nd); e != NULL; e = agnxtout(blk[bi].g, e)) {
                    const char *cls = gv_get(e, "class"), *pos = gv_get(e, "pos");
                    const char *tip = gv_get(e, "tooltip");
                    int o = cls == NULL || cls[0] == '\0' ? -1
                          : strcmp(cls, "only-a") == 0  ? 1
                          : strcmp(cls, "only-b") == 0  ? 2
                          : strcmp(cls, "shared") == 0  ? 0
                                                        : -1;
                    double *xy = NULL;
                    size_t np, q;
                    if (o != pass)
                        continue;
                    np = parse_points(pos, &xy);
                    if (np < 2) {
                        free(xy);
                        continue;
                    }
                    for (q = 0; q < np; q++)
                        geom_xy(&blk[bi].geo, xy[2 * q], xy[2 * q + 1], &xy[2 * q],
                                &xy[2 * q + 1]);
                    simdepth_i_canvas_group_begin(cv, NULL, tip);
                    styled_path(cv, xy, np, np >= 4 && (np - 1) % 3 == 0, &dm.ds.colour[o],
                                dm.ds.width[o] * s, dm.ds.style[o]);
                    simdepth_i_canvas_group_end(cv);
                    free(xy);
                }
    for (k = 0; k < dm.d->n_edges; k++) {
        const simdepth_diff_edge *de = &dm.d->edges[k];
        int o = (int)de->origin;
        double xy[8], dx, dy, len, bend;
        char tip[600];
        if (!cross_edge(&dm, de) || nw[de->a] <= 0 || nw[de->b] <= 0)
            continue;
        /* an arc bending to the left of a -> b, centre to centre (the
         * nodes drawn over it) */
        dx = npx[de->b] - npx[de->a];
        dy = npy[de->b] - npy[de->a];
        len = hypot(dx, dy);
        if (!(len > 0))
            continue;
        bend = 0.12 * len;
        xy[0] = npx[de->a];
        xy[1] = npy[de->a];
        xy[2] = npx[de->a] + dx / 3 - dy / len * bend;
        xy[3] = npy[de->a] + dy / 3 + dx / len * bend;
        xy[4] = npx[de->a] + 2 * dx / 3 - dy / len * bend;
        xy[5] = npy[de->a] + 2 * dy / 3 + dx / len * bend;
        xy[6] = npx[de->b];
        xy[7] = npy[de->b];
        snprintf(tip, sizeof tip, "%s \xe2\x80\x94 %s: only in B's tree; similarity %.3f in %s, "
                                  "%.3f in %s",
                 r->names[de->a], r->names[de->b], de->weight_a, A->name, de->weight_b, B->name);
        simdepth_i_canvas_group_begin(cv, NULL, tip);
        styled_path(cv, xy, 4, 1, &dm.ds.colour[o], dm.ds.width[o] * s, dm.ds.style[o]);
        simdepth_i_canvas_group_end(cv);
    }
    simdepth_i_canvas_group_end(cv);
    for (bi = 0; bi < nb; bi++)
        draw_clusters(cv, &dm, blk[bi].g, &blk[bi].geo, 1);
    /* nodes over the edges */
    for (bi = 0; bi < nb; bi++)
        for (nd = agfstnode(blk[bi].g); nd != NULL; nd = agnxtnode(blk[bi].g, nd)) {
            const char *lab = gv_get(nd, "label"), *tip = gv_get(nd, "tooltip");
            const char *nm = agnameof(nd);
            size_t c;
            if (nm == NULL || nm[0] != 'c')
                continue;
            c = (size_t)strtoul(nm + 1, NULL, 10);
            if (c >= n || nw[c] <= 0)
                continue;
            simdepth_i_canvas_group_begin(cv, nm, tip);
            round_rect(cv, npx[c] - nw[c] / 2, npy[c] - nh[c] / 2, nw[c], nh[c],
                       fmin(4.0, nh[c] / 3), &nfill, &nborder, simdepth_theme_line_width(th) * s);
            simdepth_i_canvas_text(cv, npx[c], npy[c] + base * 0.36 * s,
                                   lab != NULL ? lab : r->names[c], base * s, SIMDEPTH_I_MIDDLE,
                                   0, fg, 0);
            simdepth_i_canvas_group_end(cv);
        }
    /* legend */
    simdepth_i_canvas_group_begin(cv, "legend", NULL);
    x = margin;
    y = margin + head + gh * s + base * 1.6;
    {
        char t[3][400];
        snprintf(t[0], sizeof t[0], "in both trees (%zu edge%s)", dm.d->n_shared,
                 dm.d->n_shared == 1 ? "" : "s");
        snprintf(t[1], sizeof t[1], "only in A's tree (%zu)", dm.d->n_only_a);
        snprintf(t[2], sizeof t[2], "only in B's tree (%zu)", dm.d->n_only_b);
        for (k = 0; k < 3; k++) {
            legend_line(cv, &dm.ds, (int)k, x, y + base * 1.4 * (double)k - base * 0.3, 28.0);
            simdepth_i_canvas_text(cv, x + 34.0, y + base * 1.4 * (double)k, t[k], base,
                                   SIMDEPTH_I_START, 0, fg, 0);
        }
    }
    y += base * 1.4 * 3 - base * 0.2;
    simdepth_i_wrap_text(cv, line[2], base * 0.85, W - 2 * margin, margin, y, base * 1.1, muted, 1);
    simdepth_i_canvas_group_end(cv);
    st = simdepth_i_canvas_finish(cv, out, err);
out:
    if (blk != NULL)
        for (bi = 0; bi < nb; bi++)
            if (blk[bi].g != NULL) {
                gvFreeLayout(gvc, blk[bi].g);
                agclose(blk[bi].g);
            }
    free(blk);
    if (gv_on)
        agseterrf(saved);
    simdepth_i_canvas_free(m);
    simdepth_i_canvas_free(cv);
    simdepth_i_buf_free(&dot);
    simdepth_forest_diff_free(dm.d);
    free(npx);
    free(npy);
    free(nw);
    free(nh);
    return st;
}

/* ------------------------------------------------------------ entry */

simdepth_status simdepth_render_diff_write(FILE *f, simdepth_diff_figure figure,
                                           const simdepth_render_model *a,
                                           const simdepth_render_model *b,
                                           const simdepth_report_info *info,
                                           const simdepth_render_options *opt,
                                           double entanglement[2], simdepth_error *err)
{
    simdepth_render_options defaults;
    simdepth_theme *own = NULL;
    simdepth_i_render r;
    simdepth_i_buf out = {0};
    simdepth_status st;
    double ent[2] = {NAN, NAN};
    size_t n, k;

    if (opt == NULL) {
        simdepth_render_options_init(&defaults);
        opt = &defaults;
    }
    if (f == NULL || a == NULL || b == NULL || a->analysis == NULL || b->analysis == NULL ||
        a->similarity == NULL || b->similarity == NULL || info == NULL || info->labels == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "a comparison figure needs an output stream, two models "
                                    "(analysis and similarity) and the labels");
    st = check_options(opt, err);
    if (st != SIMDEPTH_OK)
        return st;
    if ((unsigned)figure > SIMDEPTH_DIFF_FIGURE_TANGLEGRAM)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown comparison figure");
    if (opt->format == SIMDEPTH_IMAGE_DOT && figure != SIMDEPTH_DIFF_FIGURE_GRAPH)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "DOT output exists for the graph diff only, not the "
                                    "tanglegram");
    n = a->analysis->n_classes;
    for (k = 0; k < 2; k++) {
        const simdepth_render_model *M = k == 0 ? a : b;
        if (M->analysis->n_classes != n || simdepth_matrix_rows(M->similarity) != n ||
            simdepth_matrix_cols(M->similarity) != n)
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                        "model %s has %zu classes and a %zu x %zu similarity "
                                        "matrix; expected %zu and %zu x %zu",
                                        k == 0 ? "A" : "B", M->analysis->n_classes,
                                        simdepth_matrix_rows(M->similarity),
                                        simdepth_matrix_cols(M->similarity), n, n, n);
    }
    if (simdepth_labels_count(info->labels) != n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "%zu labels for models of %zu classes",
                                    simdepth_labels_count(info->labels), n);
    st = ctx_init(&r, opt, info, n, &own, err);
    if (st != SIMDEPTH_OK)
        return st;
    r.a = a->analysis;
    r.s = a->similarity;
    {
        simdepth_render_model A = *a, B = *b;
        if (A.name == NULL)
            A.name = "A";
        if (B.name == NULL)
            B.name = "B";
        if (figure == SIMDEPTH_DIFF_FIGURE_GRAPH)
            st = render_graph_diff(&r, &A, &B, &out, err);
        else
            st = render_tanglegram(&r, &A, &B, ent, &out, err);
    }
    if (st == SIMDEPTH_OK)
        st = write_out(f, &out, err);
    if (st == SIMDEPTH_OK && entanglement != NULL) {
        entanglement[0] = ent[0];
        entanglement[1] = ent[1];
    }
    simdepth_i_buf_free(&out);
    ctx_free(&r, own);
    return st;
}
