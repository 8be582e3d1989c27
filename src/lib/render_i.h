/* simdepth — private declarations of the rendering module. Not installed.
 *
 * render_common.c  public entry point, options, lengths, class names,
 *                  cluster ancestors, byte buffers, the SVG writer, PNG
 *                  encoding (libpng: pHYs, tEXt)
 * render_cairo.c   the canvas (one drawing interface, two backends: SVG
 *                  text and cairo for PDF/PNG, pango for all text
 *                  measurement), the dendrogram and the heatmap
 * render_gv.c      the semantic graph and the cluster graph through
 *                  Graphviz: building the graph, DOT, and the laid-out
 *                  drawing (xdot) replayed on the canvas
 * render_clusters.c the cluster graph's numbers: cluster sizes, common
 *                  ancestors, mean similarity and error rates between
 *                  clusters, their maximum spanning tree
 * partition_read.c saved partitions (simdepth_partition_read)
 * theme.c          themes and colour maps
 */
#ifndef SIMDEPTH_RENDER_I_H
#define SIMDEPTH_RENDER_I_H

#include <stddef.h>
#include <stdint.h>

#include "simdepth/render.h"
#include "simdepth/theme.h"
#include "internal.h"

/* ------------------------------------------------------------ byte buffer */

/* A growable byte buffer; an allocation failure sticks in @failed and later
 * appends do nothing (so callers check once, at the end). */
typedef struct simdepth_i_buf {
    char *data;
    size_t len;
    size_t cap;
    int failed;
} simdepth_i_buf;

void simdepth_i_buf_append(simdepth_i_buf *b, const void *p, size_t n);
void simdepth_i_buf_puts(simdepth_i_buf *b, const char *s);
void simdepth_i_buf_printf(simdepth_i_buf *b, const char *fmt, ...) SIMDEPTH_I_PRINTF(2, 3);
/* Append @s with &, <, >, " and ' escaped for XML text and attributes;
 * control characters other than tab and newline are dropped. */
void simdepth_i_buf_xml(simdepth_i_buf *b, const char *s);
void simdepth_i_buf_free(simdepth_i_buf *b);

/* ------------------------------------------------------- shared context */

/* What every figure needs; built once by simdepth_render_write(). */
typedef struct simdepth_i_render {
    const simdepth_analysis *a;
    const simdepth_matrix *s;        /* perceived similarity (as analysed) */
    const simdepth_matrix *conf;     /* confusion matrix or NULL */
    const simdepth_report_info *info;
    const simdepth_render_options *opt;
    const simdepth_theme *theme;
    size_t n;
    const char **names;              /* readable name of each class */
    char software[64];               /* "simdepth 0.1.0" */
} simdepth_i_render;

/* The readable name of class @i (label's name, WordNet lemma, label key)
 * with underscores as blanks, malloc'd (NULL when out of memory). */
char *simdepth_i_class_name(const simdepth_report_info *info, size_t i);

/* The common ancestor of @n classes @members (class indices): the deepest
 * subsumer of all their taxonomy nodes under @rule, in *node, with
 * *depth = max_depth + 1. See render_common.c for the definition.
 * Returns SIMDEPTH_ENOTFOUND without a taxonomy or a common subsumer. */
simdepth_status simdepth_i_common_ancestor(const simdepth_report_info *info,
                                           const size_t *members, size_t n,
                                           size_t *node, int *depth);

/* Format a percentage with two significant digits: "4.1%", "0.14%",
 * "12%", "0%". */
void simdepth_i_format_percent(double v, char *buf, size_t size);

/* ------------------------------------------------------------------ canvas */

typedef enum simdepth_i_anchor {
    SIMDEPTH_I_START = 0,
    SIMDEPTH_I_MIDDLE = 1,
    SIMDEPTH_I_END = 2
} simdepth_i_anchor;

typedef struct simdepth_i_canvas simdepth_i_canvas;

/* Start a drawing @w x @h points for @format (SVG writes text; PDF and PNG
 * draw with cairo). @title goes into the metadata. */
simdepth_status simdepth_i_canvas_new(const simdepth_i_render *r, double w, double h,
                                      const char *title, simdepth_i_canvas **out,
                                      simdepth_error *err);
/* Finish the drawing and append the file's bytes to @out. */
simdepth_status simdepth_i_canvas_finish(simdepth_i_canvas *cv, simdepth_i_buf *out,
                                         simdepth_error *err);
void simdepth_i_canvas_free(simdepth_i_canvas *cv);

/* Drawing. Coordinates in points, y down, origin top left. A NULL fill or
 * stroke is "none". @dash: 0 solid, 1 dashed. */
void simdepth_i_canvas_rect(simdepth_i_canvas *cv, double x, double y, double w, double h,
                            const simdepth_rgba *fill, const simdepth_rgba *stroke,
                            double lw);
void simdepth_i_canvas_polyline(simdepth_i_canvas *cv, const double *xy, size_t n,
                                const simdepth_rgba *stroke, double lw, int dash);
/* A closed polygon (@bezier 0) or a cubic Bézier path (@bezier 1: points
 * 0, then 3 per segment), filled and/or stroked. */
void simdepth_i_canvas_path(simdepth_i_canvas *cv, const double *xy, size_t n, int bezier,
                            int closed, const simdepth_rgba *fill,
                            const simdepth_rgba *stroke, double lw, int dash);
void simdepth_i_canvas_ellipse(simdepth_i_canvas *cv, double cx, double cy, double rx,
                               double ry, const simdepth_rgba *fill,
                               const simdepth_rgba *stroke, double lw);
/* Text with its baseline at @y; @vertical 1 turns it 90 degrees
 * counter-clockwise (reading upwards) around (x, y). */
void simdepth_i_canvas_text(simdepth_i_canvas *cv, double x, double y, const char *s,
                            double size, simdepth_i_anchor anchor, int vertical,
                            simdepth_rgba color, int bold);
/* Advance width of @s in points. */
double simdepth_i_canvas_text_width(simdepth_i_canvas *cv, const char *s, double size,
                                    int bold);
/* An RGB image of @iw x @ih pixels (3 bytes each, rows top down) drawn
 * into the rectangle without smoothing. */
void simdepth_i_canvas_image(simdepth_i_canvas *cv, double x, double y, double w, double h,
                             const unsigned char *rgb, int iw, int ih);
/* Group what follows under a tooltip (SVG <title>); no-op for cairo. */
void simdepth_i_canvas_group_begin(simdepth_i_canvas *cv, const char *id,
                                   const char *tooltip);
void simdepth_i_canvas_group_end(simdepth_i_canvas *cv);
/* @on 1: what follows is hidden (SVG: kept in a display="none" group, so
 * labels thinned out for legibility stay searchable; cairo: not drawn);
 * @on 0 ends it. Does not nest. */
void simdepth_i_canvas_hide(simdepth_i_canvas *cv, int on);

/* --------------------------------------------------------------- outputs */

/* Encode @rgb (@w x @h pixels, @channels 3 or 4, rows top down) as PNG
 * with a pHYs chunk for @dpi and tEXt chunks Software, Title and Source
 * (each optional). */
simdepth_status simdepth_i_png_encode(const unsigned char *pix, int w, int h, int channels,
                                      double dpi, const char *software, const char *title,
                                      const char *source, simdepth_i_buf *out,
                                      simdepth_error *err);

/* Base64 of @n bytes, appended to @out. */
void simdepth_i_buf_base64(simdepth_i_buf *out, const unsigned char *p, size_t n);

/* -------------------------------------------------------------- figures */

simdepth_status simdepth_i_render_graph(const simdepth_i_render *r, simdepth_i_buf *out,
                                        simdepth_error *err);
simdepth_status simdepth_i_render_dendrogram(const simdepth_i_render *r,
                                             simdepth_i_buf *out, simdepth_error *err);
/* Axes: a "nice" tick step for @range with about @target ticks (1 for an
 * empty or non-finite range), and a tick value printed with the decimals
 * @step needs. */
double simdepth_i_nice_step(double range, int target);
void simdepth_i_format_tick(double v, double step, char *buf, size_t size);
/* @s shortened to at most @maxw points with a trailing ellipsis. */
void simdepth_i_fit_text(simdepth_i_canvas *cv, const char *s, double size, double maxw,
                         char *buf, size_t bufsize);
/* @s set from (@x, @y) on lines of at most @maxw points broken at blanks,
 * @lead apart (with @draw 0 only counted); the number of lines. */
size_t simdepth_i_wrap_text(simdepth_i_canvas *cv, const char *s, double size, double maxw,
                            double x, double y, double lead, simdepth_rgba c, int draw);

/* The process's Graphviz context (never freed: see render_gv.c). */
struct GVC_s *simdepth_i_gv_context(void);
/* A graph read from DOT text with sequential ids (render_gv.c); NULL on a
 * Graphviz error. Close with agclose(). */
struct Agraph_s *simdepth_i_gv_read(const char *text, size_t len);

simdepth_status simdepth_i_render_heatmap(const simdepth_i_render *r, simdepth_i_buf *out,
                                          simdepth_error *err);

/* ---------------------------------------------------------- cluster graph */

/* Drawn clusters: at most this many (O(K^2) memory and layout). */
#define SIMDEPTH_I_MAX_CLUSTER_NODES 10000

/* A cluster drawn as one node. */
typedef struct simdepth_i_cnode {
    int32_t label;  /* its partition label; -1: the classes in no cluster */
    size_t size;    /* classes */
    size_t first;   /* its smallest class index */
    size_t typical; /* its most typical class: the largest mean similarity
                       to the others (the smaller index on ties) */
    int has_anc;    /* 1: a common ancestor was found (anc, depth) */
    size_t anc;     /* the members' common ancestor (simdepth_i_common_ancestor) */
    int depth;
    double within;  /* mean similarity of its pairs of classes; NaN below 2 */
    double inside;  /* mean share of its classes' test images predicted as
                       another class of it; NaN without a confusion matrix */
} simdepth_i_cnode;

/* A tree edge between two drawn clusters. */
typedef struct simdepth_i_cedge {
    size_t a, b;    /* nodes; a is b's parent in the tree rooted at its
                       centre (the middle of a longest path) */
    double sim;     /* mean similarity between a class of a and one of b */
    double eab;     /* mean share of a's classes' test images predicted as
                       a class of b (classes weigh equally); NaN without
                       a confusion matrix */
    double eba;     /* the same from b to a */
} simdepth_i_cedge;

/* The cluster graph: the top_clusters largest clusters (ties: the smaller
 * label), largest first, and the maximum spanning tree of their mean
 * similarities (Prim from node 0; ties: the smaller node), rooted at its
 * centre. */
typedef struct simdepth_i_cgraph {
    size_t n_clusters;     /* in the partition (-1 counts as one) */
    size_t n_nodes;        /* drawn */
    size_t shown_classes;  /* classes in the drawn clusters */
    simdepth_i_cnode *nodes;
    simdepth_i_cedge *edges; /* n_nodes - 1 */
    size_t n_edges;
    size_t *members;       /* node k's classes, in index order: */
    size_t *start;         /* members[start[k] .. start[k + 1]) */
} simdepth_i_cgraph;

/* Build the cluster graph of r->a's perceived partition: one pass over
 * r->s (and r->conf) rows of drawn classes. SIMDEPTH_EINVAL when more than
 * SIMDEPTH_I_MAX_CLUSTER_NODES clusters would be drawn. */
simdepth_status simdepth_i_cgraph_build(const simdepth_i_render *r, simdepth_i_cgraph *g,
                                        simdepth_error *err);
void simdepth_i_cgraph_free(simdepth_i_cgraph *g);

/* The cluster graph figure (render_gv.c). */
simdepth_status simdepth_i_render_clusters(const simdepth_i_render *r, simdepth_i_buf *out,
                                           simdepth_error *err);

#endif
