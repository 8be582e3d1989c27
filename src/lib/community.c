/* simdepth — Louvain and Leiden communities and modularity through igraph.
 *
 * igraph 0.10 keeps process-wide state that a library must not disturb:
 * an error handler that aborts by default, a warning handler that prints
 * to stderr, and a default random generator. Every entry point below
 * brackets its igraph calls with igraph_guard_begin() / igraph_guard_end(),
 * which install a handler that records igraph's message (and frees
 * igraph's cleanup stack, as igraph_error_handler_ignore does), a silent
 * warning handler and, where randomness is used, a private Mersenne
 * Twister seeded by the caller, and put the caller's back afterwards.
 * Because that state is process-wide (Debian's igraph is built without
 * thread-local storage), these functions are not thread-safe.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* igraph 0.10's igraph_error.h tests an undefined macro with #if, which
 * -Wundef (and -Werror in CI) would reject; the header is not ours. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#endif
#include <igraph.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include "simdepth/cluster.h"
#include "internal.h"

/* ------------------------------------------------------------------ */
/* igraph's global state                                               */

/* The first non-empty message of the current call (igraph reports an
 * error once where it happens and again, with an empty reason, at every
 * level it propagates through). */
static struct {
    int set;
    igraph_error_t code;
    char reason[300];
    char file[160];
    int line;
} g_igraph_error;

static void record_error(const char *reason, const char *file, int line,
                         igraph_error_t code)
{
    if (!g_igraph_error.set && reason != NULL && reason[0] != '\0') {
        g_igraph_error.set = 1;
        g_igraph_error.code = code;
        snprintf(g_igraph_error.reason, sizeof g_igraph_error.reason, "%s",
                 reason);
        snprintf(g_igraph_error.file, sizeof g_igraph_error.file, "%s",
                 file != NULL ? file : "");
        g_igraph_error.line = line;
    }
    /* What igraph_error_handler_ignore does: release what igraph put on
     * its cleanup stack, so that the failing function returns cleanly. */
    IGRAPH_FINALLY_FREE();
}

static void ignore_warning(const char *reason, const char *file, int line)
{
    (void)reason;
    (void)file;
    (void)line;
}

/* igraph_rng_set_default() copies the generator struct into igraph's one
 * default slot (igraph_rng_default() always returns that slot), so the
 * caller's default is saved by value and copied back. */
typedef struct igraph_guard {
    igraph_error_handler_t *old_error;
    igraph_warning_handler_t *old_warning;
    igraph_rng_t old_rng;
    int rng_swapped;
    igraph_rng_t rng;
    int rng_live;
} igraph_guard;

/* igraph's handlers, its cleanup stack and its default generator are
 * process-global in Debian's build (no thread-local storage), and so is
 * g_igraph_error: one guarded section at a time in the process, so that
 * Louvain, Leiden and modularity may be called from several threads. */
static pthread_mutex_t g_igraph_lock = PTHREAD_MUTEX_INITIALIZER;

static void igraph_guard_begin(igraph_guard *g)
{
    pthread_mutex_lock(&g_igraph_lock);
    memset(&g_igraph_error, 0, sizeof g_igraph_error);
    g->old_error = igraph_set_error_handler(record_error);
    g->old_warning = igraph_set_warning_handler(ignore_warning);
    g->rng_swapped = 0;
    g->rng_live = 0;
}

/* Install a private generator seeded with @seed as igraph's default. */
static igraph_error_t igraph_guard_seed(igraph_guard *g, unsigned long seed)
{
    igraph_error_t rc = igraph_rng_init(&g->rng, &igraph_rngtype_mt19937);

    if (rc != IGRAPH_SUCCESS)
        return rc;
    g->rng_live = 1;
    rc = igraph_rng_seed(&g->rng, (igraph_uint_t)seed);
    if (rc != IGRAPH_SUCCESS)
        return rc;
    g->old_rng = *igraph_rng_default();
    igraph_rng_set_default(&g->rng);
    g->rng_swapped = 1;
    return IGRAPH_SUCCESS;
}

static void igraph_guard_end(igraph_guard *g)
{
    if (g->rng_swapped)
        igraph_rng_set_default(&g->old_rng);
    if (g->rng_live)
        igraph_rng_destroy(&g->rng);
    igraph_set_warning_handler(g->old_warning);
    igraph_set_error_handler(g->old_error);
    pthread_mutex_unlock(&g_igraph_lock);
}

/* Map an igraph failure to a status with igraph's message. */
static simdepth_status igraph_failure(simdepth_error *err, const char *what,
                                      igraph_error_t rc)
{
    simdepth_status st;
    const char *reason;

    if (g_igraph_error.set)
        rc = g_igraph_error.code;
    switch (rc) {
    case IGRAPH_ENOMEM:
    case IGRAPH_EOVERFLOW:
        st = SIMDEPTH_ENOMEM;
        break;
    case IGRAPH_UNIMPLEMENTED:
        st = SIMDEPTH_EUNSUPPORTED;
        break;
    default:
        st = SIMDEPTH_EINVAL;
        break;
    }
    reason = g_igraph_error.set ? g_igraph_error.reason : "";
    if (g_igraph_error.set && g_igraph_error.file[0] != '\0')
        return simdepth_i_error_set(err, st, NULL, 0, 0, -1,
                                    "%s: igraph: %s (%s) [%s:%d]", what,
                                    reason[0] ? reason : "error",
                                    igraph_strerror(rc), g_igraph_error.file,
                                    g_igraph_error.line);
    return simdepth_i_error_set(err, st, NULL, 0, 0, -1, "%s: igraph: %s",
                                what, igraph_strerror(rc));
}

/* ------------------------------------------------------------------ */
/* The graph                                                           */

static simdepth_status check_matrix(const simdepth_matrix *s,
                                    const char *what, simdepth_error *err)
{
    size_t n, i, j;
    const float *f = NULL;
    const double *d = NULL;

    if (s == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "%s: no similarity matrix given", what);
    n = simdepth_matrix_rows(s);
    if (n != simdepth_matrix_cols(s))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "%s: the similarity matrix is %zu x %zu; expected a square "
            "matrix", what, n, simdepth_matrix_cols(s));
    if (n == 0)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "%s: the similarity matrix is empty; expected at least 1 x 1",
            what);
    if (n > INT32_MAX)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "%s: %zu items; at most %ld are supported", what, n,
            (long)INT32_MAX);
    if (simdepth_matrix_dtype(s) == SIMDEPTH_F32)
        f = simdepth_matrix_cdata(s);
    else
        d = simdepth_matrix_cdata(s);
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            double x = f != NULL ? (double)f[i * n + j] : d[i * n + j];
            double y = f != NULL ? (double)f[j * n + i] : d[j * n + i];
            if (!isfinite(x))
                return simdepth_i_error_set(
                    err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                    "%s: similarity at row %zu, column %zu (1-based) is %s; "
                    "expected finite similarities", what, i + 1, j + 1,
                    isnan(x) ? "NaN" : (x > 0 ? "+Inf" : "-Inf"));
            if (x < 0.0)
                return simdepth_i_error_set(
                    err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                    "%s: similarity at row %zu, column %zu (1-based) is "
                    "%.17g; expected non-negative edge weights (scale the "
                    "matrix first)", what, i + 1, j + 1, x);
            if (x != y)
                return simdepth_i_error_set(
                    err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                    "%s: the similarity matrix is not symmetric: (%zu, %zu) "
                    "is %.17g but (%zu, %zu) is %.17g (1-based); expected "
                    "an undirected graph", what, i + 1, j + 1, x, j + 1,
                    i + 1, y);
        }
    }
    return SIMDEPTH_OK;
}

/* The reference's graph: an edge i-j (i <= j, loops included) for every
 * non-zero S[i][j], weighted S[i][j], in row-major order of the upper
 * triangle. *total is the sum of the weights (m, loops once). */
static simdepth_status build_graph(const simdepth_matrix *s, igraph_t *g,
                                   igraph_vector_t *weights, double *total,
                                   const char *what, simdepth_error *err)
{
    size_t n = simdepth_matrix_rows(s), i, j, n_edges = 0, e = 0;
    const float *f = NULL;
    const double *d = NULL;
    igraph_vector_int_t edges;
    igraph_error_t rc;
    double sum = 0.0;

    if (simdepth_matrix_dtype(s) == SIMDEPTH_F32)
        f = simdepth_matrix_cdata(s);
    else
        d = simdepth_matrix_cdata(s);
    for (i = 0; i < n; i++)
        for (j = i; j < n; j++)
            n_edges += (f != NULL ? f[i * n + j] != 0.0f
                                  : d[i * n + j] != 0.0);
    if (n_edges > (size_t)IGRAPH_INTEGER_MAX / 2)
        return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
                                    "%s: %zu edges are too many for igraph",
                                    what, n_edges);
    rc = igraph_vector_int_init(&edges, (igraph_integer_t)(2 * n_edges));
    if (rc != IGRAPH_SUCCESS)
        return igraph_failure(err, what, rc);
    rc = igraph_vector_init(weights, (igraph_integer_t)n_edges);
    if (rc != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&edges);
        return igraph_failure(err, what, rc);
    }
    for (i = 0; i < n; i++) {
        for (j = i; j < n; j++) {
            double w = f != NULL ? (double)f[i * n + j] : d[i * n + j];
            if (w == 0.0)
                continue;
            VECTOR(edges)[2 * e] = (igraph_integer_t)i;
            VECTOR(edges)[2 * e + 1] = (igraph_integer_t)j;
            VECTOR(*weights)[e] = w;
            sum += w;
            e++;
        }
    }
    rc = igraph_create(g, &edges, (igraph_integer_t)n, IGRAPH_UNDIRECTED);
    igraph_vector_int_destroy(&edges);
    if (rc != IGRAPH_SUCCESS) {
        igraph_vector_destroy(weights);
        return igraph_failure(err, what, rc);
    }
    *total = sum;
    return SIMDEPTH_OK;
}

/* Labels 0 .. k-1 in order of first appearance by item index. */
static simdepth_status renumber(const igraph_vector_int_t *membership,
                                simdepth_partition *p, simdepth_error *err)
{
    size_t n = p->n, i;
    int32_t *map = simdepth_i_malloc_array(n, sizeof *map), next = 0;

    if (map == NULL)
        return simdepth_i_enomem(err, "community labels");
    for (i = 0; i < n; i++)
        map[i] = -1;
    for (i = 0; i < n; i++) {
        igraph_integer_t c = VECTOR(*membership)[i];
        if (c < 0 || (size_t)c >= n) {
            free(map);
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "igraph returned community %lld for vertex %zu",
                (long long)c, i);
        }
        if (map[c] < 0)
            map[c] = next++;
        p->labels[i] = map[c];
    }
    free(map);
    simdepth_partition_recount(p);
    return SIMDEPTH_OK;
}

static void singletons(simdepth_partition *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        p->labels[i] = (int32_t)i;
    simdepth_partition_recount(p);
}

/* ------------------------------------------------------------------ */
/* Louvain and Leiden                                                  */

enum { METHOD_LOUVAIN, METHOD_LEIDEN };

static simdepth_status communities(const simdepth_matrix *s,
                                   double resolution, unsigned long seed,
                                   int method, simdepth_partition **out,
                                   simdepth_error *err)
{
    const char *what = method == METHOD_LOUVAIN ? "Louvain" : "Leiden";
    simdepth_partition *p = NULL;
    simdepth_status st;
    igraph_guard guard;
    igraph_t g;
    igraph_vector_t weights, levels, strength;
    igraph_vector_int_t membership, previous;
    int have_graph = 0, have_membership = 0, have_levels = 0;
    int have_strength = 0, have_previous = 0, it = 0;
    igraph_error_t rc;
    double total = 0.0;

    st = check_matrix(s, what, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (!isfinite(resolution) || resolution < 0.0)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "%s: resolution %g; expected a finite value >= 0", what,
            resolution);
    st = simdepth_partition_new(simdepth_matrix_rows(s),
                                method == METHOD_LOUVAIN ? "louvain"
                                                         : "leiden",
                                &p, err);
    if (st != SIMDEPTH_OK)
        return st;
    p->converged = 1;

    igraph_guard_begin(&guard);
    rc = igraph_guard_seed(&guard, seed);
    if (rc != IGRAPH_SUCCESS) {
        st = igraph_failure(err, what, rc);
        goto out;
    }
    st = build_graph(s, &g, &weights, &total, what, err);
    if (st != SIMDEPTH_OK)
        goto out;
    have_graph = 1;
    if (!(total > 0.0)) {
        /* No edge at all: modularity is undefined and every item is
         * alone. */
        singletons(p);
        goto done;
    }
    rc = igraph_vector_int_init(&membership, 0);
    if (rc != IGRAPH_SUCCESS) {
        st = igraph_failure(err, what, rc);
        goto out;
    }
    have_membership = 1;

    if (method == METHOD_LOUVAIN) {
        rc = igraph_vector_init(&levels, 0);
        if (rc != IGRAPH_SUCCESS) {
            st = igraph_failure(err, what, rc);
            goto out;
        }
        have_levels = 1;
        rc = igraph_community_multilevel(&g, &weights, resolution,
                                         &membership, NULL, &levels);
        if (rc != IGRAPH_SUCCESS) {
            st = igraph_failure(err, what, rc);
            goto out;
        }
        p->iterations = (int)igraph_vector_size(&levels);
    } else {
        igraph_integer_t nb = 0;
        igraph_real_t quality = 0.0, two_m = 0.0;
        igraph_integer_t v;

        rc = igraph_vector_init(&strength, 0);
        if (rc != IGRAPH_SUCCESS) {
            st = igraph_failure(err, what, rc);
            goto out;
        }
        have_strength = 1;
        rc = igraph_strength(&g, &strength, igraph_vss_all(), IGRAPH_ALL,
                             IGRAPH_LOOPS, &weights);
        if (rc != IGRAPH_SUCCESS) {
            st = igraph_failure(err, what, rc);
            goto out;
        }
        /* 2m, summed as igraph_modularity sums it: every edge's weight
         * twice (a loop included). */
        for (v = 0; v < igraph_vector_size(&strength); v++)
            two_m += VECTOR(strength)[v];
        /* One iteration at a time from the previous membership, which is
         * what igraph's n_iterations = -1 does internally, but bounded:
         * with beta's random refinement some graphs (the Fashion-MNIST
         * sample's confusion graph) never settle, and -1 never returns. */
        rc = igraph_vector_int_init(&previous, 0);
        if (rc != IGRAPH_SUCCESS) {
            st = igraph_failure(err, what, rc);
            goto out;
        }
        have_previous = 1;
        p->converged = 0;
        for (it = 0; it < SIMDEPTH_LEIDEN_MAX_ITER; it++) {
            rc = igraph_community_leiden(&g, &weights, &strength,
                                         resolution / two_m, 0.01, it > 0, 1,
                                         &membership, &nb, &quality);
            if (rc != IGRAPH_SUCCESS) {
                st = igraph_failure(err, what, rc);
                goto out;
            }
            if (it > 0 && igraph_vector_int_all_e(&membership, &previous)) {
                p->converged = 1;
                break;
            }
            rc = igraph_vector_int_update(&previous, &membership);
            if (rc != IGRAPH_SUCCESS) {
                st = igraph_failure(err, what, rc);
                goto out;
            }
        }
        p->iterations = it < SIMDEPTH_LEIDEN_MAX_ITER ? it + 1 : it;
    }
    st = renumber(&membership, p, err);
    if (st != SIMDEPTH_OK)
        goto out;

done:
    *out = p;
    p = NULL;

out:
    if (have_previous)
        igraph_vector_int_destroy(&previous);
    if (have_strength)
        igraph_vector_destroy(&strength);
    if (have_levels)
        igraph_vector_destroy(&levels);
    if (have_membership)
        igraph_vector_int_destroy(&membership);
    if (have_graph) {
        igraph_vector_destroy(&weights);
        igraph_destroy(&g);
    }
    igraph_guard_end(&guard);
    simdepth_partition_free(p);
    return st;
}

simdepth_status simdepth_louvain(const simdepth_matrix *s, double resolution,
                                 unsigned long seed,
                                 simdepth_partition **out,
                                 simdepth_error *err)
{
    return communities(s, resolution, seed, METHOD_LOUVAIN, out, err);
}

simdepth_status simdepth_leiden(const simdepth_matrix *s, double resolution,
                                unsigned long seed, simdepth_partition **out,
                                simdepth_error *err)
{
    return communities(s, resolution, seed, METHOD_LEIDEN, out, err);
}

/* ------------------------------------------------------------------ */
/* Modularity                                                          */

simdepth_status simdepth_modularity(const simdepth_matrix *s,
                                    const simdepth_partition *p,
                                    double resolution, double *q,
                                    simdepth_error *err)
{
    const char *what = "modularity";
    simdepth_status st;
    igraph_guard guard;
    igraph_t g;
    igraph_vector_t weights;
    igraph_vector_int_t membership;
    int have_graph = 0, have_membership = 0;
    igraph_error_t rc;
    igraph_real_t value = 0.0;
    double total = 0.0;
    size_t n, i;

    st = check_matrix(s, what, err);
    if (st != SIMDEPTH_OK)
        return st;
    n = simdepth_matrix_rows(s);
    if (p == NULL || p->n != n || (n > 0 && p->labels == NULL))
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "modularity: the partition has %zu items; the matrix has %zu",
            p != NULL ? p->n : 0, n);
    for (i = 0; i < n; i++)
        if (p->labels[i] < -1)
            return simdepth_i_error_set(
                err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                "modularity: item %zu has label %ld; expected -1 or more",
                i, (long)p->labels[i]);
    if (!isfinite(resolution) || resolution < 0.0)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "modularity: resolution %g; expected a finite value >= 0",
            resolution);

    igraph_guard_begin(&guard);
    st = build_graph(s, &g, &weights, &total, what, err);
    if (st != SIMDEPTH_OK)
        goto out;
    have_graph = 1;
    rc = igraph_vector_int_init(&membership, (igraph_integer_t)n);
    if (rc != IGRAPH_SUCCESS) {
        st = igraph_failure(err, what, rc);
        goto out;
    }
    have_membership = 1;
    /* igraph wants labels >= 0: -1 (noise, one community in the
     * reference's counting) becomes the label after the largest. */
    {
        int32_t top = -1;
        for (i = 0; i < n; i++)
            if (p->labels[i] > top)
                top = p->labels[i];
        for (i = 0; i < n; i++)
            VECTOR(membership)[i] =
                p->labels[i] >= 0 ? p->labels[i] : (igraph_integer_t)top + 1;
    }
    rc = igraph_modularity(&g, &membership, &weights, resolution,
                           /* directed = */ 0, &value);
    if (rc != IGRAPH_SUCCESS) {
        st = igraph_failure(err, what, rc);
        goto out;
    }
    *q = value;

out:
    if (have_membership)
        igraph_vector_int_destroy(&membership);
    if (have_graph) {
        igraph_vector_destroy(&weights);
        igraph_destroy(&g);
    }
    igraph_guard_end(&guard);
    return st;
}
