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
 * edges in index order: a text golden file. SVG, PDF and PNG replay
 * Graphviz's own drawing (xdot) on our canvas, after moving the clusters
 * into rows (see "packing"), in our order (every edge before any label)
 * and at a scale that keeps text at 6 pt or more; the SVG has labels as
 * <text> and tooltips as <title>, the PDF our metadata (and no clock date
 * when a timestamp is given), the PNG our pHYs and tEXt chunks; Graphviz's
 * cairo plugin would embed the current date and no resolution.
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

/* One Graphviz context for the life of the process, shared by every
 * figure drawn through Graphviz (render_diff.c too). Graphviz 2.42's pango
 * plugin caches the last font it measured as a pointer into the context's
 * font dictionary: after gvFreeContext() the next context's first text
 * measurement reads freed memory (valgrind shows it as soon as two graphs
 * are rendered in one process). A context that is never freed avoids it;
 * rendering is not thread-safe anyway (render.h). */
struct GVC_s *simdepth_i_gv_context(void)
{
    static GVC_t *gvc;

    if (gvc == NULL)
        gvc = gvContext();
    return gvc;
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
    int narrow;            /* a narrow width asked for: wrap the legend */
    int lr;                /* dot: trees left to right (rankdir=LR) */
    int32_t *block;        /* class -> block (a cluster box or a lone class) */
    size_t n_blocks;
    /* the cluster graph (NULL: the semantic graph): its nodes are clusters,
     * edges[].a and .b are node indices */
    const simdepth_i_cgraph *cg;
    char title[160];       /* the figure's metadata title */
    char what[80];         /* "semantic graph of 100 classes", for messages */
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

/* The engine (auto: dot up to 200 nodes, fdp up to 300, sfdp beyond),
 * the background's darkness and whether the figure is narrow, once
 * m->r and m->n_nodes are set. */
static void model_look(gv_model *m)
{
    const simdepth_i_render *r = m->r;

    m->engine = r->opt->layout;
    if (m->engine == SIMDEPTH_LAYOUT_AUTO)
        m->engine = m->n_nodes <= 200 ? SIMDEPTH_LAYOUT_DOT
                  : m->n_nodes <= 300 ? SIMDEPTH_LAYOUT_FDP
                                      : SIMDEPTH_LAYOUT_SFDP;
    m->dark = simdepth_rgba_lightness(
                  simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_BACKGROUND)) < 50.0;
    /* below 5 in the legend's 70-character lines would not fit at 6 pt */
    m->narrow = r->opt->width > 0 && r->opt->width < 360.0;
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
    model_look(m);
    /* narrow, all clusters: left to right, so that a class with many
     * neighbours makes its cluster taller, not wider (one cluster: top
     * down first, see gv_draw) */
    m->lr = m->narrow && r->opt->cluster < 0;
    /* blocks: clusters of 2+ shown members (boxes), then lone classes */
    m->block = simdepth_i_malloc_array(r->n + 1, sizeof *m->block);
    if (m->block == NULL)
        return simdepth_i_enomem(err, "the graph");
    {
        size_t ncl = p->n_clusters, *cnt = simdepth_i_calloc(ncl + 1, sizeof *cnt);
        if (cnt == NULL)
            return simdepth_i_enomem(err, "the graph");
        for (i = 0; i < r->n; i++)
            if (m->shown[i] && p->labels[i] >= 0)
                cnt[p->labels[i]]++;
        for (k = 0; k < ncl; k++)
            cnt[k] = cnt[k] >= 2 ? m->n_blocks++ + 1 : 0; /* block + 1, or 0 */
        for (i = 0; i < r->n; i++) {
            m->block[i] = -1;
            if (!m->shown[i])
                continue;
            if (p->labels[i] >= 0 && cnt[p->labels[i]] > 0)
                m->block[i] = (int32_t)(cnt[p->labels[i]] - 1);
            else
                m->block[i] = (int32_t)m->n_blocks++;
        }
        free(cnt);
    }
    snprintf(m->title, sizeof m->title, "Semantic graph");
    snprintf(m->what, sizeof m->what, "semantic graph of %zu classes", m->n_nodes);
    return SIMDEPTH_OK;
}

static void model_free(gv_model *m)
{
    free(m->shown);
    free(m->edges);
    free(m->block);
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
 * lightest 15% of the map is left out so edges stay visible, and the
 * lightest 35% of gray and cividis, whose light ends (pale grey, pale
 * yellow) have no hue to tell them from a cluster box's fill. */
static simdepth_rgba edge_colour(const gv_model *m, double sim)
{
    double t = m->wmax > m->wmin ? (sim - m->wmin) / (m->wmax - m->wmin) : 1.0;
    simdepth_colormap cm = simdepth_theme_sequential(m->r->theme);
    double span = cm == SIMDEPTH_COLORMAP_VIRIDIS ? 0.85 : 0.65;

    return simdepth_colormap_eval(cm, m->dark ? 1.0 - span + span * t : span * (1.0 - t));
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

/* The rates of a dot edge label, tail predicted as head (@pa) and back
 * (@pb): down and up arrows, or right and left when trees run left to
 * right (the tail is then on the left). */
static void rates_text(const gv_model *m, const char *pa, const char *pb, char *buf,
                       size_t size)
{
    snprintf(buf, size, "%s%s%s%s", m->lr ? "\xe2\x86\x92" : "\xe2\x86\x93", pa,
             m->lr ? "\n\xe2\x86\x90" : m->narrow ? "\n\xe2\x86\x91" : " \xe2\x86\x91", pb);
}

/* An edge label as an HTML-like table cell filled with @fill, so that an
 * edge crossing it cannot hide it; the lines of @text ('\n') as lines. */
static void label_patch(simdepth_i_buf *b, const char *text, simdepth_rgba fill)
{
    const char *nl;
    char hex[10];

    simdepth_i_buf_printf(b, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"2\" "
                             "CELLPADDING=\"0\"><TR><TD BGCOLOR=\"%s\">",
                          simdepth_rgba_format(fill, hex));
    while ((nl = strchr(text, '\n')) != NULL) {
        char line[128];
        snprintf(line, sizeof line, "%.*s", (int)(nl - text < 127 ? nl - text : 127), text);
        html_text(b, line);
        simdepth_i_buf_puts(b, "<BR/>");
        text = nl + 1;
    }
    html_text(b, text);
    simdepth_i_buf_puts(b, "</TD></TR></TABLE>");
}

#define LEGEND_WRAP 34

/* pt: no text of the graph is smaller at its natural size, and a size
 * asked for that would make it smaller is refused */
#define MIN_TEXT 6.0

/* The size of edge labels (@k 0.85) and end labels (0.8): smaller than
 * the theme's font, but not below MIN_TEXT unless the font itself is;
 * rounded as written into the DOT text. */
static double small_font(double fs, double k)
{
    return round(fmax(fs * k, fmin(fs, MIN_TEXT)) * 10.0) / 10.0;
}

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

/* A legend row: @key (HTML) right-aligned, @text (HTML) beside it. */
static void legend_row(const gv_model *m, simdepth_i_buf *b, const char *key, const char *text)
{
    simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"RIGHT\">%s</TD><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">",
                          key);
    legend_text(m, b, text, LEGEND_WRAP);
    simdepth_i_buf_puts(b, "</TD></TR>");
}

/* The legend's colour bar of the edge colours from wmin to wmax, and
 * @text beside it. */
static void legend_colour_bar(const gv_model *m, simdepth_i_buf *b, const char *text)
{
    double fs = simdepth_theme_font_size(m->r->theme);
    char hex[10], lo[32], hi[32];
    int i, steps = m->narrow ? 12 : 24; /* narrow: a short bar, not wider than the keys */

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
    legend_text(m, b, text, LEGEND_WRAP);
    simdepth_i_buf_puts(b, "</TD></TR>");
}

/* The legend row of the misclassification rates on a dot edge label:
 * @what[0], @what[1] explain the down and up arrows, @what[2], @what[3]
 * the right and left arrows of a left-to-right layout. */
static void legend_rates(const gv_model *m, simdepth_i_buf *b, const char *const what[4])
{
    if (m->lr) {
        simdepth_i_buf_puts(b, "<TR><TD ALIGN=\"RIGHT\">&#8594;4.1%<BR ALIGN=\"RIGHT\"/>&#8592;1.3%</TD>"
                               "<TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">");
        legend_text(m, b, what[2], LEGEND_WRAP);
        simdepth_i_buf_puts(b, "<BR ALIGN=\"LEFT\"/>");
        legend_text(m, b, what[3], LEGEND_WRAP);
    } else {
        simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"RIGHT\">&#8595;4.1%%%s&#8593;1.3%%</TD>"
                                 "<TD ALIGN=\"LEFT\" BALIGN=\"LEFT\">",
                              m->narrow ? "<BR ALIGN=\"RIGHT\"/>" : " ");
        legend_text(m, b, what[0], LEGEND_WRAP);
        simdepth_i_buf_puts(b, "<BR ALIGN=\"LEFT\"/>");
        legend_text(m, b, what[1], LEGEND_WRAP);
    }
    simdepth_i_buf_puts(b, "</TD></TR>");
}

/* The legend's last row (the layout engine) and its end. */
static void legend_end(const gv_model *m, simdepth_i_buf *b)
{
    char hex[10];

    simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"LEFT\" COLSPAN=\"2\"><FONT COLOR=\"%s\">layout: "
                             "Graphviz %s;%shover (SVG) for WordNet ids, glosses and values"
                             "</FONT></TD></TR>",
                          simdepth_rgba_format(simdepth_theme_color_get(m->r->theme,
                                                                        SIMDEPTH_THEME_MUTED),
                                               hex),
                          engine_name(m->engine), m->narrow ? "<BR ALIGN=\"LEFT\"/>" : " ");
    simdepth_i_buf_puts(b, "</TABLE>");
}

/* How the partition was made, for the legend. */
static const char *partition_method(const simdepth_partition *p)
{
    static const struct {
        const char *name, *what;
    } methods[] = {{"affinity", "affinity propagation"}, {"louvain", "Louvain"},
                   {"leiden", "Leiden"}, {"optics", "OPTICS"}, {"hdbscan", "HDBSCAN"},
                   {"cut", "dendrogram cut"}, {"none", "one cluster"}};
    size_t k;

    for (k = 0; k < sizeof methods / sizeof methods[0]; k++)
        if (strcmp(p->method, methods[k].name) == 0)
            return methods[k].what;
    return "a given partition";
}

/* The legend and title, as the graph's HTML-like label. */
static void legend_html(const gv_model *m, const char *cluster_title, simdepth_i_buf *b)
{
    static const char *const rates_what[4] = {
        "&#8595; share of the upper class's test images predicted as the lower class,",
        "&#8593; of the lower class's predicted as the upper",
        "&#8594; share of the left class's test images predicted as the right class,",
        "&#8592; of the right class's predicted as the left"};
    const simdepth_i_render *r = m->r;
    const simdepth_theme *th = r->theme;
    char hex[10], t1[32], text[300];
    const simdepth_analysis *a = r->a;
    simdepth_rgba err_c = simdepth_theme_color_get(th, SIMDEPTH_THEME_ERROR_EDGE);

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
    legend_colour_bar(m, b, "edge colour: perceived similarity (spanning-tree edges)");
    {
        /* the edge label, as drawn (see graph_build) */
        int rates = r->conf != NULL && m->engine == SIMDEPTH_LAYOUT_DOT;
        if (r->info->tax != NULL && m->engine != SIMDEPTH_LAYOUT_SFDP)
            legend_row(m, b, "13", "edge label: depth of the two classes' lowest common WordNet "
                                   "ancestor");
        if (rates)
            legend_rates(m, b, rates_what);
        if (cluster_title == NULL && r->info->tax != NULL) {
            snprintf(text, sizeof text,
                     "cluster (%s), titled with its members' common<BR ALIGN=\"LEFT\"/>WordNet "
                     "ancestor &#183; its depth",
                     partition_method(a->perceived.partition));
            legend_row(m, b, "box", text);
        }
        if (!rates && r->conf != NULL && m->engine != SIMDEPTH_LAYOUT_SFDP) {
            simdepth_i_format_percent(0.041, t1, sizeof t1);
            legend_row(m, b, t1, "near a class: share of its test images predicted<BR ALIGN=\"LEFT\"/>"
                                 "as the class at the edge's other end");
        }
    }
    if (r->conf != NULL) {
        legend_row(m, b, "width", "grows with the misclassification rates both ways");
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
    legend_end(m, b);
}

/* Declared attributes, in the order DOT lists them. */
enum {
    GA_LAYOUT, GA_FONTNAME, GA_FONTSIZE, GA_FONTCOLOR, GA_BGCOLOR, GA_PAD, GA_OUTPUTORDER,
    GA_SPLINES, GA_OVERLAP, GA_NODESEP, GA_RANKSEP, GA_PACK, GA_PACKMODE, GA_SIZE, GA_LABELLOC,
    GA_LABELJUST, GA_LABEL, GA_STYLE, GA_FILLCOLOR, GA_COLOR, GA_PENWIDTH, GA_TOOLTIP, GA_ID,
    GA_SEP, GA_RANKDIR, GA_N
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
        "labeljust", "label", "style", "fillcolor", "color", "penwidth", "tooltip", "id", "sep",
        "rankdir"};
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
            snprintf(num, sizeof num, "%.1f", small_font(simdepth_theme_font_size(th), 0.85));
            def = num;
            break;
        case EA_LABELFONTSIZE:
            snprintf(num, sizeof num, "%.1f", small_font(simdepth_theme_font_size(th), 0.8));
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

/* Set a declared attribute, remembering a failure in the caller's @bad. */
#define GSET(obj, sym, val) bad |= gv_set((obj), (sym), (val), 0) != 0

/* The root graph's attributes: theme, engine, size. Returns -1 when
 * Graphviz refuses one. */
static int graph_attrs(const gv_model *m, Agraph_t *g, const gv_syms *sy)
{
    const simdepth_i_render *r = m->r;
    const simdepth_theme *th = r->theme;
    char hex[10], num[64];
    int bad = 0;

    GSET(g, sy->g[GA_LAYOUT], engine_name(m->engine));
    GSET(g, sy->g[GA_FONTNAME], simdepth_theme_font(th));
    snprintf(num, sizeof num, "%.1f", simdepth_theme_font_size(th));
    GSET(g, sy->g[GA_FONTSIZE], num);
    GSET(g, sy->g[GA_FONTCOLOR],
         simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_FOREGROUND), hex));
    GSET(g, sy->g[GA_BGCOLOR],
         simdepth_rgba_format(simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND), hex));
    GSET(g, sy->g[GA_PAD], "0.1");
    GSET(g, sy->g[GA_OUTPUTORDER], "edgesfirst");
    GSET(g, sy->g[GA_LABELLOC], "b");
    GSET(g, sy->g[GA_LABELJUST], "l");
    GSET(g, sy->g[GA_ID], "graph");
    switch (m->engine) {
    case SIMDEPTH_LAYOUT_DOT:
        GSET(g, sy->g[GA_NODESEP], m->narrow ? "0.12" : "0.35");
        GSET(g, sy->g[GA_RANKSEP], m->narrow ? "0.1" : "0.3");
        if (m->lr)
            GSET(g, sy->g[GA_RANKDIR], "LR");
        break;
    case SIMDEPTH_LAYOUT_NEATO:
    case SIMDEPTH_LAYOUT_FDP:
        GSET(g, sy->g[GA_OVERLAP], "false");
        GSET(g, sy->g[GA_SPLINES], "true");
        GSET(g, sy->g[GA_SEP], "+4");
        break;
    case SIMDEPTH_LAYOUT_SFDP:
    default:
        GSET(g, sy->g[GA_OVERLAP], "prism");
        GSET(g, sy->g[GA_SPLINES], "false");
        break;
    }
    if (r->opt->width > 0 || r->opt->height > 0) {
        snprintf(num, sizeof num, "%.4f,%.4f!", r->opt->width > 0 ? r->opt->width / 72.0 : 1000.0,
                 r->opt->height > 0 ? r->opt->height / 72.0 : 1000.0);
        GSET(g, sy->g[GA_SIZE], num);
    }
    return bad ? -1 : 0;
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
    bad |= graph_attrs(m, g, &sy) != 0;

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
                rates_text(m, pa, pb, lab + ll, sizeof lab - ll);
            }
            if (lab[0] != '\0') {
                /* on a patch of the box's fill, so that an edge crossing
                 * it cannot hide it */
                int same = p->labels[e->a] >= 0 && p->labels[e->a] == p->labels[e->b] &&
                           count[p->labels[e->a]] >= 2 && r->opt->cluster < 0;
                simdepth_i_buf_free(&b);
                label_patch(&b, lab,
                            simdepth_theme_color_get(th, same ? SIMDEPTH_THEME_CLUSTER_FILL
                                                              : SIMDEPTH_THEME_BACKGROUND));
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
    seq_ids *s = simdepth_i_calloc(1, sizeof *s);

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
    char **names = simdepth_i_realloc_array(s->names, cap, sizeof *names);
    uint32_t *slots;

    if (names == NULL)
        return -1;
    s->names = names;
    slots = simdepth_i_calloc(2 * cap, sizeof *slots);
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

/* Read DOT text into a graph with the discipline above (sequential ids, so
 * the layout does not depend on the heap), for render_gv.c and
 * render_diff.c. The discipline is static: cgraph keeps pointers to it for
 * the graph's lifetime. Not reentrant, like all rendering. */
struct Agraph_s *simdepth_i_gv_read(const char *text, size_t len)
{
    static Agiodisc_t io;
    static Agdisc_t disc;
    mem_chan chan;

    buffer_disc(&io, &disc);
    chan.p = text;
    chan.end = text + len;
    return agread(&chan, &disc);
}

/* ---------------------------------------------------- xdot on the canvas
 *
 * Every format but DOT is drawn here from Graphviz's layout (xdot), not by
 * Graphviz's own renderers, for three reasons: the clusters are moved into
 * rows after the layout (see "packing" below); every edge is drawn before
 * any edge label, so that no edge (in particular a dashed confusion-only
 * edge, which dot may draw last) can cross a label; and the PDF and PNG
 * carry our metadata. */

typedef struct player {
    simdepth_i_canvas *cv;
    double s, llx, ury, pad;
    double dx, dy;       /* the current object's shift (packing), layout units */
    simdepth_rgba pen, fill;
    double lw;
    int dash, invis;
    int halo;            /* text on a patch of the background */
    simdepth_rgba halo_c;
    double font_size;
    int bold;
    double *pts;
    size_t pts_cap;
} player;

#define PX(pl, x) (((x) + (pl)->dx - (pl)->llx + (pl)->pad) * (pl)->s)
#define PY(pl, y) (((pl)->ury - ((y) + (pl)->dy) + (pl)->pad) * (pl)->s)

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
        pl->pts[2 * i] = PX(pl, p->pts[i].x);
        pl->pts[2 * i + 1] = PY(pl, p->pts[i].y);
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
                simdepth_i_canvas_ellipse(pl->cv, PX(pl, op->u.ellipse.x), PY(pl, op->u.ellipse.y),
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
            if (!pl->invis) {
                simdepth_i_anchor an = op->u.text.align == xd_left    ? SIMDEPTH_I_START
                                       : op->u.text.align == xd_right ? SIMDEPTH_I_END
                                                                      : SIMDEPTH_I_MIDDLE;
                double tx = PX(pl, op->u.text.x), ty = PY(pl, op->u.text.y);
                double fsz = pl->font_size * pl->s;
                if (pl->halo) {
                    double w = op->u.text.width * pl->s + 2.0 * pl->s;
                    double x0 = an == SIMDEPTH_I_START ? tx - pl->s
                              : an == SIMDEPTH_I_END  ? tx - w + pl->s
                                                      : tx - w / 2.0;
                    simdepth_i_canvas_rect(pl->cv, x0, ty - 0.85 * fsz, w, 1.1 * fsz,
                                           &pl->halo_c, NULL, 0);
                }
                simdepth_i_canvas_text(pl->cv, tx, ty, op->u.text.text, fsz, an, 0, pl->pen,
                                       pl->bold);
            }
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

/* Begin an SVG group for @obj with its tooltip (empty: none). */
static void play_group(player *pl, const char *id, void *obj)
{
    const char *tip = gv_get(obj, "tooltip");

    simdepth_i_canvas_group_begin(pl->cv, id, tip != NULL && tip[0] != '\0' ? tip : NULL);
}

/* The extent of an xdot drawing in layout units (y up): ext = llx, lly,
 * urx, ury, grown; text counts from 0.3 of its size below the baseline to
 * 0.9 above. Returns -1 when it does not parse. */
static int xdot_extent(const char *ops, double ext[4])
{
    xdot *x;
    int i, j;
    double fs = 14.0;

    if (ops == NULL || ops[0] == '\0')
        return 0;
    x = parseXDot((char *)ops); /* reads only */
    if (x == NULL)
        return -1;
    for (i = 0; i < x->cnt; i++) {
        const xdot_op *op = &x->ops[i];
        const xdot_polyline *pp = NULL;
        switch (op->kind) {
        case xd_filled_polygon:
        case xd_unfilled_polygon: pp = &op->u.polygon; break;
        case xd_polyline: pp = &op->u.polyline; break;
        case xd_filled_bezier:
        case xd_unfilled_bezier: pp = &op->u.bezier; break;
        case xd_font: fs = op->u.font.size; break;
        case xd_text: {
            double w = op->u.text.width;
            double x0 = op->u.text.align == xd_left    ? op->u.text.x
                      : op->u.text.align == xd_right ? op->u.text.x - w
                                                     : op->u.text.x - w / 2.0;
            ext[0] = fmin(ext[0], x0);
            ext[2] = fmax(ext[2], x0 + w);
            ext[1] = fmin(ext[1], op->u.text.y - 0.3 * fs);
            ext[3] = fmax(ext[3], op->u.text.y + 0.9 * fs);
            break;
        }
        default: break;
        }
        for (j = 0; pp != NULL && j < pp->cnt; j++) {
            ext[0] = fmin(ext[0], pp->pts[j].x);
            ext[1] = fmin(ext[1], pp->pts[j].y);
            ext[2] = fmax(ext[2], pp->pts[j].x);
            ext[3] = fmax(ext[3], pp->pts[j].y);
        }
    }
    freeXDot(x);
    return 0;
}

/* ---------------------------------------------------------------- packing
 *
 * dot lays disconnected clusters out side by side in one row: at 100
 * classes a strip 4.6 times wider than tall and mostly empty. After the
 * layout each block (a cluster box, or a lone class) is moved as a whole
 * into rows: blocks in decreasing height, each into the first row where
 * it fits, on top of a smaller block's column when there is room, else at
 * the row's end, else into a new row (first fit decreasing height, with
 * stacking). The row width is searched for the figure's target: at the
 * natural size an aspect between 1:1 and 2:1 with the least area; at a
 * given width or height the largest text that is not below 6 pt (and the
 * theme's minimum) and, at a given width only, a figure no taller than
 * PAGE_HEIGHT. Confusion-only edges between blocks are left out of the
 * layout (they would only pull blocks apart that packing moves anyway)
 * and drawn afterwards as curves from class to class. */

#define PACK_GAP 12.0      /* between blocks, layout units (points) */
#define PACK_TRIES 96
#define PAGE_HEIGHT 648.0  /* 9 in: the text height of a page, about */

typedef struct pk_block {
    double x0, y0, x1, y1; /* the laid-out box, layout units, y up */
    double x, y;           /* top-left corner after packing, y down */
} pk_block;

typedef struct pk_edge {   /* a confusion-only edge between two blocks */
    size_t a, b;           /* classes */
    simdepth_rgba colour;
    double width;
    char *tooltip;
} pk_edge;

typedef struct packing {
    int on;
    pk_block *b;
    size_t nb;
    double legend[4];      /* the legend's extent, y up */
    double lx, ly;         /* its top-left corner after packing */
    double W, H;           /* the packed drawing without the pad */
    pk_edge *edges;
    size_t n_edges;
} packing;

static void packing_free(packing *pk)
{
    size_t k;

    for (k = 0; k < pk->n_edges; k++)
        free(pk->edges[k].tooltip);
    free(pk->edges);
    free(pk->b);
}

typedef struct pk_sort {
    const pk_block *b;
    size_t i;
} pk_sort;

static int cmp_pk(const void *pa, const void *pb)
{
    const pk_sort *a = pa, *b = pb;
    double ha = a->b->y1 - a->b->y0, hb = b->b->y1 - b->b->y0;

    if (ha != hb)
        return ha > hb ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* Pack the blocks in @order into rows at most @maxw wide; positions into
 * b[].x, b[].y; returns the used width and height in *W, *H. @scratch holds
 * 4 * nb doubles. */
static void pack_rows(pk_block *b, const pk_sort *order, size_t nb, double maxw, double *scratch,
                      double *W, double *H)
{
    /* columns: x, width, used height, row; rows: y, height, used width */
    double *cx = scratch, *cw = scratch + nb, *ch = scratch + 2 * nb, *cr = scratch + 3 * nb;
    double ry[512], rh[512], rw[512];
    size_t nc = 0, nr = 0, k, c, r;

    *W = 0.0;
    *H = 0.0;
    for (k = 0; k < nb; k++) {
        pk_block *p = &b[order[k].i];
        double w = p->x1 - p->x0, h = p->y1 - p->y0;
        int done = 0;
        for (r = 0; r < nr && !done; r++) {
            for (c = 0; c < nc && !done; c++)
                if ((size_t)cr[c] == r && ch[c] + PACK_GAP + h <= rh[r] + 1e-9 && w <= cw[c] + 1e-9) {
                    p->x = cx[c];
                    p->y = ry[r] + ch[c] + PACK_GAP;
                    ch[c] += PACK_GAP + h;
                    done = 1;
                }
            if (!done && h <= rh[r] + 1e-9 && rw[r] + PACK_GAP + w <= maxw + 1e-9) {
                cx[nc] = rw[r] + PACK_GAP;
                cw[nc] = w;
                ch[nc] = h;
                cr[nc] = (double)r;
                nc++;
                p->x = rw[r] + PACK_GAP;
                p->y = ry[r];
                rw[r] += PACK_GAP + w;
                done = 1;
            }
        }
        if (!done) {
            if (nr == sizeof ry / sizeof ry[0]) { /* never at sizes dot is used for */
                r = nr - 1;
                cx[nc] = rw[r] + PACK_GAP;
                p->x = cx[nc];
                p->y = ry[r];
                rw[r] += PACK_GAP + w;
            } else {
                r = nr++;
                ry[r] = r == 0 ? 0.0 : ry[r - 1] + rh[r - 1] + PACK_GAP;
                rh[r] = h;
                rw[r] = w;
                cx[nc] = 0.0;
                p->x = 0.0;
                p->y = ry[r];
            }
            cw[nc] = w;
            ch[nc] = h;
            cr[nc] = (double)r;
            nc++;
        }
    }
    for (r = 0; r < nr; r++) {
        *W = fmax(*W, rw[r]);
        *H = fmax(*H, ry[r] + rh[r]);
    }
}

/* The figure's size in points for a packed width @Wp, height @Hp. */
static void pack_size(const packing *pk, double Wp, double Hp, double pad, double *W, double *H)
{
    double lw = pk->legend[2] - pk->legend[0], lh = pk->legend[3] - pk->legend[1];

    *W = fmax(Wp, lw > 0 ? lw : 0.0) + 2.0 * pad;
    *H = Hp + (lh > 0 ? PACK_GAP + lh : 0.0) + 2.0 * pad;
}

/* The scale the figure is drawn at to meet the asked size (1 at the
 * natural size). */
static double fit_scale(const simdepth_render_options *opt, double W, double H)
{
    double sw = opt->width > 0 ? opt->width / W : INFINITY;
    double sh = opt->height > 0 ? opt->height / H : INFINITY;

    return opt->width > 0 || opt->height > 0 ? fmin(sw, sh) : 1.0;
}

/* The smallest scale at which the smallest text stays readable. */
static double min_scale(const gv_model *m)
{
    double fs = simdepth_theme_font_size(m->r->theme);
    double smallest = fmin(fs, small_font(fs, m->engine == SIMDEPTH_LAYOUT_DOT ? 0.85 : 0.8));

    return fmax(MIN_TEXT, simdepth_theme_min_font_size(m->r->theme)) / smallest;
}

static void fmt_len(double pt, char *buf, size_t size)
{
    snprintf(buf, size, "%.1fin", pt / 72.0);
}

/* Choose the row width and place the blocks. */
static simdepth_status pack_choose(const gv_model *m, packing *pk, double pad,
                                   simdepth_error *err)
{
    const simdepth_render_options *opt = m->r->opt;
    pk_sort *order = simdepth_i_malloc_array(pk->nb, sizeof *order);
    double *scratch = simdepth_i_malloc_array(4 * pk->nb + 1, sizeof *scratch);
    double wmax = 0, wsum = 0, need = min_scale(m), best = -1.0, best_cost = INFINITY;
    double best_fail_h = INFINITY, best_fail_w = INFINITY;
    size_t k;
    int t, sized = opt->width > 0 || opt->height > 0;
    simdepth_status st = SIMDEPTH_OK;

    if (order == NULL || scratch == NULL) {
        st = simdepth_i_enomem(err, "the graph's packing");
        goto out;
    }
    for (k = 0; k < pk->nb; k++) {
        order[k].b = &pk->b[k];
        order[k].i = k;
        wmax = fmax(wmax, pk->b[k].x1 - pk->b[k].x0);
        wsum += pk->b[k].x1 - pk->b[k].x0 + PACK_GAP;
    }
    qsort(order, pk->nb, sizeof *order, cmp_pk);
    for (t = 0; t < PACK_TRIES; t++) {
        double maxw = wmax * pow(fmax(wsum, wmax) / wmax, (double)t / (PACK_TRIES - 1));
        double Wp, Hp, W, H, cost;
        pack_rows(pk->b, order, pk->nb, maxw, scratch, &Wp, &Hp);
        pack_size(pk, Wp, Hp, pad, &W, &H);
        if (!sized) {
            double ratio = W / H;
            cost = W * H * (1.0 + fabs(log(ratio / 1.45)));
            if (ratio < 1.0 || ratio > 2.0)
                cost = 1e30 * (1.0 + fabs(log(ratio / 1.45)));
        } else {
            double s = fit_scale(opt, W, H);
            int ok = s >= need - 1e-9 && (opt->height > 0 || H * s <= PAGE_HEIGHT + 1e-6);
            if (!ok) {
                /* remember how close it came, for the message */
                if (s >= need - 1e-9)
                    best_fail_h = fmin(best_fail_h, H * s);
                best_fail_w = fmin(best_fail_w, W * need);
                continue;
            }
            /* the largest text up to the theme's size, then the least
             * height */
            cost = -fmin(s, 1.0) * 1e6 + H * s;
        }
        if (cost < best_cost) {
            best_cost = cost;
            best = maxw;
        }
    }
    if (best < 0) {
        char a[32], b[32], c[32];
        size_t nb = 0;
        for (k = 0; k < m->r->n; k++)
            nb += m->shown[k];
        fmt_len(opt->width > 0 ? opt->width : best_fail_w, a, sizeof a);
        fmt_len(opt->height > 0 ? opt->height : PAGE_HEIGHT, b, sizeof b);
        if (isfinite(best_fail_h))
            fmt_len(best_fail_h, c, sizeof c);
        else
            fmt_len(best_fail_w, c, sizeof c);
        st = simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "the semantic graph of %zu classes does not fit %s x %s with text of at least "
            "%.0f pt (it would need %s %s); draw one graph per cluster (--per-cluster DIR), "
            "or give a page-width --size, a larger --width or a --height",
            nb, opt->width > 0 ? a : "any width", b, MIN_TEXT, c,
            isfinite(best_fail_h) ? "of height" : "of width");
        goto out;
    }
    {
        double Wp, Hp;
        pack_rows(pk->b, order, pk->nb, best, scratch, &Wp, &Hp);
        pk->W = Wp;
        pk->H = Hp;
        pk->lx = 0.0;
        pk->ly = Hp + PACK_GAP;
    }
out:
    free(order);
    free(scratch);
    return st;
}

/* The class of node @nd ("c%zu"), or (size_t)-1. */
static size_t node_class(Agnode_t *nd, size_t n)
{
    const char *name = agnameof(nd);
    char *end;
    unsigned long long v;

    if (name == NULL || name[0] != 'c')
        return (size_t)-1;
    v = strtoull(name + 1, &end, 10);
    return *end == '\0' && v < n ? (size_t)v : (size_t)-1;
}

/* The block of node @nd, or -1. */
static int32_t node_block(const gv_model *m, Agnode_t *nd)
{
    size_t c = nd != NULL ? node_class(nd, m->r->n) : (size_t)-1;

    return c == (size_t)-1 ? -1 : m->block[c];
}

/* Before the layout: take the confusion-only edges between two blocks out
 * of @g into pk->edges. */
static simdepth_status pack_take_edges(const gv_model *m, Agraph_t *g, packing *pk,
                                       simdepth_error *err)
{
    size_t n = m->r->n, cap = 0;
    Agnode_t *nd;
    Agedge_t *e, *next;

    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd))
        for (e = agfstout(g, nd); e != NULL; e = next) {
            size_t a = node_class(agtail(e), n), b = node_class(aghead(e), n);
            const char *style = gv_get(e, "style"), *tip = gv_get(e, "tooltip");
            pk_edge *pe;
            next = agnxtout(g, e);
            if (a == (size_t)-1 || b == (size_t)-1 || style == NULL ||
                strstr(style, "dashed") == NULL || m->block[a] == m->block[b])
                continue;
            if (pk->n_edges == cap) {
                size_t nc = cap ? 2 * cap : 16;
                pk_edge *ne = simdepth_i_realloc_array(pk->edges, nc, sizeof *ne);
                if (ne == NULL)
                    return simdepth_i_enomem(err, "the graph's packing");
                pk->edges = ne;
                cap = nc;
            }
            pe = &pk->edges[pk->n_edges];
            memset(pe, 0, sizeof *pe);
            pe->a = a;
            pe->b = b;
            pe->colour = parse_gv_colour(gv_get(e, "color"));
            pe->width = atof(gv_get(e, "penwidth") ? gv_get(e, "penwidth") : "1");
            if (tip != NULL && tip[0] != '\0' &&
                (pe->tooltip = simdepth_i_strdup(tip)) == NULL)
                return simdepth_i_enomem(err, "the graph's packing");
            pk->n_edges++;
            if (agdeledge(g, e) != 0)
                return gv_fail(err, "agdeledge");
        }
    return SIMDEPTH_OK;
}

/* After the layout (and xdot): the blocks' boxes, the legend's extent, and
 * the packing. */
static simdepth_status pack_layout(const gv_model *m, Agraph_t *g, packing *pk, double pad,
                                   simdepth_error *err)
{
    Agnode_t *nd;
    Agraph_t *sg;
    size_t k;

    pk->nb = m->n_blocks;
    pk->b = simdepth_i_malloc_array(pk->nb + 1, sizeof *pk->b);
    if (pk->b == NULL)
        return simdepth_i_enomem(err, "the graph's packing");
    for (k = 0; k < pk->nb; k++) {
        pk->b[k].x0 = pk->b[k].y0 = INFINITY;
        pk->b[k].x1 = pk->b[k].y1 = -INFINITY;
    }
    /* lone classes: the node's box */
    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd)) {
        size_t c = node_class(nd, m->r->n);
        double x, y, w, h;
        const char *pos = gv_get(nd, "pos");
        if (c == (size_t)-1 || m->block[c] < 0 || pos == NULL ||
            sscanf(pos, "%lf,%lf", &x, &y) != 2)
            return gv_fail(err, "reading a node's position");
        w = atof(gv_get(nd, "width")) * 72.0;
        h = atof(gv_get(nd, "height")) * 72.0;
        k = (size_t)m->block[c];
        pk->b[k].x0 = fmin(pk->b[k].x0, x - w / 2);
        pk->b[k].x1 = fmax(pk->b[k].x1, x + w / 2);
        pk->b[k].y0 = fmin(pk->b[k].y0, y - h / 2);
        pk->b[k].y1 = fmax(pk->b[k].y1, y + h / 2);
    }
    /* cluster boxes (which hold their edges' labels and title) */
    for (sg = agfstsubg(g); sg != NULL; sg = agnxtsubg(sg)) {
        const char *bb = gv_get(sg, "bb");
        double x0, y0, x1, y1;
        nd = agfstnode(sg);
        if (nd == NULL || bb == NULL || sscanf(bb, "%lf,%lf,%lf,%lf", &x0, &y0, &x1, &y1) != 4)
            continue;
        if (node_block(m, nd) < 0)
            continue;
        k = (size_t)node_block(m, nd);
        pk->b[k].x0 = fmin(pk->b[k].x0, x0);
        pk->b[k].y0 = fmin(pk->b[k].y0, y0);
        pk->b[k].x1 = fmax(pk->b[k].x1, x1);
        pk->b[k].y1 = fmax(pk->b[k].y1, y1);
    }
    for (k = 0; k < pk->nb; k++)
        if (!(pk->b[k].x1 >= pk->b[k].x0))
            return gv_fail(err, "finding a cluster's box");
    pk->legend[0] = pk->legend[1] = INFINITY;
    pk->legend[2] = pk->legend[3] = -INFINITY;
    if (xdot_extent(gv_get(g, "_ldraw_"), pk->legend) != 0)
        return gv_fail(err, "reading the legend's drawing");
    if (!(pk->legend[2] >= pk->legend[0]))
        pk->legend[0] = pk->legend[1] = pk->legend[2] = pk->legend[3] = 0.0;
    return pack_choose(m, pk, pad, err);
}

/* The shift of an object of block @k (layout units, y up) so that its box
 * lands at its packed place in a frame whose top-left is (0, 0). */
static void block_shift(const packing *pk, int32_t k, double *dx, double *dy)
{
    if (!pk->on || k < 0) {
        *dx = *dy = 0.0;
        return;
    }
    *dx = pk->b[k].x - pk->b[k].x0;
    *dy = -pk->b[k].y - pk->b[k].y1;
}

/* Where the straight line from the centre of a w x h box at (cx, cy)
 * towards (tx, ty) leaves the box (canvas units). */
static void box_exit(double cx, double cy, double w, double h, double tx, double ty, double *x,
                     double *y)
{
    double dx = tx - cx, dy = ty - cy, t = 1.0;

    if (fabs(dx) > 1e-9)
        t = fmin(t, (w / 2) / fabs(dx));
    if (fabs(dy) > 1e-9)
        t = fmin(t, (h / 2) / fabs(dy));
    *x = cx + dx * t;
    *y = cy + dy * t;
}

/* The confusion-only edges between blocks: a gentle curve from class to
 * class, bowed to one side so that a pair of rows does not stack them into
 * one line. */
static int play_pk_edges(player *pl, const gv_model *m, Agraph_t *g, const packing *pk)
{
    size_t k;
    char id[48];

    for (k = 0; k < pk->n_edges; k++) {
        const pk_edge *e = &pk->edges[k];
        double c[2][4], pts[8], mx, my, len, bow;
        size_t end[2] = {e->a, e->b};
        int q;
        for (q = 0; q < 2; q++) {
            char name[32];
            Agnode_t *nd;
            const char *pos;
            double x, y;
            snprintf(name, sizeof name, "c%zu", end[q]);
            nd = agnode(g, name, 0);
            pos = nd != NULL ? gv_get(nd, "pos") : NULL;
            if (pos == NULL || sscanf(pos, "%lf,%lf", &x, &y) != 2)
                return -1;
            block_shift(pk, m->block[end[q]], &pl->dx, &pl->dy);
            c[q][0] = PX(pl, x);
            c[q][1] = PY(pl, y);
            c[q][2] = atof(gv_get(nd, "width")) * 72.0 * pl->s;
            c[q][3] = atof(gv_get(nd, "height")) * 72.0 * pl->s;
        }
        mx = c[1][0] - c[0][0];
        my = c[1][1] - c[0][1];
        len = hypot(mx, my);
        if (len < 1e-6)
            continue;
        bow = 0.12 * len * ((k % 2) ? 1.0 : -1.0);
        pts[2] = c[0][0] + mx / 3.0 - my / len * bow;
        pts[3] = c[0][1] + my / 3.0 + mx / len * bow;
        pts[4] = c[0][0] + 2.0 * mx / 3.0 - my / len * bow;
        pts[5] = c[0][1] + 2.0 * my / 3.0 + mx / len * bow;
        box_exit(c[0][0], c[0][1], c[0][2], c[0][3], pts[2], pts[3], &pts[0], &pts[1]);
        box_exit(c[1][0], c[1][1], c[1][2], c[1][3], pts[4], pts[5], &pts[6], &pts[7]);
        snprintf(id, sizeof id, "edge-x%zu", k);
        simdepth_i_canvas_group_begin(pl->cv, id, e->tooltip);
        simdepth_i_canvas_path(pl->cv, pts, 4, 1, 0, NULL, &e->colour, e->width * pl->s, 1);
        simdepth_i_canvas_group_end(pl->cv);
    }
    return 0;
}

static simdepth_status play(const gv_model *m, Agraph_t *g, const packing *pk, double llx,
                            double lly, double urx, double ury, simdepth_i_buf *out,
                            simdepth_error *err)
{
    const simdepth_i_render *r = m->r;
    static const char *const gdraw[] = {"_draw_", NULL};
    static const char *const ldraw[] = {"_ldraw_", NULL};
    /* edges first, then every edge label over all edges (the labels have
     * a background, so a crossing dashed edge cannot hide one) */
    static const char *const eattrs[] = {"_draw_", "_hdraw_", "_tdraw_", NULL};
    static const char *const elattrs[] = {"_ldraw_", NULL};
    static const char *const etlattrs[] = {"_hldraw_", "_tldraw_", NULL};
    static const char *const nattrs[] = {"_draw_", "_ldraw_", NULL};
    player pl;
    double W, H;
    simdepth_i_canvas *cv = NULL;
    simdepth_status st;
    Agnode_t *nd;
    Agedge_t *e;
    Agraph_t *sg;
    size_t k;
    char id[48];

    memset(&pl, 0, sizeof pl);
    pl.pad = 0.1 * 72.0;
    if (pk->on) {
        pl.llx = 0.0;
        pl.ury = 0.0;
        pack_size(pk, pk->W, pk->H, pl.pad, &W, &H);
    } else {
        pl.llx = llx;
        pl.ury = ury;
        W = urx - llx + 2 * pl.pad;
        H = ury - lly + 2 * pl.pad;
    }
    pl.s = fit_scale(r->opt, W, H);
    if ((r->opt->width > 0 || r->opt->height > 0) && pl.s < min_scale(m) - 1e-9) {
        char a[32], b[32];
        fmt_len(W * min_scale(m), a, sizeof a);
        fmt_len(H * min_scale(m), b, sizeof b);
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "the %s does not fit the size asked for with text of at least %.0f pt (it would "
            "need %s x %s); %s, or give a larger --width or --height",
            m->what, MIN_TEXT, a, b,
            m->cg != NULL ? "draw fewer clusters (--top-clusters N)"
                          : "draw one graph per cluster (--per-cluster DIR)");
    }
    st = simdepth_i_canvas_new(r, W * pl.s, H * pl.s, m->title, &cv, err);
    if (st != SIMDEPTH_OK)
        return st;
    pl.cv = cv;
    /* the legend (the root graph's label); its background is the canvas's */
    if (pk->on) {
        pl.dx = pk->lx - pk->legend[0];
        pl.dy = -pk->ly - pk->legend[3];
    }
    simdepth_i_canvas_group_begin(cv, "legend", NULL);
    if (play_obj(&pl, g, ldraw) != 0)
        goto fail;
    simdepth_i_canvas_group_end(cv);
    /* cluster boxes; their titles come after the edges */
    for (sg = agfstsubg(g); sg != NULL; sg = agnxtsubg(sg)) {
        const char *sid = gv_get(sg, "id");
        nd = agfstnode(sg);
        block_shift(pk, node_block(m, nd), &pl.dx, &pl.dy);
        play_group(&pl, sid != NULL && sid[0] ? sid : NULL, sg);
        if (play_obj(&pl, sg, gdraw) != 0)
            goto fail;
        simdepth_i_canvas_group_end(cv);
    }
    /* every edge, then every label */
    k = 0;
    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd))
        for (e = agfstout(g, nd); e != NULL; e = agnxtout(g, e)) {
            block_shift(pk, node_block(m, nd), &pl.dx, &pl.dy);
            snprintf(id, sizeof id, "edge-%zu", k++);
            play_group(&pl, id, e);
            if (play_obj(&pl, e, eattrs) != 0)
                goto fail;
            simdepth_i_canvas_group_end(cv);
        }
    if (pk->on && play_pk_edges(&pl, m, g, pk) != 0)
        goto fail;
    /* cluster titles over the edges, on a patch of the box's fill */
    pl.halo = 1;
    pl.halo_c = simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_CLUSTER_FILL);
    for (sg = agfstsubg(g); sg != NULL; sg = agnxtsubg(sg)) {
        nd = agfstnode(sg);
        block_shift(pk, node_block(m, nd), &pl.dx, &pl.dy);
        snprintf(id, sizeof id, "cluster-title-%s", agnameof(sg));
        play_group(&pl, id, sg);
        if (play_obj(&pl, sg, ldraw) != 0)
            goto fail;
        simdepth_i_canvas_group_end(cv);
    }
    pl.halo = 0;
    pl.halo_c = simdepth_theme_color_get(r->theme, SIMDEPTH_THEME_BACKGROUND);
    k = 0;
    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd))
        for (e = agfstout(g, nd); e != NULL; e = agnxtout(g, e)) {
            const char *l = gv_get(e, "_ldraw_"), *hl = gv_get(e, "_hldraw_"),
                       *tl = gv_get(e, "_tldraw_");
            k++;
            if ((l == NULL || !l[0]) && (hl == NULL || !hl[0]) && (tl == NULL || !tl[0]))
                continue;
            block_shift(pk, node_block(m, nd), &pl.dx, &pl.dy);
            snprintf(id, sizeof id, "edge-label-%zu", k - 1);
            play_group(&pl, id, e);
            /* dot's labels carry their own patch (an HTML table cell);
             * the end labels of other engines get one of the background */
            if (play_obj(&pl, e, elattrs) != 0)
                goto fail;
            pl.halo = 1;
            if (play_obj(&pl, e, etlattrs) != 0)
                goto fail;
            pl.halo = 0;
            simdepth_i_canvas_group_end(cv);
        }
    for (nd = agfstnode(g); nd != NULL; nd = agnxtnode(g, nd)) {
        const char *nid = gv_get(nd, "id");
        block_shift(pk, node_block(m, nd), &pl.dx, &pl.dy);
        play_group(&pl, nid != NULL && nid[0] ? nid : NULL, nd);
        if (play_obj(&pl, nd, nattrs) != 0)
            goto fail;
        simdepth_i_canvas_group_end(cv);
    }
    st = simdepth_i_canvas_finish(cv, out, err);
    simdepth_i_canvas_free(cv);
    free(pl.pts);
    return st;
fail:
    simdepth_i_canvas_free(cv);
    free(pl.pts);
    return simdepth_i_error_set(err, SIMDEPTH_ERENDER, NULL, 0, 0, -1,
                                "cannot replay Graphviz's drawing (xdot)");
}

/* ---------------------------------------------------------- cluster graph
 *
 * One node per drawn cluster (see render_clusters.c for the numbers),
 * sized by its class count, and the maximum spanning tree of the mean
 * similarities between clusters, oriented from the largest cluster so
 * that dot draws it as a tree from the top. It goes through the same
 * pipeline as the semantic graph (DOT, layout, xdot replayed on the
 * canvas, the 6 pt floor), without packing: the tree is connected. */

static simdepth_status cluster_model_build(const simdepth_i_render *r,
                                           const simdepth_i_cgraph *cg, gv_model *m,
                                           simdepth_error *err)
{
    size_t k;

    memset(m, 0, sizeof *m);
    m->r = r;
    m->cg = cg;
    m->n_nodes = cg->n_nodes;
    m->edges = simdepth_i_calloc(cg->n_edges + 1, sizeof *m->edges);
    if (m->edges == NULL)
        return simdepth_i_enomem(err, "the cluster graph");
    m->wmin = INFINITY;
    m->wmax = -INFINITY;
    for (k = 0; k < cg->n_edges; k++) {
        gv_edge_rec *d = &m->edges[k];
        d->a = cg->edges[k].a;
        d->b = cg->edges[k].b;
        d->sim = cg->edges[k].sim;
        d->eab = cg->edges[k].eab;
        d->eba = cg->edges[k].eba;
        m->wmin = fmin(m->wmin, d->sim);
        m->wmax = fmax(m->wmax, d->sim);
    }
    m->n_edges = cg->n_edges;
    if (!(m->wmax >= m->wmin)) {
        m->wmin = 0.0;
        m->wmax = 1.0;
    }
    model_look(m);
    m->lr = m->narrow;
    if (cg->n_nodes < cg->n_clusters)
        snprintf(m->title, sizeof m->title, "Cluster graph: the %zu largest of %zu clusters",
                 cg->n_nodes, cg->n_clusters);
    else
        snprintf(m->title, sizeof m->title, "Cluster graph: %zu clusters", cg->n_clusters);
    snprintf(m->what, sizeof m->what, "cluster graph of %zu clusters", cg->n_nodes);
    return SIMDEPTH_OK;
}

/* The cluster graph's legend and title, as the graph's HTML-like label. */
static void cluster_legend_html(const gv_model *m, simdepth_i_buf *b)
{
    static const char *const rates_what[4] = {
        "&#8595; share of the upper cluster's test images predicted as a class of the lower,",
        "&#8593; of the lower cluster's predicted into the upper (classes weigh the same)",
        "&#8594; share of the left cluster's test images predicted as a class of the right,",
        "&#8592; of the right cluster's predicted into the left (classes weigh the same)"};
    const simdepth_i_render *r = m->r;
    const simdepth_i_cgraph *cg = m->cg;
    const simdepth_analysis *a = r->a;
    char key[64], text[400];
    int rates = r->conf != NULL && m->engine == SIMDEPTH_LAYOUT_DOT, len;

    simdepth_i_buf_printf(b, "<TABLE BORDER=\"0\" CELLBORDER=\"0\" CELLSPACING=\"1\" CELLPADDING=\"1\">");
    simdepth_i_buf_printf(b, "<TR><TD ALIGN=\"LEFT\" BALIGN=\"LEFT\" COLSPAN=\"2\"><FONT "
                             "POINT-SIZE=\"%.1f\">Cluster graph</FONT>%s",
                          simdepth_theme_title_size(r->theme),
                          m->narrow ? "<BR ALIGN=\"LEFT\"/>" : " &#183; ");
    /* no-break spaces keep each part on one line when the legend wraps */
    if (cg->n_nodes < cg->n_clusters)
        len = snprintf(text, sizeof text, "the&#160;%zu&#160;largest of&#160;%zu&#160;clusters "
                                          "&#183; %zu&#160;of&#160;%zu&#160;classes",
                       cg->n_nodes, cg->n_clusters, cg->shown_classes, r->n);
    else
        len = snprintf(text, sizeof text, "%zu&#160;clusters &#183; %zu&#160;classes",
                       cg->n_clusters, r->n);
    if (isfinite(a->perceived.similarity_depth) && len > 0 && (size_t)len < sizeof text)
        snprintf(text + len, sizeof text - (size_t)len, " &#183; Similarity&#160;Depth&#160;%.2f",
                 a->perceived.similarity_depth);
    legend_text(m, b, text, LEGEND_WRAP);
    simdepth_i_buf_puts(b, "</TD></TR>");
    legend_colour_bar(m, b, "edge colour: mean perceived similarity of two clusters' classes "
                            "(maximum spanning tree)");
    if (m->engine != SIMDEPTH_LAYOUT_SFDP) {
        snprintf(key, sizeof key, "%.2f", m->wmax);
        legend_row(m, b, key, "edge label: that mean similarity");
    }
    if (rates)
        legend_rates(m, b, rates_what);
    if (!rates && r->conf != NULL && m->engine != SIMDEPTH_LAYOUT_SFDP) {
        simdepth_i_format_percent(0.041, key, sizeof key);
        legend_row(m, b, key, "near a cluster: share of its test images predicted<BR ALIGN=\"LEFT\"/>"
                              "as a class of the cluster at the edge's other end");
    }
    snprintf(text, sizeof text, "a cluster (%s): %sits number of classes<BR ALIGN=\"LEFT\"/>"
                                "(the area grows with it) and its most typical class",
             partition_method(a->perceived.partition),
             r->info->tax != NULL ? "its classes' common WordNet<BR ALIGN=\"LEFT\"/>ancestor "
                                    "&#183; its depth, "
                                  : "");
    legend_row(m, b, "box", text);
    if (r->conf != NULL)
        legend_row(m, b, "width", "grows with the misclassification rates both ways");
    if (cg->n_nodes < cg->n_clusters) {
        snprintf(key, sizeof key, "+%zu", cg->n_clusters - cg->n_nodes);
        snprintf(text, sizeof text, "smaller clusters (%zu classes) not drawn",
                 r->n - cg->shown_classes);
        legend_row(m, b, key, text);
    }
    legend_end(m, b);
}

/* The name of node @k: its classes' common ancestor (a lone class: its
 * name), "cluster N" without a taxonomy, "in no cluster" for label -1;
 * with @depth, the ancestor's depth after a middle dot. */
static void cluster_head(const gv_model *m, size_t k, int depth, char *buf, size_t size)
{
    const simdepth_i_render *r = m->r;
    const simdepth_i_cnode *c = &m->cg->nodes[k];

    char *p;

    if (c->label < 0)
        snprintf(buf, size, "in no cluster");
    else if (c->size == 1)
        snprintf(buf, size, "%s", r->names[c->first]);
    else if (c->has_anc && depth)
        snprintf(buf, size, "%s \xc2\xb7 %d", simdepth_taxonomy_label(r->info->tax, c->anc),
                 c->depth);
    else if (c->has_anc)
        snprintf(buf, size, "%s", simdepth_taxonomy_label(r->info->tax, c->anc));
    else
        snprintf(buf, size, "cluster %d", (int)c->label);
    /* as class names: underscores are blanks */
    for (p = buf; *p; p++)
        if (*p == '_')
            *p = ' ';
}

/* The text of node @k, as DOT label text: its name and depth, its class
 * count and its most typical class. */
static void cluster_node_label(const gv_model *m, size_t k, simdepth_i_buf *b)
{
    const simdepth_i_cnode *c = &m->cg->nodes[k];
    char head[240];

    cluster_head(m, k, 1, head, sizeof head);
    dot_label(b, head);
    if (c->size == 1) {
        simdepth_i_buf_puts(b, "\\n1 class");
        return;
    }
    simdepth_i_buf_printf(b, "\\n%zu classes, e.g. ", c->size);
    dot_label(b, m->r->names[c->typical]);
}

/* The tooltip of node @k. */
static void cluster_node_tooltip(const gv_model *m, size_t k, simdepth_i_buf *b)
{
    const simdepth_i_render *r = m->r;
    const simdepth_i_cgraph *cg = m->cg;
    const simdepth_i_cnode *c = &cg->nodes[k];
    const simdepth_taxonomy *tax = r->info->tax;
    size_t q, shown = c->size < 12 ? c->size : 10;
    char pc[32];

    if (c->label < 0)
        simdepth_i_buf_printf(b, "classes in no cluster: %zu", c->size);
    else
        simdepth_i_buf_printf(b, "cluster %d: %zu class%s", (int)c->label, c->size,
                              c->size == 1 ? "" : "es");
    if (c->has_anc)
        simdepth_i_buf_printf(b, "\ncommon ancestor %s (%s), depth %d: %s",
                              simdepth_taxonomy_name(tax, c->anc),
                              simdepth_taxonomy_id(tax, c->anc), c->depth,
                              simdepth_taxonomy_gloss(tax, c->anc));
    if (isfinite(c->within))
        simdepth_i_buf_printf(b, "\nmean similarity inside %.3f", c->within);
    if (isfinite(c->inside)) {
        simdepth_i_format_percent(c->inside, pc, sizeof pc);
        simdepth_i_buf_printf(b, "\ntest images predicted as another class of it: %s", pc);
    }
    simdepth_i_buf_puts(b, "\nclasses: ");
    for (q = 0; q < shown; q++)
        simdepth_i_buf_printf(b, "%s%s", q ? ", " : "", r->names[cg->members[cg->start[k] + q]]);
    if (shown < c->size)
        simdepth_i_buf_printf(b, " and %zu more", c->size - shown);
}

/* Build the cluster graph; *out is closed by the caller with agclose(). */
static simdepth_status cluster_graph_build(const gv_model *m, Agdisc_t *disc, Agraph_t **out,
                                           simdepth_error *err)
{
    const simdepth_i_render *r = m->r;
    const simdepth_i_cgraph *cg = m->cg;
    const simdepth_theme *th = r->theme;
    Agraph_t *g = NULL;
    Agnode_t **nodes = NULL;
    gv_syms sy;
    simdepth_i_buf b = {0};
    char num[64], name[32], hex[10];
    size_t k;
    int bad = 0, big = m->engine == SIMDEPTH_LAYOUT_SFDP;
    int rates = r->conf != NULL && m->engine == SIMDEPTH_LAYOUT_DOT;
    double maxsize = cg->n_nodes > 0 ? (double)cg->nodes[0].size : 1.0;

    g = gv_open("simdepth", disc);
    nodes = simdepth_i_calloc(cg->n_nodes + 1, sizeof *nodes);
    if (g == NULL || nodes == NULL) {
        simdepth_status st = g == NULL ? gv_fail(err, "agopen")
                                       : simdepth_i_enomem(err, "the cluster graph");
        if (g != NULL)
            agclose(g);
        free(nodes);
        return st;
    }
    if (declare(g, &sy, m) != 0 || graph_attrs(m, g, &sy) != 0) {
        bad = 1;
        goto out;
    }
    for (k = 0; k < cg->n_nodes && !bad; k++) {
        const simdepth_i_cnode *c = &cg->nodes[k];
        /* area by class count: the height grows with its square root
         * (Graphviz makes a node larger where its label needs it); a
         * rounded box like the semantic graph's classes */
        double h = 0.15 + 0.4 * sqrt((double)c->size / maxsize);
        snprintf(name, sizeof name, "k%zu", k);
        nodes[k] = gv_node(g, name);
        if (nodes[k] == NULL) {
            bad = 1;
            break;
        }
        simdepth_i_buf_free(&b);
        cluster_node_label(m, k, &b);
        GSET(nodes[k], sy.n[NA_LABEL], b.data ? b.data : "");
        simdepth_i_buf_free(&b);
        cluster_node_tooltip(m, k, &b);
        GSET(nodes[k], sy.n[NA_TOOLTIP], b.data ? b.data : "");
        snprintf(num, sizeof num, "%.3f", h);
        GSET(nodes[k], sy.n[NA_HEIGHT], num);
        snprintf(num, sizeof num, "%.3f", 1.5 * h);
        GSET(nodes[k], sy.n[NA_WIDTH], num);
        if (c->label >= 0)
            snprintf(num, sizeof num, "cluster%d", (int)c->label);
        else
            snprintf(num, sizeof num, "cluster-none");
        GSET(nodes[k], sy.n[NA_ID], num);
    }
    for (k = 0; k < m->n_edges && !bad; k++) {
        const gv_edge_rec *e = &m->edges[k];
        Agedge_t *ed = gv_edge(g, nodes[e->a], nodes[e->b]);
        char pa[32], pb[32], lab[96], ha[240], hb[240];
        if (ed == NULL) {
            bad = 1;
            break;
        }
        GSET(ed, sy.e[EA_COLOR], simdepth_rgba_format(edge_colour(m, e->sim), hex));
        snprintf(num, sizeof num, "%.2f", edge_width(m, e));
        GSET(ed, sy.e[EA_PENWIDTH], num);
        simdepth_i_format_percent(e->eab, pa, sizeof pa);
        simdepth_i_format_percent(e->eba, pb, sizeof pb);
        if (!big) {
            snprintf(lab, sizeof lab, "%.2f%s", e->sim, rates ? "\n" : "");
            if (rates)
                rates_text(m, pa, pb, lab + strlen(lab), sizeof lab - strlen(lab));
            simdepth_i_buf_free(&b);
            label_patch(&b, lab, simdepth_theme_color_get(th, SIMDEPTH_THEME_BACKGROUND));
            if (b.failed) {
                bad = 1;
                break;
            }
            bad |= gv_set(ed, sy.e[EA_LABEL], b.data, 1) != 0;
            if (r->conf != NULL && !rates) {
                GSET(ed, sy.e[EA_TAILLABEL], pa);
                GSET(ed, sy.e[EA_HEADLABEL], pb);
            }
        }
        cluster_head(m, e->a, 0, ha, sizeof ha);
        cluster_head(m, e->b, 0, hb, sizeof hb);
        simdepth_i_buf_free(&b);
        simdepth_i_buf_printf(&b, "%s \xe2\x80\x94 %s\nmean perceived similarity %.3f", ha, hb,
                              e->sim);
        if (r->conf != NULL)
            simdepth_i_buf_printf(&b, "\n%s predicted as a class of %s: %s\n%s predicted as a "
                                      "class of %s: %s",
                                  ha, hb, pa, hb, ha, pb);
        GSET(ed, sy.e[EA_TOOLTIP], b.data ? b.data : "");
    }
    if (!bad) {
        simdepth_i_buf_free(&b);
        cluster_legend_html(m, &b);
        if (b.failed) {
            simdepth_i_buf_free(&b);
            agclose(g);
            free(nodes);
            return simdepth_i_enomem(err, "the legend");
        }
        bad |= gv_set(g, sy.g[GA_LABEL], b.data, 1) != 0;
    }
out:
    simdepth_i_buf_free(&b);
    free(nodes);
    if (bad) {
        agclose(g);
        return gv_fail(err, "building the cluster graph (agattr/agnode/agedge/agxset)");
    }
    *out = g;
    return SIMDEPTH_OK;
}

/* ---------------------------------------------------------------- entry */

/* Lay the model's graph out and draw it, or give its DOT text. */
static simdepth_status gv_draw(gv_model *m, simdepth_i_buf *out, simdepth_error *err)
{
    const simdepth_i_render *r = m->r;
    GVC_t *gvc = NULL;
    Agraph_t *g = NULL;
    agusererrf saved_errf;
    Agiodisc_t io;
    Agdisc_t disc;
    simdepth_i_buf dot = {0};
    int laid_out = 0, attempt;
    simdepth_status st;
    packing pk;
    double llx, lly, urx, ury;
    const char *bb;

    memset(&pk, 0, sizeof pk);
    gv_errbuf[0] = '\0';
    saved_errf = agseterrf(gv_errf);
    gvc = simdepth_i_gv_context();
    if (gvc == NULL) {
        st = gv_fail(err, "gvContext");
        goto out;
    }
    buffer_disc(&io, &disc);
    for (attempt = 0;; attempt++) {
    st = m->cg != NULL ? cluster_graph_build(m, &disc, &g, err) : graph_build(m, &disc, &g, err);
    if (st != SIMDEPTH_OK)
        goto out;
    /* The DOT text is the figure's source: lay out exactly what it says,
     * read back into a fresh graph. (Laying out the graph as built in
     * memory loses edges in Graphviz 2.42 - constraint=false edges vanish
     * from the SVG and every edge from xdot - while the same graph read
     * from its DOT text is drawn completely.) */
    st = write_dot(g, &dot, err);
    if (st != SIMDEPTH_OK)
        goto out;
    if (agclose(g) != 0) {
        g = NULL;
        st = gv_fail(err, "agclose");
        goto out;
    }
    g = NULL;
    if (r->opt->format == SIMDEPTH_IMAGE_DOT) {
        simdepth_i_buf_append(out, dot.data, dot.len);
        goto out;
    }
    g = simdepth_i_gv_read(dot.data, dot.len);
    if (g == NULL) {
        st = gv_fail(err, "agread");
        goto out;
    }
    pk.on = m->cg == NULL && m->engine == SIMDEPTH_LAYOUT_DOT && r->opt->cluster < 0 &&
            m->n_blocks >= 2;
    if (pk.on) {
        st = pack_take_edges(m, g, &pk, err);
        if (st != SIMDEPTH_OK)
            goto out;
    }
    if (gvLayout(gvc, g, engine_name(m->engine)) != 0) {
        st = gv_fail(err, "gvLayout");
        goto out;
    }
    laid_out = 1;
    /* attach the drawing as _draw_ attributes and the positions; no file */
    if (gvRender(gvc, g, "xdot", NULL) != 0) {
        st = gv_fail(err, "gvRender(xdot)");
        goto out;
    }
    bb = gv_get(g, "bb");
    if (bb == NULL || sscanf(bb, "%lf,%lf,%lf,%lf", &llx, &lly, &urx, &ury) != 4) {
        st = gv_fail(err, "reading the layout's bounding box");
        goto out;
    }
    if (pk.on)
        st = pack_layout(m, g, &pk, 0.1 * 72.0, err);
    if (st == SIMDEPTH_OK)
        st = play(m, g, &pk, llx, lly, urx, ury, out, err);
    /* too large for a narrow size one way round: try the other (the
     * message of the second attempt stands) */
    if (st != SIMDEPTH_EINVAL || !m->narrow || m->engine != SIMDEPTH_LAYOUT_DOT || attempt > 0)
        break;
    m->lr = !m->lr;
    st = SIMDEPTH_OK;
    if (gvFreeLayout(gvc, g) != 0) {
        laid_out = 0;
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
    packing_free(&pk);
    memset(&pk, 0, sizeof pk);
    simdepth_i_buf_free(&dot);
    }
out:
    if (laid_out && gvFreeLayout(gvc, g) != 0 && st == SIMDEPTH_OK)
        st = gv_fail(err, "gvFreeLayout");
    if (g != NULL && agclose(g) != 0 && st == SIMDEPTH_OK)
        st = gv_fail(err, "agclose");
    agseterrf(saved_errf);
    simdepth_i_buf_free(&dot);
    packing_free(&pk);
    return st;
}

simdepth_status simdepth_i_render_graph(const simdepth_i_render *r, simdepth_i_buf *out,
                                        simdepth_error *err)
{
    gv_model m;
    simdepth_status st = model_build(r, &m, err);

    if (st == SIMDEPTH_OK)
        st = gv_draw(&m, out, err);
    model_free(&m);
    return st;
}

simdepth_status simdepth_i_render_clusters(const simdepth_i_render *r, simdepth_i_buf *out,
                                           simdepth_error *err)
{
    gv_model m;
    simdepth_i_cgraph cg;
    simdepth_status st = simdepth_i_cgraph_build(r, &cg, err);

    memset(&m, 0, sizeof m);
    if (st == SIMDEPTH_OK)
        st = cluster_model_build(r, &cg, &m, err);
    if (st == SIMDEPTH_OK)
        st = gv_draw(&m, out, err);
    model_free(&m);
    simdepth_i_cgraph_free(&cg);
    return st;
}
