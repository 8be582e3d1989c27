/* simdepth CLI — progress of long stages on a terminal, and stage timings. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double now_wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* User + system CPU seconds of every thread so far, and the peak RSS in
 * KiB. */
static void usage_now(double *cpu, long *maxrss_kib)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        *cpu = 0.0;
        *maxrss_kib = 0;
        return;
    }
    *cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
    *maxrss_kib = ru.ru_maxrss;
}

/* The progress whose line is on the terminal (one command per process). */
static cli_progress *shown;

void cli_progress_init(cli_progress *p, int quiet, int timings)
{
    memset(p, 0, sizeof *p);
    p->show = !quiet && isatty(STDERR_FILENO);
    p->timings = timings;
    p->t0 = now_wall();
    p->last_print = -1.0;
}

/* Close the current stage: record its wall and CPU time and the peak so
 * far. */
static void stage_close(cli_progress *p)
{
    double wall = now_wall(), cpu;
    long rss;

    if (p->stage == NULL)
        return;
    usage_now(&cpu, &rss);
    if (p->n > 0 && strcmp(p->rec[p->n - 1].name, p->stage) == 0 &&
        p->rec[p->n - 1].open) {
        cli_stage_record *r = &p->rec[p->n - 1];
        r->wall = wall - p->stage_wall0;
        r->cpu = cpu - p->stage_cpu0;
        r->maxrss_kib = rss;
        r->open = 0;
    }
    p->stage = NULL;
}

static void clear_line(cli_progress *p)
{
    if (p->line_shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->line_shown = 0;
    }
    if (shown == p)
        shown = NULL;
}

void cli_progress_clear_line(void)
{
    if (shown != NULL)
        clear_line(shown);
}

void cli_progress_report(void *user, const char *stage, double fraction)
{
    cli_progress *p = user;
    double t;

    if (p == NULL || stage == NULL)
        return;
    /* The end of a stage already ended (a library function and its caller
     * may both say so). */
    if (p->stage == NULL && fraction >= 1.0 && p->n > 0 &&
        strcmp(p->rec[p->n - 1].name, stage) == 0)
        return;
    if (p->stage == NULL || strcmp(p->stage, stage) != 0) {
        long rss;

        stage_close(p);
        p->stage = stage;
        p->stage_wall0 = now_wall();
        usage_now(&p->stage_cpu0, &rss);
        if (p->n < sizeof p->rec / sizeof p->rec[0]) {
            cli_stage_record *r = &p->rec[p->n++];
            snprintf(r->name, sizeof r->name, "%s", stage);
            r->wall = r->cpu = 0.0;
            r->maxrss_kib = rss;
            r->open = 1;
        }
        p->last_print = -1.0; /* show a new stage at once */
    }
    if (p->show) {
        t = now_wall();
        if (p->last_print < 0.0 || t - p->last_print >= 0.1) {
            if (fraction > 0.0 && fraction < 1.0)
                fprintf(stderr, "\r\033[K%s: %s %3.0f%% %.1f s", cli_progname, stage,
                        100.0 * fraction, t - p->t0);
            else
                fprintf(stderr, "\r\033[K%s: %s %.1f s", cli_progname, stage, t - p->t0);
            fflush(stderr);
            p->line_shown = 1;
            shown = p;
            p->last_print = t;
        }
    }
    if (fraction >= 1.0)
        stage_close(p);
}

void cli_progress_finish(cli_progress *p)
{
    double cpu;
    long rss;
    size_t i;

    if (p == NULL)
        return;
    stage_close(p);
    clear_line(p);
    if (!p->timings)
        return;
    usage_now(&cpu, &rss);
    fprintf(stderr, "%s: timings: stage, wall s, CPU s (all threads), peak RSS so far MiB\n",
            cli_progname);
    for (i = 0; i < p->n; i++)
        fprintf(stderr, "%s: timing: %-40s %9.3f %9.3f %8.1f\n", cli_progname, p->rec[i].name,
                p->rec[i].wall, p->rec[i].cpu, (double)p->rec[i].maxrss_kib / 1024.0);
    fprintf(stderr, "%s: timing: %-40s %9.3f %9.3f %8.1f\n", cli_progname, "total",
            now_wall() - p->t0, cpu, (double)rss / 1024.0);
}
