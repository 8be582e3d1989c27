/* simdepth — hand-run kernel timings for the scale benchmark
 * (bench/scale/README.md). Not built by `make`; run.sh compiles it with the
 * build's libtool against libsimdepth.la and OpenBLAS (pkg-config openblas).
 *
 *   kernels blas C D [REPEAT]
 *       OpenBLAS alone on the similarity's shape: A is a C x D float32
 *       matrix (seeded pseudo-random values in [-1, 1)); times
 *       cblas_sgemm(A, A^T) -> C x C (2 C^2 D flops) and cblas_ssyrk(A)
 *       -> upper triangle (C^2 D flops, the routine simdepth calls),
 *       REPEAT times each (default 3), and prints the fastest:
 *       "sgemm_seconds S", "sgemm_gflops G", "ssyrk_seconds S",
 *       "ssyrk_gflops G" (G counts the flops of sgemm for both, so the two
 *       compare as "time to the full C x C product"), "threads N".
 *   kernels cosine WEIGHTS.npy [REPEAT]
 *       simdepth alone on the same step: simdepth_npy_read (timed once,
 *       "read_seconds") then simdepth_similarity_cosine REPEAT times,
 *       fastest as "cosine_seconds"; "peak_kib" is the process's peak RSS.
 *
 * Wall time from CLOCK_MONOTONIC. The thread count is OpenBLAS's
 * (OPENBLAS_NUM_THREADS, default: the cores).
 */
#define _POSIX_C_SOURCE 200809L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "simdepth/error.h"
#include "simdepth/io.h"
#include "simdepth/matrix.h"
#include "simdepth/similarity.h"

extern int openblas_get_num_threads(void);

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int usage(void)
{
    fprintf(stderr, "usage: kernels blas C D [REPEAT] | kernels cosine WEIGHTS.npy [REPEAT]\n");
    return 2;
}

static long parse_pos(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    return *s != '\0' && *end == '\0' && v > 0 ? v : -1;
}

static int run_blas(long c, long d, long repeat)
{
    float *a = malloc((size_t)c * (size_t)d * sizeof *a);
    float *out = malloc((size_t)c * (size_t)c * sizeof *out);
    unsigned long long x = 88172645463325252ULL;
    double best_gemm = 1e300, best_syrk = 1e300, flops = 2.0 * (double)c * (double)c * (double)d;
    size_t k;
    long r;

    if (a == NULL || out == NULL) {
        fprintf(stderr, "kernels: out of memory for %ld x %ld\n", c, d);
        free(a);
        free(out);
        return 1;
    }
    for (k = 0; k < (size_t)c * (size_t)d; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        a[k] = (float)((double)(x >> 11) / 4503599627370496.0 - 1.0);
    }
    memset(out, 0, (size_t)c * (size_t)c * sizeof *out); /* fault the pages in */
    for (r = 0; r < repeat; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)c, (int)c, (int)d, 1.0f, a,
                    (int)d, a, (int)d, 0.0f, out, (int)c);
        t0 = now() - t0;
        if (t0 < best_gemm)
            best_gemm = t0;
        t0 = now();
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)c, (int)d, 1.0f, a, (int)d,
                    0.0f, out, (int)c);
        t0 = now() - t0;
        if (t0 < best_syrk)
            best_syrk = t0;
    }
    printf("sgemm_seconds %.6f\nsgemm_gflops %.2f\n", best_gemm, flops / best_gemm / 1e9);
    printf("ssyrk_seconds %.6f\nssyrk_gflops %.2f\n", best_syrk, flops / best_syrk / 1e9);
    printf("threads %d\n", openblas_get_num_threads());
    free(a);
    free(out);
    return 0;
}

static int run_cosine(const char *path, long repeat)
{
    simdepth_error err;
    simdepth_matrix *w = NULL, *s = NULL;
    double t0, best = 1e300;
    struct rusage ru;
    long r;
    char buf[1200];

    memset(&err, 0, sizeof err);
    t0 = now();
    if (simdepth_npy_read(path, &w, &err) != SIMDEPTH_OK)
        goto fail;
    printf("read_seconds %.6f\n", now() - t0);
    for (r = 0; r < repeat; r++) {
        t0 = now();
        if (simdepth_similarity_cosine(w, &s, &err) != SIMDEPTH_OK)
            goto fail;
        t0 = now() - t0;
        if (t0 < best)
            best = t0;
        simdepth_matrix_free(s);
        s = NULL;
    }
    getrusage(RUSAGE_SELF, &ru);
    printf("cosine_seconds %.6f\nrows %zu\ncols %zu\npeak_kib %ld\n", best,
           simdepth_matrix_rows(w), simdepth_matrix_cols(w), ru.ru_maxrss);
    simdepth_matrix_free(w);
    return 0;
fail:
    simdepth_error_format(&err, buf, sizeof buf);
    fprintf(stderr, "kernels: %s: %s\n", path, buf);
    simdepth_matrix_free(w);
    return 1;
}

int main(int argc, char **argv)
{
    long repeat = 3;

    if (argc >= 4 && strcmp(argv[1], "blas") == 0) {
        long c = parse_pos(argv[2]), d = parse_pos(argv[3]);
        if (argc == 5)
            repeat = parse_pos(argv[4]);
        if (c < 0 || d < 0 || repeat < 0 || argc > 5)
            return usage();
        return run_blas(c, d, repeat);
    }
    if (argc >= 3 && strcmp(argv[1], "cosine") == 0) {
        if (argc == 4)
            repeat = parse_pos(argv[3]);
        if (repeat < 0 || argc > 4)
            return usage();
        return run_cosine(argv[2], repeat);
    }
    return usage();
}
