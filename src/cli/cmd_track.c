/* simdepth CLI — the track command: SD, clusters, compliance and accuracy of
 * many models (checkpoints, a zoo) listed in a manifest, as a table and the
 * paper's plots; models run in parallel, shards merge with --merge.
 *
 * Threads: workers load and analyse models (the readers, the analysis and
 * the metrics are thread-safe on a shared const taxonomy) and print
 * nothing; only the main thread prints and renders (Graphviz is not
 * thread-safe). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "spec.h"

#define TRACK_MAX_METHODS 8
#define TRACK_MAX_JOBS 256

enum { FMT_CSV = 0, FMT_JSON = 1 };

enum { EXIT_SOME_FAILED = 3 };

typedef struct track_method {
    char col[40];                /* column suffix: "ap", "louvain", "cut10" */
    simdepth_analysis_options an;
} track_method;

typedef struct track_opts {
    const char *manifest;
    const char *labels;
    const char *taxonomy;
    const char *wordnet_dir;
    const char *output;
    const char *plots;
    const char *theme;
    int format;                  /* -1: by output */
    int image_format;
    int jobs;
    int quiet;
    int merge;
    size_t shard_k, shard_n;     /* 1-based; 0/0: everything */
    char **inputs;               /* --merge: the tables */
    int n_inputs;
    track_method methods[TRACK_MAX_METHODS];
    int n_methods;
    const char *cluster_arg;
    simdepth_analysis_options an;
    simdepth_render_options ro;
} track_opts;

enum {
    OPT_SCALING = 1000,
    OPT_WORDNET_DIR,
    OPT_LCS,
    OPT_FORMAT,
    OPT_PREFERENCE,
    OPT_DAMPING,
    OPT_MAX_ITER,
    OPT_CONV_ITER,
    OPT_CLUSTER,
    OPT_SEED,
    OPT_RESOLUTION,
    OPT_LINKAGE,
    OPT_DROP_NOISE,
    OPT_TAXONOMY,
    OPT_MERGE,
    OPT_SHARD,
    OPT_PLOTS,
    OPT_WIDTH,
    OPT_HEIGHT,
    OPT_SIZE,
    OPT_DPI,
    OPT_THEME
};

static void track_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth track [options] MANIFEST\n"
            "       simdepth track --merge [-o OUT] [--plots DIR] TABLE.csv...\n\n"
            "Analyse every model of MANIFEST (one model spec per line, as 'simdepth diff'\n"
            "takes, plus optional ,accuracy=X and ,epoch=N; '#' comments) and write one row\n"
            "per model: SD and clusters per method, compliance both ways, accuracy; with\n"
            "--plots, the paper's plots of SD against compliance and accuracy, and SD over\n"
            "epochs. A model that fails is reported and its row marked; the rest go on.\n\n"
            "Inputs:\n"
            "  -l, --labels FILE         shared labels (default: the first labels= file of\n"
            "                            the manifest)\n"
            "      --taxonomy FILE, --wordnet-dir DIR\n"
            "Method (as 'simdepth analyze'):\n"
            "      --cluster LIST        comma list of ap, louvain, leiden, optics, hdbscan,\n"
            "                            cut:K, none, or all (the paper's table: louvain,\n"
            "                            optics, ap, hdbscan, leiden); default ap. The first\n"
            "                            is used for the confusion graph and compliance\n"
            "      --scaling, --lcs, --seed, --resolution, --linkage, --drop-noise,\n"
            "      --preference, --damping, --max-iter, --convergence-iter\n"
            "Running:\n"
            "  -j, --jobs N              analyse N models at a time (default 1)\n"
            "      --shard K/N           only models K, K+N, K+2N, ... of the manifest\n"
            "                            (1 <= K <= N), for one job of N; merge the tables\n"
            "                            with --merge\n"
            "  -q, --quiet               no progress or notes on standard error\n"
            "Output:\n"
            "  -o, --output FILE         the table ('-' or absent: standard output)\n"
            "      --format csv|json     default: from the extension (.json), else csv\n"
            "      --plots DIR           write the plots into DIR\n"
            "  -T, --image-format svg|pdf|png   of the plots (default svg)\n"
            "      --width LEN, --height LEN, --size PRESET, --dpi N, --theme NAME|FILE\n"
            "      --merge               merge per-shard CSV tables (same header) into one,\n"
            "                            in manifest order\n"
            "  -h, --help                show this help\n\n"
            "Exit status: 0 every model analysed, 1 runtime error, 2 usage error or bad\n"
            "input (manifest, labels, taxonomy: nothing written), 3 the table was written\n"
            "but some models failed. See simdepth-track(1).\n");
}

/* ------------------------------------------------------------ options */

static int add_method(track_opts *o, const char *tok)
{
    track_method *m;
    size_t j = 0;

    if (o->n_methods == TRACK_MAX_METHODS)
        return -1;
    m = &o->methods[o->n_methods];
    m->an = o->an;
    if (cli_parse_cluster_method(tok, &m->an) != 0)
        return -1;
    for (const char *p = strcmp(tok, "affinity") == 0 ? "ap" : tok; *p && j < sizeof m->col - 1;
         p++)
        if (*p != ':')
            m->col[j++] = *p;
    m->col[j] = '\0';
    for (int i = 0; i < o->n_methods; i++)
        if (strcmp(o->methods[i].col, m->col) == 0)
            return 0; /* given twice: once is enough */
    o->n_methods++;
    return 0;
}

static int parse_methods(track_opts *o)
{
    char buf[256], *tok, *save = NULL;
    const char *arg = o->cluster_arg ? o->cluster_arg : "ap";

    o->n_methods = 0;
    if (strlen(arg) >= sizeof buf)
        return -1;
    strcpy(buf, arg);
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "all") == 0) {
            static const char *const all[5] = {"louvain", "optics", "ap", "hdbscan", "leiden"};
            for (int i = 0; i < 5; i++)
                if (add_method(o, all[i]) != 0)
                    return -1;
        } else if (add_method(o, tok) != 0) {
            return -1;
        }
    }
    return o->n_methods > 0 ? 0 : -1;
}

static int parse_args(int argc, char **argv, track_opts *o)
{
    static const struct option longopts[] = {
        {"labels", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'},
        {"jobs", required_argument, NULL, 'j'},
        {"image-format", required_argument, NULL, 'T'},
        {"scaling", required_argument, NULL, OPT_SCALING},
        {"wordnet-dir", required_argument, NULL, OPT_WORDNET_DIR},
        {"lcs", required_argument, NULL, OPT_LCS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"preference", required_argument, NULL, OPT_PREFERENCE},
        {"damping", required_argument, NULL, OPT_DAMPING},
        {"max-iter", required_argument, NULL, OPT_MAX_ITER},
        {"convergence-iter", required_argument, NULL, OPT_CONV_ITER},
        {"cluster", required_argument, NULL, OPT_CLUSTER},
        {"seed", required_argument, NULL, OPT_SEED},
        {"resolution", required_argument, NULL, OPT_RESOLUTION},
        {"linkage", required_argument, NULL, OPT_LINKAGE},
        {"drop-noise", no_argument, NULL, OPT_DROP_NOISE},
        {"taxonomy", required_argument, NULL, OPT_TAXONOMY},
        {"merge", no_argument, NULL, OPT_MERGE},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"plots", required_argument, NULL, OPT_PLOTS},
        {"width", required_argument, NULL, OPT_WIDTH},
        {"height", required_argument, NULL, OPT_HEIGHT},
        {"size", required_argument, NULL, OPT_SIZE},
        {"dpi", required_argument, NULL, OPT_DPI},
        {"theme", required_argument, NULL, OPT_THEME},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, rc, idx = -1;

    memset(o, 0, sizeof *o);
    o->format = -1;
    o->image_format = SIMDEPTH_IMAGE_SVG;
    o->jobs = 1;
    simdepth_analysis_options_init(&o->an);
    o->an.baselines = 0;
    simdepth_render_options_init(&o->ro);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":l:o:j:T:qh", longopts, &idx)) != -1) {
        const char *lname = idx >= 0 ? longopts[idx].name : "";
        idx = -1;
        switch (c) {
        case 'l': o->labels = optarg; break;
        case 'o': o->output = optarg; break;
        case 'q': o->quiet = 1; break;
        case OPT_WORDNET_DIR: o->wordnet_dir = optarg; break;
        case OPT_TAXONOMY: o->taxonomy = optarg; break;
        case OPT_PLOTS: o->plots = optarg; break;
        case OPT_THEME: o->theme = optarg; break;
        case OPT_MERGE: o->merge = 1; break;
        case OPT_CLUSTER: o->cluster_arg = optarg; break;
        case 'j':
            if (cli_parse_int(optarg, &o->jobs) != 0 || o->jobs > TRACK_MAX_JOBS)
                return cli_usage_error("track", "--jobs '%s': expected an integer from 1 to %d",
                                       optarg, TRACK_MAX_JOBS);
            break;
        case OPT_SHARD: {
            unsigned long k, n;
            char *end, *end2;
            errno = 0;
            k = strtoul(optarg, &end, 10);
            n = *end == '/' ? strtoul(end + 1, &end2, 10) : 0;
            if (errno != 0 || end == optarg || *end != '/' || end2 == end + 1 || *end2 != '\0' ||
                optarg[0] == '-' || end[1] == '-' || k < 1 || n < 1 || k > n)
                return cli_usage_error("track", "--shard '%s': expected K/N with 1 <= K <= N",
                                       optarg);
            o->shard_k = k;
            o->shard_n = n;
            break;
        }
        case 'T': {
            simdepth_image_format f;
            if (strchr(optarg, '.') != NULL ||
                simdepth_image_format_parse(optarg, &f, NULL) != SIMDEPTH_OK ||
                f == SIMDEPTH_IMAGE_DOT)
                return cli_usage_error("track", "--image-format '%s': expected svg, pdf or png",
                                       optarg);
            o->image_format = (int)f;
            break;
        }
        case OPT_FORMAT:
            if (strcmp(optarg, "csv") == 0)
                o->format = FMT_CSV;
            else if (strcmp(optarg, "json") == 0)
                o->format = FMT_JSON;
            else
                return cli_usage_error("track", "--format '%s': expected csv or json", optarg);
            break;
        case OPT_SCALING:
        case OPT_LCS:
        case OPT_PREFERENCE:
        case OPT_DAMPING:
        case OPT_MAX_ITER:
        case OPT_CONV_ITER:
        case OPT_SEED:
        case OPT_RESOLUTION:
        case OPT_LINKAGE:
            cli_spec_method_option("track", lname, optarg, &o->an, &rc);
            if (rc != 0)
                return rc;
            break;
        case OPT_DROP_NOISE: o->an.noise = SIMDEPTH_NOISE_SINGLETONS; break;
        case OPT_WIDTH:
        case OPT_HEIGHT:
        case OPT_SIZE:
        case OPT_DPI:
            if (cli_figure_size_option("track", lname, optarg, &o->ro) != 0)
                return CLI_EXIT_INPUT;
            break;
        case 'h':
            track_usage(stdout);
            return -1;
        case ':':
            return cli_usage_error("track", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("track", "unknown option '-%c'", optopt);
            return cli_usage_error("track", "unknown option '%s' (or an ambiguous abbreviation)",
                                   argv[optind - 1]);
        }
    }
    /* after every option, so that --cluster sees --seed etc. given later */
    if (parse_methods(o) != 0)
        return cli_usage_error("track", "--cluster '%s': expected a comma list of at most %d of "
                                        "ap, louvain, leiden, optics, hdbscan, cut:K, none, all",
                               o->cluster_arg, TRACK_MAX_METHODS);
    if (o->merge) {
        if (optind >= argc)
            return cli_usage_error("track", "%s", "--merge needs the tables to merge");
        if (o->shard_n > 0)
            return cli_usage_error("track", "%s", "--merge and --shard do not go together");
        o->inputs = argv + optind;
        o->n_inputs = argc - optind;
    } else {
        if (argc - optind != 1)
            return cli_usage_error("track", "%s", argc - optind < 1
                                                      ? "missing MANIFEST"
                                                      : "expected one MANIFEST (use --merge to "
                                                        "merge tables)");
        o->manifest = argv[optind];
    }
    if (o->taxonomy != NULL && o->wordnet_dir != NULL)
        return cli_usage_error("track", "%s", "give either --taxonomy or --wordnet-dir, not both");
    if (o->output != NULL && o->output[0] == '\0')
        return cli_usage_error("track", "%s", "--output needs a file name ('-' for standard output)");
    if (o->plots != NULL && o->plots[0] == '\0')
        return cli_usage_error("track", "%s", "--plots needs a directory");
    if (o->format < 0)
        o->format = o->output != NULL && cli_ends_with(o->output, ".json") ? FMT_JSON : FMT_CSV;
    if (o->plots != NULL && cli_source_date_epoch("track", &o->ro) != 0)
        return CLI_EXIT_INPUT;
    return 0;
}

/* ------------------------------------------------------------ tables */

/* A table of text cells: what track writes and what --merge reads back. */
typedef struct table {
    size_t n_cols;
    char **cols;
    size_t n_rows;
    size_t cap;
    char ***rows;   /* n_rows arrays of n_cols strings ("" for empty) */
} table;

static void table_free(table *t)
{
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t j = 0; j < t->n_cols; j++)
            free(t->rows[i][j]);
        free(t->rows[i]);
    }
    for (size_t j = 0; j < t->n_cols; j++)
        free(t->cols[j]);
    free(t->rows);
    free(t->cols);
    memset(t, 0, sizeof *t);
}

static int table_add_col(table *t, const char *name)
{
    char **c = realloc(t->cols, (t->n_cols + 1) * sizeof *c);

    if (c == NULL)
        return -1;
    t->cols = c;
    t->cols[t->n_cols] = strdup(name);
    if (t->cols[t->n_cols] == NULL)
        return -1;
    t->n_cols++;
    return 0;
}

/* Append a row of @t->n_cols empty cells; NULL on failure. */
static char **table_add_row(table *t)
{
    char **r;

    if (t->n_rows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 64;
        char ***nr = realloc(t->rows, ncap * sizeof *nr);
        if (nr == NULL)
            return NULL;
        t->rows = nr;
        t->cap = ncap;
    }
    r = calloc(t->n_cols ? t->n_cols : 1, sizeof *r);
    if (r == NULL)
        return NULL;
    t->rows[t->n_rows++] = r;
    return r;
}

static int table_col(const table *t, const char *name)
{
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->cols[j], name) == 0)
            return (int)j;
    return -1;
}

static int set_cell(char **row, int col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int set_cell(char **row, int col, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;

    if (col < 0)
        return 0;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(row[col]);
    row[col] = strdup(buf);
    return row[col] ? 0 : -1;
}

static int set_num(char **row, int col, double x)
{
    return isfinite(x) ? set_cell(row, col, "%.10g", x) : set_cell(row, col, "%s", "");
}

static void csv_cell(FILE *f, const char *s)
{
    size_t n = strlen(s);

    if (strpbrk(s, ",\"\r\n") == NULL && (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void write_csv(FILE *f, const table *t)
{
    for (size_t j = 0; j < t->n_cols; j++) {
        if (j)
            fputc(',', f);
        csv_cell(f, t->cols[j]);
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t j = 0; j < t->n_cols; j++) {
            if (j)
                fputc(',', f);
            csv_cell(f, t->rows[i][j] ? t->rows[i][j] : "");
        }
        fputc('\n', f);
    }
}

static int is_text_col(const char *c)
{
    return strcmp(c, "name") == 0 || strcmp(c, "status") == 0 || strcmp(c, "error") == 0 ||
           strcmp(c, "input") == 0;
}

static int write_json(FILE *f, const table *t, const char *manifest)
{
    json_t *root = json_object(), *models = json_array(), *cols = json_array();
    int rc;

    for (size_t j = 0; j < t->n_cols; j++)
        json_array_append_new(cols, json_string(t->cols[j]));
    for (size_t i = 0; i < t->n_rows; i++) {
        json_t *o = json_object();
        for (size_t j = 0; j < t->n_cols; j++) {
            const char *s = t->rows[i][j] ? t->rows[i][j] : "";
            json_t *v;
            char *end;
            double x;
            if (s[0] == '\0')
                v = json_null();
            else if (is_text_col(t->cols[j]))
                v = json_string(s);
            else if ((x = strtod(s, &end)), *end == '\0' && end != s) {
                if (strpbrk(s, ".eEnN") == NULL && fabs(x) < 9e15)
                    v = json_integer((json_int_t)x);
                else
                    v = json_real(x);
            } else
                v = json_string(s);
            json_object_set_new(o, t->cols[j], v);
        }
        json_array_append_new(models, o);
    }
    json_object_set_new(root, "simdepth_version", json_string(simdepth_version()));
    json_object_set_new(root, "manifest", manifest ? json_string(manifest) : json_null());
    json_object_set_new(root, "columns", cols);
    json_object_set_new(root, "models", models);
    rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(10) | JSON_PRESERVE_ORDER);
    fputc('\n', f);
    json_decref(root);
    return rc;
}

static int write_table(const track_opts *o, const table *t, const char *manifest)
{
    cli_output out;
    simdepth_error err;

    if (cli_output_open(&out, o->output, &err) != 0) {
        cli_report_error(&err, o->output);
        return CLI_EXIT_RUNTIME;
    }
    if (o->format == FMT_JSON) {
        if (write_json(out.f, t, manifest) != 0) {
            cli_output_abort(&out);
            cli_errorf("%s: cannot write the table", o->output ? o->output : "standard output");
            return CLI_EXIT_RUNTIME;
        }
    } else {
        write_csv(out.f, t);
    }
    if (cli_output_commit(&out, &err) != 0) {
        cli_report_error(&err, o->output);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* Parse CSV text (RFC 4180 quoting, CRLF accepted) into @t; the first
 * record is the header. On failure prints one line naming @path:LINE. */
static int read_csv(const char *path, table *t)
{
    simdepth_error err;
    char *text = NULL, *cell = NULL;
    size_t len = 0, pos = 0, line = 1, cell_len = 0, cell_cap = 0, rec_line = 1;
    char **fields = NULL;
    size_t n_fields = 0, fields_cap = 0;
    int rc = CLI_EXIT_OK, header = 1;
    FILE *f = fopen(path, "rb");

    memset(t, 0, sizeof *t);
    simdepth_error_clear(&err);
    if (f == NULL) {
        cli_errorf("%s: cannot open: %s", path, strerror(errno));
        return CLI_EXIT_INPUT;
    }
    {
        size_t cap = 0, got;
        char chunk[65536];
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
            if (len + got + 1 > cap) {
                char *nt;
                cap = (len + got + 1) * 2;
                nt = realloc(text, cap);
                if (nt == NULL) {
                    fclose(f);
                    free(text);
                    cli_errorf("out of memory");
                    return CLI_EXIT_RUNTIME;
                }
                text = nt;
            }
            memcpy(text + len, chunk, got);
            len += got;
        }
        if (ferror(f)) {
            fclose(f);
            free(text);
            cli_errorf("%s: cannot read: %s", path, strerror(errno));
            return CLI_EXIT_INPUT;
        }
        fclose(f);
    }
    if (len == 0) {
        free(text);
        cli_errorf("%s: empty file; expected a table written by 'simdepth track'", path);
        return CLI_EXIT_INPUT;
    }
    while (pos <= len) {
        int quoted = 0, end_rec = 0;
        cell_len = 0;
        if (pos < len && text[pos] == '"') {
            quoted = 1;
            pos++;
        }
        for (;;) {
            char ch;
            if (pos >= len) {
                if (quoted) {
                    cli_errorf("%s:%zu: a quoted field is not closed; expected '\"'", path,
                               rec_line);
                    rc = CLI_EXIT_INPUT;
                    goto out;
                }
                end_rec = 1;
                pos++;
                break;
            }
            ch = text[pos];
            if (quoted && ch == '"') {
                if (pos + 1 < len && text[pos + 1] == '"') {
                    pos += 2;
                    ch = '"';
                } else {
                    quoted = 0;
                    pos++;
                    if (pos < len && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
                        cli_errorf("%s:%zu: text after a closing quote; expected ',' or the "
                                   "end of the line", path, line);
                        rc = CLI_EXIT_INPUT;
                        goto out;
                    }
                    continue;
                }
            } else if (!quoted && ch == ',') {
                pos++;
                break;
            } else if (!quoted && (ch == '\n' || ch == '\r')) {
                if (ch == '\r' && pos + 1 < len && text[pos + 1] == '\n')
                    pos++;
                pos++;
                line++;
                end_rec = 1;
                break;
            } else {
                if (ch == '\n')
                    line++;
                pos++;
            }
            if (cell_len + 2 > cell_cap) {
                char *nc;
                cell_cap = cell_cap ? cell_cap * 2 : 64;
                nc = realloc(cell, cell_cap);
                if (nc == NULL)
                    goto nomem;
                cell = nc;
            }
            cell[cell_len++] = ch;
        }
        if (n_fields == fields_cap) {
            char **nf;
            fields_cap = fields_cap ? fields_cap * 2 : 32;
            nf = realloc(fields, fields_cap * sizeof *nf);
            if (nf == NULL)
                goto nomem;
            fields = nf;
        }
        fields[n_fields] = malloc(cell_len + 1);
        if (fields[n_fields] == NULL)
            goto nomem;
        memcpy(fields[n_fields], cell ? cell : "", cell_len);
        fields[n_fields][cell_len] = '\0';
        n_fields++;
        if (!end_rec)
            continue;
        /* a record: a blank last line is not one */
        if (!(n_fields == 1 && fields[0][0] == '\0' && pos >= len)) {
            if (header) {
                for (size_t j = 0; j < n_fields; j++)
                    if (table_add_col(t, fields[j]) != 0)
                        goto nomem;
                header = 0;
            } else if (n_fields != t->n_cols) {
                cli_errorf("%s:%zu: %zu fields; expected %zu as in the header", path, rec_line,
                           n_fields, t->n_cols);
                rc = CLI_EXIT_INPUT;
                goto out;
            } else {
                char **row = table_add_row(t);
                if (row == NULL)
                    goto nomem;
                for (size_t j = 0; j < n_fields; j++) {
                    row[j] = fields[j];
                    fields[j] = NULL;
                }
            }
        }
        for (size_t j = 0; j < n_fields; j++)
            free(fields[j]);
        n_fields = 0;
        rec_line = line;
    }
    goto out;
nomem:
    cli_errorf("out of memory");
    rc = CLI_EXIT_RUNTIME;
out:
    for (size_t j = 0; j < n_fields; j++)
        free(fields[j]);
    free(fields);
    free(cell);
    free(text);
    if (rc != CLI_EXIT_OK)
        table_free(t);
    return rc;
}

/* ------------------------------------------------------------ running */

typedef struct track_result {
    int done;
    int failed;
    cli_failure fail;
    double sd[TRACK_MAX_METHODS];
    size_t clusters[TRACK_MAX_METHODS];
    double mean_wup;
    int converged;
    int has_conf;
    double sd_conf;
    size_t clusters_conf;
    simdepth_compliance comp;
    int realigned;
} track_result;

typedef struct track_ctx {
    const track_opts *o;
    const cli_shared *sh;
    const simdepth_manifest *man;
    const size_t *todo;          /* manifest indices to run */
    size_t n_todo;
    track_result *res;           /* per todo entry */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    size_t next, n_done, n_failed;
} track_ctx;

static void run_model(track_ctx *c, size_t t)
{
    const simdepth_model_spec *spec = &c->man->models[c->todo[t]];
    track_result *r = &c->res[t];
    cli_spec_model in;
    simdepth_error err;
    int rc;

    simdepth_error_clear(&err);
    rc = cli_spec_model_load(spec, c->sh, &in, &r->fail);
    if (rc != CLI_EXIT_OK) {
        r->failed = 1;
        return;
    }
    r->realigned = in.realigned;
    for (int k = c->o->n_methods - 1; k >= 0; k--) {
        simdepth_analysis *an = NULL;
        simdepth_matrix *copy = NULL;
        simdepth_matrix *s = in.sim;
        simdepth_status st = SIMDEPTH_OK;

        /* the analysis scales its input in place: every method but the last
         * run (the first method) works on a copy */
        if (k > 0) {
            st = simdepth_matrix_convert(in.sim, simdepth_matrix_dtype(in.sim), &copy, &err);
            s = copy;
        }
        if (st == SIMDEPTH_OK) {
            /* Louvain and Leiden are serialised inside the library
             * (igraph's state is process-global); the rest runs in parallel. */
            st = simdepth_analysis_run(s, k == 0 ? in.conf : NULL, c->sh->tax, c->sh->nodes,
                                       &c->o->methods[k].an, &an, &err);
        }
        simdepth_matrix_free(copy);
        if (st != SIMDEPTH_OK) {
            cli_fail_error(&r->fail, &err, spec->weights ? spec->weights : spec->similarity);
            r->failed = 1;
            break;
        }
        r->sd[k] = an->perceived.similarity_depth;
        r->clusters[k] = an->perceived.partition->n_clusters;
        if (k == 0) {
            r->mean_wup = an->perceived.mean_wup;
            r->converged = an->perceived.partition->converged;
            if (an->has_confusion) {
                r->has_conf = 1;
                r->sd_conf = an->confusion.similarity_depth;
                r->clusters_conf = an->confusion.partition->n_clusters;
                r->comp = an->compliance;
            }
        }
        simdepth_analysis_free(an);
    }
    cli_spec_model_free(&in);
}

static void *worker(void *arg)
{
    track_ctx *c = arg;

    for (;;) {
        size_t t;
        pthread_mutex_lock(&c->lock);
        t = c->next < c->n_todo ? c->next++ : c->n_todo;
        pthread_mutex_unlock(&c->lock);
        if (t >= c->n_todo)
            break;
        run_model(c, t);
        pthread_mutex_lock(&c->lock);
        c->res[t].done = 1;
        c->n_done++;
        c->n_failed += (size_t)c->res[t].failed;
        pthread_cond_signal(&c->cond);
        pthread_mutex_unlock(&c->lock);
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run every model with @jobs threads; progress on stderr when @progress. */
static int run_all(track_ctx *c, int jobs, int progress)
{
    pthread_t th[TRACK_MAX_JOBS];
    int started = 0;
    double t0 = now_s();

    if ((size_t)jobs > c->n_todo)
        jobs = c->n_todo > 0 ? (int)c->n_todo : 1;
    for (int i = 0; i < jobs; i++) {
        if (pthread_create(&th[i], NULL, worker, c) != 0)
            break;
        started++;
    }
    if (started == 0) {
        cli_errorf("track: cannot start a thread");
        return CLI_EXIT_RUNTIME;
    }
    pthread_mutex_lock(&c->lock);
    while (c->n_done < c->n_todo) {
        struct timespec until;
        if (progress) {
            fprintf(stderr, "\rsimdepth: track: %zu/%zu models, %zu failed, %.0f s", c->n_done,
                    c->n_todo, c->n_failed, now_s() - t0);
            fflush(stderr);
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&c->cond, &c->lock, &until);
    }
    pthread_mutex_unlock(&c->lock);
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    if (progress)
        fprintf(stderr, "\rsimdepth: track: %zu/%zu models, %zu failed, %.0f s\n", c->n_done,
                c->n_todo, c->n_failed, now_s() - t0);
    return CLI_EXIT_OK;
}

static const char *const comp_cols[4] = {
    "direct_perceived_in_confusion", "direct_confusion_explained",
    "extended_perceived_in_confusion", "extended_confusion_explained"};

static int build_table(const track_opts *o, const track_ctx *c, table *t)
{
    char col[64];
    const simdepth_manifest *man = c->man;

    if (table_add_col(t, "index") || table_add_col(t, "name") || table_add_col(t, "status"))
        return -1;
    for (int k = 0; k < o->n_methods; k++) {
        snprintf(col, sizeof col, "sd_%s", o->methods[k].col);
        if (table_add_col(t, col))
            return -1;
        snprintf(col, sizeof col, "clusters_%s", o->methods[k].col);
        if (table_add_col(t, col))
            return -1;
    }
    if (table_add_col(t, "mean_wup") || table_add_col(t, "converged") ||
        table_add_col(t, "sd_confusion") || table_add_col(t, "clusters_confusion") ||
        table_add_col(t, "common_edges"))
        return -1;
    for (int k = 0; k < 4; k++)
        if (table_add_col(t, comp_cols[k]))
            return -1;
    if (table_add_col(t, "accuracy") || table_add_col(t, "epoch") || table_add_col(t, "line") ||
        table_add_col(t, "error"))
        return -1;
    for (size_t i = 0; i < c->n_todo; i++) {
        const simdepth_model_spec *s = &man->models[c->todo[i]];
        const track_result *r = &c->res[i];
        char **row = table_add_row(t);
        int j = 0, bad = 0;
        if (row == NULL)
            return -1;
        bad |= set_cell(row, j++, "%zu", c->todo[i] + 1);
        bad |= set_cell(row, j++, "%s", s->name);
        bad |= set_cell(row, j++, "%s", r->failed ? "error" : "ok");
        for (int k = 0; k < o->n_methods; k++) {
            bad |= set_num(row, j++, r->failed ? NAN : r->sd[k]);
            if (r->failed)
                bad |= set_cell(row, j++, "%s", "");
            else
                bad |= set_cell(row, j++, "%zu", r->clusters[k]);
        }
        bad |= set_num(row, j++, r->failed ? NAN : r->mean_wup);
        bad |= set_cell(row, j++, "%s", r->failed ? "" : r->converged ? "1" : "0");
        if (!r->failed && r->has_conf) {
            bad |= set_num(row, j++, r->sd_conf);
            bad |= set_cell(row, j++, "%zu", r->clusters_conf);
            bad |= set_cell(row, j++, "%zu", r->comp.common_edges);
            bad |= set_num(row, j++, r->comp.direct_perceived_in_confusion);
            bad |= set_num(row, j++, r->comp.direct_confusion_explained);
            bad |= set_num(row, j++, r->comp.extended_perceived_in_confusion);
            bad |= set_num(row, j++, r->comp.extended_confusion_explained);
        } else {
            for (int k = 0; k < 7; k++)
                bad |= set_cell(row, j++, "%s", "");
        }
        bad |= set_num(row, j++, s->accuracy);
        bad |= set_num(row, j++, s->epoch);
        bad |= set_cell(row, j++, "%zu", s->line);
        bad |= set_cell(row, j++, "%s", r->failed ? r->fail.msg : "");
        if (bad)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ plots */

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

static double cell_num(const table *t, size_t i, int col)
{
    char *end;
    double x;

    if (col < 0 || t->rows[i][col] == NULL || t->rows[i][col][0] == '\0')
        return NAN;
    x = strtod(t->rows[i][col], &end);
    return *end == '\0' ? x : NAN;
}

/* The trailing number of a checkpoint name ("ep10", "epoch-050"), or NaN. */
static double name_epoch(const char *name)
{
    size_t n = strlen(name), k = n;

    while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
        k--;
    if (k == n || n - k > 15)
        return NAN;
    return strtod(name + k, NULL);
}

static int cmp_point_x(const void *a, const void *b)
{
    const simdepth_plot_point *p = a, *q = b;

    return p->x < q->x ? -1 : p->x > q->x;
}

static int render_plot(const track_opts *o, simdepth_theme *theme, const char *file,
                       const simdepth_plot *plot)
{
    char path[4400];
    simdepth_render_options ro = o->ro;
    simdepth_error err;
    cli_output out;

    snprintf(path, sizeof path, "%s/%s.%s", o->plots, file,
             simdepth_image_format_name((simdepth_image_format)o->image_format));
    ro.format = (simdepth_image_format)o->image_format;
    ro.theme = theme;
    ro.provenance = "simdepth track";
    if (cli_output_open(&out, path, &err) != 0) {
        cli_report_error(&err, path);
        return CLI_EXIT_RUNTIME;
    }
    if (simdepth_render_plot_write(out.f, plot, &ro, &err) != SIMDEPTH_OK) {
        cli_output_abort(&out);
        cli_report_error(&err, path);
        return CLI_EXIT_RUNTIME;
    }
    if (cli_output_commit(&out, &err) != 0) {
        cli_report_error(&err, path);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* The paper's plots from the table @t (track's own or merged): SD of the
 * first method against each compliance measure and against accuracy, and
 * over epochs (explicit epoch= for every model, else the trailing numbers
 * of every name). A plot without two finite points is not written. */
static int write_plots(const track_opts *o, const table *t, simdepth_theme *theme)
{
    static const char *const comp_titles[4] = {
        "direct compliance: perceived edges in the confusion graph",
        "direct compliance: confusion edges explained",
        "extended compliance: perceived edges inside confusion clusters",
        "extended compliance: confusion edges inside perceived clusters"};
    static const char *const comp_files[4] = {
        "sd-vs-direct-perceived-in-confusion", "sd-vs-direct-confusion-explained",
        "sd-vs-extended-perceived-in-confusion", "sd-vs-extended-confusion-explained"};
    simdepth_plot_point *pts = NULL;
    int sd_col = -1, name_col = table_col(t, "name"), status_col = table_col(t, "status");
    char ylabel[128];
    int rc = CLI_EXIT_OK;

    for (size_t j = 0; j < t->n_cols && sd_col < 0; j++)
        if (strncmp(t->cols[j], "sd_", 3) == 0 && strcmp(t->cols[j], "sd_confusion") != 0)
            sd_col = (int)j;
    if (sd_col < 0 || name_col < 0) {
        cli_errorf("track: the table has no sd_METHOD or name column; no plots");
        return CLI_EXIT_INPUT;
    }
    snprintf(ylabel, sizeof ylabel, "Similarity Depth (%s)", t->cols[sd_col] + 3);
    rc = ensure_dir(o->plots);
    if (rc != CLI_EXIT_OK)
        return rc;
    pts = calloc(t->n_rows ? t->n_rows : 1, sizeof *pts);
    if (pts == NULL) {
        cli_errorf("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    for (int p = 0; p < 6 && rc == CLI_EXIT_OK; p++) {
        simdepth_plot plot;
        size_t np = 0;
        int xcol = p < 4 ? table_col(t, comp_cols[p]) : p == 4 ? table_col(t, "accuracy") : -1;
        int epoch_col = table_col(t, "epoch"), all_epochs = 1, all_names = 1;

        if (p == 5) {
            for (size_t i = 0; i < t->n_rows; i++) {
                if (status_col >= 0 && strcmp(t->rows[i][status_col], "ok") != 0)
                    continue;
                all_epochs &= isfinite(cell_num(t, i, epoch_col));
                all_names &= isfinite(name_epoch(t->rows[i][name_col]));
            }
        }
        for (size_t i = 0; i < t->n_rows; i++) {
            double x, y = cell_num(t, i, sd_col);
            if (p < 5)
                x = cell_num(t, i, xcol);
            else if (all_epochs)
                x = cell_num(t, i, epoch_col);
            else if (all_names)
                x = name_epoch(t->rows[i][name_col]);
            else
                x = NAN;
            if (!isfinite(x) || !isfinite(y))
                continue;
            pts[np].label = t->rows[i][name_col];
            pts[np].x = x;
            pts[np].y = y;
            np++;
        }
        if (np < 2)
            continue;
        memset(&plot, 0, sizeof plot);
        plot.points = pts;
        plot.n_points = np;
        plot.y_label = ylabel;
        if (p < 4) {
            plot.x_label = comp_titles[p];
            plot.title = "Similarity Depth against compliance";
        } else if (p == 4) {
            plot.x_label = "accuracy";
            plot.title = "Similarity Depth against accuracy";
        } else {
            qsort(pts, np, sizeof *pts, cmp_point_x);
            plot.x_label = "epoch";
            plot.title = "Similarity Depth over epochs";
            plot.lines = 1;
        }
        rc = render_plot(o, theme, p < 4 ? comp_files[p] : p == 4 ? "sd-vs-accuracy"
                                                                  : "sd-over-epochs",
                         &plot);
    }
    free(pts);
    return rc;
}

/* ------------------------------------------------------------ merge */

typedef struct row_ref {
    long index;
    size_t file;
    char **row;
} row_ref;

static int cmp_row_ref(const void *a, const void *b)
{
    const row_ref *p = a, *q = b;

    return p->index < q->index ? -1 : p->index > q->index;
}

static int merge_tables(const track_opts *o, table *merged)
{
    table *in = calloc((size_t)o->n_inputs, sizeof *in);
    row_ref *refs = NULL;
    size_t n_refs = 0;
    int rc = CLI_EXIT_OK;

    if (in == NULL) {
        cli_errorf("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    for (int f = 0; f < o->n_inputs; f++) {
        rc = read_csv(o->inputs[f], &in[f]);
        if (rc != CLI_EXIT_OK)
            goto out;
        if (table_col(&in[f], "index") != 0) {
            cli_errorf("%s:1: no 'index' column first; expected a table written by "
                       "'simdepth track' (CSV)", o->inputs[f]);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
        if (f > 0) {
            int same = in[f].n_cols == in[0].n_cols;
            for (size_t j = 0; same && j < in[f].n_cols; j++)
                same = strcmp(in[f].cols[j], in[0].cols[j]) == 0;
            if (!same) {
                cli_errorf("%s:1: the header differs from %s's; expected the same columns "
                           "(the same --cluster list)", o->inputs[f], o->inputs[0]);
                rc = CLI_EXIT_INPUT;
                goto out;
            }
        }
        n_refs += in[f].n_rows;
    }
    refs = calloc(n_refs ? n_refs : 1, sizeof *refs);
    if (refs == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    n_refs = 0;
    for (int f = 0; f < o->n_inputs; f++)
        for (size_t i = 0; i < in[f].n_rows; i++) {
            char *end;
            long v;
            errno = 0;
            v = strtol(in[f].rows[i][0], &end, 10);
            if (errno != 0 || end == in[f].rows[i][0] || *end != '\0' || v < 1) {
                cli_errorf("%s: row %zu: index '%s'; expected a positive integer", o->inputs[f],
                           i + 1, in[f].rows[i][0]);
                rc = CLI_EXIT_INPUT;
                goto out;
            }
            refs[n_refs].index = v;
            refs[n_refs].file = (size_t)f;
            refs[n_refs].row = in[f].rows[i];
            n_refs++;
        }
    qsort(refs, n_refs, sizeof *refs, cmp_row_ref);
    for (size_t i = 1; i < n_refs; i++)
        if (refs[i].index == refs[i - 1].index) {
            size_t a = refs[i - 1].file, b = refs[i].file;
            if (a > b) {
                size_t tmp = a;
                a = b;
                b = tmp;
            }
            cli_errorf("model %ld appears in %s and in %s; expected disjoint shards",
                       refs[i].index, o->inputs[a], o->inputs[b]);
            rc = CLI_EXIT_INPUT;
            goto out;
        }
    for (size_t j = 0; j < in[0].n_cols; j++)
        if (table_add_col(merged, in[0].cols[j]) != 0)
            goto nomem;
    for (size_t i = 0; i < n_refs; i++) {
        char **row = table_add_row(merged);
        if (row == NULL)
            goto nomem;
        for (size_t j = 0; j < merged->n_cols; j++)
            if (set_cell(row, (int)j, "%s", refs[i].row[j]) != 0)
                goto nomem;
    }
    goto out;
nomem:
    cli_errorf("out of memory");
    rc = CLI_EXIT_RUNTIME;
out:
    for (int f = 0; f < o->n_inputs; f++)
        table_free(&in[f]);
    free(in);
    free(refs);
    return rc;
}

/* ------------------------------------------------------------ main */

int cli_cmd_track(int argc, char **argv)
{
    track_opts o;
    simdepth_manifest *man = NULL;
    simdepth_theme *theme = NULL;
    simdepth_error err;
    cli_shared sh;
    cli_failure fl;
    track_ctx c;
    table t;
    size_t *todo = NULL;
    const char *labels;
    int rc, some_failed = 0;

    memset(&sh, 0, sizeof sh);
    memset(&c, 0, sizeof c);
    memset(&t, 0, sizeof t);
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    simdepth_error_clear(&err);
    if (o.plots != NULL) {
        rc = cli_theme_load(o.theme, &theme, &fl);
        if (rc != CLI_EXIT_OK) {
            cli_errorf("%s", fl.msg);
            goto out;
        }
    }
    if (o.merge) {
        rc = merge_tables(&o, &t);
        if (rc != CLI_EXIT_OK)
            goto out;
        {
            int sc = table_col(&t, "status");
            size_t n_failed = 0;
            for (size_t i = 0; sc >= 0 && i < t.n_rows; i++)
                n_failed += strcmp(t.rows[i][sc], "ok") != 0;
            some_failed = n_failed > 0;
            if (some_failed)
                cli_errorf("track: %zu model%s of the merged table failed (status error)",
                           n_failed, n_failed == 1 ? "" : "s");
        }
        rc = write_table(&o, &t, NULL);
        goto plots;
    }
    if (simdepth_manifest_read(o.manifest, &man, &err) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, o.manifest);
        goto out;
    }
    labels = o.labels;
    for (size_t i = 0; labels == NULL && i < man->n_models; i++)
        labels = man->models[i].labels;
    if (labels == NULL) {
        rc = cli_usage_error("track", "%s", "missing -l LABELS (or labels=FILE in the manifest)");
        goto out;
    }
    rc = cli_shared_load(labels, o.taxonomy, o.wordnet_dir, &sh, &fl);
    if (rc != CLI_EXIT_OK) {
        cli_errorf("%s", fl.msg);
        goto out;
    }
    todo = calloc(man->n_models, sizeof *todo);
    if (todo == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    for (size_t i = 0; i < man->n_models; i++)
        if (o.shard_n == 0 || i % o.shard_n == o.shard_k - 1)
            todo[c.n_todo++] = i;
    c.o = &o;
    c.sh = &sh;
    c.man = man;
    c.todo = todo;
    c.res = calloc(c.n_todo ? c.n_todo : 1, sizeof *c.res);
    if (c.res == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    /* Models analysed side by side already use the processors: affinity
     * propagation then runs each on one thread (same result). */
    if (o.jobs > 1)
        for (int k = 0; k < o.n_methods; k++)
            o.methods[k].an.ap.threads = 1;
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.cond, NULL);
    rc = run_all(&c, o.jobs, !o.quiet && isatty(STDERR_FILENO));
    pthread_cond_destroy(&c.cond);
    pthread_mutex_destroy(&c.lock);
    if (rc != CLI_EXIT_OK)
        goto out;
    for (size_t i = 0; i < c.n_todo; i++) {
        const simdepth_model_spec *s = &man->models[todo[i]];
        if (c.res[i].failed) {
            some_failed = 1;
            cli_errorf("track: %s:%zu: model '%s' failed: %s", o.manifest, s->line, s->name,
                       c.res[i].fail.msg);
        } else if (!o.quiet && c.res[i].realigned) {
            cli_errorf("note: %s:%zu: model '%s': classes reordered from %s to the order of %s",
                       o.manifest, s->line, s->name, s->labels, sh.labels_path);
        }
    }
    if (build_table(&o, &c, &t) != 0) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    rc = write_table(&o, &t, o.manifest);
plots:
    if (rc == CLI_EXIT_OK && o.plots != NULL)
        rc = write_plots(&o, &t, theme);
    if (rc == CLI_EXIT_OK && some_failed)
        rc = EXIT_SOME_FAILED;
out:
    table_free(&t);
    free(c.res);
    free(todo);
    cli_shared_free(&sh);
    simdepth_manifest_free(man);
    simdepth_theme_free(theme);
    return rc;
}
