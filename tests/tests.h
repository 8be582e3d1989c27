/* simdepth — shared declarations of the CUnit test runner. */
#ifndef SIMDEPTH_TESTS_H
#define SIMDEPTH_TESTS_H

#include <CUnit/CUnit.h>

/* Each tests/test_<module>.c defines one registration function that adds
 * its suite (named after the module) and returns 0, or -1 on a CUnit error. */
int simdepth_test_add_matrix(void);
int simdepth_test_add_io(void);
int simdepth_test_add_npy(void);
int simdepth_test_add_safetensors(void);
int simdepth_test_add_pth(void);
int simdepth_test_add_similarity(void);
int simdepth_test_add_affinity(void);
int simdepth_test_add_taxonomy(void);
int simdepth_test_add_forest(void);
int simdepth_test_add_linkage(void);
int simdepth_test_add_cluster(void);
int simdepth_test_add_metrics(void);
int simdepth_test_add_pipeline(void);
int simdepth_test_add_render(void);
int simdepth_test_add_wnmap(void);
int simdepth_test_add_custom_taxonomy(void);
int simdepth_test_add_compare(void);
int simdepth_test_add_manifest(void);
int simdepth_test_add_alloc(void);
int simdepth_test_add_render_diff(void);
int simdepth_test_add_fuzz_regress(void);

/* Absolute path of a file under ../shared/data (from $SIMDEPTH_SHARED_DATA,
 * else $SIMDEPTH_TOP_SRCDIR/../shared/data). Returns a static buffer. */
const char *simdepth_test_shared(const char *rel);
/* Absolute path of a file under tests/data in the source tree. */
const char *simdepth_test_data(const char *rel);

/* A table-driven check: on failure prints "SUITE: FAILED row 'ROW': ..."
 * to stderr and records a CUnit failure at FILE:LINE. */
void simdepth_test_row_check(int ok, const char *suite, const char *row, const char *file,
                             int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Create "$TMPDIR/simdepth-TAG-XXXXXX" (TMPDIR defaults to /tmp) into buf;
 * 0 or -1. */
int simdepth_test_tmpdir(char *buf, size_t size, const char *tag);
/* Remove a file or a directory tree; "" is ignored. */
void simdepth_test_remove_tree(const char *path);
/* Write @len bytes to @path; 0 or -1. */
int simdepth_test_write_bytes(const char *path, const void *bytes, size_t len);

/* Read a whole text file into a malloc'd NUL-terminated buffer or NULL. */
char *simdepth_test_slurp(const char *path, size_t *len);

/* A small comma-separated table (no quoting) with a header row. */
typedef struct simdepth_test_csv {
    size_t n_rows;   /* data rows, header excluded */
    size_t n_cols;
    char **header;   /* n_cols names */
    char **cells;    /* n_rows * n_cols */
    char *buf;
} simdepth_test_csv;

/* Load @path; returns 0 or -1 (missing file, ragged rows). */
int simdepth_test_csv_load(const char *path, simdepth_test_csv *out);
void simdepth_test_csv_free(simdepth_test_csv *t);
/* Cell of data row @row in column @col (by header name); NULL if none. */
const char *simdepth_test_csv_get(const simdepth_test_csv *t, size_t row,
                                  const char *col);

#endif
