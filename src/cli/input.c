/* simdepth CLI — loading a model's inputs (shared by analyze, render, tree,
 * diff and track). Loading functions fill a cli_failure instead of
 * printing, so that track's worker threads can keep messages per model. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "spec.h"

const char *cli_base_name(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/'), *b = slash ? slash + 1 : path;
    const char *dot = strrchr(b, '.');
    size_t n = dot && dot != b ? (size_t)(dot - b) : strlen(b);

    if (n >= size)
        n = size - 1;
    memcpy(buf, b, n);
    buf[n] = '\0';
    return buf;
}

static int is_text_matrix(const char *path)
{
    return cli_ends_with(path, ".csv") || cli_ends_with(path, ".tsv") || cli_ends_with(path, ".txt") ||
           cli_ends_with(path, ".CSV") || cli_ends_with(path, ".TSV");
}

/* Split "FILE:TENSOR": the whole spec when it names an existing file, else
 * the part before the last ':' when that exists. */
static void split_spec(const char *spec, char *path, size_t size, const char **tensor)
{
    const char *colon = strrchr(spec, ':');

    snprintf(path, size, "%s", spec);
    *tensor = NULL;
    if (access(spec, F_OK) == 0 || colon == NULL || colon == spec || colon[1] == '\0')
        return;
    if ((size_t)(colon - spec) < size) {
        char prefix[4096];
        memcpy(prefix, spec, (size_t)(colon - spec));
        prefix[colon - spec] = '\0';
        if (access(prefix, F_OK) == 0) {
            snprintf(path, size, "%s", prefix);
            *tensor = colon + 1;
        }
    }
}

/* Load the class templates from a tensor file or a text matrix; the note
 * says which tensor was used. */
int cli_templates_load(const char *spec, size_t n_classes, simdepth_matrix **out, char *used,
                       size_t used_size, char *path, size_t path_size, char *note,
                       size_t note_size, cli_failure *fl)
{
    const char *tensor;
    simdepth_tensor_file *f = NULL;
    simdepth_error err;
    size_t idx;
    char why[200] = "";
    const simdepth_tensor_info *t;
    int rc = CLI_EXIT_OK;

    split_spec(spec, path, path_size, &tensor);
    simdepth_error_clear(&err);
    used[0] = '\0';
    if (is_text_matrix(path)) {
        if (tensor != NULL)
            return cli_failf(fl, CLI_EXIT_INPUT,
                             "%s: a text matrix has no tensor '%s'; expected FILE without :TENSOR",
                             path, tensor);
        if (simdepth_csv_read(path, out, &err) != SIMDEPTH_OK)
            return cli_fail_error(fl, &err, path);
        return CLI_EXIT_OK;
    }
    if ((cli_ends_with(path, ".npy") || cli_ends_with(path, ".NPY")) && tensor == NULL) {
        /* A .npy name promises NumPy content: its reader gives the more
         * precise messages. */
        if (simdepth_npy_read(path, out, &err) != SIMDEPTH_OK)
            return cli_fail_error(fl, &err, path);
        return CLI_EXIT_OK;
    }
    if (simdepth_tensor_file_open(path, &f, &err) != SIMDEPTH_OK)
        return cli_fail_error(fl, &err, path);
    if (tensor != NULL) {
        if (simdepth_tensor_file_find(f, tensor, &idx, &err) != SIMDEPTH_OK) {
            rc = cli_fail_error(fl, &err, path);
            goto out;
        }
        snprintf(why, sizeof why, "named on the command line");
    } else if (simdepth_tensor_file_pick(f, n_classes, &idx, why, sizeof why, &err) !=
               SIMDEPTH_OK) {
        rc = cli_fail_error(fl, &err, path);
        goto out;
    }
    t = simdepth_tensor_file_info(f, idx);
    if (t->ndim != 2) {
        rc = cli_failf(fl, CLI_EXIT_INPUT,
                       "%s: tensor '%s' has %d dimension%s; expected the 2-D weight matrix "
                       "(bias vectors are never class templates)",
                       path, t->name, t->ndim, t->ndim == 1 ? "" : "s");
        goto out;
    }
    if (simdepth_tensor_file_read(f, idx, out, &err) != SIMDEPTH_OK) {
        rc = cli_fail_error(fl, &err, path);
        goto out;
    }
    snprintf(used, used_size, "%s", t->name);
    if (strcmp(simdepth_tensor_file_format(f), "npy") != 0)
        snprintf(note, note_size, "note: using tensor '%s' (%zu x %zu, %s) of %s: %s", t->name,
                 t->shape[0], t->shape[1], simdepth_tensor_dtype_name(t->dtype), path, why);
out:
    simdepth_tensor_file_free(f);
    return rc;
}

/* A similarity matrix whose diagonal holds NaN or infinities (a cosine
 * matrix of zero-norm templates, or one saved with the diagonal masked, as
 * the authors' vitb_init_cosine.npy) is usable: a class's similarity to
 * itself is 1, which is what the analysis sets the diagonal to. Replace
 * the non-finite diagonal entries by 1 and say so; off-diagonal entries are
 * still checked. */
static void fix_diagonal(simdepth_matrix *m, const char *path, char *note, size_t note_size)
{
    size_t n = simdepth_matrix_rows(m), i, fixed = 0;

    if (simdepth_matrix_cols(m) != n)
        return;
    for (i = 0; i < n; i++) {
        if (!isfinite(simdepth_matrix_get(m, i, i))) {
            simdepth_matrix_set(m, i, i, 1.0);
            fixed++;
        }
    }
    if (fixed > 0)
        snprintf(note, note_size,
                 "note: %s: %zu non-finite diagonal entr%s set to 1 (a class's similarity to "
                 "itself)", path, fixed, fixed == 1 ? "y" : "ies");
}

int cli_similarity_load(const char *weights, const char *similarity, size_t n,
                        const char *labels_path, simdepth_matrix **out, char *tensor_used,
                        size_t tensor_size, char *weights_file, size_t weights_file_size,
                        char *note, size_t note_size, cli_progress *progress,
                        cli_failure *f)
{
    simdepth_error err;
    simdepth_matrix *input = NULL;
    const char *input_path = weights ? weights : similarity;
    int rc;

    simdepth_error_clear(&err);
    note[0] = '\0';
    tensor_used[0] = '\0';
    weights_file[0] = '\0';
    cli_progress_report(progress, weights != NULL ? "read weights" : "read similarity", 0.0);
    if (weights != NULL) {
        rc = cli_templates_load(weights, n, &input, tensor_used, tensor_size, weights_file,
                          weights_file_size, note, note_size, f);
        if (rc != CLI_EXIT_OK)
            goto fail;
    } else if (simdepth_matrix_read(similarity, &input, &err) != SIMDEPTH_OK) {
        rc = cli_fail_error(f, &err, similarity);
        goto fail;
    } else {
        fix_diagonal(input, similarity, note, note_size);
    }
    if (simdepth_matrix_check_finite(input, input_path, &err) != SIMDEPTH_OK) {
        rc = cli_fail_error(f, &err, input_path);
        goto fail;
    }
    if (simdepth_matrix_rows(input) != n) {
        rc = cli_failf(f, CLI_EXIT_INPUT, "%s: %zu rows but %s has %zu labels; expected one row "
                       "per class", input_path, simdepth_matrix_rows(input), labels_path, n);
        goto fail;
    }
    cli_progress_report(progress, weights != NULL ? "read weights" : "read similarity", 1.0);
    if (weights != NULL) {
        simdepth_matrix *sim = NULL;
        cli_progress_report(progress, "similarity", 0.0);
        /* The templates are normalised in place: they are freed next. */
        if (simdepth_similarity_cosine_inplace(input, &sim, &err) != SIMDEPTH_OK) {
            rc = cli_fail_error(f, &err, input_path);
            goto fail;
        }
        /* The templates are not needed past this point. */
        simdepth_matrix_free(input);
        cli_progress_report(progress, "similarity", 1.0);
        *out = sim;
        return CLI_EXIT_OK;
    }
    if (simdepth_matrix_cols(input) != n) {
        rc = cli_failf(f, CLI_EXIT_INPUT,
                       "%s: similarity matrix is %zu x %zu; expected a square %zu x %zu matrix",
                       input_path, simdepth_matrix_rows(input), simdepth_matrix_cols(input), n,
                       n);
        goto fail;
    }
    *out = input;
    return CLI_EXIT_OK;
fail:
    simdepth_matrix_free(input);
    return rc;
}

int cli_confusion_load(const char *path, size_t n, simdepth_matrix **out, cli_failure *f)
{
    simdepth_error err;
    simdepth_matrix *conf = NULL;

    simdepth_error_clear(&err);
    if (simdepth_matrix_read(path, &conf, &err) != SIMDEPTH_OK ||
        simdepth_matrix_check_finite(conf, path, &err) != SIMDEPTH_OK) {
        simdepth_matrix_free(conf);
        return cli_fail_error(f, &err, path);
    }
    if (simdepth_matrix_rows(conf) != n || simdepth_matrix_cols(conf) != n) {
        int rc = cli_failf(f, CLI_EXIT_INPUT,
                           "%s: confusion matrix is %zu x %zu; expected %zu x %zu (one row and "
                           "column per label)",
                           path, simdepth_matrix_rows(conf), simdepth_matrix_cols(conf), n, n);
        simdepth_matrix_free(conf);
        return rc;
    }
    *out = conf;
    return CLI_EXIT_OK;
}

/* Map every label to a taxonomy node: a WordNet id by id, anything else as
 * a noun name (first sense). */
int cli_resolve_wordnet_labels(const simdepth_labels *labels, const char *labels_path,
                               const simdepth_taxonomy *t, size_t *nodes, cli_failure *f)
{
    size_t i, n = simdepth_labels_count(labels);
    simdepth_error err;

    for (i = 0; i < n; i++) {
        const char *key = simdepth_labels_key(labels, i);
        int is_id = simdepth_is_wnid(key);
        simdepth_status st;

        simdepth_error_clear(&err);
        st = is_id ? simdepth_taxonomy_find_id(t, key, &nodes[i], &err)
                   : simdepth_taxonomy_find_name(t, key, &nodes[i], &err);
        if (st != SIMDEPTH_OK) {
            return cli_failf(f, CLI_EXIT_INPUT, "%s:%zu: %s '%s' is not in WordNet 3.0%s",
                             labels_path, i + 1, is_id ? "synset id" : "noun", key,
                             is_id ? "; expected a noun synset id such as n01440764"
                                   : "; expected a WordNet noun or a synset id");
        }
    }
    return CLI_EXIT_OK;
}

/* WordNet opened alongside the other inputs: parsing its 20 MB takes
 * about as long as reading the rest of a 1,000-class model. */
typedef struct cli_wn_job {
    const char *dir;
    simdepth_taxonomy *tax;
    simdepth_error err;
    simdepth_status st;
    pthread_t thread;
    int running;
    pthread_mutex_t lock; /* guards done */
    int done;
} wn_job;

static void *wn_open_thread(void *arg)
{
    wn_job *j = arg;

    j->st = simdepth_wordnet_open(j->dir, &j->tax, &j->err);
    pthread_mutex_lock(&j->lock);
    j->done = 1;
    pthread_mutex_unlock(&j->lock);
    return NULL;
}

/* A job opening WordNet in @dir in a thread (or later, here, if no thread
 * could start); NULL out of memory. */
static wn_job *wn_job_start(const char *dir)
{
    wn_job *j = calloc(1, sizeof *j);

    if (j == NULL)
        return NULL;
    j->dir = dir;
    simdepth_error_clear(&j->err);
    if (pthread_mutex_init(&j->lock, NULL) != 0) {
        free(j);
        return NULL;
    }
    j->running = pthread_create(&j->thread, NULL, wn_open_thread, j) == 0;
    return j;
}

/* Whether the job is still opening WordNet. */
static int wn_job_busy(wn_job *j)
{
    int done;

    if (!j->running)
        return 0;
    pthread_mutex_lock(&j->lock);
    done = j->done;
    pthread_mutex_unlock(&j->lock);
    return !done;
}

/* The job's result: opened in its thread, or here if none could start. */
static simdepth_status wn_job_finish(wn_job *j)
{
    if (j->running) {
        pthread_join(j->thread, NULL);
        j->running = 0;
    } else if (j->tax == NULL && j->st == SIMDEPTH_OK) {
        j->st = simdepth_wordnet_open(j->dir, &j->tax, &j->err);
    }
    return j->st;
}

static void wn_job_free(wn_job *j)
{
    if (j == NULL)
        return;
    if (j->running)
        pthread_join(j->thread, NULL);
    simdepth_taxonomy_free(j->tax);
    pthread_mutex_destroy(&j->lock);
    free(j);
}

/* Take WordNet from @j (freed) into @m and resolve the labels on it. */
static int wn_job_take(wn_job *j, cli_model *m)
{
    cli_failure fl;
    int rc;

    cli_progress_report(m->args.progress, "open WordNet", 0.0);
    if (wn_job_finish(j) != SIMDEPTH_OK) {
        rc = cli_report_error(&j->err, NULL);
        wn_job_free(j);
        return rc;
    }
    m->tax = j->tax;
    j->tax = NULL;
    wn_job_free(j);
    snprintf(m->taxdesc, sizeof m->taxdesc, "WordNet 3.0 (%s)", m->wndir);
    rc = cli_resolve_wordnet_labels(m->labels, m->args.labels, m->tax, m->nodes, &fl);
    if (rc != CLI_EXIT_OK) {
        cli_errorf("%s", fl.msg);
        return rc;
    }
    cli_progress_report(m->args.progress, "open WordNet", 1.0);
    return CLI_EXIT_OK;
}

int cli_model_taxonomy(cli_model *m)
{
    wn_job *j = m->wn;

    if (j != NULL) {
        m->wn = NULL;
        m->tax_rc = wn_job_take(j, m);
    }
    return m->tax_rc;
}

int cli_model_load(const cli_model_args *a, cli_model *m)
{
    simdepth_error err;
    cli_failure fl;
    char note[800];
    size_t n;
    int rc = CLI_EXIT_OK;
    wn_job *wn = NULL;

    memset(m, 0, sizeof *m);
    simdepth_error_clear(&err);
    m->args = *a;
    m->input_path = a->weights ? a->weights : a->similarity;
    if (a->taxonomy == NULL) {
        m->wndir = a->wordnet_dir ? a->wordnet_dir : getenv("WNSEARCHDIR");
        if (m->wndir == NULL || m->wndir[0] == '\0')
            m->wndir = SIMDEPTH_WORDNET_DEFAULT_DIR;
        wn = wn_job_start(m->wndir);
        if (wn == NULL) {
            cli_errorf("out of memory");
            return CLI_EXIT_RUNTIME;
        }
    }
    cli_progress_report(a->progress, "read labels", 0.0);
    if (simdepth_labels_read(a->labels, &m->labels, &err) != SIMDEPTH_OK) {
        rc = cli_report_error(&err, a->labels);
        goto fail;
    }
    n = simdepth_labels_count(m->labels);
    rc = cli_similarity_load(a->weights, a->similarity, n, a->labels, &m->sim, m->tensor_used,
                             sizeof m->tensor_used, m->weights_file, sizeof m->weights_file,
                             note, sizeof note, a->progress, &fl);
    if (rc != CLI_EXIT_OK) {
        cli_errorf("%s", fl.msg);
        goto fail;
    }
    if (note[0] != '\0' && !a->quiet)
        cli_errorf("%s", note);
    if (a->confusion != NULL) {
        cli_progress_report(a->progress, "read confusion", 0.0);
        rc = cli_confusion_load(a->confusion, n, &m->conf, &fl);
        if (rc != CLI_EXIT_OK) {
            cli_errorf("%s", fl.msg);
            goto fail;
        }
    }
    m->nodes = calloc(n, sizeof *m->nodes);
    if (m->nodes == NULL) {
        cli_errorf("out of memory");
        rc = CLI_EXIT_RUNTIME;
        goto fail;
    }
    if (a->taxonomy != NULL) {
        cli_progress_report(a->progress, "read taxonomy", 0.0);
        if (simdepth_taxonomy_read(a->taxonomy, &m->tax, &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, a->taxonomy);
            goto fail;
        }
        snprintf(m->taxdesc, sizeof m->taxdesc, "custom taxonomy (%s)", a->taxonomy);
        if (simdepth_taxonomy_resolve_labels(m->tax, m->labels, a->labels, m->nodes, &err) !=
            SIMDEPTH_OK) {
            rc = cli_report_error(&err, a->labels);
            goto fail;
        }
        cli_progress_report(a->progress, "read taxonomy", 1.0);
        return CLI_EXIT_OK;
    }
    /* Left opening only if it still is: a WordNet that failed is then
     * reported before any analysis (at scale the inputs take longer to
     * read than WordNet to open). */
    if (a->defer_taxonomy && wn_job_busy(wn)) {
        m->wn = wn;
        return CLI_EXIT_OK;
    }
    rc = wn_job_take(wn, m);
    wn = NULL;
    if (rc != CLI_EXIT_OK)
        goto fail;
    return CLI_EXIT_OK;
fail:
    wn_job_free(wn);
    cli_model_free(m);
    return rc;
}

void cli_model_free(cli_model *m)
{
    wn_job_free(m->wn);
    free(m->nodes);
    simdepth_taxonomy_free(m->tax);
    simdepth_labels_free(m->labels);
    simdepth_matrix_free(m->conf);
    simdepth_matrix_free(m->sim);
    memset(m, 0, sizeof *m);
}

void cli_report_info_init(simdepth_report_info *info, const cli_model *m,
                          const simdepth_analysis_options *opt)
{
    memset(info, 0, sizeof *info);
    info->weights_path = m->args.weights;
    info->tensor = m->tensor_used[0] ? m->tensor_used : NULL;
    info->similarity_path = m->args.similarity;
    info->confusion_path = m->args.confusion;
    info->labels_path = m->args.labels;
    info->taxonomy = m->taxdesc;
    info->labels = m->labels;
    info->tax = m->tax;
    info->nodes = m->nodes;
    info->options = opt;
}

void cli_warn_convergence(const simdepth_analysis *an)
{
    if (!an->perceived.partition->converged)
        cli_errorf("warning: affinity propagation did not converge in %d iterations "
                   "(perceived graph)", an->perceived.partition->iterations);
    if (an->has_confusion && !an->confusion.partition->converged)
        cli_errorf("warning: affinity propagation did not converge in %d iterations "
                   "(confusion graph)", an->confusion.partition->iterations);
}
