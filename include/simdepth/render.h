/* simdepth — figures of an analysis: the semantic graph, the dendrogram,
 * the similarity heatmap and the cluster graph, as SVG, PDF, PNG or
 * (graphs) DOT.
 *
 * Graphviz (libgvc, libcgraph) lays graphs out; simdepth draws every figure
 * from the layout: cairo and pango for PDF and PNG, SVG written as text so
 * that every label is an SVG <text> element.
 * None of these libraries appears in this header.
 *
 * Output goes to a caller-supplied FILE *, as simdepth_report_write() does:
 * the caller chooses where the bytes land and how the file appears. (The
 * simdepth CLI writes to a temporary file in the target directory and
 * renames it into place, so a failed render never leaves a partial figure.)
 * A figure is rendered completely in memory before the first byte is
 * written, so on failure nothing has been written to the stream.
 *
 * Determinism: the same inputs and options give byte-identical SVG and DOT,
 * byte-identical PNG, and byte-identical PDF when
 * simdepth_render_options.timestamp is set (it replaces the creation date
 * cairo would otherwise take from the clock).
 *
 * Thread safety: Graphviz keeps global state; do not render graphs from two
 * threads at once. Dendrograms and heatmaps may be rendered concurrently.
 */
#ifndef SIMDEPTH_RENDER_H
#define SIMDEPTH_RENDER_H

#include <stddef.h>
#include <stdio.h>

#include "simdepth/analysis.h"
#include "simdepth/error.h"
#include "simdepth/labels.h"
#include "simdepth/linkage.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"
#include "simdepth/report.h"
#include "simdepth/theme.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Figures. @since 0.1 */
typedef enum simdepth_figure {
    SIMDEPTH_FIGURE_GRAPH = 0,  /**< semantic graph: clusters, spanning trees,
                                     confusion overlay */
    SIMDEPTH_FIGURE_DENDROGRAM, /**< agglomerative clustering of 1 - S */
    SIMDEPTH_FIGURE_HEATMAP,    /**< similarity (and confusion) matrices in
                                     dendrogram order */
    SIMDEPTH_FIGURE_CLUSTERS    /**< one node per cluster, the maximum
                                     spanning tree of the mean similarity
                                     between clusters (@since 0.2) */
} simdepth_figure;

/** Output formats. @since 0.1 */
typedef enum simdepth_image_format {
    SIMDEPTH_IMAGE_SVG = 0, /**< SVG 1.1, labels as <text>, tooltips */
    SIMDEPTH_IMAGE_PDF,     /**< PDF 1.5 with embedded TrueType/CFF subsets */
    SIMDEPTH_IMAGE_PNG,     /**< 8-bit RGB(A) with pHYs and tEXt chunks */
    SIMDEPTH_IMAGE_DOT      /**< Graphviz DOT before layout (graph and
                                 cluster graph only) */
} simdepth_image_format;

/** Graph layout engines. @since 0.1 */
typedef enum simdepth_graph_layout {
    SIMDEPTH_LAYOUT_AUTO = 0, /**< dot up to 200 nodes, fdp up to 300,
                                   sfdp beyond */
    SIMDEPTH_LAYOUT_DOT,
    SIMDEPTH_LAYOUT_NEATO,
    SIMDEPTH_LAYOUT_FDP,
    SIMDEPTH_LAYOUT_SFDP
} simdepth_graph_layout;

/** Where the dendrogram's root sits. @since 0.1 */
typedef enum simdepth_orientation {
    SIMDEPTH_ORIENT_LEFT = 0, /**< root on the left, leaves on the right */
    SIMDEPTH_ORIENT_TOP       /**< root on top, leaves at the bottom */
} simdepth_orientation;

/** Options of simdepth_render_write(); simdepth_render_options_init() sets
 *  the defaults given with each field. @since 0.1 */
typedef struct simdepth_render_options {
    simdepth_image_format format;   /**< SVG */
    const simdepth_theme *theme;    /**< borrowed; NULL: built-in default */
    double width;                   /**< points; 0: the figure's natural width */
    double height;                  /**< points; 0: from the content */
    double dpi;                     /**< PNG pixels per inch (300) */
    long long timestamp;            /**< seconds since 1970 for PDF dates;
                                         -1: cairo's clock (not reproducible) */
    /* semantic graph */
    simdepth_graph_layout layout;   /**< AUTO */
    int cluster;                    /**< -1: all clusters; k: only cluster k */
    size_t top_errors;              /**< 0: every confusion-only edge; N: the
                                         N with the largest summed rates */
    /* dendrogram and heatmap */
    simdepth_linkage_method linkage; /**< average */
    size_t cut;                     /**< 0: colour by the partition; k: by
                                         SciPy's fcluster(maxclust=k) */
    int node_labels;                /**< 1: label cluster roots with their
                                         common WordNet ancestor (0) */
    simdepth_orientation orientation; /**< LEFT */
    int lower_triangle;             /**< heatmap: only the lower triangle (0) */
    int raster;                     /**< heatmap body: -1 auto (raster above
                                         64 classes), 0 vector, 1 raster */
    const char *provenance;         /**< free text stored in the file's
                                         metadata (PNG tEXt "Source", PDF
                                         subject, SVG <desc>); NULL: none */
    /* cluster graph */
    size_t top_clusters;            /**< 40: draw the N largest clusters
                                         (ties: the smaller label); 0: all
                                         (@since 0.2) */
} simdepth_render_options;

/** Fill @p opt with the defaults. @since 0.1 */
void simdepth_render_options_init(simdepth_render_options *opt);

/** Render one figure of the analysis @p a to @p f in opt->format.
 *
 *  @p similarity is the perceived similarity exactly as analysed (after
 *  simdepth_analysis_run() scaled it); @p confusion is the confusion matrix
 *  given to the analysis or NULL. @p info supplies labels (required),
 *  taxonomy and nodes (optional: without them clusters and edges carry no
 *  WordNet names), the LCS rule (info->options) and the input file names,
 *  which go into the metadata.
 *
 *  Class names are the readable name of the label line, else the WordNet
 *  lemma, else the label. A cluster's title is its common ancestor: the
 *  deepest subsumer common to all its members under the analysis's LCS
 *  rule, with depth max_depth + 1 (see simdepth-render(1)).
 *
 *  The dendrogram and heatmap cluster 1 - S (values above 1 count as 1; an
 *  S that is not exactly symmetric is symmetrised as (S + S^T) / 2) with
 *  opt->linkage and order leaves optimally (Bar-Joseph et al.) up to 2,000
 *  classes, in SciPy's order beyond. O(n^2) memory and time for the
 *  heatmap, plus the linkage's cost.
 *
 *  The cluster graph (SIMDEPTH_FIGURE_CLUSTERS) has one node per cluster
 *  of the perceived partition, titled with its common ancestor and its
 *  class count, its area growing with the class count; with
 *  opt->top_clusters N, only the N largest clusters (the caption and the
 *  metadata title say how many were left out). Its edges are a maximum
 *  spanning tree of the clusters drawn, weighted by the mean similarity
 *  between their classes (the mean of S over all pairs across the two
 *  clusters, S as analysed), and, with @p confusion, carry the share of
 *  each cluster's test images predicted as a class of the other. It reads
 *  only the partition of @p a, @p similarity and @p confusion: one pass
 *  over each n x n matrix, O(n^2 + K^2) time and O(K^2) memory for K
 *  clusters drawn. opt->cluster does not apply to it.
 *
 *  DOT is the graph before layout, nodes and edges in index order; it is
 *  SIMDEPTH_EINVAL for the dendrogram and the heatmap.
 *  @return SIMDEPTH_OK; SIMDEPTH_EINVAL (bad options, sizes disagree, a
 *  cluster that does not exist, a width or height at which the graph's
 *  text would fall below the theme's minimum font size, 6 pt by default);
 *  SIMDEPTH_ERENDER (Graphviz or cairo failed; the message says which call);
 *  SIMDEPTH_EIO (writing @p f);
 *  SIMDEPTH_ENOMEM. Does not close @p f. @since 0.1 */
simdepth_status simdepth_render_write(FILE *f, simdepth_figure figure,
                                      const simdepth_analysis *a,
                                      const simdepth_matrix *similarity,
                                      const simdepth_matrix *confusion,
                                      const simdepth_report_info *info,
                                      const simdepth_render_options *opt,
                                      simdepth_error *err);

/** Read a saved partition of the classes of @p labels from @p path: the
 *  "partition" of a JSON report written by simdepth_report_write() (as
 *  'simdepth analyze -o FILE.json' writes it; a file whose first non-blank
 *  character is '{'), or a text file of one integer cluster id per line,
 *  in class order ('#' starts a comment line). A report's "n_classes" and
 *  its classes' "label" keys must match @p labels; its "partition.labels"
 *  must have one integer per class. Cluster ids are renumbered 0, 1, ...
 *  in increasing order (the identity for a report's ids), keeping -1 for
 *  a class in no cluster; ids below -1 or above 2^31 - 1 are refused.
 *  When @p confusion is not NULL it receives the report's confusion-graph
 *  partition ("confusion.partition"), or NULL when there is none (text
 *  files have none).
 *
 *  Ownership: *out (and *confusion) are new partitions, released with
 *  simdepth_partition_free(); both untouched on failure.
 *  @return SIMDEPTH_OK; SIMDEPTH_EIO (cannot read @p path);
 *  SIMDEPTH_EFORMAT (malformed: the message names the line, or the JSON
 *  member such as "partition.labels[17]", and what was expected);
 *  SIMDEPTH_EUNSUPPORTED (a file over 1 GiB); SIMDEPTH_ENOMEM.
 *  O(n log n). @since 0.2 */
simdepth_status simdepth_partition_read(const char *path, const simdepth_labels *labels,
                                        simdepth_partition **out,
                                        simdepth_partition **confusion,
                                        simdepth_error *err);

/** Parse a length: a number followed by "in", "cm", "mm" or "pt" (no
 *  space; a bare number is refused to avoid guessing the unit), positive
 *  and at most 200 in. *pt receives points (1 in = 72 pt).
 *  @return SIMDEPTH_OK or SIMDEPTH_EINVAL (message says what was
 *  expected); *pt untouched on failure. @since 0.1 */
simdepth_status simdepth_length_parse(const char *s, double *pt,
                                      simdepth_error *err);

/** A figure width preset of a venue. @since 0.1 */
typedef struct simdepth_size_preset {
    const char *name;    /**< "ieee-column", ... */
    double width;        /**< points */
    const char *what;    /**< a short description */
} simdepth_size_preset;

/** The table of presets, terminated by an entry whose name is NULL.
 *  @since 0.1 */
const simdepth_size_preset *simdepth_size_presets(void);

/** Find a preset by name. @return SIMDEPTH_OK or SIMDEPTH_ENOTFOUND (the
 *  message lists the names). @since 0.1 */
simdepth_status simdepth_size_preset_find(const char *name, double *width,
                                          simdepth_error *err);

/** Name of a figure: "graph", "dendrogram", "heatmap", "clusters".
 *  @since 0.1 */
const char *simdepth_figure_name(simdepth_figure figure);

/** File extension of a format without the dot: "svg", "pdf", "png", "dot".
 *  @since 0.1 */
const char *simdepth_image_format_name(simdepth_image_format format);

/** The format named by @p name ("svg", "pdf", "png", "dot", case-
 *  insensitive) or by the extension of the file name @p name ("x/fig.pdf").
 *  @return SIMDEPTH_OK or SIMDEPTH_EINVAL. @since 0.1 */
simdepth_status simdepth_image_format_parse(const char *name,
                                            simdepth_image_format *out,
                                            simdepth_error *err);

/* ------------------------------------------------------------ comparisons */

/** One model of a comparison figure. @since 0.2 */
typedef struct simdepth_render_model {
    const char *name;                 /**< shown in legends and captions */
    const simdepth_analysis *analysis;
    const simdepth_matrix *similarity; /**< as analysed (scaled) */
} simdepth_render_model;

/** Comparison figures of two models. @since 0.2 */
typedef enum simdepth_diff_figure {
    SIMDEPTH_DIFF_FIGURE_GRAPH = 0,  /**< both models' spanning-tree edges in
                                          one graph: shared, only-A, only-B;
                                          A's clusters as boxes */
    SIMDEPTH_DIFF_FIGURE_TANGLEGRAM  /**< the two dendrograms facing each
                                          other, untangled, leaves joined */
} simdepth_diff_figure;

/** Render a comparison figure of models @p a and @p b (same classes, same
 *  order; @p info describes the shared labels and taxonomy, its options
 *  the analyses') to @p f in opt->format (DOT only for the graph). The
 *  tanglegram clusters 1 - S of each model with opt->linkage, orders
 *  leaves optimally, then untangles (simdepth_tanglegram_untangle()); if
 *  @p entanglement is not NULL it receives the entanglement before [0]
 *  and after [1] untangling (NaN for the graph figure).
 *  @return as simdepth_render_write(). @since 0.2 */
simdepth_status simdepth_render_diff_write(FILE *f, simdepth_diff_figure figure,
                                           const simdepth_render_model *a,
                                           const simdepth_render_model *b,
                                           const simdepth_report_info *info,
                                           const simdepth_render_options *opt,
                                           double entanglement[2],
                                           simdepth_error *err);

/** One labelled point of a scatter or line plot. @since 0.2 */
typedef struct simdepth_plot_point {
    const char *label; /**< drawn beside the point; NULL: none */
    double x;
    double y;          /**< non-finite points are skipped */
} simdepth_plot_point;

/** A scatter plot (or, with @c lines set, a line through the points in
 *  order, for values over epochs). @since 0.2 */
typedef struct simdepth_plot {
    const char *title;   /**< NULL: none */
    const char *x_label;
    const char *y_label;
    const simdepth_plot_point *points;
    size_t n_points;
    int lines;           /**< 1: join consecutive points */
} simdepth_plot;

/** Render @p plot to @p f in opt->format (SVG, PDF or PNG; DOT is
 *  SIMDEPTH_EINVAL). Axes have "nice" ticks; point labels are placed so
 *  that they do not overlap each other or the points (labels that cannot
 *  be placed are drawn with a leader line). @return as
 *  simdepth_render_write(). @since 0.2 */
simdepth_status simdepth_render_plot_write(FILE *f, const simdepth_plot *plot,
                                           const simdepth_render_options *opt,
                                           simdepth_error *err);

#ifdef __cplusplus
}
#endif
#endif
