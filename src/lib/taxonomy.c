/* simdepth — a taxonomy (a DAG of concepts) and NLTK's measures on it.
 *
 * Every rule here mirrors NLTK 3.8 (nltk/corpus/reader/wordnet.py) for
 * WordNet noun synsets, where simulate_root never applies:
 *
 *   hypernyms          hypernyms() + instance_hypernyms(): all parents
 *   min/max_depth      shortest / longest parent chain to a root, root = 0
 *   common hypernyms   ancestors(a) & ancestors(b), each including itself
 *   LCS                lowest_common_hypernyms(use_min_depth=True|False):
 *                      keep the common hypernyms of greatest min (max) depth,
 *                      sort by name, take a itself if kept, else the first
 *   distance(a, b)     shortest_path_distance: 0 if a == b, else the minimum
 *                      over common ancestors X of up(a, X) + up(b, X), where
 *                      up() is the breadth-first upward distance
 *   wup                2 d / (len_a + len_b + 2 d), d = max_depth(LCS) + 1,
 *                      len_x = distance(x, LCS)
 *   path similarity    1 / (distance + 1), 0 without a path
 *
 * After simdepth_i_taxonomy_finish() nothing in the object changes; every
 * query works on caller-stack scratch (heap only for unusually large
 * ancestor sets), so concurrent readers need no locking.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simdepth/taxonomy.h"
#include "internal.h"
#include "taxonomy_i.h"

/* ------------------------------------------------------------------ arena */

/* Strings live in large blocks that never move, so node strings can be
 * plain pointers. */
typedef struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t cap;
    char data[];
} arena_block;

/* Blocks grow geometrically from ARENA_FIRST_BLOCK to ARENA_BLOCK_SIZE, so
 * that a small taxonomy (a few KB of text, as fuzzers and CLI tests parse
 * thousands of times) does not pay for a large block per parse, while
 * WordNet's 8 MB of names and glosses come in 4 MiB blocks: from that size
 * simdepth_i_malloc() asks for huge pages (alloc.c), whose first touch costs
 * a quarter of 4 KiB pages' on a VM, which cuts a sixth off opening
 * WordNet. */
#define ARENA_FIRST_BLOCK ((size_t)4096)
#define ARENA_BLOCK_SIZE ((size_t)4 << 20)

static void arena_free(arena_block *b)
{
    while (b != NULL) {
        arena_block *next = b->next;
        free(b);
        b = next;
    }
}

/* @size bytes from the arena headed by *@head, or NULL. */
static char *arena_alloc(arena_block **head, size_t size)
{
    arena_block *b = *head;
    char *d;

    if (size >= SIZE_MAX - sizeof *b)
        return NULL;
    if (b == NULL || b->cap - b->used < size) {
        size_t base = b == NULL ? ARENA_FIRST_BLOCK
                      : b->cap >= ARENA_BLOCK_SIZE / 2 ? ARENA_BLOCK_SIZE
                                                       : 2 * b->cap;
        size_t cap = size > base ? size : base;

        b = simdepth_i_malloc(sizeof *b + cap);
        if (b == NULL)
            return NULL;
        b->used = 0;
        b->cap = cap;
        if (*head != NULL && size > ARENA_BLOCK_SIZE) {
            /* An oversized string gets a block of its own behind the
             * current one, which keeps its free space. */
            b->next = (*head)->next;
            (*head)->next = b;
        } else {
            b->next = *head;
            *head = b;
        }
    }
    d = b->data + b->used;
    b->used += size;
    return d;
}

/* Copy @len bytes of @s plus a NUL into the arena. */
static const char *arena_strndup(arena_block **head, const char *s, size_t len)
{
    char *d = len < SIZE_MAX ? arena_alloc(head, len + 1) : NULL;

    if (d == NULL)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

/* ------------------------------------------------------------- string map */

/* Open addressing, linear probing. A slot holds the key's hash and the index
 * (+1, so 0 means empty) into a caller-owned array of key strings. */
typedef struct map_slot {
    uint32_t hash;
    uint32_t val;
} map_slot;

typedef struct strmap {
    map_slot *slot;
    size_t mask; /* capacity - 1, capacity a power of two */
    size_t count;
} strmap;

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;

    for (; *s != '\0'; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

static size_t pow2_at_least(size_t n)
{
    size_t c = 16;

    while (c < n && c <= SIZE_MAX / 2)
        c *= 2;
    return c;
}

static void map_destroy(strmap *m)
{
    free(m->slot);
    m->slot = NULL;
    m->mask = 0;
    m->count = 0;
}

/* Load factor at most 3/4: the maps of a WordNet-sized taxonomy stay at
 * 1 MiB each, and the stored hash keeps long probe runs cheap. */
static int map_full(const strmap *m, size_t count)
{
    return count > (m->mask + 1) / 4 * 3;
}

static int map_init(strmap *m, size_t expected)
{
    size_t cap = pow2_at_least(expected < SIZE_MAX / 2 ? expected / 3 * 4 + 4
                                                       : expected);

    m->slot = simdepth_i_calloc(cap, sizeof *m->slot);
    if (m->slot == NULL)
        return -1;
    m->mask = cap - 1;
    m->count = 0;
    return 0;
}

/* The index of @key in @keys, or -1. */
static long map_find(const strmap *m, const char *const *keys, const char *key,
                     uint32_t h)
{
    size_t i;

    if (m->slot == NULL)
        return -1;
    for (i = h & m->mask; m->slot[i].val != 0; i = (i + 1) & m->mask) {
        if (m->slot[i].hash == h && strcmp(keys[m->slot[i].val - 1], key) == 0)
            return (long)(m->slot[i].val - 1);
    }
    return -1;
}

static void map_put_slot(strmap *m, uint32_t h, uint32_t val)
{
    size_t i;

    for (i = h & m->mask; m->slot[i].val != 0; i = (i + 1) & m->mask)
        ;
    m->slot[i].hash = h;
    m->slot[i].val = val;
    m->count++;
}

/* Insert index @idx (whose key has hash @h); the caller has checked that the
 * key is absent. */
static int map_insert(strmap *m, uint32_t h, size_t idx)
{
    if (m->slot == NULL && map_init(m, 8) != 0)
        return -1;
    if (map_full(m, m->count + 1)) {
        strmap bigger;
        size_t i;

        if (m->mask + 1 > SIZE_MAX / 4)
            return -1;
        bigger.slot = simdepth_i_calloc(2 * (m->mask + 1), sizeof *bigger.slot);
        if (bigger.slot == NULL)
            return -1;
        bigger.mask = 2 * (m->mask + 1) - 1;
        bigger.count = 0;
        for (i = 0; i <= m->mask; i++) {
            if (m->slot[i].val != 0)
                map_put_slot(&bigger, m->slot[i].hash, m->slot[i].val);
        }
        free(m->slot);
        *m = bigger;
    }
    map_put_slot(m, h, (uint32_t)idx + 1);
    return 0;
}

/* ------------------------------------------------------------ the object */

typedef struct taxo_alias {
    const char *key; /* normalised */
    uint32_t node;
    uint32_t seq;    /* insertion order: the first of equal keys wins */
} taxo_alias;

struct simdepth_taxonomy {
    size_t n;
    size_t cap;
    const char **ids;
    const char **names;
    const char **labels;
    const char **glosses;

    /* Links recorded before finish. */
    uint32_t *edge_child;
    uint32_t *edge_parent;
    size_t n_edges;
    size_t cap_edges;

    /* Parents of node u: par[par_start[u] .. par_start[u + 1]). */
    uint32_t *par_start;
    uint32_t *par;
    int32_t *min_depth;
    int32_t *max_depth;

    strmap id_map;    /* keys: ids */
    strmap name_map;  /* keys: names, built at finish */
    /* Sorted by key at finish (index.noun already is), first one of equal
     * keys kept; looked up by binary search. */
    taxo_alias *alias;
    size_t n_alias;
    size_t cap_alias;

    arena_block *arena;
    int finished;
};

void simdepth_i_taxonomy_locate(simdepth_error *err, const char *file,
                                long line)
{
    if (err == NULL)
        return;
    if (file != NULL)
        snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
}

simdepth_status simdepth_i_taxonomy_new(size_t size_hint,
                                        simdepth_taxonomy **out,
                                        simdepth_error *err)
{
    simdepth_taxonomy *t;
    size_t cap = size_hint > 0 ? size_hint : 64;

    if (cap > SIMDEPTH_I_TAXONOMY_MAX_NODES)
        cap = SIMDEPTH_I_TAXONOMY_MAX_NODES;
    t = simdepth_i_calloc(1, sizeof *t);
    if (t == NULL)
        return simdepth_i_enomem(err, "a taxonomy");
    t->cap = cap;
    t->ids = simdepth_i_malloc_array(cap, sizeof *t->ids);
    t->names = simdepth_i_malloc_array(cap, sizeof *t->names);
    t->labels = simdepth_i_malloc_array(cap, sizeof *t->labels);
    t->glosses = simdepth_i_malloc_array(cap, sizeof *t->glosses);
    if (t->ids == NULL || t->names == NULL || t->labels == NULL ||
        t->glosses == NULL || map_init(&t->id_map, cap) != 0) {
        simdepth_taxonomy_free(t);
        return simdepth_i_enomem(err, "taxonomy nodes");
    }
    *out = t;
    return SIMDEPTH_OK;
}

void simdepth_taxonomy_free(simdepth_taxonomy *t)
{
    if (t == NULL)
        return;
    free(t->ids);
    free(t->names);
    free(t->labels);
    free(t->glosses);
    free(t->edge_child);
    free(t->edge_parent);
    free(t->par_start);
    free(t->par);
    free(t->min_depth);
    free(t->max_depth);
    map_destroy(&t->id_map);
    map_destroy(&t->name_map);
    free(t->alias);
    arena_free(t->arena);
    free(t);
}

/* Grow the four per-node string arrays to hold one more node. */
static int grow_nodes(simdepth_taxonomy *t)
{
    size_t cap;
    const char **p;

    if (t->n < t->cap)
        return 0;
    if (t->cap >= SIMDEPTH_I_TAXONOMY_MAX_NODES)
        return -1;
    cap = t->cap * 2 > SIMDEPTH_I_TAXONOMY_MAX_NODES
              ? SIMDEPTH_I_TAXONOMY_MAX_NODES
              : t->cap * 2;
    /* Each array is replaced as soon as it has grown, so a failure half way
     * leaves every array valid for the old capacity. */
    if ((p = simdepth_i_realloc_array(t->ids, cap, sizeof *p)) == NULL)
        return -1;
    t->ids = p;
    if ((p = simdepth_i_realloc_array(t->names, cap, sizeof *p)) == NULL)
        return -1;
    t->names = p;
    if ((p = simdepth_i_realloc_array(t->labels, cap, sizeof *p)) == NULL)
        return -1;
    t->labels = p;
    if ((p = simdepth_i_realloc_array(t->glosses, cap, sizeof *p)) == NULL)
        return -1;
    t->glosses = p;
    t->cap = cap;
    return 0;
}

simdepth_status simdepth_i_taxonomy_add_node(simdepth_taxonomy *t,
                                             const char *id, const char *name,
                                             const char *label,
                                             const char *gloss, size_t *node,
                                             simdepth_error *err)
{
    uint32_t h;
    const char *cid, *cname, *clabel, *cgloss;

    if (t == NULL || id == NULL || t->finished)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "cannot add a node to %s",
                                    t == NULL ? "a NULL taxonomy"
                                    : id == NULL ? "a taxonomy without an id"
                                                 : "a finished taxonomy");
    if (id[0] == '\0')
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, -1,
                                    "empty node id");
    h = hash_str(id);
    if (map_find(&t->id_map, t->ids, id, h) >= 0)
        return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, -1,
                                    "duplicate node id '%s'", id);
    if (grow_nodes(t) != 0)
        return simdepth_i_error_set(err, SIMDEPTH_ENOMEM, NULL, 0, 0, -1,
                                    "out of memory for taxonomy node %zu",
                                    t->n + 1);
    cid = arena_strndup(&t->arena, id, strlen(id));
    cname = name == NULL ? cid : arena_strndup(&t->arena, name, strlen(name));
    clabel = label == NULL ? cname
                           : arena_strndup(&t->arena, label, strlen(label));
    cgloss = gloss == NULL || gloss[0] == '\0'
                 ? ""
                 : arena_strndup(&t->arena, gloss, strlen(gloss));
    if (cid == NULL || cname == NULL || clabel == NULL || cgloss == NULL)
        return simdepth_i_enomem(err, "taxonomy strings");
    t->ids[t->n] = cid;
    t->names[t->n] = cname;
    t->labels[t->n] = clabel;
    t->glosses[t->n] = cgloss;
    if (map_insert(&t->id_map, h, t->n) != 0)
        return simdepth_i_enomem(err, "the taxonomy id map");
    if (node != NULL)
        *node = t->n;
    t->n++;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_i_taxonomy_set_name(simdepth_taxonomy *t,
                                            size_t node, const char *name,
                                            simdepth_error *err)
{
    const char *copy;

    if (t == NULL || t->finished || node >= t->n || name == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "cannot rename taxonomy node %zu", node);
    copy = arena_strndup(&t->arena, name, strlen(name));
    if (copy == NULL)
        return simdepth_i_enomem(err, "taxonomy strings");
    /* A label that was "same as name" keeps its old text: labels are set
     * explicitly by readers that rename. */
    t->names[node] = copy;
    return SIMDEPTH_OK;
}

simdepth_status simdepth_i_taxonomy_add_parent(simdepth_taxonomy *t,
                                               size_t child, size_t parent,
                                               simdepth_error *err)
{
    if (t == NULL || t->finished || child >= t->n || parent >= t->n)
        return simdepth_i_error_set(
            err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
            "invalid taxonomy link %zu -> %zu (%zu nodes%s)", child, parent,
            t == NULL ? (size_t)0 : t->n,
            t != NULL && t->finished ? ", finished" : "");
    if (t->n_edges == t->cap_edges) {
        size_t cap = t->cap_edges == 0 ? t->cap : 2 * t->cap_edges;
        uint32_t *c, *p;

        if (cap > UINT32_MAX)
            return simdepth_i_enomem(err, "taxonomy links");
        c = simdepth_i_realloc_array(t->edge_child, cap, sizeof *c);
        if (c == NULL)
            return simdepth_i_enomem(err, "taxonomy links");
        t->edge_child = c;
        p = simdepth_i_realloc_array(t->edge_parent, cap, sizeof *p);
        if (p == NULL)
            return simdepth_i_enomem(err, "taxonomy links");
        t->edge_parent = p;
        t->cap_edges = cap;
    }
    t->edge_child[t->n_edges] = (uint32_t)child;
    t->edge_parent[t->n_edges] = (uint32_t)parent;
    t->n_edges++;
    return SIMDEPTH_OK;
}

/* Copy @s into @buf (size @size) lower-cased (ASCII) with spaces turned into
 * underscores. Returns 0, or -1 if it does not fit. */
static int normalise(const char *s, char *buf, size_t size)
{
    size_t i;

    for (i = 0; s[i] != '\0'; i++) {
        unsigned char c = (unsigned char)s[i];

        if (i + 1 >= size)
            return -1;
        if (c == ' ')
            c = '_';
        else if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        buf[i] = (char)c;
    }
    buf[i] = '\0';
    return 0;
}

simdepth_status simdepth_i_taxonomy_add_alias(simdepth_taxonomy *t,
                                              const char *alias, size_t node,
                                              simdepth_error *err)
{
    size_t len;
    char *key;

    if (t == NULL || alias == NULL || t->finished || node >= t->n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "invalid taxonomy alias for node %zu",
                                    node);
    if (t->n_alias == t->cap_alias) {
        size_t cap = t->cap_alias == 0 ? 1024 : 2 * t->cap_alias;
        taxo_alias *a;

        if (cap > UINT32_MAX ||
            (a = simdepth_i_realloc_array(t->alias, cap, sizeof *a)) == NULL)
            return simdepth_i_enomem(err, "taxonomy aliases");
        t->alias = a;
        t->cap_alias = cap;
    }
    len = strlen(alias);
    key = len < SIZE_MAX ? arena_alloc(&t->arena, len + 1) : NULL;
    if (key == NULL)
        return simdepth_i_enomem(err, "taxonomy aliases");
    normalise(alias, key, len + 1);
    t->alias[t->n_alias].key = key;
    t->alias[t->n_alias].node = (uint32_t)node;
    t->alias[t->n_alias].seq = (uint32_t)t->n_alias;
    t->n_alias++;
    return SIMDEPTH_OK;
}

/* ---------------------------------------------------------------- finish */

static void sort_u32(uint32_t *a, size_t n)
{
    size_t i, j;

    /* Parent lists are short (WordNet: at most a handful). */
    for (i = 1; i < n; i++) {
        uint32_t v = a[i];

        for (j = i; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Build par_start / par from the edge list, parents sorted and unique. */
static simdepth_status build_parents(simdepth_taxonomy *t, simdepth_error *err)
{
    size_t i, u, w;
    uint32_t *fill = NULL;
    simdepth_status st = SIMDEPTH_OK;

    t->par_start = simdepth_i_calloc(t->n + 1, sizeof *t->par_start);
    t->par = simdepth_i_malloc_array(t->n_edges, sizeof *t->par);
    fill = simdepth_i_malloc_array(t->n + 1, sizeof *fill);
    if (t->par_start == NULL || t->par == NULL || fill == NULL) {
        st = simdepth_i_enomem(err, "taxonomy parent lists");
        goto out;
    }
    for (i = 0; i < t->n_edges; i++)
        t->par_start[t->edge_child[i] + 1]++;
    for (u = 0; u < t->n; u++)
        t->par_start[u + 1] += t->par_start[u];
    memcpy(fill, t->par_start, (t->n + 1) * sizeof *fill);
    for (i = 0; i < t->n_edges; i++)
        t->par[fill[t->edge_child[i]]++] = t->edge_parent[i];
    /* Sort each list, drop duplicates and compact in place. */
    w = 0;
    for (u = 0; u < t->n; u++) {
        size_t b = t->par_start[u], e = t->par_start[u + 1], k;

        sort_u32(t->par + b, e - b);
        t->par_start[u] = (uint32_t)w;
        for (k = b; k < e; k++) {
            if (k == b || t->par[k] != t->par[k - 1])
                t->par[w++] = t->par[k];
        }
    }
    t->par_start[t->n] = (uint32_t)w;
out:
    free(fill);
    return st;
}

/* Report a cycle among the nodes Kahn's algorithm could not order (those
 * with remaining[u] > 0). Every such node has an unordered parent, so walking
 * up n steps from any of them ends on a cycle. */
static simdepth_status report_cycle(const simdepth_taxonomy *t,
                                    const uint32_t *remaining,
                                    simdepth_error *err)
{
    char msg[400];
    size_t u = 0, v, step, len;

    while (u < t->n && remaining[u] == 0)
        u++;
    for (step = 0; step < t->n; step++) {
        size_t k;

        for (k = t->par_start[u]; remaining[t->par[k]] == 0; k++)
            ;
        u = t->par[k];
    }
    len = (size_t)snprintf(msg, sizeof msg, "%s", t->ids[u]);
    v = u;
    do {
        size_t k;

        for (k = t->par_start[v]; remaining[t->par[k]] == 0; k++)
            ;
        v = t->par[k];
        if (len < sizeof msg)
            len += (size_t)snprintf(msg + len, sizeof msg - len, " -> %s",
                                    t->ids[v]);
    } while (v != u);
    return simdepth_i_error_set(err, SIMDEPTH_EFORMAT, NULL, 0, 0, -1,
                                "the taxonomy has a cycle: %s", msg);
}

/* min_depth and max_depth of every node in topological order (Kahn). */
static simdepth_status compute_depths(simdepth_taxonomy *t, simdepth_error *err)
{
    uint32_t *child_start = NULL, *child = NULL, *remaining = NULL;
    uint32_t *queue = NULL;
    size_t u, k, head = 0, tail = 0, n_links = t->par_start[t->n];
    simdepth_status st = SIMDEPTH_OK;

    t->min_depth = simdepth_i_malloc_array(t->n, sizeof *t->min_depth);
    t->max_depth = simdepth_i_malloc_array(t->n, sizeof *t->max_depth);
    child_start = simdepth_i_calloc(t->n + 1, sizeof *child_start);
    child = simdepth_i_malloc_array(n_links, sizeof *child);
    remaining = simdepth_i_malloc_array(t->n, sizeof *remaining);
    queue = simdepth_i_malloc_array(t->n, sizeof *queue);
    if (t->min_depth == NULL || t->max_depth == NULL || child_start == NULL ||
        child == NULL || remaining == NULL || queue == NULL) {
        st = simdepth_i_enomem(err, "taxonomy depths");
        goto out;
    }
    for (k = 0; k < n_links; k++)
        child_start[t->par[k] + 1]++;
    for (u = 0; u < t->n; u++)
        child_start[u + 1] += child_start[u];
    for (u = 0; u < t->n; u++) {
        for (k = t->par_start[u]; k < t->par_start[u + 1]; k++)
            child[child_start[t->par[k]]++] = (uint32_t)u;
    }
    /* child_start[p] now points at the end of p's list; shift back. */
    for (u = t->n; u > 0; u--)
        child_start[u] = child_start[u - 1];
    child_start[0] = 0;

    for (u = 0; u < t->n; u++) {
        remaining[u] = t->par_start[u + 1] - t->par_start[u];
        if (remaining[u] == 0)
            queue[tail++] = (uint32_t)u;
    }
    while (head < tail) {
        int32_t lo = INT32_MAX, hi = -1;

        u = queue[head++];
        for (k = t->par_start[u]; k < t->par_start[u + 1]; k++) {
            uint32_t p = t->par[k];

            if (t->min_depth[p] < lo)
                lo = t->min_depth[p];
            if (t->max_depth[p] > hi)
                hi = t->max_depth[p];
        }
        t->min_depth[u] = hi < 0 ? 0 : lo + 1;
        t->max_depth[u] = hi < 0 ? 0 : hi + 1;
        for (k = child_start[u]; k < child_start[u + 1]; k++) {
            if (--remaining[child[k]] == 0)
                queue[tail++] = child[k];
        }
    }
    if (tail < t->n)
        st = report_cycle(t, remaining, err);
out:
    free(child_start);
    free(child);
    free(remaining);
    free(queue);
    return st;
}

static int cmp_alias(const void *pa, const void *pb)
{
    const taxo_alias *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);

    if (c != 0)
        return c;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sort the aliases (a no-op check for sorted input) and keep the first of
 * each key. */
static void finish_aliases(simdepth_taxonomy *t)
{
    size_t i, w;

    for (i = 1; i < t->n_alias; i++) {
        if (strcmp(t->alias[i - 1].key, t->alias[i].key) > 0)
            break;
    }
    if (i < t->n_alias)
        qsort(t->alias, t->n_alias, sizeof *t->alias, cmp_alias);
    for (i = w = 0; i < t->n_alias; i++) {
        if (w == 0 || strcmp(t->alias[w - 1].key, t->alias[i].key) != 0)
            t->alias[w++] = t->alias[i];
    }
    t->n_alias = w;
}

static simdepth_status build_name_map(simdepth_taxonomy *t, simdepth_error *err)
{
    size_t u;

    if (map_init(&t->name_map, t->n) != 0)
        return simdepth_i_enomem(err, "the taxonomy name map");
    for (u = 0; u < t->n; u++) {
        uint32_t h = hash_str(t->names[u]);

        /* Duplicate names: the first node keeps the name. */
        if (map_find(&t->name_map, t->names, t->names[u], h) < 0 &&
            map_insert(&t->name_map, h, u) != 0)
            return simdepth_i_enomem(err, "the taxonomy name map");
    }
    return SIMDEPTH_OK;
}

simdepth_status simdepth_i_taxonomy_finish(simdepth_taxonomy *t,
                                           simdepth_error *err)
{
    simdepth_status st;

    if (t == NULL || t->finished)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "taxonomy is NULL or already finished");
    st = build_parents(t, err);
    if (st == SIMDEPTH_OK)
        st = compute_depths(t, err);
    if (st == SIMDEPTH_OK)
        st = build_name_map(t, err);
    if (st != SIMDEPTH_OK)
        return st;
    finish_aliases(t);
    free(t->edge_child);
    free(t->edge_parent);
    t->edge_child = t->edge_parent = NULL;
    t->n_edges = t->cap_edges = 0;
    t->finished = 1;
    return SIMDEPTH_OK;
}

/* ------------------------------------------------------------ accessors */

size_t simdepth_taxonomy_size(const simdepth_taxonomy *t)
{
    return t == NULL ? 0 : t->n;
}

simdepth_status simdepth_taxonomy_find_id(const simdepth_taxonomy *t,
                                          const char *id, size_t *node,
                                          simdepth_error *err)
{
    long i;

    if (t == NULL || id == NULL || node == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "find_id needs a taxonomy, an id and "
                                    "an output");
    i = map_find(&t->id_map, t->ids, id, hash_str(id));
    if (i < 0)
        return simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0, -1,
                                    "no node with id '%s' in the taxonomy",
                                    id);
    *node = (size_t)i;
    return SIMDEPTH_OK;
}

static long find_alias(const simdepth_taxonomy *t, const char *key)
{
    size_t lo = 0, hi = t->n_alias;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->alias[mid].key, key);

        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

simdepth_status simdepth_taxonomy_find_name(const simdepth_taxonomy *t,
                                            const char *name, size_t *node,
                                            simdepth_error *err)
{
    char small[256];
    char *key = small;
    size_t len;
    long i;
    simdepth_status st = SIMDEPTH_OK;

    if (t == NULL || !t->finished || name == NULL || node == NULL)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "find_name needs a finished taxonomy, a "
                                    "name and an output");
    len = strlen(name);
    if (len >= sizeof small && (key = simdepth_i_malloc(len + 1)) == NULL)
        return simdepth_i_enomem(err, "a name lookup");
    normalise(name, key, len + 1);
    /* Aliases first (WordNet lemmas: first sense), then canonical names as
     * given, then canonical names normalised. */
    i = find_alias(t, key);
    if (i >= 0) {
        *node = t->alias[i].node;
        goto out;
    }
    i = map_find(&t->name_map, t->names, name, hash_str(name));
    if (i < 0)
        i = map_find(&t->name_map, t->names, key, hash_str(key));
    if (i < 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0, -1,
                                  "no node named '%s' in the taxonomy", name);
        goto out;
    }
    *node = (size_t)i;
out:
    if (key != small)
        free(key);
    return st;
}

const char *simdepth_taxonomy_name(const simdepth_taxonomy *t, size_t node)
{
    return t == NULL || node >= t->n ? NULL : t->names[node];
}

const char *simdepth_taxonomy_id(const simdepth_taxonomy *t, size_t node)
{
    return t == NULL || node >= t->n ? NULL : t->ids[node];
}

const char *simdepth_taxonomy_label(const simdepth_taxonomy *t, size_t node)
{
    return t == NULL || node >= t->n ? NULL : t->labels[node];
}

const char *simdepth_taxonomy_gloss(const simdepth_taxonomy *t, size_t node)
{
    return t == NULL || node >= t->n ? NULL : t->glosses[node];
}

int simdepth_taxonomy_min_depth(const simdepth_taxonomy *t, size_t node)
{
    return t == NULL || !t->finished || node >= t->n ? -1
                                                     : t->min_depth[node];
}

int simdepth_taxonomy_max_depth(const simdepth_taxonomy *t, size_t node)
{
    return t == NULL || !t->finished || node >= t->n ? -1
                                                     : t->max_depth[node];
}

/* ------------------------------------------------------ ancestor sets */

/* The ancestors of one node (itself included) with their breadth-first
 * upward distances, plus a small hash index. Storage starts on the caller's
 * stack and moves to the heap only for sets larger than ANC_INLINE. */
#define ANC_INLINE 128

typedef struct anc_set {
    uint32_t *node;
    uint32_t *dist;
    uint32_t *slot; /* position + 1, 0 = empty */
    size_t n;
    size_t cap;
    size_t mask;
    int on_heap;
    uint32_t node_buf[ANC_INLINE];
    uint32_t dist_buf[ANC_INLINE];
    uint32_t slot_buf[2 * ANC_INLINE];
} anc_set;

static void anc_init(anc_set *s)
{
    s->node = s->node_buf;
    s->dist = s->dist_buf;
    s->slot = s->slot_buf;
    s->cap = ANC_INLINE;
    s->mask = 2 * ANC_INLINE - 1;
    s->n = 0;
    s->on_heap = 0;
    memset(s->slot_buf, 0, sizeof s->slot_buf);
}

static void anc_release(anc_set *s)
{
    if (s->on_heap) {
        free(s->node);
        free(s->dist);
        free(s->slot);
    }
}

static size_t anc_hash(uint32_t v, size_t mask)
{
    uint32_t h = v * 2654435761u;

    return (size_t)(h ^ (h >> 15)) & mask;
}

/* Position of @v in @s, or -1. */
static long anc_find(const anc_set *s, uint32_t v)
{
    size_t i;

    for (i = anc_hash(v, s->mask); s->slot[i] != 0; i = (i + 1) & s->mask) {
        if (s->node[s->slot[i] - 1] == v)
            return (long)(s->slot[i] - 1);
    }
    return -1;
}

static int anc_grow(anc_set *s)
{
    size_t cap = 2 * s->cap, i;
    uint32_t *node, *dist, *slot;

    if (cap > UINT32_MAX / 2)
        return -1;
    node = simdepth_i_malloc_array(cap, sizeof *node);
    dist = simdepth_i_malloc_array(cap, sizeof *dist);
    slot = simdepth_i_calloc(2 * cap, sizeof *slot);
    if (node == NULL || dist == NULL || slot == NULL) {
        free(node);
        free(dist);
        free(slot);
        return -1;
    }
    memcpy(node, s->node, s->n * sizeof *node);
    memcpy(dist, s->dist, s->n * sizeof *dist);
    if (s->on_heap) {
        free(s->node);
        free(s->dist);
        free(s->slot);
    }
    s->node = node;
    s->dist = dist;
    s->slot = slot;
    s->cap = cap;
    s->mask = 2 * cap - 1;
    s->on_heap = 1;
    for (i = 0; i < s->n; i++) {
        size_t j;

        for (j = anc_hash(node[i], s->mask); slot[j] != 0; j = (j + 1) & s->mask)
            ;
        slot[j] = (uint32_t)i + 1;
    }
    return 0;
}

/* Breadth-first search upwards from @start, as NLTK's
 * _shortest_hypernym_paths: every ancestor with its shortest distance. */
static int anc_fill(const simdepth_taxonomy *t, anc_set *s, uint32_t start)
{
    size_t head;

    if (s->n > 0) {
        memset(s->slot, 0, (s->mask + 1) * sizeof *s->slot);
        s->n = 0;
    }
    s->node[0] = start;
    s->dist[0] = 0;
    s->slot[anc_hash(start, s->mask)] = 1;
    s->n = 1;
    for (head = 0; head < s->n; head++) {
        uint32_t u = s->node[head], d = s->dist[head] + 1, k;

        for (k = t->par_start[u]; k < t->par_start[u + 1]; k++) {
            uint32_t p = t->par[k];
            size_t i;

            for (i = anc_hash(p, s->mask); s->slot[i] != 0;
                 i = (i + 1) & s->mask) {
                if (s->node[s->slot[i] - 1] == p)
                    break;
            }
            if (s->slot[i] != 0)
                continue;
            if (s->n == s->cap) {
                if (anc_grow(s) != 0)
                    return -1;
                for (i = anc_hash(p, s->mask); s->slot[i] != 0;
                     i = (i + 1) & s->mask)
                    ;
            }
            s->node[s->n] = p;
            s->dist[s->n] = d;
            s->slot[i] = (uint32_t)s->n + 1;
            s->n++;
        }
    }
    return 0;
}

/* min over X in x & y of dist_x(X) + dist_y(X), or -1 if they share none.
 * Iterates the smaller set. */
static long anc_meet(const anc_set *x, const anc_set *y)
{
    const anc_set *small = x->n <= y->n ? x : y;
    const anc_set *large = small == x ? y : x;
    long best = -1;
    size_t i;

    for (i = 0; i < small->n; i++) {
        long j = anc_find(large, small->node[i]);

        if (j >= 0) {
            long d = (long)small->dist[i] + (long)large->dist[j];

            if (best < 0 || d < best)
                best = d;
        }
    }
    return best;
}

/* --------------------------------------------------------------- measures */

static simdepth_status check_pair(const simdepth_taxonomy *t, size_t a,
                                  size_t b, simdepth_error *err)
{
    if (t == NULL || !t->finished)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "the taxonomy is %s",
                                    t == NULL ? "NULL" : "not finished");
    if (a >= t->n || b >= t->n)
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1,
                                    "node %zu is out of range (%zu nodes)",
                                    a >= t->n ? a : b, t->n);
    return SIMDEPTH_OK;
}

simdepth_status simdepth_taxonomy_lcs(const simdepth_taxonomy *t, size_t a,
                                      size_t b, simdepth_lcs_rule rule,
                                      simdepth_lcs *out, simdepth_error *err)
{
    anc_set sa, sb, sl;
    const anc_set *la;
    const int32_t *key;
    int32_t best = -1;
    size_t i, count = 0, pick = 0;
    int a_kept = 0;
    long len_a, len_b;
    simdepth_status st;

    st = check_pair(t, a, b, err);
    if (st != SIMDEPTH_OK)
        return st;
    if (out == NULL || (rule != SIMDEPTH_LCS_REFERENCE &&
                        rule != SIMDEPTH_LCS_TRUE))
        return simdepth_i_error_set(err, SIMDEPTH_EINVAL, NULL, 0, 0, -1, "%s",
                                    out == NULL ? "lcs needs an output"
                                                : "unknown LCS rule");
    key = rule == SIMDEPTH_LCS_REFERENCE ? t->min_depth : t->max_depth;
    anc_init(&sa);
    anc_init(&sb);
    anc_init(&sl);
    if (anc_fill(t, &sa, (uint32_t)a) != 0 ||
        anc_fill(t, &sb, (uint32_t)b) != 0) {
        st = simdepth_i_enomem(err, "ancestor sets");
        goto out;
    }

    /* One pass over the common hypernyms: keep those of the greatest key,
     * remembering whether a is among them and which sorts first by name. */
    for (i = 0; i < sa.n; i++) {
        uint32_t x = sa.node[i];
        int32_t k;

        if (anc_find(&sb, x) < 0)
            continue;
        k = key[x];
        if (k > best) {
            best = k;
            count = 0;
            a_kept = 0;
        } else if (k < best) {
            continue;
        }
        if (x == a)
            a_kept = 1;
        if (count == 0) {
            pick = x;
        } else {
            int c = strcmp(t->names[x], t->names[pick]);

            if (c < 0 || (c == 0 && x < pick))
                pick = x;
        }
        count++;
    }
    if (count == 0) {
        st = simdepth_i_error_set(err, SIMDEPTH_ENOTFOUND, NULL, 0, 0, -1,
                                  "'%s' and '%s' have no common subsumer",
                                  t->ids[a], t->ids[b]);
        goto out;
    }
    if (a_kept)
        pick = a;

    /* Distances to the LCS, as shortest_path_distance(x, lcs). */
    if (pick == a) {
        la = &sa;
    } else if (pick == b) {
        la = &sb;
    } else {
        if (anc_fill(t, &sl, (uint32_t)pick) != 0) {
            st = simdepth_i_enomem(err, "ancestor sets");
            goto out;
        }
        la = &sl;
    }
    len_a = pick == a ? 0 : anc_meet(&sa, la);
    len_b = pick == b ? 0 : anc_meet(&sb, la);

    out->lcs = pick;
    out->depth = t->max_depth[pick] + 1;
    out->len_a = (int)len_a;
    out->len_b = (int)len_b;
    /* NLTK: (2.0 * depth) / ((len1 + depth) + (len2 + depth)); the integer
     * sums are exact, so this is the same double. */
    out->wup = (2.0 * out->depth) /
               (double)((len_a + out->depth) + (len_b + out->depth));
    out->n_candidates = count;
out:
    anc_release(&sa);
    anc_release(&sb);
    anc_release(&sl);
    return st;
}

int simdepth_taxonomy_path_distance(const simdepth_taxonomy *t, size_t a,
                                    size_t b)
{
    anc_set sa, sb;
    long d = -1;

    if (check_pair(t, a, b, NULL) != SIMDEPTH_OK)
        return -1;
    if (a == b)
        return 0;
    anc_init(&sa);
    anc_init(&sb);
    if (anc_fill(t, &sa, (uint32_t)a) == 0 && anc_fill(t, &sb, (uint32_t)b) == 0)
        d = anc_meet(&sa, &sb);
    anc_release(&sa);
    anc_release(&sb);
    return d > INT_MAX ? INT_MAX : (int)d;
}

double simdepth_taxonomy_path_similarity(const simdepth_taxonomy *t, size_t a,
                                         size_t b)
{
    int d = simdepth_taxonomy_path_distance(t, a, b);

    return d < 0 ? 0.0 : 1.0 / (d + 1);
}
