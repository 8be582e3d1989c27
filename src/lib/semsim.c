/* simdepth — NLTK's path, Wu-Palmer and Leacock-Chodorow matrices.
 *
 * Each value is computed with NLTK's own floating-point operations
 * (nltk/corpus/reader/wordnet.py, 3.8), so WordNet results are expected to
 * be bit-identical to NLTK's:
 *   path  1 / (distance + 1)             Python: 1.0 / (distance + 1)
 *   lch   -log((distance + 1) / (2.0 * depth))
 *   wup   taxonomy.c's simdepth_taxonomy_lcs()
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "simdepth/semsim.h"
#include "internal.h"

const char *simdepth_semsim_measure_name(simdepth_semsim_measure m)
{
    switch (m) {
    case SIMDEPTH_SEMSIM_PATH: return "path";
    case SIMDEPTH_SEMSIM_WUP: return "wup";
    case SIMDEPTH_SEMSIM_LCH: return "lch";
    }
    return NULL;
}

simdepth_status simdepth_semsim_measure_parse(const char *s,
                                              simdepth_semsim_measure *m,
                                              simdepth_error *err)
{
    if (s != NULL && m != NULL) {
        if (strcmp(s, "path") == 0) {
            *m = SIMDEPTH_SEMSIM_PATH;
            return SIMDEPTH_OK;
        }
        if (strcmp(s, "wup") == 0) {
            *m = SIMDEPTH_SEMSIM_WUP;
            return SIMDEPTH_OK;
        }
        if (strcmp(s, "lch") == 0) {
            *m = SIMDEPTH_SEMSIM_LCH;
            return SIMDEPTH_OK;
        }
    }
    return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                "unknown measure '%s'; expected path, wup "
                                "or lch",
                                s == NULL ? "(null)" : s);
}

int simdepth_semsim_lch_depth(const simdepth_taxonomy *t)
{
    size_t u, n = simdepth_taxonomy_size(t);
    int depth = -1;

    for (u = 0; u < n; u++) {
        int d = simdepth_taxonomy_max_depth(t, u);

        if (d < 0)
            return -1; /* not finished */
        if (d > depth)
            depth = d;
    }
    return depth;
}

/* One value; @depth is the lch depth (computed once per matrix). */
static simdepth_status pair_value(const simdepth_taxonomy *t, size_t a,
                                  size_t b, simdepth_semsim_measure m,
                                  simdepth_lcs_rule rule, int depth,
                                  double *out, simdepth_error *err)
{
    simdepth_lcs lcs;
    simdepth_status st;
    int d;

    if (m == SIMDEPTH_SEMSIM_WUP) {
        st = simdepth_taxonomy_lcs(t, a, b, rule, &lcs, err);
        if (st == SIMDEPTH_OK)
            *out = lcs.wup;
        return st;
    }
    d = simdepth_taxonomy_path_distance(t, a, b);
    if (d < 0)
        return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0, -1,
                                    "'%s' and '%s' have no common subsumer, "
                                    "so no path",
                                    simdepth_taxonomy_name(t, a),
                                    simdepth_taxonomy_name(t, b));
    if (m == SIMDEPTH_SEMSIM_PATH) {
        *out = 1.0 / (d + 1);
        return SIMDEPTH_OK;
    }
    if (depth <= 0)
        return simdepth_i_error_set(err, SIMDEPTH_EUNSUPPORTED, NULL, 0, 0,
                                    -1, "Leacock-Chodorow needs a taxonomy "
                                    "of depth at least 1 (NLTK gives None)");
    *out = -log((double)(d + 1) / (2.0 * depth));
    return SIMDEPTH_OK;
}

static simdepth_status check_args(const simdepth_taxonomy *t,
                                  simdepth_semsim_measure m,
                                  simdepth_lcs_rule rule,
                                  simdepth_error *err)
{
    if (t == NULL || simdepth_taxonomy_max_depth(t, 0) < 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "semantic similarity needs a finished, "
                                    "non-empty taxonomy");
    if (simdepth_semsim_measure_name(m) == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown semantic similarity measure %d",
                                    (int)m);
    if (rule != SIMDEPTH_LCS_REFERENCE && rule != SIMDEPTH_LCS_TRUE)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown LCS rule %d", (int)rule);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_semsim_pair(const simdepth_taxonomy *t, size_t a,
                                     size_t b, simdepth_semsim_measure m,
                                     simdepth_lcs_rule rule, double *out,
                                     simdepth_error *err)
{
    size_t n = simdepth_taxonomy_size(t);
    simdepth_status st = check_args(t, m, rule, err);

    if (st != SIMDEPTH_OK)
        return st;
    if (out == NULL || a >= n || b >= n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "semsim_pair needs nodes below %zu and "
                                    "an output", n);
    return pair_value(t, a, b, m, rule,
                      m == SIMDEPTH_SEMSIM_LCH ? simdepth_semsim_lch_depth(t)
                                               : 0,
                      out, err);
}

simdepth_status simdepth_semsim_matrix(const simdepth_taxonomy *t,
                                       const size_t *nodes, size_t n,
                                       simdepth_semsim_measure m,
                                       simdepth_lcs_rule rule,
                                       simdepth_matrix **out,
                                       simdepth_error *err)
{
    simdepth_matrix *s = NULL;
    double *d;
    size_t i, j, size = simdepth_taxonomy_size(t);
    int depth = 0;
    simdepth_status st = check_args(t, m, rule, err);

    if (st != SIMDEPTH_OK)
        return st;
    if (nodes == NULL || out == NULL || n == 0)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "semsim_matrix needs nodes, n > 0 and an "
                                    "output");
    for (i = 0; i < n; i++) {
        if (nodes[i] >= size)
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                        "class %zu: node %zu is out of range "
                                        "(%zu nodes)", i, nodes[i], size);
    }
    if (m == SIMDEPTH_SEMSIM_LCH)
        depth = simdepth_semsim_lch_depth(t);
    st = simdepth_matrix_new(n, n, SIMDEPTH_F64, &s, err);
    if (st != SIMDEPTH_OK)
        return st;
    d = simdepth_matrix_data(s);
    for (i = 0; i < n; i++) {
        for (j = i; j < n; j++) {
            double v = 0.0;

            st = pair_value(t, nodes[i], nodes[j], m, rule, depth, &v, err);
            if (st != SIMDEPTH_OK) {
                if (err != NULL) {
                    char msg[sizeof err->message];

                    memcpy(msg, err->message, sizeof msg);
                    msg[sizeof msg - 1] = '\0';
                    simdepth_i_error_set(err, st, NULL, 0, 0, -1,
                                         "classes %zu and %zu: %s", i, j,
                                         msg);
                }
                simdepth_matrix_free(s);
                return st;
            }
            d[i * n + j] = v;
            d[j * n + i] = v;
        }
    }
    *out = s;
    return SIMDEPTH_OK;
}
