/* simdepth — reports of an analysis. */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/report.h"
#include "simdepth/simdepth.h"
#include "internal.h"

static const char *class_name(const simdepth_report_info *info, size_t i)
{
    const char *name = simdepth_labels_name(info->labels, i);

    if (name != NULL && name[0] != '\0')
        return name;
    if (info->tax != NULL && info->nodes != NULL)
        return simdepth_taxonomy_label(info->tax, info->nodes[i]);
    return simdepth_labels_key(info->labels, i);
}

static json_t *jreal(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jstr(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

/* json_object_set_new that remembers an allocation failure in *bad. */
static void jset(json_t *obj, const char *key, json_t *v, int *bad)
{
    if (v == NULL || obj == NULL || json_object_set_new(obj, key, v) != 0)
        *bad = 1;
}

static void jpush(json_t *arr, json_t *v, int *bad)
{
    if (v == NULL || arr == NULL || json_array_append_new(arr, v) != 0)
        *bad = 1;
}

static json_t *partition_json(const simdepth_partition *p, int *bad)
{
    json_t *o = json_object(), *labels = json_array(), *ex;
    size_t i;

    jset(o, "method", json_string(p->method), bad);
    jset(o, "clusters", json_integer((json_int_t)p->n_clusters), bad);
    jset(o, "iterations", json_integer(p->iterations), bad);
    jset(o, "converged", json_boolean(p->converged), bad);
    for (i = 0; i < p->n; i++)
        jpush(labels, json_integer(p->labels[i]), bad);
    jset(o, "labels", labels, bad);
    if (p->exemplars != NULL) {
        size_t k, nex = 0;
        ex = json_array();
        for (i = 0; i < p->n; i++)
            if (p->labels[i] >= 0 && (size_t)p->labels[i] + 1 > nex)
                nex = (size_t)p->labels[i] + 1;
        for (k = 0; k < nex; k++)
            jpush(ex, json_integer(p->exemplars[k]), bad);
        jset(o, "exemplars", ex, bad);
    }
    return o;
}

static json_t *edges_json(const simdepth_graph_result *g,
                          const simdepth_report_info *info, int with_errors,
                          int *bad)
{
    json_t *arr = json_array();
    size_t k;

    for (k = 0; k < g->forest->n_edges; k++) {
        const simdepth_edge_info *e = &g->edges[k];
        json_t *o = json_object();

        jset(o, "a", json_string(simdepth_labels_key(info->labels, e->edge.a)), bad);
        jset(o, "b", json_string(simdepth_labels_key(info->labels, e->edge.b)), bad);
        jset(o, "a_name", json_string(class_name(info, e->edge.a)), bad);
        jset(o, "b_name", json_string(class_name(info, e->edge.b)), bad);
        jset(o, "a_index", json_integer((json_int_t)e->edge.a), bad);
        jset(o, "b_index", json_integer((json_int_t)e->edge.b), bad);
        jset(o, "cluster", json_integer(e->edge.cluster), bad);
        jset(o, "similarity", jreal(e->edge.weight), bad);
        if (info->tax != NULL) {
            jset(o, "lcs", json_string(simdepth_taxonomy_name(info->tax, e->lcs)), bad);
            jset(o, "lcs_id", json_string(simdepth_taxonomy_id(info->tax, e->lcs)), bad);
            jset(o, "lcs_depth", json_integer(e->lcs_depth), bad);
            jset(o, "wup", jreal(e->wup), bad);
        } else {
            jset(o, "lcs", json_null(), bad);
            jset(o, "lcs_depth", json_null(), bad);
            jset(o, "wup", json_null(), bad);
        }
        if (with_errors) {
            jset(o, "error_ab", jreal(e->error_ab), bad);
            jset(o, "error_ba", jreal(e->error_ba), bad);
        }
        jpush(arr, o, bad);
    }
    return arr;
}

static const char *scaling_name(simdepth_scaling s)
{
    return s == SIMDEPTH_SCALING_NONE ? "none" : "minmax";
}

static const char *lcs_name(simdepth_lcs_rule r)
{
    return r == SIMDEPTH_LCS_TRUE ? "true" : "reference";
}

static simdepth_status write_json(FILE *f, const simdepth_analysis *a,
                                  const simdepth_report_info *info,
                                  simdepth_error *err)
{
    json_t *root = json_object(), *inputs = json_object(), *opts = json_object();
    json_t *classes = json_array(), *conf, *comp, *direct, *ext;
    const simdepth_analysis_options *o = info->options;
    int bad = 0, with_errors = a->has_confusion;
    size_t i;
    simdepth_status st = SIMDEPTH_OK;

    jset(root, "tool", json_string("simdepth"), &bad);
    jset(root, "version", json_string(simdepth_version()), &bad);
    jset(root, "name", jstr(info->name), &bad);
    jset(inputs, "weights", jstr(info->weights_path), &bad);
    jset(inputs, "tensor", jstr(info->tensor), &bad);
    jset(inputs, "similarity", jstr(info->similarity_path), &bad);
    jset(inputs, "confusion", jstr(info->confusion_path), &bad);
    jset(inputs, "labels", jstr(info->labels_path), &bad);
    jset(inputs, "taxonomy", jstr(info->taxonomy), &bad);
    jset(root, "inputs", inputs, &bad);
    jset(opts, "scaling", json_string(scaling_name(o->scaling)), &bad);
    jset(opts, "lcs", json_string(lcs_name(o->lcs_rule)), &bad);
    jset(opts, "cluster", json_string(simdepth_cluster_method_name(o->cluster)), &bad);
    jset(opts, "seed", json_integer((json_int_t)o->seed), &bad);
    jset(opts, "resolution", jreal(o->resolution), &bad);
    jset(opts, "cut_k", o->cluster == SIMDEPTH_CLUSTER_CUT ? json_integer((json_int_t)o->cut_k)
                                                            : json_null(), &bad);
    jset(opts, "linkage", json_string(simdepth_linkage_method_name(o->linkage)), &bad);
    jset(opts, "noise", json_string(o->noise == SIMDEPTH_NOISE_CLUSTER ? "cluster" : "singletons"),
         &bad);
    jset(opts, "preference", o->ap.use_preference ? jreal(o->ap.preference) : json_null(), &bad);
    jset(opts, "damping", jreal(o->ap.damping), &bad);
    jset(opts, "max_iter", json_integer(o->ap.max_iter), &bad);
    jset(opts, "convergence_iter", json_integer(o->ap.convergence_iter), &bad);
    /* The precision affinity propagation used (auto resolved by size). */
    jset(opts, "ap_precision",
         json_string(o->ap.precision == SIMDEPTH_AP_SINGLE ||
                             (o->ap.precision == SIMDEPTH_AP_AUTO &&
                              a->n_classes >= SIMDEPTH_AP_SINGLE_FROM)
                         ? "single"
                         : "double"),
         &bad);
    jset(root, "options", opts, &bad);
    jset(root, "n_classes", json_integer((json_int_t)a->n_classes), &bad);
    for (i = 0; i < a->n_classes; i++) {
        json_t *c = json_object();
        jset(c, "index", json_integer((json_int_t)i), &bad);
        jset(c, "label", json_string(simdepth_labels_key(info->labels, i)), &bad);
        jset(c, "name", json_string(class_name(info, i)), &bad);
        if (info->tax != NULL && info->nodes != NULL) {
            jset(c, "id", json_string(simdepth_taxonomy_id(info->tax, info->nodes[i])), &bad);
            jset(c, "synset", json_string(simdepth_taxonomy_name(info->tax, info->nodes[i])), &bad);
        }
        jset(c, "cluster", json_integer(a->perceived.partition->labels[i]), &bad);
        if (a->has_confusion)
            jset(c, "confusion_cluster", json_integer(a->confusion.partition->labels[i]), &bad);
        jpush(classes, c, &bad);
    }
    jset(root, "classes", classes, &bad);
    jset(root, "partition", partition_json(a->perceived.partition, &bad), &bad);
    jset(root, "similarity_depth", jreal(a->perceived.similarity_depth), &bad);
    jset(root, "mean_wup", jreal(a->perceived.mean_wup), &bad);
    jset(root, "edges", edges_json(&a->perceived, info, with_errors, &bad), &bad);
    if (a->has_baselines) {
        json_t *b = json_object(), *tx = json_object();
        jset(b, "all_pairs_depth", jreal(a->baselines.all_pairs_depth), &bad);
        jset(b, "nearest_neighbour_depth", jreal(a->baselines.nearest_neighbour_depth), &bad);
        jset(tx, "similarity_depth", jreal(a->baselines.taxonomy_sd), &bad);
        jset(tx, "mean_wup", jreal(a->baselines.taxonomy_mean_wup), &bad);
        jset(tx, "clusters", json_integer((json_int_t)a->baselines.taxonomy_clusters), &bad);
        jset(b, "taxonomy", tx, &bad);
        jset(root, "baselines", b, &bad);
    }
    if (a->has_severity) {
        json_t *sv = json_object(), *pc = json_array();
        jset(sv, "mean_lca_height", jreal(a->severity.mean_height), &bad);
        jset(sv, "mean_lca_depth", jreal(a->severity.mean_depth), &bad);
        jset(sv, "same_cluster_share", jreal(a->severity.same_cluster_share), &bad);
        for (i = 0; i < a->severity.n; i++) {
            json_t *c = json_object();
            jset(c, "index", json_integer((json_int_t)i), &bad);
            jset(c, "label", json_string(simdepth_labels_key(info->labels, i)), &bad);
            jset(c, "lca_height", jreal(a->severity.class_height[i]), &bad);
            jset(c, "lca_depth", jreal(a->severity.class_depth[i]), &bad);
            jpush(pc, c, &bad);
        }
        jset(sv, "per_class", pc, &bad);
        jset(root, "severity", sv, &bad);
    }
    if (info->methods != NULL) {
        json_t *methods = json_object();
        for (i = 0; i < info->n_methods; i++) {
            json_t *m = json_object();
            jset(m, "similarity_depth", jreal(info->methods[i].similarity_depth), &bad);
            jset(m, "mean_wup", jreal(info->methods[i].mean_wup), &bad);
            jset(m, "clusters", json_integer((json_int_t)info->methods[i].clusters), &bad);
            jset(methods, info->methods[i].name, m, &bad);
        }
        jset(root, "methods", methods, &bad);
    }
    if (a->has_confusion) {
        const simdepth_compliance *c = &a->compliance;
        conf = json_object();
        jset(conf, "similarity_depth", jreal(a->confusion.similarity_depth), &bad);
        jset(conf, "mean_wup", jreal(a->confusion.mean_wup), &bad);
        jset(conf, "clusters", json_integer((json_int_t)a->confusion.partition->n_clusters), &bad);
        jset(conf, "partition", partition_json(a->confusion.partition, &bad), &bad);
        jset(conf, "edges", edges_json(&a->confusion, info, 1, &bad), &bad);
        jset(root, "confusion", conf, &bad);
        comp = json_object();
        direct = json_object();
        ext = json_object();
        jset(direct, "common_edges", json_integer((json_int_t)c->common_edges), &bad);
        jset(direct, "perceived_edges", json_integer((json_int_t)c->perceived_edges), &bad);
        jset(direct, "confusion_edges", json_integer((json_int_t)c->confusion_edges), &bad);
        jset(direct, "perceived_in_confusion", jreal(c->direct_perceived_in_confusion), &bad);
        jset(direct, "confusion_explained", jreal(c->direct_confusion_explained), &bad);
        jset(ext, "perceived_matched", json_integer((json_int_t)c->extended_perceived_matched), &bad);
        jset(ext, "confusion_matched", json_integer((json_int_t)c->extended_confusion_matched), &bad);
        jset(ext, "perceived_in_confusion", jreal(c->extended_perceived_in_confusion), &bad);
        jset(ext, "confusion_explained", jreal(c->extended_confusion_explained), &bad);
        jset(comp, "direct", direct, &bad);
        jset(comp, "extended", ext, &bad);
        jset(root, "compliance", comp, &bad);
    }
    if (bad) {
        st = simdepth_i_error_set(err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
                                  "out of memory while building the JSON report");
    } else if (json_dumpf(root, f, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0 ||
               fputc('\n', f) == EOF) {
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, NULL, 0, 0, -1,
                                  "cannot write the report: %s", strerror(errno));
    }
    json_decref(root);
    return st;
}

static void text_graph(FILE *f, const char *title, const simdepth_graph_result *g,
                       const simdepth_report_info *info, int with_errors)
{
    const simdepth_partition *p = g->partition;
    size_t k, i;
    int32_t lab, last = INT32_MIN;

    fprintf(f, "%s\n", title);
    if (strcmp(p->method, "affinity") == 0)
        fprintf(f, "  affinity propagation: %zu cluster%s, %s after %d iteration%s\n",
                p->n_clusters, p->n_clusters == 1 ? "" : "s",
                p->converged ? "converged" : "did NOT converge", p->iterations,
                p->iterations == 1 ? "" : "s");
    else
        fprintf(f, "  %s: %zu cluster%s\n", p->method, p->n_clusters,
                p->n_clusters == 1 ? "" : "s");
    if (isfinite(g->similarity_depth))
        fprintf(f, "  Similarity Depth (SD): %.4f    mean Wu-Palmer: %.4f    (%zu tree edges)\n",
                g->similarity_depth, g->mean_wup, g->forest->n_edges);
    else
        fprintf(f, "  Similarity Depth (SD): undefined (%zu tree edges%s)\n",
                g->forest->n_edges, info->tax == NULL ? ", no taxonomy" : "");
    fprintf(f, "  clusters:\n");
    /* Clusters in label order, members in index order. */
    for (;;) {
        int32_t next = INT32_MAX;
        int found = 0;
        for (i = 0; i < p->n; i++)
            if (p->labels[i] > last && p->labels[i] <= next) {
                next = p->labels[i];
                found = 1;
            }
        if (!found)
            break;
        lab = next;
        fprintf(f, "    %3d:", (int)lab);
        for (i = 0; i < p->n; i++)
            if (p->labels[i] == lab)
                fprintf(f, " %s", class_name(info, i));
        fputc('\n', f);
        last = lab;
        if (lab == INT32_MAX)
            break;
    }
    fprintf(f, "  spanning-tree edges:\n");
    for (k = 0; k < g->forest->n_edges; k++) {
        const simdepth_edge_info *e = &g->edges[k];
        fprintf(f, "    [%d] %s -- %s  sim %.4f", (int)e->edge.cluster,
                class_name(info, e->edge.a), class_name(info, e->edge.b),
                e->edge.weight);
        if (info->tax != NULL)
            fprintf(f, "  LCS %s (depth %d)  WUP %.3f",
                    simdepth_taxonomy_name(info->tax, e->lcs), e->lcs_depth, e->wup);
        if (with_errors)
            fprintf(f, "  errors %.1f%% / %.1f%%", 100.0 * e->error_ab,
                    100.0 * e->error_ba);
        fputc('\n', f);
    }
}

static simdepth_status write_text(FILE *f, const simdepth_analysis *a,
                                  const simdepth_report_info *info)
{
    fprintf(f, "simdepth %s: %s, %zu classes\n", simdepth_version(),
            info->name ? info->name : "model", a->n_classes);
    fprintf(f, "  scaling %s, LCS rule %s, taxonomy %s\n\n",
            scaling_name(info->options->scaling), lcs_name(info->options->lcs_rule),
            info->taxonomy ? info->taxonomy : "none");
    if (info->methods != NULL) {
        size_t i;
        fprintf(f, "Similarity Depth by clustering method (perceived graph)\n");
        fprintf(f, "  %-10s %8s %9s %10s\n", "method", "SD", "clusters", "mean WUP");
        for (i = 0; i < info->n_methods; i++)
            fprintf(f, "  %-10s %8.4f %9zu %10.4f\n", info->methods[i].name,
                    info->methods[i].similarity_depth, info->methods[i].clusters,
                    info->methods[i].mean_wup);
        fputc('\n', f);
    }
    text_graph(f, "Perceived similarity graph (class templates)", &a->perceived,
               info, a->has_confusion);
    if (a->has_baselines) {
        const simdepth_baselines *b = &a->baselines;
        fprintf(f, "\nBaselines (where the SD above stands)\n");
        fprintf(f, "  mean LCS depth over all class pairs (chance):       %.4f\n",
                b->all_pairs_depth);
        fprintf(f, "  mean LCS depth of each class and its most similar:  %.4f\n",
                b->nearest_neighbour_depth);
        fprintf(f, "  SD of the taxonomy's own Wu-Palmer similarity:      %.4f (%zu clusters)\n",
                b->taxonomy_sd, b->taxonomy_clusters);
    }
    if (a->has_confusion) {
        const simdepth_compliance *c = &a->compliance;
        fputc('\n', f);
        text_graph(f, "Confusion graph (functional similarity)", &a->confusion, info, 1);
        fprintf(f, "\nCompliance (perceived vs confusion spanning trees)\n");
        fprintf(f, "  direct:   %zu common edges; %.4f of %zu perceived edges are confusion edges, "
                   "%.4f of %zu confusion edges are explained\n",
                c->common_edges, c->direct_perceived_in_confusion, c->perceived_edges,
                c->direct_confusion_explained, c->confusion_edges);
        fprintf(f, "  extended: %.4f of perceived edges fall inside a confusion cluster, "
                   "%.4f of confusion edges inside a perceived cluster\n",
                c->extended_perceived_in_confusion, c->extended_confusion_explained);
        if (a->has_severity)
            fprintf(f, "\nMistake severity (weighted by the confusion values)\n"
                       "  mean LCA height %.4f, mean LCA depth %.4f; %.1f%% of mistakes stay "
                       "inside a perceived cluster\n",
                    a->severity.mean_height, a->severity.mean_depth,
                    100.0 * a->severity.same_cluster_share);
    }
    return SIMDEPTH_OK;
}

/* CSV field: quoted when it holds a delimiter, quote or line break. */
static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_real(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, ",%.17g", v);
    else
        fputs(",", f);
}

static void csv_graph(FILE *f, const char *graph, const simdepth_graph_result *g,
                      const simdepth_report_info *info, int with_errors)
{
    size_t k;

    for (k = 0; k < g->forest->n_edges; k++) {
        const simdepth_edge_info *e = &g->edges[k];
        fprintf(f, "%s,%d,%zu,%zu,", graph, (int)e->edge.cluster, e->edge.a, e->edge.b);
        csv_field(f, simdepth_labels_key(info->labels, e->edge.a));
        fputc(',', f);
        csv_field(f, simdepth_labels_key(info->labels, e->edge.b));
        csv_real(f, e->edge.weight);
        fputc(',', f);
        if (info->tax != NULL) {
            csv_field(f, simdepth_taxonomy_name(info->tax, e->lcs));
            fprintf(f, ",%d", e->lcs_depth);
        } else {
            fputc(',', f);
        }
        csv_real(f, info->tax != NULL ? e->wup : NAN);
        csv_real(f, with_errors ? e->error_ab : NAN);
        csv_real(f, with_errors ? e->error_ba : NAN);
        fputc('\n', f);
    }
}

static simdepth_status write_csv(FILE *f, const simdepth_analysis *a,
                                 const simdepth_report_info *info)
{
    fputs("graph,cluster,a_index,b_index,a,b,similarity,lcs,lcs_depth,wup,error_ab,error_ba\n", f);
    csv_graph(f, "perceived", &a->perceived, info, a->has_confusion);
    if (a->has_confusion)
        csv_graph(f, "confusion", &a->confusion, info, 1);
    return SIMDEPTH_OK;
}

/* LaTeX-escape the characters that break a table cell. */
static void latex_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (strchr("&%$#_{}", *s))
            fputc('\\', f);
        fputc(*s, f);
    }
}

static simdepth_status write_latex(FILE *f, const simdepth_analysis *a,
                                   const simdepth_report_info *info)
{
    latex_text(f, info->name ? info->name : "model");
    if (info->methods != NULL && info->latex_methods > 0) {
        size_t i;
        for (i = 0; i < info->n_methods && i < (size_t)info->latex_methods; i++) {
            if (isfinite(info->methods[i].similarity_depth))
                fprintf(f, " & %.2f (%zu)", info->methods[i].similarity_depth,
                        info->methods[i].clusters);
            else
                fprintf(f, " & -- (%zu)", info->methods[i].clusters);
        }
        fputs(" \\\\\n", f);
        return SIMDEPTH_OK;
    }
    if (isfinite(a->perceived.similarity_depth))
        fprintf(f, " & %.2f (%zu) \\\\\n", a->perceived.similarity_depth,
                a->perceived.partition->n_clusters);
    else
        fprintf(f, " & -- (%zu) \\\\\n", a->perceived.partition->n_clusters);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_report_write(FILE *f, simdepth_report_format format,
                                      const simdepth_analysis *a,
                                      const simdepth_report_info *info,
                                      simdepth_error *err)
{
    simdepth_status st;

    switch (format) {
    case SIMDEPTH_REPORT_JSON:
        return write_json(f, a, info, err);
    case SIMDEPTH_REPORT_TEXT:
        st = write_text(f, a, info);
        break;
    case SIMDEPTH_REPORT_CSV:
        st = write_csv(f, a, info);
        break;
    case SIMDEPTH_REPORT_LATEX:
        st = write_latex(f, a, info);
        break;
    default:
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "unknown report format %d", (int)format);
    }
    if (st == SIMDEPTH_OK && ferror(f))
        st = simdepth_i_error_set(err, SIMDEPTH_EIO, NULL, 0, 0, -1,
                                  "cannot write the report: %s", strerror(errno));
    return st;
}
