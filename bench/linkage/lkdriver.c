/* simdepth — hand-run driver for the linkage benchmark and the SciPy fuzz
 * comparison (bench/linkage/README.md). Not built by `make`; run.sh and
 * fuzz_scipy.py compile it against the library sources.
 *
 *   lkdriver time S.npy METHOD f64|f32 [HEIGHTS.txt]
 *       Linkage of the square similarity S with distance max(0, 1 - S),
 *       storage f64 or f32, as simdepth_linkage_from_similarity() does it;
 *       prints the wall time of building the condensed distances
 *       ("distance_seconds") and of the linkage ("linkage_seconds"), and
 *       "checksum <sum of heights>" (%.17g), and "phase_peak_kib", the
 *       peak RSS (Linux VmHWM) at the end of the linkage; with
 *       SIMDEPTH_BENCH_RESET_PEAK=1 the peak is reset after S is loaded, so
 *       it covers S plus the work only. With HEIGHTS.txt, also
 *       writes the heights there, one per line in row order.
 *   lkdriver z Y.npy METHOD OUT.npy
 *       Linkage of the condensed distances in Y.npy (a 1 x m array, float64
 *       or float32, whose type selects the storage); writes Z to OUT.npy.
 *   lkdriver derive Z.npy Y.npy K1,K2,... T1,T2,...
 *       Prints, one per line: "coph <c>", "leaves ...", "olo ...", then
 *       "maxclust K labels..." and "distance T labels..." (SciPy's 1-based
 *       numbering, to compare with fcluster directly).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simdepth/io.h"
#include "simdepth/linkage.h"
#include "simdepth/matrix.h"
#include "simdepth/partition.h"

static int fail(const char *what, const simdepth_error *err)
{
    char buf[1200];

    simdepth_error_format(err, buf, sizeof buf);
    fprintf(stderr, "lkdriver: %s: %s\n", what, buf);
    return 1;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Linux: with SIMDEPTH_BENCH_RESET_PEAK=1 in the environment, reset the
 * peak RSS (VmHWM, and with it getrusage's ru_maxrss) to the current RSS,
 * so that the peak read afterwards covers only the work that follows. */
static void peak_reset(void)
{
    const char *e = getenv("SIMDEPTH_BENCH_RESET_PEAK");
    FILE *f = e != NULL && strcmp(e, "1") == 0 ? fopen("/proc/self/clear_refs", "w") : NULL;

    if (f != NULL) {
        fputs("5", f);
        fclose(f);
    }
}

/* The peak RSS in KiB (VmHWM), or -1. */
static long peak_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static int cmd_time(const char *path, const char *mname, const char *storage,
                    const char *heights)
{
    simdepth_matrix *s = NULL, *z = NULL;
    simdepth_linkage_method m;
    simdepth_dtype dt = strcmp(storage, "f32") == 0 ? SIMDEPTH_F32 : SIMDEPTH_F64;
    simdepth_error err;
    double t0, t1, t2, sum = 0.0;
    void *y = NULL;
    size_t i;

    simdepth_error_clear(&err);
    if (simdepth_linkage_method_parse(mname, &m, &err) != SIMDEPTH_OK)
        return fail("method", &err);
    if (simdepth_npy_read(path, &s, &err) != SIMDEPTH_OK)
        return fail(path, &err);
    /* What simdepth_linkage_from_similarity() does, timed in two parts. */
    peak_reset();
    t0 = now();
    if (simdepth_linkage_condensed_from_similarity(s, SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP, dt, &y,
                                                   &err) != SIMDEPTH_OK) {
        simdepth_matrix_free(s);
        return fail("distances", &err);
    }
    t1 = now();
    if (simdepth_linkage_compute_inplace(y, dt, simdepth_matrix_rows(s), m, &z, &err) !=
        SIMDEPTH_OK) {
        free(y);
        simdepth_matrix_free(s);
        return fail("linkage", &err);
    }
    t2 = now();
    printf("phase_peak_kib %ld\n", peak_kib());
    free(y);
    for (i = 0; i < simdepth_matrix_rows(z); i++)
        sum += simdepth_matrix_get(z, i, 2);
    printf("distance_seconds %.6f\nlinkage_seconds %.6f\nchecksum %.17g\n", t1 - t0, t2 - t1,
           sum);
    if (heights != NULL) {
        FILE *f = fopen(heights, "w");
        if (f == NULL) {
            perror(heights);
        } else {
            for (i = 0; i < simdepth_matrix_rows(z); i++)
                fprintf(f, "%.17g\n", simdepth_matrix_get(z, i, 2));
            fclose(f);
        }
    }
    simdepth_matrix_free(z);
    simdepth_matrix_free(s);
    return 0;
}

static size_t n_from_pairs(size_t m)
{
    size_t n = 2;

    while (n * (n - 1) / 2 < m)
        n++;
    return n * (n - 1) / 2 == m ? n : 0;
}

static int cmd_z(const char *path, const char *mname, const char *outp)
{
    simdepth_matrix *y = NULL, *z = NULL;
    simdepth_linkage_method m;
    simdepth_error err;
    size_t n;
    int rc = 1;

    simdepth_error_clear(&err);
    if (simdepth_linkage_method_parse(mname, &m, &err) != SIMDEPTH_OK)
        return fail("method", &err);
    if (simdepth_npy_read(path, &y, &err) != SIMDEPTH_OK)
        return fail(path, &err);
    n = n_from_pairs(simdepth_matrix_rows(y) * simdepth_matrix_cols(y));
    if (n == 0) {
        fprintf(stderr, "lkdriver: %s: not a condensed distance array\n", path);
    } else if (simdepth_linkage_compute(simdepth_matrix_cdata(y), simdepth_matrix_dtype(y), n, m,
                                        &z, &err) != SIMDEPTH_OK) {
        rc = fail("linkage", &err);
    } else if (simdepth_npy_write(outp, z, &err) != SIMDEPTH_OK) {
        rc = fail(outp, &err);
    } else {
        rc = 0;
    }
    simdepth_matrix_free(z);
    simdepth_matrix_free(y);
    return rc;
}

static void print_labels(const char *key, const char *arg, const simdepth_partition *p)
{
    size_t i;

    printf("%s %s", key, arg);
    for (i = 0; i < p->n; i++)
        printf(" %d", p->labels[i] + 1);
    printf("\n");
}

static int cmd_derive(const char *zp, const char *yp, char *ks, char *ts)
{
    simdepth_matrix *z = NULL, *y = NULL, *zo = NULL;
    simdepth_partition *p = NULL;
    simdepth_error err;
    size_t n, i, *order = NULL;
    double c = 0.0;
    char *tok, *save = NULL;
    int rc = 1;

    simdepth_error_clear(&err);
    if (simdepth_npy_read(zp, &z, &err) != SIMDEPTH_OK)
        return fail(zp, &err);
    if (simdepth_npy_read(yp, &y, &err) != SIMDEPTH_OK) {
        simdepth_matrix_free(z);
        return fail(yp, &err);
    }
    n = simdepth_matrix_rows(z) + 1;
    order = malloc(n * sizeof *order);
    if (order == NULL)
        goto out;
    if (simdepth_linkage_cophenetic_correlation(z, simdepth_matrix_cdata(y),
                                                simdepth_matrix_dtype(y), &c, NULL,
                                                &err) != SIMDEPTH_OK) {
        rc = fail("cophenet", &err);
        goto out;
    }
    printf("coph %.17g\n", c);
    if (simdepth_linkage_leaves(z, order, &err) != SIMDEPTH_OK) {
        rc = fail("leaves", &err);
        goto out;
    }
    printf("leaves");
    for (i = 0; i < n; i++)
        printf(" %zu", order[i]);
    printf("\n");
    if (simdepth_linkage_optimal_ordering(z, simdepth_matrix_cdata(y), simdepth_matrix_dtype(y),
                                          &zo, &err) != SIMDEPTH_OK ||
        simdepth_linkage_leaves(zo, order, &err) != SIMDEPTH_OK) {
        rc = fail("optimal ordering", &err);
        goto out;
    }
    printf("olo");
    for (i = 0; i < n; i++)
        printf(" %zu", order[i]);
    printf("\n");
    for (tok = strtok_r(ks, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (simdepth_linkage_fcluster_maxclust(z, strtoul(tok, NULL, 10), &p, &err) !=
            SIMDEPTH_OK) {
            rc = fail("maxclust", &err);
            goto out;
        }
        print_labels("maxclust", tok, p);
        simdepth_partition_free(p);
        p = NULL;
    }
    for (tok = strtok_r(ts, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        if (simdepth_linkage_fcluster_distance(z, strtod(tok, NULL), &p, &err) != SIMDEPTH_OK) {
            rc = fail("distance", &err);
            goto out;
        }
        print_labels("distance", tok, p);
        simdepth_partition_free(p);
        p = NULL;
    }
    rc = 0;
out:
    free(order);
    simdepth_matrix_free(zo);
    simdepth_matrix_free(y);
    simdepth_matrix_free(z);
    return rc;
}

int main(int argc, char **argv)
{
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "time") == 0)
        return cmd_time(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
    if (argc == 5 && strcmp(argv[1], "z") == 0)
        return cmd_z(argv[2], argv[3], argv[4]);
    if (argc == 6 && strcmp(argv[1], "derive") == 0)
        return cmd_derive(argv[2], argv[3], argv[4], argv[5]);
    fprintf(stderr, "usage: lkdriver time S.npy METHOD f64|f32 [HEIGHTS.txt]\n"
                    "       lkdriver z Y.npy METHOD OUT.npy\n"
                    "       lkdriver derive Z.npy Y.npy K1,K2,... T1,T2,...\n");
    return 2;
}
