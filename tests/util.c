/* simdepth — helpers shared by the CUnit suites. */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"

static const char *top_srcdir(void)
{
    const char *d = getenv("SIMDEPTH_TOP_SRCDIR");

    return d != NULL && d[0] != '\0' ? d : ".";
}

const char *simdepth_test_shared(const char *rel)
{
    static char buf[4][4096];
    static int slot;
    const char *d = getenv("SIMDEPTH_SHARED_DATA");
    char *out = buf[slot++ % 4];

    if (d != NULL && d[0] != '\0')
        snprintf(out, 4096, "%s/%s", d, rel);
    else
        snprintf(out, 4096, "%s/../shared/data/%s", top_srcdir(), rel);
    return out;
}

const char *simdepth_test_data(const char *rel)
{
    static char buf[4][4096];
    static int slot;
    char *out = buf[slot++ % 4];

    snprintf(out, 4096, "%s/tests/data/%s", top_srcdir(), rel);
    return out;
}

char *simdepth_test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long size;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)size + 1);
        if (buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size) {
            buf[size] = '\0';
            if (len != NULL)
                *len = (size_t)size;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

int simdepth_test_csv_load(const char *path, simdepth_test_csv *out)
{
    size_t len = 0, cap = 0, ncells = 0, cols = 0, row_cells = 0;
    char *p, *buf = simdepth_test_slurp(path, &len);
    char **cells = NULL;

    memset(out, 0, sizeof *out);
    if (buf == NULL)
        return -1;
    p = buf;
    while (*p) {
        char *eol = strchr(p, '\n');
        char *field = p;
        if (eol != NULL)
            *eol = '\0';
        if (eol != NULL && eol > p && eol[-1] == '\r')
            eol[-1] = '\0';
        if (*p != '\0') {
            row_cells = 0;
            for (;;) {
                char *comma = strchr(field, ',');
                if (comma != NULL)
                    *comma = '\0';
                if (ncells == cap) {
                    char **t;
                    cap = cap ? 2 * cap : 256;
                    t = realloc(cells, cap * sizeof *cells);
                    if (t == NULL)
                        goto fail;
                    cells = t;
                }
                cells[ncells++] = field;
                row_cells++;
                if (comma == NULL)
                    break;
                field = comma + 1;
            }
            if (cols == 0)
                cols = row_cells;
            else if (row_cells != cols)
                goto fail;
        }
        if (eol == NULL)
            break;
        p = eol + 1;
    }
    if (cols == 0)
        goto fail;
    out->buf = buf;
    out->n_cols = cols;
    out->n_rows = ncells / cols - 1;
    out->header = cells;
    out->cells = cells + cols;
    return 0;
fail:
    free(cells);
    free(buf);
    return -1;
}

void simdepth_test_csv_free(simdepth_test_csv *t)
{
    free(t->header);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

const char *simdepth_test_csv_get(const simdepth_test_csv *t, size_t row,
                                  const char *col)
{
    size_t c;

    if (row >= t->n_rows)
        return NULL;
    for (c = 0; c < t->n_cols; c++)
        if (strcmp(t->header[c], col) == 0)
            return t->cells[row * t->n_cols + c];
    return NULL;
}

void simdepth_test_row_check(int ok, const char *suite, const char *row, const char *file,
                             int line, const char *fmt, ...)
{
    char what[700], cond[900];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(cond, sizeof cond, "row '%s': %s", row, what);
    if (!ok)
        fprintf(stderr, "\n  %s: FAILED %s\n", suite, cond);
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, (unsigned int)line, cond, file, "",
                            CU_FALSE);
}

int simdepth_test_tmpdir(char *buf, size_t size, const char *tag)
{
    const char *t = getenv("TMPDIR");

    snprintf(buf, size, "%s/simdepth-%s-XXXXXX", t != NULL && t[0] != '\0' ? t : "/tmp", tag);
    return mkdtemp(buf) != NULL ? 0 : -1;
}

void simdepth_test_remove_tree(const char *path)
{
    DIR *d;
    struct dirent *e;

    if (path[0] == '\0')
        return;
    d = opendir(path);
    if (d != NULL) {
        while ((e = readdir(d)) != NULL) {
            char sub[4400];
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            simdepth_test_remove_tree(sub);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

int simdepth_test_write_bytes(const char *path, const void *bytes, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;

    if (f == NULL)
        return -1;
    ok = fwrite(bytes, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}
