/* simdepth CLI — messages, exit statuses and atomic outputs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

const char *cli_progname = "simdepth";

void cli_errorf(const char *fmt, ...)
{
    char buf[2048];
    const unsigned char *p;
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* Names from files (tensor names, labels) may hold newlines or escape
     * sequences: one error stays one line and writes nothing to control the
     * terminal. A progress line on the terminal is erased first. */
    cli_progress_clear_line();
    fprintf(stderr, "%s: ", cli_progname);
    for (p = (const unsigned char *)buf; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cli_errorf("%s: %s (see 'simdepth %s --help')", cmd, msg, cmd);
    return CLI_EXIT_INPUT;
}

int cli_parse_double(const char *s, double *v)
{
    char *end;

    errno = 0;
    *v = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' && isfinite(*v) ? 0 : -1;
}

int cli_parse_int(const char *s, int *v)
{
    char *end;
    long l;

    errno = 0;
    l = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || l < 1 || l > INT_MAX)
        return -1;
    *v = (int)l;
    return 0;
}

int cli_method_option(const char *cmd, const char *name, const char *arg,
                      simdepth_analysis_options *an)
{
    if (strcmp(name, "scaling") == 0) {
        if (strcmp(arg, "minmax") == 0)
            an->scaling = SIMDEPTH_SCALING_MINMAX;
        else if (strcmp(arg, "none") == 0)
            an->scaling = SIMDEPTH_SCALING_NONE;
        else
            goto bad;
    } else if (strcmp(name, "lcs") == 0) {
        if (strcmp(arg, "reference") == 0)
            an->lcs_rule = SIMDEPTH_LCS_REFERENCE;
        else if (strcmp(arg, "true") == 0)
            an->lcs_rule = SIMDEPTH_LCS_TRUE;
        else
            goto bad;
    } else if (strcmp(name, "preference") == 0) {
        if (cli_parse_double(arg, &an->ap.preference) != 0)
            goto bad;
        an->ap.use_preference = 1;
    } else if (strcmp(name, "damping") == 0) {
        if (cli_parse_double(arg, &an->ap.damping) != 0 || an->ap.damping < 0.5 ||
            an->ap.damping >= 1.0)
            goto bad;
    } else if (strcmp(name, "max-iter") == 0) {
        if (cli_parse_int(arg, &an->ap.max_iter) != 0)
            goto bad;
    } else if (strcmp(name, "convergence-iter") == 0) {
        if (cli_parse_int(arg, &an->ap.convergence_iter) != 0)
            goto bad;
    } else if (strcmp(name, "ap-precision") == 0) {
        if (strcmp(arg, "double") == 0)
            an->ap.precision = SIMDEPTH_AP_DOUBLE;
        else if (strcmp(arg, "single") == 0)
            an->ap.precision = SIMDEPTH_AP_SINGLE;
        else if (strcmp(arg, "auto") == 0)
            an->ap.precision = SIMDEPTH_AP_AUTO;
        else
            goto bad;
    } else {
        cli_usage_error(cmd, "unknown method option '--%s'", name);
        return -1;
    }
    return 0;
bad:
    if (strcmp(name, "scaling") == 0)
        cli_usage_error(cmd, "--scaling '%s': expected minmax or none", arg);
    else if (strcmp(name, "lcs") == 0)
        cli_usage_error(cmd, "--lcs '%s': expected reference or true", arg);
    else if (strcmp(name, "preference") == 0)
        cli_usage_error(cmd, "--preference '%s': expected a finite number", arg);
    else if (strcmp(name, "damping") == 0)
        cli_usage_error(cmd, "--damping '%s': expected a number in [0.5, 1)", arg);
    else if (strcmp(name, "ap-precision") == 0)
        cli_usage_error(cmd, "--ap-precision '%s': expected auto, double or single", arg);
    else
        cli_usage_error(cmd, "--%s '%s': expected a positive integer", name, arg);
    return -1;
}

int cli_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int cli_exit_status(simdepth_status st)
{
    switch (st) {
    case SIMDEPTH_OK:
        return CLI_EXIT_OK;
    case SIMDEPTH_EINVAL:
    case SIMDEPTH_EFORMAT:
    case SIMDEPTH_EUNSUPPORTED:
    case SIMDEPTH_ENOTFOUND:
    case SIMDEPTH_EIO:
        return CLI_EXIT_INPUT;
    case SIMDEPTH_ENOMEM:
    case SIMDEPTH_ERENDER:
    default:
        return CLI_EXIT_RUNTIME;
    }
}

int cli_report_error(const simdepth_error *err, const char *file)
{
    char line[1200];
    simdepth_error copy = *err;

    if (copy.file[0] == '\0' && file != NULL)
        snprintf(copy.file, sizeof copy.file, "%s", file);
    simdepth_error_format(&copy, line, sizeof line);
    cli_errorf("%s", line);
    return cli_exit_status(err->status);
}

/* The temporary file being written, removed if a signal ends the run.
 * SIGINT, SIGTERM and SIGHUP remove it and then end the process with the
 * same signal (the shell reports 128 + N: 130 for SIGINT, 143 for SIGTERM,
 * 129 for SIGHUP; documented in simdepth(1)); a signal that was ignored when
 * simdepth started (nohup, a background job) stays ignored. SIGXFSZ is
 * ignored so that a write beyond 'ulimit -f' fails with EFBIG and is
 * reported like any other failed write, instead of killing the process
 * with the temporary file left behind. */
static volatile sig_atomic_t have_tmp;
static char tmp_for_signal[4096];

static void on_signal(int sig)
{
    if (have_tmp)
        unlink(tmp_for_signal);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    static int done;
    struct sigaction sa, old;
    size_t i;

    if (done)
        return;
    done = 1;
    signal(SIGXFSZ, SIG_IGN);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

/* Block the handled signals while the temporary file and the record of it
 * disagree (between mkstemp and have_tmp = 1), so that no signal can leave
 * an unrecorded temporary file behind. */
static void block_signals(int block, sigset_t *saved)
{
    sigset_t set;

    if (block) {
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        sigprocmask(SIG_BLOCK, &set, saved);
    } else {
        sigprocmask(SIG_SETMASK, saved, NULL);
    }
}

int cli_output_open(cli_output *o, const char *path, simdepth_error *err)
{
    const char *slash;
    size_t dirlen;
    int fd;
    mode_t mask;
    struct stat stbuf;
    sigset_t saved;

    memset(o, 0, sizeof *o);
    simdepth_error_clear(err);
    install_handlers();
    if (path == NULL || strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    /* Special files (a FIFO, /dev/stdout, /dev/null) are written directly:
     * renaming over them would replace the device or pipe. */
    if (stat(path, &stbuf) == 0 && !S_ISREG(stbuf.st_mode) && !S_ISDIR(stbuf.st_mode)) {
        o->f = fopen(path, "w");
        if (o->f == NULL) {
            err->status = SIMDEPTH_EIO;
            snprintf(err->file, sizeof err->file, "%s", path);
            snprintf(err->message, sizeof err->message, "cannot open output: %s",
                     strerror(errno));
            return -1;
        }
        o->special = 1;
        return 0;
    }
    o->target = strdup(path);
    slash = strrchr(path, '/');
    dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    o->tmp = malloc(strlen(path) + 16);
    if (o->target == NULL || o->tmp == NULL) {
        err->status = SIMDEPTH_ENOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        cli_output_abort(o);
        return -1;
    }
    memcpy(o->tmp, path, dirlen);
    sprintf(o->tmp + dirlen, ".%s.XXXXXX", path + dirlen);
    block_signals(1, &saved);
    fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        block_signals(0, &saved);
        errno = e;
        err->status = SIMDEPTH_EIO;
        snprintf(err->file, sizeof err->file, "%s", path);
        snprintf(err->message, sizeof err->message, "cannot create output: %s",
                 strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        cli_output_abort(o);
        return -1;
    }
    mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    snprintf(tmp_for_signal, sizeof tmp_for_signal, "%s", o->tmp);
    have_tmp = 1;
    block_signals(0, &saved);
    o->f = fdopen(fd, "w");
    if (o->f == NULL) {
        close(fd);
        err->status = SIMDEPTH_EIO;
        snprintf(err->file, sizeof err->file, "%s", path);
        snprintf(err->message, sizeof err->message, "cannot create output: %s",
                 strerror(errno));
        cli_output_abort(o);
        return -1;
    }
    return 0;
}

int cli_output_commit(cli_output *o, simdepth_error *err)
{
    int failed = 0, saved_errno = 0;

    simdepth_error_clear(err);
    if (o->f == stdout || o->special) {
        int bad = fflush(o->f) != 0 || ferror(o->f);
        if (o->special) {
            bad |= fclose(o->f) != 0;
            o->f = NULL;
            o->special = 0;
        }
        if (bad) {
            err->status = SIMDEPTH_EIO;
            snprintf(err->message, sizeof err->message,
                     "cannot write the output: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    /* Keep the errno of the first failure: a stream error (EFBIG past
     * 'ulimit -f', ENOSPC) is already recorded by the stream, and fsync or
     * fclose of the same file would only repeat or mask it (after ferror,
     * errno still holds the failed write's reason: successful calls leave
     * errno alone). */
    if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0) {
        failed = 1;
        saved_errno = errno;
    }
    if (fclose(o->f) != 0 && !failed) {
        failed = 1;
        saved_errno = errno;
    }
    o->f = NULL;
    if (!failed && rename(o->tmp, o->target) != 0) {
        failed = 1;
        saved_errno = errno;
    }
    if (failed) {
        err->status = SIMDEPTH_EIO;
        snprintf(err->file, sizeof err->file, "%s", o->target);
        if (saved_errno != 0)
            snprintf(err->message, sizeof err->message, "cannot write output: %s",
                     strerror(saved_errno));
        else
            snprintf(err->message, sizeof err->message, "cannot write output");
        cli_output_abort(o);
        return -1;
    }
    have_tmp = 0;
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
    return 0;
}

void cli_output_abort(cli_output *o)
{
    if (o->f != NULL && o->f != stdout)
        fclose(o->f);
    o->f = NULL;
    if (o->tmp != NULL) {
        unlink(o->tmp);
        have_tmp = 0;
    }
    free(o->tmp);
    free(o->target);
    o->tmp = o->target = NULL;
}
