/* simdepth — timing driver for OPTICS, HDBSCAN, Louvain and Leiden.
 *
 * Usage: bench_cluster MATRIX.npy [REPEATS]
 *
 * Reads a similarity matrix and, for each method, runs it REPEATS times
 * (default 3) and prints one line
 *
 *     method=<name> n=<n> seconds=<best wall time> clusters=<k> [q=<Q>]
 *
 * (q: modularity of the partition, for Louvain and Leiden). The time covers
 * the library call only: everything from the similarity matrix in memory
 * to the partition, including, for Louvain and Leiden, building igraph's
 * graph. bench/cluster/run.sh runs this beside scikit-learn, R and
 * python-louvain and prints the ratios. Not a test; run by hand.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simdepth/cluster.h"
#include "simdepth/io.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { M_OPTICS, M_HDBSCAN, M_LOUVAIN, M_LEIDEN, N_METHODS };

static const char *const names[N_METHODS] = {"optics", "hdbscan", "louvain",
                                             "leiden"};

static simdepth_status run(int method, const simdepth_matrix *s,
                           simdepth_partition **p, simdepth_error *err)
{
    switch (method) {
    case M_OPTICS:
        return simdepth_optics(s, NULL, p, err);
    case M_HDBSCAN:
        return simdepth_hdbscan(s, NULL, p, err);
    case M_LOUVAIN:
        return simdepth_louvain(s, 1.0, 1, p, err);
    default:
        return simdepth_leiden(s, 1.0, 1, p, err);
    }
}

int main(int argc, char **argv)
{
    simdepth_matrix *s = NULL;
    simdepth_error err;
    int repeats = 3, method, r, rc = 0;

    memset(&err, 0, sizeof err);
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s MATRIX.npy [REPEATS]\n", argv[0]);
        return 2;
    }
    if (argc == 3)
        repeats = atoi(argv[2]);
    if (repeats < 1)
        repeats = 1;
    if (simdepth_npy_read(argv[1], &s, &err) != SIMDEPTH_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], err.message);
        return 1;
    }
    for (method = 0; method < N_METHODS; method++) {
        double best = -1.0, q = 0.0;
        size_t k = 0;

        for (r = 0; r < repeats; r++) {
            simdepth_partition *p = NULL;
            double t0 = now(), t;

            if (run(method, s, &p, &err) != SIMDEPTH_OK) {
                fprintf(stderr, "%s: %s\n", names[method], err.message);
                rc = 1;
                break;
            }
            t = now() - t0;
            if (best < 0.0 || t < best)
                best = t;
            k = p->n_clusters;
            if (r == 0 && (method == M_LOUVAIN || method == M_LEIDEN) &&
                simdepth_modularity(s, p, 1.0, &q, &err) != SIMDEPTH_OK)
                q = -1.0;
            simdepth_partition_free(p);
        }
        if (best < 0.0)
            continue;
        printf("method=%s n=%zu seconds=%.6f clusters=%zu", names[method],
               simdepth_matrix_rows(s), best, k);
        if (method == M_LOUVAIN || method == M_LEIDEN)
            printf(" q=%.6f", q);
        printf("\n");
        fflush(stdout);
    }
    simdepth_matrix_free(s);
    return rc;
}
