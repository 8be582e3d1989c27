/* simdepth CLI — the tree command: the dendrogram of a model's classes. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "spec.h"

enum { TREE_NPY, TREE_CSV, TREE_NEWICK };

enum {
    OPT_LINKAGE = 1000,
    OPT_ORDER,
    OPT_SCALING,
    OPT_WORDNET_DIR,
    OPT_FORMAT,
    OPT_DISTANCE,
    OPT_PRECISION,
    OPT_TIMINGS
};

enum { PREC_AUTO, PREC_DOUBLE, PREC_SINGLE };

/* --precision auto: float32 distances above this many classes, where the
 * float64 path's peak (16 bytes per pair of classes: the float64 distances
 * with either the n x n float32 similarity, their working copy or the
 * cophenetic distances) passes 512 MiB; the float32 path needs 4 bytes
 * per pair. Documented in simdepth-tree(1). */
#define TREE_SINGLE_ABOVE 8192

static void tree_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth tree (-w WEIGHTS | -s SIMILARITY) -l LABELS -o FILE [options]\n\n"
            "Agglomerative clustering of the classes on the distance 1 - S of their\n"
            "similarity S, written as a SciPy-compatible linkage matrix ((n-1) x 4: the two\n"
            "merged ids, the height, the size) in .npy or CSV, or as a Newick tree with class\n"
            "names. Merges and heights equal scipy.cluster.hierarchy.linkage (with float64\n"
            "distances; see --precision).\n\n"
            "  -w, --weights FILE[:TENSOR]  class templates (as for analyze)\n"
            "  -s, --similarity FILE      a precomputed similarity matrix\n"
            "  -l, --labels FILE          one label per line (names the Newick leaves)\n"
            "      --linkage METHOD       single, complete, average (default), weighted,\n"
            "                             centroid, median or ward\n"
            "      --order input|optimal  leaf order: SciPy's linkage as it is (default), or\n"
            "                             optimal leaf ordering (Bar-Joseph et al.)\n"
            "      --scaling minmax|none  scaling of S before 1 - S (default minmax)\n"
            "      --distance one-minus|clamp|max-minus\n"
            "                             1 - S (default), max(0, 1 - S), or max(S) - S\n"
            "      --precision auto|double|single\n"
            "                             distances in float64 (SciPy's exact values) or\n"
            "                             float32 (half the memory, no n x n matrix from\n"
            "                             -w); auto (default): single above %d classes\n"
            "  -o, --output FILE          .npy, .csv, or .nwk/.newick/.tree for Newick\n"
            "      --format npy|csv|newick   instead of the extension\n"
            "      --wordnet-dir DIR      WordNet database (labels are resolved as for analyze)\n"
            "      --timings              print each stage's wall time, CPU time and peak\n"
            "                             memory on standard error\n"
            "  -q, --quiet                no notes or progress on standard error\n"
            "  -h, --help                 show this help\n\n"
            "The cophenetic correlation of the tree with the distances is printed on\n"
            "standard error, and on a terminal the stage being run. Exit status: 0 success,\n"
            "1 runtime error, 2 usage error or bad input. See simdepth-tree(1).\n",
            TREE_SINGLE_ABOVE);
}

/* What the linkage is computed from and named with. */
typedef struct tree_inputs {
    cli_model m;        /* the double path, and single with -s */
    cli_shared sh;      /* single with -w: labels and taxonomy only */
    const simdepth_labels *labels;
    const simdepth_taxonomy *tax;
    const size_t *nodes;
} tree_inputs;

typedef struct tree_opts {
    simdepth_linkage_method method;
    simdepth_distance_rule rule;
    int minmax, optimal, quiet;
} tree_opts;

/* The class templates of @spec, as cli_similarity_load() reads them for
 * the other commands (same formats, tensor choice, checks and messages),
 * but without computing their n x n similarity. */
static int tree_templates_load(const char *spec, size_t n, const char *labels_path, int quiet,
                               simdepth_matrix **out)
{
    simdepth_matrix *t = NULL;
    simdepth_error err;
    cli_failure fl;
    char path[4096], used[512], note[800];
    int rc;

    note[0] = '\0';
    rc = cli_templates_load(spec, n, &t, used, sizeof used, path, sizeof path, note,
                            sizeof note, &fl);
    if (rc != CLI_EXIT_OK) {
        cli_errorf("%s", fl.msg);
        return rc;
    }
    if (note[0] != '\0' && !quiet)
        cli_errorf("%s", note);
    simdepth_error_clear(&err);
    if (simdepth_matrix_check_finite(t, spec, &err) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, spec);
        simdepth_matrix_free(t);
        return rc;
    }
    if (simdepth_matrix_rows(t) != n) {
        cli_errorf("%s: %zu rows but %s has %zu labels; expected one row per class", spec,
                   simdepth_matrix_rows(t), labels_path, n);
        simdepth_matrix_free(t);
        return CLI_EXIT_INPUT;
    }
    *out = t;
    return CLI_EXIT_OK;
}

/* The float64 path: SciPy's values exactly, and the cophenetic
 * correlation to the last bit. */
static int tree_double(const cli_model_args *args, const tree_opts *o, tree_inputs *in,
                       simdepth_matrix **z, double *coph)
{
    simdepth_matrix *zo = NULL;
    double *y = NULL;
    simdepth_error err;
    size_t n;
    int rc;

    rc = cli_model_load(args, &in->m);
    if (rc != CLI_EXIT_OK)
        return rc;
    in->labels = in->m.labels;
    in->tax = in->m.tax;
    in->nodes = in->m.nodes;
    simdepth_error_clear(&err);
    n = simdepth_labels_count(in->m.labels);
    if (n < 2) {
        cli_errorf("%s: a tree needs at least 2 classes", args->labels);
        return CLI_EXIT_INPUT;
    }
    cli_progress_report(args->progress, "distances", 0.0);
    if (o->minmax) {
        if (simdepth_similarity_minmax(in->m.sim, &err) != SIMDEPTH_OK)
            return cli_report_error(&err, in->m.input_path);
    } else {
        simdepth_similarity_set_diagonal(in->m.sim, 1.0);
    }
    if (simdepth_linkage_condensed_from_similarity(in->m.sim, o->rule, SIMDEPTH_F64,
                                                   (void **)&y, &err) != SIMDEPTH_OK)
        return cli_report_error(&err, in->m.input_path);
    /* Only the distances are needed from here on. */
    simdepth_matrix_free(in->m.sim);
    in->m.sim = NULL;
    cli_progress_report(args->progress, "linkage", 0.0);
    if (simdepth_linkage_compute(y, SIMDEPTH_F64, n, o->method, z, &err) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, in->m.input_path);
        goto out;
    }
    cli_progress_report(args->progress, "cophenetic correlation", 0.0);
    if (simdepth_linkage_cophenetic_correlation(*z, y, SIMDEPTH_F64, coph, NULL, &err) !=
        SIMDEPTH_OK) {
        rc = cli_report_error(&err, in->m.input_path);
        goto out;
    }
    if (o->optimal) {
        cli_progress_report(args->progress, "optimal leaf order", 0.0);
        if (simdepth_linkage_optimal_ordering(*z, y, SIMDEPTH_F64, &zo, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, in->m.input_path);
            goto out;
        }
        simdepth_matrix_free(*z);
        *z = zo;
    }
    rc = CLI_EXIT_OK;
out:
    free(y);
    return rc;
}

/* The float32 path: float32 distances (from the templates directly with
 * -w, so that no n x n matrix exists), the linkage in place, and for
 * average linkage the cophenetic correlation from the merge heights. */
static int tree_single(const cli_model_args *args, const tree_opts *o, size_t n,
                       tree_inputs *in, simdepth_matrix **z, double *coph, int *have_coph)
{
    simdepth_matrix *t = NULL, *zo = NULL;
    simdepth_condensed_moments mom;
    float *y = NULL;
    simdepth_error err;
    cli_failure fl;
    const char *input = args->weights ? args->weights : args->similarity;
    int rc, average = o->method == SIMDEPTH_LINKAGE_AVERAGE;

    simdepth_error_clear(&err);
    if (args->weights != NULL) {
        cli_progress_report(args->progress, "read weights", 0.0);
        rc = tree_templates_load(args->weights, n, args->labels, args->quiet, &t);
        if (rc != CLI_EXIT_OK)
            return rc;
        cli_progress_report(args->progress, "open WordNet", 0.0);
        rc = cli_shared_load(args->labels, NULL, args->wordnet_dir, &in->sh, &fl);
        if (rc != CLI_EXIT_OK) {
            cli_errorf("%s", fl.msg);
            goto out;
        }
        in->labels = in->sh.labels;
        in->tax = in->sh.tax;
        in->nodes = in->sh.nodes;
        if (simdepth_labels_count(in->labels) != n) { /* the file changed under us */
            cli_errorf("%s: changed while being read", args->labels);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
        cli_progress_report(args->progress, "distances", 0.0);
        if (simdepth_linkage_condensed_from_templates(t, o->minmax, o->rule, SIMDEPTH_F32,
                                                      (void **)&y, &mom, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, input);
            goto out;
        }
        simdepth_matrix_free(t);
        t = NULL;
    } else {
        rc = cli_model_load(args, &in->m);
        if (rc != CLI_EXIT_OK)
            return rc;
        in->labels = in->m.labels;
        in->tax = in->m.tax;
        in->nodes = in->m.nodes;
        cli_progress_report(args->progress, "distances", 0.0);
        if (o->minmax) {
            if (simdepth_similarity_minmax(in->m.sim, &err) != SIMDEPTH_OK)
                return cli_report_error(&err, input);
        } else {
            simdepth_similarity_set_diagonal(in->m.sim, 1.0);
        }
        if (simdepth_linkage_condensed_from_similarity(in->m.sim, o->rule, SIMDEPTH_F32,
                                                       (void **)&y, &err) != SIMDEPTH_OK)
            return cli_report_error(&err, input);
        simdepth_matrix_free(in->m.sim);
        in->m.sim = NULL;
        if (average &&
            simdepth_linkage_condensed_moments(y, SIMDEPTH_F32, n, &mom, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, input);
            goto out;
        }
    }
    /* The optimal leaf order needs the distances after the linkage. */
    cli_progress_report(args->progress, "linkage", 0.0);
    if ((o->optimal ? simdepth_linkage_compute(y, SIMDEPTH_F32, n, o->method, z, &err)
                    : simdepth_linkage_compute_inplace(y, SIMDEPTH_F32, n, o->method, z,
                                                       &err)) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, input);
        goto out;
    }
    if (o->optimal) {
        cli_progress_report(args->progress, "optimal leaf order", 0.0);
        if (simdepth_linkage_optimal_ordering(*z, y, SIMDEPTH_F32, &zo, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, input);
            goto out;
        }
        simdepth_matrix_free(*z);
        *z = zo;
    }
    *have_coph = 0;
    if (average) {
        if (simdepth_linkage_cophenetic_correlation_average(*z, &mom, coph, &err) !=
            SIMDEPTH_OK) {
            rc = cli_report_error(&err, input);
            goto out;
        }
        *have_coph = 1;
    }
    rc = CLI_EXIT_OK;
out:
    free(y);
    simdepth_matrix_free(t);
    return rc;
}

int cli_cmd_tree(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"weights", required_argument, NULL, 'w'},
        {"similarity", required_argument, NULL, 's'},
        {"labels", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'},
        {"linkage", required_argument, NULL, OPT_LINKAGE},
        {"order", required_argument, NULL, OPT_ORDER},
        {"scaling", required_argument, NULL, OPT_SCALING},
        {"distance", required_argument, NULL, OPT_DISTANCE},
        {"precision", required_argument, NULL, OPT_PRECISION},
        {"timings", no_argument, NULL, OPT_TIMINGS},
        {"wordnet-dir", required_argument, NULL, OPT_WORDNET_DIR},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_model_args args;
    tree_inputs in;
    tree_opts o;
    int precision = PREC_AUTO, single = 0, have_coph = 1, format = -1, timings = 0, c, rc;
    const char *output = NULL;
    simdepth_matrix *z = NULL;
    simdepth_labels *counted = NULL;
    double coph = NAN;
    const char **names = NULL;
    simdepth_error err;
    cli_output out;
    cli_progress pr;
    size_t i, n = 0;

    memset(&args, 0, sizeof args);
    memset(&in, 0, sizeof in);
    o.method = SIMDEPTH_LINKAGE_AVERAGE;
    o.rule = SIMDEPTH_DISTANCE_ONE_MINUS;
    o.minmax = 1;
    o.optimal = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":w:s:l:o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'w': args.weights = optarg; break;
        case 's': args.similarity = optarg; break;
        case 'l': args.labels = optarg; break;
        case 'o': output = optarg; break;
        case 'q': args.quiet = 1; break;
        case OPT_WORDNET_DIR: args.wordnet_dir = optarg; break;
        case OPT_TIMINGS: timings = 1; break;
        case OPT_LINKAGE:
            if (simdepth_linkage_method_parse(optarg, &o.method, &err) != SIMDEPTH_OK)
                return cli_usage_error("tree", "--linkage '%s': expected single, complete, average, "
                                   "weighted, centroid, median or ward", optarg);
            break;
        case OPT_ORDER:
            if (strcmp(optarg, "optimal") == 0)
                o.optimal = 1;
            else if (strcmp(optarg, "input") == 0)
                o.optimal = 0;
            else
                return cli_usage_error("tree", "--order '%s': expected input or optimal", optarg);
            break;
        case OPT_SCALING:
            if (strcmp(optarg, "minmax") == 0)
                o.minmax = 1;
            else if (strcmp(optarg, "none") == 0)
                o.minmax = 0;
            else
                return cli_usage_error("tree", "--scaling '%s': expected minmax or none", optarg);
            break;
        case OPT_DISTANCE:
            if (strcmp(optarg, "one-minus") == 0)
                o.rule = SIMDEPTH_DISTANCE_ONE_MINUS;
            else if (strcmp(optarg, "clamp") == 0)
                o.rule = SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP;
            else if (strcmp(optarg, "max-minus") == 0)
                o.rule = SIMDEPTH_DISTANCE_MAX_MINUS;
            else
                return cli_usage_error("tree", "--distance '%s': expected one-minus, clamp or max-minus",
                                   optarg);
            break;
        case OPT_PRECISION:
            if (strcmp(optarg, "auto") == 0)
                precision = PREC_AUTO;
            else if (strcmp(optarg, "double") == 0)
                precision = PREC_DOUBLE;
            else if (strcmp(optarg, "single") == 0)
                precision = PREC_SINGLE;
            else
                return cli_usage_error("tree", "--precision '%s': expected auto, double or single",
                                   optarg);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "npy") == 0)
                format = TREE_NPY;
            else if (strcmp(optarg, "csv") == 0)
                format = TREE_CSV;
            else if (strcmp(optarg, "newick") == 0)
                format = TREE_NEWICK;
            else
                return cli_usage_error("tree", "--format '%s': expected npy, csv or newick", optarg);
            break;
        case 'h':
            tree_usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("tree", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("tree", "unknown option '-%c'", optopt);
            return cli_usage_error("tree", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("tree", "unexpected argument '%s'", argv[optind]);
    if ((args.weights == NULL) == (args.similarity == NULL))
        return cli_usage_error("tree", "%s", args.weights ? "give either --weights or --similarity, not both"
                                              : "missing input: give --weights or --similarity");
    if (args.labels == NULL)
        return cli_usage_error("tree", "%s", "missing --labels FILE");
    if (output == NULL || output[0] == '\0')
        return cli_usage_error("tree", "%s", "missing --output FILE");
    if (format < 0) {
        if (cli_ends_with(output, ".npy"))
            format = TREE_NPY;
        else if (cli_ends_with(output, ".csv"))
            format = TREE_CSV;
        else if (cli_ends_with(output, ".nwk") || cli_ends_with(output, ".newick") ||
                 cli_ends_with(output, ".tree") || cli_ends_with(output, ".tre"))
            format = TREE_NEWICK;
        else
            return cli_usage_error("tree", "cannot tell the format of '%s' from its extension; use "
                               ".npy, .csv or .nwk, or --format", output);
    }
    if (format == TREE_NPY && strcmp(output, "-") == 0)
        return cli_usage_error("tree", "%s", "a .npy linkage matrix is binary; give a file name");
    o.quiet = args.quiet;
    cli_progress_init(&pr, args.quiet, timings);
    args.progress = &pr;

    /* The class count decides --precision auto: the labels are read once
     * here, before the (large) inputs, as cli_model_load() reads them
     * first too. */
    simdepth_error_clear(&err);
    if (precision != PREC_DOUBLE) {
        cli_progress_report(&pr, "read labels", 0.0);
        if (simdepth_labels_read(args.labels, &counted, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, args.labels);
            goto out;
        }
        n = simdepth_labels_count(counted);
        simdepth_labels_free(counted);
        single = precision == PREC_SINGLE || n > TREE_SINGLE_ABOVE;
        if (single && n < 2) {
            cli_errorf("%s: a tree needs at least 2 classes", args.labels);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
    }
    if (single) {
        if (precision == PREC_AUTO && !args.quiet)
            cli_errorf("note: %zu classes: float32 distances (above %d classes; "
                       "--precision double for SciPy's float64 values)",
                       n, TREE_SINGLE_ABOVE);
        rc = tree_single(&args, &o, n, &in, &z, &coph, &have_coph);
    } else {
        rc = tree_double(&args, &o, &in, &z, &coph);
    }
    if (rc != CLI_EXIT_OK)
        goto out;
    n = simdepth_labels_count(in.labels);
    if (!args.quiet) {
        if (have_coph)
            cli_errorf("note: %s linkage of %zu classes%s; cophenetic correlation %.6f",
                       simdepth_linkage_method_name(o.method), n,
                       single ? " (float32 distances)" : "", coph);
        else
            cli_errorf("note: %s linkage of %zu classes (float32 distances); cophenetic "
                       "correlation not computed (it needs the distances, which the linkage "
                       "consumed; use --precision double)",
                       simdepth_linkage_method_name(o.method), n);
    }
    names = calloc(n, sizeof *names);
    if (names == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    for (i = 0; i < n; i++) {
        const char *nm = simdepth_labels_name(in.labels, i);
        names[i] = nm != NULL && nm[0] != '\0' ? nm
                                               : simdepth_taxonomy_label(in.tax, in.nodes[i]);
    }
    cli_progress_report(&pr, "write tree", 0.0);
    if (cli_output_open(&out, output, &err) != 0) {
        cli_report_error(&err, output);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (format == TREE_NPY)
        rc = simdepth_npy_fwrite(out.f, z, &err) == SIMDEPTH_OK ? 0 : 1;
    else if (format == TREE_CSV)
        rc = simdepth_linkage_csv_write(out.f, z, &err) == SIMDEPTH_OK ? 0 : 1;
    else
        rc = simdepth_newick_write(out.f, z, names, &err) == SIMDEPTH_OK ? 0 : 1;
    if (rc != 0) {
        cli_output_abort(&out);
        cli_report_error(&err, output);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (cli_output_commit(&out, &err) != 0) {
        cli_report_error(&err, output);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    cli_progress_report(&pr, "write tree", 1.0);
    rc = CLI_EXIT_OK;
out:
    cli_progress_finish(&pr);
    free(names);
    simdepth_matrix_free(z);
    cli_shared_free(&in.sh);
    cli_model_free(&in.m);
    return rc;
}
