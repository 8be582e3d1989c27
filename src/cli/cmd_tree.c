/* simdepth CLI — the tree command: the dendrogram of a model's classes. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

enum { TREE_NPY, TREE_CSV, TREE_NEWICK };

enum {
    OPT_LINKAGE = 1000,
    OPT_ORDER,
    OPT_SCALING,
    OPT_WORDNET_DIR,
    OPT_FORMAT,
    OPT_DISTANCE
};

static void tree_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth tree (-w WEIGHTS | -s SIMILARITY) -l LABELS -o FILE [options]\n\n"
            "Agglomerative clustering of the classes on the distance 1 - S of their\n"
            "similarity S, written as a SciPy-compatible linkage matrix ((n-1) x 4: the two\n"
            "merged ids, the height, the size) in .npy or CSV, or as a Newick tree with class\n"
            "names. Merges and heights equal scipy.cluster.hierarchy.linkage.\n\n"
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
            "  -o, --output FILE          .npy, .csv, or .nwk/.newick/.tree for Newick\n"
            "      --format npy|csv|newick   instead of the extension\n"
            "      --wordnet-dir DIR      WordNet database (labels are resolved as for analyze)\n"
            "  -q, --quiet                no notes on standard error\n"
            "  -h, --help                 show this help\n\n"
            "The cophenetic correlation of the tree with the distances is printed on\n"
            "standard error. Exit status: 0 success, 1 runtime error, 2 usage error or bad\n"
            "input. See simdepth-tree(1).\n");
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
        {"wordnet-dir", required_argument, NULL, OPT_WORDNET_DIR},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    cli_model_args args;
    cli_model m;
    simdepth_linkage_method method = SIMDEPTH_LINKAGE_AVERAGE;
    simdepth_distance_rule rule = SIMDEPTH_DISTANCE_ONE_MINUS;
    int optimal = 0, minmax = 1, format = -1, c, rc;
    const char *output = NULL;
    simdepth_matrix *z = NULL, *zo = NULL;
    double *y = NULL, coph = NAN;
    const char **names = NULL;
    simdepth_error err;
    cli_output out;
    size_t i, n;

    memset(&args, 0, sizeof args);
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
        case OPT_LINKAGE:
            if (simdepth_linkage_method_parse(optarg, &method, &err) != SIMDEPTH_OK)
                return cli_usage_error("tree", "--linkage '%s': expected single, complete, average, "
                                   "weighted, centroid, median or ward", optarg);
            break;
        case OPT_ORDER:
            if (strcmp(optarg, "optimal") == 0)
                optimal = 1;
            else if (strcmp(optarg, "input") == 0)
                optimal = 0;
            else
                return cli_usage_error("tree", "--order '%s': expected input or optimal", optarg);
            break;
        case OPT_SCALING:
            if (strcmp(optarg, "minmax") == 0)
                minmax = 1;
            else if (strcmp(optarg, "none") == 0)
                minmax = 0;
            else
                return cli_usage_error("tree", "--scaling '%s': expected minmax or none", optarg);
            break;
        case OPT_DISTANCE:
            if (strcmp(optarg, "one-minus") == 0)
                rule = SIMDEPTH_DISTANCE_ONE_MINUS;
            else if (strcmp(optarg, "clamp") == 0)
                rule = SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP;
            else if (strcmp(optarg, "max-minus") == 0)
                rule = SIMDEPTH_DISTANCE_MAX_MINUS;
            else
                return cli_usage_error("tree", "--distance '%s': expected one-minus, clamp or max-minus",
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

    rc = cli_model_load(&args, &m);
    if (rc != CLI_EXIT_OK)
        return rc;
    simdepth_error_clear(&err);
    n = simdepth_labels_count(m.labels);
    if (n < 2) {
        cli_errorf("%s: a tree needs at least 2 classes", args.labels);
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (minmax) {
        if (simdepth_similarity_minmax(m.sim, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, m.input_path);
            goto out;
        }
    } else {
        simdepth_similarity_set_diagonal(m.sim, 1.0);
    }
    if (simdepth_linkage_condensed_from_similarity(m.sim, rule, SIMDEPTH_F64, (void **)&y,
                                                   &err) != SIMDEPTH_OK ||
        simdepth_linkage_compute(y, SIMDEPTH_F64, n, method, &z, &err) != SIMDEPTH_OK ||
        simdepth_linkage_cophenetic_correlation(z, y, SIMDEPTH_F64, &coph, NULL, &err) !=
            SIMDEPTH_OK) {
        rc = cli_report_error(&err, m.input_path);
        goto out;
    }
    if (optimal) {
        if (simdepth_linkage_optimal_ordering(z, y, SIMDEPTH_F64, &zo, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, m.input_path);
            goto out;
        }
        simdepth_matrix_free(z);
        z = zo;
        zo = NULL;
    }
    if (!args.quiet)
        cli_errorf("note: %s linkage of %zu classes; cophenetic correlation %.6f",
                   simdepth_linkage_method_name(method), n, coph);
    names = calloc(n, sizeof *names);
    if (names == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    for (i = 0; i < n; i++) {
        const char *nm = simdepth_labels_name(m.labels, i);
        names[i] = nm != NULL && nm[0] != '\0' ? nm
                                               : simdepth_taxonomy_label(m.tax, m.nodes[i]);
    }
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
    rc = CLI_EXIT_OK;
out:
    free(names);
    free(y);
    simdepth_matrix_free(z);
    simdepth_matrix_free(zo);
    cli_model_free(&m);
    return rc;
}
