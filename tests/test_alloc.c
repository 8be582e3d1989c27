/* simdepth — failing-allocator tests (issue "Hostile input, faults and
 * memory safety").
 *
 * With ./configure --enable-fault-injection the library's allocation
 * wrappers (src/lib/alloc.c) can be told to fail the n-th allocation. Each
 * case below runs one main path for n = 1, 2, ... until the path completes
 * without reaching its n-th allocation; every run in between must return
 * SIMDEPTH_ENOMEM with a message, leave *out NULL, and free everything it
 * took (the case frees what it got; the ASan job of tools/test-all.sh, with
 * LeakSanitizer, fails on any leak and on any bad access). The final run
 * must succeed with the same result as an unarmed run, so a failure that is
 * swallowed and changes the answer is caught too.
 *
 * Allocations of third-party libraries (jansson, igraph, libzip, OpenBLAS)
 * and of the C library (stdio) do not go through the wrappers and are not
 * failed here. Without --enable-fault-injection the suite reports itself
 * skipped. SIMDEPTH_ALLOC_CASE=SUBSTRING runs only the matching cases (for
 * debugging one path). */
#include "config.h"

#include <CUnit/CUnit.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/simdepth.h"
#include "tests.h"

#ifdef SIMDEPTH_FAULT_INJECTION

/* Exported only from fault-injection builds (src/lib/internal.h). */
void simdepth_fault_alloc_arm(unsigned long n);
unsigned long simdepth_fault_alloc_count(void);

#define SAMPLE "../../samples/fashion-mnist/"

/* Inputs loaded once, unarmed. */
static struct {
    simdepth_matrix *weights;   /* 10 x D */
    simdepth_matrix *confusion; /* 10 x 10 */
    simdepth_matrix *cosine;    /* 10 x 10 scaled */
    simdepth_matrix *sparse;    /* affinity/confusion100_negpref, float32 */
    simdepth_partition *sparse_ref; /* its dense affinity propagation */
    simdepth_labels *labels;
    simdepth_taxonomy *wn;
    size_t nodes[10];
    simdepth_analysis *analysis;
    simdepth_analysis_options opt;
    double ref_sd[SIMDEPTH_CLUSTER_NONE + 1];     /* unarmed SD per method */
    size_t ref_k[SIMDEPTH_CLUSTER_NONE + 1];      /* and cluster count */
} fx;

static simdepth_status run_analysis(simdepth_cluster_method method, simdepth_error *err,
                                    int *out_ok);

static const char *sample(const char *name)
{
    static char buf[1024];
    snprintf(buf, sizeof buf, "%s", simdepth_test_data(""));
    /* tests/data/ -> ../samples/fashion-mnist/NAME */
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), SAMPLE "%s", name);
    return buf;
}

static int setup(void)
{
    simdepth_error err;
    size_t i;

    memset(&fx, 0, sizeof fx);
    if (simdepth_npy_read(sample("weights.npy"), &fx.weights, &err) != SIMDEPTH_OK ||
        simdepth_matrix_read(sample("confusion.csv"), &fx.confusion, &err) != SIMDEPTH_OK ||
        simdepth_labels_read(sample("labels.txt"), &fx.labels, &err) != SIMDEPTH_OK ||
        simdepth_wordnet_open(NULL, &fx.wn, &err) != SIMDEPTH_OK ||
        simdepth_similarity_cosine(fx.weights, &fx.cosine, &err) != SIMDEPTH_OK ||
        simdepth_similarity_minmax(fx.cosine, &err) != SIMDEPTH_OK) {
        fprintf(stderr, "alloc setup: %s\n", err.message);
        return -1;
    }
    if (simdepth_labels_count(fx.labels) != 10)
        return -1;
    {
        simdepth_matrix *m64 = NULL;
        simdepth_ap_options o;
        size_t j;

        if (simdepth_npy_read(simdepth_test_data("affinity/confusion100_negpref.npy"), &m64,
                              &err) != SIMDEPTH_OK ||
            simdepth_matrix_new(100, 100, SIMDEPTH_F32, &fx.sparse, &err) != SIMDEPTH_OK) {
            simdepth_matrix_free(m64);
            fprintf(stderr, "alloc setup: %s\n", err.message);
            return -1;
        }
        for (i = 0; i < 100; i++)
            for (j = 0; j < 100; j++)
                simdepth_matrix_set(fx.sparse, i, j, simdepth_matrix_get(m64, i, j));
        simdepth_matrix_free(m64);
        simdepth_ap_options_init(&o);
        o.use_preference = 1;
        o.preference = -0.12;
        o.storage = SIMDEPTH_AP_STORAGE_DENSE;
        if (simdepth_affinity_propagation(fx.sparse, &o, &fx.sparse_ref, &err) != SIMDEPTH_OK)
            return -1;
    }
    for (i = 0; i < 10; i++)
        if (simdepth_taxonomy_find_id(fx.wn, simdepth_labels_key(fx.labels, i), &fx.nodes[i],
                                      &err) != SIMDEPTH_OK)
            return -1;
    simdepth_analysis_options_init(&fx.opt);
    {
        simdepth_matrix *s = NULL;
        if (simdepth_similarity_cosine(fx.weights, &s, &err) != SIMDEPTH_OK)
            return -1;
        if (simdepth_analysis_run(s, fx.confusion, fx.wn, fx.nodes, &fx.opt, &fx.analysis,
                                  &err) != SIMDEPTH_OK) {
            simdepth_matrix_free(s);
            return -1;
        }
        simdepth_matrix_free(s);
    }
    /* Reference results of every method, unarmed (run_analysis compares
     * against these, so they start as "unknown"). */
    for (i = 0; i <= SIMDEPTH_CLUSTER_NONE; i++)
        fx.ref_k[i] = (size_t)-1;
    for (i = 0; i <= SIMDEPTH_CLUSTER_NONE; i++) {
        int ok = 1;
        if (i == SIMDEPTH_CLUSTER_LEIDEN)
            continue; /* not walked: see the note above the CASE list */
        if (run_analysis((simdepth_cluster_method)i, &err, &ok) != SIMDEPTH_OK) {
            fprintf(stderr, "alloc setup: method %zu: %s\n", i, err.message);
            return -1;
        }
    }
    return 0;
}

static int teardown(void)
{
    simdepth_fault_alloc_arm(0);
    simdepth_analysis_free(fx.analysis);
    simdepth_matrix_free(fx.weights);
    simdepth_matrix_free(fx.confusion);
    simdepth_matrix_free(fx.sparse);
    simdepth_partition_free(fx.sparse_ref);
    simdepth_matrix_free(fx.cosine);
    simdepth_labels_free(fx.labels);
    simdepth_taxonomy_free(fx.wn);
    memset(&fx, 0, sizeof fx);
    return 0;
}

/* One path under test. Returns its status; on success it also checks its
 * result (returning SIMDEPTH_EINVAL when the result is wrong, which the
 * walk reports). It frees everything it allocated either way and sets
 * *out_null to 0 if some output pointer was set on failure. */
typedef simdepth_status (*path_fn)(simdepth_error *err, int *out_ok);

/* Walk every allocation of @fn. @stride > 1 would test only every
 * stride-th point beyond the first 2000 (for a future path with very many
 * allocations; every case below walks all of them). */
static void walk(const char *name, path_fn fn, unsigned long stride)
{
    unsigned long n = 1, points = 0, tolerated = 0;
    const char *only = getenv("SIMDEPTH_ALLOC_CASE");

    if (only != NULL && *only != '\0' && strstr(name, only) == NULL) {
        printf("\n    %s: not selected by SIMDEPTH_ALLOC_CASE; ", name);
        return;
    }

    for (;;) {
        simdepth_error err;
        simdepth_status st;
        unsigned long seen;
        int out_ok = 1;

        memset(&err, 0, sizeof err);
        simdepth_fault_alloc_arm(n);
        st = fn(&err, &out_ok);
        seen = simdepth_fault_alloc_count();
        simdepth_fault_alloc_arm(0);
        if (seen < n) {
            /* Ran to the end without reaching the n-th allocation. */
            simdepth_test_row_check(st == SIMDEPTH_OK, "alloc", name, __FILE__, __LINE__,
                                    "unfailed run returned %d (%s)", (int)st, err.message);
            break;
        }
        points++;
        if (st == SIMDEPTH_OK) {
            /* A documented fallback that needs no memory (e.g. the
             * quadratic cluster count of simdepth_partition_recount); the
             * path checked its result, so the answer is still right. */
            tolerated++;
        } else if (st != SIMDEPTH_ENOMEM || err.status != SIMDEPTH_ENOMEM || err.message[0] == '\0' ||
            !out_ok) {
            simdepth_test_row_check(0, "alloc", name, __FILE__, __LINE__,
                                    "allocation %lu failed: status %d (error status %d), "
                                    "message '%s', outputs untouched %d",
                                    n, (int)st, (int)err.status, err.message, out_ok);
            break;
        }
        n += (n >= 2000 && stride > 1) ? stride : 1;
    }
    printf("\n    %s: %lu allocation failures injected (%lu absorbed by a fallback)%s; ", name,
           points, tolerated, stride > 1 ? ", every stride-th beyond 2000" : "");
}

/* ---------------------------------------------------------------- readers */

static simdepth_status read_tensor(const char *rel, const char *tensor, size_t rows,
                                   simdepth_error *err, int *out_ok)
{
    simdepth_tensor_file *f = NULL;
    simdepth_matrix *m = NULL;
    size_t i = 0;
    simdepth_status st;
    char why[256];

    st = simdepth_tensor_file_open(simdepth_test_data(rel), &f, err);
    if (st != SIMDEPTH_OK) {
        *out_ok = f == NULL;
        return st;
    }
    if (tensor != NULL)
        st = simdepth_tensor_file_find(f, tensor, &i, err);
    else
        st = simdepth_tensor_file_pick(f, 0, &i, why, sizeof why, err);
    if (st == SIMDEPTH_OK) {
        st = simdepth_tensor_file_read(f, i, &m, err);
        if (st != SIMDEPTH_OK)
            *out_ok = m == NULL;
        else if (rows != 0 && simdepth_matrix_rows(m) != rows)
            st = SIMDEPTH_EINVAL;
    }
    simdepth_matrix_free(m);
    simdepth_tensor_file_free(f);
    return st;
}

static simdepth_status p_npy(simdepth_error *err, int *out_ok)
{
    simdepth_matrix *m = NULL;
    simdepth_status st = simdepth_npy_read(sample("weights.npy"), &m, err);

    if (st != SIMDEPTH_OK)
        *out_ok = m == NULL;
    else if (simdepth_matrix_rows(m) != 10)
        st = SIMDEPTH_EINVAL;
    simdepth_matrix_free(m);
    return st;
}

static simdepth_status p_npy_file(simdepth_error *err, int *out_ok)
{
    return read_tensor("io/arange_f64_4x5.npy", NULL, 4, err, out_ok);
}

static simdepth_status p_safetensors(simdepth_error *err, int *out_ok)
{
    return read_tensor("safetensors/classifier.safetensors", NULL, 0, err, out_ok);
}

static simdepth_status p_pth_zip(simdepth_error *err, int *out_ok)
{
    return read_tensor("pth/nested_model_state_dict.pth", NULL, 0, err, out_ok);
}

static simdepth_status p_pth_deflated(simdepth_error *err, int *out_ok)
{
    return read_tensor("pth/deflated.pth", NULL, 0, err, out_ok);
}

static simdepth_status p_pth_legacy(simdepth_error *err, int *out_ok)
{
    return read_tensor("pth/nested_epoch_legacy.pth", NULL, 0, err, out_ok);
}

static simdepth_status p_csv(simdepth_error *err, int *out_ok)
{
    simdepth_matrix *m = NULL;
    simdepth_status st = simdepth_matrix_read(sample("confusion.csv"), &m, err);

    if (st != SIMDEPTH_OK)
        *out_ok = m == NULL;
    else if (simdepth_matrix_rows(m) != 10 || simdepth_matrix_cols(m) != 10)
        st = SIMDEPTH_EINVAL;
    simdepth_matrix_free(m);
    return st;
}

static simdepth_status p_labels(simdepth_error *err, int *out_ok)
{
    simdepth_labels *l = NULL;
    simdepth_status st = simdepth_labels_read(sample("labels.txt"), &l, err);

    if (st != SIMDEPTH_OK)
        *out_ok = l == NULL;
    else if (simdepth_labels_count(l) != 10)
        st = SIMDEPTH_EINVAL;
    simdepth_labels_free(l);
    return st;
}

static simdepth_status p_custom_taxonomy(simdepth_error *err, int *out_ok)
{
    simdepth_taxonomy *t = NULL;
    simdepth_labels *l = NULL;
    size_t nodes[100];
    simdepth_status st;
    char path[1024];

    snprintf(path, sizeof path, "%s../../samples/cifar100/taxonomy.tsv", simdepth_test_data(""));
    st = simdepth_taxonomy_read(path, &t, err);
    if (st != SIMDEPTH_OK) {
        *out_ok = t == NULL;
        return st;
    }
    snprintf(path, sizeof path, "%s../../samples/cifar100/names.txt", simdepth_test_data(""));
    st = simdepth_labels_read(path, &l, err);
    if (st == SIMDEPTH_OK && simdepth_labels_count(l) <= 100)
        st = simdepth_taxonomy_resolve_labels(t, l, path, nodes, err);
    simdepth_labels_free(l);
    simdepth_taxonomy_free(t);
    return st;
}

static simdepth_status p_newick(simdepth_error *err, int *out_ok)
{
    static const char text[] = "((a:1,b:1)ab:1,(c:1.5,(d:0.5,e:0.5):1):0.5)root;";
    static const char *const names[] = {"a", "b", "c", "d", "e"};
    simdepth_newick_tree *t = NULL;
    simdepth_matrix *Z = NULL;
    simdepth_status st = simdepth_newick_parse(text, sizeof text - 1, "test", &t, err);

    if (st != SIMDEPTH_OK) {
        *out_ok = t == NULL;
        return st;
    }
    st = simdepth_newick_to_linkage(t, names, 5, &Z, err);
    if (st != SIMDEPTH_OK)
        *out_ok = Z == NULL;
    simdepth_matrix_free(Z);
    simdepth_newick_tree_free(t);
    return st;
}

/* WordNet: ~82k noun synsets in about 100 allocations (each run parses
 * the whole database, so this and wnmap are the slow cases). */
static simdepth_status p_wordnet(simdepth_error *err, int *out_ok)
{
    simdepth_taxonomy *t = NULL;
    simdepth_status st = simdepth_wordnet_open(NULL, &t, err);

    if (st != SIMDEPTH_OK)
        *out_ok = t == NULL;
    simdepth_taxonomy_free(t);
    return st;
}

static simdepth_status p_wnmap(simdepth_error *err, int *out_ok)
{
    simdepth_wnmap *m = NULL;
    simdepth_wnmap_result r;
    simdepth_status st = simdepth_wnmap_open(NULL, &m, err);

    if (st != SIMDEPTH_OK) {
        *out_ok = m == NULL;
        return st;
    }
    memset(&r, 0, sizeof r);
    st = simdepth_wnmap_lookup(m, "golden retriever", &r, err);
    if (st == SIMDEPTH_OK && r.n == 0)
        st = SIMDEPTH_EINVAL;
    simdepth_wnmap_result_clear(&r);
    simdepth_wnmap_free(m);
    return st;
}

/* ---------------------------------------------------------------- analysis */

static simdepth_status p_similarity(simdepth_error *err, int *out_ok)
{
    simdepth_matrix *s = NULL, *f = NULL;
    simdepth_status st = simdepth_similarity_cosine(fx.weights, &s, err);

    if (st != SIMDEPTH_OK) {
        *out_ok = s == NULL;
        return st;
    }
    st = simdepth_similarity_minmax(s, err);
    if (st == SIMDEPTH_OK) {
        st = simdepth_similarity_functional(fx.confusion, &f, err);
        if (st != SIMDEPTH_OK)
            *out_ok = f == NULL;
    }
    simdepth_matrix_free(f);
    simdepth_matrix_free(s);
    return st;
}

static int same_partition(const simdepth_partition *a, const simdepth_partition *b)
{
    return a->n == b->n && a->n_clusters == b->n_clusters &&
           memcmp(a->labels, b->labels, a->n * sizeof *a->labels) == 0;
}

static simdepth_status p_affinity(simdepth_error *err, int *out_ok)
{
    simdepth_ap_options o;
    simdepth_partition *p = NULL;
    simdepth_forest *f = NULL;
    simdepth_status st;

    simdepth_ap_options_init(&o);
    st = simdepth_affinity_propagation(fx.cosine, &o, &p, err);
    if (st != SIMDEPTH_OK) {
        *out_ok = p == NULL;
        return st;
    }
    if (!same_partition(p, fx.analysis->perceived.partition))
        st = SIMDEPTH_EINVAL;
    else
        st = simdepth_forest_build(fx.cosine, p, &f, err);
    if (st != SIMDEPTH_OK)
        *out_ok = f == NULL;
    else if (f->n_edges != fx.analysis->perceived.forest->n_edges)
        st = SIMDEPTH_EINVAL;
    simdepth_forest_free(f);
    simdepth_partition_free(p);
    return st;
}

/* Sparse messages on a float32 confusion-like matrix whose run hands over
 * to the dense iterations at iteration 11 (tests/test_affinity.c): every
 * allocation of the sparse state, of the dense messages and of the
 * float64 copy made at the handover. */
static simdepth_status p_affinity_sparse(simdepth_error *err, int *out_ok)
{
    simdepth_ap_options o;
    simdepth_partition *p = NULL;
    simdepth_status st;

    simdepth_ap_options_init(&o);
    o.use_preference = 1;
    o.preference = -0.12;
    o.storage = SIMDEPTH_AP_STORAGE_SPARSE;
    st = simdepth_affinity_propagation(fx.sparse, &o, &p, err);
    if (st != SIMDEPTH_OK) {
        *out_ok = p == NULL;
        return st;
    }
    if (!same_partition(p, fx.sparse_ref) || p->iterations != fx.sparse_ref->iterations)
        st = SIMDEPTH_EINVAL;
    simdepth_partition_free(p);
    return st;
}

/* The whole pipeline with WordNet, a confusion matrix and the baselines,
 * for one clustering method; the result must equal the unarmed run's. */
static simdepth_status run_analysis(simdepth_cluster_method method, simdepth_error *err,
                                    int *out_ok)
{
    simdepth_analysis_options o = fx.opt;
    simdepth_analysis *a = NULL;
    simdepth_matrix *s = NULL;
    simdepth_status st;

    o.cluster = method;
    o.cut_k = 4;
    st = simdepth_similarity_cosine(fx.weights, &s, err);
    if (st != SIMDEPTH_OK)
        return st;
    st = simdepth_analysis_run(s, fx.confusion, fx.wn, fx.nodes, &o, &a, err);
    if (st != SIMDEPTH_OK) {
        *out_ok = a == NULL;
    } else if (fx.ref_k[method] == (size_t)-1) {
        fx.ref_sd[method] = a->perceived.similarity_depth;
        fx.ref_k[method] = a->perceived.partition->n_clusters;
    } else if (memcmp(&a->perceived.similarity_depth, &fx.ref_sd[method], sizeof(double)) != 0 ||
               a->perceived.partition->n_clusters != fx.ref_k[method]) {
        st = SIMDEPTH_EINVAL; /* a swallowed failure changed the answer */
    }
    simdepth_analysis_free(a);
    simdepth_matrix_free(s);
    return st;
}

#define ANALYSIS(tag, M)                                                                    \
    static simdepth_status p_analysis_##tag(simdepth_error *err, int *out_ok)               \
    {                                                                                       \
        return run_analysis(M, err, out_ok);                                                \
    }
ANALYSIS(affinity, SIMDEPTH_CLUSTER_AFFINITY)
ANALYSIS(louvain, SIMDEPTH_CLUSTER_LOUVAIN)
ANALYSIS(optics, SIMDEPTH_CLUSTER_OPTICS)
ANALYSIS(hdbscan, SIMDEPTH_CLUSTER_HDBSCAN)
ANALYSIS(cut, SIMDEPTH_CLUSTER_CUT)
ANALYSIS(none, SIMDEPTH_CLUSTER_NONE)

static simdepth_status p_linkage(simdepth_error *err, int *out_ok)
{
    simdepth_matrix *Z = NULL;
    char *nwk = NULL;
    size_t len = 0;
    simdepth_status st = simdepth_linkage_from_similarity(fx.cosine, SIMDEPTH_LINKAGE_AVERAGE,
                                                          SIMDEPTH_DISTANCE_ONE_MINUS,
                                                          SIMDEPTH_F64, &Z, err);

    if (st != SIMDEPTH_OK) {
        *out_ok = Z == NULL;
        return st;
    }
    st = simdepth_newick_format(Z, NULL, &nwk, &len, err);
    if (st != SIMDEPTH_OK)
        *out_ok = nwk == NULL;
    free(nwk);
    simdepth_matrix_free(Z);
    return st;
}

static simdepth_status p_semsim(simdepth_error *err, int *out_ok)
{
    simdepth_matrix *m = NULL;
    simdepth_status st = simdepth_semsim_matrix(fx.wn, fx.nodes, 10, SIMDEPTH_SEMSIM_WUP,
                                                SIMDEPTH_LCS_REFERENCE, &m, err);

    if (st != SIMDEPTH_OK)
        *out_ok = m == NULL;
    simdepth_matrix_free(m);
    return st;
}

/* Reports: every format, to a memory stream (whose own buffer is the C
 * library's and not failed). */
static simdepth_status report(simdepth_report_format format, simdepth_error *err)
{
    simdepth_report_info info;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    simdepth_status st;

    if (f == NULL)
        return SIMDEPTH_EIO;
    memset(&info, 0, sizeof info);
    info.name = "fashion-mnist";
    info.labels = fx.labels;
    info.tax = fx.wn;
    info.nodes = fx.nodes;
    info.options = &fx.opt;
    st = simdepth_report_write(f, format, fx.analysis, &info, err);
    fclose(f);
    if (st == SIMDEPTH_OK && len == 0)
        st = SIMDEPTH_EINVAL;
    free(buf);
    return st;
}

static simdepth_status p_report_json(simdepth_error *err, int *out_ok)
{
    (void)out_ok;
    return report(SIMDEPTH_REPORT_JSON, err);
}

static simdepth_status p_report_text(simdepth_error *err, int *out_ok)
{
    (void)out_ok;
    return report(SIMDEPTH_REPORT_TEXT, err);
}

static simdepth_status p_report_csv(simdepth_error *err, int *out_ok)
{
    (void)out_ok;
    return report(SIMDEPTH_REPORT_CSV, err);
}

static simdepth_status p_report_latex(simdepth_error *err, int *out_ok)
{
    (void)out_ok;
    return report(SIMDEPTH_REPORT_LATEX, err);
}

#define CASE(name, stride)                                                                  \
    static void test_##name(void)                                                           \
    {                                                                                       \
        walk(#name, p_##name, stride);                                                      \
    }
CASE(npy, 1)
CASE(npy_file, 1)
CASE(safetensors, 1)
CASE(pth_zip, 1)
CASE(pth_deflated, 1)
CASE(pth_legacy, 1)
CASE(csv, 1)
CASE(labels, 1)
CASE(custom_taxonomy, 1)
CASE(newick, 1)
CASE(wordnet, 1)
CASE(wnmap, 1)
CASE(similarity, 1)
CASE(affinity, 1)
CASE(affinity_sparse, 1)
CASE(analysis_affinity, 1)
CASE(analysis_louvain, 1)
/* Leiden is left out: on this sample's confusion graph igraph's
 * igraph_community_leiden(..., n_iterations = -1, ...) never reaches a
 * stable iteration (src/lib/community.c; `simdepth analyze --cluster leiden
 * -c confusion.csv` on samples/fashion-mnist hangs too). Reported; add it
 * back once community.c bounds the iterations. */
CASE(analysis_optics, 1)
CASE(analysis_hdbscan, 1)
CASE(analysis_cut, 1)
CASE(analysis_none, 1)
CASE(linkage, 1)
CASE(semsim, 1)
CASE(report_json, 1)
CASE(report_text, 1)
CASE(report_csv, 1)
CASE(report_latex, 1)

int simdepth_test_add_alloc(void)
{
    static const struct {
        const char *name;
        CU_TestFunc fn;
    } tests[] = {
#define T(n) {#n, test_##n}
        T(npy), T(npy_file), T(safetensors), T(pth_zip), T(pth_deflated), T(pth_legacy),
        T(csv), T(labels), T(custom_taxonomy), T(newick), T(wordnet), T(wnmap),
        T(similarity), T(affinity), T(affinity_sparse), T(analysis_affinity),
        T(analysis_louvain),
        T(analysis_optics), T(analysis_hdbscan), T(analysis_cut),
        T(analysis_none), T(linkage), T(semsim), T(report_json), T(report_text),
        T(report_csv), T(report_latex),
#undef T
    };
    CU_pSuite s = CU_add_suite("alloc", setup, teardown);
    size_t i;

    if (s == NULL)
        return -1;
    for (i = 0; i < sizeof tests / sizeof tests[0]; i++)
        if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
            return -1;
    return 0;
}

#else /* !SIMDEPTH_FAULT_INJECTION */

static void test_skipped(void)
{
    printf("\n    SKIPPED: built without ./configure --enable-fault-injection");
}

int simdepth_test_add_alloc(void)
{
    CU_pSuite s = CU_add_suite("alloc", NULL, NULL);

    if (s == NULL || CU_add_test(s, "skipped (no fault injection)", test_skipped) == NULL)
        return -1;
    return 0;
}

#endif
