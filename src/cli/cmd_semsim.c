/* simdepth CLI — the semsim command: a semantic similarity matrix of the
 * classes (NLTK path, Wu-Palmer or Leacock-Chodorow) on WordNet or a custom
 * taxonomy, in a form `simdepth analyze -s` reads. */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "simdepth/custom_taxonomy.h"
#include "simdepth/semsim.h"

enum { SEMSIM_NPY, SEMSIM_CSV };

enum {
    OPT_TAXONOMY = 1000,
    OPT_WORDNET_DIR,
    OPT_MEASURE,
    OPT_LCS,
    OPT_FORMAT
};

static void semsim_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth semsim -l LABELS [--taxonomy FILE | --wordnet-dir DIR]\n"
            "                       [--measure path|wup|lch] [-o FILE] [options]\n\n"
            "The n x n semantic similarity of the classes on a taxonomy, as NLTK computes\n"
            "it: path (path_similarity), wup (Wu-Palmer) or lch (Leacock-Chodorow). The\n"
            "matrix is float64 and can be given to 'simdepth analyze -s'.\n\n"
            "  -l, --labels FILE          one class per line (WordNet id or name)\n"
            "      --taxonomy FILE        a custom taxonomy: child<TAB>parent lines or a\n"
            "                             Newick tree (default: WordNet 3.0)\n"
            "      --wordnet-dir DIR      WordNet database (default $WNSEARCHDIR or\n"
            "                             /usr/share/wordnet)\n"
            "  -m, --measure path|wup|lch the measure (default wup)\n"
            "      --lcs reference|true   LCS rule of wup (default reference: NLTK)\n"
            "  -o, --output FILE          .npy or .csv (default: CSV on standard output)\n"
            "      --format npy|csv       instead of the extension\n"
            "  -q, --quiet                no notes on standard error\n"
            "  -h, --help                 show this help\n\n"
            "Exit status: 0 success, 1 runtime error, 2 usage error or bad input.\n"
            "See simdepth-semsim(1).\n");
}

/* Rows of 17 significant digits: read back to the same doubles. */
static int write_csv(FILE *f, const simdepth_matrix *s)
{
    size_t i, j, n = simdepth_matrix_rows(s);

    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            if (fprintf(f, "%s%.17g", j ? "," : "", simdepth_matrix_get(s, i, j)) < 0)
                return -1;
        }
        if (fputc('\n', f) == EOF)
            return -1;
    }
    return 0;
}

int cli_cmd_semsim(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"labels", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'},
        {"measure", required_argument, NULL, 'm'},
        {"taxonomy", required_argument, NULL, OPT_TAXONOMY},
        {"wordnet-dir", required_argument, NULL, OPT_WORDNET_DIR},
        {"lcs", required_argument, NULL, OPT_LCS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *labels_path = NULL, *taxonomy = NULL, *wndir = NULL, *output = "-";
    simdepth_semsim_measure measure = SIMDEPTH_SEMSIM_WUP;
    simdepth_lcs_rule rule = SIMDEPTH_LCS_REFERENCE;
    int format = -1, quiet = 0, c, rc;
    simdepth_labels *labels = NULL;
    simdepth_taxonomy *t = NULL;
    simdepth_matrix *s = NULL;
    size_t *nodes = NULL, n;
    simdepth_error err;
    cli_output out;

    simdepth_error_clear(&err);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":l:o:m:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': labels_path = optarg; break;
        case 'o': output = optarg; break;
        case 'q': quiet = 1; break;
        case OPT_TAXONOMY: taxonomy = optarg; break;
        case OPT_WORDNET_DIR: wndir = optarg; break;
        case 'm':
            if (simdepth_semsim_measure_parse(optarg, &measure, NULL) != SIMDEPTH_OK)
                return cli_usage_error("semsim", "--measure '%s': expected path, wup or lch", optarg);
            break;
        case OPT_LCS:
            if (strcmp(optarg, "reference") == 0)
                rule = SIMDEPTH_LCS_REFERENCE;
            else if (strcmp(optarg, "true") == 0)
                rule = SIMDEPTH_LCS_TRUE;
            else
                return cli_usage_error("semsim", "--lcs '%s': expected reference or true", optarg);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "npy") == 0)
                format = SEMSIM_NPY;
            else if (strcmp(optarg, "csv") == 0)
                format = SEMSIM_CSV;
            else
                return cli_usage_error("semsim", "--format '%s': expected npy or csv", optarg);
            break;
        case 'h':
            semsim_usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("semsim", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("semsim", "unknown option '-%c'", optopt);
            return cli_usage_error("semsim", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return cli_usage_error("semsim", "unexpected argument '%s'", argv[optind]);
    if (labels_path == NULL)
        return cli_usage_error("semsim", "%s", "missing --labels FILE");
    if (taxonomy != NULL && wndir != NULL)
        return cli_usage_error("semsim", "%s", "give either --taxonomy or --wordnet-dir, not both");
    if (output[0] == '\0')
        return cli_usage_error("semsim", "%s", "--output needs a file name");
    if (format < 0) {
        if (strcmp(output, "-") == 0 || cli_ends_with(output, ".csv") || cli_ends_with(output, ".CSV"))
            format = SEMSIM_CSV;
        else if (cli_ends_with(output, ".npy") || cli_ends_with(output, ".NPY"))
            format = SEMSIM_NPY;
        else
            return cli_usage_error("semsim", "cannot tell the format of '%s' from its extension; use "
                               ".npy or .csv, or --format", output);
    }
    if (format == SEMSIM_NPY && strcmp(output, "-") == 0)
        return cli_usage_error("semsim", "%s", "a .npy matrix is binary; give a file name");

    if (simdepth_labels_read(labels_path, &labels, &err) != SIMDEPTH_OK)
        return cli_report_error(&err, labels_path);
    n = simdepth_labels_count(labels);
    if (taxonomy != NULL) {
        if (simdepth_taxonomy_read(taxonomy, &t, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, taxonomy);
            goto out;
        }
    } else {
        if (wndir == NULL)
            wndir = getenv("WNSEARCHDIR");
        if (wndir == NULL || wndir[0] == '\0')
            wndir = SIMDEPTH_WORDNET_DEFAULT_DIR;
        if (simdepth_wordnet_open(wndir, &t, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, NULL);
            goto out;
        }
    }
    nodes = calloc(n, sizeof *nodes);
    if (nodes == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (simdepth_taxonomy_resolve_labels(t, labels, labels_path, nodes, &err) != SIMDEPTH_OK ||
        simdepth_semsim_matrix(t, nodes, n, measure, rule, &s, &err) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, labels_path);
        goto out;
    }
    if (!quiet && strcmp(output, "-") != 0)
        cli_errorf("note: %s similarity of %zu classes on %s", simdepth_semsim_measure_name(measure),
                   n, taxonomy != NULL ? taxonomy : "WordNet 3.0");
    if (cli_output_open(&out, output, &err) != 0) {
        cli_report_error(&err, output);
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (format == SEMSIM_NPY) {
        rc = simdepth_npy_fwrite(out.f, s, &err) == SIMDEPTH_OK ? 0 : -1;
    } else if ((rc = write_csv(out.f, s)) != 0) {
        err.status = SIMDEPTH_EIO;
        snprintf(err.message, sizeof err.message, "cannot write the CSV matrix");
    }
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
    simdepth_matrix_free(s);
    free(nodes);
    simdepth_taxonomy_free(t);
    simdepth_labels_free(labels);
    return rc;
}
