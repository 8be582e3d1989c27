/* simdepth — the semantic graph, through Graphviz.
 *
 * One node per class, the perceived graph's clusters as Graphviz cluster
 * boxes titled with their common WordNet ancestor, the spanning-tree edges
 * coloured by similarity and labelled with their LCS depth and (with a
 * confusion matrix) the misclassification rates, the confusion graph's
 * edges that the perceived graph lacks drawn dashed, and a legend as the
 * graph's label.
 *
 * Outputs: DOT is the graph as built, before layout (agwrite), nodes and
 * edges in index order: a text golden file. SVG is Graphviz's core SVG
 * writer (labels as <text>, tooltips as link titles). PDF and PNG replay
 * Graphviz's own drawing (xdot) on the cairo canvas, so the PDF carries
 * our metadata (and no clock date when a timestamp is given) and the PNG
 * our pHYs and tEXt chunks; Graphviz's cairo plugin would embed the current
 * date and no resolution.
 *
 * Lifecycle: gvContext/gvFreeContext, agopen/agclose, gvLayout/
 * gvFreeLayout, each pair closed on every path. Graphviz reports errors
 * through agerr(); a handler collects them for our message instead of
 * letting Graphviz print.
 */
#include "config.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <graphviz/xdot.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/simdepth.h"
#include "render_i.h"

/* ------------------------------------------------------------ the adapter
 *
 * Graphviz 2.42 declares `char *` parameters where it only reads the string
 * (agopen, agattr, agnode, agsubg, agedge, agsafeset, agxset, agget,
 * agstrdup_html). Every call that passes one of our const strings goes
 * through these wrappers, which hold the only casts. */

static Agraph_t *gv_open(const char *name, Agdisc_t *disc)
{
    return agopen((char *)name, Agundirected, disc);
}

static Agsym_t *gv_attr(Agraph_t *g, int kind, const char *name, const char *def)
{
    return agattr(g, kind, (char *)name, (char *)def);
}

static Agnode_t *gv_node(Agraph_t *g, const char *name)
{
    return agnode(g, (char *)name, 1);
}

static Agraph_t *gv_subg(Agraph_t *g, const char *name)
{
    return agsubg(g, (char *)name, 1);
}

static Agedge_t *gv_edge(Agraph_t *g, Agnode_t *t, Agnode_t *h)
{
    return agedge(g, t, h, NULL, 1);
}

/* Set a declared attribute; an HTML-like label when @html. */
static int gv_set(void *obj, Agsym_t *sym, const char *value, int html)
{
    if (html) {
        char *s = agstrdup_html(agraphof(obj), (char *)value);
        int rc;
        if (s == NULL)
            return -1;
        rc = agxset(obj, sym, s);
        agstrfree(agraphof(obj), s);
        return rc;
    }
    return agxset(obj, sym, (char *)value);
}

static const char *gv_get(void *obj, const char *name)
{
    return agget(obj, (char *)name);
}

/* ------------------------------------------------------- error collection */

static char gv_errbuf[512];

static int gv_errf(char *msg)
{
    size_t len = strlen(gv_errbuf);

    if (len + 1 < sizeof gv_errbuf)
        snprintf(gv_errbuf + len, sizeof gv_errbuf - len, "%s", msg);
    return 0;
}

static simdepth_status gv_fail(simdepth_error *err, const char *what)
{
    size_t len = strlen(gv_errbuf);

    while (len > 0 && (gv_errbuf[len - 1] == '\n' || gv_errbuf[len - 1] == ' '))
        gv_errbuf[--len] = '\0';
    return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1, "Graphviz: %s failed%s%s",
                                what, gv_errbuf[0] ? ": " : "", gv_errbuf);
}

/* ------------------------------------------------------------- the model */

typedef struct gv_edge_rec {
    size_t a, b;
    double sim;
    double eab, eba;
    int lcs_depth;
    size_t lcs;
    double wup;
    int dashed; /* a confusion-graph edge the perceived graph lacks */
} gv_edge_rec;

typedef struct gv_model {
    const simdepth_i_render *r;
    size_t n_nodes;
    unsigned char *shown;  /* class -> in this figure */
    gv_edge_rec *edges;
    size_t n_edges;
    size_t n_dashed_all;   /* before --top-errors */
    double wmin, wmax;
    simdepth_graph_layout engine;
    int dark;
    size_t cols_req;       /* dot grid: clusters per row; 0: the default */
    int narrow;            /* a narrow width asked for: wrap the legend */
} gv_model;

static int cmp_rates_desc(const void *pa, const void *pb)
{
    const gv_edge_rec *a = pa, *b = pb;
    double sa = a->eab + a->eba, sb = b->eab + b->eba;

    if (sa != sb)
        return sa > sb ? -1 : 1;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

static int cmp_index(const void *pa, const void *pb)
{
    const gv_edge_rec *a = pa, *b = pb;

    if (a->dashed != b->dashed)
        return a->dashed - b->dashed;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

static simdepth_status model_build(const simdepth_i_render *r, gv_model *m, simdepth_error *err)
{
    const simdepth_analysis *a = r->a;
    const simdepth_partition *p = a->perceived.partition;
    size_t i, k, ne = 0, nd = 0, cap;
    int only = r->opt->cluster;

    memset(m, 0, sizeof *m);
    m->r = r;
    m->shown = simdepth_i_calloc(r->n, 1);
    cap = a->perceived.forest->n_edges + (a->has_confusion ? a->confusion.forest->n_edges : 0);
    m->edges = simdepth_i_malloc_array(cap + 1, sizeof *m->edges);
    if (m->shown == NULL || m->edges == NULL)
        return simdepth_i_enomem(err, "the graph");
    for (i = 0; i < r->n; i++)
        if (only < 0 || p->labels[i] == only) {
            m->shown[i] = 1;
            m->n_nodes++;
        }
    for (k = 0; k < a->perceived.forest->n_edges; k++) {
        const simdepth_edge_info *e = &a->perceived.edges[k];
        gv_edge_rec *d;
        if (!m->shown[e->edge.a] || !m->shown[e->edge.b])
            continue;
        d = &m->edges[ne++];
        memset(d, 0, sizeof *d);
        d->a = e->edge.a;
        d->b = e->edge.b;
        d->sim = e->edge.weight;
        d->eab = e->error_ab;
        d->eba = e->error_ba;
        d->lcs = e->lcs;
        d->lcs_depth = e->lcs_depth;
        d->wup = e->wup;
    }
    if (a->has_confusion) {
        /* confusion-graph edges whose pair is not a perceived tree edge */
        for (k = 0; k < a->confusion.forest->n_edges; k++) {
            const simdepth_edge_info *e = &a->confusion.edges[k];
            size_t q;
            int found = 0;
            gv_edge_rec *d;
            if (!m->shown[e->edge.a] || !m->shown[e->edge.b])
                continue;
            for (q = 0; q < a->perceived.forest->n_edges && !found; q++)
                found = a->perceived.edges[q].edge.a == e->edge.a &&
                        a->perceived.edges[q].edge.b == e->edge.b;
            if (found)
                continue;
            d = &m->edges[ne + nd++];
            memset(d, 0, sizeof *d);
            d->a = e->edge.a;
            d->b = e->edge.b;
            d->sim = simdepth_matrix_get(r->s, e->edge.a, e->edge.b);
            d->eab = e->error_ab;
            d->eba = e->error_ba;
            d->lcs = e->lcs;
            d->lcs_depth = e->lcs_depth;
            d->wup = e->wup;
            d->dashed = 1;
        }
        m->n_dashed_all = nd;
        if (r->opt->top_errors > 0 && nd > r->opt->top_errors) {
            qsort(m->edges + ne, nd, sizeof *m->edges, cmp_rates_desc);
            nd = r->opt->top_errors;
        }
    }
    m->n_edges = ne + nd;
    qsort(m->edges, m->n_edges, sizeof *m->edges, cmp_index);
    m->wmin = INFINITY;
    m->wmax = -INFINITY;
    for (k = 0; k < m->n_edges; k++)
        if (!m->edges[k].dashed) {
            m->wmin = fmin(m->wmin, m->edges[k].sim);
            m->wmax = fmax(m->wmax, m->edges[k].sim);
        }
    if (!(m->wmax >= m->wmin)) {
        m->wmin = 0.0;
        m->wmax = 1.0;
    }
    m->engine = r->opt->layout;
    if (m->engine == SIMDEPTH_LAYOUT_AUTO)
        m->engine = m->n_nodes <= 200 ? SIMDEPTH_LAYOUT_DOT
                  : m->n_nodes <= 300 ? SIMDEPTH_LAYOUT_FDP
                                      : SIMDEPTH_LAYOUT_SFDP;
    m->dark = simdepth_rgba_lightness(
                  simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_BACKGROUND)) < 50.0;
    return SIMDEPTH_OK;
}

static void model_free(gv_model *m)
{
    free(m->shown);
    free(m->edges);
}

static const char *engine_name(simdepth_graph_layout l)
{
    switch (l) {
    case SIMDEPTH_LAYOUT_NEATO: return "neato";
    case SIMDEPTH_LAYOUT_FDP: return "fdp";
    case SIMDEPTH_LAYOUT_SFDP: return "sfdp";
    case SIMDEPTH_LAYOUT_DOT:
    case SIMDEPTH_LAYOUT_AUTO:
    default: return "dot";
    }
}

/* Edge colour: high similarity strong (dark on light backgrounds); the
 * lightest 15% of the map is left out so edges stay visible. */
static simdepth_rgba edge_colour(const gv_model *m, double sim)
{
    double t = m->wmax > m->wmin ? (sim - m->wmin) / (m->wmax - m->wmin) : 1.0;
    simdepth_colormap cm = simdepth_theme_sequential(m->r->theme);

    return simdepth_colormap_eval(cm, m->dark ? 0.15 + 0.85 * t : 0.85 * (1.0 - t));
}

static double edge_width(const gv_model *m, const gv_edge_rec *e)
{
    double lw = simdepth_theme_line_width(m->r->theme) * 1.25, s = 0.0;

    if (m->r->conf != NULL) {
        s = (isfinite(e->eab) ? e->eab : 0.0) + (isfinite(e->eba) ? e->eba : 0.0);
        return lw * (1.0 + 5.0 * sqrt(s));
    }
    return lw;
}

/* Escape for an HTML-like label. */
static void html_text(simdepth_i_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': simdepth_i_buf_puts(b, "&amp;"); break;
        case '<': simdepth_i_buf_puts(b, "&lt;"); break;
        case '>': simdepth_i_buf_puts(b, "&gt;"); break;
        case '"': simdepth_i_buf_puts(b, "&quot;"); break;
        default:
            if ((unsigned char)*s >= 0x20)
                simdepth_i_buf_append(b, s, 1);
        }
    }
}

/* A DOT label string: backslashes doubled so Graphviz's escapes (\n, \N,
 * \G, ...) cannot be triggered by a class name. */
static void dot_label(simdepth_i_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\')
            simdepth_i_buf_puts(b, "\\\\");
        else if ((unsigned char)*s >= 0x20)
            simdepth_i_buf_append(b, s, 1);
    }
}

#define LEGEND_WRAP 40

/* Append the HTML text @s of a legend cell; when the figure is narrow,
 * rewrap it (its <BR ALIGN="LEFT"/> breaks too) at about @maxc visible
 * characters a line, an entity counting as one. */
static void legend_text(const gv_model *m, simdepth_i_buf *b, const char *s, size_t maxc)
{
    static const char br[] = "<BR ALIGN=\"LEFT\"/>";
    size_t line = 0;

    if (!m->narrow) {
        simdepth_i_buf_puts(b, s);
        return;
    }
    while (*s != '\0') {
        const char *w;
        size_t vis = 0, len;
        while (*s == ' ' || strncmp(s, br, sizeof br - 1) == 0)
            s += *s == ' ' ? 1 : sizeof br - 1;
        if (*s == '\0')
            break;
        for (w = s; *w != '\0' && *w != ' ' && strncmp(w, br, sizeof br - 1) != 0;) {
            if (*w == '&') {
                const char *e = strchr(w, ';');
                w = e != NULL ? e + 1 : w + 1;
                vis++;
            } else if (*w == '<') {
                const char *e = strchr(w, '>');
                w = e != NULL ? e + 1 : w + 1;
            } else {
                if (((unsigned char)*w & 0xc0) != 0x80)
                    vis++;
                w++;
            }
        }
        len = (size_t)(w - s);
        if (line > 0 && line + 1 + vis > maxc) {
            simdepth_i_buf_puts(b, br);
            line = 0;
        } else if (line > 0) {
            simdepth_i_buf_puts(b, " ");
            line++;
        }
        simdepth_i_buf_append(b, s, len);
        line += vis;
        s = w;
    }
}

/* The legend and title, as the graph's HTML-like label. */
static void legend_html(const gv_model *m, const char *cluster_title, simdepth_i_buf *b)
{
    const simdepth_i_render *r = m->r;
    const simdepth_theme *th = r->theme;
    double fs = simdepth_theme_font_size(th);
    char hex[10], lo[32], hi[32], t1[32];
    int i, steps = 24;
    const simdepth_analysis *a = r->a;
    simdepth_rgba err_c = simdepth_theme_color_get(th, SIMDEPTH_THEME_ERROR_EDGE);
    simdepth_rgba muted = simdepth_theme_color_get(th, SIMDEPTH_THEME_MUTED);

    simdepth_i_buf_printf(b, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"1\" CELLPADDING=\"1\">");
    /* title */
    simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"LEFT\" COLSPAN=\"2\"><FONT POINT-SIZE=\"%.1f\">",
                          simdepth_theme_title_size(th));
    if (cluster_title != NULL) {
        html_text(b, "Cluster ");
        html_text(b, cluster_title);
    } else {
        html_text(b, "Perceived semantic graph");
    }
    simdepth_i_buf_printf(b, "</FONT>%s%zu classes", m->narrow ? "<BR ALIGN=\"LEFT\"/>" : " &#183; ",
                          m->n_nodes);
    if (cluster_title == NULL) {
        simdepth_i_buf_printf(b, " &#183; %zu clusters", a->perceived.partition->n_clusters);
        if (isfinite(a->perceived.similarity_depth))
            simdepth_i_buf_printf(b, " &#183; Similarity Depth %.2f",
                                  a->perceived.similarity_depth);
    }
    simdepth_i_buf_puts(b, "</TD></TR>");
    /* colour bar */
    snprintf(lo, sizeof lo, "%.2f", m->wmin);
    snprintf(hi, sizeof hi, "%.2f", m->wmax);
    simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\"><TABLE BORDER=\"0\" CELLBORDER=\"0\" "
                             "CELLSPACING=\"0\" CELLPADDING=\"0\"><TR><TD>%s&#160;</TD>",
                          lo);
    for (i = 0; i < steps; i++) {
        double s = m->wmin + (m->wmax - m->wmin) * (i + 0.5) / steps;
        simdepth_i_buf_printf(b,
                              "<TD BGCOLOR=\"%s\" WIDTH=\"%d\" HEIGHT=\"%d\" FIXEDSIZE=\"TRUE\"></TD>",
                              simdepth_rgba_format(edge_colour(m, s), hex), (int)ceil(fs * 0.5),
                              (int)ceil(fs));
    }
    simdepth_i_buf_printf(b, "<TD>&#160;%s</TD></TR></TABLE></TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">",
                          hi);
    legend_text(m, b, "edge colour: perceived similarity (spanning-tree edges)", LEGEND_WRAP);
    simdepth_i_buf_puts(b, "</TD></TR>");
    {
        /* the edge label, as drawn (see graph_build) */
        int rates = r->conf != NULL && m->engine == SIMDEPTH_LAYOUT_DOT;
        if (r->info->tax != NULL && m->engine != SIMDEPTH_LAYOUT_SFDP)
        {
            simdepth_i_buf_puts(b, "<TR><TD ALIGN=\"RIGHT\">13</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">");
            legend_text(m, b, "edge label: depth of the two classes' lowest common WordNet "
                              "ancestor", LEGEND_WRAP);
            simdepth_i_buf_puts(b, "</TD></TR>");
        }
        if (rates)
        {
            simdepth_i_buf_puts(b, "<TR><TD ALIGN=\"RIGHT\">&#8595;4.1% &#8593;1.3%</TD>"
                                   "<TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">");
            legend_text(m, b, "&#8595; share of the upper class's test "
                              "images predicted as the lower class,", LEGEND_WRAP);
            simdepth_i_buf_puts(b, "<BR ALIGN=\"LEFT\"/>");
            legend_text(m, b, "&#8593; of the lower class's predicted as the upper", LEGEND_WRAP);
            simdepth_i_buf_puts(b, "</TD></TR>");
        }
        if (cluster_title == NULL && r->info->tax != NULL)
        {
            simdepth_i_buf_puts(b, "<TR><TD ALIGN=\"RIGHT\">box</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">");
            legend_text(m, b, "cluster (affinity propagation), titled with its members' "
                              "common<BR ALIGN=\"LEFT\"/>WordNet ancestor &#183; its depth",
                        LEGEND_WRAP);
            simdepth_i_buf_puts(b, "</TD></TR>");
        }
        if (!rates && r->conf != NULL && m->engine != SIMDEPTH_LAYOUT_SFDP) {
            simdepth_i_format_percent(0.041, t1, sizeof t1);
            simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"RIGHT\">%s</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">",
                                  t1);
            legend_text(m, b, "near a class: share of its test images predicted<BR ALIGN=\"LEFT\"/>"
                              "as the class at the edge's other end", LEGEND_WRAP);
            simdepth_i_buf_puts(b, "</TD></TR>");
        }
    }
    if (r->conf != NULL) {
        simdepth_i_buf_puts(b, "<TR><TD ALIGN=\"RIGHT\">width</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">");
        legend_text(m, b, "grows with the misclassification rates both ways", LEGEND_WRAP);
        simdepth_i_buf_puts(b, "</TD></TR>");
        if (m->n_dashed_all > 0) {
            simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"RIGHT\"><FONT COLOR=\"%s\">&#8211; &#8211; "
                                     "&#8211;</FONT></TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">",
                                  simdepth_rgba_format(err_c, hex));
            legend_text(m, b, "confusion-graph edge "
                              "missing from the perceived graph:<BR ALIGN=\"LEFT\"/>errors "
                              "not explained by similarity (rates in the tooltip)", LEGEND_WRAP);
            if (m->n_edges > 0 && r->opt->top_errors > 0 &&
                m->n_dashed_all > r->opt->top_errors)
                simdepth_i_buf_printf(b, "%s(the %zu strongest of %zu)",
                                      m->narrow ? "<BR ALIGN=\"LEFT\"/>" : " ",
                                      r->opt->top_errors, m->n_dashed_all);
            simdepth_i_buf_puts(b, "</TD></TR>");
        }
    }
    simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"LEFT\" COLSPAN=\"2\"><FONT COLOR=\"%s\">layout: "
                             "Graphviz %s;%shover (SVG) for WordNet ids, glosses and values"
                             "</FONT></TD></TR>",
                          simdepth_rgba_format(muted, hex), engine_name(m->engine),
                          m->narrow ? "<BR ALIGN=\"LEFT\"/>" : " ");
    simdepth_i_buf_puts(b, "</TABLE>");
}

/* Declared attributes, in the order DOT lists them. */
enum {
    GA_LAYOUT, GA_FONTNAME, GA_FONTSIZE, GA_FONTCOLOR, GA_BGCOLOR, GA_PAD, GA_OUTPUTORDER,
    GA_SPLINES, GA_OVERLAP, GA_NODESEP, GA_RANKSEP, GA_PACK, GA_PACKMODE, GA_SIZE, GA_LABELLOC,
    GA_LABELJUST, GA_LABEL, GA_STYLE, GA_FILLCOLOR, GA_COLOR, GA_PENWIDTH, GA_TOOLTIP, GA_ID,
    GA_SEP, GA_N
};
enum {
    NA_SHAPE, NA_STYLE, NA_FILLCOLOR, NA_COLOR, NA_PENWIDTH, NA_FONTNAME, NA_FONTSIZE,
    NA_FONTCOLOR, NA_MARGIN, NA_WIDTH, NA_HEIGHT, NA_LABEL, NA_TOOLTIP, NA_ID, NA_N
};
enum {
    EA_COLOR, EA_PENWIDTH, EA_STYLE, EA_FONTNAME, EA_FONTSIZE, EA_FONTCOLOR, EA_LABELFONTSIZE,
    EA_LABELFONTCOLOR, EA_LABELDISTANCE, EA_LABELANGLE, EA_CONSTRAINT, EA_WEIGHT, EA_LABEL,
    EA_TAILLABEL, EA_HEADLABEL, EA_TOOLTIP, EA_N
};

typedef struct gv_syms {
    Agsym_t *g[GA_N], *n[NA_N], *e[EA_N];
} gv_syms;

static int declare(Agraph_t *g, gv_syms *s, const gv_model *m)
{
    static const char *const gnames[GA_N] = {
        "layout", "fontname", "fontsize", "fontcolor", "bgcolor", "pad", "outputorder",
        "splines", "overlap", "nodesep", "ranksep", "pack", "packmode", "size", "labelloc",
        "labeljust", "label", "style", "fillcolor", "color", "penwidth", "tooltip", "id", "sep"};
    static const char *const nnames[NA_N] = {"shape", "style", "fillcolor", "color", "penwidth",
                                             "fontname", "fontsize", "fontcolor", "margin",
                                             "width", "height", "label", "tooltip", "id"};
    static const char *const enames[EA_N] = {
        "color", "penwidth", "style", "fontname", "fontsize", "fontcolor", "labelfontsize",
        "labelfontcolor", "labeldistance", "labelangle", "constraint", "weight", "label",
        "taillabel", "headlabel", "tooltip"};
    const simdepth_theme *th = m->r->theme;
    char hex[10], num[32];
    int i;

    for (i = 0; i < GA_N; i++)
        if ((s->g[i] = gv_attr(g, AGRAPH, gnames[i], "")) == NULL)
            return -1;
    /* Node and edge defaults are the theme's, declared once. */
    for (i = 0; i < NA_N; i++) {
        const char *def = "";
        switch (i) {
        case NA_SHAPE: def = "box"; break;
        case NA_STYLE: def = "rounded,filled"; break;
        case NA_FILLCOLOR:
            def = simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_NODE_FILL), hex);
            break;
        case NA_COLOR:
            def = simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_NODE_BORDER),
                                       hex);
            break;
        case NA_PENWIDTH:
            snprintf(num, sizeof num, "%.2f", simdepth_theme_line_width(th));
            def = num;
            break;
        case NA_FONTNAME: def = simdepth_theme_font(th); break;
        case NA_FONTSIZE:
            snprintf(num, sizeof num, "%.1f", simdepth_theme_font_size(th));
            def = num;
            break;
        case NA_FONTCOLOR:
            def = simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND),
                                       hex);
            break;
        case NA_MARGIN: def = "0.05,0.02"; break;
        case NA_WIDTH: def = "0.3"; break;
        case NA_HEIGHT: def = "0.2"; break;
        case NA_LABEL: def = "\\N"; break;
        default: break;
        }
        if ((s->n[i] = gv_attr(g, AGNODE, nnames[i], def)) == NULL)
            return -1;
    }
    for (i = 0; i < EA_N; i++) {
        const char *def = "";
        switch (i) {
        case EA_FONTNAME: def = simdepth_theme_font(th); break;
        case EA_FONTSIZE:
            snprintf(num, sizeof num, "%.1f", simdepth_theme_font_size(th) * 0.85);
            def = num;
            break;
        case EA_LABELFONTSIZE:
            snprintf(num, sizeof num, "%.1f", simdepth_theme_font_size(th) * 0.8);
            def = num;
            break;
        case EA_FONTCOLOR:
        case EA_LABELFONTCOLOR:
            def = simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND),
                                       hex);
            break;
        case EA_LABELDISTANCE: def = "1.8"; break;
        case EA_LABELANGLE: def = "35"; break;
        case EA_CONSTRAINT: def = "true"; break;
        case EA_WEIGHT: def = "1"; break;
        case EA_COLOR: def = "black"; break;
        case EA_PENWIDTH: def = "1"; break;
        default: break;
        }
        if ((s->e[i] = gv_attr(g, AGEDGE, enames[i], def)) == NULL)
            return -1;
    }
    return 0;
}

/* dot places the clusters (disconnected trees) side by side in one row,
 * which at 100 classes is a strip 20 times wider than tall. Invisible,
 * weightless edges from every node of block i to every source node (no
 * incoming tree edge) of block i + columns put each block below the one
 * above it, so the blocks (clusters in label order, then singletons) form
 * a grid of about sqrt(blocks) columns. They appear in the DOT text with
 * style=invis. */
/* The number of blocks grid_edges() arranges: clusters of 2+ shown
 * members and lone classes. */
static size_t graph_blocks(const gv_model *m)
{
    const simdepth_partition *p = m->r->a->perceived.partition;
    size_t n = m->r->n, ncl = p->n_clusters, i, k, nb = 0;

    for (k = 0; k <= ncl; k++) {
        int32_t lab = k == ncl ? -1 : (int32_t)k;
        size_t cnt = 0;
        for (i = 0; i < n; i++)
            cnt += m->shown[i] && p->labels[i] == lab;
        nb += cnt > 0;
    }
    return nb;
}

static int grid_edges(const gv_model *m, Agraph_t *g, Agnode_t **nodes, const gv_syms *sy)
{
    const simdepth_partition *p = m->r->a->perceived.partition;
    size_t n = m->r->n, ncl = p->n_clusters, i, k, nb = 0, cols, *start = NULL, *mem = NULL,
           *indeg = NULL, pos = 0;
    int rc = 0;

    start = simdepth_i_malloc_array(ncl + n + 2, sizeof *start);
    mem = simdepth_i_malloc_array(n + 1, sizeof *mem);
    indeg = simdepth_i_calloc(n, sizeof *indeg);
    if (start == NULL || mem == NULL || indeg == NULL) {
        rc = -1;
        goto out;
    }
    for (k = 0; k < m->n_edges; k++)
        if (!m->edges[k].dashed)
            indeg[m->edges[k].b]++;
    /* blocks: clusters of 2+ members in label order (-1 last), then
     * singletons */
    for (k = 0; k <= ncl; k++) {
        int32_t lab = k == ncl ? -1 : (int32_t)k;
        size_t cnt = 0;
        for (i = 0; i < n; i++)
            cnt += m->shown[i] && p->labels[i] == lab;
        if (cnt < 2)
            continue;
        start[nb++] = pos;
        for (i = 0; i < n; i++)
            if (m->shown[i] && p->labels[i] == lab)
                mem[pos++] = i;
    }
    for (k = 0; k <= ncl; k++) {
        int32_t lab = k == ncl ? -1 : (int32_t)k;
        size_t cnt = 0, last = 0;
        for (i = 0; i < n; i++)
            if (m->shown[i] && p->labels[i] == lab) {
                cnt++;
                last = i;
            }
        if (cnt != 1)
            continue;
        start[nb++] = pos;
        mem[pos++] = last;
    }
    start[nb] = pos;
    if (m->cols_req > 0) {
        cols = m->cols_req;
        if (nb <= cols)
            goto out;
    } else {
        if (nb < 5)
            goto out;
        cols = (size_t)ceil(sqrt((double)nb * 0.8));
    }
    for (k = 0; k + cols < nb && rc == 0; k++) {
        size_t a, b, j = k + cols;
        for (a = start[k]; a < start[k + 1] && rc == 0; a++)
            for (b = start[j]; b < start[j + 1] && rc == 0; b++) {
                Agedge_t *e;
                if (indeg[mem[b]] != 0)
                    continue;
                e = gv_edge(g, nodes[mem[a]], nodes[mem[b]]);
                /* weightless, except when stacking for a narrow width:
                 * there they also pull the blocks into one column */
                if (e == NULL || gv_set(e, sy->e[EA_STYLE], "invis", 0) != 0 ||
                    gv_set(e, sy->e[EA_WEIGHT], m->cols_req > 0 ? "1" : "0", 0) != 0)
                    rc = -1;
            }
    }
out:
    free(start);
    free(mem);
    free(indeg);
    return rc;
}

/* Build the graph; *out is closed by the caller with agclose(). */
static simdepth_status graph_build(const gv_model *m, Agdisc_t *disc, Agraph_t **out,
                                   simdepth_error *err)
{
    const simdepth_i_render *r = m->r;
    const simdepth_theme *th = r->theme;
    const simdepth_partition *p = r->a->perceived.partition;
    const simdepth_report_info *info = r->info;
    Agraph_t *g = NULL;
    Agnode_t **nodes = NULL;
    gv_syms sy;
    simdepth_i_buf b = {0};
    char hex[10], num[64], name[32];
    size_t i, k, n = r->n, ncl = p->n_clusters;
    size_t *members = NULL, *count = NULL;
    int bad = 0;
    const char *cluster_title = NULL;
    char cluster_title_buf[200];
    double fs = simdepth_theme_font_size(th);
    int big = m->engine == SIMDEPTH_LAYOUT_SFDP;

    g = gv_open("simdepth", disc);
    nodes = simdepth_i_calloc(n, sizeof *nodes);
    members = simdepth_i_malloc_array(n, sizeof *members);
    count = simdepth_i_calloc(ncl + 1, sizeof *count);
    if (g == NULL || nodes == NULL || members == NULL || count == NULL) {
        simdepth_status st = g == NULL ? gv_fail(err, "agopen") : simdepth_i_enomem(err, "the graph");
        if (g != NULL)
            agclose(g);
        free(nodes);
        free(members);
        free(count);
        return st;
    }
    if (declare(g, &sy, m) != 0) {
        bad = 1;
        goto out;
    }
#define GSET(obj, sym, val) bad |= gv_set((obj), (sym), (val), 0) != 0
    GSET(g, sy.g[GA_LAYOUT], engine_name(m->engine));
    GSET(g, sy.g[GA_FONTNAME], simdepth_theme_font(th));
    snprintf(num, sizeof num, "%.1f", fs);
    GSET(g, sy.g[GA_FONTSIZE], num);
    GSET(g, sy.g[GA_FONTCOLOR],
         simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND), hex));
    GSET(g, sy.g[GA_BGCOLOR],
         simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND), hex));
    GSET(g, sy.g[GA_PAD], "0.1");
    GSET(g, sy.g[GA_OUTPUTORDER], "edgesfirst");
    GSET(g, sy.g[GA_LABELLOC], "b");
    GSET(g, sy.g[GA_LABELJUST], "l");
    GSET(g, sy.g[GA_ID], "graph");
    switch (m->engine) {
    case SIMDEPTH_LAYOUT_DOT:
        GSET(g, sy.g[GA_NODESEP], "0.35");
        GSET(g, sy.g[GA_RANKSEP], "0.3");
        break;
    case SIMDEPTH_LAYOUT_NEATO:
    case SIMDEPTH_LAYOUT_FDP:
        GSET(g, sy.g[GA_OVERLAP], "false");
        GSET(g, sy.g[GA_SPLINES], "true");
        GSET(g, sy.g[GA_SEP], "+4");
        break;
    case SIMDEPTH_LAYOUT_SFDP:
    default:
        GSET(g, sy.g[GA_OVERLAP], "prism");
        GSET(g, sy.g[GA_SPLINES], "false");
        break;
    }
    if (r->opt->width > 0 || r->opt->height > 0) {
        snprintf(num, sizeof num, "%.4f,%.4f!", r->opt->width > 0 ? r->opt->width / 72.0 : 1000.0,
                 r->opt->height > 0 ? r->opt->height / 72.0 : 1000.0);
        GSET(g, sy.g[GA_SIZE], num);
    }

    /* clusters: members in index order */
    for (i = 0; i < n; i++)
        if (m->shown[i])
            count[p->labels[i] < 0 ? ncl : (size_t)p->labels[i]]++;
    if (r->opt->cluster >= 0) {
        size_t anc;
        int depth, cnt = 0;
        for (i = 0; i < n; i++)
            if (m->shown[i])
                members[cnt++] = i;
        if (simdepth_i_common_ancestor(info, members, (size_t)cnt, &anc, &depth) == SIMDEPTH_OK)
            snprintf(cluster_title_buf, sizeof cluster_title_buf, "%d: %s \xc2\xb7 %d",
                     r->opt->cluster, simdepth_taxonomy_label(info->tax, anc), depth);
        else
            snprintf(cluster_title_buf, sizeof cluster_title_buf, "%d", r->opt->cluster);
        cluster_title = cluster_title_buf;
    }
    for (k = 0; k <= ncl; k++) {
        Agraph_t *sg = g;
        size_t cnt = 0, anc;
        int depth;
        int32_t lab = k == ncl ? -1 : (int32_t)k;
        if (count[k] == 0)
            continue;
        for (i = 0; i < n; i++)
            if (m->shown[i] && p->labels[i] == lab)
                members[cnt++] = i;
        if (cnt >= 2 && !big && r->opt->cluster < 0) {
            char title[200], tip[800];
            snprintf(name, sizeof name, "cluster_%zu", k);
            sg = gv_subg(g, name);
            if (sg == NULL) {
                bad = 1;
                goto out;
            }
            if (simdepth_i_common_ancestor(info, members, cnt, &anc, &depth) == SIMDEPTH_OK) {
                snprintf(title, sizeof title, "%s \xc2\xb7 %d",
                         simdepth_taxonomy_label(info->tax, anc), depth);
                snprintf(tip, sizeof tip, "cluster %d: %zu classes; common ancestor %s (%s), "
                                          "depth %d: %s",
                         (int)lab, cnt, simdepth_taxonomy_name(info->tax, anc),
                         simdepth_taxonomy_id(info->tax, anc), depth,
                         simdepth_taxonomy_gloss(info->tax, anc));
            } else {
                snprintf(title, sizeof title, "cluster %d", (int)lab);
                snprintf(tip, sizeof tip, "cluster %d: %zu classes", (int)lab, cnt);
            }
            simdepth_i_buf_free(&b);
            dot_label(&b, title);
            GSET(sg, sy.g[GA_LABEL], b.data ? b.data : "");
            GSET(sg, sy.g[GA_LABELJUST], "l");
            GSET(sg, sy.g[GA_LABELLOC], "t");
            GSET(sg, sy.g[GA_STYLE], "rounded,filled");
            GSET(sg, sy.g[GA_FILLCOLOR],
                 simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_CLUSTER_FILL),
                                      hex));
            GSET(sg, sy.g[GA_COLOR],
                 simdepth_rgba_format(
                     simdepth_theme_color_get(th, SIMDEPTH_THEME_CLUSTER_BORDER), hex));
            snprintf(num, sizeof num, "%.2f", simdepth_theme_line_width(th) * 0.8);
            GSET(sg, sy.g[GA_PENWIDTH], num);
            GSET(sg, sy.g[GA_TOOLTIP], tip);
            snprintf(num, sizeof num, "cluster%zu", k);
            GSET(sg, sy.g[GA_ID], num);
        }
        for (i = 0; i < cnt; i++) {
            size_t c = members[i];
            char tip[1000];
            Agnode_t *nd;
            snprintf(name, sizeof name, "c%zu", c);
            nd = gv_node(sg, name);
            if (nd == NULL) {
                bad = 1;
                goto out;
            }
            nodes[c] = nd;
            simdepth_i_buf_free(&b);
            dot_label(&b, r->names[c]);
            GSET(nd, sy.n[NA_LABEL], b.data ? b.data : "");
            if (info->tax != NULL && info->nodes != NULL)
                snprintf(tip, sizeof tip, "%s\n%s \xc2\xb7 %s\n%s", r->names[c],
                         simdepth_taxonomy_id(info->tax, info->nodes[c]),
                         simdepth_taxonomy_name(info->tax, info->nodes[c]),
                         simdepth_taxonomy_gloss(info->tax, info->nodes[c]));
            else
                snprintf(tip, sizeof tip, "%s\n%s", r->names[c],
                         simdepth_labels_key(info->labels, c));
            GSET(nd, sy.n[NA_TOOLTIP], tip);
            snprintf(num, sizeof num, "class%zu", c);
            GSET(nd, sy.n[NA_ID], num);
            if (big) {
                simdepth_rgba cc = simdepth_theme_categorical(th, k);
                cc.a = 0.35;
                GSET(nd, sy.n[NA_FILLCOLOR], simdepth_rgba_format(cc, hex));
            }
        }
    }

    /* edges, perceived tree edges first, each group in index order */
    for (k = 0; k < m->n_edges; k++) {
        const gv_edge_rec *e = &m->edges[k];
        Agedge_t *ed = gv_edge(g, nodes[e->a], nodes[e->b]);
        char tip[1000], pa[32], pb[32], lab[96];
        if (ed == NULL) {
            bad = 1;
            goto out;
        }
        if (e->dashed)
            GSET(ed, sy.e[EA_COLOR],
                 simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_ERROR_EDGE), hex));
        else
            GSET(ed, sy.e[EA_COLOR], simdepth_rgba_format(edge_colour(m, e->sim), hex));
        snprintf(num, sizeof num, "%.2f", edge_width(m, e) * (e->dashed ? 0.8 : 1.0));
        GSET(ed, sy.e[EA_PENWIDTH], num);
        if (e->dashed) {
            GSET(ed, sy.e[EA_STYLE], "dashed");
            GSET(ed, sy.e[EA_CONSTRAINT], "false");
            GSET(ed, sy.e[EA_WEIGHT], "0");
        }
        simdepth_i_format_percent(e->eab, pa, sizeof pa);
        simdepth_i_format_percent(e->eba, pb, sizeof pb);
        if (!e->dashed && !big) {
            /* dot: one label per edge, placed by dot itself (a virtual
             * node, so labels never overlap each other, nodes or edges):
             * the LCS depth over the two rates. A tree edge runs from
             * tail (upper rank) to head (lower rank), so the rates are
             * given as down (upper class predicted as lower) and up.
             * Other engines have no ranks: rates at the edge's ends. */
            int rates = r->conf != NULL && m->engine == SIMDEPTH_LAYOUT_DOT;
            lab[0] = '\0';
            if (info->tax != NULL)
                snprintf(lab, sizeof lab, "%d%s", e->lcs_depth, rates ? "\n" : "");
            if (rates) {
                size_t ll = strlen(lab);
                snprintf(lab + ll, sizeof lab - ll, "\xe2\x86\x93%s \xe2\x86\x91%s", pa, pb);
            }
            if (lab[0] != '\0') {
                /* on a patch of the box's fill, so that an edge crossing
                 * it cannot hide it */
                int same = p->labels[e->a] >= 0 && p->labels[e->a] == p->labels[e->b] &&
                           count[p->labels[e->a]] >= 2 && r->opt->cluster < 0;
                char *nl = strchr(lab, '\n');
                simdepth_i_buf_free(&b);
                simdepth_i_buf_printf(
                    &b, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" "
                        "CELLPADDING=\"0\"><TR><TD BGCOLOR=\"%s\">",
                    simdepth_rgba_format(
                        simdepth_theme_color_get(th, same ? SIMDEPTH_THEME_CLUSTER_FILL
                                                          : SIMDEPTH_THEME_BACKGROUND),
                        hex));
                if (nl != NULL) {
                    *nl = '\0';
                    html_text(&b, lab);
                    simdepth_i_buf_puts(&b, "<BR/>");
                    html_text(&b, nl + 1);
                } else {
                    html_text(&b, lab);
                }
                simdepth_i_buf_puts(&b, "</TD></TR></TABLE>");
                if (b.failed) {
                    bad = 1;
                    goto out;
                }
                bad |= gv_set(ed, sy.e[EA_LABEL], b.data, 1) != 0;
            }
            if (r->conf != NULL && !rates) {
                GSET(ed, sy.e[EA_TAILLABEL], pa);
                GSET(ed, sy.e[EA_HEADLABEL], pb);
            }
        }
        {
            int len = snprintf(tip, sizeof tip, "%s \xe2\x80\x94 %s\n%s similarity %.3f",
                               r->names[e->a], r->names[e->b],
                               e->dashed ? "confusion-graph edge (not in the perceived graph); perceived"
                                         : "perceived",
                               e->sim);
            if (info->tax != NULL && len > 0 && (size_t)len < sizeof tip)
                len += snprintf(tip + len, sizeof tip - (size_t)len,
                                "\nLCS %s (%s), depth %d; Wu-Palmer %.3f",
                                simdepth_taxonomy_name(info->tax, e->lcs),
                                simdepth_taxonomy_id(info->tax, e->lcs), e->lcs_depth, e->wup);
            if (r->conf != NULL && len > 0 && (size_t)len < sizeof tip)
                snprintf(tip + len, sizeof tip - (size_t)len,
                         "\n%s predicted as %s: %s\n%s predicted as %s: %s", r->names[e->a],
                         r->names[e->b], pa, r->names[e->b], r->names[e->a], pb);
        }
        GSET(ed, sy.e[EA_TOOLTIP], tip);
    }

    /* dot: stack the clusters into rows (see grid_edges) */
    if (m->engine == SIMDEPTH_LAYOUT_DOT && r->opt->cluster < 0 && !big)
        bad |= grid_edges(m, g, nodes, &sy) != 0;

    /* legend */
    simdepth_i_buf_free(&b);
    legend_html(m, cluster_title, &b);
    if (b.failed) {
        simdepth_i_buf_free(&b);
        agclose(g);
        free(nodes);
        free(members);
        free(count);
        return simdepth_i_enomem(err, "the legend");
    }
    bad |= gv_set(g, sy.g[GA_LABEL], b.data, 1) != 0;
#undef GSET
out:
    simdepth_i_buf_free(&b);
    free(nodes);
    free(members);
    free(count);
    if (bad) {
        agclose(g);
        return gv_fail(err, "building the graph (agattr/agnode/agedge/agxset)");
    }
    *out = g;
    return SIMDEPTH_OK;
}

/* ------------------------------------------------------------------ DOT */

static int dot_putstr(void *chan, const char *str)
{
    simdepth_i_buf_puts(chan, str);
    return ((simdepth_i_buf *)chan)->failed ? EOF : 0;
}

static int dot_flush(void *chan)
{
    (void)chan;
    return 0;
}

static simdepth_status write_dot(Agraph_t *g, simdepth_i_buf *out, simdepth_error *err)
{
    /* The graph was opened with buffer_disc(): agwrite's channel is @out. */
    if (agwrite(g, out) == EOF || out->failed)
        return out->failed ? simdepth_i_enomem(err, "the DOT text") : gv_fail(err, "agwrite");
    return SIMDEPTH_OK;
}

/* Object ids in creation order.
 *
 * cgraph's default id discipline uses the address of an object's name
 * string as its id, and iterates subgraphs in id order: cluster order (and
 * with it dot's layout and agwrite's output) then depends on the heap.
 * This discipline numbers names in the order they are first seen (even
 * ids 2, 4, ...; anonymous objects get odd ids, as in the default), so the
 * same graph gives the same DOT text and the same layout every time. */
typedef struct seq_ids {
    Agraph_t *g;
    char **names;      /* names[k] has id 2 (k + 1); cgraph refstrs */
    size_t n, cap;
    uint32_t *slots;   /* open addressing: index + 1, 0 empty */
    size_t mask;
    IDTYPE anon;
} seq_ids;

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void *ids_open(Agraph_t *g, Agdisc_t *disc)
{
    seq_ids *s = calloc(1, sizeof *s);

    (void)disc;
    if (s != NULL) {
        s->g = g;
        s->anon = 1;
    }
    return s;
}

static int ids_grow(seq_ids *s)
{
    size_t cap = s->cap ? 2 * s->cap : 256, k;
    char **names = realloc(s->names, cap * sizeof *names);
    uint32_t *slots;

    if (names == NULL)
        return -1;
    s->names = names;
    slots = calloc(2 * cap, sizeof *slots);
    if (slots == NULL)
        return -1;
    free(s->slots);
    s->slots = slots;
    s->mask = 2 * cap - 1;
    s->cap = cap;
    for (k = 0; k < s->n; k++) {
        size_t h = name_hash(s->names[k]) & s->mask;
        while (s->slots[h] != 0)
            h = (h + 1) & s->mask;
        s->slots[h] = (uint32_t)(k + 1);
    }
    return 0;
}

static long ids_map(void *state, int objtype, char *str, IDTYPE *id, int createflag)
{
    seq_ids *s = state;
    size_t h;

    (void)objtype;
    if (str == NULL) {
        *id = s->anon;
        s->anon += 2;
        return 1;
    }
    if (s->cap > 0) {
        for (h = name_hash(str) & s->mask; s->slots[h] != 0; h = (h + 1) & s->mask)
            if (strcmp(s->names[s->slots[h] - 1], str) == 0) {
                *id = 2 * (IDTYPE)s->slots[h];
                return 1;
            }
    }
    if (!createflag)
        return 0;
    if ((s->n + 1 > s->cap || s->cap == 0) && ids_grow(s) != 0)
        return 0;
    /* a refstr, as the default discipline makes: agwrite asks whether a
     * name is an HTML string by looking at its refstr header. The graph's
     * string dictionary releases it at agclose. */
    s->names[s->n] = agstrdup(s->g, str);
    if (s->names[s->n] == NULL)
        return 0;
    for (h = name_hash(str) & s->mask; s->slots[h] != 0; h = (h + 1) & s->mask)
        ;
    s->slots[h] = (uint32_t)(s->n + 1);
    s->n++;
    *id = 2 * (IDTYPE)s->n;
    return 1;
}

static long ids_alloc(void *state, int objtype, IDTYPE request)
{
    (void)state;
    (void)objtype;
    (void)request;
    return 0;
}

static void ids_free(void *state, int objtype, IDTYPE id)
{
    (void)state;
    (void)objtype;
    (void)id; /* names live until close */
}

static char *ids_print(void *state, int objtype, IDTYPE id)
{
    seq_ids *s = state;

    (void)objtype;
    if (id % 2 != 0 || id == 0 || id / 2 > s->n)
        return NULL;
    return s->names[id / 2 - 1];
}

static void ids_close(void *state)
{
    seq_ids *s = state;

    if (s == NULL)
        return;
    free(s->names);
    free(s->slots);
    free(s);
}

static void ids_register(void *state, int objtype, void *obj)
{
    (void)state;
    (void)objtype;
    (void)obj;
}

static Agiddisc_t seq_id_disc = {ids_open, ids_map, ids_alloc, ids_free,
                                 ids_print, ids_close, ids_register};

/* Reading DOT text from memory, a line at a time (as agmemread does). */
typedef struct mem_chan {
    const char *p, *end;
} mem_chan;

static int mem_read(void *chan, char *buf, int bufsize)
{
    mem_chan *c = chan;
    int n = 0;

    while (c->p < c->end && n < bufsize - 1) {
        char ch = *c->p++;
        buf[n++] = ch;
        if (ch == '\n')
            break;
    }
    buf[n] = '\0';
    return n;
}

/* A discipline whose output channel is a simdepth_i_buf (agwrite) and
 * whose input channel is a mem_chan (agread), with sequential ids. */
static void buffer_disc(Agiodisc_t *io, Agdisc_t *disc)
{
    *io = AgIoDisc;
    io->afread = mem_read;
    io->putstr = dot_putstr;
    io->flush = dot_flush;
    disc->mem = &AgMemDisc;
    disc->id = &seq_id_disc;
    disc->io = io;
}

/* ---------------------------------------------------- xdot on the canvas */

typedef struct player {
    simdepth_i_canvas *cv;
    double s, llx, ury, pad;
    simdepth_rgba pen, fill;
    double lw;
    int dash, invis;
    double font_size;
    int bold;
    double *pts;
    size_t pts_cap;
} player;

static simdepth_rgba parse_gv_colour(const char *c)
{
    simdepth_rgba out = {0, 0, 0, 1};

    if (c == NULL)
        return out;
    if (c[0] == '#') {
        if (simdepth_rgba_parse(c, &out, NULL) != SIMDEPTH_OK)
            out = (simdepth_rgba){0, 0, 0, 1};
        return out;
    }
    if (strcmp(c, "white") == 0)
        return (simdepth_rgba){1, 1, 1, 1};
    if (strcmp(c, "transparent") == 0 || strcmp(c, "none") == 0 || strcmp(c, "invis") == 0)
        return (simdepth_rgba){0, 0, 0, 0};
    return out; /* "black" and anything else */
}

static int player_points(player *pl, const xdot_polyline *p)
{
    int i;

    if ((size_t)p->cnt * 2 > pl->pts_cap) {
        double *d = simdepth_i_realloc_array(pl->pts, (size_t)p->cnt * 2, sizeof *d);
        if (d == NULL)
            return -1;
        pl->pts = d;
        pl->pts_cap = (size_t)p->cnt * 2;
    }
    for (i = 0; i < p->cnt; i++) {
        pl->pts[2 * i] = (p->pts[i].x - pl->llx + pl->pad) * pl->s;
        pl->pts[2 * i + 1] = (pl->ury - p->pts[i].y + pl->pad) * pl->s;
    }
    return 0;
}

static void player_style(player *pl, const char *style)
{
    const char *p = style;

    while (p != NULL && *p) {
        if (strncmp(p, "setlinewidth(", 13) == 0)
            pl->lw = atof(p + 13);
        else if (strncmp(p, "dashed", 6) == 0 || strncmp(p, "dotted", 6) == 0)
            pl->dash = 1;
        else if (strncmp(p, "solid", 5) == 0)
            pl->dash = 0;
        else if (strncmp(p, "invis", 5) == 0)
            pl->invis = 1;
        p = strchr(p, ',');
        if (p != NULL)
            p++;
    }
}

/* Replay one xdot attribute. Returns -1 on a parse or memory failure. */
static int player_run(player *pl, const char *ops)
{
    xdot *x;
    int i;

    if (ops == NULL || ops[0] == '\0')
        return 0;
    x = parseXDot((char *)ops); /* reads only; Graphviz's char * again */
    if (x == NULL)
        return -1;
    for (i = 0; i < x->cnt; i++) {
        xdot_op *op = &x->ops[i];
        simdepth_rgba *fill = NULL;
        switch (op->kind) {
        case xd_filled_ellipse:
            fill = &pl->fill;
            /* fall through */
        case xd_unfilled_ellipse:
            if (!pl->invis)
                simdepth_i_canvas_ellipse(pl->cv, (op->u.ellipse.x - pl->llx + pl->pad) * pl->s,
                                          (pl->ury - op->u.ellipse.y + pl->pad) * pl->s,
                                          op->u.ellipse.w * pl->s, op->u.ellipse.h * pl->s, fill,
                                          &pl->pen, pl->lw * pl->s);
            break;
        case xd_filled_polygon:
        case xd_unfilled_polygon:
            if (player_points(pl, &op->u.polygon) != 0)
                goto fail;
            if (!pl->invis)
                simdepth_i_canvas_path(pl->cv, pl->pts, (size_t)op->u.polygon.cnt, 0, 1,
                                       op->kind == xd_filled_polygon ? &pl->fill : NULL,
                                       pl->pen.a > 0 ? &pl->pen : NULL, pl->lw * pl->s, pl->dash);
            break;
        case xd_filled_bezier:
        case xd_unfilled_bezier:
            if (player_points(pl, &op->u.bezier) != 0)
                goto fail;
            if (!pl->invis)
                simdepth_i_canvas_path(pl->cv, pl->pts, (size_t)op->u.bezier.cnt, 1,
                                       op->kind == xd_filled_bezier,
                                       op->kind == xd_filled_bezier ? &pl->fill : NULL, &pl->pen,
                                       pl->lw * pl->s, pl->dash);
            break;
        case xd_polyline:
            if (player_points(pl, &op->u.polyline) != 0)
                goto fail;
            if (!pl->invis)
                simdepth_i_canvas_polyline(pl->cv, pl->pts, (size_t)op->u.polyline.cnt, &pl->pen,
                                           pl->lw * pl->s, pl->dash);
            break;
        case xd_text:
            if (!pl->invis)
                simdepth_i_canvas_text(pl->cv, (op->u.text.x - pl->llx + pl->pad) * pl->s,
                                       (pl->ury - op->u.text.y + pl->pad) * pl->s, op->u.text.text,
                                       pl->font_size * pl->s,
                                       op->u.text.align == xd_left     ? SIMDEPTH_I_START
                                       : op->u.text.align == xd_right ? SIMDEPTH_I_END
                                                                      : SIMDEPTH_I_MIDDLE,
                                       0, pl->pen, pl->bold);
            break;
        case xd_fill_color:
            pl->fill = parse_gv_colour(op->u.color);
            break;
        case xd_pen_color:
            pl->pen = parse_gv_colour(op->u.color);
            break;
        case xd_font:
            pl->font_size = op->u.font.size;
            break;
        case xd_style:
            player_style(pl, op->u.style);
            break;
        case xd_fontchar:
            pl->bold = (op->u.fontchar & 1) != 0;
            break;
        default:
            break; /* images and gradients are not used by our graphs */
        }
    }
    freeXDot(x);
    return 0;
fail:
    freeXDot(x);
    return -1;
}

static void player_reset(player *pl)
{
    pl->pen = (simdepth_rgba){0, 0, 0, 1};
    pl->fill = (simdepth_rgba){0, 0, 0, 1};
    pl->lw = 1.0;
    pl->dash = 0;
    pl->invis = 0;
    pl->font_size = 14.0;
    pl->bold = 0;
}

static int play_obj(player *pl, void *obj, const char *const *attrs)
{
    for (; *attrs != NULL; attrs++) {
        player_reset(pl);
        if (player_run(pl, gv_get(obj, *attrs)) != 0)
            return -1;
    }
    return 0;
}

static int play_clusters(player *pl, Agraph_t *g)
{
    static const char *const gattrs[] = {"_draw_", "_ldraw_", NULL};
    Agraph_t *sg;

    for (sg = agfstsubg(g); sg != NULL; sg = agnxtsubg(sg)) {
        if (play_obj(pl, sg, gattrs) != 0 || play_clusters(pl, sg) != 0)
            return -1;
    }
    return 0;
}

static simdepth_status play(const simdepth_i_render *r, GVC_t *gvc, Agraph_t *g,
                            simdepth_i_buf *out, simdepth_error *err)
{
    static const char *const gattrs[] = {"_draw_", "_ldraw_", NULL};
    /* edges first, then every edge label over all edges (the labels have
     * a background, so a crossing dashed edge cannot hide one) */
    static const char *const eattrs[] = {"_draw_", "_hdraw_", "_tdraw_", NULL};
    static const char *const elattrs[] = {"_ldraw_", "_hldraw_", "_tldraw_", NULL};
    static const char *const nattrs[] = {"_draw_", "_ldraw_", NULL};
    player pl;
    double llx, lly, urx, ury, W, H;
    const char *bb;
    simdepth_i_canvas *cv = NULL;
    simdepth_status st;
    Agnode_t *nd;
    Agedge_t *e;

    /* attach the drawing as _draw_ attributes; no output file */
    if (gvRender(gvc, g, "xdot", NULL) != 0)
        return gv_fail(err, "gvRender(xdot)");
    bb = gv_get(g, "bb");
    if (bb == NULL || sscanf(bb, "%lf,%lf,%lf,%lf", &llx, &lly, &urx, &ury) != 4)
        return gv_fail(err, "reading the layout's bounding box");
    memset(&pl, 0, sizeof pl);
    pl.pad = 0.1 * 72.0;
    pl.llx = llx;
    pl.ury = ury;
    W = urx - llx + 2 * pl.pad;
    H = ury - lly + 2 * pl.pad;
    pl.s = 1.0;
    if (r->opt->width > 0 || r->opt->height > 0) {
        double sw = r->opt->width > 0 ? r->opt->width / W : INFINITY;
        double sh = r->opt->height > 0 ? r->opt->height / H : INFINITY;
        pl.s = fmin(sw, sh);
    }
    st = simdepth_i_canvas_new(r, W * pl.s, H * pl.s, "Semantic graph", &cv, err);
    if (st != SIMDEPTH_OK)
        return st;
    pl.cv = cv;
    if (play_obj(&pl, g, gattrs) != 0 || play_clusters(&pl, g) != 0)
        goto fail;
    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd))
        for (e = agfstout(g, nd); e != NULL; e = agnxtout(g, e))
            if (play_obj(&pl, e, eattrs) != 0)
                goto fail;
    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd))
        for (e = agfstout(g, nd); e != NULL; e = agnxtout(g, e))
            if (play_obj(&pl, e, elattrs) != 0)
                goto fail;
    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd))
        if (play_obj(&pl, nd, nattrs) != 0)
            goto fail;
    st = simdepth_i_canvas_finish(cv, out, err);
    simdepth_i_canvas_free(cv);
    free(pl.pts);
    return st;
fail:
    simdepth_i_canvas_free(cv);
    free(pl.pts);
    return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1,
                                "cannot replay Graphviz's drawing (xdot) with cairo");
}

/* ---------------------------------------------------------------- entry */

simdepth_status simdepth_i_render_graph(const simdepth_i_render *r, simdepth_i_buf *out,
                                        simdepth_error *err)
{
    gv_model m;
    GVC_t *gvc = NULL;
    Agraph_t *g = NULL;
    agusererrf saved_errf;
    Agiodisc_t io;
    Agdisc_t disc;
    simdepth_i_buf dot = {0};
    int laid_out = 0, attempt;
    simdepth_status st;

    gv_errbuf[0] = '\0';
    saved_errf = agseterrf(gv_errf);
    st = model_build(r, &m, err);
    if (st != SIMDEPTH_OK)
        goto out;
    gvc = gvContext();
    if (gvc == NULL) {
        st = gv_fail(err, "gvContext");
        goto out;
    }
    buffer_disc(&io, &disc);
    for (attempt = 0;; attempt++) {
        double llx, lly, urx, ury, W, need, fs;
        const char *bb;
        size_t cols, nb;
        st = graph_build(&m, &disc, &g, err);
        if (st != SIMDEPTH_OK)
            goto out;
        /* The DOT text is the figure's source: lay out exactly what it
         * says, read back into a fresh graph. (Laying out the graph as
         * built in memory loses edges in Graphviz 2.42 - constraint=false
         * edges vanish from the SVG and every edge from xdot - while the
         * same graph read from its DOT text is drawn completely.) */
        simdepth_i_buf_free(&dot);
        st = write_dot(g, &dot, err);
        if (st != SIMDEPTH_OK)
            goto out;
        if (agclose(g) != 0) {
            g = NULL;
            st = gv_fail(err, "agclose");
            goto out;
        }
        g = NULL;
        if (r->opt->format == SIMDEPTH_IMAGE_DOT && r->opt->width <= 0) {
            simdepth_i_buf_append(out, dot.data, dot.len);
            goto out;
        }
        {
            mem_chan chan;
            chan.p = dot.data;
            chan.end = dot.data + dot.len;
            g = agread(&chan, &disc);
        }
        if (g == NULL) {
            st = gv_fail(err, "agread");
            goto out;
        }
        if (gvLayout(gvc, g, engine_name(m.engine)) != 0) {
            st = gv_fail(err, "gvLayout");
            goto out;
        }
        laid_out = 1;
        /* A narrow width (e.g. one column of a paper): rather than shrink
         * the text below the theme's minimum (and 6 pt), wrap the legend
         * and stack the clusters into fewer columns, which makes the
         * figure taller. */
        if (r->opt->width <= 0 || m.engine != SIMDEPTH_LAYOUT_DOT || r->opt->cluster >= 0 ||
            attempt >= 4)
            break;
        bb = gv_get(g, "bb");
        /* gvLayout sets bb as "llx lly urx ury", xdot as "llx,lly,urx,ury" */
        if (bb == NULL ||
            sscanf(bb, "%lf%*[ ,]%lf%*[ ,]%lf%*[ ,]%lf", &llx, &lly, &urx, &ury) != 4)
            break;
        (void)lly;
        (void)ury;
        W = urx - llx + 2 * 0.1 * 72.0;
        fs = simdepth_theme_font_size(r->theme);
        need = fmin(1.0, fmax(simdepth_theme_min_font_size(r->theme), fmin(6.0, fs)) / fs);
        if (r->opt->width / W >= need)
            break;
        nb = graph_blocks(&m);
        cols = m.cols_req > 0 ? m.cols_req : nb < 5 ? nb : (size_t)ceil(sqrt((double)nb * 0.8));
        if (m.narrow && cols <= 1)
            break;
        m.narrow = 1;
        if (cols > 1) {
            size_t c = (size_t)floor((double)cols * r->opt->width / W / need);
            m.cols_req = c < 1 ? 1 : c >= cols ? cols - 1 : c;
        }
        if (gvFreeLayout(gvc, g) != 0) {
            st = gv_fail(err, "gvFreeLayout");
            goto out;
        }
        laid_out = 0;
        if (agclose(g) != 0) {
            g = NULL;
            st = gv_fail(err, "agclose");
            goto out;
        }
        g = NULL;
    }
    if (r->opt->format == SIMDEPTH_IMAGE_DOT) {
        simdepth_i_buf_append(out, dot.data, dot.len);
        goto out;
    }
    laid_out = 1;
    if (r->opt->format == SIMDEPTH_IMAGE_SVG) {
        char *data = NULL;
        unsigned int len = 0;
        if (gvRenderData(gvc, g, "svg", &data, &len) != 0) {
            st = gv_fail(err, "gvRenderData(svg)");
            if (data != NULL)
                gvFreeRenderData(data);
            goto out;
        }
        simdepth_i_buf_append(out, data, len);
        gvFreeRenderData(data);
        if (out->failed)
            st = simdepth_i_enomem(err, "the SVG text");
    } else {
        st = play(r, gvc, g, out, err);
    }
out:
    if (laid_out && gvFreeLayout(gvc, g) != 0 && st == SIMDEPTH_OK)
        st = gv_fail(err, "gvFreeLayout");
    if (g != NULL && agclose(g) != 0 && st == SIMDEPTH_OK)
        st = gv_fail(err, "agclose");
    if (gvc != NULL)
        gvFreeContext(gvc); /* returns Graphviz's error count, reported above */
    agseterrf(saved_errf);
    simdepth_i_buf_free(&dot);
    model_free(&m);
    return st;
}
