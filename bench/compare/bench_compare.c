/* simdepth — timing of the tanglegram and dendrogram comparisons of
 * include/simdepth/compare.h at n leaves (run by hand; see README.md).
 *
 *   bench_compare [N ...]      (default 1000 2000)
 *
 * For each N: N points in 5-D (uniform in the unit cube, a fixed seed)
 * and the average-linkage trees of their Euclidean distances: A; B from
 * other random points ("unrelated": a badly tangled pair) and B from A's
 * points moved by up to 0.1 per coordinate ("related": a pair like two
 * checkpoints of one model). Each the best of 3 runs:
 * simdepth_tanglegram_untangle() and simdepth_linkage_compare() (with all
 * B_k); simdepth_linkage_compute() of one tree for scale. Then the
 * worst case of untangling: two caterpillar trees (depth n - 1) whose
 * leaves come in unrelated orders. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <math.h>

#include "simdepth/compare.h"
#include "simdepth/linkage.h"

static uint64_t state = 12345;

static double unit(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * (1.0 / 9007199254740992.0);
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define DIM 5

static simdepth_matrix *tree_m(const double *pts, size_t n, double *y,
                               simdepth_linkage_method method)
{
    simdepth_matrix *z = NULL;
    size_t i, j, k = 0, d;

    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            double s = 0.0;
            for (d = 0; d < DIM; d++)
                s += (pts[i * DIM + d] - pts[j * DIM + d]) * (pts[i * DIM + d] - pts[j * DIM + d]);
            y[k++] = sqrt(s);
        }

    if (simdepth_linkage_compute(y, SIMDEPTH_F64, n, method, &z, NULL) != SIMDEPTH_OK) {
        fprintf(stderr, "bench_compare: linkage failed\n");
        exit(1);
    }
    return z;
}

static simdepth_matrix *tree(const double *pts, size_t n, double *y)
{
    return tree_m(pts, n, y, SIMDEPTH_LINKAGE_AVERAGE);
}

static void run(const char *what, size_t n, simdepth_matrix *za, simdepth_matrix *zb)
{
    double best_u = 1e30, best_c = 1e30, before = 0, after = 0;
    double *bk = malloc(n * sizeof *bk);
    simdepth_tree_agreement t;
    int rep;

    for (rep = 0; rep < 3; rep++) {
        simdepth_matrix *oa = NULL, *ob = NULL;
        double t0 = now(), t1;

        if (simdepth_tanglegram_untangle(za, zb, &oa, &ob, &before, &after, NULL) != SIMDEPTH_OK) {
            fprintf(stderr, "bench_compare: untangle failed\n");
            exit(1);
        }
        t1 = now() - t0;
        best_u = t1 < best_u ? t1 : best_u;
        simdepth_matrix_free(oa);
        simdepth_matrix_free(ob);
        t0 = now();
        if (simdepth_linkage_compare(za, zb, &t, bk, NULL) != SIMDEPTH_OK) {
            fprintf(stderr, "bench_compare: linkage compare failed\n");
            exit(1);
        }
        t1 = now() - t0;
        best_c = t1 < best_c ? t1 : best_c;
    }
    printf("n=%zu %-9s untangle %.3f s (entanglement %.4f -> %.4f)  "
           "linkage_compare %.3f s (cophenetic %.4f, gamma %.4f, B_k mean %.4f)\n",
           n, what, best_u, before, after, best_c, t.cophenetic_correlation, t.bakers_gamma,
           t.fm_bk_mean);
    free(bk);
}

int main(int argc, char **argv)
{
    size_t sizes[16] = {1000, 2000}, n_sizes = 2, s;
    int i;

    if (argc > 1) {
        n_sizes = 0;
        for (i = 1; i < argc && n_sizes < 16; i++)
            sizes[n_sizes++] = strtoul(argv[i], NULL, 10);
    }
    for (s = 0; s < n_sizes; s++) {
        size_t n = sizes[s], m = simdepth_condensed_size(n), k;
        double *y = malloc(m * sizeof *y), *pa = malloc(n * DIM * sizeof *pa);
        double *pb = malloc(n * DIM * sizeof *pb);
        simdepth_matrix *za, *zb, *zr;
        double t0, tl;

        if (n < 2 || y == NULL || pa == NULL || pb == NULL)
            return 1;
        for (k = 0; k < n * DIM; k++) {
            pa[k] = unit();
            pb[k] = unit();
        }
        t0 = now();
        za = tree(pa, n, y);
        tl = now() - t0;
        zb = tree(pb, n, y);
        printf("n=%zu distances + average linkage (for scale) %.3f s\n", n, tl);
        run("unrelated", n, za, zb);
        for (k = 0; k < n * DIM; k++)
            pb[k] = pa[k] + 0.1 * (unit() - 0.5);
        zr = tree(pb, n, y);
        run("related", n, za, zr);
        simdepth_matrix_free(zr);
        /* Worst case for untangling: two caterpillars (single linkage of
         * points at i^2 on a line, B's in a shuffled order), depth n - 1. */
        for (k = 0; k < n * DIM; k++)
            pa[k] = pb[k] = 0.0;
        for (k = 0; k < n; k++)
            pa[k * DIM] = pb[k * DIM] = (double)k * (double)k;
        for (k = n - 1; k > 0; k--) {
            size_t j = (size_t)(unit() * (double)(k + 1));
            double t = pb[k * DIM];

            if (j > k)
                j = k;
            pb[k * DIM] = pb[j * DIM];
            pb[j * DIM] = t;
        }
        simdepth_matrix_free(zb);
        simdepth_matrix_free(za);
        za = tree_m(pa, n, y, SIMDEPTH_LINKAGE_SINGLE);
        zb = tree_m(pb, n, y, SIMDEPTH_LINKAGE_SINGLE);
        run("caterpil.", n, za, zb);
        simdepth_matrix_free(zb);
        simdepth_matrix_free(za);
        free(pb);
        free(pa);
        free(y);
    }
    return 0;
}
