/* simdepth CLI — loading the models of diff and track: shared labels and
 * taxonomy, model specs realigned to the shared class order, and the
 * options diff and track share with analyze and render. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec.h"

#ifndef SIMDEPTH_THEME_DIR
#define SIMDEPTH_THEME_DIR "/usr/local/share/simdepth/themes"
#endif

int cli_failf(cli_failure *f, int rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(f->msg, sizeof f->msg, fmt, ap);
    va_end(ap);
    f->rc = rc;
    return rc;
}

int cli_fail_error(cli_failure *f, const simdepth_error *err, const char *file)
{
    simdepth_error copy = *err;

    if (copy.file[0] == '\0' && file != NULL)
        snprintf(copy.file, sizeof copy.file, "%s", file);
    simdepth_error_format(&copy, f->msg, sizeof f->msg);
    f->rc = cli_exit_status(err->status);
    return f->rc;
}

int cli_shared_load(const char *labels_path, const char *taxonomy, const char *wordnet_dir,
                    cli_shared *sh, cli_failure *f)
{
    simdepth_error err;
    size_t n;
    int rc = CLI_EXIT_OK;

    memset(sh, 0, sizeof *sh);
    simdepth_error_clear(&err);
    sh->labels_path = labels_path;
    if (simdepth_labels_read(labels_path, &sh->labels, &err) != SIMDEPTH_OK) {
        rc = cli_fail_error(f, &err, labels_path);
        goto fail;
    }
    n = simdepth_labels_count(sh->labels);
    if (n < 2) {
        rc = cli_failf(f, CLI_EXIT_INPUT, "%s: %zu label; expected at least 2 classes",
                       labels_path, n);
        goto fail;
    }
    sh->nodes = calloc(n, sizeof *sh->nodes);
    if (sh->nodes == NULL) {
        rc = cli_failf(f, CLI_EXIT_RUNTIME, "out of memory");
        goto fail;
    }
    if (taxonomy != NULL) {
        if (simdepth_taxonomy_read(taxonomy, &sh->tax, &err) != SIMDEPTH_OK) {
            rc = cli_fail_error(f, &err, taxonomy);
            goto fail;
        }
        snprintf(sh->taxdesc, sizeof sh->taxdesc, "custom taxonomy (%s)", taxonomy);
        if (simdepth_taxonomy_resolve_labels(sh->tax, sh->labels, labels_path, sh->nodes,
                                             &err) != SIMDEPTH_OK) {
            rc = cli_fail_error(f, &err, labels_path);
            goto fail;
        }
        return CLI_EXIT_OK;
    }
    sh->wndir = wordnet_dir ? wordnet_dir : getenv("WNSEARCHDIR");
    if (sh->wndir == NULL || sh->wndir[0] == '\0')
        sh->wndir = SIMDEPTH_WORDNET_DEFAULT_DIR;
    if (simdepth_wordnet_open(sh->wndir, &sh->tax, &err) != SIMDEPTH_OK) {
        rc = cli_fail_error(f, &err, NULL);
        goto fail;
    }
    snprintf(sh->taxdesc, sizeof sh->taxdesc, "WordNet 3.0 (%s)", sh->wndir);
    rc = cli_resolve_wordnet_labels(sh->labels, labels_path, sh->tax, sh->nodes, f);
    if (rc != CLI_EXIT_OK)
        goto fail;
    return CLI_EXIT_OK;
fail:
    cli_shared_free(sh);
    return rc;
}

void cli_shared_free(cli_shared *sh)
{
    free(sh->nodes);
    simdepth_taxonomy_free(sh->tax);
    simdepth_labels_free(sh->labels);
    memset(sh, 0, sizeof *sh);
}

/* ------------------------------------------------------------ realignment */

typedef struct key_ref {
    const char *key;
    size_t index;
} key_ref;

static int cmp_key_ref(const void *x, const void *y)
{
    const key_ref *a = x, *b = y;

    return strcmp(a->key, b->key);
}

static key_ref *sorted_keys(const simdepth_labels *l)
{
    size_t n = simdepth_labels_count(l);
    key_ref *k = calloc(n ? n : 1, sizeof *k);

    if (k == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        k[i].key = simdepth_labels_key(l, i);
        k[i].index = i;
    }
    qsort(k, n, sizeof *k, cmp_key_ref);
    return k;
}

/* Append "a, b, c (and N more)" of the keys in @list (@n of them). */
static void list_keys(char *buf, size_t size, const char *const *list, size_t n)
{
    size_t used = strlen(buf), shown = n < 8 ? n : 8;

    for (size_t i = 0; i < shown && used < size; i++) {
        snprintf(buf + used, size - used, "%s'%s'", i ? ", " : "", list[i]);
        used = strlen(buf);
    }
    if (n > shown && used < size)
        snprintf(buf + used, size - used, " (and %zu more)", n - shown);
}

/* perm[i] = the shared index of the model's class i, or a failure naming
 * the labels that differ. */
static int match_labels(const simdepth_labels *own, const char *own_path,
                        const simdepth_labels *ref, const char *ref_path, size_t *perm,
                        cli_failure *f)
{
    size_t n_own = simdepth_labels_count(own), n_ref = simdepth_labels_count(ref);
    key_ref *a = sorted_keys(own), *b = sorted_keys(ref);
    const char **only_own = calloc(n_own + 1, sizeof *only_own);
    const char **only_ref = calloc(n_ref + 1, sizeof *only_ref);
    size_t i = 0, j = 0, no = 0, nr = 0;
    int rc = CLI_EXIT_OK;

    if (a == NULL || b == NULL || only_own == NULL || only_ref == NULL) {
        rc = cli_failf(f, CLI_EXIT_RUNTIME, "out of memory");
        goto out;
    }
    while (i < n_own || j < n_ref) {
        int c = i >= n_own ? 1 : j >= n_ref ? -1 : strcmp(a[i].key, b[j].key);
        if (c == 0) {
            /* perm has n_ref entries; a larger own file is a mismatch,
             * reported below, but its matches must not write past them */
            if (a[i].index < n_ref)
                perm[a[i].index] = b[j].index;
            i++;
            j++;
        } else if (c < 0) {
            only_own[no++] = a[i++].key;
        } else {
            only_ref[nr++] = b[j++].key;
        }
    }
    if (no > 0 || nr > 0) {
        char msg[1100];
        snprintf(msg, sizeof msg, "%s: the classes differ from %s's (%zu vs %zu labels)",
                 own_path, ref_path, n_own, n_ref);
        if (no > 0) {
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "; only in %s: ", own_path);
            list_keys(msg, sizeof msg, only_own, no);
        }
        if (nr > 0) {
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "; only in %s: ", ref_path);
            list_keys(msg, sizeof msg, only_ref, nr);
        }
        rc = cli_failf(f, CLI_EXIT_INPUT, "%s; expected the same classes (in any order)", msg);
    }
out:
    free(a);
    free(b);
    free(only_own);
    free(only_ref);
    return rc;
}

/* out[perm[i]][perm[j]] = in[i][j]. */
static int permute(const simdepth_matrix *in, const size_t *perm, simdepth_matrix **out,
                   cli_failure *f)
{
    size_t n = simdepth_matrix_rows(in);
    simdepth_matrix *m = NULL;
    simdepth_error err;

    simdepth_error_clear(&err);
    if (simdepth_matrix_new(n, n, simdepth_matrix_dtype(in), &m, &err) != SIMDEPTH_OK)
        return cli_fail_error(f, &err, NULL);
    if (simdepth_matrix_dtype(in) == SIMDEPTH_F32) {
        const float *s = simdepth_matrix_cdata(in);
        float *d = simdepth_matrix_data(m);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                d[perm[i] * n + perm[j]] = s[i * n + j];
    } else {
        const double *s = simdepth_matrix_cdata(in);
        double *d = simdepth_matrix_data(m);
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                d[perm[i] * n + perm[j]] = s[i * n + j];
    }
    *out = m;
    return CLI_EXIT_OK;
}

static int realign(simdepth_matrix **m, const size_t *perm, cli_failure *f)
{
    simdepth_matrix *p = NULL;
    int rc;

    if (*m == NULL)
        return CLI_EXIT_OK;
    rc = permute(*m, perm, &p, f);
    if (rc != CLI_EXIT_OK)
        return rc;
    simdepth_matrix_free(*m);
    *m = p;
    return CLI_EXIT_OK;
}

int cli_spec_model_load(const simdepth_model_spec *spec, const cli_shared *sh,
                        cli_spec_model *m, cli_failure *f)
{
    simdepth_labels *own = NULL;
    size_t *perm = NULL;
    size_t n = simdepth_labels_count(sh->labels);
    const char *labels_path = sh->labels_path;
    char weights_file[4096];
    simdepth_error err;
    int rc;

    memset(m, 0, sizeof *m);
    simdepth_error_clear(&err);
    if (spec->labels != NULL) {
        if (simdepth_labels_read(spec->labels, &own, &err) != SIMDEPTH_OK) {
            rc = cli_fail_error(f, &err, spec->labels);
            goto out;
        }
        perm = calloc(n, sizeof *perm);
        if (perm == NULL) {
            rc = cli_failf(f, CLI_EXIT_RUNTIME, "out of memory");
            goto out;
        }
        rc = match_labels(own, spec->labels, sh->labels, sh->labels_path, perm, f);
        if (rc != CLI_EXIT_OK)
            goto out;
        for (size_t i = 0; i < n; i++)
            m->realigned |= perm[i] != i;
        labels_path = spec->labels;
    }
    rc = cli_similarity_load(spec->weights, spec->similarity, n, labels_path, &m->sim,
                             m->tensor_used, sizeof m->tensor_used, weights_file,
                             sizeof weights_file, m->note, sizeof m->note, NULL, f);
    if (rc != CLI_EXIT_OK)
        goto out;
    if (spec->confusion != NULL) {
        rc = cli_confusion_load(spec->confusion, n, &m->conf, f);
        if (rc != CLI_EXIT_OK)
            goto out;
    }
    if (m->realigned) {
        rc = realign(&m->sim, perm, f);
        if (rc == CLI_EXIT_OK)
            rc = realign(&m->conf, perm, f);
    }
out:
    if (rc != CLI_EXIT_OK)
        cli_spec_model_free(m);
    free(perm);
    simdepth_labels_free(own);
    return rc;
}

void cli_spec_model_free(cli_spec_model *m)
{
    simdepth_matrix_free(m->sim);
    simdepth_matrix_free(m->conf);
    memset(m, 0, sizeof *m);
}

/* ------------------------------------------------------------ options */

int cli_spec_method_option(const char *cmd, const char *name, const char *arg,
                           simdepth_analysis_options *an, int *rc)
{
    static const char *const shared[] = {"scaling",  "lcs",      "preference",
                                         "damping",  "max-iter", "convergence-iter"};

    *rc = 0;
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++)
        if (strcmp(name, shared[i]) == 0) {
            if (cli_method_option(cmd, name, arg, an) != 0)
                *rc = CLI_EXIT_INPUT;
            return 1;
        }
    if (strcmp(name, "seed") == 0) {
        char *end;
        unsigned long v;
        errno = 0;
        v = strtoul(arg, &end, 10);
        if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-')
            *rc = cli_usage_error(cmd, "--seed '%s': expected a non-negative integer", arg);
        else
            an->seed = v;
        return 1;
    }
    if (strcmp(name, "resolution") == 0) {
        if (cli_parse_double(arg, &an->resolution) != 0 || !(an->resolution > 0))
            *rc = cli_usage_error(cmd, "--resolution '%s': expected a positive number", arg);
        return 1;
    }
    if (strcmp(name, "linkage") == 0) {
        if (simdepth_linkage_method_parse(arg, &an->linkage, NULL) != SIMDEPTH_OK)
            *rc = cli_usage_error(cmd, "--linkage '%s': expected single, complete, average, "
                                       "weighted, centroid, median or ward", arg);
        return 1;
    }
    return 0;
}

int cli_parse_cluster_method(const char *s, simdepth_analysis_options *an)
{
    if (strcmp(s, "ap") == 0 || strcmp(s, "affinity") == 0)
        an->cluster = SIMDEPTH_CLUSTER_AFFINITY;
    else if (strcmp(s, "louvain") == 0)
        an->cluster = SIMDEPTH_CLUSTER_LOUVAIN;
    else if (strcmp(s, "leiden") == 0)
        an->cluster = SIMDEPTH_CLUSTER_LEIDEN;
    else if (strcmp(s, "optics") == 0)
        an->cluster = SIMDEPTH_CLUSTER_OPTICS;
    else if (strcmp(s, "hdbscan") == 0)
        an->cluster = SIMDEPTH_CLUSTER_HDBSCAN;
    else if (strcmp(s, "none") == 0)
        an->cluster = SIMDEPTH_CLUSTER_NONE;
    else if (strncmp(s, "cut:", 4) == 0) {
        char *end;
        unsigned long k;
        errno = 0;
        k = strtoul(s + 4, &end, 10);
        if (errno != 0 || end == s + 4 || *end != '\0' || k == 0 || s[4] == '-')
            return -1;
        an->cluster = SIMDEPTH_CLUSTER_CUT;
        an->cut_k = (size_t)k;
    } else
        return -1;
    return 0;
}

int cli_theme_load(const char *name, simdepth_theme **out, cli_failure *f)
{
    char search[8192];
    const char *env = getenv("SIMDEPTH_THEME_PATH");
    simdepth_error err;

    simdepth_error_clear(&err);
    snprintf(search, sizeof search, "%s%s%s", env && env[0] ? env : "", env && env[0] ? ":" : "",
             SIMDEPTH_THEME_DIR);
    if (simdepth_theme_load(name ? name : "default", search, out, &err) != SIMDEPTH_OK)
        return cli_fail_error(f, &err, NULL);
    return CLI_EXIT_OK;
}

int cli_figure_size_option(const char *cmd, const char *name, const char *arg,
                           simdepth_render_options *ro)
{
    simdepth_error e;
    double dv;

    simdepth_error_clear(&e);
    if (strcmp(name, "width") == 0 || strcmp(name, "height") == 0) {
        if (simdepth_length_parse(arg, name[0] == 'w' ? &ro->width : &ro->height, &e) !=
            SIMDEPTH_OK) {
            cli_usage_error(cmd, "--%s: %s", name, e.message);
            return -1;
        }
    } else if (strcmp(name, "size") == 0) {
        if (simdepth_size_preset_find(arg, &ro->width, &e) != SIMDEPTH_OK) {
            cli_usage_error(cmd, "--size: %s", e.message);
            return -1;
        }
    } else if (strcmp(name, "dpi") == 0) {
        if (cli_parse_double(arg, &dv) != 0 || dv < 10 || dv > 4800) {
            cli_usage_error(cmd, "--dpi '%s': expected a number from 10 to 4800", arg);
            return -1;
        }
        ro->dpi = dv;
    } else {
        cli_usage_error(cmd, "unknown figure option '--%s'", name);
        return -1;
    }
    return 0;
}

int cli_source_date_epoch(const char *cmd, simdepth_render_options *ro)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");

    if (sde != NULL && sde[0] != '\0') {
        char *end;
        long long t;
        errno = 0;
        t = strtoll(sde, &end, 10);
        if (errno != 0 || *end != '\0' || t < 0) {
            cli_usage_error(cmd, "SOURCE_DATE_EPOCH '%s': expected seconds since 1970", sde);
            return -1;
        }
        ro->timestamp = t;
    }
    return 0;
}
