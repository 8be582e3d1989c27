/* simdepth CLI — the analyze command. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct analyze_opts {
    const char *weights;
    const char *similarity;
    const char *labels;
    const char *confusion;
    const char *wordnet_dir;
    const char *taxonomy;
    const char *output;
    const char *name;
    int quiet;
    int timings;
    int baselines; /* -1: by size, 0 or 1: as asked */
    int all_methods;
    int format; /* -1: by output */
    simdepth_analysis_options an;
} analyze_opts;

enum {
    OPT_SCALING = 1000,
    OPT_WORDNET_DIR,
    OPT_LCS,
    OPT_FORMAT,
    OPT_NAME,
    OPT_PREFERENCE,
    OPT_DAMPING,
    OPT_MAX_ITER,
    OPT_CONV_ITER,
    OPT_CLUSTER,
    OPT_SEED,
    OPT_RESOLUTION,
    OPT_LINKAGE,
    OPT_DROP_NOISE,
    OPT_NO_BASELINES,
    OPT_BASELINES,
    OPT_TAXONOMY,
    OPT_AP_PRECISION,
    OPT_TIMINGS
};

static void analyze_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth analyze (-w WEIGHTS | -s SIMILARITY) -l LABELS [options]\n\n"
            "Partition the classes by the similarity of their templates, build a maximum\n"
            "spanning tree inside each cluster and measure how deep in WordNet the tree\n"
            "edges' common ancestors lie (Similarity Depth); with a confusion matrix, do the\n"
            "same for the confusion graph and report compliance.\n\n"
            "Inputs:\n"
            "  -w, --weights FILE[:TENSOR]\n"
            "                            class templates, one row per class: .npy,\n"
            "                            .safetensors, PyTorch .pth/.pt (zip or legacy) or\n"
            "                            CSV; TENSOR names the matrix, else the classifier\n"
            "                            is found (see 'simdepth inspect')\n"
            "  -s, --similarity FILE     a precomputed class similarity matrix (.npy or CSV)\n"
            "  -l, --labels FILE         one label per line in row order: WordNet ids\n"
            "                            (n01440764), 'wnid name' lines, or noun names\n"
            "  -c, --confusion FILE      confusion matrix, rows = true class, columns =\n"
            "                            predicted (counts or rates; .npy or CSV)\n"
            "Method:\n"
            "      --scaling minmax|none scaling of the similarity (default minmax, as the paper)\n"
            "      --lcs reference|true  LCS rule (default reference: NLTK use_min_depth=True)\n"
            "      --taxonomy FILE       a custom taxonomy instead of WordNet: child<TAB>parent\n"
            "                            lines or Newick (see simdepth-analyze(1))\n"
            "      --wordnet-dir DIR     WordNet 3.0 database (default $WNSEARCHDIR or\n"
            "                            /usr/share/wordnet)\n"
            "      --cluster METHOD      ap (affinity propagation, default), louvain, leiden,\n"
            "                            optics, hdbscan, cut:K (dendrogram cut into K\n"
            "                            clusters), none (one tree), or all (SD of every\n"
            "                            method: the paper's table row)\n"
            "      --seed N              Louvain/Leiden seed (default 0)\n"
            "      --resolution X        Louvain/Leiden resolution (default 1)\n"
            "      --linkage METHOD      linkage of cut:K (default average)\n"
            "      --drop-noise          OPTICS/HDBSCAN noise as singletons, not one cluster\n"
            "      --no-baselines        skip the taxonomy baselines (O(n^2) LCS lookups and a\n"
            "                            third clustering); skipped by default from 8192\n"
            "                            classes\n"
            "      --baselines           compute them at any size\n"
            "      --preference X        affinity propagation preference (default: median)\n"
            "      --damping X           affinity propagation damping (default 0.5)\n"
            "      --max-iter N          (default 200)\n"
            "      --convergence-iter N  (default 15)\n"
            "      --ap-precision auto|double|single\n"
            "                            affinity propagation messages: double is\n"
            "                            scikit-learn's arithmetic, single halves memory;\n"
            "                            auto (default): single from 8192 classes\n"
            "Output:\n"
            "  -o, --output FILE         report file; '-' or absent: standard output\n"
            "      --format json|text|csv|latex\n"
            "                            default: from the output's extension (.json .txt\n"
            "                            .csv .tex); on standard output, text on a terminal\n"
            "                            and json otherwise\n"
            "      --name NAME           model name in the report (default: input file name)\n"
            "  -q, --quiet               no notes and no progress on standard error (errors\n"
            "                            still appear); progress of long stages is shown\n"
            "                            only when standard error is a terminal\n"
            "      --timings             print each stage's wall time, CPU time and peak\n"
            "                            memory on standard error at the end\n"
            "  -h, --help                show this help\n\n"
            "Exit status: 0 success, 1 runtime error, 2 usage error or bad input.\n"
            "See simdepth-analyze(1).\n");
}

static int parse_cluster(const char *s, analyze_opts *o)
{
    o->all_methods = 0;
    if (strcmp(s, "ap") == 0 || strcmp(s, "affinity") == 0)
        o->an.cluster = SIMDEPTH_CLUSTER_AFFINITY;
    else if (strcmp(s, "louvain") == 0)
        o->an.cluster = SIMDEPTH_CLUSTER_LOUVAIN;
    else if (strcmp(s, "leiden") == 0)
        o->an.cluster = SIMDEPTH_CLUSTER_LEIDEN;
    else if (strcmp(s, "optics") == 0)
        o->an.cluster = SIMDEPTH_CLUSTER_OPTICS;
    else if (strcmp(s, "hdbscan") == 0)
        o->an.cluster = SIMDEPTH_CLUSTER_HDBSCAN;
    else if (strcmp(s, "none") == 0)
        o->an.cluster = SIMDEPTH_CLUSTER_NONE;
    else if (strcmp(s, "all") == 0) {
        o->an.cluster = SIMDEPTH_CLUSTER_AFFINITY;
        o->all_methods = 1;
    } else if (strncmp(s, "cut:", 4) == 0) {
        char *end;
        unsigned long k;
        errno = 0;
        k = strtoul(s + 4, &end, 10);
        if (errno != 0 || end == s + 4 || *end != '\0' || k == 0 || s[4] == '-')
            return -1;
        o->an.cluster = SIMDEPTH_CLUSTER_CUT;
        o->an.cut_k = (size_t)k;
    } else
        return -1;
    return 0;
}

static int parse_args(int argc, char **argv, analyze_opts *o)
{
    static const struct option longopts[] = {
        {"weights", required_argument, NULL, 'w'},
        {"similarity", required_argument, NULL, 's'},
        {"labels", required_argument, NULL, 'l'},
        {"confusion", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},
        {"scaling", required_argument, NULL, OPT_SCALING},
        {"wordnet-dir", required_argument, NULL, OPT_WORDNET_DIR},
        {"lcs", required_argument, NULL, OPT_LCS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"name", required_argument, NULL, OPT_NAME},
        {"preference", required_argument, NULL, OPT_PREFERENCE},
        {"damping", required_argument, NULL, OPT_DAMPING},
        {"max-iter", required_argument, NULL, OPT_MAX_ITER},
        {"convergence-iter", required_argument, NULL, OPT_CONV_ITER},
        {"cluster", required_argument, NULL, OPT_CLUSTER},
        {"seed", required_argument, NULL, OPT_SEED},
        {"resolution", required_argument, NULL, OPT_RESOLUTION},
        {"linkage", required_argument, NULL, OPT_LINKAGE},
        {"drop-noise", no_argument, NULL, OPT_DROP_NOISE},
        {"no-baselines", no_argument, NULL, OPT_NO_BASELINES},
        {"baselines", no_argument, NULL, OPT_BASELINES},
        {"ap-precision", required_argument, NULL, OPT_AP_PRECISION},
        {"timings", no_argument, NULL, OPT_TIMINGS},
        {"taxonomy", required_argument, NULL, OPT_TAXONOMY},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    memset(o, 0, sizeof *o);
    o->format = -1;
    o->baselines = -1;
    simdepth_analysis_options_init(&o->an);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":w:s:l:c:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': o->weights = optarg; break;
        case 's': o->similarity = optarg; break;
        case 'l': o->labels = optarg; break;
        case 'c': o->confusion = optarg; break;
        case 'o': o->output = optarg; break;
        case 'q': o->quiet = 1; break;
        case OPT_WORDNET_DIR: o->wordnet_dir = optarg; break;
        case OPT_TAXONOMY: o->taxonomy = optarg; break;
        case OPT_NAME: o->name = optarg; break;
        case OPT_SCALING:
            if (cli_method_option("analyze", "scaling", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_LCS:
            if (cli_method_option("analyze", "lcs", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0)
                o->format = SIMDEPTH_REPORT_JSON;
            else if (strcmp(optarg, "text") == 0)
                o->format = SIMDEPTH_REPORT_TEXT;
            else if (strcmp(optarg, "csv") == 0)
                o->format = SIMDEPTH_REPORT_CSV;
            else if (strcmp(optarg, "latex") == 0)
                o->format = SIMDEPTH_REPORT_LATEX;
            else
                return cli_usage_error("analyze", "--format '%s': expected json, text, csv or latex", optarg);
            break;
        case OPT_PREFERENCE:
            if (cli_method_option("analyze", "preference", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_DAMPING:
            if (cli_method_option("analyze", "damping", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_MAX_ITER:
            if (cli_method_option("analyze", "max-iter", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_CONV_ITER:
            if (cli_method_option("analyze", "convergence-iter", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_CLUSTER:
            if (parse_cluster(optarg, o) != 0)
                return cli_usage_error("analyze", "--cluster '%s': expected ap, louvain, leiden, optics, "
                                   "hdbscan, cut:K, none or all", optarg);
            break;
        case OPT_SEED: {
            char *end;
            unsigned long v;
            errno = 0;
            v = strtoul(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-')
                return cli_usage_error("analyze", "--seed '%s': expected a non-negative integer", optarg);
            o->an.seed = v;
            break;
        }
        case OPT_RESOLUTION:
            if (cli_parse_double(optarg, &o->an.resolution) != 0 || !(o->an.resolution > 0))
                return cli_usage_error("analyze", "--resolution '%s': expected a positive number", optarg);
            break;
        case OPT_LINKAGE: {
            simdepth_error lerr;
            if (simdepth_linkage_method_parse(optarg, &o->an.linkage, &lerr) != SIMDEPTH_OK)
                return cli_usage_error("analyze", "--linkage '%s': expected single, complete, average, "
                                   "weighted, centroid, median or ward", optarg);
            break;
        }
        case OPT_DROP_NOISE:
            o->an.noise = SIMDEPTH_NOISE_SINGLETONS;
            break;
        case OPT_NO_BASELINES:
            o->baselines = 0;
            break;
        case OPT_BASELINES:
            o->baselines = 1;
            break;
        case OPT_AP_PRECISION:
            if (cli_method_option("analyze", "ap-precision", optarg, &o->an) != 0)
                return CLI_EXIT_INPUT;
            break;
        case OPT_TIMINGS:
            o->timings = 1;
            break;
        case 'h':
            analyze_usage(stdout);
            return -1;
        case ':':
            return cli_usage_error("analyze", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("analyze", "unknown option '-%c'", optopt);
            return cli_usage_error("analyze", "unknown option '%s' (or an ambiguous abbreviation)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("analyze", "unexpected argument '%s'", argv[optind]);
    if ((o->weights == NULL) == (o->similarity == NULL))
        return cli_usage_error("analyze", "%s", o->weights ? "give either --weights or --similarity, not both"
                                            : "missing input: give --weights FILE or --similarity FILE");
    if (o->labels == NULL)
        return cli_usage_error("analyze", "%s", "missing --labels FILE");
    if (o->taxonomy != NULL && o->wordnet_dir != NULL)
        return cli_usage_error("analyze", "%s", "give either --taxonomy or --wordnet-dir, not both");
    if (o->output != NULL && o->output[0] == '\0')
        return cli_usage_error("analyze", "%s", "--output needs a file name ('-' for standard output)");
    if (o->format < 0) {
        const char *out = o->output;
        if (out == NULL || strcmp(out, "-") == 0)
            o->format = isatty(STDOUT_FILENO) ? SIMDEPTH_REPORT_TEXT : SIMDEPTH_REPORT_JSON;
        else if (cli_ends_with(out, ".txt"))
            o->format = SIMDEPTH_REPORT_TEXT;
        else if (cli_ends_with(out, ".csv"))
            o->format = SIMDEPTH_REPORT_CSV;
        else if (cli_ends_with(out, ".tex"))
            o->format = SIMDEPTH_REPORT_LATEX;
        else
            o->format = SIMDEPTH_REPORT_JSON;
    }
    return 0;
}

/* simdepth_analysis_run()'s taxonomy_source: WordNet, once it is open;
 * a failure has been reported (m->tax_rc). */
static simdepth_status taxonomy_source(void *user, const simdepth_taxonomy **t,
                                       const size_t **nodes, simdepth_error *err)
{
    cli_model *m = user;

    if (cli_model_taxonomy(m) != CLI_EXIT_OK) {
        if (err != NULL) {
            simdepth_error_clear(err);
            err->status = SIMDEPTH_EINVAL;
            snprintf(err->message, sizeof err->message, "no taxonomy");
        }
        return SIMDEPTH_EINVAL;
    }
    *t = m->tax;
    *nodes = m->nodes;
    return SIMDEPTH_OK;
}

/* SD of the perceived graph under every method of the paper's table
 * (Louvain, OPTICS, AP, HDBSCAN, in its column order) and Leiden. Each run
 * scales its own copy of the similarity. */
static int run_all_methods(const cli_model *m, const simdepth_analysis_options *base,
                           simdepth_method_result *out)
{
    static const struct {
        const char *name;
        simdepth_cluster_method method;
    } table[5] = {
        {"louvain", SIMDEPTH_CLUSTER_LOUVAIN}, {"optics", SIMDEPTH_CLUSTER_OPTICS},
        {"ap", SIMDEPTH_CLUSTER_AFFINITY},     {"hdbscan", SIMDEPTH_CLUSTER_HDBSCAN},
        {"leiden", SIMDEPTH_CLUSTER_LEIDEN},
    };
    size_t i;

    for (i = 0; i < 5; i++) {
        simdepth_analysis_options opt = *base;
        simdepth_matrix *copy = NULL;
        simdepth_analysis *an = NULL;
        simdepth_error err;
        simdepth_status st;

        opt.cluster = table[i].method;
        opt.baselines = 0;
        st = simdepth_matrix_convert(m->sim, simdepth_matrix_dtype(m->sim), &copy, &err);
        if (st == SIMDEPTH_OK)
            st = simdepth_analysis_run(copy, NULL, m->tax, m->nodes, &opt, &an, &err);
        simdepth_matrix_free(copy);
        if (st != SIMDEPTH_OK)
            return cli_report_error(&err, m->input_path);
        out[i].name = table[i].name;
        out[i].similarity_depth = an->perceived.similarity_depth;
        out[i].mean_wup = an->perceived.mean_wup;
        out[i].clusters = an->perceived.partition->n_clusters;
        simdepth_analysis_free(an);
    }
    return CLI_EXIT_OK;
}

int cli_cmd_analyze(int argc, char **argv)
{
    analyze_opts o;
    simdepth_error err;
    simdepth_method_result methods[5];
    cli_model_args args;
    cli_model m;
    cli_progress pr;
    simdepth_analysis *an = NULL;
    char namebuf[256];
    size_t n;
    simdepth_report_info info;
    cli_output out;
    int rc;

    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    simdepth_error_clear(&err);
    memset(&args, 0, sizeof args);
    args.weights = o.weights;
    args.similarity = o.similarity;
    args.labels = o.labels;
    args.confusion = o.confusion;
    args.wordnet_dir = o.wordnet_dir;
    args.taxonomy = o.taxonomy;
    args.quiet = o.quiet;
    args.defer_taxonomy = 1;
    cli_progress_init(&pr, o.quiet, o.timings);
    args.progress = &pr;
    rc = cli_model_load(&args, &m);
    if (rc != CLI_EXIT_OK) {
        cli_progress_finish(&pr);
        return rc;
    }
    n = simdepth_matrix_rows(m.sim);
    o.an.baselines = o.baselines >= 0 ? o.baselines : n < CLI_BASELINES_UP_TO;
    if (o.baselines < 0 && !o.an.baselines && !o.quiet)
        cli_errorf("note: taxonomy baselines skipped at %zu classes (from %d on; --baselines "
                   "computes them)", n, CLI_BASELINES_UP_TO);
    if (o.all_methods) {
        rc = cli_model_taxonomy(&m);
        if (rc == CLI_EXIT_OK)
            rc = run_all_methods(&m, &o.an, methods);
        if (rc != CLI_EXIT_OK)
            goto out;
    }
    /* The report needs the similarity no more once the analysis has it. */
    o.an.reuse_similarity = 1;
    o.an.progress = cli_progress_report;
    o.an.progress_user = &pr;
    /* WordNet may still be opening: the analysis asks for it once its
     * clusterings are done. */
    o.an.taxonomy_source = taxonomy_source;
    o.an.taxonomy_user = &m;
    if (simdepth_analysis_run(m.sim, m.conf, m.tax, m.tax != NULL ? m.nodes : NULL, &o.an, &an,
                              &err) != SIMDEPTH_OK) {
        /* a failure to open WordNet was reported when it happened */
        rc = m.tax_rc != CLI_EXIT_OK ? m.tax_rc : cli_report_error(&err, m.input_path);
        goto out;
    }
    rc = cli_model_taxonomy(&m); /* asked for already; the report names nodes */
    if (rc != CLI_EXIT_OK)
        goto out;
    cli_report_info_init(&info, &m, &o.an);
    if (o.all_methods) {
        info.methods = methods;
        info.n_methods = sizeof methods / sizeof methods[0];
        info.latex_methods = 4;
    }
    info.name = o.name ? o.name : cli_base_name(m.weights_file[0] ? m.weights_file : m.input_path, namebuf,
                                                      sizeof namebuf);
    if (!o.quiet)
        cli_warn_convergence(an);

    cli_progress_report(&pr, "write report", 0.0);
    if (cli_output_open(&out, o.output, &err) != 0) {
        cli_report_error(&err, o.output);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (simdepth_report_write(out.f, (simdepth_report_format)o.format, an, &info, &err) !=
        SIMDEPTH_OK) {
        cli_output_abort(&out);
        rc = CLI_EXIT_RUNTIME;
        cli_report_error(&err, o.output);
        goto out;
    }
    if (cli_output_commit(&out, &err) != 0) {
        rc = CLI_EXIT_RUNTIME;
        cli_report_error(&err, o.output);
        goto out;
    }
    cli_progress_report(&pr, "write report", 1.0);
    rc = CLI_EXIT_OK;
out:
    cli_progress_finish(&pr);
    simdepth_analysis_free(an);
    cli_model_free(&m);
    return rc;
}
