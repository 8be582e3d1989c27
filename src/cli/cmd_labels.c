/* simdepth CLI — the labels command: map plain class names to WordNet noun
 * synsets and write a labels file that 'simdepth analyze' reads. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "simdepth/wnmap.h"

static void labels_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth labels [options] NAMES\n\n"
            "Map class names (one per line) to WordNet 3.0 noun synsets and write a labels\n"
            "file of 'wnid name' lines for 'simdepth analyze -l'. Plurals, case, spaces,\n"
            "hyphens and underscores are handled as NLTK's wn.synsets(name, pos='n');\n"
            "the first sense is used unless an override says otherwise.\n\n"
            "  -o, --output FILE        the labels file (default: standard output)\n"
            "      --overrides FILE     'name<TAB>wnid' or 'name<TAB>synset.n.NN' lines\n"
            "      --report FILE        every name with its candidate senses and glosses\n"
            "      --report-format text|json  (default text)\n"
            "      --wordnet-dir DIR    the WordNet database (default $WNSEARCHDIR or\n"
            "                           " SIMDEPTH_WORDNET_DEFAULT_DIR ")\n"
            "  -q, --quiet              no notes about ambiguous names\n"
            "  -h, --help               show this help\n\n"
            "Exit status: 0 success, 1 runtime error, 2 usage error, bad input or an\n"
            "unmappable name (then no labels file is written). See simdepth-labels(1).\n");
}

typedef enum { ST_MAPPED, ST_AMBIGUOUS, ST_OVERRIDE, ST_UNMAPPABLE } name_status;

static const char *const status_names[] = {"mapped", "ambiguous", "override",
                                           "unmappable"};

typedef struct name_row {
    char *text;   /* the line as given, trimmed */
    long line;
    name_status status;
    simdepth_wnmap_result res;    /* the candidates (lookup) */
    simdepth_wnmap_sense chosen;  /* valid unless unmappable */
} name_row;

typedef struct override_row {
    char key[256];
    long line;
    int used;
    simdepth_wnmap_sense sense;
} override_row;

/* Lines of a text file; each trimmed, with its 1-based line number; blank
 * lines and (if @comments) '#' lines skipped. Returns 0 or -1 (message
 * printed). */
typedef struct text_line {
    char *s;
    long line;
} text_line;

static char *trim(char *s)
{
    char *e = s + strlen(s);

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    *e = '\0';
    return s;
}

static int read_lines(const char *path, int comments, text_line **out, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t cap = 0, n = 0, cap_l = 0;
    text_line *l = NULL;
    long lineno = 0;
    ssize_t got;

    if (f == NULL) {
        cli_errorf("labels: cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    while ((got = getline(&buf, &cap, f)) != -1) {
        char *s;

        lineno++;
        if (memchr(buf, '\0', (size_t)got) != NULL) {
            cli_errorf("labels: %s:%ld: NUL byte in a text file", path, lineno);
            goto fail;
        }
        s = trim(buf);
        if (*s == '\0' || (comments && *s == '#'))
            continue;
        if (n == cap_l) {
            size_t c2 = cap_l ? cap_l * 2 : 64;
            text_line *l2 = realloc(l, c2 * sizeof *l);

            if (l2 == NULL)
                goto nomem;
            l = l2;
            cap_l = c2;
        }
        if ((l[n].s = strdup(s)) == NULL)
            goto nomem;
        l[n++].line = lineno;
    }
    if (ferror(f)) {
        cli_errorf("labels: cannot read '%s'", path);
        goto fail;
    }
    free(buf);
    fclose(f);
    *out = l;
    *n_out = n;
    return 0;
nomem:
    cli_errorf("labels: out of memory reading '%s'", path);
fail:
    while (n > 0)
        free(l[--n].s);
    free(l);
    free(buf);
    fclose(f);
    return -1;
}

static void free_lines(text_line *l, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(l[i].s);
    free(l);
}

/* Parse the overrides file: returns 0, or an exit status (message printed). */
static int read_overrides(const char *path, const simdepth_wnmap *map,
                          override_row **out, size_t *n_out)
{
    text_line *l = NULL;
    size_t n = 0, i, j;
    override_row *o;
    int rc = CLI_EXIT_OK;

    if (read_lines(path, 1, &l, &n) != 0)
        return CLI_EXIT_INPUT;
    o = calloc(n ? n : 1, sizeof *o);
    if (o == NULL) {
        free_lines(l, n);
        cli_errorf("labels: out of memory");
        return CLI_EXIT_RUNTIME;
    }
    for (i = 0; i < n && rc == CLI_EXIT_OK; i++) {
        char *tab = strchr(l[i].s, '\t'), *name, *spec;
        simdepth_error err;

        if (tab == NULL) {
            cli_errorf("labels: %s:%ld: expected NAME<TAB>WNID or NAME<TAB>SYNSET.n.NN",
                       path, l[i].line);
            rc = CLI_EXIT_INPUT;
            break;
        }
        *tab = '\0';
        name = trim(l[i].s);
        spec = trim(tab + 1);
        o[i].line = l[i].line;
        if (*name == '\0' ||
            simdepth_wnmap_key(name, o[i].key, sizeof o[i].key) >= sizeof o[i].key) {
            cli_errorf("labels: %s:%ld: empty or overlong class name", path, l[i].line);
            rc = CLI_EXIT_INPUT;
            break;
        }
        for (j = 0; j < i; j++) {
            if (strcmp(o[j].key, o[i].key) == 0) {
                cli_errorf("labels: %s:%ld: '%s' is overridden again (first on line %ld)",
                           path, l[i].line, name, o[j].line);
                rc = CLI_EXIT_INPUT;
                break;
            }
        }
        simdepth_error_clear(&err);
        if (rc == CLI_EXIT_OK &&
            simdepth_wnmap_synset(map, spec, &o[i].sense, &err) != SIMDEPTH_OK) {
            cli_errorf("labels: %s:%ld: %s", path, l[i].line, err.message);
            rc = cli_exit_status(err.status);
        }
    }
    free_lines(l, n);
    if (rc != CLI_EXIT_OK) {
        free(o);
        return rc;
    }
    *out = o;
    *n_out = n;
    return CLI_EXIT_OK;
}

static void print_label_name(FILE *f, const char *s)
{
    int in_space = 0;

    for (; *s; s++) {
        if (*s == ' ' || *s == '\t') {
            in_space = 1;
            continue;
        }
        if (in_space)
            fputc('_', f);
        in_space = 0;
        fputc(*s, f);
    }
}

static json_t *sense_json(const simdepth_wnmap_sense *s)
{
    json_t *o = json_object();

    json_object_set_new(o, "wnid", json_string(s->wnid));
    json_object_set_new(o, "synset", json_string(s->name));
    json_object_set_new(o, "lemma", json_string(s->lemma));
    json_object_set_new(o, "gloss", json_string(s->gloss));
    return o;
}

static int write_report(const char *path, int json, const char *names_path,
                        const name_row *rows, size_t n)
{
    cli_output out;
    simdepth_error err;
    size_t i, k;
    int rc = CLI_EXIT_OK;

    simdepth_error_clear(&err);
    if (cli_output_open(&out, path, &err) != 0)
        return cli_report_error(&err, path);
    if (json) {
        json_t *root = json_object(), *arr = json_array();

        for (i = 0; i < n; i++) {
            json_t *o = json_object(), *cand = json_array();

            json_object_set_new(o, "line", json_integer(rows[i].line));
            json_object_set_new(o, "name", json_string(rows[i].text));
            json_object_set_new(o, "status", json_string(status_names[rows[i].status]));
            json_object_set_new(o, "chosen", rows[i].status == ST_UNMAPPABLE
                                                 ? json_null()
                                                 : sense_json(&rows[i].chosen));
            for (k = 0; k < rows[i].res.n; k++)
                json_array_append_new(cand, sense_json(&rows[i].res.senses[k]));
            json_object_set_new(o, "candidates", cand);
            json_array_append_new(arr, o);
        }
        json_object_set_new(root, "names", json_string(names_path));
        json_object_set_new(root, "classes", arr);
        if (json_dumpf(root, out.f, JSON_INDENT(2)) != 0)
            rc = CLI_EXIT_RUNTIME;
        fputc('\n', out.f);
        json_decref(root);
    } else {
        fprintf(out.f, "# simdepth labels report for %s\n"
                       "# LINE<TAB>NAME<TAB>STATUS<TAB>SENSES, then one line per candidate\n"
                       "# sense: '*' (used) or '-', wnid, synset, gloss\n",
                names_path);
        for (i = 0; i < n; i++) {
            const name_row *r = &rows[i];

            fprintf(out.f, "%ld\t%s\t%s\t%zu\n", r->line, r->text, status_names[r->status],
                    r->res.n);
            if (r->status == ST_OVERRIDE)
                fprintf(out.f, "*\t%s\t%s\t%s\n", r->chosen.wnid, r->chosen.name,
                        r->chosen.gloss);
            for (k = 0; k < r->res.n; k++) {
                const simdepth_wnmap_sense *s = &r->res.senses[k];
                int used = r->status != ST_OVERRIDE && r->status != ST_UNMAPPABLE && k == 0;

                fprintf(out.f, "%c\t%s\t%s\t%s\n", used ? '*' : '-', s->wnid, s->name,
                        s->gloss);
            }
        }
    }
    if (rc != CLI_EXIT_OK || ferror(out.f)) {
        cli_output_abort(&out);
        cli_errorf("labels: cannot write the report '%s'", path);
        return CLI_EXIT_RUNTIME;
    }
    if (cli_output_commit(&out, &err) != 0)
        return cli_report_error(&err, path);
    return CLI_EXIT_OK;
}

typedef struct labels_opts {
    const char *names, *output, *overrides, *report, *wndir;
    int json, quiet;
} labels_opts;

static int parse_args(int argc, char **argv, labels_opts *o)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"overrides", required_argument, NULL, 'O'},
        {"report", required_argument, NULL, 'R'},
        {"report-format", required_argument, NULL, 'F'},
        {"wordnet-dir", required_argument, NULL, 'W'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;

    memset(o, 0, sizeof *o);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case 'O':
            o->overrides = optarg;
            break;
        case 'R':
            o->report = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "json") == 0)
                o->json = 1;
            else if (strcmp(optarg, "text") != 0)
                return cli_usage_error("labels", "--report-format '%s': expected text or json", optarg);
            break;
        case 'W':
            o->wndir = optarg;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            labels_usage(stdout);
            return -1;
        case ':':
            return cli_usage_error("labels", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("labels", "unknown option '-%c'", optopt);
            return cli_usage_error("labels", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("labels", "%s", optind >= argc ? "missing NAMES" : "expected exactly one NAMES file");
    o->names = argv[optind];
    if (o->report != NULL && o->output != NULL && strcmp(o->report, o->output) == 0)
        return cli_usage_error("labels", "--report and --output name the same file");
    if (o->report != NULL && strcmp(o->report, "-") == 0 &&
        (o->output == NULL || strcmp(o->output, "-") == 0))
        return cli_usage_error("labels", "--report - needs --output FILE (both would go to standard output)");
    return 0;
}

/* Map every name; returns the number of names that block the output. */
static size_t map_names(const labels_opts *o, const simdepth_wnmap *map, name_row *rows,
                        size_t n, override_row *ov, size_t n_ov, int *fatal)
{
    size_t i, j, bad = 0;

    for (i = 0; i < n; i++) {
        name_row *r = &rows[i];
        char key[256];
        simdepth_error err;
        simdepth_status st;

        simdepth_wnmap_key(r->text, key, sizeof key);
        simdepth_error_clear(&err);
        st = simdepth_wnmap_lookup(map, r->text, &r->res, &err);
        if (st == SIMDEPTH_ENOMEM) {
            cli_errorf("labels: out of memory");
            *fatal = CLI_EXIT_RUNTIME;
            return bad + 1;
        }
        for (j = 0; j < n_ov && strcmp(ov[j].key, key) != 0; j++)
            ;
        if (j < n_ov) {
            ov[j].used = 1;
            r->status = ST_OVERRIDE;
            r->chosen = ov[j].sense;
        } else if (st != SIMDEPTH_OK) {
            r->status = ST_UNMAPPABLE;
            bad++;
            cli_errorf("labels: %s:%ld: %s; add '%s<TAB>SYNSET' to an --overrides file",
                       o->names, r->line, err.message, key);
        } else {
            r->chosen = r->res.senses[0];
            r->status = r->res.n > 1 ? ST_AMBIGUOUS : ST_MAPPED;
            if (r->res.n > 1 && !o->quiet)
                cli_errorf("labels: note: %s:%ld: '%s' has %zu noun senses; using %s "
                           "(%s)%s",
                           o->names, r->line, r->text, r->res.n, r->chosen.name,
                           r->chosen.wnid, o->report ? "" : "; see --report");
        }
    }
    /* analyze keys labels by wnid, so two names may not share one. */
    for (i = 0; i < n; i++) {
        if (rows[i].status == ST_UNMAPPABLE)
            continue;
        for (j = 0; j < i; j++) {
            if (rows[j].status != ST_UNMAPPABLE &&
                strcmp(rows[j].chosen.wnid, rows[i].chosen.wnid) == 0) {
                cli_errorf("labels: %s:%ld: '%s' maps to %s (%s) like '%s' on line %ld; "
                           "classes need distinct synsets (use --overrides)",
                           o->names, rows[i].line, rows[i].text, rows[i].chosen.name,
                           rows[i].chosen.wnid, rows[j].text, rows[j].line);
                bad++;
                break;
            }
        }
    }
    for (j = 0; j < n_ov && !o->quiet; j++) {
        if (!ov[j].used)
            cli_errorf("labels: warning: %s:%ld: the override for '%s' matches no name",
                       o->overrides, ov[j].line, ov[j].key);
    }
    return bad;
}

int cli_cmd_labels(int argc, char **argv)
{
    labels_opts o;
    simdepth_wnmap *map = NULL;
    simdepth_error err;
    text_line *lines = NULL;
    name_row *rows = NULL;
    override_row *ov = NULL;
    size_t n = 0, n_ov = 0, i, bad;
    int rc, fatal = 0;
    cli_output out;

    if ((rc = parse_args(argc, argv, &o)) != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (read_lines(o.names, 0, &lines, &n) != 0)
        return CLI_EXIT_INPUT;
    if (n == 0) {
        cli_errorf("labels: %s: no class names", o.names);
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    simdepth_error_clear(&err);
    if (simdepth_wnmap_open(o.wndir, &map, &err) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, NULL);
        goto out;
    }
    if (o.overrides != NULL &&
        (rc = read_overrides(o.overrides, map, &ov, &n_ov)) != CLI_EXIT_OK)
        goto out;
    rows = calloc(n, sizeof *rows);
    if (rows == NULL) {
        cli_errorf("labels: out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    for (i = 0; i < n; i++) {
        rows[i].text = lines[i].s;
        rows[i].line = lines[i].line;
    }
    bad = map_names(&o, map, rows, n, ov, n_ov, &fatal);
    if (fatal) {
        rc = fatal;
        goto out;
    }
    if (o.report != NULL && (rc = write_report(o.report, o.json, o.names, rows, n)) != 0)
        goto out;
    if (bad > 0) {
        rc = CLI_EXIT_INPUT;
        goto out;
    }
    if (cli_output_open(&out, o.output, &err) != 0) {
        rc = cli_report_error(&err, o.output);
        goto out;
    }
    for (i = 0; i < n; i++) {
        fprintf(out.f, "%s ", rows[i].chosen.wnid);
        print_label_name(out.f, rows[i].text);
        fputc('\n', out.f);
    }
    if (ferror(out.f)) {
        cli_output_abort(&out);
        cli_errorf("labels: cannot write '%s'", o.output ? o.output : "-");
        rc = CLI_EXIT_RUNTIME;
        goto out;
    }
    if (cli_output_commit(&out, &err) != 0) {
        rc = cli_report_error(&err, o.output);
        goto out;
    }
    rc = CLI_EXIT_OK;
out:
    if (rows != NULL) {
        for (i = 0; i < n; i++)
            simdepth_wnmap_result_clear(&rows[i].res);
    }
    free(rows);
    free(ov);
    free_lines(lines, n);
    simdepth_wnmap_free(map);
    return rc;
}
