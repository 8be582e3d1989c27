/* simdepth CLI — shared declarations. */
#ifndef SIMDEPTH_CLI_H
#define SIMDEPTH_CLI_H

#include <stdio.h>

#include "simdepth/simdepth.h"

/* Exit statuses (documented in simdepth(1), EXIT STATUS). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_RUNTIME = 1, /* out of memory, cannot write output, internal */
    CLI_EXIT_INPUT = 2    /* usage error or bad input */
};

extern const char *cli_progname;

/* Print "simdepth: MESSAGE" (one line) to stderr. */
void cli_errorf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* A usage error of subcommand @cmd: "CMD: MESSAGE (see 'simdepth CMD
 * --help')" on stderr; returns CLI_EXIT_INPUT. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Option values: a finite number; a positive int. 0 on success, -1 if the
 * whole string is not one. */
int cli_parse_double(const char *s, double *v);
int cli_parse_int(const char *s, int *v);

/* The method options analyze and render share: --scaling, --lcs,
 * --preference, --damping, --max-iter, --convergence-iter (@name without
 * the dashes). Stores the value in @an; on a bad value prints the usage
 * error of @cmd and returns -1. */
int cli_method_option(const char *cmd, const char *name, const char *arg,
                      simdepth_analysis_options *an);

/* Classes from which analyze and render skip the taxonomy baselines unless
 * asked (--baselines): their n^2 / 2 LCS computations and third clustering
 * cost more than the rest of the analysis at ImageNet-21k scale. The size
 * where affinity propagation switches to float32. */
#define CLI_BASELINES_UP_TO SIMDEPTH_AP_SINGLE_FROM

/* 1 if @s ends with @suffix. */
int cli_ends_with(const char *s, const char *suffix);

/* Print a library error as one line, naming @file when the error has none,
 * and return the exit status it maps to. */
int cli_report_error(const simdepth_error *err, const char *file);

/* Map a status to an exit status. */
int cli_exit_status(simdepth_status st);

/* An output that appears atomically: written to a temporary file beside
 * the target and renamed into place on commit; "-" or NULL is stdout. */
typedef struct cli_output {
    FILE *f;
    char *target;
    char *tmp;
    int special; /* a FIFO or device written in place */
} cli_output;

int cli_output_open(cli_output *o, const char *path, simdepth_error *err);
int cli_output_commit(cli_output *o, simdepth_error *err);
void cli_output_abort(cli_output *o);

/* Progress of long stages and their timings. Stages are reported through
 * cli_progress_report(), a simdepth_progress_fn (user: the cli_progress):
 * a stage lasts from its first report to a report of fraction 1 or of
 * another stage. On a terminal (and without --quiet) one line on stderr
 * shows the stage, its percent when known and the elapsed time;
 * cli_progress_finish() erases it and, with --timings, prints one line
 * per stage: "simdepth: timing: STAGE WALL CPU PEAK_MIB". */
typedef struct cli_stage_record {
    char name[64];
    double wall, cpu;  /* seconds */
    long maxrss_kib;   /* peak RSS of the process when the stage ended */
    int open;
} cli_stage_record;

typedef struct cli_progress {
    int show;
    int timings;
    const char *stage;
    double t0, stage_wall0, stage_cpu0, last_print;
    int line_shown;
    size_t n;
    cli_stage_record rec[48];
} cli_progress;

void cli_progress_init(cli_progress *p, int quiet, int timings);
void cli_progress_report(void *user, const char *stage, double fraction);
void cli_progress_finish(cli_progress *p);
/* Erase the progress line if one is shown (cli_errorf does, so that a
 * message starts on a clean line). */
void cli_progress_clear_line(void);

/* A model's inputs as the command line names them. */
typedef struct cli_model_args {
    const char *weights;      /* FILE[:TENSOR], or NULL */
    const char *similarity;   /* or NULL; exactly one of the two */
    const char *labels;
    const char *confusion;    /* may be NULL */
    const char *wordnet_dir;  /* may be NULL */
    const char *taxonomy;     /* a custom taxonomy file, or NULL: WordNet */
    int quiet;
    cli_progress *progress;   /* may be NULL */
    /* 1: if WordNet is still being opened when the other inputs are in,
     * leave it opening; cli_model_taxonomy() waits for it */
    int defer_taxonomy;
} cli_model_args;

struct cli_wn_job;

/* The loaded inputs: the similarity (cosine of the templates, or the given
 * matrix, unscaled), the confusion matrix, labels resolved to WordNet. */
typedef struct cli_model {
    cli_model_args args;
    const char *input_path;
    simdepth_labels *labels;
    simdepth_matrix *sim;
    simdepth_matrix *conf;
    simdepth_taxonomy *tax;
    size_t *nodes;
    const char *wndir;
    char tensor_used[512];
    char weights_file[4096]; /* the weights path without :TENSOR */
    char taxdesc[600];
    struct cli_wn_job *wn;   /* WordNet still opening (defer_taxonomy) */
    int tax_rc;              /* how waiting for it ended, once it has */
} cli_model;

/* Load and check everything; on failure prints one line and returns the
 * exit status (m is then empty). */
int cli_model_load(const cli_model_args *a, cli_model *m);
/* Wait for a WordNet left opening (defer_taxonomy) and resolve the labels
 * on it; on failure prints one line. Returns the exit status (the same on
 * every call); CLI_EXIT_OK at once if nothing was left opening. */
int cli_model_taxonomy(cli_model *m);
void cli_model_free(cli_model *m);
/* Fill a report description from a loaded model (name left NULL). */
void cli_report_info_init(simdepth_report_info *info, const cli_model *m,
                          const simdepth_analysis_options *opt);
/* Non-convergence warnings on stderr. */
void cli_warn_convergence(const simdepth_analysis *an);
/* "dir/model.npy" -> "model". */
const char *cli_base_name(const char *path, char *buf, size_t size);

/* Subcommands. */
int cli_cmd_analyze(int argc, char **argv);
int cli_cmd_inspect(int argc, char **argv);
int cli_cmd_tree(int argc, char **argv);
int cli_cmd_render(int argc, char **argv);
int cli_cmd_labels(int argc, char **argv);
int cli_cmd_semsim(int argc, char **argv);
int cli_cmd_diff(int argc, char **argv);
int cli_cmd_track(int argc, char **argv);

#endif
