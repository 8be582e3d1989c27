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

/* Subcommands. */
int cli_cmd_analyze(int argc, char **argv);

#endif
