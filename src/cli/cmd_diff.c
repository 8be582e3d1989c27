/* simdepth CLI — the diff command: what changed between two models' learned
 * class hierarchies (spanning-tree edges, partitions, dendrograms, nearest
 * neighbours, similarities), as a report and as figures. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "spec.h"

typedef enum diff_format { DIFF_JSON = 0, DIFF_TEXT = 1 } diff_format;

typedef struct diff_opts {
    const char *spec[2];
    const char *labels;
    const char *taxonomy;
    const char *wordnet_dir;
    const char *output;
    const char *report;   /* with --figure: where the report goes, or NULL */
    const char *theme;
    int format;           /* -1: by output */
    int figure;           /* -1: none, else simdepth_diff_figure */
    int image_format;     /* -1: from the output name */
    size_t top;
    int quiet;
    simdepth_analysis_options an;
    simdepth_render_options ro;
} diff_opts;

enum {
    OPT_SCALING = 1000,
    OPT_WORDNET_DIR,
    OPT_LCS,
    OPT_FORMAT,
    OPT_PREFERENCE,
    OPT_DAMPING,
    OPT_MAX_ITER,
    OPT_CONV_ITER,
    OPT_CLUSTER,
    OPT_SEED,
    OPT_RESOLUTION,
    OPT_LINKAGE,
    OPT_DROP_NOISE,
    OPT_TAXONOMY,
    OPT_TOP,
    OPT_FIGURE,
    OPT_REPORT,
    OPT_WIDTH,
    OPT_HEIGHT,
    OPT_SIZE,
    OPT_DPI,
    OPT_THEME
};

static void diff_usage(FILE *f)
{
    fprintf(f,
            "Usage: simdepth diff [options] A B\n"
            "       simdepth diff --figure graph|tanglegram -o FILE [options] A B\n\n"
            "Compare the class hierarchies two models learned: spanning-tree edges shared\n"
            "and only in one model, partition agreement (ARI, VI), dendrogram agreement\n"
            "(cophenetic correlation, Baker's gamma, Fowlkes-Mallows B_k, entanglement),\n"
            "each class's nearest neighbour, and the pairs whose similarity changed most.\n\n"
            "A and B are model specs: weights=FILE[:TENSOR] or similarity=FILE, then\n"
            "optional ,confusion=FILE ,labels=FILE (the model's own class order; it is\n"
            "realigned to the shared labels) ,name=NAME, e.g.\n"
            "  similarity=vit.npy,confusion=vit_conf.npy,name=ViT-B\n\n"
            "Inputs:\n"
            "  -l, --labels FILE         shared labels, one per line in row order (default:\n"
            "                            the labels= file of A, else of B)\n"
            "      --taxonomy FILE       a custom taxonomy instead of WordNet\n"
            "      --wordnet-dir DIR     WordNet 3.0 database\n"
            "Method (as 'simdepth analyze', applied to both models):\n"
            "      --scaling minmax|none, --lcs reference|true, --cluster METHOD (ap,\n"
            "      louvain, leiden, optics, hdbscan, cut:K, none), --seed N,\n"
            "      --resolution X, --drop-noise, --preference X, --damping X,\n"
            "      --max-iter N, --convergence-iter N\n"
            "      --linkage METHOD      dendrograms compared and drawn, and cut:K (default\n"
            "                            average)\n"
            "Report:\n"
            "  -o, --output FILE         the report ('-' or absent: standard output); with\n"
            "                            --figure, the figure\n"
            "      --format json|text    default: from the extension (.json, .txt); on\n"
            "                            standard output text on a terminal, else json\n"
            "      --top N               similarity changes listed (default 10)\n"
            "      --report FILE         with --figure: also write the report to FILE\n"
            "Figure:\n"
            "      --figure graph|tanglegram\n"
            "                            graph: both models' tree edges, shared / only A /\n"
            "                            only B, A's clusters as boxes; tanglegram: the two\n"
            "                            dendrograms facing each other, untangled\n"
            "  -T, --image-format svg|pdf|png|dot\n"
            "                            default: from the extension of -o (dot: graph only)\n"
            "      --width LEN, --height LEN, --size PRESET, --dpi N, --theme NAME|FILE\n"
            "                            as 'simdepth render'\n"
            "Other:\n"
            "  -q, --quiet               no notes on standard error\n"
            "  -h, --help                show this help\n\n"
            "Exit status: 0 success, 1 runtime error (including a failed rendering), 2 usage\n"
            "error or bad input. See simdepth-diff(1).\n");
}

static int parse_args(int argc, char **argv, diff_opts *o)
{
    static const struct option longopts[] = {
        {"labels", required_argument, NULL, 'l'},
        {"output", required_argument, NULL, 'o'},
        {"image-format", required_argument, NULL, 'T'},
        {"scaling", required_argument, NULL, OPT_SCALING},
        {"wordnet-dir", required_argument, NULL, OPT_WORDNET_DIR},
        {"lcs", required_argument, NULL, OPT_LCS},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"preference", required_argument, NULL, OPT_PREFERENCE},
        {"damping", required_argument, NULL, OPT_DAMPING},
        {"max-iter", required_argument, NULL, OPT_MAX_ITER},
        {"convergence-iter", required_argument, NULL, OPT_CONV_ITER},
        {"cluster", required_argument, NULL, OPT_CLUSTER},
        {"seed", required_argument, NULL, OPT_SEED},
        {"resolution", required_argument, NULL, OPT_RESOLUTION},
        {"linkage", required_argument, NULL, OPT_LINKAGE},
        {"drop-noise", no_argument, NULL, OPT_DROP_NOISE},
        {"taxonomy", required_argument, NULL, OPT_TAXONOMY},
        {"top", required_argument, NULL, OPT_TOP},
        {"figure", required_argument, NULL, OPT_FIGURE},
        {"report", required_argument, NULL, OPT_REPORT},
        {"width", required_argument, NULL, OPT_WIDTH},
        {"height", required_argument, NULL, OPT_HEIGHT},
        {"size", required_argument, NULL, OPT_SIZE},
        {"dpi", required_argument, NULL, OPT_DPI},
        {"theme", required_argument, NULL, OPT_THEME},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c, iv, rc, idx = -1;

    memset(o, 0, sizeof *o);
    o->format = -1;
    o->figure = -1;
    o->image_format = -1;
    o->top = 10;
    simdepth_analysis_options_init(&o->an);
    o->an.baselines = 0;
    simdepth_render_options_init(&o->ro);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":l:o:T:qh", longopts, &idx)) != -1) {
        const char *lname = idx >= 0 ? longopts[idx].name : "";
        idx = -1;
        switch (c) {
        case 'l': o->labels = optarg; break;
        case 'o': o->output = optarg; break;
        case 'q': o->quiet = 1; break;
        case OPT_WORDNET_DIR: o->wordnet_dir = optarg; break;
        case OPT_TAXONOMY: o->taxonomy = optarg; break;
        case OPT_REPORT: o->report = optarg; break;
        case OPT_THEME: o->theme = optarg; break;
        case 'T': {
            simdepth_image_format f;
            if (strchr(optarg, '.') != NULL ||
                simdepth_image_format_parse(optarg, &f, NULL) != SIMDEPTH_OK)
                return cli_usage_error("diff", "--image-format '%s': expected svg, pdf, png or dot",
                                       optarg);
            o->image_format = (int)f;
            break;
        }
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0)
                o->format = DIFF_JSON;
            else if (strcmp(optarg, "text") == 0)
                o->format = DIFF_TEXT;
            else
                return cli_usage_error("diff", "--format '%s': expected json or text", optarg);
            break;
        case OPT_SCALING:
        case OPT_LCS:
        case OPT_PREFERENCE:
        case OPT_DAMPING:
        case OPT_MAX_ITER:
        case OPT_CONV_ITER:
        case OPT_SEED:
        case OPT_RESOLUTION:
        case OPT_LINKAGE:
            cli_spec_method_option("diff", lname, optarg, &o->an, &rc);
            if (rc != 0)
                return rc;
            break;
        case OPT_CLUSTER:
            if (cli_parse_cluster_method(optarg, &o->an) != 0)
                return cli_usage_error("diff", "--cluster '%s': expected ap, louvain, leiden, "
                                               "optics, hdbscan, cut:K or none", optarg);
            break;
        case OPT_DROP_NOISE: o->an.noise = SIMDEPTH_NOISE_SINGLETONS; break;
        case OPT_TOP:
            if (strcmp(optarg, "0") == 0)
                o->top = 0;
            else if (cli_parse_int(optarg, &iv) != 0)
                return cli_usage_error("diff", "--top '%s': expected a non-negative integer",
                                       optarg);
            else
                o->top = (size_t)iv;
            break;
        case OPT_FIGURE:
            if (strcmp(optarg, "graph") == 0)
                o->figure = SIMDEPTH_DIFF_FIGURE_GRAPH;
            else if (strcmp(optarg, "tanglegram") == 0)
                o->figure = SIMDEPTH_DIFF_FIGURE_TANGLEGRAM;
            else
                return cli_usage_error("diff", "--figure '%s': expected graph or tanglegram",
                                       optarg);
            break;
        case OPT_WIDTH:
        case OPT_HEIGHT:
        case OPT_SIZE:
        case OPT_DPI:
            if (cli_figure_size_option("diff", lname, optarg, &o->ro) != 0)
                return CLI_EXIT_INPUT;
            break;
        case 'h':
            diff_usage(stdout);
            return -1;
        case ':':
            return cli_usage_error("diff", "option '%s' needs an argument", argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error("diff", "unknown option '-%c'", optopt);
            return cli_usage_error("diff", "unknown option '%s' (or an ambiguous abbreviation)",
                                   argv[optind - 1]);
        }
    }
    if (argc - optind != 2)
        return cli_usage_error("diff", "%s", argc - optind < 2
                                                 ? "expected two model specs A and B"
                                                 : "expected exactly two model specs A and B");
    o->spec[0] = argv[optind];
    o->spec[1] = argv[optind + 1];
    if (o->taxonomy != NULL && o->wordnet_dir != NULL)
        return cli_usage_error("diff", "%s", "give either --taxonomy or --wordnet-dir, not both");
    if (o->output != NULL && o->output[0] == '\0')
        return cli_usage_error("diff", "%s", "--output needs a file name ('-' for standard output)");
    if (o->figure < 0) {
        if (o->report != NULL)
            return cli_usage_error("diff", "%s", "--report goes with --figure (else use -o)");
        if (o->image_format >= 0)
            return cli_usage_error("diff", "%s", "--image-format goes with --figure");
    } else {
        if (o->output == NULL)
            return cli_usage_error("diff", "%s", "--figure needs -o FILE");
        if (o->image_format < 0) {
            simdepth_image_format f;
            if (strcmp(o->output, "-") == 0)
                return cli_usage_error("diff", "%s", "writing a figure to standard output needs "
                                                     "-T svg|pdf|png|dot");
            if (simdepth_image_format_parse(o->output, &f, NULL) != SIMDEPTH_OK)
                return cli_usage_error("diff", "cannot tell the format of '%s' from its "
                                               "extension; use .svg, .pdf, .png or .dot, or "
                                               "give -T", o->output);
            o->image_format = (int)f;
        }
        if (o->image_format == SIMDEPTH_IMAGE_DOT && o->figure != SIMDEPTH_DIFF_FIGURE_GRAPH)
            return cli_usage_error("diff", "%s", "DOT exists for the graph only, not the tanglegram");
        if (cli_source_date_epoch("diff", &o->ro) != 0)
            return CLI_EXIT_INPUT;
    }
    if (o->format < 0) {
        const char *out = o->figure < 0 ? o->output : o->report;
        if (out == NULL || strcmp(out, "-") == 0)
            o->format = isatty(STDOUT_FILENO) ? DIFF_TEXT : DIFF_JSON;
        else
            o->format = cli_ends_with(out, ".txt") ? DIFF_TEXT : DIFF_JSON;
    }
    return 0;
}

/* ------------------------------------------------------------ computing */

typedef struct diff_model {
    simdepth_model_spec *spec;
    cli_spec_model in;
    simdepth_analysis *an;
    simdepth_matrix *z;       /* linkage of 1 - S (symmetrised) */
    simdepth_matrix *z_ord;   /* with optimal leaf order */
    size_t *nn;               /* nearest neighbour of each class */
} diff_model;

typedef struct diff_result {
    simdepth_forest_diff *edges;
    simdepth_partition_agreement part;
    unsigned char *agree;     /* per class: cluster membership agrees */
    simdepth_tree_agreement tree;
    double entangle_before, entangle_after;
    simdepth_pair_change *changes;
    size_t n_changes;
} diff_result;

static void diff_model_free(diff_model *m)
{
    simdepth_model_spec_free(m->spec);
    cli_spec_model_free(&m->in);
    simdepth_analysis_free(m->an);
    simdepth_matrix_free(m->z);
    simdepth_matrix_free(m->z_ord);
    free(m->nn);
    memset(m, 0, sizeof *m);
}

static void diff_result_free(diff_result *r)
{
    simdepth_forest_diff_free(r->edges);
    free(r->agree);
    free(r->changes);
    memset(r, 0, sizeof *r);
}

/* The dendrogram of model @m: the scaled similarity symmetrised (as the
 * renderer does for a matrix that is not exactly symmetric), 1 - S with
 * negative distances clamped to 0, @method linkage, then the optimal leaf
 * order the tanglegram starts from. */
static int model_linkage(diff_model *m, simdepth_linkage_method method, cli_failure *f)
{
    const simdepth_matrix *s = m->in.sim;
    size_t n = simdepth_matrix_rows(s);
    simdepth_matrix *sym = NULL;
    double *y = NULL;
    simdepth_error err;
    int rc = CLI_EXIT_OK;

    simdepth_error_clear(&err);
    if (simdepth_matrix_new(n, n, SIMDEPTH_F64, &sym, &err) != SIMDEPTH_OK) {
        rc = cli_fail_error(f, &err, NULL);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            simdepth_matrix_set(sym, i, j,
                                i == j ? 1.0
                                       : 0.5 * (simdepth_matrix_get(s, i, j) +
                                                simdepth_matrix_get(s, j, i)));
    if (simdepth_linkage_condensed_from_similarity(sym, SIMDEPTH_DISTANCE_ONE_MINUS_CLAMP,
                                                   SIMDEPTH_F64, (void **)&y, &err) !=
            SIMDEPTH_OK ||
        simdepth_linkage_compute(y, SIMDEPTH_F64, n, method, &m->z, &err) != SIMDEPTH_OK ||
        simdepth_linkage_optimal_ordering(m->z, y, SIMDEPTH_F64, &m->z_ord, &err) !=
            SIMDEPTH_OK)
        rc = cli_fail_error(f, &err, NULL);
out:
    free(y);
    simdepth_matrix_free(sym);
    return rc;
}

static int compute(const diff_opts *o, diff_model *m, diff_result *r, cli_failure *f)
{
    size_t n = simdepth_matrix_rows(m[0].in.sim);
    simdepth_matrix *ua = NULL, *ub = NULL;
    simdepth_error err;
    int rc = CLI_EXIT_OK;

    simdepth_error_clear(&err);
    for (int k = 0; k < 2; k++) {
        m[k].nn = calloc(n, sizeof *m[k].nn);
        if (m[k].nn == NULL)
            return cli_failf(f, CLI_EXIT_RUNTIME, "out of memory");
        if (simdepth_nearest_neighbours(m[k].in.sim, m[k].nn, &err) != SIMDEPTH_OK)
            return cli_fail_error(f, &err, NULL);
        rc = model_linkage(&m[k], o->an.linkage, f);
        if (rc != CLI_EXIT_OK)
            return rc;
    }
    r->agree = calloc(n, 1);
    if (r->agree == NULL)
        return cli_failf(f, CLI_EXIT_RUNTIME, "out of memory");
    if (simdepth_forest_diff_new(m[0].an->perceived.forest, m[1].an->perceived.forest,
                                 m[0].in.sim, m[1].in.sim, &r->edges, &err) != SIMDEPTH_OK ||
        simdepth_partition_compare(m[0].an->perceived.partition, m[1].an->perceived.partition,
                                   &r->part, &err) != SIMDEPTH_OK ||
        simdepth_partition_item_agreement(m[0].an->perceived.partition,
                                          m[1].an->perceived.partition, r->agree, &err) !=
            SIMDEPTH_OK ||
        simdepth_linkage_compare(m[0].z, m[1].z, &r->tree, NULL, &err) != SIMDEPTH_OK ||
        simdepth_tanglegram_untangle(m[0].z_ord, m[1].z_ord, &ua, &ub, &r->entangle_before,
                                     &r->entangle_after, &err) != SIMDEPTH_OK ||
        simdepth_similarity_changes(m[0].in.sim, m[1].in.sim, o->top, &r->changes,
                                    &r->n_changes, &err) != SIMDEPTH_OK)
        rc = cli_fail_error(f, &err, NULL);
    /* pairs whose similarity did not change are no change: a model diffed
     * with itself lists none */
    while (rc == CLI_EXIT_OK && r->n_changes > 0 &&
           r->changes[r->n_changes - 1].after == r->changes[r->n_changes - 1].before)
        r->n_changes--;
    simdepth_matrix_free(ua);
    simdepth_matrix_free(ub);
    return rc;
}

/* 1 if (a, b) is an edge of the forest diff with origin other than
 * @not_origin (so: in A when not_origin is ONLY_B). */
static int edge_in(const simdepth_forest_diff *d, size_t a, size_t b,
                   simdepth_edge_origin not_origin)
{
    size_t lo = 0, hi = d->n_edges;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const simdepth_diff_edge *e = &d->edges[mid];
        if (e->a == a && e->b == b)
            return e->origin != not_origin;
        if (e->a < a || (e->a == a && e->b < b))
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* LCS depth of the pair from whichever analysis has it as a tree edge. */
static int edge_depth(const diff_model *m, size_t a, size_t b)
{
    for (int k = 0; k < 2; k++) {
        const simdepth_graph_result *g = &m[k].an->perceived;
        for (size_t i = 0; i < g->forest->n_edges; i++)
            if (g->edges[i].edge.a == a && g->edges[i].edge.b == b)
                return g->edges[i].lcs_depth;
    }
    return -1;
}

/* ------------------------------------------------------------ JSON */

static json_t *jnum(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

static const char *class_label(const cli_shared *sh, size_t i)
{
    return simdepth_labels_key(sh->labels, i);
}

static const char *class_name(const cli_shared *sh, size_t i)
{
    const char *n = simdepth_labels_name(sh->labels, i);

    if (n == NULL && sh->tax != NULL)
        n = simdepth_taxonomy_label(sh->tax, sh->nodes[i]);
    return n ? n : simdepth_labels_key(sh->labels, i);
}

static json_t *json_compliance(const simdepth_compliance *c)
{
    return json_pack("{s:{s:I,s:I,s:I,s:o,s:o},s:{s:I,s:I,s:o,s:o}}", "direct", "common_edges",
                     (json_int_t)c->common_edges, "perceived_edges",
                     (json_int_t)c->perceived_edges, "confusion_edges",
                     (json_int_t)c->confusion_edges, "perceived_in_confusion",
                     jnum(c->direct_perceived_in_confusion), "confusion_explained",
                     jnum(c->direct_confusion_explained), "extended", "perceived_matched",
                     (json_int_t)c->extended_perceived_matched, "confusion_matched",
                     (json_int_t)c->extended_confusion_matched, "perceived_in_confusion",
                     jnum(c->extended_perceived_in_confusion), "confusion_explained",
                     jnum(c->extended_confusion_explained));
}

static json_t *json_model(const diff_model *m)
{
    const simdepth_analysis *a = m->an;
    json_t *j = json_object();

    json_object_set_new(j, "name", json_string(m->spec->name));
    json_object_set_new(j, "input", json_string(m->spec->weights ? m->spec->weights
                                                                 : m->spec->similarity));
    json_object_set_new(j, "kind", json_string(m->spec->weights ? "weights" : "similarity"));
    json_object_set_new(j, "tensor", m->in.tensor_used[0] ? json_string(m->in.tensor_used)
                                                          : json_null());
    json_object_set_new(j, "confusion",
                        m->spec->confusion ? json_string(m->spec->confusion) : json_null());
    json_object_set_new(j, "labels",
                        m->spec->labels ? json_string(m->spec->labels) : json_null());
    json_object_set_new(j, "realigned", json_boolean(m->in.realigned));
    json_object_set_new(j, "similarity_depth", jnum(a->perceived.similarity_depth));
    json_object_set_new(j, "mean_wup", jnum(a->perceived.mean_wup));
    json_object_set_new(j, "clusters", json_integer((json_int_t)a->perceived.partition->n_clusters));
    json_object_set_new(j, "edges", json_integer((json_int_t)a->perceived.forest->n_edges));
    json_object_set_new(j, "converged", json_boolean(a->perceived.partition->converged));
    if (a->has_confusion) {
        json_object_set_new(j, "confusion_graph",
                            json_pack("{s:o,s:I}", "similarity_depth",
                                      jnum(a->confusion.similarity_depth), "clusters",
                                      (json_int_t)a->confusion.partition->n_clusters));
        json_object_set_new(j, "compliance", json_compliance(&a->compliance));
    } else {
        json_object_set_new(j, "confusion_graph", json_null());
        json_object_set_new(j, "compliance", json_null());
    }
    return j;
}

static json_t *build_json(const diff_opts *o, const cli_shared *sh, const diff_model *m,
                          const diff_result *r)
{
    size_t n = m[0].an->n_classes, n_changed = 0, n_agree = 0;
    json_t *root = json_object(), *edges, *list, *nns, *ch;
    static const char *const origin[3] = {"shared", "only_a", "only_b"};

    json_object_set_new(root, "simdepth_version", json_string(simdepth_version()));
    json_object_set_new(root, "n_classes", json_integer((json_int_t)n));
    json_object_set_new(root, "labels", json_string(sh->labels_path));
    json_object_set_new(root, "taxonomy", json_string(sh->taxdesc));
    json_object_set_new(
        root, "options",
        json_pack("{s:s,s:s,s:s,s:s}", "scaling",
                  o->an.scaling == SIMDEPTH_SCALING_NONE ? "none" : "minmax", "lcs",
                  o->an.lcs_rule == SIMDEPTH_LCS_TRUE ? "true" : "reference", "cluster",
                  simdepth_cluster_method_name(o->an.cluster), "linkage",
                  simdepth_linkage_method_name(o->an.linkage)));
    json_object_set_new(root, "a", json_model(&m[0]));
    json_object_set_new(root, "b", json_model(&m[1]));
    json_object_set_new(
        root, "difference",
        json_pack("{s:o,s:I}", "similarity_depth",
                  jnum(m[1].an->perceived.similarity_depth - m[0].an->perceived.similarity_depth),
                  "clusters",
                  (json_int_t)m[1].an->perceived.partition->n_clusters -
                      (json_int_t)m[0].an->perceived.partition->n_clusters));

    edges = json_object();
    json_object_set_new(edges, "shared", json_integer((json_int_t)r->edges->n_shared));
    json_object_set_new(edges, "only_a", json_integer((json_int_t)r->edges->n_only_a));
    json_object_set_new(edges, "only_b", json_integer((json_int_t)r->edges->n_only_b));
    json_object_set_new(edges, "jaccard",
                        jnum(r->edges->n_edges ? (double)r->edges->n_shared /
                                                     (double)r->edges->n_edges
                                               : NAN));
    list = json_array();
    for (size_t i = 0; i < r->edges->n_edges; i++) {
        const simdepth_diff_edge *e = &r->edges->edges[i];
        int depth = edge_depth(m, e->a, e->b);
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:I,s:I,s:s,s:I,s:I,s:o,s:o,s:o}", "a", class_label(sh, e->a),
                            "b", class_label(sh, e->b), "a_index", (json_int_t)e->a, "b_index",
                            (json_int_t)e->b, "origin", origin[e->origin], "cluster_a",
                            (json_int_t)e->cluster_a, "cluster_b", (json_int_t)e->cluster_b,
                            "similarity_a", jnum(e->weight_a), "similarity_b",
                            jnum(e->weight_b), "lcs_depth",
                            depth >= 0 ? json_integer(depth) : json_null()));
    }
    json_object_set_new(edges, "list", list);
    json_object_set_new(root, "edges", edges);

    nns = json_array();
    for (size_t i = 0; i < n; i++) {
        int changed = m[0].nn[i] != m[1].nn[i];
        n_changed += (size_t)changed;
        n_agree += r->agree[i];
        json_array_append_new(
            nns, json_pack("{s:I,s:s,s:s,s:s,s:s,s:b,s:b}", "index", (json_int_t)i, "label",
                           class_label(sh, i), "name", class_name(sh, i), "a",
                           class_label(sh, m[0].nn[i]), "b", class_label(sh, m[1].nn[i]),
                           "changed", changed, "cluster_agrees", (int)r->agree[i]));
    }
    json_object_set_new(
        root, "agreement",
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o},s:{s:o,s:o},s:I,s:o}", "ari",
                  jnum(r->part.ari), "vi", jnum(r->part.vi), "vi_max", jnum(r->part.vi_max),
                  "cophenetic_correlation", jnum(r->tree.cophenetic_correlation), "bakers_gamma",
                  jnum(r->tree.bakers_gamma), "fowlkes_mallows", "mean",
                  jnum(r->tree.fm_bk_mean), "min", jnum(r->tree.fm_bk_min), "argmin_k",
                  n >= 3 ? json_integer((json_int_t)r->tree.fm_bk_argmin) : json_null(),
                  "entanglement", "before", jnum(r->entangle_before), "after",
                  jnum(r->entangle_after), "nearest_neighbours_changed", (json_int_t)n_changed,
                  "cluster_membership_agreement", jnum((double)n_agree / (double)n)));
    json_object_set_new(root, "nearest_neighbours", nns);

    ch = json_array();
    for (size_t i = 0; i < r->n_changes; i++) {
        const simdepth_pair_change *c = &r->changes[i];
        json_array_append_new(
            ch, json_pack("{s:s,s:s,s:I,s:I,s:o,s:o,s:o,s:b,s:b}", "a", class_label(sh, c->a),
                          "b", class_label(sh, c->b), "a_index", (json_int_t)c->a, "b_index",
                          (json_int_t)c->b, "similarity_a", jnum(c->before), "similarity_b",
                          jnum(c->after), "change", jnum(c->after - c->before), "tree_edge_a",
                          edge_in(r->edges, c->a, c->b, SIMDEPTH_EDGE_ONLY_B), "tree_edge_b",
                          edge_in(r->edges, c->a, c->b, SIMDEPTH_EDGE_ONLY_A)));
    }
    json_object_set_new(root, "similarity_changes", ch);
    return root;
}

/* ------------------------------------------------------------ text */

static void print_num(FILE *f, double x, int sign)
{
    if (isfinite(x) && sign)
        fprintf(f, " %+8.4f", x);
    else if (isfinite(x))
        fprintf(f, " %8.4f", x);
    else
        fprintf(f, " %8s", "-");
}

static void write_text(FILE *f, const cli_shared *sh, const diff_model *m, const diff_result *r,
                       const diff_opts *o)
{
    const simdepth_analysis *a = m[0].an, *b = m[1].an;
    size_t n = a->n_classes, n_changed = 0, n_agree = 0;

    fprintf(f, "simdepth diff: A = %s, B = %s (%zu classes; %s clusters, %s linkage)\n\n",
            m[0].spec->name, m[1].spec->name, n, simdepth_cluster_method_name(o->an.cluster),
            simdepth_linkage_method_name(o->an.linkage));
    fprintf(f, "%-36s %8s %8s %8s\n", "", "A", "B", "B - A");
    fprintf(f, "%-36s", "Similarity Depth");
    print_num(f, a->perceived.similarity_depth, 0);
    print_num(f, b->perceived.similarity_depth, 0);
    print_num(f, b->perceived.similarity_depth - a->perceived.similarity_depth, 1);
    fprintf(f, "\n%-36s %8zu %8zu %+8ld\n", "clusters", a->perceived.partition->n_clusters,
            b->perceived.partition->n_clusters,
            (long)b->perceived.partition->n_clusters - (long)a->perceived.partition->n_clusters);
    if (a->has_confusion || b->has_confusion) {
        static const char *const rows[4] = {
            "compliance direct, N in F", "compliance direct, F explained",
            "compliance extended, N in F", "compliance extended, F explained"};
        for (int k = 0; k < 4; k++) {
            double v[2];
            for (int s = 0; s < 2; s++) {
                const simdepth_analysis *x = m[s].an;
                const simdepth_compliance *c = &x->compliance;
                v[s] = !x->has_confusion ? NAN
                       : k == 0          ? c->direct_perceived_in_confusion
                       : k == 1          ? c->direct_confusion_explained
                       : k == 2          ? c->extended_perceived_in_confusion
                                         : c->extended_confusion_explained;
            }
            fprintf(f, "%-36s", rows[k]);
            print_num(f, v[0], 0);
            print_num(f, v[1], 0);
            print_num(f, v[1] - v[0], 1);
            fputc('\n', f);
        }
    }
    fprintf(f, "\nSpanning-tree edges: %zu shared, %zu only in A, %zu only in B\n",
            r->edges->n_shared, r->edges->n_only_a, r->edges->n_only_b);
    fprintf(f, "Partitions: ARI %.4f, VI %.4f nats (at most %.4f)\n", r->part.ari, r->part.vi,
            r->part.vi_max);
    fprintf(f, "Dendrograms: cophenetic correlation %.4f, Baker's gamma %.4f\n",
            r->tree.cophenetic_correlation, r->tree.bakers_gamma);
    if (n >= 3)
        fprintf(f, "Fowlkes-Mallows B_k, k = 2..%zu: mean %.4f, min %.4f at k = %zu\n", n - 1,
                r->tree.fm_bk_mean, r->tree.fm_bk_min, r->tree.fm_bk_argmin);
    fprintf(f, "Tanglegram entanglement: %.4f, untangled %.4f\n", r->entangle_before,
            r->entangle_after);
    for (size_t i = 0; i < n; i++) {
        n_changed += m[0].nn[i] != m[1].nn[i];
        n_agree += r->agree[i];
    }
    fprintf(f, "Cluster membership agrees for %zu of %zu classes\n", n_agree, n);
    fprintf(f, "\nNearest neighbour changed for %zu of %zu classes%s\n", n_changed, n,
            n_changed ? ":" : "");
    for (size_t i = 0; i < n; i++)
        if (m[0].nn[i] != m[1].nn[i])
            fprintf(f, "  %-24s %-24s -> %s\n", class_name(sh, i), class_name(sh, m[0].nn[i]),
                    class_name(sh, m[1].nn[i]));
    if (r->n_changes > 0) {
        fprintf(f, "\nLargest similarity changes (scaled similarity; * = tree edge):\n");
        for (size_t i = 0; i < r->n_changes; i++) {
            const simdepth_pair_change *c = &r->changes[i];
            int ia = edge_in(r->edges, c->a, c->b, SIMDEPTH_EDGE_ONLY_B);
            int ib = edge_in(r->edges, c->a, c->b, SIMDEPTH_EDGE_ONLY_A);
            fprintf(f, "  %-24s %-24s %.4f%s -> %.4f%s (%+.4f)\n", class_name(sh, c->a),
                    class_name(sh, c->b), c->before, ia ? "*" : " ", c->after, ib ? "*" : " ",
                    c->after - c->before);
        }
    }
}

/* ------------------------------------------------------------ outputs */

static int write_report(const char *path, int format, const diff_opts *o, const cli_shared *sh,
                        const diff_model *m, const diff_result *r)
{
    cli_output out;
    simdepth_error err;

    if (cli_output_open(&out, path, &err) != 0) {
        cli_report_error(&err, path);
        return CLI_EXIT_RUNTIME;
    }
    if (format == DIFF_JSON) {
        json_t *root = build_json(o, sh, m, r);
        int bad = root == NULL ||
                  json_dumpf(root, out.f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0;
        json_decref(root);
        if (bad) {
            cli_output_abort(&out);
            cli_errorf("%s: cannot write the JSON report", path ? path : "standard output");
            return CLI_EXIT_RUNTIME;
        }
        fputc('\n', out.f);
    } else {
        write_text(out.f, sh, m, r, o);
    }
    if (cli_output_commit(&out, &err) != 0) {
        cli_report_error(&err, path);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

static int write_figure(diff_opts *o, const cli_shared *sh, const diff_model *m,
                        simdepth_theme *theme)
{
    simdepth_render_model rm[2];
    simdepth_report_info info;
    simdepth_render_options ro = o->ro;
    char names[2][300], prov[3000];
    simdepth_error err;
    cli_output out;
    int same = strcmp(m[0].spec->name, m[1].spec->name) == 0;

    for (int k = 0; k < 2; k++) {
        /* a model diffed with a copy of itself: keep the legend readable */
        snprintf(names[k], sizeof names[k], "%s%s", m[k].spec->name,
                 same ? (k ? " (B)" : " (A)") : "");
        rm[k].name = names[k];
        rm[k].analysis = m[k].an;
        rm[k].similarity = m[k].in.sim;
    }
    memset(&info, 0, sizeof info);
    info.labels = sh->labels;
    info.labels_path = sh->labels_path;
    info.tax = sh->tax;
    info.nodes = sh->nodes;
    info.taxonomy = sh->taxdesc;
    info.options = &o->an;
    snprintf(prov, sizeof prov,
             "simdepth diff; A=%s (%s); B=%s (%s); labels=%s; scaling=%s; lcs=%s; cluster=%s; "
             "linkage=%s; theme=%s",
             m[0].spec->name, m[0].spec->weights ? m[0].spec->weights : m[0].spec->similarity,
             m[1].spec->name, m[1].spec->weights ? m[1].spec->weights : m[1].spec->similarity,
             sh->labels_path, o->an.scaling == SIMDEPTH_SCALING_NONE ? "none" : "minmax",
             o->an.lcs_rule == SIMDEPTH_LCS_TRUE ? "true" : "reference",
             simdepth_cluster_method_name(o->an.cluster),
             simdepth_linkage_method_name(o->an.linkage), simdepth_theme_name(theme));
    ro.provenance = prov;
    ro.theme = theme;
    ro.format = (simdepth_image_format)o->image_format;
    ro.linkage = o->an.linkage;
    if (cli_output_open(&out, o->output, &err) != 0) {
        cli_report_error(&err, o->output);
        return CLI_EXIT_RUNTIME;
    }
    if (simdepth_render_diff_write(out.f, (simdepth_diff_figure)o->figure, &rm[0], &rm[1],
                                   &info, &ro, NULL, &err) != SIMDEPTH_OK) {
        int rc;
        cli_output_abort(&out);
        rc = cli_report_error(&err, NULL);
        return err.status == SIMDEPTH_EINVAL ? CLI_EXIT_INPUT
               : rc == CLI_EXIT_INPUT        ? CLI_EXIT_RUNTIME
                                             : rc;
    }
    if (cli_output_commit(&out, &err) != 0) {
        cli_report_error(&err, o->output);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}

/* Parse spec @k ("A" or "B") from the command line. */
static int parse_spec(const char *text, int k, simdepth_model_spec **out)
{
    simdepth_error err;
    const char *which = k ? "B" : "A";

    if (simdepth_model_spec_parse(text, strlen(text), which, out, &err) == SIMDEPTH_OK)
        return CLI_EXIT_OK;
    if (err.status == SIMDEPTH_ENOMEM) {
        cli_errorf("out of memory");
        return CLI_EXIT_RUNTIME;
    }
    cli_errorf("diff: model spec %s, column %ld: %s", which, err.column, err.message);
    return CLI_EXIT_INPUT;
}

int cli_cmd_diff(int argc, char **argv)
{
    diff_opts o;
    diff_model m[2];
    diff_result r;
    cli_shared sh;
    cli_failure fl;
    simdepth_theme *theme = NULL;
    simdepth_error err;
    const char *labels;
    int rc;

    memset(m, 0, sizeof m);
    memset(&r, 0, sizeof r);
    memset(&sh, 0, sizeof sh);
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    simdepth_error_clear(&err);
    for (int k = 0; k < 2; k++) {
        rc = parse_spec(o.spec[k], k, &m[k].spec);
        if (rc != CLI_EXIT_OK)
            goto out;
    }
    labels = o.labels ? o.labels : m[0].spec->labels ? m[0].spec->labels : m[1].spec->labels;
    if (labels == NULL) {
        rc = cli_usage_error("diff", "%s", "missing -l LABELS (or labels=FILE in a model spec)");
        goto out;
    }
    /* the theme first: a bad --theme is reported before the slow loading */
    if (o.figure >= 0) {
        rc = cli_theme_load(o.theme, &theme, &fl);
        if (rc != CLI_EXIT_OK) {
            cli_errorf("%s", fl.msg);
            goto out;
        }
    }
    rc = cli_shared_load(labels, o.taxonomy, o.wordnet_dir, &sh, &fl);
    if (rc != CLI_EXIT_OK) {
        cli_errorf("%s", fl.msg);
        goto out;
    }
    for (int k = 0; k < 2; k++) {
        rc = cli_spec_model_load(m[k].spec, &sh, &m[k].in, &fl);
        if (rc != CLI_EXIT_OK) {
            cli_errorf("model %s (%s): %s", k ? "B" : "A", m[k].spec->name, fl.msg);
            goto out;
        }
        if (!o.quiet && m[k].in.note[0] != '\0')
            cli_errorf("%s", m[k].in.note);
        if (!o.quiet && m[k].in.realigned)
            cli_errorf("note: model %s (%s): classes reordered from %s to the order of %s",
                       k ? "B" : "A", m[k].spec->name, m[k].spec->labels, sh.labels_path);
        if (simdepth_analysis_run(m[k].in.sim, m[k].in.conf, sh.tax, sh.nodes, &o.an, &m[k].an,
                                  &err) != SIMDEPTH_OK) {
            rc = cli_report_error(&err, m[k].spec->weights ? m[k].spec->weights
                                                            : m[k].spec->similarity);
            goto out;
        }
        if (!o.quiet)
            cli_warn_convergence(m[k].an);
    }
    rc = compute(&o, m, &r, &fl);
    if (rc != CLI_EXIT_OK) {
        cli_errorf("%s", fl.msg);
        goto out;
    }
    if (o.figure >= 0) {
        rc = write_figure(&o, &sh, m, theme);
        if (rc != CLI_EXIT_OK)
            goto out;
        if (o.report != NULL)
            rc = write_report(o.report, o.format, &o, &sh, m, &r);
    } else {
        rc = write_report(o.output, o.format, &o, &sh, m, &r);
    }
out:
    diff_result_free(&r);
    diff_model_free(&m[0]);
    diff_model_free(&m[1]);
    cli_shared_free(&sh);
    simdepth_theme_free(theme);
    return rc;
}
