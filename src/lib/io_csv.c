/* simdepth — numeric CSV / TSV matrix reader. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/io.h"
#include "internal.h"
#include "textio.h"

/* Text matrices beyond this are better stored as .npy. */
#define CSV_MAX_FILE ((size_t)4 << 30)

typedef enum { DELIM_WS = 0 } delim_kind;

static int is_blank_or_comment(const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i == len || s[i] == '#';
}

static char detect_delim(const char *s, size_t len)
{
    if (memchr(s, ',', len))
        return ',';
    if (memchr(s, '\t', len))
        return '\t';
    if (memchr(s, ';', len))
        return ';';
    return DELIM_WS;
}

/* Split one line into fields in place semantics (pointers into the line).
 * Calls @fn for each field with its trimmed, unquoted text. Returns the field
 * count, or -1 when @fn returns non-zero. */
typedef int (*field_fn)(void *ctx, const char *s, size_t len, size_t col);

static long split_line(const char *s, size_t len, char delim, field_fn fn,
                       void *ctx)
{
    size_t i = 0, col = 0;

    for (;;) {
        size_t a, b;

        if (delim == DELIM_WS) {
            while (i < len && (s[i] == ' ' || s[i] == '\t'))
                i++;
            if (i == len)
                break;
            a = i;
            while (i < len && s[i] != ' ' && s[i] != '\t')
                i++;
            b = i;
        } else {
            a = i;
            if (i < len && s[i] == '"') {
                /* Quoted field: up to the closing quote. */
                const char *q = memchr(s + i + 1, '"', len - i - 1);
                i = q ? (size_t)(q - s) + 1 : len;
            }
            while (i < len && s[i] != delim)
                i++;
            b = i;
        }
        while (a < b && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
            b--;
        if (b - a >= 2 && s[a] == '"' && s[b - 1] == '"') {
            a++;
            b--;
        }
        if (fn(ctx, s + a, b - a, col) != 0)
            return -1;
        col++;
        if (delim == DELIM_WS)
            continue;
        if (i >= len)
            break;
        i++; /* skip the delimiter */
    }
    return (long)col;
}

static int parse_number(const char *s, size_t len, double *v)
{
    char tmp[64];
    char *endp;

    if (len == 0 || len >= sizeof tmp)
        return -1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    errno = 0;
    *v = strtod(tmp, &endp);
    if (endp != tmp + len)
        return -1;
    return 0;
}

typedef struct count_ctx {
    size_t numeric;
    size_t other;
} count_ctx;

static int count_field(void *ctx, const char *s, size_t len, size_t col)
{
    count_ctx *c = ctx;
    double v;

    (void)col;
    if (parse_number(s, len, &v) == 0)
        c->numeric++;
    else
        c->other++;
    return 0;
}

typedef struct fill_ctx {
    double *row;
    size_t cols;
    const char *path;
    long line;
    simdepth_error *err;
    simdepth_status st;
} fill_ctx;

static int fill_field(void *ctx, const char *s, size_t len, size_t col)
{
    fill_ctx *c = ctx;
    double v;

    if (col >= c->cols) {
        c->st = simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->path, c->line,
                                     (long)col + 1, -1,
                                     "row has more than %zu fields; expected %zu like the first row",
                                     c->cols, c->cols);
        return 1;
    }
    if (parse_number(s, len, &v) != 0) {
        c->st = simdepth_i_error_set(c->err, SIMDEPTH_EFORMAT, c->path, c->line,
                                     (long)col + 1, -1,
                                     "field '%.*s' is not a number",
                                     (int)(len > 32 ? 32 : len), s);
        return 1;
    }
    c->row[col] = v;
    return 0;
}

simdepth_status simdepth_csv_read(const char *path, simdepth_matrix **out,
                                  simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0, llen, rows = 0, cols = 0, r;
    const char *cur, *end, *line;
    char delim = DELIM_WS;
    long lineno = 0, header_line = 0;
    simdepth_matrix *m = NULL;
    simdepth_status st;
    int first = 1;

    st = simdepth_i_read_file(path, CSV_MAX_FILE, &buf, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    end = buf + len;

    /* A UTF-8 byte-order mark (spreadsheets write one) is not data. */
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        memset(buf, ' ', 3);

    /* Pass 1: header, delimiter, shape. The first non-comment line is a
     * header only when none of its fields is a number; the delimiter is
     * detected from the first data line, since header names may hold any
     * character. */
    cur = buf;
    while ((line = simdepth_i_next_line(&cur, end, &llen)) != NULL) {
        count_ctx cc = {0, 0};
        long nf;

        lineno++;
        if (is_blank_or_comment(line, llen))
            continue;
        if (first) {
            first = 0;
            split_line(line, llen, detect_delim(line, llen), count_field, &cc);
            if (cc.numeric == 0) {
                header_line = lineno;
                continue;
            }
        }
        if (cols == 0) {
            delim = detect_delim(line, llen);
            nf = split_line(line, llen, delim, count_field, &cc);
            cols = (size_t)nf;
            rows++;
            continue;
        }
        nf = split_line(line, llen, delim, count_field, &cc);
        if ((size_t)nf != cols) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, lineno, 0, -1,
                                      "row has %ld fields; expected %zu like the first row",
                                      nf, cols);
            goto out;
        }
        rows++;
    }
    if ((rows == 0 || cols == 0) && header_line != 0) {
        /* Name the line taken as a header: it may be meant as data (a
         * field too long or malformed to be a number). */
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                  "no numeric rows (line %ld has no number and was taken "
                                  "as a header); expected a matrix of numbers",
                                  header_line);
        goto out;
    }
    if (rows == 0 || cols == 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, path, 0, 0, -1,
                                  "no numeric rows; expected a matrix of numbers");
        goto out;
    }
    st = simdepth_matrix_new(rows, cols, SIMDEPTH_F64, &m, err);
    if (st != SIMDEPTH_OK)
        goto out;

    /* Pass 2: values. */
    cur = buf;
    lineno = 0;
    r = 0;
    while ((line = simdepth_i_next_line(&cur, end, &llen)) != NULL) {
        fill_ctx fc;

        lineno++;
        if (lineno == header_line || is_blank_or_comment(line, llen))
            continue;
        fc.row = (double *)simdepth_matrix_data(m) + r * cols;
        fc.cols = cols;
        fc.path = path;
        fc.line = lineno;
        fc.err = err;
        fc.st = SIMDEPTH_OK;
        if (split_line(line, llen, delim, fill_field, &fc) < 0) {
            st = fc.st;
            goto out;
        }
        r++;
    }
    *out = m;
    m = NULL;
out:
    simdepth_matrix_free(m);
    free(buf);
    return st;
}
