/* simdepth CLI — the render command: figures of an analysis.
 *
 * The model inputs and the method options are analyze's, loaded by the
 * same code (input.c), and the analysis is the same library pipeline
 * (simdepth_analysis_run), so a figure always shows the partition and the
 * edges 'simdepth analyze' reports. With --partition the partition is
 * read from a saved report (or a text file) instead of clustering again:
 * at ImageNet-21k scale affinity propagation takes minutes, the figure
 * of a saved partition seconds.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "simdepth/linkage.h"
#include "simdepth/render.h"
#include "simdepth/theme.h"

#ifndef SIMDEPTH_THEME_DIR
#define SIMDEPTH_THEME_DIR "/usr/local/share/simdepth/themes"
#endif

/* --figure all: the graph, the dendrogram and the heatmap */
enum { FIG_ALL = 100 };

/* --top-clusters by default: a cluster graph readable on a page */
#define DEFAULT_TOP_CLUSTERS 40

typedef struct render_opts {
    const char *weights;
    const char *similarity;
    const char *labels;
    const char *confusion;
    const char *wordnet_dir;
    const char *output;
    const char *per_cluster;
    const char *theme;
    const char *name;
    const char *partition; /* --partition FILE, or NULL: cluster */
    int figure;          /* simdepth_figure or FIG_ALL */
    int formats[4];      /* -T list; n_formats 0: from the output name */
    int n_formats;
    int quiet;
    int top_errors_given;
    int top_clusters_given;
    int timings;
    cli_progress *pr;    /* progress of long stages, and their timings */
    simdepth_analysis_options an;
    simdepth_render_options ro;
} render_opts;

enum {
    OPT_SCALING = 1000,
    OPT_WORDNET_DIR,
    OPT_LCS,
    OPT_PREFERENCE,
    OPT_DAMPING,
    OPT_MAX_ITER,
    OPT_CONV_ITER,
    OPT_FIGURE,
    OPT_WIDTH,
    OPT_HEIGHT,
    OPT_SIZE,
    OPT_DPI,
    OPT_THEME,
    OPT_LAYOUT,
    OPT_PER_CLUSTER,
    OPT_TOP_ERRORS,
    OPT_LINKAGE,
    OPT_CUT,
    OPT_NODE_LABELS,
    OPT_ORIENTATION,
    OPT_LOWER,
    OPT_RASTER,
    OPT_NAME,
    OPT_PARTITION,
    OPT_TOP_CLUSTERS,
    OPT_TIMINGS
};

static void render_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth render (-w WEIGHTS | -s SIMILARITY) -l LABELS [-c CONFUSION]\n"
            "                       [--figure graph|dendrogram|heatmap|clusters|all]\n"
            "                       [--partition REPORT.json|FILE] -o FILE|DIR [options]\n\n"
            "Draw an analysis for a paper: the semantic graph (clusters, spanning trees,\n"
            "misclassification rates), the dendrogram, the similarity heatmap, or the\n"
            "cluster graph, as SVG, PDF, PNG or (graphs) DOT.\n\n"
            "Inputs and method: as 'simdepth analyze' (-w, -s, -l, -c, --scaling, --lcs,\n"
            "  --wordnet-dir, --preference, --damping, --max-iter, --convergence-iter).\n"
            "      --partition FILE      take the clusters from a saved partition instead of\n"
            "                            clustering: a JSON report of 'simdepth analyze' (its\n"
            "                            \"partition\", and the confusion graph's if there), or\n"
            "                            a text file of one integer cluster id per class and\n"
            "                            line (-1: in no cluster), in the labels' order\n"
            "Figure:\n"
            "      --figure NAME         graph (default), dendrogram, heatmap, clusters, or\n"
            "                            all (graph, dendrogram and heatmap)\n"
            "  -o, --output FILE|DIR     the figure file ('-': standard output, needs -T);\n"
            "                            with --figure all a directory receiving graph.EXT,\n"
            "                            dendrogram.EXT and heatmap.EXT\n"
            "  -T, --format LIST         svg, pdf, png, dot (graphs only); a comma list with\n"
            "                            --figure all or --per-cluster (default: from the\n"
            "                            output's extension, else svg)\n"
            "      --width LEN, --height LEN\n"
            "                            size with unit: 3.5in, 8.9cm, 80mm, 252pt\n"
            "      --size PRESET         a venue's width: ieee-column, ieee-page, acm-column,\n"
            "                            acm-page, cvpr-column, cvpr-page, neurips-page,\n"
            "                            lncs-page, elsevier-column, elsevier-page,\n"
            "                            nature-column, nature-page\n"
            "      --dpi N               PNG resolution (default 300)\n"
            "      --theme NAME|FILE     default, paper, dark, colorblind, grayscale, or a\n"
            "                            .theme file (see simdepth-theme(5))\n"
            "Graph:\n"
            "      --layout ENGINE       auto (default), dot, neato, fdp, sfdp\n"
            "      --per-cluster DIR     also write one graph per cluster into DIR (without\n"
            "                            -o: only these)\n"
            "      --top-errors N|all    draw only the N strongest confusion-only edges\n"
            "                            (default: all up to 30 classes, else 15)\n"
            "Cluster graph (--figure clusters: one node per cluster, titled with its\n"
            "  classes' common WordNet ancestor; a maximum spanning tree of the mean\n"
            "  similarity between clusters):\n"
            "      --top-clusters N|all  draw the N largest clusters (default 40)\n"
            "Dendrogram and heatmap:\n"
            "      --linkage METHOD      single, complete, average (default), weighted,\n"
            "                            centroid, median, ward (on 1 - similarity)\n"
            "      --cut K               colour by a cut into K clusters instead of the\n"
            "                            partition\n"
            "      --node-labels         label cluster roots with their WordNet ancestor\n"
            "      --orientation left|top\n"
            "      --lower-triangle      heatmap: draw only the lower triangle\n"
            "      --raster auto|yes|no  heatmap body as an image (auto: above 64 classes)\n"
            "Other:\n"
            "      --name NAME           model name in the figure's metadata\n"
            "  -q, --quiet               no notes and no progress on standard error (errors\n"
            "                            still appear); progress of long stages is shown\n"
            "                            when standard error is a terminal\n"
            "      --timings             print each stage's wall time, CPU time and peak\n"
            "                            memory on standard error at the end\n"
            "  -h, --help                show this help\n\n"
            "SOURCE_DATE_EPOCH, when set, fixes the PDF creation date (reproducible PDFs).\n"
            "Exit status: 0 success, 1 runtime error (including a failed rendering), 2 usage\n"
            "error or bad input. See simdepth-render(1).\n");
}

static int parse_formats(const char *s, render_opts *o)
{
    char buf[128], *tok, *save = NULL;

    if (strlen(s) >= sizeof buf)
        return -1;
    strcpy(buf, s);
    o->n_formats = 0;
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        simdepth_image_format f;
        int i, dup = 0;
        if (strchr(tok, '.') != NULL || simdepth_image_format_parse(tok, &f, NULL) != SIMDEPTH_OK)
            return -1;
        for (i = 0; i < o->n_formats; i++)
            dup |= o->formats[i] == (int)f;
        if (!dup) {
            if (o->n_formats == 4)
                return -1;
            o->formats[o->n_formats++] = (int)f;
        }
    }
    return o->n_formats > 0 ? 0 : -1;
}

static int parse_args(int argc, char **argv, render_opts *o)
{
    static const struct option longopts[] = {
        {"weights", required_argument, NULL, 'w'},
        {"similarity", required_argument, NULL, 's'},
        {"labels", required_argument, NULL, 'l'},
        {"confusion", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'T'},
        {"scaling", required_argument, NULL, OPT_SCALING},
        {"wordnet-dir", required_argument, NULL, OPT_WORDNET_DIR},
        {"lcs", required_argument, NULL, OPT_LCS},
        {"preference", required_argument, NULL, OPT_PREFERENCE},
        {"damping", required_argument, NULL, OPT_DAMPING},
        {"max-iter", required_argument, NULL, OPT_MAX_ITER},
        {"convergence-iter", required_argument, NULL, OPT_CONV_ITER},
        {"figure", required_argument, NULL, OPT_FIGURE},
        {"width", required_argument, NULL, OPT_WIDTH},
        {"height", required_argument, NULL, OPT_HEIGHT},
        {"size", required_argument, NULL, OPT_SIZE},
        {"dpi", required_argument, NULL, OPT_DPI},
        {"theme", required_argument, NULL, OPT_THEME},
        {"layout", required_argument, NULL, OPT_LAYOUT},
        {"per-cluster", required_argument, NULL, OPT_PER_CLUSTER},
        {"top-errors", required_argument, NULL, OPT_TOP_ERRORS},
        {"linkage", required_argument, NULL, OPT_LINKAGE},
        {"cut", required_argument, NULL, OPT_CUT},
        {"node-labels", no_argument, NULL, OPT_NODE_LABELS},
        {"orientation", required_argument, NULL, OPT_ORIENTATION},
        {"lower-triangle", no_argument, NULL, OPT_LOWER},
        {"raster", required_argument, NULL, OPT_RASTER},
        {"name", required_argument, NULL, OPT_NAME},
        {"partition", required_argument, NULL, OPT_PARTITION},
        {"top-clusters", required_argument, NULL, OPT_TOP_CLUSTERS},
        {"timings", no_argument, NULL, OPT_TIMINGS},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, iv;
    double dv;
    simdepth_error e;

    memset(o, 0, sizeof *o);
    o->figure = SIMDEPTH_FIGURE_GRAPH;
    simdepth_analysis_options_init(&o->an);
    simdepth_render_options_init(&o->ro);
    o->ro.top_clusters = DEFAULT_TOP_CLUSTERS;
    /* no figure shows the taxonomy baselines: O(n^2) LCS computations and
     * a third clustering saved */
    o->an.baselines = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":w:s:l:c:o:T:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': o->weights = optarg; break;
        case 's': o->similarity = optarg; break;
        case 'l': o->labels = optarg; break;
        case 'c': o->confusion = optarg; break;
        case 'o': o->output = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'T':
            if (parse_formats(optarg, o) != 0)
                return cli_usage_error("render", "--format '%s': expected svg, pdf, png or dot (or a comma list)",
                                   optarg);
            break;
        case OPT_WORDNET_DIR: o->wordnet_dir = optarg; break;
        case OPT_NAME: o->name = optarg; break;
        case OPT_PARTITION: o->partition = optarg; break;
        case OPT_TIMINGS: o->timings = 1; break;
        case OPT_TOP_CLUSTERS:
            o->top_clusters_given = 1;
            if (strcmp(optarg, "all") == 0) {
                o->ro.top_clusters = 0;
                break;
            }
            if (cli_parse_int(optarg, &iv) != 0)
                return cli_usage_error("render", "--top-clusters '%s': expected a positive integer or 'all'",
                                   optarg);
            o->ro.top_clusters = (size_t)iv;
            break;
        case OPT_THEME: o->theme = optarg; break;
        case OPT_PER_CLUSTER: o->per_cluster = optarg; break;
        case OPT_SCALING:
            if (cli_method_option("render", "scaling", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_LCS:
            if (cli_method_option("render", "lcs", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_PREFERENCE:
            if (cli_method_option("render", "preference", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_DAMPING:
            if (cli_method_option("render", "damping", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_MAX_ITER:
            if (cli_method_option("render", "max-iter", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_CONV_ITER:
            if (cli_method_option("render", "convergence-iter", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_FIGURE:
            if (strcmp(optarg, "graph") == 0)
                o->figure = SIMDEPTH_FIGURE_GRAPH;
            else if (strcmp(optarg, "dendrogram") == 0)
                o->figure = SIMDEPTH_FIGURE_DENDROGRAM;
            else if (strcmp(optarg, "heatmap") == 0)
                o->figure = SIMDEPTH_FIGURE_HEATMAP;
            else if (strcmp(optarg, "clusters") == 0)
                o->figure = SIMDEPTH_FIGURE_CLUSTERS;
            else if (strcmp(optarg, "all") == 0)
                o->figure = FIG_ALL;
            else
                /* worded so that errors.sh's pattern, which predates
                 * clusters, still matches */
                return cli_usage_error("render", "--figure '%s': expected graph, dendrogram, heatmap or all "
                                   "(or clusters)",
                                   optarg);
            break;
        case OPT_WIDTH:
        case OPT_HEIGHT:
            if (simdepth_length_parse(optarg, c == OPT_WIDTH ? &o->ro.width : &o->ro.height, &e) !=
                SIMDEPTH_OK)
                return cli_usage_error("render", "--%s: %s", c == OPT_WIDTH ? "width" : "height", e.message);
            break;
        case OPT_SIZE:
            if (simdepth_size_preset_find(optarg, &o->ro.width, &e) != SIMDEPTH_OK)
                return cli_usage_error("render", "--size: %s", e.message);
            break;
        case OPT_DPI:
            if (cli_parse_double(optarg, &dv) != 0 || dv < 10 || dv > 4800)
                return cli_usage_error("render", "--dpi '%s': expected a number from 10 to 4800", optarg);
            o->ro.dpi = dv;
            break;
        case OPT_LAYOUT:
            if (strcmp(optarg, "auto") == 0)
                o->ro.layout = SIMDEPTH_LAYOUT_AUTO;
            else if (strcmp(optarg, "dot") == 0)
                o->ro.layout = SIMDEPTH_LAYOUT_DOT;
            else if (strcmp(optarg, "neato") == 0)
                o->ro.layout = SIMDEPTH_LAYOUT_NEATO;
            else if (strcmp(optarg, "fdp") == 0)
                o->ro.layout = SIMDEPTH_LAYOUT_FDP;
            else if (strcmp(optarg, "sfdp") == 0)
                o->ro.layout = SIMDEPTH_LAYOUT_SFDP;
            else
                return cli_usage_error("render", "--layout '%s': expected auto, dot, neato, fdp or sfdp", optarg);
            break;
        case OPT_TOP_ERRORS:
            if (strcmp(optarg, "all") == 0) {
                o->ro.top_errors = 0;
                o->top_errors_given = 1;
                break;
            }
            if (cli_parse_int(optarg, &iv) != 0)
                return cli_usage_error("render", "--top-errors '%s': expected a positive integer or 'all'",
                                   optarg);
            o->ro.top_errors = (size_t)iv;
            o->top_errors_given = 1;
            break;
        case OPT_LINKAGE: {
            simdepth_linkage_method m;
            if (simdepth_linkage_method_parse(optarg, &m, NULL) != SIMDEPTH_OK)
                return cli_usage_error("render", "--linkage '%s': expected single, complete, average, weighted, "
                                   "centroid, median or ward",
                                   optarg);
            o->ro.linkage = m;
            break;
        }
        case OPT_CUT:
            if (cli_parse_int(optarg, &iv) != 0)
                return cli_usage_error("render", "--cut '%s': expected a positive number of clusters", optarg);
            o->ro.cut = (size_t)iv;
            break;
        case OPT_NODE_LABELS: o->ro.node_labels = 1; break;
        case OPT_LOWER: o->ro.lower_triangle = 1; break;
        case OPT_ORIENTATION:
            if (strcmp(optarg, "left") == 0)
                o->ro.orientation = SIMDEPTH_ORIENT_LEFT;
            else if (strcmp(optarg, "top") == 0)
                o->ro.orientation = SIMDEPTH_ORIENT_TOP;
            else
                return cli_usage_error("render", "--orientation '%s': expected left or top", optarg);
            break;
        case OPT_RASTER:
            if (strcmp(optarg, "auto") == 0)
                o->ro.raster = -1;
            else if (strcmp(optarg, "yes") == 0)
                o->ro.raster = 1;
            else if (strcmp(optarg, "no") == 0)
                o->ro.raster = 0;
            else
                return cli_usage_error("render", "--raster '%s': expected auto, yes or no", optarg);
            break;
        case 'h':
            render_usage(stdout);
            return -1;
        case ':':
            return cli_usage_error("render", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("render", "unknown option '-%c'", optopt);
            return cli_usage_error("render", "unknown option '%s' (or an ambiguous abbreviation)",
                               argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("render", "unexpected argument '%s'", argv[optind]);
    if ((o->weights == NULL) == (o->similarity == NULL))
        return cli_usage_error("render", "%s", o->weights ? "give either --weights or --similarity, not both"
                                            : "missing input: give --weights FILE or --similarity FILE");
    if (o->labels == NULL)
        return cli_usage_error("render", "%s", "missing --labels FILE");
    if (o->output != NULL && o->output[0] == '\0')
        o->output = NULL;
    if (o->top_clusters_given && o->figure != SIMDEPTH_FIGURE_CLUSTERS)
        return cli_usage_error("render", "%s", "--top-clusters applies to --figure clusters only");
    if (o->output == NULL && (o->per_cluster == NULL || o->figure != SIMDEPTH_FIGURE_GRAPH))
        return cli_usage_error("render", "%s", "missing --output FILE (or DIR with --figure all)");
    if (o->output == NULL) {
        /* only the per-cluster graphs (a figure too large for the size
         * asked for is drawn a cluster at a time) */
        if (o->n_formats == 0) {
            o->formats[0] = SIMDEPTH_IMAGE_SVG;
            o->n_formats = 1;
        }
    } else if (o->figure == FIG_ALL && strcmp(o->output, "-") == 0)
        return cli_usage_error("render", "%s", "--figure all writes several files: give -o DIR");
    if (o->output != NULL && o->figure != FIG_ALL && o->n_formats > 1)
        return cli_usage_error("render", "%s", "several formats need --figure all (one file each)");
    if (o->output != NULL && o->figure != FIG_ALL) {
        simdepth_image_format f;
        if (o->n_formats == 0) {
            if (strcmp(o->output, "-") == 0)
                return cli_usage_error("render", "%s", "writing to standard output needs -T svg|pdf|png|dot");
            if (simdepth_image_format_parse(o->output, &f, NULL) != SIMDEPTH_OK)
                return cli_usage_error("render", "cannot tell the format of '%s' from its extension; use "
                                   ".svg, .pdf, .png or .dot, or give -T",
                                   o->output);
            o->formats[0] = (int)f;
            o->n_formats = 1;
        }
        if (o->formats[0] == SIMDEPTH_IMAGE_DOT && o->figure != SIMDEPTH_FIGURE_GRAPH &&
            o->figure != SIMDEPTH_FIGURE_CLUSTERS)
            return cli_usage_error("render", "DOT exists for the graph only (and the cluster graph), not the %s",
                               simdepth_figure_name((simdepth_figure)o->figure));
    } else if (o->n_formats == 0) {
        o->formats[0] = SIMDEPTH_IMAGE_SVG;
        o->n_formats = 1;
    }
    {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        if (sde != NULL && sde[0] != '\0') {
            char *end;
            long long t;
            errno = 0;
            t = strtoll(sde, &end, 10);
            if (errno != 0 || *end != '\0' || t < 0)
                return cli_usage_error("render", "SOURCE_DATE_EPOCH '%s': expected seconds since 1970", sde);
            o->ro.timestamp = t;
        }
    }
    return 0;
}

/* Everything a figure needs. */
typedef struct model {
    cli_model in;
    simdepth_analysis *an;
    simdepth_theme *theme;
    char provenance[2048];
    simdepth_report_info info;
} model;

static void model_free(model *m)
{
    simdepth_analysis_free(m->an);
    cli_model_free(&m->in);
    simdepth_theme_free(m->theme);
    memset(m, 0, sizeof *m);
}

/* The spanning forest and its annotations of one graph whose partition
 * is given (@p, taken: freed with @g even on failure), as
 * simdepth_analysis_run() makes them after clustering; the edges'
 * misclassification rates only with @rates (they cost a confusion row
 * each, and only the semantic graph draws them). */
static simdepth_status graph_of_partition(const simdepth_matrix *s, simdepth_partition *p,
                                          const cli_model *in, const simdepth_analysis_options *an,
                                          int rates, simdepth_graph_result *g, simdepth_error *err)
{
    simdepth_status st;

    g->partition = p;
    st = simdepth_forest_build(s, p, &g->forest, err);
    if (st == SIMDEPTH_OK)
        st = simdepth_edges_annotate(g->forest, in->tax, in->nodes, an->lcs_rule,
                                     rates ? in->conf : NULL, &g->edges, err);
    if (st != SIMDEPTH_OK)
        return st;
    g->similarity_depth = in->tax != NULL ? simdepth_similarity_depth(g->edges, g->forest->n_edges)
                                          : NAN;
    g->mean_wup = in->tax != NULL ? simdepth_mean_wup(g->edges, g->forest->n_edges) : NAN;
    return SIMDEPTH_OK;
}

/* The analysis of a saved partition: what simdepth_analysis_run() would
 * give with that partition, for what the figures draw: the perceived
 * graph, and when the semantic graph is drawn (@graph) the edges' rates
 * and the confusion graph (clustered here unless @cp gives its
 * partition). @pp and @cp (may be NULL) are taken. */
static int analysis_of_partition(const render_opts *o, model *m, simdepth_partition *pp,
                                 simdepth_partition *cp, int graph)
{
    simdepth_analysis *a = NULL;
    simdepth_matrix *functional = NULL;
    simdepth_error err;
    simdepth_status st = SIMDEPTH_OK;
    int rc = CLI_EXIT_OK;

    simdepth_error_clear(&err);
    a = calloc(1, sizeof *a); /* released by simdepth_analysis_free() */
    if (a == NULL) {
        cli_errorf("out of memory");
        simdepth_partition_free(pp);
        simdepth_partition_free(cp);
        return CLI_EXIT_RUNTIME;
    }
    a->n_classes = simdepth_matrix_rows(m->in.sim);
    /* Scaled as simdepth_analysis_run() scales it. Its finiteness check is
     * not repeated: cli_model_load() checked a given similarity and the
     * confusion matrix, and the cosine of checked templates is finite (a
     * pass over n x n elements saved). */
    cli_progress_report(o->pr, "scaling", 0.0);
    if (o->an.scaling == SIMDEPTH_SCALING_MINMAX)
        st = simdepth_similarity_minmax(m->in.sim, &err);
    else
        simdepth_similarity_set_diagonal(m->in.sim, 1.0);
    if (st == SIMDEPTH_OK) {
        cli_progress_report(o->pr, "spanning forest and LCS (perceived)", 0.0);
        st = graph_of_partition(m->in.sim, pp, &m->in, &o->an, graph, &a->perceived, &err);
        pp = NULL;
    }
    if (st == SIMDEPTH_OK && m->in.conf != NULL && graph) {
        cli_progress_report(o->pr, "confusion graph", 0.0);
        a->has_confusion = 1;
        st = simdepth_similarity_functional(m->in.conf, &functional, &err);
        if (st == SIMDEPTH_OK && cp == NULL)
            st = simdepth_analysis_partition(functional, &o->an, &cp, &err);
        if (st == SIMDEPTH_OK) {
            st = graph_of_partition(functional, cp, &m->in, &o->an, 1, &a->confusion, &err);
            cp = NULL;
        }
    }
    if (st != SIMDEPTH_OK) {
        rc = cli_report_error(&err, m->in.input_path);
        simdepth_analysis_free(a);
    } else {
        m->an = a;
        cli_progress_report(o->pr,
                            graph && m->in.conf != NULL ? "confusion graph"
                                                        : "spanning forest and LCS (perceived)",
                            1.0);
    }
    simdepth_partition_free(pp);
    simdepth_partition_free(cp);
    simdepth_matrix_free(functional);
    return rc;
}

static int load_model(render_opts *o, model *m)
{
    simdepth_error err;
    cli_model_args args;
    simdepth_partition *pp = NULL, *cp = NULL;
    int rc;

    memset(m, 0, sizeof *m);
    simdepth_error_clear(&err);
    /* the theme first: a bad --theme is reported before the slow loading */
    {
        char search[8192];
        const char *env = getenv("SIMDEPTH_THEME_PATH");
        snprintf(search, sizeof search, "%s%s%s", env && env[0] ? env : "",
                 env && env[0] ? ":" : "", SIMDEPTH_THEME_DIR);
        if (simdepth_theme_load(o->theme ? o->theme : "default", search, &m->theme, &err) !=
            SIMDEPTH_OK)
            return cli_report_error(&err, NULL);
        o->ro.theme = m->theme;
    }
    /* a saved partition is checked against the labels before the slow
     * loading too */
    if (o->partition != NULL) {
        simdepth_labels *labels = NULL;
        cli_progress_report(o->pr, "read partition", 0.0);
        if (simdepth_labels_read(o->labels, &labels, &err) != SIMDEPTH_OK)
            return cli_report_error(&err, o->labels);
        if (simdepth_partition_read(o->partition, labels, &pp,
                                    o->confusion != NULL ? &cp : NULL, &err) != SIMDEPTH_OK) {
            simdepth_labels_free(labels);
            return cli_report_error(&err, o->partition);
        }
        simdepth_labels_free(labels);
        cli_progress_report(o->pr, "read partition", 1.0);
    }
    memset(&args, 0, sizeof args);
    args.weights = o->weights;
    args.similarity = o->similarity;
    args.labels = o->labels;
    args.confusion = o->confusion;
    args.wordnet_dir = o->wordnet_dir;
    args.quiet = o->quiet;
    args.progress = o->pr;
    rc = cli_model_load(&args, &m->in);
    if (rc != CLI_EXIT_OK)
        goto fail;
    if (simdepth_labels_count(m->in.labels) < 2) {
        cli_errorf("%s: %zu class; figures need at least 2", o->labels,
                   simdepth_labels_count(m->in.labels));
        rc = CLI_EXIT_INPUT;
        goto fail;
    }
    /* Above 30 classes every confusion-only edge would bury the trees: keep
     * the 15 strongest unless told otherwise. */
    if (!o->top_errors_given && simdepth_labels_count(m->in.labels) > 30)
        o->ro.top_errors = 15;
    if (pp != NULL) {
        /* the edges' rates and the confusion graph only where they are
         * drawn: the semantic graph's labels and dashed edges */
        rc = analysis_of_partition(o, m, pp, cp,
                                   o->figure == SIMDEPTH_FIGURE_GRAPH || o->figure == FIG_ALL ||
                                       o->per_cluster != NULL);
        pp = cp = NULL;
        if (rc != CLI_EXIT_OK)
            return rc;
    } else {
        o->an.progress = cli_progress_report;
        o->an.progress_user = o->pr;
        if (simdepth_analysis_run(m->in.sim, m->in.conf, m->in.tax, m->in.nodes, &o->an, &m->an,
                                  &err) != SIMDEPTH_OK)
            return cli_report_error(&err, m->in.input_path);
        if (!o->quiet)
            cli_warn_convergence(m->an);
    }
    cli_report_info_init(&m->info, &m->in, &o->an);
    m->info.name = o->name;
    snprintf(m->provenance, sizeof m->provenance,
             "%s%s%s%s=%s; labels=%s%s%s%s%s; scaling=%s; lcs=%s; linkage=%s; theme=%s",
             o->name ? "model=" : "", o->name ? o->name : "", o->name ? "; " : "",
             o->weights ? "weights" : "similarity", m->in.input_path, o->labels,
             o->confusion ? "; confusion=" : "", o->confusion ? o->confusion : "",
             o->partition ? "; partition=" : "", o->partition ? o->partition : "",
             o->an.scaling == SIMDEPTH_SCALING_NONE ? "none" : "minmax",
             o->an.lcs_rule == SIMDEPTH_LCS_TRUE ? "true" : "reference",
             simdepth_linkage_method_name(o->ro.linkage), simdepth_theme_name(m->theme));
    o->ro.provenance = m->provenance;
    return CLI_EXIT_OK;
fail:
    simdepth_partition_free(pp);
    simdepth_partition_free(cp);
    return rc;
}

/* Progress stage names of the figures. */
static const char *const stage_name[] = {"draw graph", "draw dendrogram", "draw heatmap",
                                         "draw cluster graph"};

/* Render one figure into @path atomically. */
static int render_one(const render_opts *o, const model *m, simdepth_figure fig,
                      simdepth_image_format fmt, int cluster, const char *path)
{
    simdepth_render_options ro = o->ro;
    simdepth_error err;
    cli_output out;
    int rc;

    ro.format = fmt;
    ro.cluster = cluster;
    cli_progress_report(o->pr, stage_name[fig], 0.0);
    if (cli_output_open(&out, path, &err) != 0) {
        cli_report_error(&err, path);
        return CLI_EXIT_RUNTIME;
    }
    if (simdepth_render_write(out.f, fig, m->an, m->in.sim, m->in.conf, &m->info, &ro, &err) !=
        SIMDEPTH_OK) {
        cli_output_abort(&out);
        rc = cli_report_error(&err, path);
        /* a failed rendering or write is a runtime error; bad options are 2 */
        return err.status == SIMDEPTH_EINVAL ? CLI_EXIT_INPUT : rc == CLI_EXIT_INPUT ? CLI_EXIT_RUNTIME : rc;
    }
    if (cli_output_commit(&out, &err) != 0) {
        cli_report_error(&err, path);
        return CLI_EXIT_RUNTIME;
    }
    cli_progress_report(o->pr, stage_name[fig], 1.0);
    return CLI_EXIT_OK;
}

static int cmp_size_desc(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

    return (a < b) - (a > b);
}

/* Say on stderr how many clusters the cluster graph left out (its legend
 * and metadata title say it too). */
static void note_left_out(const render_opts *o, const model *m)
{
    const simdepth_partition *p = m->an->perceived.partition;
    size_t n = p->n, i, K = p->n_clusters, N = o->ro.top_clusters, *size, shown = 0;

    if (N == 0 || N >= K)
        return;
    size = calloc(n + 1, sizeof *size);
    if (size == NULL)
        return;
    /* slot label + 1: slot 0 counts the classes in no cluster (-1) */
    for (i = 0; i < n; i++)
        size[p->labels[i] + 1]++;
    /* the classes of the N largest (the library's tie rule changes which
     * clusters, not how many classes) */
    qsort(size, n + 1, sizeof *size, cmp_size_desc);
    for (i = 0; i < N; i++)
        shown += size[i];
    free(size);
    cli_errorf("note: the cluster graph shows the %zu largest of %zu clusters (%zu of %zu "
               "classes); --top-clusters all draws them all",
               N, K, shown, n);
}

static int ensure_dir(const char *dir)
{
    struct stat st;

    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return CLI_EXIT_OK;
        cli_errorf("%s: not a directory", dir);
        return CLI_EXIT_INPUT;
    }
    if (mkdir(dir, 0777) != 0) {
        cli_errorf("%s: cannot create the directory: %s", dir, strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

int cli_cmd_render(int argc, char **argv)
{
    render_opts o;
    model m;
    cli_progress pr;
    int rc, f, k;
    char path[4400];

    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    cli_progress_init(&pr, o.quiet, o.timings);
    o.pr = &pr;
    rc = load_model(&o, &m);
    if (rc != CLI_EXIT_OK)
        goto out;
    if (o.output == NULL) {
        /* --per-cluster only */
    } else if (o.figure == FIG_ALL) {
        rc = ensure_dir(o.output);
        if (rc != CLI_EXIT_OK)
            goto out;
        for (f = SIMDEPTH_FIGURE_GRAPH; f <= SIMDEPTH_FIGURE_HEATMAP; f++)
            for (k = 0; k < o.n_formats; k++) {
                if (o.formats[k] == SIMDEPTH_IMAGE_DOT && f != SIMDEPTH_FIGURE_GRAPH)
                    continue;
                snprintf(path, sizeof path, "%s/%s.%s", o.output,
                         simdepth_figure_name((simdepth_figure)f),
                         simdepth_image_format_name((simdepth_image_format)o.formats[k]));
                rc = render_one(&o, &m, (simdepth_figure)f, (simdepth_image_format)o.formats[k],
                                -1, path);
                if (rc != CLI_EXIT_OK)
                    goto out;
            }
    } else {
        rc = render_one(&o, &m, (simdepth_figure)o.figure, (simdepth_image_format)o.formats[0], -1,
                        o.output);
        if (rc != CLI_EXIT_OK)
            goto out;
    }
    if (o.per_cluster != NULL) {
        size_t c, ncl = m.an->perceived.partition->n_clusters;
        rc = ensure_dir(o.per_cluster);
        if (rc != CLI_EXIT_OK)
            goto out;
        for (c = 0; c < ncl; c++) {
            size_t i, cnt = 0;
            for (i = 0; i < m.an->n_classes; i++)
                cnt += m.an->perceived.partition->labels[i] == (int32_t)c;
            if (cnt == 0)
                continue; /* label -1 (no exemplar) has no cluster number */
            for (k = 0; k < o.n_formats; k++) {
                snprintf(path, sizeof path, "%s/cluster-%02zu.%s", o.per_cluster, c,
                         simdepth_image_format_name((simdepth_image_format)o.formats[k]));
                rc = render_one(&o, &m, SIMDEPTH_FIGURE_GRAPH,
                                (simdepth_image_format)o.formats[k], (int)c, path);
                if (rc != CLI_EXIT_OK)
                    goto out;
            }
        }
    }
    rc = CLI_EXIT_OK;
out:
    /* the progress line is erased before the note */
    cli_progress_finish(&pr);
    if (rc == CLI_EXIT_OK && o.figure == SIMDEPTH_FIGURE_CLUSTERS && o.output != NULL && !o.quiet)
        note_left_out(&o, &m);
    model_free(&m);
    return rc;
}
