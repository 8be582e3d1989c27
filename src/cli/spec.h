/* simdepth CLI — the models of diff and track: model specs (see
 * simdepth/manifest.h) loaded against shared labels and taxonomy, with
 * failures captured as text so that worker threads print nothing. */
#ifndef SIMDEPTH_CLI_SPEC_H
#define SIMDEPTH_CLI_SPEC_H

#include <stddef.h>

#include "cli.h"
#include "simdepth/manifest.h"

/* A failure kept for later: the exit status it maps to and one line. */
typedef struct cli_failure {
    int rc;
    char msg[1400];
} cli_failure;

/* Fill @f (rc and message) and return @rc. */
int cli_failf(cli_failure *f, int rc, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A library error as cli_report_error() would print it; returns its exit
 * status. */
int cli_fail_error(cli_failure *f, const simdepth_error *err, const char *file);

/* input.c: the model inputs every command reads, without printing.
 * Load the similarity of a model: the cosine of the templates of
 * @weights ("FILE[:TENSOR]") or the matrix @similarity (exactly one is
 * set), unscaled, checked finite and n x n (@labels_path names the labels
 * in messages). @tensor_used gets the tensor's name for tensor files ("" for
 * .npy and text), @weights_file the path without :TENSOR, @note a note to
 * print unless quiet ("" if none). */
/* The class templates of "FILE[:TENSOR]" (a tensor file, found by
 * @n_classes when no tensor is named, or a text matrix), not yet checked
 * for finite values or row count. @used receives the tensor's name, @path
 * the file without ":TENSOR", @note which tensor was used and why (empty
 * for .npy and text). */
int cli_templates_load(const char *spec, size_t n_classes, simdepth_matrix **out, char *used,
                       size_t used_size, char *path, size_t path_size, char *note,
                       size_t note_size, cli_failure *fl);
int cli_similarity_load(const char *weights, const char *similarity, size_t n,
                        const char *labels_path, simdepth_matrix **out, char *tensor_used,
                        size_t tensor_size, char *weights_file, size_t weights_file_size,
                        char *note, size_t note_size, cli_progress *progress,
                        cli_failure *f);
/* Load a confusion matrix and check it is finite and n x n. */
int cli_confusion_load(const char *path, size_t n, simdepth_matrix **out, cli_failure *f);

/* Map every label to a WordNet node (a synset id by id, else a noun name). */
int cli_resolve_wordnet_labels(const simdepth_labels *labels, const char *labels_path,
                               const simdepth_taxonomy *t, size_t *nodes, cli_failure *f);

/* Labels and taxonomy shared by all models of a diff or track. */
typedef struct cli_shared {
    simdepth_labels *labels;   /* the reference class order */
    const char *labels_path;   /* borrowed */
    simdepth_taxonomy *tax;
    size_t *nodes;             /* taxonomy node of each class */
    const char *wndir;
    char taxdesc[600];
} cli_shared;

/* Read @labels_path and open the taxonomy (@taxonomy, else WordNet in
 * @wordnet_dir, $WNSEARCHDIR or the default). On failure @sh is empty. */
int cli_shared_load(const char *labels_path, const char *taxonomy, const char *wordnet_dir,
                    cli_shared *sh, cli_failure *f);
void cli_shared_free(cli_shared *sh);

/* One model of a spec, in the shared class order. */
typedef struct cli_spec_model {
    simdepth_matrix *sim;  /* n x n, unscaled */
    simdepth_matrix *conf; /* n x n, or NULL */
    int realigned;         /* 1: its labels= file had another class order */
    char tensor_used[512];
    char note[800];        /* a note for stderr, or "" */
} cli_spec_model;

/* Load @spec's matrices. With spec->labels, the model's own class order is
 * read and the matrices are permuted into @sh's order; a different class
 * set is an error listing the labels that differ. Thread-safe with a
 * shared const @sh; prints nothing. */
int cli_spec_model_load(const simdepth_model_spec *spec, const cli_shared *sh,
                        cli_spec_model *m, cli_failure *f);
void cli_spec_model_free(cli_spec_model *m);

/* Parse the method options diff and track share with analyze (--cluster
 * is parsed by each command). 1 if @name is one of them and was handled
 * (0 returned via *rc on success), 0 if not a method option. */
int cli_spec_method_option(const char *cmd, const char *name, const char *arg,
                           simdepth_analysis_options *an, int *rc);

/* Parse one --cluster token ("ap", "louvain", "leiden", "optics",
 * "hdbscan", "none", "cut:K") into @an; -1 if not one. */
int cli_parse_cluster_method(const char *s, simdepth_analysis_options *an);

/* Theme search path and loading as 'simdepth render' does. */
int cli_theme_load(const char *name, simdepth_theme **out, cli_failure *f);

/* The figure options diff and track share with render (--width, --height,
 * --size, --dpi): store in @ro; on a bad value print the usage error of
 * @cmd and return -1. 0 if handled. */
int cli_figure_size_option(const char *cmd, const char *name, const char *arg,
                           simdepth_render_options *ro);
/* SOURCE_DATE_EPOCH into ro->timestamp; -1 (usage error printed) if bad. */
int cli_source_date_epoch(const char *cmd, simdepth_render_options *ro);

#endif
