/* simdepth — custom taxonomies: "child<TAB>parent" edge lists and Newick.
 *
 * Both readers only translate the file into builder calls (taxonomy_i.h);
 * depths, the cycle check and every measure are taxonomy.c's, so a custom
 * taxonomy follows exactly the rules WordNet follows.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/custom_taxonomy.h"
#include "simdepth/labels.h"
#include "simdepth/linkage.h"
#include "simdepth/taxonomy.h"
#include "internal.h"
#include "taxonomy_i.h"
#include "textio.h"

/* Same limit as simdepth_newick_read(). */
#define TAXONOMY_MAX_FILE ((size_t)1 << 30)

/* ------------------------------------------------------------ helpers */

/* Add @name as a node (id = name = label) with its alias, or find it. */
static simdepth_status intern_node(simdepth_taxonomy *t, const char *name,
                                   size_t *node, int *created,
                                   simdepth_error *err)
{
    simdepth_status st;

    *created = 0;
    if (simdepth_taxonomy_find_id(t, name, node, NULL) == SIMDEPTH_OK)
        return SIMDEPTH_OK;
    st = simdepth_i_taxonomy_add_node(t, name, NULL, NULL, NULL, node, err);
    if (st == SIMDEPTH_OK)
        st = simdepth_i_taxonomy_add_alias(t, name, *node, err);
    if (st == SIMDEPTH_OK)
        *created = 1;
    return st;
}

/* Add the virtual root above every parentless node when there are several.
 * @has_parent has one flag per node. */
static simdepth_status join_roots(simdepth_taxonomy *t,
                                  const unsigned char *has_parent,
                                  simdepth_error *err)
{
    size_t n = simdepth_taxonomy_size(t), u, roots = 0, root;
    int created;
    simdepth_status st;

    for (u = 0; u < n; u++)
        roots += !has_parent[u];
    if (roots < 2)
        return SIMDEPTH_OK;
    st = intern_node(t, SIMDEPTH_TAXONOMY_VIRTUAL_ROOT, &root, &created, err);
    for (u = 0; st == SIMDEPTH_OK && u < n; u++) {
        if (!has_parent[u])
            st = simdepth_i_taxonomy_add_parent(t, u, root, err);
    }
    return st;
}

/* --------------------------------------------------------- edge list */

typedef struct edge_rec {
    uint32_t child;
    uint32_t parent;
    long line;
} edge_rec;

typedef struct edge_list {
    edge_rec *e;
    size_t n;
    size_t cap;
    uint32_t *slot; /* index + 1 into e, 0 = empty; open addressing */
    size_t mask;
} edge_list;

static size_t edge_hash(uint32_t c, uint32_t p, size_t mask)
{
    uint64_t h = ((uint64_t)c << 32 | p) * 0x9E3779B97F4A7C15ull;

    return (size_t)(h >> 29) & mask;
}

static int edge_rehash(edge_list *l, size_t slots)
{
    uint32_t *s = simdepth_i_calloc(slots, sizeof *s);
    size_t i, j;

    if (s == NULL)
        return -1;
    free(l->slot);
    l->slot = s;
    l->mask = slots - 1;
    for (i = 0; i < l->n; i++) {
        for (j = edge_hash(l->e[i].child, l->e[i].parent, l->mask); s[j] != 0;
             j = (j + 1) & l->mask)
            ;
        s[j] = (uint32_t)i + 1;
    }
    return 0;
}

/* Record child -> parent from @line. Returns 0, -1 on memory failure, or
 * the (positive) line of an identical earlier edge. */
static long edge_add(edge_list *l, uint32_t c, uint32_t p, long line)
{
    size_t j;

    if (l->n == l->cap) {
        size_t cap = l->cap == 0 ? 256 : 2 * l->cap;
        edge_rec *e;

        if (cap > UINT32_MAX / 4)
            return -1;
        e = simdepth_i_realloc_array(l->e, cap, sizeof *e);
        if (e == NULL)
            return -1;
        l->e = e;
        l->cap = cap;
        if (edge_rehash(l, 4 * cap) != 0)
            return -1;
    }
    for (j = edge_hash(c, p, l->mask); l->slot[j] != 0; j = (j + 1) & l->mask) {
        const edge_rec *r = &l->e[l->slot[j] - 1];

        if (r->child == c && r->parent == p)
            return r->line;
    }
    l->e[l->n].child = c;
    l->e[l->n].parent = p;
    l->e[l->n].line = line;
    l->slot[j] = (uint32_t)l->n + 1;
    l->n++;
    return 0;
}

/* Find a cycle by depth-first search along child -> parent edges, nodes
 * and edges taken in file order, so the message starts from the cycle's
 * earliest node as the file lists it: "a -> b -> c -> a". taxonomy.c's
 * finish would catch the cycle too, but from an arbitrary node and without
 * a line. Returns SIMDEPTH_OK when there is none. */
static simdepth_status find_cycle(const simdepth_taxonomy *t,
                                  const edge_list *l, const char *source,
                                  simdepth_error *err)
{
    size_t n = simdepth_taxonomy_size(t), i, u, top = 0;
    uint32_t *start = NULL, *adj = NULL, *pos = NULL, *stack = NULL;
    unsigned char *color = NULL; /* 0 new, 1 on the stack, 2 done */
    simdepth_status st = SIMDEPTH_OK;

    start = simdepth_i_calloc(n + 1, sizeof *start);
    adj = simdepth_i_malloc_array(l->n, sizeof *adj);
    pos = simdepth_i_malloc_array(n, sizeof *pos);
    stack = simdepth_i_malloc_array(n, sizeof *stack);
    color = simdepth_i_calloc(n, 1);
    if (start == NULL || adj == NULL || pos == NULL || stack == NULL ||
        color == NULL) {
        st = simdepth_i_enomem(err, "the cycle check");
        goto out;
    }
    for (i = 0; i < l->n; i++)
        start[l->e[i].child + 1]++;
    for (u = 0; u < n; u++)
        start[u + 1] += start[u];
    memcpy(pos, start, n * sizeof *pos);
    for (i = 0; i < l->n; i++)
        adj[pos[l->e[i].child]++] = l->e[i].parent;
    for (u = 0; u < n && st == SIMDEPTH_OK; u++) {
        if (color[u] != 0)
            continue;
        stack[top++] = (uint32_t)u;
        pos[u] = start[u];
        color[u] = 1;
        while (top > 0) {
            uint32_t v = stack[top - 1], p;

            if (pos[v] == start[v + 1]) {
                color[v] = 2;
                top--;
                continue;
            }
            p = adj[pos[v]++];
            if (color[p] == 0) {
                color[p] = 1;
                pos[p] = start[p];
                stack[top++] = p;
            } else if (color[p] == 1) {
                char msg[400];
                size_t k = top, len;

                while (stack[k - 1] != p)
                    k--;
                len = (size_t)snprintf(msg, sizeof msg, "%s",
                                       simdepth_taxonomy_name(t, p));
                for (; k < top && len < sizeof msg; k++)
                    len += (size_t)snprintf(msg + len, sizeof msg - len,
                                            " -> %s",
                                            simdepth_taxonomy_name(t, stack[k]));
                if (len < sizeof msg)
                    snprintf(msg + len, sizeof msg - len, " -> %s",
                             simdepth_taxonomy_name(t, p));
                st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, source, 0, 0,
                                          -1, "the taxonomy has a cycle: %s",
                                          msg);
                break;
            }
        }
    }
out:
    free(start);
    free(adj);
    free(pos);
    free(stack);
    free(color);
    return st;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
        (*len)--;
}

/* Copy a field into *buf (grown as needed) as a C string. */
static int field_copy(char **buf, size_t *cap, const char *s, size_t len)
{
    if (len + 1 > *cap) {
        char *b = simdepth_i_malloc(len + 1);

        if (b == NULL)
            return -1;
        free(*buf);
        *buf = b;
        *cap = len + 1;
    }
    memcpy(*buf, s, len);
    (*buf)[len] = '\0';
    return 0;
}

static simdepth_status parse_edges(simdepth_taxonomy *t, const char *text,
                                   size_t len, const char *source,
                                   simdepth_error *err)
{
    const char *cursor = text, *end = text + len, *line;
    size_t line_len, node[2], k;
    long lineno = 0;
    edge_list edges;
    char *field[2] = {NULL, NULL};
    size_t field_cap[2] = {0, 0};
    unsigned char *has_parent = NULL;
    simdepth_status st = SIMDEPTH_OK;

    memset(&edges, 0, sizeof edges);
    while ((line = simdepth_i_next_line(&cursor, end, &line_len)) != NULL) {
        const char *tab, *f[2];
        size_t flen[2], n_fields = 1, i;
        long dup;
        int created;

        lineno++;
        f[0] = line;
        flen[0] = line_len;
        trim(&f[0], &flen[0]);
        if (flen[0] == 0 || f[0][0] == '#')
            continue;
        if (memchr(line, '\0', line_len) != NULL) {
            st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, source, lineno, 0,
                                      -1, "NUL byte in a taxonomy line; "
                                      "expected text");
            goto out;
        }
        for (i = 0; i < line_len; i++)
            n_fields += line[i] == '\t';
        tab = memchr(line, '\t', line_len);
        if (n_fields != 2) {
            st = simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, source, lineno, 0, -1,
                "%zu tab-separated field%s; expected exactly two: "
                "child<TAB>parent",
                n_fields, n_fields == 1 ? "" : "s");
            goto out;
        }
        f[0] = line;
        flen[0] = (size_t)(tab - line);
        f[1] = tab + 1;
        flen[1] = line_len - flen[0] - 1;
        for (k = 0; k < 2; k++) {
            trim(&f[k], &flen[k]);
            if (flen[k] == 0) {
                st = simdepth_i_error_set(
                    err, SIMDEPTH_EFORMAT, source, lineno, (long)k + 1, -1,
                    "empty %s name; expected child<TAB>parent",
                    k == 0 ? "child" : "parent");
                goto out;
            }
            if (field_copy(&field[k], &field_cap[k], f[k], flen[k]) != 0) {
                st = simdepth_i_enomem(err, "a taxonomy line");
                goto out;
            }
            if (strcmp(field[k], SIMDEPTH_TAXONOMY_VIRTUAL_ROOT) == 0) {
                st = simdepth_i_error_set(
                    err, SIMDEPTH_EFORMAT, source, lineno, (long)k + 1, -1,
                    "the name '%s' is reserved for the virtual root",
                    SIMDEPTH_TAXONOMY_VIRTUAL_ROOT);
                goto out;
            }
            st = intern_node(t, field[k], &node[k], &created, err);
            if (st != SIMDEPTH_OK) {
                simdepth_i_taxonomy_locate(err, source, lineno);
                goto out;
            }
        }
        dup = edge_add(&edges, (uint32_t)node[0], (uint32_t)node[1], lineno);
        if (dup < 0) {
            st = simdepth_i_enomem(err, "taxonomy edges");
            goto out;
        }
        if (dup > 0) {
            st = simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, source, lineno, 0, -1,
                "duplicate edge '%s' -> '%s': line %ld repeats line %ld",
                field[0], field[1], lineno, dup);
            goto out;
        }
        st = simdepth_i_taxonomy_add_parent(t, node[0], node[1], err);
        if (st != SIMDEPTH_OK)
            goto out;
    }
    if (edges.n == 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, source, 0, 0, -1,
                                  "empty taxonomy: no child<TAB>parent line "
                                  "and no Newick tree");
        goto out;
    }
    st = find_cycle(t, &edges, source, err);
    if (st != SIMDEPTH_OK)
        goto out;
    has_parent = simdepth_i_calloc(simdepth_taxonomy_size(t), 1);
    if (has_parent == NULL) {
        st = simdepth_i_enomem(err, "taxonomy roots");
        goto out;
    }
    for (k = 0; k < edges.n; k++)
        has_parent[edges.e[k].child] = 1;
    st = join_roots(t, has_parent, err);
out:
    free(has_parent);
    free(field[0]);
    free(field[1]);
    free(edges.e);
    free(edges.slot);
    return st;
}

/* ------------------------------------------------------------- Newick */

static simdepth_status parse_newick(simdepth_taxonomy *t, const char *text,
                                    size_t len, const char *source,
                                    simdepth_error *err)
{
    simdepth_newick_tree *tree = NULL;
    size_t *map = NULL, k;
    simdepth_status st;

    st = simdepth_newick_parse(text, len, source, &tree, err);
    if (st != SIMDEPTH_OK)
        return st;
    map = simdepth_i_malloc_array(tree->n_nodes, sizeof *map);
    if (map == NULL) {
        st = simdepth_i_enomem(err, "Newick nodes");
        goto out;
    }
    /* Named nodes first, so generated names can avoid every given one. */
    for (k = 0; k < tree->n_nodes; k++) {
        const simdepth_newick_node *nd = &tree->nodes[k];
        size_t other;

        if (nd->name == NULL || nd->name[0] == '\0') {
            if (nd->first_child == SIMDEPTH_NEWICK_NONE) {
                st = simdepth_i_error_set(err, SIMDEPTH_EFORMAT, source, 0, 0,
                                          nd->offset,
                                          "a leaf without a name; every "
                                          "class needs one");
                goto out;
            }
            continue;
        }
        if (strcmp(nd->name, SIMDEPTH_TAXONOMY_VIRTUAL_ROOT) == 0 ||
            simdepth_taxonomy_find_id(t, nd->name, &other, NULL) ==
                SIMDEPTH_OK) {
            st = simdepth_i_error_set(
                err, SIMDEPTH_EFORMAT, source, 0, 0, nd->offset,
                strcmp(nd->name, SIMDEPTH_TAXONOMY_VIRTUAL_ROOT) == 0
                    ? "the name '%s' is reserved for the virtual root"
                    : "the name '%s' appears twice; expected unique names",
                nd->name);
            goto out;
        }
        st = simdepth_i_taxonomy_add_node(t, nd->name, NULL, NULL, NULL,
                                          &map[k], err);
        if (st == SIMDEPTH_OK)
            st = simdepth_i_taxonomy_add_alias(t, nd->name, map[k], err);
        if (st != SIMDEPTH_OK)
            goto out;
    }
    for (k = 0; k < tree->n_nodes; k++) {
        const simdepth_newick_node *nd = &tree->nodes[k];
        char name[64];
        size_t other;
        unsigned long suffix = 1;

        if (nd->name != NULL && nd->name[0] != '\0')
            continue;
        snprintf(name, sizeof name, "node%zu", k);
        while (simdepth_taxonomy_find_id(t, name, &other, NULL) == SIMDEPTH_OK)
            snprintf(name, sizeof name, "node%zu_%lu", k, ++suffix);
        st = simdepth_i_taxonomy_add_node(t, name, NULL, NULL, NULL, &map[k],
                                          err);
        if (st == SIMDEPTH_OK)
            st = simdepth_i_taxonomy_add_alias(t, name, map[k], err);
        if (st != SIMDEPTH_OK)
            goto out;
    }
    for (k = 0; k < tree->n_nodes; k++) {
        size_t p = tree->nodes[k].parent;

        if (p != SIMDEPTH_NEWICK_NONE) {
            st = simdepth_i_taxonomy_add_parent(t, map[k], map[p], err);
            if (st != SIMDEPTH_OK)
                goto out;
        }
    }
out:
    free(map);
    simdepth_newick_tree_free(tree);
    return st;
}

/* ---------------------------------------------------------------- API */

static int looks_like_newick(const char *text, size_t len)
{
    size_t i = 0;

    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                       text[i] == '\r' || text[i] == '\f' || text[i] == '\v'))
        i++;
    return i < len && text[i] == '(';
}

simdepth_status simdepth_taxonomy_parse(const char *text, size_t len,
                                        const char *source,
                                        simdepth_taxonomy **out,
                                        simdepth_error *err)
{
    simdepth_taxonomy *t = NULL;
    simdepth_status st;

    if (text == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, source, 0, 0, -1,
                                    "taxonomy_parse needs text and an output");
    st = simdepth_i_taxonomy_new(len / 32, &t, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (looks_like_newick(text, len))
        st = parse_newick(t, text, len, source, err);
    else
        st = parse_edges(t, text, len, source, err);
    if (st == SIMDEPTH_OK) {
        st = simdepth_i_taxonomy_finish(t, err);
        /* A cycle is about the whole file, not one line. */
        if (st != SIMDEPTH_OK)
            simdepth_i_taxonomy_locate(err, source, 0);
    }
    if (st != SIMDEPTH_OK) {
        simdepth_taxonomy_free(t);
        return st;
    }
    *out = t;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_taxonomy_read(const char *path,
                                       simdepth_taxonomy **out,
                                       simdepth_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    simdepth_status st;

    if (path == NULL || out == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "taxonomy_read needs a path and an "
                                    "output");
    st = simdepth_i_read_file(path, TAXONOMY_MAX_FILE, &buf, &len, err);
    if (st != SIMDEPTH_OK)
        return st;
    st = simdepth_taxonomy_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

simdepth_status simdepth_taxonomy_resolve_labels(const simdepth_taxonomy *t,
                                                 const simdepth_labels *labels,
                                                 const char *labels_path,
                                                 size_t *nodes,
                                                 simdepth_error *err)
{
    size_t i, n;

    if (t == NULL || labels == NULL || nodes == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, labels_path, 0, 0,
                                    -1, "resolve_labels needs a taxonomy, "
                                    "labels and an output");
    n = simdepth_labels_count(labels);
    for (i = 0; i < n; i++) {
        const char *key = simdepth_labels_key(labels, i);
        const char *name = simdepth_labels_name(labels, i);

        if (simdepth_taxonomy_find_id(t, key, &nodes[i], NULL) == SIMDEPTH_OK ||
            simdepth_taxonomy_find_name(t, key, &nodes[i], NULL) ==
                SIMDEPTH_OK ||
            (name != NULL &&
             simdepth_taxonomy_find_name(t, name, &nodes[i], NULL) ==
                 SIMDEPTH_OK))
            continue;
        return simdepth_i_error_set(
            err, SIMDEPTH_ENOTFOUND, labels_path, (long)(i + 1), 0, -1,
            "unknown leaf '%s': not a node of the taxonomy; expected a name "
            "or id from the taxonomy file (case, blanks and underscores "
            "aside)",
            key);
    }
    return SIMDEPTH_OK;
}
