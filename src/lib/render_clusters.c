/* simdepth — the cluster graph's numbers: which clusters are drawn, their
 * common ancestors, the mean similarity and error rates between them, and
 * the maximum spanning tree that links them. render_gv.c draws it.
 *
 * Scale: at ImageNet-21k (21,843 classes, a few thousand clusters) the
 * similarity and confusion matrices are the only large objects. Both are
 * read once, a row at a time, and only the rows of drawn classes: each
 * row is summed per drawn cluster (columns of other clusters go to one
 * spare slot), so the work is one pass over those rows and the memory is
 * K x (K + 1) sums for K drawn clusters.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/simdepth.h"
#include "render_i.h"

typedef struct cl_order {
    size_t size;
    int32_t label;
} cl_order;

static int cmp_order(const void *pa, const void *pb)
{
    const cl_order *a = pa, *b = pb;

    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return (a->label > b->label) - (a->label < b->label);
}

/* Add row @i of @m (length n) into @acc by column group: acc[map[j]] for
 * every j (map[j] in 0 .. K, K the spare slot). */
static void row_sums(const simdepth_matrix *m, size_t i, const int32_t *map, size_t n,
                     double *acc)
{
    size_t j;

    if (simdepth_matrix_dtype(m) == SIMDEPTH_F32) {
        const float *row = (const float *)simdepth_matrix_cdata(m) + i * n;
        for (j = 0; j < n; j++)
            acc[map[j]] += row[j];
    } else {
        const double *row = (const double *)simdepth_matrix_cdata(m) + i * n;
        for (j = 0; j < n; j++)
            acc[map[j]] += row[j];
    }
}

/* Prim's maximum spanning tree on the K x K weights @w (row-major),
 * grown from node 0; among equal weights the smaller node is taken, and
 * its parent is the first node that reached that weight. */
static simdepth_status max_tree(const double *w, size_t K, simdepth_i_cedge *edges,
                                simdepth_error *err)
{
    double *best = simdepth_i_malloc_array(K + 1, sizeof *best);
    size_t *parent = simdepth_i_malloc_array(K + 1, sizeof *parent);
    unsigned char *in = simdepth_i_calloc(K + 1, 1);
    size_t k, v, ne = 0;

    if (best == NULL || parent == NULL || in == NULL) {
        free(best);
        free(parent);
        free(in);
        return simdepth_i_enomem(err, "the cluster graph's tree");
    }
    for (v = 0; v < K; v++) {
        best[v] = -INFINITY;
        parent[v] = 0;
    }
    if (K > 0) {
        in[0] = 1;
        for (v = 1; v < K; v++)
            best[v] = w[v];
    }
    for (k = 1; k < K; k++) {
        size_t pick = K;
        for (v = 1; v < K; v++)
            if (!in[v] && (pick == K || best[v] > best[pick]))
                pick = v;
        in[pick] = 1;
        edges[ne].a = parent[pick];
        edges[ne].b = pick;
        edges[ne].sim = best[pick];
        ne++;
        for (v = 1; v < K; v++)
            if (!in[v] && w[pick * K + v] > best[v]) {
                best[v] = w[pick * K + v];
                parent[v] = pick;
            }
    }
    free(best);
    free(parent);
    free(in);
    return SIMDEPTH_OK;
}

/* BFS over the tree @edges (@ne = K - 1 edges of K nodes, adjacency in
 * @off/@adj) from @root: dist[] and parent[]; returns the farthest node
 * (the smallest on ties). @queue holds K entries. */
static size_t tree_bfs(size_t K, const size_t *off, const size_t *adj, size_t root, size_t *dist,
                       size_t *parent, size_t *queue)
{
    size_t head = 0, tail = 0, v, q, far = root;

    for (v = 0; v < K; v++)
        dist[v] = SIZE_MAX;
    dist[root] = 0;
    parent[root] = root;
    queue[tail++] = root;
    while (head < tail) {
        v = queue[head++];
        if (dist[v] > dist[far] || (dist[v] == dist[far] && v < far))
            far = v;
        for (q = off[v]; q < off[v + 1]; q++)
            if (dist[adj[q]] == SIZE_MAX) {
                dist[adj[q]] = dist[v] + 1;
                parent[adj[q]] = v;
                queue[tail++] = adj[q];
            }
    }
    return far;
}

/* Orient the tree's edges from its centre (the middle of a longest path),
 * so that a layered drawing of it has the fewest layers: e.a becomes the
 * parent of e.b. */
static simdepth_status orient_from_centre(simdepth_i_cedge *edges, size_t ne, size_t K,
                                          simdepth_error *err)
{
    size_t *off = simdepth_i_calloc(K + 2, sizeof *off);
    size_t *adj = simdepth_i_malloc_array(2 * ne + 1, sizeof *adj);
    size_t *dist = simdepth_i_malloc_array(K + 1, sizeof *dist);
    size_t *parent = simdepth_i_malloc_array(K + 1, sizeof *parent);
    size_t *queue = simdepth_i_malloc_array(K + 1, sizeof *queue);
    size_t *fill = simdepth_i_malloc_array(K + 1, sizeof *fill);
    size_t k, u, v, c, steps;
    simdepth_status st = SIMDEPTH_OK;

    if (off == NULL || adj == NULL || dist == NULL || parent == NULL || queue == NULL ||
        fill == NULL) {
        st = simdepth_i_enomem(err, "the cluster graph's tree");
        goto out;
    }
    for (k = 0; k < ne; k++) {
        off[edges[k].a + 1]++;
        off[edges[k].b + 1]++;
    }
    for (v = 0; v < K; v++)
        off[v + 1] += off[v];
    memcpy(fill, off, K * sizeof *fill);
    for (k = 0; k < ne; k++) {
        adj[fill[edges[k].a]++] = edges[k].b;
        adj[fill[edges[k].b]++] = edges[k].a;
    }
    if (K > 0) {
        u = tree_bfs(K, off, adj, 0, dist, parent, queue);
        v = tree_bfs(K, off, adj, u, dist, parent, queue);
        /* from v, half of the way back to u */
        for (c = v, steps = dist[v] / 2; steps > 0; steps--)
            c = parent[c];
        tree_bfs(K, off, adj, c, dist, parent, queue);
        for (k = 0; k < ne; k++)
            if (parent[edges[k].b] != edges[k].a) {
                size_t t = edges[k].a;
                double x = edges[k].eab;
                edges[k].a = edges[k].b;
                edges[k].b = t;
                edges[k].eab = edges[k].eba;
                edges[k].eba = x;
            }
    }
out:
    free(off);
    free(adj);
    free(dist);
    free(parent);
    free(queue);
    free(fill);
    return st;
}

void simdepth_i_cgraph_free(simdepth_i_cgraph *g)
{
    free(g->nodes);
    free(g->edges);
    free(g->members);
    free(g->start);
    memset(g, 0, sizeof *g);
}

simdepth_status simdepth_i_cgraph_build(const simdepth_i_render *r, simdepth_i_cgraph *g,
                                        simdepth_error *err)
{
    const simdepth_partition *p = r->a->perceived.partition;
    size_t n = r->n, i, j, k, K, nslots, nl = 0;
    int32_t maxl = -1;
    size_t *count = NULL, *members = NULL, *start = NULL;
    int32_t *node_of = NULL, *map = NULL;
    cl_order *order = NULL;
    double *sim = NULL, *conf = NULL, *row = NULL, *w = NULL, *diag = NULL, *typical = NULL;
    simdepth_status st = SIMDEPTH_OK;

    memset(g, 0, sizeof *g);
    for (i = 0; i < n; i++) {
        if (p->labels[i] < -1)
            return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                        "class %zu has cluster label %d; expected -1 or more",
                                        i, (int)p->labels[i]);
        if (p->labels[i] > maxl)
            maxl = p->labels[i];
    }
    /* slot = label + 1: slot 0 holds the classes in no cluster */
    nslots = (size_t)maxl + 2;
    count = simdepth_i_calloc(nslots, sizeof *count);
    node_of = simdepth_i_malloc_array(nslots, sizeof *node_of);
    order = simdepth_i_malloc_array(nslots, sizeof *order);
    if (count == NULL || node_of == NULL || order == NULL) {
        st = simdepth_i_enomem(err, "the cluster graph");
        goto out;
    }
    for (i = 0; i < n; i++)
        count[p->labels[i] + 1]++;
    for (k = 0; k < nslots; k++)
        if (count[k] > 0) {
            order[nl].size = count[k];
            order[nl].label = (int32_t)k - 1;
            nl++;
        }
    g->n_clusters = nl;
    qsort(order, nl, sizeof *order, cmp_order);
    K = r->opt->top_clusters > 0 && r->opt->top_clusters < nl ? r->opt->top_clusters : nl;
    if (K > SIMDEPTH_I_MAX_CLUSTER_NODES) {
        st = simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                  "a cluster graph of %zu clusters is too large to draw; draw "
                                  "at most %d (--top-clusters N)",
                                  K, SIMDEPTH_I_MAX_CLUSTER_NODES);
        goto out;
    }
    g->n_nodes = K;
    g->nodes = simdepth_i_calloc(K + 1, sizeof *g->nodes);
    g->edges = simdepth_i_calloc(K + 1, sizeof *g->edges);
    map = simdepth_i_malloc_array(n + 1, sizeof *map);
    start = simdepth_i_calloc(K + 2, sizeof *start);
    members = simdepth_i_malloc_array(n + 1, sizeof *members);
    if (g->nodes == NULL || g->edges == NULL || map == NULL || start == NULL ||
        members == NULL) {
        st = simdepth_i_enomem(err, "the cluster graph");
        goto out;
    }
    for (k = 0; k < nslots; k++)
        node_of[k] = (int32_t)K; /* not drawn: the spare slot */
    for (k = 0; k < K; k++) {
        node_of[order[k].label + 1] = (int32_t)k;
        g->nodes[k].label = order[k].label;
        g->nodes[k].size = order[k].size;
        g->shown_classes += order[k].size;
    }
    /* members of each drawn node, in index order */
    for (i = 0; i < n; i++) {
        map[i] = node_of[p->labels[i] + 1];
        start[map[i] + 1] += (size_t)map[i] < K;
    }
    for (k = 0; k < K; k++)
        start[k + 1] += start[k];
    {
        size_t *fill = simdepth_i_malloc_array(K + 1, sizeof *fill);
        if (fill == NULL) {
            st = simdepth_i_enomem(err, "the cluster graph");
            goto out;
        }
        memcpy(fill, start, K * sizeof *fill);
        for (i = 0; i < n; i++)
            if ((size_t)map[i] < K)
                members[fill[map[i]]++] = i;
        free(fill);
    }
    for (k = 0; k < K; k++) {
        simdepth_i_cnode *c = &g->nodes[k];
        c->first = members[start[k]];
        c->has_anc = simdepth_i_common_ancestor(r->info, members + start[k], c->size, &c->anc,
                                                &c->depth) == SIMDEPTH_OK;
    }

    /* one pass over the drawn rows: sums per drawn cluster */
    sim = simdepth_i_calloc(K * (K + 1) + 1, sizeof *sim);
    row = simdepth_i_malloc_array(K + 1, sizeof *row);
    diag = simdepth_i_calloc(K + 1, sizeof *diag);
    typical = simdepth_i_malloc_array(K + 1, sizeof *typical);
    if (r->conf != NULL)
        conf = simdepth_i_calloc(K * (K + 1) + 1, sizeof *conf);
    if (sim == NULL || row == NULL || diag == NULL || typical == NULL ||
        (r->conf != NULL && conf == NULL)) {
        st = simdepth_i_enomem(err, "the cluster graph's sums");
        goto out;
    }
    for (k = 0; k < K; k++)
        typical[k] = -INFINITY;
    for (i = 0; i < n; i++) {
        size_t u = (size_t)map[i];
        double self;
        if (u >= K)
            continue;
        memset(row, 0, (K + 1) * sizeof *row);
        row_sums(r->s, i, map, n, row);
        for (j = 0; j < K; j++)
            sim[u * (K + 1) + j] += row[j];
        self = simdepth_matrix_get(r->s, i, i);
        diag[u] += self;
        if (row[u] - self > typical[u]) {
            typical[u] = row[u] - self;
            g->nodes[u].typical = i;
        }
        if (conf != NULL) {
            double total = 0.0, inv;
            memset(row, 0, (K + 1) * sizeof *row);
            row_sums(r->conf, i, map, n, row);
            for (j = 0; j <= K; j++)
                total += row[j];
            /* as simdepth_confusion_rate: a share of the class's row,
             * 0 for an empty row; the diagonal (correct) is not an error */
            inv = total > 0.0 ? 1.0 / total : 0.0;
            row[u] -= simdepth_matrix_get(r->conf, i, i);
            for (j = 0; j < K; j++)
                conf[u * (K + 1) + j] += row[j] * inv;
        }
    }
    w = simdepth_i_malloc_array(K * K + 1, sizeof *w);
    if (w == NULL) {
        st = simdepth_i_enomem(err, "the cluster graph's weights");
        goto out;
    }
    for (k = 0; k < K; k++) {
        simdepth_i_cnode *c = &g->nodes[k];
        for (j = 0; j < K; j++)
            w[k * K + j] = j == k ? 0.0
                                  : (sim[k * (K + 1) + j] + sim[j * (K + 1) + k]) /
                                        (2.0 * (double)c->size * (double)g->nodes[j].size);
        c->within = c->size >= 2 ? (sim[k * (K + 1) + k] - diag[k]) /
                                       ((double)c->size * (double)(c->size - 1))
                                 : NAN;
        c->inside = conf != NULL ? conf[k * (K + 1) + k] / (double)c->size : NAN;
    }
    st = max_tree(w, K, g->edges, err);
    if (st != SIMDEPTH_OK)
        goto out;
    g->n_edges = K > 0 ? K - 1 : 0;
    for (k = 0; k < g->n_edges; k++) {
        simdepth_i_cedge *e = &g->edges[k];
        e->eab = conf != NULL ? conf[e->a * (K + 1) + e->b] / (double)g->nodes[e->a].size : NAN;
        e->eba = conf != NULL ? conf[e->b * (K + 1) + e->a] / (double)g->nodes[e->b].size : NAN;
    }
    st = orient_from_centre(g->edges, g->n_edges, K, err);
    if (st != SIMDEPTH_OK)
        goto out;
    g->members = members;
    g->start = start;
    members = NULL;
    start = NULL;
out:
    if (st != SIMDEPTH_OK)
        simdepth_i_cgraph_free(g);
    free(count);
    free(node_of);
    free(order);
    free(map);
    free(start);
    free(members);
    free(sim);
    free(conf);
    free(row);
    free(w);
    free(diag);
    free(typical);
    return st;
}
