/* simdepth CLI — the render command: figures of an analysis.
 *
 * The model inputs and the method options are analyze's, loaded by the
 * same code (input.c), and the analysis is the same library pipeline
 * (simdepth_analysis_run), so a figure always shows the partition and the
 * edges 'simdepth analyze' reports.
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

enum { FIG_ALL = 3 };

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
    int figure;          /* simdepth_figure or FIG_ALL */
    int formats[4];      /* -T list; n_formats 0: from the output name */
    int n_formats;
    int quiet;
    int top_errors_given;
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
    OPT_NAME
};

static void render_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth render (-w WEIGHTS | -s SIMILARITY) -l LABELS [-c CONFUSION]\n"
            "                       [--figure graph|dendrogram|heatmap|all] -o FILE|DIR [options]\n\n"
            "Draw an analysis for a paper: the semantic graph (clusters, spanning trees,\n"
            "misclassification rates), the dendrogram, or the similarity heatmap, as SVG,\n"
            "PDF, PNG or (graph) DOT.\n\n"
            "Inputs and method: as 'simdepth analyze' (-w, -s, -l, -c, --scaling, --lcs,\n"
            "  --wordnet-dir, --preference, --damping, --max-iter, --convergence-iter).\n"
            "Figure:\n"
            "      --figure NAME         graph (default), dendrogram, heatmap, or all\n"
            "  -o, --output FILE|DIR     the figure file ('-': standard output, needs -T);\n"
            "                            with --figure all a directory receiving graph.EXT,\n"
            "                            dendrogram.EXT and heatmap.EXT\n"
            "  -T, --format LIST         svg, pdf, png, dot (graph only); a comma list with\n"
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
            "  -q, --quiet               no notes on standard error\n"
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
            else if (strcmp(optarg, "all") == 0)
                o->figure = FIG_ALL;
            else
                return cli_usage_error("render", "--figure '%s': expected graph, dendrogram, heatmap or all",
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
        if (o->formats[0] == SIMDEPTH_IMAGE_DOT && o->figure != SIMDEPTH_FIGURE_GRAPH)
            return cli_usage_error("render", "DOT exists for the graph only, not the %s",
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

static int load_model(render_opts *o, model *m)
{
    simdepth_error err;
    cli_model_args args;
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
    memset(&args, 0, sizeof args);
    args.weights = o->weights;
    args.similarity = o->similarity;
    args.labels = o->labels;
    args.confusion = o->confusion;
    args.wordnet_dir = o->wordnet_dir;
    args.quiet = o->quiet;
    rc = cli_model_load(&args, &m->in);
    if (rc != CLI_EXIT_OK)
        return rc;
    if (simdepth_labels_count(m->in.labels) < 2) {
        cli_errorf("%s: %zu class; figures need at least 2", o->labels,
                   simdepth_labels_count(m->in.labels));
        return CLI_EXIT_INPUT;
    }
    /* Above 30 classes every confusion-only edge would bury the trees: keep
     * the 15 strongest unless told otherwise. */
    if (!o->top_errors_given && simdepth_labels_count(m->in.labels) > 30)
        o->ro.top_errors = 15;
    if (simdepth_analysis_run(m->in.sim, m->in.conf, m->in.tax, m->in.nodes, &o->an, &m->an,
                              &err) != SIMDEPTH_OK)
        return cli_report_error(&err, m->in.input_path);
    if (!o->quiet)
        cli_warn_convergence(m->an);
    cli_report_info_init(&m->info, &m->in, &o->an);
    m->info.name = o->name;
    snprintf(m->provenance, sizeof m->provenance,
             "%s%s%s%s=%s; labels=%s%s%s; scaling=%s; lcs=%s; linkage=%s; theme=%s",
             o->name ? "model=" : "", o->name ? o->name : "", o->name ? "; " : "",
             o->weights ? "weights" : "similarity", m->in.input_path, o->labels,
             o->confusion ? "; confusion=" : "", o->confusion ? o->confusion : "",
             o->an.scaling == SIMDEPTH_SCALING_NONE ? "none" : "minmax",
             o->an.lcs_rule == SIMDEPTH_LCS_TRUE ? "true" : "reference",
             simdepth_linkage_method_name(o->ro.linkage), simdepth_theme_name(m->theme));
    o->ro.provenance = m->provenance;
    return CLI_EXIT_OK;
}

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
    return CLI_EXIT_OK;
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
    int rc, f, k;
    char path[4400];

    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
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
    model_free(&m);
    return rc;
}
